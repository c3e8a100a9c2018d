"""The reminder queue: claiming due reminders, recording sends, the shared send slot.

Claims lock the user rows with FOR UPDATE SKIP LOCKED on PostgreSQL, so several
dispatchers never take the same user's reminders, and one user's due reminders
are claimed together (one digest). SQLite ignores FOR UPDATE; there the claim
runs in a BEGIN IMMEDIATE transaction (storage.db), which serializes claims
between processes just as well.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import BindParameter, Table, bindparam, case, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from dialogs.model import Reminder, ReminderStatus, User, UserKey
from storage.models import ReminderRow, SendSlot, UserRow
from storage.repositories import reminder_from, user_from

GLOBAL_SLOT = "global"
# Core, not the ORM, for recording outcomes: an ORM-enabled UPDATE through the session
# also looks for the rows among the session's objects to update them, and none of the
# recording transactions reads a reminder back.
REMINDERS = cast(Table, ReminderRow.__table__)


@dataclass(frozen=True, slots=True)
class Due:
    """One user's reminders, claimed together to go out as one message."""

    user: User
    reminders: tuple[Reminder, ...]

    @property
    def ids(self) -> list[int]:
        return [r.id for r in self.reminders]


class ReminderQueue:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def release_stale(self, now: datetime, stale_after: timedelta) -> None:
        """Takes back the claims of a dispatcher that died.

        Claimed but never tried: pending again. A send was started: it may have
        reached Telegram, so it is recorded as uncertain rather than sent twice.
        """
        expired = ReminderRow.claimed_at < now - stale_after
        for held, becomes in (
            (ReminderStatus.CLAIMED, ReminderStatus.PENDING),
            (ReminderStatus.SENDING, ReminderStatus.UNCERTAIN),
        ):
            await self.session.execute(
                update(ReminderRow)
                .where(ReminderRow.status == held, expired)
                .values(status=becomes, claimed_by=None)
            )

    async def claim(
        self,
        now: datetime,
        worker: str,
        users: int,
        channel: str = "telegram",
        only_user: int | None = None,
    ) -> list[Due]:
        """Claims the due reminders of up to `users` users that nobody else is handling."""
        due = (ReminderRow.status == ReminderStatus.PENDING) & (ReminderRow.next_attempt_at <= now)
        reachable = (
            UserRow.active.is_(True)
            & UserRow.reminders_paused.is_(False)
            & (UserRow.channel == channel)
        )
        if only_user is not None:
            reachable &= UserRow.id == only_user
        # Candidates, over-fetched: some may be locked by another dispatcher right now.
        # First the users of the soonest due reminders, a walk along the (status,
        # next_attempt_at) index however long the backlog (materialized: evaluated once).
        # If they don't fill the batch (a short backlog, or paused and blocked users at
        # its head), every due reminder's user, grouped: no one waits behind those.
        soonest = (
            select(ReminderRow.user_id)
            .where(due)
            .order_by(ReminderRow.next_attempt_at)
            .limit(users * 4)
            .cte("soonest")
            .prefix_with("MATERIALIZED", dialect="postgresql")
        )
        grouped = (
            select(ReminderRow.user_id)
            .join(UserRow, UserRow.id == ReminderRow.user_id)
            .where(due, reachable)
            .group_by(ReminderRow.user_id)
            .order_by(func.min(ReminderRow.next_attempt_at))
            .limit(users * 4)
        )
        found: list[Due] = []
        passed: set[int] = set()
        for candidates in (select(soonest.c.user_id), grouped, grouped):
            locked = (
                await self.session.scalars(
                    select(UserRow)
                    .where(UserRow.id.in_(candidates), reachable, UserRow.id.not_in(passed))
                    .order_by(UserRow.id)
                    .limit(users - len(found))
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not locked:
                if candidates is grouped:
                    break
                continue
            by_id = {row.id: row for row in locked}
            claimed = (
                await self.session.scalars(
                    update(ReminderRow)
                    .where(ReminderRow.user_id.in_(by_id), due)
                    .values(status=ReminderStatus.CLAIMED, claimed_by=worker, claimed_at=now)
                    .returning(ReminderRow)
                )
            ).all()
            claimed_by_user: dict[int, list[Reminder]] = {}
            for row in sorted(claimed, key=lambda r: r.id):
                claimed_by_user.setdefault(row.user_id, []).append(reminder_from(row))
            found += [
                Due(
                    user_from(by_id[user_id], UserKey(channel, by_id[user_id].external_id)),
                    tuple(reminders),
                )
                for user_id, reminders in claimed_by_user.items()
            ]
            # A user whose claim another dispatcher committed after this statement's
            # snapshot gets locked all the same, with nothing left to claim: look again
            # without them.
            emptied = by_id.keys() - claimed_by_user.keys()
            passed |= emptied
            if len(found) >= users or (candidates is grouped and not emptied):
                break
        return found

    async def postpone(self, ids: Sequence[int], until: datetime) -> None:
        """Puts claimed reminders back, to be tried at `until` (outside the window)."""
        await self._set(ids, status=ReminderStatus.PENDING, next_attempt_at=until, claimed_by=None)

    async def release(self, ids: Sequence[int]) -> None:
        """Puts claimed reminders back in line as they were (a round never started)."""
        await self.session.execute(
            update(REMINDERS)
            .where(REMINDERS.c.id.in_(ids), REMINDERS.c.status == ReminderStatus.CLAIMED)
            .values(status=ReminderStatus.PENDING, claimed_by=None)
        )

    async def start_sending(self, ids: Sequence[int], batch: int) -> None:
        """Marks one message's claimed reminders as being sent (the terminal's way)."""
        await self.session.execute(
            update(ReminderRow)
            .where(ReminderRow.id.in_(ids), ReminderRow.status == ReminderStatus.CLAIMED)
            .values(status=ReminderStatus.SENDING, batch=batch, attempts=ReminderRow.attempts + 1)
        )

    async def finish(
        self,
        ids: Sequence[int],
        status: ReminderStatus,
        *,
        at: datetime,
        error: str | None = None,
    ) -> None:
        await mark_finished(await self.session.connection(), ids, status, at=at, error=error)

    async def retry(self, ids: Sequence[int], until: datetime, error: str) -> None:
        """A connection failed before sending: try again later."""
        await self._set(
            ids,
            status=ReminderStatus.PENDING,
            next_attempt_at=until,
            claimed_by=None,
            last_error=error[:300],
        )

    async def attempts(self, ids: Sequence[int]) -> int:
        found = await self.session.scalar(
            select(func.max(ReminderRow.attempts)).where(ReminderRow.id.in_(ids))
        )
        return int(found or 0)

    async def deactivate(self, user_id: int) -> None:
        """The user blocked the bot: nothing more goes out until they write again."""
        await self.session.execute(
            update(UserRow).where(UserRow.id == user_id).values(active=False)
        )

    async def reserve(self, count: int, interval: timedelta, now: datetime) -> datetime:
        """Reserves `count` send slots `interval` apart; returns when the first one is.

        One row holds the next free moment for every process, so the total rate across
        replicas holds the limit. Reserving a batch at once keeps that row cool.
        """
        # The row is created by the migration, so replicas never race to insert it.
        slot = await self.session.get_one(SendSlot, GLOBAL_SLOT, with_for_update=True)
        start = max(slot.next_at, now)
        slot.next_at = start + interval * count
        await self.session.flush()
        return start

    async def _set(self, ids: Sequence[int], **values: object) -> None:
        await self.session.execute(update(REMINDERS).where(REMINDERS.c.id.in_(ids)).values(values))


# The dispatcher's per-chunk statements, on a connection of their own: each is one
# statement, atomic by itself, so on PostgreSQL it runs in autocommit (storage.db), without
# the round trips of BEGIN and COMMIT or the ORM session's work around a statement.


_ID = REMINDERS.c.id
_IDS: BindParameter[list[int]] = bindparam("ids", expanding=True)
# Built once: a statement object built per call costs its construction and its cache key.
_MARK_SENDING = (
    update(REMINDERS)
    .where(_ID.in_(_IDS), REMINDERS.c.status == ReminderStatus.CLAIMED)
    .values(status=ReminderStatus.SENDING, batch=_ID, attempts=REMINDERS.c.attempts + 1)
)
_MARK_FINISHED = (
    update(REMINDERS)
    .where(_ID.in_(_IDS))
    .values(status=bindparam("final"), sent_at=bindparam("sent_at"), last_error=bindparam("error"))
)


async def mark_sending(connection: AsyncConnection, messages: Sequence[Due]) -> None:
    """Marks the claimed reminders of several messages as being sent, in one statement.

    Each reminder's batch is the lowest id of its message (what its buttons name): its own
    id, but for the later reminders of a digest.
    """
    ids = [reminder for due in messages for reminder in due.ids]
    if not ids:
        return
    later = {
        reminder: first
        for due in messages
        if len(due.ids) > 1
        for first in (min(due.ids),)
        for reminder in due.ids
        if reminder != first
    }
    statement = (
        _MARK_SENDING.values(batch=case(later, value=_ID, else_=_ID)) if later else _MARK_SENDING
    )
    await connection.execute(statement, {"ids": ids})


async def mark_finished(
    connection: AsyncConnection,
    ids: Sequence[int],
    status: ReminderStatus,
    *,
    at: datetime,
    error: str | None = None,
) -> None:
    """Records the final outcome of reminders that were being sent."""
    sent_at = at if status in {ReminderStatus.SENT, ReminderStatus.UNCERTAIN} else None
    await connection.execute(
        _MARK_FINISHED,
        {"ids": list(ids), "final": status, "sent_at": sent_at, "error": error and error[:300]},
    )
