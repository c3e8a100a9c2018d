"""The past dates people type: "when did you meet", "which day was it"."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from dialogs.dates import DateProblem, parse_past_date
from dialogs.model import Preferences
from tests.conftest import Chat
from tests.test_engine import TODAY, onboard, tap_checkin

# TODAY is Thursday 26 November 2026: the table below counts from it.


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("today", TODAY),
        ("This morning", TODAY),
        ("yesterday", TODAY - timedelta(days=1)),
        ("3 days ago", TODAY - timedelta(days=3)),
        ("a couple of weeks ago", TODAY - timedelta(days=14)),
        ("a fortnight ago", TODAY - timedelta(days=14)),
        ("last friday", date(2026, 11, 20)),
        ("on Monday", date(2026, 11, 23)),
        ("early February", date(2026, 2, 1)),
        ("mid-January", date(2026, 1, 15)),
        ("late March 2025", date(2025, 3, 25)),
        ("February 2", date(2026, 2, 2)),
        ("2nd of February", date(2026, 2, 2)),
        ("2 Feb 2024", date(2024, 2, 2)),
        ("02/02", date(2026, 2, 2)),  # the same either way round
        ("25/12", date(2025, 12, 25)),  # without a year: the latest such day
        ("12/25/2025", date(2025, 12, 25)),  # only one order makes sense
        ("20.11.2026", date(2026, 11, 20)),
        ("2026-11-20", date(2026, 11, 20)),
        # Seasons and years, as people say when they met: the season's middle month.
        ("last spring", date(2026, 4, 15)),
        ("in the summer", date(2026, 7, 15)),
        ("last autumn", date(2025, 10, 15)),  # autumn is only just over: the one before
        ("fall of 2024", date(2024, 10, 15)),
        ("last Christmas", date(2025, 12, 25)),
        ("back in 2023", date(2023, 7, 1)),
        ("in a fortnight", DateProblem.FUTURE),
        ("next tuesday", DateProblem.FUTURE),
        ("tomorrow", DateProblem.FUTURE),
        ("2026-12-01", DateProblem.FUTURE),
        ("1850-01-01", DateProblem.TOO_OLD),
        ("03/04", DateProblem.AMBIGUOUS),  # UTC says nothing of the order
        ("2025-02-30", DateProblem.UNREADABLE),
        ("13/13", DateProblem.UNREADABLE),  # not a month and a year, either
        ("02/31", DateProblem.UNREADABLE),
        ("the day the music died", DateProblem.UNREADABLE),
        ("3", DateProblem.UNREADABLE),
        ("", DateProblem.UNREADABLE),
        ("yesterday " * 50, DateProblem.UNREADABLE),
    ],
)
def test_past_dates_people_type(typed: str, day: date | DateProblem) -> None:
    assert parse_past_date(typed, TODAY) == day


@pytest.mark.parametrize(
    ("timezone", "day"),
    [
        ("America/New_York", date(2026, 3, 4)),
        ("Pacific/Honolulu", date(2026, 3, 4)),
        ("Asia/Tokyo", date(2026, 3, 4)),
        ("Europe/Berlin", date(2026, 4, 3)),
        ("Asia/Kolkata", date(2026, 4, 3)),
        ("America/Sao_Paulo", date(2026, 4, 3)),
        ("America/Toronto", DateProblem.AMBIGUOUS),
        ("Etc/GMT-13", DateProblem.AMBIGUOUS),
    ],
)
def test_day_or_month_first_follows_the_country_of_the_timezone(
    timezone: str, day: date | DateProblem
) -> None:
    assert parse_past_date("03/04", TODAY, timezone) == day


async def test_the_coach_asks_which_order_then_takes_the_month_by_name(chat: Chat) -> None:
    await onboard(chat, met="03/04")
    assert chat.state == "onboarding.when_met"
    assert "two ways" in chat.text
    await chat.say("3 April")
    [hero] = chat.store.hero_rows.values()
    assert hero.met_on == date(2026, 4, 3)


async def test_a_berlin_user_gets_day_first_without_a_question(chat: Chat) -> None:
    chat.coach.defaults = Preferences(timezone="Europe/Berlin")
    await onboard(chat, met="03/04")
    [hero] = chat.store.hero_rows.values()
    assert hero.met_on == date(2026, 4, 3)


async def test_a_checkin_reads_early_february_and_refuses_next_tuesday(chat: Chat) -> None:
    await onboard(chat, met="last year")
    await tap_checkin(chat, "earlier")
    await chat.say("next tuesday")
    assert chat.state == "checkin.date"
    assert "future" in chat.text
    await chat.say("early February")
    assert chat.state == "checkin.kind"
    assert chat.store.users[chat.key].dialog.answers["checkin.date"] == "2026-02-01"
