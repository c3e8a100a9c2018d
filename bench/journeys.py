"""python -m bench.journeys: scores the coach's decisions over scripted journeys of weeks.

Each journey of tests/data/journeys.toml (format: tests/data/README.md) is driven
through the engine on an in-memory store with a clock that moves from contact to
contact. At each step a careful coach's decisions are written down: whether
/nextstep moves the hero on, the step the hero is at after it, advice that must
(`advice`) and must not (`not_advice`) come, and the days until the proposed
reminder. Every expectation is one decision; the score is the share that match.
"""

from __future__ import annotations

import asyncio
import sys
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from dialogs.content import Content, default_content
from dialogs.engine import Coach
from dialogs.model import Event, Hero, Outcome, Press, StepId, UserKey
from testkit.events import typed
from testkit.memory import MemoryStore, MemoryUnitOfWork

ROOT = Path(__file__).resolve().parent.parent
JOURNEYS = ROOT / "tests" / "data" / "journeys.toml"
START = datetime(2026, 9, 1, 15, 0, tzinfo=UTC)
DECISIONS = ("moves", "step", "advice", "not_advice", "reminder_days")


class JourneyClock:
    def __init__(self) -> None:
        self.current = START

    def now(self) -> datetime:
        return self.current


@dataclass
class Driver:
    """Plays one user through the engine, tapping buttons or typing as a step says."""

    content: Content
    clock: JourneyClock = field(default_factory=JourneyClock)
    store: MemoryStore = field(default_factory=MemoryStore)
    key: UserKey = field(default_factory=lambda: UserKey("journey", "1"))
    outcomes: list[Outcome] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.coach = Coach(self.content, self.clock)

    async def send(self, event: Event) -> Outcome:
        async with MemoryUnitOfWork(self.store) as uow:
            outcome = await self.coach.handle(uow, self.key, "Ana", event)
        self.outcomes.append(outcome)
        return outcome

    async def say(self, text: str) -> Outcome:
        return await self.send(typed(text))

    async def press(self, button: str) -> Outcome:
        turns = [r.turn for o in reversed(self.outcomes) for r in o.replies if r.buttons]
        return await self.send(Press(button, turns[0] if turns else None))

    async def answer(self, given: str) -> Outcome:
        """ "q=option" taps a button; "q~words" types the words instead (the messy typist)."""
        if "~" in given:
            return await self.say(given.partition("~")[2])
        return await self.press(given)

    @property
    def state(self) -> str:
        return self.store.users[self.key].dialog.state

    def hero(self, name: str | None = None) -> Hero:
        user = self.store.users[self.key]
        heroes = list(self.store.hero_rows.values())
        if name is None:
            return next(h for h in heroes if h.id == user.current_hero_id)
        return next(h for h in heroes if h.name == name)

    async def onboard(self, names: list[str]) -> None:
        for number, name in enumerate(names):
            if number == 0:
                await self.say("/start")
            else:
                await self.say("/heroes")
                await self.press("hero.add")
            await self.say(name)
            for skip in ("onboarding.role=", "onboarding.how_met=", "onboarding.when_met="):
                await self.press(skip)

    async def switch(self, name: str) -> None:
        if self.hero().name != name:
            await self.say("/heroes")
            await self.press(f"hero.switch:{self.hero(name).id}")


@dataclass
class Result:
    journeys: int = 0
    decisions: int = 0
    matched: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.matched / self.decisions if self.decisions else 0.0


async def play(journey: dict[str, Any], content: Content, result: Result) -> None:
    driver = Driver(content)
    await driver.onboard(journey["heroes"])
    for number, step in enumerate(journey["step"], start=1):
        driver.clock.current = START + timedelta(days=step.get("day", 0))
        if "hero" in step:
            await driver.switch(step["hero"])
        before = driver.hero().step
        try:
            got = await act(driver, step)
        except LookupError as lost:
            # The coach led somewhere the journey has no answer for: every decision left
            # in it is missed.
            left = [d for later in journey["step"][number - 1 :] for d in DECISIONS if d in later]
            result.decisions += len(left)
            result.misses.append(f"{journey['name']} #{number}: lost ({lost}), {len(left)} missed")
            break
        got["moves"] = driver.hero().step is not before
        got["step"] = driver.hero().step.value
        for decision in DECISIONS:
            if decision not in step:
                continue
            right = judge(decision, step[decision], got)
            result.decisions += 1
            result.matched += right
            if not right:
                where = f"{journey['name']} #{number} ({step['do']})"
                result.misses.append(f"{where}: {decision} {step[decision]!r}, got {got!r}")
    result.journeys += 1


