"""Every command through typer's CliRunner: outputs, exit codes, and the store left unchanged
when an input is rejected."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest
from conftest import Backend, Neo4jBackend
from pypdf import PdfReader
from typer.testing import CliRunner

from cli import app
from graphstore import open_store

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "fixtures"
BAD = Path(__file__).resolve().parent / "bad_inputs"

runner = CliRunner()


def run(store: Path | str, *args: str, env: dict[str, str] | None = None) -> Result:
    result = runner.invoke(app, ["--store", str(store), *args], env=env, catch_exceptions=False)
    return Result(result.exit_code, result.stdout, result.stderr)


class Result:
    def __init__(self, code: int, stdout: str, stderr: str) -> None:
        self.code, self.stdout, self.stderr = code, stdout, stderr


def ingest_csc(store: Path | str) -> Result:
    return run(
        store,
        "ingest",
        "records",
        "--people",
        str(FIX / "csc_people.csv"),
        "--relationships",
        str(FIX / "csc_relationships.csv"),
    )


def ingest_housing(store: Path) -> Result:
    return run(
        store,
        "ingest",
        "records",
        "--people",
        str(FIX / "housing_people.csv"),
        "--source",
        "HOUSING",
        "--map-file",
        str(FIX / "housing.map"),
        "--relationships",
        str(FIX / "housing_relationships.csv"),
    )


def ingest_notes(store: Path) -> Result:
    return run(store, "ingest", "notes", str(FIX / "notes.jsonl"))


def counts(store: Path) -> dict[str, int]:
    s = open_store(store)
    try:
        return s.counts()
    finally:
        s.close()


@pytest.fixture(scope="module")
def full_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with every fixture ingested through the CLI (built once for this module)."""
    store = tmp_path_factory.mktemp("full") / "g.db"
    for step in (ingest_csc, ingest_housing, ingest_notes):
        result = step(store)
        assert result.code == 0, result.stderr
    return store


def relatives_json(store: Path, subject: str, *extra: str) -> list[dict[str, object]]:
    result = run(store, "relatives", subject, "--format", "json", *extra)
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert isinstance(data, list)
    return data


# --------------------------------------------------------------------------- ingest records


def test_ingest_records_then_rerun_changes_nothing(tmp_path: Path) -> None:
    store = tmp_path / "g.db"
    first = ingest_csc(store)
    assert first.code == 0, first.stderr
    assert "18 people created" in first.stdout
    after_first = counts(store)
    assert after_first["persons"] == 18
    assert after_first["relationships"] == 23
    second = ingest_csc(store)
    assert second.code == 0
    assert "18 already known" in second.stdout
    assert counts(store) == after_first


def test_housing_records_link_to_known_people(tmp_path: Path) -> None:
    store = tmp_path / "g.db"
    assert ingest_csc(store).code == 0
    result = ingest_housing(store)
    assert result.code == 0, result.stderr
    # Nine housing people are CSC people under other spellings; only Craig Bennett is new.
    assert "1 people created" in result.stdout
    assert "9 linked" in result.stdout
    s = open_store(store)
    try:
        from genogram.model import SourceKey

        for housing, csc in [
            ("H-201", "1002"),  # Kerry Hart, day and month swapped
            ("H-202", "1001"),
            ("H-204", "1006"),  # Lynda / Linda
            ("H-205", "1004"),
            ("H-301", "2002"),  # Kasia / Katarzyna
            ("H-302", "2001"),  # Nowak Evans without hyphen, no birth date
            ("H-303", "2003"),
            ("H-401", "3001"),  # Jaydon OBrien
            ("H-402", "3003"),  # Peggy / Margaret
        ]:
            assert s.find_by_source(SourceKey("HOUSING", housing)) == s.find_by_source(
                SourceKey("CSC", csc)
            ), housing
        merges = [m for m in s.matches() if m.decision == "merge"]
        assert len(merges) == 9
        assert all(0.85 <= m.score <= 1.0 for m in merges)
    finally:
        s.close()


def test_ingest_records_json_summary(tmp_path: Path) -> None:
    result = run(
        tmp_path / "g.db",
        "ingest",
        "records",
        "--people",
        str(FIX / "csc_people.csv"),
        "--format",
        "json",
    )
    assert result.code == 0
    summary = json.loads(result.stdout)
    assert summary["people_created"] == 18
    assert summary["relationships"] == 0


