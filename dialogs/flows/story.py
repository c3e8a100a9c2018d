"""A story told outside a dialog: the coach reads it, advises, and offers to record it.

The story is about the hero it names (any of the user's heroes), else the current one.
"""

from __future__ import annotations

import re
from datetime import timedelta

from dialogs import reconnect
from dialogs.flows.base import (
    IDLE,
    STORY,
    STORY_WORDS,
    Ask,
    Context,
    Entry,
    Flow,
    asks_when_to_reach_out,
    day_text,
    pleasantry,
)
from dialogs.flows.checkin import (
    OFFER,
    STORY_ANSWER,
    STORY_LIMIT,
    open_checkin,
    quoted,
    read_about,
)
from dialogs.flows.nextstep import ask_waits
from dialogs.model import Hero, KeptStory
from dialogs.playbook import follow_up_days
from dialogs.reader import Signal, StoryReading, Time


async def told(ctx: Context, text: str) -> None:
    """Reads what someone typed while nothing was asked (a newcomer is welcomed first).
    A story offered for the record just before stays offered, unless this one replaces it."""
    offered = _offered(ctx)
    ctx.idle()
    current = await ctx.current_hero()
    if current is None:
        await ctx.run("start")
        return
    await _read(ctx, text, current)
    if offered is None:
        return
    hero_id, story = offered
    if ctx.dialog.state == OFFER:
        if ctx.dialog.hero_id != hero_id:
            # A story about another hero is offered now: this one waits for /checkin.
            kept = KeptStory(hero_id=hero_id, text=story, told_on=ctx.today().isoformat())
            ctx.dialog.keep(kept)
    else:
        hero = await ctx.heroes.get(ctx.user.id, hero_id)
        if hero is not None and not hero.archived:
            ctx.focus(hero_id, {STORY_ANSWER: story})
            await ctx.ask(OFFER, text=ctx.messages.story_offer_still.format(hero=hero.name))


def _offered(ctx: Context) -> tuple[int, str] | None:
    """The hero and story of the offer to record that is open, if one is."""
    story = ctx.dialog.answers.get(STORY_ANSWER)
    if ctx.dialog.state != OFFER or ctx.dialog.hero_id is None or not story:
        return None
    return ctx.dialog.hero_id, story


async def _read(ctx: Context, text: str, current: Hero) -> None:
    """Reads a story about `current` (or the hero it names), advises, and offers to
    record what happened."""
    social = pleasantry(text)
    if social is not None:
        ctx.say(getattr(ctx.messages, f"story_{social}").format(hero=current.name))
        return
    found, hero = await read_about(ctx, text, current)
    if found.reading is not None and found.reading.language != "en":
        ctx.say(ctx.messages.story_other_language.format(hero=hero.name))
        return
    if found.says_too_little:
        if asks_when_to_reach_out(text):
            await _answer_reach_out(ctx, hero)
            return
        ctx.say(ctx.messages.story_too_little.format(hero=hero.name))
        return
    evidence = found.reading.evidence if found.reading else {}
    quotes = {advice: quoted(text, words) for advice, words in evidence.items()}
    if found.reading is not None and found.reading.strangers:
        # About someone who is none of the user's heroes: advice, but nothing recorded
        # with a hero the story never named.
        stranger = found.reading.strangers[0]
        ctx.advise(found.advice, ctx.messages.story_stranger.format(name=stranger), quotes)
        return
    ctx.advise(found.advice, ctx.messages.story_intro.format(hero=hero.name), quotes)
    if {"ask.not_yet", "ask.go_ask"} & set(found.advice) and (waits := ask_waits(ctx, hero)):
        # "Should I ask again?" after a no or a "not till March": the record's answer.
        ctx.say(waits)
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
    ctx.focus(hero.id, {STORY_ANSWER: text.strip()[:STORY_LIMIT]})
    await ctx.ask(OFFER)


_WRITTEN = {"email", "message"}


async def _answer_reach_out(ctx: Context, hero: Hero) -> None:
    """Answers "should I email her again?" from the record: the last contact's temperature
    sets how long to wait (coach.toml [cadence]), and a hero gone cold gets a light touch."""
    messages, today = ctx.messages, ctx.today()
    history = await ctx.interactions.of(ctx.user.id, hero.id)
    if not history:
        unfinished = ctx.dialog.paused_for(hero.id) is not None
        said = messages.reach_out_unfinished if unfinished else messages.reach_out_no_record
        ctx.say(said.format(hero=hero.name))
        return
    last = history[-1]
    names = {
        "hero": hero.name,
        "date": day_text(last.happened_on),
        "temperature": str(last.temperature),
    }
    due = last.happened_on + timedelta(days=follow_up_days(last.temperature, ctx.content))
    touch = reconnect.light_touch(ctx.content, hero.name, history, today)
    if touch is not None:
        quiet = messages.reach_out_quiet.format(**names)
        ctx.advise((reconnect.ADVICE,), intro=f"{quiet} {touch}")
    elif due > today:
        advice = "radar.cold_give_space" if last.temperature <= 2 else "radar.lukewarm_add_value"
        ctx.advise((advice,), intro=messages.reach_out_wait.format(**names, due=day_text(due)))
    else:
        ctx.advise(("radar.warm_open_door",), intro=messages.reach_out_now.format(**names))


