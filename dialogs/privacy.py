"""The user's data, in their hands: /privacy, /export, /forget and /deleteme.

Every query is scoped by the user's own id (the Store's methods take it), so
no command can show or remove anyone else's data.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from dialogs.model import Button, DialogState, Document, record_id

if TYPE_CHECKING:
    from dialogs.engine import Turn

EXPORT_FORMAT = 1


class Privacy:
    """The privacy dialogs of one turn."""

    def __init__(self, turn: Turn) -> None:
        self.turn = turn
        self.messages = turn.messages

    def commands(self) -> dict[str, Callable[[str], Awaitable[None]]]:
        return {
            "privacy": self.explain,
            "export": self.export,
            "forget": self.choose,
            "deleteme": self.confirm_delete,
        }

    def answers(self) -> dict[str, Callable[[str], Awaitable[None]]]:
        return {"forget.confirm": self.forget, "deleteme.confirm": self.delete_everything}

    def actions(self) -> dict[str, Callable[[str], Awaitable[None]]]:
        return {"forget": self.confirm_forget}

    async def explain(self, _args: str = "") -> None:
        self.turn.say(self.messages.privacy)

    async def export(self, _args: str = "") -> None:
        """Sends everything stored about the user as one JSON document."""
        document = await self.collect()
        content = json.dumps(document, ensure_ascii=False, indent=2, default=str).encode()
        self.turn.say(
            self.messages.export_caption,
            document=Document("mentor-coach-export.json", content),
        )

    async def collect(self) -> dict[str, Any]:
        turn = self.turn
        store, user = turn.store, turn.user
        heroes = []
        for hero in await store.heroes(user.id, archived=True):
            interactions = await store.interactions(user.id, hero.id)
            heroes.append({**asdict(hero), "interactions": [asdict(i) for i in interactions]})
        return {
            "format": EXPORT_FORMAT,
            "exported_at": turn.clock.now().isoformat(),
            "user": {
                "channel": user.key.channel,
                "id": user.key.external_id,
                "name": user.display_name,
                "created_at": user.created_at,
                "reachable": user.active,
                "settings": asdict(user.prefs),
                "current_hero_id": user.current_hero_id,
                "conversation": user.dialog.model_dump(mode="json"),
            },
            "heroes": heroes,
            "reminders": [asdict(r) for r in await store.reminders(user.id)],
        }

    async def choose(self, _args: str = "") -> None:
        heroes = await self.turn.store.heroes(self.turn.user.id, archived=True)
        if not heroes:
            self.turn.say(self.messages.no_heroes)
            return
        buttons = tuple(Button(f"forget:{h.id}", h.name) for h in heroes)
        self.turn.say(self.messages.forget_which, buttons)

    async def confirm_forget(self, arg: str) -> None:
        turn = self.turn
        hero_id = record_id(arg)
        hero = await turn.store.hero(turn.user.id, hero_id) if hero_id else None
        if hero is None:
            await turn.stale()
            return
        turn.dialog.hero_id = hero.id
        await turn.ask("forget.confirm", hero=hero.name)

    async def forget(self, choice: str) -> None:
        turn = self.turn
        hero = await turn.confirmed_hero(choice, self.messages.forget_kept)
        if hero is None:
            return
        await turn.store.delete_hero(turn.user.id, hero.id)
        await turn.let_go(hero)
        turn.say(self.messages.forgotten.format(hero=hero.name))

    async def confirm_delete(self, _args: str = "") -> None:
        await self.turn.ask("deleteme.confirm")

    async def delete_everything(self, choice: str) -> None:
        turn = self.turn
        turn.dialog = DialogState(turn=turn.dialog.turn, paused=turn.dialog.paused)
        if choice != "yes":
            turn.say(self.messages.delete_kept)
            return
        await turn.store.delete_user(turn.user.id)
        turn.user_deleted = True
        turn.say(self.messages.deleted_all)
