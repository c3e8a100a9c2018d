"""Reminders and settings in the conversation: /remind, /reminders, /settings, the
follow-up proposed after a check-in, the buttons on a reminder, and its words.

Sending is not done here: the dispatcher (bot/reminders.py) claims due reminders
and asks `compose_all` for the messages of a chunk.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from dialogs.content import Content
from dialogs.model import (
    Button,
    DialogState,
    Hero,
    HeroHistory,
    Interaction,
    Reminder,
    ReminderKind,
    ReminderResponse,
    Reply,
    StepId,
    record_id,
)
from dialogs.playbook import follow_up_days
from dialogs.ports import Store
from dialogs.schedule import (
    When,
    WhenProblem,
    days_ahead,
    deliverable_at,
    find_timezone,
    in_window,
    parse_when,
    parse_window,
    window_text,
    zone,
)

if TYPE_CHECKING:
    from dialogs.engine import Turn

FOLLOW_UP_DAYS = {"d3": 3, "w1": 7, "w2": 14}
SNOOZE_DAYS = (1, 3, 7)
WARM = 4
COLD = 2


def reminder_advice(hero: Hero, last: Interaction | None) -> str:
    """Picks the one piece of advice a reminder carries, from the step and the temperature."""
    if hero.step is StepId.ASK and last is not None and last.temperature >= WARM:
        return "ask.check_the_room"
    if last is None or COLD < last.temperature < WARM:
        return "radar.lukewarm_add_value"
    return "radar.warm_open_door" if last.temperature >= WARM else "radar.cold_give_space"


def when_text(instant: datetime, tz: str) -> str:
    local = instant.astimezone(ZoneInfo(tz))
    return f"{local:%a} {local.day} {local:%b} at {local:%H:%M}"


async def compose_all(
    store: Store, content: Content, messages: Sequence[tuple[int, Sequence[Reminder]]]
) -> list[Reply]:
    """Writes the messages of several users' due reminders, one per (user id, reminders),
    reading the heroes and histories they speak of all at once (a dispatcher's chunk)."""
    wanted = {
        (user_id, r.hero_id) for user_id, reminders in messages for r in reminders if r.hero_id
    }
    found = await store.hero_histories(wanted)
    return [compose(content, user_id, reminders, found) for user_id, reminders in messages]


def compose(
    content: Content,
    user_id: int,
    reminders: Sequence[Reminder],
    found: Mapping[tuple[int, int], HeroHistory],
) -> Reply:
    """Writes the message for reminders due together: one hero, or a digest of several.

    `found` holds the heroes the reminders name, by (user id, hero id), with their
    histories (Store.hero_histories); a hero missing there is not the user's (any more).
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
        last = history[-1] if history else None
        chosen = reminder_advice(hero, last)
        advice.append(chosen)
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
        facts = " ".join(about)
        advice_text = content.advice[chosen].text
        if len(heroes) > 1:
            lines.append(f"• {hero.name}: {facts}\n{advice_text}")
        else:
            lines += [facts, advice_text]
        reminder = next(r for r in reminders if r.hero_id == hero.id)
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


class Reminding:
    """The reminder and settings dialogs of one turn."""

    def __init__(self, turn: Turn) -> None:
        self.turn = turn
        self.messages = turn.messages

    # --- routing tables the turn consults -----------------------------------------

    def commands(self) -> dict[str, Callable[[str], Awaitable[None]]]:
        return {"remind": self.remind, "reminders": self.upcoming, "settings": self.settings}

    def answers(self) -> dict[str, Callable[[str], Awaitable[None]]]:
        return {
            "checkin.followup": self.follow_up_choice,
            "remind.when": self.follow_up_choice,
            "remind.date": self.typed_when,
            "settings.timezone": self.timezone_choice,
            "settings.window": self.window_choice,
        }

    def typed(self) -> dict[str, Callable[[str], Awaitable[None]]]:
        """Typed answers to choice questions that the buttons don't cover."""
        return {
            "checkin.followup": self.typed_when,
            "remind.when": self.typed_when,
            "settings.timezone": self.typed_timezone,
            "settings.window": self.typed_window,
        }

    def actions(self) -> dict[str, Callable[[str], Awaitable[None]]]:
        return {
            "rem.done": self.done,
            "rem.snooze": self.snooze,
            "rem.skip": self.skip,
            "rem.cancel": self.cancel,
            "remind.hero": self.remind_hero,
            "settings.timezone": lambda _arg: self.turn.ask("settings.timezone"),
            "settings.window": lambda _arg: self.turn.ask("settings.window"),
            "settings.pause": lambda _arg: self.set_paused(paused=True),
            "settings.resume": lambda _arg: self.set_paused(paused=False),
        }

    # --- the follow-up after a check-in ------------------------------------------------

    async def propose(self, hero: Hero, temperature: int) -> None:
        """Offers the next touchpoint, timed by the temperature (warm sooner, cold later)."""
        turn = self.turn
        content = turn.content
        days = follow_up_days(temperature, content)
        due = days_ahead(turn.clock.now(), days, turn.user.prefs)
        turn.dialog = DialogState(
            turn=turn.dialog.turn,
            hero_id=hero.id,
            answers={"days": str(days), "kind": ReminderKind.FOLLOW_UP.value},
            paused=turn.dialog.paused,
        )
        await turn.ask(
            "checkin.followup",
            date=self.when(due),
            days=str(days),
            label=content.temperature.labels[temperature],
        )

    async def follow_up_choice(self, choice: str) -> None:
        turn = self.turn
        if choice == "skip":
            turn.dialog = DialogState(turn=turn.dialog.turn, paused=turn.dialog.paused)
            turn.say(self.messages.followup_skipped)
            return
        if choice == "date":
            await turn.ask("remind.date")
            return
        days = int(turn.dialog.answers.get("days", "7")) if choice == "suggested" else None
        days = days or FOLLOW_UP_DAYS[choice]
        await self.schedule(days_ahead(turn.clock.now(), days, turn.user.prefs))

    async def typed_when(self, text: str) -> None:
        found = parse_when(text, self.turn.clock.now(), self.turn.user.prefs)
        if isinstance(found, WhenProblem):
            self.problem(found)
            await self.turn.ask_again()
            return
        await self.schedule(found.due_at)

    async def schedule(self, due_at: datetime) -> None:
        """Saves the reminder the dialog was about and says when it will come."""
        turn = self.turn
        hero_id = turn.dialog.hero_id
        kind = ReminderKind(turn.dialog.answers.get("kind", ReminderKind.MANUAL.value))
        hero = await turn.store.hero(turn.user.id, hero_id) if hero_id else None
        turn.dialog = DialogState(turn=turn.dialog.turn, paused=turn.dialog.paused)
        await turn.store.add_reminder(turn.user.id, hero.id if hero else None, due_at, kind)
        self.confirm(hero, due_at)

    def confirm(self, hero: Hero | None, due_at: datetime) -> None:
        prefs = self.turn.user.prefs
        when = self.when(due_at)
        text = (
            self.messages.remind_set.format(hero=hero.name, when=when)
            if hero
            else self.messages.remind_set_general.format(when=when)
        )
        if not in_window(due_at, prefs):
            start, end = window_text(prefs)
            text += " " + self.messages.remind_in_window.format(
                start=start,
                end=end,
                deliver=self.when(deliverable_at(due_at, prefs)),
            )
        if prefs.paused:
            text += "\n" + self.messages.reminders_paused
        self.turn.say(text)

    def problem(self, problem: WhenProblem) -> None:
        self.turn.say(
            {
                WhenProblem.PAST: self.messages.remind_past,
                WhenProblem.TOO_FAR: self.messages.remind_too_far,
                WhenProblem.BAD_DATE: self.messages.remind_bad_date,
                WhenProblem.UNREADABLE: self.messages.remind_unreadable,
                WhenProblem.AMBIGUOUS: self.messages.ambiguous_date,
            }[problem]
        )

    def when(self, instant: datetime) -> str:
        return when_text(instant, self.turn.user.prefs.timezone)

    # --- /remind ----------------------------------------------------------------------

    async def remind(self, args: str) -> None:
        turn = self.turn
        heroes = await turn.store.heroes(turn.user.id)
        if not args.strip():
            await self.guided(heroes)
            return
        found = parse_when(args, turn.clock.now(), turn.user.prefs)
        if isinstance(found, WhenProblem):
            self.problem(found)
            return
        hero = await self.hero_named(found, heroes)
        if hero is None and found.prefix:
            turn.say(self.messages.remind_unknown_hero.format(name=found.prefix[:64]))
            return
        await turn.store.add_reminder(
            turn.user.id, hero.id if hero else None, found.due_at, ReminderKind.MANUAL
        )
        self.confirm(hero, found.due_at)

    async def hero_named(self, found: When, heroes: list[Hero]) -> Hero | None:
        """The hero a /remind names, else the current one; None if the name is unknown."""
        if not found.prefix:
            return await self.turn.current_hero()
        name = found.prefix.casefold()
        exact = [h for h in heroes if h.name.casefold() == name]
        starts = [h for h in heroes if h.name.casefold().startswith(name)]
        matches = exact or starts
        return matches[0] if matches else None

    async def guided(self, heroes: list[Hero]) -> None:
        turn = self.turn
        if len(heroes) > 1:
            buttons = tuple(Button(f"remind.hero:{h.id}", h.name) for h in heroes)
            turn.say(self.messages.remind_which_hero, buttons)
            return
        await self.ask_when(heroes[0] if heroes else None)

    async def remind_hero(self, arg: str) -> None:
        hero_id = record_id(arg)
        hero = await self.turn.store.hero(self.turn.user.id, hero_id) if hero_id else None
        if hero is None or hero.archived:
            await self.turn.stale()
            return
        await self.ask_when(hero)

    async def ask_when(self, hero: Hero | None) -> None:
        turn = self.turn
        turn.dialog = DialogState(
            turn=turn.dialog.turn,
            hero_id=hero.id if hero else None,
            answers={"kind": ReminderKind.MANUAL.value},
            paused=turn.dialog.paused,
        )
        await turn.ask("remind.when", hero=hero.name if hero else self.messages.anyone)

    # --- /reminders -------------------------------------------------------------------

    async def upcoming(self, _args: str = "") -> None:
        turn = self.turn
        upcoming = await turn.store.upcoming_reminders(turn.user.id)
        if not upcoming:
            turn.say(self.messages.reminders_none)
            return
        lines = [self.messages.reminders_header]
        buttons = []
        for reminder in upcoming[:20]:
            hero = await self.hero_of(reminder)
            when = self.when(reminder.due_at)
            lines.append(self.messages.reminders_line.format(when=when, hero=hero))
            label = self.messages.reminder_cancel.format(hero=hero, when=when)
            buttons.append(Button(f"rem.cancel:{reminder.id}", label[:60]))
        if turn.user.prefs.paused:
            lines.append(self.messages.reminders_paused)
        turn.say("\n".join(lines), tuple(buttons))

    async def hero_of(self, reminder: Reminder) -> str:
        hero = (
            await self.turn.store.hero(self.turn.user.id, reminder.hero_id)
            if reminder.hero_id
            else None
        )
        return hero.name if hero else self.messages.anyone

    async def cancel(self, arg: str) -> None:
        turn = self.turn
        reminder_id = record_id(arg)
        reminder = await turn.store.reminder(turn.user.id, reminder_id) if reminder_id else None
        if reminder is None or not await turn.store.cancel_reminder(turn.user.id, reminder.id):
            turn.say(self.messages.reminder_gone)
            return
        turn.say(self.messages.reminder_cancelled.format(when=self.when(reminder.due_at)))

    # --- the buttons on a reminder ----------------------------------------------------

    async def received(self, arg: str) -> list[Reminder] | None:
        """The reminders a button on a reminder message refers to, if still open."""
        batch_id = arg.split(":", 1)[0]
        batch = record_id(batch_id)
        if batch is None:
            await self.turn.stale()
            return None
        found = await self.turn.store.batch(self.turn.user.id, batch)
        open_ones = [r for r in found if r.response is None]
        if not open_ones:
            self.turn.say(self.messages.already_handled)
            return None
        return open_ones

    async def done(self, arg: str) -> None:
        turn = self.turn
        reminder_id = record_id(arg)
        reminder = await turn.store.reminder(turn.user.id, reminder_id) if reminder_id else None
        if reminder is None or reminder.batch is None:
            await turn.stale()
            return
        await turn.store.respond(turn.user.id, reminder.id, ReminderResponse.DONE)
        hero = await turn.store.hero(turn.user.id, reminder.hero_id) if reminder.hero_id else None
        if hero is not None and not hero.archived:
            turn.user.current_hero_id = hero.id
        await turn.start_checkin()

    async def snooze(self, arg: str) -> None:
        turn = self.turn
        batch_id, _, days = arg.partition(":")
        if not days.isdecimal() or int(days) not in SNOOZE_DAYS:
            await turn.stale()
            return
        reminders = await self.received(batch_id)
        if reminders is None:
            return
        due = days_ahead(turn.clock.now(), int(days), turn.user.prefs)
        for reminder in reminders:
            await turn.store.respond(turn.user.id, reminder.id, ReminderResponse.SNOOZED)
            await turn.store.add_reminder(turn.user.id, reminder.hero_id, due, reminder.kind)
        turn.say(self.messages.snoozed.format(when=self.when(due)))

    async def skip(self, arg: str) -> None:
        reminders = await self.received(arg)
        if reminders is None:
            return
        for reminder in reminders:
            await self.turn.store.respond(self.turn.user.id, reminder.id, ReminderResponse.SKIPPED)
        self.turn.say(self.messages.skipped)

    # --- /settings ----------------------------------------------------------------------

    async def settings(self, _args: str = "") -> None:
        prefs = self.turn.user.prefs
        local = self.turn.clock.now().astimezone(zone(prefs))
        start, end = window_text(prefs)
        text = self.messages.settings_show.format(
            timezone=prefs.timezone,
            local=f"{local:%H:%M}",
            start=start,
            end=end,
            state=self.messages.reminders_off if prefs.paused else self.messages.reminders_on,
        )
        toggle = (
            Button("settings.resume", self.messages.button_resume)
            if prefs.paused
            else Button("settings.pause", self.messages.button_pause)
        )
        buttons = (
            Button("settings.timezone", self.messages.button_timezone),
            Button("settings.window", self.messages.button_window),
            toggle,
        )
        self.turn.say(text, buttons)

    async def timezone_choice(self, choice: str) -> None:
        option = self.turn.content.question("settings.timezone").option(choice)
        if option is None or option.value is None:
            await self.turn.stale()
            return
        await self.set_timezone(option.value)

    async def typed_timezone(self, text: str) -> None:
        found = find_timezone(text)
        if found is None:
            self.turn.say(self.messages.timezone_unknown)
            await self.turn.ask_again()
            return
        await self.set_timezone(found)

    async def set_timezone(self, timezone: str) -> None:
        turn = self.turn
        turn.user.prefs = replace(turn.user.prefs, timezone=timezone)
        turn.dialog = DialogState(turn=turn.dialog.turn, paused=turn.dialog.paused)
        local = turn.clock.now().astimezone(zone(turn.user.prefs))
        turn.say(self.messages.timezone_set.format(timezone=timezone, local=f"{local:%H:%M}"))

    async def window_choice(self, choice: str) -> None:
        option = self.turn.content.question("settings.window").option(choice)
        if option is None or option.value is None:
            await self.turn.stale()
            return
        await self.typed_window(option.value)

    async def typed_window(self, text: str) -> None:
        turn = self.turn
        window = parse_window(text)
        if window is None:
            turn.say(self.messages.window_bad)
            await turn.ask_again()
            return
        start, end = window
        turn.user.prefs = replace(turn.user.prefs, window_start=start, window_end=end)
        turn.dialog = DialogState(turn=turn.dialog.turn, paused=turn.dialog.paused)
        shown = window_text(turn.user.prefs)
        turn.say(self.messages.window_set.format(start=shown[0], end=shown[1]))

    async def set_paused(self, *, paused: bool) -> None:
        turn = self.turn
        turn.user.prefs = replace(turn.user.prefs, paused=paused)
        turn.say(self.messages.paused if paused else self.messages.resumed)
