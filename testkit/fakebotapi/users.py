"""What users do: the updates a test injects, which the bot fetches with ``getUpdates``."""

from __future__ import annotations

import copy
import re
import zlib
from typing import Any

from testkit.fakebotapi.state import Queued, State, as_dict

_LEADING_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>])")


def with_command_entity(content: dict[str, Any]) -> dict[str, Any]:
    """Adds the ``bot_command`` entity Telegram adds to a text that starts with a command."""
    content.pop("entities", None)
    if match := _LEADING_COMMAND.match(content["text"]):
        length = len(match.group(0).encode("utf-16-le")) // 2  # entities count UTF-16 units
        content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    return content


class UserActions(State):
    def add_user(self, user_id: int, *, first_name: str | None = None) -> dict[str, Any]:
        """A user who talked to the bot before: their private chat is known, no update sent."""
        with self._cond:
            user = self._user(user_id, first_name)
            self._private_chat(user)
            return copy.deepcopy(user)

    def send_text(
        self, user_id: int, text: str, *, first_name: str | None = None
    ) -> dict[str, Any]:
        """A text message in the user's private chat (named "Ana" unless named before)."""
        with self._cond:
            self._user(user_id, first_name)
            return self._say(user_id, with_command_entity({"text": text}))

    def send_group_text(
        self, user_id: int, group_id: int, text: str, *, title: str = "Test group"
    ) -> dict[str, Any]:
        """A text message in a basic group (the id is made negative)."""
        with self._cond:
            chat: dict[str, Any] = {"id": -abs(group_id), "type": "group", "title": title}
            self._chats[chat["id"]] = chat
            return self._say(user_id, with_command_entity({"text": text}), chat)

    def redeliver(self, update: Any) -> dict[str, Any]:
        """``update`` again, whatever the next poll's offset (as after a lost confirmation)."""
        update = copy.deepcopy(as_dict(update))
        with self._cond:
            self._queue.append(Queued(update, forced=True))
            self._queue.sort(key=lambda q: q.update_id)
            self._cond.notify_all()
        return copy.deepcopy(update)

    def press(self, user_id: int, message: Any, data: str) -> dict[str, Any]:
        """The user presses the button with ``data`` under ``message`` (as it is now)."""
        with self._cond:
            current = self._current(message)
            query_id = str(next(self._callback_ids))
            self._callbacks[query_id] = None
            instance = zlib.crc32(f"{self.token}/{current['chat']['id']}".encode())
            query = {
                "id": query_id,
                "from": copy.deepcopy(self._user(user_id)),
                "message": current,
                "chat_instance": str(instance),
                "data": data,
            }
            return self._enqueue({"callback_query": query})

    def press_label(self, user_id: int, message: Any, label: str) -> dict[str, Any]:
        """Press the button labelled ``label`` on ``message`` (None: the bot's last one)."""
        with self._cond:
            current = self._current(message or self.last_message(user_id))
        buttons = self.buttons(current)
        found = [data for text, data in buttons if text == label]
        if not found or found[0] is None:
            raise AssertionError(f"no button {label!r} with callback data in {buttons!r}")
        return self.press(user_id, current, found[0])

    def send_sticker(self, user_id: int, *, emoji: str = "👍") -> dict[str, Any]:
        sticker = {"type": "regular", "width": 512, "height": 512, "emoji": emoji}
        return self._media(user_id, "sticker", sticker | {"is_animated": False, "is_video": False})

    def send_photo(self, user_id: int, *, caption: str | None = None) -> dict[str, Any]:
        n = next(self._file_counter)
        sizes = [
            {"file_id": f"photo-{n}-{w}", "file_unique_id": f"p{n}-{w}", "width": w, "height": w}
            for w in (90, 320, 800)
        ]
        content = {"photo": sizes} | ({"caption": caption} if caption is not None else {})
        return self._say(user_id, content)

    def send_voice(self, user_id: int, *, duration: int = 3) -> dict[str, Any]:
        return self._media(user_id, "voice", {"duration": duration, "mime_type": "audio/ogg"})

    def send_location(
        self, user_id: int, *, latitude: float = 52.520008, longitude: float = 13.404954
    ) -> dict[str, Any]:
        location = {"latitude": latitude, "longitude": longitude}
        return self._say(user_id, {"location": location})

    def edit_text(self, user_id: int, message_id: int, new_text: str) -> dict[str, Any]:
        """The user edits their earlier text message ``message_id`` (an ``edited_message``)."""
        with self._cond:
            user = self._user(user_id)
            chat = self._private_chat(user)
            key = (int(chat["id"]), int(message_id))
            earlier = self._messages.get(key) or {"message_id": key[1], "date": self._now() - 60}
            message = copy.deepcopy(earlier | {"from": user, "chat": chat})
            message |= with_command_entity({"text": new_text, "edit_date": self._now()})
            self._messages[key] = copy.deepcopy(message)
            return self._enqueue({"edited_message": message})

    def block(self, user_id: int) -> dict[str, Any]:
        """The user blocks the bot: later sends to them answer 403."""
        with self._cond:
            self._blocked.add(int(user_id))
            user = self._user(user_id)
            bot = copy.deepcopy(self.bot_user)
            update = {
                "chat": copy.deepcopy(self._private_chat(user)),
                "from": copy.deepcopy(user),
                "date": self._now(),
                "old_chat_member": {"user": bot, "status": "member"},
                "new_chat_member": {"user": bot, "status": "kicked", "until_date": 0},
            }
            return self._enqueue({"my_chat_member": update})

    def _say(
        self, user_id: int, content: dict[str, Any], chat: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """A message from the user (in their private chat unless ``chat`` is given)."""
        with self._cond:
            user = self._user(user_id)
            chat = chat or self._private_chat(user)
            sender = copy.deepcopy({"from": user, "chat": chat, "date": self._now()})
            return self._enqueue({"message": self._store(int(chat["id"]), sender | content)})

    def _media(self, user_id: int, kind: str, fields: dict[str, Any]) -> dict[str, Any]:
        n = next(self._file_counter)
        ids = {"file_id": f"{kind}-{n}", "file_unique_id": f"{kind[0]}{n}", "file_size": 4_000}
        return self._say(user_id, {kind: ids | fields})
