"""The genogram notation (DESIGN §6): line styles, marks, key texts, and the captions and ages
written on a drawing. Pure data and functions; `render.compose` applies them.

Two profiles: ``uk`` (default; UK social-work practice after McGoldrick) and ``nsgc`` (the
clinical pedigree standard: deceased slash, proband arrow). See docs/notation.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from genogram.model import PartialDate, Person, Relationship, RelType, Sex

NOTATIONS = ("uk", "nsgc")

#: Parent kinds drawn as a carer line (dotted, with a tag), never as the line a child hangs by.
CARER_TAGS = {
    "foster": "foster",
    "special_guardian": "SGO",
    "kinship_carer": "kinship",
    "guardian": "guardian",
    "step": "step",
}

#: Partnership statuses drawn with a solid line (married or formerly married).
SOLID_STATUSES = frozenset({"married", "civil_partnership", "widowed", "divorced"})
#: What a partnership date label starts with, by status.
PARTNER_DATE_PREFIX = {
    "married": "m.",
    "civil_partnership": "c.p.",
    "widowed": "m.",
    "divorced": "m.",
    "cohabiting": "cohab.",
    "engaged": "eng.",
    "dating": "",
    "separated": "",
}
#: Pregnancy outcomes a person can stand for (see `pregnancy_kind`).
PREGNANCY_KINDS = ("pregnancy", "miscarriage")


@dataclass(frozen=True)
class LineStyle:
    """How one kind of line is drawn: Graphviz style and colour, and a pattern drawn by
    `render.compose` (``zigzag``, ``double`` parallel lines, ``bars`` across the middle)."""

    style: str = "solid"
    color: str = "black"
    width: float = 1.2
    pattern: str = "plain"
    arrow: bool = False
    tag: str | None = None


#: Emotional and safeguarding lines (RELATES_TO kinds): each differs in pattern or style and in
#: colour, so it reads in black and white too. Directed kinds get an arrow towards the person
#: affected (the victim, or the person cared for).
RELATES_STYLES: dict[str, LineStyle] = {
    "close": LineStyle(color="#1a9850", width=1.1, pattern="double"),
    "distant": LineStyle(style="dashed", color="#737373", width=1.0),
    "conflict": LineStyle(color="#e66101", width=1.2, pattern="zigzag"),
    "hostile": LineStyle(color="#d7301f", width=2.2, pattern="zigzag"),
    "cut_off": LineStyle(color="#252525", width=1.2, pattern="bars"),
    "abuse_physical": LineStyle(color="#b2182b", width=2.2, arrow=True, tag="PA"),
    "abuse_emotional": LineStyle(style="dashed", color="#762a83", width=1.8, arrow=True, tag="EA"),
    "abuse_sexual": LineStyle(color="#c51b7d", width=1.1, pattern="double", arrow=True, tag="SA"),
    "neglect": LineStyle(style="dotted", color="#8c510a", width=2.2, arrow=True, tag="N"),
    "domestic_abuse": LineStyle(color="#67001f", width=2.0, pattern="zigzag", arrow=True, tag="DA"),
    "caretaker": LineStyle(color="#2166ac", width=1.5, arrow=True),
}

RELATES_TEXT: dict[str, str] = {
    "close": "close relationship",
    "distant": "distant relationship",
    "conflict": "conflict",
    "hostile": "hostile relationship",
    "cut_off": "cut off (estranged)",
    "abuse_physical": "physical abuse (PA), arrow to the person harmed",
    "abuse_emotional": "emotional abuse (EA), arrow to the person harmed",
    "abuse_sexual": "sexual abuse (SA), arrow to the person harmed",
    "neglect": "neglect (N), arrow to the person neglected",
    "domestic_abuse": "domestic abuse (DA), arrow to the person harmed",
    "caretaker": "caring for (arrow to the person cared for)",
}

PARTNER_STYLES: dict[str, LineStyle] = {
    "married": LineStyle(),
    "unmarried": LineStyle(style="dashed"),
    "unrecorded": LineStyle(color="#8c8c8c", width=0.8),
}
CHILD_STYLES: dict[str, LineStyle] = {
    "birth": LineStyle(),
    "adopted": LineStyle(style="dashed"),
    "uncertain": LineStyle(style="dashed"),
    "carer": LineStyle(style="dotted", width=1.6),
}
HOUSEHOLD_STYLE = LineStyle(style="dotted", color="#3b3b3b", width=1.3)


def key_catalogue(notation: str) -> list[tuple[str, str]]:
    """Every key entry in the order the key lists them: (feature, text). The key shows only
    the features a drawing used."""
    deceased = (
        "deceased (cross; age at death inside)"
        if notation == "uk"
        else "deceased (slash; age at death inside)"
    )
    entries = [
        ("sex_male", "male"),
        ("sex_female", "female"),
        ("sex_unknown", "sex not recorded"),
        ("subject", "the child (double outline)"),
        ("proband", "proband (arrow, P)"),
        ("age", "age in years inside the symbol"),
        ("deceased", deceased),
        ("implied", "not yet identified (dashed, ?)"),
        ("pregnancy", "pregnancy"),
        ("miscarriage", "miscarriage"),
        ("partners_married", "married / civil partners"),
        ("partners_unmarried", "partners, not married"),
        ("partners_unrecorded", "parents (relationship not recorded)"),
        ("separated", "separated (one slash)"),
        ("divorced", "divorced (two slashes)"),
        ("partners_uncertain", "partnership uncertain (dashed, ?)"),
        ("child", "child (eldest on the left)"),
        ("adopted", "adopted (dashed line, brackets)"),
        ("uncertain", "alleged or disputed parent (dashed, ?)"),
        ("foster", "foster carer (dotted)"),
        ("carer", "other carer: SGO, kinship, guardian, step (dotted)"),
        ("twins", "twins (from one point)"),
        ("twins_identical", "identical twins (bar)"),
        ("household", "household (dotted boundary)"),
    ]
    entries += [(f"rel_{kind}", text) for kind, text in RELATES_TEXT.items()]
    return entries


# --------------------------------------------------------------------------- people


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NAME_WRAP = 24


def clean_text(value: str) -> str:
    """A user value on one line: control characters (newlines too) become spaces, runs of
    white space collapse."""
    return " ".join(_CONTROL.sub(" ", value).split())


def is_deceased(person: Person) -> bool:
    """Recorded as deceased, or has a death date."""
    return person.deceased or person.death_date is not None


def pregnancy_kind(person: Person) -> str | None:
    """``pregnancy`` or ``miscarriage`` when this person record stands for one: a fact with
    field ``pregnancy`` (its value the outcome), else an `implied_label` naming it."""
    for fact in person.facts:
        if fact.field == "pregnancy":
            value = fact.value.strip().lower()
            return value if value in PREGNANCY_KINDS else "pregnancy"
    label = (person.implied_label or "").strip().lower()
    return label if label in PREGNANCY_KINDS else None


def age_label(person: Person, drawn_on: date) -> str:
    """Age shown inside the symbol: completed years on the drawing date, or at death for
    the deceased; empty when it cannot be worked out (and for pregnancies)."""
    if person.birth_date is None or pregnancy_kind(person) is not None:
        return ""
    age = person.age_on(drawn_on)
    if age is None:
        return ""
    return ("c." if person.birth_date.approximate else "") + str(age)


def initials(person: Person) -> str:
    """Initials of the given and family names (``K.L.H.``), or ``?`` when no name is known:
    what an anonymised drawing shows instead of a name."""
    words: list[str] = []
    for part in (person.given_names, person.family_name):
        if part:
            words.extend(clean_text(part).replace("-", " ").split())
    if not words and person.known_as:
        words = clean_text(person.known_as[0]).split()
    letters = [w[0].upper() for w in words if w[0].isalpha()]
    return ".".join(letters) + "." if letters else "?"


def _year(d: PartialDate) -> str:
    return ("c." if d.approximate else "") + str(d.year)


def wrap(text: str, width: int) -> list[str]:
    """Greedy word wrap to lines of at most `width` characters (long words stay whole)."""
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
    return lines


def caption_lines(person: Person, *, anonymise: bool = False) -> list[str]:
    """Plain-text lines under the symbol: name (with known-as) or initials, the implied or
    pregnancy label, and birth and death years (no names or dates when anonymised)."""
    lines: list[str] = []
    pregnancy = pregnancy_kind(person)
    if anonymise:
        name = "" if person.implied or pregnancy else initials(person)
    else:
        name = clean_text(person.name or "")
        alias = next(
            (clean_text(a) for a in person.known_as if clean_text(a) and clean_text(a) != name),
            None,
        )
        if name and alias and (person.given_names or person.family_name):
            name = f'{name} ("{alias}")'
    if name:
        lines.extend(wrap(name, _NAME_WRAP))
    if pregnancy is not None:
        lines.append(pregnancy)
        if person.birth_date is not None and not anonymise:
            when = person.birth_date.iso().rstrip("~")
            lines.append(f"due {when}" if pregnancy == "pregnancy" else when)
        return lines
    if person.implied:
        label = clean_text(person.implied_label or "") or "not yet identified"
        lines.extend(wrap(label, 28))
    elif not name:
        lines.append("name unknown")
    if anonymise:
        if is_deceased(person):
            lines.append("deceased")
        return lines
    years = []
    if person.birth_date is not None:
        years.append(f"b. {_year(person.birth_date)}")
    if is_deceased(person):
        years.append(f"d. {_year(person.death_date)}" if person.death_date else "d. ?")
    if years:
        lines.append(" ".join(years))
    return lines


def partner_date_label(rel: Relationship | None) -> str:
    """Short text over a partner line: ``m. 1991``, ``m. 2001 div. 2010``, ``cohab. 2022``,
    ``2010–2013`` (a partnership that ended), ``from 2019``; empty when no date is recorded."""
    if rel is None or rel.type is not RelType.PARTNER_OF:
        return ""
    prefix = PARTNER_DATE_PREFIX.get(rel.kind or "", "")
    start = _year(rel.start_date) if rel.start_date is not None else ""
    end = _year(rel.end_date) if rel.end_date is not None else ""
    if not prefix:
        if start and end:
            return f"{start}\u2013{end}"
        if end:
            return f"sep. {end}"
        return f"from {start}" if start else ""
    parts = [f"{prefix} {start}"] if start else []
    if end:
        ended = {"widowed": "wid.", "divorced": "div."}.get(rel.kind or "", "sep.")
        parts.append(f"{ended} {end}")
    return " ".join(parts)


def symbol_shape(person: Person, notation: str) -> str:
    """The symbol of a person: ``square``, ``circle``, ``diamond``, ``triangle`` (UK
    pregnancy), ``small_triangle`` (NSGC miscarriage) or ``dot`` (UK miscarriage: a small
    filled circle)."""
    pregnancy = pregnancy_kind(person)
    if pregnancy == "miscarriage":
        return "dot" if notation == "uk" else "small_triangle"
    if pregnancy == "pregnancy" and notation == "uk":
        return "triangle"
    return {Sex.MALE: "square", Sex.FEMALE: "circle", Sex.UNKNOWN: "diamond"}[person.sex]
