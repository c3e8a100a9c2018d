"""The reminder dispatcher: claim due reminders, send them, record what happened.

It runs inside every bot process. Reminders are rows, so a restart loses none;
a claim is a committed row update, so two dispatchers never send the same one
(see storage/queue.py); each send is recorded in its own transaction, and a
send cut short by a crash is marked uncertain instead of being sent again.
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
from bot.telegram.sending import Delivery, Sent
from dialogs.model import ReminderStatus, Reply
from dialogs.schedule import deliverable_at, in_window
from storage.queue import Due, ReminderQueue

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
    # Sends in flight at once; a crash can leave at most this many "uncertain".
    concurrency: int = 8


class Dispatcher:
    def __init__(self, app: App, sender: Sender, timer: Timer, settings: DispatchSettings) -> None:
        self.app = app
        self.sender = sender
        self.timer = timer
        self.settings = settings
        self.last_sent: dict[int, datetime] = {}
        self.in_flight = asyncio.Semaphore(settings.concurrency)

    async def run(self, stop: asyncio.Event) -> None:
        """Dispatches until `stop` is set; the send in flight is finished first."""
        log.info("reminder dispatcher %s started", self.settings.worker)
        while not stop.is_set():
            try:
                handled = await self.round()
            except Exception:
                log.exception("reminder round failed; trying again")
                handled = 0
            if handled == 0:
                waiting = asyncio.ensure_future(stop.wait())
                await asyncio.wait(
                    {waiting, asyncio.ensure_future(self.timer.sleep(self.settings.poll))},
                    return_when=asyncio.FIRST_COMPLETED,
                )
                waiting.cancel()
        log.info("reminder dispatcher %s stopped", self.settings.worker)

    async def round(self) -> int:
        """Claims what is due and sends it; returns how many users were handled."""
        now = self.timer.now()
        async with self.app.database.transaction() as store:
            queue = ReminderQueue(store.session)
            await queue.release_stale(now, self.settings.stale_after)
            claimed = await queue.claim(now, self.settings.worker, self.settings.batch)
        self.forget_old_sends(now)
        if not claimed:
            return 0
        ready = [due for due in claimed if in_window(now, due.user.prefs)]
        async with self.app.database.transaction() as store:
            queue = ReminderQueue(store.session)
            for due in claimed:
                if due not in ready:
                    # Outside the user's delivery window: back in line until it opens.
                    await queue.postpone(due.ids, deliverable_at(now, due.user.prefs))
            # The claim took a while: slots reserved from before it would start in the
            # past, and the first messages would leave back to back.
            start = self.timer.now()
            if ready and self.settings.rate > 0:
                start = await queue.reserve(len(ready), self.interval, start)
        await asyncio.gather(
            *(self.deliver(due, start + self.interval * i) for i, due in enumerate(ready))
        )
        return len(claimed)

    def forget_old_sends(self, now: datetime) -> None:
        """Keeps only the chats sent to within the per-chat gap: no per-user state grows."""
        gap = timedelta(seconds=PER_CHAT_GAP)
        self.last_sent = {chat: at for chat, at in self.last_sent.items() if now - at < gap}

    @property
    def interval(self) -> timedelta:
        rate = self.settings.rate
        return timedelta(seconds=1 / rate) if rate > 0 else timedelta(0)

    async def deliver(self, due: Due, slot: datetime) -> None:
        chat_id = int(due.user.key.external_id)
        previous = self.last_sent.get(chat_id)
        if previous is not None:
            slot = max(slot, previous + timedelta(seconds=PER_CHAT_GAP))
        await self.wait_until(slot)
        async with self.in_flight:
            async with self.app.database.transaction() as store:
                reply = await self.app.coach.reminder_reply(store, due.user, due.reminders)
                await ReminderQueue(store.session).start_sending(due.ids, min(due.ids))
            sent = await self.sender.send(chat_id, reply)
            self.last_sent[chat_id] = self.timer.now()
            await self.record(due, sent)

    async def record(self, due: Due, sent: Sent) -> None:
        REMINDERS.labels(sent.delivery.value).inc()
        now = self.timer.now()
        async with self.app.database.transaction() as store:
            queue = ReminderQueue(store.session)
            if sent.delivery in _RECORDED:
                await queue.finish(due.ids, _RECORDED[sent.delivery], at=now, error=sent.error)
            elif sent.delivery is Delivery.BLOCKED:
                # Kept pending: they go out when the user writes to the bot again.
                await queue.deactivate(due.user.id)
                await queue.retry(due.ids, now, sent.error or "blocked")
            else:
                attempts = await queue.attempts(due.ids)
                if attempts >= MAX_ATTEMPTS:
                    await queue.finish(due.ids, ReminderStatus.FAILED, at=now, error=sent.error)
                else:
                    backoff = timedelta(seconds=min(2**attempts, 300))
                    await queue.retry(due.ids, now + backoff, sent.error or "unreachable")
        if sent.delivery is not Delivery.SENT:
            log.warning(
                "reminders %s for user %s: %s (%s)",
                due.ids,
                due.user.id,
                sent.delivery,
                sent.error,
            )

    async def wait_until(self, moment: datetime) -> None:
        delay = (moment - self.timer.now()).total_seconds()
        if delay > 0:
            await self.timer.sleep(delay)
