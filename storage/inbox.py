"""The webhook inbox: an update is acknowledged only once it is stored here, and
handled from here, so a crash after the acknowledgement loses nothing.

One user's updates are handled one at a time and in update_id order across all
replicas: `claim_user` takes an advisory lock on the user's key (PostgreSQL) in the
statement that reads their lowest pending update, and keeps it until its replies are
sent, so replies can't overtake each other either. SQLite runs one replica, whose
workers keep out of each other's way in process.

An update waits for an earlier one of the same user only while one may still be on its
way: Telegram numbers a bot's updates in sequence, so an update is handled at once when
every update_id below it has arrived (`ready`), and otherwise when it has waited
INBOX_SETTLE_SECONDS (an id that never comes, or a sequence that restarts, costs that
long once). Nothing tells whose update is missing, so a gap holds back every user's
later updates, and only until the missing one is stored or the window has passed.

A replica that finds a user held elsewhere doesn't ask again and again: every replica
says on a PostgreSQL NOTIFY channel when it releases a user, and `Notices` hears it on
a connection of its own.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable, Collection
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    Table,
    bindparam,
    case,
    delete,
    func,
    literal,
    select,
    true,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from storage.db import Database, Transactions, begun_driver, user_lock_key
from storage.models import InboxRow, ProcessedUpdate
from storage.outbox import FRESH_GRACE, SENDING, Lone, Outbox, Queued, add_first_sql, payload_of

log = logging.getLogger(__name__)

PENDING, DONE, FAILED = "pending", "done", "failed"
MAX_ATTEMPTS = 5
# The NOTIFY channel, with the user's key: they were released (their replies are out,
# and any updates left are free for anyone to take).
RELEASED = "inbox_released"
# A replica's slot among the live ones: the two-key advisory lock (SLOTS, n), held by its
# listening connection, so a replica that dies frees its slot with that connection.
SLOTS = 0x4D43_5201
MAX_SLOTS = 64
# Another replica's users are picked only after they have waited this much longer.
GRACE = timedelta(seconds=0.5)


@dataclass(frozen=True, slots=True)
class Share:
    """Which users this replica serves first: those whose key hashes to `rank` modulo
    `replicas` (the live replicas, counted by their slots)."""

    rank: int
    replicas: int


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


def ready(settled_before: datetime | ColumnElement[datetime]) -> ColumnElement[bool]:
    """An update may be handled: it was received before `settled_before`, or every id
    between it and the last update received before then has arrived. Received updates
    are ids in sequence; a missing one is still on its way, or lost. An update below
    that last one came late: it waits the window. With nothing received before the
    window (a fresh inbox, or one idle for longer than it keeps ids), only the window
    counts. Looks at the updates received since `settled_before` only."""
    last = (
        select(INBOX.update_id.label("id"))
        .where(INBOX.received_at <= settled_before)
        .order_by(INBOX.update_id.desc())
        .limit(1)
        .cte("settled_last")
    )
    # Ids in sequence from last.id + 1 keep update_id - row_number equal to last.id.
    recent = (
        select(
            INBOX.update_id.label("id"),
            (INBOX.update_id - func.row_number().over(order_by=INBOX.update_id)).label("k"),
        )
        .where(INBOX.update_id > last.c.id)
        .cte("since_last")
    )
    reached = select(func.max(recent.c.id)).where(recent.c.k == last.c.id).scalar_subquery()
    after = func.coalesce(select(last.c.id).scalar_subquery(), -1)
    return (INBOX.received_at <= settled_before) | (
        (INBOX.update_id > after) & (INBOX.update_id <= func.coalesce(reached, -1))
    )


# Core statements on the table: the inbox is read and written a few times per update,
# and the ORM's per-statement work (entity loading, session synchronisation) buys nothing.
TABLE = cast(Table, InboxRow.__table__)
INBOX = TABLE.c

# Built once: each runs for every update, and building a statement and its cache key
# costs more than compiling it (found in the cache) does.
ADD_POSTGRES = (
    postgresql.insert(TABLE)
    .on_conflict_do_nothing(index_elements=["update_id"])
    .returning(INBOX.update_id)
)
ADD_SQLITE = (
    sqlite.insert(TABLE)
    .on_conflict_do_nothing(index_elements=["update_id"])
    .returning(INBOX.update_id)
)
TAKE = (
    select(INBOX.update_id, INBOX.attempts, INBOX.received_at, INBOX.payload)
    .where(INBOX.user_key == bindparam("b_user"), INBOX.status == PENDING)
    .order_by(INBOX.update_id)
    .limit(1)
)
DONE_UPDATE = (
    update(TABLE)
    .where(INBOX.update_id == bindparam("b_id"), INBOX.status == PENDING)
    .values(status=DONE, payload=None, user_key="", processed_at=bindparam("b_at"))
)


@cache
def _picker(shared: bool) -> Select[Any]:
    """`Inbox.waiting_users`' statement, with a share among replicas or without: built
    once, since the picker runs it at every look (building a statement and its cache
    key costs more than compiling it, found in the cache, does). One row per waiting
    user, in order, each with the settling time; one row with no user if none waits:
    one round trip a look where the waiting users and the settling time took two."""
    settled_before = bindparam("b_settled", type_=INBOX.received_at.type)
    is_ready = ready(settled_before)  # one pair of CTEs for both uses
    settled_id = case((is_ready, INBOX.update_id))
    first_ready = func.min(INBOX.update_id) == func.min(settled_id)
    order: list[ColumnElement[Any]] = [func.min(INBOX.update_id)]
    settling = select(func.min(INBOX.received_at)).where(INBOX.status == PENDING, ~is_ready)
    if shared:
        hashed = func.hashtext(INBOX.user_key).op("&")(0x7FFF_FFFF)
        ours = (hashed % bindparam("b_replicas", type_=Integer)) == bindparam(
            "b_rank", type_=Integer
        )
        graced = bindparam("b_graced", type_=INBOX.received_at.type)
        graced_id = case((INBOX.received_at <= graced, INBOX.update_id))
        first_ready = first_ready & (ours | (func.min(INBOX.update_id) == func.min(graced_id)))
        order.insert(0, case((ours, 0), else_=1))
        # Only one's own users' updates settling are worth a look when they settle;
        # another replica's are looked at within the caller's poll, if still there.
        settling = settling.where(ours)
    waiting = (
        select(INBOX.user_key, *(key.label(f"o{n}") for n, key in enumerate(order)))
        .where(
            INBOX.status == PENDING,
            INBOX.user_key.not_in(bindparam("b_skip", expanding=True)),
        )
        .group_by(INBOX.user_key)
        .having(first_ready)
        .order_by(*order)
        .limit(bindparam("b_limit", type_=Integer))
        .subquery("waiting")
    )
    one = select(literal(1).label("one")).subquery("one")
    return (
        select(waiting.c.user_key, settling.scalar_subquery().label("settling"))
        .select_from(one.outerjoin(waiting, true()))
        .order_by(*(waiting.c[f"o{n}"] for n in range(len(order))))
    )


class Inbox:
    """The inbox, in a transaction (a session's) or on an autocommit connection."""

    def __init__(self, executor: AsyncSession | AsyncConnection) -> None:
        self.executor = executor
        dialect = executor.get_bind() if isinstance(executor, AsyncSession) else executor
        self.postgres = dialect.dialect.name == "postgresql"

    async def add(self, update_id: int, payload: dict[str, Any]) -> bool:
        """Stores an update; False if it was stored before (a duplicate delivery)."""
        row = {
            "update_id": update_id,
            "user_key": user_key_of(payload),
            "payload": payload,
            "status": PENDING,
            "attempts": 0,
        }
        # No NOTIFY here: PostgreSQL serialises the commits of writing transactions that
        # notify. The storing replica wakes its own workers; the others look on their own.
        adding = ADD_POSTGRES if self.postgres else ADD_SQLITE
        return await self.executor.scalar(adding, row) is not None

    async def waiting_users(
        self,
        settled_before: datetime,
        limit: int,
        skip: Collection[str] = (),
        share: Share | None = None,
    ) -> tuple[list[str], datetime | None]:
        """The users (but those in `skip`) whose first pending update is `ready`,
        longest waiting first, and when the next update still settling arrived (None if
        none is).

        An update received after `settled_before` with an id missing below it waits,
        so that an earlier update delivered a moment later (to another replica, say)
        can still go first: a user whose lowest pending update_id waits holds back the
        user's later ones too.

        With a `share` (PostgreSQL), the replica's own users come first, and another
        replica's only once they have waited GRACE more: replicas don't race for the
        same users, yet a user whose replica is busy or gone is served all the same. The
        settling time returned is then that of one's own users only.
        """
        shared = share is not None and share.replicas > 1
        values: dict[str, Any] = {
            "b_settled": settled_before,
            "b_limit": limit,
            "b_skip": list(skip),
        }
        if share is not None and shared:
            values |= {
                "b_graced": settled_before - GRACE,
                "b_replicas": share.replicas,
                "b_rank": share.rank,
            }
        rows = (await self.executor.execute(_picker(shared), values)).all()
        return [row.user_key for row in rows if row.user_key is not None], rows[0].settling

    async def take(self, user_key: str, settled_before: datetime) -> Stored | None:
        """Returns the user's first pending update if it is `ready` (call it holding the
        user, and mark it `done` in the same transaction)."""
        row = (await self.executor.execute(TAKE, {"b_user": user_key})).first()
        if row is None or row.payload is None:
            return None
        # Only an update still within the window needs the look for missing ids.
        if row.received_at > settled_before and not await self.executor.scalar(
            select(ready(settled_before)).where(INBOX.update_id == row.update_id)
        ):
            return None
        return Stored(row.update_id, dict(row.payload), row.attempts)

    async def done_and_take(
        self,
        update_id: int,
        user_key: str,
        at: datetime,
        settled_before: datetime,
        message: Lone | None = None,
    ) -> Finished:
        """`done`, then `take`, with the turn's lone `message` added to the outbox first:
        whether `update_id` was still pending (now done), and if so the user's next
        update if it is ready, and the message if it was marked `sending`.

        On PostgreSQL, once the transaction has begun (the turn's statements begin it),
        one statement straight through the driver: one round trip, and none of
        SQLAlchemy's work per statement, where the three took three.
        """
        session = self.executor if isinstance(self.executor, AsyncSession) else None
        driver = await begun_driver(session) if session is not None and self.postgres else None
        if driver is not None:
            if message is None:
                row = await driver.fetchrow(DONE_AND_TAKE, update_id, user_key, settled_before, at)
                return Finished(True, stored_of(row), None) if row["done"] else NOT_DONE
            row = await driver.fetchrow(
                DONE_ADD_AND_TAKE,
                update_id,
                user_key,
                settled_before,
                at,
                message.chat_id,
                json.dumps(payload_of(message.reply)),
                at + FRESH_GRACE,
                message.worker,
            )
            if not row["done"]:
                return NOT_DONE
            first = None
            if row["added_status"] == SENDING:
                first = Queued(row["added_id"], message.chat_id, message.reply, 1)
            return Finished(True, stored_of(row), first)
        first = None
        if message is not None:
            assert session is not None  # a turn's transaction
            first = await Outbox(session).add(message.chat_id, [message.reply], at, message.worker)
        if not await self.done(update_id, at):
            return NOT_DONE
        return Finished(True, await self.take(user_key, settled_before), first)

    async def failed_attempt(self, user_key: str, error: str, at: datetime) -> int | None:
        """Counts a failed attempt at the user's first pending update and gives it up
        after MAX_ATTEMPTS; returns its id if it was given up."""
        row = (await self.executor.execute(self._first(user_key))).first()
        if row is None:
            return None
        attempts = row.attempts + 1
        given_up = attempts >= MAX_ATTEMPTS
        values: dict[str, Any] = {"attempts": attempts, "last_error": error[:300]}
        if given_up:
            values |= {"status": FAILED, "payload": None, "user_key": "", "processed_at": at}
        await self.executor.execute(
            update(TABLE).where(INBOX.update_id == row.update_id).values(values)
        )
        return row.update_id if given_up else None

    def _first(self, user_key: str, *more: ColumnElement[Any]) -> Select[Any]:
        return (
            select(INBOX.update_id, INBOX.attempts, INBOX.received_at, *more)
            .where(INBOX.user_key == user_key, INBOX.status == PENDING)
            .order_by(INBOX.update_id)
            .limit(1)
        )

    async def done(self, update_id: int, at: datetime) -> bool:
        """Marks a pending update handled; False if it was no longer pending (another
        replica handled it first: the caller rolls its turn back)."""
        # Only the id is kept (for late duplicates): nothing says whose update it was.
        marked = await self.executor.execute(DONE_UPDATE, {"b_id": update_id, "b_at": at})
        return bool(cast(Any, marked).rowcount == 1)

    async def dead_letter(self, update_id: int, error: str, at: datetime) -> None:
        """Records an update long polling gave up on: its id and error, nothing of its
        content or sender (kept, and pruned, like a handled one)."""
        insert = postgresql.insert if self.postgres else sqlite.insert
        await self.executor.execute(
            insert(TABLE)
            .values(
                update_id=update_id,
                user_key="",
                payload=None,
                status=FAILED,
                attempts=MAX_ATTEMPTS,
                last_error=error[:300],
                received_at=at,
                processed_at=at,
            )
            .on_conflict_do_nothing(index_elements=["update_id"])
        )

    async def dead(self) -> int:
        found = await self.executor.scalar(
            select(func.count()).select_from(TABLE).where(INBOX.status == FAILED)
        )
        return int(found or 0)

    async def depth(self) -> int:
        found = await self.executor.scalar(
            select(func.count()).select_from(TABLE).where(INBOX.status == PENDING)
        )
        return int(found or 0)

    async def prune(self, before: datetime) -> None:
        """Forgets updates handled before `before`, in both modes.

        Their ids are kept that long to catch late duplicates; Telegram keeps an
        undelivered update for 24 hours at most.
        """
        await self.executor.execute(
            delete(InboxRow).where(InboxRow.status != PENDING, InboxRow.processed_at < before)
        )
        await self.executor.execute(
            delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < before)
        )


