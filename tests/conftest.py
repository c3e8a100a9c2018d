"""Shared fixtures: a fixed clock, the content, an in-memory coach, and databases.

PostgreSQL tests run when TEST_POSTGRES_URL names a server (the tests create
and drop a database of their own there); otherwise they are skipped with a reason.
"""

from __future__ import annotations

import asyncio
import copy
import os
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import event, make_url

import bot.telegram  # noqa: F401  (sets PTB_TIMEDELTA before PTB is used in tests)
from dialogs import model
from dialogs.content import Content, default_content
from dialogs.engine import Coach
from dialogs.model import Event, Outcome, Press, Reply, UserKey
from testkit.events import typed
from testkit.memory import MemoryStore, MemoryUnitOfWork
from testkit.scratch import scratch_database

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


class SavedUser:
    """A unit of work whose users repository remembers the user a turn saved."""

    def __init__(self, uow: Any) -> None:
        self.uow = uow
        self.heroes, self.interactions, self.reminders = (
            uow.heroes,
            uow.interactions,
            uow.reminders,
        )
        self.users = self
        self.saved: model.User | None = None

    async def get(
        self, key: UserKey, display_name: str, defaults: model.Preferences
    ) -> model.User:
        user: model.User = await self.uow.users.get(key, display_name, defaults)
        return user

    async def save(self, user: model.User) -> None:
        await self.uow.users.save(user)
        self.saved = copy.deepcopy(user)

    async def delete(self, user_id: int) -> None:
        await self.uow.users.delete(user_id)


@dataclass
class Chat:
    """Drives the coach like a user would, keeping the last buttons to press.

    It runs on any unit of work (`units` opens one); `store` is the in-memory one's
    rows, for tests that only the fake can set up."""

    coach: Coach
    store: MemoryStore | None = None
    key: UserKey = field(default_factory=lambda: UserKey("test", "1"))
    name: str = "Ana"
    last: Outcome | None = None
    last_reply: Reply | None = None
    units: Callable[[], AbstractAsyncContextManager[Any]] | None = None
    user: model.User | None = None  # as the latest turn saved it

    def open(self) -> AbstractAsyncContextManager[Any]:
        if self.units is not None:
            return self.units()
        assert self.store is not None
        return MemoryUnitOfWork(self.store)

    async def send(self, event: Event) -> Outcome:
        async with self.open() as uow:
            recording = SavedUser(uow)
            self.last = await self.coach.handle(recording, self.key, self.name, event)
        if isinstance(uow, MemoryUnitOfWork):
            assert uow.committed
        self.user = recording.saved
        return self.last

    async def heroes(self) -> list[model.Hero]:
        """The user's heroes, archived ones too, oldest first."""
        async with self.open() as uow:
            return list(await uow.heroes.of(self.me().id, archived=True))

    async def interactions(self) -> list[model.Interaction]:
        async with self.open() as uow:
            found = []
            for hero in await uow.heroes.of(self.me().id, archived=True):
                found += await uow.interactions.of(self.me().id, hero.id)
            return found

    async def reminders(self) -> list[model.Reminder]:
        async with self.open() as uow:
            return list(await uow.reminders.of(self.me().id))

    async def set_heroes(self, **changes: Any) -> None:
        """Changes every hero of the user (a step, say), as set-up for a test."""
        async with self.open() as uow:
            for hero in await uow.heroes.of(self.me().id, archived=True):
                for name, value in changes.items():
                    setattr(hero, name, value)
                await uow.heroes.save(hero)

    async def set_state(self, state: str) -> None:
        """Puts the stored dialog in `state`, as an older version might have left it."""
        async with self.open() as uow:
            user = await uow.users.get(self.key, self.name, model.Preferences())
            user.dialog.state = state
            await uow.users.save(user)

    def me(self) -> model.User:
        assert self.user is not None, "no turn saved the user yet"
        return self.user

    async def say(self, text: str) -> Outcome:
        return await self.send(typed(text))

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
        return self.me().dialog.state


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


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path) -> str | None:  # type: ignore[no-untyped-def]
    """None for the in-memory fake, else the URL of an empty database."""
    if request.param == "memory":
        return None
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'store.db'}"
    return str(request.getfixturevalue("postgres_database"))


@pytest.fixture
async def units(store_url: str | None) -> AsyncIterator[Callable[[], Any]]:
    """Opens units of work on one store: `async with units() as uow:` is one transaction."""
    if store_url is None:
        yield MemoryStore().uow
        return
    from storage.db import Database

    database = Database(store_url)
    await database.migrate()
    try:
        yield database.transaction
    finally:
        await database.dispose()


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
        if database.backend != "postgresql":  # there, counted as the driver sees them
            counted.transactions += 1

    def on_execute(*args: Any) -> None:
        statement, executemany = args[2], args[5]
        if statement != "BEGIN IMMEDIATE":  # SQLite's way of beginning (storage.db)
            counted.statements.append(statement)
            counted.executemany += bool(executemany)

    def on_driver(query: Any) -> None:
        # Statements sent straight to asyncpg (storage.db.begun_driver), and every BEGIN:
        # SQLAlchemy's reach it as prepared statements, which it doesn't log, but for
        # its BEGIN and COMMIT; some transactions asyncpg begins without SQLAlchemy.
        verb = query.query.split(None, 1)[0].rstrip(";")
        if verb == "BEGIN":
            counted.transactions += 1
        elif verb not in ("COMMIT", "ROLLBACK"):
            counted.statements.append(query.query)

    def on_checkout(_dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if database.backend == "postgresql":
            record.driver_connection.add_query_logger(on_driver)

    def on_checkin(_dbapi_connection: Any, record: Any) -> None:
        if database.backend == "postgresql" and record.driver_connection is not None:
            record.driver_connection.remove_query_logger(on_driver)

    event.listen(engine, "begin", on_begin)
    event.listen(engine, "before_cursor_execute", on_execute)
    event.listen(engine.pool, "checkout", on_checkout)
    event.listen(engine.pool, "checkin", on_checkin)
    try:
        yield counted
    finally:
        event.remove(engine, "begin", on_begin)
        event.remove(engine, "before_cursor_execute", on_execute)
        event.remove(engine.pool, "checkout", on_checkout)
        event.remove(engine.pool, "checkin", on_checkin)
