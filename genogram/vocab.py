"""Relationship words used in structured records, mapped onto the closed vocabulary.

A relationships row reads "from_record is the <word> of to_record". Councils spell the same
word many ways ("step parent", "Step-Parent", "stepparent"), so lookup ignores case, spaces,
hyphens and underscores. An unknown word is a user error, never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from genogram.model import RelType, Sex


@dataclass(frozen=True)
class RecordRelation:
    """How one record relationship word becomes an edge.

    `reverse` means the edge runs to_record -> from_record (for example "daughter": the
    to_record person is the parent). `from_sex` is the sex the word implies for from_record.
    """

    type: RelType
    kind: str | None = None
    reverse: bool = False
    from_sex: Sex | None = None
    twin: str | None = None


_F, _M = Sex.FEMALE, Sex.MALE
_P, _PA, _S, _H, _R = (
    RelType.PARENT_OF,
    RelType.PARTNER_OF,
    RelType.SIBLING_OF,
    RelType.LIVES_WITH,
    RelType.RELATES_TO,
)

_WORDS: dict[str, RecordRelation] = {
    # parents
    "mother": RecordRelation(_P, "birth", from_sex=_F),
    "mum": RecordRelation(_P, "birth", from_sex=_F),
    "birth mother": RecordRelation(_P, "birth", from_sex=_F),
    "father": RecordRelation(_P, "birth", from_sex=_M),
    "dad": RecordRelation(_P, "birth", from_sex=_M),
    "birth father": RecordRelation(_P, "birth", from_sex=_M),
    "parent": RecordRelation(_P, "birth"),
    "birth parent": RecordRelation(_P, "birth"),
    "adoptive mother": RecordRelation(_P, "adoptive", from_sex=_F),
    "adoptive father": RecordRelation(_P, "adoptive", from_sex=_M),
    "adoptive parent": RecordRelation(_P, "adoptive"),
    "step-mother": RecordRelation(_P, "step", from_sex=_F),
    "step-father": RecordRelation(_P, "step", from_sex=_M),
    "step-parent": RecordRelation(_P, "step"),
    "foster carer": RecordRelation(_P, "foster"),
    "foster parent": RecordRelation(_P, "foster"),
    "special guardian": RecordRelation(_P, "special_guardian"),
    "kinship carer": RecordRelation(_P, "kinship_carer"),
    "guardian": RecordRelation(_P, "guardian"),
    # children (edge reversed: to_record is the parent)
    "child": RecordRelation(_P, "birth", reverse=True),
    "son": RecordRelation(_P, "birth", reverse=True, from_sex=_M),
    "daughter": RecordRelation(_P, "birth", reverse=True, from_sex=_F),
    "adopted child": RecordRelation(_P, "adoptive", reverse=True),
    "step-child": RecordRelation(_P, "step", reverse=True),
    "foster child": RecordRelation(_P, "foster", reverse=True),
    # partners
    "partner": RecordRelation(_PA, None),
    "cohabitee": RecordRelation(_PA, "cohabiting"),
    "spouse": RecordRelation(_PA, "married"),
    "husband": RecordRelation(_PA, "married", from_sex=_M),
    "wife": RecordRelation(_PA, "married", from_sex=_F),
    "civil partner": RecordRelation(_PA, "civil_partnership"),
    "boyfriend": RecordRelation(_PA, "dating", from_sex=_M),
    "girlfriend": RecordRelation(_PA, "dating", from_sex=_F),
    "fiance": RecordRelation(_PA, "engaged"),
    "fiancee": RecordRelation(_PA, "engaged"),
    "ex-partner": RecordRelation(_PA, "separated"),
    "former partner": RecordRelation(_PA, "separated"),
    "ex-spouse": RecordRelation(_PA, "divorced"),
    "ex-husband": RecordRelation(_PA, "divorced", from_sex=_M),
    "ex-wife": RecordRelation(_PA, "divorced", from_sex=_F),
    "widow": RecordRelation(_PA, "widowed", from_sex=_F),
    "widower": RecordRelation(_PA, "widowed", from_sex=_M),
    # siblings
    "sibling": RecordRelation(_S, None),
    "brother": RecordRelation(_S, None, from_sex=_M),
    "sister": RecordRelation(_S, None, from_sex=_F),
    "full sibling": RecordRelation(_S, "full"),
    "half-sibling": RecordRelation(_S, "half"),
    "half-brother": RecordRelation(_S, "half", from_sex=_M),
    "half-sister": RecordRelation(_S, "half", from_sex=_F),
    "step-sibling": RecordRelation(_S, "step"),
    "step-brother": RecordRelation(_S, "step", from_sex=_M),
    "step-sister": RecordRelation(_S, "step", from_sex=_F),
    "adoptive sibling": RecordRelation(_S, "adoptive"),
    "identical twin": RecordRelation(_S, "full", twin="identical"),
    "fraternal twin": RecordRelation(_S, "full", twin="fraternal"),
    # households and emotional / safeguarding lines
    "household member": RecordRelation(_H),
    "lives with": RecordRelation(_H),
    "close": RecordRelation(_R, "close"),
    "distant": RecordRelation(_R, "distant"),
    "conflict": RecordRelation(_R, "conflict"),
    "hostile": RecordRelation(_R, "hostile"),
    "cut off": RecordRelation(_R, "cut_off"),
    "physical abuse": RecordRelation(_R, "abuse_physical"),
    "emotional abuse": RecordRelation(_R, "abuse_emotional"),
    "sexual abuse": RecordRelation(_R, "abuse_sexual"),
    "neglect": RecordRelation(_R, "neglect"),
    "domestic abuse": RecordRelation(_R, "domestic_abuse"),
    "caretaker": RecordRelation(_R, "caretaker"),
}


def _squash(word: str) -> str:
    return re.sub(r"[\s_\-]+", "", word.casefold())


_LOOKUP = {_squash(word): rel for word, rel in _WORDS.items()}


def record_relation(word: str) -> RecordRelation | None:
    """The edge a records relationship word stands for, or None if the word is unknown."""
    return _LOOKUP.get(_squash(word))


def record_words() -> list[str]:
    """Every accepted records relationship word, for help text and error messages."""
    return sorted(_WORDS)
