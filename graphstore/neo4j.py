"""The Neo4j (Bolt) backend of the storage contract (`genogram.store.GraphStore`).

DESIGN §5: the official `neo4j` driver, managed transactions (`execute_read`/`execute_write`,
so transient errors are retried), `UNWIND` batches, `MERGE` on stable ids, uniqueness
constraints created on first use, values only as `$parameters`, relationship types only from
`model.RelType`. The graph it keeps is described in docs/neo4j.md:

- ``(:Person {id, given_names, family_name, known_as, sex, birth_date, death_date, deceased,
  implied, implied_label, name_search, sources, addresses, facts})``; addresses, facts and
  sources are lists of JSON strings (Neo4j properties cannot hold maps).
- ``(:SourceKey {key, person_id})`` makes a source record key unique and findable.
- One graph relationship per `Relationship`, typed by `RelType`, with ``{id, kind, certainty,
  start_date, end_date, twin, evidence}``; its provenance is the list ``evidence`` of JSON strings.
- ``(:Document {...})``, ``(:MatchDecision {key, ...})`` and ``(:GenogramSchema {name, version})``.

Transactions: the writes of a ``with store.transaction():`` block are buffered and committed in
one `execute_write` at the end of the outermost block; reads inside the block see the pending
writes (the committed graph with the buffer folded over it). Merging a write into what is
stored (lists added to, scalars replaced) happens in Python, in `merge_person` and
`merge_relationship`, both for those reads and for the commit, which re-reads the stored state
under a write lock inside the same managed transaction.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, Final, LiteralString, TypeVar
from urllib.parse import urlsplit

import neo4j
from neo4j import exceptions as neo4j_errors

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
from graphstore.sqlite import name_words

__all__ = [
    "ENV_DATABASE",
    "ENV_PASSWORD",
    "ENV_USER",
    "SCHEMA_VERSION",
    "Neo4jStore",
    "merge_person",
    "merge_relationship",
    "open_neo4j",
]

_T = TypeVar("_T")
_R = TypeVar("_R")

# The driver logs retried server errors; keep them off stderr unless the application asks.
logging.getLogger("neo4j").addHandler(logging.NullHandler())

#: Environment variables holding the credentials and database (never the command line).
ENV_USER: Final = "GENOGRAM_NEO4J_USER"
ENV_PASSWORD: Final = "GENOGRAM_NEO4J_PASSWORD"  # noqa: S105 - a variable name
ENV_DATABASE: Final = "GENOGRAM_NEO4J_DATABASE"

#: The graph layout version this code writes; kept on the `GenogramSchema` node.
SCHEMA_VERSION: Final = 2

#: Rows per `UNWIND` statement, and ids per page when listing.
_BATCH: Final = 2000
_PAGE: Final = 1000

#: How long the driver keeps retrying a transaction that failed with a transient error.
_RETRY_SECONDS: Final = 30.0

_TYPE_NAME = re.compile(r"^[A-Z][A-Z_]*$")


def _rel_type(value: RelType | str) -> str:
    """The Cypher relationship type for a `RelType`: the only text ever put into a query."""
    name = RelType(value).value
    if not _TYPE_NAME.match(name):  # pragma: no cover - the vocabulary is upper-case words
        raise StoreError(f"relationship type {name!r} cannot be used in Cypher")
    return name


_TYPES: Final = tuple(_rel_type(t) for t in RelType)
#: ``PARENT_OF|PARTNER_OF|...``: a walk follows only the vocabulary's types.
_ANY_TYPE: Final = "|".join(_TYPES)

#: Constraints and indexes created on first use (all idempotent).
_SCHEMA_STATEMENTS: Final[tuple[str, ...]] = (
    "CREATE CONSTRAINT genogram_person_id IF NOT EXISTS FOR (p:Person) REQUIRE p.id IS UNIQUE",
    "CREATE CONSTRAINT genogram_source_key IF NOT EXISTS FOR (s:SourceKey) REQUIRE s.key IS UNIQUE",
    "CREATE CONSTRAINT genogram_document_id IF NOT EXISTS FOR (d:Document) REQUIRE d.id IS UNIQUE",
    "CREATE CONSTRAINT genogram_match_key IF NOT EXISTS "
    "FOR (m:MatchDecision) REQUIRE m.key IS UNIQUE",
    "CREATE CONSTRAINT genogram_schema_name IF NOT EXISTS "
    "FOR (s:GenogramSchema) REQUIRE s.name IS UNIQUE",
    "CREATE CONSTRAINT genogram_decision_id IF NOT EXISTS FOR (d:Decision) REQUIRE d.id IS UNIQUE",
    "CREATE INDEX genogram_audit_seq IF NOT EXISTS FOR (a:AuditEntry) ON (a.seq)",
    "CREATE INDEX genogram_match_person IF NOT EXISTS FOR (m:MatchDecision) ON (m.person_id)",
    "CREATE INDEX genogram_match_other IF NOT EXISTS FOR (m:MatchDecision) ON (m.other_person_id)",
    *(
        f"CREATE INDEX genogram_{t.lower()}_id IF NOT EXISTS FOR ()-[r:{t}]-() ON (r.id)"
        for t in _TYPES
    ),
)

_REL_RETURN: Final = "type(r) AS type, a.id AS from_id, b.id AS to_id, properties(r) AS props"


def _q(text: str) -> LiteralString:
    """Mark a query built only from constants and `RelType` names as safe to send (mypy
    treats LiteralString as str; the annotation documents the rule for other checkers)."""
    return text


# ----------------------------------------------------------------------------- encoding


#: One encoder for every value (`json.dumps` with options builds a new one per call).
_ENCODER: Final = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _json(value: Any) -> str:
    return _ENCODER.encode(value)


def _iso(value: PartialDate | None) -> str | None:
    return value.iso() if value is not None else None


def _date(text: Any) -> PartialDate | None:
    return PartialDate.from_iso(str(text)) if text is not None else None


def _evidence_json(ev: Evidence) -> list[Any]:
    return [
        ev.document,
        ev.system,
        ev.method,
        ev.quote,
        list(ev.span) if ev.span is not None else None,
        ev.date,
        ev.author,
        float(ev.confidence),
        [list(pair) for pair in ev.asserted],
    ]


def _evidence_from(data: Sequence[Any]) -> Evidence:
    document, system, method, quote, span, date, author, confidence, asserted = data
    return Evidence(
        document=document,
        system=system,
        method=method,
        quote=quote,
        span=(int(span[0]), int(span[1])) if span is not None else None,
        date=date,
        author=author,
        confidence=float(confidence),
        asserted=tuple((str(k), str(v)) for k, v in asserted),
    )


def _source_json(key: SourceKey) -> str:
    return _json([key.system, key.record_id])


def _name_search(person: Person) -> str:
    """Normalised name words, each after a space: a word-prefix test is ``CONTAINS ' '+w``."""
    words: list[str] = []
    for part in (person.given_names, person.family_name, *person.known_as):
        if part:
            words.extend(name_words(part))
    return "".join(f" {w}" for w in words)


#: The properties of a ``(:Person)`` node, in the order `_person_values` gives them.
_PERSON_KEYS: Final = (
    "id",
    "given_names",
    "family_name",
    "known_as",
    "sex",
    "birth_date",
    "death_date",
    "deceased",
    "implied",
    "implied_label",
    "name_search",
    "sources",
    "addresses",
    "facts",
)


def _person_values(person: Person) -> list[Any]:
    """A person's node properties in `_PERSON_KEYS` order, None where absent: the row that
    creates a new node (a list packs, travels and unpacks faster than a map)."""
    return [
        person.id,
        person.given_names,
        person.family_name,
        list(person.known_as) or None,
        Sex(person.sex).value,
        _iso(person.birth_date),
        _iso(person.death_date),
        bool(person.deceased),
        bool(person.implied),
        person.implied_label,
        _name_search(person),
        [_source_json(k) for k in person.sources] or None,
        [
            _json([a.text, a.postcode, bool(a.confidential), _iso(a.start), _iso(a.end)])
            for a in person.addresses
        ]
        or None,
        [_json([f.field, f.value, _evidence_json(f.evidence)]) for f in person.facts] or None,
    ]


def _person_props(person: Person) -> dict[str, Any]:
    """Node properties of a person (absent rather than null or empty)."""
    values = _person_values(person)
    return {k: v for k, v in zip(_PERSON_KEYS, values, strict=True) if v is not None}


def _person_from(props: Mapping[str, Any]) -> Person:
    addresses = []
    for text in props.get("addresses") or ():
        a_text, postcode, confidential, start, end = json.loads(text)
        addresses.append(Address(a_text, postcode, bool(confidential), _date(start), _date(end)))
    facts = []
    for text in props.get("facts") or ():
        f_field, value, evidence = json.loads(text)
        facts.append(Fact(f_field, value, _evidence_from(evidence)))
    return Person(
        id=props["id"],
        given_names=props.get("given_names"),
        family_name=props.get("family_name"),
        known_as=list(props.get("known_as") or ()),
        sex=Sex(props.get("sex", Sex.UNKNOWN.value)),
        birth_date=_date(props.get("birth_date")),
        death_date=_date(props.get("death_date")),
        deceased=bool(props.get("deceased", False)),
        addresses=addresses,
        sources=[SourceKey(*json.loads(text)) for text in props.get("sources") or ()],
        implied=bool(props.get("implied", False)),
        implied_label=props.get("implied_label"),
        facts=facts,
    )


def _rel_props(rel: Relationship) -> dict[str, Any]:
    props: dict[str, Any] = {"id": rel.id, **rel.attributes()}
    props["evidence"] = [_json(_evidence_json(ev)) for ev in rel.evidence] or None
    return {k: v for k, v in props.items() if v is not None}


def _rel_from(rtype: str, from_id: str, to_id: str, props: Mapping[str, Any]) -> Relationship:
    return Relationship(
        type=RelType(rtype),
        from_id=from_id,
        to_id=to_id,
        kind=props.get("kind"),
        certainty=props.get("certainty", "confirmed"),
        start_date=_date(props.get("start_date")),
        end_date=_date(props.get("end_date")),
        twin=props.get("twin"),
        evidence=[_evidence_from(json.loads(text)) for text in props.get("evidence") or ()],
    )


def _rel_from_record(rec: Mapping[str, Any]) -> Relationship:
    return _rel_from(rec["type"], rec["from_id"], rec["to_id"], rec["props"])


def _doc_props(doc: Document) -> dict[str, Any]:
    props = {
        "id": doc.id,
        "system": doc.system,
        "subject": doc.subject,
        "date": doc.date,
        "author": doc.author,
        "sha256": doc.sha256,
    }
    return {k: v for k, v in props.items() if v is not None}


def _doc_from(props: Mapping[str, Any]) -> Document:
    return Document(
        id=props["id"],
        system=props["system"],
        subject=props.get("subject"),
        date=props.get("date"),
        author=props.get("author"),
        sha256=props.get("sha256"),
    )


def _match_key(person_id: str, candidate: str) -> str:
    return _json([person_id, candidate])


def _match_props(m: MatchDecision) -> dict[str, Any]:
    props = {
        "key": _match_key(m.person_id, m.candidate),
        "person_id": m.person_id,
        "candidate": m.candidate,
        "score": float(m.score),
        "decision": m.decision,
        "method": m.method,
        "detail": _json([list(pair) for pair in m.detail]),
        "other_person_id": m.other_person_id,
    }
    return {k: v for k, v in props.items() if v is not None}


def _match_from(props: Mapping[str, Any]) -> MatchDecision:
    return MatchDecision(
        person_id=props["person_id"],
        candidate=props["candidate"],
        score=float(props["score"]),
        decision=props["decision"],
        method=props["method"],
        detail=tuple((str(k), float(v)) for k, v in json.loads(props.get("detail", "[]"))),
        other_person_id=props.get("other_person_id"),
    )


def _decision_props(d: Decision) -> dict[str, Any]:
    props = {
        "id": d.id,
        "action": d.action,
        "person_ids": list(d.person_ids),
        "actor": d.actor,
        "time": d.time,
        "snapshot": d.snapshot,
        "undone_by": d.undone_by,
    }
    return {k: v for k, v in props.items() if v is not None}


def _decision_from(props: Mapping[str, Any]) -> Decision:
    return Decision(
        id=props["id"],
        action=props["action"],
        person_ids=tuple(props.get("person_ids") or ()),
        actor=props["actor"],
        time=props["time"],
        snapshot=props.get("snapshot"),
        undone_by=props.get("undone_by"),
    )


def _audit_props(entry: AuditEntry) -> dict[str, Any]:
    props = {
        "time": entry.time,
        "actor": entry.actor,
        "action": entry.action,
        "subject": entry.subject,
        "outcome": entry.outcome,
        "detail": entry.detail,
    }
    return {k: v for k, v in props.items() if v is not None}


def _audit_from(props: Mapping[str, Any]) -> AuditEntry:
    return AuditEntry(
        time=props["time"],
        actor=props["actor"],
        action=props["action"],
        subject=props.get("subject"),
        outcome=props["outcome"],
        detail=props.get("detail"),
    )


# ----------------------------------------------------------------------------- merge semantics


def _address_key(addr: Address) -> tuple[str, str | None, str | None, str | None]:
    # `confidential` is not part of an address's identity (see the SQLite backend).
    return (addr.text, addr.postcode, _iso(addr.start), _iso(addr.end))


def merge_person(stored: Person | None, incoming: Person) -> Person:
    """What the store holds after `put_person(incoming)` over `stored` (genogram.store):
    scalars replaced; names, sources, addresses and facts added in first-seen order without
    duplicates; a repeated fact is refreshed in place; an address stays confidential."""
    if stored is None:
        stored = Person(id=incoming.id)
    known_as = list(stored.known_as)
    for alias in incoming.known_as:
        if alias not in known_as:
            known_as.append(alias)
    sources = list(stored.sources)
    for key in incoming.sources:
        if key not in sources:
            sources.append(key)
    addresses = list(stored.addresses)
    where = {_address_key(a): i for i, a in enumerate(addresses)}
    for addr in incoming.addresses:
        akey = _address_key(addr)
        at = where.get(akey)
        if at is None:
            where[akey] = len(addresses)
            addresses.append(replace(addr))
        elif addr.confidential and not addresses[at].confidential:
            addresses[at] = replace(addresses[at], confidential=True)
    facts = list(stored.facts)
    seen = {(f.field, f.value, f.evidence.key()): i for i, f in enumerate(facts)}
    for fact in incoming.facts:
        fkey = (fact.field, fact.value, fact.evidence.key())
        at = seen.get(fkey)
        if at is None:
            seen[fkey] = len(facts)
            facts.append(fact)
        else:
            facts[at] = fact
    return Person(
        id=incoming.id,
        given_names=incoming.given_names,
        family_name=incoming.family_name,
        known_as=known_as,
        sex=Sex(incoming.sex),
        birth_date=incoming.birth_date,
        death_date=incoming.death_date,
        deceased=incoming.deceased,
        addresses=addresses,
        sources=sources,
        implied=incoming.implied,
        implied_label=incoming.implied_label,
        facts=facts,
    )


def merge_relationship(stored: Relationship | None, incoming: Relationship) -> Relationship:
    """What the store holds after `put_relationship(incoming)` over `stored`: attributes
    replaced, evidence added in first-seen order, a repeated `Evidence.key()` refreshed."""
    evidence = list(stored.evidence) if stored is not None else []
    seen = {ev.key(): i for i, ev in enumerate(evidence)}
    for ev in incoming.evidence:
        at = seen.get(ev.key())
        if at is None:
            seen[ev.key()] = len(evidence)
            evidence.append(ev)
        else:
            evidence[at] = ev
    return replace(incoming, evidence=evidence)


#: What an operation in the pending buffer does to one person or relationship.
_PUT: Final = "put"
_REPLACE: Final = "replace"
_DELETE: Final = "delete"


def _fold(
    stored: _T | None,
    ops: Sequence[tuple[str, _T | None]],
    merge: Callable[[_T | None, _T], _T],
) -> _T | None:
    """The state after applying pending operations in order over the stored state: a put is
    merged in, a replace overwrites (through `merge`, for its de-duplication), a delete removes."""
    current = stored
    for kind, value in ops:
        if kind == _DELETE or value is None:
            current = None
        elif kind == _REPLACE:
            current = merge(None, value)
        else:
            current = merge(current, value)
    return current


def _chunks(items: Sequence[_T], size: int = _BATCH) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# ----------------------------------------------------------------------------- pending writes


#: A relationship's type and people: enough to find it from its people (index lookups).
_Ends = tuple[str, str, str]


@dataclass
class _Pending:
    """The writes of an open transaction, in order, with indexes by id for reads. People and
    relationships keep their operations (put, replace, delete) in order; a match key, a source
    key claim or a relationship id mapped to None records a deletion or a release."""

    ops: list[tuple[str, Any]] = field(default_factory=list)
    people: dict[str, list[tuple[str, Person | None]]] = field(default_factory=dict)
    rels: dict[str, list[tuple[str, Relationship | None]]] = field(default_factory=dict)
    ends: dict[str, _Ends] = field(default_factory=dict)
    docs: dict[str, Document] = field(default_factory=dict)
    matches: dict[tuple[str, str], MatchDecision | None] = field(default_factory=dict)
    claims: dict[SourceKey, str | None] = field(default_factory=dict)
    decisions: dict[str, Decision] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)

    def add(self, kind: str, value: Any) -> None:
        self.ops.append((kind, value))
        self._index(kind, value)

    def _claim(self, person: Person) -> None:
        for key in person.sources:
            if self.claims.get(key) is None:
                self.claims[key] = person.id

    def _release(self, person_id: str, keys: Iterable[SourceKey]) -> None:
        for key in keys:
            if self.claims.get(key, person_id) == person_id:
                self.claims[key] = None

    def _index(self, kind: str, value: Any) -> None:
        if kind == "person":
            self.people.setdefault(value.id, []).append((_PUT, value))
            self._claim(value)
        elif kind == "replace_person":
            person, dropped = value
            self.people.setdefault(person.id, []).append((_REPLACE, person))
            self._release(person.id, dropped)
            self._claim(person)
        elif kind == "delete_person":
            person_id, keys = value
            self.people.setdefault(person_id, []).append((_DELETE, None))
            self._release(person_id, keys)
        elif kind == "rel":
            self.rels.setdefault(value.id, []).append((_PUT, value))
            self.ends.setdefault(value.id, (value.type.value, value.from_id, value.to_id))
        elif kind == "delete_rel":
            rel_id, ends = value
            self.rels.setdefault(rel_id, []).append((_DELETE, None))
            self.ends.setdefault(rel_id, ends)
        elif kind == "doc":
            self.docs[value.id] = value
        elif kind == "match":
            self.matches[(value.person_id, value.candidate)] = value
        elif kind == "delete_match":
            self.matches[value] = None
        elif kind == "decision":
            self.decisions[value.id] = value
        elif kind == "audit":
            self.audit.append(value)
        else:  # pragma: no cover - every caller passes one of the kinds above
            raise ValueError(kind)

    def deleted(self, person_id: str) -> bool:
        """Whether the last pending operation on this person deletes them."""
        ops = self.people.get(person_id)
        return ops is not None and bool(ops) and ops[-1][0] == _DELETE

    def truncate(self, length: int) -> None:
        """Forget the writes after the first `length` (a nested block rolled back)."""
        kept = self.ops[:length]
        fresh = _Pending()
        for kind, value in kept:
            fresh.add(kind, value)
        self.__dict__.update(fresh.__dict__)


@dataclass
class _Commit:
    """Everything one `execute_write` has to write (immutable while it is retried)."""

    people: dict[str, list[tuple[str, Person | None]]]
    rels: dict[str, list[tuple[str, Relationship | None]]]
    ends: dict[str, _Ends]
    docs: list[Document]
    matches: dict[tuple[str, str], MatchDecision | None]
    decisions: list[Decision]
    audit: list[AuditEntry]
    #: `CREATE` the people the commit finds absent (False on a redo: `MERGE` everyone).
    create: bool = True


# ----------------------------------------------------------------------------- queries

_PERSON_BY_IDS = "UNWIND $ids AS id MATCH (p:Person {id: id}) RETURN properties(p) AS p"
_LOCK_PEOPLE = (
    "UNWIND $ids AS id MATCH (p:Person {id: id}) "
    "SET p.genogram_lock = true REMOVE p.genogram_lock RETURN properties(p) AS p"
)
_WRITE_PEOPLE = """
UNWIND $rows AS row
MERGE (p:Person {id: row.id})
SET p = row.props
WITH p, row
UNWIND row.keys AS key
MERGE (s:SourceKey {key: key})
ON CREATE SET s.person_id = row.id
WITH s, row, key
WHERE s.person_id <> row.id
RETURN key, s.person_id AS owner, row.id AS person_id
"""
_RELEASE_KEYS = (
    "UNWIND $rows AS row MATCH (s:SourceKey {key: row.key}) "
    "WHERE s.person_id = row.person_id DELETE s"
)
_DELETE_PEOPLE = "UNWIND $ids AS id MATCH (p:Person {id: id}) DETACH DELETE p"
#: People the commit's read found absent, with their record keys; rows are ``[id,
#: _person_values, new keys]``. One write per node and no lookups (`MERGE` then `SET` costs
#: ArcadeDB a lookup, a write and a rewrite); a null in a `CREATE` map sets nothing, as an
#: absent property should. A person or key that exists after all breaks a uniqueness
#: constraint, and `_commit` writes the batch again with `MERGE`.
_CREATE_PEOPLE = _q(
    "UNWIND $rows AS row CREATE (p:Person {"
    + ", ".join(f"{key}: row[1][{i}]" for i, key in enumerate(_PERSON_KEYS))
    + "}) WITH row UNWIND row[2] AS key CREATE (:SourceKey {key: key, person_id: row[0]})"
)
_EXISTING_PEOPLE = "UNWIND $ids AS id MATCH (p:Person {id: id}) RETURN p.id AS id"
_OWNERS = "UNWIND $keys AS key MATCH (s:SourceKey {key: key}) RETURN key, s.person_id AS owner"


def _rels_by_ends(rtype: str, lock: bool = False) -> LiteralString:
    """Relationships of one type found from their start person (rows of id, from_id, to_id):
    node index and adjacency only, which every Bolt server plans well."""
    t = _rel_type(rtype)
    locking = "SET r.genogram_lock = true REMOVE r.genogram_lock " if lock else ""
    return _q(
        "UNWIND $rows AS row "
        f"MATCH (a:Person {{id: row.from_id}})-[r:{t}]->(b:Person {{id: row.to_id}}) "
        f"WHERE r.id = row.id {locking}RETURN {_REL_RETURN}"
    )


#: One relationship by id alone (its type unknown): one indexed lookup per type. The ends
#: carry no label here: with labels, ArcadeDB scans from the people instead of the index.
_REL_BY_ID = _q(
    " UNION ALL ".join(
        f"MATCH (a)-[r:{t}]->(b) WHERE r.id = $id RETURN {_REL_RETURN}" for t in _TYPES
    )
)


def _delete_rels(rtype: str) -> LiteralString:
    t = _rel_type(rtype)
    return _q(
        "UNWIND $rows AS row "
        f"MATCH (a:Person {{id: row.from_id}})-[r:{t}]->(b:Person {{id: row.to_id}}) "
        "WHERE r.id = row.id DELETE r"
    )


def _write_rels(rtype: str) -> LiteralString:
    t = _rel_type(rtype)
    return _q(
        "UNWIND $rows AS row MATCH (a:Person {id: row.from_id}) MATCH (b:Person {id: row.to_id}) "
        f"MERGE (a)-[r:{t} {{id: row.id}}]->(b) SET r = row.props RETURN count(r) AS written"
    )


_ALL_REL_ENDS = _q(
    f"MATCH (a:Person)-[r:{_ANY_TYPE}]->(b:Person) "
    "RETURN r.id AS id, type(r) AS type, a.id AS from_id, b.id AS to_id"
)

_RELS_OF = _q(
    f"MATCH (a:Person {{id: $id}})-[r:{_ANY_TYPE}]->(b:Person) RETURN {_REL_RETURN} "
    f"UNION MATCH (a:Person)-[r:{_ANY_TYPE}]->(b:Person {{id: $id}}) RETURN {_REL_RETURN}"
)
_ADJACENT = _q(
    f"UNWIND $ids AS id MATCH (p:Person {{id: id}})-[r:{_ANY_TYPE}]-(q:Person) "
    "RETURN q.id AS id, r.id AS rel"
)
_RELS_AMONG = _q(
    f"UNWIND $ids AS id MATCH (a:Person {{id: id}})-[r:{_ANY_TYPE}]->(b:Person) "
    f"WHERE b.id IN $ids RETURN {_REL_RETURN}"
)


def _neighbourhood_query(hops: int) -> LiteralString:
    """One query: the people within `hops` edges (a variable-length walk) and the edges among
    them. `hops` is an int (Cypher takes no parameter for a path length)."""
    walk = (
        f"OPTIONAL MATCH (s)-[:{_ANY_TYPE}*1..{int(hops)}]-(n:Person) "
        "WITH s, collect(DISTINCT n) AS found "
        "WITH [s] + [x IN found WHERE x <> s] AS people "
        if hops > 0
        else "WITH [s] AS people "
    )
    return _q(
        "MATCH (s:Person {id: $id}) "
        f"{walk}"
        "UNWIND people AS p "
        f"OPTIONAL MATCH (p)-[r:{_ANY_TYPE}]->(q:Person) WHERE q IN people "
        "RETURN properties(p) AS person, "
        "collect(CASE WHEN r IS NULL THEN NULL "
        "ELSE {type: type(r), to_id: q.id, props: properties(r)} END) AS rels"
    )


#: Every quote, for erasure: people's facts and relationships' evidence (JSON lists).
_QUOTED_PEOPLE = _q(
    "MATCH (p:Person) WHERE p.facts IS NOT NULL RETURN p.id AS id, p.facts AS facts"
)
_QUOTED_RELS = _q(
    f"MATCH (a:Person)-[r:{_ANY_TYPE}]->(b:Person) WHERE r.evidence IS NOT NULL "
    "RETURN r.id AS id, type(r) AS type, a.id AS from_id, b.id AS to_id, r.evidence AS evidence"
)

_COUNTS = _q(
    "CALL { MATCH (p:Person) RETURN count(p) AS persons } "
    f"CALL {{ MATCH ()-[r:{_ANY_TYPE}]->() RETURN count(r) AS relationships, "
    "sum(size(coalesce(r.evidence, []))) AS evidence } "
    "CALL { MATCH (d:Document) RETURN count(d) AS documents } "
    "CALL { MATCH (m:MatchDecision) RETURN count(m) AS matches } "
    "RETURN persons, relationships, evidence, documents, matches"
)


# ----------------------------------------------------------------------------- the store


def _safe_uri(uri: str) -> str:
    """The URI without any user information or query (never echo credentials)."""
    parts = urlsplit(uri)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port is not None else ""
    return f"{parts.scheme}://{host}{port}"


def open_neo4j(
    uri: str, environ: Mapping[str, str] | None = None, *, database: str | None = None
) -> Neo4jStore:
    """Open a Neo4j store from a ``bolt://``/``neo4j://`` URI, taking the user and password
    from GENOGRAM_NEO4J_USER / _PASSWORD (never from the URI) and the database from
    `database`, else GENOGRAM_NEO4J_DATABASE, else the server's default."""
    env = os.environ if environ is None else environ
    try:
        parts = urlsplit(uri)
        _ = parts.port
    except ValueError:
        raise StoreError(
            "the store URI is not valid; write it as bolt://HOST:PORT or neo4j://HOST:PORT"
        ) from None
    if parts.username is not None or parts.password is not None:
        raise StoreError(
            f"do not put credentials in the store URI; set {ENV_USER} and {ENV_PASSWORD} instead"
        )
    if not parts.hostname:
        raise StoreError(f"store URI {parts.scheme}:// names no host; use bolt://HOST:PORT")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise StoreError(
            f"store URI {_safe_uri(uri)}: give no path or query; the database name comes from "
            f"{ENV_DATABASE}"
        )
    user = env.get(ENV_USER) or None
    password = env.get(ENV_PASSWORD)
    if user is None and password:
        raise StoreError(f"{ENV_PASSWORD} is set but {ENV_USER} is not; set both or neither")
    return Neo4jStore(
        parts.geturl(),  # the scheme in lower case, as the driver wants it
        user=user,
        password=password or "",
        database=database or env.get(ENV_DATABASE) or None,
    )


