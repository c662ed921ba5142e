"""Tests of the genogram renderer: scope, pure layout and geometry, notation, DOT text (with
golden files), and Graphviz's drawings checked on the coordinates of the drawn symbols
(`render_invariants`) for the test families, the fixture families ingested into a store and
three-generation families from the public royal92.ged.

Golden DOT files live in tests/golden/; after an intended change to the drawing, regenerate
them with ``GENOGRAM_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_render.py -k golden`` and look
at the difference before committing it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from render_invariants import (
    SVG,
    Symbol,
    assert_invariants,
    check_invariants,
    lines_clear_of_symbols,
    parse_svg,
    person_symbols,
)
from typer.testing import CliRunner

from genogram.errors import InputError, RenderError
from genogram.model import Evidence, Fact, PartialDate, Person, Relationship, RelType, Sex
from genogram.store import GraphStore
from graphstore import open_store
from render import (
    RenderOptions,
    apply_scope,
    build_dot,
    compose,
    drawing_to_dot,
    generations_of,
    node_id,
    render_file,
    select,
)
from render import draw as draw_module
from render.geometry import (
    assign_lanes,
    isotonic_positions,
    offset_polyline,
    text_width,
    union_outline,
    zigzag,
)
from render.layout import order_siblings, plan_layout, sibship_points
from render.notation import (
    RELATES_STYLES,
    age_label,
    caption_lines,
    clean_text,
    initials,
    partner_date_label,
    pregnancy_kind,
)
from render.scope import Scope, relation_names, split_terms, visible

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "fixtures"
GOLDEN = Path(__file__).resolve().parent / "golden"
ROYAL92 = Path("/work/shared/data/gedcom/samples/royal92.ged")

D = PartialDate
F, M, U = Sex.FEMALE, Sex.MALE, Sex.UNKNOWN
DRAWN = date(2024, 5, 1)
HAS_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(not HAS_DOT, reason="Graphviz 'dot' is not installed")

Family = tuple[list[Person], list[Relationship]]


def parent(
    p: str, c: str, kind: str | None = "birth", certainty: str = "confirmed"
) -> Relationship:
    return Relationship(RelType.PARENT_OF, p, c, kind, certainty=certainty)


def partners(a: str, b: str, status: str | None, start: PartialDate | None = None) -> Relationship:
    return Relationship(RelType.PARTNER_OF, a, b, status, start_date=start)


def hart() -> Family:
    """Three generations: grandparents Linda + Michael (deceased), their children Thomas and
    Kerry; Kerry's ex-partners Jason (-> Riley) and Dean (-> Amelia, the subject) and her
    cohabiting partner Craig."""
    people = [
        Person("1001", "Amelia", "Hart", sex=F, birth_date=D(2015, 3, 14)),
        Person("1002", "Kerry Louise", "Hart", sex=F, birth_date=D(1994, 7, 2)),
        Person("1003", "Dean", "Walsh", sex=M, birth_date=D(1990, 11, 20)),
        Person("1004", "Riley", "Hart", sex=M, birth_date=D(2012, 5, 9)),
        Person("1005", "Jason", "O'Connor", sex=M, birth_date=D(1989, 8, 30)),
        Person("1006", "Linda", "Hart", sex=F, birth_date=D(1968, 1, 25)),
        Person(
            "1007",
            "Michael",
            "Hart",
            known_as=["Mick"],
            sex=M,
            birth_date=D(1966, 4, 10),
            death_date=D(2019, 6, 1),
            deceased=True,
        ),
        Person("1008", "Thomas", "Hart", known_as=["Tom"], sex=M, birth_date=D(1992, 10, 12)),
        Person("H203", "Craig", "Bennett", sex=M, birth_date=D(1988)),
    ]
    rels = [
        parent("1002", "1001"),
        parent("1003", "1001"),
        parent("1002", "1004"),
        parent("1005", "1004"),
        partners("1002", "1003", "separated", D(2014)),
        partners("1002", "1005", "separated", D(2010)),
        partners("1006", "1007", "married", D(1991, 6, 15)),
        parent("1006", "1002"),
        parent("1007", "1002"),
        parent("1006", "1008"),
        parent("1007", "1008"),
        partners("1002", "H203", "cohabiting"),
    ]
    return people, rels


def twins() -> Family:
    """Divorced parents with five children: identical twins, fraternal twins and an elder
    brother; the father has a new partner of unrecorded sex."""
    people = [
        Person("T1", "Ada", "Lane", sex=F, birth_date=D(2018, 2, 1)),
        Person("T2", "Bea", "Lane", sex=F, birth_date=D(2018, 2, 1)),
        Person("T3", "Cal", "Lane", sex=M, birth_date=D(2015, 6, 1)),
        Person("T4", "Dot", "Lane", sex=F, birth_date=D(2020, 1, 1)),
        Person("T5", "Eli", "Lane", sex=M, birth_date=D(2020, 1, 1)),
        Person("TM", "Mia", "Lane", sex=F, birth_date=D(1988, 1, 1)),
        Person("TF", "Ned", "Lane", sex=M, birth_date=D(1986, 1, 1)),
        Person("TX", "Sam", "Hill", sex=U, birth_date=D(1990)),
    ]
    rels = [parent(p, c) for p in ("TM", "TF") for c in ("T1", "T2", "T3", "T4", "T5")]
    rels += [
        partners("TM", "TF", "divorced"),
        Relationship(RelType.SIBLING_OF, "T1", "T2", "full", twin="identical"),
        Relationship(RelType.SIBLING_OF, "T4", "T5", "full", twin="fraternal"),
        partners("TF", "TX", "dating"),
    ]
    return people, rels


def implied() -> Family:
    """Zofia with her married parents and brother, and an implied maternal grandmother."""
    people = [
        Person("2001", "Zofia", "Nowak-Evans", sex=F, birth_date=D(2017, 9, 3)),
        Person("2002", "Katarzyna", "Nowak", known_as=["Kasia"], sex=F, birth_date=D(1990, 2, 18)),
        Person("2003", "Gareth", "Evans", sex=M, birth_date=D(1987, 6, 5)),
        Person("2004", "Jakub", "Nowak-Evans", sex=M, birth_date=D(2014, 1, 22)),
        Person("G1", sex=F, implied=True, implied_label="maternal grandmother"),
    ]
    rels = [
        parent("2002", "2001"),
        parent("2003", "2001"),
        parent("2002", "2004"),
        parent("2003", "2004"),
        partners("2002", "2003", "married", D(2013, 8, 10)),
        parent("G1", "2002"),
    ]
    return people, rels


def obrien() -> Family:
    """A deceased mother, an alleged father, a grandmother who is also special guardian and
    a foster carer."""
    people = [
        Person("3001", "Jayden", "O'Brien", sex=M, birth_date=D(2011, 12, 1)),
        Person(
            "3002",
            "Shannon",
            "O'Brien",
            sex=F,
            birth_date=D(1993, 3, 15),
            death_date=D(2021, 2, 10),
            deceased=True,
        ),
        Person("3003", "Margaret", "O'Brien", known_as=["Peggy"], sex=F, birth_date=D(1961, 7, 7)),
        Person("3004", "Janet", "Morris", sex=F, birth_date=D(1970, 5, 5)),
        Person("3005", "Ruby", "O'Brien", sex=F, birth_date=D(2016, 8, 19)),
        Person("3006", "Lee", "Parker", sex=M),
    ]
    rels = [
        parent("3002", "3001"),
        parent("3002", "3005"),
        parent("3006", "3001", certainty="alleged"),
        parent("3003", "3002"),
        parent("3003", "3001", "special_guardian"),
        parent("3004", "3005", "foster"),
        Relationship(RelType.SIBLING_OF, "3005", "3001", "full"),
    ]
    return people, rels


def relates(a: str, b: str, kind: str, certainty: str = "confirmed") -> Relationship:
    return Relationship(RelType.RELATES_TO, a, b, kind, certainty=certainty)


def lives(a: str, b: str) -> Relationship:
    return Relationship(RelType.LIVES_WITH, a, b)


EVIDENCE = Evidence("N-1", "notes", "test")


def rich() -> Family:
    """Every notation element at once: Chloe's mother Mary has three partners (divorced,
    separated, cohabiting), children with each, identical twins, a pregnancy and a
    miscarriage; an implied grandfather who only shares a child with the grandmother (no
    recorded partnership), an adopted aunt, a foster carer, a deceased grandmother,
    households, and one line of every emotional and safeguarding kind."""
    people = [
        Person("C", "Chloe", "Price", sex=F, birth_date=D(2016, 4, 2)),
        Person("M", "Mary", "Price", sex=F, birth_date=D(1990, 1, 5)),
        Person("F", "Frank", "Stone", sex=M, birth_date=D(1988, 3, 3)),
        Person("P2", "Paul", "Reed", sex=M, birth_date=D(1985, 6, 6)),
        Person("B1", "Ben", "Reed", sex=M, birth_date=D(2010, 2, 2)),
        Person("S1", "Sara", "Stone", sex=F, birth_date=D(2018, 7, 7)),
        Person("S2", "Sam", "Stone", sex=M, birth_date=D(2018, 7, 7)),
        Person(
            "PG", sex=U, birth_date=D(2025, 3), facts=[Fact("pregnancy", "pregnancy", EVIDENCE)]
        ),
        Person("MC", sex=U, birth_date=D(2021), facts=[Fact("pregnancy", "miscarriage", EVIDENCE)]),
        Person("NP", "Nick", "Fox", sex=M, birth_date=D(1992)),
        Person("GM", "Gwen", "Price", sex=F, birth_date=D(1965, 5, 5)),
        Person("GF", sex=M, implied=True, implied_label="maternal grandfather"),
        Person("FC", "Fiona", "Carr", sex=F, birth_date=D(1975)),
        Person("AD", "Alex", "Price", sex=F, birth_date=D(2012, 1, 1)),
        Person("FM", "Flo", "Stone", sex=F, birth_date=D(1960), death_date=D(2020)),
    ]
    rels = [parent("M", c) for c in ("C", "B1", "S1", "S2", "PG", "MC")]
    rels += [parent("F", c) for c in ("C", "S1", "S2", "MC")]
    rels += [
        parent("P2", "B1"),
        parent("NP", "PG"),
        Relationship(RelType.SIBLING_OF, "S1", "S2", "full", twin="identical"),
        Relationship(
            RelType.PARTNER_OF, "M", "P2", "divorced", start_date=D(2008), end_date=D(2012)
        ),
        Relationship(
            RelType.PARTNER_OF, "M", "F", "separated", start_date=D(2014), end_date=D(2022)
        ),
        Relationship(RelType.PARTNER_OF, "M", "NP", "cohabiting", start_date=D(2023)),
        parent("GM", "M"),
        parent("GF", "M"),
        parent("FC", "C", "foster"),
        parent("GM", "AD", "adoptive"),
        parent("FM", "F"),
        lives("M", "NP"),
        lives("M", "B1"),
        lives("C", "FC"),
        lives("GM", "AD"),
        relates("NP", "M", "domestic_abuse"),
        relates("F", "C", "abuse_physical"),
        relates("M", "GM", "conflict"),
        relates("C", "B1", "close"),
        relates("F", "P2", "hostile"),
        relates("GM", "F", "cut_off"),
        relates("M", "C", "neglect"),
        relates("AD", "C", "distant"),
        relates("P2", "B1", "abuse_emotional"),
        relates("NP", "C", "abuse_sexual"),
        relates("B1", "M", "caretaker"),
    ]
    return people, rels


FAMILIES: dict[str, tuple[Callable[[], Family], str]] = {
    "hart": (hart, "1001"),
    "twins": (twins, "T1"),
    "implied": (implied, "2001"),
    "obrien": (obrien, "3001"),
    "rich": (rich, "C"),
}


def options(**kw: object) -> RenderOptions:
    values = {"drawn_on": DRAWN, "author": "A. Worker", **kw}
    return RenderOptions(**values)  # type: ignore[arg-type]


def run_dot_svg(dot: str) -> str:
    result = subprocess.run(
        ["dot", "-Tsvg"], input=dot.encode(), capture_output=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    return result.stdout.decode("utf-8")


def svg_text(svg: str) -> str:
    """All text of an SVG with white space removed (long names wrap onto two lines)."""
    texts = ("".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{SVG}text"))
    return "".join("".join(texts).split())


def squash(text: str) -> str:
    return "".join(text.split())


# ----------------------------------------------------------------------------- generations


def test_generations_of_hart() -> None:
    people, rels = hart()
    gens = generations_of("1001", {p.id: p for p in people}, rels)
    assert gens == {
        "1001": 0,
        "1004": 0,
        "1002": -1,
        "1003": -1,
        "1005": -1,
        "1008": -1,
        "H203": -1,
        "1006": -2,
        "1007": -2,
    }


def test_generations_household_only_people_share_the_row() -> None:
    people, rels = hart()
    people.append(Person("X1", "Nobody", "Linked", sex=M))
    people.append(Person("X2", "Only", "Lodger", sex=F))
    rels.append(lives("1002", "X2"))  # a lodger: no kinship, but lives with Kerry
    gens = generations_of("1002", {p.id: p for p in people}, rels)
    assert gens["1001"] == 1 and gens["1004"] == 1 and gens["1006"] == -1
    assert gens["X2"] == 0 and "X1" not in gens


def test_generations_carer_links_do_not_pull_rows() -> None:
    people, rels = obrien()
    gens = generations_of("3001", {p.id: p for p in people}, rels)
    # Peggy is Jayden's special guardian but stays on the grandparents' row.
    assert gens == {"3001": 0, "3005": 0, "3002": -1, "3006": -1, "3004": -1, "3003": -2}


def test_generations_siblings_share_a_row() -> None:
    people = [Person("A", sex=F), Person("B", sex=M), Person("C", sex=F)]
    rels = [Relationship(RelType.SIBLING_OF, "A", "B", "half"), parent("C", "B")]
    gens = generations_of("A", {p.id: p for p in people}, rels)
    assert gens == {"A": 0, "B": 0, "C": -1}


def pedigree_collapse() -> Family:
    """Cousins marry (their child is the subject), and an uncle partners his niece: the
    shortest walk alone would put a parent and child on one row."""
    people = [
        Person(x, x, sex=M if x in "ACEGU" else F, birth_date=D(1900 + i))
        for i, x in enumerate("ABCDEFGHNUS")
    ]
    rels = [
        parent("A", "C"),
        parent("B", "C"),
        parent("A", "D"),
        parent("B", "D"),
        parent("C", "E"),
        parent("D", "H"),
        parent("E", "S"),
        parent("H", "S"),
        Relationship(RelType.PARTNER_OF, "E", "H", "married"),
        parent("A", "U"),
        parent("B", "U"),
        parent("C", "N"),
        Relationship(RelType.PARTNER_OF, "U", "N", "married"),
    ]
    return people, rels


def test_generations_stay_consistent_when_a_family_marries_into_itself() -> None:
    people, rels = pedigree_collapse()
    gens = generations_of("S", {p.id: p for p in people}, rels)
    assert gens["S"] == 0 and gens["E"] == gens["H"] == -1
    for r in rels:
        if r.type is RelType.PARENT_OF:
            assert gens[r.to_id] > gens[r.from_id], r
        if r.type is RelType.PARTNER_OF:
            assert gens[r.to_id] == gens[r.from_id], r


def test_generations_survive_a_person_partnered_with_their_own_child() -> None:
    people = [Person("A", sex=F), Person("B", sex=M), Person("C", sex=M)]
    rels = [
        parent("A", "B"),
        Relationship(RelType.PARTNER_OF, "A", "B", "married"),  # bad data, must not hang
        parent("B", "C"),
    ]
    gens = generations_of("C", {p.id: p for p in people}, rels)
    assert gens["C"] == 0 and gens["B"] < 0 and gens["A"] < gens["B"]


# ----------------------------------------------------------------------------- select, scope


def test_select_one_generation() -> None:
    people, rels = hart()
    kept, edges = select("1001", people, rels, 1)
    # Grandparents are out of scope; Thomas hangs only from them, so he goes too.
    assert {p.id for p in kept} == {"1001", "1002", "1003", "1004", "1005", "H203"}
    ids = {p.id for p in kept}
    assert all(r.from_id in ids and r.to_id in ids for r in edges)
    assert len(edges) == 7


def test_select_zero_and_two_generations() -> None:
    people, rels = hart()
    kept, edges = select("1001", people, rels, 0)
    assert [p.id for p in kept] == ["1001"] and edges == []
    kept, edges = select("1001", people, rels, 2)
    assert len(kept) == len(people) and len(edges) == len(rels)


def test_select_include_brings_the_linking_people() -> None:
    people, rels = hart()
    kept, _ = select("1001", people, rels, 0, include=["1008"])
    # Thomas comes with the people who link him to Amelia (mother, grandparent).
    ids = {p.id for p in kept}
    assert {"1001", "1008", "1002"} <= ids
    assert ids & {"1006", "1007"}


def test_select_rejects_bad_arguments() -> None:
    people, rels = hart()
    with pytest.raises(InputError) as info:
        select("1001", people, rels, -1)
    assert info.value.field == "generations"
    with pytest.raises(InputError) as info:
        select("nobody", people, rels, 2)
    assert "Amelia" not in str(info.value)


def test_split_terms_kinds_and_people() -> None:
    kinds, people = split_terms(["emotional,CSC:1005", "Households", "domestic-abuse", "P12"], "x")
    assert kinds == {"emotional", "households", "domestic_abuse"}
    assert people == ["CSC:1005", "P12"]
    with pytest.raises(InputError) as info:
        split_terms(["partners"], "--exclude")
    assert info.value.field == "--exclude"


def test_relation_names_and_visibility() -> None:
    da = relates("A", "B", "domestic_abuse")
    close = relates("A", "B", "close")
    foster = parent("A", "B", "foster")
    alleged = parent("A", "B", certainty="alleged")
    assert relation_names(da) == {"domestic_abuse", "safeguarding"}
    assert relation_names(close) == {"close", "emotional"}
    assert relation_names(foster) == {"foster", "carers"}
    assert relation_names(alleged) == {"uncertain"}
    assert relation_names(lives("A", "B")) == {"households"}
    hide = Scope(hide_emotional=True)
    assert not visible(da, hide) and not visible(close, hide) and visible(foster, hide)
    back = Scope(hide_emotional=True, include_kinds=frozenset({"safeguarding"}))
    assert visible(da, back) and not visible(close, back)
    assert not visible(foster, Scope(exclude_kinds=frozenset({"carers"})))
    assert not visible(alleged, Scope(exclude_kinds=frozenset({"uncertain"})))


def scoped(**kw: object) -> tuple[set[str], list[Relationship]]:
    people, rels = rich()
    kept, edges = apply_scope("C", people, rels, Scope(**kw))  # type: ignore[arg-type]
    return {p.id for p in kept}, edges


def test_apply_scope_hide_exclude_include() -> None:
    ids, edges = scoped()
    assert {r.type for r in edges} >= {RelType.RELATES_TO, RelType.LIVES_WITH}
    _, edges = scoped(hide_emotional=True)
    assert not any(r.type is RelType.RELATES_TO for r in edges)
    _, edges = scoped(hide_emotional=True, include_kinds=frozenset({"safeguarding"}))
    kinds = {r.kind for r in edges if r.type is RelType.RELATES_TO}
    assert kinds == {
        "abuse_physical",
        "abuse_emotional",
        "abuse_sexual",
        "neglect",
        "domestic_abuse",
    }
    _, edges = scoped(exclude_kinds=frozenset({"households", "carers"}))
    assert not any(r.type is RelType.LIVES_WITH for r in edges)
    assert not any(r.kind in ("foster", "caretaker") for r in edges)
    # Fiona is Chloe's foster carer and nothing else: she goes with the carer line.
    ids2, _ = scoped(exclude_kinds=frozenset({"households", "carers"}))
    assert "FC" in ids and "FC" not in ids2
    ids3, _ = scoped(exclude_kinds=frozenset({"implied"}))
    assert "GF" in ids and "GF" not in ids3
    ids4, _ = scoped(exclude_people=frozenset({"NP"}))
    assert "NP" not in ids4 and "PG" in ids4  # the pregnancy still hangs from Mary


def test_apply_scope_errors_name_no_one() -> None:
    people, rels = rich()
    with pytest.raises(InputError) as info:
        apply_scope("C", people, rels, Scope(exclude_people=frozenset({"C"})))
    assert info.value.field == "--exclude"
    with pytest.raises(InputError) as info:
        apply_scope("C", people, rels, Scope(include_people=frozenset({"nobody"})))
    assert info.value.field == "--include" and "Chloe" not in str(info.value)
    with pytest.raises(InputError) as info:
        apply_scope("C", people, rels, Scope(include_kinds=frozenset({"gossip"})))
    assert "gossip" in str(info.value)


# ----------------------------------------------------------------------------- plan


def test_order_siblings_eldest_first_unknown_last_twins_together() -> None:
    people = {
        "a": Person("a", birth_date=D(2015)),
        "b": Person("b", birth_date=D(2012, 5, 9)),
        "c": Person("c"),
        "d": Person("d", birth_date=D(2018, 2, 1)),
        "e": Person("e"),  # twin of d with a missing birth date
    }
    assert order_siblings(people, people) == ["b", "a", "d", "c", "e"]
    assert order_siblings(people, people, [("d", "e")]) == ["b", "a", "d", "e", "c"]


def test_plan_unions_and_direct_links() -> None:
    people, rels = obrien()
    plan = plan_layout("3001", people, rels)
    hung = {c: u.parents for u in plan.unions for c in u.children}
    assert hung["3001"] == ("3002",)  # hangs from the mother; the alleged father is direct
    assert hung["3005"] == ("3002",)
    assert hung["3002"] == ("3003",)
    direct = {(d.parent, d.child): d.rel.kind for d in plan.direct_links}
    assert direct == {
        ("3006", "3001"): "birth",
        ("3003", "3001"): "special_guardian",
        ("3004", "3005"): "foster",
    }
    row = plan.rows[-1]
    assert abs(row.index("3006") - row.index("3002")) == 1  # the alleged father stands by


def test_plan_rows_hart() -> None:
    people, rels = hart()
    plan = plan_layout("1001", people, rels)
    assert plan.rows[-2] == ("1007", "1006")  # man on the left of a couple
    # Thomas is older than Kerry; Kerry's partners sit around her, earliest on the left.
    assert plan.rows[-1] == ("1008", "1005", "1002", "1003", "H203")
    assert plan.rows[0] == ("1004", "1001")
    union = {u.parents: u for u in plan.unions}
    assert union[("1005", "1002")].children == ("1004",)
    assert union[("1002", "1003")].children == ("1001",)
    assert union[("1002", "H203")].children == ()


def test_plan_households_and_relations() -> None:
    people, rels = rich()
    plan = plan_layout("C", people, rels)
    assert set(plan.households) == {("AD", "GM"), ("B1", "M", "NP"), ("C", "FC")}
    assert len(plan.relations) == len(RELATES_STYLES)
    ended = [*rels, Relationship(RelType.LIVES_WITH, "F", "FM", end_date=D(2010))]
    assert set(plan_layout("C", people, ended).households) == set(plan.households)


def test_plan_co_parents_without_partnership_are_a_union_without_a_line_kind() -> None:
    people, rels = rich()
    plan = plan_layout("C", people, rels)
    (u,) = [u for u in plan.unions if set(u.parents) == {"GF", "GM"}]
    assert u.partnership is None and u.children == ("M",)


def test_sibship_points_twins_hang_from_one_point() -> None:
    people, rels = twins()
    plan = plan_layout("T1", people, rels)
    (u,) = [u for u in plan.unions if u.children]
    assert u.children == ("T3", "T1", "T2", "T4", "T5")
    points, join = sibship_points(u, plan.twins)
    assert points == [("T3",), ("T1", "T2"), ("T4", "T5")] and join == 1
    assert {t.members: t.identical for t in plan.twins} == {
        ("T1", "T2"): True,
        ("T4", "T5"): False,
    }


def test_plan_siblings_without_recorded_parents_share_a_line() -> None:
    people = [
        Person("A", sex=F, birth_date=D(2016)),
        Person("B", sex=M, birth_date=D(2010)),
        Person("C", sex=F, birth_date=D(2012)),
    ]
    rels = [
        Relationship(RelType.SIBLING_OF, "A", "B", "full"),
        Relationship(RelType.SIBLING_OF, "A", "C", "half"),
    ]
    plan = plan_layout("A", people, rels)
    (u,) = plan.unions
    assert u.parents == () and u.children == ("B", "C", "A")
    assert plan.rows[0] == ("B", "C", "A")


# ----------------------------------------------------------------------------- text


def test_age_and_caption() -> None:
    people, _ = hart()
    by_id = {p.id: p for p in people}
    assert age_label(by_id["1001"], DRAWN) == "9"
    assert age_label(by_id["1007"], DRAWN) == "53"  # age at death
    assert age_label(by_id["H203"], DRAWN) == "36"  # year only
    assert age_label(Person("z", birth_date=D(2030)), DRAWN) == ""
    assert age_label(Person("z", deceased=True, birth_date=D(1950)), DRAWN) == ""
    assert caption_lines(by_id["1007"]) == ['Michael Hart ("Mick")', "b. 1966 d. 2019"]
    assert caption_lines(Person("g", implied=True, implied_label="maternal grandmother")) == [
        "maternal grandmother"
    ]
    assert caption_lines(Person("n", birth_date=D(1990, approximate=True))) == [
        "name unknown",
        "b. c.1990",
    ]


def test_anonymised_caption_has_initials_and_no_dates() -> None:
    people, _ = hart()
    by_id = {p.id: p for p in people}
    assert caption_lines(by_id["1002"], anonymise=True) == ["K.L.H."]
    assert caption_lines(by_id["1007"], anonymise=True) == ["M.H.", "deceased"]
    assert initials(Person("x", "Zofia", "Nowak-Evans")) == "Z.N.E."
    assert initials(Person("x")) == "?"
    implied_person = Person("g", implied=True, implied_label="maternal grandmother")
    assert caption_lines(implied_person, anonymise=True) == ["maternal grandmother"]


def test_pregnancy_from_a_fact_or_a_label() -> None:
    people, _ = rich()
    by_id = {p.id: p for p in people}
    assert pregnancy_kind(by_id["PG"]) == "pregnancy"
    assert pregnancy_kind(by_id["MC"]) == "miscarriage"
    assert pregnancy_kind(Person("x", implied=True, implied_label="Miscarriage")) == "miscarriage"
    assert pregnancy_kind(by_id["C"]) is None
    assert caption_lines(by_id["PG"]) == ["pregnancy", "due 2025-03"]
    assert caption_lines(by_id["MC"], anonymise=True) == ["miscarriage"]
    assert age_label(by_id["PG"], DRAWN) == ""


def test_partner_date_labels() -> None:
    def p(kind: str | None, s: PartialDate | None = None, e: PartialDate | None = None) -> str:
        return partner_date_label(
            Relationship(RelType.PARTNER_OF, "a", "b", kind, start_date=s, end_date=e)
        )

    assert p("married", D(1991, 6, 15)) == "m. 1991"
    assert p("divorced", D(2001), D(2010)) == "m. 2001 div. 2010"
    assert p("divorced", None, D(2010)) == "div. 2010"
    assert p("cohabiting", D(2022, 9)) == "cohab. 2022"
    assert p("separated", D(2010), D(2013)) == "2010\u20132013"
    assert p("separated", None, D(2020)) == "sep. 2020"
    assert p(None, D(2019)) == "from 2019"
    assert p("married") == ""


def test_clean_text_folds_control_characters() -> None:
    assert clean_text("Ann\n\t Lee\x00\r") == "Ann Lee"


# ----------------------------------------------------------------------------- geometry


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(-500, 500), min_size=1, max_size=12),
    st.data(),
)
def test_isotonic_positions_keep_gaps_and_are_optimal(
    desired: list[float], data: st.DataObject
) -> None:
    n = len(desired)
    gaps = data.draw(st.lists(st.floats(0, 80), min_size=n - 1, max_size=n - 1))
    weights = data.draw(st.lists(st.floats(0.1, 5), min_size=n, max_size=n))
    xs = isotonic_positions(desired, weights, gaps)
    for i in range(n - 1):
        assert xs[i + 1] - xs[i] >= gaps[i] - 1e-6

    def cost(v: list[float]) -> float:
        return sum(w * (x - d) ** 2 for w, x, d in zip(weights, v, desired, strict=True))

    # No shift of a suffix or prefix of the row improves on it (a local optimality check).
    best = cost(xs)
    for k in range(n):
        for delta in (-0.5, 0.5):
            moved = [x + delta if i >= k else x for i, x in enumerate(xs)]
            if all(moved[i + 1] - moved[i] >= gaps[i] - 1e-6 for i in range(n - 1)):
                assert cost(moved) >= best - 1e-6


def test_isotonic_positions_simple_cases() -> None:
    assert isotonic_positions([0.0, 0.0], [1.0, 1.0], [10.0]) == [-5.0, 5.0]
    assert isotonic_positions([0.0, 100.0], [1.0, 1.0], [10.0]) == [0.0, 100.0]
    with pytest.raises(ValueError):
        isotonic_positions([0.0, 1.0], [1.0], [1.0])


@given(st.lists(st.tuples(st.floats(0, 100), st.floats(0, 100)), max_size=15))
def test_assign_lanes_never_overlaps_in_a_lane(intervals: list[tuple[float, float]]) -> None:
    lanes = assign_lanes(intervals, clearance=5.0)
    for i, (a1, b1) in enumerate(intervals):
        for j, (a2, b2) in enumerate(intervals[:i]):
            if lanes[i] == lanes[j]:
                lo1, hi1, lo2, hi2 = min(a1, b1), max(a1, b1), min(a2, b2), max(a2, b2)
                assert hi1 + 5.0 <= lo2 or hi2 + 5.0 <= lo1


def test_union_outline_shapes() -> None:
    assert union_outline([(0, 0, 10, 10)]) == [[(0, 0), (10, 0), (10, 10), (0, 10)]]
    (l_shape,) = union_outline([(0, 0, 10, 10), (0, 10, 30, 20)])
    assert sorted(l_shape) == sorted([(0, 0), (10, 0), (10, 10), (30, 10), (30, 20), (0, 20)])
    assert len(union_outline([(0, 0, 10, 10), (20, 0, 30, 10)])) == 2
    ring = union_outline([(0, 0, 30, 10), (0, 20, 30, 30), (0, 0, 10, 30), (20, 0, 30, 30)])
    assert len(ring) == 2  # the outer loop and the hole
    assert union_outline([]) == [] and union_outline([(0, 0, 0, 5)]) == []


def test_zigzag_and_offset_lines() -> None:
    line = [(0.0, 0.0), (100.0, 0.0)]
    zz = zigzag(line)
    assert zz[0] == line[0] and zz[-1] == line[-1] and len(zz) > 8
    assert max(abs(y) for _, y in zz) == pytest.approx(3.5)
    assert zigzag([(0.0, 0.0), (4.0, 0.0)]) == [(0.0, 0.0), (4.0, 0.0)]  # too short
    assert offset_polyline([(0.0, 0.0), (10.0, 0.0), (10.0, 10.0)], 2.0) == [
        (0.0, -2.0),
        (12.0, -2.0),
        (12.0, 10.0),
    ]


def test_text_width_grows_with_the_text() -> None:
    assert text_width("", 9) == 0
    assert text_width("Margaret O'Brien", 9) > text_width("Lee", 9) > 0
    assert text_width("MMM", 10) > text_width("iii", 10)


# ----------------------------------------------------------------------------- DOT text

_PERSON_LINE = re.compile(r'^\s*"(p_[^"]+)" \[shape="(\w+)"(.*)\];$', re.M)


def person_lines(dot: str) -> dict[str, tuple[str, str]]:
    return {m.group(1): (m.group(2), m.group(3)) for m in _PERSON_LINE.finditer(dot)}


def test_dot_shapes_by_sex_and_double_outline_only_for_subject() -> None:
    people, rels = twins()
    dot = build_dot("T1", people, rels, options())
    lines = person_lines(dot)
    assert set(lines) == {node_id(p.id) for p in people}
    expected = {F: "circle", M: "square", U: "diamond"}
    for p in people:
        shape, rest = lines[node_id(p.id)]
        assert shape == expected[p.sex]
        assert ("peripheries=2" in rest) == (p.id == "T1")


def test_dot_positions_are_fixed_for_graphviz() -> None:
    people, rels = hart()
    dot = build_dot("1001", people, rels, options())
    assert 'layout="nop2"' in dot
    assert all('pos="' in rest for _, rest in person_lines(dot).values())


def test_dot_title_block_classification_and_key() -> None:
    people, rels = hart()
    dot = build_dot("1001", people, rels, options())
    assert dot.splitlines()[:2] == ['digraph "genogram" {', "  /* OFFICIAL-SENSITIVE */"]
    assert dot.count("OFFICIAL-SENSITIVE") == 3  # the comment, top and bottom of the page
    assert "Genogram of Amelia Hart" in dot and "Author: A. Worker" in dot
    assert "Drawn: 2024-05-01" in dot
    # Only the symbols used: no diamond, twins, carers or alleged parents in this family.
    for absent in ("sex not recorded", "twins", "carer", "alleged", "divorced", "household"):
        assert absent not in dot
    for present in (
        "separated (one slash)",
        "partners, not married",
        "married / civil",
        "deceased",
    ):
        assert present in dot
    custom = build_dot("1001", people, rels, options(title="Assessment", classification="SECRET"))
    assert "Assessment" in custom and "SECRET" in custom and "OFFICIAL" not in custom
    assert "Author: not recorded" in build_dot("1001", people, rels, options(author=None))


def test_dot_node_ids_come_from_person_ids_not_names() -> None:
    people = [
        Person('weird id/ü"x', "Ann", "Lee", sex=F, birth_date=D(2015)),
        Person("M1", "Mo", "Lee", sex=F, birth_date=D(1990)),
    ]
    dot = build_dot(people[0].id, people, [parent("M1", people[0].id)], options())
    assert node_id("M1") == "p_M1"
    assert node_id(people[0].id) == "p_x" + people[0].id.encode().hex()
    assert f'"{node_id(people[0].id)}"' in dot
    assert '"p_Ann' not in dot


def test_dot_is_deterministic_and_rejects_unknown_notation() -> None:
    people, rels = rich()
    assert build_dot("C", people, rels, options()) == build_dot("C", people, rels, options())
    with pytest.raises(InputError) as info:
        build_dot("C", people, rels, options(notation="fancy"))
    assert info.value.field == "notation"


@settings(max_examples=20, deadline=None)
@given(st.permutations(range(9)), st.permutations(range(12)))
def test_dot_does_not_depend_on_input_order(pp: list[int], rp: list[int]) -> None:
    people, rels = hart()
    expected = build_dot("1001", people, rels, options())
    shuffled = build_dot("1001", [people[i] for i in pp], [rels[i] for i in rp], options())
    assert shuffled == expected


def test_anonymised_dot_has_no_names_dates_or_person_ids() -> None:
    people, rels = rich()
    dot = build_dot("C", people, rels, options(anonymise=True))
    for p in people:
        for word in (p.given_names, p.family_name):
            if word:
                assert word not in dot, word
        assert f'"{node_id(p.id)}"' not in dot
        for d in (p.birth_date, p.death_date):
            if d is not None:
                assert str(d.year) not in dot, d
    for r in rels:
        for d in (r.start_date, r.end_date):
            if d is not None:
                assert str(d.year) not in dot
    assert "C.P." in dot and "Genogram of C.P." in dot and "anonymised" in dot
    assert ">8<" in dot  # ages stay


GOLDEN_CASES = {
    "hart-uk": ("hart", {}),
    "twins-uk": ("twins", {}),
    "implied-uk": ("implied", {}),
    "obrien-nsgc": ("obrien", {"notation": "nsgc"}),
    "hart-anonymised": ("hart", {"anonymise": True}),
}


@pytest.mark.parametrize("case", sorted(GOLDEN_CASES))
def test_golden_dot(case: str) -> None:
    family, extra = GOLDEN_CASES[case]
    make, subject = FAMILIES[family]
    dot = build_dot(subject, *make(), options(**extra))
    path = GOLDEN / f"{case}.dot"
    if os.environ.get("GENOGRAM_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(dot, encoding="utf-8")
    assert path.exists(), f"no golden file: run with GENOGRAM_UPDATE_GOLDEN=1 to create {path}"
    assert dot == path.read_text(encoding="utf-8"), (
        f"{case}: the DOT changed; if intended, regenerate with GENOGRAM_UPDATE_GOLDEN=1"
    )


# ----------------------------------------------------------------------------- drawn: invariants

Drawn = tuple[str, list[Person], list[Relationship], dict[str, str], str]


def draw(
    subject: str, people: list[Person], rels: list[Relationship], opts: RenderOptions
) -> Drawn:
    """Compose and draw with Graphviz: (subject, drawn people, drawn relationships, person
    nodes, SVG)."""
    drawing = compose(subject, people, rels, opts)
    kept, edges = apply_scope(subject, people, rels, opts.scope())
    svg = run_dot_svg(drawing_to_dot(drawing, opts.classification))
    return subject, kept, edges, drawing.person_nodes, svg


CASES = [f"{name}-{notation}" for name in FAMILIES for notation in ("uk", "nsgc")] + [
    "rich-anonymised",
    "rich-hidden",
]


@pytest.fixture(scope="module")
def drawings() -> dict[str, Drawn]:
    if not HAS_DOT:
        pytest.skip("Graphviz 'dot' is not installed")
    out = {}
    for name, (make, subject) in FAMILIES.items():
        for notation in ("uk", "nsgc"):
            out[f"{name}-{notation}"] = draw(subject, *make(), options(notation=notation))
    out["rich-anonymised"] = draw("C", *rich(), options(anonymise=True))
    out["rich-hidden"] = draw(
        "C", *rich(), options(hide_emotional=True, exclude=frozenset({"households"}))
    )
    return out


@pytest.mark.parametrize("case", CASES)
def test_drawn_invariants(case: str, drawings: dict[str, Drawn]) -> None:
    subject, people, rels, nodes, svg = drawings[case]
    assert len(nodes) == len(people)
    assert_invariants(svg, subject, people, rels, nodes)


@pytest.mark.parametrize("case", ["hart-uk", "rich-uk"])
def test_drawn_order_matches_plan(case: str, drawings: dict[str, Drawn]) -> None:
    subject, people, rels, nodes, svg = drawings[case]
    symbols = person_symbols(svg, nodes)
    plan = plan_layout(subject, people, rels)
    for row in plan.rows.values():
        xs = [symbols[pid].cx for pid in row]
        assert xs == sorted(xs), row


def test_invariant_checker_finds_faults(drawings: dict[str, Drawn]) -> None:
    """The checker can fail: move symbols about in a good drawing and it says what broke."""
    subject, people, rels, nodes, svg = drawings["hart-uk"]
    assert check_invariants(svg, subject, people, rels, nodes) == []
    # Swap the half-siblings: the subject's double outline is now on Riley.
    swapped = dict(nodes)
    swapped["1004"], swapped["1001"] = nodes["1001"], nodes["1004"]
    problems = check_invariants(svg, subject, people, rels, swapped)
    assert any("outlines" in p for p in problems)
    # Swap Thomas and his younger sister Kerry: birth order and partners break.
    swapped = dict(nodes)
    swapped["1008"], swapped["1002"] = nodes["1002"], nodes["1008"]
    problems = check_invariants(svg, subject, people, rels, swapped)
    assert any("sibling 1008" in p for p in problems)
    assert any("between them" in p for p in problems)
    moved = dict(nodes)
    moved["1001"] = nodes["1002"]  # Amelia drawn where her mother is
    problems = check_invariants(svg, subject, people, rels, moved)
    assert any("overlap" in p for p in problems)
    assert any("not below parent" in p for p in problems)
    assert any("several heights" in p for p in problems)
    apart = dict(nodes)
    apart["1003"], apart["1008"] = nodes["1008"], nodes["1003"]  # a stranger between partners
    assert any("between them" in p for p in check_invariants(svg, subject, people, rels, apart))


def test_line_checker_sees_a_line_through_a_symbol() -> None:
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg"><g class="graph">'
        '<g class="edge child"><path d="M0,0C0,0 100,0 100,0"/></g>'
        '<g class="edge partner"><path d="M0,50C0,50 28,50 28,50"/></g>'
        "</g></svg>"
    )
    circle = Symbol(40, -20, 80, 20, 1, ("node", "person"), (), kind="ellipse")
    box = Symbol(30, 30, 70, 70, 1, ("node", "person"), ())
    assert lines_clear_of_symbols(svg, {"A": circle, "B": box}) == ["a ['child'] line crosses A"]
    corner = Symbol(95, -38, 135, 2, 1, ("node", "person"), (), kind="ellipse")
    assert lines_clear_of_symbols(svg, {"C": corner}) == []  # ends beside the circle


def test_drawn_text_key_and_classification(drawings: dict[str, Drawn]) -> None:
    _, _, _, _nodes, svg = drawings["obrien-uk"]
    assert svg_text(svg).count("OFFICIAL-SENSITIVE") == 2
    assert squash("Genogram of Jayden O'Brien") in svg_text(svg)
    texts = {t for sym in parse_svg(svg).values() for t in sym.texts}
    assert {"Jayden O'Brien", "b. 2011", "12", "alleged or disputed parent (dashed, ?)"} <= texts
    assert "SGO" in texts and "foster carer (dotted)" in texts
    assert not any("twins" in t for t in texts)
    root = ET.fromstring(svg)
    marks = [
        float(t.get("y", 0)) for t in root.iter(f"{SVG}text") if t.text == "OFFICIAL-SENSITIVE"
    ]
    symbols = parse_svg(svg)
    ys = [s.top for s in symbols.values() if s.outlines] + [
        s.bottom for s in symbols.values() if s.outlines
    ]
    assert min(marks) < min(ys) and max(marks) > max(ys)


# ----------------------------------------------------------------------------- notation elements


class Element:
    """A drawn line (an edge group) or text of the SVG with its classes."""

    def __init__(self, g: ET.Element) -> None:
        self.classes = set((g.get("class") or "").split())
        self.paths = [_path_points(p.get("d", "")) for p in g.iter(f"{SVG}path")]
        self.strokes = [p.get("stroke") for p in g.iter(f"{SVG}path")]
        self.dashes = [p.get("stroke-dasharray") for p in g.iter(f"{SVG}path")]
        self.widths = [p.get("stroke-width") for p in g.iter(f"{SVG}path")]
        self.arrow = any(True for _ in g.iter(f"{SVG}polygon"))
        self.texts = ["".join(t.itertext()) for t in g.iter(f"{SVG}text")]
        self.text_at = [(float(t.get("x", 0)), float(t.get("y", 0))) for t in g.iter(f"{SVG}text")]


def _path_points(d: str) -> list[tuple[float, float]]:
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", d)]
    return list(zip(numbers[::2], numbers[1::2], strict=True))


def elements(svg: str, *classes: str, texts: bool = False) -> list[Element]:
    """The drawn lines (or, with `texts`, the text nodes) carrying all these classes."""
    found = []
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        element = Element(g)
        wanted = "node" if texts else "edge"
        if set(classes) <= element.classes and wanted in element.classes:
            found.append(element)
    return found


def symbol(case: Drawn, pid: str) -> Symbol:
    _, _, _, nodes, svg = case
    return person_symbols(svg, nodes)[pid]


@pytest.fixture(scope="module")
def rich_uk(drawings: dict[str, Drawn]) -> Drawn:
    return drawings["rich-uk"]


def outline_tags(case: Drawn, pid: str) -> list[tuple[str, int]]:
    """The outline elements of a person's node: (tag, number of distinct corners)."""
    root = ET.fromstring(case[4])
    node = next(g for g in root.iter(f"{SVG}g") if g.findtext(f"{SVG}title") == case[3][pid])
    found = []
    for el in node:
        if el.tag == f"{SVG}ellipse":
            found.append(("ellipse", 0))
        elif el.tag == f"{SVG}polygon":
            found.append(("polygon", len(set(el.get("points", "").split()))))
    return found


