"""Logs: one line per event, JSON when asked, and never a secret."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot import logs

TOKEN = "4242:never-in-a-log"
SECRET = "webhook-secret-never-in-a-log"


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    stream = io.StringIO()
    yield stream
    root.handlers[:], level = saved
    root.setLevel(level)


def log_everything(stream: io.StringIO, style: str) -> list[str]:
    logs.configure("DEBUG", [TOKEN, SECRET], style)
    logging.getLogger().handlers[0].setStream(stream)  # type: ignore[attr-defined]
    log = logging.getLogger("test")
    log.info("calling https://api.telegram.org/bot%s/getMe", TOKEN)
    log.debug("secret header %s", SECRET)
    try:
        raise RuntimeError(f"failed with {TOKEN}")
    except RuntimeError:
        log.exception("request failed")
    logging.getLogger("httpx").info("HTTP Request: POST https://x/bot%s/sendMessage", TOKEN)
    return stream.getvalue().splitlines()


def test_json_logs_are_one_object_per_event_with_secrets_redacted(captured: io.StringIO) -> None:
    lines = log_everything(captured, "json")
    entries = [json.loads(line) for line in lines]
    assert [e["message"] for e in entries] == [
        "calling https://api.telegram.org/bot<redacted>/getMe",
        "secret header <redacted>",
        "request failed",
    ]
    assert "RuntimeError: failed with <redacted>" in entries[2]["error"]
    assert all({"time", "level", "logger"} <= set(e) for e in entries)


def test_text_logs_redact_secrets_and_keep_httpx_quiet(captured: io.StringIO) -> None:
    text = "\n".join(log_everything(captured, "text"))
    assert TOKEN not in text
    assert SECRET not in text
    assert "never-in-a-log" not in text
    assert "HTTP Request" not in text  # httpx logs every URL at INFO: kept at WARNING


@pytest.mark.parametrize("style", ["text", "json"])
def test_exception_messages_show_at_debug_only(captured: io.StringIO, style: str) -> None:
    said = "my hero Zebulonia taught me"
    for level in ("INFO", "DEBUG"):
        logs.configure(level, [], style)
        logging.getLogger().handlers[0].setStream(captured)  # type: ignore[attr-defined]
        try:
            try:
                raise KeyError(said)
            except KeyError as error:
                raise ValueError(f"could not store {said!r}") from error
        except ValueError:
            logging.getLogger("test").exception("turn failed")
        written, _ = captured.getvalue(), captured.truncate(0)
        captured.seek(0)
        assert "turn failed" in written
        # Both exceptions of the chain are named; the frames stay.
        assert "ValueError" in written
        assert "KeyError" in written
        assert ("Zebulonia" in written) == (level == "DEBUG")