async def act(driver: Driver, step: dict[str, Any]) -> dict[str, Any]:
    """Does a step's action and returns what the coach decided."""
    do = step["do"]
    advice: list[str] = []
    got: dict[str, Any] = {"advice": advice}
    if do == "checkin":
        await checkin(driver, step, got)
    elif do == "nextstep":
        outcome = await driver.say("/nextstep back" if step.get("back") else "/nextstep")
        advice += [a for r in outcome.replies for a in r.advice]
        if driver.state == "nextstep.awkward":
            outcome = await driver.press(f"nextstep.awkward={step.get('awkward', 'less')}")
            advice += [a for r in outcome.replies for a in r.advice]
        if driver.state == "nextstep.early":
            await driver.press(
                "nextstep.early=go" if step.get("anyway") else "nextstep.early=wait"
            )
    else:
        raise ValueError(f"unknown action {do!r}")
    return got


async def checkin(driver: Driver, step: dict[str, Any], got: dict[str, Any]) -> None:
    answers = {a.partition("=")[0].partition("~")[0]: a for a in step.get("answers", [])}
    answers.setdefault("checkin.when", "checkin.when=today")
    answers.setdefault("checkin.kind", f"checkin.kind={step.get('kind', 'coffee')}")
    answers.setdefault("checkin.reaction", f"checkin.reaction={step.get('reaction', 'warm')}")
    answers.setdefault("checkin.tried", f"checkin.tried={step.get('tried', 'not_yet')}")
    await driver.say("/checkin")
    for _ in range(30):
        state = driver.state
        if state == "checkin.followup":
            got["reminder_days"] = int(driver.store.users[driver.key].dialog.prompt["days"])
            await driver.press("checkin.followup=suggested")
            return
        if state == "checkin.understood":
            # What the story filled is taken as read: a journey's taps answer the rest.
            outcome = await driver.press("checkin.understood=right")
        elif state == "checkin.story":
            story = step.get("story")
            outcome = await (driver.say(story) if story else driver.press("checkin.story="))
        elif state in answers:
            outcome = await driver.answer(answers[state])
        elif driver.content.question(state).kind == "text":
            outcome = await driver.press(f"{state}=")
        else:
            raise LookupError(f"no answer for {state!r}")
        got["advice"] += [a for r in outcome.replies for a in r.advice]
    raise LookupError("the check-in never ended")


def judge(decision: str, expected: Any, got: dict[str, Any]) -> bool:
    if decision == "advice":
        return all(a in got["advice"] for a in expected)
    if decision == "not_advice":
        return not any(a in got["advice"] for a in expected)
    return bool(got.get(decision) == expected)


def load(path: Path = JOURNEYS) -> list[dict[str, Any]]:
    journeys: list[dict[str, Any]] = tomllib.loads(path.read_text("utf-8"))["journey"]
    for journey in journeys:
        for step in journey["step"]:
            unknown = set(step) - {*DECISIONS, "do", "day", "hero", "kind", "reaction",
                                   "story", "answers", "tried", "awkward", "anyway", "back",
                                   "why"}  # fmt: skip
            if unknown:
                raise ValueError(f"{journey['name']}: unknown keys {sorted(unknown)}")
            if "step" in step:
                StepId(step["step"])
    return journeys


def score(journeys: list[dict[str, Any]] | None = None) -> Result:
    result = Result()
    content = default_content()
    for journey in journeys if journeys is not None else load():
        asyncio.run(play(journey, content, result))
    return result


def main() -> None:
    result = score()
    print(
        f"journeys: {result.journeys}, decisions: {result.decisions}, "
        f"matched: {result.matched} ({result.share:.0%})"
    )
    for miss in result.misses:
        print(f"  miss: {miss}")
    sys.exit(0)


if __name__ == "__main__":
    main()
