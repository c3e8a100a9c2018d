"""Runs updates through the coach: the replies are written to the outbox in the turn's
transaction and sent after its commit."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from telegram import Bot, Message, Update
from telegram.error import TelegramError

from bot.app import App
from bot.metrics import UPDATES_DEAD, UPDATES_FAILED
from bot.telegram.outbox import ReplySender, queue_replies
from bot.telegram.sending import TelegramSender
from bot.telegram.translate import GroupHint, GroupPress, Incoming, chosen_label, translate
from dialogs.model import Outcome, Reply
from storage.db import Transactions
from storage.inbox import MAX_ATTEMPTS
from storage.outbox import Queued

log = logging.getLogger(__name__)

RETRY_PAUSE = 0.1  # seconds before a failed turn's second attempt; doubled for each next


class Gateway:
    """The edge between the Bot API and the coach, for one bot."""

    def __init__(self, app: App, bot: Bot, sender: TelegramSender | None = None) -> None:
        self.app = app
        self.bot = bot
        self.messages = app.coach.content.messages
        self.sender = sender or TelegramSender(bot, asyncio.sleep)
        self.replies = ReplySender(app.database, self.sender)

    async def process(self, update: Update) -> bool:
        """Handles one update (long polling). A failed turn is rolled back whole and run
        again, up to MAX_ATTEMPTS times, as the webhook's inbox does; then the update is
        kept as a dead letter, the user hears "oops", and the others go on. Returns
        False only if not even the dead letter could be recorded: the update must then
        be fetched again, not confirmed."""
        error: Exception | None = None
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                await self._process(update)
                return True
            except Exception as failure:
                error = failure
                UPDATES_FAILED.inc()
                # The error's type only: its message may quote what the user wrote.
                log.warning(
                    "update %s failed (%s), attempt %d of %d",
                    update.update_id,
                    type(failure).__name__,
                    attempt,
                    MAX_ATTEMPTS,
                )
                log.debug("update %s failed", update.update_id, exc_info=True)
            if attempt < MAX_ATTEMPTS:
                await asyncio.sleep(RETRY_PAUSE * 2 ** (attempt - 1))
        reason = type(error).__name__
        try:
            async with self.app.database.transaction() as store:
                await store.inbox.dead_letter(update.update_id, reason, datetime.now(UTC))
        except Exception:
            log.exception("could not keep update %s as a dead letter", update.update_id)
            return False
        UPDATES_DEAD.inc()
        log.error(
            "gave up on update %s after %d attempts (%s)", update.update_id, MAX_ATTEMPTS, reason
        )
        chat = update.effective_chat
        if chat is not None and chat.type == "private":
            await self.sender.send(chat.id, Reply(self.messages.oops))
        return True

    async def _process(self, update: Update) -> None:
        incoming = translate(update)
        outcome = None
        if isinstance(incoming, Incoming):
            # What people write is private: it shows in the logs at DEBUG only.
            log.debug("update %s: %r", update.update_id, incoming.event)
            async with self.app.database.transaction() as store:
                outcome = await self.app.turn_in(
                    store, incoming.key, incoming.name, incoming.event, update.update_id
                )
                if outcome is not None:
                    await queue_replies(store.outbox, incoming.chat_id, outcome.replies)
        await self.respond(update, incoming, outcome)

    async def respond(
        self,
        update: Update,
        incoming: Incoming | GroupHint | GroupPress | None,
        outcome: Outcome | None,
        transactions: Transactions | None = None,
        started: Queued | None = None,
    ) -> None:
        """Does what the turn decided, after it was committed: answers the button and
        edits its message (best effort), then sends the turn's replies from the outbox
        (on `transactions`, the caller's held connection, if given; `started`: the first
        reply, marked `sending` in the turn's transaction under a reserved permit)."""
        try:
            await self._respond(update, incoming, outcome)
        finally:
            if started is not None:
                await self.replies.flush(started.chat_id, transactions, started)
        if outcome is not None and isinstance(incoming, Incoming) and started is None:
            await self.replies.flush(incoming.chat_id, transactions)

    async def _respond(
        self,
        update: Update,
        incoming: Incoming | GroupHint | GroupPress | None,
        outcome: Outcome | None,
    ) -> None:
        """What is done before the replies are sent: the button's answer and edit."""
        if incoming is None:
            log.debug("update %s: nothing for the coach", update.update_id)
            return
        if isinstance(incoming, GroupHint):
            await self.sender.send(incoming.chat_id, Reply(self.messages.group_chat))
            return
        if isinstance(incoming, GroupPress):
            # A button seen in a group (a forwarded message, say): the spinner stops
            # with a word instead of turning until Telegram gives up.
            await self.call(
                self.bot.answer_callback_query(incoming.query_id, text=self.messages.group_chat)
            )
            return
        if incoming.pressed is not None:
            # Stops the button's spinner, whatever the turn decided.
            await self.call(self.bot.answer_callback_query(incoming.pressed.query_id))
        if outcome is None:
            log.info("update %s was handled before; ignored", update.update_id)
            return
        if incoming.pressed is not None and incoming.pressed.message is not None:
            await self.close_keyboard(incoming, show_choice=not outcome.stale)

    async def close_keyboard(self, incoming: Incoming, *, show_choice: bool) -> None:
        """Removes the buttons of the pressed message and, for a fresh press, shows the pick."""
        pressed = incoming.pressed
        if pressed is None or pressed.message is None:
            return
        message: Message = pressed.message
        label = chosen_label(message, pressed.data) if show_choice else None
        if label and message.text:
            await self.call(
                self.bot.edit_message_text(
                    f"{message.text}\n\n› {label}",
                    chat_id=incoming.chat_id,
                    message_id=message.message_id,
                )
            )
        elif message.reply_markup is not None:
            await self.call(
                self.bot.edit_message_reply_markup(
                    chat_id=incoming.chat_id, message_id=message.message_id
                )
            )

    async def call(self, request: object) -> None:
        """Awaits a cosmetic request (button answer, edit); its failure changes nothing."""
        try:
            await request  # type: ignore[misc]
        except TelegramError as error:
            log.debug("cosmetic request failed: %s", error.message)
