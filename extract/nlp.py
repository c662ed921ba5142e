"""Finding relatives in case notes with spaCy, without a statistical model.

No pretrained pipeline can be installed where this runs, so the pipeline is ``spacy.blank("en")``
with a sentencizer and one rule-based component, ``genogram_kinship``. The component matches
kin phrases from `extract.lexicon` (PhraseMatcher, case-insensitive; abbreviations such as
``MGM`` case-sensitively), recognises person names as runs of Title-case tokens next to them,
and reads the usual constructions of a social worker's note:

- apposition: "her maternal grandmother Linda Hart", "Amelia's father, Dean Walsh,";
- brackets: "Mum (Kerry)", and the reverse "Peggy (MGM)";
- copulas and relative clauses: "Lee is believed to be Jayden's father", "Peggy, who is his
  special guardian";
- coordination: "maternal grandparents, Krystyna and Tomasz Nowak" (two mentions);
- couples: "Kerry and Dean separated in 2020", "Kasia and Gareth are married";
- possessives: a named possessor becomes the anchor ("Liam's brother Sean"); "her"/"his" is
  resolved to the nearest fitting person earlier in the sentence, else the note's subject;
  "Mum said her partner Craig" composes to "mother's partner".

Results are stored on the Doc as ``doc._.kin_mentions`` (a list of `KinFinding`);
`extract_mentions` turns them into `genogram.assertions.KinMention` objects for a `Note`.
Nothing here logs or raises with note text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from extract import lexicon as lx
from genogram.assertions import KinMention, Note
from genogram.errors import InputError

COMPONENT = "genogram_kinship"
#: Longest note text accepted (characters).
MAX_NOTE_CHARS = 5_000_000
METHOD = "spacy:kinship"

#: Confidence by how the name and the anchor were found.
CONF_EXPLICIT = 0.9  # "Mum (Kerry)", "Amelia's father, Dean Walsh", "Peggy (MGM)"
CONF_COORDINATED = 0.85  # "grandparents, Krystyna and Tomasz Nowak"
CONF_UNNAMED = 0.8  # "Her maternal grandfather died"
CONF_COUPLE = 0.8  # "Kerry and Dean separated"
CONF_NAME_BEFORE_COMMA = 0.75  # "Linda Hart, maternal grandmother, ..."
CONF_PRONOUN = 0.7  # "her brother Riley": whose brother is inferred

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


if not Doc.has_extension("kin_mentions"):
    Doc.set_extension("kin_mentions", default=None)


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
        doc._.kin_mentions = _Analysis(doc, self).run()
        return doc

    def hits(self, doc: Doc) -> list[_Hit]:
        """Kin phrases in `doc`, longest first where they overlap, minus other senses."""
        spans: list[Span] = []
        for matcher in (self._words, self._abbrevs):
            spans.extend(Span(doc, start, end) for _, start, end in matcher(doc))
        result = []
        for span in sorted(filter_spans(spans), key=lambda s: s.start):
            text = span.text
            entry = lx.ABBREVIATIONS.get(text) or lx.lookup(text)
            if entry is None or _other_sense(doc, span.start, span.end):
                continue
            result.append(_Hit(span.start, span.end, entry))
        return result

    def is_kin_word(self, token: Token) -> bool:
        """True for words that belong to kin phrases ("Mum", "Maternal", "Nan")."""
        return token.lower_ in self._kin_tokens


def _other_sense(doc: Doc, start: int, end: int) -> bool:
    """Kin words used in another sense: in-laws, "mother tongue", "corporate parent"."""
    n = len(doc)
    nxt = doc[end].lower_ if end < n else ""
    nxt2 = doc[end + 1].lower_ if end + 1 < n else ""
    nxt3 = doc[end + 2].lower_ if end + 2 < n else ""
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
    return start > 0 and doc[start - 1].lower_ in lx.NON_KIN_PRECEDERS


@Language.factory(COMPONENT)
def make_kinship_tagger(nlp: Language, name: str) -> KinshipTagger:
    """spaCy factory for the ``genogram_kinship`` component."""
    return KinshipTagger(nlp)


@lru_cache(maxsize=1)
def build_pipeline() -> Language:
    """The case-note pipeline: blank English, a sentencizer and the kinship component (cached)."""
    nlp = spacy.blank("en")
    nlp.max_length = MAX_NOTE_CHARS  # no parser or NER: memory grows only linearly
    nlp.add_pipe("sentencizer")
    nlp.add_pipe(COMPONENT)
    return nlp


def extract_mentions(note: Note, nlp: Language | None = None) -> list[KinMention]:
    """The relatives a case note mentions, in text order, each with its quoted sentence.

    Raises `InputError` (naming the note's file, line and id, never its text) for a note
    longer than the pipeline accepts.
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
    mentions = []
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
    return mentions


# --------------------------------------------------------------------------- analysis


class _Analysis:
    """One pass over one Doc. Token indices throughout; characters only in the results."""

    def __init__(self, doc: Doc, tagger: KinshipTagger) -> None:
        self.doc = doc
        self.text = doc.text  # Doc.text joins every token: compute it once
        self.tagger = tagger
        self.n = len(doc)
        self.hits = tagger.hits(doc)
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

    # ---------------------------------------------------------------- driver

    def run(self) -> list[KinFinding]:
        sents = list(self.doc.sents) if self.n else []
        self._learn_names(sents)
        for sent in sents:
            self.sent_names[sent.start] = self._scan_names(sent.start, sent.end)
            for name in self.sent_names[sent.start]:
                self.names.append(name)
                self.name_by_start[name.start] = name
                if name.title is not None:
                    self.name_by_start[name.start - 1] = name  # "Mr Gareth Evans"
                self.name_by_end[name.end] = name
        per_sentence: list[tuple[Span, list[_Draft]]] = []
        pending = list(reversed(self.hits))
        for sent in sents:
            drafts = []
            while pending and pending[-1].start < sent.end:
                hit = pending.pop()
                if hit.start >= sent.start and hit.start not in self.consumed:
                    drafts.extend(self._read_hit(hit, sent))
            drafts.extend(self._couples(sent))
            drafts.sort(key=lambda d: d.hit.start)
            per_sentence.append((sent, drafts))
        for _, drafts in per_sentence:
            for draft in drafts:
                sex = lx.term_sex(draft.term)
                if draft.name_text and sex:
                    self.sex_of_name.setdefault(draft.name_text, sex)
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
        return _dedupe(findings)

    # ---------------------------------------------------------------- names

    def _is_name_token(self, i: int) -> bool:
        if not 0 <= i < self.n or i in self.kin_at:
            return False
        token = self.doc[i]
        text = token.text
        letters = text.replace("'", "").replace("’", "")
        if len(letters) < 2 or not letters.isalpha() or not text[0].isupper():
            return False
        if text.isupper() or not any(c.islower() for c in letters):
            return False
        low = token.lower_
        return low not in lx.NOT_NAMES and not self.tagger.is_kin_word(token)

    def _learn_names(self, sents: Iterable[Span]) -> None:
        """Title-case words seen away from the start of a sentence are probably names."""
        for sent in sents:
            first = self._first_word(sent.start, sent.end)
            for i in range(sent.start, sent.end):
                if i != first and self._is_name_token(i):
                    self.known_names.add(self.doc[i].text)

    def _first_word(self, start: int, end: int) -> int:
        i = start
        while i < end and self.doc[i].text in _OPEN_QUOTES:
            i += 1
        return i

    def _scan_names(self, start: int, end: int) -> list[_Name]:
        doc = self.doc
        first = self._first_word(start, end)
        found: list[_Name] = []
        i = start
        while i < end:
            title: str | None = None
            j = i
            if doc[i].lower_ in lx.TITLES and self._is_name_token(i + 1) and i + 1 < end:
                title = doc[i].text
                j = i + 1
            if not self._is_name_token(j):
                i += 1
                continue
            k = j + 1
            alias: str | None = None
            cut: tuple[int, int] | None = None  # tokens of a quoted nickname
            words = 1
            while k < end and words < 5:
                t = doc[k]
                if (
                    t.text == "-"
                    and not doc[k - 1].whitespace_
                    and not t.whitespace_
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
                    t.text in lx.NAME_PARTICLES
                    and k + 1 < end
                    and self._is_name_token(k + 1)
                    and words >= 1
                ):
                    k += 2
                    words += 1
                    continue
                if (
                    t.text in _QUOTES
                    and alias is None
                    and k + 3 < end
                    and self._is_name_token(k + 1)
                    and doc[k + 2].text in _QUOTES
                    and self._is_name_token(k + 3)
                ):
                    alias = doc[k + 1].text
                    cut = (k, k + 3)
                    k += 4
                    words += 1
                    continue
                break
            if j == first and title is None and not self._plausible_initial(j, k, end):
                i = k
                continue
            text = doc[j:k].text if cut is None else _without(doc, j, k, cut)
            sex = lx.TITLES.get(title.casefold()) if title else None
            found.append(_Name(j, k, text, sex=sex, title=title, alias=alias))
            i = k
        return found

    def _plausible_initial(self, j: int, k: int, end: int) -> bool:
        """Is a Title-case run at the start of a sentence a name rather than any word?"""
        if self.doc[j].text in self.known_names:
            return True
        if k >= end:
            return False
        nxt = self.doc[k]
        return (
            nxt.text in lx.APOSTROPHES
            or nxt.text in {"(", ","}
            or nxt.lower_ in lx.NAME_FOLLOWERS
            or (k - j >= 2 and nxt.text in _CLOSERS)
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
        if self.doc[end - 1].text == ")":
            depth = 0
            for o in range(end - 1, floor - 1, -1):
                if self.doc[o].text == ")":
                    depth += 1
                elif self.doc[o].text == "(":
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
        doc = self.doc

        def number(k: int) -> int | None:
            if k < end and doc[k].text.isdigit() and len(doc[k].text) <= 3:
                value = int(doc[k].text)
                return value if value <= 120 else None
            if k < end:
                m = _AGE_GLUED.match(doc[k].text)
                if m:
                    return int(m.group(1))
            return None

        if i >= end:
            return None, i
        if doc[i].text == "(":
            k = i + 1
            if k < end and doc[k].lower_ in _AGE_WORDS:
                k += 1
            age = number(k)
            if age is not None:
                k += 1
                while k < end and doc[k].lower_ in _AGE_UNITS:
                    k += 1
                if k < end and doc[k].text == ")":
                    return age, k + 1
            return None, i
        if doc[i].lower_ in _AGE_WORDS:
            age = number(i + 1)
            if age is not None:
                return age, i + 2
        if doc[i].text == ",":
            k = i + 1
            if k < end and doc[k].lower_ in _AGE_WORDS:
                k += 1
            age = number(k)
            if age is not None and (k + 1 >= end or doc[k + 1].text in _CLOSERS):
                return age, k + 1
        return None, i

    def _alias_at(self, name: _Name, i: int, end: int) -> int:
        """ "Name (Nickname)" or "Name known as Nickname": note the alias, return next index."""
        doc = self.doc
        if i + 2 < end and doc[i].text == "(" and doc[i + 2].text == ")":
            other = self._name_at(i + 1)
            if other is not None and other.end == i + 2:
                name.alias = other.text
                return i + 3
        if i + 2 < end and doc[i].lower_ == "known" and doc[i + 1].lower_ == "as":
            other = self._name_at(i + 2)
            if other is not None:
                name.alias = other.text
                return other.end
        return i

    # ---------------------------------------------------------------- one kin phrase

    def _read_hit(self, hit: _Hit, sent: Span) -> list[_Draft]:
        doc = self.doc
        s0, s1 = sent.start, sent.end
        entry = hit.entry
        draft = _Draft(hit=hit, term=entry.term, extra=dict(entry.extra), status=entry.status)
        draft.after = hit.end
        # Modifiers and possessor, walking left.
        mods: list[str] = []
        i = hit.start - 1
        while i >= s0:
            low = doc[i].lower_
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
                and doc[i - 1].text == "-"
                and doc[i - 2].lower_ in {"year", "years"}
                and doc[i - 3].text == "-"
                and doc[i - 4].text.isdigit()
                and len(doc[i - 4].text) <= 2
            ):
                draft.age = int(doc[i - 4].text)
                i -= 5
                continue
            break
        draft.confidence = CONF_EXPLICIT
        possessed = False
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
                if owner is not None:
                    draft.anchor = owner.text
                    draft.left = owner.start
                    draft.possessor = "name"
                    possessed = True
                elif i - 1 >= s0 and doc[i - 1].lower_ in lx.SUBJECT_NOUNS:
                    draft.left = i - 1
                    if i - 2 >= s0 and doc[i - 2].lower_ in lx.DETERMINERS:
                        draft.left = i - 2
                    draft.possessor = "subject"
                    possessed = True
                else:
                    return []  # "the social worker's mother", "her brother's father"
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
            and doc[draft.left].lower_ in {"a", "an"}
            and draft.left - 1 >= s0
            and doc[draft.left - 1].lower_ == "as"
        ):
            return []  # "approved as a kinship carer": a role, not whose carer
        if entry.plural and entry.term == "partner" and not possessed:
            return []  # "partners" without a possessor are agencies
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
            if mod in lx.STATUS_MODIFIERS and draft.term in lx.PARTNER_TERMS:
                draft.status = lx.STATUS_MODIFIERS[mod]
        if (
            draft.left - 2 >= s0
            and doc[draft.left - 1].lower_ == "of"
            and doc[draft.left - 2].lower_ in lx.DEATH_NOUNS
        ):
            draft.deceased = True
        # Right side: "on mum's side", "(alleged)", then the name(s).
        j = self._side_phrase(draft, hit.end, s1)
        j = self._bracket_flag(draft, j, s1)
        draft.after = j
        names = self._names_after(draft, j, s1)
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
            self._name_before(draft, s0, s1)
            drafts.append(draft)
        for one in drafts:
            one.ref_start = one.hit.start
            if one.name is not None and one.name.start < one.ref_start:
                one.ref_start = one.name.start
            if entry.needs_name and one.name is None:
                return []
        self.drafts[hit.start] = drafts[0]
        return drafts

    def _side_phrase(self, draft: _Draft, j: int, end: int) -> int:
        """ "her nan on mum's side": add the side to a side-less term."""
        doc = self.doc
        if j >= end or doc[j].lower_ != "on":
            return j
        k = j + 1
        if k < end and doc[k].lower_ in {"her", "his", "the", "their", "my"}:
            k += 1
        if k >= end:
            return j
        low = doc[k].lower_
        side = None
        if low in lx.MOTHER_WORDS or low in {"maternal", "mothers", "mums"}:
            side = "maternal"
        elif low in lx.FATHER_WORDS or low in {"paternal", "fathers", "dads"}:
            side = "paternal"
        if side is None:
            return j
        k += 1
        if k < end and doc[k].text in lx.APOSTROPHES:
            k += 1
        if k < end and doc[k].lower_ == "side":
            self.consumed.update(range(j, k + 1))
            if (
                not draft.term.startswith(lx.SIDES)
                and "'" not in draft.term
                and any(base in draft.term for base in _SIDED_BASES)
            ):
                draft.term = f"{side} {draft.term}"
            return k + 1
        return j

    def _bracket_flag(self, draft: _Draft, j: int, end: int) -> int:
        """ "father (alleged)", "grandfather (deceased)"."""
        doc = self.doc
        if j + 2 < end and doc[j].text == "(" and doc[j + 2].text == ")":
            low = doc[j + 1].lower_
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
        elif tok.lower_ in {"is", "was"} and not plural and self._name_at(j + 1):
            candidate = self._name_at(j + 1)
            assert candidate is not None
            k = candidate.end
            if k >= end or doc[k].text in _CLOSERS or doc[k].text == "(":
                first = candidate  # "Her brother is Riley."
        if first is None:
            return out
        if draft.anchor is not None and first.text == draft.anchor:
            return out
        names = [first]
        k = first.end
        if plural:
            while k < end:
                comma = doc[k].text == ","
                following = self._name_at(k + 1)
                if comma and following is not None:
                    names.append(following)
                    k = following.end
                    continue
                m = k + 1 if comma else k
                if m < end and doc[m].lower_ in lx.COORDINATORS:
                    following = self._name_at(m + 1)
                    if following is not None:
                        names.append(following)
                break
        elif tok.text in {",", ":"} and (
            self._looks_like_list(k, end) or (k < end and doc[k].lower_ in _REPORTING)
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
            if k < end and doc[k].text == ")":
                results[-1] = (last_name, last_conf, k + 1)
        return results

    def _looks_like_list(self, k: int, end: int) -> bool:
        """ "Mum, Amelia and Riley": a name after a comma starting a list, not an apposition."""
        if k >= end:
            return False
        doc = self.doc
        nxt = k + 1
        if doc[k].lower_ in lx.COORDINATORS:
            return (
                self._name_at(nxt) is not None
                or nxt in self.hit_by_start
                or (nxt < end and doc[nxt].lower_ in lx.POSSESSIVE_PRONOUNS)
            )
        return doc[k].text == "," and self._name_at(nxt) is not None

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
            closes = j >= s1 or doc[j].text in _CLOSERS
            listy = (
                j + 1 < s1
                and doc[j].text == ","
                and (doc[j + 1].lower_ in lx.COORDINATORS or self._name_at(j + 1) is not None)
            ) or (j < s1 and doc[j].lower_ in lx.COORDINATORS)
            name = self.name_by_end[left - 1]
            if closes and not listy and name.text != draft.anchor:
                draft.name, draft.name_text = name, name.text
                draft.confidence = min(draft.confidence, CONF_NAME_BEFORE_COMMA)

    def _copula_subject(self, left: int, s0: int) -> tuple[_Name, bool] | None:
        """The subject of "X is (believed to be) <kin>" or "X, who is <kin>", and whether a
        belief verb made it uncertain."""
        doc = self.doc

        def skip(m: int) -> int:
            while m >= s0 and doc[m].lower_ in lx.COPULA_ADVERBS:
                m -= 1
            return m

        m = skip(left - 1)
        belief: str | None = None
        if (
            m - 2 >= s0
            and doc[m].lower_ == "be"
            and doc[m - 1].lower_ == "to"
            and doc[m - 2].lower_ in lx.BELIEF_VERBS
        ):
            belief = doc[m - 2].lower_
            m = skip(m - 3)
        if m >= s0 and doc[m].lower_ in lx.COPULAS:
            m = skip(m - 1)
        elif belief not in {"claims", "claimed"}:
            return None
        if m >= s0 and doc[m].lower_ == "who":
            m -= 1
            if m >= s0 and doc[m].text == ",":
                m -= 1
        name = self._antecedent(m + 1, s0)
        return (name, belief is not None) if name is not None else None

    def _close_bracket(self, j: int, end: int) -> int:
        return j + 1 if j < end and self.doc[j].text == ")" else j

    # ---------------------------------------------------------------- couples

    def _couples(self, sent: Span) -> list[_Draft]:
        """ "Kerry and Dean separated in 2020": an ex-partner mention anchored on the first."""
        doc = self.doc
        out: list[_Draft] = []
        for a in self.sent_names.get(sent.start, []):
            k = a.end
            if k >= sent.end or doc[k].lower_ not in {"and", "&"}:
                continue
            b = self._name_at(k + 1)
            if b is None:
                continue
            m = b.end
            while m < sent.end and doc[m].lower_ in lx.COUPLE_VERBS:
                m += 1
            if m >= sent.end:
                continue
            cue = doc[m].lower_
            if cue not in lx.COUPLE_CUES:
                continue
            if cue == "split" and not (m + 1 < sent.end and doc[m + 1].lower_ == "up"):
                continue
            term, status = lx.COUPLE_CUES[cue]
            start_year = _year_after(doc, m + 1, sent.end) if term == "partner" else None
            for later in range(m + 1, sent.end):
                if doc[later].lower_ in {"separated", "divorced"}:
                    # "were married in 2014 but separated in 2020"
                    term, status = lx.COUPLE_CUES[doc[later].lower_]
                    m = later
                    break
            hit = _Hit(b.start, b.end, lx.KinEntry(term, status=status))
            draft = _Draft(
                hit=hit,
                term=term,
                name=b,
                name_text=b.text,
                anchor=a.text,
                left=a.start,
                after=m + 1,
                confidence=CONF_COUPLE,
                status=status,
                possessor="couple",
            )
            draft.ref_start = b.start
            if start_year:
                draft.extra["start"] = start_year
            end_year = _year_after(doc, m + 1, sent.end) if term == "ex-partner" else None
            if end_year:
                draft.extra["end"] = end_year
            out.append(draft)
        return out

    # ---------------------------------------------------------------- pronouns

    def _resolve_pronouns(self, sent: Span, drafts: list[_Draft]) -> None:
        doc = self.doc
        named_by_drafts = {id(d.name) for d in drafts if d.name is not None}
        anchors = {d.left for d in drafts if d.anchor is not None}
        refs: list[_Ref] = []
        for name in self.sent_names.get(sent.start, []):
            if id(name) in named_by_drafts:
                continue
            if name.end < sent.end and doc[name.end].text in lx.APOSTROPHES:
                continue  # a possessor: "Amelia's father" is about the father
            if name.start in anchors:
                continue
            sex = name.sex or self.sex_of_name.get(name.text)
            refs.append(_Ref(name.start, sex, name=name))
        for i in range(sent.start, sent.end):
            sex = lx.SUBJECT_PRONOUNS.get(doc[i].lower_)
            if sex is not None:
                refs.append(_Ref(i, sex, pronoun=True))
        resolved: dict[int, tuple[str, _Referent]] = {}
        for draft in drafts:
            if draft.pronoun is not None and draft.pronoun_word is not None:
                referent = self._referent(draft, drafts, refs, resolved)
                resolved[draft.pronoun] = (draft.pronoun_word, referent)
                self._apply(draft, referent)
            if not draft.dropped:
                sex = lx.term_sex(draft.term)
                if sex is None and draft.name_text:
                    sex = self.sex_of_name.get(draft.name_text)
                refs.append(_Ref(draft.ref_start, sex, draft=draft))

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
        if word not in {"her", "his"}:
            return _Referent(subject=True)
        doc = self.doc
        p = draft.pronoun
        # The same pronoun again with nobody new named in between keeps its referent:
        # "with her mum Kerry and her brother Riley".
        earlier = [(q, r) for q, (w, r) in resolved.items() if w == word and q < p]
        if earlier:
            q, referent = max(earlier, key=lambda item: item[0])
            if not any(r.draft is None and q < r.position < p for r in refs):
                return referent
        # Coordinated with a possessed mention: "Amelia's mum's partner Craig and her brother".
        k = p - 1
        if k >= 0 and doc[k].lower_ in lx.COORDINATORS:
            k -= 1
            if k >= 0 and doc[k].text == ",":
                k -= 1
        elif k >= 0 and doc[k].text == ",":
            k -= 1
        if k < p - 1:
            for prev in drafts:
                if prev.after == k + 1 and prev.possessor in {"name", "subject"}:
                    if prev.anchor is None:
                        return _Referent(subject=True)
                    return _Referent(name=prev.anchor)
        return self._nearest(p, want, draft, refs)

    def _nearest(self, before: int, want: str | None, draft: _Draft, refs: list[_Ref]) -> _Referent:
        candidates = [
            r
            for r in refs
            if r.position < before
            and r.draft is not draft
            and (r.sex is None or want is None or r.sex == want)
            and not _same_person(draft, r)
        ]
        if not candidates:
            return _Referent(subject=True)
        best = max(candidates, key=lambda r: r.position)
        if best.pronoun:
            return self._nearest(best.position, best.sex, draft, refs)
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
        if referent.name is not None:
            draft.anchor = referent.name
            return
        other = referent.draft
        assert other is not None
        composed = lx.COMPOSE.get((other.term, draft.term))
        if composed is not None:
            draft.term = composed
            draft.anchor = other.anchor
            return
        if other.name_text is not None:
            draft.anchor = other.name_text
            return
        draft.dropped = True  # "Nan said her husband ...": no term for it relative to the child

    # ---------------------------------------------------------------- attributes

    def _words(self, sent: Span) -> frozenset[str]:
        """The sentence's words in lower case (computed once per sentence)."""
        words = self._sent_words.get(sent.start)
        if words is None:
            words = frozenset(t.lower_ for t in sent)
            self._sent_words[sent.start] = words
        return words

    def _certainty(self, draft: _Draft, sent: Span) -> None:
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
        if any(self.doc[i].lower_ in lx.DISPUTE_WORDS for i in range(lo, draft.left)):
            draft.certainty = "disputed"

    def _deceased(self, draft: _Draft, sent: Span) -> None:
        if draft.deceased:
            return
        doc = self.doc
        k = draft.after
        if draft.name is not None and draft.name.end > k:
            k = draft.name.end
        for i in range(k, min(sent.end, k + 6)):
            low = doc[i].lower_
            if low in lx.DECEASED_WORDS or (
                low == "passed" and i + 1 < sent.end and doc[i + 1].lower_ == "away"
            ):
                draft.deceased = True
                return
            if low not in _TAIL_FILLERS:
                return

    def _status(self, draft: _Draft, sent: Span, starts: Sequence[int]) -> None:
        """A partner's status from the words right after the mention ("..., from whom she is
        divorced"), up to the next person mentioned."""
        if draft.term not in lx.PARTNER_TERMS or draft.possessor == "couple":
            return
        k = max(draft.after, draft.name.end if draft.name is not None else 0)
        stop = min([sent.end, k + 8, *(i for i in starts if i >= k)])
        words = [self.doc[i].lower_ for i in range(k, stop)]
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

    def _finish(self, draft: _Draft, sent: Span) -> KinFinding:
        doc = self.doc
        hit = draft.hit
        term_span = (doc[hit.start].idx, doc[hit.end - 1].idx + len(doc[hit.end - 1].text))
        if draft.name is not None:
            first, last = doc[draft.name.start], doc[draft.name.end - 1]
            span = (first.idx, last.idx + len(last.text))
        else:
            span = term_span
        age = draft.age
        if age is None and draft.name is not None:
            age = draft.name.age
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
            status=draft.status if draft.term in lx.PARTNER_TERMS else None,
            confidence=round(draft.confidence, 2),
            extra=tuple(sorted(draft.extra.items())),
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


def _without(doc: Doc, start: int, end: int, cut: tuple[int, int]) -> str:
    """The text of tokens start..end with a quoted nickname (tokens in `cut`) left out."""
    return f"{doc[start : cut[0]].text} {doc[cut[1] : end].text}"


def _same_person(draft: _Draft, ref: _Ref) -> bool:
    """A pronoun in a mention cannot stand for the person the mention names."""
    if draft.name is None:
        return False
    other = ref.name if ref.draft is None else ref.draft.name
    return other is draft.name


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


def _dedupe(findings: list[KinFinding]) -> list[KinFinding]:
    """Unnamed mentions add little after the first for the same relative: keep one of each."""
    seen: set[tuple[object, ...]] = set()
    out = []
    for f in sorted(findings, key=lambda f: (f.span, f.term)):
        if f.name is None:
            key = (f.term, f.anchor, f.certainty, f.deceased, f.status)
            if key in seen:
                continue
            seen.add(key)
        out.append(f)
    return out
