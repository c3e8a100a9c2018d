"""/nextstep: moving a hero on to the next step, with a readiness check before the ask."""

from __future__ import annotations

from dialogs.flows.base import IDLE, Ask, Context, Entry, Flow
from dialogs.model import Button, Hero, Interaction, StepId
from dialogs.playbook import Shortfall, readiness


async def next_step(ctx: Context, _args: str = "") -> None:
    hero = await ctx.current_hero()
    if hero is None:
        ctx.say(ctx.messages.need_hero)
        return
    following = hero.step.next
    if following is None:
        ctx.say(ctx.messages.nextstep_at_last.format(hero=hero.name))
        return
    if following is not StepId.ASK:
        await move(ctx, hero, following)
        return
    ctx.dialog.hero_id = hero.id
    history = await ctx.interactions.of(ctx.user.id, hero.id)
    check = readiness(history, None, ctx.content)
    if check.ready:
        await ctx.ask("nextstep.awkward")
    else:
        await too_soon(ctx, hero, check.shortfalls, history)


async def awkward(ctx: Context, choice: str) -> None:
    hero = await hero_in_question(ctx)
    if hero is None:
        return
    if choice == "less":
        await move(ctx, hero, StepId.ASK)
        return
    history = await ctx.interactions.of(ctx.user.id, hero.id)
    check = readiness(history, False, ctx.content)
    await too_soon(ctx, hero, check.shortfalls, history)


async def early(ctx: Context, choice: str) -> None:
    hero = await hero_in_question(ctx)
    if hero is None:
        return
    if choice == "go":
        await move(ctx, hero, StepId.ASK)
    else:
        ctx.idle()
        ctx.say(ctx.messages.stayed)


async def hero_in_question(ctx: Context) -> Hero | None:
    """Returns the hero a /nextstep dialog is about, if it still makes sense."""
    hero = await ctx.current_hero()
    if hero is None or hero.id != ctx.dialog.hero_id or hero.step is not StepId.DISTANCE:
        ctx.idle()
        await ctx.stale()
        return None
    return hero


async def too_soon(
    ctx: Context, hero: Hero, shortfalls: tuple[Shortfall, ...], history: list[Interaction]
) -> None:
    messages = ctx.messages
    check = readiness(history, None, ctx.content)
    temps = ", ".join(str(t) for t in check.temperatures) or "none yet"
    reasons = {
        Shortfall.MEETINGS: messages.reason_meetings.format(
            meetings=check.meetings, needed=check.needed
        ),
        Shortfall.TEMPERATURE: messages.reason_temperature.format(
            temperatures=temps, warm=ctx.content.readiness.warm
        ),
        Shortfall.AWKWARD: messages.reason_awkward,
    }
    lines = [messages.too_soon.format(hero=hero.name)]
    lines += [f"• {reasons[s]}" for s in shortfalls]
    ctx.advise(("ask.not_yet",), intro="\n".join(lines))
    await ctx.ask("nextstep.early")


async def move(ctx: Context, hero: Hero, step_id: StepId) -> None:
    hero.step = step_id
    await ctx.heroes.save(hero)
    ctx.idle()
    step = ctx.content.steps[step_id]
    moved = ctx.messages.nextstep_moved.format(
        hero=hero.name, number=step_id.number, title=step.title, why_now=step.why_now
    )
    ctx.say(
        "\n\n".join((moved, ctx.messages.nextstep_goal.format(goal=step.goal))),
        (Button("checkin", ctx.messages.button_checkin),),
    )


_OPENS = ("nextstep.awkward", "nextstep.early")
FLOW = Flow(
    "nextstep",
    commands={"nextstep": Entry(next_step, enters=_OPENS)},
    questions={
        "nextstep.awkward": Ask(awkward, ("nextstep.early", IDLE)),
        "nextstep.early": Ask(early, (IDLE,)),
    },
    actions={"nextstep": Entry(next_step, enters=_OPENS, arg=False)},
)
