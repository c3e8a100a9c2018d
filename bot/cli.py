"""The `mentor-coach` command."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import sys

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
        run_loop(run(settings))
    elif arguments.command == "dispatch":
        run_loop(dispatch(settings))
    elif arguments.command == "webhook":
        run_loop(serve(settings))
    elif arguments.command == "health":
        raise SystemExit(0 if run_loop(healthy(settings)) else 1)
    elif arguments.command == "db":
        run_loop(migrate(settings))