# The updates of a batch stored in one statement (PostgreSQL). The payloads come as text
# and are cast, so the statement needs no codec for arrays of json.
ADD_MANY = (
    "INSERT INTO inbox (update_id, user_key, payload, status, attempts, received_at)"
    " SELECT id, key, payload::json, 'pending', 0, $4"
    " FROM unnest($1::bigint[], $2::text[], $3::text[]) AS given(id, key, payload)"
    " ON CONFLICT (update_id) DO NOTHING RETURNING update_id"
)


# An update given to InboxWriter.add, and the answer its POST waits for.
Arrived = tuple[int, dict[str, Any], "asyncio.Future[bool]"]


class InboxWriter:
    """Stores updates for the webhook's endpoint; each `add` returns once its update is
    committed, as `Inbox.add` does.

    On PostgreSQL the updates that arrive while a write is under way wait for it and
    are then stored together: one statement, one commit and one pooled connection for
    the lot. Under load that is a round trip, a commit's flush to disk and a connection
    checkout for several updates instead of each (Telegram's 40 concurrent POSTs
    overflowed the pool the inbox handlers hold theirs from); alone, an update is
    written at once, as before. A batch that fails is written again one update at a
    time, so an update the database refuses fails its own POST only.
    """

    def __init__(self, database: Database) -> None:
        self.database = database
        self.waiting: list[Arrived] = []
        self.writing: asyncio.Task[None] | None = None

    async def add(self, update_id: int, payload: dict[str, Any]) -> bool:
        """Stores an update; False if it was stored before (a duplicate delivery)."""
        if self.database.backend != "postgresql":
            async with self.database.autocommit() as connection:
                return await Inbox(connection).add(update_id, payload)
        stored: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self.waiting.append((update_id, payload, stored))
        if self.writing is None:
            self.writing = asyncio.create_task(self._write())
        return await stored

    async def _write(self) -> None:
        try:
            while self.waiting:
                batch, self.waiting = self.waiting, []
                if not await self._store(batch) and len(batch) > 1:
                    for one in batch:
                        await self._store([one])
        finally:
            self.writing = None

    async def _store(self, batch: list[Arrived]) -> bool:
        """Writes a batch and answers its updates; False if a batch of several failed,
        answering none of them (the caller writes them again one at a time). An update
        written alone is answered with the error."""
        try:
            async with self.database.driver() as driver:
                rows = await driver.fetch(
                    ADD_MANY,
                    [update_id for update_id, _payload, _stored in batch],
                    [user_key_of(payload) for _update_id, payload, _stored in batch],
                    [json.dumps(payload) for _update_id, payload, _stored in batch],
                    datetime.now(UTC),
                )
        except Exception as error:
            if len(batch) > 1:
                return False
            _update_id, _payload, stored = batch[0]
            if not stored.done():
                stored.set_exception(error)
            return True
        added = {row["update_id"] for row in rows}
        for update_id, _payload, stored in batch:
            if not stored.done():
                # A duplicate within the batch: the first of them was the one stored.
                stored.set_result(update_id in added)
            added.discard(update_id)
        return True


