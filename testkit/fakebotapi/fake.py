"""The fake server: its lifecycle, one request's path, the faults, the recorded calls."""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from functools import partial
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote, urlsplit

from testkit.fakebotapi.methods import BotApiMethods
from testkit.fakebotapi.records import DEFAULT_TOKEN, DESCRIPTIONS, ApiError, Call, Fault
from testkit.fakebotapi.users import UserActions
from testkit.fakebotapi.wire import ClientGoneError, Handler, Request, Server

_API_PATH = re.compile(r"/bot(?P<token>[^/]*)/(?P<method>[^/]*)/?")


class FakeBotApi(UserActions, BotApiMethods):
    """A fake Telegram Bot API server on 127.0.0.1 (a free port), answering on threads of its
    own while a test injects updates, injects faults and reads the recorded calls."""

    def __init__(self, token: str = DEFAULT_TOKEN) -> None:
        super().__init__(token)
        self._port = 0
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        self._busy: set[socket.socket] = set()  # connections with a request in hand
        self._server_errors: list[str] = []
        self._calls: list[Call] = []
        self._faults: dict[str, list[Fault]] = {}
        self._latency = 0.0

    def start(self) -> FakeBotApi:
        """Start serving; after :meth:`stop`, on the same port with all state kept (an outage)."""
        self._closing = False
        self._server = Server(self, "127.0.0.1", self._port)
        self._port = int(self._server.server_address[1])
        serve = partial(self._server.serve_forever, poll_interval=0.05)
        self._thread = threading.Thread(target=serve, name="fakebotapi", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop serving: wake long polls and delays, let them answer, hang up on the rest."""
        if self._server is None or self._thread is None:
            return
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        self._server.shutdown()
        with self._cond:
            self._cond.wait_for(lambda: not self._busy, timeout)
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        self._thread.join(timeout)
        self._server.server_close()
        self._server = self._thread = None

    def __enter__(self) -> FakeBotApi:
        return self.start()

    def __exit__(self, exc_type: object, *_: object) -> None:
        self.stop()
        if exc_type is None and self._server_errors:
            raise AssertionError("FakeBotApi failed:\n" + "\n".join(self._server_errors))

    @property
    def url(self) -> str:
        """The server root: the bot's TELEGRAM_API_URL."""
        return f"http://127.0.0.1:{self._port}"

    @property
    def base_url(self) -> str:
        """What to pass as PTB's ``base_url`` (PTB appends the token)."""
        return f"{self.url}/bot"

    @property
    def server_errors(self) -> list[str]:
        with self._cond:
            return list(self._server_errors)

    def _server_error(self, text: str) -> None:
        with self._cond:
            self._server_errors.append(text)
            self._cond.notify_all()

    def _sleep(self, seconds: float) -> None:
        """A sleep that ends early when the server shuts down."""
        with self._cond:
            self._cond.wait_for(lambda: self._closing, seconds)

    def _serve(self, handler: Handler) -> None:
        with self._cond:
            self._busy.add(handler.connection)
        try:
            answer = self._answer(handler)
            handler.hang_up() if answer is None else handler.send_json(*answer)
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
        params: dict[str, Any] = {}
        files: dict[str, Any] = {}
        parse_error: Exception | None = None
        try:
            params, files = request.params()
        except (ApiError, ValueError) as error:
            parse_error = error
        self._sleep(self._latency)
        name = unquote(match.group("method"))
        known = self._methods.get(name.lower())
        allowed = unquote(match.group("token")) == self.token
        fault = self._take_fault(name) if allowed and known else None
        status, payload = 200, None
        try:
            if not allowed:
                raise ApiError(401, "Unauthorized")
            if known is None:
                raise ApiError(404, "Not Found")
            name, run = known
            if fault is not None and fault.error is not None:
                raise fault.error
            if parse_error is not None:
                raise parse_error
            if fault is None or fault.kind != "drop" or fault.applied:
                with self._cond:
                    payload = {"ok": True, "result": run(params, request)}
                    self._cond.notify_all()
        except ApiError as error:
            status, payload = error.status, error.payload()
        except ValueError as error:
            status, payload = 400, ApiError(400, f"Bad Request: {error}").payload()
        except ClientGoneError:
            status = 499
        except Exception:  # a bug in the fake: answer like a broken server, report on exit
            self._server_error(traceback.format_exc())
            status, payload = 500, ApiError(500, "Internal Server Error").payload()
        if fault is not None and fault.kind == "drop":
            status = 0  # the answer is lost (and with it the call, unless applied)
        with self._cond:
            self._calls.append(Call(name, params, at, status, payload, files))
            self._cond.notify_all()
        if status in (0, 499):
            return None
        if fault is not None:  # a delay: the call took effect, its answer comes late
            self._sleep(fault.seconds)
        return status, payload or {}

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
        """Answer the next ``times`` calls of ``method`` with an error: by default Telegram's
        usual text for ``status``; ``retry_after`` makes it PTB's ``RetryAfter``."""
        if description is None and status == 429:
            description = f"Too Many Requests: retry after {retry_after or 1}"
        description = description or DESCRIPTIONS.get(status) or HTTPStatus(status).phrase
        extra = {"retry_after": retry_after} if retry_after is not None else {}
        error = ApiError(status, description, {**(parameters or {}), **extra})
        self._add_fault(method, times, Fault("fail", error=error))

    def delay(self, method: str, seconds: float, times: int = 1) -> None:
        """Hold the answer of the next ``times`` calls of ``method`` for ``seconds``; the call
        takes effect first, so a delayed ``sendMessage`` delivers even if the client gives up."""
        self._add_fault(method, times, Fault("delay", seconds=seconds))

    def drop_connection(self, method: str, times: int = 1, *, applied: bool = False) -> None:
        """Hang up without answering the next ``times`` calls of ``method``: by default they
        never reached Telegram; with ``applied=True`` they took effect and the answer is lost."""
        self._add_fault(method, times, Fault("drop", applied=applied))

    def set_latency(self, seconds: float) -> None:
        """Add ``seconds`` before every answer (all methods)."""
        self._latency = max(0.0, seconds)

    def clear_faults(self) -> None:
        """Drop every fault still waiting: the calls from now on are answered normally."""
        with self._cond:
            self._faults.clear()

    def _add_fault(self, method: str, times: int, fault: Fault) -> None:
        with self._cond:
            self._faults.setdefault(method.lower(), []).extend([fault] * times)

    def _take_fault(self, method: str) -> Fault | None:
        with self._cond:
            queue = self._faults.get(method.lower())
            return queue.pop(0) if queue else None

    @property
    def calls(self) -> list[Call]:
        """A snapshot of all calls so far, in the order they were answered."""
        with self._cond:
            return list(self._calls)

    def calls_to(self, method: str) -> list[Call]:
        with self._cond:
            return [c for c in self._calls if c.method.lower() == method.lower()]

    def wait_for(
        self,
        predicate: Callable[[FakeBotApi], Any],
        timeout: float = 10.0,
        *,
        description: str | None = None,
    ) -> Any:
        """Block until ``predicate(api)`` is truthy and return its value. AssertionError and
        LookupError from the predicate mean "not yet"; on timeout an AssertionError shows the
        last 20 calls, so that a failure reads well."""
        deadline = time.monotonic() + timeout
        last_error: BaseException | None = None
        with self._cond:
            while True:
                try:
                    if value := predicate(self):
                        return value
                except (AssertionError, LookupError) as error:
                    last_error = error
                if (remaining := deadline - time.monotonic()) <= 0:
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
        raise AssertionError("\n".join(lines + errors))

    def wait_for_messages(
        self, chat_id: int, count: int = 1, timeout: float = 10.0
    ) -> list[dict[str, Any]]:
        """Wait until the bot sent at least ``count`` messages to ``chat_id``; return them all."""
        what = f"{count} message(s) to chat {chat_id}"
        return self._wait_for_count(lambda: self.messages_to(chat_id), count, timeout, what)

    def wait_for_call(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """Wait until ``method`` was called at least ``count`` times; return those calls."""
        what = f"{count} call(s) to {method}"
        return self._wait_for_count(lambda: self.calls_to(method), count, timeout, what)

    def _wait_for_count(
        self, found: Callable[[], list[Any]], count: int, timeout: float, what: str
    ) -> list[Any]:
        enough = lambda _: (got := found()) and len(got) >= count and got  # noqa: E731
        result: list[Any] = self.wait_for(enough, timeout, description=what)
        return result
