"""/settings: the user's timezone, delivery window and reminders on or off."""

from __future__ import annotations

from dataclasses import replace

from dialogs.flows.base import IDLE, STORY, Ask, Context, Entry, Flow, Handler
from dialogs.model import Button
from dialogs.schedule import find_timezone, parse_window, window_text, zone


async def show(ctx: Context, _args: str = "") -> None:
    prefs, messages = ctx.user.prefs, ctx.messages
    local = ctx.clock.now().astimezone(zone(prefs))
    start, end = window_text(prefs)
    text = messages.settings_show.format(
        timezone=prefs.timezone,
        local=f"{local:%H:%M}",
        start=start,
        end=end,
        state=messages.reminders_off if prefs.paused else messages.reminders_on,
    )
    toggle = (
        Button("settings.resume", messages.button_resume)
        if prefs.paused
        else Button("settings.pause", messages.button_pause)
    )
    buttons = (
        Button("settings.timezone", messages.button_timezone),
        Button("settings.window", messages.button_window),
        toggle,
    )
    ctx.say(text, buttons)


def by_option(question_id: str, then: Handler) -> Handler:
    """Answers a pressed option with the value it stands for (a zone, a window)."""

    async def chosen(ctx: Context, choice: str) -> None:
        value = await ctx.option_value(question_id, choice)
        if value is not None:
            await then(ctx, value)

    return chosen


async def typed_timezone(ctx: Context, text: str) -> None:
    found = find_timezone(text)
    if found is None:
        await ctx.not_read(text, ctx.messages.timezone_unknown)
        return
    await set_timezone(ctx, found)


async def set_timezone(ctx: Context, timezone: str) -> None:
    ctx.user.prefs = replace(ctx.user.prefs, timezone=timezone)
    ctx.idle()
    local = ctx.clock.now().astimezone(zone(ctx.user.prefs))
    ctx.say(ctx.messages.timezone_set.format(timezone=timezone, local=f"{local:%H:%M}"))


async def typed_window(ctx: Context, text: str) -> None:
    window = parse_window(text)
    if window is None:
        await ctx.not_read(text, ctx.messages.window_bad)
        return
    start, end = window
    ctx.user.prefs = replace(ctx.user.prefs, window_start=start, window_end=end)
    ctx.idle()
    shown_start, shown_end = window_text(ctx.user.prefs)
    ctx.say(ctx.messages.window_set.format(start=shown_start, end=shown_end))


async def ask_timezone(ctx: Context, _arg: str) -> None:
    await ctx.ask("settings.timezone")


async def ask_window(ctx: Context, _arg: str) -> None:
    await ctx.ask("settings.window")


async def pause(ctx: Context, _arg: str) -> None:
    ctx.user.prefs = replace(ctx.user.prefs, paused=True)
    ctx.say(ctx.messages.paused)


async def resume(ctx: Context, _arg: str) -> None:
    ctx.user.prefs = replace(ctx.user.prefs, paused=False)
    ctx.say(ctx.messages.resumed)


FLOW = Flow(
    "settings",
    commands={"settings": Entry(show)},
    questions={
        # A typed zone or window ("UTC+13", "8 to 18") is its own answer: only an exact
        # option wins over it.
        "settings.timezone": Ask(
            by_option("settings.timezone", set_timezone),
            (IDLE, STORY),
            typed=typed_timezone,
            loose=False,
        ),
        "settings.window": Ask(
            by_option("settings.window", typed_window),
            (IDLE, STORY),
            typed=typed_window,
            loose=False,
        ),
    },
    actions={
        "settings.timezone": Entry(ask_timezone, enters=("settings.timezone",)),
        "settings.window": Entry(ask_window, enters=("settings.window",)),
        "settings.pause": Entry(pause),
        "settings.resume": Entry(resume),
    },
)
