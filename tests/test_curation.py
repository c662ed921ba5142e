"""Review queue, merge and split, erasure and the audit log (genogram.curation), and the
store's curation operations, on every backend (the `store`/`backend` fixtures of conftest)."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extract.records import read_people, read_relationships
from genogram.assertions import PersonRecord
from genogram.curation import (
    accept_review,
    erase_person,
    merge_people,
    pending_reviews,
    reject_review,
    split,
)
from genogram.errors import InputError, StoreError
from genogram.model import (
    AuditEntry,
    Decision,
    Evidence,
    MatchDecision,
    PartialDate,
    Person,
    Relationship,
    RelType,
    Sex,
    SourceKey,
)
from genogram.resolve import ingest_records, resolve_reference
from genogram.snapshot import person_to_dict, relationship_to_dict
from genogram.store import WITHDRAWN_QUOTE, GraphStore
from graphstore.sqlite import SQLiteStore

if TYPE_CHECKING:
    from conftest import Backend

FIX = Path(__file__).resolve().parent.parent / "fixtures"


def load_csc(store: GraphStore) -> None:
    ingest_records(
        store,
        read_people(FIX / "csc_people.csv"),
        read_relationships(FIX / "csc_relationships.csv"),
    )


def state(store: GraphStore) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Everything a merge may change, in comparable form (list order ignored)."""

    def norm(p: Person) -> dict[str, object]:
        d = person_to_dict(p)
        for key in ("known_as", "addresses", "sources", "facts"):
            d[key] = sorted(map(repr, d[key]))  # type: ignore[call-overload]
        return d

    people = sorted((norm(p) for p in store.persons()), key=lambda d: str(d["id"]))
    rels = []
    for r in store.relationships():
        d = relationship_to_dict(r)
        d["evidence"] = sorted(map(repr, d["evidence"]))
        rels.append(d)
    return people, sorted(rels, key=repr)


# --------------------------------------------------------------------------- store operations


def test_delete_person_removes_everything_about_them(store: GraphStore) -> None:
    load_csc(store)
    kerry = resolve_reference(store, "CSC:1002")
    before = store.counts()
    touching = store.relationships_of(kerry.id)
    store.delete_person(kerry.id)
    assert store.get_person(kerry.id) is None
    assert store.find_by_source(SourceKey("CSC", "1002")) is None
    after = store.counts()
    assert after["persons"] == before["persons"] - 1
    assert after["relationships"] == before["relationships"] - len(touching)


def test_replace_person_overwrites_lists(store: GraphStore) -> None:
    p = Person("P1", "Ann", "Lee", known_as=["Annie"], sources=[SourceKey("A", "1")])
    store.put_person(p)
    store.put_person(Person("P1", "Ann", "Lee", known_as=["Nan"], sources=[SourceKey("B", "2")]))
    store.replace_person(p)
    got = store.get_person("P1")
    assert got is not None
    assert got.known_as == ["Annie"] and got.sources == [SourceKey("A", "1")]
    assert store.find_by_source(SourceKey("B", "2")) is None


def test_withdraw_quotes_is_case_insensitive(store: GraphStore) -> None:
    store.put_person(Person("A", "Ann"))
    store.put_person(Person("B", "Bo"))
    ev = Evidence("N1", "notes", "m", quote="Her nan, ZOË Quill, visits.", span=(0, 5))
    other = Evidence("N2", "notes", "m", quote="Nothing to see.", span=(0, 5))
    store.put_relationship(Relationship(RelType.PARENT_OF, "A", "B", evidence=[ev, other]))
    assert store.withdraw_quotes(["zoë quill"]) == 1
    rel = next(store.relationships())
    assert sorted(e.quote or "" for e in rel.evidence) == sorted(
        ["Nothing to see.", WITHDRAWN_QUOTE]
    )


def test_audit_log_keeps_every_entry_in_order(backend: Backend) -> None:
    first = backend.open()
    other = backend.open()  # a second process appending to the same log
    try:
        first.append_audit(AuditEntry("2026-01-01T00:00:00+00:00", "sw1", "view", "P1", "ok"))
        other.append_audit(AuditEntry("2026-01-01T00:00:00+00:00", "sw2", "view", None, "ok"))
        with first.transaction():
            first.append_audit(
                AuditEntry("2026-01-01T00:00:01+00:00", "sw1", "export", "P1", "ok", "pdf")
            )
            assert [e.actor for e in first.audit_entries()] == ["sw1", "sw2", "sw1"]
        with pytest.raises(RuntimeError), first.transaction():
            first.append_audit(AuditEntry("2026-01-01T00:00:02+00:00", "x", "view", None, "ok"))
            raise RuntimeError
    finally:
        first.close()
        other.close()
    reopened = backend.open()
    try:
        log = reopened.audit_entries()
    finally:
        reopened.close()
    assert [(e.actor, e.action, e.subject, e.detail) for e in log] == [
        ("sw1", "view", "P1", None),
        ("sw2", "view", None, None),
        ("sw1", "export", "P1", "pdf"),
    ]


