"""The words of a reminder message: one hero, or a digest of several, with its buttons.

Sending is not done here: the dispatcher (bot/reminders.py) claims due reminders and
asks `compose_all` for the messages of a chunk. The reminder dialogs (/remind, the
buttons' answers) are the reminders flow's (dialogs/flows/reminders.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from dialogs import evidence
from dialogs.content import Content
from dialogs.model import (
    AskOutcome,
    Button,
    Hero,
    HeroHistory,
    Interaction,
    Reminder,
    Reply,
    StepId,
)
from dialogs.ports import UnitOfWork
from dialogs.reconnect import ADVICE, light_touch

SNOOZE_DAYS = (1, 3, 7)
WARM = 4
COLD = 2


def reminder_advice(hero: Hero, history: Sequence[Interaction], content: Content) -> str:
    """Picks the one piece of advice a reminder carries, from the hero's step and state.

    After a cold contact, space; otherwise a step-2 hero gets step-2 advice (what their
    record says to practise) and staying on the radar goes by the temperature; after a
    yes, serving them; after a "no" or a "not now", nothing about asking.
    """
    last = history[-1] if history else None
    if hero.journey.outcome is AskOutcome.YES:
        return "principles.servant_leadership"
    if last is not None and last.temperature <= COLD:
        # Whatever the step, after a cold contact the next touch is a light one.
        return "radar.cold_give_space"
    if hero.step in content.evidence.steps and hero.step is not StepId.RADAR:
        return evidence.check(hero.step, evidence.since(hero, history), content).practise(content)
    asking = hero.step is StepId.ASK and hero.journey.outcome is None
    if asking and last is not None and last.temperature >= WARM:
        return "ask.check_the_room"
    if last is not None and last.temperature >= WARM:
        return "radar.warm_open_door"
    return "radar.lukewarm_add_value"


def when_text(instant: datetime, tz: str) -> str:
    local = instant.astimezone(ZoneInfo(tz))
    return f"{local:%a} {local.day} {local:%b} at {local:%H:%M}"


async def compose_all(
    uow: UnitOfWork, content: Content, messages: Sequence[tuple[int, Sequence[Reminder]]]
) -> list[Reply]:
    """Writes the messages of several users' due reminders, one per (user id, reminders),
    reading the heroes and histories they speak of all at once (a dispatcher's chunk)."""
    wanted = {
        (user_id, r.hero_id) for user_id, reminders in messages for r in reminders if r.hero_id
    }
    found = await uow.heroes.histories(wanted)
    return [compose(content, user_id, reminders, found) for user_id, reminders in messages]


def compose(
    content: Content,
    user_id: int,
    reminders: Sequence[Reminder],
    found: Mapping[tuple[int, int], HeroHistory],
) -> Reply:
    """Writes the message for reminders due together: one hero, or a digest of several.

    `found` holds the heroes the reminders name, by (user id, hero id), with their
    histories (Heroes.histories); a hero missing there is not the user's (any more).
    """
    messages = content.messages
    lines: list[str] = []
    advice: list[str] = []
    buttons: list[Button] = []
    batch = min(r.id for r in reminders)
    heroes: list[Hero] = []
    for reminder in reminders:
        known = found.get((user_id, reminder.hero_id)) if reminder.hero_id else None
        hero = known.hero if known is not None else None
        if hero is not None and not hero.archived and hero not in heroes:
            heroes.append(hero)
    if not heroes:
        lines.append(messages.reminder_general)
    elif len(heroes) == 1:
        lines.append(messages.reminder_one.format(hero=heroes[0].name))
    else:
        lines.append(messages.reminder_digest)
    for hero in heroes:
        history = found[user_id, hero.id].interactions
        reminder = next(r for r in reminders if r.hero_id == hero.id)
        chosen = reminder_advice(hero, history, content)
        # Worded afresh as the contacts add up, the same way for the same record.
        advice_text = content.advice[chosen].worded(len(history))
        # A hero gone cold gets a light touch, not a chase (dialogs/reconnect.py).
        touch = light_touch(content, hero.name, history, reminder.due_at.date())
        if touch is not None:
            chosen, advice_text = ADVICE, touch
        advice.append(chosen)
        facts = recall(content, hero, history)
        if len(heroes) > 1:
            lines.append(f"• {hero.name}: {facts}\n{advice_text}")
        else:
            lines += [facts, advice_text]
        label = (
            messages.button_reached_out
            if len(heroes) == 1
            else messages.button_reached_out_to.format(hero=hero.name)
        )
        buttons.append(Button(f"rem.done:{reminder.id}", label))
    snoozes = (messages.button_snooze_1, messages.button_snooze_3, messages.button_snooze_7)
    buttons += [
        Button(f"rem.snooze:{batch}:{days}", label)
        for days, label in zip(SNOOZE_DAYS, snoozes, strict=True)
    ]
    buttons.append(Button(f"rem.skip:{batch}", messages.button_skip))
    return Reply("\n\n".join(lines), tuple(buttons), tuple(advice))


def _day(interaction: Interaction) -> str:
    day = interaction.happened_on
    return f"{day:%a} {day.day} {day:%b}"


def recall(content: Content, hero: Hero, history: Sequence[Interaction]) -> str:
    """What a reminder recalls of a hero: their step, the last contact, what lit them up,
    the last open door, and the last advice to try."""
    messages = content.messages
    last = history[-1] if history else None
    step = content.steps[hero.step]
    about = [messages.reminder_step.format(number=hero.step.number, title=step.title)]
    if last is not None:
        label = content.temperature.labels[last.temperature]
        about.append(messages.reminder_last.format(date=_day(last), label=label))
    lit = [i.lit_up for i in history if i.lit_up]
    if lit:
        about.append(messages.reminder_lit_up.format(hero=hero.name, lit_up=lit[-1]))
    doors = [i for i in history if i.open_door]
    if doors:
        about.append(messages.reminder_open_door.format(hero=hero.name, date=_day(doors[-1])))
    tried = next((a for a in last.advice if content.advice[a].try_this), None) if last else None
    if tried is not None:
        try_this = content.advice[tried].try_this
        about.append(messages.reminder_tried.format(try_this=try_this))
    return " ".join(about)
