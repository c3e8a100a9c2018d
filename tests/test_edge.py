"""Attacks on the edge (issue 9): odd JSON, control characters, forged chats, group
buttons and colliding lock keys. Each test is the attack; passing means it failed."""

from __future__ import annotations

import asyncio
import io
import logging
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, text
from telegram import Bot, Update

from bot import logs
from bot.app import App
from bot.bootstrap import build
from bot.settings import Settings
from bot.telegram.gateway import Gateway
from bot.telegram.translate import translate
from bot.webhook import InboxWorker, make_webhook
from dialogs.content import default_content
from dialogs.engine import Coach
from dialogs.model import Text, Unsupported
from storage.db import Database
from storage.inbox import Inbox
from storage.models import InboxRow, UserRow
from testkit.fakebotapi import FakeBotApi
from testkit.replica import hold_user
from testkit.updates import message_update, press_update
from tests.conftest import FixedClock

SECRET = "edge-webhook-secret-for-tests"
TOKEN = "4242:edge-test-token"
ANA, BEN = 1001, 2002


def message(update_id: int, text: str, *, user: int = ANA, chat: int | None = None) -> dict:
    return message_update(update_id, text, user=user, chat=chat)


@pytest.fixture
async def client(database: Database) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(webhook_secret=SECRET)
    app = App(settings, database, Coach(default_content(), FixedClock()))
    transport = httpx.ASGITransport(app=make_webhook(app, settings, asyncio.Event()))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


@asynccontextmanager
async def inbox_worker(app: App) -> AsyncIterator[tuple[FakeBotApi, InboxWorker]]:
    """An inbox worker of `app` that sends to a fake Bot API knowing Ana."""
    with FakeBotApi(token=TOKEN) as api:
        api.add_user(ANA)
        async with Bot(TOKEN, base_url=f"{api.url}/bot") as bot:
            yield api, InboxWorker(app, Gateway(app, bot), bot, timedelta(0), asyncio.Event())


async def stored(database: Database) -> list[int]:
    async with database.transaction() as store:
        return list(await store.session.scalars(select(InboxRow.update_id)))


# --- item 10: JSON no database can store, or no parser should follow ---------------


