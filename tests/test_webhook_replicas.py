"""Two `mentor-coach webhook` replicas on one PostgreSQL, fed the way Telegram feeds
them: duplicates, parallel and out-of-order deliveries, a replica killed after its 200."""

from __future__ import annotations

import asyncio
import os
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Self

import httpx
import pytest
from sqlalchemy import select

from storage.db import Database
from storage.models import HeroRow, InboxRow
from testkit.fakebotapi import FakeBotApi
from testkit.processes import Child, mentor_coach

pytestmark = pytest.mark.e2e

TOKEN = "4242:webhook-test-token-Zz1"
SECRET = "webhook-secret-Qw8-for-tests"
ANA = 1001


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Replica(Child):
    def __init__(self, api: FakeBotApi, url: str, log: Path, **env: str) -> None:
        self.port = free_port()
        self.service_port = free_port()
        environment = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": api.url,
            "DATABASE_URL": url,
            "WEBHOOK_SECRET": SECRET,
            "WEBHOOK_HOST": "127.0.0.1",
            "WEBHOOK_PORT": str(self.port),
            "SERVICE_PORT": str(self.service_port),
            "LOG_LEVEL": "DEBUG",
            "INBOX_SETTLE_SECONDS": "0.2",
            **env,
        }
        super().__init__(mentor_coach("webhook"), environment, log)

    def start(self) -> Self:
        super().start()
        self.wait_healthy(f"http://127.0.0.1:{self.service_port}/healthz")
        return self

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def post(self, update: dict[str, Any]) -> int:
        answer = httpx.post(
            f"{self.base}/telegram",
            json=update,
            headers={"x-telegram-bot-api-secret-token": SECRET},
            timeout=10,
        )
        return answer.status_code


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi(token=TOKEN) as server:
        yield server


@pytest.fixture
def replicas(api: FakeBotApi, postgres_database: str, tmp_path: Path) -> Iterator[list[Replica]]:
    asyncio.run(_migrate(postgres_database))
    started = [Replica(api, postgres_database, tmp_path / f"r{i}.log").start() for i in (1, 2)]
    yield started
    for replica in started:
        replica.stop()


async def _migrate(url: str) -> None:
    db = Database(url)
    await db.migrate()
    await db.dispose()


async def _heroes(url: str) -> list[tuple[str, str]]:
    db = Database(url)
    async with db.transaction() as store:
        rows = (await store.session.scalars(select(HeroRow))).all()
        found = [(row.name, row.role) for row in rows]
    await db.dispose()
    return found


async def _inbox(url: str) -> list[tuple[int, str]]:
    db = Database(url)
    async with db.transaction() as store:
        rows = (await store.session.scalars(select(InboxRow))).all()
        found = [(row.update_id, row.status) for row in rows]
    await db.dispose()
    return found


def texts(api: FakeBotApi) -> list[str]:
    return [m["text"] for m in api.messages_to(ANA)]


def test_a_conversation_across_replicas_stays_in_order(
    api: FakeBotApi, replicas: list[Replica], postgres_database: str
) -> None:
    one, two = replicas
    script = [("/start", 2), ("Dana", 1), ("Tour manager", 1), ("At a festival", 1),
              ("last week", 1)]  # fmt: skip
    expected = 0
    for i, (text, replies) in enumerate(script):
        assert (one if i % 2 else two).post(api.send_text(ANA, text)) == 200
        expected += replies
        api.wait_for_messages(ANA, expected)
    assert "Dana is on your list" in texts(api)[-1]
    assert asyncio.run(_heroes(postgres_database)) == [("Dana", "Tour manager")]


def test_the_same_update_at_once_to_both_replicas_is_handled_once(
    api: FakeBotApi, replicas: list[Replica], postgres_database: str
) -> None:
    one, two = replicas
    update = api.send_text(ANA, "/start")
    with ThreadPoolExecutor(2) as pool:
        statuses = list(pool.map(lambda r: r.post(update), [one, two]))
    assert statuses == [200, 200]
    assert one.post(update) == 200  # and again, later
    api.wait_for_messages(ANA, 2)
    time.sleep(1.5)  # anything extra would have arrived by now
    [welcome, question] = api.messages_to(ANA)
    assert "Mentor Coach" in welcome["text"]
    assert "Who is your hero" in question["text"]
    assert asyncio.run(_inbox(postgres_database)) == [(update["update_id"], "done")]


