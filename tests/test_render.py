"""Tests of the genogram renderer: pure layout and DOT text, then Graphviz output checked on
the coordinates of the drawn symbols (one y per generation, partners adjacent, siblings in
birth order, no overlaps, children below their parents' line, double outline for the child).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genogram.errors import InputError, RenderError
from genogram.model import PartialDate, Person, Relationship, RelType, Sex
from render import RenderOptions, build_dot, generations_of, node_id, render_file, select
from render import draw as draw_module
from render.dot import age_label, caption_lines, clean_text
from render.layout import order_siblings, plan_layout, sibship_points

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


FAMILIES: dict[str, tuple[Callable[[], Family], str]] = {
    "hart": (hart, "1001"),
    "twins": (twins, "T1"),
    "implied": (implied, "2001"),
    "obrien": (obrien, "3001"),
}


def options(**kw: object) -> RenderOptions:
    settings = {"drawn_on": DRAWN, "author": "A. Worker", **kw}
    return RenderOptions(**settings)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- pure layout


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


def test_generations_children_and_unreachable() -> None:
    people, rels = hart()
    people.append(Person("X1", "Nobody", "Linked", sex=M))
    people.append(Person("X2", "Only", "Neighbour", sex=F))
    rels.append(Relationship(RelType.LIVES_WITH, "1002", "X2"))  # not a kinship edge
    gens = generations_of("1002", {p.id: p for p in people}, rels)
    assert gens["1001"] == 1 and gens["1004"] == 1 and gens["1006"] == -1
    assert "X1" not in gens and "X2" not in gens


def test_generations_carer_links_do_not_pull_rows() -> None:
    people, rels = obrien()
    gens = generations_of("3001", {p.id: p for p in people}, rels)
    # Peggy is Jayden's special guardian but stays on the grandparents' row.
    assert gens == {"3001": 0, "3005": 0, "3002": -1, "3006": -1, "3004": -1, "3003": -2}


def test_generations_siblings_share_a_row() -> None:
    people = [Person("A", sex=F), Person("B", sex=M), Person("C", sex=F)]
    rels = [
        Relationship(RelType.SIBLING_OF, "A", "B", "half"),
        parent("C", "B"),
    ]
    gens = generations_of("A", {p.id: p for p in people}, rels)
    assert gens == {"A": 0, "B": 0, "C": -1}


def test_select_one_generation() -> None:
    people, rels = hart()
    kept, edges = select("1001", people, rels, 1)
    # Grandparents are out of scope; Thomas hangs only from them, so he goes too.
    assert {p.id for p in kept} == {"1001", "1002", "1003", "1004", "1005", "H203"}
    assert all(r.from_id in {p.id for p in kept} and r.to_id in {p.id for p in kept} for r in edges)
    assert len(edges) == 7


def test_select_zero_and_two_generations() -> None:
    people, rels = hart()
    kept, edges = select("1001", people, rels, 0)
    assert [p.id for p in kept] == ["1001"] and edges == []
    kept, edges = select("1001", people, rels, 2)
    assert len(kept) == len(people) and len(edges) == len(rels)


def test_select_rejects_bad_arguments() -> None:
    people, rels = hart()
    with pytest.raises(InputError) as info:
        select("1001", people, rels, -1)
    assert info.value.field == "generations"
    with pytest.raises(InputError) as info:
        select("nobody", people, rels, 2)
    assert "Amelia" not in str(info.value)


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
    # The alleged father stands next to the mother.
    row = plan.rows[-1]
    assert abs(row.index("3006") - row.index("3002")) == 1


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


def test_age_and_caption() -> None:
    people, _ = hart()
    by_id = {p.id: p for p in people}
    assert age_label(by_id["1001"], DRAWN) == "9"
    assert age_label(by_id["1007"], DRAWN) == "53"  # age at death
    assert age_label(by_id["H203"], DRAWN) == "36"  # year only
    assert age_label(Person("z", birth_date=D(2030)), DRAWN) == ""
    assert age_label(Person("z", deceased=True, birth_date=D(1950)), DRAWN) == ""
    assert caption_lines(by_id["1007"]) == ['Michael Hart ("Mick")', "b. 1966  d. 2019"]
    assert caption_lines(Person("g", implied=True, implied_label="maternal grandmother")) == [
        "maternal grandmother"
    ]
    assert caption_lines(Person("n", birth_date=D(1990, approximate=True))) == [
        "name unknown",
        "b. c.1990",
    ]


def test_clean_text_folds_control_characters() -> None:
    assert clean_text("Ann\n\t Lee\x00\r") == "Ann Lee"


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


def test_dot_marks_deceased_implied_and_ages() -> None:
    people, rels = implied()
    dot = build_dot("2001", people, rels, options())
    lines = person_lines(dot)
    assert 'style="dashed"' in lines[node_id("G1")][1]
    assert ">?</FONT>" in lines[node_id("G1")][1]
    assert "maternal grandmother" in lines[node_id("G1")][1]
    assert ">6<" in lines[node_id("2001")][1]  # age inside the symbol
    people, rels = hart()
    uk = person_lines(build_dot("1001", people, rels, options()))
    nsgc_dot = build_dot("1001", people, rels, options(notation="nsgc"))
    nsgc = person_lines(nsgc_dot)
    assert "&#x2715;" in uk[node_id("1007")][1] and "&#x2715;" not in uk[node_id("1006")][1]
    assert "&#x2571;" in nsgc[node_id("1007")][1]
    assert '"proband" -> "p_1001"' in nsgc_dot


def test_dot_title_block_classification_and_key() -> None:
    people, rels = hart()
    dot = build_dot("1001", people, rels, options())
    assert "Genogram: Amelia Hart" in dot
    assert "Drawn 2024-05-01 by A. Worker" in dot
    assert dot.count("OFFICIAL-SENSITIVE") == 2  # top and bottom
    assert "subgraph cluster_key" in dot
    # Only the symbols used: no diamond, twins, carers or alleged parents in this family.
    for absent in ("sex not recorded", "twins", "carer", "alleged", "divorced"):
        assert absent not in dot
    for present in ("separated", "partners, not married", "married / civil", "deceased"):
        assert present in dot
    custom = build_dot("1001", people, rels, options(title="Assessment", classification="SECRET"))
    assert "Assessment" in custom and "SECRET" in custom and "OFFICIAL" not in custom


def test_dot_partner_lines() -> None:
    people, rels = hart()
    dot = build_dot("1001", people, rels, options())
    married = re.search(r'"p_1007" -> "u_1006\+1007" \[style="(\w+)"', dot)
    cohabiting = re.search(r'"u_1002\+H203" -> "p_H203" \[style="(\w+)"', dot)
    assert married and married.group(1) == "solid"
    assert cohabiting and cohabiting.group(1) == "dashed"
    assert re.search(r'"u_1002\+1003" \[shape="plaintext" label=<<FONT[^>]*>/<', dot)


def test_dot_parent_link_styles() -> None:
    people, rels = obrien()
    dot = build_dot("3001", people, rels, options())
    alleged = re.findall(r'"p_3006" -> "d_[0-9a-fx]+" \[([^\]]*)\]', dot)
    assert len(alleged) == 1 and 'style="dashed"' in alleged[0] and "?" in alleged[0]
    foster = re.findall(r'"p_3004" -> "d_[0-9a-fx]+" \[([^\]]*)\]', dot)
    assert len(foster) == 1 and 'style="dotted"' in foster[0]
    guardian = re.findall(r'"p_3003" -> "p_3001" \[([^\]]*)\]', dot)
    assert len(guardian) == 1 and 'style="dotted"' in guardian[0]
    adopted = [
        Person("c", "Kid", sex=F, birth_date=D(2019)),
        Person("a", "Ad", sex=F, birth_date=D(1980)),
    ]
    dot = build_dot("c", adopted, [parent("a", "c", "adoptive")], options())
    assert re.search(r'"b_c" -> "p_c" \[style="dashed"', dot)
    assert "adopted" in dot


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
    people, rels = hart()
    assert build_dot("1001", people, rels, options()) == build_dot("1001", people, rels, options())
    with pytest.raises(InputError) as info:
        build_dot("1001", people, rels, options(notation="fancy"))
    assert info.value.field == "notation"


@settings(max_examples=25, deadline=None)
@given(st.permutations(range(9)), st.permutations(range(12)))
def test_dot_does_not_depend_on_input_order(pp: list[int], rp: list[int]) -> None:
    people, rels = hart()
    expected = build_dot("1001", people, rels, options())
    shuffled = build_dot("1001", [people[i] for i in pp], [rels[i] for i in rp], options())
    assert shuffled == expected


# ----------------------------------------------------------------------------- rendered


@dataclass(frozen=True)
class Symbol:
    """A drawn node: its outline elements' bounding box and how many outlines it has."""

    left: float
    top: float
    right: float
    bottom: float
    outlines: int
    texts: tuple[str, ...]

    @property
    def cx(self) -> float:
        return (self.left + self.right) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


