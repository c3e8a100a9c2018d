"""Long polling that confirms an update only after it was handled.

PTB's Updater confirms a batch with its next getUpdates call, before the updates
are processed; a crash then loses them. Here the offset moves past an update
only once its turn is committed (or, after repeated failures, it is kept as a dead
letter), so kill -9 at any moment loses nothing (a re-delivered update is
recognised by its update_id and ignored).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from telegram import Bot, Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TimedOut

from bot.telegram.sending import retry_seconds

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
MAX_BACKOFF = 30.0


async def poll(
    bot: Bot,
    handle: Callable[[Update], Awaitable[bool]],
    stop: asyncio.Event,
    long_poll: int = 30,
) -> None:
    """Fetches and handles updates, one at a time, until `stop` is set.

    `handle` returns False for an update it could neither handle nor record as dead:
    the offset stays before it, and it is fetched again after a pause."""
    offset: int | None = None
    backoff = 1.0
    while not stop.is_set():
        fetch = asyncio.ensure_future(
            bot.get_updates(
                offset=offset,
                timeout=long_poll,
                allowed_updates=ALLOWED_UPDATES,
                read_timeout=long_poll + 10,
            )
        )
        stopping = asyncio.ensure_future(stop.wait())
        await asyncio.wait({fetch, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not fetch.done():
            # Nothing fetched is lost: unconfirmed updates are delivered again next time.
            fetch.cancel()
            await asyncio.gather(fetch, return_exceptions=True)
            break
        try:
            updates = fetch.result()
        except RetryAfter as error:
            await _sleep(stop, retry_seconds(error))
            continue
        except InvalidToken:
            raise
        except Conflict:
            log.error("another process is polling with this token; retrying in %.0f s", backoff)
            await _sleep(stop, backoff)
            backoff = min(backoff * 2, MAX_BACKOFF)
            continue
        except (TimedOut, NetworkError) as error:
            log.warning("getUpdates failed (%s); retrying in %.0f s", error.message, backoff)
            await _sleep(stop, backoff)
            backoff = min(backoff * 2, MAX_BACKOFF)
            continue
        backoff = 1.0
        for update in updates:
            if not await handle(update):
                await _sleep(stop, backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
                break
            offset = update.update_id + 1
            if stop.is_set():
                break
    if offset is not None:
        # Confirms what was handled, so a restart doesn't fetch it again.
        try:
            await bot.get_updates(offset=offset, timeout=0, allowed_updates=ALLOWED_UPDATES)
        except NetworkError as error:
            log.info(
                "could not confirm the last updates (%s); they are de-duplicated", error.message
            )


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
