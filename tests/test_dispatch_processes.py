"""Two `mentor-coach dispatch` processes on one PostgreSQL, 1,000 due reminders,
counted where they arrive: at the fake Bot API server. One is killed mid-batch."""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from bot.reminders import DispatchSettings
from storage.db import Database
from storage.models import HeroRow, ReminderRow, UserRow
from testkit.fakebotapi import FakeBotApi
from testkit.processes import Child, mentor_coach

pytestmark = pytest.mark.e2e

TOKEN = "4242:dispatch-test-token"
USERS = 1000
FIRST_CHAT = 500_000
# What a killed dispatcher can leave "uncertain" at its default settings.
UNRECORDED = DispatchSettings(worker="test").unrecorded


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi(token=TOKEN) as server:
        for chat in range(FIRST_CHAT, FIRST_CHAT + USERS):
            server.add_user(chat)
        yield server


async def seed(url: str) -> None:
    """1,000 users, each with a hero and a reminder due a minute ago."""
    db = Database(url)
    await db.migrate()
    due = datetime.now(UTC) - timedelta(minutes=1)
    async with db.transaction() as store:
        session = store.session
        users = [
            {
                "channel": "telegram",
                "external_id": str(chat),
                "display_name": f"U{chat}",
                "timezone": "UTC",
                "window_start": datetime.min.time(),
                "window_end": datetime.max.time().replace(microsecond=0),
                "reminders_paused": False,
                "active": True,
                "dialog": {"state": "idle"},
            }
            for chat in range(FIRST_CHAT, FIRST_CHAT + USERS)
        ]
        await session.execute(insert(UserRow), users)
        ids = (await session.scalars(select(UserRow.id).order_by(UserRow.id))).all()
        await session.execute(
            insert(HeroRow),
            [
                {
                    "user_id": i,
                    "name": f"Hero{i}",
                    "role": "",
                    "how_met": "",
                    "step": "radar",
                    "archived": False,
                }
                for i in ids
            ],
        )
        heroes = (await session.scalars(select(HeroRow.id).order_by(HeroRow.user_id))).all()
        await session.execute(
            insert(ReminderRow),
            [
                {
                    "user_id": u,
                    "hero_id": h,
                    "kind": "manual",
                    "due_at": due,
                    "next_attempt_at": due,
                    "status": "pending",
                    "attempts": 0,
                }
                for u, h in zip(ids, heroes, strict=True)
            ],
        )
    await db.dispose()


async def statuses(url: str) -> Counter[str]:
    db = Database(url)
    async with db.transaction() as store:
        rows = await store.session.execute(
            select(ReminderRow.status, func.count()).group_by(ReminderRow.status)
        )
        found = Counter({status: count for status, count in rows.all()})
    await db.dispose()
    return found


def dispatcher(api: FakeBotApi, url: str, log: Path) -> Child:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": api.url,
        "DATABASE_URL": url,
        "LOG_LEVEL": "INFO",
        "REMINDER_RATE": "0",
        "REMINDER_BATCH": "50",
        "REMINDER_POLL_SECONDS": "0.2",
        "REMINDER_CLAIM_TIMEOUT": "10",
    }
    return Child(mentor_coach("dispatch"), env, log).start()


def delivered(api: FakeBotApi) -> Counter[int]:
    return Counter(c.params["chat_id"] for c in api.calls_to("sendMessage") if c.status == 200)


def wait_until(condition, timeout: float) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_two_dispatchers_deliver_every_reminder_exactly_once(
    api: FakeBotApi, postgres_database: str, tmp_path: Path
) -> None:
    asyncio.run(seed(postgres_database))
    workers = [dispatcher(api, postgres_database, tmp_path / f"d{i}.log") for i in (1, 2)]
    try:
        wait_until(lambda: sum(delivered(api).values()) >= USERS, timeout=120)
        time.sleep(1)  # anything extra would show up now
    finally:
        for worker in workers:  # both told first: they finish their rounds side by side
            worker.terminate()
        assert [worker.stop(timeout=20) for worker in workers] == [0, 0]
    counts = delivered(api)
    assert len(counts) == USERS
    assert set(counts.values()) == {1}
    assert asyncio.run(statuses(postgres_database)) == {"sent": USERS}
    logs = [(tmp_path / f"d{i}.log").read_text() for i in (1, 2)]
    assert all("dispatcher" in log for log in logs)


def test_a_dispatcher_killed_mid_batch_leaves_the_rest_to_the_other(
    api: FakeBotApi, postgres_database: str, tmp_path: Path
) -> None:
    asyncio.run(seed(postgres_database))
    api.set_latency(0.02)  # slow enough that the kill lands mid-batch
    doomed = dispatcher(api, postgres_database, tmp_path / "doomed.log")
    survivor = dispatcher(api, postgres_database, tmp_path / "survivor.log")
    try:
        wait_until(lambda: sum(delivered(api).values()) >= 200, timeout=60)
        doomed.kill()

        def settled() -> bool:
            found = asyncio.run(statuses(postgres_database))
            return found["sent"] + found["uncertain"] == USERS

        # The doomed one's claims come back after REMINDER_CLAIM_TIMEOUT (10 s).
        wait_until(settled, timeout=120)
    finally:
        assert survivor.stop(timeout=20) == 0
    counts = delivered(api)
    found = asyncio.run(statuses(postgres_database))
    # Never twice. A send cut off by the kill is "uncertain": at most the ones started
    # and not yet recorded.
    assert set(counts.values()) == {1}
    assert found["uncertain"] <= UNRECORDED
    assert len(counts) >= USERS - found["uncertain"]
