"""The HTTP servers of `mentor-coach webhook`, hardened against slow and silent clients.

Uvicorn closes an idle connection only after a response (its keep-alive timeout): a
socket that never finishes a request head is held forever, and 300 such sockets took a
replica down. `HeadTimeoutProtocol` closes a connection that has not sent a complete
head within `head_timeout` seconds of opening or of its previous response, or whose
head grows beyond `head_limit` bytes. The body has its own timeout in the app.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

# Telegram's request heads are well under 1 KB; 64 KB leaves room for any proxy.
HEAD_LIMIT = 65_536


class HeadTimeoutProtocol(HttpToolsProtocol):
    head_timeout = 10.0
    head_limit = HEAD_LIMIT

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_timer: asyncio.TimerHandle | None = None
        self._head_bytes = 0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._await_head()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._head_timer is not None:  # still no complete head after this data
            self._head_bytes += len(data)
            if self._head_bytes > self.head_limit:
                self._close()

    def on_headers_complete(self) -> None:
        self._stop_waiting()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and not self.pipeline:
            self._await_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_waiting()
        super().connection_lost(exc)

    def _await_head(self) -> None:
        self._stop_waiting()
        waiting_after = self.cycle  # None, or the request just answered
        self._head_timer = self.loop.call_later(
            self.head_timeout, self._head_overdue, waiting_after
        )

    def _head_overdue(self, waiting_after: object) -> None:
        self._head_timer = None
        if self.cycle is waiting_after:  # no new request head arrived meanwhile
            self._close()

    def _stop_waiting(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        self._head_bytes = 0

    def _close(self) -> None:
        self._stop_waiting()
        if not self.transport.is_closing():
            self.transport.close()


def protocol(head_timeout: float) -> type[HeadTimeoutProtocol]:
    """Returns the protocol class with this head timeout (uvicorn builds one per connection)."""
    return type("HeadTimeout", (HeadTimeoutProtocol,), {"head_timeout": head_timeout})


class QuietServer(uvicorn.Server):
    """A server that leaves the signals to another (two servers can't both own them)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield
