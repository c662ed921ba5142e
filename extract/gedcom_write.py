"""Writing people and relationships as a GEDCOM 5.5.1 or 7.0 file that `extract.gedcom` (and
genealogy software) reads back.

Families are rebuilt from edges: partners share a FAM (MARR/DIV/ENGA for their status); a
child's parents of one kind and certainty share a FAM (FAMC.PEDI and STAT say the kind and
certainty); parents recorded together without a partnership get ``_GENOGRAM_STATUS none``;
siblings with no recorded parents share a FAM without partners. Household and emotional lines
become INDI.ASSO. What standard tags cannot say travels in ``_GENOGRAM_*`` extension tags
(declared in the 7.0 header's SCHMA). Addresses are never exported (they may be confidential).
Every value is escaped ('@' doubled, control characters dropped) and split with CONT at line
breaks and, in 5.5.1, with CONC at 255 characters.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from extract.gedcom import (
    EXT_CERTAINTY,
    EXT_END,
    EXT_PEDI,
    EXT_SIBLING,
    EXT_START,
    EXT_STATUS,
    format_gedcom_date,
)
from genogram.errors import GenogramError, InputError
from genogram.model import PartialDate, Person, Relationship, RelType, Sex
from genogram.query import relatives
from genogram.store import GraphStore

VERSIONS = ("5.5.1", "7.0")
#: 5.5.1's limit on a whole line, in characters.
MAX_LINE_551 = 255
_SCHEMA_URI = "urn:x-genogram:gedcom:"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_ASSOCIATION_WORD = {
    "close": "close",
    "distant": "distant",
    "conflict": "conflict",
    "hostile": "hostile",
    "cut_off": "cut off",
    "abuse_physical": "physical abuse",
    "abuse_emotional": "emotional abuse",
    "abuse_sexual": "sexual abuse",
    "neglect": "neglect",
    "domestic_abuse": "domestic abuse",
    "caretaker": "caretaker",
}
_STANDARD_PEDI = {"birth": "birth", "adoptive": "adopted", "foster": "foster"}
_STAT = {"alleged": "challenged", "disputed": "disproven"}


@dataclass
class ExportResult:
    """What was written: counts and the xref given to each person id (no personal data)."""

    path: Path
    version: str
    people: int
    families: int
    xrefs: dict[str, str]
    skipped: int = 0


#: A child's parents of one kind, certainty and dates share a family: (child, kind, ...).
_GroupKey = tuple[str, str, str, PartialDate | None, PartialDate | None]


@dataclass
class _Child:
    """A child's link to a family: kind (None in a sibling family), certainty, dates."""

    person: str
    kind: str | None  # None: a sibling family's member
    certainty: str = "confirmed"
    start: PartialDate | None = None
    end: PartialDate | None = None


@dataclass
class _Family:
    """A FAM to write: its parents, partnership or sibling edge, and children."""

    parents: tuple[str, ...]
    partner: Relationship | None = None
    children: list[_Child] = field(default_factory=list)
    sibling: Relationship | None = None
    xref: str = ""


class _Lines:
    """GEDCOM lines for one version, with escaping and CONT/CONC splitting."""

    def __init__(self, version: str) -> None:
        self.seven = version.startswith("7")
        self.out: list[str] = []

    def escape(self, text: str) -> str:
        """The version's '@' escaping of a line value."""
        if self.seven:
            return "@" + text if text.startswith("@") else text
        return text.replace("@", "@@")

    def add(self, level: int, tag: str, value: str = "", xref: str | None = None) -> None:
        """One logical line: `value` may hold line breaks (CONT) and be long (CONC in 5.5.1)."""
        text = _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
        for i, piece in enumerate(text.split("\n")):
            lvl, tg = (level, tag) if i == 0 else (level + 1, "CONT")
            prefix = f"{lvl} {xref} {tg}" if xref and i == 0 else f"{lvl} {tg}"
            if self.seven:
                self._emit(prefix, self.escape(piece))
                continue
            chunks = _split_551(piece, MAX_LINE_551 - len(prefix) - 1, MAX_LINE_551 - 7)
            self._emit(prefix, chunks[0].replace("@", "@@"))
            for chunk in chunks[1:]:
                self._emit(f"{level + 1} CONC", chunk.replace("@", "@@"))

    def pointer(self, level: int, tag: str, xref: str) -> None:
        """A line whose value is a cross-reference (never escaped)."""
        self.out.append(f"{level} {tag} {xref}")

    def _emit(self, prefix: str, value: str) -> None:
        """Append one physical line."""
        self.out.append(f"{prefix} {value}" if value else prefix)


