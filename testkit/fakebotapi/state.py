"""What the fake Telegram knows; one re-entrant condition guards it and tells of changes."""

from __future__ import annotations

import copy
import itertools
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass
class Queued:
    update: dict[str, Any]
    forced: bool = False  # redelivered: sent with the next poll whatever its offset
    delivered: bool = False

    @property
    def update_id(self) -> int:
        return int(self.update["update_id"])


class State:
    def __init__(self, token: str) -> None:
        self.token = token
        bot_id = token.split(":", 1)[0]
        self.bot_user: dict[str, Any] = {
            "id": int(bot_id) if bot_id.isdigit() else 123456789,
            "is_bot": True,
            "first_name": "Mentor Coach",
            "username": "mentor_coach_test_bot",
        }
        self._cond = threading.Condition(threading.RLock())
        self._closing = False
        self._queue: list[Queued] = []
        self._update_ids = itertools.count(100_000_001)
        self._callback_ids = itertools.count(4_700_000_000_000_000_001)
        self._file_counter = itertools.count(1)
        self._users: dict[int, dict[str, Any]] = {}
        self._chats: dict[int, dict[str, Any]] = {}
        self._blocked: set[int] = set()
        self._next_message_id: dict[int, int] = {}
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._by_bot: dict[int, list[int]] = {}  # chat id -> ids of the bot's messages
        self._callbacks: dict[str, dict[str, Any] | None] = {}

    def messages_to(self, chat_id: int) -> list[dict[str, Any]]:
        """The Messages the bot sent to ``chat_id``, in order, as they are now (edits applied)."""
        with self._cond:
            chat_id = int(chat_id)
            ids = self._by_bot.get(chat_id, [])
            return [copy.deepcopy(self._messages[(chat_id, i)]) for i in ids]

    def last_message(self, chat_id: int) -> dict[str, Any]:
        """The latest Message the bot sent to ``chat_id``; AssertionError when there is none."""
        messages = self.messages_to(chat_id)
        if not messages:
            raise AssertionError(f"the bot sent no message to chat {chat_id}")
        return messages[-1]

    def message(self, chat_id: int, message_id: int) -> dict[str, Any]:
        """The current state of any message in the fake's store (bot's or user's)."""
        with self._cond:
            stored = self._messages.get((int(chat_id), int(message_id)))
            if stored is None:
                raise LookupError(f"no message {message_id} in chat {chat_id}")
            return copy.deepcopy(stored)

    def callback_answers(self) -> dict[str, dict[str, Any] | None]:
        """callback_query id -> params of its answerCallbackQuery (None while unanswered)."""
        with self._cond:
            return copy.deepcopy(self._callbacks)

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates not yet confirmed by an offset (delivered or not)."""
        with self._cond:
            return [copy.deepcopy(q.update) for q in self._queue]

    @staticmethod
    def buttons(message: Any) -> list[tuple[str, str | None]]:
        """(label, callback_data) for every inline button, row by row (None for URL buttons)."""
        rows = (as_dict(message).get("reply_markup") or {}).get("inline_keyboard") or []
        return [(b.get("text", ""), b.get("callback_data")) for row in rows for b in row]

    def _now(self) -> int:
        return int(time.time())

    def _enqueue(self, body: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), **body}
        self._queue.append(Queued(update))
        self._cond.notify_all()
        return copy.deepcopy(update)

    def _current(self, message: Any) -> dict[str, Any]:
        """The stored state of ``message`` if the fake knows it, else ``message`` itself."""
        message = as_dict(message)
        key = (int(message["chat"]["id"]), int(message["message_id"]))
        return copy.deepcopy(self._messages.get(key, message))

    def _user(self, user_id: int, first_name: str | None = None) -> dict[str, Any]:
        user_id = int(user_id)
        user = self._users.setdefault(user_id, {"id": user_id, "is_bot": False})
        user["first_name"] = first_name or user.get("first_name", "Ana")
        return user

    def _private_chat(self, user: dict[str, Any]) -> dict[str, Any]:
        chat = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        self._chats[int(user["id"])] = chat
        return chat

    def _store(self, chat_id: int, message: dict[str, Any]) -> dict[str, Any]:
        """Gives ``message`` the chat's next id and keeps a copy."""
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        message = {"message_id": message_id, **message}
        self._messages[(chat_id, message_id)] = copy.deepcopy(message)
        return message


def as_dict(obj: Any) -> dict[str, Any]:
    """A Message as a dict, from a dict or a ``telegram.TelegramObject``."""
    return dict(obj) if isinstance(obj, Mapping) else dict(obj.to_dict())
