"""Start-up: from launching `mentor-coach run` to its first reply at the Bot API.

Each launch gets a fake Bot API server (testkit/fakebotapi/) with a /start update
already waiting; the clock runs from just before the process is spawned to the moment
the fake server receives the first sendMessage. The fake also records when the
process made its first API call (getMe: Python, imports, settings and migrations are
behind it) and its first getUpdates, which splits the time into phases.

Baseline, measured in the same run: a bare python-telegram-bot script that polls
getUpdates once and echoes, against the same kind of fake server.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.report import Section, median
from testkit.fakebotapi import Call, FakeBotApi
from testkit.processes import Child, mentor_coach, polling_environment

TOKEN = "4242:bench-startup-token"
USER = 1001
GOAL = 2.0  # seconds from launch to the first reply
LAUNCHES = {False: 3, True: 10}  # per variant, quick and full

ECHO_BOT = '''\
"""The baseline: python-telegram-bot at its barest. Polls once, echoes, confirms, exits."""

import asyncio
import json
import os

from telegram import Bot


async def main() -> None:
    api = os.environ["TELEGRAM_API_URL"]
    async with Bot(os.environ["TELEGRAM_BOT_TOKEN"], base_url=f"{api}/bot") as bot:
        updates = await bot.get_updates(timeout=1)
        for update in updates:
            if update.message is not None and update.message.text:
                await bot.send_message(update.message.chat_id, update.message.text)
        if updates:
            await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)


asyncio.run(main())
'''


@dataclass(frozen=True)
class Launch:
    """Seconds from spawning the process to each milestone at the fake server."""

    first_call: float
    first_poll: float
    reply: float


@dataclass
class Variant:
    name: str
    command: list[str]
    # Returns DATABASE_URL for the next launch (a new file, or the migrated one).
    database: Callable[[], str] | None = None


def launch(api: FakeBotApi, variant: Variant, workdir: Path) -> Launch:
    """Starts the variant once, a /start waiting for it; returns its milestones.

    One fake server serves every launch, so update ids keep growing as Telegram's do
    (on the migrated database a repeated id would be ignored as handled before).
    """
    log_path = workdir / "launch.log"
    before = len(api.calls)
    api.send_text(USER, "/start")
    database = variant.database() if variant.database else None
    env = polling_environment(TOKEN, api.url, workdir, database, "INFO")

    def since(method: str) -> list[Call]:
        return [c for c in api.calls[before:] if c.method == method and c.ok]

    log_path.unlink(missing_ok=True)
    # cwd: a directory without a .env file, so only `env` configures the bot.
    process = Child(variant.command, env, log_path, cwd=workdir)
    started = time.monotonic()
    process.start()
    try:
        api.wait_for(
            lambda _: process.exited() or since("sendMessage"),
            timeout=60,
            description=f"the first reply from {variant.name}",
        )
    finally:
        process.stop()
    replies = since("sendMessage")
    if not replies:
        output = log_path.read_text("utf-8", errors="replace")
        raise RuntimeError(f"{variant.name} exited without replying:\n{output[-3000:]}")
    return Launch(
        first_call=api.calls[before].at - started,
        first_poll=since("getUpdates")[0].at - started,
        reply=replies[0].at - started,
    )


def migrated_sqlite(workdir: Path) -> str:
    """A SQLite file brought up to date by `mentor-coach db upgrade`."""
    url = f"sqlite:///{workdir / 'migrated.db'}"
    subprocess.run(
        mentor_coach("db", "upgrade"),
        env=polling_environment(TOKEN, "http://127.0.0.1:9", workdir, url, "INFO"),
        cwd=workdir,
        check=True,
        capture_output=True,
    )
    return url


# What the bot imports, heaviest first, each measured on top of those before it;
# the last line is whatever else `mentor-coach` imports.
IMPORTS = (
    ("python-telegram-bot (the baseline has it too)", "telegram"),
    ("SQLAlchemy asyncio and ORM", "sqlalchemy.ext.asyncio, sqlalchemy.orm"),
    ("Alembic", "alembic.command, alembic.config"),
    ("pydantic-settings", "pydantic_settings"),
    ("dialogs.reader (its patterns and word lists)", "dialogs.reader"),
    ("the rest of bot.cli", "bot.cli"),
)
IMPORT_STEPS = """
import json, sys, time
found = []
for modules in sys.argv[1:]:
    started = time.perf_counter()
    for module in modules.split(", "):
        __import__(module)
    found.append(time.perf_counter() - started)
