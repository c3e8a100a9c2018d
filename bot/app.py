"""The coach on its database: one turn in one transaction, reminders for the terminal,
housekeeping. Built by bot/bootstrap.py."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import DBAPIError

from bot.settings import Settings
from dialogs.engine import Coach
from dialogs.model import Event, Outcome, ReminderStatus, Reply, UserKey
from storage.db import Database
from storage.unit_of_work import SqlUnitOfWork

log = logging.getLogger(__name__)


KEEP_HANDLED = timedelta(days=2)


async def first(*waits: Awaitable[object]) -> None:
    """Waits for the first of several awaitables, cancelling the rest."""
    tasks = [asyncio.ensure_future(w) for w in waits]
    await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


@dataclass
class App:
    """The coach and its database: what every front end (Telegram, terminal) talks to."""

    settings: Settings
    database: Database
    coach: Coach

    async def turn(
        self, key: UserKey, display_name: str, event: Event, update_id: int | None = None
    ) -> Outcome | None:
        """Runs one turn in one transaction; None if `update_id` was handled before.

        A turn that finds its database connection dead (a restart, a network blip) is
        rolled back whole and run once more on a fresh connection.
        """
        for attempt in (1, 2):
            try:
                async with self.database.transaction() as uow:
                    return await self.turn_in(uow, key, display_name, event, update_id)
            except DBAPIError as error:
                if not error.connection_invalidated or attempt == 2:
                    raise
                log.warning("database connection lost; running the turn again")
        raise AssertionError("unreachable")

    async def turn_in(
        self,
        uow: SqlUnitOfWork,
        key: UserKey,
        display_name: str,
        event: Event,
        update_id: int | None = None,
    ) -> Outcome | None:
        """Runs one turn inside the caller's transaction (the webhook inbox's)."""
        if update_id is not None and not await uow.updates.claim(update_id):
            return None
        return await self.coach.handle(uow, key, display_name, event)

    async def due_here(self, key: UserKey) -> tuple[Reply, ...]:
        """Hands a terminal user their due reminders (the terminal has no dispatcher)."""
        async with self.database.transaction() as uow:
            user = await uow.users.get(key, key.external_id, self.coach.defaults)
            queue = uow.queue
            claimed = await queue.claim(
                self.coach.clock.now(), "console", 1, channel=key.channel, only_user=user.id
            )
            replies = await self.coach.reminder_replies(
                uow, [(due.user, due.reminders) for due in claimed]
            )
            for due in claimed:
                await queue.start_sending(due.ids, min(due.ids))
                await queue.finish(due.ids, ReminderStatus.SENT, at=self.coach.clock.now())
        return tuple(replies)

    async def housekeeping(self, stop: asyncio.Event) -> None:
        """Hourly: forgets updates handled more than two days ago."""
        while not stop.is_set():
            try:
                async with self.database.transaction() as uow:
                    await uow.inbox.prune(datetime.now(UTC) - KEEP_HANDLED)
            except Exception:
                log.exception("housekeeping failed; trying again in an hour")
            await first(stop.wait(), asyncio.sleep(3600))

    async def close(self) -> None:
        await self.database.dispose()


async def migrate(settings: Settings) -> None:
    """`mentor-coach db upgrade`: applies migrations and exits."""
    database = Database(settings.database(), hide_parameters=settings.log_level != "DEBUG")
    try:
        await database.migrate()
    finally:
        await database.dispose()
    log.info("database is up to date (%s)", database.backend)


async def healthy(settings: Settings) -> bool:
    """`mentor-coach health`: True if the database answers."""
    database = Database(settings.database())
    try:
        await database.ping()
    except Exception as error:  # any failure to reach it is "unhealthy"
        log.warning("database unreachable: %s", type(error).__name__)
        return False
    finally:
        await database.dispose()
    return True
