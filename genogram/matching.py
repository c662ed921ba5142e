"""Pairwise person matching (entity resolution): is record A the same person as record B?

The scorer is a hand-weighted Fellegi–Sunter model. Each field that both people carry is
compared and gives a similarity in [0, 1] (reported in `MatchScore.components`) and a
log-odds weight (natural log of m/u: how much more likely this level of agreement is between
records of the same person than between different people; reported in `MatchScore.weights`).
The weights are summed with a prior and turned into a probability with the logistic function.
A field missing on either side adds nothing: absence is no evidence, never disagreement.

Weights (natural-log odds), chosen by hand: the store resolver compares one incoming record
with a few candidates, with no table to learn from. Tables are linked by
`genogram.linkage`, which estimates its weights from the data by EM:

=========================  ===========================================================
prior                      -4.0 (a random pair in a family-sized store is rarely a match)
given (first name)         exact +4.5; known nickname/alias +4.0; Jaro–Winkler similarity
                           s mapped piecewise-linearly: s<=0.75 -5.0, 0.85 0.0, 0.92 +2.0,
                           1.0 +4.5; initial agreeing with a name +1.0, otherwise -5.0; a
                           first name equal to the other's middle name at least +1.0
middle names               (only when both have them) agree +1.0; initial agrees +0.3;
                           Jaro–Winkler >= 0.9 +0.5; otherwise -1.0
family                     same surname (normalised, Mc/Mac, hyphen or space) +3.0; one part
                           of a double-barrelled name shared +2.0; Jaro–Winkler s mapped:
                           s<=0.75 -2.0 (weak: names change on marriage), 0.85 0.0, 0.92 +1.5
birth_date                 exact +6.0; day and month transposed +4.0; same year and month
                           (one side has no day) +2.5; same year (one side year only) +1.5;
                           same year and month but different day +1.0; same year only +0.5;
                           approximate and within 2 years +0.5, further apart -3.0; different
                           year -5.0
death_date                 (only when both are recorded) the same levels, weighted
                           +2.5/+2.0/+1.5/+1.0/+0.5/+0.3/+0.3/-2.0/-3.0
sex                        agree +0.6; known disagreement -6.0 (different people)
postcode                   (best pair over all addresses) same +1.5; same sector +0.5; else -0.5
context                    +3.5 x context, context in [0, 1] from the relationship graph
swapped names              given and family names read the other way round on one side
                           when that agrees better by more than 4.0 ("Hart", "Kerry")
=========================  ===========================================================

With these: an exact full-name copy (given and family) reaches at least +3.5 (p = 0.97,
merge); a first name alone reaches +0.5 (+1.1 with sex), p = 0.62-0.75 (review), and +3.5
with full relationship context lifts it to merge; twins (same family name and birth date,
different first names) land in review rather than being merged. Scores are symmetric and
deterministic (every comparison is computed on an ordered pair).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz.distance import JaroWinkler

from genogram.model import PartialDate, Person, Sex
from genogram.names import (
    given_variants,
    is_uk_postcode,
    normalise_postcode,
    postcode_areas,
    split_full_name,
    surname_key,
    surname_parts,
    tokens,
)

#: Probability at or above which two records are merged automatically.
MERGE_AT: float = 0.85
#: Probability at or above which (below `MERGE_AT`) a pair goes to the review queue.
REVIEW_AT: float = 0.60

PRIOR = -4.0

W_GIVEN_EXACT = 4.5
W_GIVEN_NICKNAME = 4.0
W_GIVEN_INITIAL = 1.0
W_GIVEN_CROSS = 1.0
W_GIVEN_DISAGREE = -5.0
#: (similarity, weight) knots for fuzzy first-name agreement, linear in between.
GIVEN_CURVE: tuple[tuple[float, float], ...] = (
    (0.75, W_GIVEN_DISAGREE),
    (0.85, 0.0),
    (0.92, 2.0),
    (1.0, W_GIVEN_EXACT),
)

W_MIDDLE_AGREE = 1.0
W_MIDDLE_FUZZY = 0.5
W_MIDDLE_INITIAL = 0.3
W_MIDDLE_DISAGREE = -1.0

W_FAMILY_EXACT = 3.0
W_FAMILY_PART = 2.0
FAMILY_CURVE: tuple[tuple[float, float], ...] = (
    (0.75, -2.0),
    (0.85, 0.0),
    (0.92, 1.5),
    (1.0, W_FAMILY_EXACT),
)

#: Levels of date agreement: similarity reported, and weights for birth and death dates.
DATE_LEVELS: dict[str, tuple[float, float, float]] = {
    "exact": (1.0, 6.0, 2.5),
    "transposed": (0.8, 4.0, 2.0),
    "same_month": (0.7, 2.5, 1.5),
    "same_year_partial": (0.5, 1.5, 1.0),
    "day_differs": (0.6, 1.0, 0.5),
    "same_year": (0.3, 0.5, 0.3),
    "approx_near": (0.5, 0.5, 0.3),
    "approx_far": (0.0, -3.0, -2.0),
    "year_differs": (0.0, -5.0, -3.0),
}
APPROX_YEARS = 2

W_SEX_AGREE = 0.6
W_SEX_DISAGREE = -6.0

W_POSTCODE_SAME = 1.5
W_POSTCODE_SECTOR = 0.5
W_POSTCODE_DIFFERS = -0.5

W_CONTEXT = 3.5

#: How much better swapped given/family names must agree before they are read swapped.
W_SWAP_MARGIN = 4.0


@dataclass(frozen=True)
class MatchScore:
    """How likely two records are the same person, with the evidence per field.

    `components` holds each compared field's similarity in [0, 1] (fields missing on either
    side are absent); `weights` holds the log-odds each field contributed, after ``prior``.
    """

    score: float
    components: tuple[tuple[str, float], ...]
    weights: tuple[tuple[str, float], ...] = ()

    def decision(self) -> str:
        """``merge``, ``review`` or ``distinct`` by `MERGE_AT` and `REVIEW_AT`."""
        if self.score >= MERGE_AT:
            return "merge"
        if self.score >= REVIEW_AT:
            return "review"
        return "distinct"

    @property
    def log_odds(self) -> float:
        """The summed log-odds behind `score` (0.0 when no weights were recorded)."""
        return math.fsum(weight for _, weight in self.weights)


# --------------------------------------------------------------------------- helpers


def _similarity(a: str, b: str) -> float:
    """Jaro–Winkler similarity computed on an ordered pair, so it is exactly symmetric."""
    x, y = (a, b) if a <= b else (b, a)
    return float(JaroWinkler.normalized_similarity(x, y))


def _curve(knots: Sequence[tuple[float, float]], s: float) -> float:
    """Piecewise-linear weight for similarity `s`; flat beyond the first and last knots."""
    if s <= knots[0][0]:
        return knots[0][1]
    for (s0, w0), (s1, w1) in itertools.pairwise(knots):
        if s <= s1:
            return w0 + (w1 - w0) * (s - s0) / (s1 - s0)
    return knots[-1][1]


def _unique(words: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for word in words:
        if word:
            seen.setdefault(word, None)
    return tuple(seen)


@dataclass(frozen=True)
class _Names:
    """A person's names in comparable form."""

    firsts: tuple[str, ...]
    middles: tuple[str, ...]
    families: tuple[tuple[str, frozenset[str]], ...]  # (compact form, surname_key)


