"""The fake Bot API must be faithful to what python-telegram-bot sends and parses, for the
methods the bot calls and the faults the tests inject.

Every test drives a real ``telegram.Bot`` (httpx underneath) against the fake over loopback.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Iterator

import pytest
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.request import HTTPXRequest

from testkit.fakebotapi import Call, FakeBotApi, UploadedFile

USER = 4242
OTHER_USER = 777


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi() as fake:
        yield fake


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(api.token, base_url=api.url + "/bot") as client:
        yield client


def keyboard(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


def raw_post(url: str, data: bytes, content_type: str) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=data, headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        with err:
            return err.code, json.loads(err.read())


# ------------------------------------------------------------------------------ basics


async def test_get_me_parses(api: FakeBotApi, bot: Bot) -> None:
    me = await bot.get_me()
    assert me.id == 123456
    assert me.is_bot
    assert me.username == "mentor_coach_test_bot"
    assert me.first_name == "Mentor Coach"
    assert me.can_join_groups is True
    assert me.supports_inline_queries is False
    # Bot.initialize() called getMe once already.
    assert [c.status for c in api.calls_to("getMe")] == [200, 200]
    assert bot.username == "mentor_coach_test_bot"


async def test_wrong_token_is_unauthorized(api: FakeBotApi) -> None:
    wrong = Bot("987654:WRONG", base_url=api.url + "/bot")
    with pytest.raises(InvalidToken, match="rejected by the server"):
        await wrong.initialize()  # PTB rewords the 401 during initialize()
    await wrong.shutdown()
    (call,) = api.calls
    assert (call.method, call.status) == ("getMe", 401)
    assert call.response == {"ok": False, "error_code": 401, "description": "Unauthorized"}


# ------------------------------------------------------------------------------ sending


async def test_send_message_round_trips_inline_keyboard(api: FakeBotApi, bot: Bot) -> None:
    api.send_text(USER, "/start")  # the chat exists once the user wrote; this is message 1
    markup = keyboard([("Yes", "answer:yes"), ("No", "answer:no")], [("Help", "help")])

    sent = await bot.send_message(USER, "Ready?", reply_markup=markup)

    assert isinstance(sent, Message)
    assert sent.message_id == 2
    assert sent.text == "Ready?"
    assert sent.chat.id == USER
    assert sent.chat.type == ChatType.PRIVATE
    assert sent.from_user is not None
    assert sent.from_user.id == bot.id
    assert isinstance(sent.date, dtm.datetime)
    assert sent.reply_markup == markup

    call = api.calls_to("sendMessage")[0]
    assert call.params["chat_id"] == USER
    assert call.params["reply_markup"] == markup.to_dict()
    (recorded,) = api.messages_to(USER)
    assert recorded["reply_markup"] == markup.to_dict()
    assert api.buttons(recorded) == [("Yes", "answer:yes"), ("No", "answer:no"), ("Help", "help")]
    assert api.last_message(USER)["message_id"] == 2

    second = await bot.send_message(USER, "again")
    assert second.message_id == 3
    assert second.reply_markup is None


async def test_send_message_validation(api: FakeBotApi, bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(USER, "nobody wrote to me yet")
    api.send_text(USER, "hi")
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(USER, "")
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(USER, " \n ")
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(USER, "x" * 4097)
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(USER, "hi", reply_markup=keyboard([("Long", "x" * 65)]))
    ok = await bot.send_message(USER, "y" * 4096, reply_markup=keyboard([("Max", "é" * 32)]))
    assert len(ok.text or "") == 4096
    statuses = [c.status for c in api.calls_to("sendMessage")]
    assert statuses == [400, 400, 400, 400, 400, 200]
    assert api.calls_to("sendMessage")[0].description == "Bad Request: chat not found"
    assert len(api.messages_to(USER)) == 1


async def test_edit_message_text_and_markup(api: FakeBotApi, bot: Bot) -> None:
    api.send_text(USER, "/start")
    markup = keyboard([("Next", "next")])
    sent = await bot.send_message(USER, "Step 1", reply_markup=markup)

    edited = await bot.edit_message_text(
        "Step 2", chat_id=USER, message_id=sent.message_id, reply_markup=markup
    )
    assert isinstance(edited, Message)
    assert edited.text == "Step 2"
    assert edited.edit_date is not None
    assert edited.reply_markup == markup
    assert api.last_message(USER)["text"] == "Step 2"

    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text(
            "Step 2", chat_id=USER, message_id=sent.message_id, reply_markup=markup
        )
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", chat_id=USER, message_id=999)
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await bot.edit_message_text("x", chat_id=USER, message_id=1)  # the user's /start

    # Editing the text without reply_markup removes the keyboard, like Telegram does.
    no_keyboard = await bot.edit_message_text("Step 3", chat_id=USER, message_id=sent.message_id)
    assert no_keyboard.reply_markup is None

    with_markup = await bot.edit_message_reply_markup(
        chat_id=USER, message_id=sent.message_id, reply_markup=keyboard([("Back", "back")])
    )
    assert isinstance(with_markup, Message)
    assert api.buttons(api.last_message(USER)) == [("Back", "back")]
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(
            chat_id=USER, message_id=sent.message_id, reply_markup=keyboard([("Back", "back")])
        )


async def test_send_document_with_bytes_is_recorded(api: FakeBotApi, bot: Bot) -> None:
    api.send_text(USER, "/export")
    content = b"name,step\nAna,3\n"
    sent = await bot.send_document(
        USER,
        InputFile(content, filename="plan é.csv"),
        caption=" Your plan ",
        reply_markup=keyboard([("Done", "done")]),
    )
    assert sent.document is not None
    assert sent.document.file_name == "plan é.csv"
    assert sent.document.mime_type == "text/csv"
    assert sent.document.file_size == len(content)
    assert sent.caption == "Your plan"
    assert sent.reply_markup is not None

    (call,) = api.calls_to("sendDocument")
    upload = call.params["document"]
    assert isinstance(upload, UploadedFile)
    assert upload.content == content
    assert upload.filename == "plan é.csv"
    assert call.files["document"] is upload
    assert call.params["chat_id"] == USER
    assert call.params["reply_markup"] == {
        "inline_keyboard": [[{"text": "Done", "callback_data": "done"}]]
    }


async def test_commands_are_decoded(api: FakeBotApi, bot: Bot) -> None:
    commands = [BotCommand("start", "Start over"), BotCommand("help", "What can I do?")]
    assert await bot.set_my_commands(commands) is True
    (call,) = api.calls_to("setMyCommands")
    assert call.params["commands"] == [
        {"command": "start", "description": "Start over"},
        {"command": "help", "description": "What can I do?"},
    ]
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Start", "capital letters are refused")])


async def test_get_updates_parses_every_injected_kind(api: FakeBotApi, bot: Bot) -> None:
    text = api.send_text(USER, "/start@mentor_coach_test_bot hello", first_name="Ana")
    menu_msg = await bot.send_message(USER, "Menu", reply_markup=keyboard([("Go", "go")]))
    menu = api.last_message(USER)
    press = api.press(USER, menu, "go")
    sticker = api.send_sticker(USER)
    photo = api.send_photo(USER, caption="me")
    voice = api.send_voice(USER)
    location = api.send_location(USER)
    edited = api.edit_text(USER, 1, "/start again")
    blocked = api.block(USER)
    group = api.send_group_text(OTHER_USER, 5001, "/help hi all")

    updates = await bot.get_updates(timeout=0)

    assert all(isinstance(u, Update) for u in updates)
    ids = [u.update_id for u in updates]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids) == 9
    assert ids[0] == text["update_id"]
    by_id = {u.update_id: u for u in updates}

    u = by_id[text["update_id"]]
    assert u.message is not None
    assert u.message.text == "/start@mentor_coach_test_bot hello"
    assert u.message.from_user is not None
    assert u.message.from_user.first_name == "Ana"
    (entity,) = u.message.entities
    assert (entity.type, entity.offset, entity.length) == (MessageEntity.BOT_COMMAND, 0, 28)
    assert u.effective_chat is not None
    assert u.effective_chat.id == USER

    u = by_id[press["update_id"]]
    query = u.callback_query
    assert query is not None
    assert query.data == "go"
    assert isinstance(query.id, str)
    assert query.chat_instance
    assert isinstance(query.message, Message)
    assert query.message.message_id == menu_msg.message_id
    assert query.message.reply_markup == menu_msg.reply_markup
    assert query.from_user.id == USER

    assert by_id[sticker["update_id"]].message.sticker.emoji == "👍"  # type: ignore[union-attr]
    photo_msg = by_id[photo["update_id"]].message
    assert photo_msg is not None
    assert len(photo_msg.photo) == 3
    assert photo_msg.caption == "me"
    assert by_id[voice["update_id"]].message.voice is not None  # type: ignore[union-attr]
    assert by_id[location["update_id"]].message.location.latitude == pytest.approx(52.520008)  # type: ignore[union-attr]

    e = by_id[edited["update_id"]].edited_message
    assert e is not None
    assert e.message_id == 1
    assert e.text == "/start again"
    assert e.edit_date is not None

    member = by_id[blocked["update_id"]].my_chat_member
    assert member is not None
    assert member.old_chat_member.status == ChatMemberStatus.MEMBER
    assert member.new_chat_member.status == ChatMemberStatus.BANNED
    assert member.new_chat_member.user.id == bot.id
    assert member.new_chat_member.until_date == dtm.datetime(1970, 1, 1, tzinfo=dtm.UTC)

    g = by_id[group["update_id"]].message
    assert g is not None
    assert g.chat.type == ChatType.GROUP
    assert g.chat.id == -5001
    assert g.entities[0].length == len("/help")


async def test_blocked_user_answers_forbidden(api: FakeBotApi, bot: Bot) -> None:
    api.send_text(USER, "hi")
    api.block(USER)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(USER, "still there?")


async def test_offset_confirms_and_drops_delivered_updates(api: FakeBotApi, bot: Bot) -> None:
    first = api.send_text(USER, "one")
    second = api.send_text(USER, "two")

    got = await bot.get_updates(timeout=0)
    assert [u.update_id for u in got] == [first["update_id"], second["update_id"]]
    # Delivery is not confirmation: the same updates come again without an offset.
    assert len(await bot.get_updates(timeout=0)) == 2
    assert len(await bot.get_updates(limit=1, timeout=0)) == 1

    got = await bot.get_updates(offset=second["update_id"], timeout=0)
    assert [u.update_id for u in got] == [second["update_id"]]
    assert await bot.get_updates(offset=second["update_id"] + 1, timeout=0) == ()
    assert api.pending_updates == []

    # A duplicate delivery of an already confirmed update (same update_id).
    api.redeliver(first)
    again = await bot.get_updates(offset=second["update_id"] + 1, timeout=0)
    assert [u.update_id for u in again] == [first["update_id"]]
    assert await bot.get_updates(offset=first["update_id"] + 1, timeout=0) == ()


async def test_allowed_updates_filter(api: FakeBotApi, bot: Bot) -> None:
    api.send_text(USER, "text")
    got = await bot.get_updates(timeout=0)
    assert [u.message.text for u in got if u.message] == ["text"]
    assert len(got) == 1

    sent = await bot.send_message(USER, "menu", reply_markup=keyboard([("A", "a")]))
    api.press(USER, sent, "a")
    got = await bot.get_updates(
        offset=got[-1].update_id + 1, timeout=0, allowed_updates=["message"]
    )
    assert got == ()
    assert api.calls_to("getUpdates")[-1].params["allowed_updates"] == ["message"]


async def test_long_poll_returns_as_soon_as_an_update_arrives(api: FakeBotApi, bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=20))
    await asyncio.to_thread(api.wait_for, lambda a: a.is_polling, 5)
    started = time.monotonic()
    api.send_text(USER, "wake up")
    updates = await asyncio.wait_for(poll, timeout=5)
    assert time.monotonic() - started < 1.0
    assert [u.message.text for u in updates if u.message] == ["wake up"]
    (call,) = api.calls_to("getUpdates")
    assert call.params["timeout"] == 20


async def test_long_poll_times_out_empty(api: FakeBotApi, bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 <= time.monotonic() - started < 3


async def test_second_poller_terminates_the_first(api: FakeBotApi) -> None:
    async with (
        Bot(api.token, base_url=api.base_url) as first,
        Bot(api.token, base_url=api.base_url) as second,
    ):
        poll = asyncio.create_task(first.get_updates(timeout=20))
        await asyncio.to_thread(api.wait_for, lambda a: a.is_polling, 5)
        later = asyncio.create_task(second.get_updates(timeout=1))
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await asyncio.wait_for(poll, timeout=5)
        assert await later == ()


# ------------------------------------------------------------------------------ faults


async def test_faults_surface_as_ptb_exceptions(
    api: FakeBotApi, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Reading RetryAfter.retry_after as int is deprecated in PTB 22 (a warning, i.e. an error
    # here); opt in to timedelta as the bot should.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    api.send_text(USER, "hi")
    api.fail("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7)
    api.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")
    api.fail("sendMessage", 400, "Bad Request: chat not found")
    api.fail("sendMessage", 401, "Unauthorized")
    api.fail("sendMessage", 502, times=2)

    with pytest.raises(RetryAfter) as retry:
        await bot.send_message(USER, "1")
    assert retry.value.retry_after == dtm.timedelta(seconds=7)
    with pytest.raises(Forbidden, match="bot was blocked"):
        await bot.send_message(USER, "2")
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(USER, "3")
    with pytest.raises(InvalidToken):
        await bot.send_message(USER, "4")
    for _ in range(2):
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.send_message(USER, "5")
    assert (await bot.send_message(USER, "6")).text == "6"

    calls = api.calls_to("sendMessage")
    assert [c.status for c in calls] == [429, 403, 400, 401, 502, 502, 200]
    assert calls[0].response == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 7",
        "parameters": {"retry_after": 7},
    }
    assert "parameters" not in (calls[1].response or {})
    # Failed calls had no effect.
    assert [m["text"] for m in api.messages_to(USER)] == ["6"]


async def test_faults_are_per_method(api: FakeBotApi, bot: Bot) -> None:
    api.send_text(USER, "hi")
    api.fail("getMe", 500)
    await bot.send_message(USER, "unaffected")
    with pytest.raises(NetworkError):
        await bot.get_me()
    assert (await bot.get_me()).is_bot


async def test_delay_past_read_timeout_times_out_but_takes_effect(api: FakeBotApi) -> None:
    request = HTTPXRequest(read_timeout=0.3)
    async with Bot(api.token, base_url=api.base_url, request=request) as bot:
        api.send_text(USER, "hi")
        api.delay("sendMessage", 1.5)
        started = time.monotonic()
        with pytest.raises(TimedOut):
            await bot.send_message(USER, "slow")
        assert time.monotonic() - started < 1.2
        (call,) = api.calls_to("sendMessage")
        assert call.status == 200
        assert call.params["text"] == "slow"
        assert [m["text"] for m in api.messages_to(USER)] == ["slow"]
        # The connection is usable again afterwards.
        assert (await bot.send_message(USER, "fast")).text == "fast"


async def test_dropped_connection_is_a_network_error(api: FakeBotApi, bot: Bot) -> None:
    api.send_text(USER, "hi")
    api.drop_connection("sendMessage")
    api.drop_connection("sendMessage", applied=True)
    with pytest.raises(NetworkError):
        await bot.send_message(USER, "lost before")
    with pytest.raises(NetworkError):
        await bot.send_message(USER, "lost after")
    assert [c.status for c in api.calls_to("sendMessage")] == [0, 0]
    assert [m["text"] for m in api.messages_to(USER)] == ["lost after"]
    assert (await bot.send_message(USER, "ok")).text == "ok"


async def test_latency_applies_to_all_methods(api: FakeBotApi, bot: Bot) -> None:
    api.set_latency(0.2)
    started = time.monotonic()
    await bot.get_me()
    await bot.get_me()
    assert time.monotonic() - started >= 0.4
    api.set_latency(0)


# ------------------------------------------------------------------------------ callbacks, helpers


async def test_press_label_and_answer_callback_query(api: FakeBotApi, bot: Bot) -> None:
    api.send_text(USER, "/start")
    await bot.send_message(
        USER, "Pick", reply_markup=keyboard([("Red", "c:red"), ("Blue", "c:blue")])
    )
    update = api.press_label(USER, api.last_message(USER), "Blue")
    assert update["callback_query"]["data"] == "c:blue"
    with pytest.raises(AssertionError, match="no button 'Green'"):
        api.press_label(USER, None, "Green")

    (got,) = [u for u in await bot.get_updates(timeout=0) if u.callback_query]
    assert got.callback_query is not None
    assert await got.callback_query.answer("Saved") is True
    assert api.callback_answers()[got.callback_query.id] == {"text": "Saved"}
    with pytest.raises(BadRequest, match="Query is too old"):
        await got.callback_query.answer()
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query("123")


async def test_press_uses_the_current_message_state(api: FakeBotApi, bot: Bot) -> None:
    api.send_text(USER, "/start")
    sent = await bot.send_message(USER, "v1", reply_markup=keyboard([("Go", "go")]))
    await bot.edit_message_text(
        "v2", chat_id=USER, message_id=sent.message_id, reply_markup=keyboard([("Go", "go")])
    )
    update = api.press(USER, sent, "go")  # a telegram.Message works too
    assert update["callback_query"]["message"]["text"] == "v2"


def test_wait_for_helpers_and_readable_failures(api: FakeBotApi) -> None:
    api.send_text(USER, "hi")

    def send_later() -> None:
        time.sleep(0.2)
        data = f"chat_id={USER}&text=later".encode()
        raw_post(
            f"{api.url}/bot{api.token}/sendMessage", data, "application/x-www-form-urlencoded"
        )

    sender = threading.Thread(target=send_later)
    sender.start()
    (message,) = api.wait_for_messages(USER, 1, timeout=5)
    sender.join()
    assert message["text"] == "later"
    assert api.wait_for(lambda a: a.last_message(USER)["text"] == "later", timeout=1)
    assert [c.method for c in api.wait_for_call("sendMessage")] == ["sendMessage"]

    with pytest.raises(AssertionError) as failure:
        api.wait_for_messages(USER, 2, timeout=0.2)
    report = str(failure.value)
    assert "timed out after 0.2s waiting for 2 message(s) to chat 4242" in report
    assert 'sendMessage [200] {"chat_id": 4242, "text": "later"}' in report


def test_calls_are_records(api: FakeBotApi) -> None:
    raw_post(f"{api.url}/bot{api.token}/getMe", b"", "application/x-www-form-urlencoded")
    (call,) = api.calls
    assert isinstance(call, Call)
    assert call.ok
    assert (call.response or {})["result"]["is_bot"] is True
    assert call.at <= time.monotonic()


def test_stop_is_prompt_with_a_pending_long_poll() -> None:
    api = FakeBotApi().start()
    url = f"{api.url}/bot{api.token}/getUpdates"
    results: list[object] = []

    def poll() -> None:
        try:
            results.append(raw_post(url, b"timeout=30", "application/x-www-form-urlencoded")[1])
        except OSError as exc:
            results.append(exc)

    poller = threading.Thread(target=poll)
    poller.start()
    api.wait_for(lambda a: a.is_polling, timeout=5)
    started = time.monotonic()
    api.stop()
    poller.join(5)
    assert time.monotonic() - started < 2
    assert results == [{"ok": True, "result": []}]


async def test_restart_keeps_port_and_state(api: FakeBotApi, bot: Bot) -> None:
    api.send_text(USER, "hi")
    first = await bot.send_message(USER, "before")
    url = api.url
    api.stop()
    with pytest.raises(NetworkError):
        await bot.send_message(USER, "during the outage")
    api.start()
    assert api.url == url
    after = await bot.send_message(USER, "after")
    assert after.message_id == first.message_id + 1
    assert [m["text"] for m in api.messages_to(USER)] == ["before", "after"]
