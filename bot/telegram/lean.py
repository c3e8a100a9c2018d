"""Text messages (reminders and the outbox's replies) sent on a lean path:
python-telegram-bot's own request pipeline and error mapping (429 raises RetryAfter, 403
Forbidden, 400 BadRequest), on a small HTTP/1.1 client, without building a Message that
nothing reads.

Why (py-spy, docs/benchmarks.md, 2026-11-29): 61% of a dispatcher's CPU went into
`Bot.send_message`, 43% of it into httpx and httpcore (the client's layers, anyio's
socket wrappers, and a poll of every pooled connection's socket for each request), 7%
into parsing the returned Message.

A transport failure is raised as HTTPXRequest raises it, a TimedOut or NetworkError
caused by the httpx error of the same meaning, so that TelegramSender tells "never left"
from "may have arrived" exactly as it does for httpx: only a refused connection, or a
timeout while connecting, waiting for a connection or writing, counts as not sent.
"""

from __future__ import annotations

import asyncio
import select
import ssl
import time
from functools import partial
from typing import Any
from urllib.parse import urlsplit
from urllib.request import getproxies

import certifi
import httpx
from telegram import Bot
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.telegram.sending import Delivery, Sent, TelegramSender
from bot.telegram.translate import render
from dialogs.model import Reply

KEEPALIVE = 5.0  # seconds an idle connection is kept (httpcore's default too)
_FORM = "application/x-www-form-urlencoded"


def lean_enabled(api_url: str) -> bool:
    """False when the environment names a proxy for the Bot API's scheme, as httpx would
    honour (HTTPS_PROXY, ALL_PROXY, ...): LeanRequest connects directly only."""
    proxies = getproxies()
    return urlsplit(api_url).scheme not in proxies and "all" not in proxies


class _Connection:
    __slots__ = ("idle_since", "reader", "writer")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.idle_since = 0.0

    def reusable(self, now: float) -> bool:
        """Not closed by the server while idle, nor idle so long that it may be about to.

        The socket is polled too (as httpcore does), one poll per request: the event loop
        may not have read the server's hang-up yet, and a request written to a closed
        connection would be counted uncertain, never sent again."""
        if now - self.idle_since >= KEEPALIVE or self.reader.at_eof() or self.writer.is_closing():
            return False
        sock = self.writer.get_extra_info("socket")
        if sock is None:
            return False
        readable, _, _ = select.select([sock.fileno()], [], [], 0)
        return not readable

    def close(self) -> None:
        self.writer.close()


