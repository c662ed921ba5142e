"""The library pipeline on the fixtures: records, notes, matching and naming working together."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from extract.nlp import build_pipeline, extract_note
from extract.notes import read_notes
from extract.records import read_mapping_file, read_people, read_relationships
from genogram.assertions import Note, PersonRecord, RelationshipRecord
from genogram.mentions import Party, RelationMention
from genogram.model import Relationship, RelType, Sex, SourceKey
from genogram.query import Relative, relatives
from genogram.resolve import (
    IngestReport,
    implied_stand_ins,
    ingest_notes,
    ingest_records,
    resolve_reference,
)
from genogram.store import GraphStore
from graphstore import open_store

FIX = Path(__file__).resolve().parent.parent / "fixtures"


def load_records(store: GraphStore) -> None:
    ingest_records(
        store,
        read_people(FIX / "csc_people.csv"),
        read_relationships(FIX / "csc_relationships.csv"),
    )
    ingest_records(
        store,
        read_people(
            FIX / "housing_people.csv",
            source="HOUSING",
            mapping=read_mapping_file(FIX / "housing.map"),
        ),
        read_relationships(FIX / "housing_relationships.csv"),
    )


def load_notes(store: GraphStore, notes: list[Note]) -> IngestReport:
    nlp = build_pipeline()
    return ingest_notes(store, notes, {n.id: extract_note(n, nlp) for n in notes})


@pytest.fixture
def store(tmp_path: Path) -> Iterator[GraphStore]:
    s = open_store(tmp_path / "g.db")
    yield s
    s.close()


@pytest.fixture
def loaded(store: GraphStore) -> GraphStore:
    load_records(store)
    load_notes(store, read_notes(FIX / "notes.jsonl"))
    return store


def by_name(rows: list[Relative]) -> dict[str | None, Relative]:
    return {r.name: r for r in rows}


def kin_of(store: GraphStore, subject: str) -> dict[str | None, str]:
    person = resolve_reference(store, subject)
    return {r.name: r.relationship for r in relatives(store, person.id)}


def test_each_childs_relatives_are_named(loaded: GraphStore) -> None:
    assert kin_of(loaded, "CSC:1001") == {
        "Kerry Louise Hart": "mother",
        "Dean Walsh": "father",
        "Riley Hart": "maternal half-brother",
        "Linda Hart": "maternal grandmother",
        "Michael Hart": "maternal grandfather",
        "Thomas Hart": "maternal uncle",
        "Craig Bennett": "mother's partner",
        "Jason O'Connor": "mother's ex-partner",
        "Sue Walsh": "paternal grandmother",
    }
    assert kin_of(loaded, "CSC:2001") == {
        "Katarzyna Nowak": "mother",
        "Gareth Evans": "father",
        "Jakub Nowak-Evans": "brother",
        "Krystyna Nowak": "maternal grandparent",
        "Tomasz Nowak": "maternal grandparent",
    }
    jayden = kin_of(loaded, "CSC:3001")
    assert jayden["Shannon O'Brien"] == "mother"
    assert jayden["Lee Parker"] == "father"
    assert jayden["Margaret O'Brien"] == "maternal grandmother"
    assert jayden["Ruby O'Brien"] == "sister"


def test_note_only_relative_carries_the_quoted_sentence(loaded: GraphStore) -> None:
    amelia = resolve_reference(loaded, "CSC:1001")
    sue = by_name(relatives(loaded, amelia.id))["Sue Walsh"]
    notes = {n.id: n for n in read_notes(FIX / "notes.jsonl")}
    quotes = [s for s in sue.sources if s.document == "N-1001-03"]
    assert quotes, sue.sources
    assert quotes[0].quote is not None and "paternal grandmother Sue Walsh" in quotes[0].quote
    assert quotes[0].quote in notes["N-1001-03"].text
    assert quotes[0].date == notes["N-1001-03"].date
    # The relationship to the father came from a note, so it is not "record" evidence.
    assert {s.method for s in quotes} == {"spacy:kinship"}


def test_evidence_span_points_at_the_name(loaded: GraphStore) -> None:
    notes = {n.id: n for n in read_notes(FIX / "notes.jsonl")}
    linda = resolve_reference(loaded, "CSC:1006")
    spans = [
        (ev.document, ev.span)
        for rel in loaded.relationships_of(linda.id)
        for ev in rel.evidence
        if ev.document == "N-1001-02"
        and ev.span is not None
        and ("term", "maternal grandmother") in ev.asserted
    ]
    assert spans
    for document, (start, end) in spans:
        assert notes[document].text[start:end] == "Linda Hart"


def test_alleged_father_stays_alleged(loaded: GraphStore) -> None:
    jayden = resolve_reference(loaded, "CSC:3001")
    lee = by_name(relatives(loaded, jayden.id))["Lee Parker"]
    assert lee.certainty == "alleged"
    assert any(s.document == "N-3001-02" for s in lee.sources)


def test_mention_matches_keep_their_scores(loaded: GraphStore) -> None:
    kerry = resolve_reference(loaded, "CSC:1002")
    decisions = loaded.matches(kerry.id)
    from_notes = [m for m in decisions if m.candidate.startswith("notes:")]
    assert from_notes, decisions
    assert all(m.decision == "merge" and 0.85 <= m.score <= 1.0 for m in from_notes)
    from_housing = [m for m in decisions if m.candidate == "HOUSING:H-201"]
    assert len(from_housing) == 1
    components = dict(from_housing[0].detail)
    assert "birth_date" in components


def test_reingesting_notes_changes_nothing(loaded: GraphStore) -> None:
    before = loaded.counts()
    report = load_notes(loaded, read_notes(FIX / "notes.jsonl"))
    assert loaded.counts() == before
    assert report.people_created == 0


def test_unnamed_relative_becomes_one_implied_person(store: GraphStore) -> None:
    load_records(store)
    notes = [
        Note(
            id="T-1",
            subject="CSC:2001",
            date="2025-01-10",
            author="SW Test",
            text="Zofia's paternal grandmother lives in Cardiff and phones weekly.",
        ),
        Note(
            id="T-2",
            subject="CSC:2001",
            date="2025-02-10",
            author="SW Test",
            text="Her paternal grandmother visited at half term.",
        ),
    ]
    report = load_notes(store, notes)
    assert report.implied_created == 1
    zofia = resolve_reference(store, "CSC:2001")
    implied = [r for r in relatives(store, zofia.id) if r.implied]
    assert len(implied) == 1
    assert implied[0].relationship == "paternal grandmother"
    assert implied[0].name is None
    assert {s.document for s in implied[0].sources} >= {"T-1", "T-2"}
    person = store.get_person(implied[0].person_id)
    assert person is not None and person.implied_label == "paternal grandmother"


def test_unclear_side_is_not_guessed(store: GraphStore) -> None:
    load_records(store)
    # Amelia's cousin: through Kerry's brother Thomas or through Dean's family? Unknown.
    note = Note(
        id="T-3",
        subject="CSC:1001",
        date="2025-03-01",
        author="SW Test",
        text="Amelia plays with her cousin Jade Lewis after school.",
    )
    before = store.counts()
    report = load_notes(store, [note])
    assert report.skipped_mentions == 1
    assert any("T-3" in w and "Jade" not in w for w in report.warnings)
    assert store.counts()["persons"] == before["persons"]


def test_missing_intermediate_parent_is_implied(store: GraphStore) -> None:
    load_records(store)
    # Nobody records Kasia's parents; the note names a great-grandmother through one of them.
    note = Note(
        id="T-4",
        subject="CSC:2001",
        date="2025-03-01",
        author="SW Test",
        text="Zofia's maternal great-grandmother Halina Nowak sends letters.",
    )
    load_notes(store, [note])
    zofia = resolve_reference(store, "CSC:2001")
    rows = by_name(relatives(store, zofia.id))
    assert rows["Halina Nowak"].relationship == "maternal great-grandmother"
    implied = [r for r in relatives(store, zofia.id) if r.implied]
    assert [r.relationship for r in implied] == ["maternal grandparent"]


def test_implied_relative_becomes_the_person_named_later(store: GraphStore) -> None:
    load_records(store)
    first = Note(
        id="T-5",
        subject="CSC:2001",
        date="2025-01-10",
        author="SW Test",
        text="Zofia's maternal grandfather is unwell and rarely leaves the house.",
    )
    second = Note(
        id="T-6",
        subject="CSC:2001",
        date="2025-03-10",
        author="SW Test",
        text="Zofia's maternal grandfather, Tomasz Nowak, came to the review.",
    )
    load_notes(store, [first])
    zofia = resolve_reference(store, "CSC:2001")
    implied = [r for r in relatives(store, zofia.id) if r.implied]
    assert [r.relationship for r in implied] == ["maternal grandfather"]
    report = load_notes(store, [second])
    assert report.people_created == 0
    rows = [r for r in relatives(store, zofia.id) if r.relationship == "maternal grandfather"]
    assert len(rows) == 1
    (tomasz,) = rows
    assert tomasz.person_id == implied[0].person_id  # the implied person became Tomasz
    assert tomasz.name == "Tomasz Nowak" and not tomasz.implied
    assert {s.document for s in tomasz.sources} >= {"T-5", "T-6"}


def test_unknown_sex_stand_in_is_not_named_after_one_parent(store: GraphStore) -> None:
    # "her grandmother" with no parents recorded implies a parent of unknown sex; naming
    # the mother later must not decide that this parent was the mother.
    ingest_records(
        store,
        [PersonRecord(source="T", record_id="1", given_names="Ann", family_name="Lee")],
    )
    notes = [
        Note(id="T-7", subject="T:1", date="2025-01-01", text="Ann's grandmother Rose visits."),
        Note(id="T-8", subject="T:1", date="2025-02-01", text="Mum (Kim Lee) attended."),
    ]
    load_notes(store, notes)
    ann = resolve_reference(store, "T:1")
    rows = by_name(relatives(store, ann.id))
    assert rows["Rose"].relationship == "grandmother"
    assert rows["Kim Lee"].relationship == "mother"


def test_records_naming_an_implied_person_are_planned_onto_it(store: GraphStore) -> None:
    child = PersonRecord(source="T", record_id="1", given_names="Ann", family_name="Lee")
    mother = PersonRecord(
        source="T", record_id="2", given_names="Kim", family_name="Lee", sex=Sex.FEMALE
    )
    ingest_records(store, [child, mother], [_rel("2", "mother", "1")])
    load_notes(
        store,
        [Note(id="T-9", subject="T:1", date="2025-01-01", text="Her maternal grandad is ill.")],
    )
    ann = resolve_reference(store, "T:1")
    (implied,) = [r for r in relatives(store, ann.id) if r.implied]
    grandad = PersonRecord(
        source="T", record_id="3", given_names="Ron", family_name="Lee", sex=Sex.MALE
    )
    aunt = PersonRecord(source="T", record_id="4", given_names="Sal", family_name="Lee")
    plan = implied_stand_ins(
        store, [grandad, aunt], [_rel("3", "father", "2"), _rel("4", "sister", "2")]
    )
    assert plan == {SourceKey("T", "3"): implied.person_id}
    # A mother row does not claim the implied grandfather (wrong sex), nor does a known record.
    assert implied_stand_ins(store, [grandad], [_rel("3", "mother", "2")]) == {}
    assert implied_stand_ins(store, [mother], [_rel("2", "father", "1")]) == {}


def _rel(source: str, word: str, target: str) -> RelationshipRecord:
    return RelationshipRecord(source="T", from_record=source, relationship=word, to_record=target)


def _edges(store: GraphStore, type_: RelType) -> list[Relationship]:
    return [r for r in store.relationships() if r.type is type_]


def test_households_and_safeguarding_lines_become_edges_with_evidence(
    store: GraphStore,
) -> None:
    load_records(store)
    note = Note(
        id="T-10",
        subject="CSC:3001",
        date="2025-04-01",
        author="SW Test",
        text=(
            "Jayden lives with his grandmother Peggy. "
            "There is a history of domestic abuse by Lee Parker towards Shannon. "
            "Jayden has had no contact with Lee Parker since 2019."
        ),
    )
    load_notes(store, [note])
    names = {p.id: p.name for p in store.persons()}
    homes = {
        frozenset((names[r.from_id], names[r.to_id])) for r in _edges(store, RelType.LIVES_WITH)
    }
    assert frozenset(("Jayden O'Brien", "Margaret O'Brien")) in homes
    lines = {
        (r.kind, names[r.from_id], names[r.to_id]): r for r in _edges(store, RelType.RELATES_TO)
    }
    abuse = lines[("domestic_abuse", "Lee Parker", "Shannon O'Brien")]
    assert ("cut_off", "Jayden O'Brien", "Lee Parker") in lines
    (ev,) = abuse.evidence
    assert ev.document == "T-10" and ev.quote is not None and "domestic abuse" in ev.quote
    assert ev.quote in note.text and ev.span is not None
    assert (ev.date, ev.author, ev.method) == ("2025-04-01", "SW Test", "spacy:relations")


def test_side_taken_from_the_family_name_is_alleged_and_reported(store: GraphStore) -> None:
    load_records(store)
    # Amelia's mother is Kerry Hart, her father Dean Walsh: "Walsh" places the cousin.
    note = Note(
        id="T-11",
        subject="CSC:1001",
        date="2025-04-01",
        text="Amelia plays with her cousin Kai Walsh after school.",
    )
    report = load_notes(store, [note])
    amelia = resolve_reference(store, "CSC:1001")
    kai = by_name(relatives(store, amelia.id))["Kai Walsh"]
    assert (kai.relationship, kai.certainty) == ("cousin", "alleged")
    assert any("T-11" in w and "family name" in w and "Kai" not in w for w in report.warnings)
    dean = resolve_reference(store, "CSC:1003")
    assert kai.person_id not in {p.id for p in store.neighbourhood(dean.id, 0)[0]}
    path_people = {p.id for p in store.neighbourhood(kai.person_id, 3)[0]}
    assert dean.id in path_people  # placed on the father's side


def test_twins_and_first_names_and_later_partner_status(store: GraphStore) -> None:
    ingest_records(
        store, [PersonRecord(source="T", record_id="1", given_names="Leo", family_name="Grant")]
    )
    notes = [
        Note(
            id="T-12",
            subject="T:1",
            date="2025-01-01",
            text=(
                "Leo and his twin brother Max were seen. Their mum, Lisa Grant, began a "
                "relationship with Carl Pike. Lisa's mother, Jean, helps. Lisa and Carl "
                "separated in 2024."
            ),
        )
    ]
    load_notes(store, notes)
    leo = resolve_reference(store, "T:1")
    rows = {r.name: r.relationship for r in relatives(store, leo.id)}
    assert rows["Max"] == "twin brother"
    assert rows["Jean"] == "maternal grandmother"  # "Lisa" is Lisa Grant, not a new person
    assert rows["Carl Pike"] == "mother's ex-partner"
    assert sum(1 for p in store.persons() if p.given_names == "Lisa") == 1


def test_relation_mentions_are_checked_and_unfound_parties_reported(store: GraphStore) -> None:
    with pytest.raises(ValueError):
        RelationMention(RelType.PARENT_OF, None, Party(), Party(name="X"), "n", "q", (0, 1), (0, 1))
    with pytest.raises(ValueError):
        RelationMention(
            RelType.RELATES_TO, "friendly", Party(), Party(name="X"), "n", "q", (0, 1), (0, 1)
        )
    load_records(store)
    note = Note(id="T-13", subject="CSC:1001", date="2025-01-01", text="Amelia lives with Mum.")
    lost = RelationMention(
        RelType.LIVES_WITH,
        None,
        Party(),
        Party(mention_span=(99, 100)),
        "T-13",
        "q",
        (7, 12),
        (0, 21),
    )
    report = ingest_notes(store, [note], {"T-13": [lost]})
    assert report.skipped_mentions == 1
    assert report.warnings == [
        "note T-13, characters 7-12: relation not linked: one of the people could not be "
        "found; review the note"
    ]


def test_a_later_record_takes_over_the_implied_person(store: GraphStore) -> None:
    load_records(store)
    note = Note(
        id="T-9",
        subject="CSC:2001",
        date="2025-01-10",
        author="SW Test",
        text="Zofia's maternal grandfather phones every Sunday.",
    )
    load_notes(store, [note])
    zofia = resolve_reference(store, "CSC:2001")
    implied = [r for r in relatives(store, zofia.id) if r.implied]
    assert [r.relationship for r in implied] == ["maternal grandfather"]
    from genogram.assertions import PersonRecord, RelationshipRecord
    from genogram.model import Sex

    grandad = PersonRecord("CSC", "2100", "Tomasz", "Nowak", sex=Sex.MALE, file="p.csv", line=2)
    link = RelationshipRecord("CSC", "2100", "father", "2002", file="r.csv", line=2)
    report = ingest_records(store, [grandad], [link])
    assert report.people_linked == 1 and report.people_created == 0
    rows = by_name(relatives(store, zofia.id))
    assert rows["Tomasz Nowak"].relationship == "maternal grandfather"
    assert rows["Tomasz Nowak"].person_id == implied[0].person_id
    assert not rows["Tomasz Nowak"].implied
    assert [r for r in relatives(store, zofia.id) if r.implied] == []
