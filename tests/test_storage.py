"""The repositories and migrations, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text, update
from sqlalchemy.exc import IntegrityError

from dialogs.content import default_content
from dialogs.engine import Coach
from dialogs.model import (
    Command,
    DialogState,
    Interaction,
    InteractionKind,
    NewHero,
    PausedCheckin,
    Preferences,
    Press,
    StepId,
    Text,
    UserKey,
)
from storage.db import Database, alembic_config
from storage.models import Base, HeroRow, InteractionRow, UserRow
from tests.conftest import FixedClock, counting

ANA = UserKey("telegram", "1001")
BEN = UserKey("telegram", "2002")
TABLES = {
    "users", "heroes", "interactions", "processed_updates", "reminders", "send_slots",
    "inbox", "outbox", "alembic_version",
}  # fmt: skip


async def test_migrations_build_the_schema_from_empty(database_url: str) -> None:
    db = Database(database_url)
    try:
        await db.migrate()
        await db.migrate()  # a second run finds nothing to do
        async with db.engine.connect() as connection:
            tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
            version = await connection.scalar(text("SELECT version_num FROM alembic_version"))
            # What autogenerate would write next: nothing, if the migrations built the models.
            drift = await connection.run_sync(
                lambda c: compare_metadata(
                    MigrationContext.configure(c, opts={"compare_type": True}), Base.metadata
                )
            )
        assert tables == TABLES
        assert version == "0006"
        assert drift == []
        async with db.engine.begin() as connection:
            await connection.run_sync(lambda c: command.downgrade(alembic_config(c), "base"))
        async with db.engine.connect() as connection:
            tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
        assert tables == {"alembic_version"}
    finally:
        await db.dispose()


async def test_a_user_is_created_once_and_keeps_its_dialog(database: Database) -> None:
    async with database.transaction() as store:
        user = await store.users.get(ANA, "Ana", Preferences(timezone="Europe/Berlin"))
        user.dialog = DialogState(
            state="checkin.kind",
            turn=7,
            hero_id=3,
            answers={"checkin.when": "today"},
            paused=PausedCheckin(hero_id=3, state="checkin.story", answers={"a": "b"}),
        )
        await store.users.save(user)
    async with database.transaction() as store:
        again = await store.users.get(ANA, "Ana B.", Preferences())
    assert again.id == user.id
    assert again.prefs.timezone == "Europe/Berlin"
    assert again.dialog == user.dialog


async def test_heroes_belong_to_their_user(database: Database) -> None:
    async with database.transaction() as store:
        ana = await store.users.get(ANA, "Ana", Preferences())
        ben = await store.users.get(BEN, "Ben", Preferences())
        dana = await store.heroes.add(
            ana.id,
            NewHero(
                "Dana",
                StepId.INTERESTS,
                role="producer",
                how_met="conference",
                met_on=date(2026, 1, 2),
            ),
        )
        sam = await store.heroes.add(ana.id, NewHero("Sam", StepId.GERM))
        sam.archived = True
        await store.heroes.save(sam)
    async with database.transaction() as store:
        assert [h.name for h in await store.heroes.of(ana.id)] == ["Dana"]
        assert await store.heroes.of(ben.id) == []
        assert await store.heroes.get(ben.id, dana.id) is None
        stored = await store.heroes.get(ana.id, dana.id)
        assert stored is not None
        assert stored.met_on == date(2026, 1, 2)
        stored.user_id = ben.id
        with pytest.raises(PermissionError):
            await store.heroes.save(stored)


def radar_checkin(
    hero_id: int,
    day: date,
    temperature: int,
    *,
    kind: InteractionKind,
    story: str = "",
    open_door: bool = False,
    lit_up: str = "",
) -> Interaction:
    """A stored radar check-in whose answers said the door is open."""
    return Interaction(
        hero_id=hero_id,
        happened_on=day,
        kind=kind,
        story=story,
        step=StepId.RADAR,
        temperature=temperature,
        answers={"radar.door": "yes"},
        advice=("radar.warm_open_door",),
        open_door=open_door,
        lit_up=lit_up,
    )


async def test_interactions_come_back_in_the_order_they_happened(database: Database) -> None:
    async with database.transaction() as store:
        ana = await store.users.get(ANA, "Ana", Preferences())
        hero = await store.heroes.add(ana.id, NewHero("Dana", StepId.RADAR))
        for day, temp in ((date(2026, 3, 5), 4), (date(2026, 3, 1), 2), (date(2026, 3, 9), 5)):
            await store.interactions.add(
                ana.id,
                radar_checkin(
                    hero.id,
                    day,
                    temp,
                    kind=InteractionKind.COFFEE,
                    story="Talked about touring — «ça va» 🎸",
                    open_door=True,
                ),
            )
    async with database.transaction() as store:
        found = await store.interactions.of(ana.id, hero.id)
        assert [i.temperature for i in found] == [2, 4, 5]
        assert found[0].story == "Talked about touring — «ça va» 🎸"
        assert found[0].answers == {"radar.door": "yes"}
        assert found[0].advice == ("radar.warm_open_door",)
        assert (
            await store.interactions.of(
                (await store.users.get(BEN, "Ben", Preferences())).id, hero.id
            )
            == []
        )


async def test_hero_histories_reads_several_users_heroes_in_two_statements(
    database: Database,
) -> None:
    async with database.transaction() as store:
        ana = await store.users.get(ANA, "Ana", Preferences())
        ben = await store.users.get(BEN, "Ben", Preferences())
        heroes = {}
        for user, name in ((ana, "Dana"), (ana, "Sam"), (ana, "Lee"), (ben, "Kim")):
            heroes[name] = await store.heroes.add(user.id, NewHero(name, StepId.RADAR))
        heroes["Lee"].archived = True
        await store.heroes.save(heroes["Lee"])
        for name, day, temp in (("Dana", 5, 4), ("Kim", 2, 3), ("Dana", 1, 2), ("Dana", 5, 5)):
            user = ben if name == "Kim" else ana
            await store.interactions.add(
                user.id,
                radar_checkin(
                    heroes[name].id,
                    date(2026, 3, day),
                    temp,
                    kind=InteractionKind.CALL,
                    lit_up="jazz",
                ),
            )
    dana, sam, lee, kim = (heroes[name].id for name in ("Dana", "Sam", "Lee", "Kim"))
    wanted = {(ana.id, dana), (ana.id, sam), (ana.id, lee), (ben.id, kim), (ana.id, 999_999)}
    wanted |= {(ben.id, dana), (ana.id, kim)}  # someone else's: never found
    async with database.transaction() as store:
        with counting(database) as counted:
            found = await store.heroes.histories(wanted)
            assert await store.heroes.histories(set()) == {}
        assert len(counted.statements) == 2
        # The same heroes and histories as reading them one by one.
        assert set(found) == {(ana.id, dana), (ana.id, sam), (ana.id, lee), (ben.id, kim)}
        for (user_id, hero_id), known in found.items():
            assert known.hero == await store.heroes.get(user_id, hero_id)
            assert list(known.interactions) == await store.interactions.of(user_id, hero_id)
    assert [i.temperature for i in found[ana.id, dana].interactions] == [2, 4, 5]
    assert found[ana.id, dana].interactions[0].answers == {"radar.door": "yes"}
    assert found[ana.id, sam].interactions == ()
    assert found[ana.id, lee].hero.archived
    assert [i.temperature for i in found[ben.id, kim].interactions] == [3]


async def test_the_database_refuses_a_temperature_out_of_range(database: Database) -> None:
    async def add_too_hot() -> None:
        async with database.transaction() as store:
            ana = await store.users.get(ANA, "Ana", Preferences())
            hero = await store.heroes.add(ana.id, NewHero("Dana", StepId.RADAR))
            interaction = Interaction(
                hero.id, date(2026, 1, 1), InteractionKind.CALL, "", StepId.RADAR, temperature=6
            )
            await store.interactions.add(ana.id, interaction)

    with pytest.raises(IntegrityError):
        await add_too_hot()
    async with database.transaction() as store:
        # The whole transaction rolled back: not even the hero is left.
        assert await store.heroes.of((await store.users.get(ANA, "Ana", Preferences())).id) == []


async def test_an_update_id_is_claimed_once(database: Database) -> None:
    async with database.transaction() as store:
        assert await store.updates.claim(123456789012)
    async with database.transaction() as store:
        assert not await store.updates.claim(123456789012)
        assert await store.updates.claim(5)


async def test_deleting_a_user_removes_their_heroes_and_interactions(database: Database) -> None:
    async with database.transaction() as store:
        ana = await store.users.get(ANA, "Ana", Preferences())
        hero = await store.heroes.add(ana.id, NewHero("Dana", StepId.RADAR))
        await store.interactions.add(
            ana.id,
            Interaction(hero.id, date(2026, 1, 1), InteractionKind.CALL, "", StepId.RADAR, 3),
        )
    async with database.transaction() as store:
        await store.session.delete(await store.session.get_one(UserRow, ana.id))
    async with database.transaction() as store:
        assert (await store.session.scalars(select(HeroRow))).all() == []
        assert (await store.session.scalars(select(InteractionRow))).all() == []


async def test_the_coach_runs_on_the_database(database: Database) -> None:
    coach = Coach(default_content(), FixedClock())
    typed = [
        "Dana", "Producer", "A gig", "yesterday", "/checkin", "today", "coffee",
        "She asked about my band.", "warm", "mostly theirs", "yes", "insight", "touring",
        "in a week",
    ]  # fmt: skip
    script = [Command("start")]
    script += [Command(t[1:]) if t.startswith("/") else Text(t) for t in typed]
    for event in script:
        async with database.transaction() as store:
            outcome = await coach.handle(store, ANA, "Ana", event)
        assert outcome.replies
    async with database.transaction() as store:
        user = await store.users.get(ANA, "Ana", Preferences())
        [hero] = await store.heroes.of(user.id)
        [interaction] = await store.interactions.of(user.id, hero.id)
        [reminder] = await store.reminders.upcoming(user.id)
    assert user.dialog.state == "idle"
    assert interaction.advice == ("interests.well_done",)
    assert reminder.hero_id == hero.id
    assert interaction.lit_up == "touring"


async def test_simultaneous_first_messages_create_one_user(database: Database) -> None:
    coach = Coach(default_content(), FixedClock())

    async def first_message() -> None:
        async with database.transaction() as store:
            await coach.handle(store, ANA, "Ana", Command("heroes"))

    await asyncio.gather(*(first_message() for _ in range(8)))
    async with database.transaction() as store:
        rows = (await store.session.scalars(select(UserRow))).all()
    assert len(rows) == 1
    # Each turn answered with buttons and so bumped the turn counter; none was lost.
    assert rows[0].dialog["turn"] == 8


async def test_forged_buttons_with_huge_ids_change_nothing(database: Database) -> None:
    coach = Coach(default_content(), FixedClock())
    for button in ("hero.switch:99999999999999999999", "rem.done:12345678901234", "forget:-1"):
        async with database.transaction() as store:
            outcome = await coach.handle(store, ANA, "Ana", Press(button, None))
        assert outcome.stale


async def test_migrations_carry_data_over_from_the_first_release(database_url: str) -> None:
    db = Database(database_url)
    try:
        await db.migrate("0001")
        async with db.engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO users (channel, external_id, display_name, timezone, dialog,"
                    " created_at, updated_at) VALUES ('telegram', '7', 'Old', 'Europe/Berlin',"
                    ' \'{"state": "idle", "turn": 3}\', :now, :now)'
                ),
                {"now": datetime(2026, 1, 1, tzinfo=UTC)},
            )
        await db.migrate()
        async with db.transaction() as store:
            user = await store.users.get(UserKey("telegram", "7"), "Old", Preferences())
        assert user.prefs == Preferences("Europe/Berlin", time(9), time(20), paused=False)
        assert user.active
        assert user.dialog.turn == 3
    finally:
        await db.dispose()


async def test_old_update_records_are_pruned_and_pending_ones_kept(database: Database) -> None:
    from storage.models import InboxRow, ProcessedUpdate

    now = datetime(2026, 11, 26, tzinfo=UTC)
    async with database.transaction() as store:
        inbox = store.inbox
        for update_id in (1, 2, 3):
            await inbox.add(update_id, {"update_id": update_id})
        await inbox.done(1, now - timedelta(days=3))
        await inbox.done(2, now - timedelta(hours=1))
        await store.updates.claim(10)
        await store.session.execute(
            update(ProcessedUpdate).values(processed_at=now - timedelta(days=3))
        )
        await store.updates.claim(11)
    async with database.transaction() as store:
        await store.inbox.prune(now - timedelta(days=2))
    async with database.transaction() as store:
        assert sorted(await store.session.scalars(select(InboxRow.update_id))) == [2, 3]
        assert list(await store.session.scalars(select(ProcessedUpdate.update_id))) == [11]


async def test_a_user_is_written_back_only_when_their_turn_changed_them(
    database: Database,
) -> None:
    async with database.transaction() as store:
        await store.users.get(ANA, "Ana", Preferences())
    with counting(database) as counted:
        async with database.transaction() as store:
            user = await store.users.get(ANA, "Ana", Preferences())
            await store.users.save(user)  # as loaded
        assert counted.updates("users") == 0
        async with database.transaction() as store:
            user = await store.users.get(ANA, "Ana", Preferences())
            user.dialog.state = "onboarding.name"
            user.prefs = Preferences(timezone="Europe/Lisbon")
            await store.users.save(user)
            await store.users.save(user)  # again, unchanged since
        assert counted.updates("users") == 1
    async with database.transaction() as store:
        again = await store.users.get(ANA, "Ana", Preferences())
    assert (again.dialog.state, again.prefs.timezone) == ("onboarding.name", "Europe/Lisbon")