def test_sqlite_audit_log_refuses_changes(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "g.db")
    store.append_audit(AuditEntry("2026-01-01T00:00:00+00:00", "sw1", "view", "P1", "ok"))
    store.append_audit(AuditEntry("2026-01-01T00:00:01+00:00", "sw1", "export", "P1", "ok", "pdf"))
    con = sqlite3.connect(tmp_path / "g.db")
    try:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute("UPDATE audit SET actor = 'x'")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute("DELETE FROM audit")
    finally:
        con.close()
    assert len(store.audit_entries()) == 2
    store.close()


def _family(store: GraphStore) -> None:
    """Mum (M), child (C), dad (D) and a match decision naming D."""
    store.put_person(Person("M", "Ann", "Lee", sources=[SourceKey("CSC", "1")]))
    store.put_person(Person("C", "Bea", "Lee", sources=[SourceKey("CSC", "2")]))
    store.put_person(Person("D", "Carl", "Moss", sources=[SourceKey("CSC", "3")]))
    store.put_relationship(Relationship(RelType.PARENT_OF, "M", "C", "birth"))
    store.put_relationship(Relationship(RelType.PARENT_OF, "D", "C", "birth"))
    store.put_relationship(Relationship(RelType.PARTNER_OF, "D", "M", "separated"))
    store.record_match(MatchDecision("D", "CSC:9", 0.7, "review", "fs", other_person_id="M"))


def _view(store: GraphStore) -> tuple[object, ...]:
    """What every read says about the family (for before/after comparisons)."""
    people, rels = store.neighbourhood("C", 2)
    return (
        [p.id for p in store.persons()],
        sorted(r.id for r in store.relationships()),
        sorted(r.id for r in store.relationships_of("C")),
        [p.id for p in people],
        sorted(r.id for r in rels),
        [p.id for p in store.find_by_name("carl")],
        store.find_by_source(SourceKey("CSC", "3")),
        len(store.matches()),
        store.counts(),
    )


def test_reads_in_a_transaction_see_its_deletions(store: GraphStore) -> None:
    _family(store)
    with store.transaction():
        store.delete_person("D")
        inside = _view(store)
        assert store.get_person("D") is None
        assert inside[0] == ["C", "M"]
        assert len(inside[1]) == 1 and inside[2] == inside[1]
        assert inside[3] == ["C", "M"] and inside[5] == [] and inside[6] is None
        assert inside[7] == 0
        counts = inside[8]
        assert isinstance(counts, dict)
        assert (counts["persons"], counts["relationships"], counts["matches"]) == (2, 1, 0)
    assert _view(store) == inside


def test_a_walk_in_a_transaction_skips_deleted_relationships(store: GraphStore) -> None:
    _family(store)
    store.put_person(Person("G", "Gil", "Moss"))
    store.put_relationship(Relationship(RelType.PARENT_OF, "G", "D", "birth"))
    with store.transaction():
        store.delete_relationship(Relationship(RelType.PARENT_OF, "D", "C", "birth").id)
        people, rels = store.neighbourhood("C", 2)
        assert [p.id for p in people] == ["C", "D", "M"]  # D only through M now
        assert len(rels) == 2
        store.delete_relationship(Relationship(RelType.PARTNER_OF, "D", "M", "separated").id)
        assert [p.id for p in store.neighbourhood("C", 3)[0]] == ["C", "M"]
    assert [p.id for p in store.neighbourhood("C", 3)[0]] == ["C", "M"]


def test_a_failed_block_undoes_its_deletions(store: GraphStore) -> None:
    _family(store)
    before = _view(store)
    with pytest.raises(RuntimeError), store.transaction():
        store.delete_person("D")
        store.delete_relationship(Relationship(RelType.PARENT_OF, "M", "C", "birth").id)
        raise RuntimeError
    assert _view(store) == before
    with store.transaction():
        with pytest.raises(RuntimeError), store.transaction():
            store.delete_person("M")
            raise RuntimeError
        store.delete_person("D")  # the outer block goes on and commits this
    assert [p.id for p in store.persons()] == ["C", "M"]


