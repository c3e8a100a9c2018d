"""/progress as a picture: the dialogs carry the chart's data, the edge draws a PNG and
sends it with sendPhoto (Telegram), saves it to the data directory (terminal), or names
its path (JSON console)."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from telegram import Bot, InputFile
from telegram.error import BadRequest

from bot.bootstrap import build
from bot.chart import render
from bot.console import Console
from bot.settings import Settings
from dialogs.charts import progress_chart
from dialogs.model import (
    Chart,
    ChartPoint,
    Hero,
    HeroChart,
    Interaction,
    InteractionKind,
    Preferences,
    Reply,
    StepId,
    UserKey,
)
from storage.db import Database
from storage.outbox import payload_of, reply_of
from testkit.fakebotapi import FakeBotApi, UploadedFile
from tests.conftest import NOW, Chat
from tests.test_telegram_e2e import ANA, TOKEN, BotProcess, onboard, say

PNG = b"\x89PNG\r\n\x1a\n"
DAY = date(2026, 9, 1)


def history(hero_id: int, temperatures: list[int]) -> list[Interaction]:
    steps = list(StepId)
    found = []
    for n, temperature in enumerate(temperatures):
        found.append(
            Interaction(
                hero_id,
                DAY + timedelta(days=4 * n),
                InteractionKind.COFFEE,
                "",
                steps[min(n * len(steps) // len(temperatures), 4)],
                temperature,
                answers={"ask.asked": "yes"} if n == len(temperatures) - 1 else {},
                open_door=n % 10 == 3,
            )
        )
    return found


def hero(id_: int, name: str) -> Hero:
    return Hero(id_, 1, name, "", "", None, StepId.ASK, NOW)


def test_the_chart_holds_each_heros_check_ins_doors_and_the_ask() -> None:
    dana, sam = hero(1, "Dana"), hero(2, "Sam")
    chart = progress_chart([dana, sam], {1: list(reversed(history(1, [2, 3, 4, 5]))), 2: []})
    assert chart is not None
    [drawn] = chart.heroes  # Sam has no check-in: no empty panel
    assert drawn.name == "Dana"
    assert [p.temperature for p in drawn.points] == [2, 3, 4, 5]  # oldest first
    assert [p.asked for p in drawn.points] == [False, False, False, True]
    assert [p.open_door for p in drawn.points] == [False, False, False, True]
    assert progress_chart([sam], {2: []}) is None


def test_a_hundred_contacts_draw_as_one_png() -> None:
    chart = progress_chart([hero(1, "Dana")], {1: history(1, [1 + n % 5 for n in range(100)])})
    assert chart is not None
    png = render(chart)
    assert png.startswith(PNG)
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (800, 280)


def test_the_outbox_keeps_the_chart_of_a_reply() -> None:
    chart = progress_chart([hero(1, "Dana")], {1: history(1, [2, 4])})
    reply = Reply("caption", chart=chart)
    stored = json.loads(json.dumps(payload_of(reply)))
    assert reply_of(stored).chart == chart


async def seed(chat: Chat) -> None:
    async with chat.open() as uow:
        [dana] = await uow.heroes.of(chat.me().id)
        for interaction in history(dana.id, [2, 3, 4]):
            await uow.interactions.add(chat.me().id, interaction)


async def test_progress_sends_the_picture_above_the_text(chat: Chat) -> None:
    await chat.say("/start")
    await chat.say("Dana")
    for skip in ("onboarding.role=", "onboarding.how_met=", "onboarding.when_met="):
        await chat.press(skip)
    await chat.say("/progress")
    assert [r.chart for r in chat.last.replies] == [None]  # nothing to draw yet
    await seed(chat)
    await chat.say("/progress")
    picture, summary = chat.last.replies
    assert picture.chart is not None
    assert [p.temperature for p in picture.chart.heroes[0].points] == [2, 3, 4]
    assert "\n" not in picture.text
    assert "Dana" in summary.text


async def test_the_terminal_saves_the_picture_and_json_names_it(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'coach.db'}")
    parts = await build(settings, telegram=False)
    try:
        out = io.StringIO()
        console = Console(parts.app, "me", out, tmp_path / "data")
        for line in ("/start", "Dana"):
            await console.json_turn(line)
        for skip in ("onboarding.role=", "onboarding.how_met=", "onboarding.when_met="):
            await console.json_turn(json.dumps({"button": skip}))
        async with parts.app.database.transaction() as uow:
            user = await uow.users.get(UserKey("console", "me"), "me", Preferences())
            [dana] = await uow.heroes.of(user.id)
            for interaction in history(dana.id, [3, 4]):
                await uow.interactions.add(user.id, interaction)
        answer = await console.json_turn("/progress")
        picture = answer["replies"][0]  # type: ignore[index]
        path = Path(picture["image"])
        assert path.parent == tmp_path / "data"
        assert (await asyncio.to_thread(path.read_bytes)).startswith(PNG)
        assert "image" not in answer["replies"][1]  # type: ignore[index]
        console.show(await console.send(console.event_for_line("/progress")))
        assert f"(picture saved to {path})" in out.getvalue()
    finally:
        await parts.close()


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi(token=TOKEN) as server:
        yield server


async def test_the_fake_bot_api_takes_a_png_and_refuses_what_is_no_image(
    api: FakeBotApi,
) -> None:
    api.send_text(ANA, "/progress")
    png = render(Chart((HeroChart("Dana", (ChartPoint(DAY, 3, StepId.GERM),)),)))
    async with Bot(api.token, base_url=api.url + "/bot") as bot:
        sent = await bot.send_photo(ANA, InputFile(png, filename="p.png"), caption="Warming")
        assert sent.photo
        assert sent.caption == "Warming"
        with pytest.raises(BadRequest, match=r"(?i)image_process_failed"):
            await bot.send_photo(ANA, InputFile(b"not a picture", filename="p.png"))
    [call, _] = api.calls_to("sendPhoto")
    assert isinstance(call.params["photo"], UploadedFile)
    assert call.params["photo"].content == png


@pytest.mark.e2e
def test_progress_arrives_as_a_photo_with_the_text_below(api: FakeBotApi, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'coach.db'}"
    process = BotProcess(api, tmp_path, url).start()
    try:
        onboard(api)

        async def check_ins() -> None:
            database = Database(url.replace("sqlite://", "sqlite+aiosqlite://"))
            try:
                async with database.transaction() as uow:
                    user = await uow.users.get(UserKey("telegram", str(ANA)), "Ana", Preferences())
                    [dana] = await uow.heroes.of(user.id)
                    for interaction in history(dana.id, [2, 3, 3, 4]):
                        await uow.interactions.add(user.id, interaction)
            finally:
                await database.dispose()

        asyncio.run(check_ins())
        photo, summary = say(api, ANA, "/progress", expect=2)
        assert photo["photo"]
        assert photo["caption"].startswith("How each hero has warmed")
        assert "Dana" in summary["text"]
        [call] = api.calls_to("sendPhoto")
        assert call.params["photo"].content.startswith(PNG)
    finally:
        process.stop()
