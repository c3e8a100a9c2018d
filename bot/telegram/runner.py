"""`mentor-coach run` and `mentor-coach dispatch`: the coach on Telegram by long polling,
and the reminder dispatcher on its own."""

from __future__ import annotations

import asyncio
import logging

from bot.bootstrap import build, set_commands, stop_on_signals
from bot.settings import Settings
from bot.telegram.outbox import IN_FLIGHT, ReplySender
from bot.telegram.polling import poll

log = logging.getLogger(__name__)


async def dispatch(settings: Settings) -> None:
    """`mentor-coach dispatch`: the reminder dispatcher and the reply outbox's sweep (a
    worker beside webhooks)."""
    parts = await build(settings)
    stop = stop_on_signals()
    try:
        async with parts.telegram():
            replies = ReplySender(parts.app.database, parts.sender(IN_FLIGHT))
            await asyncio.gather(parts.dispatcher().run(stop), replies.run(stop))
    finally:
        await parts.close()


async def run(settings: Settings) -> None:
    """`mentor-coach run`: long polling, the reminder dispatcher and housekeeping."""
    parts = await build(settings)
    app, bot = parts.app, parts.telegram()
    stop = stop_on_signals()
    dispatcher = parts.dispatcher()
    try:
        async with bot:
            await set_commands(bot, app.coach.content.commands)
            log.info("polling as @%s", bot.username)
            gateway = parts.gateway()
            await gateway.replies.recover()
            await asyncio.gather(
                poll(bot, gateway.process, stop, settings.polling_timeout),
                gateway.replies.run(stop),
                dispatcher.run(stop),
                app.housekeeping(stop),
            )
        log.info("stopped")
    finally:
        await parts.close()
