"""An in-memory Store for engine tests: the same contract as storage.SqlStore."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Collection
from dataclasses import replace
from datetime import UTC, date, datetime

from dialogs.model import (
    DialogState,
    Hero,
    HeroHistory,
    Interaction,
    Preferences,
    Reminder,
    ReminderKind,
    ReminderResponse,
    ReminderStatus,
    StepId,
    User,
    UserKey,
)

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


class MemoryStore:
    def __init__(self) -> None:
        self.users: dict[UserKey, User] = {}
        self.hero_rows: dict[int, Hero] = {}
        self.interaction_rows: list[tuple[int, Interaction]] = []
        self.reminder_rows: dict[int, Reminder] = {}
        # One sequence per table, never reused after deletions, as in a database.
        self.user_ids, self.hero_ids = itertools.count(1), itertools.count(1)
        self.interaction_ids, self.reminder_ids = itertools.count(1), itertools.count(1)

    async def user(self, key: UserKey, display_name: str, defaults: Preferences) -> User:
        if key not in self.users:
            self.users[key] = User(
                id=next(self.user_ids),
                key=key,
                display_name=display_name,
                prefs=copy.copy(defaults),
                current_hero_id=None,
                dialog=DialogState(),
                created_at=EPOCH,
            )
        # A copy, as a database would hand out: changes count only once saved.
        return copy.deepcopy(self.users[key])

    async def save_user(self, user: User) -> None:
        # Round-trips the dialog through JSON, as the database column does.
        dialog = DialogState.model_validate_json(user.dialog.model_dump_json())
        self.users[user.key] = replace(copy.deepcopy(user), dialog=dialog)

    async def heroes(self, user_id: int, *, archived: bool = False) -> list[Hero]:
        return [
            copy.copy(h)
            for h in self.hero_rows.values()
            if h.user_id == user_id and (archived or not h.archived)
        ]

    async def hero(self, user_id: int, hero_id: int) -> Hero | None:
        hero = self.hero_rows.get(hero_id)
        return copy.copy(hero) if hero is not None and hero.user_id == user_id else None

    async def add_hero(
        self,
        user_id: int,
        *,
        name: str,
        role: str,
        how_met: str,
        met_on: date | None,
        step: StepId,
    ) -> Hero:
        hero = Hero(next(self.hero_ids), user_id, name, role, how_met, met_on, step, EPOCH)
        self.hero_rows[hero.id] = hero
        return copy.copy(hero)

    async def save_hero(self, hero: Hero) -> None:
        assert self.hero_rows[hero.id].user_id == hero.user_id
        self.hero_rows[hero.id] = copy.copy(hero)

    async def add_interaction(self, user_id: int, interaction: Interaction) -> Interaction:
        stored = replace(interaction, id=next(self.interaction_ids), created_at=EPOCH)
        self.interaction_rows.append((user_id, stored))
        return stored

    async def interactions(self, user_id: int, hero_id: int) -> list[Interaction]:
        found = [i for u, i in self.interaction_rows if u == user_id and i.hero_id == hero_id]
        return sorted(found, key=lambda i: (i.happened_on, i.id or 0))

    async def hero_histories(
        self, wanted: Collection[tuple[int, int]]
    ) -> dict[tuple[int, int], HeroHistory]:
        found = {}
        for user_id, hero_id in wanted:
            hero = await self.hero(user_id, hero_id)
            if hero is not None:
                history = tuple(await self.interactions(user_id, hero_id))
                found[user_id, hero_id] = HeroHistory(hero, history)
        return found

    async def add_reminder(
        self, user_id: int, hero_id: int | None, due_at: datetime, kind: ReminderKind
    ) -> Reminder:
        reminder = Reminder(next(self.reminder_ids), user_id, hero_id, due_at, kind)
        self.reminder_rows[reminder.id] = reminder
        return copy.copy(reminder)

    async def upcoming_reminders(self, user_id: int) -> list[Reminder]:
        waiting = (ReminderStatus.PENDING, ReminderStatus.CLAIMED)
        found = [
            copy.copy(r)
            for r in self.reminder_rows.values()
            if r.user_id == user_id and r.status in waiting
        ]
        return sorted(found, key=lambda r: (r.due_at, r.id))

    async def reminder(self, user_id: int, reminder_id: int) -> Reminder | None:
        found = self.reminder_rows.get(reminder_id)
        return copy.copy(found) if found is not None and found.user_id == user_id else None

    async def batch(self, user_id: int, batch: int) -> list[Reminder]:
        found = [
            r for r in self.reminder_rows.values() if r.user_id == user_id and r.batch == batch
        ]
        return [copy.copy(r) for r in sorted(found, key=lambda r: r.id)]

    async def cancel_reminder(self, user_id: int, reminder_id: int) -> bool:
        found = self.reminder_rows.get(reminder_id)
        if found is None or found.user_id != user_id or found.status != ReminderStatus.PENDING:
            return False
        found.status = ReminderStatus.CANCELLED
        return True

    async def respond(self, user_id: int, reminder_id: int, response: ReminderResponse) -> None:
        found = self.reminder_rows[reminder_id]
        assert found.user_id == user_id
        found.response = response

    async def cancel_reminders(self, user_id: int, hero_id: int, *, follow_ups_only: bool) -> None:
        for r in self.reminder_rows.values():
            mine = (r.user_id, r.hero_id, r.status) == (user_id, hero_id, ReminderStatus.PENDING)
            if mine and (r.kind is ReminderKind.FOLLOW_UP or not follow_ups_only):
                r.status = ReminderStatus.CANCELLED

    async def reminders(self, user_id: int) -> list[Reminder]:
        return [copy.copy(r) for r in self.reminder_rows.values() if r.user_id == user_id]

    async def delete_hero(self, user_id: int, hero_id: int) -> bool:
        hero = self.hero_rows.get(hero_id)
        if hero is None or hero.user_id != user_id:
            return False
        del self.hero_rows[hero_id]
        self.interaction_rows = [(u, i) for u, i in self.interaction_rows if i.hero_id != hero_id]
        self.reminder_rows = {k: r for k, r in self.reminder_rows.items() if r.hero_id != hero_id}
        return True

    async def delete_user(self, user_id: int) -> None:
        for hero in [h for h in self.hero_rows.values() if h.user_id == user_id]:
            await self.delete_hero(user_id, hero.id)
        self.reminder_rows = {k: r for k, r in self.reminder_rows.items() if r.user_id != user_id}
        self.users = {k: u for k, u in self.users.items() if u.id != user_id}
