"""The dialogs' repositories and the unit of work, on SQLAlchemy. Never commits: the
unit of work's transaction does, when its block ends."""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Row, Table, bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.model import (
    DialogState,
    Hero,
    HeroHistory,
    Interaction,
    InteractionKind,
    Journey,
    NewHero,
    Preferences,
    Reminder,
    ReminderKind,
    ReminderResponse,
    ReminderStatus,
    StepId,
    User,
    UserKey,
)
from storage.db import begun_driver
from storage.models import HeroRow, InteractionRow, ProcessedUpdate, ReminderRow, UserRow

# Core, not the ORM, for the users table: every turn loads and saves its user, and an
# ORM entity's loading and flush cost more than the statements themselves.
USERS = cast(Table, UserRow.__table__)
# And for the heroes and histories a chunk of reminder messages speaks of.
HEROES = cast(Table, HeroRow.__table__)
INTERACTIONS = cast(Table, InteractionRow.__table__)
# Built once: every turn runs them, and building a statement and its cache key costs
# more than compiling it (found in the cache) does.
LOCK_USER = (
    select(USERS)
    .where(
        USERS.c.channel == bindparam("b_channel"),
        USERS.c.external_id == bindparam("b_external_id"),
    )
    .with_for_update()
)
SAVE_USER = update(USERS).where(USERS.c.id == bindparam("b_id"))  # SET: the values given
# SAVE_USER with every value `_user_values` gives, for a transaction already begun on
# PostgreSQL (storage.db.begun_driver); updated_at is what SQLAlchemy's onupdate sets.
SAVE_USER_DRIVER = (
    "UPDATE users SET display_name = $2, timezone = $3, window_start = $4, window_end = $5,"
    " reminders_paused = $6, active = $7, current_hero_id = $8, dialog = $9::text::json,"
    " updated_at = $10 WHERE id = $1"
)


