"""Shared pytest fixtures. The `store` fixture runs a test once per storage backend.

Backends: "sqlite" (files under tmp_path), "neo4j" (a real Bolt server: ArcadeDB's, started
once per session from the `arcadedb-embedded` wheel as a separate java process), and, when
GENOGRAM_TEST_NEO4J_URI is set, "neo4j-external" (that server, e.g. a real Neo4j 5; its
database is emptied by the tests). To add a backend, add a class with the `Backend` methods to
`BACKENDS`; every test taking `store` or `backend` then runs against it too.
"""

from __future__ import annotations

import itertools
import os
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pytest

from genogram.store import GraphStore
from graphstore import open_store


class Backend(Protocol):
    """How the contract tests drive one backend."""

    name: str

    def open(self) -> GraphStore:
        """Open (or reopen) this test's store; several may be open at once."""
        ...

    def fresh(self) -> GraphStore:
        """A new, empty store independent of `open()` (for property tests)."""
        ...

    def set_schema_version(self, version: int) -> None:
        """Overwrite the stored schema version (the store must be closed)."""
        ...


class SQLiteBackend:
    """SQLite files under the test's tmp_path."""

    name = "sqlite"

    def __init__(self, tmp_path: Path) -> None:
        self.path = tmp_path / "genogram.db"
        self._fresh = itertools.count()
        self._dir = tmp_path

    def open(self) -> GraphStore:
        return open_store(self.path)

    def fresh(self) -> GraphStore:
        return open_store(self._dir / f"fresh-{next(self._fresh)}.db")

    def set_schema_version(self, version: int) -> None:
        conn = sqlite3.connect(self.path)
        try:
            conn.execute(f"PRAGMA user_version = {int(version)}")
            conn.commit()
        finally:
            conn.close()


@dataclass(frozen=True)
class BoltServer:
    """Where a Bolt server is and how to log in (the tests' own credentials)."""

    uri: str
    user: str | None
    password: str
    database: str | None

    def environ(self) -> dict[str, str]:
        """GENOGRAM_NEO4J_* variables for running the CLI against this server."""
        env = {"GENOGRAM_NEO4J_USER": self.user or "", "GENOGRAM_NEO4J_PASSWORD": self.password}
        if self.database:
            env["GENOGRAM_NEO4J_DATABASE"] = self.database
        return env

    def clear(self) -> None:
        """Delete every node and relationship (keeping the layout version node and the
        constraints, so the next open is quick), and reset that version."""
        import neo4j

        from graphstore.neo4j import SCHEMA_VERSION

        auth = (self.user, self.password) if self.user else None
        with (
            neo4j.GraphDatabase.driver(self.uri, auth=auth) as driver,
            driver.session(database=self.database) as session,
        ):
            while True:
                deleted = session.run(
                    "MATCH (n) WHERE NOT n:GenogramSchema WITH n LIMIT 20000 "
                    "DETACH DELETE n RETURN count(*) AS deleted"
                ).single()
                if deleted is None or deleted["deleted"] == 0:
                    break
            session.run(
                "MATCH (s:GenogramSchema {name: 'genogram'}) SET s.version = $v",
                v=SCHEMA_VERSION,
            ).consume()

    def set_schema_version(self, version: int) -> None:
        """Write a graph layout version into the database."""
        import neo4j

        auth = (self.user, self.password) if self.user else None
        with (
            neo4j.GraphDatabase.driver(self.uri, auth=auth) as driver,
            driver.session(database=self.database) as session,
        ):
            session.run(
                "MERGE (s:GenogramSchema {name: 'genogram'}) SET s.version = $v", v=version
            ).consume()

    def open(self) -> GraphStore:
        """A store on this server."""
        from graphstore.neo4j import Neo4jStore

        return Neo4jStore(self.uri, user=self.user, password=self.password, database=self.database)


class Neo4jBackend:
    """One shared Bolt database, emptied when a test first opens it."""

    def __init__(self, server: BoltServer, name: str = "neo4j") -> None:
        self.server = server
        self.name = name
        self._cleared = False

    def open(self) -> GraphStore:
        if not self._cleared:
            self.server.clear()
            self._cleared = True
        return self.server.open()

    def fresh(self) -> GraphStore:
        self.server.clear()
        self._cleared = True
        return self.server.open()

    def set_schema_version(self, version: int) -> None:
        # The tests speak in SQLite schema numbers; the graph layout has its own.
        from graphstore.neo4j import SCHEMA_VERSION as GRAPH_VERSION
        from graphstore.sqlite import SCHEMA_VERSION as SQLITE_VERSION

        self.server.set_schema_version(version - SQLITE_VERSION + GRAPH_VERSION)


@pytest.fixture(scope="session")
def arcadedb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BoltServer]:
    """ArcadeDB's Bolt server, started once for the session (a separate java process)."""
    from arcadedb_server import DATABASE, USER, ArcadeDBServer

    server = ArcadeDBServer(tmp_path_factory.mktemp("arcadedb"))
    server.start()
    try:
        yield BoltServer(server.uri, USER, server.password, DATABASE)
    finally:
        server.stop()


def external_neo4j() -> BoltServer | None:
    """The server named by GENOGRAM_TEST_NEO4J_URI (credentials from GENOGRAM_TEST_NEO4J_USER
    / _PASSWORD / _DATABASE, else GENOGRAM_NEO4J_*), or None."""
    uri = os.environ.get("GENOGRAM_TEST_NEO4J_URI")
    if not uri:
        return None

    def env(name: str) -> str | None:
        return os.environ.get(f"GENOGRAM_TEST_NEO4J_{name}") or os.environ.get(
            f"GENOGRAM_NEO4J_{name}"
        )

    return BoltServer(uri, env("USER"), env("PASSWORD") or "", env("DATABASE"))


@pytest.fixture(scope="session")
def bolt_servers(request: pytest.FixtureRequest) -> dict[str, BoltServer]:
    """Every Bolt server of this run by backend name (ArcadeDB's always)."""
    servers = {"neo4j": request.getfixturevalue("arcadedb")}
    external = external_neo4j()
    if external is not None:
        servers["neo4j-external"] = external
    return servers


def _bolt_backend(name: str) -> Callable[[Path, pytest.FixtureRequest], Backend]:
    def make(tmp_path: Path, request: pytest.FixtureRequest) -> Backend:
        return Neo4jBackend(request.getfixturevalue("bolt_servers")[name], name)

    return make


#: Backend factories by name; the `backend`/`store` fixtures are parametrised over these.
BACKENDS: dict[str, Callable[[Path, pytest.FixtureRequest], Backend]] = {
    "sqlite": lambda tmp_path, request: SQLiteBackend(tmp_path),
    "neo4j": _bolt_backend("neo4j"),
}
if external_neo4j() is not None:
    BACKENDS["neo4j-external"] = _bolt_backend("neo4j-external")


@pytest.fixture(params=sorted(BACKENDS))
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    """The backend under test (one run per entry of BACKENDS)."""
    return BACKENDS[request.param](tmp_path, request)


@pytest.fixture
def store(backend: Backend) -> Iterator[GraphStore]:
    """An empty store of the backend under test, closed afterwards."""
    s = backend.open()
    try:
        yield s
    finally:
        s.close()
