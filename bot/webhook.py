"""`mentor-coach webhook`: an ASGI app that stores each update before it says 200,
and inbox workers that handle the stored updates.

python-telegram-bot's own webhook server acknowledges an update before it is
processed and drops its queue on stop; here the 200 means "committed to the
inbox", so a replica that dies after answering loses nothing: any replica's
workers pick the update up. Several replicas share one PostgreSQL.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import uvicorn
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram import Bot, Update
from telegram.error import TelegramError

from bot.app import App, first
from bot.metrics import (
    INBOX_DEPTH,
    PROCESSING_SECONDS,
    REGISTRY,
    UPDATES_DUPLICATE,
    UPDATES_FAILED,
    UPDATES_PROCESSED,
    UPDATES_RECEIVED,
)
from bot.settings import Settings
from bot.telegram.gateway import Gateway
from bot.telegram.polling import ALLOWED_UPDATES
from bot.telegram.runner import make_bot, make_dispatcher, set_commands, stop_on_signals
from bot.telegram.translate import Incoming, translate
from storage.inbox import Inbox, user_turn

log = logging.getLogger(__name__)

SECRET_HEADER = "x-telegram-bot-api-secret-token"  # noqa: S105 - a header name


def make_webhook(app: App, settings: Settings, wake: asyncio.Event) -> Starlette:
    """Builds the ASGI app: the update endpoint, /healthz and /metrics."""
    if settings.webhook_secret is None or not settings.webhook_secret.get_secret_value():
        raise SystemExit("WEBHOOK_SECRET is required in webhook mode (any long random string)")
    secret = settings.webhook_secret.get_secret_value().encode()
    limit = settings.webhook_max_body

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
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                return JSONResponse({"error": "body too large"}, status_code=413)
        try:
            update = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return JSONResponse({"error": "malformed JSON"}, status_code=400)
        update_id = update.get("update_id") if isinstance(update, dict) else None
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            return JSONResponse({"error": "not an update"}, status_code=400)
        async with app.database.transaction() as store:
            stored = await Inbox(store.session).add(update_id, update)
        # Only now, with the update committed, does Telegram hear that it arrived.
        (UPDATES_RECEIVED if stored else UPDATES_DUPLICATE).inc()
        wake.set()
        return JSONResponse({"ok": True})

    async def healthz(_request: Request) -> Response:
        try:
            await app.database.ping()
        except Exception as error:  # any failure to reach the database means unhealthy
            log.warning("health check failed: %s", type(error).__name__)
            return JSONResponse({"status": "database unreachable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    async def metrics(_request: Request) -> Response:
        async with app.database.transaction() as store:
            INBOX_DEPTH.set(await Inbox(store.session).depth())
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    return Starlette(
        routes=[
            Route(settings.webhook_path, receive, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/metrics", metrics, methods=["GET"]),
        ]
    )


@dataclass
class InboxWorker:
    """Handles stored updates: one user at a time, each user's in update_id order."""

    app: App
    gateway: Gateway
    bot: Bot
    settle: timedelta
    wake: asyncio.Event
    poll: float = 1.0
    busy: set[str] = field(default_factory=set)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                handled, wait = await self.round()
            except Exception:
                log.exception("inbox round failed; trying again")
                handled, wait = False, self.poll
            if not handled:
                self.wake.clear()
                await first(stop.wait(), self.wake.wait(), asyncio.sleep(wait))

    async def round(self) -> tuple[bool, float]:
        """Handles one update if any is ready; else says how long until one may be."""
        now = datetime.now(UTC)
        async with self.app.database.transaction() as store:
            inbox = Inbox(store.session)
            users = await inbox.waiting_users(now - self.settle, 16)
            oldest = None if users else await inbox.oldest_pending()
        for user_key in users:
            if await self.handle_next(user_key):
                return True, 0.0
        if oldest is None:
            return False, self.poll
        # Wake when the oldest waiting update has settled, not at the next poll.
        ready_in = (oldest + self.settle - now).total_seconds()
        return False, min(self.poll, max(ready_in, 0.01))

    async def handle_next(self, user_key: str) -> bool:
        if user_key in self.busy:
            return False  # another worker of this replica has this user
        self.busy.add(user_key)
        try:
            async with user_turn(self.app.database.engine, user_key) as held:
                # Held until the replies are sent, so they can't be overtaken.
                return held and await self.handle_held(user_key)
        finally:
            self.busy.discard(user_key)

    async def handle_held(self, user_key: str) -> bool:
        started = time.perf_counter()
        try:
            async with self.app.database.transaction() as store:
                inbox = Inbox(store.session)
                stored = await inbox.take(user_key)
                if stored is None:
                    return False  # handled meanwhile by another replica
                update = Update.de_json(stored.payload, self.bot)
                incoming = translate(update)
                outcome = None
                if isinstance(incoming, Incoming):
                    log.debug("update %s: %r", update.update_id, incoming.event)
                    outcome = await self.app.turn_in(
                        store, incoming.key, incoming.name, incoming.event, update.update_id
                    )
                await inbox.done(stored.update_id, datetime.now(UTC))
        except Exception as error:
            UPDATES_FAILED.inc()
            log.exception("update of %s failed; it stays in the inbox", user_key or "nobody")
            await self.count_failure(user_key, error)
            return True
        # Committed: now the user hears about it.
        await self.gateway.respond(update, incoming, outcome)
        UPDATES_PROCESSED.inc()
        PROCESSING_SECONDS.observe(time.perf_counter() - started)
        return True

    async def count_failure(self, user_key: str, error: Exception) -> None:
        """Counts the attempt; after a few, the update is given up so the user isn't stuck."""
        try:
            async with self.app.database.transaction() as store:
                inbox = Inbox(store.session)
                stored = await inbox.take(user_key)
                if stored is not None and await inbox.failed_attempt(
                    stored.update_id, type(error).__name__, datetime.now(UTC)
                ):
                    log.error("gave up on update %s after repeated failures", stored.update_id)
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


async def serve(settings: Settings) -> None:
    """Runs the webhook server, the inbox workers and the reminder dispatcher."""
    bot = make_bot(settings)
    app = await App.start(settings)
    wake = asyncio.Event()
    # Ours before uvicorn's: uvicorn puts this handler back when it has stopped and
    # re-raises the signal, which then only sets `stop` instead of ending the process.
    stop = stop_on_signals()
    asgi = make_webhook(app, settings, wake)
    config = uvicorn.Config(
        asgi,
        host=settings.webhook_host,
        port=settings.webhook_port,
        log_config=None,
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=10,
    )
    server = uvicorn.Server(config)
    try:
        async with bot:
            await set_commands(bot, app.coach.content.commands)
            await register(bot, settings)
            gateway = Gateway(app, bot)
            worker = InboxWorker(
                app, gateway, bot, timedelta(seconds=settings.inbox_settle_seconds), wake
            )
            background = [
                asyncio.create_task(worker.run(stop)) for _ in range(settings.inbox_workers)
            ]
            background.append(asyncio.create_task(app.housekeeping(stop)))
            background.append(asyncio.create_task(make_dispatcher(app, bot, settings).run(stop)))
            log.info("webhook listening on port %s", settings.webhook_port)
            # Uvicorn handles SIGTERM/SIGINT: it stops taking requests and finishes
            # those in flight; then the workers finish their current update and stop.
            await server.serve()
            stop.set()
            await asyncio.wait_for(asyncio.gather(*background), timeout=20)
        log.info("stopped")
    finally:
        await app.close()
