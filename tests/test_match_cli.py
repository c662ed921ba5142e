"""`genogram match` end to end: a FEBRL sample, deduplication, and bad inputs (exit 2)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from extract.tables import parse_match_mapping, read_table
from genogram.errors import InputError

DATA = Path(__file__).resolve().parent / "data"
LEFT, RIGHT = DATA / "febrl4_a_200.csv", DATA / "febrl4_b_200.csv"
FEBRL_MAP = [
    "--map",
    "given_names=given_name",
    "--map",
    "family_name=surname",
    "--map",
    "birth_date=date_of_birth",
    "--map",
    "address=street_number",
    "--map",
    "address=address_1",
    "--map",
    "address=address_2",
    "--map",
    "address=suburb",
]

runner = CliRunner()


def match(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["match", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def pairs(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def f1(found: set[tuple[str, str]], truth: set[tuple[str, str]]) -> tuple[float, float, float]:
    hits = len(found & truth)
    p, r = hits / max(len(found), 1), hits / len(truth)
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


@pytest.mark.parametrize("with_identifier", [True, False])
def test_febrl_sample_links_end_to_end(tmp_path: Path, with_identifier: bool) -> None:
    out = tmp_path / "pairs.csv"
    extra = ["--map", "identifier=soc_sec_id"] if with_identifier else []
    code, stdout, _ = match(
        str(LEFT), str(RIGHT), "--id", "rec_id", *FEBRL_MAP, *extra, "-o", str(out)
    )
    assert code == 0
    rows = pairs(out)
    assert f"wrote {len(rows)} pairs" in stdout
    assert list(rows[0]) == ["left_id", "right_id", "score"]
    found = {(r["left_id"], r["right_id"]) for r in rows if float(r["score"]) >= 0.85}
    left_ids = [r["rec_id"] for r in csv.DictReader(LEFT.open(encoding="utf-8"))]
    truth = {(x, x.replace("-org", "-dup-0")) for x in left_ids}
    precision, recall, score = f1(found, truth)
    assert precision >= 0.97 and recall >= 0.93 and score >= 0.95, (precision, recall)
    assert all(0.6 <= float(r["score"]) <= 1.0 for r in rows)
    assert [(r["left_id"], r["right_id"]) for r in rows] == sorted(
        (r["left_id"], r["right_id"]) for r in rows
    )


def test_deduplicating_one_file(tmp_path: Path) -> None:
    both = tmp_path / "both.csv"
    lines = LEFT.read_text(encoding="utf-8").splitlines()
    lines += RIGHT.read_text(encoding="utf-8").splitlines()[1:]
    both.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "pairs.csv"
    code, _, _ = match(str(both), "--id", "rec_id", *FEBRL_MAP, "-o", str(out))
    assert code == 0
    found = {tuple(sorted((r["left_id"], r["right_id"]))) for r in pairs(out)}
    truth = {
        tuple(sorted((x, x.replace("-org", "-dup-0"))))
        for x in (line.split(",")[0] for line in lines[1:201])
    }
    precision, recall, _ = f1(found, truth)  # type: ignore[arg-type]
    assert precision >= 0.95 and recall >= 0.9
    assert all(r["left_id"] < r["right_id"] for r in pairs(out))


def test_threshold_and_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "pairs.csv"
    args = [str(LEFT), str(RIGHT), "--id", "rec_id", *FEBRL_MAP, "-o", str(out)]
    assert match(*args, "--threshold", "0.99")[0] == 0
    strict = pairs(out)
    code, _, stderr = match(*args)
    assert code == 2 and "--force" in stderr and str(out) in stderr
    assert match(*args, "--threshold", "0.2", "--force")[0] == 0
    assert len(pairs(out)) >= len(strict)
    assert all(float(r["score"]) >= 0.99 for r in strict)


def test_ids_are_neutralised_in_the_output(tmp_path: Path) -> None:
    source = tmp_path / "people.csv"
    source.write_text(
        "id,given_names,family_name,birth_date\n"
        "=1+1,Kerry,Hart,02/07/1994\n"
        "b2,Kerry,Hart,1994-07-02\n",
        encoding="utf-8",
    )
    out = tmp_path / "pairs.csv"
    assert match(str(source), "--id", "id", "-o", str(out))[0] == 0
    rows = pairs(out)
    assert rows and rows[0]["left_id"] == "'=1+1"


def test_messy_values_become_missing(tmp_path: Path) -> None:
    source = tmp_path / "people.csv"
    source.write_text(
        "id,given_names,family_name,birth_date,sex\n"
        "a,Kerry,Hart,not a date,x\n"
        "b,Kerry,Hart,02/07/1994,female\n"
        "c,Linda,Hart\n",
        encoding="utf-8",
    )
    out = tmp_path / "pairs.csv"
    code, _, stderr = match(str(source), "--id", "id", "-o", str(out))
    assert code == 0
    assert "1 birth_date values could not be read" in stderr
    assert "1 sex values could not be read" in stderr
    assert "not a date" not in stderr and "Kerry" not in stderr


# --------------------------------------------------------------------------- bad inputs


@pytest.mark.parametrize(
    ("content", "args", "expected"),
    [
        ("rec_id,given_name\n1,Kerry\n", ["--id", "id"], ("line 1", "field 'id'", "--id")),
        (
            "rec_id,given_name\n1,Kerry\n",
            ["--id", "rec_id", "--map", "family_name=surname"],
            ("line 1", "field 'family_name'", "'surname'"),
        ),
        (
            "rec_id,given_name\n1,Kerry\n1,Kerry\n",
            ["--id", "rec_id"],
            ("line 3", "field 'rec_id'", "twice (first on line 2)"),
        ),
        ("rec_id,given_name\n,Kerry\n", ["--id", "rec_id"], ("line 2", "field 'rec_id'", "empty")),
        ('rec_id,given_name\n1,"Kerry\n', ["--id", "rec_id"], ("line 2", "CSV", "")),
        ("", ["--id", "rec_id"], ("empty", "", "")),
    ],
)
def test_bad_inputs_exit_2_naming_file_line_and_field(
    tmp_path: Path, content: str, args: list[str], expected: tuple[str, str, str]
) -> None:
    source = tmp_path / "people.csv"
    source.write_text(content, encoding="utf-8")
    code, _, stderr = match(str(source), *args, "-o", str(tmp_path / "out.csv"))
    assert code == 2
    assert stderr.startswith("genogram: error: ") and str(source) in stderr
    for part in expected:
        assert part in stderr
    assert "Kerry" not in stderr
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--map", "shoe_size=x"], "field 'shoe_size'"),
        (["--map", "given_names"], "FIELD=COLUMN"),
        (["--map", "given_names=a", "--map", "given_names=b"], "twice"),
        ([], "--id"),
    ],
)
def test_bad_options_exit_2(tmp_path: Path, args: list[str], expected: str) -> None:
    source = tmp_path / "people.csv"
    source.write_text("id,given_names\n1,Kerry\n", encoding="utf-8")
    id_args = [] if not args else ["--id", "id"]
    code, _, stderr = match(str(source), *id_args, *args, "-o", str(tmp_path / "o.csv"))
    assert code == 2 and expected in stderr


def test_missing_output_option_and_missing_file(tmp_path: Path) -> None:
    code, _, stderr = match(str(LEFT), "--id", "rec_id")
    assert code == 2 and "-o" in stderr
    code, _, stderr = match(str(tmp_path / "nope.csv"), "--id", "x", "-o", str(tmp_path / "o"))
    assert code == 2 and "file not found" in stderr


def test_latin1_file_is_rejected(tmp_path: Path) -> None:
    source = tmp_path / "people.csv"
    source.write_bytes("id,given_names\n1,Zo\xeb\n".encode("latin-1"))
    code, _, stderr = match(str(source), "--id", "id", "-o", str(tmp_path / "o.csv"))
    assert code == 2 and "UTF-8" in stderr and "line 2" in stderr


# --------------------------------------------------------------------------- reader


def test_reader_maps_columns_and_joins_address_parts() -> None:
    mapping = parse_match_mapping(["address=street_number", "address=address_1"])
    table = read_table(LEFT, id_column="rec_id", mapping=mapping)
    assert len(table) == 200
    assert "postcode" in table.columns  # a column named like a field is read without --map
    first = table.ids.index("rec-0-org")
    assert table.columns["address"][first] is not None
    street_number, address_1 = next(
        (r["street_number"], r["address_1"])
        for r in csv.DictReader(LEFT.open(encoding="utf-8"))
        if r["rec_id"] == "rec-0-org"
    )
    assert table.columns["address"][first] == f"{street_number} {address_1}".strip()


def test_short_rows_are_missing_values(tmp_path: Path) -> None:
    source = tmp_path / "people.csv"
    source.write_text("id,given_names,family_name\n1,Kerry\n2,Linda,Hart,extra\n", "utf-8")
    table = read_table(source, id_column="id")
    assert table.columns["family_name"] == [None, "Hart"]


def test_mapping_errors() -> None:
    with pytest.raises(InputError, match="twice"):
        parse_match_mapping(["sex=a", "sex=b"])
    assert parse_match_mapping(["address=a", "address=b"]) == {"address": ["a", "b"]}
