"""The user's data in their hands: /privacy, /export, /forget, /deleteme."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select

from dialogs.content import default_content
from dialogs.engine import Coach
from dialogs.model import Command, Press, UserKey
from storage.db import Database
from storage.models import Base
from testkit.events import typed
from tests.conftest import Chat, FixedClock
from tests.test_engine import checkin, onboard

EVE = UserKey("test", "2")


async def two_users(chat: Chat) -> Chat:
    """Ana with Dana, one check-in and a reminder; Eve with a hero of her own."""
    await onboard(chat)
    await checkin(chat, "warm", "interests.whose=theirs", "interests.problem=yes",
                  "interests.offer=insight")  # fmt: skip
    await chat.say("her tour")
    await chat.press("checkin.followup=suggested")
    eve = Chat(chat.coach, chat.store, key=EVE, name="Eve")
    await onboard(eve, "Sam Secret")
    await eve.say("/remind in 2 hours")
    return eve


def exported(chat: Chat) -> dict[str, Any]:
    assert chat.last is not None
    [reply] = [r for r in chat.last.replies if r.document is not None]
    assert reply.document is not None
    assert reply.document.filename.endswith(".json")
    return json.loads(reply.document.content)


async def test_privacy_says_what_is_stored_and_how_to_remove_it(chat: Chat) -> None:
    await chat.say("/privacy")
    for command in ("/export", "/forget", "/deleteme"):
        assert command in chat.text


async def test_export_holds_everything_about_the_user_and_nothing_else(chat: Chat) -> None:
    await two_users(chat)
    await chat.say("/export")
    data = exported(chat)
    assert data["user"]["name"] == "Ana"
    [hero] = data["heroes"]
    assert hero["name"] == "Dana"
    assert hero["how_met"] == "At a conference talk"
    [interaction] = hero["interactions"]
    assert interaction["lit_up"] == "her tour"
    assert interaction["advice"] == ["interests.well_done"]
    assert [r["kind"] for r in data["reminders"]] == ["follow_up"]
    assert "Sam Secret" not in json.dumps(data)
    assert "Eve" not in json.dumps(data)


async def test_forget_removes_one_hero_with_their_history(chat: Chat) -> None:
    eve = await two_users(chat)
    await chat.say("/forget")
    await chat.press("forget:1")
    await chat.press("forget.confirm=yes")
    assert "forgotten" in chat.text
    assert 1 not in chat.store.hero_rows
    assert all(i.hero_id != 1 for _, i in chat.store.interaction_rows)
    assert all(r.hero_id != 1 for r in chat.store.reminder_rows.values())
    assert chat.store.users[chat.key].current_hero_id is None
    # Eve's hero and reminder are untouched.
    await eve.say("/export")
    assert [h["name"] for h in exported(eve)["heroes"]] == ["Sam Secret"]


async def test_nobody_can_forget_someone_elses_hero(chat: Chat) -> None:
    eve = await two_users(chat)
    outcome = await eve.send(Press("forget:1", None))
    assert outcome.stale
    assert 1 in chat.store.hero_rows


async def test_deleteme_asks_first_then_erases_the_user(chat: Chat) -> None:
    eve = await two_users(chat)
    await chat.say("/deleteme")
    await chat.press("deleteme.confirm=no")
    assert chat.key in chat.store.users
    await chat.say("/deleteme")
    await chat.press("deleteme.confirm=yes")
    assert "everything about you is deleted" in chat.text
    assert chat.key not in chat.store.users
    assert [h.name for h in chat.store.hero_rows.values()] == ["Sam Secret"]
    assert [r.user_id for r in chat.store.reminder_rows.values()] == [chat.store.users[EVE].id]
    assert eve.key in chat.store.users


async def test_after_deleteme_no_row_of_the_user_remains_in_any_table(
    database: Database,
) -> None:
    coach = Coach(default_content(), FixedClock())
    ana, eve = UserKey("telegram", "1"), UserKey("telegram", "2")
    script = ["/start", "Dana", "Producer", "A gig", "yesterday", "/checkin", "today", "coffee",
              "She asked about my band.", "warm", "mostly theirs", "yes", "insight", "touring",
              "in a week", "/remind in 2 hours"]  # fmt: skip
    for key in (ana, eve):
        for line in script:
            async with database.transaction() as store:
                await coach.handle(store, key, key.external_id, typed(line))

    async def rows() -> dict[str, int]:
        counts = {}
        async with database.transaction() as store:
            for table in Base.metadata.sorted_tables:
                if table.name == "send_slots":
                    continue
                counts[table.name] = await store.session.scalar(
                    select(func.count()).select_from(table)
                )
        return counts

    before = await rows()
    assert before["interactions"] == 2
    assert before["reminders"] == 4
    for event in (Command("deleteme"), Press("deleteme.confirm=yes")):
        async with database.transaction() as store:
            await coach.handle(store, ana, "1", event)
    after = await rows()
    # Exactly Eve's rows are left: half of everything per-user.
    assert after == {name: count // 2 for name, count in before.items()}
    async with database.transaction() as store:
        user = await store.users.get(eve, "2", coach.defaults)
        assert [h.name for h in await store.heroes.of(user.id)] == ["Dana"]