def test_map_option_renames_columns(tmp_path: Path) -> None:
    people = tmp_path / "edu.csv"
    people.write_text(
        "UPN,Forename,Surname,DOB,Gender\nE1,Amelia,Hart,14/03/2015,F\n", encoding="utf-8"
    )
    store = tmp_path / "g.db"
    assert ingest_csc(store).code == 0
    args = ["ingest", "records", "--people", str(people), "--source", "EDU"]
    for pair in ("record_id=UPN", "given_names=Forename", "family_name=Surname"):
        args += ["--map", pair]
    args += ["--map", "birth_date=DOB", "--map", "sex=Gender"]
    result = run(store, *args)
    assert result.code == 0, result.stderr
    assert "1 linked" in result.stdout


# --------------------------------------------------------------------------- bad input


def _bad_cases() -> list[tuple[str, list[str]]]:
    cases: list[tuple[str, list[str]]] = []
    for path in sorted(BAD.glob("people_*.csv")):
        cases.append((path.name, ["ingest", "records", "--people", str(path)]))
    for path in sorted(BAD.glob("rels_*.csv")) + sorted(BAD.glob("graph_*.csv")):
        cases.append(
            (
                path.name,
                [
                    "ingest",
                    "records",
                    "--people",
                    str(FIX / "csc_people.csv"),
                    "--relationships",
                    str(path),
                ],
            )
        )
    for path in sorted(BAD.glob("notes_*")) + sorted(BAD.glob("note_*")):
        cases.append((path.name, ["ingest", "notes", str(path)]))
    return cases


@pytest.mark.parametrize(("name", "args"), _bad_cases(), ids=[c[0] for c in _bad_cases()])
def test_bad_input_is_one_line_exit_2_and_store_unchanged(
    tmp_path: Path, name: str, args: list[str]
) -> None:
    store = tmp_path / "g.db"
    assert ingest_csc(store).code == 0
    before = counts(store)
    result = run(store, *args)
    assert result.code == 2, (name, result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("genogram: error: ")
    assert name in lines[0]
    assert "Traceback" not in result.stderr
    assert counts(store) == before


def test_relationship_to_unknown_record_is_rejected_before_writing(tmp_path: Path) -> None:
    rels = tmp_path / "rels.csv"
    rels.write_text(
        "source,from_record,relationship,to_record\nCSC,1002,mother,1001\nCSC,9999,father,1001\n",
        encoding="utf-8",
    )
    store = tmp_path / "g.db"
    result = run(
        store,
        "ingest",
        "records",
        "--people",
        str(FIX / "csc_people.csv"),
        "--relationships",
        str(rels),
    )
    assert result.code == 2
    assert "line 3" in result.stderr and "from_record" in result.stderr
    assert counts(store)["persons"] == 0


def test_note_subject_not_found_leaves_store_unchanged(tmp_path: Path) -> None:
    store = tmp_path / "g.db"
    assert ingest_csc(store).code == 0
    before = counts(store)
    notes = tmp_path / "n.jsonl"
    good = {"id": "a", "subject": "CSC:1001", "text": "Mum (Kerry) was at home."}
    bad = {"id": "b", "subject": "CSC:4242", "text": "Her brother Riley was out."}
    notes.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    result = run(store, "ingest", "notes", str(notes))
    assert result.code == 2
    assert "line 2" in result.stderr and "subject" in result.stderr
    assert counts(store) == before


def test_missing_file_is_exit_2(tmp_path: Path) -> None:
    result = run(tmp_path / "g.db", "ingest", "records", "--people", str(tmp_path / "no.csv"))
    assert result.code == 2
    assert "no.csv" in result.stderr


def test_usage_error_is_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--store", str(tmp_path / "g.db"), "relatives"])
    assert result.exit_code == 2


# --------------------------------------------------------------------------- relatives


def test_relatives_table_names_each_relative(full_store: Path) -> None:
    result = run(full_store, "relatives", "CSC:1001")
    assert result.code == 0
    for name, term in [
        ("Kerry Louise Hart", "mother"),
        ("Dean Walsh", "father"),
        ("Riley Hart", "maternal half-brother"),
        ("Linda Hart", "maternal grandmother"),
        ("Michael Hart", "maternal grandfather"),
        ("Thomas Hart", "maternal uncle"),
        ("Craig Bennett", "mother's partner"),
        ("Jason O'Connor", "mother's ex-partner"),
    ]:
        rows = [line for line in result.stdout.splitlines() if name in line]
        assert rows and term in rows[0], (name, term)


def test_relatives_json_follows_the_design(full_store: Path) -> None:
    data = relatives_json(full_store, "CSC:1001")
    keys = {
        "person_id",
        "name",
        "relationship",
        "degree",
        "sex",
        "birth_date",
        "deceased",
        "implied",
        "certainty",
        "confidence",
        "sources",
    }
    assert data
    for entry in data:
        assert keys <= set(entry)
        assert entry["sources"], entry["person_id"]
        for source in entry["sources"]:  # type: ignore[union-attr]
            assert set(source) == {"document", "quote"}
    by_term = {e["relationship"]: e for e in data}
    assert by_term["maternal grandfather"]["deceased"] is True
    assert by_term["mother"]["birth_date"] == "1994-07-02"
    subject = relatives_json(full_store, "CSC:1001", "--max-degree", "1")
    assert {e["relationship"] for e in subject} == {"mother", "father"}


def test_relatives_by_name_and_by_id(full_store: Path) -> None:
    by_key = relatives_json(full_store, "CSC:3001")
    by_name = relatives_json(full_store, "Jayden O'Brien")
    assert by_key == by_name
    s = open_store(full_store)
    try:
        from genogram.model import SourceKey

        pid = s.find_by_source(SourceKey("CSC", "3001"))
    finally:
        s.close()
    assert pid is not None
    assert relatives_json(full_store, pid) == by_key


def test_ambiguous_name_lists_ids_and_asks_for_one(full_store: Path) -> None:
    result = run(full_store, "relatives", "Hart")
    assert result.code == 2
    assert "give a person id" in result.stderr
    assert "CSC:1001" in result.stderr  # record keys identify the candidates
    assert "1994" not in result.stderr  # no personal details


def test_unknown_subject_is_exit_2(full_store: Path) -> None:
    result = run(full_store, "relatives", "CSC:0000")
    assert result.code == 2
    assert "no person matches" in result.stderr


def test_relatives_csv_is_rfc4180_and_neutralised(full_store: Path) -> None:
    result = run(full_store, "relatives", "CSC:1001", "--format", "csv")
    assert result.code == 0
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0][:3] == ["person_id", "name", "relationship"]
    assert len(rows) == len(relatives_json(full_store, "CSC:1001")) + 1
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


