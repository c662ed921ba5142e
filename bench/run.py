"""`make bench`: time the pipeline stages and print the figures.

Stages on the shipped fixtures (records, notes, relatives, render to PDF) and on a generated
population of synthetic families, to show how ingest scales. Benchmarks print figures; they
do not pass or fail (speed targets are checked by reading these numbers, not by unit tests).
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extract.nlp import build_pipeline, extract_mentions  # noqa: E402
from extract.notes import read_notes  # noqa: E402
from extract.records import read_mapping_file, read_people, read_relationships  # noqa: E402
from genogram.query import relatives  # noqa: E402
from genogram.resolve import ingest_notes, ingest_records, resolve_reference  # noqa: E402
from graphstore import open_store  # noqa: E402
from render import RenderOptions, build_dot, render_file, select  # noqa: E402

T = TypeVar("T")
FIX = ROOT / "fixtures"


def timed(label: str, fn: Callable[[], T]) -> T:
    """Run fn once, print its wall time, return its result."""
    start = time.perf_counter()
    result = fn()
    print(f"{label:<48} {time.perf_counter() - start:8.3f} s")
    return result


def fixtures_pipeline(tmp: Path) -> None:
    """The demo pipeline, stage by stage."""
    store = open_store(tmp / "fixtures.db")
    timed(
        "fixtures: ingest CSC records",
        lambda: ingest_records(
            store,
            read_people(FIX / "csc_people.csv"),
            read_relationships(FIX / "csc_relationships.csv"),
        ),
    )
    timed(
        "fixtures: ingest HOUSING records",
        lambda: ingest_records(
            store,
            read_people(
                FIX / "housing_people.csv",
                source="HOUSING",
                mapping=read_mapping_file(FIX / "housing.map"),
            ),
            read_relationships(FIX / "housing_relationships.csv"),
        ),
    )
    nlp = timed("spaCy pipeline build (blank en + rules)", build_pipeline)
    notes = read_notes(FIX / "notes.jsonl")
    mentions = timed(
        f"fixtures: extract {len(notes)} notes",
        lambda: {n.id: extract_mentions(n, nlp) for n in notes},
    )
    timed("fixtures: link note mentions", lambda: ingest_notes(store, notes, mentions))
    subject = resolve_reference(store, "CSC:1001")
    timed("fixtures: relatives of one child", lambda: relatives(store, subject.id))

    def draw() -> Path:
        people, rels = store.neighbourhood(subject.id, 6)
        chosen, chosen_rels = select(subject.id, people, rels, 2)
        dot = build_dot(subject.id, chosen, chosen_rels, RenderOptions())
        return render_file(dot, tmp / "g.pdf")

    timed("fixtures: render genogram to PDF", draw)
    store.close()


FIRST = ["Amelia", "Olivia", "Isla", "Ava", "Mia", "Jack", "Noah", "Leo", "Oscar", "Harry"]
FAMILY = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Davies", "Khan"]


def synthetic(tmp: Path, families: int, seed: int = 7) -> tuple[Path, Path]:
    """Write a people and a relationships CSV of `families` three-generation families."""
    rng = random.Random(seed)
    people = tmp / f"people_{families}.csv"
    rels = tmp / f"rels_{families}.csv"
    with people.open("w", newline="") as pf, rels.open("w", newline="") as rf:
        pw, rw = csv.writer(pf), csv.writer(rf)
        pw.writerow(["source", "record_id", "given_names", "family_name", "sex", "birth_date"])
        rw.writerow(["source", "from_record", "relationship", "to_record"])
        for f in range(families):
            surname = f"{rng.choice(FAMILY)}{f}"
            ids = [f"{f}-{i}" for i in range(7)]
            sexes = ["female", "male", "female", "male", "female", "male", "female"]
            years = [1950, 1948, 1975, 1973, 2005, 2008, 2011]
            for rid, sex, year in zip(ids, sexes, years, strict=True):
                given = f"{rng.choice(FIRST)}{rng.randint(0, 99)}"
                pw.writerow(
                    ["SYN", rid, given, surname, sex, f"{year}-0{rng.randint(1, 9)}-1{f % 9}"]
                )
            gm, gf, mum, dad, c1, c2, c3 = ids
            rw.writerow(["SYN", gm, "spouse", gf])
            rw.writerow(["SYN", gm, "mother", mum])
            rw.writerow(["SYN", gf, "father", mum])
            rw.writerow(["SYN", mum, "spouse", dad])
            for child in (c1, c2, c3):
                rw.writerow(["SYN", mum, "mother", child])
                rw.writerow(["SYN", dad, "father", child])
    return people, rels


def scaling(tmp: Path, families: int) -> None:
    """Ingest a generated population and report people per second."""
    people_csv, rels_csv = synthetic(tmp, families)
    people = read_people(people_csv)
    rels = read_relationships(rels_csv)
    store = open_store(tmp / f"syn_{families}.db")
    start = time.perf_counter()
    ingest_records(store, people, rels)
    took = time.perf_counter() - start
    print(
        f"synthetic: ingest {len(people)} people, {len(rels)} relationships "
        f"{took:8.3f} s  ({len(people) / took:,.0f} people/s)"
    )
    store.close()


def main() -> None:
    """Run every benchmark and print one line per figure."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--families", type=int, nargs="*", default=[50, 200])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        fixtures_pipeline(tmp)
        for n in args.families:
            scaling(tmp, n)


if __name__ == "__main__":
    main()