def test_a_record_key_moves_between_people_in_one_transaction(store: GraphStore) -> None:
    _family(store)
    with store.transaction():
        store.delete_person("D")
        store.put_person(Person("D2", "Carl", "Moss", sources=[SourceKey("CSC", "3")]))
        assert store.find_by_source(SourceKey("CSC", "3")) == "D2"
    assert store.find_by_source(SourceKey("CSC", "3")) == "D2"
    with store.transaction():  # and by replacing a person without it
        store.replace_person(Person("D2", "Carl", "Moss"))
        store.put_person(Person("E", "Carl", "Moss", sources=[SourceKey("CSC", "3")]))
    assert store.find_by_source(SourceKey("CSC", "3")) == "E"
    with pytest.raises(StoreError):
        store.replace_person(Person("M", "Ann", "Lee", sources=[SourceKey("CSC", "3")]))


def test_deleted_then_recreated_in_one_transaction(store: GraphStore) -> None:
    _family(store)
    with store.transaction():
        store.delete_person("D")
        store.put_person(Person("D", "Carl", "Moss"))
        store.put_relationship(Relationship(RelType.PARENT_OF, "D", "C", "birth"))
    d = store.get_person("D")
    assert d is not None and d.sources == []
    assert [r.type for r in store.relationships_of("D")] == [RelType.PARENT_OF]
    assert store.matches("D") == []


def test_relationship_to_a_person_deleted_in_the_batch_is_refused(store: GraphStore) -> None:
    _family(store)
    before = _view(store)
    with pytest.raises(StoreError), store.transaction():
        store.delete_person("D")
        store.put_relationship(Relationship(RelType.LIVES_WITH, "D", "C"))
    assert _view(store) == before


def test_decisions_keep_their_order_when_updated(store: GraphStore) -> None:
    first = Decision("d1", "merge", ("A", "B"), "sw1", "2026-01-01T00:00:00+00:00", "{}")
    store.put_decision(first)
    store.put_decision(Decision("d2", "reject", ("A", "C"), "sw1", "2026-01-01T00:00:00+00:00"))
    store.put_decision(replace(first, undone_by="d3"))
    got = store.decisions()
    assert [d.id for d in got] == ["d1", "d2"]
    assert got[0].undone_by == "d3" and got[0].person_ids == ("A", "B")
    assert got[0].snapshot == "{}"


# --------------------------------------------------------------------------- merge and split


def test_merge_then_split_restores_the_people(store: GraphStore) -> None:
    load_csc(store)
    before = state(store)
    riley = resolve_reference(store, "CSC:1004")
    jason = resolve_reference(store, "CSC:1005")
    decision = merge_people(store, riley.id, jason.id, actor="sw1")
    assert store.get_person(jason.id) is None
    merged = store.get_person(riley.id)
    assert merged is not None and SourceKey("CSC", "1005") in merged.sources
    assert state(store) != before
    split(store, decision.id, actor="sw2")
    assert state(store) == before
    log = store.audit_entries()
    assert [(e.action, e.actor) for e in log] == [("merge", "sw1"), ("split", "sw2")]
    merges = [d for d in store.decisions() if d.action == "merge"]
    assert merges[0].undone_by is not None
    with pytest.raises(InputError):
        split(store, decision.id)  # already undone


def test_split_keeps_relationships_added_after_the_merge(store: GraphStore) -> None:
    load_csc(store)
    linda = resolve_reference(store, "CSC:1006")
    thomas = resolve_reference(store, "CSC:1008")
    decision = merge_people(store, linda.id, thomas.id)
    store.put_person(Person("NEW", "Pat", "New"))
    store.put_relationship(Relationship(RelType.RELATES_TO, "NEW", linda.id, "close"))
    split(store, decision.id)
    assert any(r.from_id == "NEW" for r in store.relationships_of(linda.id))
    assert store.get_person(thomas.id) is not None


