"""Shared fixtures: a fixed clock, the content, an in-memory coach, and databases.

PostgreSQL tests run when TEST_POSTGRES_URL names a server (the tests create
and drop a database of their own there); otherwise they are skipped with a reason.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import event, make_url

import bot.telegram  # noqa: F401  (sets PTB_TIMEDELTA before PTB is used in tests)
from dialogs.content import Content, default_content
from dialogs.engine import Coach
from dialogs.model import Command, Event, Outcome, Press, Reply, Text, UserKey
from testkit.scratch import scratch_database
from tests.memory import MemoryStore

if TYPE_CHECKING:
    from storage.db import Database

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL")
NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


class FixedClock:
    """Time that moves only when a test (or a sleeper) moves it: no test really waits."""

    def __init__(self, now: datetime = NOW) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)

    async def sleep(self, seconds: float) -> None:
        # Sleepers wake at the time they asked for; concurrent ones don't add up.
        self.current = max(self.current, self.current + timedelta(seconds=max(seconds, 0)))
        await asyncio.sleep(0)


@pytest.fixture
def content() -> Content:
    return default_content()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@dataclass
class Chat:
    """Drives the coach like a user would, keeping the last buttons to press."""

    coach: Coach
    store: MemoryStore
    key: UserKey = field(default_factory=lambda: UserKey("test", "1"))
    name: str = "Ana"
    last: Outcome | None = None
    last_reply: Reply | None = None

    async def send(self, event: Event) -> Outcome:
        self.last = await self.coach.handle(self.store, self.key, self.name, event)
        return self.last

    async def say(self, text: str) -> Outcome:
        if text.startswith("/"):
            name, _, args = text[1:].partition(" ")
            return await self.send(Command(name, args))
        return await self.send(Text(text))

    async def send_press(self, button_id: str) -> Outcome:
        """Presses a button of a message sent outside a turn (a reminder): no turn stamp."""
        return await self.send(Press(button_id, 0))

    async def press(self, button_id: str) -> Outcome:
        """Presses a button of the latest reply that has buttons; fails if it isn't there."""
        reply = self.buttoned()
        assert button_id in [b.id for b in reply.buttons], (button_id, reply)
        return await self.send(Press(button_id, reply.turn))

    def buttoned(self) -> Reply:
        assert self.last is not None
        with_buttons = [r for r in self.last.replies if r.buttons]
        assert with_buttons, f"no buttons in {self.last.replies}"
        return with_buttons[-1]

    @property
    def text(self) -> str:
        assert self.last is not None
        return "\n\n".join(r.text for r in self.last.replies)

    @property
    def advice(self) -> tuple[str, ...]:
        assert self.last is not None
        return tuple(a for r in self.last.replies for a in r.advice)

    @property
    def state(self) -> str:
        return self.store.users[self.key].dialog.state


@pytest.fixture
def chat(content: Content, clock: FixedClock) -> Chat:
    return Chat(Coach(content, clock), MemoryStore())


# --- databases ------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """Creates a database of the tests' own on the PostgreSQL server; drops it after."""
    if not POSTGRES_URL:
        pytest.skip("TEST_POSTGRES_URL is not set (e.g. postgresql://postgres@127.0.0.1/postgres)")
    with scratch_database(POSTGRES_URL, "mentor_coach_test") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path) -> str:  # type: ignore[no-untyped-def]
    """A URL of an empty database: a fresh SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'coach.db'}"
    return request.getfixturevalue("postgres_database")


@pytest.fixture
def postgres_database(postgres_server: str) -> str:
    """Empties the tests' PostgreSQL database before each test that uses it."""
    import asyncpg

    dsn = (
        make_url(postgres_server)
        .set(drivername="postgresql")
        .render_as_string(hide_password=False)
    )

    async def reset() -> None:
        connection = await asyncpg.connect(dsn)
        try:
            await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        finally:
            await connection.close()

    asyncio.run(reset())
    return postgres_server


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[object]:
    from storage.db import Database

    db = Database(database_url)
    await db.migrate()
    yield db
    await db.dispose()


@dataclass
class Counted:
    """What reached the database driver: transactions begun, statements, executemanys."""

    transactions: int = 0
    statements: list[str] = field(default_factory=list)
    executemany: int = 0

    def updates(self, table: str) -> int:
        return sum(1 for s in self.statements if s.startswith(f"UPDATE {table} "))


@contextmanager
def counting(database: Database) -> Iterator[Counted]:
    counted = Counted()
    engine = database.engine.sync_engine

    def on_begin(*_: object) -> None:
        counted.transactions += 1

    def on_execute(*args: Any) -> None:
        statement, executemany = args[2], args[5]
        if statement != "BEGIN IMMEDIATE":  # SQLite's way of beginning (storage.db)
            counted.statements.append(statement)
            counted.executemany += bool(executemany)

    event.listen(engine, "begin", on_begin)
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        yield counted
    finally:
        event.remove(engine, "begin", on_begin)
        event.remove(engine, "before_cursor_execute", on_execute)
