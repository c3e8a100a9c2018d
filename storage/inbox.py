"""The webhook inbox: an update is acknowledged only once it is stored here, and
handled from here, so a crash after the acknowledgement loses nothing.

One user's updates are handled one at a time and in update_id order across all
replicas: `user_turn` holds an advisory lock on the user's key (PostgreSQL), on a
connection of its own, from picking their lowest pending update until its replies
are sent, so replies can't overtake each other either. SQLite runs one replica,
whose workers keep out of each other's way in process.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from storage.models import InboxRow, ProcessedUpdate

PENDING, DONE, FAILED = "pending", "done", "failed"
MAX_ATTEMPTS = 5


@dataclass(frozen=True, slots=True)
class Stored:
    update_id: int
    payload: dict[str, Any]
    attempts: int


def user_key_of(update: dict[str, Any]) -> str:
    """Returns "telegram:<user id>" for whoever caused the update ("" if nobody)."""
    for field in ("message", "edited_message", "callback_query", "my_chat_member"):
        part = update.get(field)
        sender = part.get("from") if isinstance(part, dict) else None
        if isinstance(sender, dict) and isinstance(sender.get("id"), int):
            return f"telegram:{sender['id']}"
    return ""


class Inbox:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.postgres = session.get_bind().dialect.name == "postgresql"

    async def add(self, update_id: int, payload: dict[str, Any]) -> bool:
        """Stores an update; False if it was stored before (a duplicate delivery)."""
        insert = postgresql.insert if self.postgres else sqlite.insert
        stored = await self.session.scalar(
            insert(InboxRow)
            .values(
                update_id=update_id,
                user_key=user_key_of(payload),
                payload=payload,
                status=PENDING,
                attempts=0,
            )
            .on_conflict_do_nothing(index_elements=["update_id"])
            .returning(InboxRow.update_id)
        )
        return stored is not None

    async def waiting_users(self, settled_before: datetime, limit: int) -> list[str]:
        """The users with updates to handle, longest waiting first.

        Only updates received before `settled_before` count, so that an earlier update
        delivered a moment later (to another replica, say) can still go first.
        """
        rows = await self.session.scalars(
            select(InboxRow.user_key)
            .where(InboxRow.status == PENDING)
            .group_by(InboxRow.user_key)
            .having(func.min(InboxRow.received_at) <= settled_before)
            .order_by(func.min(InboxRow.update_id))
            .limit(limit)
        )
        return list(rows)

    async def oldest_pending(self) -> datetime | None:
        """When the longest-waiting pending update arrived (None if none waits)."""
        return await self.session.scalar(
            select(func.min(InboxRow.received_at)).where(InboxRow.status == PENDING)
        )

    async def take(self, user_key: str) -> Stored | None:
        """Returns the user's first pending update (call it holding `user_turn`)."""
        row = await self.session.scalar(
            select(InboxRow)
            .where(InboxRow.user_key == user_key, InboxRow.status == PENDING)
            .order_by(InboxRow.update_id)
            .limit(1)
        )
        if row is None or row.payload is None:
            return None
        return Stored(row.update_id, dict(row.payload), row.attempts)

    async def done(self, update_id: int, at: datetime) -> None:
        await self.session.execute(
            update(InboxRow)
            .where(InboxRow.update_id == update_id)
            .values(status=DONE, payload=None, processed_at=at)
        )

    async def failed_attempt(self, update_id: int, error: str, at: datetime) -> bool:
        """Counts a failed attempt; True once the update is given up on."""
        row = await self.session.get_one(InboxRow, update_id)
        row.attempts += 1
        row.last_error = error[:300]
        if row.attempts >= MAX_ATTEMPTS:
            row.status, row.payload, row.processed_at = FAILED, None, at
            return True
        return False

    async def depth(self) -> int:
        found = await self.session.scalar(
            select(func.count()).select_from(InboxRow).where(InboxRow.status == PENDING)
        )
        return int(found or 0)

    async def prune(self, before: datetime) -> None:
        """Forgets updates handled before `before`, in both modes.

        Their ids are kept that long to catch late duplicates; Telegram keeps an
        undelivered update for 24 hours at most.
        """
        await self.session.execute(
            delete(InboxRow).where(InboxRow.status != PENDING, InboxRow.processed_at < before)
        )
        await self.session.execute(
            delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < before)
        )


@asynccontextmanager
async def user_turn(engine: AsyncEngine, user_key: str) -> AsyncIterator[bool]:
    """Holds a user across replicas for the block; yields False if someone else holds them.

    A session-level advisory lock on a connection of its own outlives the turn's
    transaction, so it covers sending the replies too; if the process dies, the
    connection closes and the lock goes with it.
    """
    if engine.dialect.name != "postgresql":
        yield True
        return
    key = zlib.crc32(user_key.encode())
    async with engine.connect() as connection:
        held = bool(
            await connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": key})
        )
        try:
            yield held
        finally:
            if held:
                await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
