"""The fake server: its lifecycle, one request's path, the faults, the recorded calls."""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import unquote, urlsplit

from testkit.fakebotapi.methods import BotApiMethods
from testkit.fakebotapi.records import DEFAULT_TOKEN, DESCRIPTIONS, ApiError, Call, Fault
from testkit.fakebotapi.state import wall_clock
from testkit.fakebotapi.users import UserActions
from testkit.fakebotapi.wire import ClientGoneError, Handler, Request, Server

_API_PATH = re.compile(r"/bot(?P<token>[^/]*)/(?P<method>[^/]*)/?")


class FakeBotApi(UserActions, BotApiMethods):
    """A fake Telegram Bot API server on ``127.0.0.1`` (a free port).

    The HTTP server answers on its own threads while the test thread injects updates and
    reads calls; every change notifies one condition, so :meth:`wait_for` wakes at once.
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "mentor_coach_test_bot",
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] = wall_clock,
    ) -> None:
        super().__init__(token, bot_username, clock)
        self.host = host
        self._port = port
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._conn_threads: list[threading.Thread] = []
        self._connections: set[socket.socket] = set()
        self._busy: set[socket.socket] = set()
        self._server_errors: list[str] = []
        self._calls: list[Call] = []
        self._faults: dict[str, list[Fault]] = {}
        self._latency = 0.0

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeBotApi:
        """Start serving. After :meth:`stop` this restarts on the same port with all state kept
        (a Telegram outage: the bot sees connection errors in between)."""
        if self._server is not None:
            raise RuntimeError("FakeBotApi already started")
        self._closing = False
        self._server = Server(self, self.host, self._port)
        self._port = int(self._server.server_address[1])
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fakebotapi-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop serving: wake long polls and delays, close open connections, join threads."""
        server = self._server
        if server is None:
            return
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        server.shutdown()
        deadline = time.monotonic() + timeout
        with self._cond:
            # Requests in flight finish promptly (long polls and delays wake on _closing);
            # let them write their answers, then hang up on idle keep-alive connections.
            self._cond.wait_for(lambda: not self._busy, max(0.0, deadline - time.monotonic()))
            connections = list(self._connections)
            threads = list(self._conn_threads)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        for thread in [*threads, self._thread]:
            if thread is not None:
                thread.join(max(0.0, deadline - time.monotonic()))
        server.server_close()
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeBotApi:
        return self.start()

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        self.stop()
        if exc_type is None and self._server_errors:
            raise AssertionError(
                "FakeBotApi crashed while serving:\n" + "\n".join(self._server_errors)
            )

    @property
    def port(self) -> int:
        if not self._port:
            raise RuntimeError("FakeBotApi was never started")
        return self._port

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``: the server root (the bot's TELEGRAM_API_URL)."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """What to pass as PTB's ``base_url`` (PTB appends the token)."""
        return f"{self.url}/bot"

    @property
    def server_errors(self) -> list[str]:
        with self._cond:
            return list(self._server_errors)

    def _track_thread(self, thread: threading.Thread) -> None:
        with self._cond:
            self._conn_threads = [t for t in self._conn_threads if t.is_alive()]
            self._conn_threads.append(thread)

    def _connection_opened(self, conn: socket.socket) -> None:
        with self._cond:
            self._connections.add(conn)
        if self._closing:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def _connection_closed(self, conn: socket.socket) -> None:
        with self._cond:
            self._connections.discard(conn)

    def _server_error(self, text: str) -> None:
        with self._cond:
            self._server_errors.append(text)
            self._cond.notify_all()

    def _sleep(self, seconds: float) -> None:
        """A sleep that ends early when the server shuts down."""
        if seconds > 0:
            with self._cond:
                self._cond.wait_for(lambda: self._closing, seconds)

    # ------------------------------------------------------------------ one request

    def _serve(self, handler: Handler) -> None:
        with self._cond:
            self._busy.add(handler.connection)
        try:
            answer = self._answer(handler)
            if answer is None:
                handler.hang_up()
            else:
                handler.send_json(*answer)
        finally:
            with self._cond:
                self._busy.discard(handler.connection)
                self._cond.notify_all()

    def _answer(self, handler: Handler) -> tuple[int, dict[str, Any]] | None:
        """The status and JSON to answer with; None to hang up without an answer."""
        at = time.monotonic()
        request = Request(handler)
        match = _API_PATH.fullmatch(urlsplit(handler.path).path)
        if match is None:
            return 404, ApiError(404, "Not Found").payload()
        method = unquote(match.group("method"))
        params: dict[str, Any] = {}
        files: dict[str, Any] = {}
        parse_error: ApiError | None = None
        try:
            params, files = request.params()
        except ApiError as error:
            parse_error = error
        except ValueError as error:
            parse_error = ApiError(400, f"Bad Request: can't parse request: {error}")
        self._sleep(self._latency)

        def record(name: str, status: int, response: dict[str, Any] | None) -> None:
            with self._cond:
                self._calls.append(Call(name, params, at, status, response, files))
                self._cond.notify_all()

        if unquote(match.group("token")) != self.token:
            payload = ApiError(401, "Unauthorized").payload()
            record(method, 401, payload)
            return 401, payload
        if method.lower() not in self._methods:
            payload = ApiError(404, "Not Found").payload()
            record(method, 404, payload)
            return 404, payload
        name, run = self._methods[method.lower()]
        fault = self._take_fault(name)
        if fault is not None and fault.kind == "drop" and not fault.applied:
            record(name, 0, None)  # it never reached Telegram
            return None
        if fault is not None and fault.error is not None:
            payload = fault.error.payload()
            record(name, fault.error.status, payload)
            return fault.error.status, payload
        try:
            if parse_error is not None:
                raise parse_error
            with self._cond:
                result = run(params, request)
                self._cond.notify_all()
            status, payload = 200, {"ok": True, "result": result}
        except ApiError as error:
            status, payload = error.status, error.payload()
        except ClientGoneError:
            record(name, 499, None)
            return None
        except Exception:  # a bug in the fake: answer like a broken server, report on exit
            self._server_error(traceback.format_exc())
            status, payload = 500, ApiError(500, "Internal Server Error").payload()
        if fault is not None and fault.kind == "drop":  # applied, but the answer is lost
            record(name, 0, payload)
            return None
        record(name, status, payload)
        if fault is not None:  # a delay: the call took effect, its answer comes late
            self._sleep(fault.seconds)
        return status, payload

    # ------------------------------------------------------------------ fault injection

    def fail(
        self,
        method: str,
        status: int,
        description: str | None = None,
        *,
        retry_after: int | None = None,
        times: int = 1,
        parameters: Mapping[str, Any] | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with an error.

        ``description`` defaults to Telegram's usual text for ``status``; ``retry_after`` adds
        ``"parameters": {"retry_after": n}`` (PTB's ``RetryAfter``); ``parameters`` adds others.
        """
        if description is None and status == 429:
            description = f"Too Many Requests: retry after {retry_after or 1}"
        merged = dict(parameters or {})
        if retry_after is not None:
            merged["retry_after"] = retry_after
        error = ApiError(status, description or DESCRIPTIONS.get(status, "Error"), merged)
        self._add_fault(method, Fault("fail", times, error=error))

    def delay(self, method: str, seconds: float, times: int = 1) -> None:
        """Hold the answer of the next ``times`` calls of ``method`` for ``seconds``.

        The call takes effect first (Telegram got it), so a delayed ``sendMessage`` still
        delivers its message even if the client times out.
        """
        self._add_fault(method, Fault("delay", times, seconds=seconds))

    def drop_connection(self, method: str, times: int = 1, *, applied: bool = False) -> None:
        """Close the socket without answering the next ``times`` calls of ``method``.

        By default the request has no effect (it "never reached Telegram"); with
        ``applied=True`` it takes effect and only the answer is lost.
        """
        self._add_fault(method, Fault("drop", times, applied=applied))

    def set_latency(self, seconds: float) -> None:
        """Add ``seconds`` before every answer (all methods)."""
        self._latency = max(0.0, seconds)

    def _add_fault(self, method: str, fault: Fault) -> None:
        if fault.times < 1:
            raise ValueError("times must be >= 1")
        with self._cond:
            self._faults.setdefault(method.lower(), []).append(fault)

    def _take_fault(self, method: str) -> Fault | None:
        with self._cond:
            queue = self._faults.get(method.lower())
            if not queue:
                return None
            fault = queue[0]
            fault.times -= 1
            if fault.times <= 0:
                queue.pop(0)
            return fault

    # ------------------------------------------------------------------ recorded calls

    @property
    def calls(self) -> list[Call]:
        """A snapshot of all calls so far, in the order they were answered."""
        with self._cond:
            return list(self._calls)

    def calls_to(self, method: str) -> list[Call]:
        with self._cond:
            return [c for c in self._calls if c.method.lower() == method.lower()]

    def clear_calls(self) -> None:
        with self._cond:
            self._calls.clear()

    # ------------------------------------------------------------------ waiting

    def wait_for(
        self,
        predicate: Callable[[FakeBotApi], Any],
        timeout: float = 10.0,
        *,
        description: str | None = None,
    ) -> Any:
        """Block until ``predicate(api)`` is truthy and return its value.

        AssertionError and LookupError raised by the predicate count as "not yet". On timeout
        raises AssertionError with the last 20 calls, so a failure reads well.
        """
        deadline = time.monotonic() + timeout
        last_error: BaseException | None = None
        with self._cond:
            while True:
                try:
                    if value := predicate(self):
                        return value
                except (AssertionError, LookupError) as error:
                    last_error = error
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            calls, total = self._calls[-20:], len(self._calls)
            pending, errors = len(self._queue), list(self._server_errors)
        what = description or getattr(predicate, "__name__", "predicate")
        lines = [f"timed out after {timeout}s waiting for {what}"]
        if last_error is not None:
            lines.append(f"last predicate error: {last_error!r}")
        lines.append(f"last {len(calls)} of {total} calls (pending updates: {pending}):")
        lines += [f"  {call.summary()}" for call in calls]
        if errors:
            lines += ["fake server errors:", *errors]
        raise AssertionError("\n".join(lines))

    async def wait_for_async(
        self,
        predicate: Callable[[FakeBotApi], Any],
        timeout: float = 10.0,  # noqa: ASYNC109 - runs the blocking wait in a thread
        *,
        description: str | None = None,
    ) -> Any:
        """:meth:`wait_for` without blocking the event loop."""
        return await asyncio.to_thread(self.wait_for, predicate, timeout, description=description)

    def wait_for_messages(
        self, chat_id: int, count: int = 1, timeout: float = 10.0
    ) -> list[dict[str, Any]]:
        """Wait until the bot sent at least ``count`` messages to ``chat_id``; return them all."""

        def enough(api: FakeBotApi) -> list[dict[str, Any]] | None:
            messages = api.messages_to(chat_id)
            return messages if len(messages) >= count else None

        return self.wait_for(enough, timeout, description=f"{count} message(s) to chat {chat_id}")

    def wait_for_call(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """Wait until ``method`` was called at least ``count`` times; return those calls."""

        def enough(api: FakeBotApi) -> list[Call] | None:
            calls = api.calls_to(method)
            return calls if len(calls) >= count else None

        return self.wait_for(enough, timeout, description=f"{count} call(s) to {method}")
