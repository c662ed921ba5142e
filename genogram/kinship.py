"""Kinship algebra: canonical kin terms as chains of primitive moves, and naming relatives.

Two directions, one vocabulary (DESIGN §3):

* `decompose` turns a canonical term ("maternal great-aunt") into the chain of `Step`s from
  the anchor person to the relative (up to the mother, up to her parent, across to a sister),
  so that ingest can create the edges and any implied people in between.
* `name_relatives` / `name_relative` do the reverse on a family graph: the canonical term, the
  degree, the path and the weakest certainty of every person connected to a subject.

Definitions and decisions
-------------------------
Moves. ``UP`` goes from a child to a parent, ``DOWN`` from a parent to a child (both along
``PARENT_OF``), ``SIB`` along ``SIBLING_OF`` and ``PARTNER`` along ``PARTNER_OF``. ``LIVES_WITH``
and ``RELATES_TO`` never take part in naming. A `Step`'s ``sex`` is the sex of the person the
step reaches when the term says it (``None`` = not said; never ``Sex.UNKNOWN``).

Birth is the default. An UP/DOWN step with ``kind=None`` means a birth parent/child:
`decompose` never emits ``"birth"`` (``"birth mother"`` decomposes exactly like ``"mother"``),
and when naming, a ``PARENT_OF`` edge of kind ``None`` or ``"birth"`` is a birth edge. Ingest
should store such steps as ``PARENT_OF`` kind ``"birth"``. For SIB, ``kind=None`` means "kind
not stated"; for PARTNER it is the partner status (``None`` = not stated).

Degree. The civil-law degree of kinship: the number of parent-child links between the two
people through their nearest common ancestor (parent 1, grandparent 2, sibling 2, aunt/uncle 3,
niece/nephew 3, first cousin 4). A ``SIBLING_OF`` edge counts 2 (it stands for up-and-down
through a parent), a ``PARTNER_OF`` edge counts 1 (own partner 1, mother's partner 2) and a
non-birth parent edge (step, adoptive, foster, ...) counts 1.

Which path names a person. Blood relatives -- people reached by birth edges and
``SIBLING_OF`` edges of kind full/half/unstated in the shape "up*, then at most one turn
(an up-down through a common ancestor, or one sibling edge), then down*" -- are always named
by their shortest such path, even when a partner path would be shorter. Everyone else is named
by the path of lowest degree; ties go to fewer partner edges, then fewer non-birth edges, then
fewer uncertain edges. Among equal blood paths the one with fewer uncertain edges wins.

Siblings. Two people are full siblings when they share two or more recorded birth parents, or,
failing that, a ``SIBLING_OF`` edge between them says ``full``; otherwise half siblings when an
edge says ``half`` or they share exactly one recorded birth parent (the other parents being
different or unrecorded) -- except that a ``SIBLING_OF`` edge of unstated kind with one shared
parent and the other parent of either of them unrecorded stays a plain sibling (a note saying
"her sister Tia" and "they have the same father" does not make Tia a half-sister); otherwise
plain siblings (kind unknown). A half-sibling's side is the
shared parent's sex: ``maternal`` through the mother, ``paternal`` through the father, no
prefix when that parent's sex is unknown or no shared parent is recorded. Twins: a
``SIBLING_OF`` edge with ``twin`` set, or full siblings with the same complete, exact birth
date. Aunts, uncles, nieces, nephews and cousins include the half relations.

Sides. ``maternal``/``paternal`` name the sex of the subject's parent on the path (the first
step up) for grandparents, great-grandparents, aunts/uncles and step-grandparents; the side is
left out when that parent's sex is unknown (ambiguity shown, not guessed). Cousins carry no side.

Counting words. ``great-aunt`` is a grandparent's sibling and ``great-niece`` a sibling's
grandchild (one ``great-`` per extra generation, as in ``great-grandmother``). Cousins: n-th
cousins share a great^(n-1)-grandparent; "removed" counts the generation gap. `decompose`
reads "cousin once removed" in the descending direction (the cousin's child: up, sib, down,
down); naming calls both directions (a cousin's child and a parent's cousin) "cousin once
removed". Unknown-sex forms: parent, grandparent, sibling, child, grandchild, half-sibling,
``aunt or uncle``, ``niece or nephew``, ``twin``, ``spouse``.

Non-blood terms. Single edges: ``step-father``, ``adoptive mother``, ``foster carer``,
``special guardian``, ``kinship carer``, ``guardian`` (and, downwards, ``step-son``, ``adopted
daughter``, ``foster child``, ``special guardianship child``, ``kinship care child``,
``ward``); partners by status and sex: married/widowed -> husband/wife/spouse,
civil_partnership -> civil partner, separated -> ex-partner, divorced -> ex-husband/ex-wife/
ex-spouse, anything else or unstated -> partner. Step-siblings: a parent's current partner's
child (partner status unstated, married, civil_partnership, cohabiting, engaged or widowed; not
dating, separated or divorced), a step-parent's child, a parent's step-child, or a
``SIBLING_OF`` step edge. Adoptive siblings likewise through adoptive parent edges. A birth
parent's step-parent is a (maternal/paternal) step-grandparent, when that person is the one
being named (so a mother's step-father's son is a ``mother's step-brother``). In-laws, only
when they are the whole relation: a spouse's/civil partner's parent (mother-in-law) or sibling
(brother-in-law), and a child's spouse (son-in-law); a sibling's spouse stays ``brother's
wife``. A composed name uses the fewest pieces, the earlier pieces as long as possible.
Anything else is composed from these pieces with "'s", as in ``mother's partner``,
``maternal uncle's wife``, ``mother's ex-partner's son``; naming never fails on a connected
graph. `decompose` accepts such compositions too.

Normalisations of the round trip (`decompose` then naming the minimal graph): ``birth X`` ->
``X``; ``first cousin`` -> ``cousin``; compositions collapse to their special names (``mother's
mother`` -> ``maternal grandmother``, ``wife's mother`` -> ``mother-in-law``, ``mother's
partner's son`` -> ``step-brother``). `normalise_term` computes exactly this.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import networkx as nx

from genogram.model import Person, Relationship, RelType, Sex

__all__ = [
    "Kin",
    "Move",
    "Step",
    "canonical_terms",
    "decompose",
    "is_canonical_term",
    "name_relative",
    "name_relatives",
    "name_steps",
    "normalise_term",
    "unify_terms",
]


class Move(StrEnum):
    """A primitive move along one family-graph edge."""

    UP = "up"
    DOWN = "down"
    SIB = "sib"
    PARTNER = "partner"


@dataclass(frozen=True)
class Step:
    """One move of a decomposed kin term.

    `sex` is the sex of the person reached, when the term says it. `kind`: for UP/DOWN the
    parent kind (None = birth), for SIB the sibling kind (None = not stated), for PARTNER the
    partner status. `twin` marks a twin sibling step (SIB with kind "full").
    """

    move: Move
    sex: Sex | None = None
    kind: str | None = None
    twin: bool = False


@dataclass(frozen=True)
class Kin:
    """How one person is related to the subject: term, degree, path and certainty.

    `roles` lists what the subject's *direct* relationships with the person say besides
    `term` (for example a maternal grandmother who is also the ``special guardian``).
    """

    person_id: str
    term: str
    degree: int
    path: tuple[str, ...]
    rel_ids: tuple[str, ...]
    certainty: str
    roles: tuple[str, ...] = field(default=())


# --------------------------------------------------------------------------------------------
# Vocabulary

_F, _M = Sex.FEMALE, Sex.MALE
_BIRTH = frozenset({None, "birth"})
_BLOOD_SIB = frozenset({None, "full", "half"})
_STEP_PARTNER = frozenset(
    {None, "married", "civil_partnership", "cohabiting", "engaged", "widowed"}
)
_IN_LAW = frozenset({"married", "civil_partnership", "widowed"})
_CERTAINTY_RANK = {"disputed": 0, "alleged": 1, "confirmed": 2}
_UNCERTAINTY = {"confirmed": 0, "alleged": 1, "disputed": 2}

_ORDINALS = [
    "zeroth",
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
    "twentieth",
]
_TIMES = tuple(
    [
        "never",
        "once",
        "twice",
        "three times",
        "four times",
        "five times",
        "six times",
        "seven times",
        "eight times",
        "nine times",
        "ten times",
    ]
)


def _ordinal(n: int) -> str:
    if n < len(_ORDINALS):
        return _ORDINALS[n]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _times(n: int) -> str:
    return _TIMES[n] if n < len(_TIMES) else f"{n} times"


def _g(sex: Sex | None, female: str, male: str, neutral: str) -> str:
    if sex == _F:
        return female
    if sex == _M:
        return male
    return neutral


def _side(sex: Sex | None) -> str:
    return _g(sex, "maternal ", "paternal ", "")


_PARENT_PREFIX = {"adoptive": "adoptive ", "step": "step-"}
_CARER_WORDS = {
    "foster": "foster carer",
    "special_guardian": "special guardian",
    "kinship_carer": "kinship carer",
    "guardian": "guardian",
}
_CARED_WORDS = {
    "foster": "foster child",
    "special_guardian": "special guardianship child",
    "kinship_carer": "kinship care child",
    "guardian": "ward",
}
_CHILD_PREFIX = {"adoptive": "adopted ", "step": "step-"}
_SIB_PREFIX = {"step": "step-", "adoptive": "adoptive "}


def _parent_word(kind: str | None, sex: Sex | None) -> str:
    if kind in _CARER_WORDS:
        return _CARER_WORDS[kind]
    prefix = "" if kind in _BIRTH else _PARENT_PREFIX.get(kind or "", f"{kind} ")
    return prefix + _g(sex, "mother", "father", "parent")


def _child_word(kind: str | None, sex: Sex | None) -> str:
    if kind in _CARED_WORDS:
        return _CARED_WORDS[kind]
    prefix = "" if kind in _BIRTH else _CHILD_PREFIX.get(kind or "", f"{kind} ")
    return prefix + _g(sex, "daughter", "son", "child")


def _sibling_word(kind: str | None, sex: Sex | None, side: str = "", twin: bool = False) -> str:
    base = _g(sex, "sister", "brother", "sibling")
    if kind == "half":
        return f"{side}half-{base}"
    if kind in _SIB_PREFIX:
        return _SIB_PREFIX[kind] + base
    if twin:
        return _g(sex, "twin sister", "twin brother", "twin")
    return base


def _partner_word(status: str | None, sex: Sex | None) -> str:
    if status in ("married", "widowed"):
        return _g(sex, "wife", "husband", "spouse")
    if status == "civil_partnership":
        return "civil partner"
    if status == "separated":
        return "ex-partner"
    if status == "divorced":
        return _g(sex, "ex-wife", "ex-husband", "ex-spouse")
    return "partner"


def _ancestor_word(up: int, sex: Sex | None, side: str) -> str:
    if up == 1:
        return _parent_word(None, sex)
    return side + "great-" * (up - 2) + "grand" + _g(sex, "mother", "father", "parent")


def _descendant_word(down: int, sex: Sex | None) -> str:
    if down == 1:
        return _child_word(None, sex)
    return "great-" * (down - 2) + "grand" + _g(sex, "daughter", "son", "child")


def _aunt_word(up: int, sex: Sex | None, side: str) -> str:
    greats = "great-" * (up - 1)
    return side + _g(sex, f"{greats}aunt", f"{greats}uncle", f"{greats}aunt or {greats}uncle")


def _niece_word(down: int, sex: Sex | None) -> str:
    greats = "great-" * (down - 1)
    return _g(sex, f"{greats}niece", f"{greats}nephew", f"{greats}niece or {greats}nephew")


def _cousin_word(nth: int, removed: int) -> str:
    base = "cousin" if nth == 1 else f"{_ordinal(nth)} cousin"
    return f"{base} {_times(removed)} removed" if removed else base


# --------------------------------------------------------------------------------------------
# decompose

_SIDE = r"(?:(?P<side>maternal|paternal) )?"
_GREATS = r"(?P<greats>(?:great-)*)"
_SEX_WORDS = {
    "mother": _F,
    "father": _M,
    "parent": None,
    "son": _M,
    "daughter": _F,
    "child": None,
    "brother": _M,
    "sister": _F,
    "sibling": None,
    "aunt": _F,
    "uncle": _M,
    "niece": _F,
    "nephew": _M,
}
_SIDE_SEX = {"maternal": _F, "paternal": _M, None: None}


def _ordinal_value(word: str) -> int | None:
    if word in _ORDINALS:
        return _ORDINALS.index(word)
    m = re.fullmatch(r"(\d+)(?:st|nd|rd|th)", word)
    return int(m.group(1)) if m and _ordinal(int(m.group(1))) == word else None


def _times_value(word: str) -> int | None:
    if word in _TIMES:
        return _TIMES.index(word)
    m = re.fullmatch(r"(\d+) times", word)
    return int(m.group(1)) if m and _times(int(m.group(1))) == word else None


_FIXED: dict[str, list[Step]] = {
    **{w: [Step(Move.UP, None, k)] for k, w in _CARER_WORDS.items()},
    **{w: [Step(Move.DOWN, None, k)] for k, w in _CARED_WORDS.items()},
    "twin": [Step(Move.SIB, None, "full", twin=True)],
    "twin brother": [Step(Move.SIB, _M, "full", twin=True)],
    "twin sister": [Step(Move.SIB, _F, "full", twin=True)],
    "partner": [Step(Move.PARTNER)],
    "husband": [Step(Move.PARTNER, _M, "married")],
    "wife": [Step(Move.PARTNER, _F, "married")],
    "spouse": [Step(Move.PARTNER, None, "married")],
    "civil partner": [Step(Move.PARTNER, None, "civil_partnership")],
    "ex-partner": [Step(Move.PARTNER, None, "separated")],
    "ex-husband": [Step(Move.PARTNER, _M, "divorced")],
    "ex-wife": [Step(Move.PARTNER, _F, "divorced")],
    "ex-spouse": [Step(Move.PARTNER, None, "divorced")],
}
for _word, _sex in (("mother", _F), ("father", _M), ("parent", None)):
    _FIXED[f"{_word}-in-law"] = [Step(Move.PARTNER, None, "married"), Step(Move.UP, _sex)]
for _word, _sex in (("brother", _M), ("sister", _F), ("sibling", None)):
    _FIXED[f"{_word}-in-law"] = [Step(Move.PARTNER, None, "married"), Step(Move.SIB, _sex)]
for _word, _sex in (("son", _M), ("daughter", _F), ("child", None)):
    _FIXED[f"{_word}-in-law"] = [Step(Move.DOWN), Step(Move.PARTNER, _sex, "married")]

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(?P<pre>birth |adoptive |step-)?(?P<w>mother|father|parent)"), "parent"),
    (re.compile(r"(?P<pre>adopted |step-)?(?P<w>son|daughter|child)"), "child"),
    (re.compile(_GREATS + r"grand(?P<w>son|daughter|child)"), "grandchild"),
    (re.compile(_SIDE + _GREATS + r"grand(?P<w>mother|father|parent)"), "grandparent"),
    (re.compile(_SIDE + r"step-grand(?P<w>mother|father|parent)"), "step-grandparent"),
    (re.compile(r"(?P<pre>half-|step-|adoptive )?(?P<w>brother|sister|sibling)"), "sibling"),
    (re.compile(r"(?P<side>maternal|paternal) half-(?P<w>brother|sister|sibling)"), "half"),
    (re.compile(_SIDE + _GREATS + r"(?P<w>aunt|uncle)"), "aunt"),
    (re.compile(_SIDE + _GREATS + r"aunt or (?P=greats)uncle"), "aunt?"),
    (re.compile(_GREATS + r"(?P<w>niece|nephew)"), "niece"),
    (re.compile(_GREATS + r"niece or (?P=greats)nephew"), "niece?"),
    (
        re.compile(
            r"(?:(?P<nth>[a-z0-9]+) )?cousin(?: (?P<removed>[a-z0-9]+(?: times)?) removed)?"
        ),
        "cousin",
    ),
]


def _decompose_part(part: str) -> list[Step] | None:
    if part in _FIXED:
        return list(_FIXED[part])
    for pattern, form in _PATTERNS:
        m = pattern.fullmatch(part)
        if m is None:
            continue
        groups = m.groupdict()
        sex = _SEX_WORDS.get(groups.get("w") or "")
        side = _SIDE_SEX[groups.get("side")]
        greats = (groups.get("greats") or "").count("great-")
        pre = (groups.get("pre") or "").strip(" -")
        if form == "parent":
            kind = None if pre in ("", "birth") else pre
            return [Step(Move.UP, sex, kind)]
        if form == "child":
            kind = {"": None, "adopted": "adoptive", "step": "step"}[pre]
            return [Step(Move.DOWN, sex, kind)]
        if form == "grandchild":
            return [Step(Move.DOWN)] * (greats + 1) + [Step(Move.DOWN, sex)]
        if form == "grandparent":
            return [Step(Move.UP, side)] + [Step(Move.UP)] * greats + [Step(Move.UP, sex)]
        if form == "step-grandparent":
            return [Step(Move.UP, side), Step(Move.UP, sex, "step")]
        if form == "sibling":
            return [Step(Move.SIB, sex, pre or None)]
        if form == "half":
            return [Step(Move.UP, side), Step(Move.DOWN, sex)]
        if form in ("aunt", "aunt?"):
            return [Step(Move.UP, side)] + [Step(Move.UP)] * greats + [Step(Move.SIB, sex)]
        if form in ("niece", "niece?"):
            return [Step(Move.SIB)] + [Step(Move.DOWN)] * greats + [Step(Move.DOWN, sex)]
        if form == "cousin":
            nth = 1 if groups["nth"] is None else _ordinal_value(groups["nth"])
            removed = 0 if groups["removed"] is None else _times_value(groups["removed"])
            if nth is None or removed is None or nth < 1 or (groups["removed"] and removed < 1):
                return None
            return [Step(Move.UP)] * nth + [Step(Move.SIB)] + [Step(Move.DOWN)] * (nth + removed)
    return None


def decompose(term: str) -> list[Step]:
    """The chain of steps from the anchor person to the relative a canonical term names.

    Accepts the DESIGN §3 terms (case and spacing are ignored) and compositions with "'s"
    ("mother's partner"). Raises ValueError for anything else; the message never repeats the
    term (it could hold a name).
    """
    text = " ".join(term.casefold().replace("\u2019", "'").split())
    if not text:
        raise ValueError("empty kin term")
    steps: list[Step] = []
    for part in text.split("'s "):
        decomposed = _decompose_part(part)
        if decomposed is None:
            raise ValueError("not a canonical kin term (see genogram.kinship for the grammar)")
        steps.extend(decomposed)
    return steps


def is_canonical_term(term: str) -> bool:
    """Whether `decompose` accepts the term (a DESIGN §3 term or an "'s" composition of them)."""
    try:
        decompose(term)
    except ValueError:
        return False
    return True


def canonical_terms(max_greats: int = 2, max_cousin: int = 3, max_removed: int = 2) -> list[str]:
    """Every single (non-composed) canonical term up to the given depths, sorted.

    For tests, help text and extraction gazetteers; every term returned round-trips through
    `decompose` and naming up to the documented normalisations.
    """
    terms: set[str] = set(_FIXED)
    sexed = (_F, _M, None)
    sides = ("", "maternal ", "paternal ")
    for sex in sexed:
        terms.add(_parent_word(None, sex))
        for kind in ("adoptive", "step"):
            terms.add(_parent_word(kind, sex))
            terms.add(_child_word(kind, sex))
            terms.add(_sibling_word(kind, sex))
        terms.add(_child_word(None, sex))
        terms.add(_sibling_word(None, sex))
        for side in sides:
            terms.add(_sibling_word("half", sex, side))
            terms.add(side + "step-grand" + _g(sex, "mother", "father", "parent"))
        for n in range(max_greats + 1):
            terms.add(_descendant_word(n + 2, sex))
            terms.add(_niece_word(n + 1, sex))
            for side in sides:
                terms.add(_ancestor_word(n + 2, sex, side))
                terms.add(_aunt_word(n + 1, sex, side))
    for nth in range(1, max_cousin + 1):
        for removed in range(max_removed + 1):
            terms.add(_cousin_word(nth, removed))
    return sorted(terms)


# --------------------------------------------------------------------------------------------
# the family graph


@dataclass(frozen=True)
class _Edge:
    """One directed move along a relationship."""

    move: Move
    kind: str | None
    src: str
    dst: str
    rel: Relationship

    @property
    def degree(self) -> int:
        return 2 if self.move is Move.SIB else 1

    @property
    def birth(self) -> bool:
        return self.move in (Move.UP, Move.DOWN) and self.kind in _BIRTH

    @property
    def blood(self) -> bool:
        return self.birth or (self.move is Move.SIB and self.kind in _BLOOD_SIB)


class _Family:
    """The relationships among `persons` as moves, plus the indexes naming needs."""

    def __init__(self, persons: Mapping[str, Person], rels: Iterable[Relationship]) -> None:
        self.persons = persons
        unique: dict[str, Relationship] = {}
        for rel in rels:
            if rel.type in (RelType.LIVES_WITH, RelType.RELATES_TO):
                continue
            if rel.from_id in persons and rel.to_id in persons:
                unique.setdefault(rel.id, rel)
        self.rels = [unique[k] for k in sorted(unique)]
        self.edges: list[_Edge] = []
        self.birth_parents: dict[str, set[str]] = {}
        self.sib_rels: dict[frozenset[str], list[Relationship]] = {}
        self.direct: dict[str, list[_Edge]] = {}
        for rel in self.rels:
            a, b = rel.from_id, rel.to_id
            if rel.type is RelType.PARENT_OF:
                pair = [_Edge(Move.UP, rel.kind, b, a, rel), _Edge(Move.DOWN, rel.kind, a, b, rel)]
                if rel.kind in _BIRTH:
                    self.birth_parents.setdefault(b, set()).add(a)
            else:
                move = Move.PARTNER if rel.type is RelType.PARTNER_OF else Move.SIB
                pair = [_Edge(move, rel.kind, a, b, rel), _Edge(move, rel.kind, b, a, rel)]
                if move is Move.SIB:
                    self.sib_rels.setdefault(frozenset((a, b)), []).append(rel)
            self.edges.extend(pair)
            for edge in pair:
                self.direct.setdefault(edge.src, []).append(edge)
        self.size = len(persons) + 1

    def sex(self, person_id: str) -> Sex | None:
        sex = self.persons[person_id].sex
        return None if sex == Sex.UNKNOWN else sex

    # weights: lexicographic tiers packed into one integer for Dijkstra
    def _uncertainty(self, edge: _Edge) -> int:
        return _UNCERTAINTY.get(edge.rel.certainty, 2)

    def blood_weight(self, edge: _Edge) -> int:
        return edge.degree * (2 * self.size + 1) + self._uncertainty(edge)

    def general_weight(self, edge: _Edge) -> int:
        t, u = self.size, 2 * self.size + 1
        partner = int(edge.move is Move.PARTNER)
        nonbirth = int(not edge.blood and edge.move is not Move.PARTNER)
        return ((edge.degree * t + partner) * t + nonbirth) * u + self._uncertainty(edge)

    def general_cutoff(self, max_degree: int) -> int:
        return (max_degree + 1) * self.size * self.size * (2 * self.size + 1) - 1

    def _other_parents_differ(self, x: str, y: str, shared: set[str]) -> bool:
        """Whether both have a recorded birth parent besides the shared one (so that they
        are half siblings for certain)."""
        return bool(self.birth_parents.get(x, set()) - shared) and bool(
            self.birth_parents.get(y, set()) - shared
        )

    # sibling analysis
    def sibling_kind(self, x: str, y: str) -> tuple[str | None, str, bool]:
        """(kind full/half/None, side prefix for half, twin) for the pair x, y."""
        shared = self.birth_parents.get(x, set()) & self.birth_parents.get(y, set())
        explicit = [r for r in self.sib_rels.get(frozenset((x, y)), []) if r.kind in _BLOOD_SIB]
        kinds = {r.kind for r in explicit}
        kind: str | None
        if len(shared) >= 2 or "full" in kinds:
            kind = "full"
        elif "half" in kinds:
            kind = "half"
        elif len(shared) == 1 and explicit and not self._other_parents_differ(x, y, shared):
            # "her siblings Tia and Cody" + "Jade and Tia have the same father": with Tia's
            # mother unrecorded they may be full or half siblings; not guessed.
            kind = None
        elif len(shared) == 1:
            kind = "half"
        else:
            kind = None
        side = ""
        if kind == "half" and len(shared) == 1:
            side = _side(self.sex(next(iter(shared))))
        twin = any(r.twin is not None for r in explicit)
        if not twin and kind == "full":
            bx, by = self.persons[x].birth_date, self.persons[y].birth_date
            twin = bx is not None and bx == by and bx.day is not None and not bx.approximate
        return kind, side, twin


def _search(
    graph: nx.MultiDiGraph[object], source: object, cutoff: int | None
) -> dict[object, list[_Edge]]:
    """Shortest paths by weight from `source`, as edge lists (cheapest parallel edge)."""
    paths = nx.single_source_dijkstra_path(graph, source, cutoff=cutoff, weight="weight")
    result: dict[object, list[_Edge]] = {}
    for target, nodes in paths.items():
        edges: list[_Edge] = []
        for u, v in itertools.pairwise(nodes):
            options = graph.get_edge_data(u, v) or {}
            best = min(options.items(), key=lambda kv: (kv[1]["weight"], str(kv[0])))
            edges.append(best[1]["edge"])
        result[target] = edges
    return result


def _blood_paths(family: _Family, subject: str) -> dict[str, list[_Edge]]:
    """Shortest consanguineal path (up*, one turn, down*) to every blood relative."""
    graph: nx.MultiDiGraph[object] = nx.MultiDiGraph()
    graph.add_node((subject, 0))
    for edge in family.edges:
        if not edge.blood:
            continue
        w = family.blood_weight(edge)
        key = f"{edge.rel.id}:{edge.move}"
        if edge.move is Move.UP:
            graph.add_edge((edge.src, 0), (edge.dst, 0), key=key, weight=w, edge=edge)
        elif edge.move is Move.DOWN:
            graph.add_edge((edge.src, 0), (edge.dst, 1), key=key, weight=w, edge=edge)
            graph.add_edge((edge.src, 1), (edge.dst, 1), key=key, weight=w, edge=edge)
        else:
            graph.add_edge((edge.src, 0), (edge.dst, 1), key=key, weight=w, edge=edge)
    found = _search(graph, (subject, 0), None)
    best: dict[str, tuple[int, int, list[_Edge]]] = {}
    for state, edges in found.items():
        assert isinstance(state, tuple)
        person, phase = state
        if person == subject:
            continue
        cost = sum(family.blood_weight(e) for e in edges)
        if person not in best or (cost, phase) < best[person][:2]:
            best[person] = (cost, phase, edges)
    return {person: entry[2] for person, entry in best.items()}


def _general_paths(family: _Family, subject: str, cutoff: int | None) -> dict[str, list[_Edge]]:
    """Lowest-degree path of any kind to every connected person."""
    graph: nx.MultiDiGraph[object] = nx.MultiDiGraph()
    graph.add_node(subject)
    for edge in family.edges:
        w = family.general_weight(edge)
        graph.add_edge(edge.src, edge.dst, key=f"{edge.rel.id}:{edge.move}", weight=w, edge=edge)
    found = _search(graph, subject, cutoff)
    return {str(p): edges for p, edges in found.items() if p != subject}


# --------------------------------------------------------------------------------------------
# naming a path


def _blood_shape(edges: Sequence[_Edge]) -> tuple[int, bool, int] | None:
    """(ups, sibling edge?, downs) if the edges form one consanguineal chain, else None."""
    if not edges or not all(e.blood for e in edges):
        return None
    i = 0
    while i < len(edges) and edges[i].move is Move.UP:
        i += 1
    ups = i
    sib = i < len(edges) and edges[i].move is Move.SIB
    if sib:
        i += 1
    downs = len(edges) - i
    if any(e.move is not Move.DOWN for e in edges[i:]):
        return None
    return ups, sib, downs


def _name_blood(family: _Family, nodes: Sequence[str], shape: tuple[int, bool, int]) -> str:
    """The term for a consanguineal chain through `nodes` (anchor first)."""
    ups, sib, downs = shape
    sex = family.sex(nodes[-1])
    if not sib and (ups == 0 or downs == 0):
        if ups:
            return _ancestor_word(ups, sex, _side(family.sex(nodes[1])))
        return _descendant_word(downs, sex)
    if sib:
        up, down, pair = ups, downs, (nodes[ups], nodes[ups + 1])
    else:
        up, down, pair = ups - 1, downs - 1, (nodes[ups - 1], nodes[ups + 1])
    side = _side(family.sex(nodes[1])) if up else ""
    if up == 0 and down == 0:
        kind, half_side, twin = family.sibling_kind(*pair)
        return _sibling_word(kind, sex, half_side, twin)
    if down == 0:
        return _aunt_word(up, sex, side)
    if up == 0:
        return _niece_word(down, sex)
    return _cousin_word(min(up, down), abs(up - down))


def _name_single(family: _Family, edge: _Edge) -> str:
    sex = family.sex(edge.dst)
    if edge.move is Move.UP:
        return _parent_word(edge.kind, sex)
    if edge.move is Move.DOWN:
        return _child_word(edge.kind, sex)
    if edge.move is Move.PARTNER:
        return _partner_word(edge.kind, sex)
    return _sibling_word(edge.kind, sex)


def _is(edge: _Edge, move: Move, kinds: Iterable[str | None]) -> bool:
    return edge.move is move and edge.kind in kinds


def _name_special(
    family: _Family, nodes: Sequence[str], edges: Sequence[_Edge], final: bool, whole: bool
) -> str | None:
    """Names of non-blood multi-edge relations (step- and adoptive siblings, step-grandparents,
    in-laws), or None."""
    sex = family.sex(nodes[-1])
    moves = [e.move for e in edges]
    birth, step, adoptive = _BIRTH, ("step",), ("adoptive",)
    if len(edges) == 2:
        a, b = edges
        if final and _is(a, Move.UP, birth) and _is(b, Move.UP, step):
            return (
                _side(family.sex(nodes[1])) + "step-grand" + _g(sex, "mother", "father", "parent")
            )
        if (_is(a, Move.UP, birth) and _is(b, Move.DOWN, step)) or (
            _is(a, Move.UP, step) and _is(b, Move.DOWN, birth)
        ):
            return _sibling_word("step", sex)
        if (_is(a, Move.UP, birth | {"adoptive"}) and _is(b, Move.DOWN, adoptive)) or (
            _is(a, Move.UP, adoptive) and _is(b, Move.DOWN, birth | {"adoptive"})
        ):
            return _sibling_word("adoptive", sex)
        if whole and _is(a, Move.PARTNER, _IN_LAW) and b.blood:
            if b.move is Move.UP:
                return _g(sex, "mother", "father", "parent") + "-in-law"
            if b.move is Move.SIB:
                return _g(sex, "sister", "brother", "sibling") + "-in-law"
        if whole and _is(a, Move.DOWN, birth) and _is(b, Move.PARTNER, _IN_LAW):
            return _g(sex, "daughter", "son", "child") + "-in-law"
    if len(edges) == 3:
        a, b, c = edges
        if (
            _is(a, Move.UP, birth)
            and _is(b, Move.PARTNER, _STEP_PARTNER)
            and _is(c, Move.DOWN, birth)
        ):
            return _sibling_word("step", sex)
        if (
            whole
            and _is(a, Move.PARTNER, _IN_LAW)
            and moves[1:] == [Move.UP, Move.DOWN]
            and b.birth
            and c.birth
        ):
            return _g(sex, "sister", "brother", "sibling") + "-in-law"
    return None


def _name_path(family: _Family, subject: str, edges: Sequence[_Edge]) -> str:
    """The term for a path: one name if it has one, else the fewest pieces joined by "'s"."""
    nodes = [subject] + [e.dst for e in edges]
    n = len(edges)
    # best[i]: (number of pieces, negated piece lengths, terms) for edges[i:]
    best: list[tuple[int, tuple[int, ...], tuple[str, ...]] | None] = [None] * (n + 1)
    best[n] = (0, (), ())
    for i in range(n - 1, -1, -1):
        for j in range(i + 1, n + 1):
            rest = best[j]
            if rest is None:
                continue
            piece, piece_nodes = edges[i:j], nodes[i : j + 1]
            shape = _blood_shape(piece)
            term: str | None
            if shape is not None:
                term = _name_blood(family, piece_nodes, shape)
            elif j - i == 1:
                term = _name_single(family, piece[0])
            else:
                term = _name_special(family, piece_nodes, piece, j == n, i == 0 and j == n)
            if term is None:
                continue
            candidate = (rest[0] + 1, (i - j, *rest[1]), (term, *rest[2]))
            current = best[i]
            if current is None or candidate[:2] < current[:2]:
                best[i] = candidate
    result = best[0]
    assert result is not None  # single edges always have a name
    return "'s ".join(result[2])


# --------------------------------------------------------------------------------------------
# public naming API


def _kin(family: _Family, subject: str, person: str, edges: list[_Edge]) -> Kin:
    term = _name_path(family, subject, edges)
    rel_ids = tuple(e.rel.id for e in edges)
    certainty = min((e.rel.certainty for e in edges), key=lambda c: _CERTAINTY_RANK.get(c, 0))
    roles: list[str] = []
    for edge in family.direct.get(subject, []):
        if edge.dst == person and edge.rel.id not in rel_ids:
            word = _name_single(family, edge)
            if word != term and word not in roles:
                roles.append(word)
    return Kin(
        person_id=person,
        term=term,
        degree=sum(e.degree for e in edges),
        path=(subject, *(e.dst for e in edges)),
        rel_ids=rel_ids,
        certainty=certainty,
        roles=tuple(sorted(roles)),
    )


def name_relatives(
    subject_id: str,
    persons: Mapping[str, Person],
    rels: Iterable[Relationship],
    max_degree: int | None = None,
) -> list[Kin]:
    """Every person connected to the subject by parent, partner or sibling edges, named.

    The subject is excluded; so are people beyond `max_degree` (by the degree of the path
    that names them). Sorted by degree, then term, then id. Raises ValueError only when the
    subject is not among `persons`.
    """
    if subject_id not in persons:
        raise ValueError(f"subject {subject_id} is not among the persons given")
    family = _Family(persons, rels)
    # The blood search is not cut off: a blood relative beyond max_degree must stay excluded
    # rather than be named by a shorter non-blood path.
    general_cut = None if max_degree is None else family.general_cutoff(max_degree)
    paths: dict[str, list[_Edge]] = dict(_general_paths(family, subject_id, general_cut))
    paths.update(_blood_paths(family, subject_id))
    kin = [_kin(family, subject_id, person, edges) for person, edges in paths.items()]
    if max_degree is not None:
        kin = [k for k in kin if k.degree <= max_degree]
    return sorted(kin, key=lambda k: (k.degree, k.term, k.person_id))


def name_relative(
    subject_id: str,
    person_id: str,
    persons: Mapping[str, Person],
    rels: Iterable[Relationship],
) -> Kin | None:
    """How `person_id` is related to the subject, or None if unconnected (or the subject)."""
    for kin in name_relatives(subject_id, persons, rels):
        if kin.person_id == person_id:
            return kin
    return None


def normalise_term(term: str) -> str:
    """The term naming gives back for `decompose(term)` on a minimal graph (see module doc).

    Raises ValueError for a term `decompose` does not accept.
    """
    return name_steps(decompose(term))


def unify_terms(first: str, second: str) -> str | None:
    """The one term saying everything two terms for the same relative say ("grandmother" and
    "maternal grandparent" -> "maternal grandmother"), or None when they disagree or are not
    the same shape. Raises ValueError for a term `decompose` does not accept."""
    a, b = decompose(first), decompose(second)
    if len(a) != len(b):
        return None
    merged: list[Step] = []
    for x, y in zip(a, b, strict=True):
        if x.move is not y.move or (x.sex and y.sex and x.sex is not y.sex):
            return None
        if x.kind is not None and y.kind is not None and x.kind != y.kind:
            return None
        merged.append(Step(x.move, x.sex or y.sex, x.kind or y.kind, x.twin or y.twin))
    return name_steps(merged)


def name_steps(steps: Sequence[Step]) -> str:
    """The canonical term for a chain of steps, named on the minimal graph they describe."""
    if not steps:
        raise ValueError("no steps to name")
    persons: dict[str, Person] = {"p0": Person(id="p0")}
    rels: list[Relationship] = []
    for index, step in enumerate(steps, start=1):
        here, there = f"p{index - 1}", f"p{index}"
        persons[there] = Person(id=there, sex=step.sex or Sex.UNKNOWN)
        if step.move is Move.UP:
            rels.append(Relationship(RelType.PARENT_OF, there, here, kind=step.kind or "birth"))
        elif step.move is Move.DOWN:
            rels.append(Relationship(RelType.PARENT_OF, here, there, kind=step.kind or "birth"))
        elif step.move is Move.SIB:
            twin = "fraternal" if step.twin else None
            rels.append(Relationship(RelType.SIBLING_OF, here, there, kind=step.kind, twin=twin))
        else:
            rels.append(Relationship(RelType.PARTNER_OF, here, there, kind=step.kind))
    kin = name_relative("p0", f"p{len(steps)}", persons, rels)
    assert kin is not None
    return kin.term
