"""`mentor-coach webhook` as a process, attacked at the socket: idle, slow-header,
oversized-header and slow-body connections are closed, and /healthz and /metrics are
not on the public port (issue 9, item 8)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from testkit.fakebotapi import FakeBotApi

pytestmark = pytest.mark.e2e

TOKEN = "4242:server-test-token"
SECRET = "server-test-secret"
TIMEOUT = 0.5  # seconds: the head, body and keep-alive timeouts of the server under test


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Webhook:
    def __init__(self, public: int, service: int) -> None:
        self.public, self.service = public, service

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.public), timeout=10)


@pytest.fixture(scope="module")
def webhook(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Webhook]:
    workdir = tmp_path_factory.mktemp("webhook")
    public, service = free_port(), free_port()
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_HOST": "127.0.0.1",
        "WEBHOOK_PORT": str(public),
        "SERVICE_PORT": str(service),
        "WEBHOOK_HEADER_TIMEOUT": str(TIMEOUT),
        "WEBHOOK_BODY_TIMEOUT": str(TIMEOUT),
        "WEBHOOK_KEEP_ALIVE": str(TIMEOUT),
        "DATA_DIR": str(workdir / "data"),
        "LOG_LEVEL": "DEBUG",
    }
    script = Path(sys.executable).with_name("mentor-coach")
    with FakeBotApi(token=TOKEN) as api, (workdir / "webhook.log").open("ab") as log:
        env["TELEGRAM_API_URL"] = api.url
        process = subprocess.Popen(
            [str(script), "webhook"], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=workdir
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                assert process.poll() is None, (workdir / "webhook.log").read_text()
                try:
                    httpx.get(f"http://127.0.0.1:{public}/", timeout=1)
                    break
                except httpx.HTTPError:
                    assert time.monotonic() < deadline, "the webhook did not start"
                    time.sleep(0.1)
            yield Webhook(public, service)
        finally:
            process.terminate()
            process.wait(timeout=30)


def closed_within(connection: socket.socket, seconds: float) -> bytes | None:
    """What the server sent before closing, or None if it kept the socket open."""
    connection.settimeout(seconds)
    received = b""
    try:
        while chunk := connection.recv(4096):
            received += chunk
    except TimeoutError:
        return None
    except ConnectionResetError:
        pass
    return received


def test_an_idle_connection_is_closed(webhook: Webhook) -> None:
    with webhook.connect() as idle:
        assert closed_within(idle, TIMEOUT * 10) == b""


def test_a_head_sent_slowly_is_cut_off(webhook: Webhook) -> None:
    with webhook.connect() as slow:
        slow.sendall(b"POST /telegram HTTP/1.1\r\nHost: x\r\n")
        assert closed_within(slow, TIMEOUT * 10) == b""


def test_a_head_too_large_is_cut_off(webhook: Webhook) -> None:
    with webhook.connect() as large:
        large.sendall(b"POST /telegram HTTP/1.1\r\nHost: x\r\n")
        with contextlib.suppress(OSError):  # the server may close while we still send
            for _ in range(100):
                large.sendall(b"x-padding: " + b"p" * 1000 + b"\r\n")
        answer = closed_within(large, TIMEOUT * 10)
    assert answer is not None
    assert not answer.startswith(b"HTTP/1.1 2")


def test_a_body_sent_slowly_gets_408(webhook: Webhook) -> None:
    with webhook.connect() as slow:
        slow.sendall(
            b"POST /telegram HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\n"
            b"x-telegram-bot-api-secret-token: " + SECRET.encode() + b"\r\n"
            b"content-length: 100\r\n\r\n" + b'{"update_id": 1, '
        )
        answer = closed_within(slow, TIMEOUT * 10)
    assert answer is not None
    assert answer.startswith(b"HTTP/1.1 408")


def test_a_kept_alive_connection_is_closed_when_idle(webhook: Webhook) -> None:
    with webhook.connect() as kept:
        kept.sendall(b"GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = closed_within(kept, TIMEOUT * 10)
    assert answer is not None
    assert answer.startswith(b"HTTP/1.1 404")


def test_health_and_metrics_are_not_on_the_public_port(webhook: Webhook) -> None:
    public = f"http://127.0.0.1:{webhook.public}"
    service = f"http://127.0.0.1:{webhook.service}"
    assert httpx.get(f"{public}/healthz").status_code == 404
    assert httpx.get(f"{public}/metrics").status_code == 404
    assert httpx.get(f"{service}/healthz").json() == {"status": "ok"}
    assert "mentor_coach_updates_received_total" in httpx.get(f"{service}/metrics").text
