"""Durable replies (the outbox), long polling's retries and dead letters, and erasure,
in process against the fake Bot API, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from telegram import Bot, Update

from bot import metrics
from bot.app import App
from bot.settings import Settings
from bot.telegram import gateway as gateway_module
from bot.telegram.gateway import Gateway
from bot.telegram.lean import LeanRequest, LeanSender
from bot.telegram.outbox import IN_FLIGHT, SENDING_TIMEOUT, messages
from bot.telegram.polling import poll
from bot.webhook import InboxWorker, make_service
from dialogs.content import default_content
from dialogs.engine import Coach
from dialogs.model import Outcome, Reply, Text
from storage.db import Database
from storage.inbox import Inbox
from storage.models import Base, InboxRow, OutboxRow, UserRow
from storage.outbox import PENDING, Outbox, Queued
from testkit.fakebotapi import FakeBotApi
from tests.conftest import FixedClock, counting

TOKEN = "4242:outbox-test-token"
ANA = 987_654_321
EVE = 123_454_321


@dataclass
class Harness:
    api: FakeBotApi
    bot: Bot
    app: App
    gateway: Gateway

    def texts(self, chat_id: int = ANA) -> list[str]:
        return [m["text"] for m in self.api.messages_to(chat_id) if "text" in m]

    async def poll(self, update: dict[str, Any]) -> bool:
        """Handles an update as long polling does."""
        return await self.gateway.process(Update.de_json(update, self.bot))

    async def webhook(self, update: dict[str, Any]) -> None:
        """Handles an update as the webhook does: stored in the inbox, then served."""
        async with self.app.database.transaction() as store:
            await Inbox(store.session).add(update["update_id"], update)
        worker = InboxWorker(self.app, self.gateway, self.bot, timedelta(0), asyncio.Event())
        sender = update.get("message", update.get("callback_query", {}))["from"]["id"]
        assert await worker.serve(f"telegram:{sender}") == 1

    async def sweep_later(self, seconds: float) -> None:
        """Runs the outbox sweep as if `seconds` had passed, to its end."""
        replies = self.gateway.replies
        replies.now = lambda: datetime.now(UTC) + timedelta(seconds=seconds)
        await replies.sweep()
        await asyncio.gather(*replies.sweeping.values())

    async def outbox(self) -> list[tuple[str, int | None, bool]]:
        async with self.app.database.transaction() as store:
            rows = await store.session.execute(
                select(OutboxRow.status, OutboxRow.chat_id, OutboxRow.payload).order_by(
                    OutboxRow.id
                )
            )
            return [(status, chat, payload is not None) for status, chat, payload in rows]


class Sabotaged(Coach):
    """Fails every turn on "boom", and the first `failures` turns on "shaky"."""

    failures = 2

    async def handle(self, store, key, display_name, event) -> Outcome:  # type: ignore[no-untyped-def,override]
        if event == Text("boom"):
            raise RuntimeError("boom: what the user wrote")
        if event == Text("shaky") and self.failures > 0:
            self.failures -= 1
            raise RuntimeError("shaky")
        return await super().handle(store, key, display_name, event)


@pytest.fixture
async def harness(database: Database, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Harness]:
    monkeypatch.setattr(gateway_module, "RETRY_PAUSE", 0.0)
    app = App(Settings(), database, Sabotaged(default_content(), FixedClock()))
    with FakeBotApi(token=TOKEN) as api:
        api.add_user(ANA)
        api.add_user(EVE)
        async with Bot(TOKEN, base_url=f"{api.url}/bot") as bot:
            # Replies as the bot sends them: text on the lean path, files through `bot`.
            request = LeanRequest(IN_FLIGHT)
            lean = Bot(TOKEN, base_url=f"{api.url}/bot", request=request)
            try:
                yield Harness(
                    api, bot, app, Gateway(app, bot, LeanSender(bot, lean, asyncio.sleep))
                )
            finally:
                await request.shutdown()


# --- item 3: the outbox ---------------------------------------------------------


async def test_a_500_then_200_delivers_the_reply_once_and_in_order(harness: Harness) -> None:
    api = harness.api
    api.fail("sendMessage", 500)
    assert await harness.poll(api.send_text(ANA, "/start"))
    assert harness.texts() == []  # the welcome failed; the question waits behind it
    await harness.sweep_later(60)
    [welcome, question] = harness.texts()
    assert "Mentor Coach" in welcome
    assert "Who is your hero" in question
    assert [c.status for c in api.calls_to("sendMessage")] == [500, 200, 200]
    assert await harness.outbox() == []  # sent rows are deleted


async def test_two_turns_of_one_chat_keep_their_order_under_retries(harness: Harness) -> None:
    api = harness.api
    api.fail("sendMessage", 502, times=2)
    assert await harness.poll(api.send_text(ANA, "/start"))
    assert await harness.poll(api.send_text(ANA, "Dana"))
    # The second turn's reply must not overtake the first's, still waiting for a retry.
    assert harness.texts() == []
    await harness.sweep_later(10)  # the first try after a 502 fails again
    assert harness.texts() == []
    await harness.sweep_later(60)
    texts = harness.texts()
    assert len(texts) == 3
    assert "Mentor Coach" in texts[0]
    assert "Who is your hero" in texts[1]
    assert "What does Dana do" in texts[2]


async def test_a_reply_left_sending_by_a_dead_process_is_sent_again_and_counted(
    harness: Harness,
) -> None:
    app, chat = harness.app, ANA
    long_ago = datetime.now(UTC) - timedelta(minutes=10)
    async with app.database.transaction() as store:
        await Outbox(store.session).add(chat, [Reply("first"), Reply("second")], long_ago)
    async with app.database.transaction() as store:
        # A process marked it and died before recording what became of it.
        assert await Outbox(store.session).start(chat, "dead:1", long_ago) is not None
    before = metrics.REPLIES_UNCERTAIN._value.get()
    await harness.sweep_later(0)
    # Sent again (it may not have arrived: a lost reply is worse than a duplicate), then
    # the chat's next message; counted as a possible duplicate.
    assert harness.texts() == ["first", "second"]
    assert metrics.REPLIES_UNCERTAIN._value.get() == before + 1
    assert await harness.outbox() == []
    transport = httpx.ASGITransport(app=make_service(app))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        exposed = (await http.get("/metrics")).text
    assert "mentor_coach_replies_uncertain_total" in exposed


class DyingAfter:
    """A held connection that dies (raises) at its n-th transaction, as when a replica's
    database connection is killed between a send and its record."""

    def __init__(self, database: Database, survives: int) -> None:
        self.database = database
        self.survives = survives

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Any]:
        if self.survives == 0:
            raise ConnectionError("terminating connection due to administrator command")
        self.survives -= 1
        async with self.database.transaction() as store:
            yield store

    @asynccontextmanager
    async def driver(self) -> AsyncIterator[Any]:
        """PostgreSQL's single statements outside a transaction die alike."""
        async with self.database.driver() as driver:
            if driver is not None:
                if self.survives == 0:
                    raise ConnectionError("terminating connection due to administrator command")
                self.survives -= 1
            yield driver


