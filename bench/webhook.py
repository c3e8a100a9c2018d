"""Webhook throughput: `mentor-coach webhook` on PostgreSQL, one replica and two, against
a bare python-telegram-bot echo bot behind the same kind of server (bench/echo_bot.py).

The load is what Telegram sends a bot that many people start at once: each of N users
goes through the coach's onboarding (/start, the hero's name, role, how and when they
met, /progress), six updates in order. Like Telegram, the load generator keeps at most
40 connections open (setWebhook's default max_connections) and sends a user's next
update only once the previous one got its 200, but many users' updates at once. With
two replicas, connection i goes to replica i % 2, as a load balancer would spread them.

The fake Bot API server (testkit/fakebotapi/) answers every call in 20 ms and runs in a
process of its own, so that its threads and the load generator don't share one
interpreter lock. Every figure is taken where it happens:

* time-to-200: from writing a POST to reading its answer, at the load generator;
* time-to-reply: from writing a POST to the arrival, at the fake server, of the first
  sendMessage answering that update (found by its text: the coach's onboarding
  questions, or the echoed text);
* updates/s: all updates over the time from the first POST to the last reply's arrival,
  so an inbox still full when the last 200 goes out counts against its replica;
* CPU seconds of each part, read from /proc: the servers, this database's PostgreSQL
  backends, the fake server and the load generator, against the machine's busy time;
  and PostgreSQL's count of transactions in the database, per update;
* whether each chat got the coach's messages in the conversation's order.

The echo bot answers 200 first and replies afterwards, as PTB's own webhook does; Mentor
Coach answers 200 only after the update is committed to its inbox, and replies after the
turn is committed. At full speed the 200s come back faster than the replies go out, so
time-to-reply there is mostly the wait in the inbox; hence a second part: at a light,
steady rate, the time-to-reply of one replica with INBOX_SETTLE_SECONDS at its default
(0.2) and at 0. And a third: the order guarantee. Users' first two updates posted in
reverse order (the later update_id first, each to another replica), less and more than
INBOX_SETTLE_SECONDS apart; a violation is a chat answered in another order.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import socket
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import make_url

from bench.common import FakeApiChild, postgres_database
from bench.report import ROOT, Section, median, ms, percentile
from bot.settings import Settings
from storage.db import Database
from testkit.fakebotapi import FakeBotApi
from testkit.processes import CLOCK_TICKS, Child, cpu_seconds, mentor_coach

TOKEN = "4242:bench-webhook-token-Zz1"
SECRET = "bench-webhook-secret-Qw8"
PATH = "/telegram"
API_LATENCY = 0.020  # every Bot API answer takes this long
# Telegram's default webhook max_connections: at most this many updates in flight.
CONNECTIONS = int(Settings.model_fields["webhook_max_connections"].default)
DEFAULT_SETTLE = float(Settings.model_fields["inbox_settle_seconds"].default)
SETTINGS = set(Settings.model_fields)  # read from the environment, case-insensitively
FIRST_USER = 700_000_001
MACHINE_CORES = os.cpu_count() or 1

# The goals from the product owner's issues (14: speed; 9: hardening).
GOAL_SHARE_OF_BASELINE = 0.90
# Issue 14, goal 2: time-to-reply at a light, steady rate, order held.
GOAL_LIGHT_P50 = 0.030
GOAL_LIGHT_P99 = 0.100
# Issue 9: two replicas scale at least this share of the echo bot's two processes.
GOAL_OF_ECHO_SCALING = 0.9

# --------------------------------------------------------------------------------------------
# What the users write, and what the coach answers
# --------------------------------------------------------------------------------------------

HEROES = ("Dana Levy", "Sam Okafor", "Mira Chen", "Jon Reyes", "Ava Novak")
ROLES = ("Tour manager", "Sound engineer", "Label head", "Booking agent")
PLACES = ("At a festival", "Backstage in Leeds", "Through a friend")
WHEN = ("last week", "3 months ago", "yesterday")

# A piece of each message the coach sends during the onboarding, in order...
COACH_SAYS = (
    "I'm Mentor Coach",  # /start: the welcome,
    "Who is your hero",  # and the first question
    "What does",  # the name
    "How did you meet",  # the role
    "When did you meet",  # how they met
    "is on your list",  # when they met
    "Your heroes",  # /progress
)
# ...and which of them answers each of the six updates first.
FIRST_ANSWER = (0, 2, 3, 4, 5, 6)


def onboarding(user: int) -> list[str]:
    """What one user writes: the onboarding, then a look at their progress."""
    return [
        "/start",
        HEROES[user % len(HEROES)],
        ROLES[user % len(ROLES)],
        PLACES[user % len(PLACES)],
        WHEN[user % len(WHEN)],
        "/progress",
    ]


@dataclass(frozen=True)
class Expected:
    """What one chat should receive: a piece of each message in order, and which message
    answers each update first."""

    says: tuple[str, ...]
    first_answer: tuple[int, ...]


# --------------------------------------------------------------------------------------------
# The fake Bot API server, in a process of its own
# --------------------------------------------------------------------------------------------

# One sendMessage as the server saw it: chat id, arrival (time.monotonic()), text.
Sent = tuple[int, float, str]


def _serve_fake_api(conn: Connection, scripts: dict[int, list[str]], latency: float) -> None:
    """The server process: makes every user's updates (so it knows their chats), then
    answers "count", "sent" and "stop" requests on `conn`."""
    api = FakeBotApi(token=TOKEN).start()
    try:
        api.set_latency(latency)
        updates = {
            user: [api.send_text(user, text) for text in texts] for user, texts in scripts.items()
        }
        conn.send((api.url, updates))
        sent: list[Sent] = []
        seen = 0
        while True:
            request = conn.recv()
            # Only the new calls are looked at: a check costs one copy of the call list.
            calls = api.calls
            sent += [
                (c.params["chat_id"], c.at, c.params.get("text", ""))
                for c in calls[seen:]
                if c.method == "sendMessage" and c.ok
            ]
            seen = len(calls)
            if request == "count":
                conn.send(len(sent))
            elif request == "sent":
                conn.send(sent)
            else:
                conn.send(api.server_errors)
                return
    finally:
        api.stop()


class FakeApiProcess(FakeApiChild):
    """A FakeBotApi in a child process while in the `with`; `updates` holds each user's
    updates, made by it."""

    def __init__(self, scripts: dict[int, list[str]], latency: float) -> None:
        super().__init__(_serve_fake_api, scripts, latency)
        self.url = ""
        self.updates: dict[int, list[dict[str, Any]]] = {}

    def __enter__(self) -> FakeApiProcess:
        self.start()
        self.url, self.updates = self.greeting()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def count(self) -> int:
        """sendMessage calls answered so far."""
        return int(self.ask("count"))

    def sent(self) -> list[Sent]:
        return list(self.ask("sent"))


# --------------------------------------------------------------------------------------------
# The servers under test
# --------------------------------------------------------------------------------------------


def free_ports(count: int) -> list[int]:
    """Ports nobody listens on now; held open together so they differ."""
    probes = [socket.socket() for _ in range(count)]
    try:
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [int(probe.getsockname()[1]) for probe in probes]
    finally:
        for probe in probes:
            probe.close()


def server_env(api_url: str, port: int, **extra: str) -> dict[str, str]:
    """The environment of a server: this one's, but no setting of the bot but ours."""
    ours = {name: value for name, value in os.environ.items() if name.lower() not in SETTINGS}
    return {
        **ours,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": api_url,
        "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_HOST": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
        "WEBHOOK_PATH": PATH,
        "LOG_LEVEL": "INFO",  # the product's default
        **extra,
    }


