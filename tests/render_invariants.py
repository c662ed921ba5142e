"""Layout invariants of a drawn genogram, checked on the coordinates of the SVG that Graphviz
wrote (DESIGN §6): one y per generation, partners adjacent, siblings in birth order left to
right, no overlapping symbols, every child below its parents' line, the subject outlined
twice; and no line between people running through a symbol.

Plain functions, reusable by any test: `parse_svg` reads the symbols, `check_invariants`
returns the violations found (an empty list when the drawing is sound) and
`assert_invariants` fails with all of them.
"""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from genogram.model import Person, Relationship, RelType
from render.layout import generations_of

SVG = "{http://www.w3.org/2000/svg}"
TOLERANCE = 0.5  # points: coordinates in Graphviz's SVG are rounded to 1/100 pt or so


@dataclass(frozen=True)
class Symbol:
    """A drawn node: the bounding box of its outlines, how many outlines, its classes and
    texts (in points, y downwards as in the SVG)."""

    left: float
    top: float
    right: float
    bottom: float
    outlines: int
    classes: tuple[str, ...]
    texts: tuple[str, ...]
    dashed: bool = False
    kind: str = "box"  # ellipse, box, diamond or triangle

    @property
    def cx(self) -> float:
        return (self.left + self.right) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    def contains(self, x: float, y: float) -> bool:
        return self.left <= x <= self.right and self.top <= y <= self.bottom


def _points(text: str) -> list[tuple[float, float]]:
    pairs = []
    for chunk in text.split():
        x, y = chunk.split(",")
        pairs.append((float(x), float(y)))
    return pairs


def parse_svg(svg: str) -> dict[str, Symbol]:
    """Every node of the SVG by its title (the DOT node id), with the bounding box of its
    outline shapes (ellipses and polygons; an empty box for text-only nodes)."""
    nodes: dict[str, Symbol] = {}
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        classes = tuple((g.get("class") or "").split())
        if "node" not in classes:
            continue
        title = g.findtext(f"{SVG}title") or ""
        boxes: list[tuple[float, float, float, float]] = []
        dashed = False
        kind = "box"
        for el in g:
            if el.tag == f"{SVG}ellipse":
                cx, cy = float(el.get("cx", 0)), float(el.get("cy", 0))
                rx, ry = float(el.get("rx", 0)), float(el.get("ry", 0))
                boxes.append((cx - rx, cy - ry, cx + rx, cy + ry))
                kind = "ellipse"
            elif el.tag == f"{SVG}polygon":
                pts = _points(el.get("points", ""))
                xs, ys = [p[0] for p in pts], [p[1] for p in pts]
                boxes.append((min(xs), min(ys), max(xs), max(ys)))
                corners = set(pts)
                if len(corners) == 3:
                    kind = "triangle"
                elif len({round(x) for x in xs}) == 3:
                    kind = "diamond"
            else:
                continue
            dashed = dashed or el.get("stroke-dasharray") is not None
        texts = tuple("".join(t.itertext()) for t in g.iter(f"{SVG}text"))
        if boxes:
            nodes[title] = Symbol(
                min(b[0] for b in boxes),
                min(b[1] for b in boxes),
                max(b[2] for b in boxes),
                max(b[3] for b in boxes),
                len(boxes),
                classes,
                texts,
                dashed,
                kind,
            )
        else:
            nodes[title] = Symbol(0, 0, 0, 0, 0, classes, texts)
    return nodes


def person_symbols(svg: str, node_of: Mapping[str, str]) -> dict[str, Symbol]:
    """The symbol of every drawn person, by person id (`node_of` maps person ids to node ids:
    `render.Drawing.person_nodes`)."""
    nodes = parse_svg(svg)
    return {pid: nodes[node] for pid, node in node_of.items()}


def one_y_per_generation(symbols: Mapping[str, Symbol], gens: Mapping[str, int]) -> list[str]:
    """Every generation on one horizontal row, rows top to bottom from the eldest."""
    problems = []
    rows: dict[int, list[float]] = {}
    for pid, sym in symbols.items():
        rows.setdefault(gens[pid], []).append(sym.cy)
    for g, ys in sorted(rows.items()):
        if max(ys) - min(ys) > TOLERANCE:
            problems.append(f"generation {g} is drawn at several heights: {sorted(set(ys))}")
    centres = [sum(ys) / len(ys) for _, ys in sorted(rows.items())]
    if any(b <= a for a, b in itertools.pairwise(centres)):
        problems.append("generations are not drawn top to bottom, eldest first")
    return problems


