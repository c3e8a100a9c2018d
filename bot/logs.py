"""Logging set-up that never lets a secret through."""

from __future__ import annotations

import json
import logging
import sys
import traceback
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from sqlalchemy.exc import StatementError

HIDDEN = "(its message is logged at DEBUG only)"


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The exception and those it came from, oldest first, as Python prints them."""
    found: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and all(current is not seen for seen in found):
        found.append(current)
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    return reversed(found)


def _safe_message(error: BaseException) -> str:
    """What of an exception's message can be shown above DEBUG.

    Messages may quote what people wrote (a driver error quoting a value, a statement's
    parameters), so only those that can't are kept: system errors, and SQL without its
    parameters.
    """
    if isinstance(error, OSError):
        return str(error)
    if isinstance(error, StatementError) and error.statement:
        return f"{HIDDEN} [SQL: {error.statement}]"
    return HIDDEN


def private_traceback(error: BaseException) -> str:
    """A traceback with every frame but no exception message that may carry user text."""
    parts: list[str] = []
    for link in _chain(error):
        if parts:
            parts.append("\nThe above exception led to the following exception:\n\n")
        parts.append("Traceback (most recent call last):\n")
        parts.extend(traceback.format_tb(link.__traceback__))
        kind = type(link)
        parts.append(f"{kind.__module__}.{kind.__qualname__}: {_safe_message(link)}\n")
    return "".join(parts).rstrip("\n")


class Redact(logging.Filter):
    """Replaces every secret in a record's final message (and traceback) with a mark.

    With `private`, tracebacks keep their frames but not their exceptions' messages.
    """

    def __init__(self, secrets: Iterable[str], private: bool = False) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]
        self.private = private

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            error = record.exc_info[1]
            record.exc_text = (
                private_traceback(error)
                if self.private and error is not None
                else logging.Formatter().formatException(record.exc_info)
            )
        for secret in self.secrets:
            message = message.replace(secret, "<redacted>")
            if record.exc_text:
                record.exc_text = record.exc_text.replace(secret, "<redacted>")
        record.msg, record.args = message, None
        return True


class JsonLines(logging.Formatter):
    """One JSON object per line, for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["error"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def configure(level: str, secrets: Iterable[str] = (), style: str = "text") -> None:
    """Logs one line per event to stderr at `level`, redacting `secrets`.

    HTTP clients stay at WARNING whatever the level: httpx logs request URLs at INFO.
    Above DEBUG, exception messages are left out of tracebacks (see `private_traceback`).
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonLines()
        if style == "json"
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    handler.addFilter(Redact(secrets, private=level != "DEBUG"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL at INFO, and the token is part of each URL.
    for noisy in ("httpx", "httpcore", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
