"""Logging set-up that never lets a secret through."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable


class Redact(logging.Filter):
    """Replaces every secret in a record's final message (and traceback) with a mark."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        for secret in self.secrets:
            message = message.replace(secret, "<redacted>")
            if record.exc_text:
                record.exc_text = record.exc_text.replace(secret, "<redacted>")
        record.msg, record.args = message, None
        return True


def configure(level: str, secrets: Iterable[str] = ()) -> None:
    """Logs to stderr at `level`, redacting `secrets`; HTTP clients stay at WARNING."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(Redact(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL at INFO, and the token is part of each URL.
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