def test_symbols_by_sex(drawings: dict[str, Drawn]) -> None:
    case = drawings["twins-uk"]
    assert outline_tags(case, "T3") == [("polygon", 4)]  # male: a square
    square = symbol(case, "T3")
    assert square.right - square.left == pytest.approx(square.bottom - square.top, abs=0.5)
    assert outline_tags(case, "T2") == [("ellipse", 0)]  # female: a circle
    assert outline_tags(case, "TX") == [("polygon", 4)]  # sex not recorded: a diamond
    root = ET.fromstring(case[4])
    node = next(g for g in root.iter(f"{SVG}g") if g.findtext(f"{SVG}title") == case[3]["TX"])
    points = [
        tuple(map(float, p.split(",")))
        for p in next(iter(node.iter(f"{SVG}polygon"))).get("points", "").split()
    ]
    assert len({round(x) for x, _ in points}) == 3  # left, top and bottom, right corners
    assert {"person", "unknown"} <= set(symbol(case, "TX").classes)


def test_subject_double_outline_and_age_inside(rich_uk: Drawn) -> None:
    chloe = symbol(rich_uk, "C")
    assert chloe.outlines == 2 and symbol(rich_uk, "M").outlines == 1
    inside = [e for e in elements(rich_uk[4], "inside", texts=True) if e.texts == ["8"]]
    assert len(inside) == 1
    x, y = inside[0].text_at[0]
    assert chloe.contains(x, y)


