"""The reply outbox: a turn's replies, written in the turn's own transaction and sent
after its commit, so neither a crash nor a Bot API error between the two loses one.

One row is one Telegram message. A chat's messages go out one at a time and in id
order: a message is marked `sending` (committed) only while it is the chat's first
unsent one, so message n+1 never leaves before n is sent or given up, whichever
process sends them. A message marked `sending` by a process that died may have reached
Telegram, or not: after a timeout it is sent again, so a crash loses no reply and
duplicates at most the few a process had in flight. Sent rows are deleted; a row given
up keeps no text and no chat.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, case, delete, func, insert, null, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.model import Button, Chart, ChartPoint, Document, HeroChart, Reply, StepId
from storage.db import begun_driver
from storage.models import OutboxRow, UserRow

PENDING, SENDING, UNCERTAIN, FAILED = "pending", "sending", "uncertain", "failed"
# How long a fresh message is left to the process whose turn wrote it before any other
# process's sweep sends it (a retried one is due at its own next_attempt_at).
FRESH_GRACE = timedelta(seconds=5)

TABLE = cast(Table, OutboxRow.__table__)
OUTBOX = TABLE.c
USERS = cast(Table, UserRow.__table__)


@dataclass(frozen=True, slots=True)
class Queued:
    """A message marked `sending`: the caller sends it and records the outcome."""

    id: int
    chat_id: int
    reply: Reply
    attempts: int


@dataclass(frozen=True, slots=True)
class Lone:
    """A turn's only message, written in the turn's last statement (Inbox.done_and_take)
    and marked `sending` for `worker` as `Outbox.add` would mark it."""

    chat_id: int
    reply: Reply
    worker: str | None


def payload_of(reply: Reply) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "text": reply.text,
        "buttons": [[b.id, b.label] for b in reply.buttons],
        "turn": reply.turn,
    }
    if reply.chart is not None:
        payload["chart"] = {
            "heroes": [
                {
                    "name": hero.name,
                    "points": [
                        {
                            "day": p.day.isoformat(),
                            "temperature": p.temperature,
                            "step": p.step.value,
                            "open_door": p.open_door,
                            "asked": p.asked,
                        }
                        for p in hero.points
                    ],
                }
                for hero in reply.chart.heroes
            ]
        }
    if reply.document is not None:
        payload["document"] = {
            "filename": reply.document.filename,
            "content": base64.b64encode(reply.document.content).decode("ascii"),
        }
    return payload


def reply_of(payload: dict[str, Any]) -> Reply:
    document = payload.get("document")
    return Reply(
        payload["text"],
        tuple(Button(id_, label) for id_, label in payload["buttons"]),
        turn=payload["turn"],
        document=None
        if document is None
        else Document(document["filename"], base64.b64decode(document["content"])),
        chart=chart_of(payload["chart"]) if "chart" in payload else None,
    )


def chart_of(data: dict[str, Any]) -> Chart:
    return Chart(
        tuple(
            HeroChart(
                hero["name"],
                tuple(
                    ChartPoint(
                        date.fromisoformat(p["day"]),
                        p["temperature"],
                        StepId(p["step"]),
                        open_door=p["open_door"],
                        asked=p["asked"],
                    )
                    for p in hero["points"]
                ),
            )
            for hero in data["heroes"]
        )
    )


# Built once: a turn runs them for every reply (building costs more than compiling).
UNSENT = (
    select(OUTBOX.id)
    .where(OUTBOX.chat_id == bindparam("b_chat_id"), OUTBOX.status.in_((PENDING, SENDING)))
    .limit(1)
)
ADD = insert(TABLE)  # the columns: those given
_EARLIER = UNSENT.exists()
# A turn's first message: `sending` for the worker given, unless the chat has an
# earlier message unsent (then pending, as ADD would write it).
ADD_FIRST = (
    insert(TABLE)
    .from_select(
        [
            "chat_id",
            "payload",
            "status",
            "attempts",
            "next_attempt_at",
            "created_at",
            "claimed_by",
            "claimed_at",
        ],
        select(
            bindparam("b_chat_id", type_=OUTBOX.chat_id.type),
            bindparam("b_payload", type_=OUTBOX.payload.type),
            case((_EARLIER, PENDING), else_=SENDING),
            case((_EARLIER, 0), else_=1),
            bindparam("b_next_attempt_at", type_=OUTBOX.next_attempt_at.type),
            bindparam("b_created_at", type_=OUTBOX.created_at.type),
            case((_EARLIER, null()), else_=bindparam("b_worker", type_=OUTBOX.claimed_by.type)),
            case(
                (_EARLIER, null()), else_=bindparam("b_created_at", type_=OUTBOX.claimed_at.type)
            ),
        ),
    )
    .returning(OUTBOX.id, OUTBOX.status)
)


def add_first_sql(chat_id: str, payload: str, due: str, now: str, worker: str) -> str:
    """ADD_FIRST for a transaction already begun on PostgreSQL (storage.db.begun_driver),
    an INSERT of its own or a CTE of a turn's last statement (Inbox.done_and_take): the
    parameters' placeholders given. A NULL worker writes the message pending, as ADD does.
    The payload comes as text and is cast: no codec needed for json. Placeholders
    only, never values (hence the noqa)."""
    held = f"(unsent OR {worker}::text IS NULL)"
    return (
        "INSERT INTO outbox (chat_id, payload, status, attempts, next_attempt_at, created_at,"  # noqa: S608
        " claimed_by, claimed_at)"
        f" SELECT {chat_id}::bigint, {payload}::text::json,"
        f" CASE WHEN {held} THEN 'pending' ELSE 'sending' END,"
        f" CASE WHEN {held} THEN 0 ELSE 1 END, {due}::timestamptz, {now}::timestamptz,"
        f" CASE WHEN {held} THEN NULL ELSE {worker}::text END,"
        f" CASE WHEN {held} THEN NULL ELSE {now}::timestamptz END"
        f" FROM (SELECT EXISTS (SELECT FROM outbox WHERE chat_id = {chat_id}::bigint"
        " AND status IN ('pending', 'sending')) AS unsent) AS earlier"
        " RETURNING id, status"
    )


# ADD_FIRST and ADD, for a transaction already begun on PostgreSQL.
ADD_FIRST_DRIVER = add_first_sql("$1", "$2", "$3", "$4", "$5")
ADD_DRIVER = (
    "INSERT INTO outbox (chat_id, payload, status, attempts, next_attempt_at, created_at)"
    " VALUES ($1, $2::text::json, 'pending', 0, $3, $4)"
)

# A sent message deleted and the chat's next one marked `sending` (as `sent`, then `start`)
# in one statement, atomic by itself: on PostgreSQL, straight through the driver, one
# round trip where a transaction took four (BEGIN, DELETE, SELECT, COMMIT) through the ORM
# session. The subquery sees the table as it was before the DELETE, hence `id <> $1`.
SENT_AND_NEXT = (
    "WITH gone AS (DELETE FROM outbox WHERE id = $1)"
    " UPDATE outbox SET status = 'sending', claimed_by = $3, claimed_at = $4,"
    " attempts = attempts + 1"
    " WHERE id = (SELECT id FROM outbox WHERE chat_id = $2"
    " AND status IN ('pending', 'sending') AND id <> $1 ORDER BY id LIMIT 1)"
    " AND status = 'pending' AND (attempts = 0 OR next_attempt_at <= $4)"
    " RETURNING id, payload, attempts"
)


async def sent_and_next(
    driver: Any, sent_id: int, chat_id: int, worker: str, now: datetime
) -> Queued | None:
    """Records `sent_id` sent and marks the chat's next message as `Outbox.start` does, on
    an asyncpg connection outside any transaction (Transactions.driver)."""
    row = await driver.fetchrow(SENT_AND_NEXT, sent_id, chat_id, worker, now)
    if row is None:
        return None
    payload = row["payload"]
    payload = json.loads(payload) if isinstance(payload, str) else payload
    return Queued(row["id"], chat_id, reply_of(payload), row["attempts"])


class Outbox:
    """The outbox, in the caller's transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self, chat_id: int, messages: Sequence[Reply], now: datetime, worker: str | None = None
    ) -> Queued | None:
        """Queues a chat's messages, in order (call it in the turn's transaction).

        With `worker`, the first message is marked `sending` for it at once if the chat
        has nothing earlier unsent, and returned: the caller sends it after the commit,
        with no transaction of its own to mark it (it must hold a permit for it, as for
        `start`). If the caller dies first, it is sent again once stale.
        """
        if not messages:
            return None
        driver = await begun_driver(self.session)
        if driver is not None:
            return await self._add_on_driver(driver, chat_id, messages, now, worker)
        connection = await self.session.connection()
        first: Queued | None = None
        # One INSERT per message, in order: ids follow the order of the replies.
        for number, message in enumerate(messages):
            row = {
                "chat_id": chat_id,
                "payload": payload_of(message),
                "status": PENDING,
                "attempts": 0,
                "next_attempt_at": now + FRESH_GRACE,
                "created_at": now,
            }
            if worker is not None and number == 0:
                # Marked `sending` in the INSERT itself unless the chat has an earlier
                # message unsent: no round trip of its own for the look.
                marked = (
                    await connection.execute(
                        ADD_FIRST,
                        {
                            "b_chat_id": chat_id,
                            "b_payload": row["payload"],
                            "b_next_attempt_at": row["next_attempt_at"],
                            "b_created_at": now,
                            "b_worker": worker,
                        },
                    )
                ).one()
                if marked.status == SENDING:
                    first = Queued(int(marked.id), chat_id, message, 1)
            else:
                await connection.execute(ADD, row)
        return first

    async def _add_on_driver(
        self,
        driver: Any,
        chat_id: int,
        messages: Sequence[Reply],
        now: datetime,
        worker: str | None,
    ) -> Queued | None:
        """`add`, each message one statement straight to the driver (ids in order)."""
        first: Queued | None = None
        for number, message in enumerate(messages):
            payload = json.dumps(payload_of(message))
            if worker is not None and number == 0:
                marked = await driver.fetchrow(
                    ADD_FIRST_DRIVER, chat_id, payload, now + FRESH_GRACE, now, worker
                )
                if marked["status"] == SENDING:
                    first = Queued(marked["id"], chat_id, message, 1)
            else:
                await driver.execute(ADD_DRIVER, chat_id, payload, now + FRESH_GRACE, now)
        return first

    async def start(self, chat_id: int, worker: str, now: datetime) -> Queued | None:
        """Marks the chat's first unsent message `sending` if it may go now; None if the
        chat has none, another process is sending it, or it waits for a retry."""
        head = (
            await self.session.execute(
                select(OUTBOX.id, OUTBOX.status, OUTBOX.attempts, OUTBOX.next_attempt_at)
                .where(OUTBOX.chat_id == chat_id, OUTBOX.status.in_((PENDING, SENDING)))
                .order_by(OUTBOX.id)
                .limit(1)
            )
        ).first()
        if head is None or head.status == SENDING:
            return None
        if head.attempts > 0 and head.next_attempt_at > now:
            return None
        # Conditional: of two processes that saw it pending, one marks it.
        marked = (
            await self.session.execute(
                update(TABLE)
                .where(OUTBOX.id == head.id, OUTBOX.status == PENDING)
                .values(
                    status=SENDING,
                    claimed_by=worker,
                    claimed_at=now,
                    attempts=OUTBOX.attempts + 1,
                )
                .returning(OUTBOX.payload, OUTBOX.attempts)
            )
        ).first()
        if marked is None:
            return None
        return Queued(head.id, chat_id, reply_of(marked.payload), marked.attempts)

    async def sent(self, ids: Sequence[int]) -> None:
        await self.session.execute(delete(TABLE).where(OUTBOX.id.in_(ids)))

    async def retry(self, id_: int, until: datetime, error: str) -> None:
        """It never reached Telegram (or Telegram failed it): the chat waits for it."""
        await self.session.execute(
            update(TABLE)
            .where(OUTBOX.id == id_)
            .values(status=PENDING, next_attempt_at=until, claimed_by=None, last_error=error[:300])
        )

    async def give_up(self, id_: int, status: str, error: str | None) -> None:
        """Records a final outcome (failed, uncertain): the text and the chat are erased."""
        await self.session.execute(
            update(TABLE)
            .where(OUTBOX.id == id_)
            .values(status=status, payload=None, chat_id=None, last_error=error and error[:300])
        )

    async def deactivate(self, chat_id: int) -> None:
        """The user blocked the bot (a private chat's id is the user's)."""
        await self.session.execute(
            update(USERS)
            .where(USERS.c.channel == "telegram", USERS.c.external_id == str(chat_id))
            .values(active=False)
        )

    async def release_stale(self, now: datetime, stale_after: timedelta) -> int:
        """Puts back the messages a dead process left `sending`, due now: they may have
        reached Telegram or not, and a reply lost is worse than one seen twice (a
        reminder, by contrast, is never sent twice). Returns how many."""
        released = await self.session.scalars(
            update(TABLE)
            .where(OUTBOX.status == SENDING, OUTBOX.claimed_at < now - stale_after)
            .values(status=PENDING, claimed_by=None, next_attempt_at=now)
            .returning(OUTBOX.id)
        )
        return len(released.all())

    async def due_chats(self, now: datetime, limit: int) -> list[int]:
        """Chats with a message due, the longest waiting first."""
        chats = await self.session.scalars(
            select(OUTBOX.chat_id)
            .where(OUTBOX.status == PENDING, OUTBOX.next_attempt_at <= now)
            .group_by(OUTBOX.chat_id)
            .order_by(func.min(OUTBOX.id))
            .limit(limit)
        )
        return [chat for chat in chats if chat is not None]

    async def prune(self, before: datetime) -> None:
        """Forgets the given-up messages (already without text or chat) made before
        `before`: their count in /metrics covers the last days, not forever."""
        await self.session.execute(
            delete(TABLE).where(OUTBOX.status.in_((FAILED, UNCERTAIN)), OUTBOX.created_at < before)
        )

    async def count(self, status: str) -> int:
        found = await self.session.scalar(
            select(func.count()).select_from(TABLE).where(OUTBOX.status == status)
        )
        return int(found or 0)
