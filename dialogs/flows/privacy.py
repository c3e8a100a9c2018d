"""The user's data, in their hands: /privacy, /export, /forget and /deleteme.

Every query is scoped by the user's own id (every repository's methods take it), so
no command can show or remove anyone else's data.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from dialogs import evidence
from dialogs.flows.base import IDLE, Ask, Context, Entry, Flow
from dialogs.model import Document, Hero, Interaction, record_id

EXPORT_FORMAT = 1


async def explain(ctx: Context, _args: str = "") -> None:
    ctx.say(ctx.messages.privacy)


async def export(ctx: Context, _args: str = "") -> None:
    """Sends everything stored about the user as one JSON document."""
    document = await collect(ctx)
    content = json.dumps(document, ensure_ascii=False, indent=2, default=str).encode()
    ctx.say(ctx.messages.export_caption, document=Document("mentor-coach-export.json", content))


def evidence_of(ctx: Context, hero: Hero, history: list[Interaction]) -> dict[str, Any]:
    """What the record shows for the hero's step (derived, not stored: /nextstep's view)."""
    if hero.step not in ctx.content.evidence.steps:
        return {"step": hero.step.value}
    check = evidence.check(hero.step, evidence.since(hero, history), ctx.content)
    return {
        "step": hero.step.value,
        "done": check.done,
        "shown": [f.mark for f in check.shown],
        "missing": list(check.missing),
        "red_flags": [f.mark for f in check.flags],
    }


async def collect(ctx: Context) -> dict[str, Any]:
    user = ctx.user
    heroes = []
    for hero in await ctx.heroes.of(user.id, archived=True):
        interactions = await ctx.interactions.of(user.id, hero.id)
        record = {**asdict(hero), "interactions": [asdict(i) for i in interactions]}
        heroes.append({**record, "evidence": evidence_of(ctx, hero, interactions)})
    return {
        "format": EXPORT_FORMAT,
        "exported_at": ctx.clock.now().isoformat(),
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
        "reminders": [asdict(r) for r in await ctx.reminders.of(user.id)],
    }


async def choose(ctx: Context, _args: str = "") -> None:
    await ctx.choose_hero("forget", ctx.messages.forget_which, archived=True)


async def confirm_forget(ctx: Context, arg: str) -> None:
    hero_id = record_id(arg)
    hero = await ctx.heroes.get(ctx.user.id, hero_id) if hero_id else None
    if hero is None:
        await ctx.stale()
        return
    ctx.dialog.hero_id = hero.id
    await ctx.ask("forget.confirm", hero=hero.name)


async def forget(ctx: Context, choice: str) -> None:
    hero = await ctx.confirmed_hero(choice, ctx.messages.forget_kept)
    if hero is None:
        return
    await ctx.heroes.delete(ctx.user.id, hero.id)
    await ctx.let_go(hero)
    ctx.say(ctx.messages.forgotten.format(hero=hero.name))


async def confirm_delete(ctx: Context, _args: str = "") -> None:
    await ctx.ask("deleteme.confirm")


async def delete_everything(ctx: Context, choice: str) -> None:
    ctx.idle()
    if choice != "yes":
        ctx.say(ctx.messages.delete_kept)
        return
    await ctx.users.delete(ctx.user.id)
    ctx.user_deleted = True
    ctx.say(ctx.messages.deleted_all)


FLOW = Flow(
    "privacy",
    commands={
        "privacy": Entry(explain, leaves=False, reprompt=True),
        "export": Entry(export, leaves=False, reprompt=True),
        "forget": Entry(choose),
        "deleteme": Entry(confirm_delete, enters=("deleteme.confirm",)),
    },
    questions={
        "forget.confirm": Ask(forget, (IDLE,)),
        "deleteme.confirm": Ask(delete_everything, (IDLE,)),
    },
    actions={"forget": Entry(confirm_forget, enters=("forget.confirm",))},
)
