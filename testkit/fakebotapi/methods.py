"""The Bot API methods the bot calls, answered as Telegram would, with its checks."""

from __future__ import annotations

import copy
import mimetypes
import re
import time
from collections.abc import Callable, Mapping
from typing import Any

from testkit.fakebotapi.records import (
    TERMINATED_BY_OTHER_POLL,
    ApiError,
    UploadedFile,
    bad_request,
)
from testkit.fakebotapi.state import State
from testkit.fakebotapi.wire import ClientGoneError, Request

# What the bot calls; each is served by the method of the same name in snake case.
METHODS = (
    *("getMe", "getUpdates", "setWebhook", "setMyCommands", "sendMessage", "sendDocument"),
    "sendPhoto",
    *("editMessageText", "editMessageReplyMarkup", "answerCallbackQuery"),
)
MAX_LONG_POLL_SECONDS = 50.0
MAX_TEXT_LENGTH, MAX_CAPTION_LENGTH, MAX_CALLBACK_DATA_BYTES = 4096, 1024, 64
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")

Method = Callable[[dict[str, Any], Request], Any]


class BotApiMethods(State):
    def __init__(self, token: str) -> None:
        super().__init__(token)
        self._allowed_updates: set[str] = set()
        self._poll_generation = 0
        self._active_polls = 0
        self._methods: dict[str, tuple[str, Method]] = {
            name.lower(): (name, getattr(self, "_" + re.sub("([A-Z])", r"_\1", name).lower()))
            for name in METHODS
        }

    @property
    def is_polling(self) -> bool:
        """True while a getUpdates long poll waits in the fake."""
        with self._cond:
            return self._active_polls > 0

    def _chat(self, params: Mapping[str, Any], *, sending: bool = False) -> dict[str, Any]:
        chat = self._chats.get(params.get("chat_id"))  # type: ignore[arg-type]
        if chat is None:
            raise bad_request("chat not found")
        if sending and chat["type"] == "private" and int(chat["id"]) in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    @staticmethod
    def _text(params: Mapping[str, Any], key: str, limit: int) -> str | None:
        """The text or caption as Telegram keeps it: stripped, within its length limit."""
        text = str(params.get(key) or "").strip()
        if len(text) > limit:
            raise bad_request("message is too long" if key == "text" else "caption is too long")
        if not text and key == "text":
            raise bad_request("message text is empty")
        return text or None

    @staticmethod
    def _markup(value: Any) -> dict[str, Any] | None:
        """Checks reply_markup; returns what Telegram echoes in the Message (inline only)."""
        if not value or "inline_keyboard" not in value:
            return None
        rows = value["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request('field "inline_keyboard" must be an Array of Arrays')
        for button in (button for row in rows for button in row):
            data = button.get("callback_data")
            if not isinstance(button.get("text"), str) or (data is None and "url" not in button):
                raise bad_request("can't parse inline keyboard button")
            if data is not None and len(str(data).encode()) > MAX_CALLBACK_DATA_BYTES:
                raise bad_request("BUTTON_DATA_INVALID")
        return {"inline_keyboard": copy.deepcopy([row for row in rows if row])}

    def _bot_message(
        self, chat: dict[str, Any], params: Mapping[str, Any], content: dict[str, Any]
    ) -> dict[str, Any]:
        if (markup := self._markup(params.get("reply_markup"))) is not None:
            content["reply_markup"] = markup
        sender = {"from": copy.deepcopy(self.bot_user), "chat": copy.deepcopy(chat)}
        message = self._store(int(chat["id"]), sender | {"date": self._now()} | content)
        self._by_bot.setdefault(int(chat["id"]), []).append(message["message_id"])
        return message

    def _editable(self, params: Mapping[str, Any]) -> dict[str, Any]:
        stored = self._messages.get((self._chat(params)["id"], int(params.get("message_id") or 0)))
        if stored is None:
            raise bad_request("message to edit not found")
        if stored["from"]["id"] != self.bot_user["id"]:
            raise bad_request("message can't be edited")
        return stored

    def _get_me(self, params: dict[str, Any], request: Request) -> dict[str, Any]:
        return self.bot_user | {"can_join_groups": True, "supports_inline_queries": False}

    def _get_updates(self, params: dict[str, Any], request: Request) -> list[dict[str, Any]]:
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = min(max(float(params.get("timeout") or 0), 0.0), MAX_LONG_POLL_SECONDS)
        if isinstance(params.get("allowed_updates"), list):
            self._allowed_updates = set(params["allowed_updates"])
        if (offset := params.get("offset")) is not None:
            self._queue = [
                q for q in self._queue if q.update_id >= offset or (q.forced and not q.delivered)
            ]
        self._poll_generation += 1
        generation = self._poll_generation
        self._active_polls += 1
        self._cond.notify_all()
        deadline = time.monotonic() + timeout
        try:
            while not (batch := self._deliverable(limit)) and not self._closing:
                # A client that gave up on its poll (PTB cancels it on shutdown, then confirms
                # the offset with a short poll) is not a second bot instance.
                if request.client_gone():
                    raise ClientGoneError
                if self._poll_generation != generation:
                    raise ApiError(409, TERMINATED_BY_OTHER_POLL)
                if (remaining := deadline - time.monotonic()) <= 0:
                    break
                self._cond.wait(min(remaining, 0.1))
        finally:
            self._active_polls -= 1
        for queued in batch:
            queued.delivered = True
        return [copy.deepcopy(q.update) for q in batch]

    def _deliverable(self, limit: int) -> list[Any]:
        if self._allowed_updates:  # Telegram drops the others
            self._queue = [q for q in self._queue if set(q.update) & self._allowed_updates]
        return sorted(self._queue, key=lambda q: q.update_id)[:limit]

    def _set_webhook(self, params: dict[str, Any], request: Request) -> bool:
        if not str(params.get("url") or "https://").lower().startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        return True

    def _set_my_commands(self, params: dict[str, Any], request: Request) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("can't parse commands JSON object")
        for command in commands:
            if not _COMMAND_NAME.fullmatch(str(command.get("command"))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description") or "").strip()) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        return True

    def _send_message(self, params: dict[str, Any], request: Request) -> dict[str, Any]:
        text = self._text(params, "text", MAX_TEXT_LENGTH)
        return self._bot_message(self._chat(params, sending=True), params, {"text": text})

    def _send_document(self, params: dict[str, Any], request: Request) -> dict[str, Any]:
        chat = self._chat(params, sending=True)
        document = params.get("document")
        if not isinstance(document, UploadedFile) or not document.content:
            raise bad_request("there is no document in the request")
        n = next(self._file_counter)
        name = document.filename or "document"
        kind = mimetypes.guess_type(name, strict=False)[0] or document.content_type
        meta: dict[str, Any] = {
            "file_id": f"document-{n}",
            "file_unique_id": f"d{n}",
            "file_name": name,
        }
        meta |= {"mime_type": kind, "file_size": len(document.content)}
        content: dict[str, Any] = {"document": meta}
        if caption := self._text(params, "caption", MAX_CAPTION_LENGTH):
            content["caption"] = caption
        return self._bot_message(chat, params, content)

    def _send_photo(self, params: dict[str, Any], request: Request) -> dict[str, Any]:
        chat = self._chat(params, sending=True)
        photo = params.get("photo")
        if not isinstance(photo, UploadedFile) or not photo.content:
            raise bad_request("there is no photo in the request")
        # Telegram decodes the upload: bytes that are no PNG or JPEG are refused.
        if not photo.content.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")):
            raise bad_request("IMAGE_PROCESS_FAILED")
        n = next(self._file_counter)
        sizes = [
            {"file_id": f"photo-{n}-{w}", "file_unique_id": f"p{n}-{w}", "width": w, "height": w}
            for w in (90, 320, 800)
        ]
        sizes[-1]["file_size"] = len(photo.content)
        content: dict[str, Any] = {"photo": sizes}
        if caption := self._text(params, "caption", MAX_CAPTION_LENGTH):
            content["caption"] = caption
        return self._bot_message(chat, params, content)

    def _edit_message_text(self, params: dict[str, Any], request: Request) -> dict[str, Any]:
        current = self._editable(params)
        text = self._text(params, "text", MAX_TEXT_LENGTH)
        markup = self._markup(params.get("reply_markup"))
        if "text" not in current:
            raise bad_request("there is no text in the message to edit")
        if current["text"] == text and current.get("reply_markup") == markup:
            raise ApiError(400, NOT_MODIFIED)
        current["text"] = text
        return self._edited(current, markup)

    def _edit_message_reply_markup(
        self, params: dict[str, Any], request: Request
    ) -> dict[str, Any]:
        current = self._editable(params)
        markup = self._markup(params.get("reply_markup"))
        if current.get("reply_markup") == markup:
            raise ApiError(400, NOT_MODIFIED)
        return self._edited(current, markup)

    def _edited(self, current: dict[str, Any], markup: dict[str, Any] | None) -> dict[str, Any]:
        current.pop("reply_markup", None)
        current |= {"edit_date": self._now()} | ({"reply_markup": markup} if markup else {})
        return copy.deepcopy(current)

    def _answer_callback_query(self, params: dict[str, Any], request: Request) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if self._callbacks.get(query_id, True) is not None:  # unknown, or answered before
            raise ApiError(400, QUERY_TOO_OLD)
        self._callbacks[query_id] = {k: v for k, v in params.items() if k != "callback_query_id"}
        return True