@dataclass(frozen=True, slots=True)
class Claim:
    """A user held by this worker: the connection that holds them (it runs their turns)
    and their first pending update, if it has settled (None: nothing to do)."""

    transactions: Transactions
    first: Stored | None


# `ready` (above) written out for the statements sent straight to the driver: $2 is the
# user's key, $3 the moment before which every update has settled. Two CTEs to begin a
# WITH, and a column of the user's first pending update, the `inbox` row in FROM.
READY_CTES = (
    "settled_last AS (SELECT update_id AS id FROM inbox WHERE received_at <= $3"
    " ORDER BY update_id DESC LIMIT 1),"
    " since_last AS (SELECT inbox.update_id AS id,"
    " inbox.update_id - row_number() OVER (ORDER BY inbox.update_id) AS k"
    " FROM inbox, settled_last WHERE inbox.update_id > settled_last.id)"
)
READY_COLUMN = (
    "received_at <= $3 OR (update_id > coalesce((SELECT id FROM settled_last), -1)"
    " AND update_id <= coalesce((SELECT max(since_last.id) FROM since_last, settled_last"
    " WHERE since_last.k = settled_last.id), -1)) AS ready"
)

# The user's first pending update and, only if there is one, the user's lock, in one
# round trip on the connection that will hold them. PostgreSQL evaluates a volatile
# function in the select list after ORDER BY and LIMIT, so once, for that row only.
# Composed of constants only (hence the noqa).
CLAIM = (
    f"WITH {READY_CTES}"  # noqa: S608
    f" SELECT update_id, attempts, payload, pg_try_advisory_lock($1) AS held, {READY_COLUMN}"
    " FROM inbox WHERE user_key = $2 AND status = 'pending'"
    " ORDER BY update_id LIMIT 1"
)

