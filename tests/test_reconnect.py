"""A hero gone cold gets a light touch, tied to what lit them up, never a guilt trip."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from importlib import resources
from pathlib import Path

import pytest

from dialogs.content import Content, load_content
from dialogs.model import (
    Hero,
    HeroHistory,
    Interaction,
    InteractionKind,
    Reminder,
    ReminderKind,
    StepId,
)
from dialogs.reconnect import gone_cold
from dialogs.reminding import compose
from tests.conftest import NOW

LAST = date(2026, 9, 1)
DANA = Hero(7, 1, "Dana", "", "", None, StepId.RADAR, NOW)
GUILT = ("sorry", "too long", "neglect", "forgot", "been a while", "ages", "haven't", "should")


def contact(temperature: int, lit_up: str = "") -> Interaction:
    return Interaction(
        7, LAST, InteractionKind.COFFEE, "", StepId.RADAR, temperature, lit_up=lit_up
    )


def reminder_after(days: int) -> Reminder:
    due = datetime.combine(LAST + timedelta(days=days), datetime.min.time(), UTC)
    return Reminder(3, 1, 7, due, ReminderKind.FOLLOW_UP)


def message(
    content: Content, history: list[Interaction], days: int
) -> tuple[str, tuple[str, ...]]:
    reply = compose(
        content, 1, [reminder_after(days)], {(1, 7): HeroHistory(DANA, tuple(history))}
    )
    return reply.text, reply.advice


def test_a_cold_hero_past_the_threshold_gets_a_light_touch_on_what_lit_them_up(
    content: Content,
) -> None:
    text, advice = message(content, [contact(2, lit_up="the spring tour")], 40)
    assert advice == ("principles.create_a_vacuum",)
    assert "something small of value about the spring tour" in text
    assert "create a vacuum" in text
    assert not [word for word in GUILT if word in text.lower()]


def test_the_planned_space_for_a_cold_hero_comes_first(content: Content) -> None:
    _, advice = message(content, [contact(2)], 21)
    assert advice == ("radar.cold_give_space",)


def test_a_silent_warm_hero_also_gets_the_light_touch(content: Content) -> None:
    text, advice = message(content, [contact(4)], 61)
    assert advice == ("principles.create_a_vacuum",)
    assert "an article, an event or a name" in text
    assert message(content, [contact(4)], 20)[1] == ("radar.warm_open_door",)


def test_the_thresholds_live_in_the_content_file(content: Content) -> None:
    history = [contact(1)]
    assert gone_cold(content, history, LAST + timedelta(days=36))
    stricter = content.model_copy(
        update={"reconnect": content.reconnect.model_copy(update={"cold_days": 50})}
    )
    assert not gone_cold(stricter, history, LAST + timedelta(days=36))
    assert not gone_cold(content, [], LAST + timedelta(days=400))


def test_a_threshold_inside_a_cold_heros_cadence_is_refused(tmp_path: Path) -> None:
    text = resources.files("dialogs.content").joinpath("coach.toml").read_text("utf-8")
    path = tmp_path / "coach.toml"
    path.write_text(text.replace("cold_days = 35", "cold_days = 20"), "utf-8")
    with pytest.raises(ValueError, match="cold_days"):
        load_content(path)
