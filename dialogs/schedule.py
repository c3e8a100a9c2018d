"""When reminders go out: the user's timezone, their delivery window, and typed times.

All instants are aware datetimes; wall-clock reasoning happens in the user's
IANA timezone (zoneinfo), so a DST change neither skips nor doubles a reminder:
a reminder is one instant, and "09:00 on Sunday" is computed for that Sunday.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from dialogs.model import Preferences

MAX_AHEAD = timedelta(days=2 * 365)
_UNITS = {
    "minute": timedelta(minutes=1),
    "min": timedelta(minutes=1),
    "hour": timedelta(hours=1),
    "hr": timedelta(hours=1),
    "day": timedelta(days=1),
    "week": timedelta(weeks=1),
    "month": timedelta(days=30),
    "year": timedelta(days=365),
}
_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "ten": 10}
_COUNT = rf"(?P<count>[-+]?\d+|{'|'.join(_WORDS)})"
_IN = re.compile(
    rf"^(?P<name>.*?)\s*\bin\s+{_COUNT}\s*(?P<unit>{'|'.join(_UNITS)})s?\.?$", re.IGNORECASE
)
_TIME = r"(?:\s+(?:at\s+)?(?P<time>\d{1,2}[:.]\d{2}))?"
_ON = re.compile(
    rf"^(?P<name>.*?)\s*\b(?:on\s+)?(?P<date>\d{{4}}-\d{{1,2}}-\d{{1,2}}){_TIME}$", re.IGNORECASE
)
_TOMORROW = re.compile(rf"^(?P<name>.*?)\s*\btomorrow{_TIME}$", re.IGNORECASE)


class WhenProblem(StrEnum):
    UNREADABLE = "unreadable"
    PAST = "past"
    TOO_FAR = "too_far"
    BAD_DATE = "bad_date"


@dataclass(frozen=True, slots=True)
class When:
    """A typed time: the instant, and the words before it (a hero's name, maybe)."""

    due_at: datetime
    prefix: str


def zone(prefs: Preferences) -> ZoneInfo:
    return ZoneInfo(prefs.timezone)


def window_opening(day: date, prefs: Preferences) -> datetime:
    """Returns the instant the user's delivery window opens on a local day."""
    return datetime.combine(day, prefs.window_start, tzinfo=zone(prefs)).astimezone(UTC)


def in_window(instant: datetime, prefs: Preferences) -> bool:
    wall = instant.astimezone(zone(prefs)).time()
    return prefs.window_start <= wall < prefs.window_end


def deliverable_at(instant: datetime, prefs: Preferences) -> datetime:
    """Returns `instant` if it falls in the delivery window, else when the window next opens."""
    local = instant.astimezone(zone(prefs))
    if local.time() < prefs.window_start:
        return window_opening(local.date(), prefs)
    if local.time() >= prefs.window_end:
        return window_opening(local.date() + timedelta(days=1), prefs)
    return instant


def days_ahead(now: datetime, days: int, prefs: Preferences) -> datetime:
    """Returns the window opening `days` local days from now: day-level reminders share it."""
    return window_opening(now.astimezone(zone(prefs)).date() + timedelta(days=days), prefs)


def parse_when(text: str, now: datetime, prefs: Preferences) -> When | WhenProblem:
    """Reads "in 10 days", "in 2 hours", "on 2026-12-03 10:00", "tomorrow", "2026-12-03".

    Minutes and hours are exact; days and longer land at the opening of the user's
    delivery window that day; a date without a time likewise.
    """
    text = " ".join(text.split())
    if match := _IN.match(text):
        raw = match["count"].lower()
        count = _WORDS[raw] if raw in _WORDS else int(raw)
        if count <= 0:
            return WhenProblem.PAST
        unit = _UNITS[match["unit"].lower()]
        if unit * min(count, 10**6) > MAX_AHEAD:
            return WhenProblem.TOO_FAR
        if unit < timedelta(days=1):
            return When(now + unit * count, match["name"].strip())
        return _checked(days_ahead(now, (unit * count).days, prefs), now, match["name"])
    if match := _ON.match(text):
        try:
            day = date.fromisoformat(_iso(match["date"]))
        except ValueError:
            return WhenProblem.BAD_DATE
        return _at(day, match["time"], now, prefs, match["name"])
    if match := _TOMORROW.match(text):
        tomorrow = now.astimezone(zone(prefs)).date() + timedelta(days=1)
        return _at(tomorrow, match["time"], now, prefs, match["name"])
    return WhenProblem.UNREADABLE


def _iso(text: str) -> str:
    year, month, day = text.split("-")
    return f"{year}-{int(month):02d}-{int(day):02d}"


def _at(
    day: date, clock: str | None, now: datetime, prefs: Preferences, prefix: str
) -> When | WhenProblem:
    if clock is None:
        return _checked(window_opening(day, prefs), now, prefix)
    hours, minutes = (int(part) for part in re.split(r"[:.]", clock))
    if hours > 23 or minutes > 59:
        return WhenProblem.UNREADABLE
    local = datetime.combine(day, time(hours, minutes), tzinfo=zone(prefs))
    return _checked(local.astimezone(UTC), now, prefix)


def _checked(due_at: datetime, now: datetime, prefix: str) -> When | WhenProblem:
    if due_at <= now:
        return WhenProblem.PAST
    if due_at - now > MAX_AHEAD:
        return WhenProblem.TOO_FAR
    return When(due_at, prefix.strip())


# --- reading a timezone or a window the user types -------------------------------

_OFFSET = re.compile(r"^(?:utc|gmt)?\s*(?P<sign>[+-])\s*(?P<hours>\d{1,2})(?::?(?P<minutes>00))?$")
_WINDOW = re.compile(
    r"^(?P<h1>\d{1,2})(?:[:.](?P<m1>\d{2}))?\s*(?:-|–|to)\s*(?P<h2>\d{1,2})(?:[:.](?P<m2>\d{2}))?$"
)


def find_timezone(text: str) -> str | None:
    """Finds an IANA zone from a name ("Europe/Berlin"), a city ("new york") or "UTC+13"."""
    cleaned = " ".join(text.strip().split())
    if not cleaned or len(cleaned) > 64:
        return None
    if cleaned.lower() in {"utc", "gmt", "z"}:
        return "UTC"
    if match := _OFFSET.match(cleaned.lower()):
        hours = int(match["hours"])
        if hours > 14:
            return None
        # POSIX-style names: Etc/GMT-13 is UTC+13.
        return "UTC" if hours == 0 else f"Etc/GMT{'-' if match['sign'] == '+' else '+'}{hours}"
    try:
        ZoneInfo(cleaned)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        pass
    else:
        if "/" in cleaned or cleaned.upper() == cleaned:
            return cleaned
    city = cleaned.lower().replace(" ", "_")
    matches = sorted(z for z in available_timezones() if z.lower().rsplit("/", 1)[-1] == city)
    return matches[0] if matches else None


def parse_window(text: str) -> tuple[time, time] | None:
    """Reads "9-20", "08:30 to 22:00", "9:00–17:30"; the end must come after the start."""
    match = _WINDOW.match(text.strip().lower())
    if match is None:
        return None
    h1, h2 = int(match["h1"]), int(match["h2"])
    m1, m2 = int(match["m1"] or 0), int(match["m2"] or 0)
    if h2 == 24 and m2 == 0:
        h2, m2 = 23, 59
    if h1 > 23 or h2 > 23:
        return None
    start, end = time(h1, m1), time(h2, m2)
    return (start, end) if start < end else None
