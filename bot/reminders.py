"""The reminder dispatcher: claim due reminders, send them, record what happened.

It runs inside every bot process. Reminders are rows, so a restart loses none;
a claim is a committed row update, so two dispatchers never send the same one
(see storage/queue.py). A send cut short by a crash is marked uncertain instead
of being sent again.

The database work is done per round and per chunk, not per message, in a
pipeline: one transaction composes a round's replies; one statement marks a
chunk "sending"; the sends go out concurrently; one statement records every
outcome that has come in (when all are final). So the next chunk is marked, and
the last one recorded, while sends are in flight, and a message costs a
fraction of a statement.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.app import App
from bot.metrics import REMINDERS
from bot.telegram.sending import Delivery, Sent, backoff
from dialogs.model import ReminderStatus, Reply
from dialogs.schedule import deliverable_at, in_window
from storage.queue import Due, mark_finished, mark_sending

log = logging.getLogger(__name__)

PER_CHAT_GAP = 1.0  # seconds between two messages to one chat (Telegram's limit)
MAX_ATTEMPTS = 6
_RECORDED = {
    Delivery.SENT: ReminderStatus.SENT,
    Delivery.UNCERTAIN: ReminderStatus.UNCERTAIN,
    Delivery.REJECTED: ReminderStatus.FAILED,
}


class Timer(Protocol):
    def now(self) -> datetime: ...

    def sleep(self, seconds: float) -> Awaitable[None]: ...


class Sender(Protocol):
    async def send(self, chat_id: int, reply: Reply) -> Sent: ...


@dataclass(frozen=True)
class DispatchSettings:
    worker: str
    rate: float = 25.0  # messages per second across all processes; 0 turns the limit off
    batch: int = 100  # users claimed per round
    poll: float = 2.0  # seconds between rounds when nothing was due
    stale_after: timedelta = timedelta(minutes=5)  # a claim older than this was abandoned
    # Sends in flight at once, and the messages prepared (composed and marked "sending")
    # per transaction. One chunk is prepared while the one before is sending, and outcomes
    # are recorded in batches, so up to `unrecorded` messages are "sending" at once.
    concurrency: int = 8

    @property
    def unrecorded(self) -> int:
        """The most messages marked "sending" whose outcome is not yet recorded: all that
        a crash can leave "uncertain" (a message is one user's due reminders)."""
        return 2 * self.concurrency

    @property
    def claim_size(self) -> int:
        """Users claimed per round: `batch`, but no more than the rate limit lets out in a
        quarter of `stale_after`, so that a slow round's claims never go stale, to be
        claimed (and sent) again by another dispatcher while this one still holds them
        (claimed while the round before is sending, they wait at most two rounds)."""
        if self.rate <= 0:
            return self.batch
        return max(1, min(self.batch, int(self.rate * self.stale_after.total_seconds() / 4)))


@dataclass(frozen=True)
class Prepared:
    """A claimed round: how many users were claimed, the messages ready to go now (the
    rest wait for their delivery window), their replies and their send slots."""

    claimed: int
    ready: list[Due]
    replies: list[Reply]
    slots: list[datetime]


class Dispatcher:
    def __init__(self, app: App, sender: Sender, timer: Timer, settings: DispatchSettings) -> None:
        self.app = app
        self.sender = sender
        self.timer = timer
        self.settings = settings
        self.last_sent: dict[int, datetime] = {}
        self.in_flight = asyncio.Semaphore(settings.concurrency)
        # Taken before a message is marked "sending", given back once its outcome is
        # committed: this is what holds the crash bound, settings.unrecorded.
        self.unrecorded = asyncio.Semaphore(settings.unrecorded)
        self.sends: dict[int, asyncio.Task[None]] = {}  # by chat: at most one each
        self.finished: list[tuple[Due, Sent]] = []  # outcomes not yet being recorded
        self.recording: asyncio.Task[None] | None = None

    async def run(self, stop: asyncio.Event) -> None:
        """Dispatches until `stop` is set; the sends in flight are finished and recorded
        first. Cancelled, it cancels them too: like a crash, bounded by `unrecorded`.

        The next round is claimed, composed and given its send slots while this one's
        messages go out, so a dispatcher never idles between rounds; with the rate limit
        on, its next window of slots is already booked when this one ends.
        """
        log.info("reminder dispatcher %s started", self.settings.worker)
        upcoming: asyncio.Future[Prepared] | None = None
        try:
            while not stop.is_set():
                try:
                    prepared = await (upcoming if upcoming is not None else self.prepare_round())
                except Exception:
                    log.exception("reminder round failed; trying again")
                    prepared = None
                upcoming = None
                if prepared is not None and prepared.claimed:
                    upcoming = asyncio.ensure_future(self.prepare_round())
                    try:
                        await self.start_sends(prepared)
                    except Exception:
                        log.exception("reminder round failed; trying again")
                    continue
                waiting = asyncio.ensure_future(stop.wait())
                await asyncio.wait(
                    {waiting, asyncio.ensure_future(self.timer.sleep(self.settings.poll))},
                    return_when=asyncio.FIRST_COMPLETED,
                )
                waiting.cancel()
            if upcoming is not None:
                await self.put_back(upcoming)
                upcoming = None
            await self.settle()
        finally:
            # Anything left means `run` was cancelled: stop like a crash would.
            if upcoming is not None:
                upcoming.cancel()
            for task in list(self.sends.values()):
                task.cancel()
            if self.recording is not None:
                self.recording.cancel()
        log.info("reminder dispatcher %s stopped", self.settings.worker)

    async def put_back(self, upcoming: asyncio.Future[Prepared]) -> None:
        """A graceful stop: the claims of a round that was never started go back in line
        now, rather than after `stale_after` (its booked slots go unused)."""
        try:
            prepared = await upcoming
            async with self.app.database.transaction() as store:
                await store.queue.release([i for due in prepared.ready for i in due.ids])
        except Exception:
            log.exception("putting back a claimed round failed; its claims will time out")

    async def round(self) -> int:
        """One round to its end: claims, sends, records; returns how many users it handled."""
        handled = await self.start_round()
        await self.settle()
        return handled

    async def start_round(self) -> int:
        """Claims what is due and sets it going; returns how many users were handled.

        It returns once the last chunk is prepared, with sends still in flight: the next
        claim overlaps them rather than waiting for the slowest (see `settle`).
        """
        prepared = await self.prepare_round()
        await self.start_sends(prepared)
        return prepared.claimed

    async def prepare_round(self) -> Prepared:
        """Claims what is due, composes the messages and reserves their send slots."""
        now = self.timer.now()
        async with self.app.database.transaction() as store:
            queue = store.queue
            await queue.release_stale(now, self.settings.stale_after)
            claimed = await queue.claim(now, self.settings.worker, self.settings.claim_size)
        self.forget_old_sends(now)
        if not claimed:
            return Prepared(0, [], [], [])
        ready = [due for due in claimed if in_window(now, due.user.prefs)]
        async with self.app.database.transaction() as store:
            queue = store.queue
            for due in claimed:
                if due not in ready:
                    # Outside the user's delivery window: back in line until it opens.
                    await queue.postpone(due.ids, deliverable_at(now, due.user.prefs))
            # The whole round's messages at once: the heroes and histories they speak of
            # are read in two statements, however many users. Composing marks nothing.
            replies = await self.app.coach.reminder_replies(
                store, [(due.user, due.reminders) for due in ready]
            )
            # The claim took a while: slots reserved from before it would start in the
            # past, and the first messages would leave back to back. Last, as it locks the
            # slot every dispatcher reserves from until this transaction commits.
            start = self.timer.now()
            if ready and self.settings.rate > 0:
                start = await queue.reserve(len(ready), self.interval, start)
        slots = [start + self.interval * i for i in range(len(ready))]
        return Prepared(len(claimed), ready, replies, slots)

    async def start_sends(self, prepared: Prepared) -> None:
        """Starts a prepared round's sends, a chunk at a time; returns once the last chunk
        is marked "sending", with sends still in flight."""
        size = self.settings.concurrency
        for first in range(0, len(prepared.ready), size):
            part = slice(first, first + size)
            await self.start_chunk(
                prepared.ready[part], prepared.slots[part], prepared.replies[part]
            )

    async def start_chunk(
        self, chunk: list[Due], slots: list[datetime], replies: list[Reply]
    ) -> None:
        """Marks a chunk "sending" in one statement (committed before any of it is sent),
        then starts its sends."""
        for due in chunk:
            # A chat's earlier message is still going (an earlier round's): its gap to the
            # next one counts from when it went, so that one must be over first.
            earlier = self.sends.get(chat_of(due))
            if earlier is not None:
                await asyncio.wait({earlier})
        for _ in chunk:
            await self.unrecorded.acquire()
        try:
            async with self.app.database.autocommit() as connection:
                await mark_sending(connection, chunk)
        except BaseException:
            # Not committed: nothing of the chunk is "sending"; its claims time out.
            for _ in chunk:
                self.unrecorded.release()
            raise
        for due, slot, reply in zip(chunk, slots, replies, strict=True):
            self.sends[chat_of(due)] = asyncio.create_task(self.deliver(due, slot, reply))

    async def settle(self) -> None:
        """Waits until every send started so far has finished and its outcome is recorded."""
        while self.sends:
            await asyncio.wait(set(self.sends.values()))
        if self.recording is not None:
            await asyncio.wait({self.recording})

    def forget_old_sends(self, now: datetime) -> None:
        """Keeps only the chats sent to within the per-chat gap: no per-user state grows."""
        gap = timedelta(seconds=PER_CHAT_GAP)
        self.last_sent = {chat: at for chat, at in self.last_sent.items() if now - at < gap}

    @property
    def interval(self) -> timedelta:
        rate = self.settings.rate
        return timedelta(seconds=1 / rate) if rate > 0 else timedelta(0)

    async def deliver(self, due: Due, slot: datetime, reply: Reply) -> None:
        chat_id = chat_of(due)
        try:
            previous = self.last_sent.get(chat_id)
            if previous is not None:
                slot = max(slot, previous + timedelta(seconds=PER_CHAT_GAP))
            await self.wait_until(slot)
            async with self.in_flight:
                try:
                    sent = await self.sender.send(chat_id, reply)
                except Exception as error:
                    # The request may have gone out: never resend it.
                    log.exception("sending reminders %s failed", due.ids)
                    sent = Sent(Delivery.UNCERTAIN, f"{type(error).__name__}: {error}")
                self.last_sent[chat_id] = self.timer.now()
        finally:
            del self.sends[chat_id]
        self.finished.append((due, sent))
        if self.recording is None or self.recording.done():
            self.recording = asyncio.create_task(self.record_finished())

    async def record_finished(self) -> None:
        """Records every outcome that has come in, in one transaction, until none is left.

        Outcomes that arrive during a transaction wait for the next, so the busier the
        dispatcher, the more each transaction records.
        """
        while self.finished:
            batch, self.finished = self.finished, []
            try:
                await self.record(batch)
            except Exception:
                # They stay "sending": taken back as uncertain once their claim is stale.
                log.exception("recording %d reminder sends failed", len(batch))
            finally:
                for _ in batch:
                    self.unrecorded.release()

    async def record(self, batch: list[tuple[Due, Sent]]) -> None:
        """Records finished sends; those with the same final status in one statement."""
        for _, sent in batch:
            REMINDERS.labels(sent.delivery.value).inc()
        now = self.timer.now()
        final: dict[tuple[ReminderStatus, str | None], list[int]] = {}
        others: list[tuple[Due, Sent]] = []
        for due, sent in batch:
            if sent.delivery in _RECORDED:
                final.setdefault((_RECORDED[sent.delivery], sent.error), []).extend(due.ids)
            else:
                others.append((due, sent))
        if final:
            # Each group is one statement, atomic by itself: a failure leaves the rest
            # "sending", to be taken back as uncertain, as a failed transaction would.
            async with self.app.database.autocommit() as connection:
                for (status, error), ids in final.items():
                    await mark_finished(connection, ids, status, at=now, error=error)
        if others:
            await self.record_retries(others, now)
        for due, sent in batch:
            if sent.delivery is not Delivery.SENT:
                log.warning(
                    "reminders %s for user %s: %s (%s)",
                    due.ids,
                    due.user.id,
                    sent.delivery,
                    sent.error,
                )

    async def record_retries(self, batch: list[tuple[Due, Sent]], now: datetime) -> None:
        """Puts back what may be tried again (blocked users until they return), or gives
        it up after MAX_ATTEMPTS, in one transaction."""
        async with self.app.database.transaction() as store:
            queue = store.queue
            for due, sent in batch:
                if sent.delivery is Delivery.BLOCKED:
                    # Kept pending: they go out when the user writes to the bot again.
                    await queue.deactivate(due.user.id)
                    await queue.retry(due.ids, now, sent.error or "blocked")
                    continue
                attempts = await queue.attempts(due.ids)
                if attempts >= MAX_ATTEMPTS:
                    await queue.finish(due.ids, ReminderStatus.FAILED, at=now, error=sent.error)
                else:
                    await queue.retry(
                        due.ids, now + backoff(attempts), sent.error or "unreachable"
                    )

    async def wait_until(self, moment: datetime) -> None:
        delay = (moment - self.timer.now()).total_seconds()
        if delay > 0:
            await self.timer.sleep(delay)


def chat_of(due: Due) -> int:
    return int(due.user.key.external_id)
