"""A child's family court bundle as one PDF: front sheet, contents, genogram with its key,
schedule of relatives and an evidence appendix, with redaction applied throughout.

Pages are laid out with ReportLab (selectable text in an embedded Unicode font); the genogram
is drawn by Graphviz through the public `render` API and its PDF page is placed, as vectors,
onto the bundle's genogram page with pypdf, which also writes the bookmarks, page labels and
the metadata. Every page carries the classification marking in its header and footer and
"Page N of M", where N is the PDF's own page number.

Redaction (`Redactor`): a withheld value appears nowhere in the file. Confidential addresses
(and any address sharing their text or postcode) are withheld unless `include_confidential`;
`redact` withholds `addresses`, `dob` (dates of birth: ages are shown instead) or `names`
(replaced by the person's relationship to the child). Free text (evidence quotes, facts) has
withheld values replaced by ``[withheld]``. The PDF's title and author hold no personal data.
"""

from __future__ import annotations

import html
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any

from pypdf import PdfReader, PdfWriter, Transformation
from pypdf.constants import PageLabelStyle
from pypdf.generic import NameObject
from reportlab.lib import colors
from reportlab.lib.pagesizes import A3, A4, landscape, portrait
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from genogram.errors import InputError, RenderError
from genogram.model import Address, PartialDate, Person, Relationship, RelType
from genogram.query import DEFAULT_MAX_DEGREE, Relative, relatives
from genogram.resolve import resolve_reference
from genogram.store import GraphStore
from render import RenderOptions, build_dot, render_file, select

#: Fields `--redact` can withhold.
REDACTABLE = ("addresses", "dob", "names")
#: What replaces a withheld value inside free text (evidence quotes, facts).
WITHHELD = "[withheld]"
#: Metadata of every bundle: no personal data, ever.
PDF_TITLE = "Family court bundle"
PDF_AUTHOR = "genogram"
#: Relationship terms that make a person the child's carer (kinship naming, DESIGN §3).
CARER_TERMS = ("foster carer", "special guardian", "kinship carer", "guardian")
#: Longest quote printed in full; longer ones are cut (the document id says where to look).
MAX_QUOTE = 1500

MARGIN = 15 * mm
HEADER = 12 * mm
FOOTER = 12 * mm


@dataclass(frozen=True)
class BundleOptions:
    """What goes into the bundle and what is withheld from it."""

    case_ref: str | None = None
    author: str | None = None
    prepared_on: date = field(default_factory=date.today)
    redact: frozenset[str] = frozenset()
    include_confidential: bool = False
    generations: int = 2
    max_degree: int = DEFAULT_MAX_DEGREE
    notation: str = "uk"
    classification: str = "OFFICIAL-SENSITIVE"

    def __post_init__(self) -> None:
        unknown = sorted(set(self.redact) - set(REDACTABLE))
        if unknown:
            raise InputError(
                f"cannot redact {', '.join(map(repr, unknown))}; use one of "
                + ", ".join(REDACTABLE),
                field="--redact",
            )

    def redactions(self) -> tuple[str, ...]:
        """What is withheld, as words for the front sheet and the audit log (no values)."""
        done = []
        if "addresses" in self.redact:
            done.append("addresses")
        elif not self.include_confidential:
            done.append("confidential addresses")
        if "dob" in self.redact:
            done.append("dates of birth")
        if "names" in self.redact:
            done.append("names")
        return tuple(done)


@dataclass(frozen=True)
class BundleResult:
    """What `write_bundle` wrote: the file, whose bundle, how many pages, what was withheld."""

    path: Path
    person_id: str
    pages: int
    genogram_page: str
    redactions: tuple[str, ...]
    relatives: int
    relationships: int


