"""What the fake records and answers: calls, uploads, errors, and the faults tests inject."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

DEFAULT_TOKEN = "123456:fake-bot-api-test-token"

#: Parameters the fake keeps as strings: PTB JSON-encodes every other value, not a str, so a
#: text like "42" must not be decoded.
STRING_FIELDS = frozenset(
    {"callback_query_id", "caption", "document", "secret_token", "text", "url"}
)

TERMINATED_BY_OTHER_POLL = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance "
    "is running"
)
# What Telegram says where it says more than the HTTP status's phrase.
DESCRIPTIONS = {403: "Forbidden: bot was blocked by the user", 409: TERMINATED_BY_OTHER_POLL}


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a ``multipart/form-data`` request."""

    field: str
    filename: str | None
    content: bytes
    content_type: str | None

    def __repr__(self) -> str:  # the content would flood a failure report
        return f"UploadedFile({self.field!r}, {self.filename!r}, {len(self.content)} bytes)"


@dataclass(frozen=True)
class Call:
    """One call the bot made: ``params`` decoded (ints, dicts, uploads), ``status`` the HTTP
    status answered, ``0`` if the fake hung up on purpose, ``499`` if the client left a poll."""

    method: str
    params: dict[str, Any]
    at: float  # time.monotonic() when the request arrived
    status: int
    response: dict[str, Any] | None = None
    files: dict[str, UploadedFile] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def description(self) -> str | None:
        return (self.response or {}).get("description")

    def summary(self, width: int = 160) -> str:
        text = json.dumps(self.params, ensure_ascii=False, default=repr)
        text = text if len(text) <= width else text[: width - 3] + "..."
        tail = f" -> {self.description}" if self.description and not self.ok else ""
        return f"{self.method} [{self.status}] {text}{tail}"


class ApiError(Exception):
    """Raised by a method to answer ``{"ok": false, "error_code": status, ...}``."""

    def __init__(
        self, status: int, description: str, parameters: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = dict(parameters) if parameters else None

    def payload(self) -> dict[str, Any]:
        body = {"ok": False, "error_code": self.status, "description": self.description}
        return body | ({"parameters": self.parameters} if self.parameters else {})


def bad_request(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


@dataclass
class Fault:
    """A fault injected for one call of a method."""

    kind: str  # "fail" | "delay" | "drop"
    error: ApiError | None = None
    seconds: float = 0.0
    applied: bool = False  # a drop after the call took effect: only the answer is lost