class AnswerLost(DyingAfter):
    """Commits its n-th transaction (or single statement), then raises as if the
    commit's answer was lost."""

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Any]:
        self.survives -= 1
        async with self.database.transaction() as store:
            yield store
        if self.survives < 0:
            raise ConnectionError("connection lost after COMMIT was sent")

    @asynccontextmanager
    async def driver(self) -> AsyncIterator[Any]:
        async with self.database.driver() as driver:
            if driver is not None:
                self.survives -= 1
            yield driver
        if driver is not None and self.survives < 0:
            raise ConnectionError("connection lost after the statement was sent")


@pytest.mark.parametrize("begun", [False, True], ids=["first statement", "after others"])
async def test_a_turns_first_reply_is_marked_sending_in_the_turns_own_transaction(
    harness: Harness, begun: bool
) -> None:
    """The webhook's turn marks its first reply `sending` as it writes it, so it goes
    out after the commit with no transaction of its own; durably all the same: a
    process that dies before sending it leaves it to be sent again once stale. On
    PostgreSQL, written through SQLAlchemy as a transaction's first statement, and
    straight to the driver after others (as in a turn)."""
    app, replies, now = harness.app, harness.gateway.replies, datetime.now(UTC)

    async def add(chat: int, texts: list[str], worker: str) -> Queued | None:
        async with app.database.transaction() as store:
            if begun:
                await store.outbox.count(PENDING)
            return await store.outbox.add(chat, [Reply(text) for text in texts], now, worker)

    assert await replies.reserve()
    first = await add(ANA, ["one", "two"], "me:1")
    assert first is not None
    assert first.reply.text == "one"
    assert await harness.outbox() == [("sending", ANA, True), ("pending", ANA, True)]
    # Behind a message not yet sent, nothing is marked: the chat's order comes first.
    assert await add(ANA, ["three"], "me:1") is None
    await replies.flush(ANA, started=first)
    assert harness.texts() == ["one", "two", "three"]
    assert await harness.outbox() == []
    # The permit came back: all of them are free again.
    taken = [await replies.reserve() for _ in range(replies.in_flight)]
    assert all(taken)
    assert not await replies.reserve()
    for _ in taken:
        replies.unreserve()
    # Marked by a turn whose process died before sending it: sent again once stale.
    assert await add(EVE, ["lost?"], "dead:1")
    await harness.sweep_later(SENDING_TIMEOUT.total_seconds() + 1)
    assert harness.texts(EVE) == ["lost?"]
    assert await harness.outbox() == []


