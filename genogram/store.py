"""The storage contract (DESIGN §5) every backend in `graphstore/` implements.

Defined here, in the domain core, so that the core's services can use a store without
importing any backend (dependencies point inward). Backends: `graphstore.sqlite.SQLiteStore`
(embedded default) and `graphstore.neo4j.Neo4jStore` (Neo4j 5 over Bolt). The shared contract
tests in `tests/test_store_contract.py` and `tests/test_curation.py` run against every backend.

Write semantics are idempotent so re-running an ingest duplicates nothing:
- `put_person` inserts or updates by id; scalar fields are replaced by the given values,
  while `known_as`, `addresses`, `sources` and `facts` are *added to* (de-duplicated).
- `put_relationship` inserts or updates by `Relationship.id`; attributes are replaced, evidence
  is added (de-duplicated by `Evidence.key()`).
All writes inside one `with store.transaction():` block commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Protocol

from genogram.model import (
    AuditEntry,
    Decision,
    Document,
    MatchDecision,
    Person,
    Relationship,
    SourceKey,
)


class GraphStore(Protocol):
    """Persistence of people, relationships, provenance and match decisions."""

    def close(self) -> None:
        """Release the connection; the store is unusable afterwards."""
        ...

    def transaction(self) -> AbstractContextManager[None]:
        """One atomic batch: commit on normal exit, roll back on any exception."""
        ...

    # people
    def put_person(self, person: Person) -> None:
        """Insert or update a person (see module docstring for merge semantics)."""
        ...

    def get_person(self, person_id: str) -> Person | None:
        """The person with this id, or None."""
        ...

    def find_by_source(self, key: SourceKey) -> str | None:
        """The id of the person carrying this source key, or None."""
        ...

    def persons(self) -> Iterator[Person]:
        """Every person, in id order."""
        ...

    def find_by_name(self, text: str) -> list[Person]:
        """People whose given, family or known-as names contain every word of `text`
        (case-insensitive); used to resolve a SUBJECT given by name."""
        ...

    # relationships
    def put_relationship(self, rel: Relationship) -> str:
        """Insert or update a relationship, adding its evidence; returns its id."""
        ...

    def get_relationship(self, rel_id: str) -> Relationship | None:
        """The relationship with this id (with all its evidence), or None."""
        ...

    def relationships(self) -> Iterator[Relationship]:
        """Every relationship, in id order."""
        ...

    def relationships_of(self, person_id: str) -> list[Relationship]:
        """Relationships with `person_id` at either end."""
        ...

    def neighbourhood(self, person_id: str, hops: int) -> tuple[list[Person], list[Relationship]]:
        """People within `hops` edges of `person_id` (any type, either direction) and every
        relationship among them."""
        ...

    # documents and matching
    def put_document(self, doc: Document) -> None:
        """Record that a note or file was ingested (metadata only)."""
        ...

    def documents(self) -> list[Document]:
        """Every ingested document, in id order."""
        ...

    def record_match(self, decision: MatchDecision) -> None:
        """Keep a matching decision with its score (upsert on person_id + candidate)."""
        ...

    def matches(self, person_id: str | None = None) -> list[MatchDecision]:
        """Match decisions, optionally only those about one person."""
        ...

    def counts(self) -> dict[str, int]:
        """Row counts: persons, relationships, evidence, documents, matches."""
        ...

    # curation: correcting and governing the graph (merge, split, erasure, review, audit)
    def delete_person(self, person_id: str) -> None:
        """Remove a person with their sources, addresses, facts, every relationship touching
        them (with its evidence) and every match decision naming them."""
        ...

    def delete_relationship(self, rel_id: str) -> None:
        """Remove one relationship and its evidence (no-op if absent)."""
        ...

    def replace_person(self, person: Person) -> None:
        """Overwrite a person exactly: scalars and lists (sources, addresses, facts, known_as)
        become the given ones. Relationships are untouched. Used to restore snapshots."""
        ...

    def withdraw_quotes(self, terms: Sequence[str]) -> int:
        """Replace every evidence or fact quote containing one of `terms` (case-insensitive)
        with a neutral marker; returns how many quotes were withdrawn (for erasure)."""
        ...

    def put_decision(self, decision: Decision) -> None:
        """Insert or update (by id) an identity decision."""
        ...

    def decisions(self) -> list[Decision]:
        """Every identity decision, oldest first."""
        ...

    def append_audit(self, entry: AuditEntry) -> None:
        """Append one audit entry. The log can only grow: entries are never changed."""
        ...

    def audit_entries(self) -> list[AuditEntry]:
        """The audit log, oldest first."""
        ...


#: Text that replaces a withdrawn quote.
WITHDRAWN_QUOTE = "[quote withdrawn: a person in it was erased]"