def _names(person: Person) -> _Names:
    firsts: list[str] = []
    middles: list[str] = []
    family_texts: list[str] = []
    if person.given_names:
        words = tokens(person.given_names)
        firsts.extend(words[:1])
        middles.extend(words[1:])
    if person.family_name:
        family_texts.append(person.family_name)
    for alias in person.known_as:
        given, family = split_full_name(alias)
        if given:
            firsts.extend(tokens(given)[:1])
        if family:
            family_texts.append(family)
    families = []
    for text in family_texts:
        key = surname_key(text)
        if key:
            families.append(("".join(surname_parts(text)), key))
    return _Names(_unique(firsts), _unique(middles), tuple(dict.fromkeys(families)))


def _equivalent(a: str, b: str) -> bool:
    """Same name or known nickname equivalents (both full names, not initials)."""
    if len(a) < 2 or len(b) < 2:
        return False
    return a == b or b in given_variants(a) or a in given_variants(b)


def _first_pair(a: str, b: str) -> tuple[float, float]:
    """(weight, similarity) of two first names."""
    if len(a) == 1 or len(b) == 1:
        if a[0] == b[0]:
            return (W_GIVEN_INITIAL, 0.5)
        return (W_GIVEN_DISAGREE, 0.0)
    if a == b:
        return (W_GIVEN_EXACT, 1.0)
    if _equivalent(a, b):
        return (W_GIVEN_NICKNAME, 0.95)
    s = _similarity(a, b)
    return (_curve(GIVEN_CURVE, s), s)


