"""What the coach needs from the outside world, declared here and implemented elsewhere.

A `UnitOfWork` is one transaction: the caller opens it (`async with`), hands it to the
engine for one turn, and it commits when the block ends (or rolls back if it raises).
Its repositories, one per aggregate, never commit.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Protocol

from dialogs.model import (
    Hero,
    HeroHistory,
    Interaction,
    NewHero,
    Preferences,
    Reminder,
    ReminderKind,
    ReminderResponse,
    User,
    UserKey,
)


class Clock(Protocol):
    def now(self) -> datetime:
        """Returns the current time, timezone-aware."""
        ...


class Users(Protocol):
    async def get(self, key: UserKey, display_name: str, defaults: Preferences) -> User:
        """Returns the user for `key`, created on first contact, locked for this turn."""
        ...

    async def save(self, user: User) -> None:
        """Writes the user's dialog state, current hero, preferences and active flag."""
        ...

    async def delete(self, user_id: int) -> None:
        """Deletes the user and everything stored about them."""
        ...


class Heroes(Protocol):
    async def of(self, user_id: int, *, archived: bool = False) -> list[Hero]:
        """Returns the user's heroes, oldest first; archived ones only if asked for."""
        ...

    async def get(self, user_id: int, hero_id: int) -> Hero | None:
        """Returns one of the user's heroes (archived too), or None if it isn't theirs."""
        ...

    async def add(self, user_id: int, hero: NewHero) -> Hero:
        """Creates a hero for the user."""
        ...

    async def save(self, hero: Hero) -> None:
        """Writes a hero's step and archived flag."""
        ...

    async def delete(self, user_id: int, hero_id: int) -> bool:
        """Deletes one of the user's heroes with its history and reminders."""
        ...

    async def histories(
        self, wanted: Collection[tuple[int, int]]
    ) -> dict[tuple[int, int], HeroHistory]:
        """Returns several users' heroes (archived too) with their interactions, keyed by
        (user id, hero id) as asked in `wanted`, in a few reads whatever their number (a
        chunk of reminder messages). A hero that isn't that user's is left out."""
        ...


class Interactions(Protocol):
    async def add(self, user_id: int, interaction: Interaction) -> Interaction:
        """Records an interaction and returns it with its id."""
        ...

    async def of(self, user_id: int, hero_id: int) -> list[Interaction]:
        """Returns the hero's interactions, oldest first."""
        ...


class Reminders(Protocol):
    async def add(
        self, user_id: int, hero_id: int | None, due_at: datetime, kind: ReminderKind
    ) -> Reminder:
        """Schedules a reminder."""
        ...

    async def upcoming(self, user_id: int) -> list[Reminder]:
        """Returns the user's reminders not yet sent, soonest first."""
        ...

    async def get(self, user_id: int, reminder_id: int) -> Reminder | None:
        """Returns one of the user's reminders, or None if it isn't theirs."""
        ...

    async def batch(self, user_id: int, batch: int) -> list[Reminder]:
        """Returns the reminders the user received together in one message."""
        ...

    async def cancel(self, user_id: int, reminder_id: int) -> bool:
        """Cancels a reminder not yet sent; False if there was none to cancel."""
        ...

    async def respond(self, user_id: int, reminder_id: int, response: ReminderResponse) -> None:
        """Records what the user did with a reminder they received."""
        ...

    async def cancel_for_hero(self, user_id: int, hero_id: int, *, follow_ups_only: bool) -> None:
        """Cancels the hero's pending reminders (only the follow-ups, when a new contact
        resets the hero's clock; all of them, when the hero is archived)."""
        ...

    async def of(self, user_id: int) -> list[Reminder]:
        """Returns all the user's reminders, whatever their state, oldest first."""
        ...


class UnitOfWork(Protocol):
    """One transaction's repositories, one per aggregate."""

    @property
    def users(self) -> Users: ...

    @property
    def heroes(self) -> Heroes: ...

    @property
    def interactions(self) -> Interactions: ...

    @property
    def reminders(self) -> Reminders: ...