@dataclass(frozen=True)
class Setup:
    """What serves the webhook in one run."""

    label: str
    coach: bool  # Mentor Coach replicas, else echo bots
    processes: int = 1
    settle: float = DEFAULT_SETTLE

    def expected(self, texts: Sequence[str]) -> Expected:
        """What a user who writes `texts` gets back."""
        if self.coach:
            return Expected(COACH_SAYS, FIRST_ANSWER)
        return Expected(tuple(texts), tuple(range(len(texts))))

    @contextmanager
    def serving(self, api_url: str, logs: Path) -> Iterator[tuple[list[Child], str]]:
        """Starts the servers (on a fresh, migrated database for the coach); yields them
        and the database URL ("" for the echo bot); stops them and drops the database."""
        with ExitStack() as stack:
            database = ""
            if self.coach:
                database = stack.enter_context(postgres_database())
                asyncio.run(migrate(database))
            servers = []
            ports = free_ports(2 * self.processes)
            for number, (port, service) in enumerate(zip(ports[::2], ports[1::2], strict=True)):
                if self.coach:
                    command = mentor_coach("webhook")
                    env = server_env(
                        api_url,
                        port,
                        DATABASE_URL=database,
                        INBOX_SETTLE_SECONDS=str(self.settle),
                        SERVICE_PORT=str(service),
                    )
                else:
                    command = [sys.executable, "-m", "bench.echo_bot"]
                    env = server_env(api_url, port, PYTHONPATH=str(ROOT))
                server = Child(command, env, logs / f"server-{number}.log")
                stack.callback(server.stop)  # registered first: stopped even if start fails
                server.start()
                servers.append(server)
            for server in servers:  # started together: two replicas start in the time of one
                # The coach serves /healthz on a port of its own; the echo bot on its webhook's.
                health = server.env.get("SERVICE_PORT", server.env["WEBHOOK_PORT"])
                server.wait_healthy(f"http://127.0.0.1:{health}/healthz")
            yield servers, database


async def migrate(url: str) -> None:
    database = Database(url)
    try:
        await database.migrate()
    finally:
        await database.dispose()