print(json.dumps(found))
"""


def import_steps(workdir: Path, runs: int = 3) -> list[float]:
    """Seconds each step of IMPORTS adds, in a fresh interpreter; medians of `runs`."""
    found = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", IMPORT_STEPS, *(modules for _, modules in IMPORTS)],
            cwd=workdir,
            check=True,
            capture_output=True,
            text=True,
        )
        found.append(json.loads(done.stdout))
    return [median(list(step)) for step in zip(*found, strict=True)]


BASELINE = "bare PTB echo bot (baseline)"
FRESH = "mentor-coach, fresh SQLite"
MIGRATED = "mentor-coach, migrated SQLite"


def measure(workdir: Path, launches: int) -> dict[str, list[Launch]]:
    """Launches every variant `launches` times, the variants taking turns."""
    echo = workdir / "echo_bot.py"
    echo.write_text(ECHO_BOT, "utf-8")
    fresh = (f"sqlite:///{workdir / f'fresh-{n}.db'}" for n in range(launches))
    migrated = migrated_sqlite(workdir)
    variants = [
        Variant(BASELINE, [sys.executable, str(echo)]),
        Variant(FRESH, mentor_coach("run"), lambda: next(fresh)),
        Variant(MIGRATED, mentor_coach("run"), lambda: migrated),
    ]
    found: dict[str, list[Launch]] = {v.name: [] for v in variants}
    with FakeBotApi(token=TOKEN) as api:
        for _ in range(launches):
            for variant in variants:
                found[variant.name].append(launch(api, variant, workdir))
    return found


def run(full: bool, smoke: bool = False) -> Section:
    launches = 1 if smoke else LAUNCHES[full]
    section = Section("Start-up: launch to first reply")
    section.add(
        "`mentor-coach run` (long polling, SQLite) is spawned against a fake Bot API server "
        "that already holds a /start update; the time runs until the fake receives the first "
        "sendMessage. Fresh: a new database file each launch (all migrations run). "
        "Migrated: a file `mentor-coach db upgrade` prepared beforehand. Baseline: a bare "
        "python-telegram-bot script (one getUpdates, echo) against the same fake. "
        f"Median of {launches} launches each, the variants taking turns.",
        "",
    )
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as directory:
        found = measure(Path(directory), launches)
        imports = import_steps(Path(directory), runs=1 if smoke else 3)
    reply = {name: median([x.reply for x in runs]) for name, runs in found.items()}
    section.table(
        ["variant", "first API call", "first getUpdates", "first reply", "slowest reply",
         "vs baseline"],
        [
            [
                name,
                f"{median([x.first_call for x in runs]):.2f} s",
                f"{median([x.first_poll for x in runs]):.2f} s",
                f"{reply[name]:.2f} s",
                f"{max(x.reply for x in runs):.2f} s",
                f"{reply[name] / reply[BASELINE]:.1f}×",
            ]
            for name, runs in found.items()
        ],
    )  # fmt: skip
    section.add(
        "",
        f"Where the time before the first API call goes: importing `mentor-coach` "
        f"({sum(imports):.2f} s in a fresh interpreter, median of 3), step by step, each on "
        "top of the ones above:",
        "",
    )
    section.table(
        ["import", "adds"],
        [[what, f"{seconds:.2f} s"] for (what, _), seconds in zip(IMPORTS, imports, strict=True)],
    )
    section.add(
        "",
        f"- The gap to the baseline on a migrated database: "
        f"{reply[MIGRATED] - reply[BASELINE]:.2f} s, of which imports beyond "
        f"python-telegram-bot's own take {sum(imports[1:]):.2f} s.",
    )
    for name in (FRESH, MIGRATED):
        verdict = "met" if reply[name] < GOAL else "**missed**"
        section.add(
            f"- Goal: first reply under {GOAL:.0f} s ({name}): {reply[name]:.2f} s, {verdict}."
        )
    return section
