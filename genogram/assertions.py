"""Typed results of reading inputs, each carrying its provenance.

`extract/` produces these; `genogram.resolve` turns them into people and relationships in a
store. Line numbers are kept so that a problem found later can still be reported precisely.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from genogram.model import PartialDate, Sex, SourceKey


@dataclass(frozen=True)
class PersonRecord:
    """One row of a council system's people export (DESIGN §4 people columns)."""

    source: str
    record_id: str
    given_names: str | None = None
    family_name: str | None = None
    known_as: tuple[str, ...] = ()
    sex: Sex = Sex.UNKNOWN
    birth_date: PartialDate | None = None
    death_date: PartialDate | None = None
    deceased: bool = False
    address: str | None = None
    postcode: str | None = None
    address_confidential: bool = False
    file: str = ""
    line: int = 0
    #: Notes on how a value was read, e.g. ("birth_date", "day and month swapped").
    warnings: tuple[tuple[str, str], ...] = ()

    @property
    def key(self) -> SourceKey:
        """The record's source key, e.g. ``CSC:1001``."""
        return SourceKey(self.source, self.record_id)


@dataclass(frozen=True)
class RelationshipRecord:
    """One row of a relationships export: "from_record is the <relationship> of to_record"."""

    source: str
    from_record: str
    relationship: str
    to_record: str
    start_date: PartialDate | None = None
    end_date: PartialDate | None = None
    certainty: str = "confirmed"
    file: str = ""
    line: int = 0

    @property
    def from_key(self) -> SourceKey:
        """Source key of the person the relationship word describes."""
        return SourceKey(self.source, self.from_record)

    @property
    def to_key(self) -> SourceKey:
        """Source key of the person the relationship is relative to."""
        return SourceKey(self.source, self.to_record)


@dataclass(frozen=True)
class Note:
    """A case note: `subject` is the child it is about (person id, SOURCE:ID or a name)."""

    id: str
    subject: str
    text: str
    date: str | None = None
    author: str | None = None
    file: str = ""
    line: int = 0


@dataclass(frozen=True)
class KinMention:
    """A relative found in a case note.

    Reads as: the person called `name` (None when unnamed, e.g. "her maternal grandmother")
    is the `term` (a canonical DESIGN §3 term such as ``maternal grandmother``) of `anchor`
    (None = the note's subject; otherwise a name as written, as in "Liam's brother Sean").
    `span` is the character span of the mention in the note text, `sentence_span` that of the
    quoted sentence `quote`.
    """

    term: str
    name: str | None
    anchor: str | None
    note_id: str
    quote: str
    span: tuple[int, int]
    sentence_span: tuple[int, int]
    certainty: str = "confirmed"
    deceased: bool = False
    age: int | None = None
    status: str | None = None
    confidence: float = 0.8
    method: str = "spacy:kinship"
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
