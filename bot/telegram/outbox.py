"""Sending the reply outbox (storage/outbox.py): after a turn's commit, and in every
process's sweep for what a crash, a retry or another process left behind.

The rules are the reminder dispatcher's (bot/reminders.py): a message is marked
`sending` (committed) before its request and recorded after it; a 429 waits
`retry_after` (in TelegramSender); a refused connection, a timeout before the
request was written and a 5xx are tried again with backoff; a 403 marks the user
inactive; a 400 is recorded failed; a timeout after the request is recorded
uncertain and not resent. A process has at most `in_flight` messages marked
`sending` and not yet recorded: all that its crash can leave, to be sent again (so
at most that many duplicates, and no reply lost).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Protocol

from bot.app import first
from bot.metrics import REPLIES, REPLIES_UNCERTAIN
from bot.telegram.sending import Delivery, Sent, backoff
from bot.telegram.translate import split_text
from dialogs.model import Reply
from storage.db import Database, Transactions
from storage.outbox import FAILED, UNCERTAIN, Outbox, Queued, sent_and_next

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6  # as for reminders: about a minute of backoff, then given up
IN_FLIGHT = 32
# A message left "sending" longer than this was left by a process that died: it is sent
# again (perhaps twice, never lost), then the chat's next messages. Each send is cut off
# at half of it, so a live process never holds a message that long; a chat waits at most
# this long behind a crash (long polling, the only process for its token, takes its own
# back at start instead).
SENDING_TIMEOUT = timedelta(seconds=60)
KEEP_GIVEN_UP = timedelta(days=2)  # as handled inbox updates


class Sender(Protocol):
    async def send(self, chat_id: int, reply: Reply) -> Sent: ...


def messages(replies: Iterable[Reply]) -> list[Reply]:
    """One reply per Telegram message: a long text in parts, its buttons on the last,
    so a retry never sends a part twice."""
    found: list[Reply] = []
    for reply in replies:
        if reply.document is not None or reply.chart is not None:
            found.append(reply)
            continue
        *parts, last = split_text(reply.text)
        found += [Reply(part) for part in parts]
        found.append(Reply(last, reply.buttons, reply.advice, reply.turn))
    return found


async def queue_replies(
    outbox: Outbox, chat_id: int, replies: Iterable[Reply], worker: str | None = None
) -> Queued | None:
    """Writes a turn's replies to the outbox (in the turn's transaction); with `worker`
    (a permit reserved), marks the first one `sending` if it may go at once (Outbox.add)."""
    return await outbox.add(chat_id, messages(replies), datetime.now(UTC), worker)


class ReplySender:
    def __init__(
        self,
        database: Database,
        sender: Sender,
        *,
        stale_after: timedelta = SENDING_TIMEOUT,
        in_flight: int = IN_FLIGHT,
        poll: float = 2.0,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.database = database
        self.sender = sender
        self.stale_after = stale_after
        self.in_flight = in_flight
        self.poll = poll
        self.now = now
        self.worker = f"{socket.gethostname()}:{os.getpid()}"
        # Taken before a message is marked "sending", given back once its outcome is
        # committed: what bounds the messages a crash leaves uncertain.
        self.unrecorded = asyncio.Semaphore(in_flight)
        self.sweeping: dict[int, asyncio.Task[None]] = {}  # chat -> its sweep's flush
        self.pruned: datetime | None = None

    async def reserve(self) -> bool:
        """Takes a permit for a message a turn's transaction marks `sending` (Outbox.add)
        if one is free now; `flush(started=...)` gives it back. False: queue the turn's
        replies as pending, and let flush wait for a permit."""
        if self.unrecorded.locked():
            return False
        await self.unrecorded.acquire()  # free: returns without waiting
        return True

    def unreserve(self) -> None:
        """Gives back a permit `reserve` took whose turn marked nothing after all."""
        self.unrecorded.release()

    async def flush(
        self,
        chat_id: int,
        transactions: Transactions | None = None,
        started: Queued | None = None,
    ) -> None:
        """Sends the chat's messages in order until none is left or the first must wait
        (for a retry, or for another process sending it). Never raises: what is not
        sent stays in the outbox for the sweep.

        One transaction records a message's outcome and marks the next one, so k
        messages cost k + 1 transactions, or k with `started`: the first, marked in the
        turn's own transaction under a permit the caller reserved. On PostgreSQL a sent
        message's record and the next one's mark are a single statement instead. One permit for the
        whole chat: a flush has at most one message marked "sending" and not yet
        recorded at any moment.
        """
        on = transactions or self.database
        if started is None:
            async with self.unrecorded:
                await self._flush(chat_id, on, None)
            return
        try:
            await self._flush(chat_id, on, started)
        finally:
            self.unrecorded.release()

    async def _flush(
        self, chat_id: int, on: Database | Transactions, queued: Queued | None
    ) -> None:
        recording: Queued | None = None
        sent = Sent(Delivery.SENT)
        while True:
            if queued is None and recording is not None and sent.delivery is Delivery.SENT:
                # PostgreSQL: one statement, no transaction (storage.outbox.SENT_AND_NEXT).
                done = recording
                try:
                    async with on.driver() as driver:
                        if driver is not None:
                            queued = await sent_and_next(
                                driver, done.id, chat_id, self.worker, self.now()
                            )
                            if queued is None:
                                return
                            recording = None
                except Exception:
                    log.exception("recording or taking chat %s's replies failed", chat_id)
                    await self.record_again(done, sent)
                    return
            if queued is None:
                try:
                    async with on.transaction() as store:
                        outbox = store.outbox
                        waits = recording is not None and await self.record(
                            outbox, recording, sent
                        )
                        queued = (
                            None if waits else await outbox.start(chat_id, self.worker, self.now())
                        )
                except Exception:
                    log.exception("recording or taking chat %s's replies failed", chat_id)
                    if recording is not None:
                        # Recorded on a connection of its own (the held one may be what
                        # died): a 5xx left `sending` would be sent again only after
                        # SENDING_TIMEOUT, a sent message a second time. A message this
                        # transaction may have marked is sent again once stale.
                        await self.record_again(recording, sent)
                    return
                if queued is None:
                    return
            try:
                async with asyncio.timeout(self.stale_after.total_seconds() / 2):
                    sent = await self.sender.send(chat_id, queued.reply)
            except Exception as error:
                # The request may have gone out: never resend it.
                log.exception("sending reply %s failed", queued.id)
                sent = Sent(Delivery.UNCERTAIN, type(error).__name__)
            REPLIES.labels(sent.delivery.value).inc()
            recording, queued = queued, None

    async def record_again(self, queued: Queued, sent: Sent) -> None:
        """Records an outcome whose transaction failed (recording is idempotent); if this
        fails too, the message stays `sending` and is sent again once stale."""
        try:
            async with self.database.transaction() as store:
                await self.record(store.outbox, queued, sent)
        except Exception:
            log.exception("recording reply %s failed again", queued.id)

    async def record(self, outbox: Outbox, queued: Queued, sent: Sent) -> bool:
        """Records an outcome; True if the chat must wait for this message's retry."""
        if sent.delivery is Delivery.SENT:
            await outbox.sent([queued.id])
            return False
        log.warning(
            "reply %s to chat %s: %s (%s)", queued.id, queued.chat_id, sent.delivery, sent.error
        )
        if sent.delivery is Delivery.UNREACHABLE and queued.attempts < MAX_ATTEMPTS:
            until = self.now() + backoff(queued.attempts)
            await outbox.retry(queued.id, until, sent.error or "unreachable")
            return True
        if sent.delivery is Delivery.BLOCKED:
            # Reminders stop until they write again (as for a my_chat_member update).
            await outbox.deactivate(queued.chat_id)
        final = UNCERTAIN if sent.delivery is Delivery.UNCERTAIN else FAILED
        await outbox.give_up(queued.id, final, sent.error)
        return False

    async def recover(self) -> None:
        """Sends again every message left "sending": for a process that knows no other
        sends (long polling: one process per token), at start."""
        async with self.database.transaction() as store:
            released = await store.outbox.release_stale(self.now(), timedelta(0))
        if released:
            REPLIES_UNCERTAIN.inc(released)
            log.warning("%d replies left sending by a stopped process go again", released)

    async def sweep(self) -> int:
        """Takes back what dead processes left `sending`, and starts sending the chats
        with messages due; returns how many chats it started."""
        now = self.now()
        async with self.database.transaction() as store:
            outbox = store.outbox
            released = await outbox.release_stale(now, self.stale_after)
            # Half the in-flight bound at most: the turns' own sends keep the rest, and
            # each sweep task needs a pooled connection while turns hold theirs.
            room = self.in_flight // 2 - len(self.sweeping)
            chats = await outbox.due_chats(now, room) if room > 0 else []
            if self.pruned is None or now - self.pruned > timedelta(hours=1):
                await outbox.prune(now - KEEP_GIVEN_UP)
                self.pruned = now
        if released:
            REPLIES_UNCERTAIN.inc(released)
            log.warning("%d replies left sending by a stopped process go again", released)
        started = 0
        for chat_id in chats:
            if chat_id not in self.sweeping:
                task = asyncio.create_task(self.flush(chat_id))
                self.sweeping[chat_id] = task
                task.add_done_callback(partial(self.swept, chat_id))
                started += 1
        return started

    def swept(self, chat_id: int, _task: asyncio.Task[None]) -> None:
        self.sweeping.pop(chat_id, None)

    async def run(self, stop: asyncio.Event) -> None:
        """Sweeps every `poll` seconds until `stop`; then finishes the sends under way."""
        while not stop.is_set():
            try:
                await self.sweep()
            except Exception:
                log.exception("outbox sweep failed; trying again")
            await first(stop.wait(), asyncio.sleep(self.poll))
        if self.sweeping:
            await asyncio.wait(set(self.sweeping.values()))