# --------------------------------------------------------------------------- redaction

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_STREET_WORDS = {
    "road": "rd",
    "street": "st",
    "avenue": "ave",
    "lane": "ln",
    "close": "cl",
    "court": "ct",
    "drive": "dr",
    "gardens": "gdns",
    "place": "pl",
    "crescent": "cres",
    "terrace": "terr",
    "square": "sq",
    "grove": "gr",
    "park": "pk",
    "way": "wy",
    "row": "row",
    "walk": "wlk",
    "mews": "mews",
    "house": "ho",
    "flat": "flat",
    "hill": "hl",
}
_POSTCODE = re.compile(r"^([A-Za-z]{1,2}\d[A-Za-z\d]?)\s*(\d[A-Za-z]{2})$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _norm(text: str) -> str:
    """Lower case, punctuation folded to single spaces (to compare addresses)."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split())


def _word_pattern(token: str) -> str:
    """A regex for a name or address word sequence: flexible spaces, commas, hyphens and
    apostrophes (O'Brien, O’Brien, OBrien; Nowak-Evans, Nowak Evans)."""
    words = [w for w in re.split(r"[\s,]+", token.strip()) if w]
    parts = []
    for word in words:
        pieces = re.split(r"(['’\-])", word)
        out = []
        for piece in pieces:
            if piece in ("'", "’"):
                out.append(r"['’`]?")
            elif piece == "-":
                out.append(r"[\-\s]?")
            elif piece:
                out.append(re.escape(piece))
        parts.append("".join(out))
    return r"[\s,]+".join(parts)


def _bounded(pattern: str) -> str:
    return rf"(?<![\w])(?:{pattern})(?![\w])"


def _street_variants(part: str) -> list[str]:
    """An address part and its usual abbreviations (Heron Court, Heron Ct, Heron Ct.)."""
    words = part.split()
    variants = [part]
    if words:
        last = words[-1].lower().rstrip(".")
        short = _STREET_WORDS.get(last)
        if short and short != last:
            variants.append(" ".join([*words[:-1], short]))
    return variants


def address_patterns(address: Address) -> list[str]:
    """Regexes for an address as people write it: the whole text, each part that names a
    dwelling or street (with and without its number, street words abbreviated), and the
    postcode with or without its space. A town on its own is not matched."""
    patterns: list[str] = []
    text = address.text.strip()
    if text:
        patterns.append(_bounded(_word_pattern(text)))
        for part in (p.strip() for p in text.split(",")):
            words = part.split()
            if not words:
                continue
            has_digit = any(c.isdigit() for c in part)
            street = words[-1].lower().rstrip(".") in _STREET_WORDS
            if not (has_digit or street):
                continue
            for variant in _street_variants(part):
                patterns.append(_bounded(_word_pattern(variant)))
            unnumbered = [w for w in words if not any(c.isdigit() for c in w)]
            if street and len(unnumbered) >= 2 and len(unnumbered) < len(words):
                for variant in _street_variants(" ".join(unnumbered)):
                    patterns.append(_bounded(_word_pattern(variant)))
    if address.postcode:
        m = _POSTCODE.match(address.postcode.strip())
        if m:
            patterns.append(_bounded(rf"{re.escape(m.group(1))}\s*{re.escape(m.group(2))}"))
        else:
            patterns.append(_bounded(_word_pattern(address.postcode)))
    return patterns


def date_patterns(when: PartialDate) -> list[str]:
    """Regexes for a date of birth in the usual written forms: 02/07/1994, 2.7.94, 07/02/1994
    (month first), 1994-07-02, 2 July 1994, 2nd of Jul 1994, July 2, 1994, and the month and
    year (July 1994, 07/1994); a date known only to the year matches that year."""
    y, m, d = when.year, when.month, when.day
    if m is None:
        return [rf"(?<!\d){y}(?!\d)"]
    name = _MONTHS[m - 1]
    month_words = {name, name[:3]} | ({"Sept"} if m == 9 else set())
    month = "(?:" + "|".join(sorted(month_words, key=len, reverse=True)) + r")\.?"
    mm_ = rf"0?{m}"
    year = rf"(?:{y}|'?{y % 100:02d})"
    patterns = [
        rf"(?<![\w]){month},?\s+{y}(?!\d)",
        rf"(?<!\d){mm_}\s*[/.\-]\s*{y}(?!\d)",
    ]
    if d is not None:
        dd = rf"0?{d}"
        ordinal = r"(?:st|nd|rd|th)?"
        sep = r"\s*[/.\-]\s*"
        patterns += [
            rf"(?<!\d){dd}{sep}{mm_}{sep}{year}(?!\d)",
            rf"(?<!\d){mm_}{sep}{dd}{sep}{year}(?!\d)",
            rf"(?<!\d){y}{sep}{mm_}{sep}{dd}(?!\d)",
            rf"(?<!\d){dd}{ordinal}(?:\s+of)?\s+{month},?\s+{year}(?!\d)",
            rf"(?<![\w]){month}\s+{dd}{ordinal},?\s+{year}(?!\d)",
        ]
    return patterns


def name_tokens(person: Person) -> list[str]:
    """Every form of a person's name to withhold: full name, each given name, the family name
    (and each part of a double-barrelled one) and every known-as name; single letters are
    left (initials alone identify no one)."""
    tokens: set[str] = set()
    full = person.name
    if full:
        tokens.add(full)
    for part in (person.given_names, person.family_name, *person.known_as):
        if not part:
            continue
        tokens.add(part)
        for word in part.split():
            tokens.add(word)
            tokens.update(w for w in word.split("-") if w)
    return sorted((t for t in tokens if len(re.sub(r"\W", "", t)) >= 2), key=lambda t: (-len(t), t))


class Redactor:
    """Decides what the bundle withholds and scrubs free text of withheld values."""

    def __init__(self, people: Iterable[Person], options: BundleOptions) -> None:
        self.options = options
        self.people = list(people)
        self.names = "names" in options.redact
        self.dob = "dob" in options.redact
        self.all_addresses = "addresses" in options.redact
        self.confidential_text: set[str] = set()
        self.confidential_postcodes: set[str] = set()
        if not options.include_confidential:
            for person in self.people:
                for address in person.addresses:
                    if address.confidential:
                        self.confidential_text.add(_norm(address.text))
                        if address.postcode:
                            self.confidential_postcodes.add(_norm(address.postcode))
        patterns: list[str] = []
        for person in self.people:
            for address in person.addresses:
                if self.address_withheld(address):
                    patterns += address_patterns(address)
            if self.dob and person.birth_date is not None:
                patterns += date_patterns(person.birth_date)
            if self.names and not person.implied:
                patterns += [_bounded(_word_pattern(t)) for t in name_tokens(person)]
        unique = sorted(set(patterns), key=lambda p: (-len(p), p))
        self._pattern = re.compile("|".join(unique), re.IGNORECASE) if unique else None

    def address_withheld(self, address: Address) -> bool:
        """True when this address must not appear: every address under ``--redact
        addresses``; otherwise a confidential one, or one sharing its text or postcode."""
        if self.all_addresses:
            return True
        if self.options.include_confidential:
            return False
        if address.confidential or _norm(address.text) in self.confidential_text:
            return True
        return bool(address.postcode) and _norm(address.postcode or "") in (
            self.confidential_postcodes
        )

    def scrub(self, text: str) -> str:
        """`text` with every withheld value replaced by ``[withheld]``."""
        if self._pattern is None:
            return text
        return self._pattern.sub(WITHHELD, text)


# --------------------------------------------------------------------------- content


@dataclass
class _Data:
    """Everything the pages show, already redacted where it must be."""

    child: Person
    people: dict[str, Person]
    rels: list[Relationship]
    rows: list[Relative]
    terms: dict[str, str]
    drawn: set[str]
    appendix: list[Relationship]
    redactor: Redactor
    options: BundleOptions


def _format_date(when: PartialDate) -> str:
    text = ""
    if when.day is not None and when.month is not None:
        text = f"{when.day} {_MONTHS[when.month - 1][:3]} {when.year}"
    elif when.month is not None:
        text = f"{_MONTHS[when.month - 1][:3]} {when.year}"
    else:
        text = str(when.year)
    return ("c. " if when.approximate else "") + text


def _age(person: Person, on: date) -> int | None:
    return person.age_on(on)


class _Labels:
    """How people are called in the bundle: names, or their relationship to the child."""

    def __init__(self, data: _Data) -> None:
        self.data = data

    def term(self, pid: str) -> str:
        if pid == self.data.child.id:
            return "the child"
        return self.data.terms.get(pid, "connected person")

    def short(self, pid: str) -> str:
        """The person's name, or (names withheld, or no name) their relationship."""
        person = self.data.people.get(pid)
        if pid == self.data.child.id:
            if self.data.redactor.names or person is None or not person.name:
                return "the child"
            return person.name
        term = self.term(pid)
        if person is None or self.data.redactor.names or person.implied or not person.name:
            return term if term == "connected person" else f"the child's {term}"
        return person.name

    def full(self, pid: str) -> str:
        """Name with the relationship in brackets (the appendix and bookmarks)."""
        short = self.short(pid)
        person = self.data.people.get(pid)
        if person is None or short.startswith(("the child", "connected person")):
            return short
        return f"{short} ({self.term(pid)})"


_PARENT_WORDS: dict[str | None, tuple[str, str, str]] = {
    None: ("mother", "father", "parent"),
    "birth": ("mother", "father", "parent"),
    "adoptive": ("adoptive mother", "adoptive father", "adoptive parent"),
    "step": ("step-mother", "step-father", "step-parent"),
    "foster": ("foster carer",) * 3,
    "special_guardian": ("special guardian",) * 3,
    "kinship_carer": ("kinship carer",) * 3,
    "guardian": ("guardian",) * 3,
}


def relation_sentence(rel: Relationship, label: dict[str, str], people: dict[str, Person]) -> str:
    """One relationship in words: "A is the mother of B", "A and B are half siblings"."""
    a, b = label[rel.from_id], label[rel.to_id]
    kind = (rel.kind or "").replace("_", " ")
    if rel.type is RelType.PARENT_OF:
        person = people.get(rel.from_id)
        sex = person.sex.value if person is not None else "unknown"
        words = _PARENT_WORDS.get(rel.kind, _PARENT_WORDS[None])
        word = words[0] if sex == "female" else words[1] if sex == "male" else words[2]
        return f"{a} is the {word} of {b}"
    if rel.type is RelType.PARTNER_OF:
        return f"{a} and {b} are partners" + (f" ({kind})" if kind else "")
    if rel.type is RelType.SIBLING_OF:
        twin = f", {rel.twin} twins" if rel.twin else ""
        return f"{a} and {b} are {kind + ' ' if kind else ''}siblings{twin}"
    if rel.type is RelType.LIVES_WITH:
        return f"{a} lives with {b}"
    return f"{a} to {b}: {kind or 'relationship'}"


def _gather(store: GraphStore, subject: str, options: BundleOptions) -> _Data:
    child = resolve_reference(store, subject)
    hops = max(2 * options.generations + 2, options.max_degree)
    people_list, rels = store.neighbourhood(child.id, hops)
    people = {p.id: p for p in people_list}
    rows = relatives(store, child.id, options.max_degree)
    named = relatives(store, child.id, max(options.max_degree, hops))
    terms = {r.person_id: r.relationship for r in named}
    drawn_people, _ = select(child.id, people_list, rels, options.generations)
    drawn = {p.id for p in drawn_people}
    wanted = drawn | {r.person_id for r in rows} | {child.id}
    appendix = [r for r in rels if r.from_id in wanted and r.to_id in wanted]
    degree = {r.person_id: r.degree for r in named}

    def order(rel: Relationship) -> tuple[int, int, str]:
        touches = child.id in (rel.from_id, rel.to_id)
        far = max(degree.get(rel.from_id, 0), degree.get(rel.to_id, 0))
        return (0 if touches else 1, far, rel.id)

    appendix.sort(key=order)
    return _Data(
        child=child,
        people=people,
        rels=rels,
        rows=rows,
        terms=terms,
        drawn=drawn,
        appendix=appendix,
        redactor=Redactor(people_list, options),
        options=options,
    )


# --------------------------------------------------------------------------- genogram


def _drawn_person(person: Person, data: _Data, labels: _Labels) -> Person:
    """The copy of a person the genogram is drawn from: withheld fields removed, names
    replaced by the relationship to the child when names are withheld."""
    red = data.redactor
    copy = replace(
        person,
        addresses=[],
        sources=[],
        facts=[f for f in person.facts if f.field == "pregnancy"],
        known_as=[] if red.names else [red.scrub(a) for a in person.known_as],
        implied_label=red.scrub(person.implied_label) if person.implied_label else None,
    )
    if red.names and not person.implied:
        label = labels.term(person.id)
        copy = replace(copy, given_names=label, family_name=None, known_as=[])
    if red.dob:
        copy = replace(copy, birth_date=None)
    return copy


def _genogram_pdf(data: _Data, labels: _Labels, folder: Path) -> Path:
    persons = [_drawn_person(p, data, labels) for p in data.people.values()]
    who = labels.short(data.child.id)
    options = RenderOptions(
        generations=data.options.generations,
        notation=data.options.notation,
        title=f"Genogram of {who}",
        author=data.options.author,
        drawn_on=data.options.prepared_on,
        classification=data.options.classification,
    )
    dot = build_dot(data.child.id, persons, data.rels, options)
    return render_file(dot, folder / "genogram.pdf", classification=data.options.classification)


#: Page sizes the genogram may take, smallest first within each paper size.
_GENOGRAM_PAGES = (
    ("A4 landscape", landscape(A4)),
    ("A4 portrait", portrait(A4)),
    ("A3 landscape", landscape(A3)),
    ("A3 portrait", portrait(A3)),
)
#: Smallest scale at which an A4 page still shows the drawing's 9 pt captions legibly.
MIN_A4_SCALE = 0.7
MAX_SCALE = 1.25
_HEADING_ROOM = 30.0


def _slot(size: tuple[float, float]) -> tuple[float, float]:
    return size[0] - 2 * MARGIN, size[1] - 2 * MARGIN - HEADER - FOOTER - _HEADING_ROOM


def choose_genogram_page(width: float, height: float) -> tuple[str, tuple[float, float], float]:
    """The page for a drawing of `width` x `height` points: A4 when it fits at 70 % or more,
    otherwise A3; landscape or portrait, whichever lets it be drawn larger. Returns the name,
    the page size and the scale."""

    def scale(size: tuple[float, float]) -> float:
        w, h = _slot(size)
        return min(w / width, h / height, MAX_SCALE)

    a4 = max(_GENOGRAM_PAGES[:2], key=lambda p: scale(p[1]))
    if scale(a4[1]) >= MIN_A4_SCALE:
        return a4[0], a4[1], scale(a4[1])
    a3 = max(_GENOGRAM_PAGES[2:], key=lambda p: scale(p[1]))
    return a3[0], a3[1], scale(a3[1])


# --------------------------------------------------------------------------- fonts & styles

_FONT = "BundleSans"


def _register_fonts() -> str:
    """Register a Unicode TrueType family (DejaVu Sans, else ReportLab's own Vera) so that
    every name prints and the text stays selectable; returns the family name."""
    if _FONT in pdfmetrics.getRegisteredFontNames():
        return _FONT
    import reportlab

    vera = Path(reportlab.__file__).parent / "fonts"
    candidates = [
        [Path("/usr/share/fonts/truetype/dejavu") / f"DejaVuSans{s}.ttf" for s in _DEJAVU],
        [vera / name for name in ("Vera.ttf", "VeraBd.ttf", "VeraIt.ttf", "VeraBI.ttf")],
    ]
    for files in candidates:
        if all(f.is_file() for f in files):
            names = [_FONT, f"{_FONT}-Bold", f"{_FONT}-Italic", f"{_FONT}-BoldItalic"]
            for name, path in zip(names, files, strict=True):
                pdfmetrics.registerFont(TTFont(name, str(path)))
            pdfmetrics.registerFontFamily(
                _FONT, normal=names[0], bold=names[1], italic=names[2], boldItalic=names[3]
            )
            return _FONT
    raise RenderError("no TrueType font found for the bundle (install fonts-dejavu-core)")


_DEJAVU = ("", "-Bold", "-Oblique", "-BoldOblique")


@dataclass(frozen=True)
class _Styles:
    title: ParagraphStyle
    subtitle: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    cell: ParagraphStyle
    head: ParagraphStyle


def _styles(font: str) -> _Styles:
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=13)
    return _Styles(
        title=ParagraphStyle("title", parent=body, fontName=f"{font}-Bold", fontSize=22,
                             leading=28, spaceAfter=6),
        subtitle=ParagraphStyle("subtitle", parent=body, fontSize=13, leading=17,
                                spaceAfter=18),
        h1=ParagraphStyle("h1", parent=body, fontName=f"{font}-Bold", fontSize=15, leading=19,
                          spaceAfter=8),
        h2=ParagraphStyle("h2", parent=body, fontName=f"{font}-Bold", fontSize=10.5,
                          leading=13.5, spaceBefore=8, spaceAfter=3),
        body=body,
        small=ParagraphStyle("small", parent=body, fontSize=8.5, leading=11),
        cell=ParagraphStyle("cell", parent=body, fontSize=8, leading=10),
        head=ParagraphStyle("head", parent=body, fontName=f"{font}-Bold", fontSize=8,
                            leading=10),
    )  # fmt: skip


def esc(text: str) -> str:
    """User text made safe for a ReportLab paragraph: control characters dropped, XML
    special characters escaped (no markup can be injected)."""
    return html.escape(_CONTROL.sub(" ", text).replace("\n", " "), quote=True)


# --------------------------------------------------------------------------- flowables


class _Mark(Flowable):
    """An invisible marker: records on which page a section (or entry) starts."""

    def __init__(self, key: str, title: str, level: int) -> None:
        super().__init__()
        self.key, self.title, self.level = key, title, level

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        return 0.0, 0.0

    def draw(self) -> None:
        return None


class _Slot(Flowable):
    """The empty rest of the genogram page, where the drawing is placed afterwards."""

    def __init__(self) -> None:
        super().__init__()
        self.rect: tuple[int, float, float, float, float] | None = None

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.width, self.height = aw, ah - 1
        return self.width, self.height

    def drawOn(self, canvas: Canvas, x: float, y: float, _sW: float = 0) -> None:
        self.rect = (canvas.getPageNumber(), x, y, self.width, self.height)


class _Doc(BaseDocTemplate):
    """Page templates with the marking header and footer, and the marks seen per page."""

    def __init__(
        self,
        buffer: BytesIO,
        *,
        genogram_size: tuple[float, float],
        total: int,
        options: BundleOptions,
        font: str,
    ) -> None:
        super().__init__(
            buffer,
            pagesize=A4,
            title=PDF_TITLE,
            author=PDF_AUTHOR,
            subject=options.classification,
            creator=PDF_AUTHOR,
            producer=PDF_AUTHOR,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN + HEADER,
            bottomMargin=MARGIN + FOOTER,
            invariant=True,
        )
        self.total = total
        self.options = options
        self.font = font
        self.marks: list[tuple[str, str, int, int]] = []
        templates = []
        for name, size in (
            ("portrait", portrait(A4)),
            ("landscape", landscape(A4)),
            ("genogram", genogram_size),
        ):
            frame = Frame(
                MARGIN,
                MARGIN + FOOTER,
                size[0] - 2 * MARGIN,
                size[1] - 2 * MARGIN - HEADER - FOOTER,
                leftPadding=0,
                rightPadding=0,
                topPadding=0,
                bottomPadding=0,
                id=name,
            )
            templates.append(
                PageTemplate(id=name, frames=[frame], onPage=self.decorator(size), pagesize=size)
            )
        self.addPageTemplates(templates)

    def afterFlowable(self, flowable: Flowable) -> None:
        if isinstance(flowable, _Mark):
            self.marks.append((flowable.key, flowable.title, flowable.level, self.page))

    def decorator(self, size: tuple[float, float]) -> Callable[[Canvas, BaseDocTemplate], None]:
        """The `onPage` hook of a template of this page size."""

        def hook(canvas: Canvas, doc: BaseDocTemplate) -> None:
            self.decorate(canvas, size)

        return hook

    def decorate(self, canvas: Canvas, size: tuple[float, float]) -> None:
        """Header and footer of every page: marking, bundle name, case ref, Page N of M."""
        width, height = size
        marking = self.options.classification
        number = canvas.getPageNumber()
        canvas.saveState()
        canvas.setFillColor(colors.black)
        top = height - MARGIN - 9
        canvas.setFont(f"{self.font}-Bold", 10)
        canvas.drawCentredString(width / 2, top, marking)
        canvas.setFont(self.font, 8)
        canvas.drawString(MARGIN, top, PDF_TITLE)
        if self.options.case_ref:
            canvas.drawRightString(
                width - MARGIN, top, f"Case ref: {_plain(self.options.case_ref)}"
            )
        canvas.setStrokeColor(colors.grey)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, top - 4, width - MARGIN, top - 4)
        bottom = MARGIN
        canvas.line(MARGIN, bottom + 12, width - MARGIN, bottom + 12)
        canvas.setFont(f"{self.font}-Bold", 10)
        canvas.drawCentredString(width / 2, bottom, marking)
        canvas.setFont(self.font, 8)
        canvas.drawString(MARGIN, bottom, f"Prepared {_long_date(self.options.prepared_on)}")
        total = str(self.total) if self.total else "?"
        canvas.drawRightString(width - MARGIN, bottom, f"Page {number} of {total}")
        canvas.restoreState()


