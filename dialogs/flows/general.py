"""/help and /cancel: what the coach can do, and a way out of any question."""

from __future__ import annotations

from dialogs.flows.base import IDLE, Context, Entry, Flow


async def show_help(ctx: Context, _args: str = "") -> None:
    ctx.say(ctx.messages.help)


async def cancel(ctx: Context, _args: str = "") -> None:
    if ctx.dialog.state == IDLE:
        ctx.say(ctx.messages.nothing_to_cancel)
        return
    was_checkin = ctx.in_checkin() and bool(ctx.dialog.answers)
    ctx.leave()
    ctx.say(ctx.messages.cancelled_checkin if was_checkin else ctx.messages.cancelled)


FLOW = Flow(
    "general",
    commands={
        "help": Entry(show_help, leaves=False, reprompt=True),
        "cancel": Entry(cancel, leaves=False),
    },
)
