"""The storage contract (genogram.store.GraphStore), written once and run on every backend.

Tests taking `store`/`backend` run once per entry of `conftest.BACKENDS` (SQLite, and Neo4j
through ArcadeDB's Bolt server); the tests at the end cover what only the SQLite backend has
(files, pragmas) and the URI dispatch. Neo4j-only behaviour is in test_neo4j_parity.py.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import Backend
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genogram.errors import StoreError
from genogram.model import (
    Address,
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
from genogram.store import GraphStore
from graphstore import SQLiteStore, open_store
from graphstore.sqlite import _NEIGHBOURHOOD_SQL, SCHEMA_VERSION

COUNT_KEYS = {"persons", "relationships", "evidence", "documents", "matches"}


def ev(document: str, span: tuple[int, int] | None = (0, 10), **kw: object) -> Evidence:
    """A note sentence (or, with span=None, a record) as evidence."""
    fields: dict[str, object] = {
        "system": "NOTES" if span is not None else "CSC",
        "method": "spacy:kinship" if span is not None else "record",
        "quote": "Quoted sentence." if span is not None else None,
        "span": span,
    }
    fields.update(kw)
    return Evidence(document, **fields)  # type: ignore[arg-type]


def kerry() -> Person:
    """A fully populated person: every field, partial dates, two sources, facts."""
    return Person(
        id="P-kerry",
        given_names="Kerry Louise",
        family_name="Hart",
        known_as=["Kez", "Kerry-Lou"],
        sex=Sex.FEMALE,
        birth_date=PartialDate(1994, 7, 2),
        death_date=PartialDate(2090, 3, approximate=True),
        deceased=False,
        addresses=[
            Address("1 Example Road, Testtown", "TT1 1AA", False, PartialDate(2020), None),
            Address(
                "Placement address",
                None,
                True,
                PartialDate(2021, 5, 1),
                PartialDate(2022, approximate=True),
            ),
        ],
        sources=[SourceKey("CSC", "1002"), SourceKey("HOUSING", "H-201")],
        implied=False,
        implied_label=None,
        facts=[
            Fact("birth_date", "1994-07-02", ev("CSC:1002", span=None, confidence=1.0)),
            Fact(
                "birth_date",
                "1994-02-07",
                ev(
                    "HOUSING:H-201",
                    span=None,
                    system="HOUSING",
                    date="2023-01-05",
                    author="import",
                    confidence=0.6,
                    asserted=(("warning", "day and month swapped"),),
                ),
            ),
            Fact("given_names", "Kerry", ev("note-7", span=(4, 9), author="SW 12")),
        ],
    )


def person(pid: str, given: str, family: str, sex: Sex = Sex.UNKNOWN, **kw: object) -> Person:
    """A minimal person."""
    return Person(id=pid, given_names=given, family_name=family, sex=sex, **kw)  # type: ignore[arg-type]


# A 3-generation family (Hart): ids name the people.
HART = [
    person("amelia", "Amelia", "Hart", Sex.FEMALE, birth_date=PartialDate(2015, 3, 14)),
    person("kerry", "Kerry Louise", "Hart", Sex.FEMALE),
    person("dean", "Dean", "Walsh", Sex.MALE),
    person("riley", "Riley", "Hart", Sex.MALE),
    person("jason", "Jason", "O'Connor", Sex.MALE),
    person("linda", "Linda", "Hart", Sex.FEMALE),
    person(
        "michael",
        "Michael",
        "Hart",
        Sex.MALE,
        known_as=["Mick"],
        deceased=True,
        death_date=PartialDate(2019, 6, 1),
    ),
    person("tom", "Thomas", "Hart", Sex.MALE, known_as=["Tom"]),
    person("sue", "Sue", "Walsh", Sex.FEMALE),
    person("craig", "Craig", "Bennett", Sex.MALE),
]
P, PA = RelType.PARENT_OF, RelType.PARTNER_OF
HART_RELS = [
    Relationship(P, "kerry", "amelia", "birth"),
    Relationship(P, "dean", "amelia", "birth"),
    Relationship(P, "kerry", "riley", "birth"),
    Relationship(P, "jason", "riley", "birth"),
    Relationship(P, "linda", "kerry", "birth"),
    Relationship(P, "michael", "kerry", "birth"),
    Relationship(P, "linda", "tom", "birth"),
    Relationship(P, "michael", "tom", "birth"),
    Relationship(P, "sue", "dean", "birth"),
    Relationship(PA, "kerry", "dean", "separated", end_date=PartialDate(2020)),
    Relationship(PA, "kerry", "jason", "separated"),
    Relationship(PA, "linda", "michael", "married"),
    Relationship(PA, "kerry", "craig", "cohabiting"),
]


def rel_id(a: str, b: str, rtype: RelType = P, kind: str | None = "birth") -> str:
    """The id of the relationship a -> b (kind ignored for partners)."""
    return Relationship(rtype, a, b, kind).id


@pytest.fixture
def hart(store: GraphStore) -> GraphStore:
    """The store holding the Hart family."""
    with store.transaction():
        for p in HART:
            store.put_person(p)
        for r in HART_RELS:
            store.put_relationship(r)
    return store


# ----------------------------------------------------------------------------- people


def test_full_person_round_trips(store: GraphStore) -> None:
    original = kerry()
    store.put_person(original)
    assert store.get_person("P-kerry") == original
    assert store.counts()["persons"] == 1


def test_implied_person_round_trips(store: GraphStore) -> None:
    gran = Person(id="P-gran", implied=True, implied_label="maternal grandmother, name unknown")
    store.put_person(gran)
    got = store.get_person("P-gran")
    assert got == gran
    assert got is not None and got.name is None and got.sex is Sex.UNKNOWN


def test_unknown_person_is_none(store: GraphStore) -> None:
    assert store.get_person("P-nobody") is None
    store.put_person(kerry())
    assert store.get_person("P-nobody") is None


def test_re_put_duplicates_nothing(store: GraphStore) -> None:
    store.put_person(kerry())
    before = store.counts()
    store.put_person(kerry())
    store.put_person(kerry())
    got = store.get_person("P-kerry")
    assert got == kerry()
    assert got is not None
    assert len(got.sources) == 2 and len(got.addresses) == 2 and len(got.facts) == 3
    assert store.counts() == before


def test_re_put_adds_lists_and_replaces_scalars(store: GraphStore) -> None:
    store.put_person(kerry())
    new_fact = Fact("family_name", "Hart", ev("note-9", span=(0, 4)))
    update = Person(
        id="P-kerry",
        given_names="Kerry",
        family_name="Hart",
        known_as=["Kez", "KL"],
        sex=Sex.UNKNOWN,
        birth_date=None,
        death_date=None,
        deceased=True,
        addresses=[Address("2 Other Street", "TT2 2BB")],
        sources=[SourceKey("HOUSING", "H-201"), SourceKey("ASC", "77")],
        implied=True,
        implied_label="label",
        facts=[kerry().facts[0], new_fact],
    )
    store.put_person(update)
    got = store.get_person("P-kerry")
    assert got is not None
    # scalars replaced, even by None
    assert (got.given_names, got.sex, got.birth_date, got.death_date) == (
        "Kerry",
        Sex.UNKNOWN,
        None,
        None,
    )
    assert (got.deceased, got.implied, got.implied_label) == (True, True, "label")
    # lists added to, in first-seen order, without duplicates
    assert got.known_as == ["Kez", "Kerry-Lou", "KL"]
    assert got.sources == [*kerry().sources, SourceKey("ASC", "77")]
    assert [a.text for a in got.addresses] == [
        "1 Example Road, Testtown",
        "Placement address",
        "2 Other Street",
    ]
    assert got.facts == [*kerry().facts, new_fact]


def test_same_fact_from_another_document_is_kept_beside(store: GraphStore) -> None:
    first = Fact("sex", "female", ev("note-1"))
    second = Fact("sex", "female", ev("note-2"))
    store.put_person(Person(id="P1", facts=[first]))
    store.put_person(Person(id="P1", facts=[second, first]))
    got = store.get_person("P1")
    assert got is not None and got.facts == [first, second]


def test_repeated_address_becomes_confidential(store: GraphStore) -> None:
    addr = Address("Carer's home", "TT3 3CC", confidential=False)
    store.put_person(Person(id="P1", addresses=[addr]))
    store.put_person(Person(id="P1", addresses=[replace(addr, confidential=True)]))
    store.put_person(Person(id="P1", addresses=[addr]))  # never loses the flag again
    got = store.get_person("P1")
    assert got is not None
    assert got.addresses == [replace(addr, confidential=True)]


def test_source_key_of_another_person_is_refused(store: GraphStore) -> None:
    store.put_person(kerry())
    before = store.counts()
    intruder = person("P-other", "Secretname", "Surname", sources=[SourceKey("CSC", "1002")])
    with pytest.raises(StoreError) as err:
        store.put_person(intruder)
    message = str(err.value)
    assert "CSC:1002" in message and "P-kerry" in message
    assert "Secretname" not in message and "Surname" not in message
    assert store.get_person("P-other") is None  # nothing half-written
    assert store.counts() == before
    assert store.find_by_source(SourceKey("CSC", "1002")) == "P-kerry"


def test_source_key_of_another_person_in_a_batch_rejects_the_batch(
    backend: Backend, store: GraphStore
) -> None:
    store.put_person(Person(id="owner", sources=[SourceKey("CSC", "1")]))
    # another connection, so nothing about the key is known inside the batch: a backend may
    # refuse at the put or when the batch commits, but the whole batch is refused
    other = backend.open()
    try:
        with pytest.raises(StoreError, match="CSC:1") as err, other.transaction():
            other.put_person(Person(id="first"))
            other.put_person(Person(id="intruder", sources=[SourceKey("CSC", "1")]))
        assert "owner" in str(err.value)
        assert other.get_person("first") is None and other.get_person("intruder") is None
        assert other.find_by_source(SourceKey("CSC", "1")) == "owner"
    finally:
        other.close()


def test_find_by_source(store: GraphStore) -> None:
    store.put_person(kerry())
    assert store.find_by_source(SourceKey("CSC", "1002")) == "P-kerry"
    assert store.find_by_source(SourceKey("HOUSING", "H-201")) == "P-kerry"
    assert store.find_by_source(SourceKey("CSC", "9999")) is None
    assert store.find_by_source(SourceKey("HOUSING", "1002")) is None


def test_persons_in_id_order(store: GraphStore) -> None:
    ids = [f"P{n:05d}" for n in range(1234)]
    with store.transaction():
        for pid in reversed(ids):
            store.put_person(Person(id=pid, sources=[SourceKey("T", pid)]))
    listed = list(store.persons())
    assert [p.id for p in listed] == ids
    assert all(p.sources == [SourceKey("T", p.id)] for p in listed)


def test_persons_of_empty_store(store: GraphStore) -> None:
    assert list(store.persons()) == []
    assert list(store.relationships()) == []
    assert store.documents() == [] and store.matches() == []
    assert store.counts() == dict.fromkeys(COUNT_KEYS, 0)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("hart", ["amelia", "kerry", "linda", "michael", "riley", "tom"]),
        ("Kerry Hart", ["kerry"]),
        ("HART kerry", ["kerry"]),
        ("kerry louise hart", ["kerry"]),
        ("ker", ["kerry"]),  # word prefix
        ("erry", []),  # not a word prefix
        ("mick", ["michael"]),  # known-as
        ("mick hart", ["michael"]),
        ("tom hart", ["tom"]),
        ("walsh", ["dean", "sue"]),
        ("oconnor", ["jason"]),  # apostrophes ignored
        ("O'Connor", ["jason"]),
        ("o\u2019connor", ["jason"]),
        ("amelia walsh", []),
        ("nobody", []),
        ("", []),
        ("  ", []),
    ],
)
def test_find_by_name(hart: GraphStore, query: str, expected: list[str]) -> None:
    assert [p.id for p in hart.find_by_name(query)] == expected


def test_find_by_name_hyphens_and_accents(store: GraphStore) -> None:
    store.put_person(person("zofia", "Zofia", "Nowak-Evans", Sex.FEMALE))
    store.put_person(person("zoe", "Zoë", "Smith", Sex.FEMALE))
    assert [p.id for p in store.find_by_name("evans")] == ["zofia"]
    assert [p.id for p in store.find_by_name("Zofia Nowak-Evans")] == ["zofia"]
    assert [p.id for p in store.find_by_name("zofia nowak evans")] == ["zofia"]
    assert [p.id for p in store.find_by_name("zoe")] == ["zoe"]
    assert [p.id for p in store.find_by_name("ZOË SMITH")] == ["zoe"]
    found = store.find_by_name("zofia")
    assert found == [person("zofia", "Zofia", "Nowak-Evans", Sex.FEMALE)]


def test_find_by_name_sees_added_aliases(store: GraphStore) -> None:
    store.put_person(person("kasia", "Katarzyna", "Nowak", Sex.FEMALE))
    assert store.find_by_name("kasia") == []
    store.put_person(person("kasia", "Katarzyna", "Nowak", Sex.FEMALE, known_as=["Kasia"]))
    assert [p.id for p in store.find_by_name("kasia nowak")] == ["kasia"]


# ----------------------------------------------------------------------------- relationships


def test_relationship_round_trips(store: GraphStore) -> None:
    store.put_person(Person(id="a"))
    store.put_person(Person(id="b"))
    rel = Relationship(
        RelType.SIBLING_OF,
        "b",
        "a",
        "full",
        certainty="alleged",
        start_date=PartialDate(2011, 12, 1),
        end_date=PartialDate(2030, approximate=True),
        twin="identical",
        evidence=[
            ev("note-1", asserted=(("kind", "full"), ("twin", "identical"))),
            ev("CSC:3001", span=None),
        ],
    )
    assert store.put_relationship(rel) == rel.id
    got = store.get_relationship(rel.id)
    assert got == rel
    assert got is not None and (got.from_id, got.to_id) == ("a", "b")
    assert store.get_relationship("R-nothing") is None


def test_relationship_needs_stored_people(store: GraphStore) -> None:
    store.put_person(Person(id="a"))
    before = store.counts()
    with pytest.raises(StoreError, match="ghost"):
        store.put_relationship(Relationship(P, "a", "ghost", "birth", evidence=[ev("n")]))
    assert store.counts() == before


def test_relationship_to_a_missing_person_in_a_batch_rejects_the_batch(
    store: GraphStore,
) -> None:
    store.put_person(Person(id="a"))
    before = store.counts()
    # a backend may refuse at the put or when the batch commits; either way nothing is written
    with pytest.raises(StoreError, match="ghost"), store.transaction():
        store.put_person(Person(id="b"))
        store.put_relationship(Relationship(P, "a", "b", "birth"))
        store.put_relationship(Relationship(P, "a", "ghost", "birth", evidence=[ev("n")]))
    assert store.counts() == before
    assert store.get_person("b") is None


def test_symmetric_relationship_stored_once(store: GraphStore) -> None:
    for pid in ("kerry", "dean"):
        store.put_person(Person(id=pid))
    one = store.put_relationship(Relationship(PA, "kerry", "dean", "married", evidence=[ev("n1")]))
    two = store.put_relationship(Relationship(PA, "dean", "kerry", "married", evidence=[ev("n2")]))
    assert one == two
    rels = list(store.relationships())
    assert len(rels) == 1
    assert (rels[0].from_id, rels[0].to_id) == ("dean", "kerry")
    assert [e.document for e in rels[0].evidence] == ["n1", "n2"]
    assert store.counts()["relationships"] == 1 and store.counts()["evidence"] == 2


def test_evidence_accumulates_without_duplicates(store: GraphStore) -> None:
    for pid in ("kerry", "amelia"):
        store.put_person(Person(id=pid))
    rel = Relationship(P, "kerry", "amelia", "birth")
    from_record = ev("CSC:1002", span=None)
    from_note = ev("note-1", span=(10, 52), quote="Kerry is Amelia's mum.", confidence=0.8)
    store.put_relationship(replace(rel, evidence=[from_record]))
    store.put_relationship(replace(rel, evidence=[from_note]))
    store.put_relationship(replace(rel, evidence=[from_note, from_record]))
    # same sentence, re-read later: the same evidence, refreshed rather than duplicated
    refreshed = replace(from_note, confidence=0.9)
    store.put_relationship(replace(rel, evidence=[refreshed]))
    # same note, another sentence: a second piece of evidence
    other_sentence = ev("note-1", span=(60, 90))
    store.put_relationship(replace(rel, evidence=[other_sentence]))
    got = store.get_relationship(rel.id)
    assert got is not None
    assert got.evidence == [from_record, refreshed, other_sentence]
    assert store.counts()["evidence"] == 3 and store.counts()["relationships"] == 1


def test_attributes_replaced_evidence_kept(store: GraphStore) -> None:
    for pid in ("kerry", "dean"):
        store.put_person(Person(id=pid))
    first = Relationship(
        PA, "kerry", "dean", "married", start_date=PartialDate(2014), evidence=[ev("n1")]
    )
    store.put_relationship(first)
    second = Relationship(
        PA,
        "kerry",
        "dean",
        "separated",
        certainty="disputed",
        end_date=PartialDate(2020, 3),
        evidence=[ev("n2")],
    )
    assert second.id == first.id
    store.put_relationship(second)
    got = store.get_relationship(first.id)
    assert got is not None
    assert (got.kind, got.certainty, got.start_date, got.end_date) == (
        "separated",
        "disputed",
        None,
        PartialDate(2020, 3),
    )
    assert [e.document for e in got.evidence] == ["n1", "n2"]


def test_relationships_and_relationships_of(hart: GraphStore) -> None:
    all_rels = list(hart.relationships())
    assert [r.id for r in all_rels] == sorted(r.id for r in HART_RELS)
    assert {r.id: r for r in all_rels} == {r.id: r for r in HART_RELS}
    of_kerry = hart.relationships_of("kerry")
    assert [r.id for r in of_kerry] == sorted(
        [
            rel_id("kerry", "amelia"),
            rel_id("kerry", "riley"),
            rel_id("linda", "kerry"),
            rel_id("michael", "kerry"),
            rel_id("kerry", "dean", PA, None),
            rel_id("kerry", "jason", PA, None),
            rel_id("kerry", "craig", PA, None),
        ]
    )
    assert [r.id for r in hart.relationships_of("sue")] == [rel_id("sue", "dean")]
    assert hart.relationships_of("nobody") == []


def _ids(result: tuple[list[Person], list[Relationship]]) -> tuple[set[str], set[str]]:
    people, rels = result
    return {p.id for p in people}, {r.id for r in rels}


def test_neighbourhood_hops(hart: GraphStore) -> None:
    assert _ids(hart.neighbourhood("amelia", 0)) == ({"amelia"}, set())
    assert _ids(hart.neighbourhood("amelia", 1)) == (
        {"amelia", "kerry", "dean"},
        {rel_id("kerry", "amelia"), rel_id("dean", "amelia"), rel_id("kerry", "dean", PA, None)},
    )
    people, rels = hart.neighbourhood("amelia", 2)
    assert {p.id for p in people} == {
        "amelia",
        "kerry",
        "dean",
        "riley",
        "jason",
        "linda",
        "michael",
        "craig",
        "sue",
    }
    # every edge among them, including those between two people at distance 2
    assert {r.id for r in rels} == {r.id for r in HART_RELS} - {
        rel_id("linda", "tom"),
        rel_id("michael", "tom"),
    }
    assert rel_id("linda", "michael", PA, None) in {r.id for r in rels}
    assert [p.id for p in people] == sorted(p.id for p in people)
    michael = next(p for p in people if p.id == "michael")
    assert michael == next(p for p in HART if p.id == "michael")
    assert _ids(hart.neighbourhood("amelia", 3))[0] == {p.id for p in HART}
    assert _ids(hart.neighbourhood("tom", 1)) == (
        {"tom", "linda", "michael"},
        {rel_id("linda", "tom"), rel_id("michael", "tom"), rel_id("linda", "michael", PA, None)},
    )


def test_neighbourhood_of_unknown_or_isolated(hart: GraphStore) -> None:
    assert hart.neighbourhood("nobody", 2) == ([], [])
    hart.put_person(Person(id="alone"))
    assert _ids(hart.neighbourhood("alone", 2)) == ({"alone"}, set())


# ----------------------------------------------------------------------------- transactions


def test_transaction_rolls_back_everything(hart: GraphStore) -> None:
    before = hart.counts()
    with pytest.raises(RuntimeError, match="boom"), hart.transaction():
        hart.put_person(Person(id="new-person"))
        hart.put_relationship(Relationship(P, "new-person", "amelia", "foster"))
        hart.put_relationship(replace(HART_RELS[0], evidence=[ev("n-extra")]))
        hart.put_document(Document("note-x", "NOTES"))
        hart.record_match(MatchDecision("kerry", "HOUSING:H-201", 0.9, "merge", "record"))
        raise RuntimeError("boom")
    assert hart.counts() == before
    assert hart.get_person("new-person") is None
    assert hart.get_relationship(HART_RELS[0].id) == HART_RELS[0]


def test_nested_transactions(store: GraphStore) -> None:
    with store.transaction():
        store.put_person(Person(id="outer"))
        with store.transaction():
            store.put_person(Person(id="inner"))
        with pytest.raises(ValueError), store.transaction():
            store.put_person(Person(id="failed-inner"))
            raise ValueError("inner fails")
        store.put_person(Person(id="after"))
    assert [p.id for p in store.persons()] == ["after", "inner", "outer"]

    with pytest.raises(KeyError), store.transaction():
        store.put_person(Person(id="outer2"))
        with store.transaction():
            store.put_person(Person(id="inner2"))
        raise KeyError("outer fails")
    assert [p.id for p in store.persons()] == ["after", "inner", "outer"]


def test_commits_are_visible_to_other_connections(backend: Backend, store: GraphStore) -> None:
    other = backend.open()
    try:
        store.put_person(Person(id="solo"))  # outside a transaction: committed at once
        assert other.get_person("solo") == Person(id="solo")
        with store.transaction():
            store.put_person(Person(id="batched"))
            assert store.get_person("batched") == Person(id="batched")
            assert other.get_person("batched") is None  # not before the commit
        assert other.get_person("batched") == Person(id="batched")
    finally:
        other.close()


# ----------------------------------------------------------------------------- documents, matches


def test_documents_upsert(store: GraphStore) -> None:
    store.put_document(Document("note-2", "NOTES", "CSC:1001", "2024-01-02", "SW 1"))
    store.put_document(Document("note-1", "NOTES"))
    changed = Document("note-2", "NOTES", "amelia", "2024-01-03", None, "ab" * 32)
    store.put_document(changed)
    assert store.documents() == [Document("note-1", "NOTES"), changed]
    assert store.counts()["documents"] == 2


def test_matches_upsert_and_filter(store: GraphStore) -> None:
    review = MatchDecision(
        "P-new",
        "HOUSING:H-204",
        0.82,
        "review",
        "record",
        (("name", 0.9), ("birth_date", 1.0)),
        "P-linda",
    )
    store.record_match(MatchDecision("P-kerry", "HOUSING:H-201", 0.7, "review", "record"))
    store.record_match(review)
    merged = MatchDecision("P-kerry", "HOUSING:H-201", 0.95, "merge", "record", (("name", 1.0),))
    store.record_match(merged)
    assert store.matches() == [merged, review]  # by person id, then candidate
    assert store.counts()["matches"] == 2
    assert store.matches("P-kerry") == [merged]
    assert store.matches("P-new") == [review]
    assert store.matches("P-linda") == [review]  # the other side of a review pair
    assert store.matches("P-nobody") == []


def test_counts_keys(hart: GraphStore) -> None:
    hart.put_relationship(replace(HART_RELS[0], evidence=[ev("n1"), ev("n2")]))
    hart.put_document(Document("n1", "NOTES"))
    counts = hart.counts()
    assert set(counts) == COUNT_KEYS
    assert counts == {
        "persons": len(HART),
        "relationships": len(HART_RELS),
        "evidence": 2,
        "documents": 1,
        "matches": 0,
    }


# ----------------------------------------------------------------------------- lifecycle


def test_persists_across_close_and_reopen(backend: Backend) -> None:
    first = backend.open()
    first.put_person(kerry())
    for p in HART:
        first.put_person(p)
    for r in HART_RELS:
        first.put_relationship(replace(r, evidence=[ev("n1")]))
    first.put_document(Document("n1", "NOTES", "amelia"))
    first.record_match(MatchDecision("kerry", "HOUSING:H-201", 0.9, "merge", "record"))
    snapshot = (
        list(first.persons()),
        list(first.relationships()),
        first.documents(),
        first.matches(),
        first.counts(),
    )
    first.close()
    with pytest.raises(StoreError):
        first.get_person("kerry")
    first.close()  # closing twice is harmless

    second = backend.open()
    try:
        assert (
            list(second.persons()),
            list(second.relationships()),
            second.documents(),
            second.matches(),
            second.counts(),
        ) == snapshot
        assert second.find_by_source(SourceKey("HOUSING", "H-201")) == "P-kerry"
    finally:
        second.close()


def test_newer_schema_is_refused(backend: Backend) -> None:
    backend.open().close()
    backend.set_schema_version(SCHEMA_VERSION + 1)
    with pytest.raises(StoreError, match="newer"):
        backend.open()
    backend.set_schema_version(SCHEMA_VERSION)
    s = backend.open()
    s.close()


# ----------------------------------------------------------------------------- properties

_awkward = st.sampled_from(
    [
        "O'Brien",
        'say "hi"',
        "line\nbreak\r\n",
        "tab\there",
        "Zoë Łukasz Ólafsdóttir",
        "Robert'); DROP TABLE persons;--",
        "%_\\",
        "nul\x00byte",
        "😀",
        "",
    ]
)
_text = st.one_of(st.text(max_size=25), _awkward)
_opt_text = st.none() | _text


@st.composite
def _partial_dates(draw: st.DrawFn) -> PartialDate:
    year = draw(st.integers(1000, 9999))
    month = draw(st.none() | st.integers(1, 12))
    day = None if month is None else draw(st.none() | st.integers(1, 28))
    return PartialDate(year, month, day, draw(st.booleans()))


_opt_date = st.none() | _partial_dates()


@st.composite
def _evidence(draw: st.DrawFn) -> Evidence:
    span = draw(
        st.none()
        | st.tuples(st.integers(0, 10**6), st.integers(0, 10**6)).map(lambda t: (min(t), max(t)))
    )
    return Evidence(
        document=draw(_text),
        system=draw(_text),
        method=draw(_text),
        quote=draw(_opt_text),
        span=span,
        date=draw(_opt_text),
        author=draw(_opt_text),
        confidence=draw(st.floats(0.0, 1.0, allow_nan=False)),
        asserted=tuple(draw(st.lists(st.tuples(_text, _text), max_size=3))),
    )


_addresses = st.builds(
    Address,
    text=_text,
    postcode=_opt_text,
    confidential=st.booleans(),
    start=_opt_date,
    end=_opt_date,
)
_facts = st.builds(Fact, field=_text, value=_text, evidence=_evidence())

_persons = st.builds(
    Person,
    id=_text,
    given_names=_opt_text,
    family_name=_opt_text,
    known_as=st.lists(_text, max_size=4, unique=True),
    sex=st.sampled_from(Sex),
    birth_date=_opt_date,
    death_date=_opt_date,
    deceased=st.booleans(),
    addresses=st.lists(
        _addresses, max_size=3, unique_by=lambda a: (a.text, a.postcode, a.start, a.end)
    ),
    sources=st.lists(st.builds(SourceKey, _text, _text), max_size=3, unique=True),
    implied=st.booleans(),
    implied_label=_opt_text,
    facts=st.lists(_facts, max_size=3, unique_by=lambda f: (f.field, f.value, f.evidence.key())),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(p=_persons)
def test_any_person_round_trips(backend: Backend, p: Person) -> None:
    s = backend.fresh()
    try:
        s.put_person(p)
        assert s.get_person(p.id) == p
        s.put_person(p)
        assert s.get_person(p.id) == p
        assert [q.id for q in s.persons()] == [p.id]
        for key in p.sources:
            assert s.find_by_source(key) == p.id
    finally:
        s.close()


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    evidence=st.lists(_evidence(), max_size=4, unique_by=lambda e: e.key()),
    rtype=st.sampled_from([RelType.RELATES_TO, RelType.LIVES_WITH]),
)
def test_any_evidence_round_trips(
    backend: Backend, evidence: list[Evidence], rtype: RelType
) -> None:
    s = backend.fresh()
    try:
        s.put_person(Person(id="a"))
        s.put_person(Person(id="b"))
        rel = Relationship(rtype, "b", "a", evidence=evidence)
        s.put_relationship(rel)
        assert s.get_relationship(rel.id) == rel
    finally:
        s.close()


# ----------------------------------------------------------------------------- SQLite only


def test_sqlite_pragmas_and_schema_version(tmp_path: Path) -> None:
    s = SQLiteStore(tmp_path / "g.db")
    try:
        db = s._db
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert db.execute("PRAGMA busy_timeout").fetchone()[0] == 10_000
        assert s.schema_version() == SCHEMA_VERSION >= 1
    finally:
        s.close()


def test_sqlite_migrates_an_empty_database(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    sqlite3.connect(path).close()
    with SQLiteStore(path) as s:
        assert s.schema_version() == SCHEMA_VERSION
        s.put_person(Person(id="a"))
        assert s.counts()["persons"] == 1


def test_sqlite_neighbourhood_uses_indexes_only(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "g.db") as s:
        plan = [
            row[3] for row in s._db.execute("EXPLAIN QUERY PLAN " + _NEIGHBOURHOOD_SQL, ("a", 2))
        ]
    assert any("INDEX relationships_from" in step for step in plan)
    assert any("INDEX relationships_to" in step for step in plan)
    assert not any(step in ("SCAN r", "SCAN relationships") for step in plan)


def test_sqlite_refuses_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Amelia lives with her mum Kerry.\n" * 200)
    with pytest.raises(StoreError) as err:
        open_store(path)
    assert str(path) in str(err.value)
    assert "Amelia" not in str(err.value)
    assert err.value.__cause__ is None and err.value.__suppress_context__
    assert path.read_text().startswith("Amelia lives")  # left untouched


def test_sqlite_refuses_a_missing_directory(tmp_path: Path) -> None:
    path = tmp_path / "no" / "such" / "dir" / "g.db"
    with pytest.raises(StoreError) as err:
        open_store(path)
    assert str(path) in str(err.value)
    assert not (tmp_path / "no").exists()


def test_sqlite_refuses_a_directory(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="directory"):
        open_store(tmp_path)


def test_open_store_dispatch(tmp_path: Path) -> None:
    s = open_store(str(tmp_path / "by-string.db"))
    try:
        assert isinstance(s, SQLiteStore)
    finally:
        s.close()
    assert (tmp_path / "by-string.db").exists()
    p = open_store(tmp_path / "by-path.db")
    try:
        assert isinstance(p, SQLiteStore)
        assert p.path == str(tmp_path / "by-path.db")
    finally:
        p.close()


@pytest.mark.parametrize(
    "uri",
    [
        "neo4j://user:s3cret@localhost",
        "bolt://:s3cret@localhost:7687",
        "bolt+s://admin:s3cret@db.example",
    ],
)
def test_open_store_refuses_credentials_in_the_uri(uri: str) -> None:
    with pytest.raises(StoreError, match="GENOGRAM_NEO4J_PASSWORD") as err:
        open_store(uri)
    assert "s3cret" not in str(err.value)
    assert err.value.__cause__ is None


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("bolt://", "names no host"),
        ("bolt://localhost:notaport", "not valid"),
        ("neo4j://localhost:7687/genogram", "GENOGRAM_NEO4J_DATABASE"),
        ("bolt://localhost:7687?database=x", "GENOGRAM_NEO4J_DATABASE"),
    ],
)
def test_open_store_refuses_malformed_bolt_uris(uri: str, expected: str) -> None:
    with pytest.raises(StoreError, match=expected):
        open_store(uri)


def test_open_store_names_an_unreachable_server(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound but not listening: connections are refused
        monkeypatch.setenv("GENOGRAM_NEO4J_USER", "someone")
        monkeypatch.setenv("GENOGRAM_NEO4J_PASSWORD", "pw-s3cret")
        with pytest.raises(StoreError, match="cannot reach") as err:
            open_store(f"BOLT://127.0.0.1:{port}")
    assert f"bolt://127.0.0.1:{port}" in str(err.value)
    assert "s3cret" not in str(err.value)


def test_open_store_password_without_user(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GENOGRAM_NEO4J_USER", raising=False)
    monkeypatch.setenv("GENOGRAM_NEO4J_PASSWORD", "s3cret")
    with pytest.raises(StoreError, match="GENOGRAM_NEO4J_USER") as err:
        open_store("bolt://127.0.0.1:7687")
    assert "s3cret" not in str(err.value)


@pytest.mark.parametrize("uri", ["http://example.org/db", "sqlite:///tmp/x.db", "ftp://x"])
def test_open_store_unknown_scheme(uri: str) -> None:
    with pytest.raises(StoreError, match="unsupported store scheme"):
        open_store(uri)
