"""Reading the dates people actually write in council records and case notes.

Pure functions, no I/O. Accepted forms (case-insensitive, surrounding spaces ignored):

- ISO 8601 / EDTF: ``1994-07-02``, ``1994-07``, ``1994``, with ``~`` for approximate (``1990~``);
- UK day-first numeric: ``02/07/1994``, ``2/7/1994``, ``2-7-1994``, ``2.7.1994``;
- written: ``2 July 1994``, ``2nd Jul 1994``, ``02-Jul-1994``, ``July 1994``, ``Sept 1994``;
- a time of day after a full date, as database and spreadsheet exports add it, is ignored
  (``1994-07-02T00:00:00``, ``02/07/1994 00:00``);
- approximate: ``c. 1960``, ``c1960``, ``circa 1960``, ``about 1960``, ``approx 1960``,
  ``approximately 1960``, ``around 1960`` (the prefix works with every form above).

Ambiguous numeric dates such as ``12/01/2011`` are read UK day-first (12 January 2011): that is
the convention of the systems this tool reads. Only when the second number cannot be a month
and the first can (``11/25/2011``) is the date read month-first, with the warning
``day and month swapped`` so that a person can check it.

Rejected with ValueError (a short reason that never repeats the text): empty text, impossible
dates (``31/02/2000``, month 13), two-digit years, years before 1850, and dates after `today`.
Callers treat an empty cell as "missing" before calling `parse_date`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from genogram.model import PartialDate

#: The earliest year accepted: older dates in children's records are typing mistakes.
MIN_YEAR = 1850

_MAX_LENGTH = 64

#: The warning attached to a month-first numeric date.
SWAPPED = "day and month swapped"

_MONTHS: dict[str, int] = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
}
_MONTH_LOOKUP: dict[str, int] = {}
for _name, _number in _MONTHS.items():
    _MONTH_LOOKUP[_name] = _number
    _MONTH_LOOKUP[_name[:3]] = _number
_MONTH_LOOKUP["sept"] = 9

_A = re.ASCII | re.IGNORECASE
_APPROX_PREFIX = re.compile(
    r"^(?:(?:approximately|approx|circa|around|about)\.?\s*|(?:ca|c)(?:\.\s*|\s+|(?=[0-9])))",
    _A,
)
_ISO_FORM = re.compile(r"^([0-9]{4})(?:-([0-9]{1,2})(?:-([0-9]{1,2}))?)?$", _A)
_NUMERIC = re.compile(r"^([0-9]{1,2})([/.\-])([0-9]{1,2})\2([0-9]+)$", _A)
_DAY_MONTH_YEAR = re.compile(
    r"^([0-9]{1,2})(?:st|nd|rd|th)?(?:\s+|[-/])([a-z]+)\.?,?(?:\s+|[-/])([0-9]+)$", _A
)
_WITH_TIME = re.compile(
    r"^(.*[0-9][-/.][0-9]{1,2}[-/.][0-9]+)(?:T|\s+)[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?Z?$",
    _A,
)
_MONTH_DAY_YEAR = re.compile(r"^([a-z]+)\.?\s+([0-9]{1,2})(?:st|nd|rd|th)?,?\s+([0-9]+)$", _A)
_MONTH_YEAR = re.compile(r"^([a-z]+)\.?,?\s+([0-9]+)$", _A)


@dataclass(frozen=True)
class ParsedDate:
    """A date read from text, with a warning when the reading needed a guess."""

    value: PartialDate
    warning: str | None = None


def _year(text: str) -> int:
    if len(text) != 4:
        raise ValueError("the year must have four digits")
    return int(text)


def _month(text: str) -> int:
    number = _MONTH_LOOKUP.get(text.casefold())
    if number is None:
        raise ValueError("unknown month name")
    return number


def _parse_exact(text: str) -> ParsedDate:
    """Parse one form without any approximation marker."""
    m = _ISO_FORM.match(text)
    if m:
        year, month, day = m.groups()
        return ParsedDate(
            PartialDate(int(year), int(month) if month else None, int(day) if day else None)
        )
    m = _NUMERIC.match(text)
    if m:
        first, _sep, second, year_text = m.groups()
        year = _year(year_text)
        a, b = int(first), int(second)
        if b > 12 and 1 <= a <= 12:
            return ParsedDate(PartialDate(year, a, b), SWAPPED)
        return ParsedDate(PartialDate(year, b, a))
    m = _DAY_MONTH_YEAR.match(text)
    if m:
        day, month, year_text = m.groups()
        return ParsedDate(PartialDate(_year(year_text), _month(month), int(day)))
    m = _MONTH_DAY_YEAR.match(text)
    if m:
        month, day, year_text = m.groups()
        return ParsedDate(PartialDate(_year(year_text), _month(month), int(day)))
    m = _MONTH_YEAR.match(text)
    if m:
        month, year_text = m.groups()
        return ParsedDate(PartialDate(_year(year_text), _month(month)))
    raise ValueError("not a recognised date")


def parse_date(text: str, *, today: date | None = None) -> ParsedDate:
    """Read a full, partial or approximate date written in any of the module's forms.

    Raises ValueError with a short reason (never the text itself) when the text is not a
    date, is impossible, is before `MIN_YEAR` or is after `today` (default: the system date).
    """
    if len(text) > _MAX_LENGTH:
        raise ValueError("too long to be a date")
    cleaned = " ".join(text.split())
    if not cleaned:
        raise ValueError("empty date")
    timed = _WITH_TIME.match(cleaned)
    if timed:
        cleaned = timed.group(1)
    approximate = False
    if cleaned.endswith("~"):
        approximate = True
        cleaned = cleaned[:-1].rstrip()
    m = _APPROX_PREFIX.match(cleaned)
    if m:
        approximate = True
        cleaned = cleaned[m.end() :]
    if not cleaned:
        raise ValueError("not a recognised date")
    parsed = _parse_exact(cleaned)
    value = parsed.value
    if approximate:
        value = PartialDate(value.year, value.month, value.day, approximate=True)
    if value.year < MIN_YEAR:
        raise ValueError(f"year before {MIN_YEAR}")
    limit = today if today is not None else date.today()
    if value.earliest() > limit:
        raise ValueError("date is in the future")
    return ParsedDate(value, parsed.warning)
