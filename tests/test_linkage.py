"""The table-linkage engine: comparison levels, blocking, EM fitting, order independence."""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genogram.linkage import (
    COMPARISONS,
    FIELDS,
    LEVELS,
    LinkOptions,
    Table,
    _Comparer,
    _Features,
    link,
    pair_metrics,
)

ROOT = Path(__file__).resolve().parent.parent


def load_generator() -> ModuleType:
    """bench/bench_scale.py, whose generator makes UK records with known duplicates."""
    spec = importlib.util.spec_from_file_location("bench_scale", ROOT / "bench" / "bench_scale.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_scale"] = module
    spec.loader.exec_module(module)
    return module


GEN = load_generator()
COLUMNS = ("given_names", "family_name", "sex", "birth_date", "address", "postcode")


def table(rows: list[dict[str, str]]) -> Table:
    return Table([r["id"] for r in rows], {f: [r[f] or None for r in rows] for f in COLUMNS})


@pytest.fixture(scope="module")
def generated() -> tuple[list[dict[str, str]], set[tuple[str, str]]]:
    return GEN.generate(3000, seed=11)


def level(field: str, a: dict[str, str | None], b: dict[str, str | None]) -> str:
    """The level name of one comparison between two single-record tables (linked)."""
    left = Table(["a"], {k: [v] for k, v in a.items()})
    right = Table(["b"], {k: [v] for k, v in b.items()})
    fx = _Features([left, right])
    levels = _Comparer(fx, 1).levels(np.array([0]), np.array([1]))
    return LEVELS[field][int(levels[field][0])]


# --------------------------------------------------------------------------- levels


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("Rebecca", "Becky", "nickname"),
        ("Peggy", "Margaret", "nickname"),
        ("Kasia", "Katarzyna", "nickname"),
        ("Kerry Louise", "KERRY", "exact"),
        ("Kerry", "Kery", "close"),
        ("Zoë", "Zoe", "exact"),
        ("J", "James", "initial"),
        ("Louise", "Kerry Louise", "crossed"),
        ("Kerry", "Amelia", "different"),
    ],
)
def test_given_name_levels(a: str, b: str, expected: str) -> None:
    assert level("given_names", {"given_names": a}, {"given_names": b}) == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("O'Connor", "OCONNOR", "exact"),
        ("MacDonald", "McDonald", "exact"),
        ("Nowak-Evans", "Nowak Evans", "exact"),
        ("Nowak-Evans", "Evans", "part"),
        ("Hart", "Harte", "close"),
        ("Hart", "Walsh", "different"),
    ],
)
def test_family_name_levels(a: str, b: str, expected: str) -> None:
    assert level("family_name", {"family_name": a}, {"family_name": b}) == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("02/07/1994", "1994-07-02", "exact"),
        ("2 July 1994", "19940702", "exact"),
        ("02/07/1994", "07/02/1994", "transposed"),
        ("1994-07-02", "1994-07-03", "typo"),
        ("19941302", "19941102", "typo"),  # not a valid date: its digits still compare
        ("1994", "1994-07-02", "partial"),
        ("1994-03-02", "1994-11-20", "same_year"),
        ("1994-03-02", "1991-11-20", "within_5_years"),
        ("1994-03-02", "1961-11-20", "different"),
        ("not a date", "1994-07-02", "missing"),
    ],
)
def test_birth_date_levels(a: str, b: str, expected: str) -> None:
    assert level("birth_date", {"birth_date": a}, {"birth_date": b}) == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (("LS6 1AB", "12 High Road"), ("ls61ab", "12 High Rd"), "same/same"),
        (("LS6 1AB", "12 High Road"), ("LS6 4XY", None), "area/none"),
        (("LS6 1AB", None), ("LS6 1AD", None), "one_edit/none"),
        (("LS6 1AB", "12 High Road"), ("M1 1AA", "3 Low Lane"), "different/different"),
        ((None, "12 High Road Leeds"), (None, "12 High Road"), "none/same"),
        (("LS6 1AB", None), ("LS6 1AB", None), "same/none"),
    ],
)
def test_location_levels_compare_postcode_and_address_jointly(
    a: tuple[str | None, str | None], b: tuple[str | None, str | None], expected: str
) -> None:
    left = {"postcode": a[0], "address": a[1]}
    right = {"postcode": b[0], "address": b[1]}
    assert level("location", left, right) == expected


def test_swapped_given_and_family_names_are_read_swapped() -> None:
    a = {"given_names": "Kerry", "family_name": "Hart"}
    b = {"given_names": "Hart", "family_name": "Kerry"}
    assert level("given_names", a, b) == "exact"
    assert level("family_name", a, b) == "exact"


def test_missing_on_either_side_is_no_evidence() -> None:
    assert level("sex", {"sex": "F"}, {"sex": ""}) == "missing"
    assert level("sex", {"sex": "female"}, {"sex": "F"}) == "same"
    assert level("sex", {"sex": "female"}, {"sex": "m"}) == "different"


