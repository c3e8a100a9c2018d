"""`mentor-coach run`: the coach on Telegram by long polling."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
from datetime import timedelta

from telegram import Bot, BotCommand
from telegram.error import TelegramError
from telegram.request import HTTPXRequest

from bot.app import App, SystemClock
from bot.reminders import Dispatcher, DispatchSettings
from bot.settings import Settings
from bot.telegram.gateway import Gateway
from bot.telegram.outbox import ReplySender
from bot.telegram.polling import poll
from bot.telegram.sending import TelegramSender

log = logging.getLogger(__name__)


def make_bot(settings: Settings) -> Bot:
    """Builds a Bot that talks to the configured Bot API server."""
    api = settings.telegram_api_url
    return Bot(
        settings.token(),
        base_url=f"{api}/bot",
        base_file_url=f"{api}/file/bot",
        request=HTTPXRequest(connection_pool_size=8),
        get_updates_request=HTTPXRequest(read_timeout=settings.polling_timeout + 10),
    )


async def set_commands(bot: Bot, commands: dict[str, str]) -> None:
    """Sets the command menu; the bot works without it, so a failure only logs."""
    try:
        await bot.set_my_commands([BotCommand(name, text) for name, text in commands.items()])
    except TelegramError as error:
        log.warning("could not set the command menu: %s", error.message)


def make_dispatcher(app: App, bot: Bot, settings: Settings) -> Dispatcher:
    return Dispatcher(
        app,
        TelegramSender(bot, asyncio.sleep),
        SystemClock(),
        DispatchSettings(
            worker=f"{socket.gethostname()}:{os.getpid()}",
            rate=settings.reminder_rate,
            batch=settings.reminder_batch,
            poll=settings.reminder_poll_seconds,
            stale_after=timedelta(seconds=settings.reminder_claim_timeout),
        ),
    )


def stop_on_signals() -> asyncio.Event:
    """Returns an event set by SIGTERM or SIGINT: the way to a graceful stop."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    return stop


async def dispatch(settings: Settings) -> None:
    """`mentor-coach dispatch`: the reminder dispatcher and the reply outbox's sweep (a
    worker beside webhooks)."""
    bot = make_bot(settings)
    app = await App.start(settings)
    stop = stop_on_signals()
    replies = ReplySender(app.database, TelegramSender(bot, asyncio.sleep))
    try:
        async with bot:
            await asyncio.gather(make_dispatcher(app, bot, settings).run(stop), replies.run(stop))
    finally:
        await app.close()


async def run(settings: Settings) -> None:
    bot = make_bot(settings)
    app = await App.start(settings)
    stop = stop_on_signals()
    dispatcher = make_dispatcher(app, bot, settings)
    try:
        async with bot:
            await set_commands(bot, app.coach.content.commands)
            log.info("polling as @%s", bot.username)
            gateway = Gateway(app, bot)
            await gateway.replies.recover()
            await asyncio.gather(
                poll(bot, gateway.process, stop, settings.polling_timeout),
                gateway.replies.run(stop),
                dispatcher.run(stop),
                app.housekeeping(stop),
            )
        log.info("stopped")
    finally:
        await app.close()
