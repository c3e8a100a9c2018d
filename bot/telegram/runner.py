"""`mentor-coach run` and `mentor-coach dispatch`: the coach on Telegram by long polling,
and the reminder dispatcher on its own."""

from __future__ import annotations

import asyncio
import logging

from telegram.error import InvalidToken

from bot.bootstrap import build, set_commands, stop_on_signals
from bot.settings import Settings
from bot.telegram.polling import poll

log = logging.getLogger(__name__)


async def dispatch(settings: Settings) -> None:
    """`mentor-coach dispatch`: only the reminder dispatcher (a worker beside webhooks)."""
    parts = await build(settings)
    stop = stop_on_signals()
    try:
        async with parts.telegram():
            await parts.dispatcher().run(stop)
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
            await asyncio.gather(
                poll(bot, parts.gateway().process, stop, settings.polling_timeout),
                dispatcher.run(stop),
                app.housekeeping(stop),
            )
        log.info("stopped")
    except InvalidToken:
        raise SystemExit(
            "Telegram rejected TELEGRAM_BOT_TOKEN: check it with @BotFather."
        ) from None
    finally:
        await parts.close()