def partners_adjacent(
    symbols: Mapping[str, Symbol], rels: Iterable[Relationship], gens: Mapping[str, int]
) -> list[str]:
    """Partners side by side on one row: nobody between them except the other partners of
    one of the two (a person with several partners stands among them)."""
    partner_of: dict[str, set[str]] = {}
    pairs = []
    for r in rels:
        if r.type is RelType.PARTNER_OF and r.from_id in symbols and r.to_id in symbols:
            partner_of.setdefault(r.from_id, set()).add(r.to_id)
            partner_of.setdefault(r.to_id, set()).add(r.from_id)
            pairs.append((r.from_id, r.to_id))
    problems = []
    for a, b in pairs:
        if gens[a] != gens[b]:
            continue
        sa, sb = symbols[a], symbols[b]
        if abs(sa.cy - sb.cy) > TOLERANCE:
            problems.append(f"partners {a} and {b} are not on one row")
        lo, hi = sorted((sa.cx, sb.cx))
        between = {p for p, s in symbols.items() if gens[p] == gens[a] and lo < s.cx < hi} - {a, b}
        allowed = (partner_of[a] | partner_of[b]) - {a, b}
        if not between <= allowed:
            problems.append(f"partners {a} and {b} have {sorted(between - allowed)} between them")
    return problems


def siblings_in_birth_order(
    symbols: Mapping[str, Symbol],
    persons: Iterable[Person],
    rels: Iterable[Relationship],
    gens: Mapping[str, int],
) -> list[str]:
    """Children of the same confirmed birth parents drawn eldest on the left (siblings on
    one row: where a family marries into itself a sibling can be drawn a row lower, beside
    a partner, and is then not compared)."""
    by_id = {p.id: p for p in persons if p.id in symbols}
    parents: dict[str, frozenset[str]] = {}
    for r in rels:
        if (
            r.type is RelType.PARENT_OF
            and r.kind in (None, "birth")
            and r.certainty == "confirmed"
            and r.to_id in by_id
            and r.from_id in by_id
        ):
            parents[r.to_id] = parents.get(r.to_id, frozenset()) | {r.from_id}
    problems = []
    for a in parents:
        for b in parents:
            ba, bb = by_id[a].birth_date, by_id[b].birth_date
            if a == b or parents[a] != parents[b] or ba is None or bb is None:
                continue
            if gens[a] != gens[b]:
                continue
            if ba.earliest() < bb.earliest() and not symbols[a].cx < symbols[b].cx:
                problems.append(f"sibling {a} (elder) is not left of {b}")
    return problems


def no_overlaps(symbols: Mapping[str, Symbol]) -> list[str]:
    """No two symbols share any area (sweep over x, so large families stay quick)."""
    problems = []
    items = sorted(symbols.items(), key=lambda kv: kv[1].left)
    active: list[tuple[str, Symbol]] = []
    for pid, s in items:
        active = [(q, t) for q, t in active if t.right > s.left + TOLERANCE]
        for q, t in active:
            if t.bottom > s.top + TOLERANCE and s.bottom > t.top + TOLERANCE:
                problems.append(f"symbols of {q} and {pid} overlap")
        active.append((pid, s))
    return problems


def children_below_parents(
    symbols: Mapping[str, Symbol], rels: Iterable[Relationship]
) -> list[str]:
    """Every child's symbol wholly below each parent's symbol (the parents' line runs
    through the middle of the parents' symbols)."""
    problems = []
    for r in rels:
        drawn = r.type is RelType.PARENT_OF and r.from_id in symbols and r.to_id in symbols
        if drawn and not symbols[r.to_id].top > symbols[r.from_id].bottom:
            problems.append(f"child {r.to_id} is not below parent {r.from_id}")
    return problems


