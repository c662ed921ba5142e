"""Reading GEDCOM 5.5, 5.5.1 and 7.0 files into person and relationship records.

A small, strict parser (no GEDCOM library on PyPI reads 7.0, UTF-16 and ANSEL and reports the
line of every structural fault). The whole file is decoded, split into lines, checked (levels,
cross-references, header and trailer) and interpreted before anything is returned, so a
malformed file raises one `InputError` naming the file and line, and nothing reaches the store.
Values are never quoted in errors or warnings: they name lines, tags and cross-reference ids.

Mapping onto the model (details and the reasons in docs/gedcom.md):
- INDI -> `PersonRecord` (source = the file name or --source, record_id = the xref without
  its @ signs); NAME with /surname/ slashes, GIVN/SURN, NICK and further NAMEs as aliases;
  SEX M/F (U, X and anything else: unknown); BIRT/DEAT dates as `PartialDate`.
- FAM -> PARTNER_OF between its partners (MARR married, DIV/ANUL divorced, ENGA engaged,
  otherwise no status) and PARENT_OF from each partner to each child, whose kind comes from the
  child's FAMC.PEDI (birth, adopted, foster), ADOP events, or FTM/Gramps _FREL/_MREL.
- A FAM without partners makes its children siblings (SIBLING_OF).
- NOTE text (CONC/CONT joined) is kept as `note` facts of the person.
- The ``_GENOGRAM_*`` extension tags that `extract.gedcom_write` adds for what standard GEDCOM
  cannot say (partner statuses, sibling kinds, certainty, dates) are read back, so an exported
  file imports as the same people and relationships.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import ansel  # type: ignore[import-untyped]

from extract.files import read_bytes
from genogram.assertions import PersonRecord, RelationshipRecord
from genogram.errors import InputError
from genogram.model import PARENT_KINDS, PARTNER_STATUSES, Evidence, Fact, PartialDate, Sex
from genogram.resolve import IngestReport, Progress, ingest_records
from genogram.store import GraphStore

ansel.register()  # the "gedcom" codec: ANSEL with GEDCOM's extra characters

#: The 7.0 null pointer: "no record", as in ``1 FAMC @VOID@``.
VOID = "@VOID@"
#: Extension tags written by `extract.gedcom_write` and read back here (see docs/gedcom.md).
EXT_STATUS = "_GENOGRAM_STATUS"
EXT_SIBLING = "_GENOGRAM_SIBLING"
EXT_CERTAINTY = "_GENOGRAM_CERTAINTY"
EXT_PEDI = "_GENOGRAM_PEDI"
EXT_START = "_GENOGRAM_START"
EXT_END = "_GENOGRAM_END"
#: How many line numbers a summarised warning lists.
_WARNING_LINES = 5

_UTF8_BOM = b"\xef\xbb\xbf"
_LEVEL = re.compile(r"[0-9]+")
_TAG = re.compile(r"[A-Za-z0-9_]+")
_POINTER = re.compile(r"@[A-Za-z0-9_][^@]*@")
_SPACES = re.compile(r"\s+")
_QUOTED = re.compile(r"\"([^\"]+)\"")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

#: HEAD.CHAR values and the Python codec each one means.
_CHARSETS: dict[str, str] = {
    "UTF-8": "utf-8",
    "UTF8": "utf-8",
    "UNICODE": "utf-16",
    "UTF-16": "utf-16",
    "ANSEL": "gedcom",
    "ANSI": "cp1252",
    "WINDOWS": "cp1252",
    "WINDOWS-1252": "cp1252",
    "CP1252": "cp1252",
    "ASCII": "ascii",
    "US-ASCII": "ascii",
    "IBMPC": "cp437",
    "IBM PC": "cp437",
    "CP437": "cp437",
    "MACINTOSH": "mac_roman",
    "MACROMAN": "mac_roman",
    "LATIN1": "latin-1",
    "ISO-8859-1": "latin-1",
    "ISO8859-1": "latin-1",
}


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class GedcomWarning:
    """Something read leniently: kept out or approximated, never fatal. `reason` holds no
    personal data (it is summarised with the line numbers it applies to)."""

    line: int
    reason: str


@dataclass
class GedcomBatch:
    """Everything read from one GEDCOM file, ready for `ingest_gedcom` (or a renderer).

    `facts` holds per-record extras, by record_id: ``("note", text)`` for NOTEs,
    ``("sex_as_recorded", "X")`` and ``("adopted", date or "yes")`` for an adoption that names
    no adoptive family.
    """

    file: str
    source: str
    version: str
    encoding: str
    people: list[PersonRecord]
    relationships: list[RelationshipRecord]
    facts: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    families: int = 0
    warnings: list[GedcomWarning] = field(default_factory=list)

    @property
    def notes(self) -> dict[str, list[str]]:
        """NOTE texts by record_id."""
        found: dict[str, list[str]] = {}
        for rid, facts in self.facts.items():
            texts = [value for name, value in facts if name == "note"]
            if texts:
                found[rid] = texts
        return found

    def warning_lines(self) -> list[str]:
        """The warnings, one line per reason, with the first few line numbers (no values)."""
        by_reason: dict[str, list[int]] = {}
        for w in self.warnings:
            by_reason.setdefault(w.reason, []).append(w.line)
        lines = []
        for reason, numbers in by_reason.items():
            shown = ", ".join(str(n) for n in numbers[:_WARNING_LINES])
            more = ", ..." if len(numbers) > _WARNING_LINES else ""
            count = f"{len(numbers)} times, " if len(numbers) > 1 else ""
            where = "lines" if len(numbers) > 1 else "line"
            lines.append(f"{self.file}: {reason} ({count}{where} {shown}{more})")
        return lines


# --------------------------------------------------------------------------- decoding


def _looks_utf16(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' for BOM-less UTF-16 text starting with the level digit."""
    if len(data) >= 2 and data[1] == 0 and data[0] != 0:
        return "utf-16-le"
    if len(data) >= 2 and data[0] == 0 and data[1] != 0:
        return "utf-16-be"
    return None