def test_deceased_cross_uk_and_slash_nsgc(drawings: dict[str, Drawn]) -> None:
    uk, nsgc = drawings["rich-uk"], drawings["rich-nsgc"]
    flo = symbol(uk, "FM")
    marks = elements(uk[4], "deceased", "mark")
    assert len(marks) == 2  # one cross: two strokes
    (_, b), (_, d) = marks[0].paths[0][0], marks[0].paths[0][-1]
    (_, f), (_, h) = marks[1].paths[0][0], marks[1].paths[0][-1]
    assert (b - d) * (f - h) < 0  # one stroke falls, the other rises
    for x, y in (marks[0].paths[0][0], marks[1].paths[0][-1]):
        assert flo.left - 1 <= x <= flo.right + 1 and flo.top - 1 <= y <= flo.bottom + 1
    age = [el for el in elements(uk[4], "age", texts=True) if el.texts == ["60"]]
    assert age and flo.contains(*age[0].text_at[0])
    slash = elements(nsgc[4], "deceased", "mark")
    assert len(slash) == 1
    flo_n = symbol(nsgc, "FM")
    xs = [p[0] for p in slash[0].paths[0]]
    assert min(xs) < flo_n.left and max(xs) > flo_n.right  # the slash crosses the symbol


def test_implied_person_dashed_with_question_mark(rich_uk: Drawn) -> None:
    gf = symbol(rich_uk, "GF")
    assert gf.dashed and "implied" in gf.classes
    marks = [e for e in elements(rich_uk[4], "inside", texts=True) if e.texts == ["?"]]
    assert any(gf.contains(*m.text_at[0]) for m in marks)


