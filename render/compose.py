"""Compose a genogram: every symbol, line and mark placed at absolute coordinates (pure).

Steps: `render.scope` chooses who is drawn, `render.layout` decides rows, unions and the
left-to-right order, and this module computes the geometry:

- x: each row is placed by weighted least squares under minimum gaps (partners packed
  together, children centred under their parents' line, parents over their children),
  alternating down and up sweeps (`geometry.isotonic_positions`);
- y: rows of symbols with the captions below, and between two rows a band of horizontal
  "lanes" for sibship lines, carer lines and emotional lines (`geometry.assign_lanes`);
- lines: partner lines between the symbols (a bracket above the row for partners who are
  not side by side), children hanging from the partners' line, and every other line routed
  through the gaps between people and along the lanes, so that no line crosses a symbol or
  a caption;
- marks, households (`geometry.union_outline`), the key, the title block and the
  classification marking.

Graphviz only draws the result (`render.dot`), so the layout invariants hold by construction
and are checked again on the drawn SVG by the tests.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from genogram.errors import InputError
from genogram.model import Person, Relationship
from render.geometry import (
    Drawing,
    Line,
    Point,
    Rect,
    Shape,
    Text,
    assign_lanes,
    cross_bars,
    isotonic_positions,
    offset_polyline,
    segment_point,
    text_width,
    trim_end,
    union_outline,
    zigzag,
)
from render.layout import DirectLink, Plan, Union, plan_layout
from render.notation import (
    CARER_TAGS,
    CHILD_STYLES,
    HOUSEHOLD_STYLE,
    NOTATIONS,
    PARTNER_STYLES,
    RELATES_STYLES,
    SOLID_STATUSES,
    LineStyle,
    age_label,
    caption_lines,
    clean_text,
    initials,
    is_deceased,
    key_catalogue,
    partner_date_label,
    pregnancy_kind,
    symbol_shape,
)
from render.scope import RELATION_KINDS, Scope, apply_scope, split_terms

S = 40.0  # side of a square symbol, diameter of a circle (points)
ROW_H = 58.0  # vertical room of the tallest symbol (a diamond with a double outline)
GAP = 28.0  # least free space between two people's boxes (room for lines to pass)
CAPTION_SIZE = 9.0
CAPTION_LINE = 11.0
LANE = 9.0
STAPLE = 8.0
BAND_MIN = 40.0
MARGIN = 24.0
ARROW = 8.0

_SYMBOL_SIZE = {
    "square": (S, S),
    "circle": (S, S),
    "diamond": (1.25 * S, 1.25 * S),
    "triangle": (0.9 * S, 0.8 * S),
    "small_triangle": (0.55 * S, 0.5 * S),
    "dot": (0.4 * S, 0.4 * S),
}


@dataclass(frozen=True)
class RenderOptions:
    """How to draw: scope (generations, include/exclude terms, hidden emotional lines),
    notation profile, anonymisation, title block and classification marking.

    `include`/`exclude` hold relation kinds (`render.scope.RELATION_KINDS`) and person ids.
    """

    generations: int = 2
    notation: str = "uk"
    title: str | None = None
    author: str | None = None
    drawn_on: date = field(default_factory=date.today)
    classification: str = "OFFICIAL-SENSITIVE"
    anonymise: bool = False
    include: frozenset[str] = frozenset()
    exclude: frozenset[str] = frozenset()
    hide_emotional: bool = False

    def scope(self) -> Scope:
        """The `Scope` these options describe."""
        include_kinds, include_people = split_terms(sorted(self.include), "--include")
        exclude_kinds, exclude_people = split_terms(sorted(self.exclude), "--exclude")
        return Scope(
            generations=self.generations,
            include_people=frozenset(include_people),
            exclude_people=frozenset(exclude_people),
            include_kinds=include_kinds,
            exclude_kinds=exclude_kinds,
            hide_emotional=self.hide_emotional,
        )


def compose(
    subject_id: str,
    persons: Sequence[Person],
    rels: Sequence[Relationship],
    options: RenderOptions,
) -> Drawing:
    """The subject's genogram as a `Drawing` (pure and deterministic)."""
    if options.notation not in NOTATIONS:
        raise InputError(
            f"unknown notation {options.notation!r}; use one of {', '.join(NOTATIONS)}",
            field="notation",
        )
    people, edges = apply_scope(subject_id, persons, rels, options.scope())
    plan = plan_layout(subject_id, people, edges)
    return _Composer(plan, options).build()


__all__ = ["RELATION_KINDS", "RenderOptions", "compose"]


# --------------------------------------------------------------------------- helpers


@dataclass
class _Lane:
    """A horizontal run waiting for its lane in a band (band g lies just above row g)."""

    band: int
    lo: float
    hi: float
    level: int = 0


@dataclass(frozen=True)
class _YRef:
    """A y coordinate known only once rows and lanes are placed (`_Composer.y_of`): a lane's,
    or a row's centre plus `dy`."""

    lane: _Lane | None = None
    row: int = 0
    dy: float = 0.0


@dataclass
class _Route:
    """A routed line: waypoints (x, y reference) from one person to another."""

    points: list[tuple[float, _YRef]]


@dataclass
class _Person:
    """Per-person drawing facts: symbol, caption, and the box it needs in its row."""

    id: str
    node: str
    shape: str
    width: float
    height: float
    outer: float  # extra outline (the double outline of the subject)
    caption: list[str]
    half: float  # half-width of the person's box (symbol, marks and caption)
    brackets: bool = False


def _symbol_top(p: _Person, dx: float) -> float:
    """Distance above the centre of the symbol's outline at horizontal offset dx."""
    half_w = p.width / 2 + p.outer
    half_h = p.height / 2 + p.outer
    dx = min(abs(dx), half_w * 0.95)
    if p.shape in ("circle", "dot"):
        return math.sqrt(max(half_h**2 - dx**2, 0.0))
    if p.shape == "diamond":
        return half_h * (1 - dx / half_w)
    if p.shape in ("triangle", "small_triangle"):
        return half_h - 2 * half_h * dx / half_w
    return half_h