def test_one_users_updates_out_of_order_end_as_in_order(
    api: FakeBotApi, replicas: list[Replica], postgres_database: str
) -> None:
    one, two = replicas
    one.post(api.send_text(ANA, "/start"))
    api.wait_for_messages(ANA, 2)
    name = api.send_text(ANA, "Dana")
    role = api.send_text(ANA, "Tour manager")
    # Telegram sends in parallel: the later update reaches a replica first.
    assert two.post(role) == 200
    assert one.post(name) == 200
    # In order, "Dana" is the name and "Tour manager" the answer to "What does Dana do?";
    # the next question names her and asks how they met.
    api.wait_for_messages(ANA, 4)
    assert "What does Dana do" in texts(api)[2]
    assert "How did you meet Dana" in texts(api)[3]


def test_a_replica_killed_after_its_200_loses_nothing(
    api: FakeBotApi, postgres_database: str, tmp_path: Path
) -> None:
    asyncio.run(_migrate(postgres_database))
    # This replica holds updates for 5 s before handling them: the kill lands in between.
    slow = Replica(api, postgres_database, tmp_path / "slow.log", INBOX_SETTLE_SECONDS="5")
    slow.start()
    update = api.send_text(ANA, "/start")
    assert slow.post(update) == 200
    slow.kill()
    assert api.messages_to(ANA) == []
    survivor = Replica(api, postgres_database, tmp_path / "survivor.log").start()
    try:
        api.wait_for_messages(ANA, 2, timeout=20)
        time.sleep(1)
        assert len(api.messages_to(ANA)) == 2
        assert asyncio.run(_inbox(postgres_database)) == [(update["update_id"], "done")]
    finally:
        assert survivor.stop() == 0


def test_sigterm_stops_a_replica_cleanly_and_no_secret_is_logged(
    api: FakeBotApi, replicas: list[Replica]
) -> None:
    one, _ = replicas
    one.post(api.send_text(ANA, "/start"))
    api.wait_for_messages(ANA, 2)
    one.post(api.send_text(ANA, "Dana"))
    api.wait_for_messages(ANA, 3)
    started = time.monotonic()
    assert one.stop() == 0
    assert time.monotonic() - started < 25
    log = one.log_text()
    assert "DEBUG" in log
    assert "stopped" in log
    for secret in (TOKEN, TOKEN.split(":", 1)[1], SECRET):
        assert secret not in log


def test_a_replica_registers_the_webhook_when_told_its_url(
    api: FakeBotApi, postgres_database: str, tmp_path: Path
) -> None:
    asyncio.run(_migrate(postgres_database))
    replica = Replica(
        api, postgres_database, tmp_path / "r.log", WEBHOOK_URL="https://coach.example.com/"
    ).start()
    try:
        [call] = api.wait_for_call("setWebhook")
        assert call.params["url"] == "https://coach.example.com/telegram"
        assert call.params["secret_token"] == SECRET
        assert call.params["max_connections"] == 40
        assert "callback_query" in call.params["allowed_updates"]
    finally:
        assert replica.stop() == 0


def test_replies_keep_the_order_of_a_users_updates_under_a_burst(
    api: FakeBotApi, replicas: list[Replica]
) -> None:
    one, two = replicas
    # Telegram sends a user's next update once the previous one got its 200; the
    # replies must still come out in the conversation's order, whichever replica.
    for i, text in enumerate(["/start", "Dana", "Tour manager", "At a festival", "last week"]):
        assert (one if i % 2 else two).post(api.send_text(ANA, text)) == 200
    api.wait_for_messages(ANA, 6, timeout=30)
    sent = texts(api)
    expected = ["Mentor Coach", "Who is your hero", "What does Dana do", "How did you meet Dana",
                "When did you meet", "Dana is on your list"]  # fmt: skip
    assert [next(i for i, t in enumerate(sent) if e in t) for e in expected] == list(range(6))
