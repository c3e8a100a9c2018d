"""The one wiring function: everything `run`, `webhook`, `dispatch` and `chat` need is
built here from Settings, once (Cosmic Python's `bootstrap()`). Plain values flow down;
the entry points only decide what to run."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

from telegram import Bot, BotCommand
from telegram.error import TelegramError
from telegram.request import HTTPXRequest

from bot.app import App, SystemClock
from bot.reminders import Dispatcher, DispatchSettings
from bot.settings import Settings
from bot.telegram.gateway import Gateway
from bot.telegram.lean import LeanRequest, LeanSender, lean_enabled
from bot.telegram.outbox import IN_FLIGHT
from bot.telegram.sending import TelegramSender
from dialogs.content import default_content
from dialogs.engine import Coach
from storage.db import Database

log = logging.getLogger(__name__)


@dataclass
class Parts:
    """What an entry point runs: the coach on its database, and the bot when there is one."""

    settings: Settings
    app: App
    bot: Bot | None  # None in the terminal: no token needed
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    def telegram(self) -> Bot:
        assert self.bot is not None, "built without Telegram"
        return self.bot

    def gateway(self) -> Gateway:
        return Gateway(self.app, self.telegram(), self.sender(IN_FLIGHT))

    def dispatcher(self) -> Dispatcher:
        settings = self.settings
        dispatch = DispatchSettings(
            worker=f"{socket.gethostname()}:{os.getpid()}",
            rate=settings.reminder_rate,
            batch=settings.reminder_batch,
            poll=settings.reminder_poll_seconds,
            stale_after=timedelta(seconds=settings.reminder_claim_timeout),
        )
        return Dispatcher(self.app, self.sender(dispatch.concurrency), SystemClock(), dispatch)

    def sender(self, connections: int) -> TelegramSender:
        """A sender for replies or reminders, with `connections` of its own: text on the
        lean path (bot.telegram.lean), unless a proxy is configured, which only httpx
        knows how to use."""
        bot = self.telegram()
        api = self.settings.telegram_api_url
        if not lean_enabled(api):
            return TelegramSender(bot, asyncio.sleep)
        request = LeanRequest(connections)
        self.closers.append(request.shutdown)
        lean = Bot(bot.token, base_url=f"{api}/bot", request=request, get_updates_request=request)
        return LeanSender(bot, lean, asyncio.sleep)

    async def close(self) -> None:
        for close in self.closers:
            await close()
        await self.app.close()


async def build(settings: Settings, *, telegram: bool = True) -> Parts:
    """Builds the coach, brings the database schema up to date, and makes the bot."""
    bot = make_bot(settings) if telegram else None  # a missing token fails before the database
    coach = Coach(default_content(), SystemClock(), defaults=settings.preferences())
    database = Database(
        settings.database(),
        pool_size=settings.database_pool_size,
        # A failed statement's parameters are what people wrote: shown at DEBUG only.
        hide_parameters=settings.log_level != "DEBUG",
    )
    await database.migrate()
    log.info("database ready (%s)", database.backend)
    return Parts(settings, App(settings, database, coach), bot)


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


def stop_on_signals() -> asyncio.Event:
    """Returns an event set by SIGTERM or SIGINT: the way to a graceful stop."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    return stop
