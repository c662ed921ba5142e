"""Review queue, merge and split, erasure and the audit log (genogram.curation) on SQLite."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

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
    Evidence,
    PartialDate,
    Person,
    Relationship,
    RelType,
    Sex,
    SourceKey,
)
from genogram.resolve import ingest_records, resolve_reference
from genogram.snapshot import person_to_dict, relationship_to_dict
from genogram.store import WITHDRAWN_QUOTE
from graphstore.sqlite import SQLiteStore

FIX = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    s = SQLiteStore(tmp_path / "g.db")
    yield s
    s.close()


def load_csc(store: SQLiteStore) -> None:
    ingest_records(
        store,
        read_people(FIX / "csc_people.csv"),
        read_relationships(FIX / "csc_relationships.csv"),
    )


def state(store: SQLiteStore) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
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


def test_delete_person_removes_everything_about_them(store: SQLiteStore) -> None:
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


def test_replace_person_overwrites_lists(store: SQLiteStore) -> None:
    p = Person("P1", "Ann", "Lee", known_as=["Annie"], sources=[SourceKey("A", "1")])
    store.put_person(p)
    store.put_person(Person("P1", "Ann", "Lee", known_as=["Nan"], sources=[SourceKey("B", "2")]))
    store.replace_person(p)
    got = store.get_person("P1")
    assert got is not None
    assert got.known_as == ["Annie"] and got.sources == [SourceKey("A", "1")]
    assert store.find_by_source(SourceKey("B", "2")) is None


def test_withdraw_quotes_is_case_insensitive(store: SQLiteStore) -> None:
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


def test_audit_log_is_append_only(store: SQLiteStore, tmp_path: Path) -> None:
    store.append_audit(AuditEntry("2026-01-01T00:00:00+00:00", "sw1", "view", "P1", "ok"))
    store.append_audit(AuditEntry("2026-01-01T00:00:01+00:00", "sw1", "export", "P1", "ok", "pdf"))
    assert [e.action for e in store.audit_entries()] == ["view", "export"]
    con = sqlite3.connect(tmp_path / "g.db")
    try:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute("UPDATE audit SET actor = 'x'")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute("DELETE FROM audit")
    finally:
        con.close()
    assert len(store.audit_entries()) == 2


# --------------------------------------------------------------------------- merge and split


def test_merge_then_split_restores_the_people(store: SQLiteStore) -> None:
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


def test_split_keeps_relationships_added_after_the_merge(store: SQLiteStore) -> None:
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
    tmp_path: Path, people: list[tuple[str, int, Sex]], data: st.DataObject
) -> None:
    s = SQLiteStore(tmp_path / f"h{abs(hash(repr(people)))}.db")
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
        before = state(s)  # type: ignore[arg-type]
        keep, drop = data.draw(st.sampled_from([(a, b) for a in ids for b in ids if a != b]))
        decision = merge_people(s, keep, drop)
        split(s, decision.id)
        assert state(s) == before  # type: ignore[arg-type]
    finally:
        s.close()


# --------------------------------------------------------------------------- review queue


def _doubtful_record(store: SQLiteStore) -> None:
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


def test_doubtful_match_waits_for_review_then_accept(store: SQLiteStore) -> None:
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


def test_reject_keeps_people_apart(store: SQLiteStore) -> None:
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


def test_erase_removes_person_and_their_quotes(store: SQLiteStore) -> None:
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


def test_closed_store_is_a_store_error(tmp_path: Path) -> None:
    s = SQLiteStore(tmp_path / "c.db")
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
