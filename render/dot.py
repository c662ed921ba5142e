"""A composed genogram (`render.compose`) written as Graphviz DOT source (pure: no files, no
subprocess).

Every position is fixed (``layout=nop2``): Graphviz draws each symbol, text and line where
`render.compose` placed it and moves nothing, so the drawing keeps the layout invariants.
Lines are edges of one invisible anchor node whose spline (``pos``) is given point by point.

The DOT text is written directly so that every user value passes through one escaping
function: user text appears only inside HTML-like labels, escaped with `html.escape` after
control characters (newlines included) are folded to spaces. Node ids come from person ids
(never names; numbers when anonymised) and are restricted to a safe alphabet. The line after
``digraph`` is a comment carrying the classification marking, which every drawn output also
shows.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Sequence

from genogram.model import Person, Relationship
from render.compose import RenderOptions, compose, node_id
from render.geometry import Drawing, Line, Point, Shape, Text, trim_end
from render.notation import NOTATIONS, clean_text

FONT = "DejaVu Sans"
ARROW_LENGTH = 8.0  # points: Graphviz arrowhead length 10 x arrowsize 0.8
__all__ = [
    "NOTATIONS",
    "RenderOptions",
    "build_dot",
    "clean_text",
    "drawing_to_dot",
    "html_text",
    "node_id",
]

_SAFE_ID = re.compile(r"^[A-Za-z0-9_.:+-]+$")
_SAFE_ATTR = re.compile(r"^[A-Za-z0-9_.:#+ -]*$")


def html_text(value: str) -> str:
    """A user value escaped for a Graphviz HTML-like label: XML escapes, and backslashes
    doubled (Graphviz still expands ``\\N``, ``\\G`` and ``\\\\`` inside HTML labels)."""
    return html.escape(clean_text(value), quote=True).replace("\\", "\\\\")


def _q(identifier: str) -> str:
    """Quote a node id (built from a safe alphabet)."""
    assert _SAFE_ID.match(identifier), "node ids are built from a safe alphabet"
    return f'"{identifier}"'


def _attrs(**values: str | float | int) -> str:
    parts = []
    for key, value in values.items():
        if isinstance(value, str) and value.startswith("<") and value.endswith(">"):
            parts.append(f"{key}={value}")
        elif isinstance(value, str):
            assert _SAFE_ATTR.match(value) or key == "pos", "attribute values are fixed text"
            parts.append(f'{key}="{value}"')
        elif isinstance(value, float):
            parts.append(f"{key}={value:.3f}".rstrip("0").rstrip("."))
        else:
            parts.append(f"{key}={value}")
    return "[" + " ".join(parts) + "]"


def _num(v: float) -> str:
    text = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


class _Writer:
    def __init__(self, drawing: Drawing) -> None:
        self.d = drawing
        self.height = drawing.height

    def pt(self, p: Point) -> str:
        return f"{_num(p[0])},{_num(self.height - p[1])}"

    def shape(self, s: Shape) -> str:
        width, height, y = s.width, s.height, s.y
        if s.kind == "triangle":
            # Graphviz's triangle fills the lower three quarters of its box; scale and shift
            # the node so that the drawn triangle is the one composed.
            height = s.height / 0.75
            y = s.y + 0.125 * height
        attrs: dict[str, str | float | int] = {
            "shape": s.kind,
            "pos": self.pt((s.x, y)),
            "width": width / 72,
            "height": height / 72,
        }
        if s.peripheries != 1:
            attrs["peripheries"] = s.peripheries
        styles = []
        if s.dashed:
            styles.append("dashed")
        if s.fill:
            styles.append("filled")
            attrs["fillcolor"] = s.fill
        if styles:
            attrs["style"] = ",".join(styles)
        if s.color != "black":
            attrs["color"] = s.color
        attrs["id"] = s.name
        if s.css:
            attrs["class"] = s.css
        return f"{_q(s.name)} {_attrs(**attrs)};"

    def text(self, t: Text) -> str:
        size = f'POINT-SIZE="{_num(t.fontsize)}"'
        colour = f' COLOR="{t.color}"' if t.color != "black" else ""
        assert _SAFE_ATTR.match(t.color)
        lines = [html_text(line) for line in t.lines]
        if t.bold:
            lines = [f"<B>{line}</B>" for line in lines]
        if t.border:
            cells = "".join(
                f'<TR><TD ALIGN="LEFT">{line}</TD></TR>'
                if i
                else f'<TR><TD ALIGN="LEFT"><B>{line}</B></TD></TR>'
                for i, line in enumerate(lines)
            )
            label = (
                f'<<FONT {size}{colour}><TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" '
                f'CELLPADDING="2">{cells}</TABLE></FONT>>'
            )
        else:
            breaker = '<BR ALIGN="LEFT"/>' if t.align == "left" else "<BR/>"
            body = breaker.join(lines) + (breaker if t.align == "left" else "")
            label = f"<<FONT {size}{colour}>{body}</FONT>>"
        attrs: dict[str, str | float | int] = {
            "shape": "plaintext",
            "pos": self.pt((t.x, t.y)),
            "width": t.width / 72,
            "height": t.height / 72,
            "margin": 0,
            "fixedsize": "false",
            "label": label,
            "id": t.name,
        }
        if t.css:
            attrs["class"] = t.css
        return f"{_q(t.name)} {_attrs(**attrs)};"

    def line(self, ln: Line) -> str:
        pts = list(ln.points)
        prefix = ""
        if ln.arrow:
            # The spline ends at the arrowhead's base; "e" is its tip (the last point).
            prefix = f"e,{self.pt(pts[-1])} "
            pts = trim_end(pts, ARROW_LENGTH)
        spline = [self.pt(pts[0])]
        for a, b in itertools.pairwise(pts):
            spline += [self.pt(a), self.pt(b), self.pt(b)]
        attrs: dict[str, str | float | int] = {"pos": prefix + " ".join(spline)}
        if ln.style != "solid":
            attrs["style"] = ln.style
        if ln.color != "black":
            attrs["color"] = ln.color
        if abs(ln.width - 1.2) > 1e-9:
            attrs["penwidth"] = round(ln.width, 2)
        if ln.arrow:
            attrs["dir"] = "forward"
        attrs["id"] = ln.name
        if ln.css:
            attrs["class"] = ln.css
        return f'"anchor" -> "anchor" {_attrs(**attrs)};'


def drawing_to_dot(drawing: Drawing, classification: str) -> str:
    """DOT source that draws `drawing` exactly as composed (``layout=nop2``)."""
    w = _Writer(drawing)
    marking = clean_text(classification).replace("*/", "")
    out = [
        'digraph "genogram" {',
        f"  /* {marking} */",
        "  graph "
        + _attrs(layout="nop2", charset="UTF-8", bgcolor="white", pad=0.2, fontname=FONT)
        + ";",
        "  node "
        + _attrs(fontname=FONT, fontsize=10, fixedsize="true", label="", penwidth=1.2)
        + ";",
        "  edge " + _attrs(dir="none", penwidth=1.2, arrowsize=0.8) + ";",
        '  "anchor" '
        + _attrs(shape="point", style="invis", width=0, height=0, pos=w.pt((0.0, 0.0)))
        + ";",
    ]
    out += ["  " + w.line(ln) for ln in drawing.lines]
    out += ["  " + w.shape(s) for s in drawing.shapes]
    out += ["  " + w.text(t) for t in drawing.texts]
    out.append("}")
    return "\n".join(out) + "\n"


def build_dot(
    subject_id: str,
    persons: Sequence[Person],
    rels: Sequence[Relationship],
    options: RenderOptions,
) -> str:
    """DOT source of the subject's genogram (pure and deterministic): the people in scope of
    `options`, in the chosen notation, with key, title block and classification marking."""
    return drawing_to_dot(compose(subject_id, persons, rels, options), options.classification)
