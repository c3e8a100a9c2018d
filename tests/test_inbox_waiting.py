"""How inbox workers wait: for a user another replica holds, and for an earlier update
of a user still settling. Waiting must cost (almost) no queries, and must end as soon as
the wait is over."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, event, select, update
from telegram import Bot

from bot.app import App
from bot.settings import Settings
from bot.telegram.gateway import Gateway
from bot.webhook import InboxWorker
from dialogs.content import default_content
from dialogs.engine import Coach
from dialogs.model import Reply
from storage.db import Database
from storage.inbox import Inbox, Share, claim_user, ready
from storage.models import InboxRow, OutboxRow
from storage.outbox import Lone
from testkit.fakebotapi import FakeBotApi
from testkit.replica import hold_user
from testkit.updates import message_update
from tests.conftest import FixedClock, counting

ANA = 1001
TOKEN = "4242:waiting-test"
ONBOARDING = ("/start", "Dana", "Tour manager")


async def store(database: Database, update_id: int, text: str, received: datetime) -> None:
    async with database.transaction() as transaction:
        await Inbox(transaction.session).add(update_id, message_update(update_id, text, user=ANA))
        await transaction.session.execute(
            update(InboxRow).where(InboxRow.update_id == update_id).values(received_at=received)
        )


async def statuses(database: Database) -> list[str]:
    async with database.transaction() as transaction:
        found = await transaction.session.scalars(
            select(InboxRow.status).order_by(InboxRow.update_id)
        )
        return list(found)


async def until_done(database: Database, count: int) -> None:
    # The worker's progress shows only in the database: look now and then.
    while await statuses(database) != ["done"] * count:  # noqa: ASYNC110
        await asyncio.sleep(0.05)


class Counted:
    """Counts every statement a database's connections send, whether through SQLAlchemy
    or straight to the driver (the advisory locks)."""

    def __init__(self, database: Database) -> None:
        self.statements = 0
        engine = database.engine.sync_engine
        if database.backend == "postgresql":
            event.listen(engine, "connect", self._log_driver)
        else:
            event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, *_args: Any) -> None:
        self.statements += 1

    def _log_driver(self, _dbapi_connection: Any, record: Any) -> None:
        record.driver_connection.add_query_logger(self._count)


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    with FakeBotApi(token=TOKEN) as fake:
        fake.add_user(ANA)
        yield fake


async def running(
    database: Database, api: FakeBotApi, settle: float, poll: float
) -> tuple[InboxWorker, asyncio.Event, asyncio.Task[None], Bot]:
    app = App(Settings(), database, Coach(default_content(), FixedClock()))
    bot = Bot(TOKEN, base_url=f"{api.url}/bot")
    await bot.initialize()
    worker = InboxWorker(
        app, Gateway(app, bot), bot, timedelta(seconds=settle), asyncio.Event(), poll=poll
    )
    stop = asyncio.Event()
    return worker, stop, asyncio.create_task(worker.run(stop)), bot


async def replies_to(api: FakeBotApi, chat: int, count: int) -> None:
    # The fake server records sends on its own thread: look now and then.
    while len(api.messages_to(chat)) < count:  # noqa: ASYNC110
        await asyncio.sleep(0.05)


async def test_a_user_held_by_another_replica_costs_no_queries_and_is_served_once_released(
    postgres_database: str, api: FakeBotApi
) -> None:
    elsewhere = Database(postgres_database)  # another replica, holding Ana
    await elsewhere.migrate()
    settled = datetime.now(UTC) - timedelta(seconds=5)
    for update_id, text in enumerate(ONBOARDING, start=1):
        await store(elsewhere, update_id, text, settled)
    here = Database(postgres_database)
    counted = Counted(here)
    # A poll far longer than the test: only the release's notice can wake the worker.
    _worker, stop, task, bot = await running(here, api, settle=0.2, poll=60.0)
    try:
        async with hold_user(elsewhere, f"telegram:{ANA}") as held:
            assert held is not None
            await asyncio.sleep(0.3)  # time to look, try Ana and find her held
            before = counted.statements
            await asyncio.sleep(1.0)
            # Spinning on the lock took about a thousand statements a second. Once the
            # release is listened for, none; a few tries backing off while the listening
            # connection may still be opening on a busy machine.
            assert counted.statements - before <= 20
            assert api.messages_to(ANA) == []
        await asyncio.wait_for(until_done(elsewhere, len(ONBOARDING)), timeout=10)
        # The replies leave the outbox just after the turn is marked done.
        await asyncio.wait_for(replies_to(api, ANA, 4), timeout=10)
        texts = [message["text"] for message in api.messages_to(ANA)]
        assert "What does Dana do" in texts[2]
        assert "How did you meet Dana" in texts[3]
    finally:
        stop.set()
        await task
        await bot.shutdown()
        await here.dispose()
        await elsewhere.dispose()


async def handled_long_ago(database: Database, update_id: int) -> None:
    """An update of someone's, handled: only its id is left, as after a real turn."""
    await store(database, update_id, "hi", datetime.now(UTC) - timedelta(hours=1))
    async with database.transaction() as transaction:
        await transaction.inbox.done(update_id, datetime.now(UTC))