def test_pregnancy_triangle_and_miscarriage_dot(drawings: dict[str, Drawn]) -> None:
    uk, nsgc = drawings["rich-uk"], drawings["rich-nsgc"]
    root = ET.fromstring(uk[4])
    by_title = {g.findtext(f"{SVG}title"): g for g in root.iter(f"{SVG}g")}
    triangle = next(iter(by_title[uk[3]["PG"]].iter(f"{SVG}polygon")))
    assert len(set(triangle.get("points", "").split())) == 3
    dot = next(iter(by_title[uk[3]["MC"]].iter(f"{SVG}ellipse")))
    assert dot.get("fill") == "black" and float(dot.get("rx", 0)) < 12
    root = ET.fromstring(nsgc[4])
    by_title = {g.findtext(f"{SVG}title"): g for g in root.iter(f"{SVG}g")}
    assert (
        len(
            set(next(iter(by_title[nsgc[3]["MC"]].iter(f"{SVG}polygon"))).get("points", "").split())
        )
        == 3
    )
    assert any(
        e.texts == ["P"] and symbol(nsgc, "PG").contains(*e.text_at[0])
        for e in elements(nsgc[4], "inside", texts=True)
    )
    texts = {t for s in parse_svg(uk[4]).values() for t in s.texts}
    assert {"pregnancy", "miscarriage", "due 2025-03"} <= texts


