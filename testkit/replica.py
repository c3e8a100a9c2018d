"""Another replica, played by a test: it holds a user as a webhook replica's worker does.

The workers claim a user in the statement that reads their first update
(`storage.inbox.claim_user`); tests hold one from outside, for as long as they like, to
see what the other workers do meanwhile.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from storage.db import Database, Transactions, user_lock_key
from storage.inbox import release


@asynccontextmanager
async def hold_user(database: Database, user_key: str) -> AsyncIterator[Transactions | None]:
    """Holds a user as another replica would, for the block; yields None if someone else
    holds them.

    On PostgreSQL, a session-level advisory lock on one pooled connection, which also
    runs the block's transactions: the lock outlives each transaction, so it covers
    sending the replies too, and a worker needs one connection, not two. If the process
    dies, the connection closes and the lock goes with it. SQLite runs one replica.
    """
    if database.backend != "postgresql":
        yield database
        return
    key = user_lock_key(user_key)
    async with database.engine.connect() as connection:
        # Straight to the driver, outside any transaction: one round trip, no BEGIN.
        driver = (await connection.get_raw_connection()).driver_connection
        assert driver is not None
        if not await driver.fetchval("SELECT pg_try_advisory_lock($1)", key):
            yield None
            return
        try:
            yield Transactions(connection)
        finally:
            if not connection.invalidated:
                try:
                    await driver.execute(release(key, user_key))
                except Exception:
                    # Never pool a connection that may still hold the lock.
                    await connection.invalidate()
                    raise
