"""The embedded SQLite backend of the storage contract (`genogram.store.GraphStore`).

DESIGN §5: WAL journal, ``synchronous=FULL``, foreign keys on, a busy timeout, a schema version
(``PRAGMA user_version``) brought up to date by `MIGRATIONS` on open, one transaction per batch,
and indexes so that a 2-hop neighbourhood is index lookups only. Every value reaches SQL as a
bound parameter. Error messages name the store file and ids, never personal data.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final, TypeVar

from genogram.errors import StoreError
from genogram.model import (
    Address,
    AuditEntry,
    Decision,
    Document,
    Evidence,
    Fact,
    MatchDecision,
    PartialDate,
    Person,
    Relationship,
    RelType,
    Sex,
    SourceKey,
)
from genogram.store import WITHDRAWN_QUOTE

_T = TypeVar("_T")

#: How long a writer waits for another process's lock before giving up.
BUSY_TIMEOUT_MS: Final = 10_000

_BATCH: Final = 500

_REL_TYPES = ", ".join(f"'{t.value}'" for t in RelType)
_SEXES = ", ".join(f"'{s.value}'" for s in Sex)

#: Schema migrations, applied in order; the schema version is the number applied so far
#: (``PRAGMA user_version``). Append new migrations; never edit a released one.
MIGRATIONS: Final[tuple[tuple[str, ...], ...]] = (
    (
        f"""CREATE TABLE persons (
            id TEXT PRIMARY KEY,
            given_names TEXT,
            family_name TEXT,
            known_as TEXT NOT NULL DEFAULT '[]',
            sex TEXT NOT NULL CHECK (sex IN ({_SEXES})),
            birth_date TEXT,
            death_date TEXT,
            deceased INTEGER NOT NULL CHECK (deceased IN (0, 1)),
            implied INTEGER NOT NULL CHECK (implied IN (0, 1)),
            implied_label TEXT,
            name_search TEXT NOT NULL DEFAULT ''
        )""",
        """CREATE TABLE person_sources (
            seq INTEGER PRIMARY KEY,
            person_id TEXT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
            system TEXT NOT NULL,
            record_id TEXT NOT NULL,
            UNIQUE (system, record_id)
        )""",
        "CREATE INDEX person_sources_person ON person_sources(person_id)",
        """CREATE TABLE addresses (
            seq INTEGER PRIMARY KEY,
            person_id TEXT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
            text TEXT NOT NULL,
            postcode TEXT,
            confidential INTEGER NOT NULL CHECK (confidential IN (0, 1)),
            start_date TEXT,
            end_date TEXT,
            dedup_key TEXT NOT NULL,
            UNIQUE (person_id, dedup_key)
        )""",
        """CREATE TABLE facts (
            seq INTEGER PRIMARY KEY,
            person_id TEXT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
            field TEXT NOT NULL,
            value TEXT NOT NULL,
            document TEXT NOT NULL,
            system TEXT NOT NULL,
            method TEXT NOT NULL,
            quote TEXT,
            span_start INTEGER NOT NULL,
            span_end INTEGER NOT NULL,
            date TEXT,
            author TEXT,
            confidence REAL NOT NULL,
            asserted TEXT NOT NULL DEFAULT '[]',
            UNIQUE (person_id, field, value, document, system, method, span_start, span_end)
        )""",
        f"""CREATE TABLE relationships (
            id TEXT PRIMARY KEY,
            type TEXT NOT NULL CHECK (type IN ({_REL_TYPES})),
            from_id TEXT NOT NULL REFERENCES persons(id),
            to_id TEXT NOT NULL REFERENCES persons(id),
            kind TEXT,
            certainty TEXT NOT NULL,
            start_date TEXT,
            end_date TEXT,
            twin TEXT,
            CHECK (from_id <> to_id)
        )""",
        "CREATE INDEX relationships_from ON relationships(from_id)",
        "CREATE INDEX relationships_to ON relationships(to_id)",
        """CREATE TABLE evidence (
            seq INTEGER PRIMARY KEY,
            rel_id TEXT NOT NULL REFERENCES relationships(id) ON DELETE CASCADE,
            document TEXT NOT NULL,
            system TEXT NOT NULL,
            method TEXT NOT NULL,
            quote TEXT,
            span_start INTEGER NOT NULL,
            span_end INTEGER NOT NULL,
            date TEXT,
            author TEXT,
            confidence REAL NOT NULL,
            asserted TEXT NOT NULL DEFAULT '[]',
            UNIQUE (rel_id, document, system, method, span_start, span_end)
        )""",
        """CREATE TABLE documents (
            id TEXT PRIMARY KEY,
            system TEXT NOT NULL,
            subject TEXT,
            date TEXT,
            author TEXT,
            sha256 TEXT
        )""",
        """CREATE TABLE matches (
            person_id TEXT NOT NULL,
            candidate TEXT NOT NULL,
            score REAL NOT NULL,
            decision TEXT NOT NULL,
            method TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT '[]',
            other_person_id TEXT,
            PRIMARY KEY (person_id, candidate)
        )""",
    ),
    (
        """CREATE TABLE decisions (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            action TEXT NOT NULL,
            person_ids TEXT NOT NULL,
            actor TEXT NOT NULL,
            time TEXT NOT NULL,
            snapshot TEXT,
            undone_by TEXT
        )""",
        """CREATE TABLE audit (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            time TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            subject TEXT,
            outcome TEXT NOT NULL,
            detail TEXT
        )""",
        """CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit
           BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
        """CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit
           BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
    ),
)

#: The schema version this code writes and understands.
SCHEMA_VERSION: Final = len(MIGRATIONS)

_PERSON_COLUMNS = (
    "id, given_names, family_name, known_as, sex, birth_date, death_date, deceased, "
    "implied, implied_label"
)
_REL_COLUMNS = "id, type, from_id, to_id, kind, certainty, start_date, end_date, twin"
_EVIDENCE_COLUMNS = (
    "document, system, method, quote, span_start, span_end, date, author, confidence, asserted"
)

# Two arms (from_id, then to_id) so each step of the walk is an index lookup.
_NEIGHBOURHOOD_SQL = """
WITH RECURSIVE reach(pid, depth) AS (
    SELECT ?1, 0
    UNION
    SELECT r.to_id, reach.depth + 1
      FROM reach JOIN relationships AS r ON r.from_id = reach.pid
     WHERE reach.depth < ?2
    UNION
    SELECT r.from_id, reach.depth + 1
      FROM reach JOIN relationships AS r ON r.to_id = reach.pid
     WHERE reach.depth < ?2
)
SELECT DISTINCT pid FROM reach ORDER BY pid
"""

_APOSTROPHES = re.compile(r"['\u2019\u2018`\u02bc]")
_NON_WORD = re.compile(r"[\W_]+")


def name_words(text: str) -> list[str]:
    """Normalised words of a name for searching: case-folded, accents and apostrophes
    dropped, split at any other non-letter (so ``O'Brien`` == ``OBrien``, ``Nowak-Evans`` is
    two words)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    bare = _APOSTROPHES.sub("", bare)
    return [w for w in _NON_WORD.split(bare) if w]


