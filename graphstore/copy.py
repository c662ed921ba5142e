"""Copy a whole graph from one store to another, whatever their backends (`genogram store copy`).

Moves everything the contract holds: people with every field, fact, source key and address;
relationships with all their evidence; documents; match decisions; identity decisions (with
the snapshots a split needs) and the audit log, in its order. Only the public
`GraphStore` operations are used, so a copy between two backends is exactly what the contract
tests check each backend keeps. People are written before relationships (a relationship needs
both its people), in batches of one transaction each; re-running a copy with `merge=True`
changes nothing (every write is idempotent), so an interrupted copy can simply be run again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import TypeVar

from genogram.errors import StoreError
from genogram.store import GraphStore

_T = TypeVar("_T")

#: Items written per target transaction.
BATCH = 5000

#: The counts that must agree after copying into an empty store.
COPIED = ("persons", "relationships", "evidence", "documents", "matches")


@dataclass(frozen=True)
class CopyReport:
    """How much was copied (counts only: safe to print)."""

    persons: int
    relationships: int
    evidence: int
    documents: int
    matches: int
    decisions: int = 0
    audit_entries: int = 0

    def as_dict(self) -> dict[str, int]:
        """Plain dict for JSON output."""
        return {
            "persons": self.persons,
            "relationships": self.relationships,
            "evidence": self.evidence,
            "documents": self.documents,
            "matches": self.matches,
            "decisions": self.decisions,
            "audit_entries": self.audit_entries,
        }


def _batches(items: Iterable[_T], size: int) -> Iterator[list[_T]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


def copy_store(
    source: GraphStore,
    target: GraphStore,
    *,
    merge: bool = False,
    batch: int = BATCH,
    progress: Callable[[int], None] | None = None,
) -> CopyReport:
    """Copy every person, relationship, document, match decision, identity decision and audit
    entry from `source` into `target`. Refuses a target that already holds data unless `merge`
    is true (audit entries the target already has are then not appended again); after copying
    into an empty target, checks that the target's counts equal the source's."""
    if batch < 1:
        raise ValueError("batch must be 1 or more")
    before = target.counts()
    if not merge and any(before.get(k, 0) for k in COPIED):
        raise StoreError(
            f"the target store is not empty ({before.get('persons', 0)} people, "
            f"{before.get('relationships', 0)} relationships); copy into an empty store, "
            "or pass --merge to add this graph to it"
        )
    tick = progress or (lambda n: None)
    evidence = 0
    counts = {"persons": 0, "relationships": 0, "documents": 0, "matches": 0}
    for people in _batches(source.persons(), batch):
        with target.transaction():
            for person in people:
                target.put_person(person)
        counts["persons"] += len(people)
        tick(len(people))
    for rels in _batches(source.relationships(), batch):
        with target.transaction():
            for rel in rels:
                target.put_relationship(rel)
        counts["relationships"] += len(rels)
        evidence += sum(len(r.evidence) for r in rels)
        tick(len(rels))
    for docs in _batches(source.documents(), batch):
        with target.transaction():
            for doc in docs:
                target.put_document(doc)
        counts["documents"] += len(docs)
        tick(len(docs))
    for found in _batches(source.matches(), batch):
        with target.transaction():
            for match in found:
                target.record_match(match)
        counts["matches"] += len(found)
        tick(len(found))
    identities = source.decisions()
    with target.transaction():
        for identity in identities:
            target.put_decision(identity)
    tick(len(identities))
    # The log only grows: with --merge, append only the entries the target lacks.
    have = Counter(target.audit_entries()) if merge else Counter()
    entries = []
    for entry in source.audit_entries():
        if have[entry]:
            have[entry] -= 1
        else:
            entries.append(entry)
    for chunk in _batches(entries, batch):
        with target.transaction():
            for entry in chunk:
                target.append_audit(entry)
        tick(len(chunk))
    report = CopyReport(
        evidence=evidence, decisions=len(identities), audit_entries=len(entries), **counts
    )
    if not any(before.get(k, 0) for k in COPIED):
        after = target.counts()
        wanted = report.as_dict()
        short = [k for k in COPIED if after.get(k, 0) != wanted[k]]
        if short:
            raise StoreError(
                "the copy is incomplete: the target's counts of "
                + ", ".join(f"{k} ({after.get(k, 0)} of {wanted[k]})" for k in short)
                + " differ from the source's"
            )
    return report
