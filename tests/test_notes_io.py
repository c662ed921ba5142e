"""Tests for extract.notes: reading case notes from JSON Lines and plain-text files."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

import extract.files
from extract.notes import read_notes
from genogram.assertions import Note
from genogram.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
BAD = Path(__file__).resolve().parent / "bad_inputs"
TODAY = date(2025, 6, 30)

#: Malformed note files: file name -> (subject argument, expected line, expected field).
BAD_NOTES: dict[str, tuple[str | None, int | None, str | None]] = {
    "notes_broken_json.jsonl": (None, 3, None),
    "notes_not_object.jsonl": (None, 1, None),
    "notes_no_subject.jsonl": (None, 2, "subject"),
    "notes_empty_text.jsonl": (None, 1, "text"),
    "notes_missing_text.jsonl": (None, 2, "text"),
    # line 2 is blank: the duplicate is on physical line 4
    "notes_duplicate_id.jsonl": (None, 4, "id"),
    "notes_bad_date.jsonl": (None, 1, "date"),
    "notes_id_not_string.jsonl": (None, 1, "id"),
    "notes_utf16.jsonl": (None, None, None),
    "notes_empty.jsonl": (None, None, None),
    "notes_array.json": (None, None, None),
    "note_empty.txt": ("CSC:1001", 1, "text"),
    "note_without_subject.txt": (None, None, "subject"),
}


def write(tmp_path: Path, lines: list[object] | str, name: str = "notes.jsonl") -> Path:
    path = tmp_path / name
    if isinstance(lines, str):
        path.write_text(lines, encoding="utf-8")
    else:
        path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    return path


def test_fixture_notes() -> None:
    notes = read_notes(FIXTURES / "notes.jsonl", today=TODAY)
    assert len(notes) == 8
    assert [n.id for n in notes][:3] == ["N-1001-01", "N-1001-02", "N-1001-03"]
    counts: dict[str, int] = {}
    for note in notes:
        counts[note.subject] = counts.get(note.subject, 0) + 1
    assert counts == {"CSC:1001": 3, "CSC:2001": 2, "CSC:3001": 2, "Ruby O'Brien": 1}
    first = notes[0]
    assert first.date == "2024-03-12" and first.author == "SW A. Patel"
    assert first.line == 1 and first.file.endswith("notes.jsonl")
    assert first.text.startswith("Home visit to Amelia") and "Mum (Kerry)" in first.text
    assert all(n.date is not None and n.date.startswith(("2024", "2025")) for n in notes)


@pytest.mark.parametrize(
    "phrase",
    [
        "Mum (Kerry)",
        "her maternal grandmother Linda Hart",
        "her brother Riley",
        "Amelia's father, Dean Walsh",
        "mum's partner Craig",
        "paternal grandmother Sue Walsh",
        "maternal grandparents, Krystyna and Tomasz Nowak",
        "Jayden's late mother Shannon",
        "Peggy (MGM), who is his special guardian",
        "his sister Ruby (7)",
        "Ruby lives with her foster carer",
        "alleged father Lee Parker",
        "Kerry and Dean separated in 2020",
        "her uncle Tom",
    ],
)
def test_fixture_notes_use_the_agreed_constructions(phrase: str) -> None:
    texts = [n.text for n in read_notes(FIXTURES / "notes.jsonl", today=TODAY)]
    assert any(phrase in t for t in texts)


def test_fixture_text_note() -> None:
    (note,) = read_notes(FIXTURES / "note_1001_school.txt", subject="CSC:1001")
    assert note.id == "note_1001_school"
    assert note.subject == "CSC:1001"
    assert note.date is None and note.author is None
    assert note.text.startswith("School liaison call") and note.text.endswith("\n")


def test_every_note_bad_input_is_in_the_table() -> None:
    names = {p.name for p in BAD.iterdir() if p.name.startswith(("notes_", "note_"))}
    assert names == set(BAD_NOTES)


@pytest.mark.parametrize("name", sorted(BAD_NOTES))
def test_bad_note_input(name: str) -> None:
    subject, line, field = BAD_NOTES[name]
    path = BAD / name
    with pytest.raises(InputError) as info:
        read_notes(path, subject=subject, today=TODAY)
    err = info.value
    assert (err.line, err.field) == (line, field), str(err)
    assert err.file == str(path)
    message = str(err)
    assert "\n" not in message
    for word in ("Zebedee", "Quill", "visited", "30/02/2024"):
        assert word not in message


def test_text_is_kept_exactly(tmp_path: Path) -> None:
    text = "  Leading spaces, a tab\tand “curly quotes” — kept.\n"
    path = write(tmp_path, [{"id": "A", "subject": "CSC:1", "text": text}])
    (note,) = read_notes(path)
    assert note.text == text


def test_blank_lines_unknown_keys_and_optional_fields(tmp_path: Path) -> None:
    content = (
        "\n"
        + json.dumps({"id": " A ", "subject": " CSC:1 ", "text": "x", "extra": [1, 2]})
        + "\n   \n"
        + json.dumps({"id": "B", "subject": "CSC:1", "text": "y", "date": None, "author": ""})
        + "\n"
        + json.dumps({"id": "C", "subject": "CSC:1", "text": "z", "date": "2 July 2024"})
    )
    a, b, c = read_notes(write(tmp_path, content), today=TODAY)
    assert (a.id, a.subject, a.line) == ("A", "CSC:1", 2)
    assert (b.date, b.author, b.line) == (None, None, 4)
    assert (c.date, c.line) == ("2024-07-02", 5)


def test_crlf_and_bom(tmp_path: Path) -> None:
    line = json.dumps({"id": "A", "subject": "CSC:1", "text": "x"})
    path = tmp_path / "n.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + (line + "\r\n" + line.replace('"A"', '"B"')).encode())
    assert [n.id for n in read_notes(path)] == ["A", "B"]


def test_subject_argument_fills_missing_subjects_only(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [
            {"id": "A", "text": "x"},
            {"id": "B", "subject": "", "text": "y"},
            {"id": "C", "subject": "CSC:2001", "text": "z"},
        ],
    )
    notes = read_notes(path, subject="CSC:1001")
    assert [n.subject for n in notes] == ["CSC:1001", "CSC:1001", "CSC:2001"]
    with pytest.raises(InputError) as info:
        read_notes(path)
    assert (info.value.line, info.value.field) == (1, "subject")


def test_empty_subject_argument(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        read_notes(write(tmp_path, [{"id": "A", "text": "x"}]), subject="   ")
    assert info.value.field == "subject"


@pytest.mark.parametrize(
    ("obj", "field"),
    [
        ({"subject": "CSC:1", "text": "x"}, "id"),
        ({"id": "", "subject": "CSC:1", "text": "x"}, "id"),
        ({"id": "A\u0007", "subject": "CSC:1", "text": "x"}, "id"),
        ({"id": "A", "subject": 5, "text": "x"}, "subject"),
        ({"id": "A", "subject": "CSC:1", "text": ["x"]}, "text"),
        ({"id": "A", "subject": "CSC:1", "text": None}, "text"),
        ({"id": "A", "subject": "CSC:1", "text": "x", "author": 3}, "author"),
        ({"id": "A", "subject": "CSC:1", "text": "x", "date": 2024}, "date"),
        ({"id": "A", "subject": "CSC:1", "text": "x", "date": "2030-01-01"}, "date"),
    ],
)
def test_bad_fields(tmp_path: Path, obj: dict[str, object], field: str) -> None:
    lines: list[object] = [{"id": "Z", "subject": "CSC:1", "text": "ok"}, obj]
    with pytest.raises(InputError) as info:
        read_notes(write(tmp_path, lines), today=TODAY)
    assert (info.value.line, info.value.field) == (2, field)


def test_deeply_nested_json_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        read_notes(write(tmp_path, "[" * 100_000 + "]" * 100_000 + "\n"))
    assert info.value.line == 1


def test_file_checks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(InputError, match="not found"):
        read_notes(tmp_path / "absent.jsonl")
    (tmp_path / "dir.jsonl").mkdir()
    with pytest.raises(InputError, match="directory"):
        read_notes(tmp_path / "dir.jsonl")
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Visit on Tuesday.\nZoë was well.\n".encode("latin-1"))
    with pytest.raises(InputError, match="save it as UTF-8") as info:
        read_notes(latin, subject="CSC:1")
    assert info.value.line == 2
    binary = tmp_path / "bin.txt"
    binary.write_bytes(b"abc\x00def")
    with pytest.raises(InputError, match="binary"):
        read_notes(binary, subject="CSC:1")
    monkeypatch.setattr(extract.files, "MAX_INPUT_BYTES", 50)
    with pytest.raises(InputError, match="larger than"):
        read_notes(FIXTURES / "notes.jsonl")


def test_txt_note_accepts_uppercase_suffix(tmp_path: Path) -> None:
    path = write(tmp_path, "A short note.", name="Visit-01.TXT")
    (note,) = read_notes(path, subject="Amelia Hart")
    assert note == Note(
        id="Visit-01", subject="Amelia Hart", text="A short note.", file=str(path), line=1
    )
