"""Table linkage: link two tables of people, or deduplicate one, at scale. No I/O.

This is the engine behind ``genogram match``. It is a Fellegi–Sunter model whose weights are
estimated from the data itself, without labels:

1. **Prepare.** Every value is normalised once per distinct text (`genogram.names`): names
   folded (NFKC, case, accents, apostrophes, Mc/Mac, titles), double-barrelled surnames split
   into parts, nicknames mapped to the formal names they stand for, dates read in any common
   form (a date that cannot be read keeps its digits, so a typo can still agree), UK postcodes
   split into sector and district, addresses with abbreviations expanded. Records are put in
   id order first, so the result does not depend on the order of the input rows.
2. **Block.** Only pairs that share a blocking key are compared: birth date (or its day/month
   transposition) with a given- or family-name initial; the sounds of the given and family
   names (Metaphone, nickname roots, in either order, so swapped names still meet); family-name
   sound with birth year; given-name sound with birth year; postcode with an initial; a shared
   identifier. Blocks larger than `LinkOptions.max_block` are skipped (they say nothing).
3. **Compare.** Each field of a pair gets an agreement level (`LEVELS`): exact, nickname,
   close, similar (Jaro–Winkler or same sound), first/middle name crossed, initial,
   transposed or mistyped date, postcode sector, ... Missing on either side is level 0 and
   counts for nothing. Fuzzy scores are computed once per distinct pair of values
   (`rapidfuzz.process.cpdist`), so repeated names cost nothing.
4. **Estimate.** u (how often a level occurs between different people) from a random sample
   of all pairs, with exact agreement computed exactly from value frequencies; m (how often
   it occurs between records of the same person) and the match rate by expectation
   maximisation, in sessions blocked on one field at a time (birth date, then the two
   names), so that the session's own blocking field never biases its estimates. This is the
   procedure of Splink (Linacre et al.), implemented on numpy over distinct comparison
   patterns. Exact agreement on a name or postcode is adjusted for how common the value is
   (term frequency: agreeing on "Smith" is weaker evidence than agreeing on "Wojcik").
5. **Score.** log-odds = logit(prior) + sum of log(m/u); the probability is logistic(log-odds).
   Pairs at or above the threshold are returned, sorted by ids.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache

import jellyfish
import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA, JaroWinkler
from rapidfuzz.process import cpdist

from genogram.dates import MIN_YEAR, parse_date
from genogram.matching import REVIEW_AT
from genogram.model import PartialDate
from genogram.names import (
    name_roots,
    normalise,
    normalise_address,
    normalise_postcode,
    postcode_areas,
    surname_parts,
)

IntArray = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
I8 = npt.NDArray[np.int8]
FloatArray = npt.NDArray[np.float64]
ObjArray = npt.NDArray[np.object_]

#: The fields a table may carry (the CLI's ``--map FIELD=COLUMN`` names).
FIELDS: tuple[str, ...] = (
    "identifier",
    "given_names",
    "family_name",
    "birth_date",
    "sex",
    "postcode",
    "address",
)

#: Agreement levels per field, weakest first; level 0 is always "missing" (no evidence).
LEVELS: dict[str, tuple[str, ...]] = {
    "identifier": ("missing", "different", "two_edits", "one_edit", "exact"),
    "given_names": (
        "missing",
        "different",
        "initial",
        "similar",
        "crossed",
        "close",
        "nickname",
        "exact",
    ),
    "family_name": ("missing", "different", "similar", "close", "part", "exact"),
    "birth_date": (
        "missing",
        "different",
        "within_5_years",
        "same_year",
        "partial",
        "typo",
        "transposed",
        "exact",
    ),
    "sex": ("missing", "different", "same"),
}

#: Sub-levels of the two location fields, combined into `location` levels.
_POSTCODE_LEVELS = ("missing", "different", "district", "sector", "one_edit", "exact")
_ADDRESS_LEVELS = ("missing", "different", "some", "most", "nearly", "exact")
#: Postcode and address levels as grouped in `location` (index by the sub-level).
_PC_GROUP = (0, 1, 2, 2, 3, 4)
_AD_GROUP = (0, 1, 2, 3, 4, 4)
_PC_NAMES = ("none", "different", "area", "one_edit", "same")
_AD_NAMES = ("none", "different", "some", "most", "same")
#: `location` compares postcode and address jointly: a level per (postcode, address) pair
#: of grouped levels, such as ``same/same`` or ``different/none``. A joint comparison makes
#: no independence assumption between the two (a move changes both at once).
LEVELS["location"] = (
    "missing",
    *(f"{pc}/{ad}" for pc in _PC_NAMES for ad in _AD_NAMES if (pc, ad) != ("none", "none")),
)

#: The comparisons made, in order: one per field, except that postcode and address form one
#: comparison, `location`.
COMPARISONS: tuple[str, ...] = tuple(LEVELS)

#: Fields whose exact agreement is weighted by how common the value is.
TF_FIELDS: tuple[str, ...] = ("given_names", "family_name", "location")

#: The weight, in pairs, of the default u and m probabilities against the data's own counts.
PSEUDO_PAIRS = 20.0

#: Default u probabilities (non-missing levels, weakest first): estimates from 100,000
#: generated UK records (bench/bench_scale.py), used to steady the estimates of small tables.
U_DEFAULT: dict[str, tuple[float, ...]] = {
    "identifier": (0.9989, 1e-3, 1e-4, 1e-6),
    "given_names": (0.97, 2e-6, 0.0068, 0.0097, 0.00093, 0.0023, 0.0103),
    "family_name": (0.995, 0.0032, 0.00027, 7e-5, 0.0015),
    "birth_date": (0.852, 0.131, 0.0153, 0.00032, 0.00123, 1.6e-5, 5.5e-5),
    "sex": (0.498, 0.502),
    "location": (
        0.0508,
        0.003,
        0.00017,
        2e-6,
        0.047,
        0.849,
        0.047,
        0.00203,
        3e-5,
        2e-5,
        0.00106,
        4.5e-5,
        5e-6,
        2e-6,
        2e-6,
        1.5e-5,
        2e-6,
        2e-6,
        2e-6,
        2e-6,
        2e-6,
        2e-6,
        2e-6,
        3.9e-5,
    ),
}

#: Initial m probabilities (before EM), weakest level first, level 0 excluded.
_M_START: dict[str, tuple[float, ...]] = {
    "identifier": (0.05, 0.03, 0.07, 0.85),
    "given_names": (0.04, 0.02, 0.03, 0.02, 0.04, 0.05, 0.80),
    "family_name": (0.05, 0.03, 0.05, 0.02, 0.85),
    "birth_date": (0.03, 0.02, 0.02, 0.02, 0.06, 0.02, 0.83),
    "sex": (0.03, 0.97),
    "location": tuple(
        pm * am
        for pc, pm in zip(_PC_NAMES, (0.1, 0.06, 0.02, 0.04, 0.78), strict=True)
        for ad, am in zip(_AD_NAMES, (0.1, 0.05, 0.05, 0.1, 0.7), strict=True)
        if (pc, ad) != ("none", "none")
    ),
}

_TRANSPOSE_OK = re.compile(r"^\d{8}$")
_FAST_DATE = re.compile(
    r"^(?:(\d{4})-(\d{2})-(\d{2})|(\d{2})/(\d{2})/(\d{4})"
    r"|(\d{1,2})[ -]([A-Za-z]{3,9})[ -](\d{4}))$"
)
_MONTH_NAMES = (
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
)
_MONTH_NUMBER = {
    name: number
    for number, month in enumerate(
        _MONTH_NAMES,
        start=1,
    )
    for name in (month, month[:3])
} | {"sept": 9}


def _days_in(year: int, month: int) -> int:
    """Days in a month of the Gregorian calendar."""
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


_TODAY = date.today()
_SEX = {
    "f": 1,
    "female": 1,
    "woman": 1,
    "girl": 1,
    "w": 1,
    "m": 2,
    "male": 2,
    "man": 2,
    "boy": 2,
}


@dataclass(frozen=True)
class Table:
    """Records to link: an id per row and, per field of `FIELDS`, the raw text of each row
    (None or empty when missing). Fields not given are missing for every row."""

    ids: Sequence[str]
    columns: Mapping[str, Sequence[str | None]]

    def __post_init__(self) -> None:
        for name, values in self.columns.items():
            if name not in FIELDS:
                raise ValueError(f"unknown field {name!r}; fields are {', '.join(FIELDS)}")
            if len(values) != len(self.ids):
                raise ValueError(f"field {name!r} has a different number of rows than the ids")
        if len(set(self.ids)) != len(self.ids):
            raise ValueError("record ids must be unique within a table")

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class LinkOptions:
    """Tuning knobs; the defaults suit tables from a few hundred to a few million rows."""

    threshold: float = REVIEW_AT
    max_block: int = 500
    u_sample: int = 300_000
    em_pairs: int = 400_000
    em_iterations: int = 200
    em_tolerance: float = 1e-6
    seed: int = 20240607
    workers: int = -1
    classes: int = 3


@dataclass(frozen=True)
class FieldModel:
    """The estimated m and u probability of each agreement level of one field."""

    name: str
    levels: tuple[str, ...]
    m: tuple[float, ...]
    u: tuple[float, ...]
    estimated: bool

    def weights(self) -> tuple[float, ...]:
        """log(m/u) per level (level 0, missing, weighs 0)."""
        return (0.0, *(math.log(m / u) for m, u in zip(self.m[1:], self.u[1:], strict=True)))


@dataclass(frozen=True)
class Model:
    """A fitted Fellegi–Sunter model: prior match probability and per-field m/u."""

    prior: float
    fields: tuple[FieldModel, ...]
    em_iterations: tuple[int, ...]
    converged: bool

    def field(self, name: str) -> FieldModel:
        """The model of one field."""
        for fm in self.fields:
            if fm.name == name:
                return fm
        raise KeyError(name)


@dataclass(frozen=True)
class BlockingStats:
    """How many pairs blocking kept, overall and per pass, and how many blocks were skipped."""

    total_pairs: int
    candidate_pairs: int
    per_pass: tuple[tuple[str, int], ...]
    skipped_blocks: int

    @property
    def reduction_ratio(self) -> float:
        """1 - candidates / all pairs: the share of comparisons blocking avoided."""
        if self.total_pairs == 0:
            return 0.0
        return 1.0 - self.candidate_pairs / self.total_pairs


@dataclass(frozen=True)
class LinkResult:
    """Pairs scoring at or above the threshold: (left id, right id, probability), sorted."""

    pairs: list[tuple[str, str, float]]
    model: Model
    blocking: BlockingStats
    unreadable: dict[str, int] = field(default_factory=dict)


# =========================================================================== preparation


class _Vocab:
    """Distinct strings and their integer codes (in first-seen order, which is id order)."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.strings: list[str] = []

    def code(self, text: str | None) -> int:
        if text is None:
            return -1
        found = self.index.get(text)
        if found is None:
            found = len(self.strings)
            self.index[text] = found
            self.strings.append(text)
        return found

    def array(self) -> ObjArray:
        out = np.empty(len(self.strings), dtype=object)
        out[:] = self.strings
        return out