async def test_the_webhook_sends_a_turns_replies_with_one_transaction_after_its_own(
    harness: Harness,
) -> None:
    api = harness.api
    await harness.webhook(api.send_text(ANA, "/start"))  # the user exists from now on
    with counting(harness.app.database) as counted:
        await harness.webhook(api.send_text(ANA, "Dana"))
    assert "What does Dana do" in harness.texts()[-1]
    # Storing the update, (on SQLite, reading it: PostgreSQL claims the user and reads it
    # in one statement outside any transaction), the turn, and (SQLite) recording the
    # reply with a look for the next: on PostgreSQL one statement outside a transaction.
    # Marking it `sending` took one more before.
    assert counted.transactions == (2 if harness.app.database.backend == "postgresql" else 4)


async def test_a_5xx_whose_record_fails_is_recorded_apart_and_sent_later(
    harness: Harness,
) -> None:
    """Lost in the burst with every fault: a 502 answered, then the connection killed
    before the retry was recorded, left the message `sending`, never to be sent."""
    app, api = harness.app, harness.api
    async with app.database.transaction() as store:
        await Outbox(store.session).add(ANA, [Reply("first")], datetime.now(UTC))
    api.fail("sendMessage", 502)
    await harness.gateway.replies.flush(ANA, DyingAfter(app.database, 1))  # type: ignore[arg-type]
    assert harness.texts() == []
    await harness.sweep_later(60)
    assert harness.texts() == ["first"]
    assert await harness.outbox() == []


async def test_a_record_whose_commit_answer_is_lost_loses_no_message(harness: Harness) -> None:
    """The transaction that recorded the first message also marked the second one; its
    answer lost, only the first is recorded again, and the second goes once stale."""
    app = harness.app
    async with app.database.transaction() as store:
        await Outbox(store.session).add(ANA, [Reply("first"), Reply("second")], datetime.now(UTC))
    await harness.gateway.replies.flush(ANA, AnswerLost(app.database, 1))  # type: ignore[arg-type]
    assert harness.texts() == ["first"]
    await harness.sweep_later(120)
    assert harness.texts() == ["first", "second"]
    assert await harness.outbox() == []


async def test_the_webhook_sends_its_replies_through_the_outbox(harness: Harness) -> None:
    api = harness.api
    api.fail("sendMessage", 500)
    await harness.webhook(api.send_text(ANA, "/start"))
    assert harness.texts() == []
    await harness.sweep_later(60)
    assert len(harness.texts()) == 2
    assert await harness.outbox() == []


async def test_a_403_marks_the_user_inactive_and_a_400_is_recorded_failed(
    harness: Harness,
) -> None:
    api = harness.api
    api.fail("sendMessage", 400, "Bad Request: message is too long")
    assert await harness.poll(api.send_text(ANA, "/start"))
    # The refused message is given up, without its words; the next one goes on.
    assert len(harness.texts()) == 1
    assert await harness.outbox() == [("failed", None, False)]
    api.block(ANA)
    assert await harness.poll(api.send_text(ANA, "Dana"))
    async with harness.app.database.transaction() as store:
        active = await store.session.scalar(
            select(UserRow.active).where(UserRow.external_id == str(ANA))
        )
    assert active is False


