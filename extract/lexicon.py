"""The kinship lexicon: how UK practitioners write relatives, mapped onto DESIGN §3 terms.

This module is data plus small pure helpers, with no spaCy import, so that it can be read,
reviewed and extended by someone who does not know the extractor. `surface_forms()` expands the
base words below into every phrase the extractor matches (case-insensitive): side words
(``maternal``/``paternal``), ``great-`` prefixes written with a hyphen or a space, plurals,
possessive compounds such as ``mum's partner`` or ``dad's sister``. `ABBREVIATIONS` are matched
case-sensitively (``MGM`` is a grandmother, ``mgm`` is not written by anyone).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType


@dataclass(frozen=True)
class KinEntry:
    """What one surface form means.

    `term` is a canonical DESIGN §3 term. `plural` marks forms such as ``grandparents`` that
    may introduce several names. `needs_name` marks ambiguous abbreviations (``PA`` is also a
    personal assistant) that only count next to a person's name. `status` is the partner
    status the word itself implies (``ex-husband`` -> ``divorced``). `extra` carries details
    the term cannot hold (``kind=adoptive``, ``twin=yes``, ``new=yes``).
    """

    term: str
    plural: bool = False
    needs_name: bool = False
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
    "adoptive mother": KinEntry("mother", extra=(("kind", "adoptive"),)),
    "adoptive mum": KinEntry("mother", extra=(("kind", "adoptive"),)),
    "adoptive father": KinEntry("father", extra=(("kind", "adoptive"),)),
    "adoptive dad": KinEntry("father", extra=(("kind", "adoptive"),)),
    "adoptive parent": KinEntry("parent", extra=(("kind", "adoptive"),)),
    "adoptive parents": KinEntry("parent", plural=True, extra=(("kind", "adoptive"),)),
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
    "twin": KinEntry("sibling", extra=(("twin", "yes"),)),
    "twins": KinEntry("sibling", plural=True, extra=(("twin", "yes"),)),
    **{f"step{sep}brother": KinEntry("step-brother") for sep in ("-", " ", "")},
    **{f"step{sep}brothers": KinEntry("step-brother", plural=True) for sep in ("-", " ", "")},
    **{f"step{sep}sister": KinEntry("step-sister") for sep in ("-", " ", "")},
    **{f"step{sep}sisters": KinEntry("step-sister", plural=True) for sep in ("-", " ", "")},
    # wider family and descendants
    "cousin": KinEntry("cousin"),
    "cousins": KinEntry("cousin", plural=True),
    "niece": KinEntry("niece"),
    "nieces": KinEntry("niece", plural=True),
    "nephew": KinEntry("nephew"),
    "nephews": KinEntry("nephew", plural=True),
    "son": KinEntry("son"),
    "sons": KinEntry("son", plural=True),
    "daughter": KinEntry("daughter"),
    "daughters": KinEntry("daughter", plural=True),
    "grandson": KinEntry("grandson"),
    "grandsons": KinEntry("grandson", plural=True),
    "granddaughter": KinEntry("granddaughter"),
    "grand-daughter": KinEntry("granddaughter"),
    "granddaughters": KinEntry("granddaughter", plural=True),
    # partners of the anchor
    "partner": KinEntry("partner"),
    "partners": KinEntry("partner", plural=True),
    "boyfriend": KinEntry("partner", status="dating"),
    "girlfriend": KinEntry("partner", status="dating"),
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
        "FC": KinEntry("foster carer", needs_name=True),
        "FCs": KinEntry("foster carer", plural=True, needs_name=True),
        "SGO": KinEntry("special guardian", needs_name=True),
        "SG": KinEntry("special guardian", needs_name=True),
    }
)

SIDES = ("maternal", "paternal")
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
            ("partner", f"{parent}'s partner"),
            ("husband", f"{parent}'s partner"),
            ("wife", f"{parent}'s partner"),
            ("ex-partner", f"{parent}'s ex-partner"),
            ("ex-husband", f"{parent}'s ex-partner"),
            ("ex-wife", f"{parent}'s ex-partner"),
        )
    }
)

#: Words that may sit between a possessive parent word and a partner word: "mum's new partner".
PARTNER_MODIFIERS = MappingProxyType({"new": "new", "current": "current", "latest": "new"})

APOSTROPHES = ("'s", "’s")

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
#: Terms whose mentions carry a partner status.
PARTNER_TERMS = frozenset(
    {
        "partner",
        "husband",
        "wife",
        "ex-partner",
        "ex-husband",
        "ex-wife",
        "mother's partner",
        "father's partner",
        "mother's ex-partner",
        "father's ex-partner",
    }
)

#: Adjectives that may sit between a possessor and a kin term without changing it.
NEUTRAL_MODIFIERS = frozenset(
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
        "-",
    }
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

#: Verbs between a name and a kin term: "Peggy is Jayden's maternal grandmother".
COPULAS = frozenset({"is", "was", "are", "were", "'s", "’s", "became", "becomes", "been"})
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
COUPLE_VERBS = frozenset({"are", "were", "have", "had", "got", "recently", "since", "both"})

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
    sides = ("", *SIDES)
    for side in sides:
        prefix = f"{side} " if side else ""
        for word, (canonical, plural) in _GRADED.items():
            for greats_text, greats in _greats():
                surface = f"{prefix}{greats_text}{word}"
                forms[surface] = KinEntry(_with_prefixes(canonical, side, greats), plural)
        for word, (canonical, plural) in _HALF.items():
            forms[f"{prefix}{word}"] = KinEntry(_with_prefixes(canonical, side, 0), plural)
    # "great-nan", "great grandad" are spelled out above; "great-aunt" likewise.
    for (parent, rel), result in COMPOSE.items():
        parent_words = MOTHER_WORDS if parent == "mother" else FATHER_WORDS
        rel_words = [w for w, e in forms.items() if e.term == rel and " " not in w]
        rel_words += [w for w, e in _PLAIN.items() if e.term == rel and w.startswith("ex")]
        for pword, apos, rword in itertools.product(parent_words, APOSTROPHES, set(rel_words)):
            base = forms[rword]
            status = base.status
            forms[f"{pword}{apos} {rword}"] = KinEntry(result, base.plural, status=status)
            if result.endswith("'s partner"):
                for mod, flag in PARTNER_MODIFIERS.items():
                    forms[f"{pword}{apos} {mod} {rword}"] = KinEntry(
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
