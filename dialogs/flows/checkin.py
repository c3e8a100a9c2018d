"""/checkin: the questions about one contact with a hero, and what the coach makes of them.

A check-in's next question is the first of its plan not yet answered, so a paused
check-in resumes exactly where it stopped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, timedelta

from dialogs import evidence
from dialogs.content import Content
from dialogs.dates import DateProblem, parse_past_date
from dialogs.flows import reminders
from dialogs.flows.base import IDLE, Ask, Context, Entry, Flow, checked_text, day_text
from dialogs.model import AskOutcome, Hero, Interaction, InteractionKind, StepId
from dialogs.playbook import READINGS, most_important, temperature
from dialogs.reader import read_story
from dialogs.steps import STEPS, Facts, Step

OPENING = ("checkin.when", "checkin.date", "checkin.kind", "checkin.story", "checkin.reaction")
WHEN_DAYS_BACK = {"today": 0, "yesterday": 1}
# The follow-through question, and the advice it asked about (kept with the answers).
TRIED, TRIED_ADVICE = "checkin.tried", "checkin.tried_advice"
STORY_LIMIT = 3000


def plan(step: Step, answers: Mapping[str, str]) -> tuple[str, ...]:
    """Returns every question of a check-in on `step`, given the answers so far."""
    return (*OPENING, *step.questions(answers))


def questions() -> tuple[str, ...]:
    """Returns every question a check-in can ask (a plan for no answers is the fullest)."""
    return tuple(dict.fromkeys(q for step in STEPS.values() for q in plan(step, {})))


async def past_date(ctx: Context, text: str) -> str | None:
    """Reads a day in the past ("3 days ago"), or says why it can't."""
    found = parse_past_date(text, ctx.today())
    if isinstance(found, date):
        return found.isoformat()
    ctx.say(
        {
            DateProblem.UNREADABLE: ctx.messages.bad_date,
            DateProblem.FUTURE: ctx.messages.future_date,
            DateProblem.TOO_OLD: ctx.messages.too_old_date,
        }[found]
    )
    return None


async def start(ctx: Context, _args: str = "") -> None:
    hero = await ctx.current_hero()
    if hero is None:
        ctx.say(ctx.messages.need_hero)
        return
    if ctx.dialog.paused_for(hero.id) is not None:
        ctx.dialog.hero_id = hero.id
        await ctx.ask("checkin.resume")
        return
    await open_checkin(ctx, hero, {})


async def open_checkin(ctx: Context, hero: Hero, answers: dict[str, str]) -> None:
    ctx.focus(hero.id, answers)
    step = ctx.content.steps[hero.step]
    ctx.say(
        ctx.messages.checkin_start.format(
            hero=hero.name, number=hero.step.number, title=step.title
        )
    )
    await next_question(ctx)


async def resume(ctx: Context, choice: str) -> None:
    hero = await ctx.current_hero()
    paused = ctx.dialog.paused_for(hero.id) if hero is not None else None
    if paused is None or hero is None:
        ctx.idle()
        await start(ctx)
        return
    ctx.dialog.drop_paused(hero.id)
    await open_checkin(ctx, hero, paused.answers if choice == "resume" else {})


async def answer(ctx: Context, value: str) -> None:
    question_id = ctx.dialog.state
    ctx.dialog.answers[question_id] = value
    if question_id == "checkin.when" and value in WHEN_DAYS_BACK:
        day = ctx.today() - timedelta(days=WHEN_DAYS_BACK[value])
        ctx.dialog.answers["checkin.date"] = day.isoformat()
    await next_question(ctx)


async def typed_when(ctx: Context, text: str) -> None:
    """ "Or type a date": a day typed instead of a button."""
    day = await checked_text(ctx, ASKS["checkin.date"], text)
    if day is None:
        await ctx.ask_again()
        return
    ctx.dialog.answers["checkin.when"] = "typed"
    ctx.dialog.state = "checkin.date"
    await answer(ctx, day)


