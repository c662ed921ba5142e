"""The court bundle PDF (render/bundle.py), read back with pypdf: pages, markings, page
numbers, bookmarks, contents, the schedule's rows, and that withheld values appear nowhere
(text, bookmarks, metadata, XMP, raw streams), on the fixture family with a confidential
placement address (Ruby O'Brien CSC:3005, foster carer Janet Morris CSC:3004)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject
from typer.testing import CliRunner

from extract.nlp import build_pipeline, extract_mentions
from extract.notes import read_notes
from extract.records import read_mapping_file, read_people, read_relationships
from genogram.errors import InputError
from genogram.model import Address, Evidence, PartialDate, Person, Relationship, RelType, Sex
from genogram.query import relatives
from genogram.resolve import ingest_notes, ingest_records, resolve_reference
from genogram.store import GraphStore
from graphstore import open_store
from render.bundle import (
    PDF_AUTHOR,
    PDF_TITLE,
    SECTIONS,
    BundleOptions,
    BundleResult,
    Redactor,
    choose_genogram_page,
    write_bundle,
)

FIX = Path(__file__).resolve().parent.parent / "fixtures"
RUBY = "CSC:3005"
ON = date(2025, 3, 1)
MARK = "OFFICIAL-SENSITIVE"
CONFIDENTIAL = ("Flat 2", "41 Heron Court", "Heron Court", "Heron Ct", "ZZ4 8LN", "ZZ48LN")
FAMILY_NAMES = ("Ruby", "O'Brien", "Janet", "Morris", "Shannon", "Margaret", "Peggy", "Jayden")
FAMILY_NAMES += ("Lee", "Parker")
BIRTH_DATES = ("2016-08-19", "19 Aug 2016", "19/08/2016", "1970-05-05", "5 May 1970")
BIRTH_DATES += ("1 Dec 2011", "7 Jul 1961", "15 Mar 1993")


def load(store: GraphStore) -> None:
    """The fixtures as `genogram demo` ingests them: two record systems and the notes."""
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
    notes = read_notes(FIX / "notes.jsonl")
    nlp = build_pipeline()
    ingest_notes(store, notes, {n.id: extract_mentions(n, nlp) for n in notes})


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bundle") / "g.db"
    store = open_store(path)
    try:
        load(store)
    finally:
        store.close()
    return path


@pytest.fixture(scope="module")
def store(store_path: Path) -> Iterator[GraphStore]:
    s = open_store(store_path)
    yield s
    s.close()


@dataclass
class Bundle:
    """A written bundle and what pypdf reads back from it."""

    result: BundleResult
    reader: PdfReader
    texts: list[str]
    layouts: list[str]

    def outline(self) -> list[tuple[int, str, int]]:
        """(level, title, 1-based page) of every bookmark, in order."""
        found: list[tuple[int, str, int]] = []

        def walk(items: list[Any], level: int) -> None:
            for item in items:
                if isinstance(item, list):
                    walk(item, level + 1)
                else:
                    found.append(
                        (level, item.title, self.reader.get_destination_page_number(item) + 1)
                    )

        walk(self.reader.outline, 0)
        return found

    def page_of(self, title: str) -> int:
        return next(page for level, t, page in self.outline() if level == 0 and t == title)

    def all_strings(self) -> str:
        """Every string in the file's objects (metadata, bookmarks, annotations) and every
        decoded stream (content, XMP), joined: where a withheld value must not be."""
        parts: list[str] = []
        seen: set[int] = set()

        def visit(obj: Any) -> None:
            if isinstance(obj, IndirectObject):
                if obj.idnum in seen:
                    return
                seen.add(obj.idnum)
                obj = obj.get_object()
            if isinstance(obj, StreamObject):
                parts.append(obj.get_data().decode("latin-1"))
            if isinstance(obj, DictionaryObject):
                for value in obj.values():
                    visit(value)
            elif isinstance(obj, ArrayObject):
                for value in obj:
                    visit(value)
            elif isinstance(obj, str):
                parts.append(str(obj))
            elif isinstance(obj, bytes):
                parts.append(obj.decode("latin-1"))

        visit(self.reader.trailer)
        return "\n".join(parts)


def make_bundle(store: GraphStore, out: Path, **options: Any) -> Bundle:
    options.setdefault("prepared_on", ON)
    result = write_bundle(store, RUBY, out, BundleOptions(**options))
    reader = PdfReader(out)
    texts = [page.extract_text() for page in reader.pages]
    layouts = [page.extract_text(extraction_mode="layout") for page in reader.pages]
    return Bundle(result, reader, texts, layouts)


@pytest.fixture(scope="module")
def plain(store: GraphStore, tmp_path_factory: pytest.TempPathFactory) -> Bundle:
    out = tmp_path_factory.mktemp("plain") / "ruby.pdf"
    return make_bundle(store, out, case_ref="ZZ24C00123", author="A. Assessor")


@pytest.fixture(scope="module")
def redacted(store: GraphStore, tmp_path_factory: pytest.TempPathFactory) -> Bundle:
    out = tmp_path_factory.mktemp("redacted") / "ruby.pdf"
    return make_bundle(
        store, out, case_ref="ZZ24C00123", redact=frozenset({"names", "dob", "addresses"})
    )


def words(text: str, value: str) -> bool:
    """`value` occurs in `text` as whole words (case-insensitive, any apostrophe)."""
    pattern = re.escape(value).replace("'", "['’]?")
    return re.search(rf"(?<!\w){pattern}(?!\w)", text, re.IGNORECASE) is not None


# --------------------------------------------------------------------------- pages


def test_every_page_is_marked_and_numbered_like_the_pdf(plain: Bundle) -> None:
    total = len(plain.reader.pages)
    assert total == plain.result.pages >= len(SECTIONS)
    for number, layout in enumerate(plain.layouts, 1):
        lines = [line for line in layout.splitlines() if line.strip()]
        assert MARK in lines[0], f"page {number} has no marking in its header"
        assert MARK in lines[-1], f"page {number} has no marking in its footer"
        assert f"Page {number} of {total}" in lines[-1]
    assert plain.reader.page_labels == [str(n) for n in range(1, total + 1)]


def test_bookmarks_name_each_section_and_the_contents_page_agrees(plain: Bundle) -> None:
    outline = plain.outline()
    top = [(title, page) for level, title, page in outline if level == 0]
    assert [t for t, _ in top] == [title for _, title in SECTIONS]
    assert [p for _, p in top] == sorted(p for _, p in top)
    for title, page in top[1:]:
        assert title in plain.texts[page - 1], f"bookmark {title!r} points at the wrong page"
    contents = plain.texts[plain.page_of("Contents") - 1]
    for title, page in top:
        assert re.search(rf"{re.escape(title)}\s*\n\s*{page}\b", contents), title
    entries = [title for level, title, _ in outline if level == 1]
    assert len(entries) == plain.result.relationships
    assert entries[0].startswith("E1. ")


def test_front_sheet(plain: Bundle) -> None:
    front = plain.texts[0]
    for expected in (
        "Family court bundle",
        "Ruby O'Brien",
        "CSC:3005",
        "19 Aug 2016",
        "ZZ24C00123",
        "1 March 2025",
        "A. Assessor",
        MARK,
        "confidential addresses",
    ):
        assert expected in front, expected
    assert "withheld (confidential)" in front


def test_genogram_page_holds_the_drawing_and_its_key(plain: Bundle) -> None:
    page = plain.page_of("Genogram and key")
    text = plain.texts[page - 1]
    for expected in ("Key", "Janet Morris", "Shannon O'Brien", "foster carer (dotted)"):
        assert expected in text, expected
    box = plain.reader.pages[page - 1].mediabox
    size = sorted((round(float(box.width)), round(float(box.height))))
    assert size in ([595, 842], [842, 1191])
    assert plain.result.genogram_page.startswith(("A4", "A3"))


def test_schedule_has_one_row_per_relative(plain: Bundle, store: GraphStore) -> None:
    page = plain.page_of("Schedule of relatives")
    end = plain.page_of("Evidence appendix")
    lines = "\n".join(plain.layouts[page - 1 : end - 1]).splitlines()
    rows = relatives(store, resolve_reference(store, RUBY).id)
    assert len(rows) == plain.result.relatives == 5
    for row in rows:
        assert row.name is not None
        line = next(line for line in lines if line.startswith(row.name))
        assert row.relationship.split()[0] in line
        assert row.certainty in line
    janet = next(line for line in lines if line.startswith("Janet Morris"))
    assert "withheld (confidential)" in janet
    assert janet.count("foster carer") == 2  # relationship, and the carer column
    assert "5 May 1970" in janet
    assert "alleged" in next(line for line in lines if line.startswith("Lee Parker"))
    assert "deceased" in next(line for line in lines if line.startswith("Shannon O'Brien"))
    assert "9 Millbrook Lane" in "\n".join(lines)  # addresses not withheld are shown


def test_evidence_appendix_quotes_every_source(plain: Bundle, store: GraphStore) -> None:
    start = plain.page_of("Evidence appendix")
    text = "\n".join(plain.texts[start - 1 :])
    assert "Janet Morris (foster carer) is the foster carer of Ruby O'Brien" in text
    assert "CSC:3004 is the foster carer of CSC:3005" in text
    assert "N-3001-02" in text
    flat = " ".join(text.split())
    assert "Ruby lives with her foster carer, Janet Morris" in flat


def test_confidential_address_appears_nowhere(plain: Bundle) -> None:
    everything = "\n".join(plain.texts) + plain.all_strings()
    for value in CONFIDENTIAL:
        assert not words(everything, value), value
    assert "withheld (confidential)" in "\n".join(plain.texts)


def test_metadata_holds_no_personal_data(plain: Bundle, redacted: Bundle) -> None:
    for bundle in (plain, redacted):
        meta = bundle.reader.metadata
        assert meta is not None
        assert meta.title == PDF_TITLE
        assert meta.author == PDF_AUTHOR
        assert bundle.reader.xmp_metadata is None
        values = " ".join(str(v) for v in meta.values())
        for name in FAMILY_NAMES:
            assert not words(values, name)


def test_redacted_bundle_withholds_names_dates_and_addresses(redacted: Bundle) -> None:
    text = "\n".join(redacted.texts)
    everything = text + redacted.all_strings()
    for value in FAMILY_NAMES + BIRTH_DATES + CONFIDENTIAL + ("Millbrook", "ZZ3 5JK"):
        assert not words(everything, value), value
    for title in [t for _, t, _ in redacted.outline()]:
        for name in FAMILY_NAMES:
            assert not words(title, name)
    assert "the child (name withheld)" in redacted.texts[0]
    assert "addresses; dates of birth; names" in redacted.texts[0]
    schedule = " ".join(redacted.texts[redacted.page_of("Schedule of relatives") - 1].split())
    assert "maternal grandmother (name withheld)" in schedule
    assert "withheld (age 54)" in schedule
    evidence = "\n".join(redacted.texts[redacted.page_of("Evidence appendix") - 1 :])
    assert "[withheld] lives with her foster carer, [withheld]" in " ".join(evidence.split())
    genogram = redacted.texts[redacted.page_of("Genogram and key") - 1]
    assert "maternal grandmother" in genogram
    assert "the child" in genogram


def test_include_confidential_shows_the_placement_address(
    store: GraphStore, tmp_path: Path
) -> None:
    bundle = make_bundle(store, tmp_path / "open.pdf", include_confidential=True)
    text = " ".join("\n".join(bundle.texts).split())
    assert "Flat 2, 41 Heron Court, Ashdown Vale, ZZ4 8LN" in text
    assert "nothing" in bundle.texts[0]


def test_bad_redact_field_and_suffix_are_input_errors(store: GraphStore, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="--redact"):
        BundleOptions(redact=frozenset({"phone"}))
    with pytest.raises(InputError, match=r"\.pdf"):
        write_bundle(store, RUBY, tmp_path / "bundle.txt")
    assert not (tmp_path / "bundle.txt").exists()


# --------------------------------------------------------------------------- redaction


def _person(**fields: Any) -> Person:
    return Person(id="P1", **fields)


@pytest.mark.parametrize(
    "text",
    [
        "She moved to Flat 2, 41 Heron Court, Ashdown Vale last week.",
        "The carer lives at 41 heron ct.",
        "Address: Heron Court (flat 2)",
        "Postcode zz48ln on the form.",
        "Post code ZZ4  8LN.",
    ],
)
def test_withheld_address_is_scrubbed_in_its_usual_forms(text: str) -> None:
    carer = _person(
        addresses=[Address("Flat 2, 41 Heron Court, Ashdown Vale", "ZZ4 8LN", confidential=True)]
    )
    scrubbed = Redactor([carer], BundleOptions()).scrub(text)
    assert "[withheld]" in scrubbed
    for value in ("Heron", "8LN", "8ln", "41 "):
        assert value.lower() not in scrubbed.lower(), scrubbed


def test_town_and_other_addresses_are_kept() -> None:
    carer = _person(
        addresses=[Address("Flat 2, 41 Heron Court, Ashdown Vale", "ZZ4 8LN", confidential=True)]
    )
    text = "Mum lives at 14 Larkspur Close, Ashdown Vale."
    assert Redactor([carer], BundleOptions()).scrub(text) == text
    assert Redactor([carer], BundleOptions(include_confidential=True)).scrub("41 Heron Court") == (
        "41 Heron Court"
    )


def test_address_sharing_a_confidential_postcode_is_withheld_too() -> None:
    carer = _person(addresses=[Address("41 Heron Court", "ZZ4 8LN", confidential=True)])
    other = Person(id="P2", addresses=[Address("43 Heron Court", "zz4 8ln", confidential=False)])
    redactor = Redactor([carer, other], BundleOptions())
    assert redactor.address_withheld(other.addresses[0])
    assert not Redactor([carer, other], BundleOptions(include_confidential=True)).address_withheld(
        other.addresses[0]
    )


@pytest.mark.parametrize(
    "written",
    [
        "19/08/2016",
        "19.8.16",
        "19-08-2016",
        "08/19/2016",
        "2016-08-19",
        "19 August 2016",
        "19th of Aug. 2016",
        "August 19, 2016",
        "Aug 19th 2016",
        "August 2016",
        "08/2016",
    ],
)
def test_withheld_birth_date_is_scrubbed_in_its_usual_forms(written: str) -> None:
    child = _person(birth_date=PartialDate(2016, 8, 19))
    scrubbed = Redactor([child], BundleOptions(redact=frozenset({"dob"}))).scrub(
        f"Born {written}; seen 2024-06-11."
    )
    assert scrubbed == "Born [withheld]; seen 2024-06-11.", scrubbed


def test_names_are_scrubbed_with_apostrophes_and_possessives() -> None:
    peggy = _person(given_names="Margaret", family_name="O'Brien", known_as=["Peggy"])
    twin = Person(id="P2", given_names="Zofia", family_name="Nowak-Evans")
    redactor = Redactor([peggy, twin], BundleOptions(redact=frozenset({"names"})))
    text = "Peggy's house; Mrs O’Brien and OBrien; Margaret O'Brien; Zofia Nowak Evans; Evans."
    assert redactor.scrub(text) == (
        "[withheld]'s house; Mrs [withheld] and [withheld]; [withheld]; [withheld]; [withheld]."
    )
    assert Redactor([peggy], BundleOptions()).scrub(text) == text


# --------------------------------------------------------------------------- page size


def test_genogram_page_is_chosen_by_size_and_aspect() -> None:
    name, _size, scale = choose_genogram_page(400, 300)
    assert name == "A4 landscape"
    assert scale <= 1.25
    assert choose_genogram_page(300, 500)[0] == "A4 portrait"
    name, size, scale = choose_genogram_page(1400, 600)
    assert name == "A3 landscape"
    assert size[0] > size[1]
    assert 0.7 <= scale < 1.0  # larger on A3 than A4 would allow
    assert choose_genogram_page(600, 1300)[0] == "A3 portrait"


# --------------------------------------------------------------------------- hostile text


def test_markup_and_non_latin_text_print_literally(tmp_path: Path) -> None:
    s = open_store(tmp_path / "h.db")
    try:
        child = Person(id="PCHILD", given_names="Łucja", family_name="Żółć", sex=Sex.FEMALE)
        mum = Person(
            id="PMUM",
            given_names='<link href="http://x">Eve</link> & <b>',
            family_name="=HYPERLINK()",
            sex=Sex.FEMALE,
            birth_date=PartialDate(1990),
        )
        quote = "Mum <font size=40>said</font> \x07 hello & goodbye."
        rel = Relationship(
            RelType.PARENT_OF,
            "PMUM",
            "PCHILD",
            kind="birth",
            evidence=[Evidence("N-1", "notes", "manual", quote=quote)],
        )
        with s.transaction():
            s.put_person(child)
            s.put_person(mum)
            s.put_relationship(rel)
        write_bundle(s, "PCHILD", tmp_path / "h.pdf", BundleOptions(prepared_on=ON))
    finally:
        s.close()
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(tmp_path / "h.pdf").pages).split())
    assert "Łucja Żółć" in text
    assert '<link href="http://x">Eve</link> & <b> =HYPERLINK()' in text
    assert "Mum <font size=40>said</font> hello & goodbye." in text


# --------------------------------------------------------------------------- command line


def test_bundle_command_writes_audits_and_refuses_to_overwrite(
    store_path: Path, tmp_path: Path
) -> None:
    from cli import app

    runner = CliRunner()
    out = tmp_path / "ruby.pdf"
    args = ["--store", str(store_path), "bundle", RUBY, "-o", str(out), "--redact", "dob"]
    first = runner.invoke(app, [*args, "--case-ref", "ZZ1"], env={"GENOGRAM_AUTHOR": "SW Test"})
    assert first.exit_code == 0, first.output
    assert str(out) in first.stdout
    assert "SW Test" in PdfReader(out).pages[0].extract_text()
    again = runner.invoke(app, args)
    assert again.exit_code == 2
    assert "--force" in again.output
    bad = runner.invoke(app, [*args, "--force", "--redact", "phone"])
    assert bad.exit_code == 2
    s = open_store(store_path)
    try:
        entries = [e for e in s.audit_entries() if e.action == "export-bundle"]
        ruby = resolve_reference(s, RUBY).id
    finally:
        s.close()
    assert len(entries) == 1
    assert entries[0].subject == ruby
    assert entries[0].detail is not None
    assert "confidential addresses" in entries[0].detail
    assert "dates of birth" in entries[0].detail
    assert "Heron" not in entries[0].detail
    assert entries[0].actor


def test_quotes_lose_a_confidential_address_but_keep_the_rest(tmp_path: Path) -> None:
    s = open_store(tmp_path / "q.db")
    placement = Address("Flat 2, 41 Heron Court, Ashdown Vale", "ZZ4 8LN", confidential=True)
    try:
        child = Person(
            id="PC", given_names="Ruby", family_name="Stone", sex=Sex.FEMALE,
            birth_date=PartialDate(2016, 8, 19), addresses=[placement],
        )  # fmt: skip
        carer = Person(id="PF", given_names="Janet", family_name="Wood", addresses=[placement])
        quote = "Ruby (born 19th August 2016) moved to 41 Heron Ct, Ashdown Vale, ZZ48LN in 2021."
        rel = Relationship(
            RelType.PARENT_OF, "PF", "PC", kind="foster",
            evidence=[Evidence("N-9", "notes", "manual", quote=quote)],
        )  # fmt: skip
        with s.transaction():
            s.put_person(child)
            s.put_person(carer)
            s.put_relationship(rel)
        write_bundle(s, "PC", tmp_path / "a.pdf", BundleOptions(prepared_on=ON))
        write_bundle(
            s, "PC", tmp_path / "b.pdf", BundleOptions(prepared_on=ON, redact=frozenset({"dob"}))
        )
    finally:
        s.close()
    kept = " ".join(" ".join(p.extract_text() for p in PdfReader(tmp_path / "a.pdf").pages).split())
    assert (
        "Ruby (born 19th August 2016) moved to [withheld], Ashdown Vale, [withheld] in 2021."
        in kept
    )
    for value in CONFIDENTIAL:
        assert not words(kept, value), value
    dated = " ".join(
        " ".join(p.extract_text() for p in PdfReader(tmp_path / "b.pdf").pages).split()
    )
    assert "Ruby (born [withheld]) moved to [withheld]" in dated
    for value in ("19th August 2016", "19 Aug 2016", "2016-08-19"):
        assert value not in dated
    assert "withheld (age 8)" in dated
