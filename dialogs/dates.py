"""Reads the dates people type: "yesterday", "last friday", "in a fortnight", "early February".

dateparser does the reading (English only: every word the coach says is English). This
module adds what it lacks or gets wrong for a chat: "early/mid/late February", a bare
"at 10" read as a clock time, "9.30" after a day, and day/month order. "03/04" is
3 April in most of the world and March 4 in the United States: the order follows the
country of the user's timezone (from the zone table that tzdata ships), and where that
doesn't tell (UTC, an offset, a country of mixed habits) the coach asks instead of
guessing. dateparser is imported on first use, so start-up doesn't pay for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from dateparser.date import DateDataParser

_OLDEST = date(1900, 1, 1)
_LONGEST = 100  # characters; longer answers are stories, not dates
_MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
_MONTH = rf"(?P<month>(?:{'|'.join(m[:3] for m in _MONTHS)})[a-z]*\.?)"
# Part of a month -> the day that stands for it: a reminder for "early February" comes
# on its first day, one for "late February" still well inside it.
_PARTS = {
    "early": 1, "beginning of": 1, "the beginning of": 1, "start of": 1, "the start of": 1,
    "mid": 15, "mid-": 15, "middle of": 15, "the middle of": 15,
    "late": 25, "end of": 25, "the end of": 25,
}  # fmt: skip
_PART_NAMES = "|".join(sorted(map(re.escape, _PARTS), key=len, reverse=True))
_PART_OF_MONTH = re.compile(
    rf"^(?:(?:in|on|at)\s+)?(?P<part>{_PART_NAMES})"
    rf"\s*{_MONTH}(?P<year>\s+\d{{4}})?$"
)
_BARE_HOUR = re.compile(r"\bat\s+(\d{1,2})(?![\d:.]|\s*(?:a\.?m|p\.?m|o'?clock|h\b))")
_DOTTED_TIME = re.compile(r"(?<=[a-z]\s)(\d{1,2})\.(\d{2})$")
_NUMERIC = re.compile(r"^(?:on\s+)?(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2}|\d{4}))?\.?$")
_DAY_TALK = {"this morning": "today", "last month": "a month ago"}
_COUNTS = re.compile(r"\b(?:a\s+)?couple(?:\s+of)?\b|\b(?:a\s+)?few\b")
# Countries whose people write the month first (zone.tab country codes): the US and
# its territories, the Freely Associated States, the Philippines, Belize, and the
# East Asian year-month-day writers.
_MONTH_FIRST = {"US", "PR", "GU", "VI", "AS", "MP", "UM", "FM", "MH", "PW", "PH", "BZ"}
_MONTH_FIRST |= {"CN", "JP", "KR", "TW"}
_MIXED = {"CA"}  # both orders are common: ask


# A season stands for its middle month's 15th (the northern year: "last winter" is the
# January before), and Christmas for the 25th of December.
_SEASONS = {"spring": 4, "summer": 7, "autumn": 10, "fall": 10, "winter": 1, "christmas": 12}
_SEASON = re.compile(
    r"^(?:(?:back )?(?:in|during|over|at|around) )?(?:the )?(?:(?P<which>last|this|past) )?"
    r"(?P<season>spring|summer|autumn|fall|winter|christmas)(?: (?:of )?(?P<year>\d{4}))?$"
)
# A year alone ("back in 2023") stands for its middle, or today when that is still ahead.
_YEAR = re.compile(r"^(?:(?:back )?in )?(?P<year>(?:19|20)\d{2})$")


class DateProblem(StrEnum):
    UNREADABLE = "unreadable"
    FUTURE = "future"
    TOO_OLD = "too_old"
    AMBIGUOUS = "ambiguous"  # "03/04" where the user's country doesn't tell the order


@dataclass(frozen=True, slots=True)
class Reading:
    """A day someone typed, and the clock time if they named one."""

    day: date
    clock: time | None


def parse_past_date(text: str, today: date, timezone: str = "UTC") -> date | DateProblem:
    """Reads a day in the past (today included) from what someone typed."""
    found = read_date(text, datetime.combine(today, time(12)), "past", timezone)
    if isinstance(found, DateProblem):
        return found
    if found.day > today:
        return DateProblem.FUTURE
    if found.day < _OLDEST:
        return DateProblem.TOO_OLD
    return found.day


def read_date(
    text: str, now: datetime, prefer: Literal["past", "future"], timezone: str
) -> Reading | DateProblem:
    """Reads a day (and maybe a time) relative to `now`, a naive local wall-clock time.

    `prefer` settles a day named without its year or week ("February 2", "tuesday").
    Returns UNREADABLE or AMBIGUOUS, never FUTURE or TOO_OLD: the caller judges those.
    """
    cleaned = _clean(text)
    if season := _SEASON.match(cleaned):
        return Reading(_season_day(season, now.date(), prefer), None)
    if (year := _YEAR.match(cleaned)) and prefer == "past":
        return Reading(min(date(int(year["year"]), 7, 1), now.date()), None)
    if not cleaned or len(cleaned) > _LONGEST or cleaned.isdecimal():
        # A bare number ("3") answers some other question; it is no date.
        return DateProblem.UNREADABLE
    match = _NUMERIC.match(cleaned)
    order = _order(int(match[1]), int(match[2]), timezone) if match else "DMY"
    if order is None:
        return DateProblem.AMBIGUOUS
    try:
        data = _parser(now, prefer, order).get_date_data(cleaned)
    except (OverflowError, ValueError):
        return DateProblem.UNREADABLE
    found = data.date_obj
    if found is None:
        return DateProblem.UNREADABLE
    if match and _numbers(found, order) != (int(match[1]), int(match[2])):
        # dateparser falls back to other readings ("13/13" as a month and a year).
        return DateProblem.UNREADABLE
    clock = found.time() if data.period in ("time", "part_of_day") else None
    return Reading(found.date(), clock)


def _season_day(found: re.Match[str], today: date, prefer: str) -> date:
    """The day that stands for a season: of the year named, else the nearest one on the
    side `prefer` says ("last spring" is always a year back when it is spring now)."""
    month = _SEASONS[found["season"]]
    day = 25 if found["season"] == "christmas" else 15
    if found["year"]:
        return date(int(found["year"]), month, day)
    this_year = date(today.year, month, day)
    if prefer == "past":
        if found["which"] == "last" and this_year.year == today.year and _in_season(month, today):
            return date(today.year - 1, month, day)
        return this_year if this_year <= today else date(today.year - 1, month, day)
    return this_year if this_year >= today else date(today.year + 1, month, day)


def _in_season(month: int, today: date) -> bool:
    return abs(today.month - month) <= 1


def _order(first: int, second: int, timezone: str) -> str | None:
    """dateparser's DATE_ORDER for "first/second", or None when only the user can tell."""
    if second > 12 or first == second:
        return "MDY" if first <= 12 else "DMY"  # an impossible date stays impossible
    if first > 12:
        return "DMY"
    country = _country(timezone)
    if country is None or country in _MIXED:
        return None
    return "MDY" if country in _MONTH_FIRST else "DMY"