@pytest.mark.parametrize(
    "body",
    [
        '{"update_id": 7001, "x": NaN}',
        '{"update_id": 7001, "x": Infinity}',
        '{"update_id": 7001, "x": 1e999}',
        '{"update_id": 9223372036854775808}',
        '{"update_id": 99999999999999999999999}',
        '{"update_id": -1}',
        '{"update_id": 7001.5}',
        '{"update_id": 7001, "x": ' + "[" * 100_000 + "]" * 100_000 + "}",
    ],
    ids=["nan", "infinity", "overflow", "2**63", "huge", "negative", "float", "deep"],
)
async def test_json_no_column_can_hold_gets_400_and_nothing_is_stored(
    client: httpx.AsyncClient, database: Database, body: str
) -> None:
    headers = {"content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET}
    answer = await client.post("/telegram", content=body, headers=headers)
    assert answer.status_code == 400
    assert await stored(database) == []


# --- item 11: control characters from Telegram --------------------------------------


def test_control_characters_are_cleaned_from_text_names_and_button_data() -> None:
    raw = message(1, "Da\x00na\x07\n\tok\ud800")
    raw["message"]["from"]["first_name"] = "A\x00na\x1b"
    incoming = translate(Update.de_json(raw, None))
    assert incoming is not None
    assert incoming.name == "Ana"  # type: ignore[union-attr]
    assert incoming.event.text == "Dana\n\tok"  # type: ignore[union-attr]
    press = press_update(2, "3|yes\x00", user=ANA, name="Ana\x00")
    pressed = translate(Update.de_json(press, None))
    assert pressed is not None
    assert pressed.event.button == "yes"  # type: ignore[union-attr]
    assert pressed.name == "Ana"  # type: ignore[union-attr]


async def test_a_nul_in_a_heros_name_gets_a_normal_reply_on_postgresql(
    database: Database,
) -> None:
    if database.backend != "postgresql":
        pytest.skip("PostgreSQL is the database that refuses NUL in text")
    app = App(Settings(webhook_secret=SECRET), database, Coach(default_content(), FixedClock()))
    first = message(1, "/start")
    first["message"]["from"]["first_name"] = "A\x00na"
    async with database.transaction() as store:
        inbox = Inbox(store.session)
        await inbox.add(1, first)
        await inbox.add(2, message(2, "Da\x00na"))
    async with inbox_worker(app) as (api, worker):
        assert await worker.serve(f"telegram:{ANA}") == 2
        texts = [m["text"] for m in api.messages_to(ANA)]
    assert "What does Dana do" in texts[-1]
    async with database.transaction() as store:
        assert list(await store.session.scalars(select(UserRow.display_name))) == ["Ana"]


def test_a_caption_is_text_and_a_bare_picture_is_unsupported() -> None:
    raw = message(1, "")
    del raw["message"]["text"]
    raw["message"]["photo"] = [{"file_id": "f", "file_unique_id": "u", "width": 1, "height": 1}]
    bare = translate(Update.de_json(raw, None))
    assert bare is not None
    assert bare.event == Unsupported("photo")  # type: ignore[union-attr]
    raw["message"]["caption"] = " he wrote back!\x00 "
    captioned = translate(Update.de_json(raw, None))
    assert captioned is not None
    assert captioned.event == Text("he wrote back!", attachment="photo")  # type: ignore[union-attr]


# --- item 12: a private chat is its sender's ----------------------------------------


def test_a_private_chat_that_is_not_the_senders_is_ignored(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level("INFO")
    assert translate(Update.de_json(message(1, "/export", user=ANA, chat=BEN), None)) is None
    assert "ignored" in caplog.text
    assert "/export" not in caplog.text


async def test_a_forged_update_cannot_send_one_users_export_to_another(
    database: Database,
) -> None:
    app = App(Settings(), database, Coach(default_content(), FixedClock()))
    with FakeBotApi(token=TOKEN) as api:
        api.add_user(ANA)
        api.add_user(BEN)
        async with Bot(TOKEN, base_url=f"{api.url}/bot") as bot:
            gateway = Gateway(app, bot)
            for update_id, text in ((1, "/start"), (2, "Dana"), (3, "Producer")):
                await gateway.process(Update.de_json(message(update_id, text), bot))
            sent_to_ana = len(api.calls)
            forged = message(4, "/export", user=ANA, chat=BEN)
            await gateway.process(Update.de_json(forged, bot))
            assert api.messages_to(BEN) == []
            assert len(api.calls) == sent_to_ana


# --- item 13: buttons pressed in a group --------------------------------------------


async def test_a_button_pressed_on_a_group_message_is_answered(database: Database) -> None:
    app = App(Settings(), database, Coach(default_content(), FixedClock()))
    group_message: dict[str, object] = {
        "message_id": 9,
        "date": 1_764_000_000,
        "chat": {"id": -100123, "type": "supergroup", "title": "Team"},
        "text": "Check in?",
    }
    press = press_update(
        5, "3|yes", user=ANA, query_id="4700000000000000777", message=group_message
    )
    with FakeBotApi(token=TOKEN) as api:
        async with Bot(TOKEN, base_url=f"{api.url}/bot") as bot:
            await Gateway(app, bot).process(Update.de_json(press, bot))
            [answer] = api.calls_to("answerCallbackQuery")
    assert answer.params["callback_query_id"] == "4700000000000000777"
    assert answer.params["text"] == default_content().messages.group_chat


# --- item 7: lock keys --------------------------------------------------------------


async def test_users_whose_crc32_collide_do_not_hold_each_other(database: Database) -> None:
    if database.backend != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's")
    one, other = "telegram:6367624370", "telegram:7281232721"
    assert zlib.crc32(one.encode()) == zlib.crc32(other.encode())
    async with hold_user(database, one) as held:
        assert held is not None
        async with hold_user(database, other) as also:
            assert also is not None


# --- item 2: what people write stays out of error logs above DEBUG -----------------

REFUSE_USER_UPDATES = {
    "sqlite": [
        "CREATE TRIGGER refuse BEFORE UPDATE ON users BEGIN SELECT RAISE(ABORT, 'no'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS"
        " $$ BEGIN RAISE EXCEPTION 'refused %', NEW.dialog; END $$",
        "CREATE TRIGGER refuse BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION refuse()",
    ],
}


async def test_a_database_error_in_a_turn_logs_no_user_text_at_info(
    database_url: str, tmp_path: Path
) -> None:
    hero = "Zebulonia"
    settings = Settings(webhook_secret=SECRET, database_url=database_url, data_dir=tmp_path)
    stream = io.StringIO()
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    parts = await build(settings, telegram=False)
    app = parts.app
    assert app.database.engine.sync_engine.hide_parameters
    try:
        logs.configure(settings.log_level, settings.secrets())
        root.handlers[0].setStream(stream)  # type: ignore[attr-defined]
        async with app.database.transaction() as store:
            inbox = Inbox(store.session)
            await inbox.add(1, message(1, "/start"))
        async with inbox_worker(app) as (_, worker):
            assert await worker.serve(f"telegram:{ANA}") == 1
            async with app.database.transaction() as store:
                # Saving the user's dialog, which holds the hero's name, now fails,
                # on PostgreSQL with the name in the error's own message.
                for statement in REFUSE_USER_UPDATES[app.database.backend]:
                    await store.session.execute(text(statement))
                await Inbox(store.session).add(2, message(2, hero))
            assert await worker.serve(f"telegram:{ANA}") == 0
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
        await app.close()
    written = stream.getvalue()
    assert "failed" in written  # the failure itself is logged, with its traceback
    assert "Traceback" in written
    assert hero not in written