def _header_charset(data: bytes) -> tuple[str | None, int, bool]:
    """The HEAD.CHAR value (upper case), its line, and whether HEAD says GEDCOM 7."""
    charset: str | None = None
    char_line = 0
    seven = False
    in_gedc = False
    for number, raw in enumerate(re.split(rb"\r\n|\r|\n", data[:65536]), start=1):
        words = raw.strip().split()
        if not words:
            continue
        if number > 1 and words[0] == b"0":
            break
        if len(words) >= 2 and words[0] == b"1":
            in_gedc = words[1] == b"GEDC"
            if words[1] == b"CHAR" and len(words) >= 3:
                charset = b" ".join(words[2:]).decode("ascii", "replace").upper()
                char_line = number
        elif in_gedc and len(words) >= 3 and words[:2] == [b"2", b"VERS"]:
            seven = words[2].startswith(b"7")
    return charset, char_line, seven


def _line_of(text_before: str) -> int:
    """The 1-based line number at the end of `text_before`."""
    return len(re.findall(r"\r\n|\r|\n", text_before)) + 1


def decode_gedcom(data: bytes, file: str) -> tuple[str, str, list[GedcomWarning]]:
    """Decode a GEDCOM file's bytes: BOM first (UTF-8, UTF-16 LE/BE), then BOM-less UTF-16,
    then HEAD.CHAR (UTF-8, ANSEL, ANSI/Windows-1252, ASCII, IBMPC, MACINTOSH); GEDCOM 7 is
    always UTF-8. Returns the text, the encoding used and any warnings."""
    warnings: list[GedcomWarning] = []
    if data.startswith(_UTF8_BOM):
        codec, body = "utf-8", data[len(_UTF8_BOM) :]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        codec = "utf-16-le" if data.startswith(b"\xff\xfe") else "utf-16-be"
        body = data[2:]
    elif (utf16 := _looks_utf16(data)) is not None:
        codec, body = utf16, data
    else:
        body = data
        charset, char_line, seven = _header_charset(data)
        if seven:
            codec = "utf-8"
        elif charset is None:
            codec = "utf-8"
            if not _valid(body, codec):
                raise InputError(
                    "the header has no CHAR line and the file is not UTF-8; add the character "
                    "set to the header (for example '1 CHAR ANSI')",
                    file=file,
                    line=1,
                    field="HEAD.CHAR",
                )
        elif charset not in _CHARSETS:
            raise InputError(
                "unknown character set in the header; expected UTF-8, UNICODE, ANSEL, ANSI "
                "or ASCII",
                file=file,
                line=char_line,
                field="HEAD.CHAR",
            )
        else:
            codec = _CHARSETS[charset]
            if codec == "utf-16":  # declared UNICODE but 8-bit on disk: UTF-8 is the usual truth
                codec = "utf-8"
            if codec == "ascii" and not _valid(body, codec):
                codec = "utf-8" if _valid(body, "utf-8") else "cp1252"
                warnings.append(
                    GedcomWarning(
                        char_line, f"the header says ASCII but the file is not; read as {codec}"
                    )
                )
    try:
        text = codecs.decode(body, codec)
    except UnicodeDecodeError as exc:
        prefix = codecs.decode(body[: exc.start], codec, "replace")
        raise InputError(
            f"bytes that are not valid {codec} text; check the header's CHAR line",
            file=file,
            line=_line_of(prefix),
        ) from None
    return text, codec, warnings


def _valid(data: bytes, codec: str) -> bool:
    """Whether `data` decodes with `codec`."""
    try:
        codecs.decode(data, codec)
    except UnicodeDecodeError:
        return False
    return True


# --------------------------------------------------------------------------- lines and tree


@dataclass(slots=True)
class Node:
    """One GEDCOM line with its subordinate lines. `value` is the raw payload (escapes kept);
    `pointer` is set when the payload is exactly a cross-reference such as ``@I1@``."""

    level: int
    tag: str
    value: str
    xref: str | None
    line: int
    children: list[Node] = field(default_factory=list)

    @property
    def pointer(self) -> str | None:
        """The cross-reference this line points to, if its payload is one."""
        return self.value if _POINTER.fullmatch(self.value) else None

    def first(self, tag: str) -> Node | None:
        """The first subordinate line with this tag."""
        for child in self.children:
            if child.tag == tag:
                return child
        return None

    def all(self, *tags: str) -> list[Node]:
        """Every subordinate line with one of these tags, in file order."""
        return [c for c in self.children if c.tag in tags]

    def walk(self) -> Iterator[Node]:
        """This line and every line below it, depth first."""
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))


def _parse_line(raw: str, number: int, file: str) -> tuple[int, str | None, str, str]:
    """Split one line into level, xref, tag and raw value; raises InputError on bad syntax."""

    def bad(reason: str, fieldname: str | None = None) -> InputError:
        """An InputError at this line."""
        return InputError(reason, file=file, line=number, field=fieldname)

    m = _LEVEL.match(raw)
    if m is None:
        raise bad("a GEDCOM line must start with a level number (0 to 99)")
    if len(m.group()) > 2:
        raise bad("the level number is above the maximum of 99", "level")
    level = int(m.group())
    rest = raw[m.end() :]
    if not rest.startswith(" "):
        raise bad("expected a space and a tag after the level number")
    rest = rest.lstrip(" ")
    xref: str | None = None
    if rest.startswith("@"):
        end = rest.find("@", 1)
        token = rest.split(" ", 1)[0]
        if end < 0 or end > len(token) - 1:
            raise bad("the cross-reference id is not closed with '@'", "xref")
        xref = rest[: end + 1]
        if not _POINTER.fullmatch(xref):
            raise bad("invalid cross-reference id", "xref")
        rest = rest[end + 1 :]
        if not rest.startswith(" "):
            raise bad("expected a space and a tag after the cross-reference id")
        rest = rest.lstrip(" ")
    t = _TAG.match(rest)
    if t is None:
        raise bad("missing or invalid tag")
    after = rest[t.end() :]
    if after and not after.startswith(" "):
        raise bad("invalid tag (letters, digits and '_' only)")
    return level, xref, t.group().upper(), after[1:]


