"""`genogram relatives --format csv`: a property test that no generated value survives as a
spreadsheet formula, and that the file is RFC 4180 (every value reads back as written)."""

from __future__ import annotations

import csv
import io
import json
from contextlib import redirect_stdout

from hypothesis import given, settings
from hypothesis import strategies as st

from cli import TableFormat, print_relatives
from genogram.query import RELATIVES_CSV_HEADER, Relative, Source, neutralise_cell

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# Any text, often starting with a formula character or holding CSV's own special characters.
texts = st.one_of(
    st.text(),
    st.builds(
        lambda head, tail: head + tail,
        st.sampled_from([*FORMULA_START, '"', ",", "\n", "\r\n", " =", "'"]),
        st.text(),
    ),
    st.sampled_from(['=HYPERLINK("http://x","y")', "@SUM(A1)", "-2+3", "+44 1234", "=1,2"]),
)
sources = st.builds(
    Source,
    document=texts,
    quote=st.one_of(st.none(), texts),
    system=texts,
    method=texts,
    date=st.one_of(st.none(), texts),
    confidence=st.floats(0, 1),
)
relatives_strategy = st.builds(
    Relative,
    person_id=texts,
    name=st.one_of(st.none(), texts),
    relationship=texts,
    degree=st.integers(-5, 20),
    sex=texts,
    birth_date=st.one_of(st.none(), texts),
    deceased=st.booleans(),
    implied=st.booleans(),
    certainty=texts,
    confidence=st.floats(-1, 2, allow_nan=False),
    sources=st.lists(sources, max_size=3).map(tuple),
    roles=st.lists(texts, max_size=3).map(tuple),
)


def export(rows: list[Relative], fmt: TableFormat) -> str:
    """What the `relatives` command writes for these rows."""
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        print_relatives(rows, fmt, "relatives")
    return buffer.getvalue()


@settings(max_examples=300, deadline=None)
@given(st.lists(relatives_strategy, max_size=4))
def test_no_csv_cell_survives_as_a_formula(rows: list[Relative]) -> None:
    text = export(rows, TableFormat.csv)
    parsed = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    assert parsed[0] == list(RELATIVES_CSV_HEADER)
    assert len(parsed) == len(rows) + 1
    for row, relative in zip(parsed[1:], rows, strict=True):
        assert len(row) == len(RELATIVES_CSV_HEADER)
        for cell in row:
            assert not cell.startswith(FORMULA_START), cell
        values = dict(zip(RELATIVES_CSV_HEADER, row, strict=True))
        # Every value reads back exactly (RFC 4180 quoting), neutralised when it must be.
        assert values["person_id"] == neutralise_cell(relative.person_id)
        assert values["name"] == neutralise_cell(relative.name or "")
        assert values["relationship"] == neutralise_cell(relative.relationship)
        assert values["certainty"] == neutralise_cell(relative.certainty)
    assert text == "" or text.endswith("\r\n")


@settings(max_examples=100, deadline=None)
@given(st.lists(relatives_strategy, max_size=3))
def test_json_export_keeps_every_value_exactly(rows: list[Relative]) -> None:
    data = json.loads(export(rows, TableFormat.json))
    assert [d["name"] for d in data] == [r.name for r in rows]
    assert [d["relationship"] for d in data] == [r.relationship for r in rows]
    assert [[s["quote"] for s in d["sources"]] for d in data] == [
        [s.quote for s in r.sources] for r in rows
    ]


def test_neutralise_prefixes_each_formula_start() -> None:
    for start in FORMULA_START:
        assert neutralise_cell(start + "1+1") == "'" + start + "1+1"
    assert neutralise_cell("Kerry") == "Kerry"
    assert neutralise_cell(None) == ""
