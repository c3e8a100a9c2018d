"""Reminder dispatch: `mentor-coach dispatch` processes, PostgreSQL and a fake Bot API server.

Every message is counted where it arrives: at the fake Bot API server (testkit/fakebotapi/),
by the moment its sendMessage request reached it.

* Baseline: a bare loop sending the same reminder message straight through
  `telegram.Bot.send_message`, 8 in flight (the dispatcher's concurrency), no database,
  run before and after the dispatcher runs; issue 14's goal 3 compares one dispatcher with
  the mean of the two. Beside it, for reading only, the same loop on the dispatcher's own
  send path (bot.telegram.lean): what the dispatcher adds to its sends is the gap to that.
* Rate limit off (REMINDER_RATE=0): the claim-and-send rate of 1, 2 and 4 dispatcher
  processes working off one backlog of due reminders.
* Rate limit on: the total rate of 2 processes over a fixed window, at the default limit
  (it must hold within 2 %) and at 1000/s (paid broadcasts: is it reached?).
* Every run: each chat at most once at the server, nothing the database calls sent that
  never arrived, nothing left claimed or half-sent after a graceful stop, and the database's
  "sent" rows naming exactly the chats that got a message.

A backlog of 100,000 (quick: 10,000) is seeded for every dispatcher run, so the claim query
works against it, but the dispatcher sends about 100 messages a second on a 2-core machine:
draining it three times would take an hour. So each run measures a fixed window from its
first delivery, then stops the dispatchers with SIGTERM and checks what they did; the full
mode also drains a smaller backlog to the last reminder.

The fake server runs in a process of its own, so that neither the baseline client nor this
process's polling competes with it for one interpreter lock. To say where the time goes, the
CPU time of the dispatchers and the fake server is read from /proc, and PostgreSQL's share
from its own counters for the run's database.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property
from multiprocessing.connection import Connection
from pathlib import Path

import asyncpg
from sqlalchemy import make_url, text
from telegram import Bot
from telegram.request import HTTPXRequest

from bench.common import FakeApiChild, postgres_database
from bench.report import Section
from bot.cli import run_loop
from bot.reminders import DispatchSettings
from bot.settings import Settings
from bot.telegram.lean import LeanRequest
from bot.telegram.translate import render
from dialogs.content import default_content
from dialogs.model import Hero, HeroHistory, Reminder, ReminderKind, StepId
from dialogs.reminding import compose
from storage.db import Database
from testkit.fakebotapi import FakeBotApi
from testkit.processes import Child, cpu_seconds, mentor_coach

TOKEN = "4242:bench-dispatch-token"
FIRST_CHAT = 500_000
# The product's own defaults, so that the benchmark follows them if they change.
CONCURRENCY = DispatchSettings(worker="bench").concurrency
DEFAULT_RATE = float(Settings.model_fields["reminder_rate"].default)
DEFAULT_BATCH = int(Settings.model_fields["reminder_batch"].default)
PAID_RATE = 1000.0
TOLERANCE = 0.02  # the rate limit must hold within 2 %
LIMITED_PROCESSES = 2
POLL = 0.5  # seconds between progress checks; each one copies the server's call list


@dataclass(frozen=True)
class Sizes:
    """How much each mode does; the windows are seconds from the first delivery."""

    backlog: int  # due reminders seeded for every dispatcher run
    baseline: int  # messages the bare loop sends
    unlimited_window: float
    limited_window: float  # at the default limit
    paid_window: float  # at 1000/s
    drain: int  # due reminders that 2 processes send to the last one; 0: no such run
    processes: tuple[int, ...] = (1, 2, 4)  # the unlimited runs
    rates: tuple[float, ...] = (DEFAULT_RATE, PAID_RATE)  # the limited runs


QUICK = Sizes(
    backlog=10_000,
    baseline=2_000,
    unlimited_window=8,
    limited_window=40,
    paid_window=8,
    drain=0,
)
# Only that it runs, tiny: the baseline, a run at the default limit (a window), and a
# drain without a limit (to the last reminder), each with 2 processes.
SMOKE = Sizes(
    backlog=200,
    baseline=100,
    unlimited_window=1,
    limited_window=1,
    paid_window=1,
    drain=100,
    processes=(),
    rates=(DEFAULT_RATE,),
)
FULL = Sizes(
    backlog=100_000,
    baseline=10_000,
    unlimited_window=40,
    limited_window=120,
    paid_window=40,
    drain=5_000,
)


# --------------------------------------------------------------------------------------------
# The fake Bot API server, in a process of its own
# --------------------------------------------------------------------------------------------

# One sendMessage as the server saw it: chat id, arrival (time.monotonic()), HTTP status.
Send = tuple[int, float, int]


def _serve_fake_api(conn: Connection, chats: range) -> None:
    """The server process: answers "progress", "sends" and "stop" requests on `conn`.

    It keeps its own list of sendMessage calls and extends it from where it left off, so a
    progress check costs one copy of the call list, not a filtered copy of every call.
    """
    with FakeBotApi(token=TOKEN) as api:
        for chat in chats:
            api.add_user(chat)  # else it answers 400 "chat not found"
        conn.send(api.url)
        sends: list[Send] = []
        seen = 0
        while True:
            request = conn.recv()
            calls = api.calls
            sends += [
                (c.params["chat_id"], c.at, c.status)
                for c in calls[seen:]
                if c.method == "sendMessage"
            ]
            seen = len(calls)
            if request == "progress":
                conn.send((len(sends), sends[0][1] if sends else None))
            elif request == "sends":
                conn.send(sends)
            else:
                conn.send(api.server_errors)
                return


class FakeApiProcess(FakeApiChild):
    """A FakeBotApi that knows `chats`, served from a child process while in the `with`."""

    def __init__(self, chats: range) -> None:
        super().__init__(_serve_fake_api, chats)

    def __enter__(self) -> FakeApiProcess:
        # Not waited for here: the database can be seeded while the server starts.
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return str(self.greeting())

    def progress(self) -> tuple[int, float | None]:
        """sendMessage calls so far, and when the first one arrived (monotonic)."""
        count, first = self.ask("progress")
        return int(count), first

    def sends(self) -> list[Send]:
        return list(self.ask("sends"))


# --------------------------------------------------------------------------------------------
# Where the time goes
# --------------------------------------------------------------------------------------------


@dataclass
class CpuSnapshot:
    """CPU seconds of our processes, and how many messages had arrived, at one moment.

    PostgreSQL is not read from /proc: the dispatchers' pools (5 connections for 8 sends in
    flight) keep closing and opening connections, and a backend that has exited is gone from
    /proc with its CPU time. PostgreSQL's own per-database counters are used instead (DbStats).
    """

    messages: int
    client: float  # the dispatchers, or the bare loop
    fake_api: float

    @classmethod
    def take(cls, messages: int, client: list[int], fake_api: int) -> CpuSnapshot:
        return cls(messages, sum(cpu_seconds(pid) for pid in client), cpu_seconds(fake_api))


@dataclass
class CpuUse:
    """CPU seconds per message of our processes between two snapshots."""

    client: float = 0.0
    fake_api: float = 0.0

    @classmethod
    def between(cls, start: CpuSnapshot, end: CpuSnapshot) -> CpuUse:
        per_message = max(end.messages - start.messages, 1)
        return cls(
            client=(end.client - start.client) / per_message,
            fake_api=(end.fake_api - start.fake_api) / per_message,
        )


@dataclass
class DbStats:
    """PostgreSQL's counters for one database (pg_stat_database), or their increase."""

    transactions: int = 0  # committed and rolled back
    connections: int = 0  # sessions opened
    active: float = 0.0  # seconds spent executing statements: CPU, and waiting for it

    def __sub__(self, other: DbStats) -> DbStats:
        return DbStats(
            self.transactions - other.transactions,
            self.connections - other.connections,
            self.active - other.active,
        )