def _insert(session: AsyncSession):  # type: ignore[no-untyped-def]
    """Returns the dialect's INSERT, which knows ON CONFLICT DO NOTHING."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


class _Repository:
    """One aggregate's statements on the unit of work's session. Never commits."""

    def __init__(self, session: AsyncSession, loaded: list[object]) -> None:
        self.session = session
        # The session's identity map holds rows weakly; holding them here lets a turn's
        # later session.get() find them without another SELECT.
        self.loaded = loaded

    def _keep(self, *rows: object) -> None:
        self.loaded.extend(rows)


class SqlUsers(_Repository):
    """Users: one row per person per channel, locked for their turn."""

    def __init__(self, session: AsyncSession, loaded: list[object]) -> None:
        super().__init__(session, loaded)
        # What each user loaded in this transaction looks like in the database.
        self.stored_users: dict[int, dict[str, Any]] = {}

    async def get(self, key: UserKey, display_name: str, defaults: Preferences) -> User:
        # Lock the row, so one user's turns run one at a time (PostgreSQL).
        whose = {"b_channel": key.channel, "b_external_id": key.external_id}
        row = (await self.session.execute(LOCK_USER, whose)).first()
        if row is None:
            # A new user. Insert-if-missing, so two first messages at once can't both
            # create them, then lock the row either of them made.
            await self.session.execute(
                _insert(self.session)(USERS)
                .values(
                    channel=key.channel,
                    external_id=key.external_id,
                    display_name=display_name[:128],
                    timezone=defaults.timezone,
                    window_start=defaults.window_start,
                    window_end=defaults.window_end,
                    reminders_paused=defaults.paused,
                    active=True,
                    dialog=DialogState().model_dump(mode="json"),
                )
                .on_conflict_do_nothing(index_elements=["channel", "external_id"])
            )
            row = (await self.session.execute(LOCK_USER, whose)).one()
        user = user_from(row, key)
        self.stored_users[user.id] = _user_values(user)
        return user

    async def save(self, user: User) -> None:
        values = _user_values(user)
        if self.stored_users.get(user.id) == values:
            return  # nothing changed: no UPDATE
        driver = await begun_driver(self.session)
        if driver is None:
            await self.session.execute(SAVE_USER, {**values, "b_id": user.id})
        else:
            await driver.execute(
                SAVE_USER_DRIVER,
                user.id,
                values["display_name"],
                values["timezone"],
                values["window_start"],
                values["window_end"],
                values["reminders_paused"],
                values["active"],
                values["current_hero_id"],
                json.dumps(values["dialog"]),
                datetime.now(UTC),
            )
        self.stored_users[user.id] = values

    async def delete(self, user_id: int) -> None:
        # Foreign keys cascade to heroes, interactions, reminders and update records.
        await self.session.execute(delete(UserRow).where(UserRow.id == user_id))
        self.session.expunge_all()


class SqlHeroes(_Repository):
    """Heroes, and for reminder messages their histories."""

    async def of(self, user_id: int, *, archived: bool = False) -> list[Hero]:
        query = select(HeroRow).where(HeroRow.user_id == user_id).order_by(HeroRow.id)
        if not archived:
            query = query.where(HeroRow.archived.is_(False))
        rows = (await self.session.scalars(query)).all()
        self._keep(*rows)
        return [_hero(row) for row in rows]

    async def get(self, user_id: int, hero_id: int) -> Hero | None:
        row = await self.session.get(HeroRow, hero_id)
        if row is None or row.user_id != user_id:
            return None
        self._keep(row)
        return _hero(row)

    async def add(self, user_id: int, hero: NewHero) -> Hero:
        row = HeroRow(
            user_id=user_id,
            name=hero.name,
            role=hero.role,
            how_met=hero.how_met,
            met_on=hero.met_on,
            step=hero.step.value,
        )
        self.session.add(row)
        await self.session.flush()
        self._keep(row)
        return _hero(row)

    async def save(self, hero: Hero) -> None:
        row = await self.session.get_one(HeroRow, hero.id)
        if row.user_id != hero.user_id:
            raise PermissionError("a hero can only be changed by its own user")
        row.step = hero.step.value
        row.archived = hero.archived
        row.rehearsed = hero.rehearsed
        row.journey = hero.journey.to_json()

    async def delete(self, user_id: int, hero_id: int) -> bool:
        # Foreign keys cascade to the hero's interactions and reminders.
        deleted = await self.session.scalar(
            delete(HeroRow)
            .where(HeroRow.id == hero_id, HeroRow.user_id == user_id)
            .returning(HeroRow.id)
        )
        return deleted is not None

    async def histories(
        self, wanted: Collection[tuple[int, int]]
    ) -> dict[tuple[int, int], HeroHistory]:
        # Two SELECTs, however many heroes. Each row is checked against the pairs asked
        # for, so a hero is found only under its own user's id (even when another user
        # in the same chunk asks for it under theirs).
        wanted = set(wanted)
        if not wanted:
            return {}
        users = sorted({user_id for user_id, _ in wanted})
        rows = await self.session.execute(
            select(HEROES).where(
                HEROES.c.id.in_(sorted({hero_id for _, hero_id in wanted})),
                HEROES.c.user_id.in_(users),
            )
        )
        heroes = {
            (row.user_id, row.id): _hero(row) for row in rows if (row.user_id, row.id) in wanted
        }
        if not heroes:
            return {}
        histories: dict[tuple[int, int], list[Interaction]] = {key: [] for key in heroes}
        rows = await self.session.execute(
            select(INTERACTIONS)
            .where(
                INTERACTIONS.c.hero_id.in_(sorted(hero_id for _, hero_id in heroes)),
                INTERACTIONS.c.user_id.in_(users),
            )
            .order_by(INTERACTIONS.c.happened_on, INTERACTIONS.c.id)
        )
        for row in rows:
            history = histories.get((row.user_id, row.hero_id))
            if history is not None:
                history.append(_interaction(row))
        return {key: HeroHistory(hero, tuple(histories[key])) for key, hero in heroes.items()}


class SqlInteractions(_Repository):
    """The contacts logged with each hero."""

    async def add(self, user_id: int, interaction: Interaction) -> Interaction:
        row = InteractionRow(
            user_id=user_id,
            hero_id=interaction.hero_id,
            happened_on=interaction.happened_on,
            kind=interaction.kind.value,
            story=interaction.story,
            step=interaction.step.value,
            temperature=interaction.temperature,
            answers=dict(interaction.answers),
            advice=list(interaction.advice),
            open_door=interaction.open_door,
            lit_up=interaction.lit_up,
        )
        self.session.add(row)
        await self.session.flush()
        return _interaction(row)

    async def of(self, user_id: int, hero_id: int) -> list[Interaction]:
        rows = await self.session.scalars(
            select(InteractionRow)
            .where(InteractionRow.user_id == user_id, InteractionRow.hero_id == hero_id)
            .order_by(InteractionRow.happened_on, InteractionRow.id)
        )
        return [_interaction(row) for row in rows]


class SqlReminders(_Repository):
    """Reminders as the dialogs see them (the dispatcher has the queue)."""

    async def add(
        self, user_id: int, hero_id: int | None, due_at: datetime, kind: ReminderKind
    ) -> Reminder:
        row = ReminderRow(
            user_id=user_id,
            hero_id=hero_id,
            kind=kind.value,
            due_at=due_at,
            next_attempt_at=due_at,
            status=ReminderStatus.PENDING.value,
        )
        self.session.add(row)
        await self.session.flush()
        return reminder_from(row)

    async def upcoming(self, user_id: int) -> list[Reminder]:
        rows = await self.session.scalars(
            select(ReminderRow)
            .where(
                ReminderRow.user_id == user_id,
                ReminderRow.status.in_([ReminderStatus.PENDING, ReminderStatus.CLAIMED]),
            )
            .order_by(ReminderRow.due_at, ReminderRow.id)
        )
        return [reminder_from(row) for row in rows]

    async def get(self, user_id: int, reminder_id: int) -> Reminder | None:
        row = await self.session.get(ReminderRow, reminder_id)
        return reminder_from(row) if row is not None and row.user_id == user_id else None

    async def batch(self, user_id: int, batch: int) -> list[Reminder]:
        rows = await self.session.scalars(
            select(ReminderRow)
            .where(ReminderRow.user_id == user_id, ReminderRow.batch == batch)
            .order_by(ReminderRow.id)
        )
        return [reminder_from(row) for row in rows]

    async def cancel(self, user_id: int, reminder_id: int) -> bool:
        result = await self.session.scalar(
            update(ReminderRow)
            .where(
                ReminderRow.id == reminder_id,
                ReminderRow.user_id == user_id,
                ReminderRow.status == ReminderStatus.PENDING,
            )
            .values(status=ReminderStatus.CANCELLED)
            .returning(ReminderRow.id)
        )
        return result is not None

    async def respond(self, user_id: int, reminder_id: int, response: ReminderResponse) -> None:
        await self.session.execute(
            update(ReminderRow)
            .where(ReminderRow.id == reminder_id, ReminderRow.user_id == user_id)
            .values(response=response.value)
        )

    async def cancel_for_hero(self, user_id: int, hero_id: int, *, follow_ups_only: bool) -> None:
        query = update(ReminderRow).where(
            ReminderRow.user_id == user_id,
            ReminderRow.hero_id == hero_id,
            ReminderRow.status == ReminderStatus.PENDING,
        )
        if follow_ups_only:
            query = query.where(ReminderRow.kind == ReminderKind.FOLLOW_UP)
        await self.session.execute(query.values(status=ReminderStatus.CANCELLED))

    async def of(self, user_id: int) -> list[Reminder]:
        rows = await self.session.scalars(
            select(ReminderRow).where(ReminderRow.user_id == user_id).order_by(ReminderRow.id)
        )
        return [reminder_from(row) for row in rows]


class SqlUpdates:
    """The Telegram update ids already handled: a re-delivered update changes nothing."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim(self, update_id: int) -> bool:
        """Records a Telegram update id; False if it was handled before."""
        claimed = await self.session.scalar(
            _insert(self.session)(ProcessedUpdate)
            .values(update_id=update_id)
            .on_conflict_do_nothing(index_elements=["update_id"])
            .returning(ProcessedUpdate.update_id)
        )
        return claimed is not None


