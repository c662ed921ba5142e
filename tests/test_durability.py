"""No data loss: `genogram ingest` killed with SIGKILL at random moments, again and again.

After every kill the SQLite store must pass `PRAGMA integrity_check`, hold every batch whose
ingest was acknowledged (exit 0) before the kill, and show the killed batch either whole or
not at all. Re-running the interrupted ingests completes them without duplicates.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

from synthetic import ROOT, ingest_cmd, write_batch

KILLS = 100
BATCHES = 6
PEOPLE_PER_BATCH = 300


def batch_rows(db: Path, index: int) -> tuple[int, int]:
    """How many of the batch's person records and relationship rows the store holds."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        people = con.execute(
            "SELECT count(*) FROM person_sources WHERE system = ?", (f"B{index}",)
        ).fetchone()[0]
        rels = con.execute(
            "SELECT count(*) FROM evidence WHERE system = ?", (f"B{index}",)
        ).fetchone()[0]
        return int(people), int(rels)
    finally:
        con.close()


def integrity(db: Path) -> str:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return str(con.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        con.close()


def test_sigkill_at_random_moments_loses_nothing(tmp_path: Path) -> None:
    rng = random.Random(20261124)
    batches = [write_batch(tmp_path, i, PEOPLE_PER_BATCH) for i in range(BATCHES)]
    db = tmp_path / "g.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    acknowledged: set[int] = set()
    kills = absent_after_kill = whole_seen = 0
    attempt = 0
    while kills < KILLS:
        index = attempt % BATCHES
        attempt += 1
        people, rels, n_people, n_rels = batches[index]
        proc = subprocess.Popen(
            ingest_cmd(db, people, rels),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        # Most kills land while the batch is being written (after ~0.3 s of start-up).
        time.sleep(rng.uniform(0.25, 0.75))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            kills += 1
        else:
            _, err = proc.communicate()
            assert proc.returncode == 0, err.decode()
            acknowledged.add(index)
        if not db.exists():
            continue
        assert integrity(db) == "ok"
        for done in acknowledged:
            assert batch_rows(db, done) == batches[done][2:], f"acknowledged batch {done} lost"
        got = batch_rows(db, index)
        assert got in ((0, 0), (n_people, n_rels)), f"partial batch visible: {got}"
        absent_after_kill += got == (0, 0)
        whole_seen += got == (n_people, n_rels)
    # Both outcomes of a kill happened: the test really interrupted writes.
    assert kills >= KILLS and absent_after_kill > 0
    # Re-running every ingest completes the interrupted ones and duplicates nothing.
    for people, rels, _, _ in batches:
        subprocess.run(ingest_cmd(db, people, rels), env=env, check=True, capture_output=True)
    for index, (_, _, n_people, n_rels) in enumerate(batches):
        assert batch_rows(db, index) == (n_people, n_rels)
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        persons = con.execute("SELECT count(*) FROM persons").fetchone()[0]
        relationships = con.execute("SELECT count(*) FROM relationships").fetchone()[0]
    finally:
        con.close()
    assert persons == BATCHES * PEOPLE_PER_BATCH
    assert relationships == BATCHES * PEOPLE_PER_BATCH // 3 * 2
