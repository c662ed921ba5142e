"""Drawing primitives with absolute coordinates, and the pure geometry behind them.

`render.compose` turns a layout plan into a `Drawing` (symbols, text and lines placed in
points, y growing downwards); `render.dot` writes it as DOT for Graphviz to draw without
moving anything. The helpers here are small, exact and separately tested: text width
estimates, ordered placement with minimum gaps (isotonic regression), lane assignment for
horizontal lines, the outline of a union of rectangles, and zigzag and parallel lines.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

Point = tuple[float, float]


@dataclass(frozen=True)
class Shape:
    """A node symbol at a fixed place: `kind` is a Graphviz shape (square, circle, diamond,
    triangle, box), `width`/`height` its drawn size in points, `label` lines inside it."""

    name: str
    kind: str
    x: float
    y: float
    width: float
    height: float
    peripheries: int = 1
    dashed: bool = False
    fill: str = ""
    color: str = "black"
    penwidth: float = 1.2
    label: tuple[str, ...] = ()
    fontsize: float = 10.0
    css: str = ""


@dataclass(frozen=True)
class Text:
    """Text centred on (x, y) in a box `width` x `height`, optionally bold, framed, or
    left-aligned inside the box."""

    name: str
    x: float
    y: float
    lines: tuple[str, ...]
    width: float
    height: float
    fontsize: float = 9.0
    bold: bool = False
    align: str = "center"
    border: bool = False
    color: str = "black"
    css: str = ""


@dataclass(frozen=True)
class Line:
    """A polyline (or closed polygon) with a Graphviz style; `arrow` puts an arrowhead at its
    last point."""

    name: str
    points: tuple[Point, ...]
    style: str = "solid"
    color: str = "black"
    width: float = 1.2
    arrow: bool = False
    css: str = ""


@dataclass
class Drawing:
    """Everything to draw, in points with y growing downwards, and what it shows."""

    shapes: list[Shape] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    width: float = 0.0
    height: float = 0.0
    person_nodes: dict[str, str] = field(default_factory=dict)
    features: set[str] = field(default_factory=set)

    def bounds(self) -> tuple[float, float, float, float]:
        """Smallest box holding every shape, text and line: (left, top, right, bottom)."""
        xs: list[float] = []
        ys: list[float] = []
        for s in self.shapes:
            xs += [s.x - s.width / 2, s.x + s.width / 2]
            ys += [s.y - s.height / 2, s.y + s.height / 2]
        for t in self.texts:
            xs += [t.x - t.width / 2, t.x + t.width / 2]
            ys += [t.y - t.height / 2, t.y + t.height / 2]
        for line in self.lines:
            xs += [p[0] for p in line.points]
            ys += [p[1] for p in line.points]
        if not xs:
            return (0.0, 0.0, 0.0, 0.0)
        return (min(xs), min(ys), max(xs), max(ys))


# --------------------------------------------------------------------------- text

_NARROW = set("iljtfrI.,:;'!|() ")
_WIDE = set("MWmw@%")
_CAPS_DIGITS = set("ABCDEFGHJKLNOPQRSTUVXYZ0123456789#&?")


def text_width(text: str, size: float) -> float:
    """Estimated width in points of `text` in DejaVu Sans at `size` points (a little
    generous, so that boxes built from it hold the real text)."""
    em = 0.0
    for ch in text:
        if ch in _NARROW:
            em += 0.34
        elif ch in _WIDE:
            em += 0.92
        elif ch in _CAPS_DIGITS:
            em += 0.70
        else:
            em += 0.60
    return em * size


# --------------------------------------------------------------------------- placement


def isotonic_positions(
    desired: Sequence[float], weights: Sequence[float], gaps: Sequence[float]
) -> list[float]:
    """Positions x_0 < x_1 < ... as close as possible to `desired` (least weighted squares)
    with x_{i+1} - x_i >= gaps[i]: pool-adjacent-violators on the gap-shifted targets."""
    n = len(desired)
    if n == 0:
        return []
    if len(weights) != n or len(gaps) != n - 1:
        raise ValueError("need one weight per item and one gap between each pair")
    shift = [0.0] * n
    for i in range(1, n):
        shift[i] = shift[i - 1] + gaps[i - 1]
    # Blocks of pooled items: [mean, total weight, count].
    blocks: list[list[float]] = []
    for i in range(n):
        w = max(weights[i], 1e-9)
        blocks.append([desired[i] - shift[i], w, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, w2, c2 = blocks.pop()
            m1, w1, c1 = blocks.pop()
            blocks.append([(m1 * w1 + m2 * w2) / (w1 + w2), w1 + w2, c1 + c2])
    result: list[float] = []
    for mean, _, count in blocks:
        result.extend([mean] * int(count))
    return [y + s for y, s in zip(result, shift, strict=True)]


def assign_lanes(intervals: Sequence[tuple[float, float]], clearance: float = 6.0) -> list[int]:
    """A lane number for each horizontal interval so that intervals sharing a lane are at
    least `clearance` apart (greedy interval colouring in the given order of priority: the
    first intervals get the lowest lanes)."""
    lanes: list[list[tuple[float, float]]] = []
    result: list[int] = []
    for left, right in intervals:
        lo, hi = min(left, right), max(left, right)
        for number, taken in enumerate(lanes):
            if all(hi + clearance <= a or b + clearance <= lo for a, b in taken):
                taken.append((lo, hi))
                result.append(number)
                break
        else:
            lanes.append([(lo, hi)])
            result.append(len(lanes) - 1)
    return result


Rect = tuple[float, float, float, float]  # left, top, right, bottom


def union_outline(rects: Sequence[Rect]) -> list[list[Point]]:
    """The outline of a union of axis-parallel rectangles: one closed polygon (first point not
    repeated) per boundary loop, clockwise on screen for outer loops, corners only."""
    good = [r for r in rects if r[2] > r[0] and r[3] > r[1]]
    if not good:
        return []
    xs = sorted({v for r in good for v in (r[0], r[2])})
    ys = sorted({v for r in good for v in (r[1], r[3])})
    covered = set()
    for i in range(len(xs) - 1):
        cx = (xs[i] + xs[i + 1]) / 2
        for j in range(len(ys) - 1):
            cy = (ys[j] + ys[j + 1]) / 2
            if any(r[0] < cx < r[2] and r[1] < cy < r[3] for r in good):
                covered.add((i, j))
    # Directed boundary edges between grid corners, keeping the covered cell on the right
    # (screen coordinates, y down): top edges run left to right, and so on.
    edges: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for i, j in sorted(covered):
        if (i, j - 1) not in covered:
            edges[(i, j)].append((i + 1, j))
        if (i + 1, j) not in covered:
            edges[(i + 1, j)].append((i + 1, j + 1))
        if (i, j + 1) not in covered:
            edges[(i + 1, j + 1)].append((i, j + 1))
        if (i - 1, j) not in covered:
            edges[(i, j + 1)].append((i, j))
    loops: list[list[Point]] = []
    while edges:
        start = min(edges)
        loop = [start]
        current = start
        while True:
            targets = edges[current]
            nxt = targets.pop(0)
            if not targets:
                del edges[current]
            if nxt == start:
                break
            loop.append(nxt)
            current = nxt
        loops.append(_corners([(xs[i], ys[j]) for i, j in loop]))
    return loops


def _corners(points: Sequence[Point]) -> list[Point]:
    """Drop points lying on a straight run between their neighbours (closed polygon)."""
    n = len(points)
    kept = []
    for k in range(n):
        a, b, c = points[k - 1], points[k], points[(k + 1) % n]
        collinear = (a[0] == b[0] == c[0]) or (a[1] == b[1] == c[1])
        if not collinear:
            kept.append(b)
    return kept


# --------------------------------------------------------------------------- line shapes


def _length(a: Point, b: Point) -> float:
    return float(((b[0] - a[0]) ** 2 + (b[1] - a[1]) ** 2) ** 0.5)


def longest_segment(points: Sequence[Point]) -> int:
    """Index i of the longest segment points[i] -> points[i+1]."""
    return max(range(len(points) - 1), key=lambda i: (_length(points[i], points[i + 1]), -i))


def segment_point(a: Point, b: Point, t: float) -> Point:
    """The point a fraction `t` of the way from a to b."""
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)


def zigzag(
    points: Sequence[Point],
    amplitude: float = 3.5,
    wavelength: float = 8.0,
    longest: float = 160.0,
) -> list[Point]:
    """The polyline with the middle of its longest segment drawn as a zigzag, at most
    `longest` points of it (the ends stay straight, so corners and arrowheads stay clear)."""
    pts = list(points)
    if len(pts) < 2:
        return pts
    i = longest_segment(pts)
    a, b = pts[i], pts[i + 1]
    length = _length(a, b)
    margin = max(min(16.0, length / 4), (length - longest) / 2)
    usable = length - 2 * margin
    teeth = int(usable // (wavelength / 2))
    if teeth < 2:
        return pts
    ux, uy = (b[0] - a[0]) / length, (b[1] - a[1]) / length
    nx, ny = -uy, ux
    step = usable / teeth
    middle: list[Point] = []
    for k in range(teeth + 1):
        d = margin + k * step
        side = 0.0 if k in (0, teeth) else (amplitude if k % 2 else -amplitude)
        middle.append((a[0] + ux * d + nx * side, a[1] + uy * d + ny * side))
    return [*pts[: i + 1], *middle, *pts[i + 1 :]]


def offset_polyline(points: Sequence[Point], distance: float) -> list[Point]:
    """The polyline moved sideways by `distance` (to the left of its direction on screen),
    corners mitred; used for double lines."""
    pts = list(points)
    if len(pts) < 2:
        return pts
    normals: list[Point] = []
    for a, b in itertools.pairwise(pts):
        length = _length(a, b) or 1.0
        normals.append(((b[1] - a[1]) / length, -(b[0] - a[0]) / length))
    result: list[Point] = []
    for k, p in enumerate(pts):
        if k == 0:
            nx, ny = normals[0]
        elif k == len(pts) - 1:
            nx, ny = normals[-1]
        else:
            (ax, ay), (bx, by) = normals[k - 1], normals[k]
            mx, my = ax + bx, ay + by
            dot = mx * ax + my * ay
            if abs(dot) < 1e-9:
                nx, ny = ax, ay
            else:
                nx, ny = mx / dot, my / dot
        result.append((p[0] + nx * distance, p[1] + ny * distance))
    return result


def cross_bars(points: Sequence[Point], size: float = 5.0, apart: float = 4.0) -> list[list[Point]]:
    """Two short bars across the middle of the longest segment (the cut-off mark)."""
    i = longest_segment(points)
    a, b = points[i], points[i + 1]
    length = _length(a, b) or 1.0
    ux, uy = (b[0] - a[0]) / length, (b[1] - a[1]) / length
    mid = segment_point(a, b, 0.5)
    bars = []
    for side in (-apart / 2, apart / 2):
        cx, cy = mid[0] + ux * side, mid[1] + uy * side
        bars.append([(cx - uy * size, cy + ux * size), (cx + uy * size, cy - ux * size)])
    return bars


def trim_end(points: Sequence[Point], amount: float) -> list[Point]:
    """The polyline shortened by `amount` at its end (room for an arrowhead)."""
    pts = list(points)
    if len(pts) < 2:
        return pts
    a, b = pts[-2], pts[-1]
    length = _length(a, b)
    if length <= amount:
        return pts
    pts[-1] = segment_point(a, b, (length - amount) / length)
    return pts