def test_levels_are_symmetric(generated: tuple[list[dict[str, str]], set[tuple[str, str]]]) -> None:
    rows, _ = generated
    fx = _Features([table(rows[:400])])
    comparer = _Comparer(fx, 1)
    rng = np.random.default_rng(0)
    i = rng.integers(0, fx.n, 2000)
    j = rng.integers(0, fx.n, 2000)
    forward, backward = comparer.levels(i, j), comparer.levels(j, i)
    for name in forward:
        assert np.array_equal(forward[name], backward[name]), name


# --------------------------------------------------------------------------- the engine


def test_em_finds_the_known_duplicates(
    generated: tuple[list[dict[str, str]], set[tuple[str, str]]],
) -> None:
    rows, truth = generated
    result = link(table(rows), options=LinkOptions(threshold=0.5))
    precision, recall, f1 = pair_metrics([(a, b) for a, b, _ in result.pairs], truth)
    assert result.model.converged
    assert precision >= 0.93 and recall >= 0.90 and f1 >= 0.93, (precision, recall, f1)
    # The fitted model agrees with common sense: exact agreement is evidence for a match.
    agree = {"sex": "same", "location": "same/same"}
    disagree = {"location": "different/different"}
    for fm in result.model.fields:
        weights = fm.weights()
        exact = fm.levels.index(agree.get(fm.name, "exact"))
        different = fm.levels.index(disagree.get(fm.name, "different"))
        assert weights[exact] > 0 > weights[different], fm.name


def test_blocking_keeps_the_true_pairs(
    generated: tuple[list[dict[str, str]], set[tuple[str, str]]],
) -> None:
    rows, truth = generated
    result = link(table(rows), options=LinkOptions(threshold=0.0))
    kept = {(a, b) for a, b, _ in result.pairs}
    assert len(kept & truth) / len(truth) >= 0.98
    assert result.blocking.reduction_ratio > 0.99
    assert result.blocking.candidate_pairs == len(result.pairs)


def test_linking_two_tables(generated: tuple[list[dict[str, str]], set[tuple[str, str]]]) -> None:
    rows, truth = generated
    left = [r for r in rows if int(r["id"][1:]) % 2 == 0]
    right = [r for r in rows if int(r["id"][1:]) % 2 == 1]
    result = link(table(left), table(right), options=LinkOptions(threshold=0.5))
    left_ids = {r["id"] for r in left}
    cross = {(a, b) for a, b in truth if (a in left_ids) != (b in left_ids)}
    assert all(a in left_ids and b not in left_ids for a, b, _ in result.pairs)
    found = {(a, b) if a < b else (b, a) for a, b, _ in result.pairs}
    _, recall, f1 = pair_metrics(found, cross)
    assert f1 >= 0.9 and recall >= 0.88


@settings(
    max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.randoms(use_true_random=False))
def test_result_does_not_depend_on_row_order(
    generated: tuple[list[dict[str, str]], set[tuple[str, str]]], rnd: random.Random
) -> None:
    rows = generated[0][:600]
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    first = link(table(rows), options=LinkOptions(threshold=0.3))
    second = link(table(shuffled), options=LinkOptions(threshold=0.3))
    assert first.pairs == second.pairs
    assert first.model == second.model


def test_ids_sort_each_pair_in_a_deduplication() -> None:
    rows = [
        {"id": "b", "given_names": "Kerry", "family_name": "Hart", "birth_date": "1994-07-02"},
        {"id": "a", "given_names": "Kerry", "family_name": "Hart", "birth_date": "02/07/1994"},
    ]
    fields = ("given_names", "family_name", "birth_date")
    result = link(Table([r["id"] for r in rows], {f: [r[f] for r in rows] for f in fields}))
    assert [p[:2] for p in result.pairs] == [("a", "b")]


@pytest.mark.parametrize("size", [0, 1, 2])
def test_tiny_tables(size: int) -> None:
    ids = [f"r{k}" for k in range(size)]
    result = link(Table(ids, {"given_names": ["Kerry"] * size}))
    assert result.pairs == [] or size == 2


def test_a_table_with_only_names_still_links() -> None:
    names = ["Kerry Hart", "Linda Hart", "Dean Walsh", "Ruby O'Brien", "Zofia Nowak"] * 3
    ids = [f"x{k}" for k in range(len(names))]
    result = link(
        Table(
            ids,
            {
                "given_names": [n.split()[0] for n in names],
                "family_name": [n.split()[1] for n in names],
            },
        ),
        options=LinkOptions(threshold=0.0),
    )
    assert result.pairs
    assert {fm.name for fm in result.model.fields} == {"given_names", "family_name"}


def test_table_is_checked() -> None:
    with pytest.raises(ValueError, match="unknown field"):
        Table(["a"], {"shoe_size": ["9"]})
    with pytest.raises(ValueError, match="different number"):
        Table(["a", "b"], {"given_names": ["x"]})
    with pytest.raises(ValueError, match="unique"):
        Table(["a", "a"], {})
    assert set(COMPARISONS) <= set(LEVELS)
    assert "location" in COMPARISONS and set(FIELDS) >= {"postcode", "address", "identifier"}


def test_pair_metrics() -> None:
    assert pair_metrics([("a", "b")], [("b", "a")]) == (1.0, 1.0, 1.0)
    precision, recall, f1 = pair_metrics([("a", "b"), ("a", "c")], [("a", "b"), ("c", "d")])
    assert (precision, recall) == (0.5, 0.5) and f1 == pytest.approx(0.5)
