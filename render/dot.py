"""Genogram notation as Graphviz DOT source (pure: no files, no subprocess).

The DOT text is written directly so that every user value passes through one escaping
function: person values appear only inside HTML-like labels, escaped with `html.escape`
after control characters (newlines included) are folded to spaces. Node ids are derived from
person ids (never names) and restricted to a safe alphabet.

Drawing scheme: each generation is a rank of its own (``rank=same``) with its people and their
partner "union" points in a fixed left-to-right order (from `render.layout`), held by invisible
edges; the rank below holds the sibship points from which children drop. Each person's label
is a table whose middle cell is the symbol (age and marks inside) and whose lower cell is the
caption (name, years) with an equal empty cell above, so the caption sits below the symbol
while the symbol stays centred on its rank (``fixedsize=shape``).
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from genogram.errors import InputError
from genogram.model import PartialDate, Person, Relationship, Sex
from render.layout import (
    CARER_KINDS,
    DirectLink,
    Plan,
    Union,
    age_between,
    plan_layout,
    select,
    sibship_points,
)

NOTATIONS = ("uk", "nsgc")
FONT = "DejaVu Sans"
SYMBOL_INCHES = 0.6
_SYMBOL_PT = int(SYMBOL_INCHES * 72)
_LINE_PT = 13
_CAPTION_GAP_PT = 8
_NAME_WRAP = 26

SOLID_STATUSES = frozenset({"married", "civil_partnership", "widowed", "divorced"})
_SHAPES = {Sex.MALE: "square", Sex.FEMALE: "circle", Sex.UNKNOWN: "diamond"}


@dataclass(frozen=True)
class RenderOptions:
    """How to draw: generations up and down from the subject, notation profile, title block
    and classification marking."""

    generations: int = 2
    notation: str = "uk"
    title: str | None = None
    author: str | None = None
    drawn_on: date = field(default_factory=date.today)
    classification: str = "OFFICIAL-SENSITIVE"


# --------------------------------------------------------------------------- escaping

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_SAFE_ID = re.compile(r"^[A-Za-z0-9_.:+-]+$")


def clean_text(value: str) -> str:
    """A user value on one line: control characters (newlines too) become spaces, runs of
    white space collapse."""
    return " ".join(_CONTROL.sub(" ", value).split())


def html_text(value: str) -> str:
    """A user value escaped for a Graphviz HTML-like label: XML escapes, and backslashes
    doubled (Graphviz still expands ``\\N``, ``\\G`` and ``\\\\`` inside HTML labels)."""
    return html.escape(clean_text(value), quote=True).replace("\\", "\\\\")


def _safe(value: str) -> str:
    return value if _SAFE_ID.match(value) else "x" + value.encode("utf-8").hex()


def node_id(person_id: str) -> str:
    """The DOT node id of a person: ``p_`` and the person id (hex-encoded if it holds
    characters outside ``[A-Za-z0-9_.:+-]``)."""
    return "p_" + _safe(person_id)


def _union_node(u: Union) -> str:
    return "u_" + _safe(u.id.removeprefix("u_"))


def _point_node(u: Union, point: Sequence[str]) -> str:
    """Node id of a point on a sibship line: ``b_<child>``, ``t_<first twin>`` or the
    junction ``m_<union>``."""
    if not point:
        return "m_" + _safe(u.id.removeprefix("u_"))
    return ("t_" if len(point) > 1 else "b_") + _safe(point[0])


def _link_key(link: DirectLink) -> tuple[str, str, str]:
    return (link.parent, link.child, link.rel.id)


def _q(identifier: str) -> str:
    """Quote a node id (already restricted to a safe alphabet)."""
    assert _SAFE_ID.match(identifier), "node ids are built from a safe alphabet"
    return f'"{identifier}"'


def _attrs(**values: str | float | int) -> str:
    parts = []
    for key, value in values.items():
        if isinstance(value, str) and value.startswith("<") and value.endswith(">"):
            parts.append(f"{key}={value}")
        elif isinstance(value, str):
            assert '"' not in value and "\\" not in value, "attribute values are fixed text"
            parts.append(f'{key}="{value}"')
        else:
            parts.append(f"{key}={value}")
    return "[" + " ".join(parts) + "]"


# --------------------------------------------------------------------------- text


def _year(d: PartialDate) -> str:
    return ("c." if d.approximate else "") + str(d.year)


def _is_deceased(p: Person) -> bool:
    return p.deceased or p.death_date is not None


def age_label(person: Person, drawn_on: date) -> str:
    """Age shown inside the symbol: completed years on the drawing date, or at death for
    the deceased; empty when it cannot be worked out."""
    if person.birth_date is None:
        return ""
    if _is_deceased(person):
        if person.death_date is None:
            return ""
        age = age_between(person.birth_date, person.death_date)
    else:
        age = age_between(person.birth_date, drawn_on)
    if age is None:
        return ""
    return ("c." if person.birth_date.approximate else "") + str(age)


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        lines.append(current)
    return lines or [""]


def caption_lines(person: Person) -> list[str]:
    """Plain-text lines under the symbol: name (with known-as), implied label, years."""
    name = clean_text(person.name or "")
    lines: list[str] = []
    if name:
        alias = next(
            (clean_text(a) for a in person.known_as if clean_text(a) and clean_text(a) != name),
            None,
        )
        if alias and (person.given_names or person.family_name):
            name = f'{name} ("{alias}")'
        lines.extend(_wrap(name, _NAME_WRAP))
    if person.implied:
        lines.extend(_wrap(clean_text(person.implied_label or "") or "implied person", 30))
    elif not name:
        lines.append("name unknown")
    years = []
    if person.birth_date is not None:
        years.append(f"b. {_year(person.birth_date)}")
    if _is_deceased(person):
        years.append(f"d. {_year(person.death_date)}" if person.death_date else "d. ?")
    if years:
        lines.append("  ".join(years))
    return lines


# --------------------------------------------------------------------------- writer


class _Writer:
    """Builds the DOT text for one plan; keeps track of the notation features used."""

    def __init__(self, plan: Plan, options: RenderOptions) -> None:
        self.plan = plan
        self.options = options
        self.used: set[str] = set()
        self.lines: list[str] = []
        self.flat_edges: set[tuple[str, str]] = set()
        self.via: dict[tuple[str, str, str], str] = {}
        self.proband_side = ""
        gens = plan.generations
        self.gmin = min(gens.values())
        self.gmax = max(gens.values())
        top_loose = any(
            not u.parents and u.children and gens[u.children[0]] == self.gmin for u in plan.unions
        )
        self.base = 1 if top_loose else 0
        self.caption_height = (
            _CAPTION_GAP_PT
            + max(len(caption_lines(p)) for p in plan.persons.values()) * _LINE_PT
            + 2
        )

    def rank(self, generation: int) -> int:
        return 2 * (generation - self.gmin) + self.base

    def emit(self, line: str) -> None:
        self.lines.append("  " + line)

    # persons -----------------------------------------------------------------

    def person_label(self, person: Person) -> str:
        inner: list[str] = []
        if person.implied:
            inner.append('<FONT POINT-SIZE="14">?</FONT>')
            self.used.add("implied")
        if _is_deceased(person):
            mark = "&#x2715;" if self.options.notation == "uk" else "&#x2571;"
            inner.append(f'<FONT POINT-SIZE="16">{mark}</FONT>')
            self.used.add("deceased")
        age = age_label(person, self.options.drawn_on)
        if age:
            inner.append(html_text(age))
        caption = "<BR/>".join(html_text(line) for line in caption_lines(person))
        cap = self.caption_height
        return (
            '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0">'
            f'<TR><TD FIXEDSIZE="TRUE" WIDTH="1" HEIGHT="{cap}"></TD></TR>'
            f'<TR><TD FIXEDSIZE="TRUE" WIDTH="{_SYMBOL_PT - 6}" HEIGHT="{_SYMBOL_PT}">'
            f"{'<BR/>'.join(inner)}</TD></TR>"
            f'<TR><TD FIXEDSIZE="TRUE" WIDTH="1" HEIGHT="{_CAPTION_GAP_PT}"></TD></TR>'
            f'<TR><TD HEIGHT="{cap - _CAPTION_GAP_PT}" VALIGN="TOP">{caption}</TD></TR>'
            "</TABLE>>"
        )

    def person_node(self, person: Person) -> str:
        shape = _SHAPES[person.sex]
        self.used.add(f"sex_{person.sex.value}")
        size = SYMBOL_INCHES * (1.25 if shape == "diamond" else 1.0)
        attrs: dict[str, str | float | int] = {
            "shape": shape,
            "fixedsize": "shape",
            "width": round(size, 3),
            "height": round(size, 3),
            "label": self.person_label(person),
        }
        if person.id == self.plan.subject_id:
            attrs["peripheries"] = 2
        if person.implied:
            attrs["style"] = "dashed"
        return f"{_q(node_id(person.id))} {_attrs(**attrs)};"

    # unions ------------------------------------------------------------------

    def union_node(self, u: Union) -> str:
        status = u.partnership.kind if u.partnership is not None else None
        if status in ("separated", "divorced"):
            mark = "/" if status == "separated" else "//"
            self.used.add(status)
            attrs: dict[str, str | float | int] = {
                "shape": "plaintext",
                "label": f'<<FONT POINT-SIZE="16">{mark}</FONT>>',
                "width": 0,
                "height": 0,
                "margin": 0,
            }
        else:
            attrs = {"shape": "point", "width": 0.03, "height": 0.03}
        return f"{_q(_union_node(u))} {_attrs(**attrs)};"

    @staticmethod
    def marked(u: Union) -> bool:
        """Whether the union point is drawn as a separation/divorce mark (not a point)."""
        return u.partnership is not None and u.partnership.kind in ("separated", "divorced")

    def partner_style(self, u: Union) -> str:
        status = u.partnership.kind if u.partnership is not None else None
        if status in SOLID_STATUSES:
            if status != "divorced":  # the divorce entry of the key shows its own line
                self.used.add("partners_married")
            return "solid"
        self.used.add("partners_unmarried")
        return "dashed"

    # ranks -------------------------------------------------------------------

    def person_rank_items(self, g: int, couples: Sequence[Union]) -> list[str]:
        row = list(self.plan.rows[g])
        index = {pid: i for i, pid in enumerate(row)}
        partner_count: dict[str, int] = {}
        for u in couples:
            for p in u.parents:
                partner_count[p] = partner_count.get(p, 0) + 1
        slots: list[tuple[float, int, str]] = []
        for i, pid in enumerate(row):
            slots.append((float(i), 0, node_id(pid)))
        for u in couples:
            a, b = u.parents
            ia, ib = index[a], index[b]
            if ib == ia + 1:
                slots.append((ia + 0.5, 0, _union_node(u)))
            elif partner_count[a] >= partner_count[b]:
                slots.append((ib - 0.5, 1, _union_node(u)))  # next to the outer partner b
            else:
                slots.append((ia + 0.5, -1, _union_node(u)))
        subject = self.plan.subject_id
        if self.options.notation == "nsgc" and subject in index:
            i = index[subject]
            partner_left = any(
                index[u.parents[1]] == i and index[u.parents[0]] == i - 1 for u in couples
            )
            if partner_left:
                slots.append((i + 0.5, -2, "proband"))
                self.proband_side = "right"
                self.flat_edges.add((node_id(subject), "proband"))
            else:
                slots.append((i - 0.5, 2, "proband"))
                self.proband_side = "left"
                self.flat_edges.add(("proband", node_id(subject)))
        slots.sort()
        return [name for _, _, name in slots]

    # document ------------------------------------------------------------------

    def title_label(self) -> str:
        opts = self.options
        subject = self.plan.persons[self.plan.subject_id]
        title = opts.title if opts.title is not None else f"Genogram: {subject.name or subject.id}"
        author = opts.author if opts.author else "not recorded"
        return (
            '<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3">'
            f"<TR><TD><B>{html_text(opts.classification)}</B></TD></TR>"
            f'<TR><TD><FONT POINT-SIZE="16">{html_text(title)}</FONT></TD></TR>'
            f"<TR><TD>Drawn {opts.drawn_on.isoformat()} by {html_text(author)}"
            f" ({html_text(opts.notation.upper())} notation)</TD></TR>"
            "</TABLE>>"
        )

    def build(self) -> str:
        plan = self.plan
        self.flat_edges = {
            (a, b)
            for u in plan.unions
            if len(u.parents) == 2
            for a, b in (
                (node_id(u.parents[0]), _union_node(u)),
                (_union_node(u), node_id(u.parents[1])),
            )
        }
        out = self.lines
        out.append('digraph "genogram" {')
        self.emit(
            "graph "
            + _attrs(
                charset="UTF-8",
                rankdir="TB",
                splines="polyline",
                nodesep=0.3,
                ranksep=0.3,
                fontname=FONT,
                fontsize=11,
                labelloc="t",
                label=self.title_label(),
                outputorder="edgesfirst",
            )
            + ";"
        )
        self.emit("node " + _attrs(fontname=FONT, fontsize=10, penwidth=1.2) + ";")
        self.emit("edge " + _attrs(dir="none", penwidth=1.2, arrowsize=0.7) + ";")

        # People, ordered by row then position, so the text is deterministic.
        for g in sorted(plan.rows):
            for pid in plan.rows[g]:
                self.emit(self.person_node(plan.persons[pid]))

        couples = [u for u in plan.unions if len(u.parents) == 2]
        for u in couples:
            self.emit(self.union_node(u))
        with_children = [u for u in plan.unions if u.children]
        bars = {u.id: sibship_points(u, plan.twins) for u in with_children}
        identical = {t.members: t.identical for t in plan.twins}
        for u in with_children:
            for point in bars[u.id][0]:
                self.emit(
                    f"{_q(_point_node(u, point))} {_attrs(**self.point_attrs(point, identical))};"
                )

        # Ranks and order.
        last_rank = self.rank(self.gmax)
        rank_items: dict[int, list[str]] = {r: [] for r in range(last_rank + 1)}
        for g in sorted(plan.rows):
            mine = [u for u in couples if plan.generations[u.parents[0]] == g]
            rank_items[self.rank(g)] = self.person_rank_items(g, mine)
        if self.proband_side:
            self.emit('"proband" ' + _attrs(shape="plaintext", label="P", fontsize=12) + ";")
            self.used.add("proband")
        self.sib_rank_items(with_children, bars, rank_items)
        for r in range(last_rank + 1):
            self.emit(f'"r_{r}" ' + _attrs(shape="point", style="invis", width=0) + ";")
            items = [f"r_{r}", *rank_items[r]]
            self.emit("{rank=same; " + " ".join(_q(i) + ";" for i in items) + "}")
            self.order_chain(items)
        spine = " -> ".join(_q(f"r_{r}") for r in range(last_rank + 1))
        if last_rank > 0:
            self.emit(f"{spine} {_attrs(style='invis', weight=0)};")

        self.partner_edges(couples)
        self.child_edges(with_children, bars)
        self.direct_edges()
        self.proband_edge()
        self.key_and_footer(last_rank)
        out.append("}")
        return "\n".join(out) + "\n"

    def order_chain(self, items: Sequence[str]) -> None:
        """Invisible flat edges holding a rank's left-to-right order. They need a weight of
        at least 1 (dot ignores the order of weight-0 flat edges), and are left out where a
        visible flat edge already joins two neighbours (a second edge would be drawn as an
        arc)."""
        for a, b in itertools.pairwise(items):
            if (a, b) not in self.flat_edges:
                self.emit(f"{_q(a)} -> {_q(b)} {_attrs(style='invis', weight=1)};")

    def point_attrs(
        self, point: tuple[str, ...], identical: Mapping[tuple[str, ...], bool]
    ) -> dict[str, str | float | int]:
        if len(point) > 1:
            self.used.add("twins_identical" if identical.get(point) else "twins")
            return self.twin_attrs(identical.get(point, False))
        return {"shape": "point", "width": 0.03, "height": 0.03}

    @staticmethod
    def twin_attrs(ident: bool) -> dict[str, str | float | int]:
        if ident:
            return {
                "shape": "box",
                "style": "filled",
                "fillcolor": "black",
                "label": "",
                "width": 0.25,
                "height": 0.04,
                "fixedsize": "true",
            }
        return {"shape": "point", "width": 0.06, "height": 0.06}

    def sib_rank_items(
        self,
        with_children: Sequence[Union],
        bars: Mapping[str, tuple[list[tuple[str, ...]], int]],
        rank_items: dict[int, list[str]],
    ) -> None:
        """Sibship lines on the rank above their children, ordered like the children; a
        direct parent line passes through a point just beside its child's sibship line (on
        the parent's side) instead of crossing it."""
        plan = self.plan
        gens = plan.generations
        index = {pid: i for row in plan.rows.values() for i, pid in enumerate(row)}
        per_rank: dict[int, list[tuple[float, int, float, str, list[str]]]] = {}
        union_of = plan.union_of_child()
        for u in with_children:
            r = self.rank(gens[u.children[0]]) - 1
            mean = sum(index[c] for c in u.children) / len(u.children)
            points = [_point_node(u, p) for p in bars[u.id][0]]
            per_rank.setdefault(r, []).append((mean, 0, 0.0, u.id, points))
            for a, b in itertools.pairwise(points):
                self.flat_edges.add((a, b))
        self.via.clear()
        for link in plan.direct_links:
            if gens[link.child] != gens[link.parent] + 1:
                continue
            via = "d_" + _safe(link.parent + "\x1f" + link.child)
            self.via[_link_key(link)] = via
            self.emit(f"{_q(via)} {_attrs(shape='point', style='invis', width=0.001)};")
            hung = union_of.get(link.child)
            parent_at = float(index[link.parent])
            if hung is None:
                entry = (float(index[link.child]), 0, parent_at, via, [via])
            else:
                mean = sum(index[c] for c in hung.children) / len(hung.children)
                centre = mean
                if hung.parents:
                    centre = sum(index[p] for p in hung.parents) / len(hung.parents)
                side = -1 if parent_at < centre else 1
                entry = (mean, side, parent_at, via, [via])
            per_rank.setdefault(self.rank(gens[link.child]) - 1, []).append(entry)
        for r, blocks in per_rank.items():
            for *_, points in sorted(blocks):
                rank_items.setdefault(r, []).extend(points)

    # edges ---------------------------------------------------------------------

    def partner_edges(self, couples: Sequence[Union]) -> None:
        for u in couples:
            left, right = u.parents
            style = self.partner_style(u)
            un = _q(_union_node(u))
            clip = "true" if self.marked(u) else "false"
            self.emit(
                f"{_q(node_id(left))} -> {un} {_attrs(style=style, weight=10, headclip=clip)};"
            )
            self.emit(
                f"{un} -> {_q(node_id(right))} {_attrs(style=style, weight=10, tailclip=clip)};"
            )
        for rel in self.plan.other_partnerships:
            style = "solid" if rel.kind in SOLID_STATUSES else "dashed"
            self.emit(
                f"{_q(node_id(rel.from_id))} -> {_q(node_id(rel.to_id))} "
                + _attrs(style=style, constraint="false")
                + ";"
            )

    def child_edges(
        self,
        with_children: Sequence[Union],
        bars: Mapping[str, tuple[list[tuple[str, ...]], int]],
    ) -> None:
        """Parents' line down to the sibship line, along it, and down to each child."""
        for u in with_children:
            points, join = bars[u.id]
            names = [_q(_point_node(u, p)) for p in points]
            join_node = names[join]
            head = "false" if len(points[join]) < 2 else "true"  # invisible points: no gap
            if len(u.parents) == 2:
                tail = "true" if self.marked(u) else "false"
                attrs = _attrs(weight=20, tailclip=tail, headclip=head)
                self.emit(f"{_q(_union_node(u))} -> {join_node} {attrs};")
            elif len(u.parents) == 1:
                attrs = _attrs(weight=20, headclip=head)
                self.emit(f"{_q(node_id(u.parents[0]))} -> {join_node} {attrs};")
            for (a, pa), (b, pb) in itertools.pairwise(zip(names, points, strict=True)):
                attrs = _attrs(
                    weight=5,
                    tailclip="false" if len(pa) < 2 else "true",
                    headclip="false" if len(pb) < 2 else "true",
                )
                self.emit(f"{a} -> {b} {attrs};")
            style = "dashed" if u.adoptive else "solid"
            self.used.add("adopted" if u.adoptive else "child")
            for name, point in zip(names, points, strict=True):
                weight = 20 if len(point) == 1 else 5
                clip = "false" if len(point) == 1 else "true"
                for child in point:
                    attrs = _attrs(style=style, weight=weight, tailclip=clip)
                    self.emit(f"{name} -> {_q(node_id(child))} {attrs};")

    def direct_edges(self) -> None:
        gens = self.plan.generations
        for link in self.plan.direct_links:
            rel = link.rel
            attrs: dict[str, str | float | int] = {"weight": 1}
            if rel.certainty != "confirmed":
                attrs.update(style="dashed", xlabel='<<FONT POINT-SIZE="14">?</FONT>>')
                self.used.add("alleged")
            elif rel.kind == "adoptive":
                attrs["style"] = "dashed"
                self.used.add("adopted")
            elif rel.kind in CARER_KINDS:
                attrs["style"] = "dotted"
                attrs["penwidth"] = 1.6
                self.used.add("carer")
            else:
                self.used.add("child")
            if gens[link.child] != gens[link.parent] + 1:
                # Not one row down: no rank constraint (a long edge with rank constraints
                # can make dot break the left-to-right order held by flat edges).
                attrs["constraint"] = "false"
            parent, child = _q(node_id(link.parent)), _q(node_id(link.child))
            via = self.via.get(_link_key(link))
            if via is None:
                self.emit(f"{parent} -> {child} {_attrs(**attrs)};")
                continue
            upper = dict(attrs, headclip="false")
            lower = {k: v for k, v in attrs.items() if k != "xlabel"}
            lower["tailclip"] = "false"
            self.emit(f"{parent} -> {_q(via)} {_attrs(**upper)};")
            self.emit(f"{_q(via)} -> {child} {_attrs(**lower)};")

    def proband_edge(self) -> None:
        subject = _q(node_id(self.plan.subject_id))
        if self.proband_side == "left":
            self.emit(f'"proband" -> {subject} ' + _attrs(dir="forward", weight=5) + ";")
        elif self.proband_side == "right":
            self.emit(f'{subject} -> "proband" ' + _attrs(dir="back", weight=5) + ";")

    # key -------------------------------------------------------------------------

    def key_entries(self) -> list[tuple[str, str]]:
        nsgc = self.options.notation == "nsgc"
        catalogue: list[tuple[str, str, str]] = [
            ("sex_male", "male", "male"),
            ("sex_female", "female", "female"),
            ("sex_unknown", "unknown", "sex not recorded"),
            ("subject", "subject", "the child (double outline)"),
            ("proband", "proband", "proband (arrow)"),
            ("deceased", "deceased", "deceased (age at death inside)"),
            ("implied", "implied", "implied person, not yet identified"),
            ("partners_married", "line_solid", "married / civil partners"),
            ("partners_unmarried", "line_dashed", "partners, not married"),
            ("separated", "line_sep", "separated"),
            ("divorced", "line_div", "divorced"),
            ("child", "line_child", "child (eldest on the left)"),
            ("adopted", "line_adopted", "adopted (dashed line to the child)"),
            ("alleged", "line_alleged", "alleged or disputed parent"),
            (
                "carer",
                "line_carer",
                "foster carer, special guardian, kinship carer, guardian, step-parent",
            ),
            ("twins", "twins", "twins (from one point)"),
            ("twins_identical", "twins_identical", "identical twins (bar)"),
        ]
        used = self.used | {"subject"}
        if not nsgc:
            used.discard("proband")
        return [(sample, text) for feature, sample, text in catalogue if feature in used]

    def key_sample(self, k: str, sample: str) -> list[str]:
        """Emit the sample nodes/edges of one key entry; return its node ids left to right."""
        subject = self.plan.persons[self.plan.subject_id]
        small: dict[str, str | float | int] = {
            "label": "",
            "width": 0.3,
            "height": 0.3,
            "fixedsize": "true",
        }
        shapes = {"male": "square", "female": "circle", "unknown": "diamond"}
        if sample in shapes:
            self.emit(f"{_q(k)} {_attrs(shape=shapes[sample], **small)};")
            return [k]
        if sample == "subject":
            self.emit(f"{_q(k)} {_attrs(shape=_SHAPES[subject.sex], peripheries=2, **small)};")
            return [k]
        if sample == "deceased":
            mark = "&#x2715;" if self.options.notation == "uk" else "&#x2571;"
            attrs = dict(small, label=f'<<FONT POINT-SIZE="12">{mark}</FONT>>')
            self.emit(f"{_q(k)} {_attrs(shape='square', **attrs)};")
            return [k]
        if sample == "implied":
            attrs = dict(small, label="<?>", width=0.36, height=0.36)
            self.emit(f"{_q(k)} {_attrs(shape='diamond', style='dashed', **attrs)};")
            return [k]
        if sample == "proband":
            self.emit(f"{_q(k + 'a')} {_attrs(shape='plaintext', label='P')};")
            self.emit(f"{_q(k)} {_attrs(shape='square', **small)};")
            self.flat_edges.add((k + "a", k))
            self.emit(f"{_q(k + 'a')} -> {_q(k)} {_attrs(dir='forward')};")
            return [k + "a", k]
        if sample in ("twins", "twins_identical"):
            self.emit(f"{_q(k)} {_attrs(**self.twin_attrs(sample == 'twins_identical'))};")
            return [k]
        # Line samples: point -- [mark] -- point.
        style = {
            "line_solid": "solid",
            "line_dashed": "dashed",
            "line_sep": "dashed",
            "line_div": "solid",
            "line_child": "solid",
            "line_adopted": "dashed",
            "line_alleged": "dashed",
            "line_carer": "dotted",
        }[sample]
        glyph = {"line_sep": "/", "line_div": "//", "line_alleged": "?"}.get(sample)
        point = _attrs(shape="point", width=0.03, height=0.03)
        self.emit(f"{_q(k + 'a')} {point};")
        self.emit(f"{_q(k + 'b')} {point};")
        ids = [k + "a"]
        if glyph:
            self.emit(
                f"{_q(k + 'm')} "
                + _attrs(
                    shape="plaintext",
                    label=f'<<FONT POINT-SIZE="14">{glyph}</FONT>>',
                    width=0,
                    height=0,
                    margin=0,
                )
                + ";"
            )
            ids.append(k + "m")
        ids.append(k + "b")
        pen = 1.6 if sample == "line_carer" else 1.2
        for a, b in itertools.pairwise(ids):
            self.flat_edges.add((a, b))
            self.emit(f"{_q(a)} -> {_q(b)} {_attrs(style=style, penwidth=pen)};")
        return ids

    def key_and_footer(self, last_rank: int) -> None:
        entries = self.key_entries()
        per_row = 3
        rows: list[list[str]] = []
        self.emit("subgraph cluster_key {")
        self.emit(_attrs(label="Key", fontsize=11, style="rounded", color="gray40")[1:-1] + ";")
        for i, (sample, text) in enumerate(entries):
            if i % per_row == 0:
                rows.append([])
            k = f"key_{i}_"
            ids = self.key_sample(k, sample)
            label = f'<<FONT POINT-SIZE="9">{html.escape(text)}</FONT>>'
            self.emit(f"{_q(k + 't')} {_attrs(shape='plaintext', label=label)};")
            rows[-1].extend([*ids, k + "t"])
        for items in rows:
            self.emit("{rank=same; " + " ".join(_q(i) + ";" for i in items) + "}")
            self.order_chain(items)
        self.emit("}")
        previous = f"r_{last_rank}"
        for items in rows:
            self.emit(f"{_q(previous)} -> {_q(items[0])} {_attrs(style='invis')};")
            previous = items[0]
        footer = f"<<B>{html_text(self.options.classification)}</B>>"
        self.emit(f'"classification_bottom" {_attrs(shape="plaintext", label=footer)};')
        self.emit(f'{_q(previous)} -> "classification_bottom" {_attrs(style="invis")};')


def build_dot(
    subject_id: str,
    persons: Sequence[Person],
    rels: Sequence[Relationship],
    options: RenderOptions,
) -> str:
    """DOT source of the subject's genogram (pure and deterministic): the people within
    `options.generations` rows of the subject, in the chosen notation, with key and title."""
    if options.notation not in NOTATIONS:
        raise InputError(
            f"unknown notation {options.notation!r}; use one of {', '.join(NOTATIONS)}",
            field="notation",
        )
    people, edges = select(subject_id, persons, rels, options.generations)
    plan = plan_layout(subject_id, people, edges)
    return _Writer(plan, options).build()
