"""An in-memory unit of work for engine tests: the same contract as storage's
SqlUnitOfWork (tests/test_contract.py runs one suite against both)."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Collection
from dataclasses import asdict, replace
from datetime import UTC, datetime
from typing import Any

from dialogs.model import (
    DialogState,
    Hero,
    HeroHistory,
    Interaction,
    NewHero,
    Preferences,
    Reminder,
    ReminderKind,
    ReminderResponse,
    ReminderStatus,
    User,
    UserKey,
)

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
ROWS = ("users", "hero_rows", "interaction_rows", "reminder_rows")


class MemoryStore:
    """The rows, shared by every unit of work opened on them (one "database")."""

    def __init__(self) -> None:
        self.users: dict[UserKey, User] = {}
        self.hero_rows: dict[int, Hero] = {}
        self.interaction_rows: list[tuple[int, Interaction]] = []
        self.reminder_rows: dict[int, Reminder] = {}
        # One sequence per table, never reused after deletions, as in a database.
        self.user_ids, self.hero_ids = itertools.count(1), itertools.count(1)
        self.interaction_ids, self.reminder_ids = itertools.count(1), itertools.count(1)

    def uow(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self)


class _Repository:
    def __init__(self, store: MemoryStore) -> None:
        self.store = store


class MemoryUsers(_Repository):
    async def get(self, key: UserKey, display_name: str, defaults: Preferences) -> User:
        if key not in self.store.users:
            self.store.users[key] = User(
                id=next(self.store.user_ids),
                key=key,
                display_name=display_name,
                prefs=copy.copy(defaults),
                current_hero_id=None,
                dialog=DialogState(),
                created_at=EPOCH,
            )
        # A copy, as a database would hand out: changes count only once saved.
        return copy.deepcopy(self.store.users[key])

    async def save(self, user: User) -> None:
        # Round-trips the dialog through JSON, as the database column does.
        dialog = DialogState.model_validate_json(user.dialog.model_dump_json())
        self.store.users[user.key] = replace(copy.deepcopy(user), dialog=dialog)

    async def delete(self, user_id: int) -> None:
        for hero in [h for h in self.store.hero_rows.values() if h.user_id == user_id]:
            await MemoryHeroes(self.store).delete(user_id, hero.id)
        self.store.reminder_rows = {
            k: r for k, r in self.store.reminder_rows.items() if r.user_id != user_id
        }
        self.store.users = {k: u for k, u in self.store.users.items() if u.id != user_id}


class MemoryHeroes(_Repository):
    async def of(self, user_id: int, *, archived: bool = False) -> list[Hero]:
        return [
            copy.copy(h)
            for h in self.store.hero_rows.values()
            if h.user_id == user_id and (archived or not h.archived)
        ]

    async def get(self, user_id: int, hero_id: int) -> Hero | None:
        hero = self.store.hero_rows.get(hero_id)
        return copy.copy(hero) if hero is not None and hero.user_id == user_id else None

    async def add(self, user_id: int, hero: NewHero) -> Hero:
        new = Hero(next(self.store.hero_ids), user_id, created_at=EPOCH, **asdict(hero))
        self.store.hero_rows[new.id] = new
        return copy.copy(new)

    async def save(self, hero: Hero) -> None:
        assert self.store.hero_rows[hero.id].user_id == hero.user_id
        self.store.hero_rows[hero.id] = copy.copy(hero)

    async def delete(self, user_id: int, hero_id: int) -> bool:
        hero = self.store.hero_rows.get(hero_id)
        if hero is None or hero.user_id != user_id:
            return False
        del self.store.hero_rows[hero_id]
        self.store.interaction_rows = [
            (u, i) for u, i in self.store.interaction_rows if i.hero_id != hero_id
        ]
        self.store.reminder_rows = {
            k: r for k, r in self.store.reminder_rows.items() if r.hero_id != hero_id
        }
        return True

    async def histories(
        self, wanted: Collection[tuple[int, int]]
    ) -> dict[tuple[int, int], HeroHistory]:
        found = {}
        for user_id, hero_id in wanted:
            hero = await self.get(user_id, hero_id)
            if hero is not None:
                history = tuple(await MemoryInteractions(self.store).of(user_id, hero_id))
                found[user_id, hero_id] = HeroHistory(hero, history)
        return found


class MemoryInteractions(_Repository):
    async def add(self, user_id: int, interaction: Interaction) -> Interaction:
        stored = replace(interaction, id=next(self.store.interaction_ids), created_at=EPOCH)
        self.store.interaction_rows.append((user_id, stored))
        return stored

    async def of(self, user_id: int, hero_id: int) -> list[Interaction]:
        found = [
            i for u, i in self.store.interaction_rows if u == user_id and i.hero_id == hero_id
        ]
        return sorted(found, key=lambda i: (i.happened_on, i.id or 0))


class MemoryReminders(_Repository):
    async def add(
        self, user_id: int, hero_id: int | None, due_at: datetime, kind: ReminderKind
    ) -> Reminder:
        reminder = Reminder(next(self.store.reminder_ids), user_id, hero_id, due_at, kind)
        self.store.reminder_rows[reminder.id] = reminder
        return copy.copy(reminder)

    async def upcoming(self, user_id: int) -> list[Reminder]:
        waiting = (ReminderStatus.PENDING, ReminderStatus.CLAIMED)
        found = [
            copy.copy(r)
            for r in self.store.reminder_rows.values()
            if r.user_id == user_id and r.status in waiting
        ]
        return sorted(found, key=lambda r: (r.due_at, r.id))

    async def get(self, user_id: int, reminder_id: int) -> Reminder | None:
        found = self.store.reminder_rows.get(reminder_id)
        return copy.copy(found) if found is not None and found.user_id == user_id else None

    async def batch(self, user_id: int, batch: int) -> list[Reminder]:
        found = [
            r
            for r in self.store.reminder_rows.values()
            if r.user_id == user_id and r.batch == batch
        ]
        return [copy.copy(r) for r in sorted(found, key=lambda r: r.id)]

    async def cancel(self, user_id: int, reminder_id: int) -> bool:
        found = self.store.reminder_rows.get(reminder_id)
        if found is None or found.user_id != user_id or found.status != ReminderStatus.PENDING:
            return False
        found.status = ReminderStatus.CANCELLED
        return True

    async def respond(self, user_id: int, reminder_id: int, response: ReminderResponse) -> None:
        found = self.store.reminder_rows[reminder_id]
        assert found.user_id == user_id
        found.response = response

    async def cancel_for_hero(self, user_id: int, hero_id: int, *, follow_ups_only: bool) -> None:
        for r in self.store.reminder_rows.values():
            mine = (r.user_id, r.hero_id, r.status) == (user_id, hero_id, ReminderStatus.PENDING)
            if mine and (r.kind is ReminderKind.FOLLOW_UP or not follow_ups_only):
                r.status = ReminderStatus.CANCELLED

    async def of(self, user_id: int) -> list[Reminder]:
        return [copy.copy(r) for r in self.store.reminder_rows.values() if r.user_id == user_id]


class MemoryUnitOfWork:
    """One "transaction" on a MemoryStore: it records whether it committed or rolled
    back, and a rollback puts every row back as it was when the block began."""

    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self.users = MemoryUsers(store)
        self.heroes = MemoryHeroes(store)
        self.interactions = MemoryInteractions(store)
        self.reminders = MemoryReminders(store)
        self.committed = False
        self.rolled_back = False
        self._before: dict[str, Any] = {}

    async def __aenter__(self) -> MemoryUnitOfWork:
        # The rows only: ids, as in a database, are not handed out twice after a rollback.
        self._before = copy.deepcopy({name: vars(self.store)[name] for name in ROWS})
        return self

    async def __aexit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            self.committed = True
            return
        vars(self.store).update(self._before)
        self.rolled_back = True
