"""Pairwise person matching on the shared fixture families, plus scorer properties."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genogram.matching import (
    MERGE_AT,
    REVIEW_AT,
    MatchScore,
    date_level,
    rank_candidates,
    score_people,
)
from genogram.model import Address, PartialDate, Person, Sex

F, M, U = Sex.FEMALE, Sex.MALE, Sex.UNKNOWN


def person(
    pid: str,
    given: str | None,
    family: str | None = None,
    sex: Sex = U,
    born: str | None = None,
    *,
    known_as: tuple[str, ...] = (),
    postcode: str | None = None,
    died: str | None = None,
) -> Person:
    return Person(
        id=pid,
        given_names=given,
        family_name=family,
        known_as=list(known_as),
        sex=sex,
        birth_date=PartialDate.from_iso(born) if born else None,
        death_date=PartialDate.from_iso(died) if died else None,
        deceased=died is not None,
        addresses=[Address("an address", postcode)] if postcode else [],
    )


def components(score: MatchScore) -> dict[str, float]:
    return dict(score.components)


# --------------------------------------------------------------------- fixture families

SAME_PEOPLE = [
    pytest.param(
        person("CSC:1006", "Linda", "Hart", F, "1968-01-25"),
        person("H-204", "Lynda", "Hart", U, "1968-01-25", postcode="LS6 2AB"),
        id="Linda/Lynda spelling",
    ),
    pytest.param(
        person("CSC:1002", "Kerry Louise", "Hart", F, "1994-07-02", postcode="LS7 1XY"),
        person("H-201", "Kerry", "Hart", U, "1994-02-07", postcode="LS7 1XY"),
        id="Kerry day/month transposed",
    ),
    pytest.param(
        person("CSC:2002", "Katarzyna", "Nowak", F, "1990-02-18", known_as=("Kasia",)),
        person("H-301", "Kasia", "Nowak", U, "1990-02-18"),
        id="Kasia known-as",
    ),
    pytest.param(
        person("CSC:3001", "Jayden", "O'Brien", M, "2011-12-01"),
        person("H-401", "Jaydon", "OBrien", U, "2011-01-12"),
        id="Jayden/Jaydon O'Brien/OBrien transposed",
    ),
    pytest.param(
        person("CSC:3003", "Margaret", "O'Brien", F, "1961-07-07", known_as=("Peggy",)),
        person("H-402", "Peggy", "O'Brien", U, "1961-07-07"),
        id="Peggy known-as",
    ),
    pytest.param(
        person(
            "CSC:1007", "Michael", "Hart", M, "1966-04-10", known_as=("Mick",), died="2019-06-01"
        ),
        person("note", "Mick", "Hart", M),
        id="Mick known-as, no date",
    ),
    pytest.param(
        person("CSC:1007", "Michael", "Hart", M, "1966-04-10"),
        person("note", "Mick", "Hart", M),
        id="Mick by nickname table only",
    ),
    pytest.param(
        person("CSC:2002", "Katarzyna", "Nowak", F, "1990-02-18"),
        person("H-301", "Kasia", "Nowak", U, "1990-02-18"),
        id="Kasia by nickname table only",
    ),
]


@pytest.mark.parametrize(("a", "b"), SAME_PEOPLE)
def test_fixture_variants_merge(a: Person, b: Person) -> None:
    result = score_people(a, b)
    assert result.decision() == "merge", result
    assert result.score >= MERGE_AT


def test_zofia_without_birth_date_merges() -> None:
    """Merge, not review: given name and the whole double-barrelled family name agree (a rare
    combination, hyphen or not), nothing disagrees, and a missing date is no evidence. The
    housing record may even split the name as "Zofia Nowak" + "Evans"; a shared surname
    part still merges."""
    csc = person("CSC:2001", "Zofia", "Nowak-Evans", F, "2017-09-03")
    housing = person("H-302", "Zofia", "Nowak Evans", U)
    result = score_people(csc, housing)
    assert result.decision() == "merge"
    assert "birth_date" not in components(result)
    assert components(result)["family"] == 1.0

    split = person("H-302", "Zofia Nowak", "Evans", U)
    assert score_people(csc, split).decision() == "merge"
    assert components(score_people(csc, split))["family"] < 1.0


DIFFERENT_PEOPLE = [
    pytest.param(
        person("CSC:1002", "Kerry", "Hart", F, "1994-07-02"),
        person("CSC:1006", "Linda", "Hart", F, "1968-01-25"),
        id="mother and daughter, same family name",
    ),
    pytest.param(
        person("CSC:1004", "Riley", "Hart", M, "2012-05-09"),
        person("CSC:3005", "Ruby", "O'Brien", F, "2016-08-19"),
        id="Riley/Ruby",
    ),
    pytest.param(
        person("CSC:1001", "Amelia", "Hart", F, "2015-03-14"),
        person("CSC:1004", "Riley", "Hart", M, "2012-05-09"),
        id="half-siblings",
    ),
    pytest.param(
        person("CSC:1008", "Thomas", "Hart", M, "1992-10-12", known_as=("Tom",)),
        person("CSC:1007", "Michael", "Hart", M, "1966-04-10", known_as=("Mick",)),
        id="son and father",
    ),
    pytest.param(
        person("CSC:1002", "Kerry", "Hart", F, "1994-07-02", postcode="LS7 1XY"),
        person("H-203", "Craig", "Bennett", M, "1988", postcode="LS7 1XY"),
        id="partners in one household",
    ),
    pytest.param(
        person("CSC:1005", "Jason", "O'Connor", M, "1989-08-30"),
        person("CSC:3001", "Jayden", "O'Brien", M, "2011-12-01"),
        id="Jason/Jayden",
    ),
]


@pytest.mark.parametrize(("a", "b"), DIFFERENT_PEOPLE)
def test_fixture_different_people_stay_distinct(a: Person, b: Person) -> None:
    result = score_people(a, b)
    assert result.decision() == "distinct", result
    assert result.score < REVIEW_AT


def test_katarzyna_and_krystyna_do_not_merge() -> None:
    """Mother and maternal grandmother, no dates: similar Polish names must not merge."""
    kasia = person("CSC:2002", "Katarzyna", "Nowak", F, known_as=("Kasia",))
    krystyna = person("note", "Krystyna", "Nowak", F)
    result = score_people(kasia, krystyna)
    assert result.decision() != "merge"
    assert result.score < MERGE_AT
    assert score_people(
        person("a", "Katarzyna", "Nowak"), person("b", "Krystyna", "Nowak")
    ).score < (REVIEW_AT)


def test_first_name_mention_needs_relationship_context() -> None:
    """ "Mum (Kerry)": a first name alone goes to review; as the recorded mother it merges."""
    mother = person("CSC:1002", "Kerry Louise", "Hart", F, "1994-07-02")
    mention = person("note", "Kerry", None, F)
    alone = score_people(mention, mother)
    assert alone.decision() == "review"
    assert alone.score < MERGE_AT
    with_context = score_people(mention, mother, context=1.0)
    assert with_context.decision() == "merge"
    assert components(with_context)["context"] == 1.0
    assert "context" not in components(alone)
    # Half the context evidence counts half as much.
    assert alone.score < score_people(mention, mother, context=0.5).score < with_context.score
    # A first name alone, even with unknown sex, still deserves a look; with the context it
    # merges whatever the sex, and so does a misspelt first name.
    assert score_people(person("note", "Kerry"), mother).decision() == "review"
    assert score_people(person("note", "Kerry"), mother, 1.0).decision() == "merge"
    assert score_people(person("note", "Kerri", None, F), mother).decision() != "merge"
    assert score_people(person("note", "Kerri", None, F), mother, 1.0).decision() == "merge"


def test_context_cannot_rescue_a_different_name() -> None:
    mother = person("CSC:1002", "Kerry Louise", "Hart", F, "1994-07-02")
    assert score_people(person("note", "Sarah", None, F), mother, 1.0).decision() == "distinct"


def test_twins_go_to_review_not_merge() -> None:
    a = person("x1", "Amelia", "Hart", F, "2015-03-14")
    b = person("x2", "Ella", "Hart", F, "2015-03-14")
    assert score_people(a, b).decision() == "review"
    c = person("x3", "Oliver", "Hart", M, "2015-03-14")
    assert score_people(a, c).decision() == "distinct"


# --------------------------------------------------------------------- per-field evidence


def test_missing_fields_are_neutral_and_absent() -> None:
    a = person("a", "Kerry", "Hart")
    b = person("b", "Kerry", "Hart", F, "1994-07-02", postcode="LS7 1XY")
    result = score_people(a, b)
    assert set(components(result)) == {"given", "family"}
    assert [name for name, _ in result.weights] == ["prior", "given", "family"]
    assert math.isclose(result.log_odds, math.log(result.score / (1 - result.score)))
    # Adding a field to only one side changes nothing.
    assert score_people(a, person("c", "Kerry", "Hart")).score == result.score


def test_birth_date_levels_order() -> None:
    base = person("a", "Kerry", "Hart", F, "1994-07-02")

    def with_date(born: str) -> float:
        return score_people(base, person("b", "Kerry", "Hart", F, born)).score

    exact = with_date("1994-07-02")
    transposed = with_date("1994-02-07")
    same_month = with_date("1994-07")
    same_year = with_date("1994")
    other_year = with_date("1995-07-02")
    no_date = score_people(base, person("b", "Kerry", "Hart", F)).score
    assert exact > transposed > same_month > same_year > no_date > other_year
    assert components(score_people(base, person("b", "Kerry", "Hart", F, "1994-02-07"))) == {
        "given": 1.0,
        "family": 1.0,
        "birth_date": 0.8,
        "sex": 1.0,
    }
    # A different year is strong evidence against, even with the same name.
    assert score_people(base, person("b", "Kerry", "Hart", F, "1974-07-02")).decision() == (
        "distinct"
    )


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        ("1994-07-02", "1994-07-02", "exact"),
        ("1994-07-02", "1994-02-07", "transposed"),
        ("2011-12-01", "2011-01-12", "transposed"),
        ("1994-07-02", "1994-07-03", "day_differs"),
        ("1994-07-02", "1994-09-03", "same_year"),
        ("1994-07-02", "1994-07", "same_month"),
        ("1994-07", "1994-08", "same_year"),
        ("1994-07-02", "1994", "same_year_partial"),
        ("1994", "1994", "same_year_partial"),
        ("1994-07-02", "1995-07-02", "year_differs"),
        ("1994", "1993-02", "year_differs"),
        ("1990~", "1992-05-01", "approx_near"),
        ("1990~", "1985", "approx_far"),
    ],
)
def test_date_level(a: str, b: str, level: str) -> None:
    da, db = PartialDate.from_iso(a), PartialDate.from_iso(b)
    assert date_level(da, db) == level
    assert date_level(db, da) == level


def test_sex_disagreement_is_strong_and_unknown_is_neutral() -> None:
    a = person("a", "Sam", "Hart", M, "2010-01-01")
    same = score_people(a, person("b", "Sam", "Hart", M, "2010-01-01"))
    unknown = score_people(a, person("b", "Sam", "Hart", U, "2010-01-01"))
    other = score_people(a, person("b", "Sam", "Hart", F, "2010-01-01"))
    assert same.score > unknown.score > other.score
    assert "sex" not in components(unknown)
    assert components(other)["sex"] == 0.0
    assert dict(other.weights)["sex"] <= -5.0


def test_postcode_levels() -> None:
    a = person("a", "Kerry", "Hart", postcode="LS7 1XY")

    def pc(code: str) -> MatchScore:
        return score_people(a, person("b", "Kerry", "Hart", postcode=code))

    same, sector, other = pc("ls71xy"), pc("LS7 1AB"), pc("M1 2CD")
    assert components(same)["postcode"] == 1.0
    assert components(sector)["postcode"] == 0.5
    assert components(other)["postcode"] == 0.0
    assert same.score > sector.score > score_people(a, person("b", "Kerry", "Hart")).score
    assert other.score < score_people(a, person("b", "Kerry", "Hart")).score
    # Any shared address of a person's history counts.
    moved = person("c", "Kerry", "Hart")
    moved.addresses = [Address("old", "M1 2CD"), Address("new", "LS7 1XY")]
    assert components(score_people(a, moved))["postcode"] == 1.0


def test_initials_and_middle_names() -> None:
    full = person("a", "Kerry Louise", "Hart")
    assert components(score_people(full, person("b", "K", "Hart")))["given"] == 0.5
    assert (
        score_people(full, person("b", "K", "Hart")).score
        < score_people(full, person("b", "Kerry", "Hart")).score
    )
    assert score_people(full, person("b", "L", "Hart")).decision() == "distinct"
    # Middle names: agreement helps, disagreement hurts, an initial helps a little.
    plain = score_people(full, person("b", "Kerry", "Hart")).score
    assert score_people(full, person("b", "Kerry Louise", "Hart")).score > plain
    assert score_people(full, person("b", "Kerry L", "Hart")).score > plain
    assert score_people(full, person("b", "Kerry Anne", "Hart")).score < plain
    # Someone recorded under their middle name is not treated as a stranger.
    by_middle = score_people(full, person("b", "Louise", "Hart"))
    assert by_middle.score > score_people(full, person("b", "Sarah", "Hart")).score
    assert components(by_middle)["given"] == 0.5


def test_family_name_forms() -> None:
    a = person("a", "Ruby", "O'Brien")
    assert components(score_people(a, person("b", "Ruby", "OBRIEN")))["family"] == 1.0
    assert components(score_people(a, person("b", "Ruby", "O Brien")))["family"] == 1.0
    mac = score_people(person("a", "Iain", "MacDonald"), person("b", "Iain", "McDonald"))
    assert components(mac)["family"] == 1.0
    # A changed family name (marriage) counts against, but weakly.
    married = score_people(
        person("a", "Kerry", "Hart", F, "1994-07-02"),
        person("b", "Kerry", "Bennett", F, "1994-07-02"),
    )
    assert married.decision() in ("merge", "review")
    assert dict(married.weights)["family"] < 0
    # Aliases with a family name take part.
    alias = person("c", "Kerry", "Hart", known_as=("Kerry Bennett",))
    assert components(score_people(alias, person("d", "Kerry", "Bennett")))["family"] == 1.0


def test_death_dates_compared_when_both_known() -> None:
    a = person("a", "Michael", "Hart", M, "1966-04-10", died="2019-06-01")
    assert "death_date" in components(score_people(a, person("b", "Mick", "Hart", M, died="2019")))
    assert (
        score_people(a, person("b", "Michael", "Hart", M, "1966-04-10", died="2005-01-01")).score
        < score_people(a, person("b", "Michael", "Hart", M, "1966-04-10")).score
    )


@pytest.mark.parametrize("bad", [-0.1, 1.5, math.nan, math.inf])
def test_context_outside_unit_interval_is_rejected(bad: float) -> None:
    a, b = person("a", "Kerry"), person("b", "Kerry")
    with pytest.raises(ValueError, match=r"\[0, 1\]") as err:
        score_people(a, b, bad)
    assert "Kerry" not in str(err.value)
    with pytest.raises(ValueError):
        rank_candidates(a, [b], {"b": bad})


def test_decision_thresholds() -> None:
    assert MatchScore(MERGE_AT, ()).decision() == "merge"
    assert MatchScore(MERGE_AT - 1e-9, ()).decision() == "review"
    assert MatchScore(REVIEW_AT, ()).decision() == "review"
    assert MatchScore(REVIEW_AT - 1e-9, ()).decision() == "distinct"
    assert 0 < REVIEW_AT < MERGE_AT < 1


def test_people_without_names_do_not_merge() -> None:
    a = Person(id="a", implied=True, implied_label="maternal grandmother")
    b = Person(id="b", implied=True, implied_label="maternal grandmother")
    assert score_people(a, b).decision() == "distinct"


# --------------------------------------------------------------------- ranking


def test_rank_candidates_best_first_with_context() -> None:
    hart = [
        person("CSC:1002", "Kerry Louise", "Hart", F, "1994-07-02"),
        person("CSC:1006", "Linda", "Hart", F, "1968-01-25"),
        person("CSC:1001", "Amelia", "Hart", F, "2015-03-14"),
        person("other", "Kerry", "Smith", F, "1980-01-01"),
    ]
    mention = person("note", "Kerry", None, F)
    ranked = rank_candidates(mention, hart, {"CSC:1002": 1.0})
    assert [p.id for p, _ in ranked][:2] == ["CSC:1002", "other"]
    assert ranked[0][1].decision() == "merge"
    assert [s.score for _, s in ranked] == sorted((s.score for _, s in ranked), reverse=True)
    # Without context the two Kerrys tie and are ordered by id; neither merges.
    plain = rank_candidates(mention, hart)
    assert [p.id for p, _ in plain][:2] == ["CSC:1002", "other"]
    assert plain[0][1].score == plain[1][1].score
    assert all(s.decision() != "merge" for _, s in plain)
    assert rank_candidates(mention, []) == []


# --------------------------------------------------------------------- properties

GIVEN = [
    "Kerry",
    "Kerry Louise",
    "Kerri",
    "Linda",
    "Lynda",
    "Michael",
    "Mick",
    "Katarzyna",
    "Kasia",
    "Krystyna",
    "Zofia",
    "Jayden",
    "Jaydon",
    "K",
    "Zoë",
    "Łukasz",
]
FAMILY = ["Hart", "Harte", "Nowak-Evans", "Nowak Evans", "O'Brien", "OBrien", "Walsh", "McDonald"]
POSTCODES = ["LS7 1XY", "LS7 1AB", "M1 2CD"]


@st.composite
def partial_dates(draw: st.DrawFn) -> PartialDate:
    year = draw(st.integers(1960, 2020))
    precision = draw(st.sampled_from(["year", "month", "day", "approx"]))
    if precision == "approx":
        return PartialDate(year, approximate=True)
    if precision == "year":
        return PartialDate(year)
    month = draw(st.integers(1, 12))
    if precision == "month":
        return PartialDate(year, month)
    return PartialDate(year, month, draw(st.integers(1, 28)))


@st.composite
def people(draw: st.DrawFn, pid: str | None = None) -> Person:
    return Person(
        id=pid or draw(st.text("abcdef", min_size=1, max_size=4)),
        given_names=draw(st.none() | st.sampled_from(GIVEN)),
        family_name=draw(st.none() | st.sampled_from(FAMILY)),
        known_as=draw(
            st.lists(st.sampled_from(["Kasia", "Mick", "Peggy", "Kerry Bennett"]), max_size=2)
        ),
        sex=draw(st.sampled_from(list(Sex))),
        birth_date=draw(st.none() | partial_dates()),
        death_date=draw(st.none() | partial_dates()),
        addresses=[
            Address("a", pc) for pc in draw(st.lists(st.sampled_from(POSTCODES), max_size=2))
        ],
    )


contexts = st.floats(0.0, 1.0)


@settings(max_examples=200)
@given(people(), people(), contexts)
def test_score_is_a_probability_and_symmetric(a: Person, b: Person, context: float) -> None:
    ab = score_people(a, b, context)
    assert 0.0 <= ab.score <= 1.0
    assert all(0.0 <= value <= 1.0 for _, value in ab.components)
    assert ab == score_people(b, a, context)
    assert ab.decision() in ("merge", "review", "distinct")


@settings(max_examples=150)
@given(people())
def test_named_person_merges_with_its_copy(a: Person) -> None:
    """A person with a full name (a given name of two letters or more and a family name)
    always merges with an exact copy. A first name alone is not enough: see the
    "Kerry" mention test."""
    a.given_names = a.given_names if a.given_names and len(a.given_names) > 1 else "Kerry"
    a.family_name = a.family_name or "Hart"
    copy = Person(**{**a.__dict__, "id": "copy"})
    assert score_people(a, copy).decision() == "merge"


@settings(max_examples=150)
@given(people(), people(), partial_dates())
def test_agreeing_birth_date_never_lowers_the_score(
    a: Person, b: Person, born: PartialDate
) -> None:
    a.birth_date = b.birth_date = None
    before = score_people(a, b).score
    a.birth_date = b.birth_date = born
    assert score_people(a, b).score >= before


@settings(max_examples=100)
@given(
    people("query"),
    st.lists(people(), max_size=6, unique_by=lambda p: p.id),
    st.randoms(use_true_random=False),
)
def test_ranking_does_not_depend_on_candidate_order(
    query: Person, candidates: list[Person], rng: object
) -> None:
    context = {c.id: 1.0 for c in candidates[:1]}
    ranked = rank_candidates(query, candidates, context)
    shuffled = list(candidates)
    rng.shuffle(shuffled)  # type: ignore[attr-defined]
    again = rank_candidates(query, shuffled, context)
    assert [(p.id, s) for p, s in ranked] == [(p.id, s) for p, s in again]
    assert len(ranked) == len(candidates)
    scores = [s.score for _, s in ranked]
    assert scores == sorted(scores, reverse=True)


def test_swapped_given_and_family_names_still_merge() -> None:
    record = Person("a", "Kerry", "Hart", birth_date=PartialDate(1994, 7, 2))
    swapped = Person("b", "Hart", "Kerry", birth_date=PartialDate(1994, 7, 2))
    assert score_people(record, swapped).decision() == "merge"
    assert score_people(swapped, record) == score_people(record, swapped)
    # Two different people are not made alike by reading one of them swapped.
    other = Person("c", "Dean", "Walsh", birth_date=PartialDate(1994, 7, 2))
    assert score_people(record, other).decision() == "distinct"


def test_uk_postcode_sector_from_the_shared_helpers() -> None:
    a = person("a", "Kerry", "Hart", postcode="ls6 1ab")
    b = person("b", "Kerry", "Hart", postcode="LS6 1ZZ")
    assert components(score_people(a, b))["postcode"] == 0.5
