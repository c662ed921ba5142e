"""`make bench`: bulk load and 2-hop neighbourhood latency on both store backends.

Loads a generated population (100,000 people, 200,000 relationships, every person with a
record key, an address and facts with evidence, every relationship with evidence) through the
store contract, first into SQLite and then over Bolt into ArcadeDB's server (started here from
the arcadedb-embedded wheel, like the tests do; or the server named by GENOGRAM_BENCH_NEO4J_URI
with GENOGRAM_NEO4J_USER / _PASSWORD / _DATABASE, whose database is emptied). Prints people per
second (target over Bolt: >= 20,000/s), relationships per second, and the p50/p95 latency of
`neighbourhood(person, 2)`. Figures only: nothing passes or fails.

A freshly started JVM interprets, then compiles, ArcadeDB's code for its first minute or so;
a council's long-running server has long done that. So the local server first takes a warm-up
load into a scratch database (its rates are printed as the fresh-JVM figures), and the measured
load then goes into an empty database on the warmed server. Its commits flush the WAL to disk
(`arcadedb.txWalFlush=2`; ArcadeDB's default does not), so no figure relies on lost writes.
The server's own limit for genogram's statements is measured last, with rows pre-encoded.

    .venv/bin/python bench/bench_store.py [--people N] [--batch N] [--samples N] [--no-warm-up]
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
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

#: Scratch databases of the local server: the warm-up load's, and one per ceiling measured
#: (each starts empty: emptying a database over Bolt takes ArcadeDB minutes).
WARM_UP_DATABASE = "warmup"
CEILING_DATABASES = ("ceiling_merge", "ceiling_create")
#: Relationships in the warm-up load (enough to compile the relationship statements).
WARM_UP_RELATIONSHIPS = 50_000

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


def load(
    store: GraphStore,
    people: list[Person],
    rels: list[Relationship],
    batch: int,
    indent: str = "  ",
) -> None:
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
    print(f"{indent}people:        {len(people):>8,} in {people_s:7.2f} s = {rate:>9,.0f}/s")
    rels_rate = len(rels) / rels_s
    print(f"{indent}relationships: {len(rels):>8,} in {rels_s:7.2f} s = {rels_rate:>9,.0f}/s")
    total = people_s + rels_s
    items = (len(people) + len(rels)) / total
    print(f"{indent}whole load:    {total:7.2f} s ({items:,.0f} items/s)")


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


def ceiling(targets: Sequence[Any], people: list[Person], batch: int, clear: bool) -> None:
    """The server's own limits, with nothing for genogram to merge or encode: `MERGE` of bare
    Person nodes (ids only), and genogram's statements for new people (the commit's locking
    read, then its `CREATE`) on rows encoded beforehand, in transactions of `batch` rows and
    statements of 2,000 like the backend's. genogram's people/s cannot beat the second.
    Each runs in its own database of `targets` (emptied first if `clear`)."""
    import neo4j

    from graphstore import neo4j as backend

    step = 2000
    create = getattr(backend, "_CREATE_PEOPLE", None)
    values = getattr(backend, "_person_values", None)

    def bare_merge(tx: neo4j.ManagedTransaction, chunk: list[Any]) -> None:
        for s in range(0, len(chunk), step):
            tx.run(
                "UNWIND $rows AS row MERGE (p:Person {id: row.id})", rows=chunk[s : s + step]
            ).consume()

    def read_create(tx: neo4j.ManagedTransaction, chunk: list[Any]) -> None:
        for s in range(0, len(chunk), step):
            tx.run(backend._LOCK_PEOPLE, ids=[row[0] for row in chunk[s : s + step]]).consume()
        for s in range(0, len(chunk), step):
            tx.run(create, rows=chunk[s : s + step]).consume()  # type: ignore[arg-type]

    measures: list[tuple[str, Any, list[Any]]] = [
        ("MERGE of bare Person nodes", bare_merge, [{"id": p.id} for p in people])
    ]
    if create is not None and values is not None:
        rows = [[p.id, values(p), [backend._source_json(k) for k in p.sources]] for p in people]
        name = "genogram's statements for new people (read + CREATE, rows pre-encoded)"
        measures.append((name, read_create, rows))
    for (name, work, items), bolt in zip(measures, targets, strict=False):
        if clear:
            bolt.clear()
        bolt.open().close()  # genogram's constraints and indexes, as for the real load
        auth = (bolt.user, bolt.password) if bolt.user else None
        with (
            neo4j.GraphDatabase.driver(bolt.uri, auth=auth) as driver,
            driver.session(database=bolt.database) as session,
        ):
            start = time.perf_counter()
            for chunk in batches(items, batch):
                session.execute_write(work, chunk)
            elapsed = time.perf_counter() - start
        if clear:
            bolt.clear()
        print(f"  server ceiling, {name}: {len(items) / elapsed:,.0f}/s")


def bench_server(root: Path) -> Any:
    """The tests' ArcadeDB server (4 GB heap), plus the warm-up database and durable commits."""
    from arcadedb_server import DATABASE, USER, ArcadeDBServer

    class BenchServer(ArcadeDBServer):
        def command(self) -> list[str]:
            databases = f"-Darcadedb.server.defaultDatabases={DATABASE}[{USER}]"
            scratch = "".join(f";{name}[{USER}]" for name in (WARM_UP_DATABASE, *CEILING_DATABASES))
            extra = [f"{databases}{scratch}", "-Darcadedb.txWalFlush=2"]
            command = [arg for arg in super().command() if arg != databases]
            at = command.index("-cp")
            return [*command[:at], *extra, *command[at:]]

    return BenchServer(root, heap="4g")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--relationships", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=10_000, help="writes per transaction")
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-copy", action="store_true")
    parser.add_argument(
        "--no-warm-up", action="store_true", help="measure the local server's fresh JVM"
    )
    args = parser.parse_args()

    people, rels = population(args.people, args.relationships)
    ids = [p.id for p in people]
    # The generated input stays in memory all along: keep its ~2 million objects out of the
    # cyclic garbage collector's scans, which the stores' own allocations would trigger and
    # which would be charged to whichever store is running (a streamed ingest holds no such
    # population).
    gc.freeze()
    load1, _, _ = os.getloadavg()
    print(
        f"population: {len(people):,} people, {len(rels):,} relationships "
        f"(kept out of the garbage collector's scans); {os.cpu_count()} CPUs, "
        f"load average {load1:.2f}"
    )
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
        from conftest import BoltServer

        external = os.environ.get("GENOGRAM_BENCH_NEO4J_URI")
        server = None
        if external:
            bolt = BoltServer(
                external,
                os.environ.get("GENOGRAM_NEO4J_USER"),
                os.environ.get("GENOGRAM_NEO4J_PASSWORD", ""),
                os.environ.get("GENOGRAM_NEO4J_DATABASE"),
            )
            print(f"  server: {external}")
        else:
            from arcadedb_server import DATABASE, USER

            server = bench_server(Path(tmp) / "arcadedb")
            started = time.perf_counter()
            server.start()
            bolt = BoltServer(server.uri, USER, server.password, DATABASE)
            print(
                f"  server: ArcadeDB (arcadedb-embedded wheel), started in "
                f"{time.perf_counter() - started:.1f} s; commits flush the WAL to disk"
            )
        try:
            indent = "  "
            ceilings, clear = [bolt, bolt], True
            if server is not None:
                scratch = BoltServer(server.uri, USER, server.password, WARM_UP_DATABASE)
                ceilings = [
                    BoltServer(server.uri, USER, server.password, name)
                    for name in CEILING_DATABASES
                ]
                clear = False
                if not args.no_warm_up:
                    print("  warm-up load into a scratch database (the fresh JVM's figures):")
                    store = scratch.open()
                    try:
                        load(store, people, rels[:WARM_UP_RELATIONSHIPS], args.batch, "    ")
                    finally:
                        store.close()
                    print("  measured load, into an empty database on the warmed-up server:")
                    indent = "    "
            bolt.clear()
            store = bolt.open()
            try:
                load(store, people, rels, args.batch, indent)
                latency(store, ids, args.samples)
                print(f"  counts: {store.counts()}")
                if not args.skip_copy:
                    copy_back(store, Path(tmp) / "copy.db")
            finally:
                store.close()
            ceiling(ceilings, people, args.batch, clear)
        finally:
            if server is not None:
                server.stop()
    load1, _, _ = os.getloadavg()
    print(f"load average at the end: {load1:.2f}")


if __name__ == "__main__":
    main()
