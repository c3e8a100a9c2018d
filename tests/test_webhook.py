"""The webhook endpoint, in process: what it accepts, what it refuses, what it stores."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text, update
from telegram import Bot

from bot.app import App
from bot.settings import Settings
from bot.telegram.gateway import Gateway
from bot.telegram.outbox import queue_replies
from bot.webhook import InboxWorker, make_service, make_webhook
from dialogs.content import default_content
from dialogs.engine import Coach
from dialogs.model import Command as CommandOf
from dialogs.model import Outcome
from dialogs.model import Text as TextOf
from dialogs.model import UserKey as UserKeyOf
from storage.db import Database
from storage.inbox import Inbox, InboxWriter
from storage.models import InboxRow, UserRow
from testkit.fakebotapi import FakeBotApi
from testkit.replica import hold_user
from testkit.updates import message_update
from tests.conftest import FixedClock, counting

SECRET = "s3cret-webhook-token-for-tests"
UPDATE = {
    "update_id": 7001,
    "message": {
        "message_id": 1,
        "date": 1_764_000_000,
        "chat": {"id": 1001, "type": "private", "first_name": "Ana"},
        "from": {"id": 1001, "is_bot": False, "first_name": "Ana"},
        "text": "/start",
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
    },
}


@pytest.fixture
async def client(database: Database) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(webhook_secret=SECRET, webhook_max_body=4096)
    app = App(settings, database, Coach(default_content(), FixedClock()))
    asgi = make_webhook(app, settings, asyncio.Event())
    transport = httpx.ASGITransport(app=asgi)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        http.database = database  # type: ignore[attr-defined]
        yield http


def headers(secret: str | None = SECRET, kind: str = "application/json") -> dict[str, str]:
    found = {"content-type": kind}
    if secret is not None:
        found["x-telegram-bot-api-secret-token"] = secret
    return found


async def stored(client: httpx.AsyncClient) -> list[int]:
    async with client.database.transaction() as store:  # type: ignore[attr-defined]
        return list(await store.session.scalars(select(InboxRow.update_id)))


async def test_an_update_is_stored_before_it_is_acknowledged(client: httpx.AsyncClient) -> None:
    answer = await client.post("/telegram", content=json.dumps(UPDATE), headers=headers())
    assert answer.status_code == 200
    assert await stored(client) == [7001]


async def test_the_same_update_twice_is_stored_once(client: httpx.AsyncClient) -> None:
    first, second = await asyncio.gather(
        client.post("/telegram", content=json.dumps(UPDATE), headers=headers()),
        client.post("/telegram", content=json.dumps(UPDATE), headers=headers()),
    )
    assert (first.status_code, second.status_code) == (200, 200)
    assert await stored(client) == [7001]


@pytest.mark.parametrize(
    ("secret", "kind", "body", "status"),
    [
        (None, "application/json", json.dumps(UPDATE), 403),
        ("wrong", "application/json", json.dumps(UPDATE), 403),
        (SECRET[:-1], "application/json", json.dumps(UPDATE), 403),
        (SECRET, "text/plain", json.dumps(UPDATE), 415),
        (SECRET, "application/x-www-form-urlencoded", "update_id=1", 415),
        (SECRET, "application/json", "{not json", 400),
        (SECRET, "application/json", "[1, 2]", 400),
        (SECRET, "application/json", '{"update_id": "7001"}', 400),
        (SECRET, "application/json", '{"update_id": true}', 400),
        (SECRET, "application/json", b"\xff\xfe", 400),
        (SECRET, "application/json", json.dumps({**UPDATE, "pad": "x" * 5000}), 413),
    ],
)
async def test_bad_requests_are_refused_and_nothing_is_stored(
    client: httpx.AsyncClient, secret: str | None, kind: str, body: str | bytes, status: int
) -> None:
    answer = await client.post("/telegram", content=body, headers=headers(secret, kind))
    assert answer.status_code == status
    assert await stored(client) == []


async def test_a_body_too_large_is_refused_even_without_a_length(
    client: httpx.AsyncClient,
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"update_id": 1, "pad": "'
        for _ in range(10):
            yield b"x" * 1000
        yield b'"}'

    answer = await client.post("/telegram", content=chunks(), headers=headers())
    assert answer.status_code == 413
    assert await stored(client) == []


async def test_health_and_metrics_are_served_apart(
    client: httpx.AsyncClient, database: Database
) -> None:
    app = App(Settings(), database, Coach(default_content(), FixedClock()))
    transport = httpx.ASGITransport(app=make_service(app))
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as service:
        assert (await service.get("/healthz")).json() == {"status": "ok"}
        await client.post("/telegram", content=json.dumps(UPDATE), headers=headers())
        metrics = (await service.get("/metrics")).text
    assert "mentor_coach_inbox_depth 1.0" in metrics
    assert "mentor_coach_updates_received_total" in metrics
    # The public app has the update endpoint only.
    assert (await client.get("/healthz")).status_code == 404
    assert (await client.get("/metrics")).status_code == 404


def test_webhook_mode_needs_a_secret(database: Database) -> None:
    settings = Settings(webhook_secret=None)
    app = App(settings, database, Coach(default_content(), FixedClock()))
    with pytest.raises(SystemExit, match="WEBHOOK_SECRET"):
        make_webhook(app, settings, asyncio.Event())


class FirstTurnThen(Coach):
    """A coach whose first turn, once handled, does `then` inside the turn's transaction:
    a fault to inject where a real one would strike."""

    def __init__(self, then: Callable[[Any, Outcome], Awaitable[None]]) -> None:
        super().__init__(default_content(), FixedClock())
        self.then: Callable[[Any, Outcome], Awaitable[None]] | None = then

    async def handle(self, store, key, display_name, event) -> Outcome:  # type: ignore[no-untyped-def,override]
        outcome = await super().handle(store, key, display_name, event)
        then, self.then = self.then, None
        if then is not None:
            await then(store, outcome)
        return outcome


@asynccontextmanager
async def one_stored_update(
    app: App, database: Database
) -> AsyncIterator[tuple[FakeBotApi, InboxWorker]]:
    """UPDATE stored in the inbox, and a worker to serve it against a fake Bot API."""
    async with database.transaction() as store:
        await Inbox(store.session).add(UPDATE["update_id"], UPDATE)
    with FakeBotApi(token="4242:turn-test") as api:
        api.add_user(1001)
        async with Bot("4242:turn-test", base_url=f"{api.url}/bot") as bot:
            yield api, InboxWorker(app, Gateway(app, bot), bot, timedelta(0), asyncio.Event())


async def test_a_connection_killed_mid_turn_is_retried_and_nothing_is_half_written(
    database: Database,
) -> None:
    if database.backend != "postgresql":
        pytest.skip("kills a PostgreSQL server connection")

    async def kill_the_connection(store: Any, outcome: Outcome) -> None:
        await store.session.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))

    app = App(Settings(webhook_secret=SECRET), database, FirstTurnThen(kill_the_connection))
    async with one_stored_update(app, database) as (api, worker):
        assert await worker.serve("telegram:1001") == 0  # the failed attempt
        assert api.messages_to(1001) == []
        assert await worker.serve("telegram:1001") == 1  # the retry, on a fresh connection
        assert len(api.messages_to(1001)) == 2
    async with database.transaction() as store:
        [row] = (await store.session.scalars(select(InboxRow))).all()
        assert (row.status, row.attempts, row.payload) == ("done", 1, None)
        assert await store.session.scalar(select(func.count()).select_from(UserRow)) == 1


async def test_a_turn_that_fails_late_leaves_nothing_of_what_it_wrote(database: Database) -> None:
    """A turn writes through SQLAlchemy (a new user) and, on PostgreSQL, straight to the
    driver (the user's save, the replies): a failure after both rolls all of it back,
    and the retry answers once."""

    async def fail_after_writing(store: Any, outcome: Outcome) -> None:
        await queue_replies(store.outbox, 1001, outcome.replies)
        raise RuntimeError("after the writes")

    app = App(Settings(webhook_secret=SECRET), database, FirstTurnThen(fail_after_writing))
    async with one_stored_update(app, database) as (_, worker):
        assert await worker.serve("telegram:1001") == 0
        async with database.transaction() as store:
            assert await store.session.scalar(select(func.count()).select_from(UserRow)) == 0
            assert await store.outbox.count("pending") == 0
        assert await worker.serve("telegram:1001") == 1
    async with database.transaction() as store:
        [row] = (await store.session.scalars(select(InboxRow))).all()
        assert (row.status, row.attempts) == ("done", 1)
        assert await store.session.scalar(select(func.count()).select_from(UserRow)) == 1


async def test_a_turn_on_a_dead_pooled_connection_runs_again_on_a_fresh_one(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    if database.backend != "postgresql":
        pytest.skip("kills PostgreSQL server connections")
    app = App(Settings(), database, Coach(default_content(), FixedClock()))
    key = UserKeyOf("telegram", "1001")
    assert await app.turn(key, "Ana", CommandOf("start"))
    # The server restarts, say: every connection left in the pool dies.
    admin = Database(database.url)
    async with admin.engine.connect() as connection:
        killed = await connection.scalar(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    await admin.dispose()
    assert killed >= 1
    outcome = await app.turn(key, "Ana", TextOf("Dana"))
    assert outcome is not None
    assert "What does Dana do" in outcome.replies[0].text
    assert "running the turn again" in caplog.text


async def test_a_held_user_cannot_be_held_elsewhere_until_released(database: Database) -> None:
    if database.backend != "postgresql":
        pytest.skip("an advisory lock across connections")
    async with hold_user(database, "telegram:1") as held:
        assert held is not None
        async with hold_user(database, "telegram:1") as elsewhere:
            assert elsewhere is None
        async with hold_user(database, "telegram:2") as someone_else:
            assert someone_else is not None
        # The held user's transactions run on the connection that holds the lock.
        pids = set()
        for _ in range(2):
            async with held.transaction() as store:
                pids.add(await store.session.scalar(text("SELECT pg_backend_pid()")))
                held_locks = "SELECT count(*) FROM pg_locks WHERE locktype='advisory' AND pid=:p"
                assert await store.session.scalar(text(held_locks), {"p": next(iter(pids))}) == 1
        assert len(pids) == 1
    async with hold_user(database, "telegram:1") as again:
        assert again is not None


async def test_a_worker_answers_a_users_ready_updates_in_order_and_leaves_the_rest(
    database: Database,
) -> None:
    app = App(Settings(webhook_secret=SECRET), database, Coach(default_content(), FixedClock()))
    async with database.transaction() as store:
        inbox = Inbox(store.session)
        for update_id, text_ in ((1, "/start"), (2, "Dana"), (4, "Producer")):
            await inbox.add(update_id, message_update(update_id, text_, user=1001))
        await inbox.add(3, message_update(3, "/start", user=2002))
        await inbox.add(6, message_update(6, "/start", user=2002))
    async with database.transaction() as store:
        # Update 4 arrived just now with nothing missing below it: it is ready. Update 6
        # arrived just now too, but 5 may still be on its way: it waits.
        await store.session.execute(
            update(InboxRow)
            .where(InboxRow.update_id < 4)
            .values(received_at=datetime.now(UTC) - timedelta(seconds=5))
        )
    with FakeBotApi(token="4242:order-test") as api:
        api.add_user(1001)
        api.add_user(2002)
        async with Bot("4242:order-test", base_url=f"{api.url}/bot") as bot:
            settle = timedelta(seconds=2)
            worker = InboxWorker(app, Gateway(app, bot), bot, settle, asyncio.Event())
            assert await worker.serve("telegram:1001") == 3
            assert await worker.serve("telegram:2002") == 1
            texts = [m["text"] for m in api.messages_to(1001)]
    assert "What does Dana do" in texts[-2]  # the answer to "Dana" came after /start's
    assert "How did you meet Dana" in texts[-1]  # and the role's after that
    async with database.transaction() as store:
        statuses = dict(
            (await store.session.execute(select(InboxRow.update_id, InboxRow.status))).all()
        )
    assert statuses == {1: "done", 2: "done", 3: "done", 4: "done", 6: "pending"}


async def test_an_autocommit_statement_is_committed_at_once(database: Database) -> None:
    async with database.autocommit() as connection:
        assert await Inbox(connection).add(1, message_update(1, "hi", user=1001))
        if database.backend == "postgresql":
            # Visible to everyone else before the block ends: no transaction around it.
            async with database.transaction() as store:
                assert await Inbox(store.session).depth() == 1
    async with database.transaction() as store:
        assert await Inbox(store.session).depth() == 1


async def test_updates_that_arrive_together_are_stored_together_and_each_answered(
    database: Database,
) -> None:
    writer = InboxWriter(database)
    assert await writer.add(1, message_update(1, "hi", user=1001))
    # On PostgreSQL all five are written together: one of them is a duplicate of an
    # update stored before, one of another in the same batch.
    stored = await asyncio.gather(
        *(writer.add(i, message_update(i, "hi", user=1001)) for i in (2, 3, 2, 1, 4))
    )
    assert stored == [True, True, False, False, True]
    async with database.transaction() as store:
        rows = await store.session.execute(
            select(InboxRow.update_id, InboxRow.received_at).order_by(InboxRow.update_id)
        )
        received = {update_id: at for update_id, at in rows}
    assert list(received) == [1, 2, 3, 4]
    if database.backend == "postgresql":
        assert received[2] == received[3] == received[4]  # one statement wrote them


async def test_an_update_the_database_refuses_fails_alone(database: Database) -> None:
    if database.backend != "postgresql":
        pytest.skip("SQLite stores a key of any length")
    writer = InboxWriter(database)
    # A user id so long that its key overflows the column: that update's write fails.
    refused, stored = await asyncio.gather(
        writer.add(1, message_update(1, "hi", user=10**80)),
        writer.add(2, message_update(2, "hi", user=1001)),
        return_exceptions=True,
    )
    assert isinstance(refused, Exception)
    assert stored is True
    assert await writer.add(3, message_update(3, "hi", user=1001))
    async with database.transaction() as store:
        assert await Inbox(store.session).depth() == 2


async def test_a_flood_of_health_checks_asks_the_database_once(database: Database) -> None:
    app = App(Settings(), database, Coach(default_content(), FixedClock()))
    transport = httpx.ASGITransport(app=make_service(app))
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as service:
        with counting(database) as counted:
            answers = await asyncio.gather(*(service.get("/healthz") for _ in range(200)))
        assert {answer.status_code for answer in answers} == {200}
        assert counted.statements == ["SELECT 1"]
