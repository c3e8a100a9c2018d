"""What a send through the Bot API may be retried after: each fault injected by the
fake Bot API server, seen through python-telegram-bot as the bot sees it, on httpx (every
reply) and on the reminder dispatcher's lean path (bot.telegram.lean), which must judge
every fault alike."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.telegram.lean import LeanRequest, LeanSender, lean_enabled
from bot.telegram.sending import Delivery, TelegramSender
from dialogs.model import Button, Reply
from testkit.fakebotapi import FakeBotApi

TOKEN = "4242:sending-test-token"
CHAT = 1001
REPLY = Reply("Time to reach out to Dana.", (Button("rem.skip:1", "Skip"),))


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi(token=TOKEN) as server:
        server.add_user(CHAT)
        yield server


class Sleeps:
    def __init__(self) -> None:
        self.asked: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)


async def sender_for(url: str, sleeps: Sleeps, path: str) -> AsyncIterator[TelegramSender]:
    bot = Bot(TOKEN, base_url=f"{url}/bot", request=HTTPXRequest(read_timeout=0.5))
    async with bot:
        if path == "httpx":
            yield TelegramSender(bot, sleeps)
            return
        request = LeanRequest(read_timeout=0.5)
        lean = Bot(TOKEN, base_url=f"{url}/bot", request=request, get_updates_request=request)
        try:
            yield LeanSender(bot, lean, sleeps)
        finally:
            await request.shutdown()


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture(params=["httpx", "lean"])
async def sender(
    api: FakeBotApi, sleeps: Sleeps, request: pytest.FixtureRequest
) -> AsyncIterator[TelegramSender]:
    async for made in sender_for(api.url, sleeps, request.param):
        yield made


async def test_a_message_with_buttons_arrives(api: FakeBotApi, sender: TelegramSender) -> None:
    assert (await sender.send(CHAT, REPLY)).delivery is Delivery.SENT
    [message] = api.messages_to(CHAT)
    assert message["text"] == REPLY.text
    assert api.buttons(message) == [("Skip", "0|rem.skip:1")]


async def test_429_waits_as_long_as_telegram_asks_then_sends(
    api: FakeBotApi, sender: TelegramSender, sleeps: Sleeps
) -> None:
    api.fail("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3)
    assert (await sender.send(CHAT, REPLY)).delivery is Delivery.SENT
    assert sleeps.asked == [3.0]
    assert [c.status for c in api.calls_to("sendMessage")] == [429, 200]
    assert len(api.messages_to(CHAT)) == 1


async def test_403_means_blocked(api: FakeBotApi, sender: TelegramSender) -> None:
    api.block(CHAT)
    sent = await sender.send(CHAT, REPLY)
    assert sent.delivery is Delivery.BLOCKED
    assert api.messages_to(CHAT) == []


async def test_400_is_final(api: FakeBotApi, sender: TelegramSender) -> None:
    api.fail("sendMessage", 400, "Bad Request: chat not found")
    sent = await sender.send(CHAT, REPLY)
    assert sent.delivery is Delivery.REJECTED
    assert len(api.calls_to("sendMessage")) == 1


async def test_a_timeout_after_the_request_is_uncertain_and_not_resent(
    api: FakeBotApi, sender: TelegramSender
) -> None:
    api.delay("sendMessage", 1.5)
    sent = await sender.send(CHAT, REPLY)
    assert sent.delivery is Delivery.UNCERTAIN
    # Telegram got it: it will show once, and we never send it again.
    assert len(api.calls_to("sendMessage")) == 1
    assert len(api.messages_to(CHAT)) == 1


async def test_a_connection_dropped_after_the_request_is_uncertain(
    api: FakeBotApi, sender: TelegramSender
) -> None:
    api.drop_connection("sendMessage", applied=True)
    assert (await sender.send(CHAT, REPLY)).delivery is Delivery.UNCERTAIN
    assert len(api.calls_to("sendMessage")) == 1


async def test_a_refused_connection_never_reached_telegram(
    api: FakeBotApi, sender: TelegramSender
) -> None:
    api.stop()  # nothing listens on the port any more
    try:
        assert (await sender.send(CHAT, REPLY)).delivery is Delivery.UNREACHABLE
    finally:
        api.start()
    assert api.calls_to("sendMessage") == []


@pytest.mark.parametrize("status", [500, 502])
async def test_a_5xx_was_not_delivered_and_may_be_tried_again(
    api: FakeBotApi, sender: TelegramSender, status: int
) -> None:
    api.fail("sendMessage", status)
    assert (await sender.send(CHAT, REPLY)).delivery is Delivery.UNREACHABLE
    assert api.messages_to(CHAT) == []


async def test_a_connection_the_server_closed_while_idle_is_not_reused(
    api: FakeBotApi, sender: TelegramSender
) -> None:
    assert (await sender.send(CHAT, REPLY)).delivery is Delivery.SENT
    api.stop()  # hangs up the kept-alive connection
    api.start()
    assert (await sender.send(CHAT, REPLY)).delivery is Delivery.SENT
    assert len(api.messages_to(CHAT)) == 2


async def test_a_long_text_goes_out_in_parts_with_the_buttons_on_the_last(
    api: FakeBotApi, sender: TelegramSender
) -> None:
    long = Reply("word " * 1500, REPLY.buttons)
    assert (await sender.send(CHAT, long)).delivery is Delivery.SENT
    first, last = api.messages_to(CHAT)
    assert api.buttons(first) == []
    assert api.buttons(last) == [("Skip", "0|rem.skip:1")]


def test_the_lean_path_steps_aside_for_a_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    assert lean_enabled("https://api.telegram.org")
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    assert not lean_enabled("https://api.telegram.org")
