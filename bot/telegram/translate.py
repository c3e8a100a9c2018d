"""Telegram updates in, engine events out; engine replies in, Bot API arguments out.

Pure functions: no network, no database, so every odd update is easy to test.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ChatMemberStatus, ChatType, MessageLimit

from dialogs.model import (
    EDITED,
    Command,
    Event,
    Membership,
    Press,
    Reply,
    Text,
    Unsupported,
    UserKey,
)

log = logging.getLogger(__name__)

CHANNEL = "telegram"
CALLBACK_DATA_BYTES = 64
_CALLBACK = re.compile(r"^(\d{1,9})\|([A-Za-z0-9_.:=-]{1,54})$")
# C0 controls but tab and newline (PostgreSQL refuses NUL in text), and lone surrogates
# (which no UTF-8 encoder accepts): what a client may send and no person types.
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\ud800-\udfff]")
# Short labels sit side by side; longer ones get a row each.
_ROW_LABEL_CHARS = 12
_ROW_BUTTONS = 3
# Attachments the coach can't read, in the order Telegram's Message fields are checked.
_ATTACHMENTS = (
    "sticker", "photo", "animation", "video", "video_note", "voice", "audio",
    "document", "location", "venue", "contact", "poll", "dice", "game", "story",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Pressed:
    """The message a pressed button sat on, so it can show the choice."""

    query_id: str
    message: Message | None
    data: str


@dataclass(frozen=True, slots=True)
class Incoming:
    chat_id: int
    key: UserKey
    name: str
    event: Event
    pressed: Pressed | None = None


@dataclass(frozen=True, slots=True)
class GroupHint:
    """A command in a group: the coach says it only works one-to-one."""

    chat_id: int


@dataclass(frozen=True, slots=True)
class GroupPress:
    """A button pressed on a group's message: answered, so its spinner stops, and no more."""

    query_id: str


def clean(text: str) -> str:
    """Drops the control characters a person can't type and the database can't store."""
    return _UNPRINTABLE.sub("", text)


def encode_button(turn: int, button_id: str) -> str:
    """Packs a button for callback_data; the turn lets stale buttons be recognised."""
    data = f"{turn}|{button_id}"
    if not _CALLBACK.match(data) or len(data.encode()) > CALLBACK_DATA_BYTES:
        raise ValueError(f"button id {button_id!r} does not fit in callback_data")
    return data


def decode_button(data: str | None) -> Press:
    """Unpacks callback_data; anything not ours becomes a press no state accepts."""
    match = _CALLBACK.match(data or "")
    if match is None:
        return Press("?", turn=-1)
    return Press(match[2], int(match[1]))


def translate(update: Update) -> Incoming | GroupHint | GroupPress | None:
    """Turns an update into what the coach should handle, or None for silence.

    Every text from Telegram is cleaned here (see `clean`), and in a private chat the
    chat must be the sender's own: a forged update can't send one user's words to another.
    """
    if update.callback_query is not None:
        return _from_callback(update.callback_query)
    member = update.my_chat_member
    if member is not None:
        if member.chat.type != ChatType.PRIVATE:
            return None
        user = member.from_user
        if not _own_chat(update, member.chat.id, user.id):
            return None
        blocked = member.new_chat_member.status == ChatMemberStatus.BANNED
        return Incoming(
            member.chat.id,
            UserKey(CHANNEL, str(user.id)),
            clean(user.first_name),
            Membership(blocked),
        )
    message = update.message or update.edited_message
    if message is None or message.from_user is None or message.from_user.is_bot:
        return None
    if message.chat.type != ChatType.PRIVATE:
        text = message.text or ""
        return GroupHint(message.chat.id) if text.startswith("/") else None
    user = message.from_user
    if not _own_chat(update, message.chat.id, user.id):
        return None
    key = UserKey(CHANNEL, str(user.id))
    event: Event
    if update.edited_message is not None:
        event = Unsupported(EDITED)
    elif message.text is not None:
        text = clean(message.text)
        event = _command(text) if text.startswith("/") else Text(text)
    else:
        what = next(
            (a.replace("_", " ") for a in _ATTACHMENTS if getattr(message, a, None)), "message"
        )
        # A screenshot of the hero's reply often comes with the story as its caption.
        caption = clean(message.caption or "").strip()
        event = Text(caption, attachment=what) if caption else Unsupported(what)
    return Incoming(message.chat.id, key, clean(user.first_name), event)


def _own_chat(update: Update, chat_id: int, user_id: int) -> bool:
    """In a private chat the chat id is the user's id; anything else is forged."""
    if chat_id == user_id:
        return True
    log.info("update %s ignored: its private chat is not its sender's", update.update_id)
    return False


def _command(text: str) -> Command:
    head, _, args = text.partition(" ")
    return Command(head[1:].split("@", 1)[0].lower(), args.strip())


def _from_callback(query: CallbackQuery) -> Incoming | GroupPress | None:
    message = query.message if isinstance(query.message, Message) else None
    if message is not None and message.chat.type != ChatType.PRIVATE:
        return GroupPress(query.id)
    user = query.from_user
    chat_id = message.chat.id if message is not None else user.id
    if message is not None and chat_id != user.id:
        log.info("button press %s ignored: its private chat is not its sender's", query.id)
        return None
    data = clean(query.data or "")
    pressed = Pressed(query.id, message, data)
    return Incoming(
        chat_id,
        UserKey(CHANNEL, str(user.id)),
        clean(user.first_name),
        decode_button(data),
        pressed,
    )


def render(reply: Reply) -> list[dict[str, object]]:
    """Returns sendMessage arguments for a reply: long texts split, buttons on the last part."""
    parts = split_text(reply.text)
    calls: list[dict[str, object]] = [{"text": part} for part in parts]
    if reply.buttons:
        calls[-1]["reply_markup"] = keyboard(reply)
    return calls


def keyboard(reply: Reply) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(b.label, callback_data=encode_button(reply.turn, b.id))
        for b in reply.buttons
    ]
    if all(len(b.label) <= _ROW_LABEL_CHARS for b in reply.buttons):
        rows = [buttons[i : i + _ROW_BUTTONS] for i in range(0, len(buttons), _ROW_BUTTONS)]
    else:
        rows = [[button] for button in buttons]
    return InlineKeyboardMarkup(rows)


def split_text(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Splits text into Telegram-sized parts, at paragraph or line breaks where it can."""
    parts = []
    rest = text.strip() or "…"
    while len(rest) > limit:
        cut = max(rest.rfind("\n\n", 0, limit), rest.rfind("\n", 0, limit))
        cut = cut if cut > limit // 2 else rest.rfind(" ", 0, limit)
        cut = cut if cut > 0 else limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    parts.append(rest)
    return parts


def chosen_label(message: Message, data: str) -> str | None:
    """Finds the label of the pressed button on the message it was pressed on."""
    markup = message.reply_markup
    if markup is None:
        return None
    for row in markup.inline_keyboard:
        for button in row:
            if button.callback_data == data:
                return button.text
    return None
