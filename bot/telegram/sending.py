"""Sending one message through the Bot API, with an honest account of what happened.

The outcome decides what may be retried: a 429 waits as Telegram asks; a refused
connection, a timeout before the request was written and a 5xx answer never
delivered the message and are tried again; a timeout after the request may have
been delivered and is never resent (PTB issue #1045: resending on TimedOut
delivered one message three times); 403 and 400 are final.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from functools import partial

import httpx
from telegram import Bot, InputFile
from telegram.constants import MessageLimit
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.chart import FILENAME as CHART_FILENAME
from bot.chart import render as render_chart
from bot.telegram.translate import render
from dialogs.model import Reply

log = logging.getLogger(__name__)

RATE_LIMIT_RETRIES = 5
# Failures that happen before a request leaves this machine: safe to try again.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.WriteTimeout)
MAX_BACKOFF = 300.0


def backoff(attempts: int) -> timedelta:
    """How long to wait before trying again what failed `attempts` times."""
    return timedelta(seconds=min(2.0**attempts, MAX_BACKOFF))


class Delivery(StrEnum):
    SENT = "sent"
    BLOCKED = "blocked"  # 403: the user blocked the bot
    REJECTED = "rejected"  # 400: Telegram refused this message; retrying won't help
    UNCERTAIN = "uncertain"  # the request may have arrived: never resent
    UNREACHABLE = "unreachable"  # it never left, or Telegram failed it (5xx): try again later


@dataclass(frozen=True, slots=True)
class Sent:
    delivery: Delivery
    error: str | None = None


def retry_seconds(error: RetryAfter) -> float:
    """Returns how long Telegram asked us to wait (a timedelta with PTB_TIMEDELTA set)."""
    value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class TelegramSender:
    def __init__(self, bot: Bot, sleep: Callable[[float], Awaitable[None]]) -> None:
        self.bot = bot
        self.sleep = sleep

    async def send(self, chat_id: int, reply: Reply) -> Sent:
        """Sends a reply (in parts, if long); stops at the first part that fails."""
        if reply.chart is not None:
            # Drawing blocks for a tenth of a second: never on the event loop.
            png = await asyncio.to_thread(render_chart, reply.chart)
            return await self.call(
                partial(
                    self.bot.send_photo,
                    chat_id,
                    InputFile(png, filename=CHART_FILENAME),
                    caption=reply.text[: MessageLimit.CAPTION_LENGTH],
                )
            )
        if reply.document is not None:
            document = reply.document
            return await self.call(
                partial(
                    self.bot.send_document,
                    chat_id,
                    InputFile(document.content, filename=document.filename),
                    caption=reply.text[: MessageLimit.CAPTION_LENGTH],
                )
            )
        result = Sent(Delivery.SENT)
        for arguments in render(reply):
            send = partial(self.bot.send_message, chat_id, **arguments)  # type: ignore[arg-type]
            result = await self.call(send)
            if result.delivery is not Delivery.SENT:
                return result
        return result

    async def call(self, request: Callable[[], Awaitable[object]]) -> Sent:
        """Makes one Bot API request, waiting out 429s, and says what became of it."""
        for _ in range(RATE_LIMIT_RETRIES):
            try:
                await request()
            except RetryAfter as error:
                wait = retry_seconds(error)
                log.warning("rate limited by Telegram; waiting %.1f s", wait)
                await self.sleep(wait)
            except Forbidden as error:
                return Sent(Delivery.BLOCKED, error.message)
            except BadRequest as error:
                return Sent(Delivery.REJECTED, error.message)
            except (TimedOut, NetworkError) as error:
                if isinstance(error.__cause__, _NOT_SENT):
                    return Sent(Delivery.UNREACHABLE, error.message)
                if not isinstance(error, TimedOut) and not isinstance(
                    error.__cause__, httpx.HTTPError
                ):
                    # Telegram answered with a 5xx: it says the message was not sent.
                    return Sent(Delivery.UNREACHABLE, error.message)
                return Sent(Delivery.UNCERTAIN, error.message)
            else:
                return Sent(Delivery.SENT)
        return Sent(Delivery.UNREACHABLE, "still rate limited")