def parse_records(text: str, file: str) -> tuple[list[Node], list[GedcomWarning]]:
    """Parse decoded text into level-0 records, checking line syntax and level steps.

    Blank and whitespace-only lines are skipped with a warning; leading whitespace before the
    level is ignored (GEDCOM 5.5.1 allows indentation).
    """
    warnings: list[GedcomWarning] = []
    records: list[Node] = []
    stack: list[Node] = []
    raw_lines = re.split(r"\r\n|\r|\n", text)
    for number, raw in enumerate(raw_lines, start=1):
        line = raw.lstrip(" \t")
        if not line.strip(" \t\x1a"):
            if raw.strip("\x1a"):
                warnings.append(GedcomWarning(number, "whitespace-only line skipped"))
            elif number < len(raw_lines) and not raw:
                warnings.append(GedcomWarning(number, "blank line skipped"))
            continue
        level, xref, tag, value = _parse_line(line, number, file)
        if not stack and level != 0:
            raise InputError("the first line must be at level 0", file=file, line=number)
        if stack and level > stack[-1].level + 1:
            raise InputError(
                f"level {level} follows level {stack[-1].level}: a line can be at most one "
                "level below the line before it",
                file=file,
                line=number,
                field="level",
            )
        node = Node(level, tag, value, xref, number)
        while stack and stack[-1].level >= level:
            stack.pop()
        if stack:
            stack[-1].children.append(node)
        else:
            records.append(node)
        stack.append(node)
    return records, warnings


def _check_structure(records: list[Node], file: str) -> dict[str, Node]:
    """HEAD first, TRLR last, unique xrefs, every pointer resolves; returns records by xref."""
    if not records or records[0].tag != "HEAD":
        raise InputError(
            "the file does not start with a HEAD record (is it a GEDCOM file?)",
            file=file,
            line=records[0].line if records else 1,
        )
    trailer = next((i for i, r in enumerate(records) if r.tag == "TRLR"), None)
    if trailer is None:
        last = records[-1]
        end = max(n.line for n in last.walk())
        raise InputError(
            "the file ends without a TRLR record; it may be truncated", file=file, line=end
        )
    if trailer != len(records) - 1:
        raise InputError(
            "a record follows the TRLR trailer", file=file, line=records[trailer + 1].line
        )
    index: dict[str, Node] = {}
    for record in records:
        if record.xref is None:
            if record.tag in ("INDI", "FAM"):
                raise InputError(
                    f"{record.tag} record without a cross-reference id",
                    file=file,
                    line=record.line,
                    field="xref",
                )
            continue
        if record.xref in index:
            raise InputError(
                f"cross-reference id {record.xref} is defined twice "
                f"(first at line {index[record.xref].line})",
                file=file,
                line=record.line,
                field="xref",
            )
        index[record.xref] = record
    wanted = {"FAMC": "FAM", "FAMS": "FAM", "HUSB": "INDI", "WIFE": "INDI", "CHIL": "INDI"}
    for record in records:
        for node in record.walk():
            target = node.pointer
            if node is record or target is None or target == VOID:
                continue
            found = index.get(target)
            if found is None:
                raise InputError(
                    f"cross-reference {target} points to no record",
                    file=file,
                    line=node.line,
                    field=node.tag,
                )
            kind = wanted.get(node.tag)
            if kind is not None and (record.tag in ("INDI", "FAM")) and found.tag != kind:
                raise InputError(
                    f"{node.tag} must point to {'an' if kind == 'INDI' else 'a'} {kind} record",
                    file=file,
                    line=node.line,
                    field=node.tag,
                )
    return index


# --------------------------------------------------------------------------- dates

_MONTHS = {
    m: i
    for i, m in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"),
        start=1,
    )
}
_LONG_MONTHS = {
    "JANUARY": 1,
    "FEBRUARY": 2,
    "MARCH": 3,
    "APRIL": 4,
    "JUNE": 6,
    "JULY": 7,
    "AUGUST": 8,
    "SEPTEMBER": 9,
    "SEPT": 9,
    "OCTOBER": 10,
    "NOVEMBER": 11,
    "DECEMBER": 12,
}
_CALENDARS = {"GREGORIAN", "JULIAN", "HEBREW", "FRENCH_R", "FRENCH", "ROMAN", "UNKNOWN"}
_ESCAPE = re.compile(r"^@#D([A-Z_ ]+)@\s*")


class DateProblem(ValueError):
    """A GEDCOM date that cannot become a `PartialDate`; the message is a short reason."""


def _simple_date(words: list[str]) -> PartialDate:
    """``[[day] month] year[/yy] [B.C.]`` (Gregorian or Julian) as a PartialDate."""
    if words and words[-1] in ("B.C.", "BC", "BCE", "(B.C.)"):
        raise DateProblem("a date before the common era")
    if not words or len(words) > 3:
        raise DateProblem("a date that could not be read")
    year_text = words[-1]
    dual = re.fullmatch(r"([0-9]{1,4})/([0-9]{2}|[0-9]{4})", year_text)
    if dual:
        year = int(dual.group(1)) + 1  # old-style dual year ("1699/00"): the new-style year
    elif re.fullmatch(r"[0-9]{1,4}", year_text):
        year = int(year_text)
    else:
        raise DateProblem("a date that could not be read")
    month = day = None
    if len(words) >= 2:
        name = words[-2]
        month = _MONTHS.get(name) or _LONG_MONTHS.get(name)
        if month is None:
            raise DateProblem("a date in a calendar or form that is not supported")
    if len(words) == 3:
        if not re.fullmatch(r"[0-9]{1,2}", words[0]):
            raise DateProblem("a date that could not be read")
        day = int(words[0])
    if not 1000 <= year <= 9999:
        raise DateProblem("a date before the year 1000 (not supported)")
    try:
        return PartialDate(year, month, day)
    except ValueError:
        raise DateProblem("an impossible date") from None