def _happened(found: StoryReading) -> bool:
    """Tells whether a story tells of a contact that happened (one to record)."""
    reading = found.reading
    if reading is None or reading.time is Time.HAPPENED:
        return True
    # A question or plan with only its background ("can I ask her now? we clicked so
    # much") names no contact: one that does has its kind or its day.
    if reading.kind is None and reading.day is None:
        return False
    # In a plan, the kind is the plan's ("thinking of emailing her") and a problem of theirs
    # is what the user knows already: only something that happened makes it a contact.
    return any(s.counts and s.signal is not Signal.PROBLEM_SHARED for s in reading.signals)


_QUESTION_WORDS = {"is", "was", "what", "so", "does", "do", "how", "why", "really", "and"}


async def after_reading(ctx: Context, text: str) -> None:
    """At the offer to record, a few words that tell no contact ("is that good??", "ok
    thanks") are about the reading just given: the coach answers and the offer stays."""
    hero_id = ctx.dialog.hero_id
    hero = await ctx.heroes.get(ctx.user.id, hero_id) if hero_id else None
    story = ctx.dialog.answers.get(STORY_ANSWER, "")
    if hero is None or len(text.split()) >= STORY_WORDS:
        await told(ctx, text)
        return
    social = pleasantry(text)
    words = re.findall(r"[a-z]+", text.lower())
    if social is None:
        found, _ = await read_about(ctx, text, hero)
        asks = "?" in text or (bool(words) and words[0] in _QUESTION_WORDS)
        if not asks or not set(found.advice) <= {"radar.read_temperature"}:
            await told(ctx, text)
            return
        reading, _ = await read_about(ctx, story, hero)
        ctx.say(_verdict(ctx, reading.advice).format(hero=hero.name))
    elif social == "thanks":
        ctx.say(ctx.messages.story_thanks_offer)
    await ctx.ask_again()


def _verdict(ctx: Context, advice: tuple[str, ...]) -> str:
    """The story's reading in one line, for "is that good?": its temperature first."""
    messages = ctx.messages
    for advice_id, verdict in (
        ("radar.warm_open_door", messages.verdict_warm),
        ("radar.lukewarm_add_value", messages.verdict_lukewarm),
        ("radar.cold_give_space", messages.verdict_cold),
    ):
        if advice_id in advice:
            return verdict
    praise = [a for a in advice if a.endswith("well_done") or a == "distance.respectful_deference"]
    if praise and len(praise) == len(advice):
        return messages.verdict_well_done
    if any(a.split(".")[0] in _SLIP_STEPS for a in advice if a not in praise):
        return messages.verdict_slips
    return messages.verdict_other


# Advice of these steps names something to do differently next time.
_SLIP_STEPS = {"interests", "germ", "distance"}


async def offer(ctx: Context, choice: str) -> None:
    hero_id = ctx.dialog.hero_id
    hero = await ctx.heroes.get(ctx.user.id, hero_id) if hero_id else None
    if choice == "record" and hero is not None and not hero.archived:
        story = ctx.dialog.answers.get(STORY_ANSWER, "")
        ctx.user.current_hero_id = hero.id  # the story may have named another hero
        await open_checkin(ctx, hero, {}, story=story)
        return
    ctx.idle()
    ctx.say(ctx.messages.story_dismissed)


async def keep_offered(ctx: Context) -> None:
    """A command leaves the offer: the story is kept for /checkin and /nextstep today."""
    offered = _offered(ctx)
    ctx.leave()
    if offered is None:
        return
    hero_id, story = offered
    hero = await ctx.heroes.get(ctx.user.id, hero_id)
    if hero is None:
        return
    ctx.dialog.keep(KeptStory(hero_id=hero_id, text=story, told_on=ctx.today().isoformat()))
    ctx.say(ctx.messages.story_kept.format(hero=hero.name))


_TOLD = Entry(told, enters=(OFFER, "/start"))
FLOW = Flow(
    "story",
    # Another story instead of an answer to the offer is read as a new story; a few words
    # about the reading just given, or a plan or question, are answered and the offer
    # stays; a command keeps the story for /checkin.
    questions={
        OFFER: Ask(offer, ("/checkin", IDLE, STORY), on_text=after_reading, on_leave=keep_offered)
    },
    idle_text=_TOLD,
)
