"""`mentor-coach webhook`: an ASGI app that stores each update before it says 200,
and inbox workers that handle the stored updates.

python-telegram-bot's own webhook server acknowledges an update before it is
processed and drops its queue on stop; here the 200 means "committed to the
inbox", so a replica that dies after answering loses nothing: any replica's
workers pick the update up. Several replicas share one PostgreSQL.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import math
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import uvicorn
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram import Bot, Update
from telegram.error import TelegramError

from bot.app import App, first
from bot.bootstrap import build, set_commands, stop_on_signals
from bot.metrics import (
    DEAD_LETTERS,
    INBOX_DEPTH,
    OUTBOX_DEPTH,
    OUTBOX_UNCERTAIN,
    PROCESSING_SECONDS,
    REGISTRY,
    UPDATES_DEAD,
    UPDATES_DUPLICATE,
    UPDATES_FAILED,
    UPDATES_PROCESSED,
    UPDATES_RECEIVED,
)
from bot.serving import QuietServer, protocol
from bot.settings import Settings
from bot.telegram.gateway import Gateway
from bot.telegram.outbox import messages
from bot.telegram.polling import ALLOWED_UPDATES
from bot.telegram.translate import Incoming, translate
from storage.db import Database, Transactions
from storage.inbox import Inbox, InboxWriter, Notices, Stored, claim_user
from storage.outbox import PENDING, UNCERTAIN, Lone, Queued

log = logging.getLogger(__name__)

SECRET_HEADER = "x-telegram-bot-api-secret-token"  # noqa: S105 - a header name
# The inbox keeps update ids in a signed 64-bit column.
UPDATE_ID_LIMIT = 2**63


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON")


def _finite(text: str) -> float:
    number = float(text)
    if math.isinf(number):  # 1e999: no database column stores it
        raise ValueError("number out of range")
    return number


def parse_json(body: bytes | bytearray) -> Any:
    """Parses strict JSON: no NaN or Infinity, no number too large for a float.

    Nesting too deep raises RecursionError, which the caller refuses like bad JSON.
    """
    return json.loads(body, parse_constant=_refuse_constant, parse_float=_finite)


def make_webhook(app: App, settings: Settings, wake: asyncio.Event) -> Starlette:
    """Builds the public ASGI app: the update endpoint, and nothing else."""
    if settings.webhook_secret is None or not settings.webhook_secret.get_secret_value():
        raise SystemExit("WEBHOOK_SECRET is required in webhook mode (any long random string)")
    secret = settings.webhook_secret.get_secret_value().encode()
    limit = settings.webhook_max_body
    inbox = InboxWriter(app.database)

    async def receive(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, secret):
            return JSONResponse({"error": "forbidden"}, status_code=403)
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return JSONResponse({"error": "expected application/json"}, status_code=415)
        declared = request.headers.get("content-length", "")
        if declared.isdecimal() and int(declared) > limit:
            return JSONResponse({"error": "body too large"}, status_code=413)
        body = bytearray()
        try:
            # A body trickled in slowly would hold a connection (and a task) for ever.
            async with asyncio.timeout(settings.webhook_body_timeout):
                async for chunk in request.stream():
                    body += chunk
                    if len(body) > limit:
                        return JSONResponse({"error": "body too large"}, status_code=413)
        except TimeoutError:
            return JSONResponse(
                {"error": "body too slow"}, status_code=408, headers={"connection": "close"}
            )
        try:
            update = parse_json(body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return JSONResponse({"error": "malformed JSON"}, status_code=400)
        update_id = update.get("update_id") if isinstance(update, dict) else None
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            return JSONResponse({"error": "not an update"}, status_code=400)
        if not 0 <= update_id < UPDATE_ID_LIMIT:
            return JSONResponse({"error": "update_id out of range"}, status_code=400)
        stored = await inbox.add(update_id, update)
        # Only now, with the update committed, does Telegram hear that it arrived.
        (UPDATES_RECEIVED if stored else UPDATES_DUPLICATE).inc()
        wake.set()
        return JSONResponse({"ok": True})

    return Starlette(routes=[Route(settings.webhook_path, receive, methods=["POST"])])


@dataclass
class Health:
    """Whether the database answers, asked at most once per `ttl` seconds: a flood of
    health checks can't take the connections the webhook needs."""

    database: Database
    ttl: float = 1.0
    checked_at: float = -math.inf
    healthy: bool = False
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def check(self) -> bool:
        async with self.lock:  # those who wait meanwhile share the answer
            now = time.monotonic()
            if now - self.checked_at >= self.ttl:
                try:
                    await self.database.ping()
                    self.healthy = True
                except Exception as error:  # any failure to reach the database is unhealthy
                    log.warning("health check failed: %s", type(error).__name__)
                    self.healthy = False
                self.checked_at = time.monotonic()
            return self.healthy