def subject_outlined_twice(symbols: Mapping[str, Symbol], subject_id: str) -> list[str]:
    """The subject has two outlines; nobody else has."""
    problems = []
    for pid, s in symbols.items():
        expected = 2 if pid == subject_id else 1
        if s.outlines != expected:
            problems.append(f"{pid} has {s.outlines} outlines, expected {expected}")
    return problems


#: Classes of the drawn lines that join people (marks, households and the key are not).
LINE_CLASSES = ("partner", "descent", "sibship", "child", "parent", "carer", "relation")


def _inside(sym: Symbol, x: float, y: float, margin: float) -> bool:
    """Whether (x, y) lies inside the symbol's outline, more than `margin` from it."""
    hw, hh = (sym.right - sym.left) / 2 - margin, (sym.bottom - sym.top) / 2 - margin
    if hw <= 0 or hh <= 0:
        return False
    dx, dy = abs(x - sym.cx) / hw, abs(y - sym.cy) / hh
    if sym.kind == "ellipse":
        return dx * dx + dy * dy < 1
    if sym.kind == "diamond":
        return dx + dy < 1
    if sym.kind == "triangle":  # apex up: narrower towards the top
        return dy < 1 and dx < (y - sym.top) / (sym.bottom - sym.top)
    return dx < 1 and dy < 1


def lines_clear_of_symbols(svg: str, symbols: Mapping[str, Symbol]) -> list[str]:
    """No line between people runs through a person's symbol (lines may end on its
    outline): every point of every line, sampled 1 pt apart, lies outside the symbols."""
    problems = set()
    items = list(symbols.items())
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        classes = set((g.get("class") or "").split())
        if "edge" not in classes or not classes & set(LINE_CLASSES):
            continue
        if classes & {"mark", "key"}:
            continue
        for path in g.iter(f"{SVG}path"):
            numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path.get("d", ""))]
            points = list(zip(numbers[::2], numbers[1::2], strict=True))
            for (x0, y0), (x1, y1) in itertools.pairwise(points):
                lo_x, hi_x, lo_y, hi_y = min(x0, x1), max(x0, x1), min(y0, y1), max(y0, y1)
                near = [
                    (pid, s)
                    for pid, s in items
                    if s.left < hi_x and lo_x < s.right and s.top < hi_y and lo_y < s.bottom
                ]
                if not near:
                    continue
                steps = max(1, int(max(hi_x - lo_x, hi_y - lo_y)))
                for k in range(steps + 1):
                    x, y = x0 + (x1 - x0) * k / steps, y0 + (y1 - y0) * k / steps
                    for pid, sym in near:
                        if _inside(sym, x, y, 2.0):
                            problems.add(f"a {sorted(classes - {'edge'})} line crosses {pid}")
    return sorted(problems)


def check_invariants(
    svg: str,
    subject_id: str,
    persons: Sequence[Person],
    rels: Sequence[Relationship],
    node_of: Mapping[str, str],
) -> list[str]:
    """Every invariant violated by the drawing (empty when it is sound). `persons` and
    `rels` are what was drawn (`render.apply_scope`), `node_of` the person nodes."""
    symbols = person_symbols(svg, node_of)
    drawn = [p for p in persons if p.id in symbols]
    gens = generations_of(subject_id, {p.id: p for p in drawn}, rels)
    missing = sorted(set(symbols) - set(gens))
    problems = [f"{pid} is drawn but not linked to the subject" for pid in missing]
    symbols = {pid: s for pid, s in symbols.items() if pid in gens}
    problems += one_y_per_generation(symbols, gens)
    problems += partners_adjacent(symbols, rels, gens)
    problems += siblings_in_birth_order(symbols, drawn, rels, gens)
    problems += no_overlaps(symbols)
    problems += children_below_parents(symbols, rels)
    problems += subject_outlined_twice(symbols, subject_id)
    problems += lines_clear_of_symbols(svg, symbols)
    return problems


def assert_invariants(
    svg: str,
    subject_id: str,
    persons: Sequence[Person],
    rels: Sequence[Relationship],
    node_of: Mapping[str, str],
) -> None:
    """Fail with every violated invariant."""
    problems = check_invariants(svg, subject_id, persons, rels, node_of)
    assert not problems, "\n".join(problems)