# `Inbox.done` and `Inbox.take` in one round trip: $1 marked done at $4, and the user's
# next pending update. The SELECT sees the table as it was before the UPDATE, hence
# `update_id <> $1`. One row always: `done` is 0 if $1 was no longer pending. Composed of
# constants only (hence the noqa).
DONE_CTE = (
    "done AS (UPDATE inbox SET status = 'done', payload = NULL, user_key = '',"
    " processed_at = $4 WHERE update_id = $1 AND status = 'pending' RETURNING 1)"
)
NEXT_CTE = (
    f"next AS (SELECT update_id, attempts, payload, {READY_COLUMN} FROM inbox"  # noqa: S608
    " WHERE user_key = $2 AND status = 'pending' AND update_id <> $1"
    " ORDER BY update_id LIMIT 1)"
)
DONE_AND_TAKE = (
    f"WITH {DONE_CTE}, {READY_CTES}, {NEXT_CTE}"  # noqa: S608
    " SELECT (SELECT count(*) FROM done) AS done, next.* FROM (SELECT) AS one"
    " LEFT JOIN next ON true"
)
# The same with the turn's lone reply added to the outbox (`Outbox.add`, $5 its chat, $6
# its payload, $7 when another process may send it, $8 the worker marking it `sending`):
# the turn's last two round trips in one. Rolled back with the turn if `done` is 0.
DONE_ADD_AND_TAKE = (
    f"WITH {DONE_CTE}, added AS ({add_first_sql('$5', '$6', '$7', '$4', '$8')}),"  # noqa: S608
    f" {READY_CTES}, {NEXT_CTE}"
    " SELECT (SELECT count(*) FROM done) AS done, added.id AS added_id,"
    " added.status AS added_status, next.* FROM added LEFT JOIN next ON true"
)