def _partner(svg: str, status: str) -> list[Element]:
    return [e for e in elements(svg, "partner", status) if "mark" not in e.classes]


def test_partner_lines_by_status(rich_uk: Drawn) -> None:
    svg = rich_uk[4]
    (divorced,) = _partner(svg, "divorced")
    (separated,) = _partner(svg, "separated")
    (cohabiting,) = _partner(svg, "cohabiting")
    (unrecorded,) = _partner(svg, "unrecorded")
    assert divorced.dashes == [None]
    assert separated.dashes[0] is not None and cohabiting.dashes[0] is not None
    assert len(elements(svg, "partner", "divorced", "mark")) == 2  # two slashes
    assert len(elements(svg, "partner", "separated", "mark")) == 1  # one slash
    assert unrecorded.dashes == [None] and unrecorded.strokes[0] not in ("black", None)
    # Several partners of Mary, in date order: Paul (2008) left, Frank then Nick right.
    xs = {pid: symbol(rich_uk, pid).cx for pid in ("P2", "M", "F", "NP")}
    assert xs["P2"] < xs["M"] < xs["F"] < xs["NP"]
    texts = {t for s in parse_svg(svg).values() for t in s.texts}
    assert {"m. 2008 div. 2012", "2014\u20132022", "cohab. 2023"} <= texts