async def test_an_earlier_update_still_on_its_way_goes_first_and_is_waited_for_quietly(
    database: Database, api: FakeBotApi
) -> None:
    """The guarantee the README states: an update stored less than INBOX_SETTLE_SECONDS
    after a later update of the same user is handled before it. "Dana" (3) arrives with
    2 missing below it: it waits for 2, which turns out to be Ana's /start."""
    settle = 1.5
    await handled_long_ago(database, 1)
    await store(database, 3, "Dana", datetime.now(UTC))
    counted = Counted(database)
    _worker, stop, task, bot = await running(database, api, settle=settle, poll=60.0)
    try:
        await asyncio.sleep(settle / 2)
        # Nothing is handled while 2 may still come, and waiting for it asks nothing.
        assert await statuses(database) == ["done", "pending"]
        # One look and the check just above, a few statements each; spinning took hundreds.
        assert counted.statements <= 8
        await store(database, 2, "/start", datetime.now(UTC))
        await asyncio.wait_for(until_done(database, 3), timeout=10)
        await asyncio.wait_for(replies_to(api, ANA, 3), timeout=10)
    finally:
        stop.set()
        await task
        await bot.shutdown()
    texts = [message["text"] for message in api.messages_to(ANA)]
    assert "Mentor Coach" in texts[0]  # /start's welcome first
    assert "What does Dana do" in texts[-1]  # then "Dana" read as the hero's name


async def test_an_update_with_nothing_missing_below_it_is_handled_without_waiting(
    database: Database, api: FakeBotApi
) -> None:
    """The settle window costs nothing when every earlier update_id has arrived: the
    window here is far longer than the test is allowed to take."""
    await handled_long_ago(database, 1)
    worker, stop, task, bot = await running(database, api, settle=60.0, poll=60.0)
    try:
        await asyncio.sleep(0.2)
        await store(database, 2, "/start", datetime.now(UTC))
        worker.wake.set()  # as the webhook's endpoint does once the update is stored
        await asyncio.wait_for(replies_to(api, ANA, 2), timeout=10)
        assert await statuses(database) == ["done", "done"]
    finally:
        stop.set()
        await task
        await bot.shutdown()


async def gapped(database: Database, now: datetime) -> datetime:
    """An inbox with 10 handled long ago and 11, 12 and 14 just stored (13 missing); the
    moment before which an update has waited long enough."""
    await handled_long_ago(database, 10)
    for update_id in (11, 12, 14):
        await store(database, update_id, "hi", now)
    return now - timedelta(seconds=0.2)