def _plain(text: str) -> str:
    return " ".join(_CONTROL.sub(" ", text).split())


def _long_date(when: date) -> str:
    return f"{when.day} {_MONTHS[when.month - 1]} {when.year}"


# --------------------------------------------------------------------------- sections


SECTIONS = (
    ("front", "Front sheet"),
    ("contents", "Contents"),
    ("genogram", "Genogram and key"),
    ("schedule", "Schedule of relatives"),
    ("evidence", "Evidence appendix"),
)


def _table(rows: list[list[Any]], widths: Sequence[float], *, header: bool = True) -> Table:
    table = Table(rows, colWidths=list(widths), repeatRows=1 if header else 0)
    style: list[Any] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.Color(0.6, 0.6, 0.6)),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.9, 0.9)))
    table.setStyle(TableStyle(style))
    return table


class _Builder:
    """Builds the story (flowables) from the gathered data."""

    def __init__(self, data: _Data, st: _Styles, pages: dict[str, int], genogram: str) -> None:
        self.data = data
        self.st = st
        self.pages = pages
        self.genogram = genogram
        self.labels = _Labels(data)
        self.red = data.redactor
        self.evidence_no = {rel.id: n for n, rel in enumerate(data.appendix, 1)}
        self.slot = _Slot()

    def p(self, text: str, style: ParagraphStyle | None = None) -> Paragraph:
        """A paragraph of plain (already redacted) user text, escaped."""
        return Paragraph(esc(text), style or self.st.cell)

    def story(self) -> list[Flowable]:
        out: list[Flowable] = []
        out += self.front()
        out += [PageBreak(), *self.contents()]
        out += [NextPageTemplate("genogram"), PageBreak(), *self.genogram_page()]
        out += [NextPageTemplate("landscape"), PageBreak(), *self.schedule()]
        out += [NextPageTemplate("portrait"), PageBreak(), *self.evidence()]
        return out

    # ---------------------------------------------------------------- front sheet

    def child_address(self) -> str:
        return self.address_text(self.data.child)

    def address_text(self, person: Person) -> str:
        current = [a for a in person.addresses if a.end is None] or person.addresses
        if not current:
            return "not recorded"
        shown: dict[str, str] = {}
        withheld = []
        for a in current:
            if self.red.address_withheld(a):
                withheld.append("confidential" if a.confidential else "withheld")
                continue
            text = a.text + (f", {a.postcode}" if a.postcode else "")
            key = _norm(a.postcode or "") or _norm(a.text)
            if key not in shown or len(text) > len(shown[key]):
                shown[key] = text
        parts = list(shown.values())
        if withheld:
            confidential = "confidential" in withheld and not self.red.all_addresses
            parts.append("withheld (confidential)" if confidential else "withheld")
        return "; ".join(parts)

    def birth_text(self, person: Person) -> str:
        age = _age(person, self.data.options.prepared_on)
        if person.birth_date is None:
            return "not recorded"
        dead = person.deceased or person.death_date is not None
        if self.red.dob:
            if age is None:
                return "withheld"
            return f"withheld (died aged {age})" if dead else f"withheld (age {age})"
        text = _format_date(person.birth_date)
        if age is not None:
            text += f" (died aged {age})" if dead else f" (age {age})"
        return text

    def front(self) -> list[Flowable]:
        d, st, opts = self.data, self.st, self.data.options
        child = d.child
        name = self.labels.short(child.id)
        if self.red.names:
            name = "the child (name withheld)"
        keys = ", ".join(str(k) for k in child.sources if k.system != "notes") or child.id
        redactions = opts.redactions()
        rows = [
            ["Child", name],
            ["Record keys", keys],
            ["Date of birth", self.birth_text(child)],
            ["Address", self.child_address()],
            ["Case reference", opts.case_ref or "not given"],
            ["Date prepared", _long_date(opts.prepared_on)],
            ["Prepared by", opts.author or "not recorded"],
            ["Classification", opts.classification],
            ["Withheld from this bundle", "; ".join(redactions) if redactions else "nothing"],
            [
                "Contents",
                f"{len(d.rows)} relatives; {len(d.appendix)} relationships with their sources",
            ],
        ]
        table = _table(
            [[self.p(k, st.head), self.p(v, st.body)] for k, v in rows], (45 * mm, 120 * mm),
            header=False,
        )  # fmt: skip
        notice = (
            "Produced by genogram from council records and case notes. Every relationship "
            "lists the documents and sentences it rests on in the evidence appendix; "
            "relationships marked alleged or disputed are not established. Withheld values "
            f"are shown as {WITHHELD}. Handle as {opts.classification}: share only with "
            "the parties to the proceedings."
        )
        return [
            _Mark("front", "Front sheet", 0),
            Spacer(1, 20 * mm),
            self.p(PDF_TITLE, st.title),
            self.p("Genogram, schedule of relatives and evidence", st.subtitle),
            table,
            Spacer(1, 10 * mm),
            self.p(notice, st.small),
        ]

    # ---------------------------------------------------------------- contents

    def contents(self) -> list[Flowable]:
        rows = [[self.p("Section", self.st.head), self.p("Page", self.st.head)]]
        for key, title in SECTIONS:
            page = self.pages.get(key)
            rows.append([self.p(title, self.st.body), self.p(str(page or ""), self.st.body)])
        table = _table(rows, (140 * mm, 25 * mm))
        note = (
            f"Page numbers are those printed at the foot of each page and those of the PDF "
            f"itself. The genogram is printed on {self.genogram}."
        )
        return [
            _Mark("contents", "Contents", 0),
            self.p("Contents", self.st.h1),
            table,
            Spacer(1, 6 * mm),
            self.p(note, self.st.small),
        ]

    # ---------------------------------------------------------------- genogram

    def genogram_page(self) -> list[Flowable]:
        note = (
            "Drawn in standard notation (key below the diagram)"
            + ("; names replaced by the relationship to the child" if self.red.names else "")
            + ("; dates of birth withheld" if self.red.dob else "")
            + "."
        )
        return [
            _Mark("genogram", "Genogram and key", 0),
            self.p("Genogram and key", self.st.h2),
            self.p(note, self.st.small),
            self.slot,
        ]

    # ---------------------------------------------------------------- schedule

    def carer_text(self, row: Relative, person: Person | None) -> str:
        items = []
        if row.relationship in CARER_TERMS:
            items.append(row.relationship)
        items += [r for r in row.roles if r not in items]
        if person is not None:
            items += [
                self.red.scrub(f.value)
                for f in person.facts
                if f.field == "carer" and f.value.strip()
            ]
        return "; ".join(dict.fromkeys(items)) or "none recorded"

    def status_text(self, row: Relative, person: Person | None) -> str:
        parts = []
        if row.deceased:
            died = person.death_date if person is not None else None
            parts.append(f"deceased ({_format_date(died)})" if died else "deceased")
        else:
            parts.append("no death recorded")
        if row.implied:
            parts.append("not yet identified")
        return "; ".join(parts)

    def name_text(self, row: Relative) -> str:
        if row.implied or not row.name:
            return "name unknown"
        if self.red.names:
            return f"{row.relationship} (name withheld)"
        return row.name

    def schedule(self) -> list[Flowable]:
        st = self.st
        head = ["Name", "Relationship to the child", "Date of birth / age", "Status",
                "Address", "Assessed or offered as carer", "Certainty", "Evidence"]  # fmt: skip
        rows: list[list[Any]] = [[self.p(h, st.head) for h in head]]
        for r in self.data.rows:
            person = self.data.people.get(r.person_id)
            relationship = r.relationship
            if r.roles:
                relationship += " (" + ", ".join(r.roles) + ")"
            refs = [
                f"E{self.evidence_no[rel.id]}"
                for rel in self.data.appendix
                if r.person_id in (rel.from_id, rel.to_id)
            ]
            address = self.address_text(person) if person is not None else "not recorded"
            born = self.birth_text(person) if person is not None else "not recorded"
            cells = [
                self.name_text(r),
                relationship,
                born,
                self.status_text(r, person),
                address,
                self.carer_text(r, person),
                r.certainty,
                ", ".join(refs) or "none",
            ]
            rows.append([self.p(c) for c in cells])
        widths = (34, 32, 32, 26, 50, 30, 20, 22)
        scale = (landscape(A4)[0] - 2 * MARGIN) / sum(widths)
        intro = (
            f"{len(self.data.rows)} relatives of the child, closest first. Certainty is that "
            "of the weakest link between the child and the relative. Evidence refers to the "
            "numbered relationships of the evidence appendix."
        )
        out: list[Flowable] = [
            _Mark("schedule", "Schedule of relatives", 0),
            self.p("Schedule of relatives", st.h1),
            self.p(intro, st.small),
            Spacer(1, 3 * mm),
        ]
        if len(rows) == 1:
            out.append(self.p("No relatives are recorded.", st.body))
        else:
            out.append(_table(rows, [w * scale for w in widths]))
        return out

    # ---------------------------------------------------------------- evidence

    def evidence(self) -> list[Flowable]:
        st = self.st
        label = {pid: self.labels.full(pid) for pid in self.data.people}
        out: list[Flowable] = [
            _Mark("evidence", "Evidence appendix", 0),
            self.p("Evidence appendix", st.h1),
            self.p(
                "Every relationship shown in this bundle, with the records and case-note "
                f"sentences it rests on. Withheld values in quotes read {WITHHELD}.",
                st.small,
            ),
        ]
        if not self.data.appendix:
            out.append(self.p("No relationships are recorded.", st.body))
        widths = [22 * mm, 30 * mm, 20 * mm, 24 * mm]
        widths.append(A4[0] - 2 * MARGIN - sum(widths))
        for n, rel in enumerate(self.data.appendix, 1):
            sentence = relation_sentence(rel, label, self.data.people)
            title = f"E{n}. {sentence}"
            facts = [f"certainty: {rel.certainty}"]
            if rel.start_date is not None:
                facts.append(f"from {rel.start_date.iso()}")
            if rel.end_date is not None:
                facts.append(f"until {rel.end_date.iso()}")
            rows: list[list[Any]] = [
                [self.p(h, st.head) for h in ("Document", "Source", "Date", "Author", "Quote")]
            ]
            for ev in rel.evidence:
                quote = self.red.scrub(ev.quote) if ev.quote else "(no quote: a record)"
                if len(quote) > MAX_QUOTE:
                    quote = quote[:MAX_QUOTE] + "… (cut; see the document)"
                source = f"{ev.system}, {ev.method}"
                if ev.confidence < 1:
                    source += f", confidence {ev.confidence:.2f}"
                rows.append(
                    [
                        self.p(ev.document),
                        self.p(source),
                        self.p(ev.date or ""),
                        self.p(ev.author or ""),
                        self.p(quote),
                    ]
                )
            block: list[Flowable] = [
                _Mark(f"E{n}", title, 1),
                self.p(title, st.h2),
                self.p("; ".join(facts), st.small),
                Spacer(1, 1.5 * mm),
            ]
            if len(rows) > 1:
                block.append(_table(rows, widths))
            else:
                block.append(self.p("No sources are recorded for this relationship.", st.small))
            out.append(KeepTogether(block))
        return out