# --------------------------------------------------------------------------- render


@pytest.mark.parametrize(
    ("suffix", "magic"),
    [(".pdf", b"%PDF"), (".svg", b"<?xml"), (".png", b"\x89PNG"), (".dot", b"digraph")],
)
def test_render_formats(full_store: Path, tmp_path: Path, suffix: str, magic: bytes) -> None:
    out = tmp_path / f"g{suffix}"
    result = run(full_store, "render", "CSC:1001", "-o", str(out))
    assert result.code == 0, result.stderr
    assert out.read_bytes().lstrip()[: len(magic)] == magic


def test_render_refuses_to_overwrite_without_force(full_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "g.svg"
    out.write_text("keep me", encoding="utf-8")
    result = run(full_store, "render", "CSC:1001", "-o", str(out))
    assert result.code == 2
    assert "--force" in result.stderr
    assert out.read_text(encoding="utf-8") == "keep me"
    assert run(full_store, "render", "CSC:1001", "-o", str(out), "--force").code == 0
    assert out.read_text(encoding="utf-8") != "keep me"


def test_render_refuses_symlink_and_missing_folder(full_store: Path, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.svg"
    link = tmp_path / "link.svg"
    link.symlink_to(target)
    assert run(full_store, "render", "CSC:1001", "-o", str(link), "--force").code == 2
    assert not target.exists()
    missing = tmp_path / "nope" / "g.svg"
    assert run(full_store, "render", "CSC:1001", "-o", str(missing)).code == 2


def test_render_unsupported_suffix(full_store: Path, tmp_path: Path) -> None:
    result = run(full_store, "render", "CSC:1001", "-o", str(tmp_path / "g.docx"))
    assert result.code == 2


# ------------------------------------------------------------------ store option, help, demo


def test_store_from_environment(tmp_path: Path) -> None:
    store = tmp_path / "env.db"
    result = runner.invoke(
        app,
        ["ingest", "records", "--people", str(FIX / "csc_people.csv")],
        env={"GENOGRAM_STORE": str(store)},
    )
    assert result.exit_code == 0, result.stderr
    assert counts(store)["persons"] == 18


def test_unreachable_neo4j_server_is_a_one_line_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--store", "bolt://127.0.0.1:7687", "relatives", "x"])
    assert result.exit_code == 1
    assert "Neo4j" in result.stderr
    assert "Traceback" not in result.stderr


COMMANDS: Sequence[Sequence[str]] = (
    ("ingest", "records"),
    ("ingest", "notes"),
    ("relatives",),
    ("render",),
    ("demo",),
    ("review",),
    ("review", "accept"),
    ("review", "reject"),
    ("merge",),
    ("split",),
    ("audit",),
    ("erase",),
)


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c) for c in COMMANDS])
def test_every_command_has_help_with_an_example(command: Sequence[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.stdout


def test_demo_writes_a_pdf_that_opens(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = runner.invoke(app, ["demo", "--out", str(out)], env={"GENOGRAM_STORE": ""})
    assert result.exit_code == 0, result.stderr
    pdf = out / "genogram-CSC-1001.pdf"
    svg = out / "genogram-CSC-1001.svg"
    assert str(pdf) in result.stdout and str(svg) in result.stdout
    assert "maternal grandmother" in result.stdout  # the relatives table
    reader = PdfReader(str(pdf))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Amelia" in text and "OFFICIAL-SENSITIVE" in text
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, check=False)
        assert info.returncode == 0
    # Running the demo again is fine (it overwrites its own outputs, duplicates nothing).
    before = counts(out / "genogram.db")
    again = runner.invoke(app, ["demo", "--out", str(out)], env={"GENOGRAM_STORE": ""})
    assert again.exit_code == 0, again.stderr
    assert counts(out / "genogram.db") == before
    assert os.path.getsize(pdf) > 1000


# ------------------------------------------------------------------ review, merge, split, audit


@pytest.fixture
def cli_store(backend: Backend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An empty store of the backend under test, as a --store value (a Bolt server's
    credentials go into the environment, as a user would set them)."""
    if isinstance(backend, Neo4jBackend):
        backend.open().close()  # empties the database
        for name, value in backend.server.environ().items():
            monkeypatch.setenv(name, value)
        return backend.server.uri
    return str(tmp_path / "g.db")


def test_review_accept_split_and_audit(cli_store: str, tmp_path: Path) -> None:
    store = cli_store
    assert ingest_csc(store).code == 0
    edu = tmp_path / "edu.csv"
    edu.write_text("source,record_id,given_names,family_name,birth_date\nEDU,E-9,K,Hart,1994\n")
    assert run(store, "ingest", "records", "--people", str(edu)).code == 0
    listed = json.loads(run(store, "review", "--format", "json").stdout)
    assert len(listed) == 1 and 0.6 <= listed[0]["score"] < 0.85
    table = run(store, "review")
    assert listed[0]["id"] in table.stdout and "Kerry Louise Hart" in table.stdout
    accepted = run(store, "review", "accept", listed[0]["id"])
    assert accepted.code == 0, accepted.stderr
    assert json.loads(run(store, "review", "--format", "json").stdout) == []
    decision = accepted.stdout.split()[-1]
    assert run(store, "split", decision).code == 0
    assert len(json.loads(run(store, "review", "--format", "json").stdout)) == 1
    assert run(store, "split", decision).code == 2  # already undone
    assert run(store, "relatives", "CSC:1001", "--format", "json").code == 0
    log = json.loads(run(store, "audit", "--format", "json").stdout)
    assert [e["action"] for e in log] == ["review-accept", "split", "view-relatives"]
    assert all(e["actor"] for e in log)


def test_merge_and_erase_commands(cli_store: str) -> None:
    store = cli_store
    assert ingest_csc(store).code == 0
    merged = run(store, "merge", "CSC:1004", "CSC:1005")
    assert merged.code == 0, merged.stderr
    assert run(store, "split", "CSC:1004").code == 0  # by person id: their latest merge
    assert run(store, "merge", "CSC:1004", "CSC:1004").code == 2
    assert run(store, "erase", "CSC:1005").code == 2  # needs --yes
    erased = run(store, "erase", "CSC:1005", "--yes")
    assert erased.code == 0, erased.stderr
    assert run(store, "relatives", "CSC:1005").code == 2
    log = json.loads(run(store, "audit", "--format", "json").stdout)
    assert log[-1]["action"] == "erase"
    assert "O'Connor" not in json.dumps(log)


def test_note_subject_matching_two_people_asks_for_an_id(tmp_path: Path) -> None:
    store = tmp_path / "g.db"
    assert ingest_csc(store).code == 0
    before = counts(store)
    notes = tmp_path / "n.jsonl"
    note = {"id": "a", "subject": "Hart", "text": "Mum (Kerry) was at home."}
    notes.write_text(json.dumps(note) + "\n", encoding="utf-8")
    result = run(store, "ingest", "notes", str(notes))
    assert result.code == 2
    assert "line 1" in result.stderr and "subject" in result.stderr
    assert "give a person id" in result.stderr and "CSC:1002" in result.stderr
    assert counts(store) == before