@dataclass(frozen=True, slots=True)
class Finished:
    """What `Inbox.done_and_take` found."""

    done: bool  # False: handled before, elsewhere (the caller rolls back)
    following: Stored | None  # the user's next update, if it may be handled now
    first: Queued | None  # the turn's lone message, if marked `sending`


NOT_DONE = Finished(False, None, None)


def stored_of(row: Any) -> Stored | None:
    """The update of a CLAIM or DONE_AND_TAKE row, if it may be handled now."""
    payload = row["payload"]
    if payload is None or not row["ready"]:
        return None
    payload = json.loads(payload) if isinstance(payload, str) else payload
    return Stored(row["update_id"], dict(payload), row["attempts"])


@asynccontextmanager
async def claim_user(
    database: Database, user_key: str, settled_before: datetime
) -> AsyncIterator[Claim | None]:
    """Holds a user for the block if their first pending update is ready; yields None if
    another replica holds them, a Claim whose `first` is None if there is nothing to
    handle (nothing is held then).

    Cheap to lose: a replica that picked a user another one is serving (or has served)
    spends one round trip finding out, with no lock to release. The lock
    is a session lock on the connection that runs the turns, gone with it if it dies.
    """
    if database.backend != "postgresql":
        async with database.transaction() as store:
            first = await store.inbox.take(user_key, settled_before)
        yield Claim(database, first)
        return
    key = user_lock_key(user_key)
    async with database.engine.connect() as connection:
        driver = (await connection.get_raw_connection()).driver_connection
        assert driver is not None
        # Straight to the driver, outside any transaction: one round trip, no BEGIN.
        row = await driver.fetchrow(CLAIM, key, user_key, settled_before)
        if row is None:
            yield Claim(Transactions(connection), None)
            return
        if not row["held"]:
            yield None
            return
        try:
            # The row was read in a snapshot taken just before the lock: if its holder
            # handled it and let go in between, the turn's `done` finds it done and the
            # turn is rolled back.
            yield Claim(Transactions(connection), stored_of(row))
        finally:
            if not connection.invalidated:
                try:
                    await driver.execute(release(key, user_key))
                except Exception:
                    # Never pool a connection that may still hold the lock.
                    await connection.invalidate()
                    raise