def test_neutral_line_for_parents_without_recorded_partnership(drawings: dict[str, Drawn]) -> None:
    people = [
        Person("K", "Kid", "A", sex=F, birth_date=D(2015)),
        Person("P", "Pa", "B", sex=M, birth_date=D(1990)),
        Person("Q", "Ma", "A", sex=F, birth_date=D(1991)),
    ]
    case = draw("K", people, [parent("P", "K"), parent("Q", "K")], options())
    svg = case[4]
    assert _partner(svg, "unrecorded") and not _partner(svg, "unstated")
    texts = {t for s in parse_svg(svg).values() for t in s.texts}
    assert "parents (relationship not recorded)" in texts
    assert not any("not married" in t or "married /" in t for t in texts)


def test_twins_from_one_point_identical_with_bar(rich_uk: Drawn) -> None:
    svg = rich_uk[4]
    tops = {symbol(rich_uk, pid).cx for pid in ("S1", "S2")}
    lines = [e for e in elements(svg, "child") if "adopted" not in e.classes]
    ends = [e.paths[0] for e in lines if any(abs(e.paths[0][-1][0] - x) < 1 for x in tops)]
    assert len(ends) == 2 and ends[0][0] == ends[1][0]  # both start at one point
    assert len(elements(svg, "twins", "identical", "mark")) == 1


def test_adopted_dashed_with_brackets(rich_uk: Drawn) -> None:
    svg = rich_uk[4]
    alex = symbol(rich_uk, "AD")
    (line,) = elements(svg, "child", "adopted")
    assert line.dashes[0] is not None
    assert abs(line.paths[0][-1][0] - alex.cx) < 1
    brackets = elements(svg, "adopted", "mark")
    assert len(brackets) == 2
    xs = sorted(p[0] for b in brackets for p in b.paths[0])
    assert xs[0] < alex.left and xs[-1] > alex.right


def test_foster_and_carer_lines_dotted(drawings: dict[str, Drawn]) -> None:
    svg = drawings["rich-uk"][4]
    (foster,) = elements(svg, "carer", "foster")
    assert foster.dashes[0] == "1,5"
    obrien_svg = drawings["obrien-uk"][4]
    (sgo,) = [
        e for e in elements(obrien_svg, "carer", "special_guardian") if "tag" not in e.classes
    ]
    assert sgo.dashes[0] == "1,5"
    assert elements(obrien_svg, "carer", "special_guardian", "tag", texts=True)[0].texts == ["SGO"]


