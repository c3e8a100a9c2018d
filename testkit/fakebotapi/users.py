"""What users do: the updates a test injects, which the bot fetches with ``getUpdates``."""

from __future__ import annotations

import copy
import re
import zlib
from collections.abc import Mapping
from typing import Any

from testkit.fakebotapi.state import Queued, State, as_dict

_LEADING_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>])")


def command_entities(text: str) -> list[dict[str, Any]]:
    """A ``bot_command`` entity when the text starts with one, as Telegram adds it."""
    match = _LEADING_COMMAND.match(text)
    if not match:
        return []
    length = len(match.group(0).encode("utf-16-le")) // 2
    return [{"type": "bot_command", "offset": 0, "length": length}]


class UserActions(State):
    def add_user(
        self,
        user_id: int,
        *,
        first_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> dict[str, Any]:
        """Make a user (and their private chat) known without an update, as if they had
        talked to the bot before. Returns the User dict."""
        with self._cond:
            user = self._user(
                user_id, first_name=first_name, username=username, language_code=language_code
            )
            self._private_chat(user)
            return copy.deepcopy(user)

    def send_update(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Queue an arbitrary update (``update_id`` is assigned). Chats in it become known."""
        body = {k: copy.deepcopy(v) for k, v in raw.items() if k != "update_id"}
        with self._cond:
            for value in body.values():
                for holder in (value, value.get("message")) if isinstance(value, dict) else ():
                    if isinstance(holder, dict) and isinstance(holder.get("chat"), dict):
                        self._chats.setdefault(int(holder["chat"]["id"]), holder["chat"])
            return self._enqueue(body)

    def redeliver(self, update: Any) -> dict[str, Any]:
        """Queue ``update`` again with the same update_id. It is delivered with the next
        getUpdates whatever the offset (like Telegram after a lost confirmation)."""
        update = copy.deepcopy(as_dict(update))
        if "update_id" not in update:
            raise ValueError("redeliver() needs an update with an update_id")
        with self._cond:
            self._queue.append(Queued(update, forced=True))
            self._queue.sort(key=lambda q: q.update_id)
            self._cond.notify_all()
        return copy.deepcopy(update)

    def send_text(
        self,
        user_id: int,
        text: str,
        *,
        first_name: str | None = None,
        chat_type: str = "private",
        chat_id: int | None = None,
        username: str | None = None,
        language_code: str | None = None,
        title: str | None = None,
    ) -> dict[str, Any]:
        """A text message from the user. ``first_name`` defaults to the user's known name, else
        "Ana". Private chat id == user_id; for groups ``chat_id`` defaults to ``-user_id``."""
        with self._cond:
            user = self._user(
                user_id, first_name=first_name, username=username, language_code=language_code
            )
            if chat_type == "private":
                if chat_id is not None and int(chat_id) != user["id"]:
                    raise ValueError("a private chat's id is the user's id")
                chat = self._private_chat(user)
            else:
                chat_id = int(chat_id) if chat_id is not None else -user["id"]
                chat = self._chats.setdefault(
                    chat_id, {"id": chat_id, "type": chat_type, "title": "Test group"}
                )
                if title is not None:
                    chat["title"] = title
            content: dict[str, Any] = {"text": text}
            if entities := command_entities(text):
                content["entities"] = entities
            return self._enqueue({"message": self._user_message(user, chat, content)})

    def send_group_text(
        self, user_id: int, group_id: int, text: str, *, title: str = "Test group"
    ) -> dict[str, Any]:
        """A text message in a basic group (the id is made negative)."""
        return self.send_text(
            user_id, text, chat_type="group", chat_id=-abs(group_id), title=title
        )

    def press(self, user_id: int, message: Any, data: str) -> dict[str, Any]:
        """The user presses an inline button with ``callback_data == data`` under ``message``
        (a Message dict as the bot got it back; its current state is used when known)."""
        with self._cond:
            user = self._user(user_id)
            current = self._current(message)
            chat_id = int(current["chat"]["id"])
            query_id = str(next(self._callback_ids))
            self._callbacks[query_id] = None
            query = {
                "id": query_id,
                "from": copy.deepcopy(user),
                "message": current,
                "chat_instance": str(zlib.crc32(f"{self.token}/{chat_id}".encode()) * 1_000_003),
                "data": data,
            }
            return self._enqueue({"callback_query": query})

    def press_label(self, user_id: int, message: Any, label: str) -> dict[str, Any]:
        """Press the inline button labelled ``label`` on ``message`` (None: the last message
        the bot sent to the user's private chat)."""
        with self._cond:
            current = self._current(message or self.last_message(user_id))
        found = [data for text, data in self.buttons(current) if text == label]
        if not found:
            labels = [text for text, _ in self.buttons(current)]
            raise AssertionError(f"no button {label!r} on message; buttons are {labels!r}")
        if found[0] is None:
            raise AssertionError(f"button {label!r} has no callback_data")
        return self.press(user_id, current, found[0])

    def send_sticker(self, user_id: int, *, emoji: str = "👍") -> dict[str, Any]:
        sticker = {"type": "regular", "width": 512, "height": 512, "is_animated": False}
        sticker |= {"is_video": False, "emoji": emoji}
        return self._media(user_id, "sticker", sticker)

    def send_photo(self, user_id: int, *, caption: str | None = None) -> dict[str, Any]:
        n = next(self._file_counter)
        sizes = [
            {"file_id": f"AgACPh{n:08d}{w}", "file_unique_id": f"AQPh{n:06d}{w}"}
            | {"width": w, "height": w * 3 // 4}
            for w in (90, 320, 800)
        ]
        extra = {"caption": caption} if caption is not None else {}
        return self._simple_user_message(user_id, {"photo": sizes, **extra})

    def send_voice(self, user_id: int, *, duration: int = 3) -> dict[str, Any]:
        return self._media(user_id, "voice", {"duration": duration, "mime_type": "audio/ogg"})

    def send_location(
        self, user_id: int, *, latitude: float = 52.520008, longitude: float = 13.404954
    ) -> dict[str, Any]:
        return self._simple_user_message(
            user_id, {"location": {"latitude": latitude, "longitude": longitude}}
        )

    def edit_text(self, user_id: int, message_id: int, new_text: str) -> dict[str, Any]:
        """The user edits their earlier text message ``message_id`` (an ``edited_message``)."""
        with self._cond:
            user = self._user(user_id)
            chat = self._private_chat(user)
            key = (int(chat["id"]), int(message_id))
            message = copy.deepcopy(self._messages.get(key)) or {
                "message_id": int(message_id),
                "chat": copy.deepcopy(chat),
                "date": self._now() - 60,
            }
            message |= {"from": copy.deepcopy(user), "text": new_text, "edit_date": self._now()}
            message.pop("entities", None)
            if entities := command_entities(new_text):
                message["entities"] = entities
            self._messages[key] = copy.deepcopy(message)
            return self._enqueue({"edited_message": message})

    def block(self, user_id: int) -> dict[str, Any]:
        """The user blocks the bot: later sends to them answer 403."""
        with self._cond:
            self._blocked.add(int(user_id))
            return self._member_update(user_id, "member", "kicked")

    def unblock(self, user_id: int) -> dict[str, Any]:
        with self._cond:
            self._blocked.discard(int(user_id))
            return self._member_update(user_id, "kicked", "member")

    def _user_message(
        self, user: dict[str, Any], chat: dict[str, Any], content: dict[str, Any]
    ) -> dict[str, Any]:
        message = {"from": copy.deepcopy(user), "chat": copy.deepcopy(chat), "date": self._now()}
        return self._store(int(chat["id"]), message | content)

    def _simple_user_message(self, user_id: int, content: dict[str, Any]) -> dict[str, Any]:
        with self._cond:
            user = self._user(user_id)
            chat = self._private_chat(user)
            return self._enqueue({"message": self._user_message(user, chat, content)})

    def _media(self, user_id: int, kind: str, fields: dict[str, Any]) -> dict[str, Any]:
        n = next(self._file_counter)
        ids = {"file_id": f"{kind}-{n:08d}", "file_unique_id": f"{kind}-u{n:06d}"}
        return self._simple_user_message(user_id, {kind: ids | fields | {"file_size": 4_000}})

    def _member_update(self, user_id: int, old: str, new: str) -> dict[str, Any]:
        user = self._user(user_id)
        chat = self._private_chat(user)

        def member(status: str) -> dict[str, Any]:
            # until_date 0: kicked for good, as a user's block is.
            extra = {"until_date": 0} if status == "kicked" else {}
            return {"user": copy.deepcopy(self.bot_user), "status": status, **extra}

        update = {
            "chat": copy.deepcopy(chat),
            "from": copy.deepcopy(user),
            "date": self._now(),
            "old_chat_member": member(old),
            "new_chat_member": member(new),
        }
        return self._enqueue({"my_chat_member": update})