def _numbers(found: datetime, order: str) -> tuple[int, int]:
    return (found.month, found.day) if order == "MDY" else (found.day, found.month)


def _clean(text: str) -> str:
    cleaned = " ".join(text.lower().replace(",", " ").split()).strip(" .!?")
    cleaned = _DAY_TALK.get(cleaned, cleaned)
    cleaned = _COUNTS.sub(lambda m: "3" if "few" in m[0] else "2", cleaned)
    if match := _PART_OF_MONTH.match(cleaned):
        cleaned = f"{_PARTS[match['part']]} {match['month'].rstrip('.')}{match['year'] or ''}"
    cleaned = _BARE_HOUR.sub(r"at \1:00", cleaned)
    return _DOTTED_TIME.sub(r"\1:\2", cleaned)


def _parser(now: datetime, prefer: str, order: str) -> DateDataParser:
    # The relative base is a setting, so each reading gets its own parser; the
    # language data behind it is loaded once and cached by dateparser.
    from dateparser.date import DateDataParser  # noqa: PLC0415 (lazy: start-up)

    return DateDataParser(
        languages=["en"],
        settings={
            "RELATIVE_BASE": now,
            "PREFER_DATES_FROM": prefer,
            "DATE_ORDER": order,
            "RETURN_TIME_AS_PERIOD": True,
        },
    )


def _country(timezone: str) -> str | None:
    """The country code of an IANA zone, from tzdata's zone.tab; None for UTC and offsets."""
    return _zone_countries().get(timezone)


@cache
def _zone_countries() -> dict[str, str]:
    table = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text("utf-8")
    countries = {}
    for line in table.splitlines():
        if line and not line.startswith("#"):
            code, _coordinates, zone, *_ = line.split("\t")
            countries[zone] = code
    return countries