def _split_551(text: str, first: int, rest: int) -> list[str]:
    """Split `text` into pieces whose escaped length fits (first piece `first`, others
    `rest`), never at a space (some readers trim spaces at the ends of CONC pieces)."""
    pieces: list[str] = []
    budget = first
    start = 0
    while len(text) - start > 0:
        size = 0
        end = start
        while end < len(text) and size + (2 if text[end] == "@" else 1) <= budget:
            size += 2 if text[end] == "@" else 1
            end += 1
        if end < len(text):
            cut = end
            while cut > start + 1 and (text[cut - 1] == " " or text[cut] == " "):
                cut -= 1
            if cut > start + 1:
                end = cut
        pieces.append(text[start:end])
        start = end
        budget = rest
    return pieces or [""]


def _date_value(value: PartialDate) -> str:
    """A PartialDate as a GEDCOM date value."""
    return format_gedcom_date(value)


def _span(lines: _Lines, level: int, start: PartialDate | None, end: PartialDate | None) -> None:
    """Start and end dates that no standard tag carries, in our extension tags."""
    if start is not None:
        lines.add(level, EXT_START, _date_value(start))
    if end is not None:
        lines.add(level, EXT_END, _date_value(end))


def _roles(parents: Sequence[str], people: dict[str, Person]) -> list[tuple[str, str]]:
    """(person, HUSB|WIFE) for a family's parents: a man HUSB and a woman WIFE where that
    fits, otherwise in order (GEDCOM 7 reads HUSB/WIFE as partner 1 and 2)."""
    if len(parents) == 1:
        only = parents[0]
        return [(only, "WIFE" if people[only].sex is Sex.FEMALE else "HUSB")]
    a, b = parents
    if people[a].sex is Sex.FEMALE or people[b].sex is Sex.MALE:
        a, b = b, a
    return [(a, "HUSB"), (b, "WIFE")]


def build_gedcom(
    people: Sequence[Person],
    relationships: Sequence[Relationship],
    *,
    version: str = "5.5.1",
    today: date | None = None,
) -> tuple[str, dict[str, str], int, int]:
    """The GEDCOM text for these people and the relationships among them.

    Returns (text, person id -> xref, number of families, relationships left out because
    GEDCOM cannot carry them: RELATES_TO without a kind).
    """
    if version not in VERSIONS:
        raise InputError(f"GEDCOM version must be one of {', '.join(VERSIONS)}", field="--version")
    by_id = {p.id: p for p in sorted(people, key=lambda p: p.id)}
    xrefs = {pid: f"@I{i}@" for i, pid in enumerate(by_id, start=1)}
    rels = sorted(
        (r for r in relationships if r.from_id in by_id and r.to_id in by_id), key=lambda r: r.id
    )
    families: dict[tuple[str, ...], _Family] = {}
    sibling_families: list[_Family] = []
    associations: dict[str, list[tuple[str, str, Relationship]]] = {}
    skipped = 0

    def family(parents: Iterable[str]) -> _Family:
        """The family for these parents, created on first use."""
        key = tuple(sorted(parents))
        if key not in families:
            families[key] = _Family(key)
        return families[key]

    partners: dict[str, set[str]] = {}
    for rel in rels:
        if rel.type is RelType.PARTNER_OF:
            family((rel.from_id, rel.to_id)).partner = rel
            partners.setdefault(rel.from_id, set()).add(rel.to_id)
            partners.setdefault(rel.to_id, set()).add(rel.from_id)
    parent_groups: dict[_GroupKey, list[str]] = {}
    for rel in rels:
        if rel.type is RelType.PARENT_OF:
            key = (rel.to_id, rel.kind or "birth", rel.certainty, rel.start_date, rel.end_date)
            parent_groups.setdefault(key, []).append(rel.from_id)
        elif rel.type is RelType.SIBLING_OF:
            fam = _Family((), sibling=rel)
            fam.children = [_Child(rel.from_id, None), _Child(rel.to_id, None)]
            sibling_families.append(fam)
        elif rel.type is RelType.LIVES_WITH:
            associations.setdefault(rel.to_id, []).append((rel.from_id, "lives with", rel))
        elif rel.type is RelType.RELATES_TO:
            word = _ASSOCIATION_WORD.get(rel.kind or "")
            if word is None:
                skipped += 1
                continue
            associations.setdefault(rel.to_id, []).append((rel.from_id, word, rel))
    for (child, kind, certainty, start, end), parents in sorted(
        parent_groups.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2], str(kv[0][3:]))
    ):
        for group in _pairs(sorted(set(parents)), partners):
            family(group).children.append(_Child(child, kind, certainty, start, end))
    ordered = [families[k] for k in sorted(families)] + sibling_families
    for i, fam in enumerate(ordered, start=1):
        fam.xref = f"@F{i}@"
    lines = _Lines(version)
    _header(lines, version, today or date.today())
    famc: dict[str, list[tuple[_Family, _Child]]] = {}
    fams: dict[str, list[_Family]] = {}
    for fam in ordered:
        for parent in fam.parents:
            fams.setdefault(parent, []).append(fam)
        for kid in fam.children:
            famc.setdefault(kid.person, []).append((fam, kid))
    for pid, person in by_id.items():
        _individual(lines, person, xrefs, famc.get(pid, []), fams.get(pid, []), by_id)
        for other, word, rel in associations.get(pid, []):
            lines.pointer(1, "ASSO", xrefs[other])
            if lines.seven:
                lines.add(2, "ROLE", "OTHER")
                lines.add(3, "PHRASE", word)
            else:
                lines.add(2, "RELA", word)
            _span(lines, 2, rel.start_date, rel.end_date)
            _certainty(lines, 2, rel.certainty)
    for fam in ordered:
        _family(lines, fam, xrefs, by_id)
    lines.out.append("0 TRLR")
    return (
        "\n".join(lines.out) + "\n",
        {k: v[1:-1] for k, v in xrefs.items()},
        len(ordered),
        skipped,
    )