class _Composer:
    """Builds the `Drawing` for one plan."""

    def __init__(self, plan: Plan, options: RenderOptions) -> None:
        self.plan = plan
        self.options = options
        self.nsgc = options.notation == "nsgc"
        self.anonymise = options.anonymise
        self.drawing = Drawing()
        self.used = self.drawing.features
        self.gens = plan.generations
        self.row_order = sorted(plan.rows)
        self.index = {pid: i for row in plan.rows.values() for i, pid in enumerate(row)}
        self.counter = 0
        self.lanes: list[_Lane] = []
        self.staple_level: dict[str, int] = {}
        self.staples_in_row: dict[int, int] = defaultdict(int)
        self.top_ports: dict[tuple[str, float], int] = defaultdict(int)
        self.channel_use: dict[tuple[int, int], int] = defaultdict(int)
        self.exit_use: dict[tuple[int, int], int] = defaultdict(int)
        self.stub_gaps: set[tuple[int, int]] = set()
        self.people: dict[str, _Person] = {}
        self.x: dict[str, float] = {}
        self.centre: dict[int, float] = {}
        self.caption_top: dict[str, float] = {}
        self.row_bottom: dict[int, float] = {}
        self.staple_y: dict[int, float] = {}
        self.couples = [u for u in plan.unions if len(u.parents) == 2]
        self.partner_pairs = {
            frozenset(u.parents)
            for u in self.couples
            if abs(self.index[u.parents[0]] - self.index[u.parents[1]]) == 1
        }
        # Neighbours with a line dropping between them (children of partners who are not
        # side by side): kept as far apart as a couple, so the line clears both names.
        self.drop_pairs = {
            frozenset(self.outer_partner(u))
            for u in self.couples
            if u.children and frozenset(u.parents) not in self.partner_pairs
        }
        self.adopted = {c for u in plan.unions if u.adoptive for c in u.children} | {
            d.child for d in plan.direct_links if d.rel.kind == "adoptive"
        }
        self.deferred: list[Callable[[], None]] = []

    # ------------------------------------------------------------------ naming

    def name(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def node_of(self, pid: str) -> str:
        return self.people[pid].node

    # ------------------------------------------------------------------ people

    def measure(self) -> None:
        order = [pid for g in self.row_order for pid in self.plan.rows[g]]
        subject = self.plan.subject_id
        for number, pid in enumerate(order, 1):
            person = self.plan.persons[pid]
            shape = symbol_shape(person, self.options.notation)
            width, height = _SYMBOL_SIZE[shape]
            outer = 4.0 if pid == subject else 0.0
            caption = caption_lines(person, anonymise=self.anonymise)
            caption_w = max((text_width(line, CAPTION_SIZE) for line in caption), default=0.0)
            half = max(width / 2 + outer, caption_w / 2 + 2)
            brackets = pid in self.adopted
            if brackets:
                half = max(half, width / 2 + 10)
            if pid == subject and self.nsgc:
                half = max(half, width / 2 + outer + 32)
            node = f"p_{number}" if self.anonymise else node_id(pid)
            self.people[pid] = _Person(
                pid, node, shape, width, height, outer, caption, half, brackets
            )
            self.drawing.person_nodes[pid] = node

    # ------------------------------------------------------------------ x placement

    def separation(self, a: str, b: str) -> float:
        pa, pb = self.people[a], self.people[b]
        sep = pa.half + pb.half + GAP
        if frozenset((a, b)) in self.drop_pairs:
            sep = max(sep, 2 * max(pa.half, pb.half) + GAP)
        if frozenset((a, b)) in self.partner_pairs:
            # Children drop from the middle of the partner line: keep it clear of captions.
            sep = max(sep, 2 * max(pa.half, pb.half) + GAP)
            sep = max(sep, pa.width / 2 + pb.width / 2 + pa.outer + pb.outer + 64)
            union = self.union_between(a, b)
            if union is not None:
                label = self.partner_label(union)
                if label:
                    need = text_width(label, 8) + 12 + pa.width / 2 + pb.width / 2
                    sep = max(sep, need + 2 * max(pa.outer, pb.outer))
        return sep

    def union_between(self, a: str, b: str) -> Union | None:
        pair = frozenset((a, b))
        return next((u for u in self.couples if frozenset(u.parents) == pair), None)

    def place_x(self) -> None:
        plan = self.plan
        group = _Groups()
        for u in self.couples:
            group.join(*u.parents)
        blocks: dict[int, list[list[str]]] = {}
        for g in self.row_order:
            row = plan.rows[g]
            runs: list[list[str]] = []
            for pid in row:
                if runs and group.find(runs[-1][-1]) == group.find(pid):
                    runs[-1].append(pid)
                else:
                    runs.append([pid])
            blocks[g] = runs
        offset: dict[str, float] = {}
        for runs in blocks.values():
            for run in runs:
                offset[run[0]] = 0.0
                for a, b in itertools.pairwise(run):
                    offset[b] = offset[a] + self.separation(a, b)
        anchor: dict[int, list[float]] = {}
        for g, runs in blocks.items():
            xs = [0.0]
            for prev, run in itertools.pairwise(runs):
                xs.append(xs[-1] + offset[prev[-1]] + self.separation(prev[-1], run[0]))
            anchor[g] = xs

        def positions() -> None:
            for g, runs in blocks.items():
                for run, a in zip(runs, anchor[g], strict=True):
                    for pid in run:
                        self.x[pid] = a + offset[pid]

        union_of = plan.union_of_child()
        unions_below: dict[str, list[Union]] = defaultdict(list)
        for u in plan.unions:
            if u.children and u.parents:
                for p in u.parents:
                    unions_below[p].append(u)

        def solve(g: int, desired: list[float], weights: list[float]) -> None:
            runs = blocks[g]
            gaps = [
                offset[prev[-1]] + self.separation(prev[-1], run[0])
                for prev, run in itertools.pairwise(runs)
            ]
            anchor[g] = isotonic_positions(desired, weights, gaps)
            positions()

        def down(g: int) -> None:
            desired, weights = [], []
            for run, a in zip(blocks[g], anchor[g], strict=True):
                pulls = []
                for pid in run:
                    u = union_of.get(pid)
                    if u is None or not u.parents or self.gens[u.parents[0]] != g - 1:
                        continue
                    pulls.append(self.child_target(u, pid) - offset[pid])
                desired.append(sum(pulls) / len(pulls) if pulls else a)
                weights.append(float(len(pulls)) if pulls else 0.05)
            solve(g, desired, weights)

        def up(g: int) -> None:
            desired, weights = [], []
            for run, a in zip(blocks[g], anchor[g], strict=True):
                pulls = []
                seen: set[str] = set()
                for pid in run:
                    for u in unions_below[pid]:
                        if u.id in seen:
                            continue
                        seen.add(u.id)
                        centre = self.children_centre(u)
                        pulls.append(centre - (self.drop_x(u) - a))
                desired.append(sum(pulls) / len(pulls) if pulls else a)
                weights.append(float(len(pulls)) if pulls else 0.05)
            solve(g, desired, weights)

        positions()
        for _ in range(4):
            for g in self.row_order[1:]:
                down(g)
            for g in reversed(self.row_order[:-1]):
                up(g)
        for g in self.row_order[1:]:
            down(g)
        left = min(self.x[p] - self.people[p].half for p in self.x)
        for pid in self.x:
            self.x[pid] += MARGIN - left

    def child_target(self, u: Union, child: str) -> float:
        """Where a child of `u` would stand if the sibship were centred under the drop."""
        kids = list(u.children)
        pos = [0.0]
        for a, b in itertools.pairwise(kids):
            pos.append(pos[-1] + self.people[a].half + self.people[b].half + GAP)
        mean = (pos[0] + pos[-1]) / 2
        return self.drop_x(u) + pos[kids.index(child)] - mean

    def children_centre(self, u: Union) -> float:
        xs = [self.x[c] for c in u.children]
        return (min(xs) + max(xs)) / 2

    def outer_partner(self, u: Union) -> tuple[str, str]:
        """For partners not side by side: (the outer partner, the person beside them on the
        inner side); children drop between these two."""
        a, b = u.parents
        count: dict[str, int] = defaultdict(int)
        for v in self.couples:
            for p in v.parents:
                count[p] += 1
        row = self.plan.rows[self.gens[a]]
        if count[a] >= count[b]:
            return b, row[self.index[b] - 1]
        return a, row[self.index[a] + 1]

    def drop_x(self, u: Union) -> float:
        """The x of the line the children of `u` hang from."""
        if len(u.parents) == 2:
            a, b = u.parents
            if frozenset(u.parents) in self.partner_pairs:
                return (self.x[a] + self.x[b]) / 2
            outer, inner = self.outer_partner(u)
            return (self.x[outer] + self.x[inner]) / 2
        if len(u.parents) == 1:
            parent = u.parents[0]
            return self.x[parent] + self.lone_side(parent) * (self.people[parent].half + GAP / 2)
        return self.children_centre(u)

    # ------------------------------------------------------------------ routing

    def gaps(self, g: int) -> list[tuple[float, float, bool]]:
        """Free vertical channels of row g, left to right: (left, right, beside a partner
        line); the first and last are outside the row."""
        row = self.plan.rows[g]
        edges = [(self.x[p] - self.people[p].half, self.x[p] + self.people[p].half) for p in row]
        result = [(edges[0][0] - 2 * GAP, edges[0][0], False)]
        for (a, (_, right)), (b, (left, _)) in zip(
            zip(row, edges, strict=True), zip(row[1:], edges[1:], strict=True), strict=False
        ):
            result.append((right, left, frozenset((a, b)) in self.partner_pairs))
        result.append((edges[-1][1], edges[-1][1] + 2 * GAP, False))
        return result

    def channel_x(self, g: int, gap_index: int) -> float:
        left, right, busy = self.gaps(g)[gap_index]
        use = self.channel_use[(g, gap_index)]
        self.channel_use[(g, gap_index)] += 1
        if gap_index == 0:
            return right - GAP / 2 - 5 * use
        if gap_index == len(self.plan.rows[g]):
            return left + GAP / 2 + 5 * use
        middle = (left + right) / 2
        steps = [8.0, -8.0, 14.0, -14.0] if busy else [0.0, -5.0, 5.0, -10.0, 10.0]
        step = steps[use % len(steps)]
        return max(left + 3, min(right - 3, middle + step))

    def nearest_gap(self, g: int, x: float) -> int:
        gaps = self.gaps(g)
        return min(
            range(len(gaps)),
            key=lambda i: (abs((gaps[i][0] + gaps[i][1]) / 2 - x) + (400 if gaps[i][2] else 0), i),
        )

    def top_port(self, pid: str, towards: float) -> float:
        """x of a free point on the top of a symbol, on the side facing `towards` (the middle
        is where the parents' line arrives)."""
        p = self.people[pid]
        side = 1.0 if towards >= self.x[pid] else -1.0
        k = self.top_ports[(pid, side)]
        self.top_ports[(pid, side)] += 1
        steps = [0.5, 0.8, 0.25, 0.65, 0.35]
        return self.x[pid] + side * steps[k % len(steps)] * (p.width / 2 + p.outer)

    def side_exit(
        self, pid: str, towards: float, *, stub: bool = False
    ) -> tuple[float, float, int]:
        """Leave a symbol sideways towards `towards`: (x on the outline, dy from the centre,
        index of the gap entered). A lone parent's child line (`stub`) leaves at mid-height
        like a partner line; other lines leave higher or lower, so that two lines entering
        one gap from both sides never line up."""
        g = self.gens[pid]
        i = self.index[pid]
        gaps = self.gaps(g)
        right_first = towards >= self.x[pid]
        order = [(i + 1, 1.0), (i, -1.0)] if right_first else [(i, -1.0), (i + 1, 1.0)]
        p = self.people[pid]
        chosen = next(((gi, side) for gi, side in order if not gaps[gi][2]), None)
        busy = chosen is None
        gap_index, side = chosen if chosen is not None else order[0]
        half_h = p.height / 2 + p.outer
        if stub and not busy and (g, gap_index) not in self.stub_gaps:
            self.stub_gaps.add((g, gap_index))
            dy = 0.0
        else:
            k = self.exit_use[(g, gap_index)]
            self.exit_use[(g, gap_index)] += 1
            dy = [0.45, -0.45, 0.7, -0.7, 0.25, -0.25][k % 6] * half_h
        return self.x[pid] + side * _symbol_side(p, dy), dy, gap_index

    def lone_side(self, pid: str) -> float:
        """Which side a lone parent's child line leaves from: the right, unless a partner
        line is there."""
        g, i = self.gens[pid], self.index[pid]
        row = self.plan.rows[g]
        right_busy = i + 1 < len(row) and frozenset((pid, row[i + 1])) in self.partner_pairs
        left_busy = i > 0 and frozenset((pid, row[i - 1])) in self.partner_pairs
        return -1.0 if right_busy and not left_busy else 1.0

    def route(self, a: str, b: str) -> _Route:
        """A line from person a to person b through gaps and lanes, never across a symbol."""
        ga, gb = self.gens[a], self.gens[b]
        if ga > gb:
            back = self.route(b, a)
            back.points.reverse()
            return back
        if ga == gb:
            xa = self.top_port(a, self.x[b])
            xb = self.top_port(b, self.x[a])
            lane = self.lane(ga, xa, xb)
            pa, pb = self.people[a], self.people[b]
            return _Route(
                [
                    (xa, _YRef(row=ga, dy=-_symbol_top(pa, xa - self.x[a]))),
                    (xa, _YRef(lane=lane)),
                    (xb, _YRef(lane=lane)),
                    (xb, _YRef(row=gb, dy=-_symbol_top(pb, xb - self.x[b]))),
                ]
            )
        target = self.x[b]
        x0, dy, gap_index = self.side_exit(a, target)
        cx = self.channel_x(ga, gap_index)
        points: list[tuple[float, _YRef]] = [(x0, _YRef(row=ga, dy=dy)), (cx, _YRef(row=ga, dy=dy))]
        for g in range(ga + 1, gb):
            nxt = self.nearest_gap(g, target)
            nx = self.channel_x(g, nxt)
            lane = self.lane(g, cx, nx)
            points += [(cx, _YRef(lane=lane)), (nx, _YRef(lane=lane))]
            cx = nx
        xb = self.top_port(b, cx)
        lane = self.lane(gb, cx, xb)
        pb = self.people[b]
        points += [
            (cx, _YRef(lane=lane)),
            (xb, _YRef(lane=lane)),
            (xb, _YRef(row=gb, dy=-_symbol_top(pb, xb - self.x[b]))),
        ]
        return _Route(points)

    def lane(self, band: int, x1: float, x2: float) -> _Lane:
        lane = _Lane(band, min(x1, x2), max(x1, x2))
        self.lanes.append(lane)
        return lane

    # ------------------------------------------------------------------ y placement

    def place_y(self, top: float) -> None:
        by_band: dict[int, list[_Lane]] = defaultdict(list)
        for lane in self.lanes:
            by_band[lane.band].append(lane)
        count: dict[int, int] = {}
        for band, lanes in by_band.items():
            levels = assign_lanes([(ln.lo, ln.hi) for ln in lanes])
            for ln, level in zip(lanes, levels, strict=True):
                ln.level = level
            count[band] = max(levels) + 1
        self.lane_y: dict[int, list[float]] = {}
        y = top
        for n, g in enumerate(self.row_order):
            n_lanes = count.get(g, 0)
            staples = self.staples_in_row[g]
            height = (10 + n_lanes * LANE + 12 if n_lanes else 0) + (
                staples * STAPLE + 8 if staples else 0
            )
            if n > 0:
                height = max(height, BAND_MIN)
            self.lane_y[g] = [y + 10 + (n_lanes - 1 - k) * LANE for k in range(n_lanes)]
            row_top = y + height
            self.staple_y[g] = row_top - 8
            centre = row_top + ROW_H / 2
            self.centre[g] = centre
            bottom = centre + ROW_H / 2
            for pid in self.plan.rows[g]:
                p = self.people[pid]
                cap_top = centre + p.height / 2 + p.outer + 5
                self.caption_top[pid] = cap_top
                bottom = max(bottom, cap_top + len(p.caption) * CAPTION_LINE)
            self.row_bottom[g] = bottom
            y = bottom + 8

    def y_of(self, ref: _YRef) -> float:
        if ref.lane is not None:
            return self.lane_y[ref.lane.band][ref.lane.level]
        return self.centre[ref.row] + ref.dy

    def points(self, route: _Route) -> list[Point]:
        pts: list[Point] = []
        for x, ref in route.points:
            p = (round(x, 2), round(self.y_of(ref), 2))
            if not pts or pts[-1] != p:
                pts.append(p)
        return pts

    # ------------------------------------------------------------------ emit helpers

    def line(
        self,
        kind: str,
        points: Sequence[Point],
        style: LineStyle,
        *,
        css: str = "",
        end_person: str | None = None,
    ) -> None:
        """Draw a polyline in a line style: its pattern (zigzag, double, bars), arrow and the
        tag (beside the end at `end_person`)."""
        pts = [(round(x, 2), round(y, 2)) for x, y in points]
        classes = f"{kind} {css}".strip()
        if style.pattern == "zigzag":
            pts = zigzag(pts)
        if style.pattern == "double":
            body = trim_end(pts, ARROW + 2) if style.arrow else pts
            for side in (-1.8, 1.8):
                shifted = offset_polyline(body, side)
                self.emit_line(classes, shifted, style, arrow=False)
            if style.arrow:
                stub = trim_end(pts, ARROW + 8)[-1]
                self.emit_line(classes, [stub, pts[-1]], style, arrow=True, solid_tip=True)
        else:
            self.emit_line(classes, pts, style, arrow=style.arrow)
        if style.pattern == "bars":
            for bar in cross_bars(pts, size=6.0, apart=5.0):
                self.emit_line(classes + " mark", bar, LineStyle(color=style.color), arrow=False)
        if style.tag and end_person is not None:
            self.end_mark(pts, end_person, style.tag, 7.5, style.color, classes + " tag")

    def emit_line(
        self,
        classes: str,
        points: Sequence[Point],
        style: LineStyle,
        *,
        arrow: bool,
        solid_tip: bool = False,
    ) -> None:
        self.drawing.lines.append(
            Line(
                self.name("l"),
                tuple((round(x, 2), round(y, 2)) for x, y in points),
                "solid" if solid_tip else style.style,
                style.color,
                style.width,
                arrow,
                classes,
            )
        )

    def text(
        self,
        x: float,
        y: float,
        lines: Sequence[str],
        size: float,
        *,
        css: str,
        bold: bool = False,
        align: str = "center",
        color: str = "black",
        border: bool = False,
        width: float | None = None,
    ) -> Text:
        w = width if width is not None else max(text_width(t, size) for t in lines) + 2
        h = len(lines) * size * 1.25 + (8 if border else 0)
        t = Text(
            self.name("t"),
            x,
            y,
            tuple(lines),
            w + (12 if border else 0),
            h,
            size,
            bold,
            align,
            border,
            color,
            css,
        )
        self.drawing.texts.append(t)
        return t

    def end_mark(
        self,
        pts: Sequence[Point],
        pid: str,
        label: str,
        size: float,
        color: str,
        css: str,
        *,
        at_start: bool = False,
    ) -> None:
        """A short label (a tag, a "?") by one end of a routed line, where there is room: over
        a sideways exit, or beside a line entering the top of a symbol, on its outer side."""
        a, b = (pts[1], pts[0]) if at_start else (pts[-2], pts[-1])
        w = text_width(label, size)
        if abs(a[1] - b[1]) < 0.5:  # a horizontal end: over its middle
            mx = (a[0] + b[0]) / 2
            self.text(mx, b[1] - size, [label], size, css=css, color=color, bold=label == "?")
            return
        side = 1.0 if b[0] >= self.x[pid] else -1.0
        self.text(
            b[0] + side * (w / 2 + 4),
            b[1] - size,
            [label],
            size,
            css=css,
            color=color,
            bold=label == "?",
        )

    # ------------------------------------------------------------------ symbols

    def person_symbol(self, pid: str) -> None:
        person = self.plan.persons[pid]
        p = self.people[pid]
        g = self.gens[pid]
        x, y = self.x[pid], self.centre[g]
        pregnancy = pregnancy_kind(person)
        classes = ["person", person.sex.value]
        if pid == self.plan.subject_id:
            classes.append("subject")
            self.used.add("subject")
        if pregnancy:
            classes.append(pregnancy)
            self.used.add(pregnancy)
        else:
            self.used.add(f"sex_{person.sex.value}")
        dashed = person.implied and pregnancy is None
        if dashed:
            classes.append("implied")
            self.used.add("implied")
        shape = p.shape
        fill = "black" if shape == "dot" else ""
        kind = {"dot": "circle", "small_triangle": "triangle"}.get(shape, shape)
        self.drawing.shapes.append(
            Shape(
                p.node,
                kind,
                x,
                y,
                p.width,
                p.height,
                peripheries=2 if pid == self.plan.subject_id else 1,
                dashed=dashed,
                fill=fill,
                css=" ".join(classes),
            )
        )
        inner: list[str] = []
        if dashed:
            inner.append("?")
        if pregnancy == "pregnancy" and self.nsgc:
            inner.append("P")
        age = age_label(person, self.options.drawn_on)
        dead = is_deceased(person) and pregnancy is None
        if dead:
            self.deceased_mark(pid, x, y)
        if age:
            self.used.add("age")
        if dead and age:
            # Below the crossing point of the cross (UK), right of the slash (NSGC).
            ax, ay = (x, y + p.height * 0.27) if not self.nsgc else (x + p.width * 0.2, y + 8)
            self.text(ax, ay, [age], 9.0, css="age")
        elif age:
            inner.append(age)
        if inner:
            self.text(x, y, ["  ".join(inner)], 10.0, css="inside")
        if p.brackets:
            self.brackets(pid, x, y)
        if p.caption:
            top = self.caption_top[pid]
            self.text(
                x,
                top + len(p.caption) * CAPTION_LINE / 2,
                p.caption,
                CAPTION_SIZE,
                css="caption",
                width=2 * p.half - 4,
            )
        if pid == self.plan.subject_id and self.nsgc:
            self.proband_arrow(pid, x, y)

    def deceased_mark(self, pid: str, x: float, y: float) -> None:
        p = self.people[pid]
        self.used.add("deceased")
        style = LineStyle(width=1.3)
        if self.nsgc:
            r = (p.width / 2 + p.outer) * 1.25
            self.emit_line("deceased mark", [(x - r, y + r), (x + r, y - r)], style, arrow=False)
            return
        if p.shape in ("circle", "dot"):
            r = (p.width / 2) * 0.7071
        elif p.shape == "diamond":
            r = p.width / 4
        else:
            r = p.width / 2
        self.emit_line("deceased mark", [(x - r, y - r), (x + r, y + r)], style, arrow=False)
        self.emit_line("deceased mark", [(x - r, y + r), (x + r, y - r)], style, arrow=False)

    def brackets(self, pid: str, x: float, y: float) -> None:
        p = self.people[pid]
        h = p.height / 2 + 5
        w = p.width / 2 + p.outer + 5
        style = LineStyle(width=1.0)
        for side in (-1.0, 1.0):
            ox = x + side * w
            self.emit_line(
                "adopted mark",
                [(ox - side * 4, y - h), (ox, y - h), (ox, y + h), (ox - side * 4, y + h)],
                style,
                arrow=False,
            )

    def proband_arrow(self, pid: str, x: float, y: float) -> None:
        p = self.people[pid]
        self.used.add("proband")
        half = p.width / 2 + p.outer
        tip = (x - half - 2, y + half * 0.7)
        tail = (x - half - 26, y + half * 0.7 - 16)
        self.emit_line("proband mark", [tail, tip], LineStyle(width=1.3), arrow=True)
        self.text(tail[0] - 5, tail[1] - 5, ["P"], 10.0, css="proband mark", bold=True)

    # ------------------------------------------------------------------ partner lines

    def partner_label(self, u: Union) -> str:
        if self.anonymise:
            return ""
        return partner_date_label(u.partnership)

    def partner_style(self, u: Union) -> tuple[LineStyle, str]:
        rel = u.partnership
        if rel is None:
            self.used.add("partners_unrecorded")
            return PARTNER_STYLES["unrecorded"], "partner unrecorded"
        status = rel.kind
        if rel.certainty != "confirmed":
            self.used.add("partners_uncertain")
            return LineStyle(style="dashed"), f"partner uncertain {status or ''}".strip()
        if status in SOLID_STATUSES:
            if status != "divorced":
                self.used.add("partners_married")
            return PARTNER_STYLES["married"], f"partner {status}"
        if status != "separated":
            self.used.add("partners_unmarried")
        return PARTNER_STYLES["unmarried"], f"partner {status or 'unstated'}"

    def couple_line(self, u: Union) -> None:
        a, b = u.parents
        g = self.gens[a]
        y = self.centre[g]
        style, css = self.partner_style(u)
        pa, pb = self.people[a], self.people[b]
        adjacent = frozenset(u.parents) in self.partner_pairs
        if adjacent:
            x1 = self.x[a] + pa.width / 2 + pa.outer
            x2 = self.x[b] - pb.width / 2 - pb.outer
            self.line("partner", [(x1, y), (x2, y)], style, css=css)
            mid = (self.x[a] + self.x[b]) / 2
            mark_y = y
            label_room = x2 - x1
        else:
            level = self.staple_level[u.id]
            sy = self.staple_y[g] - level * STAPLE
            xa = self.x[a] + (pa.width / 2 + pa.outer) * 0.5
            xb = self.x[b] - (pb.width / 2 + pb.outer) * 0.5
            ya = y - _symbol_top(pa, xa - self.x[a])
            yb = y - _symbol_top(pb, xb - self.x[b])
            self.line("partner", [(xa, ya), (xa, sy), (xb, sy), (xb, yb)], style, css=css)
            outer, inner = self.outer_partner(u)
            mid = (self.x[outer] + self.x[inner]) / 2
            mark_y = sy
            label_room = xb - xa - 12
        status = u.partnership.kind if u.partnership is not None else None
        has_children = bool(u.children)
        if status in ("separated", "divorced"):
            self.used.add(status)
            centre = mid - 10 if has_children else mid
            offsets = [0.0] if status == "separated" else [-3.5, 3.5]
            for off in offsets:
                sx = centre + off
                self.emit_line(
                    f"partner {status} mark",
                    [(sx - 3.5, mark_y + 6), (sx + 3.5, mark_y - 6)],
                    LineStyle(width=1.3),
                    arrow=False,
                )
        if u.partnership is not None and u.partnership.certainty != "confirmed":
            self.text(mid + 10, mark_y + 9, ["?"], 12.0, css="uncertain mark", bold=True)
        label = self.partner_label(u)
        if label and text_width(label, 8) + 8 <= label_room:
            label_x = mid if adjacent else (xa + xb) / 2
            self.text(label_x, mark_y - 11, [label], 8.0, css="partner date", color="#333333")

    # ------------------------------------------------------------------ children

    def prepare_children(self) -> None:
        """Lanes for sibship lines (closest to the children), staples for partners who are
        not side by side, and the lone parents' channels."""
        per_row: dict[int, list[Union]] = defaultdict(list)
        for u in self.couples:
            if frozenset(u.parents) not in self.partner_pairs:
                per_row[self.gens[u.parents[0]]].append(u)
        for g, unions in per_row.items():
            spans = [(self.x[u.parents[0]], self.x[u.parents[1]]) for u in unions]
            levels = assign_lanes(spans, clearance=4.0)
            for u, level in zip(unions, levels, strict=True):
                self.staple_level[u.id] = level
            self.staples_in_row[g] = max(levels) + 1
        self.sibships: list[tuple[Union, float, list[tuple[str, ...]], _Lane, float | None]] = []
        self.stub_exit: dict[str, tuple[float, float]] = {}
        twin_of = {m: t.members for t in self.plan.twins for m in t.members}
        ordered = sorted(
            (u for u in self.plan.unions if u.children),
            key=lambda u: (self.gens[u.children[0]], min(self.x[c] for c in u.children), u.id),
        )
        for u in ordered:
            points: list[tuple[str, ...]] = []
            for c in u.children:
                members = twin_of.get(c, (c,))
                if members not in points:
                    points.append(members)
            xs = [sum(self.x[m] for m in pt) / len(pt) for pt in points]
            channel: float | None = None
            if len(u.parents) == 1:
                parent = u.parents[0]
                towards = self.x[parent] + self.lone_side(parent)
                exit_x, dy, gap_index = self.side_exit(parent, towards, stub=True)
                channel = self.channel_x(self.gens[parent], gap_index)
                self.stub_exit[u.id] = (exit_x, dy)
                drop = channel
            elif u.parents:
                drop = self.drop_x(u)
            else:
                drop = (min(xs) + max(xs)) / 2
            lane = self.lane(self.gens[u.children[0]], min([*xs, drop]), max([*xs, drop]))
            self.sibships.append((u, drop, points, lane, channel))

    def sibship_lines(self) -> None:
        identical = {t.members: t.identical for t in self.plan.twins}
        for u, drop, points, lane, channel in self.sibships:
            ly = self.y_of(_YRef(lane=lane))
            style = CHILD_STYLES["adopted" if u.adoptive else "birth"]
            self.used.add("adopted" if u.adoptive else "child")
            css = "child adopted" if u.adoptive else "child"
            if len(u.parents) == 2:
                a, _ = u.parents
                g = self.gens[a]
                if frozenset(u.parents) in self.partner_pairs:
                    top = self.centre[g]
                else:
                    top = self.staple_y[g] - self.staple_level[u.id] * STAPLE
                self.line("descent", [(drop, top), (drop, ly)], CHILD_STYLES["birth"])
            elif len(u.parents) == 1:
                parent = u.parents[0]
                assert channel is not None
                exit_x, dy = self.stub_exit[u.id]
                cy = self.centre[self.gens[parent]] + dy
                self.line(
                    "descent", [(exit_x, cy), (channel, cy), (channel, ly)], CHILD_STYLES["birth"]
                )
            xs = [sum(self.x[m] for m in pt) / len(pt) for pt in points]
            lo, hi = min([*xs, drop]), max([*xs, drop])
            if hi - lo > 0.5:
                self.line("sibship", [(lo, ly), (hi, ly)], CHILD_STYLES["birth"])
            for px, point in zip(xs, points, strict=True):
                ends = []
                for child in point:
                    p = self.people[child]
                    cy = self.centre[self.gens[child]] - _symbol_top(p, 0.0)
                    ends.append((self.x[child], cy))
                    self.line(css, [(px, ly), (self.x[child], cy)], style)
                if len(point) > 1:
                    ident = identical.get(point, False)
                    self.used.add("twins_identical" if ident else "twins")
                    if ident:
                        bar_y = ly + 0.45 * (min(e[1] for e in ends) - ly)
                        left = _at_height((px, ly), ends[0], bar_y)
                        right = _at_height((px, ly), ends[-1], bar_y)
                        self.emit_line(
                            "twins identical mark", [left, right], LineStyle(width=1.3), arrow=False
                        )

    def direct_style(self, link: DirectLink) -> tuple[LineStyle, str, str | None]:
        rel = link.rel
        if rel.certainty != "confirmed":
            self.used.add("uncertain")
            return CHILD_STYLES["uncertain"], f"parent uncertain {rel.certainty}", None
        if rel.kind == "adoptive":
            self.used.add("adopted")
            return CHILD_STYLES["adopted"], "parent adoptive", None
        if rel.kind in CARER_TAGS:
            kind = rel.kind
            assert kind is not None
            self.used.add("foster" if kind == "foster" else "carer")
            tag = CARER_TAGS[kind]
            style = LineStyle(style="dotted", width=1.6, tag=None if kind == "foster" else tag)
            return style, f"carer {kind}", tag
        self.used.add("child")
        return CHILD_STYLES["birth"], "parent", None

    # ------------------------------------------------------------------ households

    def household_rects(self, run: Sequence[str]) -> tuple[Rect, Rect]:
        """The two boxes around a run of neighbours who live together: a narrow one around
        their symbols and a wider one around their captions (so that the boundary keeps
        clear of partner lines and their dates)."""
        first, last = self.people[run[0]], self.people[run[-1]]
        g = self.gens[run[0]]
        half_h = max(self.people[c].height / 2 + self.people[c].outer for c in run)
        sym_left = self.x[run[0]] - first.width / 2 - first.outer - 9
        sym_right = self.x[run[-1]] + last.width / 2 + last.outer + 9
        cap_top = min(self.caption_top[c] for c in run) - 2
        bottom = max(self.caption_top[c] + len(self.people[c].caption) * CAPTION_LINE for c in run)
        symbols = (sym_left, self.centre[g] - half_h - 6, sym_right, cap_top + 1)
        captions = (
            min(sym_left, self.x[run[0]] - first.half - 5),
            cap_top,
            max(sym_right, self.x[run[-1]] + last.half + 5),
            bottom + 4,
        )
        return symbols, captions

    def households(self) -> None:
        many = len(self.plan.households) > 1
        for number, members in enumerate(self.plan.households, 1):
            member_set = set(members)
            runs: dict[int, list[tuple[Rect, Rect]]] = defaultdict(list)
            for g in self.row_order:
                current: list[str] = []
                for pid in [*self.plan.rows[g], ""]:
                    if pid in member_set:
                        current.append(pid)
                        continue
                    if current:
                        runs[g].append(self.household_rects(current))
                    current = []
            rects = [r for rs in runs.values() for pair in rs for r in pair]
            for upper_g, lower_g in itertools.pairwise(self.row_order):
                for _, upper in runs.get(upper_g, []):
                    for lower, _ in runs.get(lower_g, []):
                        lo, hi = max(upper[0], lower[0]), min(upper[2], lower[2])
                        if hi - lo >= 20:
                            rects.append((lo, upper[3] - 1, hi, lower[1] + 1))
            loops = union_outline(rects)
            if not loops:
                continue
            self.used.add("household")
            outer = [lp for lp in loops if _area(lp) > 0]
            for loop in loops:
                self.line("household", [*loop, loop[0]], HOUSEHOLD_STYLE)
            if many or len(outer) > 1:
                for loop in outer:
                    low = max(p[1] for p in loop)
                    lx = min(p[0] for p in loop if p[1] == low)
                    label = f"household {number}"
                    w = text_width(label, 7.5)
                    self.text(
                        lx + w / 2 + 2,
                        low + 7,
                        [label],
                        7.5,
                        css="household label",
                        color="#3b3b3b",
                    )

    # ------------------------------------------------------------------ build

    def build(self) -> Drawing:
        plan = self.plan
        self.measure()
        self.place_x()
        self.prepare_children()
        routes: list[tuple[str, tuple[str, str], _Route, LineStyle, str, bool]] = []
        # Tagged lines are routed last, so they take the outermost ports and their tags
        # (placed outside their ends) stay clear of other lines.
        tagged = {k for k in CARER_TAGS if k != "foster"}
        for link in sorted(plan.direct_links, key=lambda d: d.rel.kind in tagged):
            style, css, _ = self.direct_style(link)
            ends = (link.parent, link.child)
            kind = "carer" if css.startswith("carer") else "parent"
            uncertain = link.rel.certainty != "confirmed"
            routes.append((kind, ends, self.route(*ends), style, css, uncertain))
        for rel in plan.other_partnerships:
            solid = rel.kind in SOLID_STATUSES
            style = PARTNER_STYLES["married" if solid else "unmarried"]
            self.used.add("partners_married" if solid else "partners_unmarried")
            ends = (rel.from_id, rel.to_id)
            uncertain = rel.certainty != "confirmed"
            routes.append(("partner", ends, self.route(*ends), style, "partner far", uncertain))
        relations = sorted(plan.relations, key=lambda r: (r.kind or "", r.from_id, r.to_id))
        for rel in sorted(
            relations, key=lambda r: RELATES_STYLES[r.kind or "close"].tag is not None
        ):
            if rel.kind is None:
                continue
            style = RELATES_STYLES[rel.kind]
            self.used.add(f"rel_{rel.kind}")
            ends = (rel.from_id, rel.to_id)
            css = f"relation {rel.kind}"
            uncertain = rel.certainty != "confirmed"
            routes.append(("relation", ends, self.route(*ends), style, css, uncertain))

        header = self.title_block()
        self.place_y(header)
        for g in self.row_order:
            for pid in plan.rows[g]:
                self.person_symbol(pid)
        for u in self.couples:
            self.couple_line(u)
        self.sibship_lines()
        for kind, (start, end), route, style, css, uncertain in routes:
            pts = self.points(route)
            self.line(kind, pts, style, css=css, end_person=end)
            if uncertain:
                self.end_mark(pts, start, "?", 11.0, "black", "uncertain mark", at_start=True)
        for rel in plan.other_partnerships:
            if rel.kind in ("separated", "divorced"):
                self.used.add(rel.kind)
        self.households()
        self.finish()
        return self.drawing

    # ------------------------------------------------------------------ title, key, marking

    def title_block(self) -> float:
        """Title block text (placed later, once the width is known); returns the y where the
        diagram starts."""
        opts = self.options
        subject = plan_subject = self.plan.persons[self.plan.subject_id]
        who = initials(subject) if self.anonymise else clean_text(plan_subject.name or "")
        who = who or ("the child" if self.anonymise else self.plan.subject_id)
        title = clean_text(opts.title) if opts.title is not None else f"Genogram of {who}"
        author = clean_text(opts.author or "") or "not recorded"
        profile = "UK" if not self.nsgc else "NSGC pedigree"
        self.title_lines = [
            title,
            f"Subject: {who}",
            f"Drawn: {opts.drawn_on.isoformat()}    Author: {author}",
            f"Notation: {profile}; {opts.generations} generation(s) up and down"
            + ("; anonymised" if self.anonymise else ""),
        ]
        self.title_height = 4 * 13.0 + 12
        return 14 + 10 + self.title_height + 18

    def finish(self) -> None:
        d = self.drawing
        _left, _top, right, bottom = d.bounds()
        key_top = bottom + 26
        key_right, key_bottom = self.key(MARGIN, key_top, max(right, 520.0))
        title_w = max(text_width(line, 10) for line in self.title_lines) + 24
        width = max(right, key_right, MARGIN + title_w) + MARGIN
        self.text(
            MARGIN + title_w / 2,
            24 + 10 + self.title_height / 2,
            self.title_lines,
            10.0,
            css="title",
            align="left",
            border=True,
            width=title_w - 12,
        )
        marking = clean_text(self.options.classification)
        self.text(width / 2, 14, [marking], 11.0, css="classification", bold=True)
        self.text(width / 2, key_bottom + 24, [marking], 11.0, css="classification", bold=True)
        d.width = width
        d.height = key_bottom + 40

    def key(self, x0: float, y0: float, width: float) -> tuple[float, float]:
        """Draw the key of the features used; returns its right and bottom edges."""
        entries = [
            (feature, text)
            for feature, text in key_catalogue(self.options.notation)
            if feature in self.used
        ]
        if "partners_unmarried" in self.used and any(
            u.partnership is not None and u.partnership.kind is None for u in self.couples
        ):
            entries = [
                (
                    f,
                    "partners, not married or status not recorded"
                    if f == "partners_unmarried"
                    else t,
                )
                for f, t in entries
            ]
        sample_w = 54.0
        col_w = sample_w + max(text_width(t, 8.5) for _, t in entries) + 18
        fits = int((width - x0) // col_w)
        cols = max(1, min(3, max(fits, math.ceil(len(entries) / 8))))
        rows = math.ceil(len(entries) / cols)
        row_h = 30.0
        self.text(x0 + 14, y0 + 10, ["Key"], 10.0, css="key title", bold=True)
        for n, (feature, text) in enumerate(entries):
            col, row = divmod(n, rows)
            cx = x0 + 12 + col * col_w + sample_w / 2
            cy = y0 + 34 + row * row_h
            self.key_sample(feature, cx, cy)
            tw = text_width(text, 8.5)
            self.text(
                cx + sample_w / 2 + 6 + tw / 2, cy, [text], 8.5, css=f"key {feature}", align="left"
            )
        right = x0 + 12 + cols * col_w
        bottom = y0 + 34 + rows * row_h - 8
        box = [(x0, y0), (right, y0), (right, bottom), (x0, bottom), (x0, y0)]
        self.emit_line("key frame", box, LineStyle(color="#7f7f7f", width=0.8), arrow=False)
        return right, bottom

    def key_sample(self, feature: str, x: float, y: float) -> None:
        css = f"key sample {feature}"
        small = 18.0

        def shape(kind: str, **kw: object) -> None:
            w, h = (small, small) if kind != "diamond" else (small * 1.2, small * 1.2)
            if kind == "triangle":
                w, h = small * 1.1, small
            self.drawing.shapes.append(
                Shape(self.name("k"), kind, x, y, w, h, css=css, **kw)  # type: ignore[arg-type]
            )

        def seg(style: LineStyle, dx: float = 18.0) -> list[Point]:
            pts = [(x - dx, y), (x + dx, y)]
            self.line("key", pts, style, css=css)
            return pts

        subject = self.plan.persons[self.plan.subject_id]
        if feature.startswith("sex_"):
            kind = {"sex_male": "square", "sex_female": "circle", "sex_unknown": "diamond"}[feature]
            shape(kind)
        elif feature == "subject":
            kind = symbol_shape(subject, self.options.notation)
            shape({"dot": "circle", "small_triangle": "triangle"}.get(kind, kind), peripheries=2)
        elif feature == "proband":
            shape("square")
            self.emit_line(css, [(x - 24, y - 8), (x - 11, y + 4)], LineStyle(), arrow=True)
            self.text(x - 27, y - 11, ["P"], 8.0, css=css, bold=True)
        elif feature == "age":
            shape("square")
            self.text(x, y, ["34"], 8.0, css=css)
        elif feature == "deceased":
            shape("square")
            r = small / 2
            if self.nsgc:
                self.emit_line(
                    css,
                    [(x - r * 1.3, y + r * 1.3), (x + r * 1.3, y - r * 1.3)],
                    LineStyle(),
                    arrow=False,
                )
            else:
                self.emit_line(css, [(x - r, y - r), (x + r, y + r)], LineStyle(), arrow=False)
                self.emit_line(css, [(x - r, y + r), (x + r, y - r)], LineStyle(), arrow=False)
        elif feature == "implied":
            shape("diamond", dashed=True)
            self.text(x, y, ["?"], 8.0, css=css)
        elif feature == "pregnancy":
            if self.nsgc:
                shape("diamond")
                self.text(x, y, ["P"], 8.0, css=css)
            else:
                shape("triangle")
        elif feature == "miscarriage":
            if self.nsgc:
                shape("triangle")
            else:
                self.drawing.shapes.append(
                    Shape(self.name("k"), "circle", x, y, 8.0, 8.0, fill="black", css=css)
                )
        elif feature in ("partners_married", "partners_unmarried", "partners_unrecorded"):
            seg(PARTNER_STYLES[feature.removeprefix("partners_")])
        elif feature in ("separated", "divorced"):
            seg(PARTNER_STYLES["unmarried" if feature == "separated" else "married"])
            for off in [0.0] if feature == "separated" else [-3.5, 3.5]:
                self.emit_line(
                    css, [(x + off - 3.5, y + 6), (x + off + 3.5, y - 6)], LineStyle(), arrow=False
                )
        elif feature == "partners_uncertain":
            seg(LineStyle(style="dashed"))
            self.text(x, y - 8, ["?"], 10.0, css=css, bold=True)
        elif feature == "child":
            birth = CHILD_STYLES["birth"]
            self.line("key", [(x, y - 11), (x, y - 5)], birth, css=css)
            self.line(
                "key",
                [(x - 12, y + 9), (x - 12, y - 5), (x + 12, y - 5), (x + 12, y + 9)],
                birth,
                css=css,
            )
        elif feature in ("adopted", "uncertain", "foster", "carer"):
            style = {
                "adopted": CHILD_STYLES["adopted"],
                "uncertain": CHILD_STYLES["uncertain"],
                "foster": CHILD_STYLES["carer"],
                "carer": CHILD_STYLES["carer"],
            }[feature]
            self.line(
                "key",
                [(x - 16, y - 10), (x - 16, y - 4), (x + 4, y - 4), (x + 4, y + 10)],
                style,
                css=css,
            )
            if feature == "uncertain":
                self.text(x + 14, y - 4, ["?"], 10.0, css=css, bold=True)
            if feature == "adopted":
                for side in (-1.0, 1.0):
                    ox = x + 4 + side * 9
                    self.emit_line(
                        css,
                        [
                            (ox - side * 3, y + 1),
                            (ox, y + 1),
                            (ox, y + 13),
                            (ox - side * 3, y + 13),
                        ],
                        LineStyle(width=1.0),
                        arrow=False,
                    )
        elif feature in ("twins", "twins_identical"):
            top = (x, y - 10)
            left, right = (x - 10, y + 10), (x + 10, y + 10)
            self.emit_line(css, [left, top, right], LineStyle(), arrow=False)
            if feature == "twins_identical":
                self.emit_line(
                    css,
                    [segment_point(top, left, 0.5), segment_point(top, right, 0.5)],
                    LineStyle(),
                    arrow=False,
                )
        elif feature == "household":
            box = [
                (x - 18, y - 9),
                (x + 18, y - 9),
                (x + 18, y + 9),
                (x - 18, y + 9),
                (x - 18, y - 9),
            ]
            self.line("key", box, HOUSEHOLD_STYLE, css=css)
        elif feature.startswith("rel_"):
            style = RELATES_STYLES[feature.removeprefix("rel_")]
            self.line(
                "key",
                [(x - 24, y + 2), (x + 24, y + 2)],
                LineStyle(
                    style=style.style,
                    color=style.color,
                    width=style.width,
                    pattern=style.pattern,
                    arrow=style.arrow,
                ),
                css=css,
            )


class _Groups:
    """Union-find over person ids (partner groups that move together)."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def join(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _area(loop: Sequence[Point]) -> float:
    """Signed area (positive for the outer, clockwise-on-screen loops of `union_outline`)."""
    total = 0.0
    for (x1, y1), (x2, y2) in zip(loop, [*loop[1:], loop[0]], strict=True):
        total += x1 * y2 - x2 * y1
    return total / 2


_SAFE_ID_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:+-")


def node_id(person_id: str) -> str:
    """The DOT node id of a person: ``p_`` and the person id (hex-encoded if it holds
    characters outside ``[A-Za-z0-9_.:+-]``)."""
    if person_id and set(person_id) <= _SAFE_ID_CHARS:
        return "p_" + person_id
    return "p_x" + person_id.encode("utf-8").hex()


def _symbol_side(p: _Person, dy: float) -> float:
    """Distance from the centre to the side of the symbol's outline at height dy."""
    half_w = p.width / 2 + p.outer
    half_h = p.height / 2 + p.outer
    dy = min(abs(dy), half_h * 0.95)
    if p.shape in ("circle", "dot"):
        return math.sqrt(max(half_w**2 - dy**2, 0.0))
    if p.shape == "diamond":
        return half_w * (1 - dy / half_h)
    return half_w


def _at_height(a: Point, b: Point, y: float) -> Point:
    """The point of segment a-b at height y."""
    if abs(b[1] - a[1]) < 1e-9:
        return a
    return segment_point(a, b, (y - a[1]) / (b[1] - a[1]))
