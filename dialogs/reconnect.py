"""Reconnecting with a hero gone cold (issue 13): a light touch instead of a chase.

A hero whose last contact was cold, or who has been silent, for longer than the content
file's thresholds gets a different reminder: something small of value tied to what lit
them up, no question that needs an answer, and then room ("create a vacuum"). Never a
guilt trip: the words say nothing of how long it has been.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from dialogs.content import Content
from dialogs.model import Interaction

ADVICE = "principles.create_a_vacuum"


def gone_cold(content: Content, history: Sequence[Interaction], today: date) -> bool:
    """Tells whether the last contact was cold, or any contact, longer ago than allowed."""
    if not history:
        return False
    rule = content.reconnect
    last = history[-1]
    since = (today - last.happened_on).days
    cold = last.temperature <= rule.cold_temperature and since >= rule.cold_days
    return cold or since >= rule.silent_days


def light_touch(
    content: Content, hero_name: str, history: Sequence[Interaction], today: date
) -> str | None:
    """The reminder's suggestion for a hero gone cold; None for one who has not."""
    if not gone_cold(content, history, today):
        return None
    words = content.reconnect
    lit = [i.lit_up for i in history if i.lit_up]
    touch = (
        words.touch_lit_up.format(hero=hero_name, lit_up=lit[-1])
        if lit
        else words.touch.format(hero=hero_name)
    )
    return f"{touch} {words.then}"