def _middle(a: PartialDate, b: PartialDate) -> PartialDate:
    """A range as one date: the shared year, or the middle year marked approximate."""
    if a.year == b.year:
        if a.month is not None and a.month == b.month:
            return PartialDate(a.year, a.month)
        return PartialDate(a.year)
    return PartialDate((a.year + b.year) // 2, approximate=True)


def parse_gedcom_date(text: str) -> PartialDate:
    """Read a GEDCOM date value (5.5.1 or 7.0) as a PartialDate.

    ``1 JAN 1900``, ``JAN 1900``, ``1900``; ``ABT``/``CAL``/``EST``/``BEF``/``AFT`` give an
    approximate date; ``BET x AND y`` and ``FROM x TO y`` the shared year (or the middle year,
    approximate); ``INT x (phrase)`` the date x. Raises `DateProblem` (a short reason, never
    the text) for a phrase alone, other calendars, years before 1000 and impossible dates.
    """
    cleaned = _SPACES.sub(" ", text).strip().upper()
    m = _ESCAPE.match(cleaned)
    calendar = "GREGORIAN"
    if m:
        calendar = m.group(1).strip().replace(" ", "_")
        cleaned = cleaned[m.end() :]
    words = cleaned.split(" ") if cleaned else []
    if words and words[0] in _CALENDARS:
        calendar = words.pop(0)
    if calendar not in ("GREGORIAN", "JULIAN"):
        raise DateProblem("a date in a calendar that is not supported")
    if not words:
        raise DateProblem("an empty date")
    if words[0].startswith("("):
        raise DateProblem("a date given only as a phrase")
    if "(" in cleaned:
        words = cleaned[: cleaned.index("(")].split()
    head = words[0]
    if head == "INT":
        return _simple_date(words[1:])
    if head in ("ABT", "CAL", "EST", "BEF", "AFT"):
        found = _simple_date(words[1:])
        return replace(found, approximate=True)
    if head in ("BET", "FROM", "TO"):
        start, end = _period(words)
        if start is not None and end is not None:
            return _middle(start, end)
        only = start or end
        assert only is not None
        return replace(only, approximate=True)
    return _simple_date(words)


def _period(words: list[str]) -> tuple[PartialDate | None, PartialDate | None]:
    """``BET x AND y``, ``FROM x TO y``, ``FROM x`` or ``TO y`` as (start, end)."""
    head = words[0]
    joiner = "AND" if head == "BET" else "TO"
    if head == "TO":
        return None, _simple_date(words[1:])
    body = words[1:]
    if joiner in body:
        i = body.index(joiner)
        return _simple_date(body[:i]), _simple_date(body[i + 1 :])
    if head == "BET":
        raise DateProblem("a date range without AND")
    return _simple_date(body), None


def format_gedcom_date(value: PartialDate) -> str:
    """A PartialDate as a GEDCOM date: ``2 JUL 1994``, ``JUL 1994``, ``ABT 1994``."""
    months = list(_MONTHS)
    parts = []
    if value.day is not None:
        parts.append(str(value.day))
    if value.month is not None:
        parts.append(months[value.month - 1])
    parts.append(f"{value.year:d}")
    return ("ABT " if value.approximate else "") + " ".join(parts)


# --------------------------------------------------------------------------- interpretation

#: Pedigree words (PEDI, _FREL/_MREL, our own kinds) -> PARENT_OF kind; None: not a parent.
_PEDIGREE: dict[str, str | None] = {
    "birth": "birth",
    "natural": "birth",
    "biological": "birth",
    "adopted": "adoptive",
    "adoptive": "adoptive",
    "foster": "foster",
    "step": "step",
    "stepchild": "step",
    "guardian": "guardian",
    "legal guardian": "guardian",
    "special guardian": "special_guardian",
    "kinship carer": "kinship_carer",
    "sealing": None,
    "sealed": None,
}
_DEFAULT_PEDIGREE = frozenset({"", "unknown", "private"})
_STATUS_CERTAINTY = {"challenged": "alleged", "disproven": "disputed", "proven": "confirmed"}
_CERTAINTIES = ("confirmed", "alleged", "disputed")
_PARENT_WORD = {
    "birth": "parent",
    "adoptive": "adoptive parent",
    "step": "step-parent",
    "foster": "foster parent",
    "special_guardian": "special guardian",
    "kinship_carer": "kinship carer",
    "guardian": "guardian",
}
_PARTNER_WORD = {
    None: "partner",
    "married": "spouse",
    "divorced": "ex-spouse",
    "civil_partnership": "civil partner",
    "cohabiting": "cohabitee",
    "engaged": "fiance",
    "separated": "ex-partner",
}
#: Statuses whose only record word also sets the sex of from_record.
_SEXED_PARTNER_WORD = {
    "dating": {Sex.MALE: "boyfriend", Sex.FEMALE: "girlfriend"},
    "widowed": {Sex.MALE: "widower", Sex.FEMALE: "widow"},
}
_SIBLING_WORD = {
    "": "sibling",
    "sibling": "sibling",
    "full": "full sibling",
    "half": "half-sibling",
    "step": "step-sibling",
    "adoptive": "adoptive sibling",
    "identical twin": "identical twin",
    "fraternal twin": "fraternal twin",
}
#: Association roles (5.5.1 RELA, 7.0 ROLE OTHER + PHRASE) that become relationships.
_ASSOCIATION_WORDS = {
    "lives with",
    "household member",
    "close",
    "distant",
    "conflict",
    "hostile",
    "cut off",
    "physical abuse",
    "emotional abuse",
    "sexual abuse",
    "neglect",
    "domestic abuse",
    "caretaker",
}
assert set(_PARENT_WORD) == set(PARENT_KINDS)
assert set(_PARTNER_WORD) | set(_SEXED_PARTNER_WORD) == {None, *PARTNER_STATUSES}


def _squash(text: str) -> str:
    """A pedigree or role word lower-cased, with '_' and '-' as single spaces."""
    return _SPACES.sub(" ", text.replace("_", " ").replace("-", " ")).strip().casefold()


@dataclass
class _ParentLink:
    """One PARENT_OF to be recorded, with the line and tag it was read from."""

    parent: str
    child: str
    kind: str
    certainty: str
    start: PartialDate | None
    end: PartialDate | None
    line: int
    tag: str


@dataclass
class _Adoption:
    """An ADOP event: the family it names (None: none), the adopters' roles, the date."""

    family: str | None
    roles: frozenset[str]
    date: PartialDate | None
    line: int


class _Reader:
    """Interprets the checked records of one file."""

    def __init__(self, file: str, source: str, index: dict[str, Node], version: str) -> None:
        self.file = file
        self.source = source
        self.index = index
        self.seven = version.startswith("7")
        self.warnings: list[GedcomWarning] = []
        self.facts: dict[str, list[tuple[str, str]]] = {}
        self.sex: dict[str, Sex] = {}

    # ---- values

    def unescape(self, value: str) -> str:
        """A payload with GEDCOM's '@@' escapes undone (7.0: only a leading one)."""
        if self.seven:
            return value[1:] if value.startswith("@@") else value
        return value.replace("@@", "@")

    def text(self, node: Node) -> str:
        """The node's text with CONC/CONT continuation lines joined, NFC-normalised."""
        parts = [self.unescape(node.value)]
        for child in node.children:
            if child.tag == "CONC":
                parts.append(self.unescape(child.value))
            elif child.tag == "CONT":
                parts.append("\n" + self.unescape(child.value))
        return _CONTROL.sub("", unicodedata.normalize("NFC", "".join(parts)))

    def word(self, node: Node | None) -> str:
        """A short value (name part, code), whitespace collapsed."""
        if node is None:
            return ""
        return _SPACES.sub(" ", self.text(node)).strip()

    def warn(self, line: int, reason: str) -> None:
        """Note a lenient reading at `line`."""
        self.warnings.append(GedcomWarning(line, reason))

    def date(self, node: Node | None, what: str) -> PartialDate | None:
        """The DATE below `node`, or None (with a warning when it cannot be read)."""
        date = node.first("DATE") if node is not None else None
        if date is None or not date.value.strip():
            return None
        try:
            return parse_gedcom_date(self.text(date))
        except DateProblem as exc:
            self.warn(date.line, f"{what} date not imported: {exc}")
            return None

    def span(self, node: Node | None, what: str) -> tuple[PartialDate | None, PartialDate | None]:
        """Start and end dates from our extension tags below `node`."""
        found: list[PartialDate | None] = []
        for tag in (EXT_START, EXT_END):
            sub = node.first(tag) if node is not None else None
            value = None
            if sub is not None:
                try:
                    value = parse_gedcom_date(self.text(sub))
                except DateProblem as exc:
                    self.warn(sub.line, f"{what} date not imported: {exc}")
            found.append(value)
        return found[0], found[1]

    @staticmethod
    def rid(xref: str) -> str:
        """The record id of an xref: ``@I1@`` -> ``I1``."""
        return xref[1:-1]

    # ---- people

    def person(self, node: Node) -> PersonRecord:
        """An INDI record as a PersonRecord; notes and extras go to `facts`."""
        assert node.xref is not None
        rid = self.rid(node.xref)
        given, family, aliases = self.names(node)
        sex_text = self.word(node.first("SEX")).upper()
        sex = {"M": Sex.MALE, "F": Sex.FEMALE}.get(sex_text, Sex.UNKNOWN)
        self.sex[node.xref] = sex
        if sex_text == "X":
            self.fact(rid, "sex_as_recorded", "X")
        birth = None
        for event in _events(node, "BIRT"):
            birth = self.date(event, "birth")
            if birth is not None:
                break
        if birth is None:
            for event in _events(node, "CHR", "BAPM"):
                found = self.date(event, "christening")
                if found is not None:
                    birth = replace(found, approximate=True)
                    break
        death = None
        for event in _events(node, "DEAT"):
            death = self.date(event, "death")
            if death is not None:
                break
        deceased = bool(_events(node, "DEAT", "BURI", "CREM"))
        for note in node.all("NOTE", "SNOTE"):
            text = self.note_text(note)
            if text:
                self.fact(rid, "note", text)
        return PersonRecord(
            source=self.source,
            record_id=rid,
            given_names=given,
            family_name=family,
            known_as=tuple(aliases),
            sex=sex,
            birth_date=birth,
            death_date=death,
            deceased=deceased,
            file=self.file,
            line=node.line,
        )

    def fact(self, rid: str, name: str, value: str) -> None:
        """Keep an extra fact for a record (once)."""
        facts = self.facts.setdefault(rid, [])
        if (name, value) not in facts:
            facts.append((name, value))

    def note_text(self, note: Node) -> str:
        """A NOTE's text, following a pointer to a NOTE/SNOTE record."""
        target = note.pointer
        if target == VOID:
            return ""
        if target is not None:
            return self.text(self.index[target]).strip()
        return self.text(note).strip()

    def names(self, node: Node) -> tuple[str | None, str | None, list[str]]:
        """Given names, family name and aliases from the NAME structures."""
        names = node.all("NAME")
        # The primary name is the first one not typed as an alias ("also known as").
        primary = next((n for n in names if self.word(n.first("TYPE")).upper() != "AKA"), None)
        aliases: list[str] = []
        given: str | None = None
        family: str | None = None
        for name in names:
            raw = self.text(name)
            g, f = _split_name(raw)
            givn, surn, spfx = (self.word(name.first(t)) for t in ("GIVN", "SURN", "SPFX"))
            # A "quoted" nickname inside the given names, unless GIVN states them exactly.
            nicks = [] if givn else _QUOTED.findall(g or "")
            if g and not givn:
                g = _clean(_QUOTED.sub(" ", g))
            nicks += [self.word(n) for n in name.all("NICK")]
            if name is primary:
                given = givn or g
                family = (f"{spfx} {surn}" if spfx and surn else surn) or f
            else:
                full = _clean(_QUOTED.sub(" ", raw).replace("/", " ").replace("_", " "))
                if full:
                    aliases.append(full)
            aliases += [n for n in (_clean(x) for x in nicks) if n]
        full_name = " ".join(p for p in (given, family) if p).casefold()
        unique: list[str] = []
        for alias in aliases:
            if alias.casefold() != full_name and alias not in unique:
                unique.append(alias)
        return given or None, family or None, unique

    # ---- families

    def relationships(
        self, people: dict[str, Node], families: dict[str, Node]
    ) -> list[RelationshipRecord]:
        """Every relationship record the families and associations imply."""
        partners: dict[str, list[tuple[str, str]]] = {x: [] for x in families}
        children: dict[str, list[str]] = {x: [] for x in families}
        chil_nodes: dict[tuple[str, str], Node] = {}
        for xref, fam in families.items():
            for node in fam.all("HUSB", "WIFE"):
                who = node.pointer
                if who and who != VOID and (who, node.tag) not in partners[xref]:
                    partners[xref].append((who, node.tag))
            for node in fam.all("CHIL"):
                who = node.pointer
                if who and who != VOID and who not in children[xref]:
                    children[xref].append(who)
                    chil_nodes[(xref, who)] = node
        famc: dict[tuple[str, str], Node] = {}
        adoptions: dict[str, list[_Adoption]] = {}
        for xref, indi in people.items():
            for node in indi.all("FAMS"):
                target = node.pointer
                if target and target != VOID and all(p != xref for p, _ in partners[target]):
                    role = "WIFE" if self.sex.get(xref) is Sex.FEMALE else "HUSB"
                    partners[target].append((xref, role))
            for node in indi.all("FAMC"):
                target = node.pointer
                if target and target != VOID:
                    famc.setdefault((target, xref), node)
                    if xref not in children[target]:
                        children[target].append(xref)
            for event in _events(indi, "ADOP"):
                adoptions.setdefault(xref, []).append(self.adoption(event))
        links = self.parent_links(families, partners, children, chil_nodes, famc, adoptions)
        links = self.descendants_first(links)
        records = [
            self.record(
                link.parent,
                _PARENT_WORD[link.kind],
                link.child,
                link.line,
                link.start,
                link.end,
                certainty=link.certainty,
            )
            for link in links
        ]
        records += self.partner_records(families, partners)
        records += self.sibling_records(families, partners, children)
        records += self.association_records(people)
        return records

    def adoption(self, event: Node) -> _Adoption:
        """An ADOP event's family, adopting roles and date."""
        fam_node = event.first("FAMC")
        family = fam_node.pointer if fam_node is not None else None
        if family == VOID:
            family = None
        roles = frozenset({"HUSB", "WIFE"})
        if fam_node is not None:
            who = self.word(fam_node.first("ADOP")).upper()
            if who in ("HUSB", "WIFE"):
                roles = frozenset({who})
        return _Adoption(family, roles, self.date(event, "adoption"), event.line)

    def parent_links(
        self,
        families: dict[str, Node],
        partners: dict[str, list[tuple[str, str]]],
        children: dict[str, list[str]],
        chil_nodes: dict[tuple[str, str], Node],
        famc: dict[tuple[str, str], Node],
        adoptions: dict[str, list[_Adoption]],
    ) -> list[_ParentLink]:
        """PARENT_OF links from each family's partners to its children, with kinds."""
        links: list[_ParentLink] = []
        seen: set[tuple[str, str, str]] = set()
        for fam, kids in children.items():
            for child in kids:
                link_node = famc.get((fam, child))
                chil = chil_nodes.get((fam, child))
                certainty = "confirmed"
                if link_node is not None:
                    stat = self.word(link_node.first("STAT")).casefold()
                    certainty = _STATUS_CERTAINTY.get(stat, "confirmed")
                ext_start, ext_end = self.span(link_node, "parent link")
                where = chil or link_node or families[fam]
                for parent, role in partners[fam]:
                    if parent == child:
                        raise InputError(
                            f"{child} is recorded as a parent of themselves",
                            file=self.file,
                            line=where.line,
                            field=where.tag,
                        )
                    kind, start = self.link_kind(fam, child, role, link_node, chil, adoptions)
                    if kind is None:
                        continue
                    start = start or ext_start
                    if start is None and kind == "adoptive":
                        start = next(
                            (
                                a.date
                                for a in adoptions.get(child, [])
                                if a.family is None and a.date is not None
                            ),
                            None,
                        )
                    key = (parent, child, kind)
                    if key in seen:
                        continue
                    seen.add(key)
                    links.append(
                        _ParentLink(
                            parent, child, kind, certainty, start, ext_end, where.line, where.tag
                        )
                    )
        adopted = {c for _, c, k in seen if k == "adoptive"}
        for child, events in adoptions.items():
            for event in events:
                if event.family is None and child not in adopted:
                    self.fact(self.rid(child), "adopted", event.date.iso() if event.date else "yes")
        return links

    def link_kind(
        self,
        fam: str,
        child: str,
        role: str,
        link_node: Node | None,
        chil: Node | None,
        adoptions: dict[str, list[_Adoption]],
    ) -> tuple[str | None, PartialDate | None]:
        """The PARENT_OF kind from one partner of `fam` to `child`, and its start date."""
        for event in adoptions.get(child, []):
            if event.family == fam and role in event.roles:
                return "adoptive", event.date
        if chil is not None:
            rel = chil.first("_FREL" if role == "HUSB" else "_MREL")
            if rel is not None:
                kind = self.pedigree(rel, self.word(rel))
                if kind != "":
                    return kind, None
        if link_node is not None:
            ours = link_node.first(EXT_PEDI)
            if ours is not None:
                kind = self.pedigree(ours, self.word(ours))
                if kind != "":
                    return kind, None
            pedi = link_node.first("PEDI")
            if pedi is not None:
                value = self.word(pedi)
                if value.upper() == "OTHER":
                    value = self.word(pedi.first("PHRASE")) or "other"
                kind = self.pedigree(pedi, value)
                if kind != "":
                    return kind, None
        return "birth", None

    def pedigree(self, node: Node, value: str) -> str | None:
        """A pedigree word as a PARENT_OF kind; '' means "not stated" (use the default)."""
        key = _squash(value)
        if key in _DEFAULT_PEDIGREE:
            return ""
        if key in _PEDIGREE:
            kind = _PEDIGREE[key]
            if kind is None:
                self.warn(node.line, "a sealing link has no equivalent; parent link not imported")
            return kind
        self.warn(node.line, "an unknown pedigree value; parent link not imported")
        return None

    def descendants_first(self, links: Sequence[_ParentLink]) -> list[_ParentLink]:
        """The links ordered so that a person's own parent links come after those of their
        descendants (the store's ancestor check then stays short); rejects links that make
        someone their own ancestor."""
        down: dict[str, list[_ParentLink]] = {}
        for link in links:
            down.setdefault(link.parent, []).append(link)
        finished: dict[str, int] = {}
        state: dict[str, int] = {}  # 1 visiting, 2 done
        for root in down:
            if state.get(root):
                continue
            stack: list[tuple[str, Iterator[_ParentLink]]] = [(root, iter(down.get(root, [])))]
            state[root] = 1
            while stack:
                person, it = stack[-1]
                step = next(it, None)
                if step is None:
                    state[person] = 2
                    finished[person] = len(finished)
                    stack.pop()
                    continue
                seen = state.get(step.child)
                if seen == 1:
                    raise InputError(
                        f"the parent links form a loop: {step.child} would be their own ancestor",
                        file=self.file,
                        line=step.line,
                        field=step.tag,
                    )
                if seen is None:
                    state[step.child] = 1
                    stack.append((step.child, iter(down.get(step.child, []))))
        return sorted(links, key=lambda link: finished[link.child])

    def record(
        self,
        a: str,
        word: str,
        b: str,
        line: int,
        start: PartialDate | None = None,
        end: PartialDate | None = None,
        certainty: str = "confirmed",
    ) -> RelationshipRecord:
        """A relationship record: `a` is the `word` of `b` (xrefs)."""
        return RelationshipRecord(
            source=self.source,
            from_record=self.rid(a),
            relationship=word,
            to_record=self.rid(b),
            start_date=start,
            end_date=end,
            certainty=certainty,
            file=self.file,
            line=line,
        )

    def certainty(self, fam: Node) -> str:
        """Our certainty extension below `fam` (or an ASSO), default confirmed."""
        node = fam.first(EXT_CERTAINTY)
        value = self.word(node).casefold()
        if node is not None and value not in _CERTAINTIES:
            self.warn(node.line, "an unknown certainty; read as confirmed")
        return value if value in _CERTAINTIES else "confirmed"

    def partnership(
        self, fam: Node
    ) -> tuple[bool, str | None, PartialDate | None, PartialDate | None]:
        """(partners?, status, start, end) of a family from its events or our extension."""
        ext = fam.first(EXT_STATUS)
        if ext is not None:
            value = _squash(self.word(ext)).replace(" ", "_")
            start, end = self.span(ext, "partnership")
            if value == "none":
                return False, None, None, None
            if value == "partner":
                return True, None, start, end
            if value in PARTNER_STATUSES:
                return True, value, start, end
            self.warn(ext.line, "an unknown partnership status; read as partners")
            return True, None, start, end
        marriages = [(self.date(e, "marriage"), e) for e in _events(fam, "MARR")]
        endings = [(self.date(e, "divorce"), e) for e in _events(fam, "DIV", "ANUL")]
        dated = [d for d, _ in marriages if d is not None]
        if endings:
            last_end = max((d for d, _ in endings if d is not None), default=None, key=_when)
            later = [d for d in dated if last_end is not None and _when(d) > _when(last_end)]
            if later:
                return True, "married", max(later, key=_when), None
            return True, "divorced", min(dated, default=None, key=_when), last_end
        if marriages:
            return True, "married", min(dated, default=None, key=_when), None
        if _events(fam, "DIVF"):
            return True, "separated", None, None
        engagements = _events(fam, "ENGA")
        if engagements:
            return True, "engaged", self.date(engagements[0], "engagement"), None
        return True, None, None, None

    def partner_records(
        self, families: dict[str, Node], partners: dict[str, list[tuple[str, str]]]
    ) -> list[RelationshipRecord]:
        """PARTNER_OF records: one per couple, from their most recent family."""
        best: dict[tuple[str, str], tuple[tuple[int, int], RelationshipRecord]] = {}
        for order, (xref, fam) in enumerate(families.items()):
            who = list(dict.fromkeys(p for p, _ in partners[xref]))
            if len(partners[xref]) >= 2 and len(who) == 1:
                self.warn(fam.line, "a family whose only partner appears twice; no partnership")
                continue
            if len(who) < 2:
                continue
            if len(who) > 2:
                self.warn(fam.line, "a family with more than two partners; each pair linked")
            together, status, start, end = self.partnership(fam)
            if not together:
                continue
            certainty = self.certainty(fam)
            for i, a in enumerate(who):
                for b in who[i + 1 :]:
                    record = self.partner_record(a, b, status, start, end, fam.line, certainty)
                    when = max((_when(d) for d in (start, end) if d), default=0)
                    pair = (min(a, b), max(a, b))
                    rank = (when, order)
                    if pair not in best or rank >= best[pair][0]:
                        best[pair] = (rank, record)
        return [record for _, record in best.values()]

    def partner_record(
        self,
        a: str,
        b: str,
        status: str | None,
        start: PartialDate | None,
        end: PartialDate | None,
        line: int,
        certainty: str,
    ) -> RelationshipRecord:
        """The record for a couple; sexed words (widow, girlfriend) need a known sex."""
        if status in _SEXED_PARTNER_WORD:
            words = _SEXED_PARTNER_WORD[status]
            for x, y in ((a, b), (b, a)):
                sex = self.sex.get(x, Sex.UNKNOWN)
                if sex in words:
                    return self.record(x, words[sex], y, line, start, end, certainty)
            self.warn(
                line, f"partnership status '{status}' needs a partner's sex; kept as partners"
            )
            status = None
        return self.record(a, _PARTNER_WORD[status], b, line, start, end, certainty)

    def sibling_records(
        self,
        families: dict[str, Node],
        partners: dict[str, list[tuple[str, str]]],
        children: dict[str, list[str]],
    ) -> list[RelationshipRecord]:
        """SIBLING_OF records between the children of families without partners."""
        records = []
        for xref, fam in families.items():
            kids = children[xref]
            if partners[xref] or len(kids) < 2:
                continue
            ext = fam.first(EXT_SIBLING)
            value = _squash(self.word(ext)).replace("_", " ") if ext is not None else ""
            word = _SIBLING_WORD.get(value)
            if word is None:
                assert ext is not None
                self.warn(ext.line, "an unknown sibling kind; read as siblings")
                word = "sibling"
            certainty = self.certainty(fam)
            for i, a in enumerate(kids):
                for b in kids[i + 1 :]:
                    records.append(self.record(a, word, b, fam.line, certainty=certainty))
        return records

    def association_records(self, people: dict[str, Node]) -> list[RelationshipRecord]:
        """INDI.ASSO lines whose role is a household or emotional/safeguarding word."""
        records = []
        for xref, indi in people.items():
            for asso in indi.all("ASSO"):
                other = asso.pointer
                if other is None or other in (VOID, xref) or other not in people:
                    continue
                role = asso.first("RELA")
                value = self.word(role)
                if role is None:
                    role = asso.first("ROLE")
                    value = self.word(role)
                    if value.upper() == "OTHER" and role is not None:
                        value = self.word(role.first("PHRASE"))
                key = _squash(value)
                if key not in _ASSOCIATION_WORDS:
                    self.warn(asso.line, "an association whose role genogram does not use; skipped")
                    continue
                start, end = self.span(asso, "association")
                records.append(
                    self.record(other, key, xref, asso.line, start, end, self.certainty(asso))
                )
        return records


def _events(node: Node, *tags: str) -> list[Node]:
    """The node's events with these tags, leaving out ``1 DIV N`` (PAF's "did not happen")."""
    return [e for e in node.all(*tags) if e.value.strip().upper() != "N"]


def _when(value: PartialDate) -> int:
    """A sortable day number for a partial date (its earliest day)."""
    return value.earliest().toordinal()


def _clean(text: str | None) -> str:
    """Whitespace collapsed and trimmed."""
    return _SPACES.sub(" ", text or "").strip()


def _split_name(value: str) -> tuple[str | None, str | None]:
    """``Given /Surname/ suffix`` as (given, surname); a suffix is kept with the given names.
    PAF's underscores that hold a name piece together (``Edward_VII``) become spaces."""
    value = value.replace("_", " ")
    if "/" not in value:
        return _clean(value) or None, None
    before, _, after = value.partition("/")
    surname, _, rest = after.partition("/")
    given = _clean(f"{before} {rest.replace('/', ' ')}")
    return given or None, _clean(surname) or None


def _check_source(source: str) -> str:
    """The source name, checked: it becomes the system part of SOURCE:RECORD_ID keys."""
    cleaned = source.strip()
    if not cleaned or ":" in cleaned or _CONTROL.search(cleaned) or len(cleaned) > 100:
        raise InputError(
            "the source name must be 1 to 100 characters without ':'; give --source NAME",
            field="--source",
        )
    return cleaned


def parse_gedcom(data: bytes, *, file: str, source: str) -> GedcomBatch:
    """Read a whole GEDCOM file's bytes; raises `InputError` (file and line) when malformed."""
    source = _check_source(source)
    text, codec, warnings = decode_gedcom(data, file)
    records, more = parse_records(text, file)
    warnings += more
    index = _check_structure(records, file)
    head = records[0]
    gedc = head.first("GEDC")
    vers = gedc.first("VERS") if gedc is not None else None
    version = _clean(vers.value) if vers is not None else ""
    if not version:
        warnings.append(GedcomWarning(head.line, "no GEDCOM version in the header; read as 5.5.1"))
        version = "5.5.1"
    elif not version.startswith(("5.", "7.")):
        warnings.append(GedcomWarning(vers.line if vers else head.line, "unknown GEDCOM version"))
    reader = _Reader(file, source, index, version)
    reader.warnings = warnings
    people = {r.xref: r for r in records if r.tag == "INDI" and r.xref}
    families = {r.xref: r for r in records if r.tag == "FAM" and r.xref}
    person_records = [reader.person(node) for node in people.values()]
    relationships = reader.relationships(people, families)
    return GedcomBatch(
        file=file,
        source=source,
        version=version,
        encoding=codec,
        people=person_records,
        relationships=relationships,
        facts=reader.facts,
        families=len(families),
        warnings=reader.warnings,
    )


def read_gedcom(path: Path, *, source: str | None = None) -> GedcomBatch:
    """Read and check a GEDCOM file; `source` defaults to the file's name (``royal92.ged``)."""
    data = read_bytes(path)
    return parse_gedcom(data, file=str(path), source=source if source is not None else path.name)


def ingest_gedcom(
    store: GraphStore, batch: GedcomBatch, *, progress: Progress | None = None
) -> IngestReport:
    """Ingest a read GEDCOM batch atomically through `ingest_records` (same matching and
    provenance as council records), then attach its notes and other facts to the people."""
    with store.transaction():
        report = ingest_records(store, batch.people, batch.relationships, progress=progress)
        keys = {p.record_id: p.key for p in batch.people}
        for rid, facts in batch.facts.items():
            key = keys[rid]
            pid = store.find_by_source(key)
            person = store.get_person(pid) if pid is not None else None
            if person is None:  # pragma: no cover - ingest_records stored every record
                continue
            evidence = Evidence(document=str(key), system=batch.source, method="gedcom")
            store.put_person(
                replace(
                    person,
                    facts=[Fact(name, value, evidence) for name, value in facts],
                    known_as=[],
                    sources=[],
                    addresses=[],
                )
            )
    report.warnings.extend(batch.warning_lines())
    return report