# --------------------------------------------------------------------------- assembly


def _layout(
    data: _Data, genogram_name: str, genogram_size: tuple[float, float]
) -> tuple[bytes, list[tuple[str, str, int, int]], tuple[int, float, float, float, float], int]:
    """Lay the pages out until page numbers and the contents settle; returns the PDF bytes,
    the marks (key, title, level, page), the genogram slot and the page count."""
    font = _register_fonts()
    st = _styles(font)
    pages: dict[str, int] = {}
    total = 0
    for _attempt in range(5):
        buffer = BytesIO()
        doc = _Doc(
            buffer, genogram_size=genogram_size, total=total, options=data.options, font=font
        )
        builder = _Builder(data, st, pages, genogram_name)
        doc.build(builder.story())
        new_pages = {key: page for key, _t, level, page in doc.marks if level == 0}
        count = len(PdfReader(BytesIO(buffer.getvalue())).pages)
        if new_pages == pages and count == total:
            assert builder.slot.rect is not None
            return buffer.getvalue(), doc.marks, builder.slot.rect, total
        pages, total = new_pages, count
    raise RenderError("the bundle's page numbers did not settle; please report this")


def _place_genogram(
    writer: PdfWriter, drawing: Path, slot: tuple[int, float, float, float, float]
) -> None:
    page_no, x, y, width, height = slot
    source = PdfReader(drawing).pages[0]
    box = source.mediabox
    w, h = float(box.width), float(box.height)
    scale = min(width / w, height / h, MAX_SCALE)
    tx = x + (width - w * scale) / 2
    ty = y + height - h * scale
    op = (
        Transformation()
        .translate(-float(box.left), -float(box.bottom))
        .scale(scale, scale)
        .translate(tx, ty)
    )
    writer.pages[page_no - 1].merge_transformed_page(source, op)


