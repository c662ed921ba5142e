"""`make bench`: bulk load and 2-hop neighbourhood latency on both store backends.

Loads a generated population (100,000 people, 200,000 relationships, every person with a
record key, an address and facts with evidence, every relationship with evidence) through the
store contract, first into SQLite and then over Bolt into ArcadeDB's server (started here from
the arcadedb-embedded wheel, like the tests do; or the server named by GENOGRAM_BENCH_NEO4J_URI
with GENOGRAM_NEO4J_USER / _PASSWORD / _DATABASE, whose database is emptied). Prints people per
second (target over Bolt: >= 20,000/s), relationships per second, and the p50/p95 latency of
`neighbourhood(person, 2)`. Figures only: nothing passes or fails.

    .venv/bin/python bench/bench_store.py [--people N] [--batch N] [--samples N]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from genogram.model import (  # noqa: E402
    Address,
    Evidence,
    Fact,
    PartialDate,
    Person,
    Relationship,
    RelType,
    Sex,
    SourceKey,
)
from genogram.store import GraphStore  # noqa: E402
from graphstore import open_store  # noqa: E402

GIVEN_F = ["Amelia", "Kerry", "Linda", "Sue", "Zofia", "Aisha", "Megan", "Chloe", "Ruth"]
GIVEN_M = ["Riley", "Dean", "Jason", "Michael", "Tom", "Craig", "Omar", "Liam", "Owen"]
FAMILY = ["Hart", "Walsh", "O'Connor", "Bennett", "Nowak", "Khan", "Evans", "Jones", "Price"]


def population(
    n_people: int, n_rels: int, seed: int = 6
) -> tuple[list[Person], list[Relationship]]:
    """Synthetic families of five (two partners, three children), linked across generations
    (a parent of one family is a child of an earlier one), topped up with household and
    relationship lines to `n_rels` edges."""
    rng = random.Random(seed)
    people: list[Person] = []
    rels: dict[str, Relationship] = {}

    def ev(i: int) -> Evidence:
        return Evidence(f"CSC:{i}", "CSC", "record", f"CSC:{i} is a relative", None, None, None)

    def add(rel: Relationship) -> None:
        if len(rels) < n_rels:
            rels.setdefault(rel.id, rel)

    for i in range(n_people):
        female = i % 2 == 0
        given = rng.choice(GIVEN_F if female else GIVEN_M)
        family = rng.choice(FAMILY)
        born = PartialDate(rng.randint(1940, 2020), rng.randint(1, 12), rng.randint(1, 28))
        key = SourceKey("CSC", f"{i:07d}")
        evidence = Evidence(str(key), "CSC", "record")
        people.append(
            Person(
                id=f"P{i:07d}",
                given_names=given,
                family_name=family,
                sex=Sex.FEMALE if female else Sex.MALE,
                birth_date=born,
                addresses=[Address(f"{rng.randint(1, 200)} Example Road", "TT1 1AA")],
                sources=[key],
                facts=[
                    Fact("given_names", given, evidence),
                    Fact("family_name", family, evidence),
                    Fact("birth_date", born.iso(), evidence),
                ],
            )
        )
    ids = [p.id for p in people]
    families = [ids[k : k + 5] for k in range(0, len(ids) - 4, 5)]
    for f, (mum, dad, *children) in enumerate(families):
        add(Relationship(RelType.PARTNER_OF, mum, dad, "married", evidence=[ev(f)]))
        for child in children:
            for parent in (mum, dad):
                add(Relationship(RelType.PARENT_OF, parent, child, "birth", evidence=[ev(f)]))
        if f > 0:  # one parent is a child of an earlier family: a three-generation graph
            older = families[rng.randrange(max(0, f - 50), f)]
            for grandparent in older[:2]:
                add(Relationship(RelType.PARENT_OF, grandparent, mum, "birth", evidence=[ev(f)]))
    while len(rels) < n_rels:
        a, b = rng.sample(ids, 2)
        rtype = rng.choice([RelType.LIVES_WITH, RelType.RELATES_TO, RelType.SIBLING_OF])
        kind = {RelType.RELATES_TO: "close", RelType.SIBLING_OF: "half"}.get(rtype)
        add(Relationship(rtype, a, b, kind, evidence=[ev(len(rels))]))
    return people, list(rels.values())


def batches(items: list[object], size: int) -> Iterator[list[object]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def load(store: GraphStore, people: list[Person], rels: list[Relationship], batch: int) -> None:
    """Bulk load through the contract, one transaction per batch; prints rates."""
    start = time.perf_counter()
    for chunk in batches(list(people), batch):
        with store.transaction():
            for p in chunk:
                store.put_person(p)  # type: ignore[arg-type]
    people_s = time.perf_counter() - start
    start = time.perf_counter()
    for chunk in batches(list(rels), batch):
        with store.transaction():
            for r in chunk:
                store.put_relationship(r)  # type: ignore[arg-type]
    rels_s = time.perf_counter() - start
    rate = len(people) / people_s
    print(f"  people:        {len(people):>8,} in {people_s:7.2f} s = {rate:>9,.0f}/s")
    print(f"  relationships: {len(rels):>8,} in {rels_s:7.2f} s = {len(rels) / rels_s:>9,.0f}/s")
    total = people_s + rels_s
    print(f"  whole load:    {total:7.2f} s ({(len(people) + len(rels)) / total:,.0f} items/s)")


def latency(store: GraphStore, ids: list[str], samples: int) -> None:
    """p50/p95 of a 2-hop neighbourhood around random people."""
    rng = random.Random(7)
    times = []
    sizes = []
    for pid in rng.sample(ids, samples):
        start = time.perf_counter()
        people, _ = store.neighbourhood(pid, 2)
        times.append((time.perf_counter() - start) * 1000)
        sizes.append(len(people))
    times.sort()
    p50 = statistics.median(times)
    p95 = times[int(0.95 * (len(times) - 1))]
    print(
        f"  neighbourhood(2): p50 {p50:6.2f} ms, p95 {p95:6.2f} ms "
        f"({samples} samples, {statistics.mean(sizes):.0f} people on average)"
    )


def copy_back(store: GraphStore, path: Path) -> None:
    """`store copy` from the Bolt server into a new SQLite file (reads every page)."""
    from graphstore.copy import copy_store

    target = open_store(path)
    try:
        start = time.perf_counter()
        report = copy_store(store, target)
        elapsed = time.perf_counter() - start
    finally:
        target.close()
    items = report.persons + report.relationships
    print(f"  store copy to SQLite: {items:,} items in {elapsed:.2f} s ({items / elapsed:,.0f}/s)")


def ceiling(bolt: Any, ids: list[str]) -> None:
    """The server's own limit: MERGE bare Person nodes (ids only) in the same batches, with
    nothing for the client to encode; genogram's people/s cannot beat this."""
    import neo4j

    bolt.clear()
    rows = [{"id": pid} for pid in ids]
    auth = (bolt.user, bolt.password) if bolt.user else None
    with (
        neo4j.GraphDatabase.driver(bolt.uri, auth=auth) as driver,
        driver.session(database=bolt.database) as session,
    ):
        start = time.perf_counter()
        for chunk in batches(list(rows), 2000):
            session.execute_write(
                lambda tx, c=chunk: tx.run(
                    "UNWIND $rows AS row MERGE (p:Person {id: row.id})", rows=c
                ).consume()
            )
        elapsed = time.perf_counter() - start
    bolt.clear()
    print(f"  server ceiling, MERGE of bare Person nodes: {len(rows) / elapsed:,.0f}/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--relationships", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=10_000, help="writes per transaction")
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-copy", action="store_true")
    args = parser.parse_args()

    people, rels = population(args.people, args.relationships)
    ids = [p.id for p in people]
    print(f"population: {len(people):,} people, {len(rels):,} relationships")
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_sqlite:
            print("SQLite (embedded):")
            store = open_store(Path(tmp) / "bench.db")
            try:
                load(store, people, rels, args.batch)
                latency(store, ids, args.samples)
            finally:
                store.close()

        print("Neo4j backend over Bolt:")
        external = os.environ.get("GENOGRAM_BENCH_NEO4J_URI")
        server = None
        if external:
            from conftest import BoltServer

            bolt = BoltServer(
                external,
                os.environ.get("GENOGRAM_NEO4J_USER"),
                os.environ.get("GENOGRAM_NEO4J_PASSWORD", ""),
                os.environ.get("GENOGRAM_NEO4J_DATABASE"),
            )
            print(f"  server: {external}")
        else:
            from arcadedb_server import DATABASE, USER, ArcadeDBServer
            from conftest import BoltServer

            server = ArcadeDBServer(Path(tmp) / "arcadedb", heap="4g")
            started = time.perf_counter()
            server.start()
            bolt = BoltServer(server.uri, USER, server.password, DATABASE)
            print(
                f"  server: ArcadeDB (arcadedb-embedded wheel), started in "
                f"{time.perf_counter() - started:.1f} s"
            )
        try:
            bolt.clear()
            store = bolt.open()
            try:
                load(store, people, rels, args.batch)
                latency(store, ids, args.samples)
                print(f"  counts: {store.counts()}")
                if not args.skip_copy:
                    copy_back(store, Path(tmp) / "copy.db")
            finally:
                store.close()
            ceiling(bolt, ids)
        finally:
            if server is not None:
                server.stop()


if __name__ == "__main__":
    main()
