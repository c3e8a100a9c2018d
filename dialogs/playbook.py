"""The coach's own model of temperature, trend, cadence and readiness to ask.

The post says to read the temperature and to ask after a few warm coffees; the
numbers here (1 to 5, three meetings, the last two warm) are the project's, and
their thresholds live in the content file.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from dialogs.content import Content
from dialogs.model import Interaction

# What the user reads into the reaction; None means "can't tell".
READINGS: dict[str, int | None] = {
    "cold": 1, "cool": 2, "lukewarm": 3, "warm": 4, "hot": 5, "cant_tell": None,
}  # fmt: skip
NEUTRAL = 3


class Trend(StrEnum):
    RISING = "rising"
    FALLING = "falling"
    STEADY = "steady"
    UNKNOWN = "unknown"


def temperature(reading: int | None, signals: Iterable[str], content: Content) -> int:
    """Returns the 1-5 temperature of a contact: the reading moved by the signals."""
    weights = content.temperature.signals
    total = Decimal(NEUTRAL if reading is None else reading)
    total += sum((Decimal(str(weights[s])) for s in set(signals) if s in weights), Decimal(0))
    return max(1, min(5, int(total.quantize(Decimal(1), rounding=ROUND_HALF_UP))))


def signals_disagree(reading: int | None, signals: Iterable[str], content: Content) -> bool:
    """Tells whether the user's reading points one way and the signals the other."""
    if reading is None:
        return False
    weights = [content.temperature.signals.get(s, 0.0) for s in set(signals)]
    if reading > NEUTRAL:
        return any(w < 0 for w in weights)
    if reading < NEUTRAL:
        return any(w > 0 for w in weights)
    return False


def trend(temperatures: Sequence[int]) -> Trend:
    """Compares the latest temperature with the average of up to three before it."""
    if len(temperatures) < 2:
        return Trend.UNKNOWN
    *before, last = temperatures[-4:]
    change = last - sum(before) / len(before)
    if change >= 0.5:
        return Trend.RISING
    if change <= -0.5:
        return Trend.FALLING
    return Trend.STEADY


def follow_up_days(temp: int, content: Content) -> int:
    """Returns the days to wait before the next touchpoint: warm sooner, cold later."""
    return content.cadence.days[temp]


class Shortfall(StrEnum):
    MEETINGS = "meetings"
    TEMPERATURE = "temperature"
    AWKWARD = "awkward"


@dataclass(frozen=True, slots=True)
class ReadinessCheck:
    meetings: int
    needed: int
    temperatures: tuple[int, ...]
    trend: Trend
    shortfalls: tuple[Shortfall, ...]

    @property
    def ready(self) -> bool:
        return not self.shortfalls


def readiness(
    history: Sequence[Interaction],
    less_awkward: bool | None,
    content: Content,
    *,
    stated_meetings: int = 0,
) -> ReadinessCheck:
    """Applies the readiness rule to a hero's history (oldest first).

    `less_awkward` None means the user was not asked; only the meetings and
    temperatures are judged then. `stated_meetings` is the count a story gave
    ("our fourth coffee"): meetings before the coach knew of them still count.
    """
    rule = content.readiness
    meetings = max(stated_meetings, sum(1 for i in history if i.kind.is_meeting))
    temps = tuple(i.temperature for i in history)
    direction = trend(temps)
    shortfalls = []
    if meetings < rule.min_meetings:
        shortfalls.append(Shortfall.MEETINGS)
    last_two_warm = len(temps) >= 2 and all(t >= rule.warm for t in temps[-2:])
    if not (last_two_warm or direction is Trend.RISING):
        shortfalls.append(Shortfall.TEMPERATURE)
    if rule.need_less_awkward and less_awkward is False:
        shortfalls.append(Shortfall.AWKWARD)
    return ReadinessCheck(meetings, rule.min_meetings, temps[-3:], direction, tuple(shortfalls))


def by_importance(advice: Sequence[str], content: Content) -> list[str]:
    """The advice once each, the most important first (`reader.priority`)."""
    order = {advice_id: place for place, advice_id in enumerate(content.reader.priority)}
    return sorted(dict.fromkeys(advice), key=lambda a: order.get(a, len(order)))


def most_important(advice: Sequence[str], content: Content) -> tuple[str, ...]:
    """Keeps at most `reader.max_advice` pieces, the most important first (coaching.md
    section 6): a reply with five paragraphs is a reply nobody acts on."""
    return tuple(by_importance(advice, content)[: content.reader.max_advice])
