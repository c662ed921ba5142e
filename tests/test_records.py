"""Tests for extract.records (and extract.files) on the shipped fixtures and malformed inputs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

import extract.files
from extract.records import (
    PEOPLE_FIELDS,
    parse_mapping,
    read_mapping_file,
    read_people,
    read_relationships,
)
from genogram.assertions import PersonRecord, RelationshipRecord
from genogram.errors import InputError
from genogram.model import PartialDate, Sex
from genogram.vocab import record_relation

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
BAD = Path(__file__).resolve().parent / "bad_inputs"
TODAY = date(2025, 6, 30)
HEADER = (
    "source,record_id,given_names,family_name,known_as,sex,birth_date,death_date,"
    "address,postcode,address_confidential\n"
)
REL_HEADER = "source,from_record,relationship,to_record,start_date,end_date,certainty\n"

#: Malformed inputs read by this module: file name -> (reader, expected line, expected field).
#: Every file uses the sentinel name "Zebedee Quill", which must never appear in a message.
BAD_INPUTS: dict[str, tuple[str, int | None, str | None]] = {
    "people_missing_record_id.csv": ("people", 1, "record_id"),
    "people_no_source.csv": ("people", 1, "source"),
    "people_unknown_sex.csv": ("people", 3, "sex"),
    "people_impossible_date.csv": ("people", 2, "birth_date"),
    "people_month13.csv": ("people", 4, "birth_date"),
    "people_future_date.csv": ("people", 2, "death_date"),
    "people_death_before_birth.csv": ("people", 2, "death_date"),
    "people_two_digit_year.csv": ("people", 2, "birth_date"),
    "people_duplicate_id.csv": ("people", 4, "record_id"),
    "people_empty_record_id.csv": ("people", 3, "record_id"),
    "people_ragged_row.csv": ("people", 3, None),
    "people_short_row.csv": ("people", 4, None),
    # record 1 spans lines 2-4 (quoted address with newlines); the bad record starts on line 5
    "people_embedded_newline.csv": ("people", 5, "sex"),
    # the bad record starts on line 3 and its bad date sits after a newline, on line 4
    "people_newline_in_bad_record.csv": ("people", 3, "birth_date"),
    "people_binary.csv": ("people", 3, None),
    "people_utf16.csv": ("people", None, None),
    "people_utf16_nobom.csv": ("people", None, None),
    "people_latin1.csv": ("people", 3, None),
    "people_empty.csv": ("people", None, None),
    "people_blank_lines_only.csv": ("people", None, None),
    "people_bad_confidential.csv": ("people", 2, "address_confidential"),
    "people_bad_deceased.csv": ("people", 2, "deceased"),
    "people_unterminated_quote.csv": ("people", 3, None),
    "people_stray_quote.csv": ("people", 2, None),
    "people_duplicate_column.csv": ("people", 1, "sex"),
    "people_semicolons.csv": ("people", 1, None),
    "people_bad_source.csv": ("people", 2, "source"),
    "rels_unknown_word.csv": ("relationships", 2, "relationship"),
    "rels_self.csv": ("relationships", 3, "to_record"),
    "rels_bad_certainty.csv": ("relationships", 2, "certainty"),
    "rels_missing_to_record_column.csv": ("relationships", 1, "to_record"),
    "rels_blank_from.csv": ("relationships", 2, "from_record"),
    "rels_end_before_start.csv": ("relationships", 2, "end_date"),
    "rels_bad_start_date.csv": ("relationships", 2, "start_date"),
    "bad_no_equals.map": ("map", 3, None),
    "bad_unknown_field.map": ("map", 2, "nickname"),
    "bad_empty_column.map": ("map", 1, None),
}

#: Words a message may not contain: personal values and the bad values themselves.
FORBIDDEN = (
    "Zebedee",
    "Quill",
    "Zoë",
    "31/02/2000",
    "2000-13-01",
    "2999",
    "maybe",
    "possibly",
    "unsure",
)

READERS: dict[str, Callable[[Path], object]] = {
    "people": lambda p: read_people(p, today=TODAY),
    "relationships": lambda p: read_relationships(p, today=TODAY),
    "map": read_mapping_file,
}


# ------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def csc_people() -> list[PersonRecord]:
    return read_people(FIXTURES / "csc_people.csv", today=TODAY)


@pytest.fixture(scope="module")
def housing_people() -> list[PersonRecord]:
    mapping = read_mapping_file(FIXTURES / "housing.map")
    return read_people(
        FIXTURES / "housing_people.csv", source="HOUSING", mapping=mapping, today=TODAY
    )


def by_id(records: list[PersonRecord]) -> dict[str, PersonRecord]:
    return {r.record_id: r for r in records}


def test_csc_people_counts_and_sources(csc_people: list[PersonRecord]) -> None:
    assert len(csc_people) == 18
    assert {r.source for r in csc_people} == {"CSC"}
    ids = [r.record_id for r in csc_people]
    assert ids[:3] == ["1001", "1002", "1003"]
    assert len(set(ids)) == 18


def test_csc_people_values(csc_people: list[PersonRecord]) -> None:
    people = by_id(csc_people)
    amelia = people["1001"]
    assert (amelia.given_names, amelia.family_name, amelia.sex) == ("Amelia", "Hart", Sex.FEMALE)
    assert amelia.birth_date == PartialDate(2015, 3, 14)
    assert amelia.key.system == "CSC" and str(amelia.key) == "CSC:1001"
    assert amelia.line == 2 and amelia.file.endswith("csc_people.csv")
    assert people["1002"].given_names == "Kerry Louise"
    mick = people["1007"]
    assert mick.known_as == ("Mick",)
    assert mick.deceased and mick.death_date == PartialDate(2019, 6, 1)
    assert people["2002"].known_as == ("Kasia",)
    assert people["3003"].known_as == ("Peggy",)
    assert people["3002"].deceased
    assert not people["1001"].deceased
    lee = people["3006"]
    assert lee.birth_date is None and lee.address is None and lee.sex is Sex.MALE
    assert people["3004"].address_confidential and people["3005"].address_confidential
    assert sum(r.address_confidential for r in csc_people) == 2
    assert people["1001"].postcode == "ZZ1 4AB"
    assert people["1001"].address == "14 Larkspur Close, Ashdown Vale"
    assert all(r.warnings == () for r in csc_people)


def test_csc_relationships() -> None:
    rels = read_relationships(FIXTURES / "csc_relationships.csv", today=TODAY)
    assert len(rels) == 23
    assert all(record_relation(r.relationship) is not None for r in rels)
    found = {(r.from_record, r.relationship, r.to_record): r for r in rels}
    lee = found[("3006", "father", "3001")]
    assert lee.certainty == "alleged"
    assert sum(r.certainty == "alleged" for r in rels) == 1
    kerry_dean = found[("1002", "ex-partner", "1003")]
    assert kerry_dean.end_date == PartialDate(2020)
    assert kerry_dean.start_date == PartialDate(2014)
    assert found[("1002", "ex-partner", "1005")].end_date == PartialDate(2013)
    assert ("1006", "spouse", "1007") in found
    assert ("2003", "spouse", "2002") in found
    assert ("1008", "son", "1006") in found and ("1008", "son", "1007") in found
    assert ("1002", "daughter", "1006") in found and ("1002", "daughter", "1007") in found
    assert ("3003", "special guardian", "3001") in found
    assert ("3003", "mother", "3002") in found
    assert ("3004", "foster carer", "3005") in found
    assert found[("3002", "mother", "3001")].line == 18


def test_housing_mapping_file() -> None:
    mapping = read_mapping_file(FIXTURES / "housing.map")
    assert mapping == {
        "record_id": "Person Ref",
        "given_names": "Forename",
        "family_name": "Surname",
        "known_as": "Preferred Name",
        "sex": "Gender",
        "birth_date": "DOB",
        "address": "Address Line",
        "postcode": "Post Code",
    }


def test_housing_people_through_mapping(housing_people: list[PersonRecord]) -> None:
    assert len(housing_people) == 10
    assert {r.source for r in housing_people} == {"HOUSING"}
    people = by_id(housing_people)
    # the undetectable swap: 07/02/1994 is read day-first
    kerry = people["H-201"]
    assert kerry.birth_date == PartialDate(1994, 2, 7) and kerry.warnings == ()
    assert kerry.sex is Sex.FEMALE and kerry.postcode == "ZZ1 4AB"
    # the detectable swap: 03/25/1988 is read month-first, with a warning
    craig = people["H-203"]
    assert craig.birth_date == PartialDate(1988, 3, 25)
    assert craig.warnings == (("birth_date", "day and month swapped"),)
    assert [r.record_id for r in housing_people if r.warnings] == ["H-203"]
    # the missing date
    zofia = people["H-302"]
    assert zofia.birth_date is None and zofia.family_name == "Nowak Evans"
    assert people["H-204"].given_names == "Lynda"
    assert people["H-301"].given_names == "Kasia"
    jaydon = people["H-401"]
    assert (jaydon.given_names, jaydon.family_name) == ("Jaydon", "OBrien")
    assert jaydon.birth_date == PartialDate(2011, 1, 12)
    assert jaydon.postcode == "ZZ3 5JK"
    assert people["H-205"].birth_date == PartialDate(2012, 5, 9)


def test_housing_without_mapping_is_rejected() -> None:
    with pytest.raises(InputError) as info:
        read_people(FIXTURES / "housing_people.csv", source="HOUSING", today=TODAY)
    assert (info.value.line, info.value.field) == (1, "record_id")
    assert "--map" in str(info.value)


def test_housing_without_source_is_rejected() -> None:
    mapping = read_mapping_file(FIXTURES / "housing.map")
    with pytest.raises(InputError) as info:
        read_people(FIXTURES / "housing_people.csv", mapping=mapping, today=TODAY)
    assert (info.value.line, info.value.field) == (1, "source")


def test_housing_relationships() -> None:
    rels = read_relationships(FIXTURES / "housing_relationships.csv", today=TODAY)
    assert [(r.from_record, r.relationship, r.to_record) for r in rels] == [
        ("H-203", "cohabitee", "H-201"),
        ("H-202", "lives with", "H-201"),
        ("H-203", "lives with", "H-201"),
        ("H-205", "lives with", "H-201"),
    ]
    assert rels[0].start_date == PartialDate(2022, 9)
    assert {r.source for r in rels} == {"HOUSING"}


# ------------------------------------------------------------------------- malformed inputs


def test_every_bad_input_is_in_a_table() -> None:
    names = {p.name for p in BAD.iterdir()}
    mine = {n for n in names if n.startswith(("people_", "rels_")) or n.endswith(".map")}
    notes = {n for n in names if n.startswith(("notes_", "note_"))}
    # graph_* files read fine but are rejected against the store (tests/test_cli.py).
    graph = {n for n in names if n.startswith("graph_")}
    assert mine == set(BAD_INPUTS)
    assert mine | notes | graph == names
    assert len(names) >= 15


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input(name: str) -> None:
    reader, line, field = BAD_INPUTS[name]
    path = BAD / name
    with pytest.raises(InputError) as info:
        READERS[reader](path)
    err = info.value
    assert (err.line, err.field) == (line, field), str(err)
    assert err.file == str(path)
    assert err.exit_code == 2
    message = str(err)
    assert "\n" not in message
    for word in FORBIDDEN:
        assert word not in message


@pytest.mark.parametrize(
    ("name", "phrase"),
    [
        ("people_utf16.csv", "save it as UTF-8"),
        ("people_utf16_nobom.csv", "UTF-16"),
        ("people_latin1.csv", "save it as UTF-8"),
        ("people_binary.csv", "binary"),
        ("people_empty.csv", "empty"),
        ("people_unknown_sex.csv", "unknown sex value"),
        ("people_impossible_date.csv", "not a date"),
        ("people_duplicate_id.csv", "first on line 2"),
        ("people_semicolons.csv", "commas"),
        ("rels_unknown_word.csv", "'godmother'"),
        ("rels_unknown_word.csv", "special guardian"),
        ("people_unterminated_quote.csv", "never closed"),
    ],
)
def test_bad_input_messages(name: str, phrase: str) -> None:
    reader = BAD_INPUTS[name][0]
    with pytest.raises(InputError, match=phrase):
        READERS[reader](BAD / name)


# ------------------------------------------------------------------------- file-level checks


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        read_people(tmp_path / "absent.csv", source="CSC")
    with pytest.raises(InputError, match="directory"):
        read_people(tmp_path, source="CSC")


def test_size_limit_is_overridable(monkeypatch: pytest.MonkeyPatch) -> None:
    path = FIXTURES / "csc_people.csv"
    assert extract.files.MAX_INPUT_BYTES == 256 * 1024 * 1024
    with pytest.raises(InputError, match="larger than the limit of 100 bytes") as info:
        read_people(path, max_bytes=100)
    assert info.value.line is None
    monkeypatch.setattr(extract.files, "MAX_INPUT_BYTES", 200)
    with pytest.raises(InputError, match="larger than the limit of 200 bytes"):
        read_people(path)
    with pytest.raises(InputError, match="larger than"):
        read_relationships(FIXTURES / "csc_relationships.csv")


def write(tmp_path: Path, text: str | bytes, name: str = "in.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def test_utf8_bom_crlf_and_embedded_newlines(tmp_path: Path) -> None:
    text = (
        HEADER + 'CSC,1,Ann,Lee,,F,01/02/2003,,"Flat 1\nTest House",zz99zz,yes\n'
        "CSC,2,Bo,Lee,,M,,,,,\n"
    )
    path = write(tmp_path, b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    first, second = read_people(path, today=TODAY)
    assert first.address == "Flat 1, Test House"
    assert first.postcode == "ZZ9 9ZZ"
    assert first.address_confidential
    assert first.birth_date == PartialDate(2003, 2, 1)
    assert (first.line, second.line) == (2, 4)


def test_values_are_trimmed_and_normalised(tmp_path: Path) -> None:
    text = (
        "source , record_id,given_names,known_as,sex,address_confidential,death_date\n"
        " CSC ,  7 ,  Mary   Anne , Polly; Mae | Polly ;, Woman , N ,\n"
        "CSC,8,,,,,c. 1990\n"
    )
    first, second = read_people(write(tmp_path, text), today=TODAY)
    assert (first.source, first.record_id) == ("CSC", "7")
    assert first.given_names == "Mary Anne"
    assert first.known_as == ("Polly", "Mae")
    assert first.sex is Sex.FEMALE
    assert not first.address_confidential and not first.deceased
    assert second.given_names is None and second.sex is Sex.UNKNOWN
    assert second.deceased and second.death_date == PartialDate(1990, approximate=True)


@pytest.mark.parametrize(
    ("word", "sex"),
    [
        ("female", Sex.FEMALE),
        ("F", Sex.FEMALE),
        ("girl", Sex.FEMALE),
        ("MALE", Sex.MALE),
        ("m", Sex.MALE),
        ("man", Sex.MALE),
        ("Boy", Sex.MALE),
        ("unknown", Sex.UNKNOWN),
        ("U", Sex.UNKNOWN),
        ("", Sex.UNKNOWN),
    ],
)
def test_sex_words(tmp_path: Path, word: str, sex: Sex) -> None:
    (record,) = read_people(write(tmp_path, f"source,record_id,sex\nCSC,1,{word}\n"))
    assert record.sex is sex


def test_deceased_column_and_source_override(tmp_path: Path) -> None:
    text = "source,record_id,deceased\nCSC,1,yes\n,2,0\n"
    first, second = read_people(write(tmp_path, text), source="LA2")
    assert (first.source, second.source) == ("LA2", "LA2")
    assert first.deceased and not second.deceased
    with pytest.raises(InputError) as info:
        read_people(write(tmp_path, text))
    assert (info.value.line, info.value.field) == (3, "source")


def test_same_record_id_in_two_sources_is_not_a_duplicate(tmp_path: Path) -> None:
    records = read_people(write(tmp_path, "source,record_id\nCSC,1\nHOUSING,1\n"))
    assert [str(r.key) for r in records] == ["CSC:1", "HOUSING:1"]


def test_header_only_and_blank_rows(tmp_path: Path) -> None:
    assert read_people(write(tmp_path, HEADER)) == []
    records = read_people(write(tmp_path, "\n" + HEADER + ",,,,,,,,,,\n\nCSC,5,,,,,,,,,\n"))
    assert [(r.record_id, r.line) for r in records] == [("5", 5)]


def test_first_problem_in_file_order_is_reported(tmp_path: Path) -> None:
    text = HEADER + "CSC,1,,,,x,,,,,\nCSC,2,,,\n"
    with pytest.raises(InputError) as info:
        read_people(write(tmp_path, text))
    assert (info.value.line, info.value.field) == (2, "sex")


def test_relationship_words_are_canonicalised(tmp_path: Path) -> None:
    text = REL_HEADER + "CSC,1,Step Parent,2,,,\nCSC,1,FOSTER_CARER,3,,,Alleged\n"
    first, second = read_relationships(write(tmp_path, text))
    assert first.relationship == "step-parent" and first.certainty == "confirmed"
    assert second.relationship == "foster carer" and second.certainty == "alleged"
    assert first.from_key == second.from_key


def test_relationship_partial_dates_in_order(tmp_path: Path) -> None:
    text = REL_HEADER + "CSC,1,ex-partner,2,2014-05,2014,\nCSC,1,spouse,3,c. 2010,2009,\n"
    first, second = read_relationships(write(tmp_path, text), today=TODAY)
    assert (first.start_date, first.end_date) == (PartialDate(2014, 5), PartialDate(2014))
    assert second.start_date == PartialDate(2010, approximate=True)


def test_relationships_without_source(tmp_path: Path) -> None:
    text = "from_record,relationship,to_record\n1,mother,2\n"
    (record,) = read_relationships(write(tmp_path, text), source="CSC")
    assert str(record.to_key) == "CSC:2"
    with pytest.raises(InputError) as info:
        read_relationships(write(tmp_path, text))
    assert (info.value.line, info.value.field) == (1, "source")


# ------------------------------------------------------------------------------- mappings


def test_parse_mapping() -> None:
    assert parse_mapping(["record_id=Person Ref", " sex = Gender "]) == {
        "record_id": "Person Ref",
        "sex": "Gender",
    }
    assert parse_mapping([]) == {}
    assert parse_mapping(["address=Line=1"]) == {"address": "Line=1"}


@pytest.mark.parametrize(
    ("items", "field"),
    [
        (["record_id"], None),
        (["=Person Ref"], None),
        (["record_id="], None),
        (["nickname=Preferred Name"], "nickname"),
        (["sex=Gender", "sex=Sex"], "sex"),
    ],
)
def test_parse_mapping_errors(items: list[str], field: str | None) -> None:
    with pytest.raises(InputError) as info:
        parse_mapping(items)
    assert info.value.field == field
    assert info.value.line is None


def test_mapping_column_not_in_header() -> None:
    with pytest.raises(InputError) as info:
        read_people(
            FIXTURES / "housing_people.csv",
            source="HOUSING",
            mapping={"record_id": "Person Ref", "birth_date": "Date of Birth"},
        )
    assert (info.value.line, info.value.field) == (1, "birth_date")
    assert "'Date of Birth'" in str(info.value)


def test_mapping_field_of_the_other_file_kind() -> None:
    with pytest.raises(InputError) as info:
        read_relationships(
            FIXTURES / "housing_relationships.csv", mapping={"record_id": "from_record"}
        )
    assert info.value.field == "record_id"


def test_mapping_conflicting_with_a_standard_column(tmp_path: Path) -> None:
    path = write(tmp_path, "source,record_id,given_names,Forename\nCSC,1,Ann,Ann\n")
    with pytest.raises(InputError) as info:
        read_people(path, mapping={"given_names": "Forename"})
    assert (info.value.line, info.value.field) == (1, "given_names")


def test_standard_columns_match_case_insensitively(tmp_path: Path) -> None:
    (record,) = read_people(write(tmp_path, "Source,Record_ID,Sex\nCSC,1,F\n"))
    assert (record.record_id, record.sex) == ("1", Sex.FEMALE)


def test_people_fields_match_the_design() -> None:
    assert HEADER.strip().split(",") == list(PEOPLE_FIELDS[:-1])
    assert PEOPLE_FIELDS[-1] == "deceased"


def test_relationship_record_type(tmp_path: Path) -> None:
    (record,) = read_relationships(write(tmp_path, REL_HEADER + "CSC,1,father,2,,,disputed\n"))
    assert isinstance(record, RelationshipRecord)
    assert record.certainty == "disputed" and record.line == 2
