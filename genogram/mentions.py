"""Relation mentions: households and emotional or safeguarding lines found in a case note.

A `KinMention` says how someone is related by kinship; a `RelationMention` says something else
about two people that a genogram draws: that they live together (``LIVES_WITH``) or an
emotional or safeguarding line between them (``RELATES_TO`` with a kind such as
``domestic_abuse``, ``conflict`` or ``cut_off``). Each end is a `Party`: the note's subject, a
person named in the note, or the relative one of the note's kin mentions describes.
`genogram.resolve.ingest_notes` turns them into edges carrying the sentence as evidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from genogram.model import KINDS, RelType

#: The relation types a note can assert besides kinship.
RELATION_TYPES = (RelType.LIVES_WITH, RelType.RELATES_TO)


@dataclass(frozen=True)
class Party:
    """One end of a relation mention.

    All fields None means the note's subject. `mention_span` is the `span` of a `KinMention`
    of the same note (the relative it describes, named or not); otherwise `name` is a person's
    name as written. `term` is the kin term relative to the subject when known (for reading
    and evaluation only; resolution uses the span or the name).
    """

    name: str | None = None
    mention_span: tuple[int, int] | None = None
    term: str | None = None

    @property
    def is_subject(self) -> bool:
        """Whether this party is the note's subject."""
        return self.name is None and self.mention_span is None


SUBJECT = Party()


@dataclass(frozen=True)
class RelationMention:
    """A household or emotional/safeguarding relation between two people, from a note.

    Reads as: `source` has a `type` relation of `kind` with `target`. For ``RELATES_TO`` the
    direction matters (from the person acting to the person affected: perpetrator -> victim);
    ``LIVES_WITH`` is symmetric and has no kind. `span` covers the words that state the
    relation, `sentence_span` the quoted sentence `quote`.
    """

    type: RelType
    kind: str | None
    source: Party
    target: Party
    note_id: str
    quote: str
    span: tuple[int, int]
    sentence_span: tuple[int, int]
    certainty: str = "confirmed"
    confidence: float = 0.75
    method: str = "spacy:relations"
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        if self.type not in RELATION_TYPES:
            raise ValueError("a relation mention is LIVES_WITH or RELATES_TO")
        if self.kind is not None and self.kind not in KINDS[self.type]:
            raise ValueError("kind not allowed for this relation type")