# --------------------------------------------------------------------------------------------
# The load generator
# --------------------------------------------------------------------------------------------


class Connection11:
    """One keep-alive HTTP/1.1 connection, written by hand: the generator shares the
    cores with what it measures, and at 40 requests in flight httpx spent about 6 ms of
    CPU per request (its pool scans every waiting request), this about 0.05 ms."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.head = (
            f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Content-Type: application/json\r\nX-Telegram-Bot-Api-Secret-Token: {SECRET}\r\n"
        ).encode()
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def post(self, body: bytes) -> int:
        """POSTs an update; returns the status, or 0 if the connection broke."""
        try:
            if self.streams is None:
                self.streams = await asyncio.open_connection("127.0.0.1", self.port)
            reader, writer = self.streams
            writer.write(self.head + b"Content-Length: %d\r\n\r\n" % len(body) + body)
            status = int((await reader.readline()).split(b" ", 2)[1])
            length, close = 0, False
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
                elif name.strip().lower() == b"connection":
                    close = value.strip().lower() == b"close"
            await reader.readexactly(length)
            if close:
                await self.close()
            return status
        except (OSError, IndexError, ValueError, asyncio.IncompleteReadError):
            await self.close()
            return 0

    async def close(self) -> None:
        if self.streams is not None:
            writer = self.streams[1]
            self.streams = None
            writer.close()
            with suppress(OSError):
                await writer.wait_closed()


@dataclass
class Load:
    """What the generator saw: for each user, when each update was posted and answered."""

    posted: dict[int, list[float]] = field(default_factory=lambda: defaultdict(list))
    answered: dict[int, list[float]] = field(default_factory=lambda: defaultdict(list))
    refused: int = 0  # answers other than 200 (and broken connections), each retried


async def drive(
    ports: list[int],
    bodies: dict[int, list[dict[str, Any]]],
    ids: Iterator[int],
    rate: float | None = None,
) -> Load:
    """Posts every user's updates, each user's in order, one after the other's 200.

    CONNECTIONS connections each take the user who has waited longest for their next
    update; with `rate`, updates go out no faster than that many a second. Each update
    gets its update_id from `ids` as it is posted: Telegram numbers a bot's updates in
    the order they happen, and the inbox reads a gap in that sequence as an update
    still on its way.
    """
    load = Load()
    if not bodies:
        return load
    ready: asyncio.Queue[int | None] = asyncio.Queue()
    for user in bodies:
        ready.put_nowait(user)
    remaining = sum(len(updates) for updates in bodies.values())
    loop = asyncio.get_running_loop()
    next_slot = loop.time()

    async def paced() -> None:
        nonlocal next_slot
        if rate is not None:
            slot = max(loop.time(), next_slot)
            next_slot = slot + 1 / rate
            await asyncio.sleep(slot - loop.time())

    async def connection(port: int) -> None:
        nonlocal remaining
        http = Connection11(port)
        try:
            while (user := await ready.get()) is not None:
                step = len(load.answered[user])
                await paced()
                body = json.dumps({**bodies[user][step], "update_id": next(ids)}).encode()
                for _attempt in range(50):
                    started = time.monotonic()
                    status = await http.post(body)
                    if status == 200:
                        break
                    load.refused += 1
                    await asyncio.sleep(0.1)  # Telegram too tries again, later
                else:
                    raise RuntimeError(f"port {port} keeps refusing updates (last: {status})")
                load.posted[user].append(started)
                load.answered[user].append(time.monotonic())
                if step + 1 < len(bodies[user]):
                    ready.put_nowait(user)
                remaining -= 1
                if remaining == 0:
                    for _ in range(CONNECTIONS):
                        ready.put_nowait(None)
        finally:
            await http.close()

    await asyncio.gather(*(connection(ports[i % len(ports)]) for i in range(CONNECTIONS)))
    return load


# --------------------------------------------------------------------------------------------
# Where the CPU time goes
# --------------------------------------------------------------------------------------------


def machine_busy_seconds() -> float:
    """CPU seconds all cores spent on anything but idling, since boot."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / CLOCK_TICKS  # guest time is in user already


def ask_postgres(database: str, query: str) -> list[tuple[int, ...]]:
    """`query`'s rows, run on `database` by a connection of its own."""
    dsn = make_url(database).set(drivername="postgresql").render_as_string(hide_password=False)

    async def ask() -> list[tuple[int, ...]]:
        connection = await asyncpg.connect(dsn)
        try:
            return [tuple(row) for row in await connection.fetch(query)]
        finally:
            await connection.close()

    return asyncio.run(ask())