class Neo4jStore:
    """A `GraphStore` in a Neo4j database (or any Bolt server speaking Neo4j 5 Cypher).

    Not shareable between threads (one pending transaction); many processes may share the
    database. Connects, checks the graph layout version and creates the constraints on open;
    a transaction that fails with a transient error is retried for up to `retry_seconds`.
    """

    def __init__(
        self,
        uri: str,
        *,
        user: str | None = None,
        password: str = "",
        database: str | None = None,
        retry_seconds: float = _RETRY_SECONDS,
    ) -> None:
        self._uri = _safe_uri(uri)
        self._database = database
        self._depth = 0
        self._pending = _Pending()
        self._base_people: dict[str, Person | None] = {}
        self._base_rels: dict[str, Relationship | None] = {}
        self._owners: dict[SourceKey, str | None] = {}
        self._driver: neo4j.Driver | None = None
        auth = (user, password) if user is not None else None
        try:
            driver = neo4j.GraphDatabase.driver(
                uri,
                auth=auth,
                max_transaction_retry_time=retry_seconds,
                user_agent="genogram",
            )
        except (ValueError, neo4j_errors.ConfigurationError):
            raise StoreError(
                f"store URI {self._uri} is not a valid Bolt URI; use bolt://HOST:PORT "
                "or neo4j://HOST:PORT"
            ) from None
        self._driver = driver
        try:
            with self._errors():
                driver.verify_connectivity()
                self._ensure_schema()
        except BaseException:
            self._driver = None
            driver.close()
            raise

    # ------------------------------------------------------------------ plumbing

    @property
    def uri(self) -> str:
        """The server's URI (without credentials)."""
        return self._uri

    @property
    def database(self) -> str | None:
        """The database used, or None for the server's default."""
        return self._database

    @property
    def _db(self) -> neo4j.Driver:
        if self._driver is None:
            raise StoreError(f"store {self._uri} is closed")
        return self._driver

    @contextmanager
    def _errors(self) -> Iterator[None]:
        # Server messages may quote statements or values: only the status code is kept.
        try:
            yield
        except neo4j_errors.AuthError:
            raise StoreError(
                f"store {self._uri}: the server refused the user name or password "
                f"(set {ENV_USER} and {ENV_PASSWORD})"
            ) from None
        except (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired):
            raise StoreError(
                f"cannot reach the Neo4j server at {self._uri}; is it running and reachable?"
            ) from None
        except neo4j_errors.Neo4jError as exc:
            code = exc.code or "unknown status"
            raise StoreError(f"store {self._uri}: the server refused a request ({code})") from None
        except neo4j_errors.DriverError as exc:
            raise StoreError(f"store {self._uri}: driver error ({type(exc).__name__})") from None

    def _read(self, work: Callable[[neo4j.ManagedTransaction], _T]) -> _T:
        with self._errors(), self._db.session(database=self._database) as session:
            return session.execute_read(work)

    def _write(self, work: Callable[[neo4j.ManagedTransaction], _T]) -> _T:
        with self._errors(), self._db.session(database=self._database) as session:
            return session.execute_write(work)

    def _query(self, query: LiteralString, **params: Any) -> list[dict[str, Any]]:
        """Run one read query in a managed read transaction; its records as dicts."""

        def work(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
            return [record.data() for record in tx.run(query, params)]

        return self._read(work)

    def schema_version(self) -> int:
        """The graph layout version kept in the database (0 when none is recorded)."""
        rows = self._query("MATCH (s:GenogramSchema {name: 'genogram'}) RETURN s.version AS v")
        return int(rows[0]["v"]) if rows and rows[0]["v"] is not None else 0

    def _ensure_schema(self) -> None:
        version = self.schema_version()
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"store {self._uri} has schema version {version}, newer than this version "
                f"of genogram understands ({SCHEMA_VERSION}); upgrade genogram to open it"
            )
        if version == SCHEMA_VERSION:
            return
        with self._db.session(database=self._database) as session:
            for statement in _SCHEMA_STATEMENTS:
                session.run(_q(statement)).consume()  # schema changes: auto-commit only

        def mark(tx: neo4j.ManagedTransaction) -> None:
            tx.run(
                "MERGE (s:GenogramSchema {name: 'genogram'}) SET s.version = $version",
                version=SCHEMA_VERSION,
            ).consume()

        self._write(mark)

    def close(self) -> None:
        """Release the connection (pending writes of an open block are dropped)."""
        if self._driver is not None:
            driver, self._driver = self._driver, None
            self._pending = _Pending()
            self._depth = 0
            driver.close()

    def __enter__(self) -> Neo4jStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ transactions

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic batch: buffered, then committed in one `execute_write` when the
        outermost block ends; nothing is written if it raises. A nested block that raises
        drops only its own writes."""
        _ = self._db
        mark = len(self._pending.ops)
        self._depth += 1
        try:
            yield
        except BaseException:
            self._depth -= 1
            self._pending.truncate(mark)
            if self._depth == 0:
                self._end_transaction()
            raise
        self._depth -= 1
        if self._depth == 0:
            try:
                self._commit()
            finally:
                self._end_transaction()

    def _end_transaction(self) -> None:
        self._pending = _Pending()
        self._base_people.clear()
        self._base_rels.clear()
        self._owners.clear()

    @property
    def _in_transaction(self) -> bool:
        return self._depth > 0

    def _commit(self) -> None:
        pending = self._pending
        if not pending.ops:
            return
        work = _Commit(
            people={pid: list(ops) for pid, ops in pending.people.items()},
            rels={rid: list(ops) for rid, ops in pending.rels.items()},
            ends=dict(pending.ends),
            docs=list(pending.docs.values()),
            matches=dict(pending.matches),
            decisions=list(pending.decisions.values()),
            audit=list(pending.audit),
        )
        with self._errors(), self._db.session(database=self._database) as session:
            try:
                session.execute_write(lambda tx: _write_commit(tx, work))
            except neo4j_errors.ConstraintError:
                # A person or record key the batch creates exists after all (another writer
                # made it after the read, or a new person's key belongs to someone else):
                # write the batch again with MERGE, which merges or names the key's owner.
                redo = replace(work, create=False)
                session.execute_write(lambda tx: _write_commit(tx, redo))

    # ------------------------------------------------------------------ people

    def put_person(self, person: Person) -> None:
        """Insert or update a person (genogram.store semantics). A source key that already
        belongs to someone else is refused here when known, else when the batch commits."""
        with self.transaction():
            for key in person.sources:
                owner = self._owner(key)
                if owner is not None and owner != person.id:
                    raise _taken(key, owner, person.id)
            self._pending.add("person", person)

    def get_person(self, person_id: str) -> Person | None:
        """The person with this id, or None."""
        found = self._persons([person_id])
        return found[0] if found else None

    def _owner(self, key: SourceKey) -> str | None:
        """Who holds a source key as far as this transaction knows without a query."""
        if key in self._pending.claims:
            return self._pending.claims[key]
        return self._owners.get(key)

    def find_by_source(self, key: SourceKey) -> str | None:
        """The id of the person carrying this source key, or None."""
        if key in self._pending.claims:
            return self._pending.claims[key]
        if key in self._owners:
            return self._owners[key]
        rows = self._query(_OWNERS, keys=[_source_json(key)])
        owner = str(rows[0]["owner"]) if rows else None
        if self._in_transaction:
            self._owners[key] = owner
        return owner

    def persons(self) -> Iterator[Person]:
        """Every person, in id order: the ids in one query, then the people a page at a time
        by id (index lookups), so memory holds the ids rather than the people."""
        rows = self._query("MATCH (p:Person) RETURN p.id AS id")
        ids = sorted({str(r["id"]) for r in rows} | set(self._pending.people))

        def stream() -> Iterator[Person]:
            for chunk in _chunks(ids, _PAGE):
                yield from self._persons(chunk)

        return stream()

    def find_by_name(self, text: str) -> list[Person]:
        """People (in id order) for whom every word of `text` is the start of a word of
        their given, family or known-as names, ignoring case, accents and apostrophes."""
        words = name_words(text)
        if not words:
            return []
        marks = [f" {w}" for w in words]
        rows = self._query(
            "MATCH (p:Person) WHERE all(w IN $words WHERE p.name_search CONTAINS w) "
            "RETURN properties(p) AS p ORDER BY p.id",
            words=marks,
        )
        dirty = set(self._pending.people)
        found = {p.id: p for p in (_person_from(r["p"]) for r in rows) if p.id not in dirty}
        for view in self._persons(sorted(dirty)):
            search = _name_search(view)
            if all(m in search for m in marks):
                found[view.id] = view
        return [found[pid] for pid in sorted(found)]

    def _stored_people(self, ids: Iterable[str]) -> dict[str, Person]:
        """Committed people with these ids (unknown ids skipped), cached in a transaction."""
        wanted = list(dict.fromkeys(ids))
        out: dict[str, Person] = {}
        missing = []
        for pid in wanted:
            if pid in self._base_people:
                cached = self._base_people[pid]
                if cached is not None:
                    out[pid] = cached
            else:
                missing.append(pid)
        for chunk in _chunks(missing):
            rows = self._query(_PERSON_BY_IDS, ids=list(chunk))
            got = {p.id: p for p in (_person_from(r["p"]) for r in rows)}
            out.update(got)
            if self._in_transaction:
                for pid in chunk:
                    self._base_people[pid] = got.get(pid)
        return out

    def _persons(self, ids: Iterable[str]) -> list[Person]:
        """People with these ids as this transaction sees them, in id order."""
        wanted = sorted(set(ids))
        stored = self._stored_people(wanted)
        out = []
        for pid in wanted:
            puts = self._pending.people.get(pid)
            view = _fold(stored.get(pid), puts, merge_person) if puts else stored.get(pid)
            if view is not None:
                out.append(view)
        return out

    # ------------------------------------------------------------------ relationships

    def put_relationship(self, rel: Relationship) -> str:
        """Insert or update a relationship by id, adding its evidence; returns its id. Both
        people must already be stored (or written earlier in the same transaction); inside a
        transaction a missing person may only be noticed when the batch commits."""
        rel_id = rel.id
        with self.transaction():
            for pid in (rel.from_id, rel.to_id):
                # Known to be missing: refuse now. Not known either way: checked, for the whole
                # batch in one query, when it commits (which refuses the batch).
                if self._pending.deleted(pid) or (
                    pid not in self._pending.people and self._base_people.get(pid, True) is None
                ):
                    raise _missing_person(rel_id, pid)
            self._pending.add("rel", rel)
        return rel_id

    def get_relationship(self, rel_id: str) -> Relationship | None:
        """The relationship with this id (with all its evidence), or None."""
        found = self._relationships([rel_id])
        return found[0] if found else None

    def relationships(self) -> Iterator[Relationship]:
        """Every relationship, in id order: each one's type and people in one query, then the
        relationships a page at a time, found from their people (index lookups)."""
        rows = self._query(_ALL_REL_ENDS)
        ends = {str(r["id"]): (str(r["type"]), str(r["from_id"]), str(r["to_id"])) for r in rows}
        ids = sorted(set(ends) | set(self._pending.rels))

        def stream() -> Iterator[Relationship]:
            for chunk in _chunks(ids, _PAGE):
                yield from self._relationships(chunk, ends)

        return stream()

    def relationships_of(self, person_id: str) -> list[Relationship]:
        """Relationships with `person_id` at either end, in id order."""
        rows = self._query(_RELS_OF, id=person_id)
        found = {r.id: r for r in (_rel_from_record(row) for row in rows)}
        dirty = [rid for rid, (_, a, b) in self._pending.ends.items() if person_id in (a, b)]
        if dirty:
            for rid in dirty:
                found.pop(rid, None)
            found.update({r.id: r for r in self._relationships(dirty)})
        return [found[rid] for rid in sorted(found)]

    def neighbourhood(self, person_id: str, hops: int) -> tuple[list[Person], list[Relationship]]:
        """People within `hops` edges of `person_id` (any type, either direction) and every
        relationship among them, in id order; one query when no writes are pending."""
        if hops < 0:
            raise ValueError("hops must be 0 or more")
        if self._pending.people or self._pending.rels:
            return self._pending_neighbourhood(person_id, hops)
        rows = self._query(_neighbourhood_query(hops), id=person_id)
        people: dict[str, Person] = {}
        rels: dict[str, Relationship] = {}
        for row in rows:
            p = _person_from(row["person"])
            people[p.id] = p
            for edge in row["rels"]:
                r = _rel_from(edge["type"], p.id, edge["to_id"], edge["props"])
                rels[r.id] = r
        return [people[k] for k in sorted(people)], [rels[k] for k in sorted(rels)]

    def _pending_neighbourhood(
        self, person_id: str, hops: int
    ) -> tuple[list[Person], list[Relationship]]:
        """The walk of `neighbourhood` over the committed graph plus the pending writes:
        one query per hop, since pending edges can join the walk anywhere."""
        if not self._persons([person_id]):
            return [], []
        live = {r.id for r in self._relationships(self._pending.rels)}
        gone = set(self._pending.rels) - live
        pending_edges: dict[str, set[str]] = {}
        for rid in live:
            _, a, b = self._pending.ends[rid]
            pending_edges.setdefault(a, set()).add(b)
            pending_edges.setdefault(b, set()).add(a)
        seen = {person_id}
        frontier = {person_id}
        for _ in range(hops):
            reached: set[str] = set()
            for chunk in _chunks(sorted(frontier)):
                rows = self._query(_ADJACENT, ids=list(chunk))
                reached |= {r["id"] for r in rows if r["rel"] not in gone}
            for pid in frontier:
                reached |= pending_edges.get(pid, set())
            frontier = {pid for pid in reached - seen if not self._pending.deleted(pid)}
            if not frontier:
                break
            seen |= frontier
        people = self._persons(seen)
        inside = sorted(p.id for p in people)
        rows = self._query(_RELS_AMONG, ids=inside)
        rels = {r.id: r for r in (_rel_from_record(row) for row in rows) if r.id not in gone}
        members = set(inside)
        dirty = [rid for rid in live if set(self._pending.ends[rid][1:]) <= members]
        rels.update({r.id: r for r in self._relationships(dirty)})
        return people, [rels[k] for k in sorted(rels)]

    def _stored_rels(
        self, ids: Iterable[str], ends: Mapping[str, tuple[str, str, str]] | None = None
    ) -> dict[str, Relationship]:
        """Committed relationships with these ids, cached in a transaction. Those whose type
        and people are known (pending, or in `ends`) are found from their people; any other id
        by an indexed lookup per id."""
        out: dict[str, Relationship] = {}
        by_type: dict[str, list[dict[str, str]]] = {}
        alone: list[str] = []
        for rid in dict.fromkeys(ids):
            known = ends.get(rid) if ends is not None else None
            if known is None:
                known = self._pending.ends.get(rid)
            if rid in self._base_rels:
                cached = self._base_rels[rid]
                if cached is not None:
                    out[rid] = cached
            elif known is not None:
                rtype, from_id, to_id = known
                row = {"id": rid, "from_id": from_id, "to_id": to_id}
                by_type.setdefault(_rel_type(rtype), []).append(row)
            else:
                alone.append(rid)
        found: dict[str, Relationship] = {}
        for rtype, rows in by_type.items():
            for chunk in _chunks(rows):
                records = self._query(_rels_by_ends(rtype), rows=list(chunk))
                found.update((r.id, r) for r in map(_rel_from_record, records))
        for rid in alone:
            found.update((r.id, r) for r in map(_rel_from_record, self._query(_REL_BY_ID, id=rid)))
        out.update(found)
        if self._in_transaction:
            for rows in by_type.values():
                for row in rows:
                    self._base_rels[row["id"]] = found.get(row["id"])
            for rid in alone:
                self._base_rels[rid] = found.get(rid)
        return out

    def _relationships(
        self, ids: Iterable[str], ends: Mapping[str, tuple[str, str, str]] | None = None
    ) -> list[Relationship]:
        """Relationships with these ids as this transaction sees them, in id order."""
        wanted = sorted(set(ids))
        stored = self._stored_rels(wanted, ends)
        out = []
        for rid in wanted:
            puts = self._pending.rels.get(rid)
            view = _fold(stored.get(rid), puts, merge_relationship) if puts else stored.get(rid)
            if view is not None:
                out.append(view)
        return out

    # ------------------------------------------------------------------ documents, matches

    def put_document(self, doc: Document) -> None:
        """Record that a note or file was ingested (upsert by id, all fields replaced)."""
        with self.transaction():
            self._pending.add("doc", doc)

    def documents(self) -> list[Document]:
        """Every ingested document, in id order."""
        rows = self._query("MATCH (d:Document) RETURN properties(d) AS d ORDER BY d.id")
        docs = {d.id: d for d in (_doc_from(r["d"]) for r in rows)}
        docs.update(self._pending.docs)
        return [docs[k] for k in sorted(docs)]

    def record_match(self, decision: MatchDecision) -> None:
        """Keep a matching decision (upsert on person_id + candidate, the rest replaced)."""
        with self.transaction():
            self._pending.add("match", decision)

    def matches(self, person_id: str | None = None) -> list[MatchDecision]:
        """Match decisions ordered by person id and candidate; with `person_id`, those whose
        person (or the other person of a review pair) is that person."""
        if person_id is None:
            rows = self._query("MATCH (m:MatchDecision) RETURN properties(m) AS m")
        else:
            rows = self._query(
                "MATCH (m:MatchDecision {person_id: $id}) RETURN properties(m) AS m "
                "UNION MATCH (m:MatchDecision {other_person_id: $id}) RETURN properties(m) AS m",
                id=person_id,
            )
        found = {(m.person_id, m.candidate): m for m in (_match_from(r["m"]) for r in rows)}
        for key, m in self._pending.matches.items():
            if m is not None and (
                person_id is None or person_id in (m.person_id, m.other_person_id)
            ):
                found[key] = m
            else:
                found.pop(key, None)
        return [found[k] for k in sorted(found)]

    def counts(self) -> dict[str, int]:
        """Row counts: persons, relationships, evidence, documents, matches."""
        row = self._query(_COUNTS)[0]
        out = {k: int(row[k] or 0) for k in ("persons", "relationships", "evidence")}
        out["documents"] = int(row["documents"] or 0)
        out["matches"] = int(row["matches"] or 0)
        pending = self._pending
        if pending.people:
            stored = self._stored_people(pending.people)
            views = {p.id for p in self._persons(pending.people)}
            out["persons"] += len(views) - sum(1 for pid in pending.people if pid in stored)
        if pending.rels:
            stored_rels = self._stored_rels(pending.rels)
            views_r = {r.id: r for r in self._relationships(pending.rels)}
            for rid in pending.rels:
                before, after = stored_rels.get(rid), views_r.get(rid)
                out["relationships"] += (after is not None) - (before is not None)
                out["evidence"] += (len(after.evidence) if after else 0) - (
                    len(before.evidence) if before else 0
                )
        if pending.docs:
            rows = self._query(
                "UNWIND $ids AS id MATCH (d:Document {id: id}) RETURN d.id AS id",
                ids=list(pending.docs),
            )
            out["documents"] += len(pending.docs) - len(rows)
        if pending.matches:
            rows = self._query(
                "UNWIND $keys AS key MATCH (m:MatchDecision {key: key}) RETURN m.key AS key",
                keys=[_match_key(*k) for k in pending.matches],
            )
            live = sum(1 for m in pending.matches.values() if m is not None)
            out["matches"] += live - len(rows)
        return out

    # ------------------------------------------------------------------ curation

    def delete_person(self, person_id: str) -> None:
        """Remove a person with their record keys, every relationship touching them (with its
        evidence) and every match decision naming them; no-op if absent."""
        with self.transaction():
            for m in self.matches(person_id):  # a decision may name someone never stored
                self._pending.add("delete_match", (m.person_id, m.candidate))
            person = self.get_person(person_id)
            if person is None:
                return
            for rel in self.relationships_of(person_id):
                self._pending.add("delete_rel", (rel.id, (rel.type.value, rel.from_id, rel.to_id)))
            self._pending.add("delete_person", (person_id, tuple(person.sources)))

    def delete_relationship(self, rel_id: str) -> None:
        """Remove one relationship and its evidence (no-op if absent)."""
        with self.transaction():
            rel = self.get_relationship(rel_id)
            if rel is not None:
                self._pending.add("delete_rel", (rel.id, (rel.type.value, rel.from_id, rel.to_id)))

    def replace_person(self, person: Person) -> None:
        """Overwrite a person exactly (lists replaced); relationships untouched."""
        with self.transaction():
            before = self.get_person(person.id)
            dropped = [k for k in (before.sources if before else ()) if k not in person.sources]
            for key in person.sources:
                owner = self._owner(key)
                if owner is not None and owner != person.id:
                    raise _taken(key, owner, person.id)
            self._pending.add("replace_person", (person, tuple(dropped)))

    def withdraw_quotes(self, terms: Sequence[str]) -> int:
        """Replace evidence and fact quotes containing any term (case-insensitive, as
        `str.casefold`) with `WITHDRAWN_QUOTE`; returns how many quotes were withdrawn. Every
        stored quote is read and tested here, not by the server, so that Cypher's case rules
        cannot let a quote escape erasure."""
        wanted = [t.casefold() for t in terms if t.strip()]
        if not wanted:
            return 0

        def hit(quote: str | None) -> bool:
            return quote is not None and any(t in quote.casefold() for t in wanted)

        def withdrawn(ev: Evidence) -> Evidence:
            return replace(ev, quote=WITHDRAWN_QUOTE) if hit(ev.quote) else ev

        count = 0
        with self.transaction():
            person_ids = {
                str(row["id"])
                for row in self._query(_QUOTED_PEOPLE)
                if any(hit(json.loads(text)[2][3]) for text in row["facts"])
            }
            for person in self._persons(person_ids | set(self._pending.people)):
                changed = sum(1 for f in person.facts if hit(f.evidence.quote))
                if changed:
                    count += changed
                    facts = [replace(f, evidence=withdrawn(f.evidence)) for f in person.facts]
                    self._pending.add("person", replace(person, facts=facts))
            ends = {
                str(row["id"]): (str(row["type"]), str(row["from_id"]), str(row["to_id"]))
                for row in self._query(_QUOTED_RELS)
                if any(hit(json.loads(text)[3]) for text in row["evidence"])
            }
            for rel in self._relationships(set(ends) | set(self._pending.rels), ends):
                changed = sum(1 for ev in rel.evidence if hit(ev.quote))
                if changed:
                    count += changed
                    evidence = [withdrawn(ev) for ev in rel.evidence]
                    self._pending.add("rel", replace(rel, evidence=evidence))
        return count

    def put_decision(self, decision: Decision) -> None:
        """Insert or update (by id) an identity decision."""
        with self.transaction():
            self._pending.add("decision", decision)

    def decisions(self) -> list[Decision]:
        """Every identity decision, oldest first (in the order they were first stored)."""
        rows = self._query("MATCH (d:Decision) RETURN properties(d) AS d ORDER BY d.seq, d.id")
        found = {d.id: d for d in (_decision_from(r["d"]) for r in rows)}
        for did, decision in self._pending.decisions.items():
            found[did] = decision  # an update keeps its place; a new one goes last
        return list(found.values())

    def append_audit(self, entry: AuditEntry) -> None:
        """Append one audit entry; the backend has no operation that changes or deletes one
        (docs/neo4j.md: deny the database user those privileges on `:AuditEntry`)."""
        with self.transaction():
            self._pending.add("audit", entry)

    def audit_entries(self) -> list[AuditEntry]:
        """The audit log, oldest first."""
        rows = self._query("MATCH (a:AuditEntry) RETURN properties(a) AS a ORDER BY a.seq")
        return [_audit_from(r["a"]) for r in rows] + list(self._pending.audit)


def _taken(key: SourceKey, owner: str, person_id: str) -> StoreError:
    return StoreError(
        f"source record {key} already belongs to person {owner}; "
        f"it cannot also be attached to person {person_id}"
    )


def _missing_person(rel_id: str, person_id: str) -> StoreError:
    return StoreError(
        f"relationship {rel_id} refers to person {person_id}, who is not in the store; "
        "store the person first"
    )


# ----------------------------------------------------------------------------- the commit


def _ahead(prepare: Callable[[_T], _R], chunks: Iterable[_T]) -> Iterator[_R]:
    """`prepare` each chunk, one chunk ahead in a worker thread, so that merging and encoding
    the next batch overlaps the server writing this one (the socket wait frees the GIL)."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="genogram-encode") as pool:
        pending: Future[_R] | None = None
        for chunk in chunks:
            upcoming = pool.submit(prepare, chunk)
            if pending is not None:
                yield pending.result()
            pending = upcoming
        if pending is not None:
            yield pending.result()


