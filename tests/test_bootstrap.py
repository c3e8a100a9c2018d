"""One bootstrap builds what every entry point runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.bootstrap import build
from bot.settings import Settings
from dialogs.model import Command, UserKey


async def test_the_terminal_gets_a_working_coach_without_a_token(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'coach.db'}")
    parts = await build(settings, telegram=False)
    try:
        outcome = await parts.app.turn(UserKey("console", "me"), "Me", Command("help"))
        assert outcome is not None
        assert "/checkin" in outcome.replies[0].text
        with pytest.raises(AssertionError, match="without Telegram"):
            parts.gateway()
    finally:
        await parts.close()


async def test_telegram_parts_share_one_coach_and_one_database(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'coach.db'}",
        telegram_bot_token=SecretStr("123:abc"),
    )
    parts = await build(settings)
    try:
        gateway, dispatcher = parts.gateway(), parts.dispatcher()
        assert gateway.app is parts.app
        assert dispatcher.app is parts.app
        assert gateway.bot is parts.bot
    finally:
        await parts.close()


def test_a_default_window_may_cross_midnight_as_a_users_may() -> None:
    night = Settings(default_window_start="22:00", default_window_end="07:00").preferences()
    assert (night.window_start.hour, night.window_end.hour) == (22, 7)