@dataclass(frozen=True)
class _Date:
    """A birth date as compared: parts (0 when unknown), approximate flag, comparable digits."""

    year: int
    month: int
    day: int
    approximate: bool
    digits: str | None


@cache
def _read_date(text: str) -> _Date | None:
    """Read a date leniently: any form `parse_date` knows, or compact ``YYYYMMDD``; a value
    that is not a valid date keeps its eight digits (a typo may still agree)."""
    compact = text.strip()
    value: PartialDate | None = None
    fast = _FAST_DATE.match(compact)
    if fast:  # 1994-07-02, 02/07/1994, 2 July 1994, 02-Jul-1994: skip the general parser
        if fast[1]:
            y, m, d = int(fast[1]), int(fast[2]), int(fast[3])
        elif fast[4]:
            y, m, d = int(fast[6]), int(fast[5]), int(fast[4])
        else:
            y, m, d = int(fast[9]), _MONTH_NUMBER.get(fast[8].casefold(), 0), int(fast[7])
        valid = 1 <= m <= 12 and 1 <= d <= _days_in(y, m) and y >= MIN_YEAR
        if valid and (y, m, d) <= (_TODAY.year, _TODAY.month, _TODAY.day):
            return _Date(y, m, d, False, f"{y:04d}{m:02d}{d:02d}")
    if _TRANSPOSE_OK.match(compact):
        try:
            value = PartialDate(int(compact[:4]), int(compact[4:6]), int(compact[6:]))
        except ValueError:
            value = None
    else:
        try:
            value = parse_date(compact).value
        except ValueError:
            value = None
    if value is None:
        digits_only = "".join(c for c in compact if c.isdigit())
        if len(digits_only) == 8:
            return _Date(0, 0, 0, False, digits_only)
        return None
    digits = None
    if value.month is not None and value.day is not None and not value.approximate:
        digits = f"{value.year:04d}{value.month:02d}{value.day:02d}"
    return _Date(value.year, value.month or 0, value.day or 0, value.approximate, digits)


@cache
def _metaphone(word: str) -> str:
    """The Metaphone code of a word (the word itself when it has none)."""
    return jellyfish.metaphone(word) or word


@cache
def _given(text: str) -> tuple[str, str | None] | None:
    """(first, second) normalised given names, or None when there are none."""
    words = normalise(text).split()
    if not words:
        return None
    return (words[0], words[1] if len(words) > 1 else None)


@cache
def _family(text: str) -> tuple[str, tuple[str, ...]] | None:
    """(compact surname, its parts when double-barrelled), Mc/Mac unified."""
    parts = surname_parts(text)
    if not parts:
        return None
    return ("".join(parts), tuple(parts) if len(parts) > 1 else ())


@cache
def _identifier(text: str) -> str | None:
    """An identifier in upper-case letters and digits only."""
    return "".join(c for c in text.upper() if c.isalnum()) or None


def _factorize(values: Sequence[str | None]) -> tuple[IntArray, list[str | None]]:
    """(index of each value among the distinct values, the distinct values in first-seen
    order): features are computed once per distinct text, then gathered."""
    distinct = list(dict.fromkeys(values))
    index = {value: k for k, value in enumerate(distinct)}
    codes = np.fromiter(map(index.__getitem__, values), dtype=np.int64, count=len(values))
    return codes, distinct