def test_a_long_reply_is_queued_as_one_message_per_part() -> None:
    reply = Reply("word " * 2000, turn=3)
    parts = messages([reply])
    assert len(parts) > 1
    assert all(len(p.text) <= 4096 for p in parts)
    assert parts[-1].turn == 3


# --- item 4: long polling retries, then keeps a dead letter ------------------------


async def test_a_failing_turn_is_retried_whole_and_answered_once(harness: Harness) -> None:
    api = harness.api
    assert await harness.poll(api.send_text(ANA, "/start"))
    assert await harness.poll(api.send_text(ANA, "shaky"))  # fails twice, then works
    assert len(harness.texts()) == 3
    assert "What does shaky do" in harness.texts()[-1]
    async with harness.app.database.transaction() as store:
        assert await Inbox(store.session).dead() == 0


async def test_an_update_that_always_fails_becomes_a_dead_letter_and_polling_goes_on(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    api = harness.api
    dead_before = metrics.UPDATES_DEAD._value.get()
    boom = api.send_text(ANA, "boom")
    assert await harness.poll(boom)  # handled: the offset may move past it
    assert harness.texts() == [harness.app.coach.content.messages.oops]
    assert metrics.UPDATES_DEAD._value.get() == dead_before + 1
    async with harness.app.database.transaction() as store:
        [row] = (await store.session.scalars(select(InboxRow))).all()
    assert (row.update_id, row.status, row.payload, row.user_key) == (
        boom["update_id"],
        "failed",
        None,
        "",
    )
    assert "gave up on update" in caplog.text
    info = "\n".join(r.getMessage() for r in caplog.records if r.levelname != "DEBUG")
    assert "what the user wrote" not in info
    # The next update is handled as usual.
    assert await harness.poll(api.send_text(ANA, "/start"))
    assert "Mentor Coach" in harness.texts()[1]


async def test_the_offset_stays_before_an_update_that_could_not_be_recorded() -> None:
    with FakeBotApi(token=TOKEN) as api:
        first = api.send_text(ANA, "hello")
        seen: list[int] = []
        stop = asyncio.Event()

        async def handle(update: Update) -> bool:
            seen.append(update.update_id)
            if len(seen) == 2:
                stop.set()
            return len(seen) > 1  # the first attempt could record nothing

        async with Bot(TOKEN, base_url=f"{api.url}/bot") as bot:
            await asyncio.wait_for(poll(bot, handle, stop, long_poll=1), timeout=20)
        assert seen == [first["update_id"]] * 2
        assert api.pending_updates == []  # confirmed once handled


# --- item 5: erasure leaves no trace ----------------------------------------------

SECRETS = ["Zebulon Quixwort", "Xylophone tuner", "Qwerty Fest in Oslo"]


async def rows_mentioning(database: Database, needles: list[str]) -> list[tuple[str, str]]:
    """Every (table, value) in the database that contains one of `needles`."""
    found = []
    async with database.transaction() as store:
        for table in Base.metadata.sorted_tables:
            for row in await store.session.execute(select(table)):
                for value in row:
                    text = json.dumps(value, default=str) if value is not None else ""
                    found += [(table.name, text) for needle in needles if needle in text]
    return found


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_deleteme_leaves_no_trace_of_the_user_in_any_table(
    harness: Harness, mode: str
) -> None:
    api = harness.api
    handle = harness.poll if mode == "polling" else harness.webhook
    for user, words in ((ANA, SECRETS), (EVE, ["Dana", "Producer", "A gig"])):
        for line in ["/start", *words, "yesterday", "/remind in 2 hours"]:
            await handle(api.send_text(user, line))
    assert await rows_mentioning(harness.app.database, [SECRETS[0]])
    await handle(api.send_text(ANA, "/deleteme"))
    asking = next(m for m in reversed(api.messages_to(ANA)) if m.get("reply_markup"))
    [confirm] = [d for _, d in api.buttons(asking) if d and d.endswith("deleteme.confirm=yes")]
    await handle(api.press(ANA, asking, confirm))
    # Eve's rows are there, so the scan can see them; nothing of Ana is.
    assert await rows_mentioning(harness.app.database, [str(EVE), "Producer"])
    assert await rows_mentioning(harness.app.database, [str(ANA), *SECRETS]) == []
