"""The baseline for bench/webhook.py: a bare python-telegram-bot echo bot behind the
same kind of server as `mentor-coach webhook` (Starlette on Uvicorn, same endpoint,
same secret and body checks), with no database.

It answers 200 first and replies afterwards, as PTB's own webhook server does (it
puts the update on a queue and acknowledges): the reply is a task started before the
200 goes out. So this is the cheapest honest webhook bot: parse, acknowledge, echo.

At most 8 replies are in flight, over a pool of 8 connections (Mentor Coach's Bot has
the same pool: bot/telegram/runner.py). Unbounded, as PTB's defaults allow (256
connections, any number of requests waiting for one), the bot spent most of its CPU in
httpcore's pool, which scans every waiting request against every connection each time
one is handed out: about 35 updates/s instead of about 200 on the benchmark's machine.

    TELEGRAM_BOT_TOKEN=... TELEGRAM_API_URL=... WEBHOOK_SECRET=... WEBHOOK_PORT=...
    python -m bench.echo_bot
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import os
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram import Bot, Update
from telegram.error import TelegramError
from telegram.request import HTTPXRequest

from bot.cli import run_loop

log = logging.getLogger("echo_bot")

SECRET_HEADER = "x-telegram-bot-api-secret-token"  # a header name, not a secret
MAX_BODY = 1_048_576  # the product's default WEBHOOK_MAX_BODY
IN_FLIGHT = 8  # replies being sent at once, and connections to the Bot API


class EchoBot:
    """Echoes every text message; keeps its reply tasks so none is lost at stop."""

    def __init__(self, bot: Bot, secret: str) -> None:
        self.bot = bot
        self.secret = secret.encode()
        self.in_flight = asyncio.Semaphore(IN_FLIGHT)
        self.pending: set[asyncio.Task[None]] = set()
        self.failed = 0

    async def receive(self, request: Request) -> Response:
        # The same checks, in the same order, as bot/webhook.py's endpoint.
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self.secret):
            return JSONResponse({"error": "forbidden"}, status_code=403)
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return JSONResponse({"error": "expected application/json"}, status_code=415)
        declared = request.headers.get("content-length", "")
        if declared.isdecimal() and int(declared) > MAX_BODY:
            return JSONResponse({"error": "body too large"}, status_code=413)
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                return JSONResponse({"error": "body too large"}, status_code=413)
        try:
            data: Any = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return JSONResponse({"error": "malformed JSON"}, status_code=400)
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            return JSONResponse({"error": "not an update"}, status_code=400)
        update = Update.de_json(data, self.bot)
        message = update.effective_message
        if message is not None and message.text:
            task = asyncio.create_task(self.echo(message.chat_id, message.text))
            self.pending.add(task)
            task.add_done_callback(self.pending.discard)
        return JSONResponse({"ok": True})

    async def echo(self, chat_id: int, text: str) -> None:
        try:
            async with self.in_flight:
                await self.bot.send_message(chat_id=chat_id, text=text)
        except TelegramError as error:
            self.failed += 1
            log.warning("echo to %s failed: %s", chat_id, error.message)

    def asgi(self, path: str) -> Starlette:
        async def healthz(_request: Request) -> Response:
            return JSONResponse({"status": "ok"})

        return Starlette(
            routes=[
                Route(path, self.receive, methods=["POST"]),
                Route("/healthz", healthz, methods=["GET"]),
            ]
        )


async def serve() -> None:
    env = os.environ
    api = env["TELEGRAM_API_URL"].rstrip("/")
    bot = Bot(
        env["TELEGRAM_BOT_TOKEN"],
        base_url=f"{api}/bot",
        base_file_url=f"{api}/file/bot",
        request=HTTPXRequest(connection_pool_size=IN_FLIGHT),
    )
    echo = EchoBot(bot, env["WEBHOOK_SECRET"])
    config = uvicorn.Config(
        echo.asgi(env.get("WEBHOOK_PATH", "/telegram")),
        host=env.get("WEBHOOK_HOST", "127.0.0.1"),
        port=int(env["WEBHOOK_PORT"]),
        log_config=None,
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=10,
    )
    async with bot:
        await uvicorn.Server(config).serve()  # until SIGTERM
        if echo.pending:
            await asyncio.wait(echo.pending, timeout=20)
    if echo.failed:
        log.warning("%d echoes failed", echo.failed)


if __name__ == "__main__":
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"))
    logging.getLogger("httpx").setLevel(logging.WARNING)
    run_loop(serve())  # the coach's event loop, so the two differ only in what they do
