"""The Bot API methods the bot calls, answered as Telegram would, with its checks."""

from __future__ import annotations

import copy
import mimetypes
import re
import time
from collections.abc import Callable, Mapping
from typing import Any

from testkit.fakebotapi.records import (
    MAX_CALLBACK_DATA_BYTES,
    MAX_CAPTION_LENGTH,
    MAX_TEXT_LENGTH,
    NOT_MODIFIED,
    QUERY_TOO_OLD,
    TERMINATED_BY_OTHER_POLL,
    WEBHOOK_ACTIVE,
    ApiError,
    UploadedFile,
    bad_request,
)
from testkit.fakebotapi.state import Queued, State
from testkit.fakebotapi.wire import ClientGoneError, Request

MAX_LONG_POLL_SECONDS = 50.0
# Update types Telegram sends only when ``allowed_updates`` lists them.
OPT_IN_UPDATE_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")

Method = Callable[[dict[str, Any], Request], Any]


class BotApiMethods(State):
    def __init__(self, token: str, bot_username: str, clock: Callable[[], float]) -> None:
        super().__init__(token, bot_username, clock)
        self._allowed_updates: list[str] | None = None
        self._poll_generation = 0
        self._active_polls = 0
        self._webhook_url = ""
        self._commands: list[dict[str, Any]] = []
        self._methods: dict[str, tuple[str, Method]] = {
            name.lower(): (name, method)
            for name, method in {
                "getMe": self._get_me,
                "getUpdates": self._get_updates,
                "setWebhook": self._set_webhook,
                "setMyCommands": self._set_my_commands,
                "sendMessage": self._send_message,
                "sendDocument": self._send_document,
                "editMessageText": self._edit_message_text,
                "editMessageReplyMarkup": self._edit_message_reply_markup,
                "answerCallbackQuery": self._answer_callback_query,
            }.items()
        }

    @property
    def is_polling(self) -> bool:
        """True while a getUpdates long poll waits in the fake."""
        with self._cond:
            return self._active_polls > 0

    def commands(self) -> list[dict[str, Any]]:
        """The command menu the bot set (the default scope)."""
        with self._cond:
            return copy.deepcopy(self._commands)

    # ------------------------------------------------------------------ checks

    def _chat(self, params: Mapping[str, Any], *, sending: bool = False) -> dict[str, Any]:
        try:
            chat = self._chats.get(int(params.get("chat_id") or 0))
        except (TypeError, ValueError):
            chat = None
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
        """Validates reply_markup; returns what Telegram echoes in the Message (inline only)."""
        if value is None or value == "":
            return None
        if not isinstance(value, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        rows = value.get("inline_keyboard")
        if rows is None:
            return None
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request(
                'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
            )
        for button in (button for row in rows for button in row):
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise bad_request(
                    'can\'t parse inline keyboard button: Field "text" must be of type String'
                )
            data = button.get("callback_data")
            if data is None and "url" not in button:
                raise bad_request(
                    "can't parse inline keyboard button: Text buttons are unallowed in the "
                    "inline keyboard"
                )
            if data is not None and len(str(data).encode()) > MAX_CALLBACK_DATA_BYTES:
                raise bad_request("BUTTON_DATA_INVALID")
        return {"inline_keyboard": copy.deepcopy([row for row in rows if row])}

    def _bot_message(
        self, chat: dict[str, Any], params: Mapping[str, Any], content: dict[str, Any]
    ) -> dict[str, Any]:
        markup = self._markup(params.get("reply_markup"))
        message = {
            "from": copy.deepcopy(self.bot_user),
            "chat": copy.deepcopy(chat),
            "date": self._now(),
            **content,
        }
        if markup is not None:
            message["reply_markup"] = markup
        message = self._store(int(chat["id"]), message)
        self._by_bot.setdefault(int(chat["id"]), []).append(message["message_id"])
        return message

    def _editable(self, params: Mapping[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        try:
            stored = self._messages.get((int(chat["id"]), int(params["message_id"])))
        except (KeyError, TypeError, ValueError):
            stored = None
        if stored is None:
            raise bad_request("message to edit not found")
        if stored["from"]["id"] != self.bot_user["id"]:
            raise bad_request("message can't be edited")
        return stored

    # ------------------------------------------------------------------ methods

    def _get_me(self, params: dict[str, Any], request: Request) -> dict[str, Any]:
        return self.bot_user | {"can_join_groups": True, "supports_inline_queries": False}

    def _get_updates(self, params: dict[str, Any], request: Request) -> list[dict[str, Any]]:
        if self._webhook_url:
            raise ApiError(409, WEBHOOK_ACTIVE)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = min(max(float(params.get("timeout") or 0), 0.0), MAX_LONG_POLL_SECONDS)
        if isinstance(params.get("allowed_updates"), list):
            self._allowed_updates = [str(a) for a in params["allowed_updates"]]
        if (offset := params.get("offset")) is not None:
            self._queue = [
                q
                for q in self._queue
                if q.update_id >= int(offset) or (q.forced and not q.delivered)
            ]
        self._poll_generation += 1
        generation = self._poll_generation
        self._active_polls += 1
        self._cond.notify_all()
        try:
            return self._poll(generation, limit, timeout, request)
        finally:
            self._active_polls -= 1

    def _poll(
        self, generation: int, limit: int, timeout: float, request: Request
    ) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while True:
            if self._poll_generation != generation:
                # A client that gave up on this poll (PTB cancels it on shutdown, then
                # confirms the offset with a short poll) is not a second bot instance.
                if request.client_gone():
                    raise ClientGoneError
                raise ApiError(409, TERMINATED_BY_OTHER_POLL)
            batch = self._deliverable(limit)
            remaining = deadline - time.monotonic()
            if batch or self._closing or remaining <= 0:
                break
            if request.client_gone():
                raise ClientGoneError
            self._cond.wait(min(remaining, 0.1))
        for queued in batch:
            queued.delivered = True
        return [copy.deepcopy(q.update) for q in batch]

    def _deliverable(self, limit: int) -> list[Queued]:
        allowed = set(self._allowed_updates or ())
        self._queue = [
            q
            for q in self._queue
            if (q.kind in allowed if allowed else q.kind not in OPT_IN_UPDATE_TYPES)
        ]
        return sorted(self._queue, key=lambda q: q.update_id)[:limit]

    def _set_webhook(self, params: dict[str, Any], request: Request) -> bool:
        url = str(params.get("url") or "")
        if url and not url.lower().startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        self._webhook_url = url
        if isinstance(params.get("allowed_updates"), list):
            self._allowed_updates = list(params["allowed_updates"])
        return True

    def _set_my_commands(self, params: dict[str, Any], request: Request) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("can't parse commands JSON object")
        for command in commands:
            name, description = command.get("command"), command.get("description")
            if not isinstance(name, str) or not _COMMAND_NAME.fullmatch(name):
                raise bad_request("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self._commands = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    def _send_message(self, params: dict[str, Any], request: Request) -> dict[str, Any]:
        chat = self._chat(params, sending=True)
        return self._bot_message(
            chat, params, {"text": self._text(params, "text", MAX_TEXT_LENGTH)}
        )

    def _send_document(self, params: dict[str, Any], request: Request) -> dict[str, Any]:
        chat = self._chat(params, sending=True)
        document = params.get("document")
        if not isinstance(document, UploadedFile) or not document.content:
            raise bad_request("there is no document in the request")
        n = next(self._file_counter)
        filename = document.filename or "document"
        meta = {
            "file_id": f"BQACAgIAAxkDAAI{n:06d}fake",
            "file_unique_id": f"AgAD{n:06d}",
            "file_name": filename,
            "mime_type": mimetypes.guess_type(filename, strict=False)[0]
            or document.content_type
            or "application/octet-stream",
            "file_size": len(document.content),
        }
        content: dict[str, Any] = {"document": meta}
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
        if markup is not None:
            current["reply_markup"] = markup
        current["edit_date"] = self._now()
        return copy.deepcopy(current)

    def _answer_callback_query(self, params: dict[str, Any], request: Request) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if self._callbacks.get(query_id, True) is not None:  # unknown, or answered before
            raise ApiError(400, QUERY_TOO_OLD)
        self._callbacks[query_id] = {k: v for k, v in params.items() if k != "callback_query_id"}
        return True