class _Features:
    """Column arrays of normalised values for all records (left then right, each in id order)."""

    def __init__(self, tables: Sequence[Table]) -> None:
        orders = [sorted(range(len(t)), key=t.ids.__getitem__) for t in tables]
        self.ids: list[str] = [
            t.ids[r] for t, order in zip(tables, orders, strict=True) for r in order
        ]
        canonical = np.concatenate(
            [np.array(orders[0], dtype=np.int64)]
            + [np.array(order, dtype=np.int64) + len(tables[0]) for order in orders[1:]]
        )
        self.n = len(self.ids)
        self.n_left = len(tables[0])
        self.link = len(tables) == 2
        self.unreadable: dict[str, int] = {}

        def column(name: str) -> tuple[IntArray, list[str | None]]:
            """The column's distinct values, and each record's index into them (id order)."""
            out: list[str | None] = []
            for table in tables:
                values = table.columns.get(name)
                out.extend([None] * len(table) if values is None else values)
            codes, distinct = _factorize(out)
            return codes[canonical], distinct

        self.names = _Vocab()
        self._prepare_names(column("given_names"), column("family_name"))
        self._prepare_dates(column("birth_date"))
        self._prepare_sex(column("sex"))
        self._prepare_postcodes(column("postcode"))
        self._prepare_addresses(column("address"))
        self.id_vocab = _Vocab()
        raw, distinct = column("identifier")
        self.identifier = np.array(
            [self.id_vocab.code(_identifier(v) if v else None) for v in distinct], dtype=np.int32
        )[raw]
        self.name_strings = self.names.array()
        self.id_strings = self.id_vocab.array()
        present = {
            "identifier": self.identifier >= 0,
            "given_names": self.g1 >= 0,
            "family_name": self.family >= 0,
            "birth_date": (self.year > 0) | (self.digits >= 0),
            "sex": self.sex > 0,
            "postcode": self.postcode >= 0,
            "address": self.address >= 0,
        }
        self.fields = tuple(f for f in FIELDS if bool(present[f].any()))
        located = "postcode" in self.fields or "address" in self.fields
        self.comparisons = tuple(
            c for c in COMPARISONS if (c in self.fields) or (c == "location" and located)
        )

    # ------------------------------------------------------------------ names

    def _prepare_names(
        self,
        given: tuple[IntArray, list[str | None]],
        family: tuple[IntArray, list[str | None]],
    ) -> None:
        """Name codes: first and middle given names, surname and its parts, sounds, roots."""
        names = self.names
        first, middle = [], []
        for text in given[1]:
            read = _given(text) if text else None
            first.append(names.code(read[0]) if read else -1)
            middle.append(names.code(read[1]) if read else -1)
        self.g1 = np.array(first, dtype=np.int32)[given[0]]
        self.g2 = np.array(middle, dtype=np.int32)[given[0]]
        whole, parts = [], []
        for text in family[1]:
            read_f = _family(text) if text else None
            whole.append(names.code(read_f[0]) if read_f else -1)
            split = [names.code(part) for part in read_f[1][:2]] if read_f else []
            parts.append(split + [-1] * (2 - len(split)))
        self.family = np.array(whole, dtype=np.int32)[family[0]]
        self.parts = np.array(parts, dtype=np.int32).reshape(-1, 2)[family[0]]
        strings = names.strings
        self.initial = np.array([ord(s[0]) for s in strings] + [0], dtype=np.int32)
        self.name_length = np.array([len(s) for s in strings] + [0], dtype=np.int32)
        self.sound = _Vocab()
        self.name_sound = np.array(
            [self.sound.code(_metaphone(s)) for s in strings] + [-1], dtype=np.int32
        )
        # Nickname roots: each name's formal forms, as codes of the sound vocabulary.
        self.roots: list[frozenset[str]] = [name_roots(s) for s in strings]
        self.root_sounds: list[tuple[int, ...]] = [
            tuple(sorted({self.sound.code(_metaphone(root)) for root in roots}))
            for roots in self.roots
        ]
        self.root_initials: list[tuple[int, ...]] = [
            tuple(sorted({ord(root[0]) for root in roots})) for roots in self.roots
        ]

    # ------------------------------------------------------------------ dates

    def _prepare_dates(self, column: tuple[IntArray, list[str | None]]) -> None:
        """Birth date parts, approximate flags, digit strings and blocking keys."""
        raw, distinct = column
        self.digit_vocab = _Vocab()
        rows: list[tuple[int, int, int, bool, int]] = []
        bad = np.zeros(len(distinct), dtype=bool)
        for k, text in enumerate(distinct):
            read = _read_date(text) if text and text.strip() else None
            if read is None:
                rows.append((0, 0, 0, False, -1))
                bad[k] = bool(text and text.strip())
            else:
                code = self.digit_vocab.code(read.digits)
                rows.append((read.year, read.month, read.day, read.approximate, code))
        table = np.array(rows, dtype=np.int64).reshape(-1, 5)
        year, month, day = table[raw, 0], table[raw, 1], table[raw, 2]
        approx, digits = table[raw, 3].astype(bool), table[raw, 4]
        unreadable = int(bad[raw].sum())
        if unreadable:
            self.unreadable["birth_date"] = unreadable
        self.year, self.month, self.day, self.approx, self.digits = year, month, day, approx, digits
        self.digit_strings = self.digit_vocab.array()
        full = (day > 0) & ~approx
        self.full_date = np.where(full, year * 10000 + month * 100 + day, -1).astype(np.int64)
        swappable = full & (day <= 12) & (day != month)
        self.swapped_date = np.where(swappable, year * 10000 + day * 100 + month, -1).astype(
            np.int64
        )

    def _prepare_sex(self, column: tuple[IntArray, list[str | None]]) -> None:
        """Sex as 0 (unknown), 1 (female) or 2 (male)."""
        raw, distinct = column
        codes = np.zeros(len(distinct), dtype=np.int8)
        bad = np.zeros(len(distinct), dtype=bool)
        for k, text in enumerate(distinct):
            word = text.strip().casefold() if text else ""
            codes[k] = _SEX.get(word, 0)
            bad[k] = bool(word) and codes[k] == 0 and word not in ("u", "unknown", "not known")
        unreadable = int(bad[raw].sum())
        if unreadable:
            self.unreadable["sex"] = unreadable
        self.sex = codes[raw]

    def _prepare_postcodes(self, column: tuple[IntArray, list[str | None]]) -> None:
        """Postcode, sector and district codes."""
        raw, distinct = column
        vocab, areas = _Vocab(), _Vocab()
        found: list[tuple[int, int, int]] = []
        for text in distinct:
            code = normalise_postcode(text)
            if code is None:
                found.append((-1, -1, -1))
            else:
                sector, district = postcode_areas(code)
                found.append((vocab.code(code), areas.code(sector), areas.code("~" + district)))
        table = np.array(found, dtype=np.int32).reshape(-1, 3)
        self.postcode, self.sector, self.district = table[raw, 0], table[raw, 1], table[raw, 2]
        self.postcode_strings = vocab.array()

    def _prepare_addresses(self, column: tuple[IntArray, list[str | None]]) -> None:
        """Address codes, and house number, street and town keys."""
        raw, distinct = column
        vocab, words = _Vocab(), _Vocab()
        found: list[tuple[int, int, int, int]] = []
        for text in distinct:
            address = normalise_address(text)
            if address is None:
                found.append((-1, -1, -1, -1))
            else:
                number, street, town = _address_keys(address)
                found.append((vocab.code(address), number, words.code(street), words.code(town)))
        table = np.array(found, dtype=np.int64).reshape(-1, 4)
        self.address = table[raw, 0].astype(np.int32)
        #: The house number and the sounds of the street and town words, for blocking.
        self.house, self.street, self.town = table[raw, 1], table[raw, 2], table[raw, 3]
        self.address_strings = vocab.array()


def _address_keys(text: str) -> tuple[int, str | None, str | None]:
    """(first house number or -1, sound of the first word of letters, sound of the last) of
    an address: the house number, the street and (usually) the town."""
    number = -1
    words: list[str] = []
    for word in text.split():
        if number < 0 and word.isdigit() and len(word) < 9:
            number = int(word)
        elif word.isalpha() and len(word) > 2 and word != "flat":
            words.append(word)
    if not words:
        return number, None, None
    return number, _metaphone(words[0]), _metaphone(words[-1]) if len(words) > 1 else None


# =========================================================================== blocking


def _distinct(values: IntArray) -> IntArray:
    """Sorted distinct values (by sorting: numpy's hash-based `unique` is slow on large,
    high-cardinality int64 arrays)."""
    ordered = np.sort(values)
    if len(ordered) == 0:
        return ordered
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]]


def _tagged(codes: IntArray, tag: int) -> IntArray:
    """Codes made distinct from another kind's (tag 0 or 1) in one multi-key pass."""
    return np.where(codes >= 0, codes * 2 + tag, -1)


def _combine(*parts: IntArray) -> IntArray:
    """One int64 key from several non-negative int columns (-1 anywhere -> -1)."""
    key = np.zeros(len(parts[0]), dtype=np.int64)
    valid = np.ones(len(parts[0]), dtype=bool)
    for part in parts:
        p = part.astype(np.int64)
        valid &= p >= 0
        size = int(p.max()) + 1 if len(p) else 1
        key = key * max(size, 1) + np.maximum(p, 0)
        if int(np.abs(key).max(initial=0)) > 2**61:  # re-code to keep the radix small
            _, key = np.unique(key, return_inverse=True)
            key = key.astype(np.int64)
    return np.where(valid, key, -1)


@dataclass
class _Pass:
    """One blocking rule: its name and the (record, key) entries it puts into blocks."""

    name: str
    records: IntArray
    keys: IntArray
    #: Per record: a value that splits a block too large to compare whole (-1: none).
    refine: IntArray | None = None


def _expand(codes: I32, table: Sequence[tuple[int, ...]]) -> tuple[IntArray, IntArray]:
    """(record, key) entries: each record with a code gets one entry per key in table[code]."""
    sizes = np.array([len(keys) for keys in table] + [0], dtype=np.int64)
    flat = np.array([k for keys in table for k in keys], dtype=np.int64)
    starts = np.r_[0, np.cumsum(sizes)[:-1]]
    safe = np.where(codes >= 0, codes, len(table))
    per_record = sizes[safe]
    records = np.repeat(np.arange(len(codes), dtype=np.int64), per_record)
    offsets = np.arange(len(records)) - np.repeat(np.cumsum(per_record) - per_record, per_record)
    return records, flat[np.repeat(starts[safe], per_record) + offsets]