async def next_question(ctx: Context) -> None:
    hero_id = ctx.dialog.hero_id
    hero = await ctx.heroes.get(ctx.user.id, hero_id) if hero_id else None
    if hero is None or hero.archived:
        ctx.idle()
        ctx.say(ctx.messages.need_hero)
        return
    step = STEPS[hero.step]
    pending = [q for q in plan(step, ctx.dialog.answers) if q not in ctx.dialog.answers]
    if pending:
        await ctx.ask(pending[0])
        return
    if TRIED not in ctx.dialog.answers:
        history = await ctx.interactions.of(ctx.user.id, hero.id)
        tried = last_try(history, ctx.content)
        if tried is not None:
            # Follow-through: the last advice is asked about before this contact is judged,
            # after the last door they left open, if they did.
            doors = [i for i in history if i.open_door]
            if doors:
                day = day_text(max(i.happened_on for i in doors))
                ctx.say(ctx.messages.checkin_last_door.format(hero=hero.name, date=day))
            ctx.dialog.answers[TRIED_ADVICE] = tried
            await ctx.ask(TRIED, try_this=ctx.content.advice[tried].try_this)
            return
    await finish(ctx, hero, step)


def last_try(history: list[Interaction], content: Content) -> str | None:
    """The last contact's first advice that names something to try, if any."""
    if not history:
        return None
    last = max(history, key=lambda i: i.happened_on)
    return next((a for a in last.advice if content.advice[a].try_this), None)


async def finish(ctx: Context, hero: Hero, step: Step) -> None:
    content, messages = ctx.content, ctx.messages
    answers = dict(ctx.dialog.answers)
    story = answers.get("checkin.story", "")
    reading = READINGS[answers["checkin.reaction"]]
    weights = content.temperature.signals
    signals = {step.signals[f"{q}={a}"] for q, a in answers.items() if f"{q}={a}" in step.signals}
    read = read_story(story, today=ctx.today()) if story else None
    if read is not None:
        signals |= {s.value for s in read.signals if s.value in weights}
    temp = temperature(reading, signals, content)
    interaction = Interaction(
        hero_id=hero.id,
        happened_on=date.fromisoformat(answers["checkin.date"]),
        kind=InteractionKind(answers["checkin.kind"]),
        story=story,
        step=step.id,
        temperature=temp,
        answers=answers,
        open_door="open_door" in signals,
        lit_up=answers.get("interests.lit_up", ""),
    )
    history = await ctx.interactions.of(ctx.user.id, hero.id)
    timeline = sorted([*history, interaction], key=lambda i: i.happened_on)
    verdict = step.judge(Facts(answers, reading, temp, frozenset(signals), timeline, content))
    cold = temp <= content.evidence.cold
    interaction.advice = spoken_advice(verdict.advice, cold, content)
    await ctx.interactions.add(ctx.user.id, interaction)
    named = read.reading.named_date if read is not None and read.reading else None
    outcome = record_outcome(hero, answers, interaction.happened_on, named, ctx.today())
    if verdict.move_to is not None:
        hero.step = verdict.move_to
    if verdict.move_to is not None or outcome is not None:
        await ctx.heroes.save(hero)
    ctx.idle()

    given = Counter(a for i in history for a in i.advice)
    ctx.advise(interaction.advice, intro=pattern_text(ctx, timeline), times=given)
    if verdict.move_to is not None:
        title = content.steps[hero.step].title
        ctx.say(messages.moved_back.format(hero=hero.name, number=hero.step.number, title=title))
    summary = [
        messages.checkin_saved.format(
            kind=interaction.kind.value,
            date=day_text(interaction.happened_on),
            temperature=temp,
            label=content.temperature.labels[temp],
        )
    ]
    tried = answers.get(TRIED)
    if tried in TRIED_REPLIES:
        summary.append(getattr(messages, TRIED_REPLIES[tried]))
    summary.append(next_action(ctx, hero, evidence.since(hero, timeline), cold))
    ctx.say("\n".join(summary))
    # A new contact resets the hero's reminder clock: the old follow-up goes.
    await ctx.reminders.cancel_for_hero(ctx.user.id, hero.id, follow_ups_only=True)
    busy = hero.journey.busy_until
    days = (date.fromisoformat(busy) - ctx.today()).days if busy else 0
    if days > 0 and busy:
        # Reaching out before the day the hero named would be chasing.
        ctx.say(
            messages.followup_busy.format(hero=hero.name, date=day_text(date.fromisoformat(busy)))
        )
    await reminders.propose(ctx, hero, temp, days=days if days > 0 else None)


TRIED_REPLIES = {"worked": "tried_worked", "didnt": "tried_didnt", "not_yet": "tried_not_yet"}


