"""Blocking keeps every true pair of the fixtures while splitting unrelated people apart."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from extract.records import read_mapping_file, read_people
from genogram.assertions import PersonRecord
from genogram.matching import blocking_keys
from genogram.model import PartialDate, Person

FIX = Path(__file__).resolve().parent.parent / "fixtures"

PAIRS = {
    "H-201": "1002",
    "H-202": "1001",
    "H-204": "1006",
    "H-205": "1004",
    "H-301": "2002",
    "H-302": "2001",
    "H-303": "2003",
    "H-401": "3001",
    "H-402": "3003",
}


def person(rec: PersonRecord) -> Person:
    return Person(
        id=str(rec.key),
        given_names=rec.given_names,
        family_name=rec.family_name,
        known_as=list(rec.known_as),
        sex=rec.sex,
        birth_date=rec.birth_date,
    )


def query_keys(p: Person) -> set[str]:
    return {k for k in blocking_keys(p) if not (k.startswith("v:") and p.family_name)}


def test_fixture_true_pairs_share_a_block() -> None:
    csc = {r.record_id: person(r) for r in read_people(FIX / "csc_people.csv")}
    housing = {
        r.record_id: person(r)
        for r in read_people(
            FIX / "housing_people.csv",
            source="HOUSING",
            mapping=read_mapping_file(FIX / "housing.map"),
        )
    }
    for h, c in PAIRS.items():
        assert query_keys(housing[h]) & blocking_keys(csc[c]), h


def test_unrelated_people_do_not_share_a_block() -> None:
    kerry = Person("a", "Kerry", "Hart", birth_date=PartialDate(1994, 7, 2))
    ruby = Person("b", "Ruby", "O'Brien", birth_date=PartialDate(2016, 8, 19))
    assert not query_keys(kerry) & blocking_keys(ruby)


def test_a_first_name_mention_finds_the_full_record() -> None:
    mention = Person("m", "Kerry")
    record = Person("r", "Kerry Louise", "Hart", birth_date=PartialDate(1994, 7, 2))
    assert query_keys(mention) & blocking_keys(record)


names = st.text(alphabet=st.characters(categories=("L",)), min_size=1, max_size=12)


@given(names, names, st.integers(1900, 2024), st.integers(1, 12), st.integers(1, 28))
def test_an_exact_copy_always_shares_a_block(
    given_name: str, family: str, year: int, month: int, day: int
) -> None:
    p = Person("x", given_name, family, birth_date=PartialDate(year, month, day))
    assert query_keys(p) & blocking_keys(Person("y", given_name, family))