def _finish(
    pdf: bytes, drawing: Path, marks: list[tuple[str, str, int, int]], slot: Any, total: int
) -> bytes:
    """Place the drawing, add bookmarks and page labels, and set metadata free of personal
    data (no XMP at all)."""
    writer = PdfWriter(clone_from=PdfReader(BytesIO(pdf)))
    _place_genogram(writer, drawing, slot)
    for each in writer.pages:
        each.compress_content_streams()
    parent = None
    for _key, title, level, page in marks:
        item = writer.add_outline_item(
            title=title, page_number=page - 1, parent=parent if level else None
        )
        if level == 0:
            parent = item
    writer.set_page_label(0, total - 1, style=PageLabelStyle.DECIMAL, start=1)
    root = writer.root_object
    for key in ("/Metadata", "/PieceInfo"):
        if NameObject(key) in root:
            del root[NameObject(key)]
    writer.metadata = {
        "/Title": PDF_TITLE,
        "/Author": PDF_AUTHOR,
        "/Subject": "OFFICIAL-SENSITIVE",
        "/Creator": PDF_AUTHOR,
        "/Producer": PDF_AUTHOR,
    }
    writer.page_mode = "/UseOutlines"
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".genogram-", suffix=".pdf", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_bundle(
    store: GraphStore, subject: str, path: Path, options: BundleOptions | None = None
) -> BundleResult:
    """Write the court bundle of `subject` (a person id, record key or name) to `path`
    (written whole or not at all); returns what was written and withheld."""
    options = options or BundleOptions()
    path = Path(path)
    if path.suffix.lower() != ".pdf":
        raise InputError("a bundle is a PDF: give a file name ending .pdf", file=path, field="-o")
    if not path.parent.is_dir():
        raise InputError("the output folder does not exist", file=path, field="-o")
    data = _gather(store, subject, options)
    labels = _Labels(data)
    with tempfile.TemporaryDirectory(prefix="genogram-bundle-") as tmp:
        drawing = _genogram_pdf(data, labels, Path(tmp))
        box = PdfReader(drawing).pages[0].mediabox
        name, size, _scale = choose_genogram_page(float(box.width), float(box.height))
        pdf, marks, slot, total = _layout(data, name, size)
        final = _finish(pdf, drawing, marks, slot, total)
    _atomic_write(path, final)
    return BundleResult(
        path=path,
        person_id=data.child.id,
        pages=total,
        genogram_page=name,
        redactions=options.redactions(),
        relatives=len(data.rows),
        relationships=len(data.appendix),
    )