def _write_commit(tx: neo4j.ManagedTransaction, work: _Commit) -> None:
    """Write one transaction's buffer: lock and read what is stored, fold the pending
    operations over it, delete what ends deleted, write the rest. Pure in `work`, so the
    driver can safely retry it."""
    people_ids = list(work.people)
    stored_people: dict[str, Person] = {}
    for chunk in _chunks(people_ids):
        for record in tx.run(_LOCK_PEOPLE, ids=list(chunk)):
            p = _person_from(record["p"])
            stored_people[p.id] = p
    # People the read did not find are folded later, in the encoding worker (`person_rows`):
    # whether they end up written depends only on their last operation.
    final_people = {
        pid: _fold(stored_people[pid], ops, merge_person)
        for pid, ops in work.people.items()
        if pid in stored_people
    }
    written_ids = [
        pid
        for pid, ops in work.people.items()
        if (
            final_people[pid] is not None
            if pid in stored_people
            else ops[-1][1] is not None and ops[-1][0] != _DELETE
        )
    ]

    by_type: dict[str, list[str]] = {}
    for rid, (rtype, _, _) in work.ends.items():
        by_type.setdefault(_rel_type(rtype), []).append(rid)
    stored_rels: dict[str, Relationship] = {}
    for rtype, ids in by_type.items():
        lookup = [
            {"id": rid, "from_id": work.ends[rid][1], "to_id": work.ends[rid][2]} for rid in ids
        ]
        for ends_chunk in _chunks(lookup):
            for record in tx.run(_rels_by_ends(rtype, lock=True), rows=list(ends_chunk)):
                r = _rel_from_record(record)
                stored_rels[r.id] = r
    final_rels = {
        rid: _fold(stored_rels.get(rid), ops, merge_relationship) for rid, ops in work.rels.items()
    }

    # Deletions first, so that a record key or an id freed here can be taken below.
    for rtype, ids in by_type.items():
        gone = [
            {"id": rid, "from_id": work.ends[rid][1], "to_id": work.ends[rid][2]}
            for rid in ids
            if final_rels[rid] is None and rid in stored_rels
        ]
        for gone_chunk in _chunks(gone):
            tx.run(_delete_rels(rtype), rows=list(gone_chunk)).consume()
    released = []
    for pid, before in stored_people.items():
        after = final_people[pid]
        kept = set(after.sources) if after is not None else set()
        released += [
            {"key": _source_json(key), "person_id": pid}
            for key in before.sources
            if key not in kept
        ]
    for key_chunk in _chunks(released):
        tx.run(_RELEASE_KEYS, rows=list(key_chunk)).consume()
    deleted = [pid for pid in stored_people if final_people[pid] is None]
    for chunk in _chunks(deleted):
        tx.run(_DELETE_PEOPLE, ids=list(chunk)).consume()
    dropped_matches = [_match_key(*key) for key, m in work.matches.items() if m is None]
    for chunk in _chunks(dropped_matches):
        tx.run(
            "UNWIND $keys AS key MATCH (m:MatchDecision {key: key}) DELETE m", keys=list(chunk)
        ).consume()

    def person_rows(chunk: tuple[bool, Sequence[str]]) -> list[Any]:
        create, ids = chunk
        rows: list[Any] = []
        for pid in ids:
            before = stored_people.get(pid)
            final = (
                final_people[pid]
                if before is not None
                else _fold(None, work.people[pid], merge_person)
            )
            assert final is not None
            old = set(before.sources) if before is not None else set()
            keys = [_source_json(k) for k in final.sources if k not in old]
            if create:
                rows.append([pid, _person_values(final), keys])
            else:
                rows.append({"id": pid, "props": _person_props(final), "keys": keys})
        return rows

    # People the read found absent are created, the others merged (everyone on a redo).
    merged = [pid for pid in written_ids if pid in stored_people or not work.create]
    created = [pid for pid in written_ids if pid not in stored_people and work.create]
    plan = [(False, c) for c in _chunks(merged)] + [(True, c) for c in _chunks(created)]
    for (create, _), rows in zip(plan, _ahead(person_rows, plan), strict=True):
        for record in tx.run(_CREATE_PEOPLE if create else _WRITE_PEOPLE, rows=rows):
            system, record_id = json.loads(record["key"])
            raise _taken(SourceKey(system, record_id), record["owner"], record["person_id"])

    live = {rid for rid, final in final_rels.items() if final is not None}
    ends_of_live = {pid for rid in live for pid in work.ends[rid][1:]}
    kept_people = set(written_ids)
    for pid in sorted(ends_of_live & set(work.people)):
        if pid not in kept_people:
            raise _missing_person(next(r for r in sorted(live) if pid in work.ends[r][1:]), pid)
    unchecked = sorted(ends_of_live - set(work.people))
    for chunk in _chunks(unchecked):
        found = {r["id"] for r in tx.run(_EXISTING_PEOPLE, ids=list(chunk))}
        for pid in chunk:
            if pid not in found:
                raise _missing_person(next(r for r in sorted(live) if pid in work.ends[r][1:]), pid)
    for rtype, ids in by_type.items():

        def rel_rows(chunk: Sequence[str]) -> list[dict[str, Any]]:
            rows = []
            for rid in chunk:
                final = final_rels[rid]
                assert final is not None
                ends = {"from_id": final.from_id, "to_id": final.to_id}
                rows.append({"id": rid, **ends, "props": _rel_props(final)})
            return rows

        for rel_chunk in _ahead(rel_rows, _chunks([rid for rid in ids if rid in live])):
            written = tx.run(_write_rels(rtype), rows=rel_chunk).single()
            if written is None or int(written["written"]) != len(rel_chunk):
                raise StoreError("a relationship lost one of its people while it was written")

    for doc_chunk in _chunks([_doc_props(d) for d in work.docs]):
        tx.run(
            "UNWIND $rows AS row MERGE (d:Document {id: row.id}) SET d = row",
            rows=list(doc_chunk),
        ).consume()
    kept_matches = [_match_props(m) for m in work.matches.values() if m is not None]
    for match_chunk in _chunks(kept_matches):
        tx.run(
            "UNWIND $rows AS row MERGE (m:MatchDecision {key: row.key}) SET m = row",
            rows=list(match_chunk),
        ).consume()
    _write_log(tx, work.decisions, work.audit)


