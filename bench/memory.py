"""Memory: the running bot's resident set with few users in its database and with many.

For each size, a fresh PostgreSQL database is seeded with that many users (each with a
hero, three interactions and an idle dialog) by SQLAlchemy Core bulk inserts; then
`mentor-coach run` is started against a fake Bot API server, and a sample of 300
users, spread over the whole id range, each send /progress (which reads their hero
and its history). RSS (VmRSS in /proc/<pid>/status) is read once the bot polls, and
again when every one of them has had a reply. The smaller database is the baseline:
a bot that keeps no per-user state needs the same memory for both.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text

from bench.common import postgres_database
from bench.report import Section, median
from storage.db import Database
from storage.models import HeroRow, InteractionRow, UserRow
from testkit.fakebotapi import Call, FakeBotApi
from testkit.processes import Child, mentor_coach, polling_environment

TOKEN = "4242:bench-memory-token"
FIRST_CHAT = 10_000_000
SAMPLE = 300
INTERACTIONS = 3  # per user
CHUNK = 5_000  # users per bulk insert
GOAL = 1.1  # RSS with many users over RSS with few
SIZES = {False: (1_000, 10_000), True: (1_000, 100_000)}
SMOKE_SIZES = (10, 100)  # only that it runs
LAUNCHES = {False: 1, True: 2}  # per size; RSS barely varies, the median evens it out


async def seed(url: str, users: int) -> None:
    """Migrates, then bulk-inserts `users` users, each with a hero and interactions.

    Ids are given explicitly (user n has hero n) so that rows can be made without
    reading ids back; the sequences are moved past them afterwards, as the bot's own
    inserts draw from them.
    """
    database = Database(url)
    try:
        await database.migrate()
        today = date.today()
        for first in range(1, users + 1, CHUNK):
            ids = range(first, min(first + CHUNK, users + 1))
            async with database.transaction() as store:
                session = store.session
                await session.execute(insert(UserRow), [user_row(n) for n in ids])
                await session.execute(insert(HeroRow), [hero_row(n) for n in ids])
                await session.execute(
                    insert(InteractionRow),
                    [interaction_row(n, k, today) for n in ids for k in range(INTERACTIONS)],
                )
        async with database.transaction() as store:
            for table in ("users", "heroes", "interactions"):
                await store.session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
    finally:
        await database.dispose()


def user_row(n: int) -> dict[str, object]:
    return {
        "id": n,
        "channel": "telegram",
        "external_id": str(FIRST_CHAT + n),
        "display_name": f"User {n}",
        "timezone": "UTC",
        "window_start": datetime.min.time(),
        "window_end": datetime.max.time().replace(microsecond=0),
        "reminders_paused": False,
        "active": True,
        "current_hero_id": n,
        "dialog": {"state": "idle", "turn": 4},
    }


def hero_row(n: int) -> dict[str, object]:
    return {
        "id": n,
        "user_id": n,
        "name": f"Hero {n}",
        "role": "Producer",
        "how_met": "At a gig",
        "met_on": date(2026, 1, 1),
        "step": "interests",
        "archived": False,
    }


def interaction_row(n: int, k: int, today: date) -> dict[str, object]:
    return {
        "user_id": n,
        "hero_id": n,
        "happened_on": today - timedelta(days=7 * (INTERACTIONS - k)),
        "kind": "coffee",
        "story": "She asked about my band.",
        "step": "interests",
        "temperature": 3 + k % 2,
        "answers": {"checkin.when": "earlier", "checkin.kind": "coffee"},
        "advice": ["interests.listen"],
        "open_door": False,
        "lit_up": "touring",
    }


def rss(pid: int) -> int:
    """Resident set size in bytes, from /proc/<pid>/status."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def steady_rss(pid: int, reads: int = 5) -> int:
    """The median of a few RSS reads 0.1 s apart: a stray allocation doesn't count."""
    found = []
    for _ in range(reads):
        found.append(rss(pid))
        time.sleep(0.1)
    return int(median(found))


@dataclass(frozen=True)
class Reading:
    users: int
    started: int  # RSS once the bot polls, bytes
    after: int  # RSS once the sample has had its replies, bytes
    seconds: float  # from the first /progress to the last reply


