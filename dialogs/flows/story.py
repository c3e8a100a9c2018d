"""A story told outside a dialog: the coach reads it, advises, and offers to record it.

The story is about the hero it names (any of the user's heroes), else the current one.
"""

from __future__ import annotations

from dialogs.flows.base import IDLE, STORY, Ask, Context, Entry, Flow
from dialogs.flows.checkin import STORY_LIMIT, open_checkin, quoted, read_about
from dialogs.reader import Signal, StoryReading, Time


async def told(ctx: Context, text: str) -> None:
    """Reads what someone typed while nothing was asked (a newcomer is welcomed first)."""
    ctx.idle()
    current = await ctx.current_hero()
    if current is None:
        await ctx.run("start")
        return
    found, hero = await read_about(ctx, text, current)
    if found.reading is not None and found.reading.language != "en":
        ctx.say(ctx.messages.story_other_language.format(hero=hero.name))
        return
    if found.says_too_little:
        ctx.say(ctx.messages.story_too_little.format(hero=hero.name))
        return
    evidence = found.reading.evidence if found.reading else {}
    ctx.advise(
        found.advice,
        intro=ctx.messages.story_intro.format(hero=hero.name),
        quotes={advice: quoted(text, words) for advice, words in evidence.items()},
    )
    if found.reading is not None and found.reading.others:
        ctx.say(
            ctx.messages.story_others.format(
                others=" and ".join(found.reading.others), hero=hero.name
            )
        )
    if not _happened(found):
        # A plan or a question: there is no contact to record yet.
        ctx.say(ctx.messages.story_before_the_act.format(hero=hero.name))
        if found.reading is not None and found.reading.kind in _WRITTEN:
            # A message still to be written can be checked before it goes.
            ctx.say(ctx.messages.story_draft_first)
        return
    ctx.focus(hero.id, {"checkin.story": text.strip()[:STORY_LIMIT]})
    await ctx.ask("story.offer")


_WRITTEN = {"email", "message"}


def _happened(found: StoryReading) -> bool:
    """Tells whether a story tells of a contact that happened (one to record)."""
    reading = found.reading
    # In a plan, the kind is the plan's ("thinking of emailing her") and a problem of theirs
    # is what the user knows already: only something that happened makes it a contact.
    return (
        reading is None
        or reading.time is Time.HAPPENED
        or any(s.counts and s.signal is not Signal.PROBLEM_SHARED for s in reading.signals)
    )


async def offer(ctx: Context, choice: str) -> None:
    hero_id = ctx.dialog.hero_id
    hero = await ctx.heroes.get(ctx.user.id, hero_id) if hero_id else None
    if choice == "record" and hero is not None and not hero.archived:
        story = ctx.dialog.answers.get("checkin.story", "")
        ctx.user.current_hero_id = hero.id  # the story may have named another hero
        await open_checkin(ctx, hero, {}, story=story)
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
