"""The library pipeline on the fixtures: records, notes, matching and naming working together."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from extract.nlp import build_pipeline, extract_mentions
from extract.notes import read_notes
from extract.records import read_mapping_file, read_people, read_relationships
from genogram.assertions import Note
from genogram.query import Relative, relatives
from genogram.resolve import IngestReport, ingest_notes, ingest_records, resolve_reference
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
    return ingest_notes(store, notes, {n.id: extract_mentions(n, nlp) for n in notes})


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