def _entries(name: str, *columns: tuple[IntArray, IntArray]) -> _Pass:
    """Stack several (records, keys) column pairs into one pass (multi-key blocking)."""
    recs = np.concatenate([c[0] for c in columns])
    keys = np.concatenate([c[1] for c in columns])
    keep = keys >= 0
    return _Pass(name, recs[keep], keys[keep])


def _passes(fx: _Features) -> list[_Pass]:
    """The blocking rules, built from the fields present."""
    n = fx.n
    everyone = np.arange(n, dtype=np.int64)
    name_idx_g = np.where(fx.g1 >= 0, fx.g1, len(fx.name_strings))
    name_idx_f = np.where(fx.family >= 0, fx.family, len(fx.name_strings))
    g_initial = np.where(fx.g1 >= 0, fx.initial[name_idx_g], -1).astype(np.int64)
    f_initial = np.where(fx.family >= 0, fx.initial[name_idx_f], -1).astype(np.int64)
    f_sound = fx.name_sound[name_idx_f].astype(np.int64)
    year = np.where(fx.year > 0, fx.year, -1).astype(np.int64)

    # Given-name sounds and initials, one entry per nickname root (Becky: becky, rebecca).
    g_rec, g_sound = _expand(fx.g1, fx.root_sounds)
    i_rec, i_initial = _expand(fx.g1, fx.root_initials)

    passes: list[_Pass] = []
    if "birth_date" in fx.fields:
        for label, initial in (("given", g_initial), ("family", f_initial)):
            passes.append(
                _entries(
                    f"birth date + {label} initial",
                    (everyone, _combine(fx.full_date, initial)),
                    (everyone, _combine(fx.swapped_date, initial)),
                )
            )
    if "given_names" in fx.fields and "family_name" in fx.fields:
        fs = f_sound[g_rec]
        lo, hi = np.minimum(fs, g_sound), np.maximum(fs, g_sound)
        names = _entries("given and family name sounds", (g_rec, _combine(lo, hi)))
        names.refine = year  # "John Smith" in a million records: compare by birth year
        passes.append(names)
    if "family_name" in fx.fields and "birth_date" in fx.fields:
        key = _combine(f_sound[i_rec], year[i_rec], i_initial)
        passes.append(_entries("family name sound + birth year + initial", (i_rec, key)))
    if "postcode" in fx.fields:
        pc = fx.postcode.astype(np.int64)
        passes.append(_entries("postcode + given initial", (everyone, _combine(pc, g_initial))))
        passes.append(_entries("postcode + family initial", (everyone, _combine(pc, f_initial))))
    if "birth_date" in fx.fields and "postcode" in fx.fields:
        passes.append(
            _entries(
                "birth date + postcode district",
                (everyone, _combine(fx.full_date, fx.district.astype(np.int64))),
            )
        )
    if "address" in fx.fields:
        # The street alone repeats across towns ("12 High Street"): add the town or district.
        street = _combine(fx.house, fx.street)
        passes.append(
            _entries(
                "house number + street + town or district",
                (everyone, _combine(street, _tagged(fx.town, 0))),
                (everyone, _combine(street, _tagged(fx.district.astype(np.int64), 1))),
            )
        )
        if "birth_date" in fx.fields:
            passes.append(
                _entries("birth date + house number", (everyone, _combine(fx.full_date, fx.house)))
            )
        if "postcode" in fx.fields:
            pc = fx.postcode.astype(np.int64)
            passes.append(_entries("postcode + house number", (everyone, _combine(pc, fx.house))))
    if "identifier" in fx.fields:
        passes.append(_entries("identifier", (everyone, fx.identifier.astype(np.int64))))
    return passes


def _block(fx: _Features, p: _Pass, max_block: int) -> tuple[IntArray, int]:
    """Encoded pairs (i * n + j, i < j; across the two tables when linking) sharing a key,
    and the number of blocks skipped for being larger than `max_block` (after splitting them
    by the pass's `refine` values, when it has some)."""
    if len(p.keys) == 0:
        return np.zeros(0, dtype=np.int64), 0
    order = np.lexsort((p.records, p.keys))
    keys, recs = p.keys[order], p.records[order]
    fresh = np.ones(len(keys), dtype=bool)
    fresh[1:] = (keys[1:] != keys[:-1]) | (recs[1:] != recs[:-1])
    keys, recs = keys[fresh], recs[fresh]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    sizes = np.diff(np.r_[starts, len(keys)])
    if fx.link:
        left = (recs < fx.n_left).astype(np.int64)
        left_counts = np.add.reduceat(left, starts) if len(starts) else left[:0]
        useful = (left_counts > 0) & (left_counts < sizes)
    else:
        useful = sizes >= 2
    too_big = useful & (sizes > max_block)
    useful &= ~too_big
    chunks: list[IntArray] = []
    if p.refine is not None and too_big.any():
        member = np.repeat(too_big, sizes)
        split = _Pass(p.name, recs[member], _combine(keys[member], p.refine[recs[member]]))
        split.keys, split.records = split.keys[split.keys >= 0], split.records[split.keys >= 0]
        found, still = _block(fx, split, max_block)
        chunks.append(found)
        too_big = np.zeros(0, dtype=bool) if not still else np.ones(still, dtype=bool)
    for size in _distinct(sizes[useful]):
        s = int(size)
        group_starts = starts[useful & (sizes == s)]
        a, b = np.triu_indices(s, 1)
        i = recs[group_starts[:, None] + a[None, :]].ravel()
        j = recs[group_starts[:, None] + b[None, :]].ravel()
        lo, hi = np.minimum(i, j), np.maximum(i, j)
        keep = lo != hi
        if fx.link:
            keep &= (lo < fx.n_left) & (hi >= fx.n_left)
        chunks.append(lo[keep] * fx.n + hi[keep])
    if not chunks:
        return np.zeros(0, dtype=np.int64), int(too_big.sum())
    return _distinct(np.concatenate(chunks)), int(too_big.sum())


def _total_pairs(fx: _Features) -> int:
    """How many pairs a full comparison would make."""
    if fx.link:
        return fx.n_left * (fx.n - fx.n_left)
    return fx.n * (fx.n - 1) // 2


# =========================================================================== comparison


