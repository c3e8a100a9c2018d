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
        ("Dana last tuesday", WhenProblem.PAST),
        ("Dana 3", WhenProblem.UNREADABLE),  # a bare number is no date
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
        ("I'm in Mumbai", "Asia/Kolkata"),
        ("Delhi", "Asia/Kolkata"),
        ("IST", "Asia/Kolkata"),
        ("UTC+5:30", "Asia/Kolkata"),
        ("gmt+05:45", "Asia/Kathmandu"),
        ("UTC+5:20", None),
        ("Mumbai, India", "Asia/Kolkata"),
        ("São Paulo", "America/Sao_Paulo"),
        ("i live in munich", "Europe/Berlin"),
        ("PST", "America/Los_Angeles"),
        ("EST", "America/New_York"),  # not the fixed-offset legacy zone "EST"
        ("Germany", "Europe/Berlin"),
        ("japan", "Asia/Tokyo"),
        ("United States", None),  # six zones: a city is needed
        ("europe/berlin", "Europe/Berlin"),
        ("Lemuria", None),
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
        ("9am-5:30pm", (time(9), time(17, 30))),
        ("20-9", (time(20), time(9))),  # across midnight
        ("22:30 to 07:00", (time(22, 30), time(7))),
        ("0-24", (time(0), time(0))),  # the whole day: it starts where it ends
        ("0 to 24", (time(0), time(0))),
        ("All day", (time(0), time(0))),
        ("18-24", (time(18), time(0))),  # until midnight
        ("9-9", None),
        ("13pm-2pm", None),
        ("25-26", None),
        ("soon", None),
    ],
)
def test_windows_are_read_from_what_people_type(
    typed: str, window: tuple[time, time] | None
) -> None:
    assert parse_window(typed) == window


@pytest.mark.parametrize(
    ("prefs", "day"),
    [
        (NEW_YORK, datetime(2027, 3, 4, 9, tzinfo=ZoneInfo(NEW_YORK.timezone))),
        (BERLIN, datetime(2027, 4, 3, 9, tzinfo=ZoneInfo(BERLIN.timezone))),
        (Preferences("UTC"), WhenProblem.AMBIGUOUS),  # no country: ask
        (TONGA, datetime(2027, 4, 3, 9, tzinfo=ZoneInfo(TONGA.timezone))),
        (Preferences("Etc/GMT-13"), WhenProblem.AMBIGUOUS),
        (Preferences("America/Toronto"), WhenProblem.AMBIGUOUS),  # both orders are common
    ],
)
def test_day_and_month_follow_the_timezones_country(
    prefs: Preferences, day: datetime | WhenProblem
) -> None:
    found = parse_when("Dana 03/04", datetime(2026, 11, 26, 15, tzinfo=UTC), prefs)
    assert found == (day if isinstance(day, WhenProblem) else When(day, "Dana"))


def test_names_and_times_people_type_for_a_reminder() -> None:
    now = datetime(2026, 11, 26, 15, tzinfo=UTC)  # a Thursday; Berlin is UTC+1
    assert parse_when("Dana Scully next tuesday at 10", now, BERLIN) == When(
        datetime(2026, 12, 1, 9, tzinfo=UTC), "Dana Scully"
    )
    assert parse_when("in a fortnight", now, BERLIN) == When(
        datetime(2026, 12, 10, 8, tzinfo=UTC), ""
    )
    assert parse_when("Dana mid-January", now, BERLIN) == When(
        datetime(2027, 1, 15, 8, tzinfo=UTC), "Dana"
    )
    assert parse_when("tomorrow 9.30", now, BERLIN) == When(
        datetime(2026, 11, 27, 8, 30, tzinfo=UTC), ""
    )


# --- windows that cross midnight -------------------------------------------------------

NIGHT_OWL = Preferences(BERLIN.timezone, time(22), time(7))


def test_a_window_across_midnight_is_open_on_both_sides_of_it() -> None:
    assert in_window(local(NIGHT_OWL, 2026, 11, 26, 23, 30), NIGHT_OWL)
    assert in_window(local(NIGHT_OWL, 2026, 11, 27, 0, 0), NIGHT_OWL)
    assert in_window(local(NIGHT_OWL, 2026, 11, 27, 6, 59), NIGHT_OWL)
    assert not in_window(local(NIGHT_OWL, 2026, 11, 27, 7, 0), NIGHT_OWL)
    assert not in_window(local(NIGHT_OWL, 2026, 11, 27, 21, 59), NIGHT_OWL)


def test_outside_a_window_across_midnight_a_reminder_waits_for_the_same_evening() -> None:
    morning = local(NIGHT_OWL, 2026, 11, 27, 8, 0)
    assert deliverable_at(morning, NIGHT_OWL) == local(NIGHT_OWL, 2026, 11, 27, 22, 0)
    small_hours = local(NIGHT_OWL, 2026, 11, 27, 3, 0)
    assert deliverable_at(small_hours, NIGHT_OWL) == small_hours


def test_a_window_across_midnight_in_utc_plus_13() -> None:
    owl = Preferences(TONGA.timezone, time(22), time(7))
    late = datetime(2026, 11, 26, 10, tzinfo=UTC)  # 23:00 on the 26th in Tonga
    assert in_window(late, owl)
    noon = datetime(2026, 11, 26, 23, tzinfo=UTC)  # 12:00 on the 27th in Tonga
    assert deliverable_at(noon, owl) == datetime(2026, 11, 27, 9, tzinfo=UTC)  # 22:00 there


def test_a_window_across_midnight_on_the_spring_forward_night() -> None:
    # 2027-03-28: Berlin jumps from 02:00 to 03:00 inside the 22-7 window.
    assert in_window(datetime(2027, 3, 28, 1, 30, tzinfo=UTC), NIGHT_OWL)  # 03:30 CEST
    after = datetime(2027, 3, 28, 5, 30, tzinfo=UTC)  # 07:30 CEST
    assert deliverable_at(after, NIGHT_OWL) == datetime(2027, 3, 28, 20, tzinfo=UTC)


def test_an_all_day_window_delivers_at_once() -> None:
    always = Preferences(BERLIN.timezone, time(0), time(0))
    for hour in (0, 7, 13, 23):
        instant = local(always, 2026, 11, 26, hour, 59)
        assert in_window(instant, always)
        assert deliverable_at(instant, always) == instant


def test_a_very_long_timezone_answer_is_simply_unknown() -> None:
    assert find_timezone("x" * 10_000) is None
    assert find_timezone("Europe/" + "a" * 300) is None