def make_service(app: App) -> Starlette:
    """Builds the service ASGI app, served on SERVICE_HOST:SERVICE_PORT: /healthz and
    /metrics, kept off the public port."""
    health = Health(app.database)

    async def healthz(_request: Request) -> Response:
        if not await health.check():
            return JSONResponse({"status": "database unreachable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    async def metrics(_request: Request) -> Response:
        async with app.database.autocommit() as connection:
            INBOX_DEPTH.set(await Inbox(connection).depth())
            DEAD_LETTERS.set(await Inbox(connection).dead())
        async with app.database.transaction() as store:
            outbox = store.outbox
            OUTBOX_DEPTH.set(await outbox.count(PENDING))
            OUTBOX_UNCERTAIN.set(await outbox.count(UNCERTAIN))
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    return Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/metrics", metrics, methods=["GET"]),
        ]
    )


class AlreadyHandledError(Exception):
    """The update was handled by another replica between our read and our lock."""


@dataclass
class InboxWorker:
    """Handles stored updates: one user at a time, each user's in update_id order.

    One picker asks the database which users have ready updates (storage.inbox.ready:
    nothing missing below them, or settled) and queues them for `handlers` tasks, so an
    update costs one query however many handlers wait. It looks again when the next
    update settles, when one arrives here (`wake`: it may be ready at once, or fill a
    gap) or a handler frees a user while the queue runs low, and when another replica
    releases a user this one skipped.

    A user held by another replica is skipped until it releases them (`Notices`, on
    PostgreSQL) or, in case that word never comes (its process died, or our listening
    connection did), until a retry after `poll` seconds; while not listening, the
    retries back off from a few milliseconds up to `poll`. Waiting costs no queries.
    """

    app: App
    gateway: Gateway
    bot: Bot
    settle: timedelta
    wake: asyncio.Event
    handlers: int = 4
    poll: float = 1.0
    busy: set[str] = field(default_factory=set)
    ready: asyncio.Queue[str | None] = field(default_factory=asyncio.Queue)
    freed: asyncio.Event = field(default_factory=asyncio.Event)
    # Users held elsewhere: loop time of the next try, and the wait before it.
    held: dict[str, tuple[float, float]] = field(default_factory=dict)
    # Users a handler is trying to hold: True once released meanwhile.
    trying: dict[str, bool] = field(default_factory=dict)
    released: asyncio.Event = field(default_factory=asyncio.Event)
    notices: Notices | None = None

    async def run(self, stop: asyncio.Event) -> None:
        tasks = [asyncio.create_task(self.handle()) for _ in range(self.handlers)]
        if self.app.database.backend == "postgresql":
            self.notices = Notices(self.app.database, self.on_released)
            tasks.append(asyncio.create_task(self.notices.run(stop)))
        loop = asyncio.get_running_loop()
        settles_at: float | None = None  # loop time at which the next update settles
        retry_at = 0.0  # loop time at which a user held elsewhere is tried again
        look = True
        while not stop.is_set():
            # Cleared before the query: whatever happens after it wakes us again.
            self.wake.clear()
            self.freed.clear()
            self.released.clear()
            if look:
                try:
                    settles_in = await self.pick()
                except Exception:
                    log.exception("inbox round failed; trying again")
                    settles_in = None
                now = loop.time()
                settles_at = None if settles_in is None else now + settles_in
                # Those due now were just queued: their handler's try decides the next.
                later = [due for due, _wait in self.held.values() if due > now]
                retry_at = min(later, default=now + self.poll)
            # An arrival may be ready at once, or fill the gap that held others back.
            waits: list[Awaitable[object]] = [stop.wait(), self.freed.wait(), self.wake.wait()]
            if settles_at is None:
                # While updates settle, the look when they do finds released users too:
                # a release (one per user served) needs a query of its own only when idle.
                waits.append(self.released.wait())
                waits.append(asyncio.sleep(max(min(retry_at - loop.time(), self.poll), 0)))
            else:
                waits.append(asyncio.sleep(max(min(settles_at, retry_at) - loop.time(), 0)))
            await first(*waits)
            # A handler freed, or an update stored, while plenty of users are still queued
            # needs no query yet: the handlers have work, and the next look finds it.
            look = (
                loop.time() + 0.001 >= min(retry_at, settles_at or math.inf)
                or self.released.is_set()
                or self.ready.qsize() <= self.handlers // 2
            )
        # The handlers finish the user they are on; users still queued stay pending.
        while not self.ready.empty():
            self.busy.discard(self.ready.get_nowait() or "")
        for _ in range(self.handlers):
            self.ready.put_nowait(None)
        await asyncio.gather(*tasks)

    def on_released(self, user_key: str) -> None:
        """`user_key` was released elsewhere ("": anyone may have been)."""
        users = list(self.trying) if not user_key else [user_key]
        for user in users:
            if user in self.trying:
                self.trying[user] = True
        gone = [user for user in (list(self.held) if not user_key else users) if user in self.held]
        for user in gone:
            del self.held[user]
        if gone:
            self.released.set()

    async def pick(self) -> float | None:
        """Queues the users whose updates have settled, but those held elsewhere; returns
        the seconds until the next update settles (None if none is settling)."""
        now = datetime.now(UTC)
        moment = asyncio.get_running_loop().time()
        skipped = {user for user, (due, _wait) in self.held.items() if due > moment}
        async with self.app.database.autocommit() as connection:
            users, settling = await Inbox(connection).waiting_users(
                now - self.settle,
                2 * self.handlers,
                skip=self.busy | skipped,
                share=None if self.notices is None else self.notices.share,
            )
        for user_key in users:
            self.busy.add(user_key)
            self.ready.put_nowait(user_key)
        # A user due to be tried again who no longer waits is no longer held either.
        for user in self.held.keys() - skipped - set(users):
            del self.held[user]
        if settling is None:
            return None
        # At most a poll: other replicas' handlers free users without telling us.
        return min(self.poll, max((settling + self.settle - now).total_seconds(), 0.001))

    async def handle(self) -> None:
        while (user_key := await self.ready.get()) is not None:
            self.trying[user_key] = False
            try:
                await self.serve(user_key)
            except Exception:
                log.exception("inbox worker failed; the update stays in the inbox")
            finally:
                self.trying.pop(user_key, None)
                self.busy.discard(user_key)
                self.freed.set()  # they may have more, and someone may wait behind them

    async def serve(self, user_key: str) -> int:
        """Handles the user's settled updates, holding them until the last replies are
        sent, so they can't be overtaken; returns how many were handled."""
        handled = 0
        settled_before = datetime.now(UTC) - self.settle
        async with claim_user(self.app.database, user_key, settled_before) as claim:
            if claim is None:
                self.skip(user_key)
                return 0
            self.held.pop(user_key, None)
            stored = claim.first
            while stored is not None:
                stored, ok = await self.handle_one(claim.transactions, user_key, stored)
                handled += ok
        return handled

    def skip(self, user_key: str) -> None:
        """Leaves a user held elsewhere alone until they are released."""
        if self.trying.get(user_key):
            return  # released while we tried: try again at once
        listening = self.notices is not None and self.notices.listening
        _due, waited = self.held.get(user_key, (0.0, 0.0))
        wait = self.poll if listening else min(max(2 * waited, 0.01), self.poll)
        self.held[user_key] = (asyncio.get_running_loop().time() + wait, wait)

    async def handle_one(
        self, held: Transactions, user_key: str, stored: Stored
    ) -> tuple[Stored | None, bool]:
        """Handles `stored`, the user's first pending update; returns their next one if
        it has settled (read in the same transaction, no round trip of its own), and
        whether `stored` was handled here."""
        started = time.perf_counter()
        replies = self.gateway.replies
        # A permit now lets the turn's transaction mark its first reply `sending`, so
        # it goes out after the commit without a transaction of its own.
        reserved = await replies.reserve()
        first: Queued | None = None
        lone: Lone | None = None
        committed = False
        try:
            async with held.transaction() as store:
                inbox = store.inbox
                now = datetime.now(UTC)
                update = Update.de_json(stored.payload, self.bot)
                incoming = translate(update)
                outcome = None
                if isinstance(incoming, Incoming):
                    log.debug("update %s: %r", update.update_id, incoming.event)
                    # No update id: the inbox row already makes sure it runs once.
                    outcome = await self.app.turn_in(
                        store, incoming.key, incoming.name, incoming.event
                    )
                    if outcome is not None:
                        # Sent after the commit; lost neither to a crash nor to a 5xx.
                        queued = messages(outcome.replies)
                        worker = replies.worker if reserved else None
                        if len(queued) == 1:  # most turns: added by the turn's last statement
                            lone = Lone(incoming.chat_id, queued[0], worker)
                        else:
                            first = await store.outbox.add(incoming.chat_id, queued, now, worker)
                finished = await inbox.done_and_take(
                    stored.update_id, user_key, now, now - self.settle, lone
                )
                if not finished.done:
                    raise AlreadyHandledError
                following = finished.following
                if lone is not None:
                    first = finished.first
            committed = True
        except AlreadyHandledError:
            return None, False  # rolled back: another replica answered it just before
        except Exception as error:
            UPDATES_FAILED.inc()
            log.exception("update of %s failed; it stays in the inbox", user_key or "nobody")
            await self.count_failure(user_key, error)
            return None, False
        finally:
            # Kept only for a first reply committed as `sending`: respond gives it back.
            if reserved and (first is None or not committed):
                replies.unreserve()
        # Committed: now the user hears about it, on the connection that holds them.
        await self.gateway.respond(update, incoming, outcome, held, first)
        UPDATES_PROCESSED.inc()
        PROCESSING_SECONDS.observe(time.perf_counter() - started)
        return following, True

    async def count_failure(self, user_key: str, error: Exception) -> None:
        """Counts the attempt; after a few, the update is given up so the user isn't stuck.

        On a connection of its own: the failure may have been the held one dying.
        """
        try:
            async with self.app.database.transaction() as store:
                inbox = store.inbox
                given_up = await inbox.failed_attempt(
                    user_key, type(error).__name__, datetime.now(UTC)
                )
            if given_up is not None:
                UPDATES_DEAD.inc()
                log.error("gave up on update %s after repeated failures", given_up)
        except Exception:
            log.exception("could not record the failure; the update will be retried")


