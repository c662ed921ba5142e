"""No personal data in errors, warnings or logs: seeded names, dates and note text are planted
in inputs that go wrong in every way we know, and stderr is searched for them."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from synthetic import GENOGRAM, ROOT

SEEDS = ("Xanthippe", "Quorrelwyn", "1977-04-05", "05/04/1977", "blue caravan by the weir")


def genogram(store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*GENOGRAM, "--store", str(store), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


def assert_clean(result: subprocess.CompletedProcess[str]) -> None:
    for seed in SEEDS:
        assert seed not in result.stderr, (seed, result.stderr)
    assert "Traceback" not in result.stderr


@pytest.fixture
def store(tmp_path: Path) -> Path:
    people = tmp_path / "people.csv"
    people.write_text(
        "source,record_id,given_names,family_name,sex,birth_date\n"
        "CSC,9001,Xanthippe,Quorrelwyn,female,1977-04-05\n"
        "CSC,9002,Xanthippe,Quorrelwyn-Ames,female,1979-01-01\n"
        "CSC,9003,Tad,Quorrelwyn,male,2015-06-07\n",
        encoding="utf-8",
    )
    rels = tmp_path / "rels.csv"
    rels.write_text(
        "source,from_record,relationship,to_record\nCSC,9001,mother,9003\n", encoding="utf-8"
    )
    db = tmp_path / "g.db"
    result = genogram(
        db, "ingest", "records", "--people", str(people), "--relationships", str(rels)
    )
    assert result.returncode == 0, result.stderr
    assert_clean(result)
    return db


def test_bad_rows_do_not_echo_values(store: Path, tmp_path: Path) -> None:
    cases = {
        "bad_date.csv": "source,record_id,given_names,family_name,birth_date\n"
        "CSC,1,Xanthippe,Quorrelwyn,31/02/1977\n",
        "bad_sex.csv": "source,record_id,given_names,family_name,sex\n"
        "CSC,1,Xanthippe,Quorrelwyn,blue caravan by the weir\n",
        "future.csv": "source,record_id,given_names,death_date\nCSC,1,Xanthippe,05/04/2977\n",
    }
    for name, text in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        result = genogram(store, "ingest", "records", "--people", str(path))
        assert result.returncode == 2, name
        assert_clean(result)


def test_warnings_do_not_echo_values(store: Path, tmp_path: Path) -> None:
    path = tmp_path / "swapped.csv"
    path.write_text(
        "source,record_id,given_names,family_name,birth_date\nHSG,1,Xanthippe,Quorrelwyn,04/25/1977\n",
        encoding="utf-8",
    )
    result = genogram(store, "ingest", "records", "--people", str(path))
    assert result.returncode == 0
    assert "warning" in result.stderr
    assert_clean(result)


def test_names_given_as_subject_are_not_echoed(store: Path) -> None:
    ambiguous = genogram(store, "relatives", "Xanthippe Quorrelwyn")
    assert ambiguous.returncode in (0, 2)
    missing = genogram(store, "relatives", "Xanthippe Nobody")
    assert missing.returncode == 2
    assert "no person matches the name given" in missing.stderr
    for result in (ambiguous, missing):
        assert_clean(result)
    by_key = genogram(store, "relatives", "CSC:0000")
    assert "'CSC:0000'" in by_key.stderr  # record keys are quoted back


def test_note_text_never_reaches_stderr(store: Path, tmp_path: Path) -> None:
    notes = tmp_path / "notes.jsonl"
    lines = [
        {
            "id": "P-1",
            "subject": "CSC:9003",
            "date": "2025-05-01",
            "author": "SW Test",
            "text": "His uncle Xanthippe Bex lives in a blue caravan by the weir.",
        },
        {"id": "P-2", "subject": "Xanthippe Nobody", "text": "blue caravan by the weir"},
    ]
    notes.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    result = genogram(store, "ingest", "notes", str(notes))
    assert result.returncode == 2  # the second note's subject is unknown
    assert "line 2" in result.stderr
    assert_clean(result)
    notes.write_text(json.dumps(lines[0]) + "\n", encoding="utf-8")
    result = genogram(store, "ingest", "notes", str(notes))
    assert result.returncode == 0
    assert "P-1" in result.stderr  # the unplaceable cousin is reported by note id only
    assert_clean(result)


def test_internal_errors_show_no_locals_or_data(store: Path, tmp_path: Path) -> None:
    # A store file that is not a database: an ordinary failure, one line, no content.
    bogus = tmp_path / "bogus.db"
    bogus.write_text("Xanthippe Quorrelwyn 1977-04-05\n" * 50, encoding="utf-8")
    result = genogram(bogus, "relatives", "CSC:9003")
    assert result.returncode in (1, 2)
    assert len(result.stderr.strip().splitlines()) == 1
    assert_clean(result)