def pattern_text(ctx: Context, timeline: list[Interaction]) -> str:
    """Names a red flag repeated across the latest contacts, or says nothing."""
    found = evidence.streak(timeline, ctx.content)
    if found is None:
        return ""
    rule = ctx.content.evidence
    ordinal = rule.ordinals[found.count - 1] if found.count <= len(rule.ordinals) else ""
    return ctx.messages.pattern_named.format(
        count=ordinal or str(found.count), says=rule.marks[found.mark].says
    )


# Praise that a cold contact must not hear in the same reply as "it was cold".
PRAISE = frozenset({"interests.well_done", "germ.well_done", "distance.respectful_deference"})


def spoken_advice(advice: tuple[str, ...], cold: bool, content: Content) -> tuple[str, ...]:
    """The advice one reply carries: no praise for a cold contact, at most two pieces."""
    if cold:
        advice = (*(a for a in advice if a not in PRAISE), "radar.cold_give_space")
    return most_important(advice, content)


def record_outcome(
    hero: Hero, answers: Mapping[str, str], on: date, named: date | None, today: date
) -> AskOutcome | None:
    """Keeps the answer to the ask on the hero, with the day they said they'd be free."""
    asked = answers.get("ask.asked", "")
    if asked not in set(AskOutcome):
        return None
    outcome = AskOutcome(asked)
    busy = named.isoformat() if outcome is AskOutcome.NOT_NOW and named and named > today else None
    hero.journey = replace(
        hero.journey, outcome=outcome, outcome_on=on.isoformat(), busy_until=busy
    )
    return outcome


def next_action(ctx: Context, hero: Hero, timeline: list[Interaction], cold: bool) -> str:
    """The one concrete next action that ends a check-in's reply, as the record supports it."""
    messages, content = ctx.messages, ctx.content
    following = hero.step.next
    if hero.step is StepId.ASK:
        return messages.step_last
    done = evidence.check(hero.step, timeline, content).done
    if done and not cold and following is not None:
        title = content.steps[following].title
        return messages.step_going_well.format(
            hero=hero.name, number=following.number, title=title
        )
    return messages.step_keep_going.format(hero=hero.name, number=hero.step.number)


def check(content: Content) -> list[str]:
    """The check-in's options must be the playbook's readings, kinds and signals."""
    problems = []
    if list(STEPS) != list(StepId):
        problems.append(f"steps registry out of playbook order: {list(STEPS)}")
    if "checkin.reaction" in content.questions:
        reactions = {o.id for o in content.question("checkin.reaction").options}
        if reactions != set(READINGS):
            problems.append(f"checkin.reaction options {sorted(reactions)} != readings")
    if "checkin.kind" in content.questions:
        kinds = {o.id for o in content.question("checkin.kind").options}
        if kinds != {k.value for k in InteractionKind}:
            problems.append(f"checkin.kind options {sorted(kinds)} != interaction kinds")
    for step in STEPS.values():
        for source, signal in step.signals.items():
            question_id, _, option_id = source.partition("=")
            question = content.questions.get(question_id)
            if question is None or question.option(option_id) is None:
                problems.append(f"{step.id}: signal source {source!r} is no option")
            if signal not in content.temperature.signals:
                problems.append(f"{step.id}: signal {signal!r} has no temperature weight")
    return problems


# A check-in question leads to another, to the follow-up offer, or back to idle.
_NEXT = (*questions(), TRIED, "checkin.followup", IDLE)
_LIMITS = {"checkin.date": 100, "checkin.story": STORY_LIMIT, "interests.lit_up": 200}
_PARSERS = {"checkin.date": past_date}
ASKS = {
    q: Ask(answer, _NEXT, limit=_LIMITS.get(q), parse=_PARSERS.get(q), pausable=True)
    for q in questions()
}
ASKS["checkin.when"] = Ask(answer, _NEXT, typed=typed_when, pausable=True)
ASKS["checkin.resume"] = Ask(resume, _NEXT)
ASKS[TRIED] = Ask(answer, _NEXT, pausable=True)
_OPENS = ("checkin.resume", *questions(), TRIED)

FLOW = Flow(
    "checkin",
    commands={"checkin": Entry(start, enters=_OPENS)},
    questions=ASKS,
    actions={"checkin": Entry(start, enters=_OPENS, arg=False)},
    check=check,
)