async def register(bot: Bot, settings: Settings) -> None:
    """Points Telegram at this deployment's public URL (WEBHOOK_URL), if configured."""
    if not settings.webhook_url or settings.webhook_secret is None:
        return
    try:
        await bot.set_webhook(
            url=settings.webhook_url.rstrip("/") + settings.webhook_path,
            secret_token=settings.webhook_secret.get_secret_value(),
            allowed_updates=ALLOWED_UPDATES,
            max_connections=settings.webhook_max_connections,
        )
        log.info("webhook registered")
    except TelegramError as error:
        log.error("could not register the webhook: %s", error.message)


async def start_service(service: uvicorn.Server, settings: Settings) -> asyncio.Task[None]:
    """Starts the service server; exits with one line if it can't listen."""
    serving = asyncio.create_task(service.serve())
    # Uvicorn sets a flag, not an event, once it listens.
    while not service.started and not serving.done():  # noqa: ASYNC110
        await asyncio.sleep(0.01)
    if serving.done():
        with contextlib.suppress(BaseException):
            serving.result()  # uvicorn has logged why (it exits on a bind error)
        raise SystemExit(
            f"Could not serve /healthz and /metrics on {settings.service_host}:"
            f"{settings.service_port}: set SERVICE_HOST and SERVICE_PORT."
        )
    return serving


