"""Shared pytest fixtures. The `store` fixture runs a test once per storage backend.

To add a backend (Neo4j), add a class with the `Backend` methods to `BACKENDS`; every test
taking `store` or `backend` then runs against it too.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Callable, Iterator
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


#: Backend factories by name; the `backend`/`store` fixtures are parametrised over these.
BACKENDS: dict[str, Callable[[Path], Backend]] = {"sqlite": SQLiteBackend}


@pytest.fixture(params=sorted(BACKENDS))
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    """The backend under test (one run per entry of BACKENDS)."""
    return BACKENDS[request.param](tmp_path)


@pytest.fixture
def store(backend: Backend) -> Iterator[GraphStore]:
    """An empty store of the backend under test, closed afterwards."""
    s = backend.open()
    try:
        yield s
    finally:
        s.close()
