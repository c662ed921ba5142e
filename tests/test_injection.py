"""Hostile text (quotes, backslashes, angle brackets, newlines, DOT, Cypher and SQL syntax,
spreadsheet formulas) goes through every output and comes back as text: the structure of the
output is unchanged and the text round-trips."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from genogram.model import Evidence, PartialDate, Person, Relationship, RelType, Sex
from genogram.query import neutralise_cell, relatives, relatives_rows
from graphstore.sqlite import SQLiteStore
from render import RenderOptions, build_dot, render_file

HOSTILE = [
    'Ann "the \\"x\\"" <b>O\'Neil</b>',
    '=HYPERLINK("http://x")',
    "+1-2",
    "-cmd|' /C calc'!A0",
    "@SUM(A1)",
    "\tTabby",
    "Rob}; a -> b [label=x]; {",
    "x' }) MATCH (n) DETACH DELETE n //",
    "Robert'); DROP TABLE persons;--",
    "Line\nbreak",
    "\\N \\G \\L",
    "Zoë Ł'Ówen-Smyth",
]

text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x00").map(
            str
        )
        | st.sampled_from(list("\"'<>&\\{}[];=+-@\n\t|")),
        min_size=1,
        max_size=30,
    ).filter(lambda s: s.strip() != ""),
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    s = SQLiteStore(tmp_path / "g.db")
    yield s
    s.close()


def family(store: SQLiteStore, mother_name: str, child_name: str) -> None:
    store.put_person(
        Person("MUM", mother_name, "Hart", sex=Sex.FEMALE, birth_date=PartialDate(1990, 1, 2))
    )
    store.put_person(
        Person("KID", child_name, "Hart", sex=Sex.MALE, birth_date=PartialDate(2015, 3, 4))
    )
    quote = f"Mum ({mother_name}) said: {child_name}"
    store.put_relationship(
        Relationship(
            RelType.PARENT_OF,
            "MUM",
            "KID",
            "birth",
            evidence=[Evidence("N-1", "notes", "test", quote=quote, span=(0, 3))],
        )
    )


settings_io = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@settings_io
@given(mother=text, child=text)
def test_json_and_csv_round_trip(store: SQLiteStore, mother: str, child: str) -> None:
    family(store, mother, child)
    rows = relatives(store, "KID")
    assert len(rows) == 1
    data = json.loads(json.dumps([r.as_json() for r in rows]))
    assert data[0]["name"] == f"{mother} Hart"
    assert data[0]["sources"][0]["quote"] == f"Mum ({mother}) said: {child}"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(relatives_rows(rows))
    parsed = list(csv.reader(io.StringIO(buffer.getvalue(), newline="")))
    assert len(parsed) == 2 and len(parsed[1]) == len(parsed[0])
    name_cell = parsed[1][parsed[0].index("name")]
    assert name_cell == neutralise_cell(f"{mother} Hart")
    for cell in parsed[1]:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


def _svg_texts(svg: str) -> str:
    root = ET.fromstring(svg)
    parts = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]
    return "".join(re.sub(r"\s+", "", p) for p in parts)


@settings(max_examples=25, deadline=None)
@given(mother=text, child=text)
def test_dot_and_svg_keep_structure_and_text(mother: str, child: str) -> None:
    people = [
        Person("MUM", mother, "Hart", sex=Sex.FEMALE, birth_date=PartialDate(1990, 1, 2)),
        Person("KID", child, "Hart", sex=Sex.MALE, birth_date=PartialDate(2015, 3, 4)),
    ]
    rels = [Relationship(RelType.PARENT_OF, "MUM", "KID", "birth")]
    dot = build_dot("KID", people, rels, RenderOptions(author=mother))
    done = subprocess.run(["dot", "-Tsvg"], input=dot.encode(), capture_output=True, check=False)
    assert done.returncode == 0, done.stderr
    svg = done.stdout.decode()
    root = ET.fromstring(svg)
    titles = {t.text for t in root.iter("{http://www.w3.org/2000/svg}title")}
    # Exactly the two people's nodes exist, whatever the names contain.
    assert sum(1 for t in titles if t and t.endswith(("MUM", "KID"))) == 2
    texts = _svg_texts(svg)
    for name in (mother, child):
        assert re.sub(r"\s+", "", name) in texts


@settings(max_examples=5, deadline=None)
@given(mother=st.sampled_from(HOSTILE))
def test_pdf_text_round_trips(tmp_path_factory: pytest.TempPathFactory, mother: str) -> None:
    out = tmp_path_factory.mktemp("pdf") / "g.pdf"
    people = [
        Person("MUM", mother, "Hart", sex=Sex.FEMALE, birth_date=PartialDate(1990, 1, 2)),
        Person("KID", "Amy", "Hart", sex=Sex.FEMALE, birth_date=PartialDate(2015, 3, 4)),
    ]
    rels = [Relationship(RelType.PARENT_OF, "MUM", "KID", "birth")]
    render_file(build_dot("KID", people, rels, RenderOptions()), out)
    reader = PdfReader(str(out))
    extracted = re.sub(r"\s+", "", "".join(p.extract_text() for p in reader.pages))
    assert re.sub(r"\s+", "", mother) in extracted
