"""Extraction quality on the gold corpus: floors that make a regression fail.

The figures themselves are printed by `make eval` (tests/notes_corpus/corpus_eval.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus_eval import CORPUS, Report, evaluate, load_corpus, read_note_file

#: Floors, a little under the figures measured when they were last raised.
RELATIVES_PRECISION = 0.95
RELATIVES_RECALL = 0.92
MENTIONS_PRECISION = 0.88
MENTIONS_RECALL = 0.92
RELATIONS_PRECISION = 0.93
RELATIONS_RECALL = 0.88


@pytest.fixture(scope="module")
def report() -> Report:
    return evaluate()


def test_corpus_is_large_and_varied() -> None:
    corpus = load_corpus(CORPUS)
    assert len(corpus) >= 40
    relatives = {(item.case, name, term) for item in corpus for name, term in item.relatives}
    assert len(relatives) >= 200
    assert len({item.style for item in corpus}) >= 20


def test_relatives_floor(report: Report) -> None:
    assert report.relatives.precision >= RELATIVES_PRECISION, report.relatives.line("relatives")
    assert report.relatives.recall >= RELATIVES_RECALL, report.relatives.line("relatives")


def test_mentions_floor(report: Report) -> None:
    assert report.mentions.precision >= MENTIONS_PRECISION, report.mentions.line("mentions")
    assert report.mentions.recall >= MENTIONS_RECALL, report.mentions.line("mentions")


def test_relations_floor(report: Report) -> None:
    assert report.relations.precision >= RELATIONS_PRECISION, report.relations.line("relations")
    assert report.relations.recall >= RELATIONS_RECALL, report.relations.line("relations")


def test_heldout_notes_are_scored_separately() -> None:
    heldout = load_corpus(CORPUS.parent / "heldout")
    assert len(heldout) >= 10
    assert not {item.case for item in heldout} & {item.case for item in load_corpus(CORPUS)}


def test_bad_annotation_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_text(
        "id: X-1\ncase: X\nchild: Ann Lee; female; 2015-01-01\n\nText.\n=== gold\nq | what\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=r"bad\.txt, line 7"):
        read_note_file(path)