async def database_stats(url: str) -> DbStats:
    """The database's counters, once only this connection is left.

    A backend sends its last figures as it exits, a moment after its dispatcher has gone,
    and only after it has left the count of backends: hence the wait, then a short pause.
    """
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    query = (
        "SELECT numbackends, xact_commit + xact_rollback AS transactions, sessions, active_time"
        " FROM pg_stat_database WHERE datname = current_database()"
    )
    connection = await asyncpg.connect(dsn)
    try:
        for _ in range(50):
            if (await connection.fetchrow(query))["numbackends"] <= 1:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.3)
        row = await connection.fetchrow(query)  # each statement reads the counters afresh
    finally:
        await connection.close()
    return DbStats(int(row["transactions"]), int(row["sessions"]), row["active_time"] / 1000)


# --------------------------------------------------------------------------------------------
# The database: due reminders in, statuses out
# --------------------------------------------------------------------------------------------


async def seed(url: str, chats: range) -> None:
    """One user per chat, each with a hero and one reminder due a minute ago.

    INSERT ... SELECT from generate_series: 100,000 of each in seconds. ANALYZE gives the
    planner the statistics autovacuum would have gathered before a backlog this size was due.
    """
    db = Database(url)
    try:
        await db.migrate()
        due = datetime.now(UTC) - timedelta(minutes=1)
        async with db.transaction() as store:
            execute = store.session.execute
            # The delivery window is the whole day (to 23:59:59): every reminder is ready.
            await execute(
                text(
                    "INSERT INTO users (channel, external_id, display_name, timezone,"
                    " window_start, window_end, reminders_paused, active, dialog,"
                    " created_at, updated_at)"
                    " SELECT 'telegram', chat::text, 'U' || chat, 'UTC', time '00:00',"
                    " time '23:59:59', false, true, '{\"state\": \"idle\"}', now(), now()"
                    " FROM generate_series(CAST(:first AS int), CAST(:last AS int)) AS chat"
                ),
                {"first": chats.start, "last": chats.stop - 1},
            )
            await execute(
                text(
                    "INSERT INTO heroes (user_id, name, role, how_met, step, archived,"
                    " created_at) SELECT id, 'Hero' || id, '', '', 'radar', false, now()"
                    " FROM users"
                )
            )
            await execute(
                text(
                    "INSERT INTO reminders (user_id, hero_id, kind, due_at, next_attempt_at,"
                    " status, attempts, created_at)"
                    " SELECT user_id, id, 'manual', :due, :due, 'pending', 0, now() FROM heroes"
                ),
                {"due": due},
            )
            await execute(text("ANALYZE users, heroes, reminders"))
    finally:
        await db.dispose()


