"""Reads the dates people type: "2026-11-20", "yesterday", "3 days ago", "last friday"."""

from __future__ import annotations

import re
from datetime import date, timedelta
from enum import StrEnum

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "a couple of": 2, "couple of": 2, "two": 2, "three": 3,
    "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "a few": 3, "few": 3,
}  # fmt: skip
_UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}
_OLDEST = date(1900, 1, 1)

_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")
_AGO = re.compile(
    rf"^(\d+|{'|'.join(sorted(_NUMBERS, key=len, reverse=True))})\s+"
    r"(day|week|month|year)s?\s+ago$"
)
_WEEKDAY = re.compile(rf"^(?:on\s+|last\s+)?({'|'.join(_WEEKDAYS)})$")
_MONTH_NAMES = "|".join(m[:3] + r"[a-z]*" for m in _MONTHS)
# Ways of naming a day still to come: answered with "that's in the future".
_AHEAD = re.compile(
    rf"^(?:tomorrow|next\s+(?:week|month|year|{'|'.join(_WEEKDAYS)})|in\s+\w+\s+\w+)$"
)
_DAY_MONTH = re.compile(rf"^(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH_NAMES})\.?(?:,?\s+(\d{{4}}))?$")
_MONTH_DAY = re.compile(rf"^({_MONTH_NAMES})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?$")


class DateProblem(StrEnum):
    UNREADABLE = "unreadable"
    FUTURE = "future"
    TOO_OLD = "too_old"


def parse_past_date(text: str, today: date) -> date | DateProblem:
    """Reads a day in the past (today included) from what someone typed."""
    cleaned = " ".join(text.lower().replace(",", ", ").split()).strip(" .!")
    if _AHEAD.match(cleaned):
        return DateProblem.FUTURE
    found = _parse(cleaned, today)
    if found is None:
        return DateProblem.UNREADABLE
    if found > today:
        return DateProblem.FUTURE
    if found < _OLDEST:
        return DateProblem.TOO_OLD
    return found


def _parse(text: str, today: date) -> date | None:
    relative = {
        "today": 0, "tonight": 0, "this morning": 0, "yesterday": 1,
        "the day before yesterday": 2, "day before yesterday": 2,
        "last week": 7, "a week ago": 7, "last month": 30,
    }  # fmt: skip
    if text in relative:
        return today - timedelta(days=relative[text])
    if match := _AGO.match(text):
        count = int(match[1]) if match[1].isdecimal() else _NUMBERS[match[1]]
        try:
            return today - timedelta(days=count * _UNIT_DAYS[match[2]])
        except OverflowError:
            return date.min
    if match := _WEEKDAY.match(text):
        back = (today.weekday() - _WEEKDAYS.index(match[1])) % 7 or 7
        return today - timedelta(days=back)
    if match := _ISO.match(text):
        return _date(int(match[1]), int(match[2]), int(match[3]))
    if match := _DAY_FIRST.match(text):
        return _date(int(match[3]), int(match[2]), int(match[1]))
    if match := _DAY_MONTH.match(text):
        return _named(match[2], int(match[1]), match[3], today)
    if match := _MONTH_DAY.match(text):
        return _named(match[1], int(match[2]), match[3], today)
    return None


def _named(month_name: str, day: int, year: str | None, today: date) -> date | None:
    month = next(i for i, m in enumerate(_MONTHS, 1) if m.startswith(month_name[:3]))
    if year is not None:
        return _date(int(year), month, day)
    # Without a year people mean the most recent such day.
    found = _date(today.year, month, day)
    if found is not None and found > today:
        found = _date(today.year - 1, month, day)
    return found


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
