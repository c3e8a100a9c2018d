"""The `mentor-coach` command."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import logging
import sys
from collections.abc import Callable, Coroutine
from typing import Any

from sqlalchemy.exc import DBAPIError
from telegram.error import InvalidToken, TelegramError

from bot import logs
from bot.app import healthy, migrate
from bot.console import chat
from bot.settings import Settings
from bot.telegram.runner import dispatch, run
from bot.webhook import serve

if sys.platform == "win32":  # uvloop is not built for Windows
    from asyncio import run as run_loop
else:
    # libuv's event loop: the database driver, the web server and the HTTP client all
    # spend less CPU per call on it.
    from uvloop import run as run_loop


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="mentor-coach",
        description="A coach for turning a professional hero into a mentor.",
    )
    commands = main.add_subparsers(dest="command", required=True)
    chat = commands.add_parser("chat", help="talk to the coach in this terminal (no token needed)")
    chat.add_argument("--json", action="store_true", help="one JSON line out per line in")
    chat.add_argument("--user", default=None, help="which local user is talking")
    commands.add_parser("run", help="run the Telegram bot (long polling) and its reminders")
    commands.add_parser("dispatch", help="send due reminders only (a worker; no polling)")
    commands.add_parser("webhook", help="serve Telegram's webhook (for replicas), and reminders")
    commands.add_parser("health", help="exit 0 if the database is reachable (for healthchecks)")
    db = commands.add_parser("db", help="database maintenance")
    db.add_argument("action", choices=["upgrade"], help="apply migrations")
    return main


log = logging.getLogger("bot.cli")


def fail_in_one_line(start: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    """Runs a command; a rejected token, an unreachable Bot API or database end it with
    one line and a non-zero exit.

    Their tracebacks may carry the token (PTB puts it in InvalidToken's message) or the
    database's address, so they go through the redacting log, at DEBUG only; any other
    error's too, at CRITICAL, rather than through Python's handler, which redacts nothing.
    """
    try:
        return run_loop(start())
    except InvalidToken:
        log.debug("the Bot API said 401", exc_info=True)
        raise SystemExit(
            "Telegram rejected TELEGRAM_BOT_TOKEN (401): check it with @BotFather."
        ) from None
    except TelegramError as error:
        log.debug("the Bot API failed", exc_info=True)
        raise SystemExit(
            f"The Bot API failed ({type(error).__name__}): check TELEGRAM_API_URL and the network."
        ) from None
    except (OSError, DBAPIError) as error:
        log.debug("the database could not be reached", exc_info=True)
        cause = type(getattr(error, "orig", None) or error).__name__
        raise SystemExit(
            f"The database could not be reached ({cause}): check DATABASE_URL."
        ) from None
    except Exception:
        # Through the log, not Python's own handler: the log redacts the secrets.
        log.critical("stopped by an unexpected error", exc_info=True)
        raise SystemExit(1) from None


def main(argv: list[str] | None = None) -> None:
    arguments = parser().parse_args(argv)
    settings = Settings()
    secrets = settings.secrets()
    if arguments.command == "chat":
        # The terminal is for the conversation; only problems are logged, to stderr.
        logs.configure("WARNING", secrets, settings.log_format)
        user = arguments.user or getpass.getuser() or "me"
        with contextlib.suppress(KeyboardInterrupt):
            run_loop(chat(settings, user, arguments.json))
        return
    logs.configure(settings.log_level, secrets, settings.log_format)
    if arguments.command == "run":
        fail_in_one_line(lambda: run(settings))
    elif arguments.command == "dispatch":
        fail_in_one_line(lambda: dispatch(settings))
    elif arguments.command == "webhook":
        fail_in_one_line(lambda: serve(settings))
    elif arguments.command == "health":
        raise SystemExit(0 if run_loop(healthy(settings)) else 1)
    elif arguments.command == "db":
        fail_in_one_line(lambda: migrate(settings))