async def recorded(url: str) -> tuple[Counter[str], set[int]]:
    """The reminders' statuses, and the chats the database says were sent to."""
    db = Database(url)
    try:
        async with db.transaction() as store:
            rows = (
                await store.session.execute(
                    text(
                        "SELECT r.status, u.external_id FROM reminders r"
                        " JOIN users u ON u.id = r.user_id"
                    )
                )
            ).all()
    finally:
        await db.dispose()
    statuses = Counter(status for status, _ in rows)
    return statuses, {int(chat) for status, chat in rows if status == "sent"}


# --------------------------------------------------------------------------------------------
# Dispatcher processes
# --------------------------------------------------------------------------------------------


@contextmanager
def dispatchers(
    count: int, database: str, api: str, rate: float, logs: Path
) -> Iterator[list[int]]:
    """Runs `count` `mentor-coach dispatch` processes; yields their pids; stops them after.

    They are stopped with SIGTERM, as in production, so they finish the round in hand and
    leave nothing claimed; one that does not stop within a minute is killed (and reported).
    """
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": api,
        "DATABASE_URL": database,
        "LOG_LEVEL": "INFO",
        "REMINDER_RATE": str(rate),
        # The product's defaults, set so that nothing from the calling shell leaks in.
        "REMINDER_BATCH": str(DEFAULT_BATCH),
        "REMINDER_POLL_SECONDS": "2",
        "REMINDER_CLAIM_TIMEOUT": "300",
    }
    workers = [
        Child(mentor_coach("dispatch"), env, logs / f"dispatcher-{number}.log")
        for number in range(count)
    ]
    try:
        for worker in workers:
            worker.start()
        yield [worker.pid for worker in workers]
    finally:
        for worker in workers:  # all told first, so that they finish their rounds together
            worker.terminate()
        for number, worker in enumerate(workers):
            if worker.process is not None and (code := worker.stop(timeout=60)) != 0:
                log = worker.log_text()
                print(f"dispatcher {number} exited {code}:\n{log[-3000:]}", file=sys.stderr)