def _scores(
    ci: I32,
    cj: I32,
    strings: ObjArray,
    scorer: Callable[..., float],
    workers: int,
    cutoff: float,
) -> FloatArray:
    """`scorer` on the strings of each pair of codes, computed once per distinct pair.

    `cutoff` is rapidfuzz's ``score_cutoff``: scores worse than it are not worked out exactly
    (similarities below it read 0, distances above it read cutoff + 1), which is much faster.
    """
    if len(ci) == 0:
        return np.zeros(0, dtype=np.float64)
    size = len(strings)
    lo = np.minimum(ci, cj).astype(np.int64)
    hi = np.maximum(ci, cj).astype(np.int64)
    uniq, inverse = np.unique(lo * size + hi, return_inverse=True)
    first = strings[uniq // size]
    second = strings[uniq % size]
    out = cpdist(
        first, second, scorer=scorer, workers=workers, dtype=np.float64, score_cutoff=cutoff
    )
    return np.asarray(out, dtype=np.float64)[inverse]


def _jw(ci: I32, cj: I32, strings: ObjArray, workers: int) -> FloatArray:
    """Jaro-Winkler similarity (below 0.8 reads 0)."""
    return _scores(ci, cj, strings, JaroWinkler.normalized_similarity, workers, 0.8)


def _osa(ci: I32, cj: I32, strings: ObjArray, workers: int) -> FloatArray:
    """Edit distance with adjacent transpositions (above 2 reads 3)."""
    return _scores(ci, cj, strings, OSA.distance, workers, 2)


def _nickname_pairs(roots: Sequence[frozenset[str]]) -> IntArray:
    """Sorted codes ``lo * (V + 1) + hi`` of the pairs of distinct names that share a formal
    root (Becky/Rebecca, Mick/Mike), over a name vocabulary of size V (`roots` by code)."""
    size = len(roots) + 1
    by_root: dict[str, list[int]] = {}
    for code, found in enumerate(roots):
        for root in found:
            by_root.setdefault(root, []).append(code)
    pairs: set[int] = set()
    for members in by_root.values():
        for x_pos, x in enumerate(members):
            for y in members[x_pos + 1 :]:
                pairs.add(min(x, y) * size + max(x, y))
    return np.array(sorted(pairs), dtype=np.int64)


class _Comparer:
    """Agreement levels of record pairs, field by field."""

    def __init__(self, fx: _Features, workers: int) -> None:
        self.fx = fx
        self.workers = workers
        self.nick = _nickname_pairs(fx.roots)

    def levels(self, i: IntArray, j: IntArray) -> dict[str, I8]:
        """Level codes (indexes into `LEVELS[field]`) of each pair, for every present field."""
        fx = self.fx
        out: dict[str, I8] = {}
        for name in fx.comparisons:
            if name in ("given_names", "family_name"):
                continue
            out[name] = getattr(self, "_" + name)(i, j)
        if "given_names" in fx.fields or "family_name" in fx.fields:
            given, family = self._names(i, j)
            if "given_names" in fx.fields:
                out["given_names"] = given
            if "family_name" in fx.fields:
                out["family_name"] = family
        return out

    # ------------------------------------------------------------------ names

    def _given_levels(self, a: I32, b: I32, ma: I32, mb: I32) -> I8:
        """Given-name levels of first names `a`/`b` (codes) with middle names `ma`/`mb`."""
        fx = self.fx
        lv = LEVELS["given_names"]
        out = np.zeros(len(a), dtype=np.int8)
        both = (a >= 0) & (b >= 0)
        out[both] = lv.index("different")
        exact = both & (a == b)
        out[exact] = lv.index("exact")
        rest = np.flatnonzero(both & ~exact)
        if len(rest) == 0:
            return out
        ra, rb = a[rest], b[rest]
        strings = fx.name_strings
        sim = _jw(ra, rb, strings, self.workers)
        level = np.full(len(rest), lv.index("different"), dtype=np.int8)
        sound = fx.name_sound[ra] == fx.name_sound[rb]
        level[(sim >= 0.80) | sound] = lv.index("similar")
        crossed = ((ra == mb[rest]) | (ma[rest] == rb)) & (ra >= 0)
        level[crossed] = lv.index("crossed")
        level[sim >= 0.92] = lv.index("close")
        nick = self._nicknames(ra, rb)
        level[nick] = lv.index("nickname")
        short = (fx.name_length[ra] == 1) | (fx.name_length[rb] == 1)
        initial = short & (fx.initial[ra] == fx.initial[rb])
        level[initial] = lv.index("initial")
        out[rest] = level
        return out

    def _nicknames(self, a: I32, b: I32) -> npt.NDArray[np.bool_]:
        """Whether two different given names share a formal root (Becky/Rebecca, Mick/Mike)."""
        known = self.nick
        if len(known) == 0:
            return np.zeros(len(a), dtype=bool)
        size = len(self.fx.name_strings) + 1
        key = np.minimum(a, b).astype(np.int64) * size + np.maximum(a, b)
        at = np.minimum(np.searchsorted(known, key), len(known) - 1)
        return np.asarray(known[at] == key)

    def _family_levels(self, a: I32, b: I32, pa: I32, pb: I32) -> I8:
        """Family-name levels of compact surnames `a`/`b` with double-barrel parts `pa`/`pb`."""
        fx = self.fx
        lv = LEVELS["family_name"]
        out = np.zeros(len(a), dtype=np.int8)
        both = (a >= 0) & (b >= 0)
        out[both] = lv.index("different")
        exact = both & (a == b)
        out[exact] = lv.index("exact")
        rest = np.flatnonzero(both & ~exact)
        if len(rest) == 0:
            return out
        ra, rb = a[rest], b[rest]
        sim = _jw(ra, rb, fx.name_strings, self.workers)
        level = np.full(len(rest), lv.index("different"), dtype=np.int8)
        sound = fx.name_sound[ra] == fx.name_sound[rb]
        level[(sim >= 0.80) | sound] = lv.index("similar")
        level[sim >= 0.92] = lv.index("close")
        # Parts of a double-barrelled name (a single name is its own only part).
        qa = np.where(pa[rest] >= 0, pa[rest], ra[:, None])
        qb = np.where(pb[rest] >= 0, pb[rest], rb[:, None])
        part = np.zeros(len(rest), dtype=bool)
        for x in range(2):
            for y in range(2):
                part |= qa[:, x] == qb[:, y]
        level[part] = lv.index("part")
        out[rest] = level
        return out

    def _names(self, i: IntArray, j: IntArray) -> tuple[I8, I8]:
        """Given and family levels, reading a pair with swapped given/family names swapped."""
        fx = self.fx
        g = self._given_levels(fx.g1[i], fx.g1[j], fx.g2[i], fx.g2[j])
        f = self._family_levels(fx.family[i], fx.family[j], fx.parts[i], fx.parts[j])
        gl, fl = LEVELS["given_names"], LEVELS["family_name"]
        # Swapped names agree closely both ways, so their initials agree crosswise.
        initial = fx.initial
        gi = initial[np.where(fx.g1 >= 0, fx.g1, -1)]
        fi = initial[np.where(fx.family >= 0, fx.family, -1)]
        weak = np.flatnonzero(
            (g == gl.index("different"))
            & (f == fl.index("different"))
            & (gi[i] == fi[j])
            & (fi[i] == gi[j])
            & (fx.g1[i] >= 0)
            & (fx.family[i] >= 0)
        )
        if len(weak):
            wi, wj = i[weak], j[weak]
            none = np.full(len(weak), -1, dtype=np.int32)
            sg = self._given_levels(fx.g1[wi], fx.family[wj], fx.g2[wi], none)
            sf = self._family_levels(
                fx.family[wi], fx.g1[wj], fx.parts[wi], np.full((len(weak), 2), -1, np.int32)
            )
            swapped = (sg >= gl.index("close")) & (sf >= fl.index("close"))
            g[weak[swapped]] = sg[swapped]
            f[weak[swapped]] = sf[swapped]
        return g, f

    # ------------------------------------------------------------------ other fields

    def _identifier(self, i: IntArray, j: IntArray) -> I8:
        """Identifier levels: exact, one or two edits, different."""
        fx, lv = self.fx, LEVELS["identifier"]
        a, b = fx.identifier[i], fx.identifier[j]
        return self._edits(a, b, fx.id_strings, lv)

    def _edits(self, a: I32, b: I32, strings: ObjArray, lv: tuple[str, ...]) -> I8:
        """Exact, one edit, two edits or different, for two code columns."""
        out = np.zeros(len(a), dtype=np.int8)
        both = (a >= 0) & (b >= 0)
        out[both] = lv.index("different")
        exact = both & (a == b)
        out[exact] = lv.index("exact")
        rest = np.flatnonzero(both & ~exact)
        if len(rest):
            d = _osa(a[rest], b[rest], strings, self.workers)
            level = np.full(len(rest), lv.index("different"), dtype=np.int8)
            if "two_edits" in lv:
                level[d <= 2] = lv.index("two_edits")
            level[d <= 1] = lv.index("one_edit")
            out[rest] = level
        return out

    def _birth_date(self, i: IntArray, j: IntArray) -> I8:
        """Birth date levels (`LEVELS['birth_date']`)."""
        fx, lv = self.fx, LEVELS["birth_date"]
        ya, yb = fx.year[i], fx.year[j]
        ma, mb = fx.month[i], fx.month[j]
        da, db = fx.day[i], fx.day[j]
        xa, xb = fx.approx[i], fx.approx[j]
        ca, cb = fx.digits[i], fx.digits[j]
        present_a = (ya > 0) | (ca >= 0)
        present_b = (yb > 0) | (cb >= 0)
        out = np.zeros(len(i), dtype=np.int8)
        both = present_a & present_b
        out[both] = lv.index("different")
        dated = both & (ya > 0) & (yb > 0)
        precise = dated & ~xa & ~xb
        near = dated & (np.abs(ya - yb) <= 5)
        out[near] = lv.index("within_5_years")
        out[precise & (ya == yb)] = lv.index("same_year")
        partial = (
            precise
            & (ya == yb)
            & (((ma == 0) | (mb == 0)) | (((da == 0) | (db == 0)) & (ma == mb)))
        )
        out[partial] = lv.index("partial")
        digits = both & (ca >= 0) & (cb >= 0) & (ca != cb)
        idx = np.flatnonzero(digits)
        if len(idx):
            d = _osa(ca[idx], cb[idx], fx.digit_strings, self.workers)
            out[idx[d <= 1]] = lv.index("typo")
        full = precise & (da > 0) & (db > 0)
        transposed = full & (ya == yb) & (ma == db) & (da == mb) & (ma != mb)
        out[transposed] = lv.index("transposed")
        out[full & (ya == yb) & (ma == mb) & (da == db)] = lv.index("exact")
        out[both & (ca >= 0) & (ca == cb)] = lv.index("exact")
        return out

    def _sex(self, i: IntArray, j: IntArray) -> I8:
        """Same or different sex."""
        fx, lv = self.fx, LEVELS["sex"]
        a, b = fx.sex[i], fx.sex[j]
        out = np.zeros(len(i), dtype=np.int8)
        both = (a > 0) & (b > 0)
        out[both] = np.where(a[both] == b[both], lv.index("same"), lv.index("different"))
        return out

    def _location(self, i: IntArray, j: IntArray) -> I8:
        """The joint level of the postcode and address comparisons (`LEVELS["location"]`)."""
        pc = np.array(_PC_GROUP, dtype=np.int64)[self._postcode(i, j)]
        ad = np.array(_AD_GROUP, dtype=np.int64)[self._address(i, j)]
        joint = pc * len(_AD_NAMES) + ad  # 0 when both are missing, else level + 1
        return joint.astype(np.int8)

    def _postcode(self, i: IntArray, j: IntArray) -> I8:
        """Postcode sub-levels: exact, one edit, sector, district, different."""
        fx, lv = self.fx, _POSTCODE_LEVELS
        a, b = fx.postcode[i], fx.postcode[j]
        out = np.zeros(len(i), dtype=np.int8)
        both = (a >= 0) & (b >= 0)
        out[both] = lv.index("different")
        out[both & (fx.district[i] == fx.district[j])] = lv.index("district")
        out[both & (fx.sector[i] == fx.sector[j])] = lv.index("sector")
        rest = np.flatnonzero(both & (a != b))
        if len(rest):
            d = _osa(a[rest], b[rest], fx.postcode_strings, self.workers)
            one = rest[d <= 1]
            out[one] = np.maximum(out[one], lv.index("one_edit"))
        out[both & (a == b)] = lv.index("exact")
        return out

    def _address(self, i: IntArray, j: IntArray) -> I8:
        """Address sub-levels by token-set similarity: exact, nearly, most, some."""
        fx, lv = self.fx, _ADDRESS_LEVELS
        a, b = fx.address[i], fx.address[j]
        out = np.zeros(len(i), dtype=np.int8)
        both = (a >= 0) & (b >= 0)
        out[both] = lv.index("different")
        out[both & (a == b)] = lv.index("exact")
        rest = np.flatnonzero(both & (a != b))
        if len(rest):
            s = _scores(
                a[rest], b[rest], fx.address_strings, fuzz.token_set_ratio, self.workers, 55
            )
            level = np.full(len(rest), lv.index("different"), dtype=np.int8)
            level[s >= 55] = lv.index("some")
            level[s >= 75] = lv.index("most")
            level[s >= 90] = lv.index("nearly")
            out[rest] = level
        return out


# =========================================================================== estimation


def _random_pairs(fx: _Features, count: int, rng: np.random.Generator) -> tuple[IntArray, IntArray]:
    """Up to `count` distinct random pairs (every pair when there are fewer)."""
    total = _total_pairs(fx)
    if total == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    if total <= count:
        if fx.link:
            i, j = np.meshgrid(
                np.arange(fx.n_left, dtype=np.int64),
                np.arange(fx.n_left, fx.n, dtype=np.int64),
                indexing="ij",
            )
            return i.ravel(), j.ravel()
        a, b = np.triu_indices(fx.n, 1)
        return a.astype(np.int64), b.astype(np.int64)
    if fx.link:
        i = rng.integers(0, fx.n_left, size=count, dtype=np.int64)
        j = rng.integers(fx.n_left, fx.n, size=count, dtype=np.int64)
        return i, j
    i = rng.integers(0, fx.n, size=count, dtype=np.int64)
    j = rng.integers(0, fx.n - 1, size=count, dtype=np.int64)
    j = np.where(j >= i, j + 1, j)
    return np.minimum(i, j), np.maximum(i, j)


def _exact_u(fx: _Features, codes: IntArray) -> tuple[float, float] | None:
    """P(the two records of a random pair have the same value | both have one), from value
    frequencies, with the number of pairs it is computed over."""
    if fx.link:
        left, right = codes[: fx.n_left], codes[fx.n_left :]
        left, right = left[left >= 0], right[right >= 0]
        if len(left) == 0 or len(right) == 0:
            return None
        size = int(max(left.max(), right.max())) + 1
        pl = np.bincount(left, minlength=size) / len(left)
        pr = np.bincount(right, minlength=size) / len(right)
        return float(pl @ pr), float(len(left) * len(right))
    present = codes[codes >= 0]
    if len(present) < 2:
        return None
    counts = np.bincount(present).astype(np.float64)
    k = len(present)
    return float((counts * (counts - 1)).sum() / (k * (k - 1))), k * (k - 1) / 2


def _exact_codes(fx: _Features, name: str) -> IntArray | None:
    """The value codes whose equality is the field's `exact` level."""
    if name == "identifier":
        return fx.identifier.astype(np.int64)
    if name == "given_names":
        return fx.g1.astype(np.int64)
    if name == "family_name":
        return fx.family.astype(np.int64)
    if name == "birth_date":
        return fx.full_date
    return None


def _u_probabilities(fx: _Features, levels: Mapping[str, I8]) -> dict[str, FloatArray]:
    """u per level from random pairs, with the exact level taken from value frequencies.

    Both are shrunk towards `U_DEFAULT` by `PSEUDO_PAIRS` pairs' worth of weight, so that a
    small table (a few dozen rows) gets sensible values rather than noise.
    """
    out: dict[str, FloatArray] = {}
    for name, lv in levels.items():
        k = len(LEVELS[name])
        counts = np.bincount(lv, minlength=k).astype(np.float64)[1:]
        default = np.array(U_DEFAULT[name])
        u = (counts + PSEUDO_PAIRS * default) / (counts.sum() + PSEUDO_PAIRS)
        codes = _exact_codes(fx, name)
        found = _exact_u(fx, codes) if codes is not None else None
        if found is not None and "exact" in LEVELS[name]:
            e = LEVELS[name].index("exact") - 1
            value, pairs = found
            exact = (value * pairs + PSEUDO_PAIRS * default[e]) / (pairs + PSEUDO_PAIRS)
            exact = min(max(exact, 1e-9), 0.999)
            others = np.delete(u, e)
            others = others / others.sum() * (1.0 - exact)
            u = np.insert(others, e, exact)
        out[name] = np.r_[1.0, u]
    return out


@dataclass
class _Session:
    """One EM run: the fields it estimated, its match share and its number of pairs."""

    blocked: tuple[str, ...]
    fields: tuple[str, ...]
    m: dict[str, FloatArray]
    match_share: float
    pairs: int
    iterations: int
    converged: bool


@dataclass
class _Class:
    """One latent class of pairs: a distribution over each comparison's levels, the
    comparisons whose distribution EM may change, and the start it is shrunk towards."""

    dist: dict[str, FloatArray]
    free: frozenset[str]
    start: dict[str, FloatArray]


def _class(
    names: Sequence[str],
    agree: Iterable[str],
    free: Iterable[str],
    m: Mapping[str, FloatArray],
    u: Mapping[str, FloatArray],
) -> _Class:
    """A class whose pairs agree like matches on `agree` and like random pairs elsewhere."""
    shared = set(agree)
    dist = {f: (m[f] if f in shared else u[f]).copy() for f in names}
    return _Class(dist, frozenset(free) & frozenset(names), {f: v.copy() for f, v in dist.items()})


def _pattern_table(levels: Mapping[str, I8], names: Sequence[str]) -> tuple[IntArray, FloatArray]:
    """Distinct comparison patterns (patterns x comparisons levels) and their pair counts."""
    radix = np.array([len(LEVELS[f]) for f in names], dtype=np.int64)
    place = np.cumprod(np.r_[1, radix[:-1]])
    code = np.zeros(len(levels[names[0]]), dtype=np.int64)
    for k, f in enumerate(names):
        code += levels[f].astype(np.int64) * place[k]
    uniq, counts = np.unique(code, return_counts=True)
    return (uniq[:, None] // place[None, :]) % radix[None, :], counts.astype(np.float64)


def _mixture(
    patterns: IntArray,
    counts: FloatArray,
    names: Sequence[str],
    classes: list[_Class],
    shares: FloatArray,
    options: LinkOptions,
) -> tuple[FloatArray, FloatArray, int, bool]:
    """EM for a mixture of classes with independent comparisons within each class, over
    distinct patterns. Updates the classes' free distributions in place (each shrunk towards
    its start by `PSEUDO_PAIRS`) and returns (shares, per-class log-likelihood of each
    pattern weighted by its share, iterations, converged)."""
    total = counts.sum()

    def logs() -> FloatArray:
        out = np.zeros((len(classes), len(patterns)))
        for k, c in enumerate(classes):
            out[k] = math.log(max(float(shares[k]), 1e-300))
            for col, f in enumerate(names):
                out[k] += np.log(c.dist[f])[patterns[:, col]]
        return out

    iterations, converged = 0, False
    for iterations in range(1, options.em_iterations + 1):  # noqa: B007 - kept after the loop
        current = logs()
        resp = np.exp(current - current.max(axis=0))
        resp /= resp.sum(axis=0)
        weighted = resp * counts
        fresh_shares = np.clip(weighted.sum(axis=1) / total, 1e-12, None)
        fresh_shares /= fresh_shares.sum()
        change = float(np.abs(fresh_shares - shares).max())
        for k, c in enumerate(classes):
            for col, f in enumerate(names):
                if f not in c.free:
                    continue
                size = len(LEVELS[f])
                tally = np.bincount(patterns[:, col], weights=weighted[k], minlength=size)[1:]
                prior = PSEUDO_PAIRS * c.start[f][1:]
                fresh = (tally + prior) / (tally.sum() + prior.sum())
                change = max(change, float(np.abs(fresh - c.dist[f][1:]).max()))
                c.dist[f] = np.r_[1.0, fresh]
        shares = fresh_shares
        if change < options.em_tolerance:
            converged = True
            break
    return shares, logs(), iterations, converged


def _em(
    levels: Mapping[str, I8],
    fields: Sequence[str],
    u: Mapping[str, FloatArray],
    m_start: Mapping[str, FloatArray],
    options: LinkOptions,
) -> tuple[dict[str, FloatArray], float, int, bool]:
    """One EM session: m and the match share of the session's pairs, with u fixed from
    random pairs (two classes: within a session blocked on one field, the other fields of
    different people agree about as often as in random pairs)."""
    names = [f for f in fields if f in levels]
    if not names:
        return {}, 0.0, 0, True
    patterns, counts = _pattern_table(levels, names)
    classes = [_class(names, names, names, m_start, u), _class(names, (), (), m_start, u)]
    shares = np.array([0.1, 0.9])
    shares, _, iterations, converged = _mixture(patterns, counts, names, classes, shares, options)
    return classes[0].dist, float(shares[0]), iterations, converged


# =========================================================================== the engine


def _session_pairs(
    fx: _Features, key: IntArray, options: LinkOptions, rng: np.random.Generator
) -> tuple[IntArray, IntArray, int]:
    """Pairs agreeing exactly on `key` (sampled down to `em_pairs`), and how many there were."""
    everyone = np.arange(fx.n, dtype=np.int64)
    codes, _ = _block(
        fx, _Pass("session", everyone[key >= 0], key[key >= 0]), 10 * options.max_block
    )
    total = len(codes)
    if total > options.em_pairs:
        codes = np.sort(rng.choice(codes, size=options.em_pairs, replace=False))
    return codes // fx.n, codes % fx.n, total


def _fit(
    fx: _Features, comparer: _Comparer, options: LinkOptions, rng: np.random.Generator
) -> tuple[Model, dict[str, FloatArray], dict[str, FloatArray]]:
    """Estimate u (random pairs) and m and the prior (EM sessions)."""
    sample = min(options.u_sample, max(100_000, 20 * fx.n))
    ri, rj = _random_pairs(fx, sample, rng)
    u = _u_probabilities(fx, comparer.levels(ri, rj))
    m_start = {f: np.r_[1.0, np.array(_M_START[f])] for f in fx.comparisons}

    plans: list[tuple[str, tuple[str, ...], IntArray]] = []
    if "birth_date" in fx.fields:
        plans.append(("birth_date", ("birth_date",), fx.full_date))
    if "given_names" in fx.fields and "family_name" in fx.fields:
        plans.append(
            (
                "names",
                ("given_names", "family_name"),
                _combine(fx.g1.astype(np.int64), fx.family.astype(np.int64)),
            )
        )
    if len(plans) < 2 and "postcode" in fx.fields:
        plans.append(("postcode", ("location",), fx.postcode.astype(np.int64)))
    if len(plans) < 2 and "identifier" in fx.fields:
        plans.append(("identifier", ("identifier",), fx.identifier.astype(np.int64)))

    sessions: list[_Session] = []
    for _label, blocked, key in plans:
        i, j, total = _session_pairs(fx, key, options, rng)
        if len(i) < 10:
            continue
        levels = comparer.levels(i, j)
        estimate = [f for f in fx.comparisons if f not in blocked]
        m, share, iterations, converged = _em(levels, estimate, u, m_start, options)
        sessions.append(_Session(blocked, tuple(estimate), m, share, total, iterations, converged))

    m_final: dict[str, FloatArray] = {}
    estimated: dict[str, bool] = {}
    for f in fx.comparisons:
        found = [(s.m[f], s.match_share * s.pairs) for s in sessions if f in s.m]
        if found:
            # The sessions' estimates, weighted by how many matches each saw.
            weights = np.array([w for _, w in found]) + 1e-9
            stacked = np.stack([mm for mm, _ in found])
            m_final[f] = (stacked * (weights / weights.sum())[:, None]).sum(axis=0)
            estimated[f] = True
        else:
            m_final[f] = m_start[f]
            estimated[f] = False
        m_final[f][0] = 1.0

    prior = _prior(fx, sessions, m_final)
    fields = tuple(
        FieldModel(
            f,
            LEVELS[f],
            tuple(float(x) for x in m_final[f]),
            tuple(float(x) for x in u[f]),
            estimated[f],
        )
        for f in fx.comparisons
    )
    model = Model(
        prior=prior,
        fields=fields,
        em_iterations=tuple(s.iterations for s in sessions),
        converged=all(s.converged for s in sessions),
    )
    return model, m_final, u


def _agreeing(name: str, m: FloatArray) -> float:
    """P(a match agrees exactly on a comparison): its exact level, or for `location` every
    level with the same postcode."""
    if name == "location":
        return float(
            sum(p for p, lv in zip(m, LEVELS[name], strict=True) if lv.startswith("same/"))
        )
    return float(m[LEVELS[name].index("exact")])


def _prior(fx: _Features, sessions: Sequence[_Session], m: Mapping[str, FloatArray]) -> float:
    """P(a random pair is a match): each session's expected matches, divided by the chance
    that a match agrees on the session's blocking fields (from the other sessions' m)."""
    total = _total_pairs(fx)
    if total == 0:
        return 0.5
    estimates: list[float] = []
    for session in sessions:
        agree = 1.0
        for f in session.blocked:
            agree *= _agreeing(f, m[f])
        matches = session.match_share * session.pairs / max(agree, 1e-6)
        if matches > 0:
            estimates.append(matches)
    if not estimates:
        matches = max(fx.n - fx.n_left if fx.link else fx.n, 1) * 0.1
    else:
        matches = math.exp(sum(math.log(e) for e in estimates) / len(estimates))
    return min(max(matches / total, 1.0 / total), 0.5)


#: Fewer candidate pairs than this are scored with the two-class model only.
THREE_CLASS_MIN_PAIRS = 1000


def _latent_classes(
    patterns: IntArray,
    counts: FloatArray,
    names: Sequence[str],
    m: Mapping[str, FloatArray],
    u: Mapping[str, FloatArray],
    share: float,
    options: LinkOptions,
) -> FloatArray:
    """Log-odds of a match per pattern under a latent-class model of the candidate pairs.

    Fellegi-Sunter assumes that, between different people, fields agree independently. Among
    candidate pairs they do not: the people of one household share a surname and an address,
    and blocking picked out people who share a name, or a birth date. So the non-matches are
    modelled as several classes (after Winkler's census work): one per entry of
    `NON_MATCH_CLASSES`, agreeing like matches on its shared comparisons (whose distributions
    EM re-estimates) and like random pairs elsewhere (fixed), and an "unrelated" class
    started from the random pairs' u and fully re-estimated. The match class keeps the m of
    the blocked EM sessions; every class share is estimated.
    """
    classes = [_class(names, (), (), m, u)]
    classes[0].dist = {f: m[f].copy() for f in names}
    for shared in NON_MATCH_CLASSES.values():
        if any(f in names for f in shared):
            classes.append(_class(names, shared, shared, m, u))
    classes.append(_class(names, (), names, m, u))
    shares = np.full(len(classes), (1.0 - share) * 0.05)
    shares[0] = share
    shares[-1] = 1.0 - shares[:-1].sum()
    _, logs, _, _ = _mixture(patterns, counts, names, classes, shares, options)
    rest = np.logaddexp.reduce(logs[1:], axis=0)
    return np.asarray(logs[0] - rest, dtype=np.float64)


#: The non-match classes of `_latent_classes` besides "unrelated": the comparisons each
#: class's pairs share although they are different people.
NON_MATCH_CLASSES: dict[str, tuple[str, ...]] = {
    "household": ("family_name", "location"),
    "namesakes": ("given_names", "family_name"),
    "born the same day": ("birth_date",),
}


def _term_frequency(
    fx: _Features, name: str, lv: I8, i: IntArray, u: FloatArray
) -> tuple[IntArray, FloatArray]:
    """Pairs agreeing exactly on a name or postcode, and log(u_exact / frequency of the
    value) for each: agreeing on a rare value is stronger evidence than on a common one."""
    if name == "location":
        codes = fx.postcode.astype(np.int64)
        found_u = _exact_u(fx, codes)
        exact_u = found_u[0] if found_u else 0.0
        levels = tuple(k for k, lv_name in enumerate(LEVELS[name]) if lv_name.startswith("same/"))
        hit = np.flatnonzero(np.isin(lv, levels) & (codes[i] >= 0))
    else:
        found = _exact_codes(fx, name)
        assert found is not None
        codes = found
        exact_level = LEVELS[name].index("exact")
        exact_u = float(u[exact_level])
        hit = np.flatnonzero(lv == exact_level)
    present = codes[codes >= 0]
    if len(hit) == 0 or len(present) == 0 or not exact_u:
        return hit[:0], np.zeros(0)
    # Value frequencies, shrunk towards the average (exact_u) by 100 records' worth of weight.
    counts = np.bincount(present).astype(np.float64)
    freq = (counts + TF_PSEUDO_RECORDS * exact_u) / (len(present) + TF_PSEUDO_RECORDS)
    return hit, np.log(exact_u / freq[codes[i[hit]]])


#: The weight, in records, of the average frequency against a value's own count.
TF_PSEUDO_RECORDS = 100.0


def link(
    left: Table,
    right: Table | None = None,
    *,
    options: LinkOptions | None = None,
    progress: Callable[[int], None] | None = None,
) -> LinkResult:
    """Link `left` to `right`, or deduplicate `left` when `right` is None.

    Returns the pairs whose match probability reaches `options.threshold`, as (left id, right
    id, probability) sorted by ids (for a deduplication, the smaller id first), with the
    fitted model and blocking figures. `progress` is called with 1 after each of `STEPS`
    stages. The result depends only on the records, not on their order.
    """
    options = options or LinkOptions()
    tick = progress or (lambda _n: None)
    tables = [left] if right is None else [left, right]
    fx = _Features(tables)
    tick(1)
    rng = np.random.default_rng(options.seed)
    comparer = _Comparer(fx, options.workers)

    per_pass: list[tuple[str, int]] = []
    skipped = 0
    chunks: list[IntArray] = []
    for p in _passes(fx):
        codes, too_big = _block(fx, p, options.max_block)
        per_pass.append((p.name, len(codes)))
        skipped += too_big
        chunks.append(codes)
    candidates = _distinct(np.concatenate(chunks)) if chunks else np.zeros(0, dtype=np.int64)
    blocking = BlockingStats(_total_pairs(fx), len(candidates), tuple(per_pass), skipped)
    tick(1)

    model, m, u = _fit(fx, comparer, options, rng)
    tick(1)

    # Compare in chunks, keeping only each pair's pattern code (4 bytes a pair).
    names = list(fx.comparisons)
    radix = np.array([len(LEVELS[f]) for f in names], dtype=np.int64)
    place = np.cumprod(np.r_[1, radix[:-1]])
    pattern_of = np.zeros(len(candidates), dtype=np.int32)
    for start in range(0, len(candidates), CHUNK_PAIRS):
        chunk = candidates[start : start + CHUNK_PAIRS]
        levels = comparer.levels(chunk // fx.n, chunk % fx.n)
        code = np.zeros(len(chunk), dtype=np.int64)
        for k, f in enumerate(names):
            code += levels[f].astype(np.int64) * place[k]
        pattern_of[start : start + len(chunk)] = code
    counts_all = np.bincount(pattern_of, minlength=int(np.prod(radix)))
    seen = np.flatnonzero(counts_all)
    patterns = (seen[:, None] // place[None, :]) % radix[None, :]
    counts = counts_all[seen].astype(np.float64)
    expected = model.prior * _total_pairs(fx)
    share = min(max(expected / max(len(candidates), 1), 1e-6), 0.9)
    if options.classes == 3 and counts.sum() >= THREE_CLASS_MIN_PAIRS:
        pattern_odds = _latent_classes(patterns, counts, names, m, u, share, options)
    else:
        prior = model.prior
        pattern_odds = np.full(len(patterns), math.log(prior / (1.0 - prior)))
        for k, name in enumerate(names):
            w = np.log(m[name] / u[name])
            w[0] = 0.0
            pattern_odds += w[patterns[:, k]]
    odds_of = np.zeros(len(counts_all))
    odds_of[seen] = pattern_odds
    tick(1)

    kept: list[tuple[IntArray, FloatArray]] = []
    for start in range(0, len(candidates), CHUNK_PAIRS):
        chunk = candidates[start : start + CHUNK_PAIRS]
        code = pattern_of[start : start + len(chunk)].astype(np.int64)
        log_odds = odds_of[code]
        i = chunk // fx.n
        for k, name in enumerate(names):
            if name in TF_FIELDS:
                lv = ((code // place[k]) % radix[k]).astype(np.int8)
                hit, adjust = _term_frequency(fx, name, lv, i, u[name])
                log_odds[hit] += adjust
        probability = 1.0 / (1.0 + np.exp(-np.clip(log_odds, -700, 700)))
        keep = np.flatnonzero(probability >= options.threshold)
        kept.append((chunk[keep], probability[keep]))
    ids = fx.ids
    pairs = [
        (ids[int(c // fx.n)], ids[int(c % fx.n)], float(p))
        for chunk_kept, probs in kept
        for c, p in zip(chunk_kept.tolist(), probs.tolist(), strict=True)
    ]
    pairs.sort(key=lambda p: (p[0], p[1]))
    tick(1)
    return LinkResult(pairs, model, blocking, dict(fx.unreadable))


#: Candidate pairs compared at a time (bounds the memory of comparing millions of pairs).
CHUNK_PAIRS = 1_000_000


#: The number of progress steps `link` reports.
STEPS = 5


def pair_metrics(
    found: Iterable[tuple[str, str]], truth: Iterable[tuple[str, str]]
) -> tuple[float, float, float]:
    """(precision, recall, F1) of found pairs against true pairs (unordered)."""
    f = {tuple(sorted(p)) for p in found}
    t = {tuple(sorted(p)) for p in truth}
    hits = len(f & t)
    precision = hits / len(f) if f else 1.0
    recall = hits / len(t) if t else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1