async def test_an_update_is_ready_once_every_id_below_it_has_arrived_or_it_has_waited(
    database: Database,
) -> None:
    now = datetime.now(UTC)
    settled_before = await gapped(database, now)

    async def ready_ids() -> list[int]:
        async with database.transaction() as transaction:
            rows = await transaction.session.execute(
                select(InboxRow.update_id, ready(settled_before)).order_by(InboxRow.update_id)
            )
            return [update_id for update_id, is_ready in rows if is_ready]

    # 13 is missing: 14 waits for it.
    assert await ready_ids() == [10, 11, 12]
    await store(database, 13, "hi", now)
    assert await ready_ids() == [10, 11, 12, 13, 14]
    # Below the last update received before the window: it came late, so it waits; one
    # received before the window has waited long enough.
    await store(database, 9, "hi", now)
    await store(database, 8, "hi", now - timedelta(seconds=1))
    assert await ready_ids() == [8, 10, 11, 12, 13, 14]


async def test_a_handled_update_is_marked_done_and_the_next_one_handed_over_if_ready(
    database: Database,
) -> None:
    """What a turn does last: on PostgreSQL one statement, straight to the driver."""
    now = datetime.now(UTC)
    settled_before = await gapped(database, now)
    ana = f"telegram:{ANA}"

    async def done_and_take(update_id: int) -> tuple[bool, int | None]:
        with counting(database) as counted:
            async with database.transaction() as transaction:
                await transaction.inbox.depth()  # a turn's first statement begins it
                finished = await transaction.inbox.done_and_take(
                    update_id, ana, now, settled_before
                )
        if database.backend == "postgresql":
            assert len(counted.statements) == 2  # the first, then one for both
        return finished.done, finished.following and finished.following.update_id

    assert await done_and_take(11) == (True, 12)
    assert await done_and_take(11) == (False, None)  # handled before: the caller rolls back
    assert await done_and_take(12) == (True, None)  # 14 waits for 13, still on its way
    await store(database, 13, "hi", now)
    assert await done_and_take(13) == (True, 14)
    assert await statuses(database) == ["done", "done", "done", "done", "pending"]


async def test_a_turns_lone_reply_is_added_by_its_last_statement_and_rolled_back_with_it(
    database: Database,
) -> None:
    """The outbox's rules hold in the turn's last statement: the reply is marked
    `sending` only for a worker and only if the chat has nothing earlier unsent, and
    it goes if the update was handled elsewhere meanwhile (the caller rolls back)."""
    now = datetime.now(UTC)
    for update_id in (1, 2, 3, 4):
        await store(database, update_id, "hi", now - timedelta(seconds=5))
    ana = f"telegram:{ANA}"

    async def finish(update_id: int, text: str, worker: str | None) -> tuple[bool, str | None]:
        with counting(database) as counted:
            async with database.transaction() as transaction:
                await transaction.inbox.depth()  # a turn's first statement begins it
                finished = await transaction.inbox.done_and_take(
                    update_id, ana, now, now, Lone(ANA, Reply(text), worker)
                )
                if not finished.done:
                    await transaction.session.rollback()
        if database.backend == "postgresql":
            assert len(counted.statements) == 2  # the first, then one for all three
        assert finished.following is None or finished.following.update_id == update_id + 1
        return finished.done, finished.first and finished.first.reply.text

    assert await finish(1, "one", None) == (True, None)  # no permit: pending
    assert await finish(2, "two", "me:1") == (True, None)  # behind "one", unsent
    async with database.transaction() as transaction:
        await transaction.session.execute(delete(OutboxRow))
    assert await finish(3, "three", "me:1") == (True, "three")
    assert await finish(3, "again", "me:1") == (False, None)  # handled before
    async with database.transaction() as transaction:
        rows = await transaction.session.execute(
            select(OutboxRow.status, OutboxRow.claimed_by, OutboxRow.payload)
        )
        assert [(r.status, r.claimed_by, r.payload["text"]) for r in rows] == [
            ("sending", "me:1", "three")
        ]


