"""/start and a new hero: who they are, what they do, how and when you met."""

from __future__ import annotations

from datetime import date

from dialogs.flows.base import IDLE, STORY, Ask, Context, Entry, Flow, Parser
from dialogs.flows.checkin import past_date
from dialogs.flows.heroes import progress_text
from dialogs.model import Button, NewHero, StepId

QUESTIONS = ("onboarding.name", "onboarding.role", "onboarding.how_met", "onboarding.when_met")


async def start(ctx: Context, _args: str = "") -> None:
    heroes = await ctx.heroes.of(ctx.user.id)
    if not heroes:
        welcome = ctx.messages.welcome.format(name=ctx.user.display_name)
        ctx.advise(("intro.be_wanted",), intro=welcome)
        await begin(ctx)
        return
    ctx.say(ctx.messages.welcome_back.format(name=ctx.user.display_name))
    buttons = (
        Button("checkin", ctx.messages.button_checkin),
        Button("hero.add", ctx.messages.button_add_hero),
    )
    ctx.say(await progress_text(ctx, heroes), buttons)


async def begin(ctx: Context, _arg: str = "") -> None:
    ctx.idle()
    await ctx.ask(QUESTIONS[0])


async def answer(ctx: Context, value: str) -> None:
    question_id = ctx.dialog.state
    ctx.dialog.answers[question_id] = value
    position = QUESTIONS.index(question_id)
    if position + 1 < len(QUESTIONS):
        await ctx.ask(QUESTIONS[position + 1])
        return
    await keep(ctx)
    ctx.say(ctx.messages.first_checkin_offer, (Button("checkin", ctx.messages.button_checkin),))


async def keep(ctx: Context) -> None:
    """Adds the hero with the answers given so far, and closes the questions."""
    answers = ctx.dialog.answers
    met_on = answers.get("onboarding.when_met") or None
    hero = await ctx.heroes.add(
        ctx.user.id,
        NewHero(
            answers["onboarding.name"],
            StepId.INTERESTS,
            role=answers.get("onboarding.role", ""),
            how_met=answers.get("onboarding.how_met", ""),
            met_on=date.fromisoformat(met_on) if met_on else None,
        ),
    )
    ctx.user.current_hero_id = hero.id
    ctx.idle()
    first = ctx.content.steps[StepId.INTERESTS]
    ctx.say(ctx.messages.hero_added.format(hero=hero.name, title=first.title, goal=first.goal))


async def story_instead(ctx: Context, text: str) -> None:
    """A story told before the questions about the hero are done (people start with what
    happened): the hero is kept as named, and the story is read about them."""
    await keep(ctx)
    await ctx.tell(text)


def _after_name(then: str, limit: int, *, brief: bool = False, parse: Parser | None = None) -> Ask:
    """A question asked once the hero is named: a story or a command keeps the hero."""
    return Ask(
        answer,
        (then, STORY),
        limit=limit,
        parse=parse,
        brief=brief,
        on_story=story_instead,
        on_leave=keep,
    )


FLOW = Flow(
    "onboarding",
    commands={"start": Entry(start, enters=(QUESTIONS[0],))},
    questions={
        "onboarding.name": Ask(answer, (QUESTIONS[1],), limit=64),
        "onboarding.role": _after_name(QUESTIONS[2], 200, brief=True),
        "onboarding.how_met": _after_name(QUESTIONS[3], 500),
        "onboarding.when_met": _after_name(IDLE, 100, parse=past_date),
    },
    actions={"hero.add": Entry(begin, enters=(QUESTIONS[0],), arg=False)},
)
