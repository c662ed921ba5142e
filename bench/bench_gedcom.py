"""`make bench`: GEDCOM import and export of the large public files (royal92: 3,010 people;
pres2020: 2,322). Target (issue 9): each imports in a few seconds. Prints figures only."""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extract.gedcom import ingest_gedcom, read_gedcom  # noqa: E402
from extract.gedcom_write import select_people, write_gedcom  # noqa: E402
from graphstore import open_store  # noqa: E402

T = TypeVar("T")
DATA = Path("/work/shared/data/gedcom/samples")
FILES = ("royal92.ged", "pres2020.ged")


def timed(label: str, fn: Callable[[], T]) -> T:
    """Run fn once, print its wall time, return its result."""
    start = time.perf_counter()
    result = fn()
    print(f"{label:<52} {time.perf_counter() - start:8.3f} s")
    return result


def bench_file(folder: Path, name: str) -> None:
    """Read, ingest (fresh store), re-ingest (idempotent), export and re-import one file."""
    path = DATA / name
    batch = timed(f"{name}: read and check", lambda: read_gedcom(path))
    store = open_store(folder / f"{name}.db")
    report = timed(f"{name}: ingest into an empty store", lambda: ingest_gedcom(store, batch))
    print(
        f"{'':<4}{len(batch.people)} people, {len(batch.relationships)} relationships, "
        f"{report.people_created} created"
    )
    timed(f"{name}: ingest again (changes nothing)", lambda: ingest_gedcom(store, batch))
    people, rels = select_people(store, None, 4)
    out = folder / f"{name}-5.5.1.ged"
    timed(f"{name}: export GEDCOM 5.5.1", lambda: write_gedcom(out, people, rels))
    out7 = folder / f"{name}-7.0.ged"
    timed(f"{name}: export GEDCOM 7.0", lambda: write_gedcom(out7, people, rels, version="7.0"))
    again = open_store(folder / f"{name}-again.db")
    exported = read_gedcom(out7, source="EXPORT")
    timed(f"{name}: import the 7.0 export", lambda: ingest_gedcom(again, exported))
    again.close()
    store.close()


def main() -> None:
    """Every file in FILES, in a temporary folder."""
    if not DATA.is_dir():
        print(f"skipped: {DATA} not found")
        return
    with tempfile.TemporaryDirectory() as tmp:
        for name in FILES:
            bench_file(Path(tmp), name)


if __name__ == "__main__":
    main()
