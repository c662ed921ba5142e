"""People stay in control of identity: the review queue, merge and split, erasure, audit.

Doubtful matches wait in a review queue (match decisions marked ``review``); a person accepts
(merges) or rejects them. `merge_people` keeps a snapshot of both people and their
relationships so that `split` restores them as they were. Every decision records who made it
and when; every view, export, merge, split and erasure is appended to the audit log, which
holds ids and actions, never personal details.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from genogram.errors import InputError
from genogram.model import AuditEntry, Decision, MatchDecision, Person, Relationship
from genogram.snapshot import (
    person_from_dict,
    person_to_dict,
    relationship_from_dict,
    relationship_to_dict,
)
from genogram.store import GraphStore

#: Component similarities at or above this count as evidence for a match, at or below
#: `AGAINST_AT` as evidence against.
FOR_AT = 0.7
AGAINST_AT = 0.3


def now() -> str:
    """The current UTC time, ISO 8601 to the second (audit and decision times)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def current_actor() -> str:
    """Who is acting: $GENOGRAM_USER, else the operating-system account name."""
    name = os.environ.get("GENOGRAM_USER", "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        return "unknown"


def audit(
    store: GraphStore,
    action: str,
    subject: str | None,
    outcome: str = "ok",
    detail: str | None = None,
    actor: str | None = None,
) -> None:
    """Append one entry to the audit log (ids and actions only)."""
    store.append_audit(
        AuditEntry(now(), actor or current_actor(), action, subject, outcome, detail)
    )


# --------------------------------------------------------------------------- review queue


@dataclass(frozen=True)
class ReviewItem:
    """A pending pair: a person created from a record or mention (`person_id`) who may be
    the same as a known person (`other_person_id`), with the evidence for and against."""

    id: str
    person_id: str
    other_person_id: str
    candidate: str
    score: float
    method: str
    evidence_for: tuple[tuple[str, float], ...]
    evidence_against: tuple[tuple[str, float], ...]

    def as_json(self) -> dict[str, Any]:
        """The item as a JSON-able dict (ids and scores only)."""
        return {
            "id": self.id,
            "person_id": self.person_id,
            "other_person_id": self.other_person_id,
            "candidate": self.candidate,
            "score": round(self.score, 3),
            "method": self.method,
            "evidence_for": dict(self.evidence_for),
            "evidence_against": dict(self.evidence_against),
        }


def _review_id(m: MatchDecision) -> str:
    digest = hashlib.sha256(f"{m.person_id}\x1f{m.candidate}".encode()).hexdigest()
    return f"RV{digest[:8]}"


def pending_reviews(store: GraphStore) -> list[ReviewItem]:
    """Every doubtful match still waiting for a person, highest score first."""
    items = []
    for m in store.matches():
        if m.decision != "review" or m.other_person_id is None:
            continue
        if store.get_person(m.person_id) is None or store.get_person(m.other_person_id) is None:
            continue
        items.append(
            ReviewItem(
                id=_review_id(m),
                person_id=m.person_id,
                other_person_id=m.other_person_id,
                candidate=m.candidate,
                score=m.score,
                method=m.method,
                evidence_for=tuple((k, v) for k, v in m.detail if v >= FOR_AT),
                evidence_against=tuple((k, v) for k, v in m.detail if v <= AGAINST_AT),
            )
        )
    return sorted(items, key=lambda i: (-i.score, i.id))


def _find_review(store: GraphStore, review_id: str) -> tuple[ReviewItem, MatchDecision]:
    for m in store.matches():
        if _review_id(m) == review_id.strip():
            if m.decision != "review" or m.other_person_id is None:
                raise InputError(f"review {review_id} was already decided", field="ID")
            item = next(i for i in pending_reviews(store) if i.id == review_id.strip())
            return item, m
    raise InputError(f"no pending review {review_id!r}; see 'genogram review'", field="ID")


def accept_review(store: GraphStore, review_id: str, actor: str | None = None) -> Decision:
    """The pair is one person: merge the newer person into the known one (a later split
    puts the pair back in the queue)."""
    item, _ = _find_review(store, review_id)
    with store.transaction():
        decision = merge_people(store, item.other_person_id, item.person_id, actor, audited=False)
        audit(store, "review-accept", item.other_person_id, detail=decision.id, actor=actor)
    return decision


def reject_review(store: GraphStore, review_id: str, actor: str | None = None) -> Decision:
    """The pair are different people: keep them apart and remember the decision."""
    item, m = _find_review(store, review_id)
    decision = Decision(
        id=_decision_id("reject", item.person_id, item.other_person_id),
        action="reject",
        person_ids=(item.person_id, item.other_person_id),
        actor=actor or current_actor(),
        time=now(),
    )
    with store.transaction():
        store.record_match(replace(m, decision="rejected"))
        store.put_decision(decision)
        audit(store, "review-reject", item.person_id, detail=decision.id, actor=actor)
    return decision


# --------------------------------------------------------------------------- merge and split


def _decision_id(action: str, *parts: str) -> str:
    digest = hashlib.sha256("\x1f".join((action, now(), *parts)).encode()).hexdigest()
    return f"D{digest[:10]}"


def _combined(keep: Person, drop: Person) -> Person:
    known_as = list(keep.known_as)
    extra = [drop.name] if drop.name and drop.name != keep.name else []
    for alias in [*drop.known_as, *extra]:
        if alias and alias not in known_as:
            known_as.append(alias)
    return replace(
        keep,
        given_names=keep.given_names or drop.given_names,
        family_name=keep.family_name or drop.family_name,
        known_as=known_as,
        sex=keep.sex if keep.sex.value != "unknown" else drop.sex,
        birth_date=keep.birth_date or drop.birth_date,
        death_date=keep.death_date or drop.death_date,
        deceased=keep.deceased or drop.deceased,
        addresses=[*keep.addresses, *drop.addresses],
        sources=[*keep.sources, *drop.sources],
        facts=[*keep.facts, *drop.facts],
        implied=keep.implied and drop.implied,
        implied_label=keep.implied_label if keep.implied and drop.implied else None,
    )


def _repoint(rel: Relationship, old: str, new: str) -> Relationship | None:
    start = new if rel.from_id == old else rel.from_id
    end = new if rel.to_id == old else rel.to_id
    if start == end:
        return None
    return Relationship(
        rel.type,
        start,
        end,
        rel.kind,
        rel.certainty,
        rel.start_date,
        rel.end_date,
        rel.twin,
        list(rel.evidence),
    )


def merge_people(
    store: GraphStore,
    keep_id: str,
    drop_id: str,
    actor: str | None = None,
    *,
    audited: bool = True,
) -> Decision:
    """Make two people one: `drop`'s names, records, facts and relationships move to `keep`.

    A snapshot of both people, their relationships and match decisions is kept in the
    decision so that `split` can restore them; `drop`'s match decisions live on there.
    """
    if keep_id == drop_id:
        raise InputError("a person cannot be merged with themselves", field="PERSON")
    keep, drop = store.get_person(keep_id), store.get_person(drop_id)
    if keep is None or drop is None:
        missing = keep_id if keep is None else drop_id
        raise InputError(f"no person with id {missing!r}", field="PERSON")
    rels = {r.id: r for r in [*store.relationships_of(keep_id), *store.relationships_of(drop_id)]}
    matches = {(m.person_id, m.candidate): m for m in store.matches(keep_id)}
    matches.update({(m.person_id, m.candidate): m for m in store.matches(drop_id)})
    snapshot = {
        "keep": person_to_dict(keep),
        "drop": person_to_dict(drop),
        "relationships": [relationship_to_dict(r) for r in rels.values()],
        "matches": [_match_to_dict(m) for m in matches.values()],
    }
    decision = Decision(
        id=_decision_id("merge", keep_id, drop_id),
        action="merge",
        person_ids=(keep_id, drop_id),
        actor=actor or current_actor(),
        time=now(),
        snapshot=json.dumps(snapshot, sort_keys=True),
    )
    moved = [
        moved_rel
        for r in store.relationships_of(drop_id)
        if (moved_rel := _repoint(r, drop_id, keep_id)) is not None
    ]
    with store.transaction():
        store.delete_person(drop_id)
        store.put_person(_combined(keep, drop))
        for rel in moved:
            store.put_relationship(rel)
        store.put_decision(decision)
        if audited:
            audit(store, "merge", keep_id, detail=decision.id, actor=actor)
    return decision


def _match_to_dict(m: MatchDecision) -> dict[str, Any]:
    return {
        "person_id": m.person_id,
        "candidate": m.candidate,
        "score": m.score,
        "decision": m.decision,
        "method": m.method,
        "detail": [list(pair) for pair in m.detail],
        "other_person_id": m.other_person_id,
    }


def _match_from_dict(d: dict[str, Any]) -> MatchDecision:
    return MatchDecision(
        person_id=d["person_id"],
        candidate=d["candidate"],
        score=float(d["score"]),
        decision=d["decision"],
        method=d["method"],
        detail=tuple((str(k), float(v)) for k, v in d["detail"]),
        other_person_id=d.get("other_person_id"),
    )


def find_merge(store: GraphStore, reference: str) -> Decision:
    """The merge a SPLIT argument names: a decision id, or a person id whose latest merge
    (not yet undone) is meant."""
    merges = [d for d in store.decisions() if d.action == "merge" and d.undone_by is None]
    for d in reversed(merges):
        if reference in (d.id, *d.person_ids):
            return d
    raise InputError(
        "no merge to undo for that id; see 'genogram audit' for decision ids", field="DECISION"
    )


def split(store: GraphStore, decision_id: str, actor: str | None = None) -> Decision:
    """Undo a merge: both people, their relationships and match decisions as they were
    before it. Relationships added to the kept person since the merge stay with them."""
    merge = find_merge(store, decision_id)
    if merge.snapshot is None:
        raise InputError(
            "this merge can no longer be undone (a person in it was erased)", field="DECISION"
        )
    snap = json.loads(merge.snapshot)
    keep_before = person_from_dict(snap["keep"])
    drop_before = person_from_dict(snap["drop"])
    rels_before = [relationship_from_dict(r) for r in snap["relationships"]]
    before_ids = {r.id for r in rels_before}
    moved_ids = {
        moved.id
        for r in rels_before
        if drop_before.id in (r.from_id, r.to_id)
        and (moved := _repoint(r, drop_before.id, keep_before.id)) is not None
    }
    decision = Decision(
        id=_decision_id("split", merge.id),
        action="split",
        person_ids=merge.person_ids,
        actor=actor or current_actor(),
        time=now(),
    )
    with store.transaction():
        for rel in store.relationships_of(keep_before.id):
            if rel.id in moved_ids or rel.id in before_ids:
                store.delete_relationship(rel.id)
        store.replace_person(keep_before)
        store.put_person(drop_before)
        for rel in rels_before:
            store.put_relationship(rel)
        for m in snap["matches"]:
            store.record_match(_match_from_dict(m))
        store.put_decision(decision)
        store.put_decision(replace(merge, undone_by=decision.id))
        audit(
            store, "split", keep_before.id, detail=f"{decision.id} undoes {merge.id}", actor=actor
        )
    return decision


# --------------------------------------------------------------------------- erasure


def erase_person(store: GraphStore, person_id: str, actor: str | None = None) -> int:
    """Remove a person, their relationships and the evidence for them, withdraw quotes that
    name them, and drop snapshots that hold their details; the audit log records that an
    erasure happened (the id only). Returns how many other quotes were withdrawn."""
    person = store.get_person(person_id)
    if person is None:
        raise InputError(f"no person with id {person_id!r}", field="PERSON")
    terms = [t for t in (person.name, *person.known_as) if t and len(t.split()) > 1]
    if person.given_names and person.family_name:
        terms.append(f"{person.given_names.split()[0]} {person.family_name}")
    with store.transaction():
        store.delete_person(person_id)
        withdrawn = store.withdraw_quotes(terms)
        for d in store.decisions():
            if person_id in d.person_ids and d.snapshot is not None:
                store.put_decision(replace(d, snapshot=None))
        audit(store, "erase", person_id, detail=f"{withdrawn} quotes withdrawn", actor=actor)
    return withdrawn
