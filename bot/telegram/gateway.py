"""Runs updates through the coach and sends the replies, after the turn is committed."""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot, Message, Update
from telegram.error import TelegramError

from bot.app import App
from bot.telegram.sending import Delivery, TelegramSender
from bot.telegram.translate import GroupHint, GroupPress, Incoming, chosen_label, translate
from dialogs.model import Membership, Outcome, Reply

log = logging.getLogger(__name__)


class Gateway:
    """The edge between the Bot API and the coach, for one bot."""

    def __init__(self, app: App, bot: Bot) -> None:
        self.app = app
        self.bot = bot
        self.messages = app.coach.content.messages
        self.sender = TelegramSender(bot, asyncio.sleep)

    async def process(self, update: Update) -> None:
        """Handles one update; never raises, so one bad update can't stop the others."""
        try:
            await self._process(update)
        except Exception:
            log.exception("update %s failed", update.update_id)
            chat = update.effective_chat
            if chat is not None and chat.type == "private":
                await self.sender.send(chat.id, Reply(self.messages.oops))

    async def _process(self, update: Update) -> None:
        incoming = translate(update)
        outcome = None
        if isinstance(incoming, Incoming):
            # What people write is private: it shows in the logs at DEBUG only.
            log.debug("update %s: %r", update.update_id, incoming.event)
            outcome = await self.app.turn(
                incoming.key, incoming.name, incoming.event, update_id=update.update_id
            )
        await self.respond(update, incoming, outcome)

    async def respond(
        self,
        update: Update,
        incoming: Incoming | GroupHint | GroupPress | None,
        outcome: Outcome | None,
    ) -> None:
        """Does what the turn decided, after it was committed: answers, edits, replies."""
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
        if not await self.deliver(incoming.chat_id, outcome.replies):
            # 403: the user blocked the bot; reminders stop until they write again.
            await self.app.turn(incoming.key, incoming.name, Membership(blocked=True))

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

    async def deliver(self, chat_id: int, replies: tuple[Reply, ...]) -> bool:
        """Sends the replies in order; False if the user has blocked the bot."""
        for reply in replies:
            sent = await self.sender.send(chat_id, reply)
            if sent.delivery is Delivery.SENT:
                continue
            log.warning("reply to chat %s: %s (%s)", chat_id, sent.delivery, sent.error)
            if sent.delivery is Delivery.BLOCKED:
                return False
            if sent.delivery is Delivery.REJECTED:
                break
        return True

    async def call(self, request: object) -> None:
        """Awaits a cosmetic request (button answer, edit); its failure changes nothing."""
        try:
            await request  # type: ignore[misc]
        except TelegramError as error:
            log.debug("cosmetic request failed: %s", error.message)