def _pairs(parents: list[str], partners: dict[str, set[str]]) -> list[tuple[str, ...]]:
    """Group a child's parents of one kind into families of at most two, partners together."""
    if len(parents) <= 2:
        return [tuple(parents)]
    groups: list[tuple[str, ...]] = []
    left = list(parents)
    while left:
        first = left.pop(0)
        mate = next((p for p in left if p in partners.get(first, set())), None)
        if mate is not None:
            left.remove(mate)
            groups.append((first, mate))
        else:
            groups.append((first,))
    return groups


def _header(lines: _Lines, version: str, today: date) -> None:
    """HEAD (and, for 5.5.1, the required SUBM record)."""
    lines.add(0, "HEAD")
    if lines.seven:
        lines.add(1, "GEDC")
        lines.add(2, "VERS", "7.0")
        lines.add(1, "SCHMA")
        for tag in (EXT_STATUS, EXT_SIBLING, EXT_CERTAINTY, EXT_START, EXT_END):
            lines.add(2, "TAG", f"{tag} {_SCHEMA_URI}{tag.lower()}")
    lines.add(1, "SOUR", "GENOGRAM")
    lines.add(2, "NAME", "genogram")
    lines.add(1, "DATE", format_gedcom_date(PartialDate(today.year, today.month, today.day)))
    if not lines.seven:
        lines.pointer(1, "SUBM", "@U1@")
        lines.add(1, "GEDC")
        lines.add(2, "VERS", "5.5.1")
        lines.add(2, "FORM", "LINEAGE-LINKED")
        lines.add(1, "CHAR", "UTF-8")
        lines.add(0, "SUBM", xref="@U1@")
        lines.add(1, "NAME", "genogram")


def _individual(
    lines: _Lines,
    person: Person,
    xrefs: dict[str, str],
    famc: list[tuple[_Family, _Child]],
    fams: list[_Family],
    people: dict[str, Person],
) -> None:
    """One INDI record with its names, dates, family links and notes."""
    seven = lines.seven
    lines.add(0, "INDI", xref=xrefs[person.id])
    given, family = person.given_names or "", person.family_name or ""
    if given or family:
        shown = given.replace("/", " ")
        if family:
            shown = f"{shown} /{family.replace('/', ' ')}/".strip()
        lines.add(1, "NAME", shown)
        if given:
            lines.add(2, "GIVN", given)
        if family:
            lines.add(2, "SURN", family)
    for alias in person.known_as:
        lines.add(1, "NAME", alias.replace("/", " "))
        lines.add(2, "TYPE", "AKA" if seven else "aka")
    lines.add(1, "SEX", {Sex.MALE: "M", Sex.FEMALE: "F"}.get(person.sex, "U"))
    if person.birth_date is not None:
        lines.add(1, "BIRT")
        lines.add(2, "DATE", _date_value(person.birth_date))
    if person.death_date is not None:
        lines.add(1, "DEAT")
        lines.add(2, "DATE", _date_value(person.death_date))
    elif person.deceased:
        lines.add(1, "DEAT", "Y")
    for fam, kid in famc:
        if kid.kind == "adoptive" and kid.start is not None:
            lines.add(1, "ADOP")
            lines.add(2, "DATE", _date_value(kid.start))
            lines.pointer(2, "FAMC", fam.xref)
            roles = _roles(fam.parents, people)
            lines.add(3, "ADOP", "BOTH" if len(roles) == 2 else roles[0][1])
    for fam, kid in famc:
        lines.pointer(1, "FAMC", fam.xref)
        if kid.kind is not None:
            standard = _STANDARD_PEDI.get(kid.kind)
            if standard is not None:
                lines.add(2, "PEDI", standard.upper() if seven else standard)
            elif seven:
                lines.add(2, "PEDI", "OTHER")
                lines.add(3, "PHRASE", kid.kind)
            else:
                lines.add(2, EXT_PEDI, kid.kind)
            stat = _STAT.get(kid.certainty)
            if stat is not None:
                lines.add(2, "STAT", stat.upper() if seven else stat)
            adopted = kid.kind == "adoptive" and kid.start is not None
            _span(lines, 2, None if adopted else kid.start, kid.end)
    for fam in fams:
        lines.pointer(1, "FAMS", fam.xref)
    for fact in person.facts:
        if fact.field == "note":
            lines.add(1, "NOTE", fact.value)
    lines.add(1, "REFN", person.id)
    lines.add(2, "TYPE", "genogram person id")


