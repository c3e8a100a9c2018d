"""A story told outside a dialog: the coach reads it, advises, and offers to record it."""

from __future__ import annotations

from dialogs.flows.base import IDLE, STORY, Ask, Context, Entry, Flow
from dialogs.flows.checkin import STORY_LIMIT, open_checkin
from dialogs.reader import read_story


async def told(ctx: Context, text: str) -> None:
    """Reads what someone typed while nothing was asked (a newcomer is welcomed first)."""
    ctx.idle()
    hero = await ctx.current_hero()
    if hero is None:
        await ctx.run("start")
        return
    reading = read_story(text, min_meetings=ctx.content.readiness.min_meetings)
    if reading.says_too_little:
        ctx.say(ctx.messages.story_too_little.format(hero=hero.name))
        return
    ctx.advise(reading.advice, intro=ctx.messages.story_intro)
    ctx.focus(hero.id, {"checkin.story": text.strip()[:STORY_LIMIT]})
    await ctx.ask("story.offer")


async def offer(ctx: Context, choice: str) -> None:
    hero = await ctx.current_hero()
    if choice == "record" and hero is not None and hero.id == ctx.dialog.hero_id:
        await open_checkin(ctx, hero, dict(ctx.dialog.answers))
        return
    ctx.idle()
    ctx.say(ctx.messages.story_dismissed)


_TOLD = Entry(told, enters=("story.offer", "/start"))
FLOW = Flow(
    "story",
    # Another story instead of an answer to the offer is read as a new story.
    questions={"story.offer": Ask(offer, ("/checkin", IDLE, STORY), on_text=told)},
    idle_text=_TOLD,
)
