"""Finding relatives in case notes with spaCy, without a statistical model.

No pretrained pipeline can be installed where this runs, so the pipeline is ``spacy.blank("en")``
with one rule-based component, ``genogram_kinship``, which also finds sentence boundaries (the
sentencizer's rule, plus line breaks; see `_sentence_starts`). The component matches kin
phrases from `extract.lexicon` (PhraseMatcher, case-insensitive; abbreviations such as ``MGM``
case-sensitively), recognises person names as runs of Title-case tokens next to them, and reads
the usual constructions of a social worker's note:

- apposition: "her maternal grandmother Linda Hart", "Amelia's father, Dean Walsh,";
  chained: "Gavin's mother, Sophie's nan Pat Hammond";
- brackets: "Mum (Kerry)", the reverse "Peggy (MGM)", "her Nani (maternal grandmother), X";
- copulas and relative clauses: "Lee is believed to be Jayden's father", "Peggy, who is his
  special guardian", "Sandra and Pete are her parents", "he could be the father";
- coordination: "maternal grandparents, Krystyna and Tomasz Nowak" (two mentions), coordinated
  possessors ("Natalie and Mark's child");
- "of", "has", "same"/"different": "the daughter of Jessica's aunt", "Dean has a son, Noah",
  "Jade and Tia have the same father", "Cody has a different father";
- couples: "Kerry and Dean separated in 2020", "the mother, Ms Carr, and the father, Mr Hall,
  separated", "engaged to", "began a relationship with";
- possessives: a named possessor becomes the anchor ("Liam's brother Sean"); "her"/"his" is
  resolved to the nearest fitting person earlier in the sentence, across sentences through
  "he"/"she", else the note's subject; "Mum said her partner Craig" composes to "mother's
  partner" (any two terms compose through `genogram.kinship`);
- households and emotional or safeguarding lines ("lives with", "domestic abuse by A towards
  B", "no contact with") as `RelationFinding` s.

A note-level pass then gives a bare "Mum" the name the note gives the mother, merges general
and specific terms for one person ("Uncle Dave" + "Mum's brother"), and infers a maternal
half-sibling from "has a different father". Results are stored on the Doc as
``doc._.kin_mentions`` (`KinFinding`) and ``doc._.kin_relations`` (`RelationFinding`);
`extract_note` turns them into `KinMention` and `genogram.mentions.RelationMention` objects.
Token attributes are read once into lists (indexing a Doc builds a Token object each time),
which keeps extraction above 100,000 words a second. Nothing here logs or raises with note
text.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

import spacy
from spacy.attrs import IDX, IS_PUNCT, LOWER, ORTH, SPACY
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Token

from extract import lexicon as lx
from genogram.assertions import KinMention, Note
from genogram.errors import InputError
from genogram.kinship import decompose
from genogram.mentions import SUBJECT as SUBJECT_PARTY
from genogram.mentions import Party, RelationMention
from genogram.model import RelType

COMPONENT = "genogram_kinship"
#: Longest note text accepted (characters).
MAX_NOTE_CHARS = 5_000_000
METHOD = "spacy:kinship"
RELATIONS_METHOD = "spacy:relations"

#: Confidence by how the name and the anchor were found.
CONF_EXPLICIT = 0.9  # "Mum (Kerry)", "Amelia's father, Dean Walsh", "Peggy (MGM)"
CONF_COORDINATED = 0.85  # "grandparents, Krystyna and Tomasz Nowak"
CONF_UNNAMED = 0.8  # "Her maternal grandfather died"
CONF_COUPLE = 0.8  # "Kerry and Dean separated"
CONF_NAME_BEFORE_COMMA = 0.75  # "Linda Hart, maternal grandmother, ..."
CONF_PRONOUN = 0.7  # "her brother Riley": whose brother is inferred
CONF_RELATION = 0.75  # "lives with", "domestic abuse by Dean towards Kerry"

_QUOTES = frozenset({'"', "'", "“", "”", "‘", "’"})
_OPEN_QUOTES = frozenset({'"', "“", "‘", "'", "(", "-", "*", "•", "–", "—"})
_CLOSERS = frozenset({",", ".", ")", ";", ":", "!", "?"})
_AGE_UNITS = frozenset({"years", "year", "yrs", "yr", "yo", "y/o", "old"})
_AGE_WORDS = frozenset({"aged", "age"})
_AGE_GLUED = re.compile(r"^(\d{1,3})(?:yrs?|yo|y)$", re.IGNORECASE)
_YEAR = re.compile(r"^(19|20)\d\d$")
_TAIL_FILLERS = frozenset(
    {
        ",",
        "(",
        "who",
        "has",
        "had",
        "have",
        "is",
        "was",
        "sadly",
        "tragically",
        "unfortunately",
        "suddenly",
        "recently",
        "now",
        "also",
        "since",
        "unexpectedly",
    }
)
_REPORTING = frozenset(
    {"said", "says", "told", "explained", "added", "reported", "stated", "asked", "replied"}
)
_CARER_TERMS = frozenset({"foster carer", "special guardian", "kinship carer"})
_POSSESSIVE_OF = {"he": "his", "she": "her", "they": "their"}
_BULLETS = frozenset({"-", "*", "•", "–", "—", "·"})
_PARENT_TERMS = frozenset({"mother", "father", "parent"})
_SIBLING_TERMS = frozenset({"sister", "brother", "sibling", "twin", "twin sister", "twin brother"})
_SIDED_BASES = ("grandmother", "grandfather", "grandparent", "aunt", "uncle", "half-")


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class KinFinding:
    """One relative found in a Doc: character offsets into the Doc's text.

    Reads like `KinMention`: `name` (None if unnamed) is the `term` of `anchor` (None = the
    note's subject, else a name as written). `span` covers the name if there is one, else the
    kin phrase; `term_span` always covers the kin phrase.
    """

    term: str
    name: str | None
    anchor: str | None
    span: tuple[int, int]
    term_span: tuple[int, int]
    sentence_span: tuple[int, int]
    certainty: str = "confirmed"
    deceased: bool = False
    age: int | None = None
    status: str | None = None
    confidence: float = CONF_UNNAMED
    extra: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class RelationFinding:
    """A household or emotional/safeguarding relation found in a Doc (see `RelationMention`):
    `type` is ``LIVES_WITH`` or ``RELATES_TO``; parties refer to kin findings by their span."""

    type: str
    kind: str | None
    source: Party
    target: Party
    span: tuple[int, int]
    sentence_span: tuple[int, int]
    certainty: str = "confirmed"
    confidence: float = CONF_RELATION


if not Doc.has_extension("kin_mentions"):
    Doc.set_extension("kin_mentions", default=None)
if not Doc.has_extension("kin_relations"):
    Doc.set_extension("kin_relations", default=None)


# --------------------------------------------------------------------------- internals


@dataclass
class _Name:
    """A run of Title-case tokens read as a person's name (token indices, end exclusive)."""

    start: int
    end: int
    text: str
    sex: str | None = None
    title: str | None = None
    alias: str | None = None
    age: int | None = None


@dataclass
class _Hit:
    """A kin phrase matched in the text."""

    start: int
    end: int
    entry: lx.KinEntry


@dataclass
class _Draft:
    """A mention being built; finished into a `KinFinding`."""

    hit: _Hit
    term: str
    name: _Name | None = None
    name_text: str | None = None
    anchor: str | None = None
    left: int = 0  # first token of the phrase incl. possessor and modifiers
    after: int = 0  # first token after the phrase incl. its name, age and brackets
    pronoun: int | None = None  # token index of a possessive pronoun to resolve
    pronoun_word: str | None = None
    possessor: str = "none"  # pronoun, name, subject, determiner, couple or none
    confidence: float = CONF_UNNAMED
    certainty: str = "confirmed"
    deceased: bool = False
    age: int | None = None
    status: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
    ref_start: int = 0  # where this person is first referred to (for pronouns)
    dropped: bool = False
    owner: _Draft | None = None  # the kin mention this one is relative to ("FC's husband")
    chain: int | None = None  # "Gavin's mother, Sophie's nan Pat": the hit that names it
    exclude: set[int] = field(default_factory=set)  # ids of names a pronoun cannot stand for
    same: bool = False  # the `chain` phrase is in brackets: the two share a name either way
    owner_at: int | None = None  # "the daughter of Jessica's aunt": the owner's hit, read later


@dataclass
class _Ref:
    """Someone a pronoun may stand for: a bare name, a kin mention, or "she"/"he"."""

    position: int
    sex: str | None
    name: _Name | None = None
    draft: _Draft | None = None
    pronoun: bool = False


@dataclass
class _Referent:
    """What a possessive pronoun resolved to."""

    subject: bool = False
    name: str | None = None
    draft: _Draft | None = None


# --------------------------------------------------------------------------- component


class KinshipTagger:
    """The ``genogram_kinship`` pipeline component: finds relatives, sets ``doc._.kin_mentions``."""

    def __init__(self, nlp: Language) -> None:
        self._words = PhraseMatcher(nlp.vocab, attr="LOWER")
        forms = lx.surface_forms()
        patterns = [nlp.make_doc(surface) for surface in forms]
        self._words.add("KIN", patterns)
        self._abbrevs = PhraseMatcher(nlp.vocab, attr="ORTH")
        self._abbrevs.add("KIN", [nlp.make_doc(a) for a in lx.ABBREVIATIONS])
        kin_tokens: set[str] = set()
        for pattern in patterns:
            kin_tokens.update(t.lower_ for t in pattern)
        kin_tokens.update(a.casefold() for a in lx.ABBREVIATIONS)
        self._kin_tokens = frozenset(kin_tokens)

    def __call__(self, doc: Doc) -> Doc:
        """Annotate `doc` with its kin findings (never raises on odd text)."""
        analysis = _Analysis(doc, self)
        doc._.kin_mentions = analysis.run()
        doc._.kin_relations = analysis.relations
        return doc

    def hits(
        self, doc: Doc, texts: Sequence[str], lower: Sequence[str], space: Sequence[bool]
    ) -> list[_Hit]:
        """Kin phrases in `doc`, longest first where they overlap, minus other senses.

        Works on the token strings (`texts`, `lower`, `space` = whitespace after) rather than
        Span objects, which cost more than the matching itself."""
        found = [
            (start, end)
            for matcher in (self._words, self._abbrevs)
            for _, start, end in matcher(doc)
        ]
        found.sort(key=lambda se: (se[0] - se[1], se[0]))  # longest, then first
        taken: set[int] = set()
        chosen = []
        for start, end in found:
            if not taken.isdisjoint(range(start, end)):
                continue
            taken.update(range(start, end))
            chosen.append((start, end))
        result = []
        for start, end in sorted(chosen):
            text = "".join(
                texts[i] + (" " if space[i] and i < end - 1 else "") for i in range(start, end)
            )
            entry = lx.ABBREVIATIONS.get(text) or lx.lookup(text)
            if entry is None or _other_sense(lower, start, end):
                continue
            result.append(_Hit(start, end, entry))
        return result

    def is_kin_word(self, token: Token) -> bool:
        """True for words that belong to kin phrases ("Mum", "Maternal", "Nan")."""
        return token.lower_ in self._kin_tokens

    def is_kin_lower(self, lower: str) -> bool:
        """`is_kin_word` for a word already in lower case."""
        return lower in self._kin_tokens


def _other_sense(lower: Sequence[str], start: int, end: int) -> bool:
    """Kin words used in another sense: in-laws, "mother tongue", "corporate parent"."""
    n = len(lower)
    nxt = lower[end] if end < n else ""
    nxt2 = lower[end + 1] if end + 1 < n else ""
    nxt3 = lower[end + 2] if end + 2 < n else ""
    if (nxt == "-" and nxt2 == "in") or (nxt == "in" and nxt2 in {"law", "-"}) or nxt == "-in":
        return True
    if nxt in lx.NON_KIN_FOLLOWERS:
        return True
    if nxt in {"'", "’", "'s", "’s"} and nxt2 in lx.NON_KIN_FOLLOWERS:
        return True  # "parents' evening"
    if nxt in {"and", "&"} and nxt2 in {"baby", "toddler"}:
        return True
    if nxt == "-" and nxt2 in {"and"} and nxt3 == "baby":
        return True
    return start > 0 and lower[start - 1] in lx.NON_KIN_PRECEDERS


@Language.factory(COMPONENT)
def make_kinship_tagger(nlp: Language, name: str) -> KinshipTagger:
    """spaCy factory for the ``genogram_kinship`` component."""
    return KinshipTagger(nlp)


@lru_cache(maxsize=1)
def build_pipeline() -> Language:
    """The case-note pipeline: blank English and the kinship component (cached). The
    component finds sentence boundaries itself (see `_sentence_starts`)."""
    nlp = spacy.blank("en")
    nlp.max_length = MAX_NOTE_CHARS  # no parser or NER: memory grows only linearly
    nlp.add_pipe(COMPONENT)
    return nlp


def extract_mentions(note: Note, nlp: Language | None = None) -> list[KinMention]:
    """The relatives a case note mentions, in text order, each with its quoted sentence.

    Raises `InputError` (naming the note's file, line and id, never its text) for a note
    longer than the pipeline accepts.
    """
    return [m for m in extract_note(note, nlp) if isinstance(m, KinMention)]


def extract_note(note: Note, nlp: Language | None = None) -> list[KinMention | RelationMention]:
    """Everything a case note says about the family: kin mentions (text order), then
    household and emotional/safeguarding relation mentions, each with its quoted sentence.

    This is what `genogram.resolve.ingest_notes` takes. Raises `InputError` like
    `extract_mentions`.
    """
    pipeline = nlp if nlp is not None else build_pipeline()
    if len(note.text) > pipeline.max_length:
        raise InputError(
            f"note {note.id!r} is longer than {pipeline.max_length} characters; split it",
            file=note.file or None,
            line=note.line or None,
            field="text",
        )
    doc = pipeline(note.text)
    findings: Sequence[KinFinding] = doc._.kin_mentions or ()
    mentions: list[KinMention | RelationMention] = []
    for f in findings:
        start, end = f.sentence_span
        mentions.append(
            KinMention(
                term=f.term,
                name=f.name,
                anchor=f.anchor,
                note_id=note.id,
                quote=note.text[start:end],
                span=f.span,
                sentence_span=f.sentence_span,
                certainty=f.certainty,
                deceased=f.deceased,
                age=f.age,
                status=f.status,
                confidence=f.confidence,
                method=METHOD,
                extra=dict(f.extra),
            )
        )
    relations: Sequence[RelationFinding] = doc._.kin_relations or ()
    for r in relations:
        start, end = r.sentence_span
        mentions.append(
            RelationMention(
                type=RelType(r.type),
                kind=r.kind,
                source=r.source,
                target=r.target,
                note_id=note.id,
                quote=note.text[start:end],
                span=r.span,
                sentence_span=r.sentence_span,
                certainty=r.certainty,
                confidence=r.confidence,
                method=RELATIONS_METHOD,
            )
        )
    return mentions


# --------------------------------------------------------------------------- analysis


@dataclass(frozen=True, slots=True)
class _Sent:
    """A sentence: token range [start, end) and character range [start_char, end_char)."""

    start: int
    end: int
    start_char: int
    end_char: int


#: Characters that end a sentence (spaCy's sentencizer's list, cut to those notes use).
_SENTENCE_ENDS = frozenset({"!", ".", "?", "‼", "‽", "⁇", "⁈", "⁉", "！", "．", "？", "。", "｡"})


def _sentence_starts(texts: Sequence[str], is_punct: Sequence[bool]) -> list[int]:
    """Where sentences start: after sentence-final punctuation (the sentencizer's rule: the
    first following token that is not punctuation), and after a line break, since notes put
    headings, list items and chronology entries on lines of their own."""
    if not texts:
        return []
    starts = [0]
    seen_end = seen_line = False
    for i, text in enumerate(texts):
        if text.isspace():
            seen_line |= "\n" in text
            continue
        if (seen_line or (seen_end and not is_punct[i])) and text not in _SENTENCE_ENDS:
            if starts[-1] != i:
                starts.append(i)  # a line starts a sentence even with a bullet ("- Mum")
            seen_end = seen_line = False
        elif text in _SENTENCE_ENDS:
            seen_end = True
    return starts


class _Analysis:
    """One pass over one Doc. Token indices throughout; characters only in the results."""

    def __init__(self, doc: Doc, tagger: KinshipTagger) -> None:
        self.doc = doc
        # Token attributes read once: indexing a Doc builds a new Token object each time.
        strings = doc.vocab.strings
        codes = doc.to_array([ORTH, LOWER, SPACY, IDX, IS_PUNCT]).tolist() if len(doc) else []
        self.texts: list[str] = [strings[c[0]] for c in codes]
        self.lower: list[str] = [strings[c[1]] for c in codes]
        self.space: list[bool] = [c[2] == 1 for c in codes]  # whitespace after the token
        self.idx: list[int] = [c[3] for c in codes]
        starts = _sentence_starts(self.texts, [c[4] == 1 for c in codes])
        ends = [*starts[1:], len(codes)][: len(starts)]
        self.sents: list[_Sent] = []
        self.sent_at: list[int] = []  # token -> index into self.sents
        for number, (a, b) in enumerate(zip(starts, ends, strict=True)):
            last = b - 1
            self.sents.append(_Sent(a, b, self.idx[a], self.idx[last] + len(self.texts[last])))
            self.sent_at.extend([number] * (b - a))
        # Doc.text builds a Token object per token: join the strings instead.
        self.text = "".join(
            t + " " if s else t for t, s in zip(self.texts, self.space, strict=True)
        )
        self._name_token: dict[int, bool] = {}
        self.caps = [i for i, t in enumerate(self.texts) if t[:1].isupper()]
        self._first_sex: dict[str, set[str]] | None = None
        self.tagger = tagger
        self.n = len(doc)
        self.hits = tagger.hits(doc, self.texts, self.lower, self.space)
        self.kin_at: dict[int, _Hit] = {}
        for hit in self.hits:
            for i in range(hit.start, hit.end):
                self.kin_at[i] = hit
        self.hit_by_end = {h.end: h for h in self.hits}
        self.hit_by_start = {h.start: h for h in self.hits}
        self.known_names: set[str] = set()
        self.names: list[_Name] = []
        self.name_by_start: dict[int, _Name] = {}
        self.name_by_end: dict[int, _Name] = {}
        self.sex_of_name: dict[str, str] = {}
        self.drafts: dict[int, _Draft] = {}  # by hit start
        self.consumed: set[int] = set()  # tokens of "on mum's side" phrases
        self.sent_names: dict[int, list[_Name]] = {}  # by sentence start
        self._sent_words: dict[int, frozenset[str]] = {}
        self.relations: list[RelationFinding] = []
        #: Who the previous sentence was about, and the first of its last pair of people.
        self.carry: tuple[_Referent, str | None] | None = None
        self.carry_pair: _Referent | None = None
        self.pairs: list[tuple[int, _Referent]] = []
        self.sent_refs: list[_Ref] = []
        self.in_household_list = False

    # ---------------------------------------------------------------- driver

    def run(self) -> list[KinFinding]:
        sents = self.sents
        self._learn_names(sents)
        for sent in sents:
            self.sent_names[sent.start] = self._scan_names(sent.start, sent.end)
            for name in self.sent_names[sent.start]:
                self.names.append(name)
                self.name_by_start[name.start] = name
                if name.title is not None:
                    self.name_by_start[name.start - 1] = name  # "Mr Gareth Evans"
                self.name_by_end[name.end] = name
        per_sentence: list[tuple[_Sent, list[_Draft]]] = []
        pending = list(reversed(self.hits))
        for sent in sents:
            drafts = []
            while pending and pending[-1].start < sent.end:
                hit = pending.pop()
                if hit.start >= sent.start and hit.start not in self.consumed:
                    drafts.extend(self._read_hit(hit, sent))
            drafts.extend(self._couples(sent, drafts))
            drafts.sort(key=lambda d: d.hit.start)
            self._chains(drafts)
            per_sentence.append((sent, drafts))
        for _, drafts in per_sentence:
            for draft in drafts:
                sex = lx.term_sex(draft.term)
                if draft.name_text and sex:
                    self.sex_of_name.setdefault(draft.name_text, sex)
        self._first_sex = None  # recomputed with the sexes the kin terms gave
        findings: list[KinFinding] = []
        for sent, drafts in per_sentence:
            self._resolve_pronouns(sent, drafts)
            starts = sorted(
                {d.ref_start for d in drafts} | {n.start for n in self.sent_names[sent.start]}
            )
            for draft in drafts:
                if draft.dropped:
                    continue
                self._certainty(draft, sent)
                self._deceased(draft, sent)
                self._status(draft, sent, starts)
                findings.append(self._finish(draft, sent))
            self._relations(sent, [d for d in drafts if not d.dropped])
        return _dedupe(_different_parent(_refine(_corefer(findings))))

    # ---------------------------------------------------------------- names

    def _is_name_token(self, i: int) -> bool:
        if not 0 <= i < self.n or i in self.kin_at:
            return False
        known = self._name_token.get(i)
        if known is None:
            known = self._name_token[i] = self._name_shape(i)
        return known

    def _name_shape(self, i: int) -> bool:
        """Whether token `i` looks like (part of) a name: Title-case letters, not a common
        sentence word and not a kin word."""
        text = self.texts[i]
        if not text[:1].isupper():
            return False
        letters = text.replace("'", "").replace("’", "")
        if len(letters) < 2 or not letters.isalpha():
            return False
        if text.isupper() or not any(c.islower() for c in letters):
            return False
        low = self.lower[i]
        return low not in lx.NOT_NAMES and not self.tagger.is_kin_lower(low)

    def _learn_names(self, sents: Iterable[_Sent]) -> None:
        """Title-case words seen away from the start of a sentence are probably names."""
        for sent in sents:
            first = self._first_word(sent.start, sent.end)
            for i in self._capitalised(sent.start, sent.end):
                if i != first and self._is_name_token(i):
                    self.known_names.add(self.texts[i])

    def _capitalised(self, start: int, end: int) -> list[int]:
        """Indices of the tokens in [start, end) that start with a capital (name candidates)."""
        return self.caps[bisect.bisect_left(self.caps, start) : bisect.bisect_left(self.caps, end)]

    def _first_word(self, start: int, end: int) -> int:
        i = start
        while i < end and self.texts[i] in _OPEN_QUOTES:
            i += 1
        return i

    def _scan_names(self, start: int, end: int) -> list[_Name]:
        first = self._first_word(start, end)
        found: list[_Name] = []
        candidates = self._capitalised(start, end)
        position = 0
        i = start
        while True:
            while position < len(candidates) and candidates[position] < i:
                position += 1
            if position >= len(candidates):
                break
            i = candidates[position]  # names and titles start with a capital
            title: str | None = None
            j = i
            if self.lower[i] in lx.TITLES and self._is_name_token(i + 1) and i + 1 < end:
                title = self.texts[i]
                j = i + 1
            if not self._is_name_token(j):
                i += 1
                continue
            k = j + 1
            alias: str | None = None
            cut: tuple[int, int] | None = None  # tokens of a quoted nickname
            words = 1
            while k < end and words < 5:
                t_text = self.texts[k]
                if (
                    t_text == "-"
                    and not self.space[k - 1]
                    and not self.space[k]
                    and k + 1 < end
                    and self._is_name_token(k + 1)
                ):
                    k += 2
                    continue
                if self._is_name_token(k):
                    k += 1
                    words += 1
                    continue
                if (
                    t_text in lx.NAME_PARTICLES
                    and k + 1 < end
                    and self._is_name_token(k + 1)
                    and words >= 1
                ):
                    k += 2
                    words += 1
                    continue
                if (
                    t_text in _QUOTES
                    and alias is None
                    and k + 3 < end
                    and self._is_name_token(k + 1)
                    and self.texts[k + 2] in _QUOTES
                    and self._is_name_token(k + 3)
                ):
                    alias = self.texts[k + 1]
                    cut = (k, k + 3)
                    k += 4
                    words += 1
                    continue
                break
            if j == first and title is None and not self._plausible_initial(j, k, end):
                i = k
                continue
            if title is None and self._is_place(j, start):
                i = k  # "lives in Bristol", "moved to Leeds": a place, not a person
                continue
            text = (
                self._join(j, k)
                if cut is None
                else f"{self._join(j, cut[0])} {self._join(cut[1], k)}"
            )
            sex = lx.TITLES.get(title.casefold()) if title else None
            found.append(_Name(j, k, text, sex=sex, title=title, alias=alias))
            i = k
        return found

    def _join(self, start: int, end: int) -> str:
        """The text of tokens [start, end) as written."""
        parts = [self.texts[i] + (" " if self.space[i] else "") for i in range(start, end)]
        return "".join(parts).rstrip()

    def _is_place(self, j: int, start: int) -> bool:
        """A Title-case run right after "in", "at", "near" (or "to" after a verb of moving)."""
        if j - 1 < start:
            return False
        prev = self.lower[j - 1]
        if prev in lx.PLACE_PREPOSITIONS:
            return True
        return prev == "to" and j - 2 >= start and self.lower[j - 2] in lx.MOVING_VERBS

    def _plausible_initial(self, j: int, k: int, end: int) -> bool:
        """Is a Title-case run at the start of a sentence a name rather than any word?"""
        if self.texts[j] in self.known_names:
            return True
        if k >= end:
            return False
        nxt, nxt_lower = self.texts[k], self.lower[k]
        return (
            nxt in lx.APOSTROPHES
            or nxt in {"(", ","}
            or nxt_lower in lx.NAME_FOLLOWERS
            or (k - j >= 2 and nxt in _CLOSERS)
        )

    # ---------------------------------------------------------------- helpers

    def _name_at(self, i: int) -> _Name | None:
        return self.name_by_start.get(i)

    def _antecedent(self, end: int, floor: int) -> _Name | None:
        """The person whose description ends just before token `end`: a name, "Name (...)",
        or a kin mention with a name."""
        if end <= floor:
            return None
        if end in self.name_by_end:
            return self.name_by_end[end]
        if self.texts[end - 1] == ")":
            depth = 0
            for o in range(end - 1, floor - 1, -1):
                if self.texts[o] == ")":
                    depth += 1
                elif self.texts[o] == "(":
                    depth -= 1
                    if depth == 0:
                        return self._antecedent(o, floor)
            return None
        hit = self.hit_by_end.get(end)
        if hit is not None and hit.start in self.drafts:
            return self.drafts[hit.start].name
        return None

    def _age_at(self, i: int, end: int) -> tuple[int | None, int]:
        """An age written at token `i` ("(7)", "aged 14", ", 12,"): (age, next index)."""

        def number(k: int) -> int | None:
            if k < end and self.texts[k].isdigit() and len(self.texts[k]) <= 3:
                value = int(self.texts[k])
                return value if value <= 120 else None
            if k < end:
                m = _AGE_GLUED.match(self.texts[k])
                if m:
                    return int(m.group(1))
            return None

        if i >= end:
            return None, i
        if self.texts[i] == "(":
            k = i + 1
            if k < end and self.lower[k] in _AGE_WORDS:
                k += 1
            age = number(k)
            if age is not None:
                k += 1
                while k < end and self.lower[k] in _AGE_UNITS:
                    k += 1
                if k < end and self.texts[k] == ")":
                    return age, k + 1
            return None, i
        if self.lower[i] in _AGE_WORDS:
            age = number(i + 1)
            if age is not None:
                return age, i + 2
        if self.texts[i] == ",":
            k = i + 1
            if k < end and self.lower[k] in _AGE_WORDS:
                k += 1
            age = number(k)
            if age is not None and (k + 1 >= end or self.texts[k + 1] in _CLOSERS):
                return age, k + 1
        return None, i

    def _alias_at(self, name: _Name, i: int, end: int) -> int:
        """ "Name (Nickname)" or "Name known as Nickname": note the alias, return next index."""
        if i + 2 < end and self.texts[i] == "(" and self.texts[i + 2] == ")":
            other = self._name_at(i + 1)
            if other is not None and other.end == i + 2:
                name.alias = other.text
                return i + 3
        if i + 2 < end and self.lower[i] == "known" and self.lower[i + 1] == "as":
            other = self._name_at(i + 2)
            if other is not None:
                name.alias = other.text
                return other.end
        return i

    # ---------------------------------------------------------------- one kin phrase

    def _read_hit(self, hit: _Hit, sent: _Sent) -> list[_Draft]:
        doc = self.doc
        s0, s1 = sent.start, sent.end
        entry = hit.entry
        draft = _Draft(hit=hit, term=entry.term, extra=dict(entry.extra), status=entry.status)
        draft.after = hit.end
        # Modifiers and possessor, walking left.
        if hit.end < s1 and self.texts[hit.end] == "?":
            return []  # "Kayden's neice? - no, ...": a question, not a statement
        if self._title_use(hit, s0, s1):
            return []  # "Sister Agnes (ward sister)", "Father Christmas"
        if self._called(hit, s0):
            return []  # 'calls her best friend "my sister"'

        co_owners: list[_Name] = []
        mods: list[str] = []
        i = hit.start - 1
        while i >= s0:
            low = self.lower[i]
            if low == "-" and self.space[i]:
                break  # a dash between clauses
            if (
                low in lx.ALLEGED_WORDS
                or low in lx.DISPUTED_WORDS
                or low in lx.PROPOSAL_WORDS
                or low in lx.DECEASED_MODIFIERS
                or low in lx.STATUS_MODIFIERS
                or low in lx.NEUTRAL_MODIFIERS
            ):
                mods.append(low)
                i -= 1
                continue
            if (
                low == "old"
                and i - 4 >= s0
                and self.texts[i - 1] == "-"
                and self.lower[i - 2] in {"year", "years"}
                and self.texts[i - 3] == "-"
                and self.texts[i - 4].isdigit()
                and len(self.texts[i - 4]) <= 2
            ):
                draft.age = int(self.texts[i - 4])
                i -= 5
                continue
            break
        draft.confidence = CONF_EXPLICIT
        possessed = False
        if i >= s0 and self.lower[i] in {"same", "different"} and entry.term in _PARENT_TERMS:
            # "Jade and Tia have the same father", "Cody has a different father"
            return self._same_parent(draft, i, s0, s1)
        if i >= s0:
            tok = doc[i]
            low = tok.lower_
            if low in lx.POSSESSIVE_PRONOUNS:
                draft.pronoun, draft.pronoun_word = i, low
                draft.left = i
                draft.possessor = "pronoun"
                possessed = True
            elif tok.text in lx.APOSTROPHES or tok.text in {"'", "’"}:
                owner = self.name_by_end.get(i)
                owner_hit = self.hit_by_end.get(i)
                if owner is not None:
                    draft.anchor = owner.text
                    draft.left = owner.start
                    draft.possessor = "name"
                    possessed = True
                    # "Natalie and Mark's child": the child of each of them
                    co_owners = self._co_owners(owner, s0)
                    if co_owners:
                        draft.left = co_owners[0].start
                elif owner_hit is not None and owner_hit.start in self.drafts:
                    draft.owner = self.drafts[owner_hit.start]  # "FC's husband"
                    draft.left = draft.owner.left
                    draft.possessor = "kin"
                    possessed = True
                elif i - 1 >= s0 and self.lower[i - 1] in lx.SUBJECT_NOUNS:
                    draft.left = i - 1
                    if i - 2 >= s0 and self.lower[i - 2] in lx.DETERMINERS:
                        draft.left = i - 2
                    draft.possessor = "subject"
                    possessed = True
                else:
                    return []  # "the social worker's mother", "her brother's father"
            elif (low in lx.DETERMINERS or low in lx.HAVE_VERBS) and self._haver(
                draft, i if low in lx.HAVE_VERBS else i - 1, s0
            ):
                possessed = True  # "Dean has a son, Noah"; "He has two children"
            elif low in lx.DETERMINERS:
                draft.left = i
                draft.possessor = "determiner"
                draft.confidence = CONF_PRONOUN
                possessed = True
            else:
                draft.left = i + 1
        else:
            draft.left = s0
        if set(mods) & lx.PROPOSAL_WORDS and entry.term in _CARER_TERMS:
            return []  # "assessed as a possible kinship carer": a proposal
        if (
            entry.term in _CARER_TERMS
            and self.lower[draft.left] in {"a", "an"}
            and draft.left - 1 >= s0
            and self.lower[draft.left - 1] == "as"
        ):
            return []  # "approved as a kinship carer": a role, not whose carer
        if entry.plural and entry.term == "partner" and not possessed:
            return []  # "partners" without a possessor are agencies
        if entry.needs_owner and draft.possessor not in {"pronoun", "name", "kin", "haver"}:
            return []  # "the children" are not anyone's children in particular
        if entry.needs_owner and hit.end < s1 and self.texts[hit.end] in lx.APOSTROPHES:
            return []  # "the children's father"
        draft.extra.update(_mod_extras(mods))
        if set(mods) & lx.ALLEGED_WORDS or (
            set(mods) & lx.PROPOSAL_WORDS and entry.term not in _CARER_TERMS
        ):
            draft.certainty = "alleged"
        if set(mods) & lx.DISPUTED_WORDS:
            draft.certainty = "disputed"
        if set(mods) & lx.DECEASED_MODIFIERS:
            draft.deceased = True
        for mod in mods:
            if mod in lx.STATUS_MODIFIERS and lx.is_partner_term(draft.term):
                draft.status = lx.STATUS_MODIFIERS[mod]
        if (
            draft.left - 2 >= s0
            and self.lower[draft.left - 1] == "of"
            and self.lower[draft.left - 2] in lx.DEATH_NOUNS
        ):
            draft.deceased = True
        # Right side: "on mum's side", "(alleged)", "of Jessica's aunt", then the name(s).
        j = self._side_phrase(draft, hit.end, s1)
        j = self._bracket_flag(draft, j, s1)
        if draft.possessor in {"none", "determiner"} and j < s1 and self.lower[j] == "of":
            j = self._of_owner(draft, j, s1)
            if j < 0:
                return []  # "the son of Elaine's neighbour": of someone the note does not place
        draft.after = j
        # after "the daughter of Jessica's maternal aunt", ", Bernadette Nolan" names the aunt
        names = self._names_after(draft, j, s1) if draft.owner_at is None else []
        drafts: list[_Draft] = []
        if names:
            for index, (name, conf, after) in enumerate(names):
                one = replace(draft, extra=dict(draft.extra)) if index else draft
                one.name, one.name_text = name, name.text
                one.confidence = min(one.confidence, conf)
                one.after = after
                if name.alias:
                    one.extra["known_as"] = name.alias
                if name.title:
                    one.extra["title"] = name.title
                drafts.append(one)
        else:
            if not (hit.end < s1 and self.texts[hit.end] in lx.APOSTROPHES):
                self._name_before(draft, s0, s1)  # not for a possessor: "Dave is Mum's brother"
            drafts.append(draft)
            if draft.name is not None and entry.plural and draft.possessor != "couple":
                # "Sandra and Pete are her parents": every coordinated name.
                group = self._coordinated_before(draft.name, s0)
                for name in group:
                    one = replace(draft, extra=dict(draft.extra), name=name, name_text=name.text)
                    drafts.insert(len(drafts) - 1, one)
                if group:
                    _share_family_name([*group, draft.name], draft)
                    for one in drafts:
                        one.name_text = one.name.text if one.name is not None else None
                        one.exclude = {id(n) for n in [*group, draft.name]}
        for one in drafts:
            one.ref_start = one.hit.start
            if one.name is not None and one.name.start < one.ref_start:
                one.ref_start = one.name.start
            possessive = hit.end < s1 and self.texts[hit.end] in lx.APOSTROPHES
            if entry.needs_name and one.name is None and not possessive:
                return []
        for co_owner in co_owners:
            for one in list(drafts):
                other = replace(one, extra=dict(one.extra), anchor=co_owner.text)
                drafts.append(other)
        self.drafts[hit.start] = drafts[0]
        return drafts

    def _co_owners(self, owner: _Name, s0: int) -> list[_Name]:
        """ "Natalie and Mark's child": the bare name joined by "and" to a possessor. Not
        "his step-dad Mark Bennett and Mark's daughter" (that name belongs to a kin phrase)."""
        k = owner.start - 1
        if k - 1 < s0 or self.lower[k] not in {"and", "&"}:
            return []
        other = self.name_by_end.get(k)
        if other is None or other.start in self.hit_by_end or other.title is not None:
            return []
        before = other.start - 1
        if before >= s0 and (self.texts[before] in {",", "("} or self.lower[before] == "and"):
            return []  # a list: "Present: Danielle Nash (mother), Amber's ..."
        return [other]

    def _coordinated_before(self, name: _Name, s0: int) -> list[_Name]:
        """The names coordinated before `name`: "Sandra and" / "Ann, Bob and" -> [Sandra]."""
        found: list[_Name] = []
        k = self._before_title(name.start) - 1
        while k > s0 and self.lower[k] in {"and", "&", ","}:
            other = self.name_by_end.get(k)
            if other is None and self.texts[k - 1] == ")":
                opening = next(
                    (o for o in range(k - 2, max(s0, k - 6), -1) if self.texts[o] == "("), None
                )
                other = self.name_by_end.get(opening) if opening is not None else None
            if other is None:
                break
            found.insert(0, other)
            k = self._before_title(other.start) - 1
        return found

    def _before_title(self, start: int) -> int:
        """Where a name starts with a kin word used as a title ("Grandad Bob" -> Grandad)."""
        hit = self.hit_by_end.get(start)
        return hit.start if hit is not None else start

    def _chains(self, drafts: list[_Draft]) -> None:
        """Give a draft the name of the kin phrase in apposition to it (see `chain`)."""
        by_start = {d.hit.start: d for d in drafts}
        for draft in drafts:
            if draft.owner_at is not None:
                draft.owner = by_start.get(draft.owner_at)
                if draft.owner is None:
                    draft.dropped = True
            other = by_start.get(draft.chain) if draft.chain is not None else None
            if other is None:
                continue
            if draft.same and draft.name is not None and other.name is None:
                draft, other = other, draft
            if other.name is not None and draft.name is None:
                draft.name, draft.name_text = other.name, other.name_text
                draft.age = draft.age if draft.age is not None else other.age
                draft.confidence = min(draft.confidence, other.confidence)

    def _title_use(self, hit: _Hit, s0: int, s1: int) -> bool:
        """ "Sister Agnes", "Father Christmas", "Brother Francis": Mother, Father, Sister and
        Brother written as a title before a capitalised word, with no possessor, are not kin
        (unlike "Nanny Jean" or "Uncle Dave")."""
        if hit.end - hit.start != 1 or self.lower[hit.start] not in lx.TITLE_WORDS:
            return False
        word = self.texts[hit.start]
        nxt = self.texts[hit.end] if hit.end < s1 else ""
        before = self.lower[hit.start - 1] if hit.start > s0 else ""
        owned = before in lx.POSSESSIVE_PRONOUNS or (
            hit.start > s0 and self.texts[hit.start - 1] in lx.APOSTROPHES
        )
        return word[:1].isupper() and nxt[:1].isupper() and nxt.isalpha() and not owned

    def _called(self, hit: _Hit, s0: int) -> bool:
        """'calls her "my sister"', "who she calls nan": a name used, not a relation."""
        k = hit.start - 1
        while k >= s0 and (self.texts[k] in _QUOTES or self.lower[k] in lx.POSSESSIVE_PRONOUNS):
            k -= 1
        quoted = any(self.texts[i] in _QUOTES for i in range(max(s0, k), hit.start))
        return (
            k >= s0
            and quoted
            and any(self.lower[i] in lx.CALLING_VERBS for i in range(max(s0, k - 4), k + 1))
        )

    def _same_parent(self, draft: _Draft, i: int, s0: int, s1: int) -> list[_Draft]:
        """ "A and B have the same father(, Name)": the father of each (or, unnamed, B is
        A's father's child); "X has a different father(, Name)": X's father, marked so that
        a sibling X becomes a half-sibling on the other side (see `_different_parent`)."""
        same = self.lower[i] == "same"
        k = i - 1
        if k >= s0 and self.lower[k] in {"the", "a", "an"}:
            k -= 1
        if k < s0 or self.lower[k] not in lx.HAVE_VERBS | {"share", "shares", "shared"}:
            return []
        k -= 1
        while k >= s0 and self.lower[k] in {"both", "all", "also"}:
            k -= 1
        person = self.name_by_end.get(k + 1)
        if person is None:
            return []
        people = [*self._coordinated_before(person, s0), person] if same else [person]
        if same and len(people) < 2:
            return []
        draft.left = people[0].start
        j = self._side_phrase(draft, draft.hit.end, s1)
        names = self._names_after(draft, j, s1)
        drafts: list[_Draft] = []
        if names:
            name, _, after = names[0]
            for owner in people:
                one = replace(draft, extra=dict(draft.extra), anchor=owner.text)
                one.name, one.name_text, one.after = name, name.text, after
                drafts.append(one)
        elif same:
            one = replace(draft, term=f"{draft.term}'s child", anchor=people[0].text)
            one.name, one.name_text = people[1], people[1].text
            drafts.append(one)
        else:
            drafts.append(replace(draft, anchor=person.text))
        for one in drafts:
            one.ref_start = one.hit.start
            one.possessor = "haver"
            if not same:
                one.extra["different"] = "yes"
        self.drafts[draft.hit.start] = drafts[0]
        return drafts

    def _haver(self, draft: _Draft, k: int, s0: int) -> bool:
        """ "Dean has a son", "He has two children", "Mum had a baby": the person before
        "has" owns the kin phrase. `k` is the index of the verb. Sets the draft's owner."""
        if k < s0 or self.lower[k] not in lx.HAVE_VERBS:
            return False
        left = k
        m = k - 1
        while m >= s0 and self.lower[m] in lx.COPULA_ADVERBS | {"also", "since", "already"}:
            m -= 1
        if m >= s0 and self.texts[m] == "," and m - 1 >= s0:
            m -= 1  # "Lisa Marsden, also has a son"
        if m < s0:
            return False
        word = self.lower[m]
        if word == "and":
            # "Ryan Price lives in Bristol and has a new partner": the sentence's subject.
            subject = self._sentence_subject(s0, m)
            if subject is None:
                return False
            draft.owner, draft.anchor = subject
            draft.possessor = "kin" if draft.owner is not None else "haver"
            draft.left = left
            return True
        if word in lx.SUBJECT_PRONOUNS or word == "they":
            draft.pronoun, draft.pronoun_word = m, _POSSESSIVE_OF[word]
            draft.possessor = "pronoun"
            draft.left = m
            return True
        hit = self.hit_by_end.get(m + 1)
        if hit is not None and hit.start in self.drafts:
            draft.owner = self.drafts[hit.start]
            draft.possessor = "kin"
            draft.left = left
            return True
        name = self._antecedent(m + 1, s0)
        if name is None:
            return False
        draft.anchor = name.text
        draft.possessor = "haver"
        draft.left = left
        return True

    def _sentence_subject(self, s0: int, before: int) -> tuple[_Draft | None, str | None] | None:
        """The person a sentence starts with (a kin mention or a name, not a possessor), as
        (draft, None) or (None, name); None when the sentence starts otherwise."""
        first = self._first_word(s0, before)
        for start in sorted(self.drafts):
            other = self.drafts[start]
            if other.left == first and other.hit.end <= before:
                return other, None
        name = self.name_by_start.get(first)
        if name is not None and not (name.end < before and self.texts[name.end] in lx.APOSTROPHES):
            return None, name.text
        return None

    def _side_phrase(self, draft: _Draft, j: int, end: int) -> int:
        """ "her nan on mum's side": add the side to a side-less term."""
        if j >= end or self.lower[j] != "on":
            return j
        k = j + 1
        if k < end and self.lower[k] in {"her", "his", "the", "their", "my"}:
            k += 1
        if k >= end:
            return j
        low = self.lower[k]
        side = None
        if low in lx.MOTHER_WORDS or low in {"maternal", "mothers", "mums"}:
            side = "maternal"
        elif low in lx.FATHER_WORDS or low in {"paternal", "fathers", "dads"}:
            side = "paternal"
        if side is None:
            return j
        k += 1
        if k < end and self.texts[k] in lx.APOSTROPHES:
            k += 1
        if k < end and self.lower[k] == "side":
            self.consumed.update(range(j, k + 1))
            self._add_side(draft, side)
            return k + 1
        return j

    def _add_side(self, draft: _Draft, side: str) -> None:
        """Put the side of the family on a term that can take one and has none."""
        if (
            not draft.term.startswith(lx.SIDES)
            and "'" not in draft.term
            and any(base in draft.term for base in _SIDED_BASES)
        ):
            draft.term = f"{side} {draft.term}"

    def _bracket_flag(self, draft: _Draft, j: int, end: int) -> int:
        """ "father (alleged)", "grandfather (deceased)", "grandad (maternal side)"."""
        if j + 3 < end and self.texts[j] == "(" and self.lower[j + 2] == "side":
            side = lx.SIDE_SPELLINGS.get(self.lower[j + 1])
            if self.lower[j + 1] in lx.MOTHER_WORDS:
                side = "maternal"
            elif self.lower[j + 1] in lx.FATHER_WORDS:
                side = "paternal"
            if side is not None and self.texts[j + 3] == ")":
                self._add_side(draft, side)
                return j + 4
        if j + 2 < end and self.texts[j] == "(" and self.texts[j + 2] == ")":
            low = self.lower[j + 1]
            if low in lx.ALLEGED_WORDS:
                draft.certainty = "alleged"
                return j + 3
            if low in lx.DISPUTED_WORDS:
                draft.certainty = "disputed"
                return j + 3
            if low in lx.DECEASED_WORDS:
                draft.deceased = True
                return j + 3
        return j

    def _names_after(self, draft: _Draft, j: int, end: int) -> list[tuple[_Name, float, int]]:
        """Names that follow a kin phrase; several only for plurals ("grandparents A and B")."""
        doc = self.doc
        plural = draft.hit.entry.plural
        out: list[tuple[_Name, float, int]] = []
        if j >= end:
            return out
        j = self._previous_relationship(draft, j, end)
        j = self._bracketed_kin(draft, j, end)
        j = self._naming_verbs(j, end)
        if j >= end:
            return out
        tok = doc[j]
        first: _Name | None = None
        conf = CONF_EXPLICIT
        in_bracket = False
        if tok.text == "(" and self._name_at(j + 1):
            first = self._name_at(j + 1)
            in_bracket = True
        elif tok.text in {",", ":"} and self._name_at(j + 1):
            first = self._name_at(j + 1)
        elif self._name_at(j):
            first = self._name_at(j)
        elif tok.lower_ in lx.NAME_INTRODUCERS and self._name_at(j + 1):
            first = self._name_at(j + 1)
        elif j + 1 < end and _introduces_name(tok, doc[j + 1]):
            first = self._name_at(j + 2)  # ", called Tom", "known as Tom"
        elif tok.lower_ in {"is", "was", "are", "were"} and self._name_at(j + 1):
            candidate = self._name_at(j + 1)
            assert candidate is not None
            k = candidate.end
            if (
                plural
                or k >= end
                or self.texts[k] in _CLOSERS
                or self.texts[k] == "("
                or (self.lower[k] == "and" and k + 1 < end and not self.texts[k + 1].istitle())
            ):
                first = candidate  # "Her brother is Riley.", "Her siblings are Tia and Cody."
        if first is None:
            return out
        if draft.anchor is not None and first.text == draft.anchor:
            return out
        if first.end < end and self.texts[first.end] in lx.APOSTROPHES:
            # "Gavin's mother, Sophie's nan Pat Hammond": the name is a possessor; the
            # person is named by the kin phrase it owns.
            k = first.end + 1
            while k < end and self.lower[k] in lx.NEUTRAL_MODIFIERS:
                k += 1
            if tok.text == "," and k in self.hit_by_start:
                draft.chain = k
            return out
        names = [first]
        k = first.end
        if plural:
            while k < end:
                k = self._alias_at(names[-1], k, end)
                age, k = self._age_at(k, end)
                if age is not None:
                    names[-1].age = age
                comma = self.texts[k] == ","
                following = self._name_at(k + 1)
                if comma and following is not None:
                    names.append(following)
                    k = following.end
                    continue
                m = k + 1 if comma else k
                if m < end and self.lower[m] in lx.COORDINATORS:
                    following = self._name_at(m + 1)
                    if following is not None:
                        names.append(following)
                break
        elif tok.text in {",", ":"} and (
            self._looks_like_list(k, end) or (k < end and self.lower[k] in _REPORTING)
        ):
            return out  # "Mum, Amelia and Riley"; "... her dad, Amelia said."
        if len(names) > 1:
            conf = CONF_COORDINATED
            _share_family_name(names, draft)
        # Ages and aliases after each name; the bracket closes after the last one.
        results: list[tuple[_Name, float, int]] = []
        for name in names:
            k = self._alias_at(name, name.end, end)
            age, k = self._age_at(k, end)
            if age is not None:
                name.age = age
            results.append((name, conf, k))
        if in_bracket:
            last_name, last_conf, k = results[-1]
            if k < end and self.texts[k] == ")":
                results[-1] = (last_name, last_conf, k + 1)
        last_name, last_conf, k = results[-1]
        after_side = self._bracket_flag(draft, k, end)  # "Martin Doyle (maternal side)"
        if after_side != k:
            results[-1] = (last_name, last_conf, after_side)
        return results

    def _naming_verbs(self, j: int, end: int) -> int:
        """ "has been identified as Ross", "is called Amanda", "was named as Lee": the index of
        the name after such words, or `j`."""
        k = j
        while k < end and k - j < 4 and self.lower[k] in lx.NAMING_AUX:
            k += 1
        if k < end and self.lower[k] in lx.NAMING_VERBS:
            k += 1
            if k < end and self.lower[k] == "as":
                k += 1
            if k in self.name_by_start:
                return k
        return j

    def _of_owner(self, draft: _Draft, j: int, end: int) -> int:
        """ "the daughter of Jessica's maternal aunt", "the father of Kerry's children", "the
        son of Dean": who the kin phrase belongs to. Returns the index after the owner, -1
        when the owner is no one the note places, or `j` when this is not such a phrase."""
        doc = self.doc
        k = j + 1
        if k >= end:
            return j
        name = self.name_by_start.get(k)
        if name is not None and not (name.end < end and self.texts[name.end] in lx.APOSTROPHES):
            draft.anchor = name.text
            draft.possessor = "name"
            return name.end
        # the owner is a kin phrase: skip its possessor and modifiers to find it
        m = k
        if name is not None:
            m = name.end + 1
        elif self.lower[m] in lx.POSSESSIVE_PRONOUNS or self.lower[m] in lx.DETERMINERS:
            m += 1
        while m < end and self.lower[m] in lx.NEUTRAL_MODIFIERS:
            m += 1
        if m < end and m in self.hit_by_start:
            draft.owner_at = m
            draft.possessor = "kin"
            return self.hit_by_start[m].end
        if m < end and self.lower[m] in lx.SUBJECT_NOUNS:
            draft.possessor = "subject"
            return m + 1
        if m < end and doc[m].is_alpha and doc[m].is_lower:
            return -1  # "of Elaine's neighbour", "of the family friend"
        return j

    def _bracketed_kin(self, draft: _Draft, j: int, end: int) -> int:
        """ "her Nani (maternal grandmother), Parveen": the bracket says who the same person
        is; link the two phrases (they share a name) and go on after the bracket."""
        if j >= end or self.texts[j] != "(":
            return j
        for k in range(j + 1, min(end, j + 8)):
            if self.texts[k] == ")":
                inner = [i for i in range(j + 1, k) if i in self.hit_by_start]
                if inner and (j + 1) not in self.name_by_start:
                    draft.chain = inner[0]
                    draft.same = True
                    return k + 1
                return j
            if self.texts[k] == "(":
                return j
        return j

    def _previous_relationship(self, draft: _Draft, j: int, end: int) -> int:
        """ "two children from a previous relationship, Kai and Lola": note it and skip it."""
        k = j
        if k < end and self.texts[k] == ",":
            k += 1
        if not (k + 2 < end and self.lower[k] == "from"):
            return j
        k += 1
        if self.lower[k] in lx.POSSESSIVE_PRONOUNS or self.lower[k] in lx.DETERMINERS:
            k += 1
        if k + 1 < end and self.lower[k] in lx.PREVIOUS_WORDS:
            k += 1
        if k < end and self.lower[k] in lx.RELATIONSHIP_NOUNS:
            draft.extra["previous_relationship"] = "yes"
            return k + 1
        return j

    def _looks_like_list(self, k: int, end: int) -> bool:
        """ "Mum, Amelia and Riley": a name after a comma starting a list, not an apposition."""
        if k >= end:
            return False
        nxt = k + 1
        if self.lower[k] in lx.COORDINATORS:
            return (
                self._name_at(nxt) is not None
                or nxt in self.hit_by_start
                or (nxt < end and self.lower[nxt] in lx.POSSESSIVE_PRONOUNS)
            )
        return self.texts[k] == "," and self._name_at(nxt) is not None

    def _name_before(self, draft: _Draft, s0: int, s1: int) -> None:
        """ "Peggy (MGM)", "Peggy, who is his special guardian", "Lee is believed to be
        Jayden's father", "Linda Hart, maternal grandmother,", and chains ("MGM and SGO")."""
        doc = self.doc
        left = draft.left
        if left - 1 < s0:
            return
        prev = doc[left - 1]
        # Chains: "Peggy (MGM and special guardian)", "her mother and father".
        if prev.lower_ in lx.COORDINATORS or prev.text == ",":
            before = self.hit_by_end.get(left - 1)
            if before is not None and before.start in self.drafts:
                other = self.drafts[before.start]
                if draft.pronoun is None and draft.anchor is None and draft.left == draft.hit.start:
                    draft.anchor = other.anchor
                    draft.pronoun, draft.pronoun_word = other.pronoun, other.pronoun_word
                    draft.possessor = other.possessor
                    draft.confidence = min(draft.confidence, other.confidence)
                if other.name is not None:
                    draft.name, draft.name_text = other.name, other.name_text
                    draft.confidence = min(draft.confidence, other.confidence)
                return
        # Brackets: "Peggy (MGM)".
        if prev.text == "(" and (left - 1) in self.name_by_end:
            name = self.name_by_end[left - 1]
            if name.text != draft.anchor:
                draft.name, draft.name_text = name, name.text
                age, draft.after = self._age_at(draft.after, s1)  # "Tom (uncle, 31)"
                if age is not None:
                    draft.age = age
                draft.after = self._close_bracket(draft.after, s1)
                return
        # Copulas and relative clauses.
        subject = self._copula_subject(left, s0)
        if subject is not None:
            found, belief = subject
            if found.text != draft.anchor:
                draft.name, draft.name_text = found, found.text
                if belief:
                    draft.certainty = "alleged"
                return
        # Comma apposition before: "Linda Hart, maternal grandmother, said".
        if prev.text == "," and (left - 1) in self.name_by_end:
            j = draft.after
            closes = j >= s1 or self.texts[j] in _CLOSERS
            listy = (
                j + 1 < s1
                and self.texts[j] == ","
                and (self.lower[j + 1] in lx.COORDINATORS or self._name_at(j + 1) is not None)
            ) or (j < s1 and self.lower[j] in lx.COORDINATORS)
            name = self.name_by_end[left - 1]
            if closes and not listy and name.text != draft.anchor:
                draft.name, draft.name_text = name, name.text
                draft.confidence = min(draft.confidence, CONF_NAME_BEFORE_COMMA)

    def _copula_subject(self, left: int, s0: int) -> tuple[_Name, bool] | None:
        """The subject of "X is (believed to be) <kin>" or "X, who is <kin>", and whether a
        belief verb made it uncertain."""

        def skip(m: int) -> int:
            while m >= s0 and self.lower[m] in lx.COPULA_ADVERBS:
                m -= 1
            return m

        m = skip(left - 1)
        belief: str | None = None
        if (
            m - 2 >= s0
            and self.lower[m] == "be"
            and self.lower[m - 1] == "to"
            and self.lower[m - 2] in lx.BELIEF_VERBS
        ):
            belief = self.lower[m - 2]
            m = skip(m - 3)
        if m >= s0 and self.lower[m] == "be" and m - 1 >= s0 and self.lower[m - 1] in lx.MODALS:
            m = skip(m - 2)  # "he could be the father"
        elif m >= s0 and self.lower[m] in lx.COPULAS:
            m = skip(m - 1)
        elif belief not in {"claims", "claimed"}:
            return None
        if m >= s0 and self.lower[m] == "who":
            m -= 1
            if m >= s0 and self.texts[m] == ",":
                m -= 1
        elif m >= s0 and self.texts[m] == "," and (m - 1) in self.name_by_end:
            m -= 1  # "Joan's sister, Maureen Platt, is Archie's great-great-aunt"
        if m >= s0 and self.lower[m] in lx.SUBJECT_PRONOUNS:
            # "he is Dad's grandfather": the nearest person of that sex named before
            name = self._named_before(m, s0, lx.SUBJECT_PRONOUNS[self.lower[m]])
        else:
            name = self._antecedent(m + 1, s0)
        return (name, belief is not None) if name is not None else None

    def _named_before(
        self, before: int, s0: int, sex: str | None, strict: bool = False
    ) -> _Name | None:
        """The last name before token `before` in the sentence (not a possessor) whose sex,
        when known, is `sex` (`strict`: whose sex is known to be `sex`)."""
        for name in reversed(self.sent_names.get(s0, [])):
            if name.end > before:
                continue
            if name.end < before and self.texts[name.end] in lx.APOSTROPHES:
                continue
            known = self._sex_of(name)
            if (known is None and not strict) or sex is None or known == sex:
                return name
        return None

    def _close_bracket(self, j: int, end: int) -> int:
        return j + 1 if j < end and self.texts[j] == ")" else j

    # ---------------------------------------------------------------- couples

    def _couples(self, sent: _Sent, drafts: list[_Draft]) -> list[_Draft]:
        """Couples: "Kerry and Dean separated in 2020", "The mother, Ms Carr, and the father,
        Mr Hall, separated", "Rachel is engaged to Darren Fox", "Dawn began a relationship
        with Carl Pike": a partner mention of the second person, anchored on the first."""
        out: list[_Draft] = []
        s0, s1 = sent.start, sent.end
        for k in range(s0 + 1, s1 - 1):
            low = self.lower[k]
            if low in {"and", "&"}:
                a = self._person_ending(k, s0, drafts)
                b = self._person_starting(k + 1, s1, drafts)
                if a is None or b is None:
                    continue
                m = b[2]
                if m < s1 and self.texts[m] == ",":
                    m += 1
                while m < s1 and self.lower[m] in lx.COUPLE_VERBS:
                    m += 1
                if m >= s1 or self.lower[m] not in lx.COUPLE_CUES:
                    continue
                if self.lower[m] == "split" and not (m + 1 < s1 and self.lower[m + 1] == "up"):
                    continue
                cue_at = m
            elif (low in {"engaged", "married"} and self.lower[k + 1] == "to") or (
                low in {"relationship", "relationships"} and self.lower[k + 1] == "with"
            ):
                b = self._person_starting(k + 2, s1, drafts)
                j = k - 1
                while j >= s0 and self.lower[j] in lx.RELATIONSHIP_LEAD:
                    j -= 1
                a = self._person_ending(j + 1, s0, drafts)
                if a is None or b is None:
                    continue
                cue_at = k
            else:
                continue
            draft = self._couple_draft(a, b, cue_at, s1)
            if draft is not None:
                out.append(draft)
                # "Marek and Oliwia's mother, Rebecca, separated": a couple, so Rebecca is not
                # also Marek's mother
                for other in drafts:
                    if other.anchor == a[1].text and other.name is b[1] and other is not b[0]:
                        other.dropped = True
        return out

    def _person_ending(
        self, k: int, s0: int, drafts: list[_Draft]
    ) -> tuple[_Draft | None, _Name, int] | None:
        """A named person whose description ends at token `k` (a name, "Ms Carr,", "the
        mother, Ms Rebecca Carr,") or the sentence's pronoun subject: (draft, name, start)."""
        end = k - 1 if k - 1 >= s0 and self.texts[k - 1] == "," else k
        name = self.name_by_end.get(end)
        if name is None and end - 1 >= s0 and self.lower[end - 1] in lx.SUBJECT_PRONOUNS:
            name = self._named_before(
                end - 1, s0, lx.SUBJECT_PRONOUNS[self.lower[end - 1]], strict=True
            )
            if name is None:
                return None
            return next((d for d in drafts if d.name is name), None), name, end - 1
        if name is None:
            return None
        if name.end < len(self.texts) and self.texts[name.end] in lx.APOSTROPHES:
            return None
        draft = next((d for d in drafts if d.name is name and not d.dropped), None)
        return draft, name, name.start

    def _sex_of(self, name: _Name) -> str | None:
        """A person's sex from a title ("Mr Paul Doyle") or a sexed kin term, also when the
        note later uses only their first name ("Paul")."""
        sex = name.sex or self.sex_of_name.get(name.text)
        if sex is not None:
            return sex
        if self._first_sex is None:
            self._first_sex = {}
            for n in self.names:
                known = n.sex or self.sex_of_name.get(n.text)
                if known is not None:
                    self._first_sex.setdefault(n.text.split(" ", 1)[0], set()).add(known)
        found = set(self._first_sex.get(name.text.split(" ", 1)[0], set()))
        return found.pop() if len(found) == 1 else None

    def _person_starting(
        self, k: int, s1: int, drafts: list[_Draft]
    ) -> tuple[_Draft | None, _Name, int] | None:
        """A named person whose description starts at token `k`: (draft, name, end)."""
        name = self.name_by_start.get(k)
        if name is not None and not (name.end < s1 and self.texts[name.end] in lx.APOSTROPHES):
            draft = next((d for d in drafts if d.name is name and not d.dropped), None)
            return draft, name, name.end
        for d in drafts:
            if d.left == k and d.name is not None and not d.dropped:
                return d, d.name, max(d.after, d.name.end)
        return None

    def _couple_draft(
        self,
        a: tuple[_Draft | None, _Name, int],
        b: tuple[_Draft | None, _Name, int],
        cue_at: int,
        s1: int,
    ) -> _Draft | None:
        a_draft, a_name, a_start = a
        b_draft, b_name, _ = b
        if a_name is b_name:
            return None
        if any(d is not None and not _may_be_a_couple(d.term) for d in (a_draft, b_draft)):
            return None  # "her brother Riley and sister Ruby separated" (from each other? no)
        cue = self.lower[cue_at]
        term: str
        status: str | None
        if cue in lx.COUPLE_CUES:
            term, status = lx.COUPLE_CUES[cue]
        else:
            term, status = "partner", ("engaged" if cue == "engaged" else None)
            if cue == "married":
                term, status = "spouse", "married"
        start_year = _year_after(self.doc, cue_at + 1, s1) if term != "ex-partner" else None
        for later in range(cue_at + 1, s1):
            if self.lower[later] in {"separated", "divorced"}:
                # "were married in 2014 but separated in 2020"
                term, status = lx.COUPLE_CUES[self.lower[later]]
                cue_at = later
                break
        sex = self._sex_of(b_name)
        if b_draft is not None and sex is None:
            sex = lx.term_sex(b_draft.term)
        if status in {"married", "divorced"} and sex is not None:
            word = "husband" if sex == "male" else "wife"
            term = f"ex-{word}" if status == "divorced" else word
        elif status == "married":
            term = "spouse"
        elif status == "divorced":
            term = "ex-spouse"
        hit = _Hit(b_name.start, b_name.end, lx.KinEntry(term, status=status))
        draft = _Draft(
            hit=hit,
            term=term,
            name=b_name,
            name_text=b_name.text,
            anchor=a_name.text,
            left=a_start,
            after=cue_at + 1,
            confidence=CONF_COUPLE,
            status=status,
            possessor="couple",
        )
        draft.ref_start = b_name.start
        if start_year:
            draft.extra["start"] = start_year
        end_year = _year_after(self.doc, cue_at + 1, s1) if term.startswith("ex-") else None
        if end_year:
            draft.extra["end"] = end_year
        return draft

    # ---------------------------------------------------------------- pronouns

    def _resolve_pronouns(self, sent: _Sent, drafts: list[_Draft]) -> None:
        named_by_drafts = {id(d.name) for d in drafts if d.name is not None}
        anchors = {d.left for d in drafts if d.anchor is not None}
        refs: list[_Ref] = []
        for name in self.sent_names.get(sent.start, []):
            if id(name) in named_by_drafts:
                continue
            if name.end < sent.end and self.texts[name.end] in lx.APOSTROPHES:
                continue  # a possessor: "Amelia's father" is about the father
            if name.start in anchors:
                continue
            refs.append(_Ref(name.start, self._sex_of(name), name=name))
        for i in range(sent.start, sent.end):
            sex = lx.SUBJECT_PRONOUNS.get(self.lower[i])
            if sex is not None:
                refs.append(_Ref(i, sex, pronoun=True))
        resolved: dict[int, tuple[str, _Referent]] = {}
        self.pairs = self._pairs_in(sent, drafts)
        for draft in drafts:
            if draft.owner is not None:
                self._compose_onto(draft, draft.owner)
            elif draft.pronoun is not None and draft.pronoun_word is not None:
                referent = self._referent(draft, drafts, refs, resolved)
                resolved[draft.pronoun] = (draft.pronoun_word, referent)
                self._apply(draft, referent)
            if not draft.dropped:
                sex = lx.term_sex(draft.term) or draft.extra.get("sex")
                if sex is None and draft.name_text:
                    sex = self.sex_of_name.get(draft.name_text)
                refs.append(_Ref(draft.ref_start, sex, draft=draft))
        self._carry_over(refs)
        self.sent_refs = refs

    def _carry_over(self, refs: list[_Ref]) -> None:
        """Remember who this sentence is about (its first person) for the next sentence."""
        if self.pairs:
            self.carry_pair = self.pairs[-1][1]
        elif refs:
            self.carry_pair = None
        if not refs:
            return  # "Home visit." keeps the person the sentence before was about
        first = min(refs, key=lambda r: r.position)
        if first.pronoun:
            self.carry = (self._nearest(first.position, first.sex, None, refs, True), first.sex)
        elif first.draft is not None:
            self.carry = (_Referent(draft=first.draft), first.sex)
        elif first.name is not None:
            self.carry = (_Referent(name=first.name.text), first.sex)

    def _pairs_in(self, sent: _Sent, drafts: list[_Draft]) -> list[tuple[int, _Referent]]:
        """Coordinated people ("Grace and Tunde", "Mum and her partner"): (position of the
        second, the first) for resolving "their"."""
        by_end = {d.hit.end: d for d in drafts}
        by_name_end = {d.name.end: d for d in drafts if d.name is not None}
        pairs: list[tuple[int, _Referent]] = []
        for k in range(sent.start + 1, sent.end - 1):
            if self.lower[k] not in {"and", "&"}:
                continue
            left_end = k
            if self.texts[k - 1] == ")":  # "Connor (19) and Amy (17)"
                opening = next(
                    (o for o in range(k - 2, max(sent.start, k - 7), -1) if self.texts[o] == "("),
                    None,
                )
                left_end = opening if opening is not None else k
            left_draft = by_name_end.get(left_end) or by_end.get(left_end)
            left_name = self.name_by_end.get(left_end)
            right = k + 1
            if right < sent.end and self.lower[right] in lx.POSSESSIVE_PRONOUNS:
                right += 1
            if right not in self.name_by_start and right not in self.hit_by_start:
                continue
            right_draft = next((d for d in drafts if d.left == right or d.hit.start == right), None)
            first: _Referent | None = None
            if left_draft is not None:
                first = _Referent(draft=left_draft)
            elif left_name is not None:
                first = _Referent(name=left_name.text)
            if (
                right_draft is not None
                and right_draft.anchor is None
                and right_draft.owner is None
                and (left_draft is None or _steps(right_draft.term) < _steps(left_draft.term))
                and (left_draft is not None or right_draft.pronoun is None)
            ):
                # "Karen and Amy's mother": Amy (the mother) is the nearer relative
                first = _Referent(draft=right_draft)
            if first is not None:
                pairs.append((k + 1, first))
        return pairs

    def _referent(
        self,
        draft: _Draft,
        drafts: list[_Draft],
        refs: list[_Ref],
        resolved: dict[int, tuple[str, _Referent]],
    ) -> _Referent:
        assert draft.pronoun is not None and draft.pronoun_word is not None
        word = draft.pronoun_word
        want = lx.POSSESSIVE_PRONOUNS.get(word)
        if word == "their":
            return self._their(draft, drafts)
        if word not in {"her", "his"}:
            return _Referent(subject=True)
        p = draft.pronoun
        # The same pronoun again with nobody new named in between keeps its referent:
        # "with her mum Kerry and her brother Riley".
        earlier = [(q, r) for q, (w, r) in resolved.items() if w == word and q < p]
        coordinated = p > 0 and (self.lower[p - 1] in lx.COORDINATORS or self.texts[p - 1] == ",")
        if earlier and coordinated:
            q, referent = max(earlier, key=lambda item: item[0])
            if not any(r.draft is None and q < r.position < p for r in refs):
                return referent
        # Coordinated with a possessed mention: "Amelia's mum's partner Craig and her brother".
        k = p - 1
        if k >= 0 and self.lower[k] in lx.COORDINATORS:
            k -= 1
            if k >= 0 and self.texts[k] == ",":
                k -= 1
        elif k >= 0 and self.texts[k] == ",":
            k -= 1
        if k < p - 1:
            for prev in drafts:
                if prev.after == k + 1 and prev.possessor in {"name", "subject"}:
                    if prev.anchor is None:
                        return _Referent(subject=True)
                    return _Referent(name=prev.anchor)
        carried = self.lower[p] in lx.SUBJECT_PRONOUNS or self._carries(p, want, draft)
        return self._nearest(p, want, draft, refs, carried=carried)

    def _carries(self, p: int, want: str | None, draft: _Draft) -> bool:
        """Whether a sentence's first word "His"/"Her" may stand for the person the previous
        sentence was about: when that was a named person of that sex ("Ross is the son of ...
        His mother"), or when it is their partner ("Mum was there. Her partner Craig ...").
        Otherwise it is the note's subject ("Her brother Riley" after a sentence about Mum)."""
        if self.carry is None or p != self._first_word(p, p + 1) or not self._sentence_start(p):
            return False
        referent, sex = self.carry
        if lx.is_partner_term(draft.term):
            return sex is None or want is None or sex == want
        return referent.name is not None and sex is not None and sex == want

    def _sentence_start(self, p: int) -> bool:
        """Whether token `p` is the first word of its sentence."""
        return self.sents[self.sent_at[p]].start == p or (
            p > 0 and self.texts[p - 1] in _OPEN_QUOTES
        )

    def _their(self, draft: _Draft, drafts: list[_Draft]) -> _Referent:
        """ "Grace and Tunde ... Their daughter", "his wife, Nia, and their son": the first of
        the nearest couple or pair named before, in this sentence or the one before."""
        assert draft.pronoun is not None
        p = draft.pronoun
        best: tuple[int, _Referent] | None = None
        for other in drafts:
            if other is draft or other.dropped or other.ref_start >= p:
                continue
            pair_word = lx.is_partner_term(other.term) or other.term in _SIBLING_TERMS
            if pair_word and (best is None or other.ref_start > best[0]):
                # "his wife, Nia, and their son"; "her sister, Dawn, ... their mother"
                if other.owner is not None:
                    best = (other.ref_start, _Referent(draft=other.owner))
                elif other.anchor is not None:
                    best = (other.ref_start, _Referent(name=other.anchor))
        for position, referent in self.pairs:
            if position < p and (best is None or position > best[0]):
                best = (position, referent)
        if best is not None:
            return best[1]
        if self.carry_pair is not None:
            return self.carry_pair
        return _Referent(subject=True)

    def _nearest(
        self,
        before: int,
        want: str | None,
        draft: _Draft | None,
        refs: list[_Ref],
        carried: bool = False,
    ) -> _Referent:
        candidates = [
            r
            for r in refs
            if r.position < before
            and (draft is None or r.draft is not draft)
            and (r.sex is None or want is None or r.sex == want)
            and (draft is None or not _same_person(draft, r))
        ]
        if not candidates:
            # "Dean is Riley's dad. He lives with his partner": a sentence's "he" or "she"
            # with nobody before it is the person the previous sentence was about.
            if carried and self.carry is not None:
                referent, sex = self.carry
                if sex is None or want is None or sex == want:
                    return referent
            return _Referent(subject=True)
        best = max(candidates, key=lambda r: r.position)
        if best.pronoun:
            return self._nearest(best.position, best.sex, draft, refs, carried=True)
        if best.draft is not None:
            return _Referent(draft=best.draft)
        assert best.name is not None
        return _Referent(name=best.name.text)

    def _apply(self, draft: _Draft, referent: _Referent) -> None:
        draft.confidence = min(draft.confidence, CONF_PRONOUN)
        draft.extra["pronoun"] = draft.pronoun_word or ""
        if referent.subject:
            draft.anchor = None
            return
        sex = lx.POSSESSIVE_PRONOUNS.get(draft.pronoun_word or "")
        if referent.name is not None:
            draft.anchor = referent.name
            if sex is not None:
                draft.extra["anchor_sex"] = sex  # "Rachel described her ex-husband"
            return
        other = referent.draft
        assert other is not None
        self._compose_onto(draft, other)
        if sex is not None and draft.anchor is not None and draft.anchor == other.name_text:
            draft.extra["anchor_sex"] = sex

    def _compose_onto(self, draft: _Draft, other: _Draft) -> None:
        """Make `draft` (a relative of the person `other` describes) relative to `other`'s
        anchor: "Mum said her partner" -> mother's partner; else anchor on `other`'s name."""
        if other.dropped:
            draft.dropped = True
            return
        composed = lx.compose(other.term, draft.term)
        if composed is not None and (other.anchor is None or "'s " not in composed):
            draft.term = composed
            draft.anchor = other.anchor
            return
        if other.name_text is not None:
            draft.anchor = other.name_text
            return
        draft.dropped = True  # no term for it relative to anyone the note names

    # ---------------------------------------------------------------- relations

    def _relations(self, sent: _Sent, drafts: list[_Draft]) -> None:
        """Households ("lives with Mum and Liam") and emotional or safeguarding lines
        ("domestic abuse by Jason towards Kayleigh", "no contact with his father")."""
        s0, s1 = sent.start, sent.end
        words = self._words(sent)
        self._household_list(sent, drafts)
        if not words & lx.RELATION_TRIGGERS:
            return
        certainty = "alleged" if words & lx.ALLEGATION_WORDS else "confirmed"
        for k in range(s0, s1):
            low = self.lower[k]
            if low in lx.LIVE_VERBS:
                self._household(k, s0, s1, drafts, certainty)
            elif low in lx.RELATION_CUES:
                self._relates(k, s0, s1, drafts, certainty, words)

    def _household_list(self, sent: _Sent, drafts: list[_Draft]) -> None:
        """ "Household composition:" followed by one person a line ("- Mum (Stacey, 27)"):
        the first person of each line lives with the subject."""
        s0, s1 = sent.start, sent.end
        heading = [
            k
            for k in range(s0, s1 - 1)
            if self.lower[k] in lx.HOUSEHOLD_HEADINGS and self.texts[k + 1] == ":"
        ]
        if heading:
            self.in_household_list = True
            start = heading[-1] + 2
        elif self.in_household_list and self._first_word(s0, s1) > s0:
            start = s0  # "- Wayne's son Tyler Pickup (12)": a bullet line of the list
        else:
            self.in_household_list = False
            return
        for k in range(start, s1):
            if self.texts[k] in _BULLETS or k == start:
                j = k + 1 if self.texts[k] in _BULLETS else k
                while j < s1 and self.texts[j].isspace():
                    j += 1
                party = self._party_at(j, s1, drafts) if j < s1 else None
                if party is not None:
                    self._relation(
                        "LIVES_WITH", None, SUBJECT_PARTY, party[0], (j, j + 1), "confirmed"
                    )

    def _household(self, k: int, s0: int, s1: int, drafts: list[_Draft], certainty: str) -> None:
        """ "X lives (here) with A, B and C", "moved in with his dad", "A and B live together"."""
        if (
            self.lower[k] in {"stays", "staying", "stay", "stayed"}
            and self._words(self.sents[self.sent_at[k]]) & lx.CONTACT_WORDS
        ):
            return  # "stays with her dad every other weekend": contact, not a household
        j = k + 1
        if j < s1 and self.lower[j] in {"in", "on", "at", "here", "there", "together"}:
            if self.lower[j] == "together":
                people = self._subjects(k, s0, drafts)
                for a, b in itertools.combinations(people, 2):
                    self._relation("LIVES_WITH", None, a, b, (k, j + 1), certainty)
                return
            if self.lower[j] == "in" and j + 1 < s1 and self.lower[j + 1] == "with":
                j += 1  # "moved in with"
            else:
                while (
                    j < s1
                    and j - k < 7
                    and self.lower[j] not in {"with", "w/"}
                    and self.texts[j] != ","
                ):
                    j += 1  # "lives in Bristol with"
        if j >= s1 or self.lower[j] not in {"with", "w/"}:
            return
        if any(self.lower[i] in lx.NEGATIONS for i in range(max(s0, k - 3), k)):
            return  # "no longer lives with", "does not live with"
        people = self._subjects(k, s0, drafts) or self._opening_party(s0, k, drafts)
        if not people:
            people = [SUBJECT_PARTY]  # "Lives with Mum and Liam."
        others = self._party_list(j + 1, s1, drafts)
        for a in people:
            for b in others:
                self._relation("LIVES_WITH", None, a, b, (k, j + 1), certainty)

    def _relates(
        self,
        k: int,
        s0: int,
        s1: int,
        drafts: list[_Draft],
        certainty: str,
        words: frozenset[str],
    ) -> None:
        """One emotional or safeguarding cue at token `k` (see `lexicon.RELATION_CUES`)."""
        low = self.lower[k]
        kind, shape = lx.RELATION_CUES[low]
        if low == "contact" and not (k - 1 >= s0 and self.lower[k - 1] == "no"):
            return
        if low in {"relationship", "relationships"}:
            adjective = self.lower[k - 1] if k - 1 >= s0 else ""
            if adjective not in lx.RELATIONSHIP_KINDS:
                return  # "began a relationship with": a partner, read elsewhere
            kind = lx.RELATIONSHIP_KINDS[adjective]
        if low in lx.NEGATED_CUES and not any(
            self.lower[i] in lx.NEGATIONS for i in range(max(s0, k - 3), k)
        ):
            return  # "has seen", "gets on": only "has not seen", "do not get on" count
        if low in {"abuse", "violence"} and k - 1 >= s0:
            kind = lx.ABUSE_KINDS.get(self.lower[k - 1], kind)
        after = k + 1
        if after < s1 and self.lower[after] == "of" and low != "victim":
            after += 1  # "a history of"
        if shape == "between":
            # "conflict between Roisin and Bernadette"
            if after < s1 and self.lower[after] == "between":
                pair = self._party_list(after + 1, s1, drafts)
                if len(pair) >= 2:
                    self._relation("RELATES_TO", kind, pair[0], pair[1], (k, after + 1), certainty)
                    return
            if after < s1 and self.lower[after] == "with":
                others = self._party_list(after + 1, s1, drafts)
                for a in self._subjects(k, s0, drafts)[:1] or self._opening_party(s0, k, drafts):
                    for b in others:
                        self._relation("RELATES_TO", kind, a, b, (k, after + 1), certainty)
                return
            pair = self._subjects(k, s0, drafts)  # "the two do not get on"
            if len(pair) >= 2:
                self._relation("RELATES_TO", kind, pair[0], pair[1], (k, k + 1), certainty)
            return
        if shape == "from":
            # "estranged from his father", "no contact with", "close to her cousin"
            subjects = self._subjects(k - (low == "contact"), s0, drafts)
            if after < s1 and self.lower[after] in {"from", "with", "to", "towards"}:
                others = self._party_list(after + 1, s1, drafts)
                first = subjects[:1] or self._opening_party(s0, k, drafts) or [SUBJECT_PARTY]
                for a in first:
                    for b in others:
                        self._relation("RELATES_TO", kind, a, b, (k, after + 1), certainty)
            elif len(subjects) >= 2:  # "they have been estranged", "the two are close"
                self._relation("RELATES_TO", kind, subjects[0], subjects[1], (k, k + 1), certainty)
            elif low == "contact" and k - 2 >= s0 and self.texts[k - 2] in {"-", ":", ",", "–"}:
                # "F Adeel Hussain - no contact since 2022"
                for a in subjects[:1] or self._opening_party(s0, k, drafts):
                    self._relation("RELATES_TO", kind, a, SUBJECT_PARTY, (k, k + 1), certainty)
            return
        if shape == "by":
            # "domestic abuse by Jason towards Kayleigh", "a victim of DA perpetrated by Gary"
            by = next((i for i in range(k + 1, min(s1, k + 6)) if self.lower[i] == "by"), None)
            if by is None:
                return
            actors = self._party_list(by + 1, s1, drafts)
            if not actors:
                return
            end = self._party_end(by + 1, s1, drafts)
            victims: list[Party] = []
            if end < s1 and self.lower[end] in {"towards", "against", "on", "to"}:
                victims = self._party_list(end + 1, s1, drafts)
            if not victims:
                victims = self._subjects(k, s0, drafts)[:1] or self._opening_party(s0, k, drafts)
            if not victims and kind == "neglect":
                victims = [SUBJECT_PARTY]  # "concerns about neglect by Angela": of the child
            if kind == "abuse_physical" and words & lx.DOMESTIC_WORDS:
                kind = "domestic_abuse"
            for victim in victims:
                self._relation("RELATES_TO", kind, actors[0], victim, (k, by + 1), certainty)
            return
        if shape == "verb":
            # "Carl Pike assaulted Dawn", "Reece hurt her mum", "Gary's conviction for
            # assaulting Tyler", "Harvey has not seen him"
            victims = self._party_list(k + 1, s1, drafts)
            actors = self._subjects(k, s0, drafts) or self._possessor_before(k, s0, victims)
            if (
                victims
                and actors
                and victims[0] == actors[0]
                and self.lower[k + 1] in {"him", "her"}
            ):
                # "Harvey has not seen him": him is not Harvey
                victims = [
                    self._pronoun_party(
                        k + 1, "male" if self.lower[k + 1] == "him" else "female", strict=True
                    )
                ]
            if not actors or not victims:
                return
            if kind == "abuse_physical" and (
                words & lx.DOMESTIC_WORDS or self._partners(actors[0], victims[0], drafts)
            ):
                kind = "domestic_abuse"
            self._relation("RELATES_TO", kind, actors[0], victims[0], (k, k + 1), certainty)

    def _opening_party(self, s0: int, before: int, drafts: list[_Draft]) -> list[Party]:
        """The person a sentence opens with ("Sophie's mum, Emma Carr, ... alleged emotional
        abuse by Gavin": Emma), if any."""
        for j in range(s0, min(before, s0 + 3)):
            party = self._party_at(j, before, drafts)
            if party is not None:
                return [party[0]]
        return []

    def _possessor_before(self, k: int, s0: int, exclude: list[Party]) -> list[Party]:
        """The nearest name before `k`, possessors included ("Gary's conviction for")."""
        names = {p.name for p in exclude}
        for name in reversed(self.sent_names.get(s0, [])):
            if name.end <= k and name.text not in names:
                return [Party(name=name.text)]
        return []

    def _partners(self, a: Party, b: Party, drafts: list[_Draft]) -> bool:
        """Whether one of two people is the other's partner ("Mum's ex-partner Jason
        assaulted Mum"), which makes an assault domestic abuse."""
        terms = [self._term_of(p, drafts) for p in (a, b)]
        for one, other, party in ((terms[0], terms[1], b), (terms[1], terms[0], a)):
            if one is None or not lx.is_partner_term(one):
                continue
            owner = one.rsplit("'s ", 1)[0] if "'s " in one else None
            if owner is not None and other == owner:
                return True  # mother's partner and mother
            if owner is None and any(
                d.anchor is not None and d.anchor == party.name and lx.is_partner_term(d.term)
                for d in drafts
            ):
                return True  # Kerry's partner and Kerry
        return False

    def _term_of(self, party: Party, drafts: list[_Draft]) -> str | None:
        if party.term is not None:
            return party.term
        for d in drafts:
            if party.name is not None and d.name_text == party.name and d.anchor is None:
                return d.term
        return None

    def _subjects(self, k: int, s0: int, drafts: list[_Draft]) -> list[Party]:
        """The people a clause ending before token `k` is about: "Leo and Max live", "Mum
        (Kerry) lives", "who lives" (the person before "who"), "He lives"."""
        m = k - 1
        while m >= s0 and (self.lower[m] in lx.CLAUSE_FILLERS or self.lower[m] in lx.NEGATIONS):
            m -= 1
        if m < s0:
            return []
        if self.lower[m] == "who" and m - 1 >= s0:
            m -= 1
            if self.texts[m] == ",":
                m -= 1
        if self.lower[m] == "they" or (
            self.lower[m] == "two" and m - 1 >= s0 and self.lower[m - 1] == "the"
        ):
            return self._last_two(m, s0, drafts)  # "and the two do not get on"
        if self.lower[m] in lx.SUBJECT_PRONOUNS:
            return [self._pronoun_party(m, lx.SUBJECT_PRONOUNS.get(self.lower[m]))]
        if self.texts[m] == "," and m - 1 >= s0:
            m -= 1  # "Lily's father, Jordan Ellis, lives with"
        if self.lower[m] in {"and", "-"}:
            return self._opening_party(s0, m, drafts)  # "Steve ... and has lived with"
        party = self._party_ending(m + 1, s0, drafts)
        if party is None:
            return []
        found, start = party
        people = [found]
        j = start - 1
        while j > s0 and self.lower[j] in {"and", "&", ","}:
            more = self._party_ending(j, s0, drafts)
            if more is None or more[1] > j or more[0] in people:
                break
            people.insert(0, more[0])
            j = more[1] - 1
        return people

    def _last_two(self, before: int, s0: int, drafts: list[_Draft]) -> list[Party]:
        """ "they", "the two": the last two people the sentence names before `before`."""
        found: list[tuple[int, Party]] = []
        named = {id(d.name) for d in drafts if d.name is not None}
        for d in drafts:
            if d.ref_start < before:
                found.append((d.ref_start, self._draft_party(d)))
        for name in self.sent_names.get(s0, []):
            if name.start < before and id(name) not in named:
                found.append((name.start, Party(name=name.text)))
        people: list[Party] = []
        for _, party in sorted(found, key=lambda item: item[0], reverse=True):
            if all(party.name is None or party.name != p.name for p in people):
                people.append(party)
            if len(people) == 2:
                return people[::-1]
        return []

    def _party_ending(self, end: int, s0: int, drafts: list[_Draft]) -> tuple[Party, int] | None:
        """The person whose description ends just before `end`: (party, start)."""
        if end - 1 >= s0 and self.texts[end - 1] == ",":
            end -= 1
        for d in drafts:
            stop = max(d.after, d.name.end if d.name is not None else 0, d.hit.end)
            if stop == end or d.hit.end == end or (d.name is not None and d.name.end == end):
                start = min(d.left, d.hit.start)
                if d.possessor == "haver" and d.name is not None:
                    start = d.name.start  # "has two children, Connor and Amy": not the haver
                return self._draft_party(d), start
        if end - 1 >= s0 and self.texts[end - 1] == ")":
            opening = next(
                (o for o in range(end - 2, max(s0 - 1, end - 8), -1) if self.texts[o] == "("),
                None,
            )
            if opening is not None:
                return self._party_ending(opening, s0, drafts)
        name = self.name_by_end.get(end)
        if name is not None:
            return Party(name=name.text), name.start
        return None

    def _party_list(self, j: int, s1: int, drafts: list[_Draft]) -> list[Party]:
        """People listed from token `j`: "Mum, her brother Riley and Liam Carter"."""
        out: list[Party] = []
        clause_at: int | None = None  # where ", and" started a possible new clause
        while j < s1:
            if self.lower[j] in lx.POSSESSIVE_PRONOUNS:
                m = j + 1
                while m < s1 and self.lower[m] in lx.NEUTRAL_MODIFIERS | lx.STATUS_MODIFIERS.keys():
                    m += 1
                if m not in self.hit_by_start:
                    return out  # "with her friend Tasha": not a relative
            party = self._party_at(j, s1, drafts)
            if party is None:
                return out
            found, end = party
            out.append(found)
            j = end
            if j < s1 and self.texts[j] == "(":
                close = next((c for c in range(j, min(s1, j + 8)) if self.texts[c] == ")"), None)
                j = close + 1 if close is not None else j
            if j < s1 and self.lower[j] in lx.CLAUSE_VERBS and clause_at is not None:
                return out[:clause_at]  # "..., and Ruby and Tyler are staying with Diane"
            if j < s1 and self.texts[j] == ",":
                j += 1
                if j < s1 and self.lower[j] in {"and", "&"}:
                    clause_at = len(out)
            if j < s1 and self.lower[j] in {"and", "&"}:
                j += 1
            elif not (j - 1 >= 0 and self.texts[j - 1] == ","):
                return out
        return out

    def _party_end(self, j: int, s1: int, drafts: list[_Draft]) -> int:
        party = self._party_at(j, s1, drafts)
        return party[1] if party is not None else j

    def _party_at(self, j: int, s1: int, drafts: list[_Draft]) -> tuple[Party, int] | None:
        """The person described from token `j` (a kin phrase, a name, a pronoun): (party,
        end)."""
        for d in drafts:
            if d.left == j or d.hit.start == j or (d.name is not None and d.name.start == j):
                end = max(d.after, d.name.end if d.name is not None else 0, d.hit.end)
                return self._draft_party(d), end
        name = self.name_by_start.get(j)
        if name is not None:
            return Party(name=name.text), name.end
        if self.lower[j] == "the" and j + 1 < s1 and self.lower[j + 1] in lx.FAMILY_NOUNS:
            return SUBJECT_PARTY, j + 2  # "has lived with the family for four years"
        if self.lower[j] in {"him", "her"} and (j + 1 >= s1 or j + 1 not in self.hit_by_start):
            sex = "male" if self.lower[j] == "him" else "female"
            return self._pronoun_party(j, sex), j + 1
        return None

    def _pronoun_party(self, j: int, sex: str | None, strict: bool = False) -> Party:
        if strict:
            start = self.sents[self.sent_at[j]].start
            name = self._named_before(j, start, sex, strict=True)
            return Party(name=name.text) if name is not None else SUBJECT_PARTY
        referent = self._nearest(j, sex, None, self.sent_refs, carried=True)
        if referent.draft is not None:
            return self._draft_party(referent.draft)
        if referent.name is not None:
            return Party(name=referent.name)
        return SUBJECT_PARTY

    def _draft_party(self, draft: _Draft) -> Party:
        term = draft.term if draft.anchor is None else None
        return Party(name=draft.name_text, mention_span=self._span(draft), term=term)

    def _span(self, draft: _Draft) -> tuple[int, int]:
        """The character span a draft's finding gets (the name if any, else the kin phrase)."""
        first, last = (
            (draft.name.start, draft.name.end - 1)
            if draft.name is not None
            else (draft.hit.start, draft.hit.end - 1)
        )
        return self.idx[first], self.idx[last] + len(self.texts[last])

    def _relation(
        self,
        type_: str,
        kind: str | None,
        a: Party,
        b: Party,
        tokens: tuple[int, int],
        certainty: str,
    ) -> None:
        if a == b or (a.name is not None and a.name == b.name):
            return
        first, last = tokens[0], tokens[1] - 1
        sent = self.sents[self.sent_at[first]]
        self.relations.append(
            RelationFinding(
                type=type_,
                kind=kind,
                source=a,
                target=b,
                span=(self.idx[first], self.idx[last] + len(self.texts[last])),
                sentence_span=_stripped(self.text, sent.start_char, sent.end_char),
                certainty=certainty,
            )
        )

    # ---------------------------------------------------------------- attributes

    def _words(self, sent: _Sent) -> frozenset[str]:
        """The sentence's words in lower case (computed once per sentence)."""
        words = self._sent_words.get(sent.start)
        if words is None:
            words = frozenset(self.lower[sent.start : sent.end])
            self._sent_words[sent.start] = words
        return words

    def _certainty(self, draft: _Draft, sent: _Sent) -> None:
        if draft.certainty != "confirmed" or not draft.term.endswith("father"):
            return
        words = self._words(sent)
        if words & lx.PATERNITY_WORDS:
            if words & lx.DISPUTE_WORDS:
                draft.certainty = "disputed"
            elif words & lx.DOUBT_WORDS:
                draft.certainty = "alleged"
            return
        lo = max(sent.start, draft.left - 6)
        if any(self.lower[i] in lx.DISPUTE_WORDS for i in range(lo, draft.left)):
            draft.certainty = "disputed"

    def _deceased(self, draft: _Draft, sent: _Sent) -> None:
        if draft.deceased:
            return
        k = draft.after
        if draft.name is not None and draft.name.end > k:
            k = draft.name.end
        for i in range(k, min(sent.end, k + 6)):
            low = self.lower[i]
            if low in lx.DECEASED_WORDS or (
                low == "passed" and i + 1 < sent.end and self.lower[i + 1] == "away"
            ):
                draft.deceased = True
                return
            if low not in _TAIL_FILLERS:
                return

    def _status(self, draft: _Draft, sent: _Sent, starts: Sequence[int]) -> None:
        """A partner's status from the words right after the mention ("..., from whom she is
        divorced"), up to the next person mentioned."""
        if not lx.is_partner_term(draft.term) or draft.possessor == "couple":
            return
        k = max(draft.after, draft.name.end if draft.name is not None else 0)
        stop = min([sent.end, k + 8, *(i for i in starts if i >= k)])
        words = [self.lower[i] for i in range(k, stop)]
        cues = {lx.STATUS_CUES[w] for w in words if w in lx.STATUS_CUES}
        if "split" in words and "up" not in words:
            cues.discard("separated")
        for cue in ("divorced", "separated", "widowed", "married", "engaged"):
            if cue in cues and (
                draft.status in {None, "dating"}
                or (draft.status == "married" and cue in {"divorced", "separated", "widowed"})
            ):
                draft.status = cue
                return

    def _finish(self, draft: _Draft, sent: _Sent) -> KinFinding:
        hit = draft.hit
        term_span = (self.idx[hit.start], self.idx[hit.end - 1] + len(self.texts[hit.end - 1]))
        span = self._span(draft)
        age = draft.age
        if age is None and draft.name is not None:
            age = draft.name.age
        extra = dict(draft.extra)
        if draft.hit.entry.plural and draft.name is None:
            extra["plural"] = "yes"
        if draft.name is not None and lx.term_sex(draft.term) is None:
            sex = self._sex_of(draft.name)
            if sex is not None:
                extra["sex"] = sex  # "Mr Paul Doyle": the title says it
        return KinFinding(
            term=draft.term,
            name=draft.name_text,
            anchor=draft.anchor,
            span=span,
            term_span=term_span,
            sentence_span=_stripped(self.text, sent.start_char, sent.end_char),
            certainty=draft.certainty,
            deceased=draft.deceased,
            age=age,
            status=draft.status if lx.is_partner_term(draft.term) else None,
            confidence=round(draft.confidence, 2),
            extra=tuple(sorted(extra.items())),
        )


def _stripped(text: str, start: int, end: int) -> tuple[int, int]:
    """A character span without the whitespace at its ends (spaCy keeps "  " as a token)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _introduces_name(first: Token, second: Token) -> bool:
    """ ", called <name>" or "known as <name>"."""
    if first.text == ",":
        return second.lower_ in lx.NAME_INTRODUCERS
    return first.lower_ == "known" and second.lower_ == "as"


def _may_be_a_couple(term: str) -> bool:
    """Whether someone described by `term` can be half of a couple in the note's story
    (parents, partners, grandparents, aunts...; not the child's siblings or children)."""
    last = term.rsplit("'s ", 1)[-1].rsplit(" ", 1)[-1]
    return (
        not any(
            word in last
            for word in (
                "brother",
                "sister",
                "sibling",
                "twin",
                "son",
                "daughter",
                "child",
                "niece",
            )
        )
        and "nephew" not in last
        and "cousin" not in term
    )


def _steps(term: str) -> int:
    """How many moves a term takes from its anchor (fewer = a nearer relative)."""
    try:
        return len(decompose(term))
    except ValueError:
        return 99


def _same_person(draft: _Draft, ref: _Ref) -> bool:
    """A pronoun in a mention cannot stand for the person the mention names (nor, in "Sandra
    and Pete are her parents", for anyone named with them)."""
    if draft.name is None:
        return False
    other = ref.name if ref.draft is None else ref.draft.name
    return other is draft.name or (other is not None and id(other) in draft.exclude)


def _mod_extras(mods: Iterable[str]) -> dict[str, str]:
    extra = {}
    for mod in mods:
        if mod in {"new", "current"}:
            extra["new"] = "yes"
    return extra


def _share_family_name(names: list[_Name], draft: _Draft) -> None:
    """ "Krystyna and Tomasz Nowak": the last name's family name applies to every given name."""
    last = names[-1]
    family = last.text.split(" ", 1)[1] if " " in last.text else None
    if family is None:
        return
    for name in names[:-1]:
        if " " not in name.text:
            name.text = f"{name.text} {family}"
    draft.extra["shared_family_name"] = family


def _year_after(doc: Doc, i: int, end: int) -> str | None:
    for k in range(i, min(end, i + 4)):
        if _YEAR.match(doc[k].text):
            return doc[k].text
    return None


def _anchor_key(findings: list[KinFinding]) -> Callable[[str | None], str | None]:
    """Anchors for comparing mentions: a name the note never gives to a relative ("Amelia's
    mum", "her mum") is taken to be the note's subject, like no anchor at all."""
    relatives = {f.name for f in findings if f.name is not None}
    relatives |= {name.split(" ", 1)[0] for name in relatives}

    def key(anchor: str | None) -> str | None:
        return anchor if anchor in relatives else None

    return key


def _corefer(findings: list[KinFinding]) -> list[KinFinding]:
    """A bare "Mum" in a note that names the mother once ("Mum (Kerry)") is Kerry: an unnamed
    mention takes the name of the one person the note names with the same term and anchor."""
    anchor = _anchor_key(findings)
    named: dict[tuple[str, str | None], set[str]] = {}
    for f in findings:
        if f.name is not None:
            named.setdefault((f.term, anchor(f.anchor)), set()).add(f.name)
    out = []
    for f in findings:
        names = named.get((f.term, anchor(f.anchor)), set()) if f.name is None else set()
        if len(names) == 1 and not dict(f.extra).get("plural"):
            f = replace(f, name=next(iter(names)), confidence=min(f.confidence, CONF_PRONOUN))
        out.append(f)
    return out


def _refine(findings: list[KinFinding]) -> list[KinFinding]:
    """ "Uncle Dave, Mum's younger brother": when a note calls one person by a general and a
    more specific term (uncle, maternal uncle) every mention takes the specific one."""
    anchor = _anchor_key(findings)
    by_person: dict[tuple[str, str | None], set[str]] = {}
    for f in findings:
        if f.name is not None:
            by_person.setdefault((f.name, anchor(f.anchor)), set()).add(f.term)
    out = []
    for f in findings:
        if f.name is not None:
            terms = by_person[(f.name, anchor(f.anchor))]
            specific = {t for t in terms if t != f.term and lx.specialises(f.term, t)}
            if len(specific) == 1:
                better = next(iter(specific))
                source = next(
                    g for g in findings if g.name == f.name and g.term == better
                )  # the anchor goes with the term
                f = replace(f, term=better, anchor=source.anchor)
            elif not specific and len(terms) == 2:
                # "Nanny Jean ... (Mum's parents)": grandmother + maternal grandparent
                other = next(t for t in terms if t != f.term)
                both = lx.unify(f.term, other)
                if both is not None and both not in terms:
                    f = replace(f, term=both)
        out.append(f)
    return out


def _different_parent(findings: list[KinFinding]) -> list[KinFinding]:
    """ "Cody has a different father" about a sibling Cody: they share the other parent, so
    Cody is a maternal half-sibling (a different mother: paternal)."""
    siblings = {f.name: f for f in findings if f.name is not None and f.term in _SIBLING_TERMS}
    out = list(findings)
    for f in findings:
        if dict(f.extra).get("different") != "yes" or f.anchor not in siblings:
            continue
        sibling = siblings[f.anchor]
        if sibling.term not in _SIBLING_TERMS:
            continue
        side = "maternal" if f.term == "father" else "paternal" if f.term == "mother" else ""
        if side:
            out.append(
                replace(
                    sibling,
                    term=f"{side} half-sibling",
                    confidence=min(sibling.confidence, CONF_PRONOUN),
                    extra=(*sibling.extra, ("inferred", "different " + f.term)),
                )
            )
    return out


def _dedupe(findings: list[KinFinding]) -> list[KinFinding]:
    """Unnamed mentions add little after the first for the same relative: keep one of each;
    and one of each mention found twice in the same place."""
    seen: set[tuple[object, ...]] = set()
    out = []
    for f in sorted(findings, key=lambda f: (f.span, f.term)):
        if f.name is None:
            key: tuple[object, ...] = (f.term, f.anchor, f.certainty, f.deceased, f.status)
        else:
            key = (f.term, f.name, f.anchor, f.span)
        if key in seen:
            continue
        seen.add(key)
        out.append(f)
    return out
