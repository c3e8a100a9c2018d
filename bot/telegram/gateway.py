"""Runs updates through the coach and sends the replies, after the turn is committed."""

from __future__ import annotations

import asyncio
import logging
import warnings
from datetime import timedelta

from telegram import Bot, Message, Update
from telegram.error import (
    BadRequest,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.warnings import PTBDeprecationWarning

from bot.app import App
from bot.telegram.translate import GroupHint, Incoming, chosen_label, render, translate
from dialogs.model import Reply

log = logging.getLogger(__name__)

SEND_ATTEMPTS = 4


class Gateway:
    """The edge between the Bot API and the coach, for one bot."""

    def __init__(self, app: App, bot: Bot) -> None:
        self.app = app
        self.bot = bot
        self.messages = app.coach.content.messages

    async def process(self, update: Update) -> None:
        """Handles one update; never raises, so one bad update can't stop the others."""
        try:
            await self._process(update)
        except Exception:
            log.exception("update %s failed", update.update_id)
            chat = update.effective_chat
            if chat is not None and chat.type == "private":
                await self.send(chat.id, {"text": self.messages.oops})

    async def _process(self, update: Update) -> None:
        incoming = translate(update)
        if incoming is None:
            log.debug("update %s: nothing for the coach", update.update_id)
            return
        if isinstance(incoming, GroupHint):
            await self.send(incoming.chat_id, {"text": self.messages.group_chat})
            return
        if incoming.pressed is not None:
            # Stops the button's spinner at once, whatever the turn does next.
            await self.call(self.bot.answer_callback_query(incoming.pressed.query_id))
        outcome = await self.app.turn(
            incoming.key, incoming.name, incoming.event, update_id=update.update_id
        )
        if outcome is None:
            log.info("update %s was handled before; ignored", update.update_id)
            return
        if incoming.pressed is not None and incoming.pressed.message is not None:
            await self.close_keyboard(incoming, show_choice=not outcome.stale)
        await self.deliver(incoming.chat_id, outcome.replies)

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

    async def deliver(self, chat_id: int, replies: tuple[Reply, ...]) -> None:
        for reply in replies:
            for arguments in render(reply):
                if not await self.send(chat_id, arguments):
                    return

    async def send(self, chat_id: int, arguments: dict[str, object]) -> bool:
        """Sends one message; False when the chat can't be reached (blocked, gone)."""
        for attempt in range(1, SEND_ATTEMPTS + 1):
            try:
                await self.bot.send_message(chat_id, **arguments)  # type: ignore[arg-type]
            except RetryAfter as error:
                log.warning("rate limited; retrying in %.1f s", retry_seconds(error))
                await asyncio.sleep(retry_seconds(error))
            except Forbidden:
                log.info("chat %s blocked the bot; not sending", chat_id)
                return False
            except BadRequest as error:
                log.warning("Telegram refused a message to chat %s: %s", chat_id, error.message)
                return False
            except TimedOut:
                # The request may have reached Telegram: resending could send it twice.
                log.warning("sending to chat %s timed out; not resending", chat_id)
                return True
            except NetworkError as error:
                log.warning("network error (attempt %s): %s", attempt, error.message)
                await asyncio.sleep(0.5 * 2**attempt)
            else:
                return True
        log.error("gave up sending a message to chat %s", chat_id)
        return True

    async def call(self, request: object) -> None:
        """Awaits a cosmetic request (button answer, edit); its failure changes nothing."""
        try:
            await request  # type: ignore[misc]
        except TelegramError as error:
            log.debug("cosmetic request failed: %s", error.message)


def retry_seconds(error: RetryAfter) -> float:
    """Returns how long Telegram asked us to wait, whichever type PTB reports it in."""
    with warnings.catch_warnings():
        # PTB 22 warns that the int form is deprecated; both forms are handled here.
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