def _name_search(given: str | None, family: str | None, known_as: Sequence[str]) -> str:
    words: list[str] = []
    for part in (given, family, *known_as):
        if part:
            words.extend(name_words(part))
    # Leading space on every word: a word-prefix match is `instr(name_search, ' ' || word)`.
    return "".join(f" {w}" for w in words)


def _iso(value: PartialDate | None) -> str | None:
    return value.iso() if value is not None else None


def _date(text: str | None) -> PartialDate | None:
    return PartialDate.from_iso(text) if text is not None else None


def _pairs_json(pairs: Iterable[tuple[str, Any]]) -> str:
    return json.dumps([list(p) for p in pairs], ensure_ascii=False)


def _evidence_values(ev: Evidence) -> tuple[Any, ...]:
    start, end = ev.span if ev.span is not None else (-1, -1)
    return (
        ev.document,
        ev.system,
        ev.method,
        ev.quote,
        start,
        end,
        ev.date,
        ev.author,
        float(ev.confidence),
        _pairs_json(ev.asserted),
    )


def _evidence_from_row(row: Sequence[Any]) -> Evidence:
    document, system, method, quote, start, end, date, author, confidence, asserted = row
    span = None if (start, end) == (-1, -1) else (int(start), int(end))
    return Evidence(
        document=document,
        system=system,
        method=method,
        quote=quote,
        span=span,
        date=date,
        author=author,
        confidence=float(confidence),
        asserted=tuple((str(k), str(v)) for k, v in json.loads(asserted)),
    )


