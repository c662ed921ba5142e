"""Tests for genogram.dates: the date forms found in council records and case notes."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from genogram.dates import MIN_YEAR, SWAPPED, ParsedDate, parse_date
from genogram.model import PartialDate

TODAY = date(2025, 6, 30)


def pd(
    year: int, month: int | None = None, day: int | None = None, approx: bool = False
) -> PartialDate:
    return PartialDate(year, month, day, approx)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1994-07-02", pd(1994, 7, 2)),
        ("1994-07", pd(1994, 7)),
        ("1994", pd(1994)),
        ("1990~", pd(1990, approx=True)),
        ("1990-07~", pd(1990, 7, approx=True)),
        ("1994-7-2", pd(1994, 7, 2)),
        ("02/07/1994", pd(1994, 7, 2)),
        ("2/7/1994", pd(1994, 7, 2)),
        ("02-07-1994", pd(1994, 7, 2)),
        ("2.7.1994", pd(1994, 7, 2)),
        ("2 July 1994", pd(1994, 7, 2)),
        ("2nd July 1994", pd(1994, 7, 2)),
        ("02 jul 1994", pd(1994, 7, 2)),
        ("July 2, 1994", pd(1994, 7, 2)),
        ("July 1994", pd(1994, 7)),
        ("Jul 1994", pd(1994, 7)),
        ("Sept 1994", pd(1994, 9)),
        ("DECEMBER 2001", pd(2001, 12)),
        ("c. 1960", pd(1960, approx=True)),
        ("c.1960", pd(1960, approx=True)),
        ("c1960", pd(1960, approx=True)),
        ("ca 1960", pd(1960, approx=True)),
        ("circa 1960", pd(1960, approx=True)),
        ("about 1960", pd(1960, approx=True)),
        ("approx 1960", pd(1960, approx=True)),
        ("approx. 1960", pd(1960, approx=True)),
        ("Approximately 1960", pd(1960, approx=True)),
        ("c. March 1961", pd(1961, 3, approx=True)),
        ("  1994-07-02  ", pd(1994, 7, 2)),
        ("2025-06-30", pd(2025, 6, 30)),
        ("02-Jul-1994", pd(1994, 7, 2)),
        ("2/Jul/1994", pd(1994, 7, 2)),
        ("1994-07-02T00:00:00", pd(1994, 7, 2)),
        ("1994-07-02 00:00:00.000", pd(1994, 7, 2)),
        ("02/07/1994 00:00", pd(1994, 7, 2)),
    ],
)
def test_accepted_forms(text: str, expected: PartialDate) -> None:
    assert parse_date(text, today=TODAY) == ParsedDate(expected, None)


def test_ambiguous_slash_date_is_read_day_first() -> None:
    # 12/01/2011 could be 12 January or 1 December: UK systems mean 12 January.
    assert parse_date("12/01/2011", today=TODAY) == ParsedDate(pd(2011, 1, 12), None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("11/25/2011", pd(2011, 11, 25)),
        ("3/25/1988", pd(1988, 3, 25)),
        ("1-13-2000", pd(2000, 1, 13)),
    ],
)
def test_month_first_date_is_read_with_a_warning(text: str, expected: PartialDate) -> None:
    result = parse_date(text, today=TODAY)
    assert result.value == expected
    assert result.warning == SWAPPED == "day and month swapped"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("31/02/2000", "day out of range"),
        ("29/02/2001", "day out of range"),
        ("2000-13-01", "month out of range"),
        ("13/13/2000", "month out of range"),
        ("00/05/2000", "day out of range"),
        ("1849", "before 1850"),
        ("01/01/1700", "before 1850"),
        ("2025-07-01", "future"),
        ("2026", "future"),
        ("12/01/11", "four digits"),
        ("", "empty"),
        ("   ", "empty"),
        ("yesterday", "not a recognised date"),
        ("c.", "not a recognised date"),
        ("32 Smarch 1990", "unknown month"),
        ("1994-07-02-01", "not a recognised date"),
        ("00:00", "not a recognised date"),
        ("1994 12:00", "not a recognised date"),
        pytest.param("1-1-" + "1" * 100_000 + " 00:00", "too long", id="very-long"),
    ],
)
def test_rejected_forms(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason) as info:
        parse_date(text, today=TODAY)
    if text.strip():
        assert text.strip()[:20] not in str(info.value)  # the reason never echoes the value


def test_leap_day_is_accepted() -> None:
    assert parse_date("29/02/2000", today=TODAY).value == pd(2000, 2, 29)


def test_today_defaults_to_the_system_date() -> None:
    assert parse_date(date.today().isoformat()).value.earliest() == date.today()
    with pytest.raises(ValueError, match="future"):
        parse_date(f"{date.today().year + 1}")


def test_min_year_boundary() -> None:
    assert parse_date(str(MIN_YEAR), today=TODAY).value == pd(MIN_YEAR)


valid_dates = st.dates(min_value=date(MIN_YEAR, 1, 1), max_value=TODAY)


@given(valid_dates)
def test_iso_round_trip(value: date) -> None:
    result = parse_date(value.isoformat(), today=TODAY)
    assert result == ParsedDate(pd(value.year, value.month, value.day), None)
    assert result.value.iso() == value.isoformat()


@given(valid_dates, st.sampled_from(["/", "-", "."]), st.booleans())
def test_uk_day_first_round_trip(value: date, sep: str, padded: bool) -> None:
    day, month = (
        (f"{value.day:02d}", f"{value.month:02d}") if padded else (str(value.day), str(value.month))
    )
    result = parse_date(f"{day}{sep}{month}{sep}{value.year}", today=TODAY)
    assert result.value.earliest() == value
    assert result.value.day == value.day and result.value.month == value.month
    assert result.warning is None


@given(valid_dates)
def test_written_month_round_trip(value: date) -> None:
    text = value.strftime("%d %B %Y")
    assert parse_date(text, today=TODAY).value.earliest() == value
    assert parse_date(value.strftime("%b %Y"), today=TODAY).value == pd(value.year, value.month)


@given(valid_dates.filter(lambda d: d.day > 12))
def test_month_first_round_trip_with_warning(value: date) -> None:
    result = parse_date(f"{value.month}/{value.day}/{value.year}", today=TODAY)
    assert result.value.earliest() == value
    assert result.warning == SWAPPED


@given(st.text(max_size=40))
def test_arbitrary_text_only_raises_value_error(text: str) -> None:
    try:
        result = parse_date(text, today=TODAY)
    except ValueError:
        return
    assert MIN_YEAR <= result.value.year <= TODAY.year
    assert result.value.earliest() <= TODAY


@given(st.text(alphabet="0123456789/-.~ cajulyprxomstbhn,", max_size=20))
def test_date_like_text_only_raises_value_error(text: str) -> None:
    try:
        result = parse_date(text, today=TODAY)
    except ValueError:
        return
    assert PartialDate.from_iso(result.value.iso()) == result.value
