"""/rehearse: the ask's wording checked, the hero's answer played from the record, the
wording kept with the hero (on every store) and shown again at the real ask."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, date, datetime
from typing import Any

from dialogs.content import Content
from dialogs.model import (
    AskOutcome,
    Interaction,
    InteractionKind,
    NewHero,
    Preferences,
    StepId,
    UserKey,
)
from dialogs.rehearsal import Gap, check_wording, likely_answer
from tests.conftest import Chat
from tests.test_engine import onboard, tap_checkin

Units = Callable[[], AbstractAsyncContextManager[Any]]
GOOD_ASK = (
    "Would you be open to me shadowing you for one session next month? I could take the "
    "notes so you don't have to. Completely fine if the timing isn't right."
)


def coffees(*temperatures: int) -> list[Interaction]:
    return [
        Interaction(1, date(2026, 10, day), InteractionKind.COFFEE, "", StepId.ASK, t)
        for day, t in enumerate(temperatures, start=1)
    ]


def test_a_well_shaped_ask_has_no_gaps() -> None:
    assert check_wording(GOOD_ASK) == ()


def test_a_vague_demand_for_a_mentor_lacks_everything() -> None:
    gaps = check_wording("I want you to be my mentor and let me follow you around.")
    assert set(gaps) == set(Gap)


def test_the_likely_answer_follows_the_record(content: Content) -> None:
    assert likely_answer(coffees(3, 4, 5), content) == (AskOutcome.YES, ())
    answer, why = likely_answer(coffees(4, 4), content)
    assert answer is AskOutcome.NOT_NOW
    assert why
    assert likely_answer(coffees(4, 3, 1), content)[0] is AskOutcome.NO


async def test_rehearsing_early_warns_and_plays_a_not_now(chat: Chat) -> None:
    await onboard(chat)
    await chat.say("/rehearse")
    assert "step 1 of 5" in chat.text
    assert chat.state == "rehearse.text"
    await chat.say(GOOD_ASK)
    assert 'most likely say "not now"' in chat.text
    assert "If yes:" in chat.text
    assert "If no:" in chat.text
    assert chat.advice == ("ask.outcome_not_now",)
    assert (await chat.heroes())[0].rehearsed == GOOD_ASK


async def test_a_weak_ask_gets_the_gap_and_the_answer(chat: Chat) -> None:
    await onboard(chat)
    await chat.say("/rehearse Be my mentor please.")
    assert "Leave out" in chat.text
    assert len(chat.advice) == 2
    assert chat.advice[-1] == "ask.outcome_not_now"


async def test_the_rehearsed_ask_is_shown_again_at_the_real_one(chat: Chat) -> None:
    await onboard(chat)
    await chat.set_heroes(step=StepId.ASK)
    await chat.say(f"/rehearse {GOOD_ASK}")
    assert "step 1 of 5" not in chat.text
    await tap_checkin(chat, "today")
    await chat.press("checkin.kind=coffee")
    await chat.press("checkin.reaction=warm")
    assert chat.state == "ask.asked"
    assert f"the ask you rehearsed: “{GOOD_ASK}”" in chat.text


async def test_the_rehearsed_wording_is_kept_by_every_store(units: Units) -> None:
    async with units() as uow:
        ana = await uow.users.get(UserKey("telegram", "1"), "Ana", Preferences())
        dana = await uow.heroes.add(ana.id, NewHero("Dana", StepId.ASK))
        assert dana.rehearsed == ""
        dana.rehearsed = GOOD_ASK
        await uow.heroes.save(dana)
    async with units() as uow:
        again = await uow.heroes.get(ana.id, dana.id)
    assert again.rehearsed == GOOD_ASK


async def test_a_hero_from_before_rehearsals_reads_as_none_rehearsed(database_url: str) -> None:
    from sqlalchemy import text

    from storage.db import Database

    db = Database(database_url)
    try:
        await db.migrate("0004")
        async with db.engine.begin() as connection:
            now = {"now": datetime(2026, 1, 1, tzinfo=UTC)}
            await connection.execute(
                text(
                    "INSERT INTO users (id, channel, external_id, display_name, timezone,"
                    " dialog, created_at, updated_at)"
                    " VALUES (1, 'telegram', '7', 'Old', 'UTC', '{}', :now, :now)"
                ),
                now,
            )
            await connection.execute(
                text(
                    "INSERT INTO heroes (id, user_id, name, role, how_met, step, archived,"
                    " created_at) VALUES (1, 1, 'Dana', '', '', 'ask', false, :now)"
                ),
                now,
            )
        await db.migrate()
        async with db.transaction() as store:
            hero = await store.heroes.get(1, 1)
        assert hero is not None
        assert hero.rehearsed == ""
    finally:
        await db.dispose()
