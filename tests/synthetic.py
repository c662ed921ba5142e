"""Generated record batches for tests that need many people (durability, concurrency)."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

GENOGRAM = [sys.executable, "-c", "from cli import app; app()"]
ROOT = Path(__file__).resolve().parent.parent


def write_batch(folder: Path, index: int, people: int) -> tuple[Path, Path, int, int]:
    """A people file and a relationships file of mother-father-child families, source B<index>;
    years differ per batch so that no batch's people match another's."""
    system = f"B{index}"
    people_csv = folder / f"people_{index}.csv"
    rels_csv = folder / f"rels_{index}.csv"
    families = people // 3
    with people_csv.open("w", newline="") as pf, rels_csv.open("w", newline="") as rf:
        pw, rw = csv.writer(pf), csv.writer(rf)
        pw.writerow(["source", "record_id", "given_names", "family_name", "sex", "birth_date"])
        rw.writerow(["source", "from_record", "relationship", "to_record"])
        for f in range(families):
            surname = f"Zed{index}q{f}x"
            mum, dad, child = (f"{f}m", f"{f}d", f"{f}c")
            pw.writerow([system, mum, f"Ann{f}", surname, "female", f"{1950 + index}-01-01"])
            pw.writerow([system, dad, f"Bob{f}", surname, "male", f"{1940 + index}-02-02"])
            pw.writerow([system, child, f"Cy{f}", surname, "male", f"{2000 + index}-03-03"])
            rw.writerow([system, mum, "mother", child])
            rw.writerow([system, dad, "father", child])
    return people_csv, rels_csv, families * 3, families * 2


def ingest_cmd(db: Path, people: Path, rels: Path) -> list[str]:
    """The CLI command line that ingests one batch into the SQLite store `db`."""
    return [
        *GENOGRAM,
        "--store",
        str(db),
        "--quiet",
        "ingest",
        "records",
        "--people",
        str(people),
        "--relationships",
        str(rels),
    ]