def measure(api: FakeBotApi, url: str, users: int, workdir: Path) -> Reading:
    """Starts the bot on a seeded database, lets the sample talk to it, reads its RSS.

    One fake server serves every launch, so update ids keep growing as Telegram's do
    (a second launch on the same database would ignore repeated ids as handled).
    """
    sample = [1 + i * users // SAMPLE for i in range(SAMPLE)]
    chats = {FIRST_CHAT + n for n in sample}
    env = polling_environment(TOKEN, api.url, workdir, url, "WARNING")
    before = len(api.calls)

    def since(method: str) -> list[Call]:
        return [c for c in api.calls[before:] if c.method == method and c.ok]

    bot = Child(mentor_coach("run"), env, workdir / "bot.log").start()
    try:
        api.wait_for(
            lambda _: since("getUpdates") or bot.exited(),
            timeout=60,
            description="the bot to poll",
        )
        if bot.exited():
            raise RuntimeError(bot.log_text()[-3000:])
        # Let start-up settle (the reminder dispatcher's first round included).
        time.sleep(1)
        started = steady_rss(bot.pid)
        began = time.monotonic()
        for chat in sorted(chats):
            api.send_text(chat, "/progress")
        api.wait_for(
            lambda _: chats <= {int(c.params["chat_id"]) for c in since("sendMessage")},
            timeout=120,
            description=f"replies to all {SAMPLE} users",
        )
        seconds = time.monotonic() - began
        # Each reply must be the user's own progress, not an apology for an error.
        for call in since("sendMessage"):
            n = int(call.params["chat_id"]) - FIRST_CHAT
            if f"Hero {n} " not in call.params["text"]:
                raise RuntimeError(f"user {n} got no progress report: {call.params['text']!r}")
        time.sleep(1)
        after = steady_rss(bot.pid)
    finally:
        bot.stop()
    return Reading(users, started, after, seconds)


def mib(size: float) -> str:
    return f"{size / 2**20:.1f} MiB"


def run(full: bool, smoke: bool = False) -> Section:
    sizes = SMOKE_SIZES if smoke else SIZES[full]
    section = Section("Memory: the bot's RSS with few and with many users")
    section.add(
        f"`mentor-coach run` on PostgreSQL, seeded with {sizes[0]:,} and with {sizes[1]:,} "
        f"users (each with a hero and {INTERACTIONS} interactions); {SAMPLE} of them, spread "
        "over the id range, each send /progress through a fake Bot API server. RSS is "
        "VmRSS from /proc once the bot polls, and after all of them got their reply. "
        f"Median of {LAUNCHES[full]} launch(es) per size.",
        "",
    )
    readings: dict[int, list[Reading]] = {n: [] for n in sizes}
    seeding: dict[int, float] = {}
    with (
        tempfile.TemporaryDirectory(prefix="bench-memory-") as directory,
        FakeBotApi(token=TOKEN) as api,
    ):
        workdir = Path(directory)
        for users in sizes:
            with postgres_database() as url:
                started = time.monotonic()
                asyncio.run(seed(url, users))
                seeding[users] = time.monotonic() - started
                for _ in range(LAUNCHES[full]):
                    readings[users].append(measure(api, url, users, workdir))
    rows = []
    for users, found in readings.items():
        rows.append(
            [
                f"{users:,}",
                f"{seeding[users]:.1f} s",
                mib(median([r.started for r in found])),
                mib(median([r.after for r in found])),
                f"{median([r.seconds for r in found]):.1f} s",
            ]
        )
    section.table(
        ["users in the database", "seeding", "RSS polling", f"RSS after {SAMPLE} turns",
         f"{SAMPLE} /progress replies took"],
        rows,
    )  # fmt: skip
    few, many = (median([r.after for r in readings[n]]) for n in sizes)
    ratio = many / few
    verdict = "met" if ratio <= GOAL else "**missed**"
    section.add(
        "",
        f"- Goal: RSS with {sizes[1]:,} users at most {GOAL}× that with {sizes[0]:,}: "
        f"{mib(many)} / {mib(few)} = {ratio:.2f}, {verdict}.",
    )
    return section