def test_alleged_parent_dashed_with_question_mark(drawings: dict[str, Drawn]) -> None:
    case = drawings["obrien-uk"]
    (line,) = elements(case[4], "parent", "uncertain")
    assert line.dashes[0] is not None
    (mark,) = elements(case[4], "uncertain", "mark", texts=True)
    assert mark.texts == ["?"]
    lee = symbol(case, "3006")
    x, y = mark.text_at[0]
    assert abs(x - lee.cx) < 60 and abs(y - lee.cy) < 40  # beside the alleged father


def test_uncertain_partnership_dashed_with_question_mark() -> None:
    if not HAS_DOT:
        pytest.skip("Graphviz 'dot' is not installed")
    people, rels = implied()
    rels = [r for r in rels if r.type is not RelType.PARTNER_OF]
    rels.append(Relationship(RelType.PARTNER_OF, "2002", "2003", "married", certainty="disputed"))
    svg = draw("2001", people, rels, options())[4]
    (line,) = _partner(svg, "uncertain")
    assert line.dashes[0] is not None
    assert [e.texts for e in elements(svg, "uncertain", "mark", texts=True)] == [["?"]]


def test_households_in_dotted_boundaries(rich_uk: Drawn) -> None:
    svg = rich_uk[4]
    loops = elements(svg, "household")
    assert loops and all(e.dashes[0] == "1,5" for e in loops)
    boxes = []
    for loop in loops:
        xs, ys = [p[0] for p in loop.paths[0]], [p[1] for p in loop.paths[0]]
        assert loop.paths[0][0] == loop.paths[0][-1]  # closed
        boxes.append((min(xs), min(ys), max(xs), max(ys)))
    members = {"C", "FC", "M", "NP", "B1", "GM", "AD"}
    for pid in members:
        s = symbol(rich_uk, pid)
        assert any(
            b[0] < s.left and s.right < b[2] and b[1] < s.top and s.bottom < b[3] for b in boxes
        ), pid
    for pid in ("F", "P2", "S1", "FM"):  # not in any household
        s = symbol(rich_uk, pid)
        assert not any(b[0] < s.cx < b[2] and b[1] < s.cy < b[3] for b in boxes), pid


@pytest.mark.parametrize("kind", sorted(RELATES_STYLES))
def test_emotional_and_safeguarding_lines(kind: str, rich_uk: Drawn) -> None:
    svg = rich_uk[4]
    style = RELATES_STYLES[kind]
    parts = [e for e in elements(svg, "relation", kind) if not {"mark", "tag"} & e.classes]
    assert parts, kind
    assert all(e.strokes[0] == style.color for e in parts)
    main = max(parts, key=lambda e: len(e.paths[0]))
    if style.pattern == "zigzag":
        assert len(main.paths[0]) > 30  # many short strokes
    if style.pattern == "double":
        assert len([e for e in parts if not e.arrow]) == 2
    if style.pattern == "bars":
        assert len(elements(svg, "relation", kind, "mark")) == 2
    if style.style == "dashed":
        assert main.dashes[0] == "5,2"
    if style.style == "dotted":
        assert main.dashes[0] == "1,5"
    assert any(e.arrow for e in parts) == style.arrow
    if style.tag:
        assert [e.texts for e in elements(svg, "relation", kind, "tag", texts=True)] == [
            [style.tag]
        ]
    # Every kind looks different from every other (pattern, dash, colour or arrow).
    look = (style.pattern, style.style, style.color, style.arrow)
    others = [
        (s.pattern, s.style, s.color, s.arrow) for k, s in RELATES_STYLES.items() if k != kind
    ]
    assert look not in others
    key_texts = {t for s in parse_svg(svg).values() for t in s.texts}
    assert any(t.startswith(kind.replace("_", " ").split()[0][:5]) for t in key_texts) or kind in (
        "abuse_physical",
        "abuse_emotional",
        "abuse_sexual",
        "caretaker",
        "cut_off",
    )


def test_arrows_point_at_the_person_harmed(rich_uk: Drawn) -> None:
    svg = rich_uk[4]
    (da,) = [e for e in elements(svg, "relation", "domestic_abuse") if e.arrow]
    mary, nick = symbol(rich_uk, "M"), symbol(rich_uk, "NP")
    end = da.paths[0][-1]
    assert abs(end[0] - mary.cx) < abs(end[0] - nick.cx)


def test_key_lists_only_what_is_used(drawings: dict[str, Drawn]) -> None:
    rich_texts = {t for s in parse_svg(drawings["rich-uk"][4]).values() for t in s.texts}
    hart_texts = {t for s in parse_svg(drawings["hart-uk"][4]).values() for t in s.texts}
    for text in ("identical twins (bar)", "household (dotted boundary)", "pregnancy", "conflict"):
        assert text in rich_texts and text not in hart_texts
    assert "Key" in hart_texts and "separated (one slash)" in hart_texts
    hidden = {t for s in parse_svg(drawings["rich-hidden"][4]).values() for t in s.texts}
    assert "conflict" not in hidden and "household (dotted boundary)" not in hidden


def test_nsgc_proband_arrow(drawings: dict[str, Drawn]) -> None:
    case = drawings["hart-nsgc"]
    amelia = symbol(case, "1001")
    (arrow,) = [e for e in elements(case[4], "proband", "mark") if e.arrow]
    tip_x, tip_y = arrow.paths[0][-1]
    assert tip_x < amelia.cx and tip_y > amelia.cy  # towards the lower left corner
    assert any(e.texts == ["P"] for e in elements(case[4], "proband", texts=True))
    assert not elements(drawings["hart-uk"][4], "proband")


def test_anonymised_drawing_has_no_names(drawings: dict[str, Drawn]) -> None:
    people, _ = rich()
    text = svg_text(drawings["rich-anonymised"][4])
    for p in people:
        for word in (p.given_names, p.family_name):
            if word:
                assert word not in text
    assert "C.P." in text and "M.P." in text


# ----------------------------------------------------------------------------- fixture families


@pytest.fixture(scope="module")
def fixture_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphStore]:
    """Every fixture file ingested into a temporary SQLite store with the library."""
    from extract.nlp import build_pipeline, extract_mentions
    from extract.notes import read_notes
    from extract.records import read_mapping_file, read_people, read_relationships
    from genogram.resolve import ingest_notes, ingest_records

    store = open_store(tmp_path_factory.mktemp("fixtures") / "g.db")
    ingest_records(
        store,
        read_people(FIX / "csc_people.csv"),
        read_relationships(FIX / "csc_relationships.csv"),
    )
    ingest_records(
        store,
        read_people(
            FIX / "housing_people.csv",
            source="HOUSING",
            mapping=read_mapping_file(FIX / "housing.map"),
        ),
        read_relationships(FIX / "housing_relationships.csv"),
    )
    notes = read_notes(FIX / "notes.jsonl")
    nlp = build_pipeline()
    ingest_notes(store, notes, {n.id: extract_mentions(n, nlp) for n in notes})
    yield store
    store.close()


def draw_from_store(store: GraphStore, subject: str, opts: RenderOptions) -> Drawn:
    from genogram.query import family_of
    from genogram.resolve import resolve_reference

    person = resolve_reference(store, subject)
    people, rels = family_of(store, person.id, 2 * opts.generations + 2)
    return draw(person.id, list(people.values()), rels, opts)


@needs_dot
@pytest.mark.parametrize("subject", ["CSC:1001", "CSC:2001", "CSC:3001"])
@pytest.mark.parametrize("notation", ["uk", "nsgc"])
def test_fixture_families_keep_the_invariants(
    fixture_store: GraphStore, subject: str, notation: str
) -> None:
    case = draw_from_store(fixture_store, subject, options(notation=notation))
    sid, people, rels, nodes, svg = case
    assert_invariants(svg, sid, people, rels, nodes)
    names = {p.id: p.name for p in people}
    texts = svg_text(svg)
    expected = {
        "CSC:1001": ["Kerry Louise Hart", "Dean Walsh", "Riley Hart", "Linda Hart", "Sue Walsh"],
        "CSC:2001": ["Katarzyna Nowak", "Gareth Evans", "Jakub Nowak-Evans", "Krystyna Nowak"],
        "CSC:3001": ["Shannon O'Brien", "Lee Parker", "Ruby O'Brien", "Janet Morris"],
    }[subject]
    for name in expected:
        assert name in names.values(), name
        assert squash(name) in texts, name


@needs_dot
def test_fixture_household_and_carers_drawn(fixture_store: GraphStore) -> None:
    amelia = draw_from_store(fixture_store, "CSC:1001", options())
    loops = elements(amelia[4], "household")
    assert loops  # Kerry, Amelia, Riley and Craig live together (housing records)
    jayden = draw_from_store(fixture_store, "CSC:3001", options())
    assert elements(jayden[4], "carer", "special_guardian")
    assert elements(jayden[4], "carer", "foster")
    assert elements(jayden[4], "parent", "uncertain")