people_strategy = st.lists(
    st.builds(
        lambda n, y, s: (n, y, s),
        st.text(alphabet="abcdefghij", min_size=1, max_size=5),
        st.integers(1950, 2020),
        st.sampled_from(list(Sex)),
    ),
    min_size=3,
    max_size=6,
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(people_strategy, st.data())
def test_merge_then_split_is_identity(
    backend: Backend, people: list[tuple[str, int, Sex]], data: st.DataObject
) -> None:
    s = backend.fresh()
    try:
        ids = [f"P{i}" for i in range(len(people))]
        for pid, (name, year, sex) in zip(ids, people, strict=True):
            s.put_person(
                Person(
                    pid,
                    name,
                    "Fam",
                    sex=sex,
                    birth_date=PartialDate(year),
                    sources=[SourceKey("S", pid)],
                )
            )
        edges = data.draw(
            st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids)), max_size=8)
        )
        for a, b in edges:
            if a != b:
                ev = Evidence(f"doc-{a}-{b}", "S", "record")
                s.put_relationship(Relationship(RelType.PARTNER_OF, a, b, evidence=[ev]))
        before = state(s)
        keep, drop = data.draw(st.sampled_from([(a, b) for a in ids for b in ids if a != b]))
        decision = merge_people(s, keep, drop)
        split(s, decision.id)
        assert state(s) == before
    finally:
        s.close()


# --------------------------------------------------------------------------- review queue


def _doubtful_record(store: GraphStore) -> None:
    rec = PersonRecord(
        source="EDU",
        record_id="E-9",
        given_names="K",
        family_name="Hart",
        birth_date=PartialDate(1994),
        file="edu.csv",
        line=2,
    )
    ingest_records(store, [rec])


def test_doubtful_match_waits_for_review_then_accept(store: GraphStore) -> None:
    load_csc(store)
    _doubtful_record(store)
    items = pending_reviews(store)
    assert len(items) == 1
    kerry = resolve_reference(store, "CSC:1002")
    assert items[0].other_person_id == kerry.id
    assert 0.6 <= items[0].score < 0.85
    assert "family_name" in dict(items[0].evidence_for) or items[0].evidence_for
    decision = accept_review(store, items[0].id, actor="sw1")
    assert pending_reviews(store) == []
    merged = store.get_person(kerry.id)
    assert merged is not None and SourceKey("EDU", "E-9") in merged.sources
    split(store, decision.id)
    assert len(pending_reviews(store)) == 1  # undoing the accept puts the pair back


def test_reject_keeps_people_apart(store: GraphStore) -> None:
    load_csc(store)
    _doubtful_record(store)
    item = pending_reviews(store)[0]
    reject_review(store, item.id, actor="sw1")
    assert pending_reviews(store) == []
    assert store.get_person(item.person_id) is not None
    assert store.decisions()[-1].action == "reject"
    with pytest.raises(InputError):
        reject_review(store, item.id)


# --------------------------------------------------------------------------- erasure


def test_erase_removes_person_and_their_quotes(store: GraphStore) -> None:
    load_csc(store)
    craig = Person("CR", "Craig", "Bennett", sources=[SourceKey("HOUSING", "H-203")])
    store.put_person(craig)
    kerry = resolve_reference(store, "CSC:1002")
    amelia = resolve_reference(store, "CSC:1001")
    quote = "Mum said Craig Bennett moved in."
    store.put_relationship(
        Relationship(
            RelType.PARENT_OF,
            kerry.id,
            amelia.id,
            "birth",
            evidence=[Evidence("N-1", "notes", "spacy", quote=quote, span=(0, 3))],
        )
    )
    store.put_relationship(Relationship(RelType.PARTNER_OF, "CR", kerry.id, "cohabiting"))
    d = merge_people(store, kerry.id, "CR")  # a snapshot now holds Craig's details
    split(store, d.id)
    withdrawn = erase_person(store, "CR", actor="dpo")
    assert withdrawn == 1
    assert store.get_person("CR") is None
    assert store.find_by_source(SourceKey("HOUSING", "H-203")) is None
    dump = "\n".join(
        repr(x)
        for x in [*store.persons(), *store.relationships(), *store.decisions(), *store.matches()]
    )
    assert "Craig" not in dump and "Bennett" not in dump
    last = store.audit_entries()[-1]
    assert (last.action, last.subject, last.actor) == ("erase", "CR", "dpo")
    assert "Craig" not in repr(store.audit_entries())


def test_closed_store_is_a_store_error(backend: Backend) -> None:
    s = backend.open()
    s.close()
    with pytest.raises(StoreError):
        s.audit_entries()


def test_age_is_unknown_for_the_implausibly_old() -> None:
    from datetime import date

    on = date(2026, 11, 24)
    assert Person("a", birth_date=PartialDate(1908)).age_on(on) is None
    assert Person("a", birth_date=PartialDate(1930, 5, 1)).age_on(on) == 96
    dead = Person("b", birth_date=PartialDate(1908, 1, 1), death_date=PartialDate(1990, 6, 1))
    assert dead.age_on(on) == 82
    assert Person("c", birth_date=PartialDate(1950), deceased=True).age_on(on) is None
