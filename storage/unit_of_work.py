"""One transaction as a unit of work: what a turn, a dispatcher chunk or an inbox step
reads and writes, committed together when the block ends."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from storage.inbox import Inbox
from storage.outbox import Outbox
from storage.queue import ReminderQueue
from storage.repositories import (
    SqlHeroes,
    SqlInteractions,
    SqlReminders,
    SqlUpdates,
    SqlUsers,
)


class SqlUnitOfWork:
    """A repository per aggregate for the dialogs (users, heroes, interactions,
    reminders), and the reminder queue, the webhook inbox, the reply outbox and the update
    records for the edge. Nothing here commits: `Transactions.transaction()` does, when its block
    ends without an error, and rolls back otherwise."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session  # for tests and benchmarks that look at raw rows
        # Rows loaded by any repository, held for the transaction: the session's
        # identity map holds them weakly, and a later get() then needs no SELECT.
        loaded: list[object] = []
        self.users = SqlUsers(session, loaded)
        self.heroes = SqlHeroes(session, loaded)
        self.interactions = SqlInteractions(session, loaded)
        self.reminders = SqlReminders(session, loaded)
        self.updates = SqlUpdates(session)
        self.queue = ReminderQueue(session)
        self.inbox = Inbox(session)
        self.outbox = Outbox(session)