def _family(lines: _Lines, fam: _Family, xrefs: dict[str, str], people: dict[str, Person]) -> None:
    """One FAM record with partners, children and the partnership's events."""
    lines.add(0, "FAM", xref=fam.xref)
    if fam.parents:
        for pid, role in _roles(fam.parents, people):
            lines.pointer(1, role, xrefs[pid])
    for kid in fam.children:
        lines.pointer(1, "CHIL", xrefs[kid.person])
    if fam.sibling is not None:
        sib = fam.sibling
        value = f"{sib.twin} twin" if sib.twin else (sib.kind or "sibling")
        lines.add(1, EXT_SIBLING, value)
        _certainty(lines, 1, sib.certainty)
        return
    rel = fam.partner
    if rel is None:
        if len(fam.parents) == 2:
            lines.add(1, EXT_STATUS, "none")
        return
    status, start, end = rel.kind, rel.start_date, rel.end_date
    in_order = start is None or end is None or start.earliest() <= end.earliest()
    if status == "married" and end is None:
        _event(lines, "MARR", start)
    elif status == "divorced" and in_order:
        _event(lines, "MARR", start)
        _event(lines, "DIV", end)
    elif status == "engaged" and end is None:
        _event(lines, "ENGA", start)
    elif status is not None or start is not None or end is not None:
        lines.add(1, EXT_STATUS, status or "partner")
        _span(lines, 2, start, end)
    _certainty(lines, 1, rel.certainty)


def _event(lines: _Lines, tag: str, when: PartialDate | None) -> None:
    """An event line: with a DATE when known, else ``Y`` (it happened)."""
    if when is None:
        lines.add(1, tag, "Y")
    else:
        lines.add(1, tag)
        lines.add(2, "DATE", _date_value(when))


def _certainty(lines: _Lines, level: int, certainty: str) -> None:
    """Our certainty extension, when not confirmed."""
    if certainty != "confirmed":
        lines.add(level, EXT_CERTAINTY, certainty)


def select_people(
    store: GraphStore, subject_id: str | None, max_degree: int
) -> tuple[list[Person], list[Relationship]]:
    """Everyone (subject None) or the subject and their relatives up to `max_degree`, with the
    relationships among them."""
    if subject_id is None:
        return list(store.persons()), list(store.relationships())
    chosen = {subject_id} | {r.person_id for r in relatives(store, subject_id, max_degree)}
    people, rels = store.neighbourhood(subject_id, max(1, max_degree))
    return (
        [p for p in people if p.id in chosen],
        [r for r in rels if r.from_id in chosen and r.to_id in chosen],
    )


def write_gedcom(
    path: Path,
    people: Sequence[Person],
    relationships: Sequence[Relationship],
    *,
    version: str = "5.5.1",
) -> ExportResult:
    """Write the GEDCOM file atomically (a temporary file renamed over `path`), UTF-8."""
    text, xrefs, families, skipped = build_gedcom(people, relationships, version=version)
    folder = path.parent
    try:
        handle, tmp = tempfile.mkstemp(prefix=".genogram-", suffix=".ged", dir=folder)
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
                out.write(text)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise GenogramError(f"{path}: cannot be written ({exc.strerror or 'I/O error'})") from None
    return ExportResult(path, version, len(xrefs), families, xrefs, skipped)
