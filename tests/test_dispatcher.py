"""The reminder dispatcher on a real database (SQLite and PostgreSQL), with a clock
the test moves and a sender that records; no test waits for a reminder."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select

from bot.app import App
from bot.reminders import Dispatcher, DispatchSettings
from bot.settings import Settings
from bot.telegram.sending import Delivery, Sent
from dialogs.content import default_content
from dialogs.engine import Coach
from dialogs.model import (
    Interaction,
    InteractionKind,
    NewHero,
    Preferences,
    ReminderKind,
    Reply,
    StepId,
    Text,
    UserKey,
)
from storage.db import Database
from storage.models import ReminderRow, UserRow
from tests.conftest import NOW, Counted, FixedClock, counting


@dataclass
class FakeSender:
    clock: FixedClock
    sent: list[tuple[int, Reply, datetime]] = field(default_factory=list)
    outcomes: list[Delivery] = field(default_factory=list)
    by_chat: dict[int, Delivery] = field(default_factory=dict)  # before `outcomes`

    async def send(self, chat_id: int, reply: Reply) -> Sent:
        if chat_id in self.by_chat:
            delivery = self.by_chat[chat_id]
        else:
            delivery = self.outcomes.pop(0) if self.outcomes else Delivery.SENT
        if delivery in {Delivery.SENT, Delivery.UNCERTAIN}:
            self.sent.append((chat_id, reply, self.clock.now()))
        return Sent(delivery, None if delivery is Delivery.SENT else f"fake {delivery}")

    @property
    def chats(self) -> list[int]:
        return [chat for chat, _, _ in self.sent]


@dataclass
class Rig:
    app: App
    clock: FixedClock
    sender: FakeSender

    def dispatcher(self, worker: str = "w1", **options: object) -> Dispatcher:
        settings = DispatchSettings(worker=worker, rate=0, stale_after=timedelta(minutes=5))
        settings = DispatchSettings(**{**settings.__dict__, **options})  # type: ignore[arg-type]
        return Dispatcher(self.app, self.sender, self.clock, settings)

    async def add(
        self, chat: int, due_in: timedelta = timedelta(0), prefs: Preferences | None = None
    ) -> int:
        async with self.app.database.transaction() as store:
            user = await store.users.get(
                UserKey("telegram", str(chat)), f"U{chat}", prefs or Preferences()
            )
            heroes = await store.heroes.of(user.id)
            hero = (
                heroes[0]
                if heroes
                else await store.heroes.add(user.id, NewHero(f"Hero{chat}", StepId.RADAR))
            )
            reminder = await store.reminders.add(
                user.id, hero.id, self.clock.now() + due_in, ReminderKind.MANUAL
            )
        return reminder.id

    async def statuses(self) -> Counter[str]:
        async with self.app.database.transaction() as store:
            rows = (await store.session.scalars(select(ReminderRow))).all()
        return Counter(row.status for row in rows)


@pytest.fixture
async def rig(database: Database) -> Rig:
    clock = FixedClock(NOW)
    coach = Coach(default_content(), clock)
    return Rig(App(Settings(), database, coach), clock, FakeSender(clock))


async def test_a_due_reminder_goes_out_once(rig: Rig) -> None:
    for chat in (11, 12, 13):
        await rig.add(chat)
    dispatcher = rig.dispatcher()
    assert await dispatcher.round() == 3
    assert sorted(rig.sender.chats) == [11, 12, 13]
    assert await dispatcher.round() == 0
    assert len(rig.sender.sent) == 3
    assert await rig.statuses() == {"sent": 3}
    # Sends run concurrently: find chat 11's message rather than assume it came first.
    [to_11] = [reply for chat, reply, _ in rig.sender.sent if chat == 11]
    assert "Time to reach out to Hero11" in to_11.text


async def test_nothing_goes_out_before_its_time(rig: Rig) -> None:
    await rig.add(11, due_in=timedelta(minutes=10))
    dispatcher = rig.dispatcher()
    assert await dispatcher.round() == 0
    rig.clock.advance(minutes=9, seconds=59)
    assert await dispatcher.round() == 0
    rig.clock.advance(seconds=1)
    assert await dispatcher.round() == 1
    assert rig.sender.chats == [11]


async def test_outside_the_window_a_reminder_waits_for_it_to_open(rig: Rig) -> None:
    mornings = Preferences(window_start=time(9), window_end=time(12))  # it is 15:00 UTC
    await rig.add(11, prefs=mornings)
    dispatcher = rig.dispatcher()
    await dispatcher.round()
    assert rig.sender.sent == []
    rig.clock.advance(hours=17, minutes=59)  # 08:59 next day
    await dispatcher.round()
    assert rig.sender.sent == []
    rig.clock.advance(minutes=1)
    await dispatcher.round()
    assert rig.sender.chats == [11]
    assert rig.sender.sent[0][2] == datetime(2026, 11, 27, 9, tzinfo=NOW.tzinfo)


async def test_a_window_across_midnight_holds_a_reminder_until_the_evening(rig: Rig) -> None:
    night_owl = Preferences(window_start=time(22), window_end=time(7))  # it is 15:00 UTC
    await rig.add(11, prefs=night_owl)
    await rig.add(12, prefs=Preferences(window_start=time(0), window_end=time(0)))  # all day
    dispatcher = rig.dispatcher()
    await dispatcher.round()
    assert rig.sender.chats == [12]
    rig.clock.advance(hours=6, minutes=59)  # 21:59
    await dispatcher.round()
    assert rig.sender.chats == [12]
    rig.clock.advance(minutes=1)
    await dispatcher.round()
    assert rig.sender.chats == [12, 11]
    assert rig.sender.sent[1][2] == datetime(2026, 11, 26, 22, tzinfo=NOW.tzinfo)


async def test_several_due_reminders_of_one_user_make_one_message(rig: Rig) -> None:
    await rig.add(11)
    await rig.add(11)
    await rig.dispatcher().round()
    assert rig.sender.chats == [11]
    assert await rig.statuses() == {"sent": 2}


async def test_paused_and_blocked_users_get_nothing_until_they_are_back(rig: Rig) -> None:
    await rig.add(11, prefs=Preferences(paused=True))
    await rig.add(12)
    rig.sender.outcomes = [Delivery.BLOCKED]
    dispatcher = rig.dispatcher()
    await dispatcher.round()
    assert rig.sender.sent == []  # 11 is paused; 12 blocked the bot
    async with rig.app.database.transaction() as store:
        blocked = await store.session.scalar(select(UserRow).where(UserRow.external_id == "12"))
        assert blocked is not None
        assert not blocked.active
    rig.clock.advance(minutes=5)
    await dispatcher.round()
    assert rig.sender.sent == []
    # Writing to the bot again makes them reachable: the reminder goes out.
    await rig.app.turn(UserKey("telegram", "12"), "U12", Text("/progress"))
    await dispatcher.round()
    assert rig.sender.chats == [12]


@pytest.mark.parametrize(
    ("delivery", "status"),
    [(Delivery.REJECTED, "failed"), (Delivery.UNCERTAIN, "uncertain")],
)
async def test_final_outcomes_are_recorded_and_never_retried(
    rig: Rig, delivery: Delivery, status: str
) -> None:
    await rig.add(11)
    rig.sender.outcomes = [delivery]
    dispatcher = rig.dispatcher()
    await dispatcher.round()
    rig.clock.advance(hours=1)
    assert await dispatcher.round() == 0
    assert await rig.statuses() == {status: 1}


async def test_a_refused_connection_is_retried_with_backoff(rig: Rig) -> None:
    await rig.add(11)
    rig.sender.outcomes = [Delivery.UNREACHABLE, Delivery.UNREACHABLE]
    dispatcher = rig.dispatcher()
    await dispatcher.round()
    assert await rig.statuses() == {"pending": 1}
    rig.clock.advance(seconds=2)
    await dispatcher.round()
    rig.clock.advance(seconds=4)
    await dispatcher.round()
    assert rig.sender.chats == [11]
    assert await rig.statuses() == {"sent": 1}


async def test_a_dead_dispatchers_claims_are_taken_back_without_double_sends(rig: Rig) -> None:
    untried = await rig.add(11)
    in_flight = await rig.add(12)
    async with rig.app.database.transaction() as store:
        queue = store.queue
        claimed = await queue.claim(rig.clock.now(), "dead", 10)
        assert len(claimed) == 2
        await queue.start_sending([in_flight], in_flight)
    dispatcher = rig.dispatcher(stale_after=timedelta(minutes=5))
    assert await dispatcher.round() == 0  # still someone else's
    rig.clock.advance(minutes=5, seconds=1)
    await dispatcher.round()
    assert rig.sender.chats == [11]
    async with rig.app.database.transaction() as store:
        rows = {r.id: r.status for r in (await store.session.scalars(select(ReminderRow)))}
    assert rows == {untried: "sent", in_flight: "uncertain"}


async def test_the_global_rate_spaces_the_sends(rig: Rig) -> None:
    for chat in range(100, 150):
        await rig.add(chat)
    start = rig.clock.now()
    await rig.dispatcher(rate=25).round()
    assert len(rig.sender.sent) == 50
    # The last of 50 messages at 25/s may leave 49/25 s after the first, not sooner.
    assert (rig.clock.now() - start).total_seconds() == pytest.approx(49 / 25)
    assert max(at for _, _, at in rig.sender.sent) - start >= timedelta(seconds=49 / 25)


async def test_two_dispatchers_share_one_rate_limit(rig: Rig) -> None:
    for chat in range(200, 240):
        await rig.add(chat)
    start = rig.clock.now()
    one, two = rig.dispatcher("one", rate=20, batch=20), rig.dispatcher("two", rate=20, batch=20)
    await asyncio.gather(one.round(), two.round())
    assert len(rig.sender.sent) == 40
    # Each alone would finish its 20 in 0.95 s; sharing the slot, 40 take 1.95 s.
    assert (rig.clock.now() - start).total_seconds() == pytest.approx(39 / 20)


async def test_one_chat_gets_at_most_a_message_a_second(rig: Rig) -> None:
    await rig.add(11)
    dispatcher = rig.dispatcher()
    await dispatcher.round()
    await rig.add(11)
    await dispatcher.round()
    [(_, _, first), (_, _, second)] = rig.sender.sent
    assert (second - first).total_seconds() >= 1.0


async def test_concurrent_dispatchers_deliver_each_reminder_once(rig: Rig) -> None:
    if rig.app.database.backend != "postgresql":
        pytest.skip("exclusive claims (SKIP LOCKED) are proven on PostgreSQL")
    for chat in range(1000, 1300):
        await rig.add(chat)
    dispatchers = [rig.dispatcher(f"w{i}", batch=25) for i in range(3)]

    async def drain(dispatcher: Dispatcher) -> None:
        while await dispatcher.round():
            pass

    await asyncio.gather(*(drain(d) for d in dispatchers))
    counts = Counter(rig.sender.chats)
    assert len(counts) == 300
    assert set(counts.values()) == {1}
    assert await rig.statuses() == {"sent": 300}


async def test_the_dispatcher_keeps_no_memory_of_chats_it_sent_to_long_ago(rig: Rig) -> None:
    for chat in (11, 12):
        await rig.add(chat)
    dispatcher = rig.dispatcher()
    await dispatcher.round()
    assert set(dispatcher.last_sent) == {11, 12}
    rig.clock.advance(seconds=2)
    await dispatcher.round()
    assert dispatcher.last_sent == {}


# --- the database work per chunk, not per message ----------------------------------------


async def rows_by_chat(rig: Rig) -> dict[int, list[ReminderRow]]:
    async with rig.app.database.transaction() as store:
        found = await store.session.execute(
            select(UserRow.external_id, ReminderRow)
            .join(ReminderRow, ReminderRow.user_id == UserRow.id)
            .order_by(ReminderRow.id)
        )
        rows: dict[int, list[ReminderRow]] = {}
        for chat, row in found.all():
            rows.setdefault(int(chat), []).append(row)
    return rows


def marks(counted: Counted) -> list[str]:
    """The statements that marked reminders "sending" (the only ones counting attempts)."""
    return [
        s for s in counted.statements if "SET status" in s and "attempts=(reminders.attempts" in s
    ]


async def test_a_chunk_is_marked_in_one_statement_and_recorded_in_few(rig: Rig) -> None:
    for chat in range(100, 140):
        await rig.add(chat)
    dispatcher = rig.dispatcher(concurrency=8)
    chunks = 40 // 8
    with counting(rig.app.database) as counted:
        assert await dispatcher.round() == 40
    assert await rig.statuses() == {"sent": 40}
    # The claim and the round's replies in two transactions; per chunk, one statement
    # marks it "sending" and at most one records its outcomes. Prepared and recorded one
    # by one, 40 messages took 81 transactions and 83 UPDATEs.
    assert len(marks(counted)) == chunks
    assert counted.executemany == 0
    assert counted.transactions <= 2 + 2 * chunks
    claim_updates = 3  # release_stale's two, and the claim
    assert counted.updates("reminders") <= claim_updates + 2 * chunks


async def test_a_chunk_is_composed_with_a_few_reads_not_a_few_per_message(rig: Rig) -> None:
    # Eight users, each with reminders due about three heroes with a history: a chunk of
    # eight digests.
    async with rig.app.database.transaction() as store:
        for chat in range(100, 108):
            user = await store.users.get(UserKey("telegram", str(chat)), f"U{chat}", Preferences())
            for name in ("Dana", "Sam", "Kim"):
                hero = await store.heroes.add(user.id, NewHero(name, StepId.RADAR))
                for days_ago, temperature in ((9, 2), (3, 4)):
                    await store.interactions.add(
                        user.id,
                        Interaction(
                            hero_id=hero.id,
                            happened_on=(NOW - timedelta(days=days_ago)).date(),
                            kind=InteractionKind.COFFEE,
                            story="",
                            step=StepId.RADAR,
                            temperature=temperature,
                            open_door=True,
                        ),
                    )
                await store.reminders.add(user.id, hero.id, NOW, ReminderKind.MANUAL)
    dispatcher = rig.dispatcher(concurrency=8)
    with counting(rig.app.database) as counted:
        assert await dispatcher.round() == 8
    # The heroes, then their histories; read one by one, it took 48 SELECTs.
    reads = [
        s
        for s in counted.statements
        if s.startswith("SELECT") and ("FROM heroes" in s or "FROM interactions" in s)
    ]
    assert len(reads) == 2
    assert len(marks(counted)) == 1  # eight digests of three, marked "sending" at once
    assert await rig.statuses() == {"sent": 24}
    assert len(rig.sender.sent) == 8
    for _, reply, _ in rig.sender.sent:
        assert reply.text.startswith("⏰ A few heroes to reach out to today:")
        assert [line[:5] for line in reply.text.split("\n\n")[1:]] == ["• Dan", "• Sam", "• Kim"]
        assert "Last contact: Mon 23 Nov, warm." in reply.text
        assert reply.advice == ("radar.warm_open_door",) * 3


async def test_a_digests_reminders_are_marked_with_its_batch(rig: Rig) -> None:
    first = await rig.add(11)
    second = await rig.add(11)
    alone = await rig.add(12)
    await rig.dispatcher().round()
    rows = await rows_by_chat(rig)
    assert [(r.id, r.batch, r.attempts) for r in rows[11]] == [
        (first, first, 1),
        (second, first, 1),
    ]
    assert [(r.id, r.batch, r.attempts) for r in rows[12]] == [(alone, alone, 1)]


async def test_each_outcome_in_a_recorded_batch_keeps_its_meaning(rig: Rig) -> None:
    for chat in range(100, 120):
        await rig.add(chat)
    rig.sender.by_chat = {
        100: Delivery.REJECTED,
        101: Delivery.UNCERTAIN,
        102: Delivery.UNREACHABLE,
        103: Delivery.BLOCKED,
    }
    await rig.dispatcher(concurrency=4).round()
    rows = {chat: row for chat, [row] in (await rows_by_chat(rig)).items()}
    assert rows[100].status == "failed"
    assert rows[100].sent_at is None
    assert rows[101].status == "uncertain"
    assert rows[101].sent_at == NOW
    # Unreachable: back in line after a backoff; blocked: pending until the user returns.
    assert (rows[102].status, rows[102].next_attempt_at) == ("pending", NOW + timedelta(seconds=2))
    assert (rows[103].status, rows[103].last_error) == ("pending", "fake blocked")
    assert {rows[chat].status for chat in range(104, 120)} == {"sent"}
    assert {rows[chat].sent_at for chat in range(104, 120)} == {NOW}
    async with rig.app.database.transaction() as store:
        active = dict(
            (await store.session.execute(select(UserRow.external_id, UserRow.active))).all()
        )
    assert [chat for chat, is_active in active.items() if not is_active] == ["103"]


@dataclass
class HangingSender:
    """Sends that never finish: a dispatcher stopped mid-flight, as by a crash."""

    calls: list[int] = field(default_factory=list)

    async def send(self, chat_id: int, reply: Reply) -> Sent:
        self.calls.append(chat_id)
        await asyncio.Event().wait()
        raise AssertionError("never")


async def until(condition: Callable[[], bool]) -> None:
    """Lets the dispatcher run until `condition` holds (its database work is real I/O)."""
    for _ in range(2000):
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("the dispatcher never got there")


async def test_a_crash_mid_flight_leaves_at_most_the_stated_number_uncertain(rig: Rig) -> None:
    for chat in range(100, 140):
        await rig.add(chat)
    hanging = HangingSender()
    settings = DispatchSettings(worker="doomed", rate=0, concurrency=4)
    doomed = Dispatcher(rig.app, hanging, rig.clock, settings)
    running = asyncio.create_task(doomed.run(asyncio.Event()))
    # Every send it may start is started: 4 in flight, 4 more prepared, none recorded.
    await until(lambda: len(doomed.sends) == settings.unrecorded)
    assert len(hanging.calls) == settings.concurrency
    sends = list(doomed.sends.values())
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    await asyncio.gather(*sends, return_exceptions=True)
    assert all(send.cancelled() for send in sends)  # nothing keeps going after a crash
    assert doomed.sends == {}
    left = 40 - settings.unrecorded
    assert await rig.statuses() == {"sending": settings.unrecorded, "claimed": left}
    # Its claims go stale; another dispatcher sends the rest, and never the "sending" ones.
    rig.clock.advance(minutes=5, seconds=1)
    survivor = rig.dispatcher()
    while await survivor.round():
        pass
    assert await rig.statuses() == {"uncertain": settings.unrecorded, "sent": left}
    assert not set(hanging.calls) & set(rig.sender.chats)
    assert len(set(rig.sender.chats)) == len(rig.sender.chats) == left


async def test_a_graceful_stop_finishes_the_round_and_records_it(rig: Rig) -> None:
    for chat in range(100, 140):
        await rig.add(chat)
    stop = asyncio.Event()
    sender = rig.sender

    class Stopping:
        async def send(self, chat_id: int, reply: Reply) -> Sent:
            stop.set()  # at the first send, mid-round
            return await sender.send(chat_id, reply)

    settings = DispatchSettings(worker="w1", rate=0, batch=20)
    await Dispatcher(rig.app, Stopping(), rig.clock, settings).run(stop)
    # The round in hand went out and was recorded; nothing is left claimed or sending.
    assert await rig.statuses() == {"sent": 20, "pending": 20}
    assert len(sender.sent) == 20


async def test_the_next_round_is_claimed_while_this_one_sends(rig: Rig) -> None:
    for chat in range(100, 140):
        await rig.add(chat)
    stop = asyncio.Event()
    sender = rig.sender
    seen: list[Counter[str]] = []

    class Watching:
        async def send(self, chat_id: int, reply: Reply) -> Sent:
            if not seen:  # the first send waits until the next round is claimed
                for _ in range(500):
                    statuses = await rig.statuses()
                    if statuses["claimed"] + statuses["sending"] > 20:
                        break
                    await asyncio.sleep(0.01)
                seen.append(statuses)
            if len(sender.sent) == 39:
                stop.set()
            return await sender.send(chat_id, reply)

    settings = DispatchSettings(worker="w1", rate=0, batch=20)
    await Dispatcher(rig.app, Watching(), rig.clock, settings).run(stop)
    # Both rounds in hand: the second claimed while the first one sends.
    assert seen[0]["claimed"] + seen[0]["sending"] == 40
    assert await rig.statuses() == {"sent": 40}
    assert sorted(sender.chats) == list(range(100, 140))


async def test_a_chat_claimed_while_its_last_message_is_going_waits_for_it(rig: Rig) -> None:
    earlier = await rig.add(11)
    gate = asyncio.Event()
    sender = rig.sender
    calls: list[int] = []

    class HeldFirst:
        async def send(self, chat_id: int, reply: Reply) -> Sent:
            calls.append(chat_id)
            if len(calls) == 1:
                await gate.wait()
            return await sender.send(chat_id, reply)

    settings = DispatchSettings(worker="w1", rate=0)
    dispatcher = Dispatcher(rig.app, HeldFirst(), rig.clock, settings)
    assert await dispatcher.start_round() == 1  # its message is still going
    later = await rig.add(11)
    next_round = asyncio.create_task(dispatcher.start_round())

    async def status(reminder: int) -> str:
        async with rig.app.database.transaction() as store:
            row = await store.session.get_one(ReminderRow, reminder)
            return row.status

    for _ in range(2000):
        if await status(later) == "claimed":
            break
    # Claimed, but not prepared nor sent while the chat's last message is going: the
    # per-chat gap counts from when that one went.
    for _ in range(20):
        await asyncio.sleep(0.005)
    assert (await status(earlier), await status(later)) == ("sending", "claimed")
    assert calls == [11]
    gate.set()
    assert await next_round == 1
    await dispatcher.settle()
    [(_, _, first), (_, _, second)] = sender.sent
    assert (second - first).total_seconds() >= 1.0
    assert await rig.statuses() == {"sent": 2}


async def test_a_slow_rate_claims_no_more_than_it_can_send_before_claims_go_stale(
    rig: Rig,
) -> None:
    for chat in range(300, 320):
        await rig.add(chat)
    # 0.05/s with claims stale after 5 minutes: 15 messages take 300 s; a quarter is 3.
    dispatcher = rig.dispatcher(rate=0.05, batch=100)
    assert dispatcher.settings.claim_size == 3
    assert await dispatcher.round() == 3
    assert len(rig.sender.sent) == 3
    assert rig.dispatcher(rate=0).settings.claim_size == 100


async def test_paused_users_at_the_head_of_the_queue_hold_no_one_else_up(rig: Rig) -> None:
    # The soonest due reminders are paused users': a batch of 2 looks at the users of
    # the 8 soonest, finds none it may send to, and must still find the others.
    for chat in range(400, 410):
        await rig.add(chat, due_in=-timedelta(hours=1), prefs=Preferences(paused=True))
    for chat in (420, 421, 422):
        await rig.add(chat)
    dispatcher = rig.dispatcher(batch=2)
    assert await dispatcher.round() == 2
    assert await dispatcher.round() == 1
    assert sorted(chat for chat, _, _ in rig.sender.sent) == [420, 421, 422]
    assert (await rig.statuses())["pending"] == 10
