"""Text normalisation for person matching: comparable forms of names, postcodes, addresses.

Council systems and case notes spell the same name many ways (``O'Connor``/``OConnor``,
``Nowak-Evans``/``Nowak Evans``, ``Zoë``/``Zoe``, ``Mrs Kerry Hart``, ``Kasia`` for
``Katarzyna``). Everything here is pure text processing (the only data read is the nickname
table shipped inside the `nicknames` package), so the matchers (`genogram.matching`,
`genogram.linkage`) can compare values without caring how they were typed.

Nicknames come from two sources: the maintained `nicknames` package (Apache-2.0, about 2,700
English name/nickname pairs, used for direct links only: a name and its listed nicknames or
formal names) and the local `NICKNAMES` table, which adds UK, Polish and Welsh forms and links
diminutives of the same formal name to each other (Mick/Mike).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

#: Honorifics dropped by `normalise` (and skipped by `split_full_name`), in normalised form.
TITLES: frozenset[str] = frozenset({"mr", "mrs", "ms", "miss", "dr", "mx"})

#: Generational suffixes that are not part of a family name ("Michael Hart Jr").
SUFFIXES: frozenset[str] = frozenset({"jr", "jnr", "junior", "sr", "snr", "senior", "ii", "iii"})

#: Lower-case surname particles: they stay with the family name in `split_full_name`
#: ("Anna de la Cruz" -> family "de la Cruz") and are not surname parts on their own in
#: `surname_key` (so "van Dijk" and "van Berg" do not share the part "van").
PARTICLES: frozenset[str] = frozenset(
    {
        "van",
        "von",
        "de",
        "der",
        "den",
        "del",
        "della",
        "di",
        "da",
        "du",
        "dos",
        "das",
        "la",
        "le",
        "ter",
        "ten",
        "st",
        "al",
        "el",
        "bin",
        "ibn",
    }
)

# Apostrophe-like characters removed outright (O'Connor -> oconnor). Removed both before
# NFKC (which turns the acute accent U+00B4 into a space plus a combining mark) and after it
# (which turns the full-width apostrophe into an ASCII one).
_APOSTROPHES = "'\u2019\u2018\u201b\u02bc\u02b9\u0060\u00b4\u2032\uff07"
_DROP_APOSTROPHES = str.maketrans("", "", _APOSTROPHES)

# Letters that NFKD does not decompose into a base letter plus a combining mark.
_LETTERS = str.maketrans(
    {
        "ł": "l",
        "Ł": "l",
        "ø": "o",
        "Ø": "o",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "Ð": "d",
        "þ": "th",
        "Þ": "th",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ı": "i",
        "ħ": "h",
        "Ħ": "h",
    }
)

_NON_WORD = re.compile(r"[^\w\s]|_")

# fmt: off
#: Formal given name -> its common diminutives, nicknames and short forms (normalised).
#: UK usage first, plus the Polish and Welsh forms met in our councils' records. A name may
#: be both a formal name and a diminutive ("jack", "sandy"), and a diminutive may belong to
#: several formal names ("chris", "sam", "alex", "jo"). Extend by adding entries; keys and
#: values must already be in `normalise` form (lower case, no accents, no punctuation).
NICKNAMES: dict[str, tuple[str, ...]] = {
    # the shared fixture families
    "katarzyna": ("kasia", "kaska", "kasienka"),
    "michael": ("mick", "mike", "mickey", "micky", "mikey"),
    "margaret": ("peggy", "peg", "maggie", "meg", "mags", "madge", "marge"),
    "susan": ("sue", "susie", "suzie", "suzy", "sukie"),
    "thomas": ("tom", "tommy", "thom"),
    "krystyna": ("krysia",),
    "tomasz": ("tomek",),
    "zofia": ("zosia",),
    "jakub": ("kuba",),
    # common English forms
    "rebecca": ("becky", "becca", "bex", "becs"),
    "robert": ("bob", "rob", "bobby", "robbie", "robby", "bert"),
    "william": ("bill", "will", "billy", "willie", "willy", "liam"),
    "elizabeth": ("liz", "beth", "betty", "lizzie", "lizzy", "libby", "eliza", "bess", "bessie",
                  "elsie", "betsy"),
    "katherine": ("kate", "katie", "kath", "kathy", "cath", "cathy", "kat", "kitty", "katy"),
    "catherine": ("kate", "katie", "kath", "kathy", "cath", "cathy", "cat", "kitty", "katy"),
    "kathryn": ("kate", "katie", "kath", "kathy", "katy"),
    "james": ("jim", "jimmy", "jimmie", "jamie"),
    "john": ("jack", "johnny", "jonny", "jon"),
    "jonathan": ("jon", "jonny", "johnny"),
    "david": ("dave", "davey", "davy"),
    "christopher": ("chris", "kit", "topher"),
    "christine": ("chris", "chrissie", "chrissy", "tina"),
    "christina": ("chris", "chrissie", "chrissy", "tina"),
    "samuel": ("sam", "sammy"),
    "samantha": ("sam", "sammy", "sammie"),
    "alexander": ("alex", "sandy", "alec", "xander", "lex"),
    "alexandra": ("alex", "sandy", "lexi", "lexie", "ali"),
    "aleksandra": ("ola", "alex"),
    "joanne": ("jo", "jojo"),
    "joanna": ("jo", "asia"),
    "josephine": ("jo", "josie", "jojo"),
    "joseph": ("joe", "joey"),
    "nicholas": ("nick", "nicky", "nico"),
    "nicola": ("nicky", "nikki", "nic"),
    "stephen": ("steve", "stevie"),
    "steven": ("steve", "stevie"),
    "stephanie": ("steph", "stevie"),
    "anthony": ("tony", "ant"),
    "antoni": ("antek",),
    "daniel": ("dan", "danny"),
    "danielle": ("dani", "danni"),
    "andrew": ("andy", "drew"),
    "jennifer": ("jen", "jenny", "jenni"),
    "victoria": ("vicky", "vicki", "vikki", "tori"),
    "deborah": ("debbie", "debby", "deb", "debs"),
    "debra": ("debbie", "debby", "deb", "debs"),
    "sandra": ("sandy", "sandie"),
    "richard": ("rich", "rick", "ricky", "richie", "dick"),
    "edward": ("ed", "eddie", "eddy", "ted", "teddy", "ned"),
    "charles": ("charlie", "chas", "chaz", "chuck"),
    "charlotte": ("charlie", "lottie", "lotte"),
    "benjamin": ("ben", "benny", "benji"),
    "matthew": ("matt", "matty"),
    "patrick": ("pat", "paddy"),
    "patricia": ("pat", "patsy", "tricia", "trish", "trisha"),
    "jacqueline": ("jackie", "jacqui", "jacky"),
    "frederick": ("fred", "freddie", "freddy"),
    "henry": ("harry", "hal", "hank"),
    "harold": ("harry", "hal"),
    "joshua": ("josh",),
    "amanda": ("mandy",),
    "kimberley": ("kim",),
    "kimberly": ("kim",),
    "terence": ("terry", "tel"),
    "gerald": ("gerry", "ged"),
    "leonard": ("len", "lenny"),
    "ronald": ("ron", "ronnie"),
    "donald": ("don", "donny"),
    "kenneth": ("ken", "kenny"),
    "peter": ("pete",),
    "philip": ("phil", "pip"),
    "phillip": ("phil", "pip"),
    "gregory": ("greg",),
    "timothy": ("tim", "timmy"),
    "zachary": ("zach", "zac", "zak"),
    "alfred": ("alf", "alfie"),
    "abigail": ("abby", "abbie", "abi"),
    "eleanor": ("ellie", "nell", "nellie", "nora"),
    "isabella": ("bella", "izzy", "issy", "isa"),
    "isabel": ("bella", "izzy", "issy"),
    "isobel": ("bella", "izzy", "issy"),
    "jessica": ("jess", "jessie"),
    "natalie": ("nat",),
    "natasha": ("tasha", "tash"),
    "theresa": ("tess", "tessa", "terri"),
    "teresa": ("tess", "tessa", "terri"),
    "mary": ("molly", "polly"),
    "frances": ("fran", "frankie"),
    "francis": ("frank", "frankie"),
    "oliver": ("ollie", "olly"),
    "sophia": ("sophie", "sofia"),
    "gareth": ("gaz",),
    "dafydd": ("dai", "dafi"),
    "rhiannon": ("rhi",),
    "wojciech": ("wojtek",),
    "malgorzata": ("gosia", "malgosia"),
    "agnieszka": ("aga",),
    "piotr": ("piotrek",),
    "jacob": ("jake", "jakey"),
    "gabriel": ("gabe",),
    "gabriella": ("gabby", "gabi"),
    "nathaniel": ("nat", "nate", "nathan"),
    "raymond": ("ray",),
    "lawrence": ("larry", "laurie"),
    "laurence": ("larry", "laurie"),
}
# fmt: on


def _index(table: dict[str, tuple[str, ...]]) -> dict[str, frozenset[str]]:
    """Each diminutive -> the formal names it is short for."""
    formal_of: dict[str, set[str]] = {}
    for formal, short_forms in table.items():
        for short in short_forms:
            formal_of.setdefault(short, set()).add(formal)
    return {short: frozenset(formals) for short, formals in formal_of.items()}


_FORMAL_OF = _index(NICKNAMES)


@cache
def _package_links() -> dict[str, frozenset[str]]:
    """Direct name <-> nickname links from the `nicknames` package, in `normalise` form."""
    from nicknames import name_triplets

    links: dict[str, set[str]] = {}
    for triplet in name_triplets():
        a, b = _fold(triplet.name1), _fold(triplet.name2)
        if a == b or not a.isalpha() or not b.isalpha():
            continue
        links.setdefault(a, set()).add(b)
        links.setdefault(b, set()).add(a)
    return {name: frozenset(linked) for name, linked in links.items()}


@cache
def _package_formals() -> dict[str, frozenset[str]]:
    """Nickname -> the formal names the `nicknames` package lists it under."""
    from nicknames import name_triplets

    formals: dict[str, set[str]] = {}
    for triplet in name_triplets():
        formal, short = _fold(triplet.name1), _fold(triplet.name2)
        if formal != short and formal.isalpha() and short.isalpha():
            formals.setdefault(short, set()).add(formal)
    return {name: frozenset(found) for name, found in formals.items()}


def _fold(text: str) -> str:
    """`normalise` without dropping titles."""
    if text.isascii():  # the common case: no Unicode folding needed
        return " ".join(_NON_WORD.sub(" ", text.translate(_DROP_APOSTROPHES).lower()).split())
    return _fold_unicode(text)


def _fold_unicode(text: str) -> str:
    """`_fold` for any text: NFKC, casefold, accents and special letters folded."""
    text = text.translate(_DROP_APOSTROPHES)
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.translate(_DROP_APOSTROPHES).translate(_LETTERS)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(_NON_WORD.sub(" ", text).split())


def normalise(text: str) -> str:
    """A comparable form of a name: NFKC, casefolded, accents stripped, apostrophes removed,
    hyphens, dots and other punctuation turned into spaces, titles dropped, spaces collapsed.

    ``"Mrs Zoë O’Connor-Smith"`` -> ``"zoe oconnor smith"``; ``"Łukasz"`` -> ``"lukasz"``.
    """
    return " ".join(word for word in _fold(text).split() if word not in TITLES)


def tokens(text: str) -> list[str]:
    """The words of a name in normalised form (``"Kerry-Louise Hart"`` -> three words)."""
    return normalise(text).split()


def given_variants(name: str) -> frozenset[str]:
    """The normalised given name with its known equivalents.

    From `NICKNAMES`, a formal name brings its diminutives (``Michael`` -> ``mick``, ``mike``,
    ...) and a diminutive brings its formal names and their other diminutives (``Mick`` ->
    ``michael``, ``mike``, ...); from the `nicknames` package, only the names it links directly
    (``Becky`` -> ``rebecca``). Two names are known equivalents when one is in the other's
    variants; the relation is symmetric. Pass one given name, not several.
    """
    return _variants(normalise(name))


@cache
def _variants(key: str) -> frozenset[str]:
    if not key:
        return frozenset()
    found = {key, *NICKNAMES.get(key, ())}
    for formal in _FORMAL_OF.get(key, ()):
        found.add(formal)
        found.update(NICKNAMES[formal])
    found.update(_package_links().get(key, ()))
    return frozenset(found)


def name_roots(word: str) -> frozenset[str]:
    """The formal names a normalised given name may stand for, itself included: a small set
    that two equivalent names usually share (``becky`` -> ``{becky, rebecca, ...}``), used as
    blocking and comparison keys for nicknames without listing every variant."""
    return _roots(word)


@cache
def _roots(word: str) -> frozenset[str]:
    if not word:
        return frozenset()
    return frozenset({word, *_FORMAL_OF.get(word, ()), *_package_formals().get(word, ())})


def _is(word: str, group: frozenset[str]) -> bool:
    return _fold(word) in group


def split_full_name(text: str) -> tuple[str | None, str | None]:
    """Split a full name into (given names, family name), keeping the original spelling.

    ``"Linda Hart"`` -> ``("Linda", "Hart")``; ``"Kerry"`` -> ``("Kerry", None)``;
    ``"Nowak-Evans, Zofia"`` -> ``("Zofia", "Nowak-Evans")``; ``"Mrs Hart"`` ->
    ``(None, "Hart")``; particles stay with the family name (``"Anna de la Cruz"``);
    titles and generational suffixes (``Jr``) are left out.
    """
    if "," in text:
        family_part, _, given_part = text.partition(",")
        given_words = [w for w in given_part.split() if not _is(w, TITLES)]
        family_words = [w for w in family_part.split() if not _is(w, TITLES)]
        return (" ".join(given_words) or None, " ".join(family_words) or None)
    words = text.split()
    titled = False
    while words and _is(words[0], TITLES):
        words.pop(0)
        titled = True
    while len(words) > 1 and _is(words[-1], SUFFIXES):
        words.pop()
    words = [w for w in words if normalise(w)]
    if not words:
        return (None, None)
    if len(words) == 1:
        return (None, words[0]) if titled else (words[0], None)
    start = len(words) - 1
    while start > 1 and _is(words[start - 1], PARTICLES):
        start -= 1
    return (" ".join(words[:start]), " ".join(words[start:]))


def _mc(part: str) -> str:
    """Unify the Scottish/Irish prefixes: ``macdonald`` and ``mcdonald`` -> ``mcdonald``."""
    if part.startswith("mac") and len(part) >= 6:
        return "mc" + part[3:]
    return part


def surname_parts(name: str) -> list[str]:
    """The normalised words of a family name with Mc/Mac unified: ``"MacDonald"`` ->
    ``["mcdonald"]``, ``"Nowak-Evans"`` -> ``["nowak", "evans"]``."""
    return [_mc(part) for part in tokens(name)]


def surname_key(name: str) -> frozenset[str]:
    """Comparable forms of a family name: the whole (parts space-separated), each part of a
    double-barrelled or multi-word name, and the parts joined, with Mc/Mac unified.

    ``"Nowak-Evans"`` -> ``{"nowak evans", "nowak", "evans", "nowakevans"}``; ``"O'Brien"``
    -> ``{"obrien"}``; ``"MacDonald"`` -> ``{"mcdonald"}``. Empty when there is no name.
    """
    parts = surname_parts(name)
    if not parts:
        return frozenset()
    forms = {" ".join(parts), "".join(parts)}
    forms.update(part for part in parts if part not in PARTICLES)
    return frozenset(forms)


def known_equivalents(a: str, b: str) -> bool:
    """Whether two single given names are the same name or known nickname equivalents."""
    na, nb = normalise(a), normalise(b)
    if not na or not nb:
        return False
    return na == nb or nb in given_variants(na) or na in given_variants(nb)


# --------------------------------------------------------------------------- postcodes

_UK_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9])([A-Z]{2})$")


def normalise_postcode(text: str | None) -> str | None:
    """Upper-case letters and digits only (``"ls6 1ab"`` -> ``"LS61AB"``); None when empty."""
    if not text:
        return None
    compact = "".join(c for c in unicodedata.normalize("NFKC", text).upper() if c.isalnum())
    return compact or None


def postcode_areas(code: str) -> tuple[str, str]:
    """(sector, district) of a `normalise_postcode` value: ``LS61AB`` -> ``("LS61", "LS6")``.

    A code that is not a UK postcode (an overseas one, or a typo) falls back to dropping its
    last one and two characters, so that near codes still share a coarser area.
    """
    m = _UK_POSTCODE.match(code)
    if m:
        return (m.group(1) + m.group(2), m.group(1))
    return (code[:-1] or code, code[:-2] or code)


def is_uk_postcode(code: str) -> bool:
    """Whether a `normalise_postcode` value has the shape of a UK postcode."""
    return _UK_POSTCODE.match(code) is not None


# --------------------------------------------------------------------------- addresses

#: Common street-type and flat abbreviations, expanded so that "12 High Rd" and "12 High Road"
#: compare equal. "St" is left alone: it is "Street" and "Saint" ("St Mary's Road").
ADDRESS_WORDS: dict[str, str] = {
    "rd": "road",
    "ave": "avenue",
    "av": "avenue",
    "ln": "lane",
    "cl": "close",
    "cres": "crescent",
    "cresc": "crescent",
    "dr": "drive",
    "ct": "court",
    "pl": "place",
    "gdns": "gardens",
    "gr": "grove",
    "sq": "square",
    "tce": "terrace",
    "terr": "terrace",
    "pde": "parade",
    "hwy": "highway",
    "apt": "flat",
    "apartment": "flat",
    "fl": "flat",
    "no": "",
}


def normalise_address(text: str | None) -> str | None:
    """A comparable address: folded like a name, abbreviations expanded, "no." dropped.

    ``"Flat 2, 12 High St."`` -> ``"flat 2 12 high street"``. None when nothing is left.
    """
    if not text:
        return None
    words = (ADDRESS_WORDS.get(word, word) for word in _fold(text).split())
    return " ".join(word for word in words if word) or None