def backend_pids(database: str) -> list[int]:
    """The PostgreSQL backends serving `database` now (the servers' pooled connections)."""
    rows = ask_postgres(
        database,
        "SELECT pid FROM pg_stat_activity"
        " WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    return [pid for (pid,) in rows]


def database_counts(database: str) -> tuple[int, int]:
    """Transactions and connections `database` has seen. Backends report theirs at
    intervals and when they exit: exact only once the servers have stopped."""
    [(transactions, sessions)] = ask_postgres(
        database,
        "SELECT xact_commit + xact_rollback, sessions FROM pg_stat_database"
        " WHERE datname = current_database()",
    )
    return transactions, sessions


@dataclass
class Cpu:
    """CPU seconds of each part of a run, at one moment."""

    at: float  # time.monotonic()
    servers: float
    postgres: dict[int, float]  # by backend
    fake_api: float
    generator: float
    machine: float

    @classmethod
    def take(cls, servers: list[Child], database: str, fake_api: int) -> Cpu:
        pids = backend_pids(database) if database else []
        return cls(
            at=time.monotonic(),
            servers=sum(cpu_seconds(server.pid) for server in servers),
            postgres={pid: cpu_seconds(pid) for pid in pids},
            fake_api=cpu_seconds(fake_api),
            generator=time.process_time(),
            machine=machine_busy_seconds(),
        )

    def since(self, before: Cpu) -> dict[str, float]:
        # A backend opened during the run counts from zero.
        postgres = sum(
            seconds - before.postgres.get(pid, 0.0) for pid, seconds in self.postgres.items()
        )
        return {
            "servers": self.servers - before.servers,
            "postgres": postgres,
            "fake API": self.fake_api - before.fake_api,
            "generator": self.generator - before.generator,
            "machine": self.machine - before.machine,
            "wall": self.at - before.at,
        }


PARTS = ("servers", "postgres", "fake API", "generator")  # the run's own CPU, in Cpu.since

# --------------------------------------------------------------------------------------------
# Runs
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Phase:
    """Users onboarding at once; at full speed, or at `rate` updates a second."""

    users: list[int]
    rate: float | None = None


@dataclass(frozen=True)
class Plan:
    """One start of `setup`'s servers: `warmup` unmeasured, then each phase in turn."""

    setup: Setup
    phases: list[Phase]
    warmup: Phase = Phase([])

    def users(self) -> list[int]:
        return [user for phase in (self.warmup, *self.phases) for user in phase.users]


@dataclass
class Run:
    """The figures of one phase."""

    setup: Setup
    rate_asked: float | None
    users: int
    updates: int
    seconds: float  # first POST to the last reply's arrival
    accepting: float  # first POST to the last 200
    to_200: list[float]
    to_reply: list[float]
    missing: int  # updates whose answer never came
    out_of_order: int  # chats whose messages arrived in another order than sent
    refused: int
    cpu: dict[str, float]
    # Per update, over the servers' whole life: PostgreSQL transactions, and connections
    # opened (a backend gone before the phase ended is missing from the CPU figures).
    transactions: float = 0.0
    connections: float = 0.0

    @property
    def rate(self) -> float:
        return self.updates / self.seconds if self.seconds > 0 else 0.0

    @property
    def accept_rate(self) -> float:
        return self.updates / self.accepting if self.accepting > 0 else 0.0

    @property
    def machine_busy(self) -> float:
        """The share of all cores busy during the phase, with anything."""
        return self.cpu["machine"] / (self.cpu["wall"] * MACHINE_CORES)

    def cpu_per_update(self, *parts: str) -> float:
        return sum(self.cpu[part] for part in parts) / self.updates


def wait_for_replies(api: FakeApiProcess, count: int, patience: float = 30.0) -> None:
    """Until the server has `count` sendMessage calls, or none came for `patience` s."""
    seen, last_change = -1, time.monotonic()
    while seen < count and time.monotonic() - last_change < patience:
        if (now := api.count()) != seen:
            seen, last_change = now, time.monotonic()
        time.sleep(0.1)


def run_once(api: FakeApiProcess, plan: Plan) -> list[Run]:
    """Starts the plan's servers and runs its phases, each until its replies are in (or
    stopped coming); one Run per measured phase."""
    setup = plan.setup
    expected = {user: setup.expected(onboarding(user)) for user in plan.users()}
    bodies = {user: api.updates[user] for user in plan.users()}
    ids = itertools.count(1)  # a fresh inbox for each start of the servers
    with (
        tempfile.TemporaryDirectory(prefix="bench-webhook-") as logs,
        setup.serving(api.url, Path(logs)) as (servers, database),
    ):
        ports = [int(server.env["WEBHOOK_PORT"]) for server in servers]
        answers = api.count()  # the replies the server should have had by now

        def drive_and_wait(phase: Phase) -> Load:
            nonlocal answers
            load = asyncio.run(
                drive(ports, {user: bodies[user] for user in phase.users}, ids, phase.rate)
            )
            answers += sum(len(expected[user].says) for user in phase.users)
            wait_for_replies(api, answers)
            return load

        drive_and_wait(plan.warmup)
        measured = []
        for phase in plan.phases:
            before = Cpu.take(servers, database, api.pid)
            load = drive_and_wait(phase)
            measured.append((phase, load, Cpu.take(servers, database, api.pid).since(before)))
        sent = api.sent()
        for server in servers:
            server.stop()  # and so their backends report their last transactions
        counts = database_counts(database) if database else (0, 0)
    runs = [
        measure(setup, phase, load, {u: expected[u] for u in phase.users}, sent=sent, cpu=cpu)
        for phase, load, cpu in measured
    ]
    posted = sum(len(updates) for updates in bodies.values())
    for run in runs:
        run.transactions, run.connections = (count / posted for count in counts)
    return runs


def measure(
    setup: Setup,
    phase: Phase,
    load: Load,
    expected: dict[int, Expected],
    *,
    sent: list[Sent],
    cpu: dict[str, float],
) -> Run:
    """Pairs each of the phase's updates with the first message that answers it."""
    by_chat: dict[int, list[tuple[float, str]]] = defaultdict(list)
    for chat, at, text in sent:
        if chat in expected:
            by_chat[chat].append((at, text))
    to_reply: list[float] = []
    missing = out_of_order = 0
    for user, wanted in expected.items():
        messages = sorted(by_chat[user])
        in_order = len(messages) == len(wanted.says) and all(
            piece in text for piece, (_at, text) in zip(wanted.says, messages, strict=True)
        )
        out_of_order += not in_order
        for step, answer in enumerate(wanted.first_answer):
            piece = wanted.says[answer]
            arrived = next((at for at, text in messages if piece in text), None)
            if arrived is None:
                missing += 1
            else:
                to_reply.append(arrived - load.posted[user][step])
    first_post = min(times[0] for times in load.posted.values())
    last_200 = max(times[-1] for times in load.answered.values())
    last_reply = max((at for messages in by_chat.values() for at, _text in messages), default=0)
    return Run(
        setup=setup,
        rate_asked=phase.rate,
        users=len(expected),
        updates=sum(len(times) for times in load.posted.values()),
        seconds=max(last_reply, last_200) - first_post,
        accepting=last_200 - first_post,
        to_200=[
            answered - posted
            for user in load.posted
            for posted, answered in zip(load.posted[user], load.answered[user], strict=True)
        ],
        to_reply=to_reply,
        missing=missing,
        out_of_order=out_of_order,
        refused=load.refused,
        cpu=cpu,
    )


# --------------------------------------------------------------------------------------------
# The benchmark
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Size:
    users: int  # at full speed: users onboarding at once
    rounds: int  # runs of each setup at full speed, taking turns
    light_seconds: float  # length of each phase at a light, steady rate
    reversed_users: int  # users whose first two updates come in reverse order, per gap
    light_rates: tuple[float, ...] = (2.0, 10.0)  # updates/s: a quiet bot; a busy one


QUICK = Size(users=100, rounds=1, light_seconds=5.0, reversed_users=40)
SMOKE = Size(  # only that it runs
    users=4, rounds=1, light_seconds=1.0, reversed_users=4, light_rates=(10.0,)
)
FULL = Size(users=1000, rounds=3, light_seconds=15.0, reversed_users=200)
LIGHT_WARMUP = 3  # users onboarded before the light phases: the first turns are slower

ECHO_1 = Setup("echo bot, 1 process", coach=False)
ECHO_2 = Setup("echo bot, 2 processes", coach=False, processes=2)
COACH_1 = Setup("Mentor Coach, 1 replica", coach=True)
COACH_2 = Setup("Mentor Coach, 2 replicas", coach=True, processes=2)
COACH_1_NO_SETTLE = Setup("Mentor Coach, 1 replica, settle 0", coach=True, settle=0.0)
FULL_SPEED = (ECHO_1, COACH_1, ECHO_2, COACH_2)


def run(full: bool, smoke: bool = False) -> Section:
    size = SMOKE if smoke else FULL if full else QUICK
    section = Section("Webhook throughput")
    section.add(
        f"{size.users:,} users each send the onboarding's {len(onboarding(0))} updates "
        f"(a user's next one after the previous one's 200; at most {CONNECTIONS} in flight, "
        "as with Telegram's default max_connections) to `mentor-coach webhook` on PostgreSQL "
        "(INBOX_WORKERS and INBOX_SETTLE_SECONDS at their defaults), and to a bare "
        "python-telegram-bot echo bot on the same Starlette/Uvicorn stack without a database "
        "(bench/echo_bot.py: 200 first, reply after, 8 replies in flight). The fake Bot API "
        f"answers every call in {API_LATENCY * 1000:.0f} ms, in a process of its own. "
        "updates/s: all updates over the time from the first POST to the last reply's "
        "arrival at the fake server (accepted/s: to the last 200); time-to-reply: from a "
        "POST to the arrival of the first message answering it. CPU from /proc: the "
        "servers' processes (the coach's include its reminder dispatcher), the backends of "
        "the run's database alive at its end (one that a pool closed during the run is "
        "missed: see connections per update), the fake server, the generator. "
        f"{MACHINE_CORES} cores for everything, and on a shared machine other people's "
        "work too (machine busy: all cores, anything). One run per setup unless several "
        "are listed: compare the ratios, not the rates, with other days.",
        "",
    )
    ids = itertools.count(FIRST_USER)  # every run has users of its own

    def users(count: int) -> list[int]:
        return list(itertools.islice(ids, count))

    # The setups take turns, round by round: a noisy neighbour hits them alike.
    full_speed = [
        Plan(setup, [Phase(users(size.users))])
        for _round in range(size.rounds)
        for setup in FULL_SPEED
    ]
    light = [
        Plan(
            setup,
            [
                Phase(users(light_users(rate, size.light_seconds)), rate)
                for rate in size.light_rates
            ],
            warmup=Phase(users(LIGHT_WARMUP)),
        )
        for setup in (COACH_1, COACH_1_NO_SETTLE)
    ]
    plans = full_speed + light
    scripts = {user: onboarding(user) for plan in plans for user in plan.users()}
    reversed_users = {gap: users(size.reversed_users) for gap in REVERSED_GAPS}
    scripts |= {user: onboarding(user)[:2] for group in reversed_users.values() for user in group}
    # One fake server for all runs: it makes every user's updates once, up front.
    with FakeApiProcess(scripts, API_LATENCY) as api:
        runs: dict[Setup, list[Run]] = {setup: [] for setup in FULL_SPEED}
        for plan in full_speed:
            runs[plan.setup] += run_once(api, plan)
        report_full_speed(section, runs)
        report_goals(section, runs)
        light_runs = [run for plan in light for run in run_once(api, plan)]
        reversed_runs = run_reversed(api, COACH_2, reversed_users)
        report_light(section, light_runs, reversed_runs)
        report_reversed(section, reversed_runs)
    return section


# How far apart, in settle windows, a user's two updates are posted in reverse order.
REVERSED_GAPS = (0.5, 2.0)
REVERSED_SPACING = 0.05


@dataclass(frozen=True)
class Reversed:
    gap: float  # seconds between the later update's 200 and the earlier one's POST
    users: int
    # Chats answered in another order than the updates' ids, split by how far apart the
    # inbox stamped the two updates: within INBOX_SETTLE_SECONDS, or beyond it.
    within: int
    within_violations: int
    beyond_violations: int


def run_reversed(
    api: FakeApiProcess, setup: Setup, groups: dict[float, list[int]]
) -> list[Reversed]:
    """Each group's users post their second update, then, `gap` settle windows after its
    200, their first, at once; each of a user's two updates to another replica."""
    found = []
    with (
        tempfile.TemporaryDirectory(prefix="bench-order-") as logs,
        setup.serving(api.url, Path(logs)) as (servers, database),
    ):
        ports = [int(server.env["WEBHOOK_PORT"]) for server in servers]
        answers = api.count()
        for windows, group in groups.items():
            gap = windows * setup.settle

            async def user_posts(i: int, user: int, gap: float = gap) -> None:
                # One user every REVERSED_SPACING s: all at once, a busy machine's queues
                # put most pairs beyond the window however short the gap.
                await asyncio.sleep(i * REVERSED_SPACING)
                later, earlier = (Connection11(ports[(i + k) % len(ports)]) for k in (0, 1))
                body = [json.dumps(update).encode() for update in api.updates[user]]
                try:
                    if await later.post(body[1]) != 200:
                        raise RuntimeError("the later update was refused")
                    await asyncio.sleep(gap)
                    if await earlier.post(body[0]) != 200:
                        raise RuntimeError("the earlier update was refused")
                finally:
                    await later.close()
                    await earlier.close()

            async def all_posts(group: list[int] = group) -> None:
                await asyncio.gather(*(user_posts(i, user) for i, user in enumerate(group)))

            asyncio.run(all_posts())
            # In order: the welcome, the first question, the name's question.
            answers += 3 * len(group)
            wait_for_replies(api, answers, patience=5.0)
            answers = api.count()
            by_chat: dict[int, list[tuple[float, str]]] = defaultdict(list)
            for chat, at, text in api.sent():
                by_chat[chat].append((at, text))
            stamped = stamps(
                database, [u["update_id"] for user in group for u in api.updates[user]]
            )
            within = within_violations = beyond_violations = 0
            for user in group:
                earlier, later = (stamped[u["update_id"]] for u in api.updates[user][:2])
                violated = not answered_in_order(by_chat[user])
                if earlier - later < setup.settle:
                    within += 1
                    within_violations += violated
                else:
                    beyond_violations += violated
            found.append(Reversed(gap, len(group), within, within_violations, beyond_violations))
    return found


def stamps(database: str, update_ids: list[int]) -> dict[int, float]:
    """When the inbox stamped each update as received, in seconds."""
    rows = ask_postgres(
        database,
        "SELECT update_id, (extract(epoch FROM received_at) * 1000000)::bigint FROM inbox"
        f" WHERE update_id IN ({', '.join(str(int(u)) for u in update_ids)})",
    )
    return {update_id: micros / 1e6 for update_id, micros in rows}


def answered_in_order(messages: list[tuple[float, str]]) -> bool:
    """/start's two messages, then the question about the hero just named."""
    wanted = COACH_SAYS[:3]
    return len(messages) == len(wanted) and all(
        piece in text for piece, (_at, text) in zip(wanted, sorted(messages), strict=True)
    )


def report_reversed(section: Section, found: list[Reversed]) -> None:
    section.add(
        "",
        "Order beyond the settle window: each user's first two updates posted in reverse "
        "order (the later update_id first, the earlier one to the other replica a gap "
        f"after the first got its 200), a user every {REVERSED_SPACING * 1000:.0f} ms, to two "
        "replicas with "
        f"INBOX_SETTLE_SECONDS at {DEFAULT_SETTLE:g} s. A violation: a chat that didn't get "
        "/start's two messages and then the question about the hero just named (a name "
        "read first gets a welcome instead). Users are split by how far apart the inbox "
        "stamped their two updates: the README promises order within the window, not "
        "beyond it.",
        "",
    )
    section.table(
        [
            "gap after the 200",
            "users",
            "stamped within the window: users / violations",
            "beyond it: users / violations",
        ],
        [
            [
                f"{r.gap * 1000:.0f} ms",
                r.users,
                f"{r.within} / {r.within_violations}",
                f"{r.users - r.within} / {r.beyond_violations}",
            ]
            for r in found
        ],
    )
    for r in found:
        print(
            f"order, gap {r.gap * 1000:.0f} ms: {r.within_violations} violations in "
            f"{r.within} users within the window, {r.beyond_violations} in "
            f"{r.users - r.within} beyond it"
        )


def light_users(rate: float, seconds: float) -> int:
    """Users who, at `rate`, keep the generator busy for about `seconds`."""
    return max(2, round(rate * seconds / len(onboarding(0))))


def report_full_speed(section: Section, runs: dict[Setup, list[Run]]) -> None:
    base = median([r.rate for r in runs[ECHO_1]])

    def p(values: Callable[[Run], list[float]], done: list[Run]) -> str:
        return (
            f"{ms(median([percentile(values(r), 0.5) for r in done]))} / "
            f"{ms(median([percentile(values(r), 0.99) for r in done]))}"
        )

    def cpu(done: list[Run]) -> str:
        return " / ".join(
            f"{median([r.cpu_per_update(part) * 1000 for r in done]):.1f}" for part in PARTS
        )

    section.table(
        [
            "setup",
            "updates/s",
            "of echo ×1",
            "accepted/s",
            "time-to-200 p50 / p99",
            "time-to-reply p50 / p99",
            "CPU ms per update: servers / PostgreSQL / fake API / generator",
            "PostgreSQL transactions / connections per update",
            "machine busy",
        ],
        [
            [
                setup.label,
                " · ".join(f"{r.rate:.0f}" for r in done)
                + (f" → **{median([r.rate for r in done]):.0f}**" if len(done) > 1 else ""),
                f"{median([r.rate for r in done]) / base:.0%}",
                f"{median([r.accept_rate for r in done]):.0f}",
                p(lambda r: r.to_200, done),
                p(lambda r: r.to_reply, done),
                cpu(done),
                (
                    f"{median([r.transactions for r in done]):.1f} / "
                    f"{median([r.connections for r in done]):.2f}"
                )
                if setup.coach
                else "–",
                f"{median([r.machine_busy for r in done]):.0%}",
            ]
            for setup, done in runs.items()
        ],
    )


def report_goals(section: Section, runs: dict[Setup, list[Run]]) -> None:
    """The goals as ratios of runs of the same round: each compares like with like."""

    def ratio(top: Setup, bottom: Setup) -> float:
        return median([a.rate / b.rate for a, b in zip(runs[top], runs[bottom], strict=True)])

    share, scaling = ratio(COACH_1, ECHO_1), ratio(COACH_2, COACH_1)
    echo_scaling = ratio(ECHO_2, ECHO_1)
    # What the cores allow at all, at what one update costs across every part of the run.
    cost = median([r.cpu_per_update(*PARTS) for r in runs[COACH_1]])
    ceiling = MACHINE_CORES / cost
    one = median([r.rate for r in runs[COACH_1]])
    busy = median([r.cpu["servers"] / r.cpu["wall"] for r in runs[COACH_1]])
    coach = runs[COACH_1] + runs[COACH_2]
    own_1, own_2 = (
        median([r.cpu_per_update("servers") for r in runs[s]]) for s in (COACH_1, COACH_2)
    )
    base_1, base_2 = (
        median([r.cpu_per_update("postgres") for r in runs[s]]) for s in (COACH_1, COACH_2)
    )
    projected = 2 * own_1 / own_2

    def busiest(part: str) -> float:
        return max(r.cpu[part] / r.cpu["wall"] for done in runs.values() for r in done)

    section.add(
        "",
        f"- Mentor Coach, 1 replica: **{share:.0%}** of the echo bot's updates/s "
        f"(goal ≥ {GOAL_SHARE_OF_BASELINE:.0%}): {met(share >= GOAL_SHARE_OF_BASELINE)}.",
        f"- 2 replicas: **{scaling:.2f}×** one; the echo bot, 2 processes: "
        f"{echo_scaling:.2f}× one, so **{scaling / echo_scaling:.0%}** of its ratio (goal ≥ "
        f"{GOAL_OF_ECHO_SCALING:.0%}): {met(scaling >= GOAL_OF_ECHO_SCALING * echo_scaling)}.",
        f"- One replica's process kept {busy:.0%} of a core busy (one event loop: 100 % is "
        f"all it can use). An update cost {cost * 1000:.1f} CPU ms in all (servers, "
        f"PostgreSQL, fake server, generator): {MACHINE_CORES} cores allow at most "
        f"{ceiling:.0f} updates/s, {ceiling / one:.2f}× one replica's rate, even with nothing "
        "else running. A second replica adds an event loop, not a core: here it can only "
        "win what one leaves idle, so this ratio says little about replicas on machines of "
        "their own.",
        f"- What a second replica costs, then: the servers spent {own_2 * 1000:.1f} CPU ms "
        f"per update with two replicas against {own_1 * 1000:.1f} with one (PostgreSQL "
        f"{base_2 * 1000:.1f} against {base_1 * 1000:.1f}). Two replicas on a core each, "
        f"each as busy as one is here, would handle about {projected:.2f}× one's updates, "
        "if PostgreSQL keeps up: an estimate from CPU costs, not a measurement.",
        f"- Mentor Coach, all runs: in {sum(r.out_of_order for r in coach)} of "
        f"{sum(r.users for r in coach)} chats the messages arrived in another order than "
        f"the conversation's; {sum(r.missing for r in coach)} updates got no answer; "
        f"{sum(r.refused for r in coach)} POSTs were refused (and retried).",
        f"- Not the bottleneck: the fake server used at most {busiest('fake API'):.0%} of a "
        f"core, the load generator {busiest('generator'):.0%}.",
    )


def met(ok: bool) -> str:
    return "met" if ok else "**missed**"


def report_light(section: Section, light: list[Run], reversed_runs: list[Reversed]) -> None:
    section.add(
        "",
        "Time-to-reply at a light, steady rate (updates posted on a fixed clock, each "
        "user's still in order, update_ids in the order posted, as Telegram numbers them), "
        f"with INBOX_SETTLE_SECONDS at its default ({DEFAULT_SETTLE:g} s: the longest an "
        "update waits for a missing earlier update_id) and at 0 (no wait at all, no order "
        f"kept beyond what arrives in order); one replica, after {LIGHT_WARMUP} users "
        "onboarded unmeasured.",
        "",
    )
    section.table(
        ["rate", "setup", "updates", "time-to-reply p50 / p99 / max", "time-to-200 p50 / p99"],
        [
            [
                f"{r.rate_asked:g}/s",
                r.setup.label,
                r.updates,
                f"{ms(percentile(r.to_reply, 0.5))} / {ms(percentile(r.to_reply, 0.99))} / "
                f"{ms(max(r.to_reply, default=0.0))}",
                f"{ms(percentile(r.to_200, 0.5))} / {ms(percentile(r.to_200, 0.99))}",
            ]
            for r in sorted(light, key=lambda r: r.rate_asked or 0.0)
        ],
    )
    coach = [r for r in light if r.setup == COACH_1]
    p50 = max((percentile(r.to_reply, 0.5) for r in coach), default=0.0)
    p99 = max((percentile(r.to_reply, 0.99) for r in coach), default=0.0)
    disorder = sum(r.out_of_order + r.missing for r in coach) + sum(
        r.within_violations for r in reversed_runs
    )
    held = disorder == 0
    section.add(
        "",
        f"- Time-to-reply at a light rate, one replica, settle at its default: p50 "
        f"{ms(p50)} (goal ≤ {ms(GOAL_LIGHT_P50)}), p99 {ms(p99)} (goal ≤ "
        f"{ms(GOAL_LIGHT_P99)}), the worse rate of "
        f"{', '.join(f'{r.rate_asked:g}/s' for r in coach)}; order "
        f"{'held' if held else f'**broken** ({disorder} chats)'} (these runs, and the "
        "reversed pairs within the window below): "
        f"{met(p50 <= GOAL_LIGHT_P50 and p99 <= GOAL_LIGHT_P99 and held)}.",
    )