async def test_with_no_update_received_before_the_window_only_the_window_counts(
    database: Database,
) -> None:
    """A fresh inbox (or one idle longer than it keeps ids) can't tell a gap."""
    now = datetime.now(UTC)
    await store(database, 5, "hi", now)
    async with database.transaction() as transaction:
        found = await transaction.session.scalar(select(ready(now - timedelta(seconds=0.2))))
    assert found is False or found == 0


async def test_a_user_held_elsewhere_costs_one_statement_to_find_and_takes_no_lock(
    postgres_database: str,
) -> None:
    """Losing a pick is cheap: the claim reads the first update and tries the lock in one
    statement, and there is nothing to release."""
    database = Database(postgres_database)
    await database.migrate()
    settled = datetime.now(UTC) - timedelta(seconds=5)
    await store(database, 1, "/start", settled)
    counted = Counted(database)
    try:
        async with hold_user(database, f"telegram:{ANA}") as elsewhere:
            assert elsewhere is not None
            before = counted.statements
            async with claim_user(database, f"telegram:{ANA}", datetime.now(UTC)) as claim:
                assert claim is None
            assert counted.statements - before == 1
        # Released: the claim now holds Ana, with her first update in hand.
        async with claim_user(database, f"telegram:{ANA}", datetime.now(UTC)) as claim:
            assert claim is not None
            assert claim.first is not None
            assert claim.first.update_id == 1
            async with hold_user(database, f"telegram:{ANA}") as also:
                assert also is None
    finally:
        await database.dispose()


async def test_an_update_handled_elsewhere_after_it_was_read_is_not_handled_again(
    database: Database, api: FakeBotApi
) -> None:
    """The claim's read precedes its lock: if another replica handled the update in
    between, the turn is rolled back instead of answering twice."""
    await store(database, 1, "/start", datetime.now(UTC) - timedelta(seconds=5))
    worker, _stop, task, bot = await running(database, api, settle=0.2, poll=60.0)
    task.cancel()
    try:
        async with claim_user(database, f"telegram:{ANA}", datetime.now(UTC)) as claim:
            assert claim is not None
            assert claim.first is not None
            async with database.transaction() as elsewhere:
                await elsewhere.inbox.done(1, datetime.now(UTC))
            following, handled = await worker.handle_one(
                claim.transactions, f"telegram:{ANA}", claim.first
            )
        assert (following, handled) == (None, False)
        assert api.messages_to(ANA) == []
    finally:
        await bot.shutdown()


async def test_replicas_serve_their_own_share_first_and_the_others_after_a_grace(
    postgres_database: str,
) -> None:
    database = Database(postgres_database)
    await database.migrate()
    received = datetime.now(UTC) - timedelta(seconds=30)
    users = [f"telegram:{user}" for user in range(1, 21)]
    try:
        async with database.autocommit() as connection:
            inbox = Inbox(connection)
            for update_id, user in enumerate(users, start=1):
                await inbox.add(
                    update_id, message_update(update_id, "hi", user=int(user.split(":")[1]))
                )
            await connection.execute(update(InboxRow).values(received_at=received))
            # Settled, but within the grace: each replica sees only its own share.
            settled = received + timedelta(seconds=0.1)
            first, _ = await inbox.waiting_users(settled, 40, share=Share(0, 2))
            second, _ = await inbox.waiting_users(settled, 40, share=Share(1, 2))
            assert first
            assert second
            assert sorted(first + second) == sorted(users)
            # Past the grace, another replica's users come too, after one's own.
            later = received + timedelta(seconds=5)
            everyone, _ = await inbox.waiting_users(later, 40, share=Share(0, 2))
            assert sorted(everyone) == sorted(users)
            assert everyone[: len(first)] == first
    finally:
        await database.dispose()
