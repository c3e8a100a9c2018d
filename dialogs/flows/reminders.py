"""/remind and /reminders, the follow-up proposed after a check-in, and the buttons on a
reminder message (reached out, snooze, skip)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from dialogs.flows.base import IDLE, STORY, Ask, Context, Entry, Flow, day_text
from dialogs.model import Button, Hero, Reminder, ReminderKind, ReminderResponse, record_id
from dialogs.playbook import follow_up_days
from dialogs.reminding import SNOOZE_DAYS, when_text
from dialogs.schedule import (
    When,
    WhenProblem,
    days_ahead,
    deliverable_at,
    in_window,
    parse_when,
    window_text,
)

FOLLOW_UP_DAYS = {"d3": 3, "w1": 7, "w2": 14}


def when(ctx: Context, instant: datetime) -> str:
    return when_text(instant, ctx.user.prefs.timezone)


# --- the follow-up after a check-in ----------------------------------------------------


async def propose(ctx: Context, hero: Hero, temperature: int, days: int | None = None) -> None:
    """Offers the next touchpoint, timed by the temperature (warm sooner, cold later), or
    `days` ahead when the hero named a day (busy until February)."""
    messages = ctx.messages
    if days:
        why = messages.followup_why_named
    else:
        days = follow_up_days(temperature, ctx.content)
        label = ctx.content.temperature.labels[temperature]
        span = messages.one_day if days == 1 else messages.some_days.format(days=days)
        why = messages.followup_why_cadence.format(label=label, days=span)
    due = days_ahead(ctx.clock.now(), days, ctx.user.prefs)
    ctx.focus(hero.id, {"days": str(days), "kind": ReminderKind.FOLLOW_UP.value})
    await ctx.ask("checkin.followup", date=when(ctx, due), why=why, days=str(days))


async def follow_up_choice(ctx: Context, choice: str) -> None:
    if choice == "skip":
        ctx.idle()
        ctx.say(ctx.messages.followup_skipped)
        return
    if choice == "date":
        await ctx.ask("remind.date")
        return
    days = int(ctx.dialog.answers.get("days", "7")) if choice == "suggested" else None
    days = days or FOLLOW_UP_DAYS[choice]
    hero_id = ctx.dialog.hero_id
    hero = await ctx.heroes.get(ctx.user.id, hero_id) if hero_id else None
    busy = hero.journey.busy_until if hero is not None else None
    # A follow-up before the day the hero named would be chasing: it waits for that day.
    days = max(days, (date.fromisoformat(busy) - ctx.today()).days if busy else 0)
    await schedule(ctx, days_ahead(ctx.clock.now(), days, ctx.user.prefs))


async def typed_when(ctx: Context, text: str) -> None:
    found = parse_when(text, ctx.clock.now(), ctx.user.prefs)
    if found is WhenProblem.UNREADABLE:
        await ctx.not_read(text, problem(ctx, found))
        return
    if isinstance(found, WhenProblem):
        ctx.say(problem(ctx, found))
        await ctx.ask_again()
        return
    await schedule(ctx, found.due_at)


async def schedule(ctx: Context, due_at: datetime) -> None:
    """Saves the reminder the dialog was about and says when it will come."""
    hero_id = ctx.dialog.hero_id
    kind = ReminderKind(ctx.dialog.answers.get("kind", ReminderKind.MANUAL.value))
    hero = await ctx.heroes.get(ctx.user.id, hero_id) if hero_id else None
    ctx.idle()
    await ctx.reminders.add(ctx.user.id, hero.id if hero else None, due_at, kind)
    confirm(ctx, hero, due_at)


def confirm(ctx: Context, hero: Hero | None, due_at: datetime) -> None:
    prefs, messages = ctx.user.prefs, ctx.messages
    at = when(ctx, due_at)
    text = (
        messages.remind_set.format(hero=hero.name, when=at)
        if hero
        else messages.remind_set_general.format(when=at)
    )
    if not in_window(due_at, prefs):
        start, end = window_text(prefs)
        text += " " + messages.remind_in_window.format(
            start=start,
            end=end,
            deliver=when(ctx, deliverable_at(due_at, prefs)),
        )
    busy = hero.journey.busy_until if hero else None
    if hero and busy and date.fromisoformat(busy) > due_at.date():
        # The user chose the day, so it stands; but the coach says what the hero said.
        busy_day = day_text(date.fromisoformat(busy))
        text += "\n" + messages.remind_before_busy.format(hero=hero.name, date=busy_day)
    if prefs.paused:
        text += "\n" + messages.reminders_paused
    ctx.say(text)


def problem(ctx: Context, found: WhenProblem) -> str:
    return {
        WhenProblem.PAST: ctx.messages.remind_past,
        WhenProblem.TOO_FAR: ctx.messages.remind_too_far,
        WhenProblem.BAD_DATE: ctx.messages.remind_bad_date,
        WhenProblem.UNREADABLE: ctx.messages.remind_unreadable,
        WhenProblem.AMBIGUOUS: ctx.messages.ambiguous_date,
    }[found]


# --- /remind ----------------------------------------------------------------------------


async def remind(ctx: Context, args: str) -> None:
    heroes = await ctx.heroes.of(ctx.user.id)
    if not args.strip():
        await guided(ctx, heroes)
        return
    found = parse_when(args, ctx.clock.now(), ctx.user.prefs)
    if isinstance(found, WhenProblem):
        ctx.say(problem(ctx, found))
        return
    hero = await hero_named(ctx, found, heroes)
    if hero is None and found.prefix:
        ctx.say(ctx.messages.remind_unknown_hero.format(name=found.prefix[:64]))
        return
    await ctx.reminders.add(
        ctx.user.id, hero.id if hero else None, found.due_at, ReminderKind.MANUAL
    )
    confirm(ctx, hero, found.due_at)


async def hero_named(ctx: Context, found: When, heroes: list[Hero]) -> Hero | None:
    """The hero a /remind names, else the current one; None if the name is unknown."""
    if not found.prefix:
        return await ctx.current_hero()
    name = found.prefix.casefold()
    exact = [h for h in heroes if h.name.casefold() == name]
    starts = [h for h in heroes if h.name.casefold().startswith(name)]
    matches = exact or starts
    return matches[0] if matches else None


async def guided(ctx: Context, heroes: list[Hero]) -> None:
    if len(heroes) > 1:
        buttons = tuple(Button(f"remind.hero:{h.id}", h.name) for h in heroes)
        ctx.say(ctx.messages.remind_which_hero, buttons)
        return
    await ask_when(ctx, heroes[0] if heroes else None)


async def remind_hero(ctx: Context, arg: str) -> None:
    hero_id = record_id(arg)
    hero = await ctx.heroes.get(ctx.user.id, hero_id) if hero_id else None
    if hero is None or hero.archived:
        await ctx.stale()
        return
    await ask_when(ctx, hero)


async def ask_when(ctx: Context, hero: Hero | None) -> None:
    ctx.focus(hero.id if hero else None, {"kind": ReminderKind.MANUAL.value})
    await ctx.ask("remind.when", hero=hero.name if hero else ctx.messages.anyone)


# --- /reminders -------------------------------------------------------------------------


async def upcoming(ctx: Context, _args: str = "") -> None:
    found = await ctx.reminders.upcoming(ctx.user.id)
    if not found:
        ctx.say(ctx.messages.reminders_none)
        return
    lines = [ctx.messages.reminders_header]
    buttons = []
    for reminder in found[:20]:
        hero = await hero_of(ctx, reminder)
        at = when(ctx, reminder.due_at)
        lines.append(ctx.messages.reminders_line.format(when=at, hero=hero))
        label = ctx.messages.reminder_cancel.format(hero=hero, when=at)
        buttons.append(Button(f"rem.cancel:{reminder.id}", label[:60]))
    if ctx.user.prefs.paused:
        lines.append(ctx.messages.reminders_paused)
    ctx.say("\n".join(lines), tuple(buttons))


async def hero_of(ctx: Context, reminder: Reminder) -> str:
    hero = await ctx.heroes.get(ctx.user.id, reminder.hero_id) if reminder.hero_id else None
    return hero.name if hero else ctx.messages.anyone


async def cancel(ctx: Context, arg: str) -> None:
    reminder_id = record_id(arg)
    reminder = await ctx.reminders.get(ctx.user.id, reminder_id) if reminder_id else None
    if reminder is None or not await ctx.reminders.cancel(ctx.user.id, reminder.id):
        ctx.say(ctx.messages.reminder_gone)
        return
    ctx.say(ctx.messages.reminder_cancelled.format(when=when(ctx, reminder.due_at)))


# --- the buttons on a reminder ----------------------------------------------------------


async def received(ctx: Context, arg: str) -> list[Reminder] | None:
    """The reminders a button on a reminder message refers to, if still open."""
    batch = record_id(arg.split(":", 1)[0])
    if batch is None:
        await ctx.stale()
        return None
    found = await ctx.reminders.batch(ctx.user.id, batch)
    open_ones = [r for r in found if r.response is None]
    if not open_ones:
        ctx.say(ctx.messages.already_handled)
        return None
    return open_ones


async def spoken_of(ctx: Context, reminders: list[Reminder]) -> list[Reminder]:
    """The reminders a message named, one per hero, as the renderer chose them: a snooze
    brings back only those (never an archived hero, never one hero twice)."""
    named: dict[int | None, Reminder] = {}
    for reminder in reminders:
        hero_id = reminder.hero_id
        hero = await ctx.heroes.get(ctx.user.id, hero_id) if hero_id is not None else None
        if hero is not None and not hero.archived:
            named.setdefault(hero.id, reminder)
    if not named:
        # A message about no hero in particular (reminding.compose): one general reminder.
        general = [r for r in reminders if r.hero_id is None]
        return general[:1] or [replace(reminders[0], hero_id=None)]
    return list(named.values())


async def done(ctx: Context, arg: str) -> None:
    reminder_id = record_id(arg)
    reminder = await ctx.reminders.get(ctx.user.id, reminder_id) if reminder_id else None
    if reminder is None or reminder.batch is None:
        await ctx.stale()
        return
    await ctx.reminders.respond(ctx.user.id, reminder.id, ReminderResponse.DONE)
    hero = await ctx.heroes.get(ctx.user.id, reminder.hero_id) if reminder.hero_id else None
    if hero is not None and not hero.archived:
        ctx.user.current_hero_id = hero.id
    await ctx.run("checkin")


async def snooze(ctx: Context, arg: str) -> None:
    batch_id, _, days = arg.partition(":")
    if not days.isdecimal() or int(days) not in SNOOZE_DAYS:
        await ctx.stale()
        return
    found = await received(ctx, batch_id)
    if found is None:
        return
    due = days_ahead(ctx.clock.now(), int(days), ctx.user.prefs)
    for reminder in found:
        await ctx.reminders.respond(ctx.user.id, reminder.id, ReminderResponse.SNOOZED)
    for reminder in await spoken_of(ctx, found):
        await ctx.reminders.add(ctx.user.id, reminder.hero_id, due, reminder.kind)
    ctx.say(ctx.messages.snoozed.format(when=when(ctx, due)))


async def skip(ctx: Context, arg: str) -> None:
    found = await received(ctx, arg)
    if found is None:
        return
    for reminder in found:
        await ctx.reminders.respond(ctx.user.id, reminder.id, ReminderResponse.SKIPPED)
    ctx.say(ctx.messages.skipped)


_AFTER_WHEN = ("remind.date", IDLE, STORY)
FLOW = Flow(
    "reminders",
    commands={
        "remind": Entry(remind, enters=("remind.when",)),
        "reminders": Entry(upcoming),
    },
    questions={
        # Where a typed answer of its own is expected ("in 5 days"), only an exact option
        # wins over it.
        "checkin.followup": Ask(follow_up_choice, _AFTER_WHEN, typed=typed_when, loose=False),
        "remind.when": Ask(follow_up_choice, _AFTER_WHEN, typed=typed_when, loose=False),
        "remind.date": Ask(typed_when, (IDLE, STORY), limit=100),
    },
    actions={
        "rem.done": Entry(done, enters=("/checkin",), any_turn=True),
        "rem.snooze": Entry(snooze, any_turn=True),
        "rem.skip": Entry(skip, any_turn=True),
        "rem.cancel": Entry(cancel, any_turn=True),
        "remind.hero": Entry(remind_hero, enters=("remind.when",)),
    },
)