class LeanRequest(BaseRequest):
    """PTB's networking backend (a BaseRequest) on asyncio streams: HTTP/1.1 with keep-alive,
    form-encoded bodies like HTTPXRequest's, at most `connections` at once. No uploads and
    no proxy: used only when no proxy is configured (see `lean_enabled`); pictures and
    files go through the ordinary Bot."""

    def __init__(
        self,
        connections: int = 8,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 5.0,
        write_timeout: float = 5.0,
        pool_timeout: float = 1.0,
    ) -> None:
        self._slots = asyncio.Semaphore(connections)
        self._idle: list[_Connection] = []  # the most recently used last
        self._timeouts = {
            "connect": connect_timeout,
            "read": read_timeout,
            "write": write_timeout,
            "pool": pool_timeout,
        }
        self._ssl: ssl.SSLContext | None = None
        self._targets: dict[str, tuple[str, int, bool, bytes]] = {}

    @property
    def read_timeout(self) -> float | None:
        return self._timeouts["read"]

    async def initialize(self) -> None:
        """Nothing to open: connections are made on demand."""

    async def shutdown(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()

    async def do_request(  # noqa: PLR0917 (BaseRequest's signature)
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if request_data is not None and request_data.contains_files:
            raise NetworkError("LeanRequest sends no files: use HTTPXRequest for uploads")
        host, port, tls, path = self._target(url)
        body = request_data.url_encoded_parameters().encode() if request_data else b""
        head = (
            b"%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nContent-Type: %s\r\n"
            b"Content-Length: %d\r\n\r\n"
            % (
                method.encode(),
                path,
                host.encode("idna"),
                self.USER_AGENT.encode(),
                _FORM.encode(),
                len(body),
            )
        )
        timeouts = self._timeouts
        pool = _given(pool_timeout, timeouts["pool"])
        try:
            if self._slots.locked():  # a timeout's scheduling only when it may wait
                async with asyncio.timeout(pool):
                    await self._slots.acquire()
            else:
                await self._slots.acquire()
        except TimeoutError as error:
            raise TimedOut(
                "Pool timeout: all connections are in use. The request was *not* sent."
            ) from _cause(httpx.PoolTimeout, error)
        try:
            connection = await self._connection(
                host, port, tls, _given(connect_timeout, timeouts["connect"])
            )
            return await self._exchange(
                connection,
                head + body,
                _given(write_timeout, timeouts["write"]),
                _given(read_timeout, timeouts["read"]),
            )
        finally:
            self._slots.release()

    def _target(self, url: str) -> tuple[str, int, bool, bytes]:
        target = self._targets.get(url)
        if target is None:
            parts = urlsplit(url)
            tls = parts.scheme == "https"
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            target = (parts.hostname or "", parts.port or (443 if tls else 80), tls, path.encode())
            if len(self._targets) < 64:  # one URL per Bot API method in practice
                self._targets[url] = target
        return target

    async def _connection(
        self, host: str, port: int, tls: bool, within: float | None
    ) -> _Connection:
        now = time.monotonic()
        while self._idle:
            connection = self._idle.pop()
            if connection.reusable(now):
                return connection
            connection.close()
        if tls and self._ssl is None:
            self._ssl = ssl.create_default_context(cafile=certifi.where())
        try:
            async with asyncio.timeout(within):
                reader, writer = await asyncio.open_connection(
                    host, port, ssl=self._ssl if tls else None
                )
        except TimeoutError as error:
            raise TimedOut("Timed out connecting") from _cause(httpx.ConnectTimeout, error)
        except OSError as error:
            raise NetworkError(f"httpx.ConnectError: {error}") from _cause(
                httpx.ConnectError, error
            )
        return _Connection(reader, writer)

    async def _exchange(
        self, connection: _Connection, request: bytes, write: float | None, read: float | None
    ) -> tuple[int, bytes]:
        """Writes one request, reads its response; keeps the connection if both went well."""
        reader, writer = connection.reader, connection.writer
        try:
            try:
                writer.write(request)
                transport = writer.transport
                # Written already, unless some is buffered or the connection is going (then
                # drain raises).
                if transport.get_write_buffer_size() or transport.is_closing():
                    async with asyncio.timeout(write):
                        await writer.drain()
            except TimeoutError as error:
                raise TimedOut("Timed out writing") from _cause(httpx.WriteTimeout, error)
            except OSError as error:
                raise NetworkError(f"httpx.WriteError: {error}") from _cause(
                    httpx.WriteError, error
                )
            try:
                async with asyncio.timeout(read):
                    status, keep, body = await _response(reader)
            except TimeoutError as error:
                raise TimedOut("Timed out reading") from _cause(httpx.ReadTimeout, error)
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as error:
                raise NetworkError(f"httpx.ReadError: {error!r}") from _cause(
                    httpx.ReadError, error
                )
            except ValueError as error:
                raise NetworkError(f"httpx.RemoteProtocolError: {error}") from _cause(
                    httpx.RemoteProtocolError, error
                )
        except BaseException:
            connection.close()  # a half-read answer would be read by the next request
            raise
        if keep:
            connection.idle_since = time.monotonic()
            self._idle.append(connection)
        else:
            connection.close()
        return status, body


async def _response(reader: asyncio.StreamReader) -> tuple[int, bool, bytes]:
    """Reads one HTTP/1.1 response: its status, whether the connection stays open, its body.

    Raises ValueError for anything that is not a well-formed response."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    version, _, rest = lines[0].partition(" ")
    if not version.startswith("HTTP/1."):
        raise ValueError(f"not an HTTP/1.x response: {lines[0][:80]!r}")
    status = int(rest[:3])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    keep = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
    if "chunked" in headers.get("transfer-encoding", "").lower():
        return status, keep, await _chunked(reader)
    length = headers.get("content-length")
    if length is not None:
        return status, keep, await reader.readexactly(int(length))
    if status in (204, 304) or 100 <= status < 200:
        return status, keep, b""
    return status, False, await reader.read()  # delimited by the server closing


async def _chunked(reader: asyncio.StreamReader) -> bytes:
    chunks: list[bytes] = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        if size == 0:
            while await reader.readuntil(b"\r\n") != b"\r\n":
                pass  # trailers
            return b"".join(chunks)
        chunks.append(await reader.readexactly(size))
        await reader.readexactly(2)


def _given(value: object, default: float | None) -> float | None:
    return default if isinstance(value, DefaultValue) else value  # type: ignore[return-value]


def _cause(kind: type[httpx.TransportError], error: BaseException) -> httpx.TransportError:
    cause = kind(str(error) or type(error).__name__)
    cause.__cause__ = error
    return cause


class LeanSender(TelegramSender):
    """Sends text replies through `lean` (a Bot on LeanRequest) with `Bot._post`, which
    returns the answer's JSON instead of building a Message from it; pictures and files
    go through the ordinary `bot`. Outcomes are judged by TelegramSender.call, as ever."""

    def __init__(self, bot: Bot, lean: Bot, sleep: Any) -> None:
        super().__init__(bot, sleep)
        self.lean = lean

    async def send(self, chat_id: int, reply: Reply) -> Sent:
        if reply.chart is not None or reply.document is not None:
            return await super().send(chat_id, reply)
        result: Sent | None = None
        for arguments in render(reply):
            result = await self.call(
                partial(self.lean._post, "sendMessage", {"chat_id": chat_id, **arguments})
            )
            if result.delivery is not Delivery.SENT:
                return result
        assert result is not None  # render gives at least one part
        return result
