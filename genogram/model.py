"""The data model of DESIGN §3: people, relationships, provenance, partial dates.

Plain dataclasses with no I/O, shared by every other package. Relationship types and their
attribute values are closed vocabularies (they are also the allow-list for Cypher types).
"""

from __future__ import annotations

import calendar
import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any


class Sex(StrEnum):
    """Recorded sex: drives the genogram symbol (square, circle, diamond)."""

    FEMALE = "female"
    MALE = "male"
    UNKNOWN = "unknown"


class RelType(StrEnum):
    """The closed vocabulary of relationship types (DESIGN §3)."""

    PARENT_OF = "PARENT_OF"
    PARTNER_OF = "PARTNER_OF"
    SIBLING_OF = "SIBLING_OF"
    LIVES_WITH = "LIVES_WITH"
    RELATES_TO = "RELATES_TO"


PARENT_KINDS = (
    "birth",
    "adoptive",
    "step",
    "foster",
    "special_guardian",
    "kinship_carer",
    "guardian",
)
CERTAINTIES = ("confirmed", "alleged", "disputed")
PARTNER_STATUSES = (
    "married",
    "civil_partnership",
    "cohabiting",
    "dating",
    "engaged",
    "separated",
    "divorced",
    "widowed",
)
SIBLING_KINDS = ("full", "half", "step", "adoptive")
TWIN_KINDS = ("identical", "fraternal")
RELATES_KINDS = (
    "close",
    "distant",
    "conflict",
    "hostile",
    "cut_off",
    "abuse_physical",
    "abuse_emotional",
    "abuse_sexual",
    "neglect",
    "domestic_abuse",
    "caretaker",
)

#: Allowed values of `Relationship.kind` per type (None is always allowed: "not stated").
KINDS: dict[RelType, tuple[str, ...]] = {
    RelType.PARENT_OF: PARENT_KINDS,
    RelType.PARTNER_OF: PARTNER_STATUSES,
    RelType.SIBLING_OF: SIBLING_KINDS,
    RelType.LIVES_WITH: (),
    RelType.RELATES_TO: RELATES_KINDS,
}

#: Older than this with no death recorded, a person's current age is shown as unknown: the
#: records have probably missed the death (a 1992 family tree read in 2026).
MAX_PLAUSIBLE_AGE = 110

#: Types whose direction carries no meaning; their endpoints are stored in sorted order.
SYMMETRIC = frozenset({RelType.PARTNER_OF, RelType.SIBLING_OF, RelType.LIVES_WITH})

_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(~)?$")


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to the year, the month or the day, possibly approximate.

    Stored and printed in ISO 8601 / EDTF form: ``1994``, ``1994-07``, ``1994-07-02``, with a
    trailing ``~`` when approximate (``1990~``).
    """

    year: int
    month: int | None = None
    day: int | None = None
    approximate: bool = False

    def __post_init__(self) -> None:
        if not 1000 <= self.year <= 9999:
            raise ValueError("year out of range")
        if self.month is None and self.day is not None:
            raise ValueError("a day needs a month")
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError("month out of range")
        if self.day is not None:
            assert self.month is not None
            last = calendar.monthrange(self.year, self.month)[1]
            if not 1 <= self.day <= last:
                raise ValueError("day out of range for the month")

    def iso(self) -> str:
        """EDTF text, for storage and JSON."""
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text + ("~" if self.approximate else "")

    def __str__(self) -> str:
        return self.iso()

    @classmethod
    def from_iso(cls, text: str) -> PartialDate:
        """Parse the form written by `iso()`; raises ValueError otherwise."""
        m = _ISO.match(text.strip())
        if not m:
            raise ValueError("not an ISO/EDTF partial date")
        year, month, day, approx = m.groups()
        return cls(
            int(year),
            int(month) if month else None,
            int(day) if day else None,
            approx is not None,
        )

    def earliest(self) -> date:
        """The first day this partial date can mean (for sorting and ages)."""
        return date(self.year, self.month or 1, self.day or 1)

    def age_on(self, when: date) -> int | None:
        """Completed years on `when`, or None if the date is too vague to say."""
        if self.month is None or self.day is None:
            years = when.year - self.year
            return years if years >= 0 else None
        born = date(self.year, self.month, self.day)
        years = when.year - born.year - ((when.month, when.day) < (born.month, born.day))
        return years if years >= 0 else None


@dataclass(frozen=True)
class SourceKey:
    """A record's key in its source system, e.g. ``CSC:1001``."""

    system: str
    record_id: str

    def __str__(self) -> str:
        return f"{self.system}:{self.record_id}"


@dataclass(frozen=True)
class Evidence:
    """Where a fact comes from: a record or a note sentence, how it was read, how sure.

    `document` is a record key (``CSC:1001``) or a note id; `quote` and `span` are the sentence
    (character offsets into the note text) for notes. `asserted` holds what this source said
    about the attributes (for example ``{"status": "separated"}``) so conflicts stay visible.
    """

    document: str
    system: str
    method: str
    quote: str | None = None
    span: tuple[int, int] | None = None
    date: str | None = None
    author: str | None = None
    confidence: float = 1.0
    asserted: tuple[tuple[str, str], ...] = ()

    def key(self) -> tuple[str, str, str, int, int]:
        """Identity used to de-duplicate evidence on re-ingest."""
        start, end = self.span if self.span is not None else (-1, -1)
        return (self.document, self.system, self.method, start, end)


@dataclass
class Address:
    """A postal address; `confidential` ones (a carer's placement) are withheld on export."""

    text: str
    postcode: str | None = None
    confidential: bool = False
    start: PartialDate | None = None
    end: PartialDate | None = None


@dataclass(frozen=True)
class Fact:
    """One source's value for one person attribute, kept even when sources disagree."""

    field: str
    value: str
    evidence: Evidence


@dataclass
class Person:
    """A real (or implied) person. The scalar fields hold the current best values; `facts`
    holds every source's value side by side."""

    id: str
    given_names: str | None = None
    family_name: str | None = None
    known_as: list[str] = field(default_factory=list)
    sex: Sex = Sex.UNKNOWN
    birth_date: PartialDate | None = None
    death_date: PartialDate | None = None
    deceased: bool = False
    addresses: list[Address] = field(default_factory=list)
    sources: list[SourceKey] = field(default_factory=list)
    implied: bool = False
    implied_label: str | None = None
    facts: list[Fact] = field(default_factory=list)

    @property
    def name(self) -> str | None:
        """Full display name, or None when no name is known."""
        parts = [p for p in (self.given_names, self.family_name) if p]
        if parts:
            return " ".join(parts)
        if self.known_as:
            return self.known_as[0]
        return None

    def age_on(self, when: date) -> int | None:
        """Age in completed years on `when`, or at death for the deceased; None when unknown,
        including a living person who would be implausibly old (no death was recorded)."""
        if self.birth_date is None:
            return None
        if self.death_date is not None:
            end = self.death_date
            if end.month is None or end.day is None:
                years = end.year - self.birth_date.year
                return years if years >= 0 else None
            return self.birth_date.age_on(date(end.year, end.month, end.day))
        if self.deceased:
            return None
        age = self.birth_date.age_on(when)
        return age if age is not None and age <= MAX_PLAUSIBLE_AGE else None

    @property
    def first_name(self) -> str | None:
        """The first given name (or first alias), used to label mentions."""
        if self.given_names:
            return self.given_names.split()[0]
        if self.known_as:
            return self.known_as[0].split()[0]
        return None


def stable_id(prefix: str, *parts: str) -> str:
    """A deterministic id from its defining parts, so re-ingest gives the same ids."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return f"{prefix}{digest[:12]}"


def person_id_for(key: SourceKey | str) -> str:
    """The id of a person first created from this source key or mention key."""
    return stable_id("P", str(key))


@dataclass
class Relationship:
    """An edge of the family graph with its attributes and every source that supports it.

    Direction: PARENT_OF goes parent -> child; RELATES_TO goes from the person acting to the
    person affected (perpetrator -> victim, carer -> cared-for); symmetric types are stored
    with sorted endpoints. `kind` carries the type's qualifier: parent kind, sibling kind,
    partner status or emotional/safeguarding kind (see `KINDS`).
    """

    type: RelType
    from_id: str
    to_id: str
    kind: str | None = None
    certainty: str = "confirmed"
    start_date: PartialDate | None = None
    end_date: PartialDate | None = None
    twin: str | None = None
    evidence: list[Evidence] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.type = RelType(self.type)
        if self.kind is not None and self.kind not in KINDS[self.type]:
            raise ValueError(f"kind {self.kind!r} is not allowed on {self.type.value}")
        if self.certainty not in CERTAINTIES:
            raise ValueError(f"certainty {self.certainty!r} is not one of {CERTAINTIES}")
        if self.twin is not None and self.twin not in TWIN_KINDS:
            raise ValueError(f"twin {self.twin!r} is not one of {TWIN_KINDS}")
        if self.from_id == self.to_id:
            raise ValueError("a relationship needs two different people")
        if self.type in SYMMETRIC and self.from_id > self.to_id:
            self.from_id, self.to_id = self.to_id, self.from_id

    @property
    def id(self) -> str:
        """Stable identity: type, endpoints and (except for partners/households) kind."""
        qualifier = "" if self.type in (RelType.PARTNER_OF, RelType.LIVES_WITH) else self.kind
        return stable_id("R", self.type.value, self.from_id, self.to_id, qualifier or "")

    def other(self, person_id: str) -> str:
        """The endpoint that is not `person_id`."""
        return self.to_id if person_id == self.from_id else self.from_id

    def attributes(self) -> dict[str, Any]:
        """The relationship's attributes as plain values (for storage and JSON)."""
        return {
            "kind": self.kind,
            "certainty": self.certainty,
            "start_date": self.start_date.iso() if self.start_date else None,
            "end_date": self.end_date.iso() if self.end_date else None,
            "twin": self.twin,
        }


@dataclass(frozen=True)
class Document:
    """A case note or record file that was ingested (metadata only; text stays in the quotes)."""

    id: str
    system: str
    subject: str | None = None
    date: str | None = None
    author: str | None = None
    sha256: str | None = None


@dataclass(frozen=True)
class MatchDecision:
    """A matching outcome between a stored person and an incoming record or mention.

    `decision` is ``merge`` (same person, linked), ``review`` (kept apart, waiting for a person
    to decide), ``distinct`` or ``new``. The score and its components are kept for review.
    """

    person_id: str
    candidate: str
    score: float
    decision: str
    method: str
    detail: tuple[tuple[str, float], ...] = ()
    other_person_id: str | None = None


@dataclass(frozen=True)
class AuditEntry:
    """One line of the append-only audit log: who did what to whose record, and when.

    `subject` is a person id (never a name); `detail` holds no personal data (for example the
    redactions applied, or an output format).
    """

    time: str
    actor: str
    action: str
    subject: str | None
    outcome: str
    detail: str | None = None


@dataclass(frozen=True)
class Decision:
    """A person's decision about identity (merge, split, accept or reject a review pair),
    kept with who made it and when; `snapshot` (JSON) holds what a split needs to restore."""

    id: str
    action: str
    person_ids: tuple[str, ...]
    actor: str
    time: str
    snapshot: str | None = None
    undone_by: str | None = None