async def serve(settings: Settings) -> None:
    """Runs the webhook server, the inbox workers and the reminder dispatcher."""
    parts = await build(settings)
    app, bot = parts.app, parts.telegram()
    wake = asyncio.Event()
    # Ours before uvicorn's: uvicorn puts this handler back when it has stopped and
    # re-raises the signal, which then only sets `stop` instead of ending the process.
    stop = stop_on_signals()
    hardened = {
        "log_config": None,
        "access_log": False,
        "lifespan": "off",
        "timeout_graceful_shutdown": 10,
        "http": protocol(settings.webhook_header_timeout),
        "timeout_keep_alive": settings.webhook_keep_alive,
        "limit_concurrency": settings.webhook_limit_concurrency,
    }
    server = uvicorn.Server(
        uvicorn.Config(
            make_webhook(app, settings, wake),
            host=settings.webhook_host,
            port=settings.webhook_port,
            **hardened,  # type: ignore[arg-type]
        )
    )
    service = QuietServer(
        uvicorn.Config(
            make_service(app),
            host=settings.service_host,
            port=settings.service_port,
            **hardened,  # type: ignore[arg-type]
        )
    )
    try:
        async with bot:
            await set_commands(bot, app.coach.content.commands)
            await register(bot, settings)
            gateway = parts.gateway()
            worker = InboxWorker(
                app,
                gateway,
                bot,
                timedelta(seconds=settings.inbox_settle_seconds),
                wake,
                handlers=settings.inbox_workers,
            )
            background = [asyncio.create_task(worker.run(stop))]
            background.append(asyncio.create_task(app.housekeeping(stop)))
            background.append(asyncio.create_task(parts.dispatcher().run(stop)))
            background.append(asyncio.create_task(gateway.replies.run(stop)))
            serving = await start_service(service, settings)
            log.info(
                "webhook listening on port %s, /healthz and /metrics on %s:%s",
                settings.webhook_port,
                settings.service_host,
                settings.service_port,
            )
            # Uvicorn handles SIGTERM/SIGINT: it stops taking requests and finishes
            # those in flight; then the workers finish their current update and stop.
            try:
                await server.serve()
            finally:
                service.should_exit = True
                await serving
            stop.set()
            await asyncio.wait_for(asyncio.gather(*background), timeout=20)
        log.info("stopped")
    finally:
        await parts.close()