def _compare_given(a: _Names, b: _Names) -> tuple[float, float] | None:
    if not a.firsts or not b.firsts:
        return None
    best = max(_first_pair(x, y) for x in a.firsts for y in b.firsts)
    crossed = any(_equivalent(x, y) for x in a.firsts for y in b.middles) or any(
        _equivalent(x, y) for x in b.firsts for y in a.middles
    )
    if crossed and best < (W_GIVEN_CROSS, 0.5):
        best = (W_GIVEN_CROSS, 0.5)
    return best


def _middle_pair(a: str, b: str) -> tuple[float, float]:
    if len(a) == 1 or len(b) == 1:
        if a[0] == b[0]:
            return (W_MIDDLE_INITIAL, 0.5)
        return (W_MIDDLE_DISAGREE, 0.0)
    if _equivalent(a, b):
        return (W_MIDDLE_AGREE, 1.0)
    s = _similarity(a, b)
    return (W_MIDDLE_FUZZY if s >= 0.9 else W_MIDDLE_DISAGREE, s)


def _compare_middle(a: _Names, b: _Names) -> tuple[float, float] | None:
    if not a.middles or not b.middles:
        return None
    return max(_middle_pair(x, y) for x in a.middles for y in b.middles)


def _family_pair(
    a: tuple[str, frozenset[str]], b: tuple[str, frozenset[str]]
) -> tuple[float, float]:
    (compact_a, key_a), (compact_b, key_b) = a, b
    if compact_a == compact_b:
        return (W_FAMILY_EXACT, 1.0)
    if key_a & key_b:
        return (W_FAMILY_PART, 0.9)
    s = max(_similarity(x, y) for x in key_a for y in key_b)
    return (_curve(FAMILY_CURVE, s), s)


def _compare_family(a: _Names, b: _Names) -> tuple[float, float] | None:
    if not a.families or not b.families:
        return None
    return max(_family_pair(x, y) for x in a.families for y in b.families)


def date_level(a: PartialDate, b: PartialDate) -> str:
    """How two partial dates agree, compared at their shared precision (a `DATE_LEVELS` key).

    Day and month swapped (``1994-07-02`` vs ``1994-02-07``) is ``transposed``; an
    approximate date only says whether the years are within `APPROX_YEARS`.
    """
    if a.approximate or b.approximate:
        return "approx_near" if abs(a.year - b.year) <= APPROX_YEARS else "approx_far"
    if a.year != b.year:
        return "year_differs"
    if a.month is None or b.month is None:
        return "same_year_partial"
    if a.day is None or b.day is None:
        return "same_month" if a.month == b.month else "same_year"
    if a.month == b.month:
        return "exact" if a.day == b.day else "day_differs"
    if a.month == b.day and a.day == b.month:
        return "transposed"
    return "same_year"


def _postcode(text: str | None) -> str | None:
    return normalise_postcode(text)


def _postcode_pair(a: str, b: str) -> tuple[float, float]:
    if a == b:
        return (W_POSTCODE_SAME, 1.0)
    if is_uk_postcode(a) and is_uk_postcode(b) and postcode_areas(a)[0] == postcode_areas(b)[0]:
        return (W_POSTCODE_SECTOR, 0.5)
    return (W_POSTCODE_DIFFERS, 0.0)


def _compare_postcodes(a: Person, b: Person) -> tuple[float, float] | None:
    codes_a = _unique(_postcode(addr.postcode) or "" for addr in a.addresses)
    codes_b = _unique(_postcode(addr.postcode) or "" for addr in b.addresses)
    if not codes_a or not codes_b:
        return None
    return max(_postcode_pair(x, y) for x in codes_a for y in codes_b)


def _name_fields(a: _Names, b: _Names) -> list[tuple[str, tuple[float, float] | None]]:
    return [
        ("given", _compare_given(a, b)),
        ("middle", _compare_middle(a, b)),
        ("family", _compare_family(a, b)),
    ]


def _swapped(person: Person) -> Person | None:
    """`person` with given and family names exchanged (one system put them the wrong way
    round), or None when either is missing."""
    if not person.given_names or not person.family_name:
        return None
    return Person(person.id, given_names=person.family_name, family_name=person.given_names)


def _compare_names(a: Person, b: Person) -> list[tuple[str, tuple[float, float] | None]]:
    """Given, middle and family name evidence; when reading one side's names swapped agrees
    much better (``Hart, Kerry`` typed as given ``Hart``), the swapped reading is used.
    Both swaps are tried, so the result stays symmetric in `a` and `b`."""

    def total(fields: list[tuple[str, tuple[float, float] | None]]) -> float:
        return math.fsum(r[0] for _, r in fields if r is not None)

    best = _name_fields(_names(a), _names(b))
    for x, y in ((_swapped(a), b), (a, _swapped(b))):
        if x is None or y is None:
            continue
        fields = _name_fields(_names(x), _names(y))
        if total(fields) > total(best) + W_SWAP_MARGIN:
            best = fields
    return best