def wait_for(condition: Callable[[], bool], timeout: float) -> bool:
    """Polls `condition` every POLL seconds; False if it did not hold within `timeout`."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(POLL)
    return True


# --------------------------------------------------------------------------------------------
# One run and its checks
# --------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What one run delivered, as the server and the database saw it."""

    label: str
    seeded: int
    window: float  # seconds from the first delivery that the rate is measured over
    sends: list[Send]
    cpu: CpuUse
    statuses: Counter[str] = field(default_factory=Counter)
    sent_in_db: set[int] = field(default_factory=set)
    database: DbStats | None = None  # what the run cost PostgreSQL; None for the baseline
    drained: bool = False  # the run was to send every reminder, so pending ones are lost

    @cached_property
    def times(self) -> list[float]:
        """Arrivals of the messages sent within the window, in order."""
        arrived = sorted(at for _, at, status in self.sends if status == 200)
        return arrived[: bisect_left(arrived, arrived[0] + self.window)] if arrived else []

    @cached_property
    def delivered(self) -> Counter[int]:
        return Counter(chat for chat, _, status in self.sends if status == 200)

    @property
    def rate(self) -> float:
        """Messages per second within the window, from its first delivery to its last."""
        times = self.times
        return (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0

    def seconds(self) -> tuple[int, int]:
        """The fewest and the most messages in any one whole second of the window (the
        limit is meant per second, not only on average)."""
        times = self.times
        if not times:
            return 0, 0
        end = times[0] + self.window
        counts = [
            bisect_left(times, at + 1.0) - i for i, at in enumerate(times) if at + 1.0 <= end
        ]
        return min(counts, default=0), max(counts, default=0)

    @property
    def errors(self) -> int:
        return sum(1 for *_, status in self.sends if status != 200)

    @property
    def duplicates(self) -> int:
        return sum(n - 1 for n in self.delivered.values())

    @property
    def lost(self) -> int:
        """Reminders that did not arrive and will not: "sent" in the database but never at
        the server, or left claimed, sending, uncertain or failed after the graceful stop
        (and, when draining, still pending). A run that stops mid-backlog leaves the rest
        pending, to be sent later: that is not lost."""
        if self.database is None:  # the baseline
            return self.seeded - len(self.delivered)
        kept = {"sent"} if self.drained else {"sent", "pending"}
        stuck = sum(n for status, n in self.statuses.items() if status not in kept)
        return len(self.sent_in_db - set(self.delivered)) + stuck

    @property
    def agrees(self) -> bool:
        """Does the database say "sent" for exactly the chats the server got a message for?"""
        return self.sent_in_db == set(self.delivered)

    @property
    def sound(self) -> bool:
        return self.duplicates == 0 and self.lost == 0 and self.errors == 0 and self.agrees

    def cost_cells(self) -> list[str]:
        """CPU ms per message of our processes (in the window) and PostgreSQL's active ms,
        transactions and new connections per message (over the whole run)."""
        cells = [f"{self.cpu.client * 1000:.1f}", f"{self.cpu.fake_api * 1000:.1f}"]
        if self.database is None or not self.delivered:
            return [*cells, "—", "—", "—"]
        messages = len(self.delivered)
        return [
            *cells,
            f"{self.database.active * 1000 / messages:.1f}",
            f"{self.database.transactions / messages:.2f}",
            f"{self.database.connections / messages:.3f}",
        ]

    def check_cells(self) -> list[str]:
        db = ", ".join(f"{status} {n:,}" for status, n in sorted(self.statuses.items()))
        return [
            self.label,
            f"{len(self.delivered):,}",
            str(self.duplicates),
            str(self.lost),
            str(self.errors),
            db,
            "yes" if self.agrees else "**no**",
        ]


def dispatch_run(
    label: str,
    processes: int,
    reminders: int,
    rate: float,
    window: float | None,
) -> Outcome:
    """Seeds `reminders`, runs `processes` dispatchers at `rate`, and collects what arrived.

    With a `window` the run stops that many seconds after the first delivery (or when the
    backlog is sent, if that comes first); without, once every reminder has arrived.
    """
    chats = range(FIRST_CHAT, FIRST_CHAT + reminders)
    # Generous: about 10/s per process is far below anything this has ever shown.
    timeout = (window or reminders / (10 * processes)) + 120
    with (
        postgres_database() as url,
        FakeApiProcess(chats) as api,
        tempfile.TemporaryDirectory(prefix="bench-dispatch-") as logs,
    ):
        asyncio.run(seed(url, chats))
        before = asyncio.run(database_stats(url))
        start: CpuSnapshot | None = None
        with dispatchers(processes, url, api.url, rate, Path(logs)) as pids:

            def over() -> bool:
                nonlocal start
                count, first = api.progress()
                if start is None and count:
                    # From the first delivery on: the processes' start-up is left out.
                    start = CpuSnapshot.take(count, pids, api.pid)
                if count >= reminders:
                    return True
                return (
                    window is not None
                    and first is not None
                    and time.monotonic() > (first + window + POLL)
                )

            if not wait_for(over, timeout):
                print(f"{label}: timed out after {timeout:.0f} s", file=sys.stderr)
            end = CpuSnapshot.take(api.progress()[0], pids, api.pid)
        cpu = CpuUse.between(start, end) if start is not None else CpuUse()
        # The whole run, start-up and stop included; read before `recorded` adds its own.
        spent = asyncio.run(database_stats(url)) - before
        statuses, sent_in_db = asyncio.run(recorded(url))
        sends = api.sends()
    return Outcome(
        label,
        reminders,
        window if window is not None else float("inf"),
        sends,
        cpu,
        statuses,
        sent_in_db,
        spent,
        drained=window is None,
    )


# --------------------------------------------------------------------------------------------
# The baseline: no database, no dispatcher
# --------------------------------------------------------------------------------------------

_NOW = datetime.now(UTC)


def _reminder_message() -> dict[str, object]:
    """The sendMessage arguments of the reminder a seeded user gets (one hero, no
    history): its text and buttons."""
    hero = Hero(
        id=1,
        user_id=1,
        name="Hero1",
        role="",
        how_met="",
        met_on=None,
        step=StepId.RADAR,
        created_at=_NOW,
    )
    reminder = Reminder(id=1, user_id=1, hero_id=1, due_at=_NOW, kind=ReminderKind.MANUAL)
    reply = compose(default_content(), 1, [reminder], {(1, 1): HeroHistory(hero, ())})
    (arguments,) = render(reply)
    return arguments


async def _bare_sends(url: str, chats: range, lean: bool) -> None:
    """Sends the reminder message to each chat, CONCURRENCY in flight, as fast as it can:
    with `Bot.send_message`, or (`lean`) as the dispatcher sends (LeanSender)."""
    arguments = _reminder_message()
    # The same client set-up as bot.telegram.runner.make_bot.
    bot = Bot(TOKEN, base_url=f"{url}/bot", request=HTTPXRequest(connection_pool_size=CONCURRENCY))
    request = LeanRequest(CONCURRENCY)
    lean_bot = Bot(TOKEN, base_url=f"{url}/bot", request=request, get_updates_request=request)
    pending = iter(chats)

    async def worker() -> None:
        for chat in pending:  # the workers share one iterator: each chat goes out once
            if lean:
                await lean_bot._post("sendMessage", {"chat_id": chat, **arguments})
            else:
                await bot.send_message(chat, **arguments)  # type: ignore[arg-type]

    async with bot:
        try:
            await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        finally:
            await request.shutdown()


def baseline(messages: int, lean: bool = False) -> Outcome:
    """The bare loop, in this process, against a fake server in its own."""
    chats = range(FIRST_CHAT, FIRST_CHAT + messages)
    with FakeApiProcess(chats) as api:
        url = api.url  # the server is up: its start-up is not counted
        start = CpuSnapshot.take(0, [os.getpid()], api.pid)
        run_loop(_bare_sends(url, chats, lean))  # the dispatchers' event loop
        end = CpuSnapshot.take(messages, [os.getpid()], api.pid)
        sends = api.sends()
    cpu = CpuUse.between(start, end)
    label = "bare loop, the dispatcher's lean send" if lean else "bare `send_message` loop"
    return Outcome(label, messages, float("inf"), sends, cpu)


# --------------------------------------------------------------------------------------------
# The section
# --------------------------------------------------------------------------------------------


def _processes(count: int) -> str:
    return f"{count} process" + ("es" if count > 1 else "")


# What a message costs: CPU of the client and the fake server, PostgreSQL's share (see cost_cells).
COST_HEADER = ("CPU ms: client", "fake API", "PostgreSQL active ms", "transactions", "connections")


GOAL_SHARE = 0.8  # issue 14, goal 3: one process at least 80% of the bare send loop


def _unlimited_table(
    section: Section, sizes: Sizes, bases: list[Outcome], lean: Outcome, runs: list[Outcome]
) -> float:
    """The table; returns the baseline rate the dispatchers are compared with."""
    section.add(
        f"**Rate limit off** (REMINDER_RATE=0): {sizes.unlimited_window:.0f} s from the first "
        f"delivery. The baseline sends {sizes.baseline:,} messages, {CONCURRENCY} in flight, "
        "with no database; its client is this process. It runs before and after the "
        "dispatchers; *of baseline* is against the mean of the two. The lean loop, run "
        "beside the first, sends as the dispatcher does (bot.telegram.lean).",
        "",
    )
    base = sum(b.rate for b in bases) / len(bases)
    section.table(
        ("run", "messages/s", "of baseline", *COST_HEADER),
        [
            [
                o.label,
                f"{o.rate:,.0f}",
                f"{o.rate / base:.0%}" if base else "—",
                *o.cost_cells(),
            ]
            for o in [bases[0], lean, *runs, *bases[1:]]
        ],
    )
    return base


def _met(met: bool) -> str:
    return "met" if met else "**missed**"


def _paid_met(limit: float, outcome: Outcome) -> bool:
    """The paid-broadcast limit reached: within TOLERANCE of it (the limit caps the rate, so
    a measured rate sits on either side of it)."""
    return outcome.rate / limit - 1 >= -TOLERANCE


def _goal_three(
    section: Section, base: float, unlimited: list[Outcome], limited: list[tuple[float, Outcome]]
) -> None:
    """Issue 14's goal 3, both parts, as met or missed."""
    one = next((o for o in unlimited if o.label.startswith("1 process")), None)
    paid = next((o for limit, o in limited if limit == PAID_RATE), None)
    lines = []
    if one is not None and base:
        share = one.rate / base
        lines.append(
            f"- Goal 3 (issue 14), one process at least {GOAL_SHARE:.0%} of the bare "
            f"`send_message` loop: {one.rate:,.0f}/s against {base:,.0f}/s, **{share:.0%}**, "
            f"{_met(share >= GOAL_SHARE)}. CPU per message: {one.cpu.client * 1000:.2f} ms "
            "in the dispatcher."
        )
    if paid is not None:
        sound = paid.duplicates == 0 and paid.lost == 0
        lines.append(
            f"- Goal 3 (issue 14), {LIMITED_PROCESSES} processes at the limit of "
            f"{PAID_RATE:,.0f}/s reach it (within {TOLERANCE:.0%}) with 0 duplicates and 0 "
            f"lost: **{paid.rate:,.0f}/s**, {paid.duplicates} duplicates, {paid.lost} lost, "
            f"{_met(_paid_met(PAID_RATE, paid) and sound)}. CPU per message: "
            f"{paid.cpu.client * 1000:.2f} ms in the dispatchers, "
            f"{paid.cpu.fake_api * 1000:.2f} ms in the fake server."
        )
    if lines:
        section.add("", *lines)


def _limited_table(section: Section, runs: list[tuple[float, Outcome]]) -> None:
    section.add(
        "",
        f"**Rate limit on**: {LIMITED_PROCESSES} processes sharing the send slot. Goals: the "
        f"default limit held within {TOLERANCE:.0%}, the paid-broadcast limit reached. *Per "
        "second*: the fewest and the most messages in any one-second span of the window.",
        "",
    )
    rows = []
    for limit, outcome in runs:
        fewest, most = outcome.seconds()
        off = outcome.rate / limit - 1
        # The default must be held from both sides; the paid one only has to be reached.
        met = abs(off) <= TOLERANCE if limit == DEFAULT_RATE else _paid_met(limit, outcome)
        rows.append(
            [
                f"{limit:,.0f}/s",
                f"{outcome.window:.0f} s",
                f"{outcome.rate:,.1f}",
                f"{off:+.1%}",
                f"{fewest}–{most}",
                _met(met),
                *outcome.cost_cells(),
            ]
        )
    section.table(
        ("limit", "window", "messages/s", "off the limit", "per second", "goal", *COST_HEADER),
        rows,
    )


def _exactly_once_table(section: Section, runs: list[Outcome]) -> None:
    section.add(
        "",
        "**Exactly once**, counted at the server after a graceful stop (SIGTERM). *Lost*: "
        "marked sent but never arrived, or left claimed, sending, uncertain or failed "
        "(pending ones go out later, unless the run was to send them all). *Agrees*: the "
        "database's sent rows name exactly the chats that got a message.",
        "",
    )
    section.table(
        ("run", "delivered", "duplicates", "lost", "errors", "database", "agrees"),
        [o.check_cells() for o in runs],
    )
    unsound = [o.label for o in runs if not o.sound]
    section.add(
        "",
        f"**Not exactly once: {'; '.join(unsound)}.**"
        if unsound
        else "Every run: duplicates 0, lost 0, errors 0, the database agrees.",
    )


def run(full: bool, smoke: bool = False) -> Section:
    """The baseline, 1, 2 and 4 processes unlimited, 2 at the default and the paid limit,
    (full mode) a complete drain; about 2 minutes quick, 8 full, on 2 busy cores."""
    sizes = SMOKE if smoke else FULL if full else QUICK
    began = time.monotonic()
    section = Section("Reminder dispatch")
    section.add(
        f"`mentor-coach dispatch` processes (batch {DEFAULT_BATCH}, {CONCURRENCY} sends in "
        "flight each) on PostgreSQL, against the fake Bot API server in a process of its "
        f"own. {sizes.backlog:,} due reminders, one per user, are seeded for every run; each "
        "run is measured over a window from its first delivery, then stopped. Messages are "
        "counted by their arrival at the server; a rate runs from the first to the last "
        "within the window. Per message: the CPU milliseconds of the client (the "
        "dispatchers, or the bare loop) and of the fake server, from /proc, in the window; "
        "PostgreSQL's time executing statements (pg_stat_database.active_time: CPU, and "
        "waiting for it), its transactions and the connections opened, over the whole run. "
        f"The machine has {os.cpu_count()} cores, shared with whatever else runs.",
        "",
    )
    first = baseline(sizes.baseline)
    lean = baseline(sizes.baseline, lean=True)
    unlimited = [
        dispatch_run(f"{_processes(n)}, no limit", n, sizes.backlog, 0.0, sizes.unlimited_window)
        for n in sizes.processes
    ]
    again = baseline(sizes.baseline)
    again.label += ", again"
    base = _unlimited_table(section, sizes, [first, again], lean, unlimited)

    limited = [
        (
            limit,
            dispatch_run(
                f"{_processes(LIMITED_PROCESSES)}, {limit:,.0f}/s",
                LIMITED_PROCESSES,
                # Enough that the window never runs out of due reminders.
                max(sizes.backlog, int(limit * (window + 5))),
                limit,
                window,
            ),
        )
        for limit, window in ((DEFAULT_RATE, sizes.limited_window), (PAID_RATE, sizes.paid_window))
        if limit in sizes.rates
    ]
    _limited_table(section, limited)

    drained = []
    if sizes.drain:
        label = f"{_processes(2)}, no limit, all of {sizes.drain:,}"
        drained.append(dispatch_run(label, 2, sizes.drain, 0.0, None))
    _exactly_once_table(section, [*unlimited, *(o for _, o in limited), *drained])
    _goal_three(section, base, unlimited, limited)
    if drained:
        section.add(f"Draining {sizes.drain:,} with 2 processes: {drained[0].rate:,.0f}/s.")
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    section.add(f"Wall time {time.monotonic() - began:.0f} s; load average at the end {load}.")
    return section