def _write_log(
    tx: neo4j.ManagedTransaction, decisions: Sequence[Decision], audit: Sequence[AuditEntry]
) -> None:
    """Write identity decisions (upsert by id) and append audit entries, numbering new ones
    from the counter on the schema node, which the update also locks (one order for all)."""
    if not decisions and not audit:
        return
    existing: dict[str, int] = {}
    for chunk in _chunks([d.id for d in decisions]):
        for record in tx.run(
            "UNWIND $ids AS id MATCH (d:Decision {id: id}) RETURN d.id AS id, d.seq AS seq",
            ids=list(chunk),
        ):
            existing[str(record["id"])] = int(record["seq"])
    wanted = sum(1 for d in decisions if d.id not in existing) + len(audit)
    counter = tx.run(
        "MATCH (s:GenogramSchema {name: 'genogram'}) "
        "SET s.sequence = coalesce(s.sequence, 0) + $n RETURN s.sequence AS last",
        n=wanted,
    ).single()
    if counter is None:  # pragma: no cover - the node is created when the store is opened
        raise StoreError("the store's schema node is missing; reopen the store to recreate it")
    seq = int(counter["last"]) - wanted
    rows = []
    for d in decisions:
        if d.id not in existing:
            seq += 1
        rows.append({**_decision_props(d), "seq": existing.get(d.id, seq)})
    for row_chunk in _chunks(rows):
        tx.run(
            "UNWIND $rows AS row MERGE (d:Decision {id: row.id}) SET d = row", rows=list(row_chunk)
        ).consume()
    entries = []
    for entry in audit:
        seq += 1
        entries.append({**_audit_props(entry), "seq": seq})
    for entry_chunk in _chunks(entries):
        tx.run(
            "UNWIND $rows AS row CREATE (a:AuditEntry) SET a = row", rows=list(entry_chunk)
        ).consume()
