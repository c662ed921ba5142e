"""Persistence behind one contract (`genogram.store.GraphStore`): SQLite and Neo4j.

`open_store` picks the backend from the `--store` value (DESIGN §4): a file path opens (or
creates) a SQLite store; a ``bolt://``/``neo4j://`` URI opens the Neo4j backend
(`graphstore.neo4j`), with credentials and database from the GENOGRAM_NEO4J_* environment.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable

from genogram.errors import StoreError
from genogram.store import GraphStore
from graphstore.sqlite import SQLiteStore

__all__ = ["DEFAULT_STORE", "NEO4J_SCHEMES", "SQLiteStore", "open_store"]

#: The store used when neither `--store` nor GENOGRAM_STORE is given.
DEFAULT_STORE = "./genogram.db"

#: URI schemes served by the Neo4j (Bolt) backend.
NEO4J_SCHEMES = frozenset({"bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"})

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://")


def _open_neo4j(uri: str, database: str | None) -> GraphStore:
    # Imported here so that SQLite users never load the Neo4j driver.
    from graphstore.neo4j import open_neo4j

    return open_neo4j(uri, database=database)


#: Backends reached through a URI, by scheme (a file path always means SQLite).
_URI_BACKENDS: dict[str, Callable[[str, str | None], GraphStore]] = dict.fromkeys(
    NEO4J_SCHEMES, _open_neo4j
)


def open_store(uri: str | os.PathLike[str], *, database: str | None = None) -> GraphStore:
    """Open the store named by a file path (SQLite, created if missing) or a URI; `database`
    names the database on a Neo4j server (default: GENOGRAM_NEO4J_DATABASE, else the server's
    default database) and is not used by SQLite, whose store is the file.

    Raises StoreError for an unknown scheme or a store that cannot be opened; the message never
    repeats credentials that may be embedded in a URI.
    """
    text = os.fspath(uri)
    match = _SCHEME.match(text)
    if match is None:
        return SQLiteStore(text)
    scheme = match.group(1).lower()
    backend = _URI_BACKENDS.get(scheme)
    if backend is None:
        known = ", ".join(f"{s}://" for s in sorted(NEO4J_SCHEMES))
        raise StoreError(
            f"unsupported store scheme '{scheme}://'; give a SQLite file path or one of {known}"
        )
    return backend(text, database)
