"""`mentor-coach run`: the coach on Telegram by long polling."""

from __future__ import annotations

import asyncio
import logging
import signal

from telegram import Bot, BotCommand
from telegram.error import InvalidToken, TelegramError
from telegram.request import HTTPXRequest

from bot.app import App
from bot.settings import Settings
from bot.telegram.gateway import Gateway
from bot.telegram.polling import poll

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


async def run(settings: Settings) -> None:
    bot = make_bot(settings)
    app = await App.start(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        async with bot:
            await set_commands(bot, app.coach.content.commands)
            log.info("polling as @%s", bot.username)
            await poll(bot, Gateway(app, bot).process, stop, settings.polling_timeout)
        log.info("stopped")
    except InvalidToken:
        raise SystemExit(
            "Telegram rejected TELEGRAM_BOT_TOKEN: check it with @BotFather."
        ) from None
    finally:
        await app.close()
