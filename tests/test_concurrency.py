"""Two `genogram ingest` processes on one SQLite store at once: both succeed, or one fails
cleanly (exit 1, one line, nothing half-written), and nothing is lost either way."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

from synthetic import ROOT, ingest_cmd, write_batch


def test_two_ingests_at_once_lose_nothing(tmp_path: Path) -> None:
    db = tmp_path / "g.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for round_ in range(3):
        batches = [write_batch(tmp_path, 10 * round_ + i, 600) for i in range(2)]
        procs = [
            subprocess.Popen(
                ingest_cmd(db, people, rels),
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            for people, rels, _, _ in batches
        ]
        outcomes = [(p.wait(timeout=120), p.communicate()[1]) for p in procs]
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            for (code, err), (i, (_, _, n_people, n_rels)) in zip(
                outcomes, enumerate(batches), strict=True
            ):
                system = f"B{10 * round_ + i}"
                people = con.execute(
                    "SELECT count(*) FROM person_sources WHERE system = ?", (system,)
                ).fetchone()[0]
                rels = con.execute(
                    "SELECT count(*) FROM evidence WHERE system = ?", (system,)
                ).fetchone()[0]
                if code == 0:
                    assert (people, rels) == (n_people, n_rels)
                else:  # a clean failure: one line, nothing of the batch written
                    assert code == 1, err
                    assert len(err.strip().splitlines()) == 1, err
                    assert (people, rels) == (0, 0)
        finally:
            con.close()
