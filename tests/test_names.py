"""Name normalisation, nickname variants, full-name splitting and surname keys."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from genogram.names import (
    NICKNAMES,
    _fold,
    _fold_unicode,
    given_variants,
    is_uk_postcode,
    known_equivalents,
    name_roots,
    normalise,
    normalise_address,
    normalise_postcode,
    postcode_areas,
    split_full_name,
    surname_key,
    surname_parts,
    tokens,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("O'Connor", "oconnor"),
        ("O’Connor", "oconnor"),  # typographic apostrophe
        ("O´Brien", "obrien"),  # acute accent typed as an apostrophe
        ("O＇Brien", "obrien"),  # full-width apostrophe
        ("Nowak-Evans", "nowak evans"),
        ("Nowak–Evans", "nowak evans"),  # en dash
        ("J.R. Hart", "j r hart"),
        ("Zoë", "zoe"),
        ("Łukasz", "lukasz"),
        ("ŁUKASZ", "lukasz"),
        ("Małgorzata Wiśniewska", "malgorzata wisniewska"),
        ("Søren Ærø", "soren aero"),
        ("Siân Dafydd", "sian dafydd"),
        ("ＫＥＲＲＹ　ＨＡＲＴ", "kerry hart"),  # full-width letters and ideographic space
        ("Straße", "strasse"),  # casefold, not lower()
        ("Mrs Kerry Hart", "kerry hart"),
        ("MR. Dean Walsh", "dean walsh"),
        ("Dr Linda Hart", "linda hart"),
        ("Mx Sam Hart", "sam hart"),
        ("Miss Ruby O'Brien", "ruby obrien"),
        ("  Kerry \t Louise\nHart  ", "kerry louise hart"),
        ("Hart, Kerry", "hart kerry"),
        ("Mrs", ""),
        ("", ""),
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_normalise_keeps_title_like_letters_inside_words() -> None:
    assert normalise("Drew Mrsic") == "drew mrsic"
    assert normalise("Missy Hart") == "missy hart"


@given(st.text(max_size=30))
def test_normalise_is_idempotent_and_clean(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once
    assert once == once.strip()
    assert "  " not in once
    assert not any(c in once for c in "'’-.")


def test_tokens() -> None:
    assert tokens("Kerry-Louise  O'Hart") == ["kerry", "louise", "ohart"]
    assert tokens("Mr") == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Kasia", {"katarzyna"}),
        ("Katarzyna", {"kasia"}),
        ("Mick", {"michael", "mike", "mickey"}),
        ("Michael", {"mick", "mike", "mickey"}),
        ("Peggy", {"margaret", "maggie", "meg"}),
        ("Margaret", {"peggy", "maggie", "meg"}),
        ("Sue", {"susan", "susie"}),
        ("Tom", {"thomas", "tommy"}),
        ("Becky", {"rebecca", "becca"}),
        ("Bob", {"robert", "rob", "bobby"}),
        ("Bill", {"william", "will", "billy"}),
        ("Liz", {"elizabeth", "beth", "betty", "lizzie"}),
        ("Cath", {"catherine", "katherine"}),
        ("Jim", {"james", "jimmy"}),
        ("Jack", {"john", "johnny"}),
        ("Dave", {"david"}),
        ("Tony", {"anthony"}),
        ("Chris", {"christopher", "christine", "christina"}),
        ("Sam", {"samuel", "samantha"}),
        ("Alex", {"alexander", "alexandra"}),
        ("Jo", {"joanne", "joanna", "josephine"}),
        ("Sandy", {"sandra", "alexander", "alexandra"}),
    ],
)
def test_given_variants_include_equivalents(name: str, expected: set[str]) -> None:
    variants = given_variants(name)
    assert normalise(name) in variants
    assert expected <= variants


def test_given_variants_do_not_link_different_formal_names() -> None:
    # Christopher and Christine share "Chris" but are different names.
    assert "christine" not in given_variants("Christopher")
    assert "christopher" not in given_variants("Christine")
    assert not known_equivalents("Christopher", "Christine")
    assert known_equivalents("Chris", "Christine")
    assert known_equivalents("Mick", "Mike")  # both short for Michael


def test_given_variants_unknown_and_empty() -> None:
    assert given_variants("Zbigniew") == frozenset({"zbigniew"})
    assert given_variants("") == frozenset()
    assert given_variants("KASIA") == given_variants("kasia")


def test_nickname_table_is_normalised_data() -> None:
    for formal, short_forms in NICKNAMES.items():
        assert normalise(formal) == formal
        assert all(normalise(s) == s and " " not in s for s in short_forms)
        assert formal not in short_forms


@given(st.sampled_from(sorted({*NICKNAMES, *(s for v in NICKNAMES.values() for s in v)})))
def test_known_equivalence_is_symmetric(name: str) -> None:
    for other in given_variants(name):
        assert name in given_variants(other) or other in given_variants(name)
        assert known_equivalents(other, name)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Linda Hart", ("Linda", "Hart")),
        ("Kerry", ("Kerry", None)),
        ("Nowak-Evans, Zofia", ("Zofia", "Nowak-Evans")),
        ("Kerry Louise Hart", ("Kerry Louise", "Hart")),
        ("Jason O'Connor", ("Jason", "O'Connor")),
        ("Mrs Hart", (None, "Hart")),
        ("Mr. Dean Walsh", ("Dean", "Walsh")),
        ("Hart, Mrs Kerry", ("Kerry", "Hart")),
        ("Anna de la Cruz", ("Anna", "de la Cruz")),
        ("Pieter van Dijk", ("Pieter", "van Dijk")),
        ("Michael Hart Jr", ("Michael", "Hart")),
        ("  Sue   Walsh ", ("Sue", "Walsh")),
        ("", (None, None)),
        ("Mrs", (None, None)),
        ("Walsh,", (None, "Walsh")),
    ],
)
def test_split_full_name(text: str, expected: tuple[str | None, str | None]) -> None:
    assert split_full_name(text) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Nowak-Evans", {"nowak evans", "nowak", "evans", "nowakevans"}),
        ("nowak-evans", {"nowak evans", "nowak", "evans", "nowakevans"}),
        ("Nowak Evans", {"nowak evans", "nowak", "evans", "nowakevans"}),
        ("O'Brien", {"obrien"}),
        ("OBrien", {"obrien"}),
        ("MacDonald", {"mcdonald"}),
        ("McDonald", {"mcdonald"}),
        ("van der Berg", {"van der berg", "vanderberg", "berg"}),
        ("", set()),
    ],
)
def test_surname_key(name: str, expected: set[str]) -> None:
    assert surname_key(name) == expected


def test_surname_parts_mac_only_as_a_prefix() -> None:
    assert surname_parts("Mackenzie") == ["mckenzie"]
    assert surname_parts("Mace") == ["mace"]  # too short to be a Mac- prefix
    assert surname_parts("Nowak-Evans") == ["nowak", "evans"]


def test_nickname_package_adds_english_links() -> None:
    # From the maintained `nicknames` package, not the local table.
    assert known_equivalents("Abigail", "Nabby")
    assert "rebecca" in name_roots("becky")
    assert name_roots("rebecca") == frozenset({"rebecca"})
    # Direct links only: two formal names sharing a nickname stay different.
    assert not known_equivalents("Alexander", "Alexandra")


@pytest.mark.parametrize(
    ("text", "code", "areas"),
    [
        ("ls6 1ab", "LS61AB", ("LS61", "LS6")),
        (" SW1A 1AA ", "SW1A1AA", ("SW1A1", "SW1A")),
        ("2615", "2615", ("261", "26")),
    ],
)
def test_postcodes(text: str, code: str, areas: tuple[str, str]) -> None:
    assert normalise_postcode(text) == code
    assert postcode_areas(code) == areas
    assert is_uk_postcode(code) == code.startswith(("LS", "SW"))
    assert normalise_postcode("  ") is None


def test_addresses() -> None:
    assert normalise_address("Flat 2, 12 High Rd.") == "flat 2 12 high road"
    assert normalise_address("No. 4 St Mary's Cl") == "4 st marys close"
    assert normalise_address(" , ") is None


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=30))
def test_ascii_fast_path_agrees_with_full_folding(text: str) -> None:
    assert _fold(text) == _fold_unicode(text)