def _chunks(ids: Iterable[str]) -> Iterator[tuple[str, list[str]]]:
    """Distinct ids in batches of at most `_BATCH`, each with its ``?, ?, ...`` marks (bound
    parameters rather than a JSON array: SQLite's JSON functions cut strings at NUL)."""
    unique = sorted(set(ids))
    for start in range(0, len(unique), _BATCH):
        chunk = unique[start : start + _BATCH]
        yield ", ".join("?" * len(chunk)), chunk


def _address_key(addr: Address) -> str:
    # `confidential` is deliberately not part of the identity: a later source marking the
    # same address confidential must not leave a non-confidential copy behind.
    return json.dumps(
        [addr.text, addr.postcode, _iso(addr.start), _iso(addr.end)], ensure_ascii=False
    )


class SQLiteStore:
    """A `GraphStore` in one SQLite file (or ``:memory:``): the embedded default backend.

    Not shareable between threads (one connection); several processes may use one file.
    `find_by_name` matches each word of the query as a *word prefix* of a name word.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._path = os.fspath(path)
        self._depth = 0
        self._savepoints = 0
        self._conn: sqlite3.Connection | None = None
        if self._path != ":memory:":
            p = Path(self._path)
            if not p.parent.is_dir():
                raise StoreError(
                    f"cannot open store {self._path}: directory {p.parent} does not exist"
                )
            if p.is_dir():
                raise StoreError(f"cannot open store {self._path}: it is a directory")
        try:
            conn = sqlite3.connect(self._path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open store {self._path}: {exc}") from None
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS:d}")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA journal_mode = WAL").fetchone()
            conn.execute("PRAGMA synchronous = FULL")
            self._conn = conn
            self._migrate()
        except StoreError:
            conn.close()
            self._conn = None
            raise
        except sqlite3.Error as exc:
            conn.close()
            self._conn = None
            if isinstance(exc, sqlite3.DatabaseError) and "not a database" in str(exc):
                raise StoreError(
                    f"cannot open store {self._path}: the file is not a genogram SQLite store"
                ) from None
            raise StoreError(f"cannot open store {self._path}: {exc}") from None

    # ------------------------------------------------------------------ plumbing

    @property
    def path(self) -> str:
        """The database file this store uses."""
        return self._path

    def schema_version(self) -> int:
        """The schema version of the open database (``PRAGMA user_version``)."""
        with self._errors():
            return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    @property
    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError(f"store {self._path} is closed")
        return self._conn

    @contextmanager
    def _errors(self) -> Iterator[None]:
        # SQLite's own messages name tables and columns, never bound values.
        try:
            yield
        except sqlite3.Error as exc:
            raise StoreError(f"store {self._path}: {exc}") from None

    def _migrate(self) -> None:
        db = self._db
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"store {self._path} has schema version {version}, newer than this version "
                f"of genogram understands ({SCHEMA_VERSION}); upgrade genogram to open it"
            )
        while version < SCHEMA_VERSION:
            db.execute("BEGIN IMMEDIATE")
            try:
                # Re-read under the write lock: another process may have migrated meanwhile.
                version = int(db.execute("PRAGMA user_version").fetchone()[0])
                if version < SCHEMA_VERSION:
                    for statement in MIGRATIONS[version]:
                        db.execute(statement)
                    version += 1
                    db.execute(f"PRAGMA user_version = {version:d}")
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def close(self) -> None:
        """Release the connection; the store is unusable afterwards."""
        if self._conn is not None:
            conn, self._conn = self._conn, None
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            conn.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic batch: commit on normal exit, roll back on any exception.

        Re-entrant: a nested block is a SAVEPOINT, rolled back alone if it raises (the outer
        block decides about the rest).
        """
        db = self._db
        if self._depth == 0:
            with self._errors():
                db.execute("BEGIN IMMEDIATE")
            savepoint = None
        else:
            self._savepoints += 1
            savepoint = f"sp{self._savepoints:d}"
            with self._errors():
                db.execute(f"SAVEPOINT {savepoint}")
        self._depth += 1
        try:
            yield
        except BaseException:
            self._depth -= 1
            with self._errors():
                if savepoint is None:
                    db.execute("ROLLBACK")
                else:
                    db.execute(f"ROLLBACK TO {savepoint}")
                    db.execute(f"RELEASE {savepoint}")
            raise
        self._depth -= 1
        try:
            with self._errors():
                db.execute("COMMIT" if savepoint is None else f"RELEASE {savepoint}")
        except StoreError:
            if savepoint is None and db.in_transaction:
                db.execute("ROLLBACK")
            raise

    # ------------------------------------------------------------------ people

    def put_person(self, person: Person) -> None:
        """Insert or update a person: scalars replaced; names, addresses, sources and facts
        added, de-duplicated (a re-used address becomes confidential if either copy is)."""
        with self.transaction(), self._errors():
            db = self._db
            row = db.execute("SELECT known_as FROM persons WHERE id = ?", (person.id,)).fetchone()
            known_as: list[str] = json.loads(row[0]) if row is not None else []
            for alias in person.known_as:
                if alias not in known_as:
                    known_as.append(alias)
            db.execute(
                """INSERT INTO persons (id, given_names, family_name, known_as, sex, birth_date,
                       death_date, deceased, implied, implied_label, name_search)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (id) DO UPDATE SET
                       given_names = excluded.given_names,
                       family_name = excluded.family_name,
                       known_as = excluded.known_as,
                       sex = excluded.sex,
                       birth_date = excluded.birth_date,
                       death_date = excluded.death_date,
                       deceased = excluded.deceased,
                       implied = excluded.implied,
                       implied_label = excluded.implied_label,
                       name_search = excluded.name_search""",
                (
                    person.id,
                    person.given_names,
                    person.family_name,
                    json.dumps(known_as, ensure_ascii=False),
                    Sex(person.sex).value,
                    _iso(person.birth_date),
                    _iso(person.death_date),
                    int(person.deceased),
                    int(person.implied),
                    person.implied_label,
                    _name_search(person.given_names, person.family_name, known_as),
                ),
            )
            for key in person.sources:
                owner = db.execute(
                    "SELECT person_id FROM person_sources WHERE system = ? AND record_id = ?",
                    (key.system, key.record_id),
                ).fetchone()
                if owner is None:
                    db.execute(
                        "INSERT INTO person_sources (person_id, system, record_id) "
                        "VALUES (?, ?, ?)",
                        (person.id, key.system, key.record_id),
                    )
                elif owner[0] != person.id:
                    raise StoreError(
                        f"source record {key} already belongs to person {owner[0]}; "
                        f"it cannot also be attached to person {person.id}"
                    )
            for addr in person.addresses:
                db.execute(
                    """INSERT INTO addresses (person_id, text, postcode, confidential,
                           start_date, end_date, dedup_key)
                       VALUES (?, ?, ?, ?, ?, ?, ?)
                       ON CONFLICT (person_id, dedup_key) DO UPDATE SET
                           confidential = max(confidential, excluded.confidential)""",
                    (
                        person.id,
                        addr.text,
                        addr.postcode,
                        int(addr.confidential),
                        _iso(addr.start),
                        _iso(addr.end),
                        _address_key(addr),
                    ),
                )
            for fact in person.facts:
                db.execute(
                    f"""INSERT INTO facts (person_id, field, value, {_EVIDENCE_COLUMNS})
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                       ON CONFLICT (person_id, field, value, document, system, method,
                                    span_start, span_end) DO UPDATE SET
                           quote = excluded.quote, date = excluded.date,
                           author = excluded.author, confidence = excluded.confidence,
                           asserted = excluded.asserted""",  # noqa: S608 - constant columns
                    (person.id, fact.field, fact.value, *_evidence_values(fact.evidence)),
                )

    def get_person(self, person_id: str) -> Person | None:
        """The person with this id, or None."""
        found = self._load_persons([person_id])
        return found[0] if found else None

    def find_by_source(self, key: SourceKey) -> str | None:
        """The id of the person carrying this source key, or None."""
        with self._errors():
            row = self._db.execute(
                "SELECT person_id FROM person_sources WHERE system = ? AND record_id = ?",
                (key.system, key.record_id),
            ).fetchone()
        return str(row[0]) if row is not None else None

    def persons(self) -> Iterator[Person]:
        """Every person, in id order (read in batches, so memory stays flat)."""
        return self._paged("persons", self._load_persons)

    def find_by_name(self, text: str) -> list[Person]:
        """People (in id order) for whom every word of `text` is the start of a word of
        their given, family or known-as names, ignoring case, accents and apostrophes.

        A query without any word finds nobody.
        """
        words = name_words(text)
        if not words:
            return []
        where = " AND ".join("instr(name_search, ?) > 0" for _ in words)
        with self._errors():
            ids = [
                str(r[0])
                for r in self._db.execute(
                    f"SELECT id FROM persons WHERE {where} ORDER BY id",  # noqa: S608
                    [f" {w}" for w in words],
                )
            ]
        return self._load_persons(ids)

    def _load_persons(self, ids: Iterable[str]) -> list[Person]:
        """Persons with these ids (unknown ids skipped), in id order, 4 queries per batch."""
        people: dict[str, Person] = {}
        with self._errors():
            db = self._db
            for marks, chunk in _chunks(ids):
                for row in db.execute(
                    f"SELECT {_PERSON_COLUMNS} FROM persons WHERE id IN ({marks})",  # noqa: S608
                    chunk,
                ):
                    pid, given, family, known_as, sex, born, died, deceased, implied, label = row
                    people[pid] = Person(
                        id=pid,
                        given_names=given,
                        family_name=family,
                        known_as=list(json.loads(known_as)),
                        sex=Sex(sex),
                        birth_date=_date(born),
                        death_date=_date(died),
                        deceased=bool(deceased),
                        implied=bool(implied),
                        implied_label=label,
                    )
            for marks, chunk in _chunks(people):
                inside = f"WHERE person_id IN ({marks}) ORDER BY seq"
                for pid, system, record_id in db.execute(
                    f"SELECT person_id, system, record_id FROM person_sources {inside}",  # noqa: S608
                    chunk,
                ):
                    people[pid].sources.append(SourceKey(system, record_id))
                for pid, text, postcode, confidential, start, end in db.execute(
                    "SELECT person_id, text, postcode, confidential, start_date, end_date "  # noqa: S608
                    f"FROM addresses {inside}",
                    chunk,
                ):
                    people[pid].addresses.append(
                        Address(text, postcode, bool(confidential), _date(start), _date(end))
                    )
                for row in db.execute(
                    f"SELECT person_id, field, value, {_EVIDENCE_COLUMNS} FROM facts {inside}",  # noqa: S608
                    chunk,
                ):
                    people[row[0]].facts.append(Fact(row[1], row[2], _evidence_from_row(row[3:])))
        return [people[pid] for pid in sorted(people)]

    # ------------------------------------------------------------------ relationships

    def put_relationship(self, rel: Relationship) -> str:
        """Insert or update a relationship by id (attributes replaced) and add its evidence,
        de-duplicated by `Evidence.key()` (a repeated key refreshes quote, date, author,
        confidence and asserted values). Both people must already be stored."""
        rel_id = rel.id
        with self.transaction(), self._errors():
            db = self._db
            for pid in (rel.from_id, rel.to_id):
                if db.execute("SELECT 1 FROM persons WHERE id = ?", (pid,)).fetchone() is None:
                    raise StoreError(
                        f"relationship {rel_id} refers to person {pid}, who is not in the "
                        "store; store the person first"
                    )
            attrs = rel.attributes()
            db.execute(
                f"""INSERT INTO relationships ({_REL_COLUMNS})
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (id) DO UPDATE SET
                       kind = excluded.kind, certainty = excluded.certainty,
                       start_date = excluded.start_date, end_date = excluded.end_date,
                       twin = excluded.twin""",  # noqa: S608 - constant columns
                (
                    rel_id,
                    RelType(rel.type).value,
                    rel.from_id,
                    rel.to_id,
                    attrs["kind"],
                    attrs["certainty"],
                    attrs["start_date"],
                    attrs["end_date"],
                    attrs["twin"],
                ),
            )
            for ev in rel.evidence:
                db.execute(
                    f"""INSERT INTO evidence (rel_id, {_EVIDENCE_COLUMNS})
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                       ON CONFLICT (rel_id, document, system, method, span_start, span_end)
                       DO UPDATE SET
                           quote = excluded.quote, date = excluded.date,
                           author = excluded.author, confidence = excluded.confidence,
                           asserted = excluded.asserted""",  # noqa: S608 - constant columns
                    (rel_id, *_evidence_values(ev)),
                )
        return rel_id

    def get_relationship(self, rel_id: str) -> Relationship | None:
        """The relationship with this id (with all its evidence), or None."""
        found = self._load_relationships([rel_id])
        return found[0] if found else None

    def relationships(self) -> Iterator[Relationship]:
        """Every relationship, in id order (read in batches)."""
        return self._paged("relationships", self._load_relationships)

    def relationships_of(self, person_id: str) -> list[Relationship]:
        """Relationships with `person_id` at either end, in id order."""
        with self._errors():
            ids = [
                str(r[0])
                for r in self._db.execute(
                    "SELECT id FROM relationships WHERE from_id = ?1 "
                    "UNION SELECT id FROM relationships WHERE to_id = ?1",
                    (person_id,),
                )
            ]
        return self._load_relationships(ids)

    def neighbourhood(self, person_id: str, hops: int) -> tuple[list[Person], list[Relationship]]:
        """People within `hops` edges of `person_id` (any type, either direction) and every
        relationship among them, both in id order; ``([], [])`` for an unknown id."""
        if hops < 0:
            raise ValueError("hops must be 0 or more")
        with self._errors():
            ids = [str(r[0]) for r in self._db.execute(_NEIGHBOURHOOD_SQL, (person_id, hops))]
        people = self._load_persons(ids)
        if not people:
            return [], []
        inside = {p.id for p in people}
        rel_ids: list[str] = []
        with self._errors():
            for marks, chunk in _chunks(inside):
                rel_ids.extend(
                    str(rid)
                    for rid, to_id in self._db.execute(
                        f"SELECT id, to_id FROM relationships WHERE from_id IN ({marks})",  # noqa: S608
                        chunk,
                    )
                    if to_id in inside
                )
        return people, self._load_relationships(rel_ids)

    def _load_relationships(self, ids: Iterable[str]) -> list[Relationship]:
        """Relationships with these ids (unknown ids skipped), in id order, with evidence."""
        rels: dict[str, Relationship] = {}
        with self._errors():
            db = self._db
            for marks, chunk in _chunks(ids):
                for row in db.execute(
                    f"SELECT {_REL_COLUMNS} FROM relationships WHERE id IN ({marks})",  # noqa: S608
                    chunk,
                ):
                    rid, rtype, from_id, to_id, kind, certainty, start, end, twin = row
                    rels[rid] = Relationship(
                        type=RelType(rtype),
                        from_id=from_id,
                        to_id=to_id,
                        kind=kind,
                        certainty=certainty,
                        start_date=_date(start),
                        end_date=_date(end),
                        twin=twin,
                    )
            for marks, chunk in _chunks(rels):
                for row in db.execute(
                    f"SELECT rel_id, {_EVIDENCE_COLUMNS} FROM evidence "  # noqa: S608
                    f"WHERE rel_id IN ({marks}) ORDER BY seq",
                    chunk,
                ):
                    rels[row[0]].evidence.append(_evidence_from_row(row[1:]))
        return [rels[rid] for rid in sorted(rels)]

    def _paged(self, table: str, load: Callable[[Sequence[str]], list[_T]]) -> Iterator[_T]:
        """Yield a table's rows in id order, `_BATCH` at a time (keyset pagination)."""
        first = f"SELECT id FROM {table} ORDER BY id LIMIT ?"  # noqa: S608 - constant table
        after = f"SELECT id FROM {table} WHERE id > ? ORDER BY id LIMIT ?"  # noqa: S608
        ids: list[str] = []
        while True:
            with self._errors():
                rows = (
                    self._db.execute(after, (ids[-1], _BATCH))
                    if ids
                    else self._db.execute(first, (_BATCH,))
                )
                ids = [str(r[0]) for r in rows]
            if not ids:
                return
            yield from load(ids)

    # ------------------------------------------------------------------ documents, matches

    def put_document(self, doc: Document) -> None:
        """Record that a note or file was ingested (upsert by id, all fields replaced)."""
        with self.transaction(), self._errors():
            self._db.execute(
                """INSERT INTO documents (id, system, subject, date, author, sha256)
                   VALUES (?, ?, ?, ?, ?, ?)
                   ON CONFLICT (id) DO UPDATE SET
                       system = excluded.system, subject = excluded.subject,
                       date = excluded.date, author = excluded.author,
                       sha256 = excluded.sha256""",
                (doc.id, doc.system, doc.subject, doc.date, doc.author, doc.sha256),
            )

    def documents(self) -> list[Document]:
        """Every ingested document, in id order."""
        with self._errors():
            rows = self._db.execute(
                "SELECT id, system, subject, date, author, sha256 FROM documents ORDER BY id"
            ).fetchall()
        return [Document(*row) for row in rows]

    def record_match(self, decision: MatchDecision) -> None:
        """Keep a matching decision (upsert on person_id + candidate, the rest replaced)."""
        with self.transaction(), self._errors():
            self._db.execute(
                """INSERT INTO matches (person_id, candidate, score, decision, method, detail,
                       other_person_id)
                   VALUES (?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (person_id, candidate) DO UPDATE SET
                       score = excluded.score, decision = excluded.decision,
                       method = excluded.method, detail = excluded.detail,
                       other_person_id = excluded.other_person_id""",
                (
                    decision.person_id,
                    decision.candidate,
                    float(decision.score),
                    decision.decision,
                    decision.method,
                    _pairs_json(decision.detail),
                    decision.other_person_id,
                ),
            )

    def matches(self, person_id: str | None = None) -> list[MatchDecision]:
        """Match decisions ordered by person id and candidate; with `person_id`, those whose
        person (or the other person of a review pair) is that person."""
        sql = (
            "SELECT person_id, candidate, score, decision, method, detail, other_person_id "
            "FROM matches"
        )
        params: tuple[str, ...] = ()
        if person_id is not None:
            sql += " WHERE person_id = ?1 OR other_person_id = ?1"
            params = (person_id,)
        with self._errors():
            rows = self._db.execute(sql + " ORDER BY person_id, candidate", params).fetchall()
        return [
            MatchDecision(
                person_id=pid,
                candidate=candidate,
                score=float(score),
                decision=decision,
                method=method,
                detail=tuple((str(k), float(v)) for k, v in json.loads(detail)),
                other_person_id=other,
            )
            for pid, candidate, score, decision, method, detail, other in rows
        ]

    def counts(self) -> dict[str, int]:
        """Row counts: persons, relationships, evidence, documents, matches."""
        out: dict[str, int] = {}
        with self._errors():
            for table in ("persons", "relationships", "evidence", "documents", "matches"):
                sql = f"SELECT count(*) FROM {table}"  # noqa: S608 - constant table names
                out[table] = int(self._db.execute(sql).fetchone()[0])
        return out

    # ------------------------------------------------------------------ curation

    def delete_person(self, person_id: str) -> None:
        """Remove a person, their sources, addresses and facts, every relationship touching
        them (evidence cascades) and every match decision naming them."""
        with self.transaction(), self._errors():
            db = self._db
            db.execute("DELETE FROM relationships WHERE from_id = ?1 OR to_id = ?1", (person_id,))
            db.execute(
                "DELETE FROM matches WHERE person_id = ?1 OR other_person_id = ?1", (person_id,)
            )
            db.execute("DELETE FROM persons WHERE id = ?", (person_id,))

    def delete_relationship(self, rel_id: str) -> None:
        """Remove one relationship and its evidence (no-op if absent)."""
        with self.transaction(), self._errors():
            self._db.execute("DELETE FROM relationships WHERE id = ?", (rel_id,))

    def replace_person(self, person: Person) -> None:
        """Overwrite a person exactly (lists replaced); relationships untouched."""
        with self.transaction(), self._errors():
            db = self._db
            for table in ("person_sources", "addresses", "facts"):
                sql = f"DELETE FROM {table} WHERE person_id = ?"  # noqa: S608 - constant
                db.execute(sql, (person.id,))
            db.execute("UPDATE persons SET known_as = '[]' WHERE id = ?", (person.id,))
            self.put_person(person)

    def withdraw_quotes(self, terms: Sequence[str]) -> int:
        """Replace evidence and fact quotes containing any term (case-insensitive)."""
        wanted = [t.casefold() for t in terms if t.strip()]
        if not wanted:
            return 0
        count = 0
        with self.transaction(), self._errors():
            db = self._db
            for table in ("evidence", "facts"):
                sql = f"SELECT seq, quote FROM {table} WHERE quote IS NOT NULL"  # noqa: S608
                hits = [
                    seq
                    for seq, quote in db.execute(sql).fetchall()
                    if any(t in str(quote).casefold() for t in wanted)
                ]
                update = f"UPDATE {table} SET quote = ? WHERE seq = ?"  # noqa: S608
                db.executemany(update, [(WITHDRAWN_QUOTE, seq) for seq in hits])
                count += len(hits)
        return count

    def put_decision(self, decision: Decision) -> None:
        """Insert or update (by id) an identity decision."""
        with self.transaction(), self._errors():
            self._db.execute(
                """INSERT INTO decisions (id, action, person_ids, actor, time, snapshot,
                       undone_by)
                   VALUES (?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (id) DO UPDATE SET
                       action = excluded.action, person_ids = excluded.person_ids,
                       actor = excluded.actor, time = excluded.time,
                       snapshot = excluded.snapshot, undone_by = excluded.undone_by""",
                (
                    decision.id,
                    decision.action,
                    json.dumps(list(decision.person_ids)),
                    decision.actor,
                    decision.time,
                    decision.snapshot,
                    decision.undone_by,
                ),
            )

    def decisions(self) -> list[Decision]:
        """Every identity decision, oldest first."""
        with self._errors():
            rows = self._db.execute(
                "SELECT id, action, person_ids, actor, time, snapshot, undone_by "
                "FROM decisions ORDER BY seq"
            ).fetchall()
        return [
            Decision(did, action, tuple(json.loads(pids)), actor, time, snapshot, undone)
            for did, action, pids, actor, time, snapshot, undone in rows
        ]

    def append_audit(self, entry: AuditEntry) -> None:
        """Append one audit entry (triggers forbid changing or deleting entries)."""
        with self.transaction(), self._errors():
            self._db.execute(
                "INSERT INTO audit (time, actor, action, subject, outcome, detail) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (entry.time, entry.actor, entry.action, entry.subject, entry.outcome, entry.detail),
            )

    def audit_entries(self) -> list[AuditEntry]:
        """The audit log, oldest first."""
        with self._errors():
            rows = self._db.execute(
                "SELECT time, actor, action, subject, outcome, detail FROM audit ORDER BY seq"
            ).fetchall()
        return [AuditEntry(*row) for row in rows]