def _user_values(user: User) -> dict[str, Any]:
    """The columns of the users table that a turn may change."""
    return {
        "display_name": user.display_name[:128],
        "timezone": user.prefs.timezone,
        "window_start": user.prefs.window_start,
        "window_end": user.prefs.window_end,
        "reminders_paused": user.prefs.paused,
        "active": user.active,
        "current_hero_id": user.current_hero_id,
        "dialog": user.dialog.model_dump(mode="json"),
    }


def user_from(row: UserRow | Row[Any], key: UserKey) -> User:
    return User(
        id=row.id,
        key=key,
        display_name=row.display_name,
        prefs=Preferences(row.timezone, row.window_start, row.window_end, row.reminders_paused),
        current_hero_id=row.current_hero_id,
        dialog=DialogState.model_validate(row.dialog),
        created_at=row.created_at,
        active=row.active,
    )


def _hero(row: HeroRow | Row[Any]) -> Hero:
    return Hero(
        id=row.id,
        user_id=row.user_id,
        name=row.name,
        role=row.role,
        how_met=row.how_met,
        met_on=row.met_on,
        step=StepId(row.step),
        created_at=row.created_at,
        archived=row.archived,
        rehearsed=row.rehearsed,
        journey=Journey.from_json(row.journey),
    )


def reminder_from(row: ReminderRow) -> Reminder:
    return Reminder(
        id=row.id,
        user_id=row.user_id,
        hero_id=row.hero_id,
        due_at=row.due_at,
        kind=ReminderKind(row.kind),
        status=ReminderStatus(row.status),
        response=ReminderResponse(row.response) if row.response else None,
        batch=row.batch,
    )


def _interaction(row: InteractionRow | Row[Any]) -> Interaction:
    return Interaction(
        id=row.id,
        hero_id=row.hero_id,
        happened_on=row.happened_on,
        kind=InteractionKind(row.kind),
        story=row.story,
        step=StepId(row.step),
        temperature=row.temperature,
        answers=dict(row.answers),
        advice=tuple(row.advice),
        open_door=row.open_door,
        lit_up=row.lit_up,
        created_at=row.created_at,
    )
