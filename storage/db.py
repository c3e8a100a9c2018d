"""The database: engine, one-transaction units of work, and migrations."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from typing import TYPE_CHECKING, Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, event, make_url, text
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

if TYPE_CHECKING:
    from storage.unit_of_work import SqlUnitOfWork

log = logging.getLogger(__name__)

# Any fixed number works; it only has to be the same for every replica.
MIGRATION_LOCK = 7_320_011


def user_lock_key(user_key: str) -> int:
    """Returns a user's advisory lock key: a signed 64-bit hash of their key.

    64 bits, not 32 (crc32): in 32 bits unrelated users collide often enough to wait for
    each other (or for a migration, MIGRATION_LOCK sharing the space); in 64 bits about
    never.
    """
    digest = hashlib.blake2b(user_key.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def create_engine(url: str, pool_size: int = 5, **options: Any) -> AsyncEngine:
    """Creates an async engine; SQLite gets WAL, foreign keys and write-locking BEGIN."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # No pool_pre_ping: it wraps a ping in BEGIN/ROLLBACK on every checkout (about
        # half of all transactions). A connection found dead is invalidated instead, and
        # the caller's turn is retried (see bot.app.App.turn).
        return create_async_engine(
            url, pool_size=pool_size, max_overflow=pool_size // 2, pool_recycle=1800, **options
        )
    if parsed.database not in (None, "", ":memory:"):
        # Every transaction takes the write lock (see _on_begin), so a second connection
        # would only sleep in SQLite's busy handler, which wakes waiters at random and
        # late (p99 of 0.8 s at 32 turns at once). One connection: the pool queues
        # them fairly, in order.
        options = {"pool_size": 1, "max_overflow": 0, **options}
    engine = create_async_engine(url, **options)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if parsed.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # Every turn reads then writes; taking the write lock up front makes a second
        # process wait (busy_timeout) instead of failing on a lock upgrade.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


# Where a session keeps the driver `begun_driver` found for it.
DRIVER = "asyncpg connection in a transaction"


async def begun_driver(session: AsyncSession) -> Any:
    """Returns asyncpg's connection under `session` once its transaction has begun on
    PostgreSQL (None otherwise, or before): a statement sent to it is part of that
    transaction, one round trip without SQLAlchemy's work per statement.

    Only after the transaction has begun: SQLAlchemy sends BEGIN with the first
    statement it runs, so one sent to the driver before that would commit on its own.
    A connection that dies under such a statement is invalidated when the session's
    rollback fails on it, as for any other.
    """
    if DRIVER in session.info:
        return session.info[DRIVER]
    if session.get_bind().dialect.name != "postgresql":
        return None
    # Each of these crosses into SQLAlchemy's greenlet: asked once per transaction.
    connection = await session.connection()
    driver = (await connection.get_raw_connection()).driver_connection
    if driver is None or not driver.is_in_transaction():
        return None
    session.info[DRIVER] = driver  # a session lasts one transaction, on one connection
    return driver


class Transactions:
    """Hands out one unit of work per transaction, on an engine or on a connection the
    caller holds between transactions."""

    def __init__(self, bind: AsyncEngine | AsyncConnection) -> None:
        self._bind = bind
        self._sessions = async_sessionmaker(bind=bind, expire_on_commit=False)

    @asynccontextmanager
    async def driver(self) -> AsyncIterator[Any]:
        """Yields asyncpg's own connection, outside any transaction, so that a statement
        is a transaction by itself: one round trip, where SQLAlchemy would add BEGIN and
        COMMIT and its own work per statement. None except on PostgreSQL."""
        bind = self._bind
        if bind.dialect.name != "postgresql":
            yield None
            return
        if isinstance(bind, AsyncConnection):
            yield (await bind.get_raw_connection()).driver_connection
            return
        async with bind.connect() as connection:
            driver = (await connection.get_raw_connection()).driver_connection
            assert driver is not None
            try:
                yield driver
            finally:
                # SQLAlchemy never saw the statements: a connection that died under
                # them would go back to the pool and fail whoever takes it next.
                if driver.is_closed():
                    await connection.invalidate()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqlUnitOfWork]:
        """Yields a unit of work; commits when the block ends, rolls back if it raises."""
        # Imported here: the unit of work reaches the inbox, which needs this module.
        from storage.unit_of_work import SqlUnitOfWork  # noqa: PLC0415

        async with self._sessions.begin() as session:
            yield SqlUnitOfWork(session)


class Database(Transactions):
    """Owns the engine."""

    def __init__(self, url: str, pool_size: int = 5, **options: Any) -> None:
        self.url = url
        self.engine = create_engine(url, pool_size, **options)
        super().__init__(self.engine)

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def autocommit(self) -> AsyncIterator[AsyncConnection]:
        """Yields a connection whose every statement commits on its own: for a single
        statement, no BEGIN and COMMIT round trips (PostgreSQL; SQLite gets a
        transaction, which costs it nothing extra)."""
        if self.backend != "postgresql":
            async with self.engine.begin() as connection:
                yield connection
            return
        async with self.engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            yield connection

    async def migrate(self, revision: str = "head") -> None:
        """Brings the schema up to `revision`; safe to run from several replicas at once."""
        async with self.engine.begin() as connection:
            if self.backend == "postgresql":
                await connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK}
                )
            await connection.run_sync(_upgrade, revision)

    async def ping(self) -> None:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("storage") / "migrations"))
    config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection, revision: str) -> None:
    command.upgrade(alembic_config(connection), revision)