def _check_context(value: float) -> float:
    if not (math.isfinite(value) and 0.0 <= value <= 1.0):
        raise ValueError("context evidence must be a number in [0, 1]")
    return float(value)


def _logistic(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


# --------------------------------------------------------------------------- public API


def score_people(a: Person, b: Person, context: float = 0.0) -> MatchScore:
    """Score how likely `a` and `b` are the same person, combining per-field evidence.

    `context` in [0, 1] is relationship evidence from the graph (1.0 when the mention says
    "Mum" and `b` is the subject's recorded mother). Symmetric in `a` and `b`.
    """
    context = _check_context(context)
    fields: list[tuple[str, tuple[float, float] | None]] = _compare_names(a, b)
    for name, index, date_a, date_b in (
        ("birth_date", 1, a.birth_date, b.birth_date),
        ("death_date", 2, a.death_date, b.death_date),
    ):
        compared: tuple[float, float] | None = None
        if date_a is not None and date_b is not None:
            level = DATE_LEVELS[date_level(date_a, date_b)]
            compared = (level[index], level[0])
        fields.append((name, compared))
    sex: tuple[float, float] | None = None
    if a.sex != Sex.UNKNOWN and b.sex != Sex.UNKNOWN:
        sex = (W_SEX_AGREE, 1.0) if a.sex == b.sex else (W_SEX_DISAGREE, 0.0)
    fields.append(("sex", sex))
    fields.append(("postcode", _compare_postcodes(a, b)))
    if context > 0.0:
        fields.append(("context", (W_CONTEXT * context, context)))

    components: list[tuple[str, float]] = []
    weights: list[tuple[str, float]] = [("prior", PRIOR)]
    for name, result in fields:
        if result is not None:
            weight, similarity = result
            components.append((name, similarity))
            weights.append((name, weight))
    total = math.fsum(weight for _, weight in weights)
    return MatchScore(_logistic(total), tuple(components), tuple(weights))


def rank_candidates(
    query: Person,
    candidates: Iterable[Person],
    context: Mapping[str, float] | None = None,
) -> list[tuple[Person, MatchScore]]:
    """Score every candidate against `query`, best first (ties broken by person id, so the
    result does not depend on the candidates' order). `context` maps a candidate's person id
    to its relationship-context evidence in [0, 1]; unlisted candidates get 0."""
    context = context or {}
    scored = [
        (candidate, score_people(query, candidate, context.get(candidate.id, 0.0)))
        for candidate in candidates
    ]
    scored.sort(key=lambda pair: (-pair[1].score, pair[0].id, pair[1].components))
    return scored


def blocking_keys(person: Person) -> frozenset[str]:
    """Keys that any plausible duplicate of `person` shares with it, so that only people
    sharing a key are scored (blocking). Built to keep the true pairs the scorer merges:
    a surname form with a given-name initial (Linda/Lynda Hart) or with a given-name variant
    (Peggy/Margaret O'Brien), a full birth date (a surname changed by marriage), a given-name
    variant with a birth year, and a given-name variant alone (``v:`` keys, which a query
    should use only when it has no surname, such as a note's "Kerry": they are large)."""
    keys: set[str] = set()
    given_words: list[str] = []
    for text in (person.given_names, *person.known_as):
        if text:
            first = tokens(text)[:1]
            given_words += first
    variants: set[str] = set()
    for word in given_words:
        variants |= given_variants(word)
    surnames: set[str] = set()
    if person.family_name:
        surnames |= surname_key(person.family_name)
    for alias in person.known_as:
        words = alias.split()
        if len(words) > 1:
            surnames |= surname_key(words[-1])
    for surname in surnames:
        for word in given_words:
            keys.add(f"fi:{surname}:{word[:1]}")
        for variant in variants:
            keys.add(f"fv:{surname}:{variant}")
    birth = person.birth_date
    if birth is not None and birth.day is not None and not birth.approximate:
        keys.add(f"d:{birth.iso()}")
        # Day and month transposed (07/02 written for 02/07) is a common error.
        if birth.month is not None and birth.day <= 12:
            keys.add(f"d:{birth.year:04d}-{birth.day:02d}-{birth.month:02d}")
    if birth is not None:
        for variant in variants:
            keys.add(f"vy:{variant}:{birth.year}")
    for variant in variants:
        keys.add(f"v:{variant}")
    return frozenset(keys)
