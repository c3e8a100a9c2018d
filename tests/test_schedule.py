"""Timezones, delivery windows and DST nights, with real IANA zones."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from dialogs.model import Preferences
from dialogs.schedule import (
    When,
    WhenProblem,
    days_ahead,
    deliverable_at,
    find_timezone,
    in_window,
    parse_when,
    parse_window,
)

TONGA = Preferences(timezone="Pacific/Tongatapu")  # UTC+13
HONOLULU = Preferences(timezone="Pacific/Honolulu")  # UTC-10
BERLIN = Preferences(timezone="Europe/Berlin")
NEW_YORK = Preferences(timezone="America/New_York")


def local(prefs: Preferences, *args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(prefs.timezone))  # type: ignore[misc]


@pytest.mark.parametrize("prefs", [TONGA, HONOLULU])
def test_the_window_is_the_users_own_local_time(prefs: Preferences) -> None:
    assert in_window(local(prefs, 2026, 11, 26, 9, 0), prefs)
    assert in_window(local(prefs, 2026, 11, 26, 19, 59), prefs)
    assert not in_window(local(prefs, 2026, 11, 26, 20, 0), prefs)
    assert not in_window(local(prefs, 2026, 11, 26, 8, 59), prefs)


def test_utc_plus_13_and_utc_minus_10_get_the_same_local_opening() -> None:
    # 01:00 on the 27th in Tonga, 02:00 on the 26th in Honolulu: "tomorrow" differs.
    now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    tonga = days_ahead(now, 1, TONGA)
    honolulu = days_ahead(now, 1, HONOLULU)
    assert tonga.astimezone(ZoneInfo(TONGA.timezone)) == local(TONGA, 2026, 11, 28, 9, 0)
    assert honolulu.astimezone(ZoneInfo(HONOLULU.timezone)) == local(HONOLULU, 2026, 11, 27, 9, 0)
    assert tonga == datetime(2026, 11, 27, 20, 0, tzinfo=UTC)
    assert honolulu == datetime(2026, 11, 27, 19, 0, tzinfo=UTC)


def test_a_time_before_or_after_the_window_waits_for_its_opening() -> None:
    early = local(BERLIN, 2026, 11, 26, 6, 30)
    late = local(BERLIN, 2026, 11, 26, 22, 15)
    inside = local(BERLIN, 2026, 11, 26, 12, 0)
    assert deliverable_at(early, BERLIN) == local(BERLIN, 2026, 11, 26, 9, 0)
    assert deliverable_at(late, BERLIN) == local(BERLIN, 2026, 11, 27, 9, 0)
    assert deliverable_at(inside, BERLIN) == inside


def test_spring_forward_neither_skips_nor_moves_the_morning_reminder() -> None:
    # 2027-03-28: Berlin jumps from 02:00 to 03:00.
    night = local(BERLIN, 2027, 3, 27, 23, 0)
    due = days_ahead(night.astimezone(UTC), 1, BERLIN)
    assert due.astimezone(ZoneInfo(BERLIN.timezone)).time() == time(9, 0)
    assert due == datetime(2027, 3, 28, 7, 0, tzinfo=UTC)  # 09:00 CEST
    # A window that opens inside the missing hour opens at the first real moment.
    small_hours = Preferences(BERLIN.timezone, time(2, 30), time(6, 0))
    opening = days_ahead(night.astimezone(UTC), 1, small_hours)
    assert opening.astimezone(ZoneInfo(BERLIN.timezone)).hour == 3
    assert in_window(opening, small_hours)


def test_fall_back_sends_a_reminder_in_the_repeated_hour_once() -> None:
    # 2026-11-01 in New York: at 02:00 EDT the clocks go back to 01:00 EST.
    window = Preferences(NEW_YORK.timezone, time(0, 30), time(6, 0))
    first = datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT
    second = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # 01:30 EST, an hour later
    assert in_window(first, window)
    assert in_window(second, window)
    # A reminder is one instant: the repeated hour can't make it due twice.
    reminder = parse_when("on 2026-11-01 01:30", datetime(2026, 10, 31, tzinfo=UTC), window)
    assert isinstance(reminder, When)
    assert reminder.due_at == first
    assert deliverable_at(reminder.due_at, window) == first


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("in -3 days", WhenProblem.PAST),
        ("in 0 minutes", WhenProblem.PAST),
        ("on 2025-02-30", WhenProblem.BAD_DATE),
        ("in 500 years", WhenProblem.TOO_FAR),
        ("in 99999999999999999999 days", WhenProblem.TOO_FAR),
        ("on 2029-01-01", WhenProblem.TOO_FAR),
        ("when the moon is full", WhenProblem.UNREADABLE),
        ("on 2026-12-03 25:00", WhenProblem.UNREADABLE),
        ("", WhenProblem.UNREADABLE),
    ],
)
def test_unusable_times_are_named(text: str, problem: WhenProblem) -> None:
    assert parse_when(text, datetime(2026, 11, 26, 15, tzinfo=UTC), BERLIN) == problem


def test_hours_are_exact_and_days_land_on_the_window_opening() -> None:
    now = datetime(2026, 11, 26, 15, tzinfo=UTC)
    assert parse_when("in 90 minutes", now, BERLIN) == When(now + timedelta(minutes=90), "")
    two_days = parse_when("Dana Scully in 2 days", now, BERLIN)
    assert two_days == When(datetime(2026, 11, 28, 8, tzinfo=UTC), "Dana Scully")


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Berlin", "Europe/Berlin"),
        ("new york", "America/New_York"),
        ("UTC+13", "Etc/GMT-13"),
        ("utc-10", "Etc/GMT+10"),
        ("Asia/Kolkata", "Asia/Kolkata"),
        ("utc", "UTC"),
        ("Atlantis", None),
        ("UTC+15", None),
        ("", None),
    ],
)
def test_timezones_are_found_from_what_people_type(typed: str, zone: str | None) -> None:
    assert find_timezone(typed) == zone


@pytest.mark.parametrize(
    ("typed", "window"),
    [
        ("9-20", (time(9), time(20))),
        ("08:30 to 22:00", (time(8, 30), time(22))),
        ("0-24", (time(0), time(23, 59))),
        ("20-9", None),
        ("25-26", None),
        ("soon", None),
    ],
)
def test_windows_are_read_from_what_people_type(
    typed: str, window: tuple[time, time] | None
) -> None:
    assert parse_window(typed) == window


def test_a_very_long_timezone_answer_is_simply_unknown() -> None:
    assert find_timezone("x" * 10_000) is None
    assert find_timezone("Europe/" + "a" * 300) is None