SVG = "{http://www.w3.org/2000/svg}"


def run_dot_svg(dot: str) -> str:
    result = subprocess.run(
        ["dot", "-Tsvg"], input=dot.encode(), capture_output=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    return result.stdout.decode("utf-8")


def parse_svg(svg: str) -> dict[str, Symbol]:
    """Every node of the SVG by title, with the bounding box of its outline shapes."""
    nodes: dict[str, Symbol] = {}
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        if g.get("class") != "node":
            continue
        title = g.findtext(f"{SVG}title") or ""
        boxes: list[tuple[float, float, float, float]] = []
        for el in g:
            if el.tag == f"{SVG}ellipse":
                cx, cy = float(el.get("cx", 0)), float(el.get("cy", 0))
                rx, ry = float(el.get("rx", 0)), float(el.get("ry", 0))
                boxes.append((cx - rx, cy - ry, cx + rx, cy + ry))
            elif el.tag == f"{SVG}polygon":
                pts = [tuple(map(float, p.split(","))) for p in el.get("points", "").split()]
                xs, ys = [p[0] for p in pts], [p[1] for p in pts]
                boxes.append((min(xs), min(ys), max(xs), max(ys)))
        texts = tuple("".join(t.itertext()) for t in g.iter(f"{SVG}text"))
        if boxes:
            nodes[title] = Symbol(
                min(b[0] for b in boxes),
                min(b[1] for b in boxes),
                max(b[2] for b in boxes),
                max(b[3] for b in boxes),
                len(boxes),
                texts,
            )
        else:
            nodes[title] = Symbol(0, 0, 0, 0, 0, texts)
    return nodes


Drawings = dict[str, tuple[Family, str, dict[str, Symbol], str]]


@pytest.fixture(scope="module")
def drawings() -> Drawings:
    if not HAS_DOT:
        pytest.skip("Graphviz 'dot' is not installed")
    out = {}
    for name, (make, subject) in FAMILIES.items():
        family = make()
        for notation in ("uk", "nsgc"):
            svg = run_dot_svg(build_dot(subject, *family, options(notation=notation)))
            out[f"{name}-{notation}"] = (family, subject, parse_svg(svg), svg)
    return out


CASES = [f"{name}-{notation}" for name in FAMILIES for notation in ("uk", "nsgc")]


def _context(
    drawings: Drawings, case: str
) -> tuple[list[Person], list[Relationship], str, dict[str, Symbol], dict[str, int]]:
    (people, rels), subject, nodes, _ = drawings[case]
    gens = generations_of(subject, {p.id: p for p in people}, rels)
    symbols = {p.id: nodes[node_id(p.id)] for p in people}
    return people, rels, subject, symbols, gens


@pytest.mark.parametrize("case", CASES)
def test_rendered_one_row_per_generation(case: str, drawings: Drawings) -> None:
    people, _, _, symbols, gens = _context(drawings, case)
    rows: dict[int, set[float]] = {}
    for p in people:
        rows.setdefault(gens[p.id], set()).add(round(symbols[p.id].cy, 1))
    assert all(len(ys) == 1 for ys in rows.values()), rows
    ordered = [next(iter(rows[g])) for g in sorted(rows)]
    assert ordered == sorted(ordered) and len(set(ordered)) == len(ordered)


@pytest.mark.parametrize("case", CASES)
def test_rendered_order_matches_plan(case: str, drawings: Drawings) -> None:
    (people, rels), subject, nodes, _ = drawings[case]
    plan = plan_layout(subject, people, rels)
    for row in plan.rows.values():
        xs = [nodes[node_id(pid)].cx for pid in row]
        assert xs == sorted(xs), row


@pytest.mark.parametrize("case", CASES)
def test_rendered_partners_adjacent(case: str, drawings: Drawings) -> None:
    people, rels, _, symbols, gens = _context(drawings, case)
    partner_of: dict[str, set[str]] = {}
    for r in rels:
        if r.type is RelType.PARTNER_OF:
            partner_of.setdefault(r.from_id, set()).add(r.to_id)
            partner_of.setdefault(r.to_id, set()).add(r.from_id)
    checked = 0
    for r in rels:
        if r.type is not RelType.PARTNER_OF:
            continue
        a, b = symbols[r.from_id], symbols[r.to_id]
        assert a.cy == pytest.approx(b.cy)
        lo, hi = sorted((a.cx, b.cx))
        between = {
            p.id for p in people if gens[p.id] == gens[r.from_id] and lo < symbols[p.id].cx < hi
        }
        # Nobody between partners, except the other partners of a person with several.
        allowed = (partner_of[r.from_id] | partner_of[r.to_id]) - {r.from_id, r.to_id}
        assert between <= allowed, (r.from_id, r.to_id, between)
        if len(partner_of[r.from_id]) == 1 and len(partner_of[r.to_id]) == 1:
            assert not between
        checked += 1
    family = case.split("-")[0]
    assert checked == {"hart": 4, "twins": 2, "implied": 1, "obrien": 0}[family]


@pytest.mark.parametrize("case", CASES)
def test_rendered_siblings_in_birth_order(case: str, drawings: Drawings) -> None:
    people, rels, _, symbols, _ = _context(drawings, case)
    by_id = {p.id: p for p in people}
    parents: dict[str, frozenset[str]] = {}
    for r in rels:
        if r.type is RelType.PARENT_OF and r.kind in (None, "birth") and r.certainty == "confirmed":
            parents[r.to_id] = parents.get(r.to_id, frozenset()) | {r.from_id}
    pairs = 0
    for a in parents:
        for b in parents:
            ba, bb = by_id[a].birth_date, by_id[b].birth_date
            if a != b and parents[a] == parents[b] and ba and bb and ba.earliest() < bb.earliest():
                assert symbols[a].cx < symbols[b].cx, (a, b)
                pairs += 1
    assert pairs > 0


@pytest.mark.parametrize("case", CASES)
def test_rendered_symbols_do_not_overlap(case: str, drawings: Drawings) -> None:
    people, _, _, symbols, _ = _context(drawings, case)
    ids = [p.id for p in people]
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            sa, sb = symbols[a], symbols[b]
            apart = (
                sa.right <= sb.left
                or sb.right <= sa.left
                or sa.bottom <= sb.top
                or sb.bottom <= sa.top
            )
            assert apart, (a, b)


@pytest.mark.parametrize("case", CASES)
def test_rendered_children_below_parents_line(case: str, drawings: Drawings) -> None:
    _, rels, _, symbols, _ = _context(drawings, case)
    links = [r for r in rels if r.type is RelType.PARENT_OF]
    assert links
    for r in links:
        # The parents' line runs through the middle of the parents' symbols.
        assert symbols[r.to_id].top > symbols[r.from_id].cy, (r.from_id, r.to_id)
        assert symbols[r.to_id].top > symbols[r.from_id].bottom


@pytest.mark.parametrize("case", CASES)
def test_rendered_subject_has_two_outlines(case: str, drawings: Drawings) -> None:
    people, _, subject, symbols, _ = _context(drawings, case)
    for p in people:
        assert symbols[p.id].outlines == (2 if p.id == subject else 1), p.id


def test_rendered_text_key_and_classification(drawings: Drawings) -> None:
    (_, _, nodes, svg) = drawings["obrien-uk"]
    assert svg_text(svg).count("OFFICIAL-SENSITIVE") == 2
    assert squash("Genogram: Jayden O'Brien") in svg_text(svg)
    texts = {t for sym in nodes.values() for t in sym.texts}
    assert {"Jayden O'Brien", "b. 2011", "12", "alleged or disputed parent"} <= texts
    assert any("carer" in t for t in texts)
    assert not any("twins" in t for t in texts)
    root = ET.fromstring(svg)
    top_y = min(
        float(t.get("y", 0)) for t in root.iter(f"{SVG}text") if t.text == "OFFICIAL-SENSITIVE"
    )
    bottom_y = max(
        float(t.get("y", 0)) for t in root.iter(f"{SVG}text") if t.text == "OFFICIAL-SENSITIVE"
    )
    person_ys = [nodes[node_id(p)].cy for p in ("3001", "3003")]
    assert top_y < min(person_ys) and bottom_y > max(person_ys)


HOSTILE = 'Ann "x" <b>\\ {y}\n'


def svg_text(svg: str) -> str:
    """All text of an SVG with white space removed (long names wrap onto two lines)."""
    texts = ("".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{SVG}text"))
    return "".join("".join(texts).split())


def squash(text: str) -> str:
    return "".join(text.split())


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
    assert squash('Kerry O\'Hara & </TD>]; } ("\\N "<alias>" \\G")') in text
    assert squash('"><x>\\l') in text
    assert squash('T "<t>" \\ {') in text
    assert squash("</TABLE> & \\") in text
    assert "p_1002" not in text  # \\N was not expanded to the node id


@needs_dot
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(min_size=1, max_size=30))
def test_any_name_gives_valid_dot(name: str) -> None:
    people = [
        Person("C", name, sex=F, birth_date=D(2015)),
        Person("P", "Parent", name, sex=M, birth_date=D(1990)),
    ]
    svg = run_dot_svg(build_dot("C", people, [parent("P", "C")], options(author=name)))
    assert squash(clean_text(name)) in svg_text(svg)


# ----------------------------------------------------------------------------- render_file


@needs_dot
def test_render_file_formats(tmp_path: Path) -> None:
    people, rels = implied()
    dot = build_dot("2001", people, rels, options())
    pdf = render_file(dot, tmp_path / "g.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    png = render_file(dot, tmp_path / "g.PNG")
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    svg = render_file(dot, tmp_path / "g.svg")
    assert ET.fromstring(svg.read_text("utf-8")).tag == f"{SVG}svg"
    src = render_file(dot, tmp_path / "g.dot")
    assert src.read_text("utf-8") == dot
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.PNG", "g.dot", "g.pdf", "g.svg"]


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
    # A .dot needs no Graphviz.
    assert render_file("digraph {}", tmp_path / "g.dot").read_text() == "digraph {}"


@needs_dot
def test_render_file_failure_leaves_nothing_and_discloses_nothing(tmp_path: Path) -> None:
    with pytest.raises(RenderError) as info:
        render_file('digraph { "Amelia Hart" -> }', tmp_path / "g.svg")
    assert "Amelia" not in str(info.value)
    assert list(tmp_path.iterdir()) == []