# ----------------------------------------------------------------------------- royal92.ged

ROYAL_SUBJECTS = [
    ("royal92.ged:I52", 1),  # Elizabeth II: parents, siblings, children
    ("royal92.ged:I52", 2),
    ("royal92.ged:I65", 2),  # Diana Spencer
    ("royal92.ged:I1", 1),  # Victoria: a family that married into itself
]


@pytest.fixture(scope="module")
def royal_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphStore]:
    gedcom = pytest.importorskip(
        "extract.gedcom", reason="extract.gedcom (the GEDCOM reader) is not available yet"
    )
    if not ROYAL92.exists():
        pytest.skip(f"{ROYAL92} is not available")
    store = open_store(tmp_path_factory.mktemp("royal") / "g.db")
    gedcom.ingest_gedcom(store, gedcom.read_gedcom(ROYAL92))
    yield store
    store.close()


@needs_dot
@pytest.mark.parametrize(("subject", "generations"), ROYAL_SUBJECTS)
def test_royal92_families_keep_the_invariants(
    royal_store: GraphStore, subject: str, generations: int
) -> None:
    case = draw_from_store(royal_store, subject, options(generations=generations))
    sid, people, rels, nodes, svg = case
    gens = generations_of(sid, {p.id: p for p in people}, rels)
    assert max(gens.values()) - min(gens.values()) >= 2  # three generations or more
    assert len(people) >= 10
    assert_invariants(svg, sid, people, rels, nodes)


# ----------------------------------------------------------------------------- output files


@needs_dot
def test_render_file_formats_carry_the_marking(tmp_path: Path) -> None:
    people, rels = implied()
    dot = build_dot("2001", people, rels, options())
    pdf = render_file(dot, tmp_path / "g.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    text = PdfReader(pdf).pages[0].extract_text()
    assert text.count("OFFICIAL-SENSITIVE") == 2 and "Jakub Nowak-Evans" in text
    png = render_file(dot, tmp_path / "g.PNG")
    data = png.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert b"tEXtClassification\x00OFFICIAL-SENSITIVE" in data
    svg = render_file(dot, tmp_path / "g.svg")
    assert ET.fromstring(svg.read_text("utf-8")).tag == f"{SVG}svg"
    assert svg_text(svg.read_text("utf-8")).count("OFFICIAL-SENSITIVE") == 2
    src = render_file(dot, tmp_path / "g.dot")
    assert src.read_text("utf-8") == dot and "OFFICIAL-SENSITIVE" in dot.splitlines()[1]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.PNG", "g.dot", "g.pdf", "g.svg"]


def test_png_text_chunk_is_valid() -> None:
    import struct
    import zlib

    png = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + bytes(13) + b"\0\0\0\0"
    out = draw_module.png_with_text(png, "Classification", "OFFICIAL-SENSITIVE")
    start = len(png)
    length = struct.unpack(">I", out[start : start + 4])[0]
    chunk = out[start + 4 : start + 8 + length]
    assert chunk == b"tEXtClassification\x00OFFICIAL-SENSITIVE"
    assert struct.unpack(">I", out[start + 8 + length : start + 12 + length])[0] == zlib.crc32(
        chunk
    )
    with pytest.raises(RenderError):
        draw_module.png_with_text(b"not a png", "a", "b")


def test_render_file_unsupported_suffix(tmp_path: Path) -> None:
    for name in ("g.jpg", "g"):
        with pytest.raises(InputError) as info:
            render_file("digraph {}", tmp_path / name)
        assert info.value.exit_code == 2 and ".pdf" in str(info.value)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(InputError):
        render_file("digraph {}", tmp_path / "missing" / "g.dot")


def test_render_file_without_graphviz(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(draw_module, "dot_executable", lambda: None)
    with pytest.raises(RenderError) as info:
        render_file("digraph {}", tmp_path / "g.pdf")
    assert "apt-get install graphviz" in str(info.value)
    assert list(tmp_path.iterdir()) == []
    assert render_file("digraph {}", tmp_path / "g.dot").read_text() == "digraph {}"


@needs_dot
def test_render_file_failure_leaves_nothing_and_discloses_nothing(tmp_path: Path) -> None:
    with pytest.raises(RenderError) as info:
        render_file('digraph { "Amelia Hart" -> }', tmp_path / "g.svg")
    assert "Amelia" not in str(info.value)
    assert list(tmp_path.iterdir()) == []


HOSTILE = 'Ann "x" <b>\\ {y}\n'


@needs_dot
def test_hostile_text_is_escaped_and_round_trips() -> None:
    people, rels = hart()
    people[0] = Person("1001", HOSTILE, None, sex=F, birth_date=D(2015, 3, 14))
    people[1] = Person(
        "1002",
        "Kerry",
        "O'Hara & </TD>]; }",
        known_as=['\\N "<alias>" \\G'],
        sex=F,
        birth_date=D(1994, 7, 2),
    )
    people.append(Person("IMP", implied=True, implied_label='"><x>\\l', sex=U))
    rels.append(parent("IMP", "1003"))
    dot = build_dot("1001", people, rels, options(title='T "<t>" \\ {', author="</TABLE> & \\"))
    text = svg_text(run_dot_svg(dot))
    assert squash('Ann "x" <b>\\ {y}') in text
    assert squash("Kerry O'Hara & </TD>]; }") in text and squash('("\\N "<alias>" \\G")') in text
    assert squash('"><x>\\l') in text
    assert squash('T "<t>" \\ {') in text
    assert squash("</TABLE> & \\") in text
    assert "p_1002" not in text  # \\N was not expanded to the node id


@needs_dot
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(min_size=1, max_size=30))
def test_any_name_gives_valid_dot(name: str) -> None:
    people = [
        Person("C", name, sex=F, birth_date=D(2015)),
        Person("P", "Parent", name, sex=M, birth_date=D(1990)),
    ]
    svg = run_dot_svg(build_dot("C", people, [parent("P", "C")], options(author=name)))
    assert squash(clean_text(name)) in svg_text(svg)


# ----------------------------------------------------------------------------- command line


@pytest.fixture(scope="module")
def cli_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from extract.records import read_people, read_relationships
    from genogram.resolve import ingest_records

    path = tmp_path_factory.mktemp("cli") / "g.db"
    store = open_store(path)
    try:
        ingest_records(
            store,
            read_people(FIX / "csc_people.csv"),
            read_relationships(FIX / "csc_relationships.csv"),
        )
    finally:
        store.close()
    return path


def cli(store: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    from cli import app

    result = CliRunner().invoke(app, ["--store", str(store), *args], env=env)
    return result.exit_code, result.stdout, result.stderr


@needs_dot
def test_cli_render_scope_options(cli_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "j.dot"
    code, _, err = cli(cli_store, "render", "CSC:3001", "-o", str(out))
    assert code == 0, err
    full = out.read_text()
    assert "Janet Morris" in full and "special_guardian" in full and "Lee Parker" in full
    code, _, err = cli(
        cli_store,
        "render",
        "CSC:3001",
        "-o",
        str(out),
        "--force",
        "--exclude",
        "carers",
        "--exclude",
        "CSC:3006",
    )
    assert code == 0, err
    less = out.read_text()
    assert "Janet Morris" not in less and "special_guardian" not in less
    assert "Lee Parker" not in less and "Shannon O" in less
    code, _, err = cli(cli_store, "render", "CSC:3001", "-o", str(out), "--force", "--anonymise")
    assert code == 0, err
    anon = out.read_text()
    assert "Jayden" not in anon and "2011" not in anon and "J.O." in anon


@needs_dot
def test_cli_render_author_from_environment(cli_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "a.dot"
    code, _, err = cli(
        cli_store, "render", "CSC:2001", "-o", str(out), env={"GENOGRAM_AUTHOR": "R. Okafor"}
    )
    assert code == 0, err
    assert "Author: R. Okafor" in out.read_text()
    code, _, _ = cli(
        cli_store, "render", "CSC:2001", "-o", str(out), "--force", "--author", "M. Jones"
    )
    assert "Author: M. Jones" in out.read_text()


def test_cli_render_bad_scope_is_exit_2(cli_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.dot"
    code, _, err = cli(cli_store, "render", "CSC:3001", "-o", str(out), "--exclude", "partners")
    assert code == 2 and "--exclude" in err
    code, _, err = cli(cli_store, "render", "CSC:3001", "-o", str(out), "--exclude", "CSC:3001")
    assert code == 2 and "subject" in err
    code, _, err = cli(cli_store, "render", "CSC:3001", "-o", str(out), "--include", "CSC:9999")
    assert code == 2
    assert not out.exists()