def release(key: int, user_key: str) -> str:
    """The statements that release a user, and tell whoever skipped them meanwhile.

    A NOTIFY takes a transaction id and a cluster-wide lock held until its commit is
    done, so every replica's releases queue behind each other's WAL flushes. A release
    needs no durability (a crash releases every lock anyway), so its commit doesn't
    wait for the disk: several statements in one simple query are one transaction,
    which SET LOCAL covers, and only it. No parameters in a simple query: the key is an
    int, the user's key quoted as a literal.
    """
    literal = "'" + user_key.replace("'", "''") + "'"
    return (
        "SET LOCAL synchronous_commit TO off;"
        f" SELECT pg_advisory_unlock({int(key)});"
        f" SELECT pg_notify('{RELEASED}', {literal})"
    )


class Notices:
    """Hears, on a connection of its own, when any replica releases a user (PostgreSQL's
    LISTEN): `released` is called with the user's key, or with "" when anyone may have
    been released unheard (the connection was down).

    `listening` says whether they can be relied on: while the connection is down they
    are not heard, and the caller falls back to asking the database now and then.

    The same connection holds the replica's slot and, every `retry` seconds, counts the
    live replicas' slots: `share` (None while unknown).
    """

    def __init__(
        self, database: Database, released: Callable[[str], None], retry: float = 1.0
    ) -> None:
        self.database = database
        self.released = released
        self.retry = retry
        self.listening = False
        self.share: Share | None = None

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self._listen(stop)
            except Exception as error:
                log.warning("inbox notices lost (%s); polling meanwhile", type(error).__name__)
            self.listening = False
            if not stop.is_set():
                with suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.retry)

    async def _listen(self, stop: asyncio.Event) -> None:
        async with self.database.engine.connect() as connection:
            driver = (await connection.get_raw_connection()).driver_connection
            assert driver is not None
            lost = asyncio.Event()
            try:
                driver.add_termination_listener(lambda _connection: lost.set())
                await driver.add_listener(
                    RELEASED, lambda _connection, _pid, _channel, key: self.released(key)
                )
                self.listening = True
                self.released("")  # before LISTEN took hold, nobody was listening
                slot = await take_slot(driver)
                waits = [asyncio.ensure_future(e.wait()) for e in (stop, lost)]
                try:
                    while not (stop.is_set() or lost.is_set()):
                        if slot is not None:
                            self.share = await count_share(driver, slot)
                        await asyncio.wait(
                            waits, timeout=self.retry, return_when=asyncio.FIRST_COMPLETED
                        )
                finally:
                    for waiting in waits:
                        waiting.cancel()
            finally:
                self.listening = False
                self.share = None
                # Never pool a connection that is still listening.
                await connection.invalidate()


async def take_slot(driver: Any) -> int | None:
    """Takes the lowest free replica slot on the listening connection (None if all are
    taken: the replica then serves users in plain arrival order)."""
    for slot in range(MAX_SLOTS):
        if await driver.fetchval("SELECT pg_try_advisory_lock($1, $2)", SLOTS, slot):
            return slot
    return None


async def count_share(driver: Any, slot: int) -> Share:
    """This replica's rank among the slots held in this database, and their number."""
    row = await driver.fetchrow(
        "SELECT count(*) AS replicas, count(*) FILTER (WHERE objid < $2::int::oid) AS rank"
        " FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2"
        " AND classid = $1::int::oid"
        " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
        SLOTS,
        slot,
    )
    return Share(int(row["rank"]), max(int(row["replicas"]), 1))
