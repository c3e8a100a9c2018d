"""One contract for every unit of work: the in-memory fake the engine tests use, SQLite
and PostgreSQL (skipped without TEST_POSTGRES_URL) keep the same promises, so what the
engine tests prove on the fake holds on the databases."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import date, timedelta
from typing import Any

import pytest

from dialogs.content import default_content
from dialogs.engine import Coach
from dialogs.model import (
    AskOutcome,
    Command,
    DialogState,
    Event,
    Interaction,
    InteractionKind,
    Journey,
    NewHero,
    PausedCheckin,
    Preferences,
    Press,
    ReminderKind,
    ReminderResponse,
    StepId,
    Text,
    UserKey,
)
from testkit.memory import MemoryStore
from tests.conftest import NOW, FixedClock

ANA, BEN = UserKey("telegram", "1"), UserKey("telegram", "2")
Units = Callable[[], AbstractAsyncContextManager[Any]]


async def add_dana(uow: Any, user_id: int) -> Any:
    return await uow.heroes.add(
        user_id, NewHero("Dana", StepId.GERM, role="Producer", how_met="A gig")
    )


async def test_a_user_is_created_once_and_keeps_what_is_saved(units: Units) -> None:
    async with units() as uow:
        ana = await uow.users.get(ANA, "Ana", Preferences(timezone="Asia/Kolkata"))
        ana.dialog = DialogState(
            state="checkin.kind",
            hero_id=3,
            paused=[PausedCheckin(hero_id=3, state="checkin.story", answers={"a": "b"})],
        )
        await uow.users.save(ana)
    async with units() as uow:
        again = await uow.users.get(ANA, "Someone else", Preferences())
        ben = await uow.users.get(BEN, "Ben", Preferences())
    assert again.id == ana.id != ben.id
    assert again.prefs.timezone == "Asia/Kolkata"
    assert again.dialog == ana.dialog


async def test_heroes_and_their_history_belong_to_their_user(units: Units) -> None:
    async with units() as uow:
        ana = await uow.users.get(ANA, "Ana", Preferences())
        ben = await uow.users.get(BEN, "Ben", Preferences())
        dana = await add_dana(uow, ana.id)
        for days in (1, 3):
            await uow.interactions.add(
                ana.id,
                Interaction(
                    dana.id,
                    date(2026, 11, 20) - timedelta(days=days),
                    InteractionKind.CALL,
                    "",
                    StepId.GERM,
                    3,
                    advice=("germ.well_done",),
                ),
            )
    async with units() as uow:
        assert [h.name for h in await uow.heroes.of(ana.id)] == ["Dana"]
        assert await uow.heroes.of(ben.id) == []
        assert await uow.heroes.get(ben.id, dana.id) is None
        history = await uow.interactions.of(ana.id, dana.id)
        assert [i.happened_on.day for i in history] == [17, 19]
        assert history[0].advice == ("germ.well_done",)
        assert await uow.interactions.of(ben.id, dana.id) == []
        found = await uow.heroes.histories({(ana.id, dana.id), (ben.id, dana.id)})
        assert list(found) == [(ana.id, dana.id)]
        assert len(found[ana.id, dana.id].interactions) == 2


async def test_an_archived_hero_is_listed_only_when_asked_for(units: Units) -> None:
    async with units() as uow:
        ana = await uow.users.get(ANA, "Ana", Preferences())
        dana = await add_dana(uow, ana.id)
        dana.archived = True
        await uow.heroes.save(dana)
    async with units() as uow:
        assert await uow.heroes.of(ana.id) == []
        assert [h.id for h in await uow.heroes.of(ana.id, archived=True)] == [dana.id]


async def test_a_heroes_journey_is_kept(units: Units) -> None:
    async with units() as uow:
        ana = await uow.users.get(ANA, "Ana", Preferences())
        dana = await add_dana(uow, ana.id)
        assert dana.journey == Journey()
        dana.journey = Journey(("germ",), AskOutcome.NOT_NOW, "2026-11-20", "2027-02-01")
        await uow.heroes.save(dana)
    async with units() as uow:
        [kept] = await uow.heroes.of(ana.id)
        found = await uow.heroes.histories({(ana.id, dana.id)})
    assert kept.journey == dana.journey
    assert found[ana.id, dana.id].hero.journey == dana.journey


async def test_reminders_wait_cancel_and_take_responses(units: Units) -> None:
    async with units() as uow:
        ana = await uow.users.get(ANA, "Ana", Preferences())
        ben = await uow.users.get(BEN, "Ben", Preferences())
        dana = await add_dana(uow, ana.id)
        later = await uow.reminders.add(
            ana.id, dana.id, NOW + timedelta(days=2), ReminderKind.MANUAL
        )
        soon = await uow.reminders.add(ana.id, dana.id, NOW, ReminderKind.FOLLOW_UP)
    async with units() as uow:
        assert [r.id for r in await uow.reminders.upcoming(ana.id)] == [soon.id, later.id]
        assert await uow.reminders.get(ben.id, soon.id) is None
        assert not await uow.reminders.cancel(ben.id, soon.id)
        await uow.reminders.cancel_for_hero(ana.id, dana.id, follow_ups_only=True)
        await uow.reminders.respond(ana.id, later.id, ReminderResponse.SNOOZED)
    async with units() as uow:
        assert [r.id for r in await uow.reminders.upcoming(ana.id)] == [later.id]
        kept = await uow.reminders.get(ana.id, later.id)
        assert kept is not None
        assert kept.response is ReminderResponse.SNOOZED
        assert await uow.reminders.cancel(ana.id, later.id)
        assert not await uow.reminders.cancel(ana.id, later.id)
        assert len(await uow.reminders.of(ana.id)) == 2


async def test_deleting_a_user_takes_everything_of_theirs(units: Units) -> None:
    async with units() as uow:
        ana = await uow.users.get(ANA, "Ana", Preferences())
        ben = await uow.users.get(BEN, "Ben", Preferences())
        await add_dana(uow, ben.id)
        dana = await add_dana(uow, ana.id)
        await uow.reminders.add(ana.id, dana.id, NOW, ReminderKind.MANUAL)
    async with units() as uow:
        await uow.users.delete(ana.id)
    async with units() as uow:
        assert await uow.heroes.get(ana.id, dana.id) is None
        assert await uow.reminders.of(ana.id) == []
        assert len(await uow.heroes.of(ben.id)) == 1
        fresh = await uow.users.get(ANA, "Ana", Preferences())
    assert fresh.id != ana.id


async def test_a_block_that_raises_leaves_nothing_behind(units: Units) -> None:
    async with units() as uow:
        ana = await uow.users.get(ANA, "Ana", Preferences())

    async def failing_turn() -> None:
        async with units() as uow:
            await add_dana(uow, ana.id)
            raise RuntimeError("the turn failed")

    with pytest.raises(RuntimeError):
        await failing_turn()
    async with units() as uow:
        assert await uow.heroes.of(ana.id) == []


async def test_the_fake_records_commit_and_rollback() -> None:
    store = MemoryStore()
    async with store.uow() as uow:
        await uow.users.get(ANA, "Ana", Preferences())
    assert uow.committed
    assert not uow.rolled_back
    failed = store.uow()

    async def failing_turn() -> None:
        async with failed:
            raise RuntimeError

    with pytest.raises(RuntimeError):
        await failing_turn()
    assert failed.rolled_back
    assert not failed.committed


CONVERSATION: list[Event] = [
    Command("start"), Text("Dana"), Text("Producer"), Text("A gig"), Text("yesterday"),
    Command("checkin"), Text("today"), Text("coffee"), Text("She asked about my band."),
    Text("warm"), Text("mostly theirs"), Text("yes"), Text("insight"), Text("touring"),
    Text("in a week"), Command("heroes"), Press("hero.add"), Text("Sam"), Command("cancel"),
    Command("remind"), Text(
        "We had coffee and she told me all about her new tour, she lit up talking about it"
    ),
    Command("nextstep"), Command("reminders"), Command("progress"), Command("settings"),
    Press("settings.window"), Text("8 to 18"), Command("deleteme"), Text("yes"),
]  # fmt: skip


async def test_the_engine_says_the_same_on_every_store(units: Units) -> None:
    """The engine tests run on the fake; this conversation, touching every repository,
    must get word for word the replies it gets on the fake."""

    async def talk(open_unit: Units) -> list[tuple[str, ...]]:
        coach = Coach(default_content(), FixedClock())
        said = []
        for event in CONVERSATION:
            async with open_unit() as uow:
                outcome = await coach.handle(uow, ANA, "Ana", event)
            said.append(tuple(r.text for r in outcome.replies))
        return said

    assert await talk(units) == await talk(MemoryStore().uow)
