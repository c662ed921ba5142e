"""The kinship lexicon: how UK practitioners write relatives, mapped onto DESIGN §3 terms.

This module is data plus small pure helpers, with no spaCy import, so that it can be read,
reviewed and extended by someone who does not know the extractor. `surface_forms()` expands the
base words below into every phrase the extractor matches (case-insensitive): side words
(``maternal``/``paternal``), ``great-`` prefixes written with a hyphen or a space, plurals,
possessive compounds such as ``mum's partner`` or ``dad's sister`` (also written without the
apostrophe, "mums sister"), common misspellings ("granmother", "neice"). `ABBREVIATIONS` are
matched case-sensitively (``MGM`` is a grandmother, ``mgm`` is not written by anyone). The
relation cues (households, emotional and safeguarding lines) and the context words the
extractor reads around a kin phrase are here too. Terms compose and unify through
`genogram.kinship` (`compose`, `unify`, `specialises`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

from genogram.kinship import decompose, normalise_term, unify_terms


@dataclass(frozen=True)
class KinEntry:
    """What one surface form means.

    `term` is a canonical DESIGN §3 term. `plural` marks forms such as ``grandparents`` that
    may introduce several names. `needs_name` marks ambiguous abbreviations (``PA`` is also a
    personal assistant) that only count next to a person's name; `needs_owner` marks words
    that are kin only with a possessor (``children`` alone means any children, ``Dean's
    children`` are his). `status` is the partner status the word itself implies
    (``ex-husband`` -> ``divorced``). `extra` carries details the term cannot hold
    (``twin=identical``, ``new=yes``).
    """

    term: str
    plural: bool = False
    needs_name: bool = False
    needs_owner: bool = False
    status: str | None = None
    extra: tuple[tuple[str, str], ...] = ()


# --------------------------------------------------------------------------- base words

#: Words for a parent, grouped by the canonical term they stand for.
MOTHER_WORDS = ("mother", "mum", "mam", "mom", "mummy", "mommy", "mammy", "mama", "mumma")
FATHER_WORDS = ("father", "dad", "daddy", "dada")
_BIRTH = ("birth ", "biological ", "natural ")

#: Grandparent words (a base for ``great-`` and side prefixes): surface -> canonical.
GRANDMOTHER_WORDS = (
    "grandmother",
    "grandma",
    "grandmum",
    "grandmom",
    "gran",
    "granny",
    "grannie",
    "nan",
    "nana",
    "nanna",
    "nanny",
    "nain",  # Welsh (north)
    "mamgu",  # Welsh (south)
    "mam-gu",
    "babcia",  # Polish
    "granmother",  # common misspellings
    "grandmum",
    "grandmam",
)
GRANDFATHER_WORDS = (
    "grandfather",
    "grandad",
    "granddad",
    "grandpa",
    "grampa",
    "gramps",
    "granda",
    "grandda",
    "grandaddy",
    "granddaddy",
    "taid",  # Welsh (north)
    "tadcu",  # Welsh (south)
    "tad-cu",
    "dziadek",  # Polish
    "grandfarther",  # common misspellings
    "granfather",
    "grandfarther",
    "grampy",
)

#: Base words that take side and ``great-`` prefixes: surface -> (canonical, plural).
_GRADED: dict[str, tuple[str, bool]] = {
    **{w: ("grandmother", False) for w in GRANDMOTHER_WORDS},
    **{w: ("grandfather", False) for w in GRANDFATHER_WORDS},
    "grandmothers": ("grandmother", True),
    "grandfathers": ("grandfather", True),
    "grandparent": ("grandparent", False),
    "grandparents": ("grandparent", True),
    "aunt": ("aunt", False),
    "auntie": ("aunt", False),
    "aunty": ("aunt", False),
    "aunts": ("aunt", True),
    "aunties": ("aunt", True),
    "uncle": ("uncle", False),
    "uncles": ("uncle", True),
}

#: Step-grandparents take a side prefix: surface -> (canonical, plural).
_STEP_GRAND: dict[str, tuple[str, bool]] = {
    f"step{sep}{word}": (f"step-{canonical}", plural)
    for sep in ("-", " ", "")
    for word, canonical, plural in (
        ("grandfather", "grandfather", False),
        ("grandad", "grandfather", False),
        ("granddad", "grandfather", False),
        ("grandmother", "grandmother", False),
        ("grandma", "grandmother", False),
        ("gran", "grandmother", False),
        ("nan", "grandmother", False),
        ("grandparent", "grandparent", False),
        ("grandparents", "grandparent", True),
    )
}

#: Half-siblings take a side prefix but not ``great-``.
_HALF: dict[str, tuple[str, bool]] = {}
for _sep in ("-", " ", ""):
    _HALF[f"half{_sep}brother"] = ("half-brother", False)
    _HALF[f"half{_sep}brothers"] = ("half-brother", True)
    _HALF[f"half{_sep}sister"] = ("half-sister", False)
    _HALF[f"half{_sep}sisters"] = ("half-sister", True)
    _HALF[f"half{_sep}sibling"] = ("half-sibling", False)
    _HALF[f"half{_sep}siblings"] = ("half-sibling", True)

#: Words with no side or generation prefix: surface -> entry.
_PLAIN: dict[str, KinEntry] = {
    **{w: KinEntry("mother") for w in MOTHER_WORDS},
    **{p + w: KinEntry("mother") for p in _BIRTH for w in ("mother", "mum", "mam", "mom")},
    **{w: KinEntry("father") for w in FATHER_WORDS},
    **{p + w: KinEntry("father") for p in _BIRTH for w in ("father", "dad")},
    "mothers": KinEntry("mother", plural=True),
    "fathers": KinEntry("father", plural=True),
    "parent": KinEntry("parent"),
    "parents": KinEntry("parent", plural=True),
    **{p + "parent": KinEntry("parent") for p in _BIRTH},
    **{p + "parents": KinEntry("parent", plural=True) for p in _BIRTH},
    **{f"adoptive {w}": KinEntry("adoptive mother") for w in ("mother", "mum", "mam", "mom")},
    **{f"adoptive {w}": KinEntry("adoptive father") for w in ("father", "dad")},
    "adoptive parent": KinEntry("adoptive parent"),
    "adoptive parents": KinEntry("adoptive parent", plural=True),
    # children of the anchor: only with a possessor ("Dean's children", "her son")
    "child": KinEntry("child", needs_owner=True),
    "children": KinEntry("child", plural=True, needs_owner=True),
    "kids": KinEntry("child", plural=True, needs_owner=True),
    "stepson": KinEntry("step-son"),
    "step-son": KinEntry("step-son"),
    "stepdaughter": KinEntry("step-daughter"),
    "step-daughter": KinEntry("step-daughter"),
    # in-laws, relative to the anchor
    **{
        f"{w}{sep}in{sep}law": KinEntry(f"{canon}-in-law")
        for w, canon in (
            ("mother", "mother"),
            ("father", "father"),
            ("sister", "sister"),
            ("brother", "brother"),
            ("son", "son"),
            ("daughter", "daughter"),
        )
        for sep in ("-", " ")
    },
    **{
        f"{w}{sep}in{sep}law": KinEntry(f"{canon}-in-law", plural=True)
        for w, canon in (
            ("mothers", "mother"),
            ("fathers", "father"),
            ("sisters", "sister"),
            ("brothers", "brother"),
            ("sons", "son"),
            ("daughters", "daughter"),
            ("parents", "parent"),
        )
        for sep in ("-", " ")
    },
    # South Asian words with one meaning (Nana/Dada also mean "nan"/"dad" in English notes)
    "nani": KinEntry("maternal grandmother"),
    "naani": KinEntry("maternal grandmother"),
    "dadi": KinEntry("paternal grandmother"),
    "daadi": KinEntry("paternal grandmother"),
    # sibling words practitioners add "birth" to
    "birth brother": KinEntry("brother"),
    "birth sister": KinEntry("sister"),
    "birth sibling": KinEntry("sibling"),
    "birth siblings": KinEntry("sibling", plural=True),
    "identical twin": KinEntry("twin", extra=(("twin", "identical"),)),
    "identical twins": KinEntry("twin", plural=True, extra=(("twin", "identical"),)),
    "identical twin brother": KinEntry("twin brother", extra=(("twin", "identical"),)),
    "identical twin sister": KinEntry("twin sister", extra=(("twin", "identical"),)),
    # step-parents
    **{
        f"step{sep}{w}": KinEntry("step-father")
        for sep in ("-", " ", "")
        for w in ("father", "dad", "daddy")
    },
    **{
        f"step{sep}{w}": KinEntry("step-mother")
        for sep in ("-", " ", "")
        for w in ("mother", "mum", "mam", "mom")
    },
    # siblings
    "brother": KinEntry("brother"),
    "brothers": KinEntry("brother", plural=True),
    "sister": KinEntry("sister"),
    "sisters": KinEntry("sister", plural=True),
    "sibling": KinEntry("sibling"),
    "siblings": KinEntry("sibling", plural=True),
    "full brother": KinEntry("brother"),
    "full sister": KinEntry("sister"),
    "full sibling": KinEntry("sibling"),
    "full siblings": KinEntry("sibling", plural=True),
    "twin brother": KinEntry("twin brother"),
    "twin sister": KinEntry("twin sister"),
    "twin": KinEntry("twin"),
    "twins": KinEntry("twin", plural=True),
    **{f"step{sep}brother": KinEntry("step-brother") for sep in ("-", " ", "")},
    **{f"step{sep}brothers": KinEntry("step-brother", plural=True) for sep in ("-", " ", "")},
    **{f"step{sep}sister": KinEntry("step-sister") for sep in ("-", " ", "")},
    **{f"step{sep}sisters": KinEntry("step-sister", plural=True) for sep in ("-", " ", "")},
    # wider family and descendants
    "cousin": KinEntry("cousin"),
    "cousins": KinEntry("cousin", plural=True),
    "cousen": KinEntry("cousin"),  # misspelt
    "cuzin": KinEntry("cousin"),
    "second cousin": KinEntry("second cousin"),
    "second cousins": KinEntry("second cousin", plural=True),
    "cousin once removed": KinEntry("cousin once removed"),
    "niece": KinEntry("niece"),
    "nieces": KinEntry("niece", plural=True),
    "neice": KinEntry("niece"),  # misspelt
    "neices": KinEntry("niece", plural=True),
    "nephew": KinEntry("nephew"),
    "nephews": KinEntry("nephew", plural=True),
    "nefew": KinEntry("nephew"),  # misspelt
    "son": KinEntry("son"),
    "sons": KinEntry("son", plural=True),
    "daughter": KinEntry("daughter"),
    "daughters": KinEntry("daughter", plural=True),
    "grandson": KinEntry("grandson"),
    "grandsons": KinEntry("grandson", plural=True),
    "granddaughter": KinEntry("granddaughter"),
    "grand-daughter": KinEntry("granddaughter"),
    "grandaughter": KinEntry("granddaughter"),  # misspelt
    "granddaughters": KinEntry("granddaughter", plural=True),
    # partners of the anchor
    "partner": KinEntry("partner"),
    "partners": KinEntry("partner", plural=True),
    "boyfriend": KinEntry("partner", status="dating", extra=(("sex", "male"),)),
    "girlfriend": KinEntry("partner", status="dating", extra=(("sex", "female"),)),
    # also "her boyfriends [house]"
    "boyfriends": KinEntry("partner", status="dating", extra=(("sex", "male"),)),
    "girlfriends": KinEntry("partner", status="dating", extra=(("sex", "female"),)),
    "fiance": KinEntry("partner", status="engaged"),
    "fiancé": KinEntry("partner", status="engaged"),
    "fiancee": KinEntry("partner", status="engaged"),
    "fiancée": KinEntry("partner", status="engaged"),
    "civil partner": KinEntry("partner", status="civil_partnership"),
    "spouse": KinEntry("partner", status="married"),
    "husband": KinEntry("husband", status="married"),
    "wife": KinEntry("wife", status="married"),
    "ex": KinEntry("ex-partner", status="separated"),
    "former partner": KinEntry("ex-partner", status="separated"),
    "previous partner": KinEntry("ex-partner", status="separated"),
    **{
        f"ex{sep}{w}": KinEntry("ex-partner", status="separated")
        for sep in ("-", " ", "")
        for w in ("partner", "boyfriend", "girlfriend")
    },
    **{f"ex{sep}husband": KinEntry("ex-husband", status="divorced") for sep in ("-", " ", "")},
    **{f"ex{sep}wife": KinEntry("ex-wife", status="divorced") for sep in ("-", " ", "")},
    # carers
    "foster carer": KinEntry("foster carer"),
    "foster carers": KinEntry("foster carer", plural=True),
    **{f"foster {w}": KinEntry("foster carer") for w in ("mum", "mother", "dad", "father")},
    "foster parent": KinEntry("foster carer"),
    "foster parents": KinEntry("foster carer", plural=True),
    "special guardian": KinEntry("special guardian"),
    "special guardians": KinEntry("special guardian", plural=True),
    "sgo carer": KinEntry("special guardian"),
    "sgo carers": KinEntry("special guardian", plural=True),
    "kinship carer": KinEntry("kinship carer"),
    "kinship carers": KinEntry("kinship carer", plural=True),
}

#: Abbreviations, matched case-sensitively on the token text.
ABBREVIATIONS: MappingProxyType[str, KinEntry] = MappingProxyType(
    {
        "MGM": KinEntry("maternal grandmother"),
        "MGF": KinEntry("maternal grandfather"),
        "PGM": KinEntry("paternal grandmother"),
        "PGF": KinEntry("paternal grandfather"),
        "MGP": KinEntry("maternal grandparent"),
        "MGPs": KinEntry("maternal grandparent", plural=True),
        "PGP": KinEntry("paternal grandparent"),
        "PGPs": KinEntry("paternal grandparent", plural=True),
        "MGGM": KinEntry("maternal great-grandmother"),
        "MGGF": KinEntry("maternal great-grandfather"),
        "PGGM": KinEntry("paternal great-grandmother"),
        "PGGF": KinEntry("paternal great-grandfather"),
        "GGM": KinEntry("great-grandmother"),
        "GGF": KinEntry("great-grandfather"),
        # Two-letter forms are ordinary abbreviations too (PA, MA): only next to a name.
        "MA": KinEntry("maternal aunt", needs_name=True),
        "PA": KinEntry("paternal aunt", needs_name=True),
        "MU": KinEntry("maternal uncle", needs_name=True),
        "PU": KinEntry("paternal uncle", needs_name=True),
        "M": KinEntry("mother", needs_name=True),  # terse notes: "M (Chloe, 24)"
        "F": KinEntry("father", needs_name=True),
        "FC": KinEntry("foster carer", needs_name=True),
        "FCs": KinEntry("foster carer", plural=True, needs_name=True),
        "SGO": KinEntry("special guardian", needs_name=True),
        "SG": KinEntry("special guardian", needs_name=True),
    }
)

SIDES = ("maternal", "paternal")
#: How the side words are written, misspellings included.
SIDE_SPELLINGS = MappingProxyType(
    {
        "maternal": "maternal",
        "materal": "maternal",
        "maternel": "maternal",
        "paternal": "paternal",
        "parternal": "paternal",
        "paternel": "paternal",
    }
)
MAX_GREATS = 3

# --------------------------------------------------------------------------- composition

#: What a parent's relative is to the child: (parent term, relative's term) -> term.
#: Used for "mum's sister" (maternal aunt) and for "Mum said her partner ..." where "her"
#: is Mum.
COMPOSE: MappingProxyType[tuple[str, str], str] = MappingProxyType(
    {
        (parent, rel): result
        for parent, side in (("mother", "maternal"), ("father", "paternal"))
        for rel, result in (
            ("mother", f"{side} grandmother"),
            ("father", f"{side} grandfather"),
            ("parent", f"{side} grandparent"),
            ("sister", f"{side} aunt"),
            ("brother", f"{side} uncle"),
            ("grandmother", f"{side} great-grandmother"),
            ("grandfather", f"{side} great-grandfather"),
            ("grandparent", f"{side} great-grandparent"),
            ("aunt", f"{side} great-aunt"),
            ("uncle", f"{side} great-uncle"),
            ("half-brother", f"{side} half-brother"),
            ("half-sister", f"{side} half-sister"),
            ("half-sibling", f"{side} half-sibling"),
            ("cousin", "cousin once removed"),
            ("partner", f"{parent}'s partner"),
            ("husband", f"{parent}'s husband"),
            ("wife", f"{parent}'s wife"),
            ("ex-partner", f"{parent}'s ex-partner"),
            ("ex-husband", f"{parent}'s ex-husband"),
            ("ex-wife", f"{parent}'s ex-wife"),
        )
    }
)


@lru_cache(maxsize=4096)
def compose(first: str, second: str) -> str | None:
    """The term for "the `second` of the `first`" relative to the anchor of `first`, in the
    kinship algebra's canonical form ("mother", "sister" -> "maternal aunt"; "maternal aunt",
    "husband" -> "maternal aunt's husband"), or None if either is not a kin term."""
    try:
        return normalise_term(f"{first}'s {second}")
    except ValueError:
        return None


#: Words that may sit between a possessive parent word and a partner word: "mum's new partner".
PARTNER_MODIFIERS = MappingProxyType({"new": "new", "current": "current", "latest": "new"})

APOSTROPHES = ("'s", "’s")
#: How possessive compounds are written in surface forms: "mum's sister", and in hurried notes
#: "mums sister" (no apostrophe).
_COMPOUND_JOINS = ("'s ", "’s ", "s ")

# --------------------------------------------------------------------------- context words

#: Words before a kin term that make it uncertain.
ALLEGED_WORDS = frozenset(
    {"alleged", "putative", "reputed", "presumed", "suspected", "purported", "supposed"}
)
#: Words before a kin term that mark a disputed relationship.
DISPUTED_WORDS = frozenset({"disputed", "contested"})
#: "possible father" is an alleged father, but "possible kinship carer" is only a proposal.
PROPOSAL_WORDS = frozenset({"possible", "potential", "prospective", "proposed", "intended"})
#: "is believed to be Jayden's father": the verb makes the relationship alleged.
BELIEF_VERBS = frozenset(
    {
        "believed",
        "thought",
        "said",
        "alleged",
        "reported",
        "understood",
        "presumed",
        "claimed",
        "claims",
        "suspected",
        "assumed",
    }
)
#: In a sentence about paternity these make a father alleged, or disputed.
PATERNITY_WORDS = frozenset({"paternity", "parentage"})
DOUBT_WORDS = frozenset(
    {"not", "never", "unconfirmed", "unknown", "unclear", "uncertain", "question", "no"}
)
DISPUTE_WORDS = frozenset(
    {"disputed", "disputes", "dispute", "denies", "denied", "contests", "contested"}
)

#: Words before a kin term that mark the relative as dead ("her late mother").
DECEASED_MODIFIERS = frozenset({"late", "deceased"})
#: Words after a mention that mark the relative as dead ("Mick died in 2019").
DECEASED_WORDS = frozenset({"died", "deceased", "dec'd", "dec’d", "rip"})
#: "the death of her mother ..."
DEATH_NOUNS = frozenset({"death", "loss", "funeral", "passing"})

#: Words before a kin term that say something about a partnership.
STATUS_MODIFIERS = MappingProxyType(
    {"ex": "separated", "former": "separated", "previous": "separated", "estranged": "separated"}
)
#: Words in a sentence that give the status of a partner mentioned in it.
STATUS_CUES = MappingProxyType(
    {
        "separated": "separated",
        "split": "separated",
        "estranged": "separated",
        "divorced": "divorced",
        "married": "married",
        "engaged": "engaged",
        "widowed": "widowed",
    }
)


@lru_cache(maxsize=4096)
def unify(first: str, second: str) -> str | None:
    """The term combining what two terms for one relative say ("grandmother" + "maternal
    grandparent" -> "maternal grandmother"), or None if they disagree."""
    try:
        return unify_terms(first, second)
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def specialises(general: str, specific: str) -> bool:
    """Whether `specific` says everything `general` says and more about the same relative
    ("uncle" -> "maternal uncle", "grandparent" -> "grandmother", "sibling" -> "brother")."""
    try:
        wide, narrow = decompose(general), decompose(specific)
    except ValueError:
        return False
    if len(wide) != len(narrow) or wide == narrow:
        return False
    for a, b in zip(wide, narrow, strict=True):
        if a.move is not b.move or (a.twin and not b.twin):
            return False
        if a.sex is not None and a.sex is not b.sex:
            return False
        if a.kind is not None and a.kind != b.kind:
            return False
    return True


#: The last words of terms whose mentions carry a partner status.
PARTNER_WORDS = frozenset(
    {
        "partner",
        "husband",
        "wife",
        "spouse",
        "civil partner",
        "ex-partner",
        "ex-husband",
        "ex-wife",
        "ex-spouse",
    }
)


def is_partner_term(term: str) -> bool:
    """Whether a term names a partner (of the anchor or of a relative): "mother's ex-partner"."""
    return term.rsplit("'s ", 1)[-1] in PARTNER_WORDS


#: Counting words that may sit before a plural kin word ("her two daughters").
NUMBER_WORDS = frozenset(
    {"two", "three", "four", "five", "six", "seven", "eight", "2", "3", "4", "5", "6", "7", "8"}
)
#: Adjectives that may sit between a possessor and a kin term without changing it.
NEUTRAL_MODIFIERS = (
    frozenset(
        {
            "own",
            "real",
            "biological",
            "older",
            "younger",
            "elder",
            "eldest",
            "oldest",
            "youngest",
            "big",
            "little",
            "baby",
            "teenage",
            "adult",
            "other",
            "only",
            "new",
            "current",
            "dear",
            "beloved",
            "first",
            "second",
            "third",
            "1st",
            "2nd",
            "3rd",
            "-",
        }
    )
    | NUMBER_WORDS
)

#: Words after a kin term that make it part of another noun ("sibling contact", "mother tongue").
NON_KIN_FOLLOWERS = frozenset(
    {
        "tongue",
        "figure",
        "figures",
        "contact",
        "contacts",
        "relationship",
        "relationships",
        "assessment",
        "assessments",
        "allowance",
        "allowances",
        "agreement",
        "agreements",
        "panel",
        "training",
        "payment",
        "payments",
        "application",
        "applications",
        "group",
        "groups",
        "evening",
        "evenings",
        "meeting",
        "meetings",
        "agency",
        "agencies",
        "organisation",
        "organisations",
        "organization",
        "organizations",
        "clock",
        "ship",
        "company",
        "board",
        "role",
        "roles",
        "status",
        "network",
        "placement",
        "placements",
        "review",
        "reviews",
        "support",
        "team",
        "teams",
        "unit",
        "units",
        "time",
    }
)
#: Words before a kin term that make it something else ("corporate parent", "ward sister").
NON_KIN_PRECEDERS = frozenset({"corporate", "ward", "surrogate", "god", "lay"})

#: Possessive pronouns; their referent is worked out by the extractor.
POSSESSIVE_PRONOUNS = MappingProxyType(
    {"her": "female", "his": "male", "their": None, "my": None, "our": None, "its": None}
)
#: Subject pronouns that can stand for a person mentioned earlier in the sentence.
SUBJECT_PRONOUNS = MappingProxyType({"she": "female", "he": "male"})
#: Possessors that mean the note's subject: "the child's mother", "the children's father".
SUBJECT_NOUNS = frozenset(
    {"child", "children", "baby", "boy", "girl", "boys", "girls", "kids", "yp", "siblings"}
)
DETERMINERS = frozenset({"the", "a", "an", "another"})
#: "Dean has a son": the person before these verbs owns the kin phrase after them.
HAVE_VERBS = frozenset({"has", "had", "have", "having"})

#: Verbs between a name and a kin term: "Peggy is Jayden's maternal grandmother".
COPULAS = frozenset({"is", "was", "are", "were", "'s", "’s", "became", "becomes", "been"})
MODALS = frozenset({"could", "might", "may", "would", "must", "will", "should", "can"})
COPULA_ADVERBS = frozenset({"also", "now", "still", "actually", "in", "fact", "has", "had"})
#: Coordinators between kin terms or names.
COORDINATORS = frozenset({"and", "&", "/", "or"})
#: "Kerry and Dean separated": the couple's status and the term it gives.
COUPLE_CUES = MappingProxyType(
    {
        "separated": ("ex-partner", "separated"),
        "split": ("ex-partner", "separated"),
        "divorced": ("ex-partner", "divorced"),
        "married": ("partner", "married"),
        "engaged": ("partner", "engaged"),
    }
)
COUPLE_VERBS = frozenset(
    {"are", "were", "have", "had", "got", "recently", "since", "both", "been", "now", "later"}
)
#: Words between a person and "relationship with": "began a new relationship with".
RELATIONSHIP_LEAD = frozenset(
    {
        "is",
        "was",
        "has",
        "had",
        "been",
        "now",
        "in",
        "a",
        "new",
        "began",
        "begun",
        "started",
        "starts",
        "begins",
        "entered",
        "also",
        "recently",
        "since",
    }
)

#: "from a previous relationship", "from her first marriage".
PREVIOUS_WORDS = frozenset({"previous", "former", "first", "earlier", "past", "other", "old"})
RELATIONSHIP_NOUNS = frozenset({"relationship", "relationships", "marriage", "partner"})

# --------------------------------------------------------------------------- relations

#: Verbs of living somewhere, followed by "with": a household (LIVES_WITH).
LIVE_VERBS = frozenset(
    {
        "lives",
        "live",
        "living",
        "lived",
        "resides",
        "reside",
        "residing",
        "stays",
        "staying",
        "stay",
        "moved",
        "moving",
    }
)
#: Emotional and safeguarding cues: word -> (RELATES_TO kind, how the people are found).
#: "between": between A and B / with B; "from": subject from|with|to B; "by": perpetrated by
#: A (towards B, or the sentence's subject); "verb": A <verb> B.
RELATION_CUES: MappingProxyType[str, tuple[str, str]] = MappingProxyType(
    {
        "conflict": ("conflict", "between"),
        "arguments": ("conflict", "between"),
        "tension": ("conflict", "between"),
        "relationship": ("conflict", "between"),
        "relationships": ("conflict", "between"),
        "estranged": ("cut_off", "from"),
        "contact": ("cut_off", "from"),
        "close": ("close", "from"),
        "abuse": ("abuse_physical", "by"),
        "violence": ("abuse_physical", "by"),
        "perpetrated": ("domestic_abuse", "by"),
        "assaulted": ("abuse_physical", "verb"),
        "assaulting": ("abuse_physical", "verb"),
        "seen": ("cut_off", "verb"),
        "spoken": ("cut_off", "verb"),
        "get": ("conflict", "between"),
        "hit": ("abuse_physical", "verb"),
        "hurt": ("abuse_physical", "verb"),
        "attacked": ("abuse_physical", "verb"),
        "punched": ("abuse_physical", "verb"),
        "strangled": ("abuse_physical", "verb"),
        "neglect": ("neglect", "by"),
        "neglected": ("neglect", "verb"),
    }
)
#: Words before "abuse" that say which kind.
ABUSE_KINDS = MappingProxyType(
    {
        "domestic": "domestic_abuse",
        "da": "domestic_abuse",
        "emotional": "abuse_emotional",
        "psychological": "abuse_emotional",
        "sexual": "abuse_sexual",
        "physical": "abuse_physical",
    }
)
DOMESTIC_WORDS = frozenset({"domestic", "da", "dv", "coercive", "controlling"})
#: Cues that count only when negated: "has not seen", "do not get on".
NEGATED_CUES = frozenset({"seen", "spoken", "get"})
#: The adjective before "relationship" says which line it is.
RELATIONSHIP_KINDS = MappingProxyType(
    {
        "close": "close",
        "good": "close",
        "positive": "close",
        "strong": "close",
        "loving": "close",
        "difficult": "conflict",
        "strained": "conflict",
        "poor": "conflict",
        "volatile": "conflict",
        "fractious": "conflict",
        "hostile": "hostile",
        "distant": "distant",
    }
)
#: "the family", "the children": the note's subject (and those living with them).
FAMILY_NOUNS = frozenset({"family", "children", "child", "household", "kids"})
#: Words that make "stays with" contact rather than a home.
CONTACT_WORDS = frozenset(
    {
        "weekend",
        "weekends",
        "fortnightly",
        "holidays",
        "sometimes",
        "occasionally",
        "overnight",
        "every",
        "alternate",
        "respite",
    }
)
ALLEGATION_WORDS = frozenset({"alleged", "alleges", "allegation", "allegations", "allegedly"})
NEGATIONS = frozenset({"not", "no", "never", "longer", "n't", "nt"})
#: Words between a clause's subject and its verb: "Mum is currently living with".
CLAUSE_FILLERS = frozenset(
    {
        "is",
        "are",
        "was",
        "were",
        "has",
        "have",
        "had",
        "been",
        "currently",
        "now",
        "still",
        "also",
        "both",
        "all",
        "mostly",
        "permanently",
        "temporarily",
        "recently",
        "then",
        "remains",
        "continues",
        "to",
        "always",
        "a",
        "very",
        "difficult",
        "an",
        "ongoing",
        "do",
        "does",
        "did",
        "really",
    }
)
#: Verbs that start a new clause after a list of people ("..., and Ruby and Tyler are").
CLAUSE_VERBS = frozenset(
    {
        "are",
        "is",
        "was",
        "were",
        "have",
        "has",
        "had",
        "will",
        "would",
        "can",
        "could",
        "live",
        "lives",
        "stay",
        "stays",
        "attend",
        "attends",
        "go",
        "goes",
        "said",
        "say",
    }
)
#: Headings of a household list: "Household composition:", "Lives with:".
HOUSEHOLD_HEADINGS = frozenset({"composition", "household", "members", "occupants"})
#: A sentence with none of these words states no household or relation (a quick filter).
RELATION_TRIGGERS = LIVE_VERBS | frozenset(RELATION_CUES) | {"together", "relationships"}

#: A Title-case word right after these is a place ("lives in Bristol"), not a person.
PLACE_PREPOSITIONS = frozenset({"in", "at", "near", "around", "outside", "across"})
MOVING_VERBS = frozenset({"moved", "move", "moving", "moves", "went", "relocated", "returned"})
#: "has been identified as Ross Kemp", "is called Amanda", "was named as Lee".
NAMING_AUX = frozenset({"has", "have", "had", "been", "is", "was", "now", "also", "since"})
NAMING_VERBS = frozenset({"identified", "named", "called", "confirmed", "known"})

#: Kin words that are also titles ("Sister Agnes", "Father Christmas").
TITLE_WORDS = frozenset({"mother", "father", "sister", "brother"})
#: 'calls her best friend "my sister"': the kin phrase is a name used, not a relation.
CALLING_VERBS = frozenset({"calls", "call", "called", "calling", "nicknamed", "refers"})

#: Words that introduce a name after a kin term: "her uncle, called Tom".
NAME_INTRODUCERS = frozenset({"called", "named"})
#: Honorifics: kept out of the name, but they tell the sex.
TITLES = MappingProxyType(
    {
        "mr": "male",
        "mrs": "female",
        "ms": "female",
        "miss": "female",
        "mx": None,
        "dr": None,
        "mr.": "male",
        "mrs.": "female",
        "ms.": "female",
        "dr.": None,
    }
)
#: Lower-case particles inside surnames ("van der Berg").
NAME_PARTICLES = frozenset({"van", "von", "de", "der", "den", "da", "del", "di", "du", "la", "le"})

MONTHS = frozenset(
    {
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
    }
)
DAYS = frozenset(
    {
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "mondays",
        "tuesdays",
        "wednesdays",
        "thursdays",
        "fridays",
        "saturdays",
        "sundays",
    }
)

#: Title-case words that are never (part of) a person's name in a note.
NOT_NAMES = frozenset(
    {
        # pronouns and determiners
        "i",
        "i'm",
        "i've",
        "me",
        "we",
        "us",
        "you",
        "he",
        "she",
        "it",
        "they",
        "him",
        "her",
        "his",
        "hers",
        "its",
        "their",
        "them",
        "our",
        "my",
        "your",
        "the",
        "a",
        "an",
        "this",
        "that",
        "these",
        "those",
        "there",
        "here",
        "who",
        "whom",
        "whose",
        "which",
        "what",
        "when",
        "where",
        "why",
        "how",
        "all",
        "both",
        "each",
        "every",
        "some",
        "any",
        "no",
        "none",
        "nobody",
        "everyone",
        "someone",
        "another",
        "other",
        "others",
        "one",
        # sentence starters and connectives
        "today",
        "yesterday",
        "tomorrow",
        "tonight",
        "during",
        "following",
        "after",
        "before",
        "while",
        "whilst",
        "although",
        "though",
        "however",
        "also",
        "and",
        "but",
        "or",
        "so",
        "then",
        "later",
        "earlier",
        "overall",
        "since",
        "because",
        "if",
        "as",
        "at",
        "in",
        "on",
        "of",
        "for",
        "with",
        "without",
        "from",
        "to",
        "by",
        "about",
        "into",
        "over",
        "under",
        "between",
        "again",
        "further",
        "furthermore",
        "additionally",
        "currently",
        "previously",
        "unfortunately",
        "fortunately",
        "sadly",
        "please",
        "yes",
        "ok",
        "okay",
        "thanks",
        "thank",
        "dear",
        "hello",
        "hi",
        "not",
        "only",
        "even",
        "just",
        "still",
        "now",
        "next",
        "last",
        "first",
        "second",
        "third",
        "finally",
        "lastly",
        "recently",
        "initially",
        "subsequently",
        "note",
        "notes",
        "action",
        "actions",
        "outcome",
        "plan",
        "plans",
        "summary",
        "analysis",
        "update",
        "visit",
        "visits",
        "home",
        "school",
        "contact",
        "telephone",
        "phone",
        "call",
        "email",
        "letter",
        "text",
        "meeting",
        "review",
        "placement",
        "family",
        "families",
        "network",
        "sibling",
        "siblings",
        "child",
        "children",
        "baby",
        "young",
        "person",
        "people",
        "staff",
        "worker",
        "workers",
        "social",
        "care",
        "carer",
        "carers",
        "services",
        "service",
        "team",
        "manager",
        "teacher",
        "health",
        "visitor",
        "police",
        "court",
        "judge",
        "council",
        "housing",
        "hospital",
        "nursery",
        "college",
        "academy",
        "primary",
        "secondary",
        "centre",
        "center",
        "office",
        "unit",
        "department",
        "agency",
        "conference",
        "panel",
        "order",
        "assessment",
        "protection",
        "safeguarding",
        "local",
        "authority",
        "road",
        "street",
        "avenue",
        "lane",
        "close",
        "drive",
        "way",
        "crescent",
        "row",
        "place",
        "estate",
        "park",
        "gardens",
        "terrace",
        "square",
        "christmas",
        "easter",
        "eid",
        "diwali",
        "halloween",
        "english",
        "welsh",
        "scottish",
        "irish",
        "british",
        "polish",
        "poland",
        "england",
        "wales",
        "scotland",
        "ireland",
        "uk",
        "nhs",
        "gp",
        "sw",
        "sgo",
        "cp",
        "cin",
        "lac",
        "cla",
        "iro",
        "camhs",
        "zoom",
        "teams",
        "facetime",
        "whatsapp",
        "god",
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "dr",
    }
    | MONTHS
    | DAYS
)

#: Lower-case words that may follow a person's name at the start of a sentence, which tells
#: "Kerry said ..." (a name) from "Overall the ..." (not a name).
NAME_FOLLOWERS = frozenset(
    {
        "said",
        "says",
        "told",
        "tells",
        "reported",
        "reports",
        "explained",
        "explains",
        "stated",
        "states",
        "shared",
        "disclosed",
        "confirmed",
        "advised",
        "informed",
        "described",
        "added",
        "agreed",
        "denied",
        "asked",
        "mentioned",
        "talked",
        "spoke",
        "lives",
        "lived",
        "is",
        "was",
        "has",
        "had",
        "have",
        "will",
        "would",
        "can",
        "could",
        "does",
        "did",
        "attended",
        "visited",
        "visits",
        "feels",
        "felt",
        "wants",
        "wanted",
        "misses",
        "stays",
        "stayed",
        "spends",
        "spent",
        "enjoys",
        "likes",
        "loves",
        "showed",
        "appeared",
        "seemed",
        "and",
        "who",
        "became",
        "went",
        "goes",
        "moved",
        "remains",
        "continues",
        "presented",
        "engaged",
        "cares",
        "looks",
        "looked",
        "hurt",
        "hit",
        "assaulted",
        "attacked",
        "punched",
        "resides",
        "separated",
        "divorced",
        "married",
        "alleged",
        "alleges",
        "neglected",
        "began",
        "started",
    }
)


# --------------------------------------------------------------------------- expansion


def _greats() -> list[tuple[str, int]]:
    """Every way of writing 0..MAX_GREATS ``great`` prefixes: ("great-great ", 2), ..."""
    forms: list[tuple[str, int]] = [("", 0)]
    for count in range(1, MAX_GREATS + 1):
        for seps in itertools.product(("-", " "), repeat=count):
            forms.append(("".join(f"great{sep}" for sep in seps), count))
    return forms


def _with_prefixes(canonical: str, side: str, greats: int) -> str:
    """Build a canonical term from its parts: ("aunt", "maternal", 1) -> maternal great-aunt."""
    term = "great-" * greats + canonical
    return f"{side} {term}" if side else term


@lru_cache(maxsize=1)
def surface_forms() -> MappingProxyType[str, KinEntry]:
    """Every lower-case phrase the extractor matches, mapped to what it means.

    Built once: base words with side and ``great-`` prefixes, half-siblings with sides, plain
    words, and possessive compounds (``mum's sister`` -> ``maternal aunt``, ``dad's new
    partner`` -> ``father's partner``).
    """
    forms: dict[str, KinEntry] = dict(_PLAIN)
    sides = {"": "", **SIDE_SPELLINGS}
    for written, side in sides.items():
        prefix = f"{written} " if written else ""
        for word, (canonical, plural) in _GRADED.items():
            for greats_text, greats in _greats():
                surface = f"{prefix}{greats_text}{word}"
                forms[surface] = KinEntry(_with_prefixes(canonical, side, greats), plural)
        for word, (canonical, plural) in (_HALF | _STEP_GRAND).items():
            forms[f"{prefix}{word}"] = KinEntry(_with_prefixes(canonical, side, 0), plural)
    # "great-nan", "great grandad" are spelled out above; "great-aunt" likewise.
    for (parent, rel), result in COMPOSE.items():
        parent_words = MOTHER_WORDS if parent == "mother" else FATHER_WORDS
        rel_words = [w for w, e in forms.items() if e.term == rel and " " not in w]
        rel_words += [w for w, e in _PLAIN.items() if e.term == rel and w.startswith("ex")]
        for pword, join, rword in itertools.product(parent_words, _COMPOUND_JOINS, set(rel_words)):
            base = forms[rword]
            status = base.status
            forms[f"{pword}{join}{rword}"] = KinEntry(result, base.plural, status=status)
            if result.endswith(("'s partner", "'s husband", "'s wife")):
                for mod, flag in PARTNER_MODIFIERS.items():
                    forms[f"{pword}{join}{mod} {rword}"] = KinEntry(
                        result, base.plural, status=status, extra=((flag, "yes"),)
                    )
    return MappingProxyType(forms)


def lookup(surface: str) -> KinEntry | None:
    """What a kin phrase means (case-insensitive for words, exact for abbreviations)."""
    if surface in ABBREVIATIONS:
        return ABBREVIATIONS[surface]
    return surface_forms().get(" ".join(surface.casefold().split()))


_SEX_OF_WORD = MappingProxyType(
    {
        **dict.fromkeys(
            ("mother", "sister", "grandmother", "aunt", "niece", "daughter", "wife"), "female"
        ),
        "granddaughter": "female",
        **dict.fromkeys(
            ("father", "brother", "grandfather", "uncle", "nephew", "son", "husband"), "male"
        ),
        "grandson": "male",
    }
)


def term_sex(term: str) -> str | None:
    """The sex a canonical term implies ("female", "male") or None (parent, partner...)."""
    if "'s " in term:
        return None
    last = term.rsplit(" ", 1)[-1].rsplit("-", 1)[-1]
    return _SEX_OF_WORD.get(last)


def all_terms() -> frozenset[str]:
    """Every canonical term the lexicon can produce (for checking against the kinship algebra)."""
    terms = {entry.term for entry in surface_forms().values()}
    terms |= {entry.term for entry in ABBREVIATIONS.values()}
    terms |= set(COMPOSE.values())
    terms |= {term for term, _ in COUPLE_CUES.values()}
    return frozenset(terms)
