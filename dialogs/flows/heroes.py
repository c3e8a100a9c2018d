"""/heroes and /progress: the user's heroes, where each stands, switching and archiving."""

from __future__ import annotations

from datetime import date

from dialogs import evidence
from dialogs.charts import progress_chart
from dialogs.flows.base import IDLE, Ask, Context, Entry, Flow, day_text
from dialogs.model import Button, Hero, Interaction, StepId, record_id
from dialogs.playbook import trend


async def progress(ctx: Context, _args: str = "") -> None:
    heroes = await ctx.heroes.of(ctx.user.id)
    if not heroes:
        ctx.say(ctx.messages.no_heroes)
        return
    # The picture first, with a one-line caption; the text summary stays below it.
    histories = {h.id: await ctx.interactions.of(ctx.user.id, h.id) for h in heroes}
    chart = progress_chart(heroes, histories)
    if chart is not None:
        ctx.say(ctx.content.charts.caption, chart=chart)
    ctx.say(await progress_text(ctx, heroes))


async def progress_text(ctx: Context, heroes: list[Hero]) -> str:
    blocks = [ctx.messages.progress_header]
    for hero in heroes:
        history = await ctx.interactions.of(ctx.user.id, hero.id)
        blocks.append(hero_progress(ctx, hero, history))
    return "\n\n".join(blocks)


def hero_progress(ctx: Context, hero: Hero, history: list[Interaction]) -> str:
    messages = ctx.messages
    step = ctx.content.steps[hero.step]
    name = f"{hero.name} ({hero.role})" if hero.role else hero.name
    count = len(history)
    interactions = messages.interactions_one if count == 1 else messages.interactions_many
    lines = [
        messages.progress_line.format(
            hero=name,
            number=hero.step.number,
            title=step.title,
            interactions=interactions.format(count=count),
        )
    ]
    lines += journey_lines(ctx, hero)
    if not history:
        lines.append(messages.progress_no_interactions)
        return "\n".join(lines)
    lines += evidence_lines(ctx, hero, history)
    last = history[-1]
    direction = trend([i.temperature for i in history])
    lines.append(
        messages.progress_temperature.format(
            temperature=last.temperature,
            label=ctx.content.temperature.labels[last.temperature],
            trend=getattr(messages, f"trend_{direction.value}"),
        )
    )
    doors = [i for i in history if i.open_door]
    if doors:
        lines.append(messages.progress_open_door.format(when=day_text(doors[-1].happened_on)))
    lit = [i.lit_up for i in history if i.lit_up]
    if lit:
        lines.append(messages.progress_lit_up.format(lit_up=lit[-1]))
    return "\n".join(lines)


def journey_lines(ctx: Context, hero: Hero) -> list[str]:
    """The moves made early and the outcome of the ask: what the hero's record holds."""
    messages, journey = ctx.messages, hero.journey
    lines = []
    if journey.early:
        steps = ", ".join(str(StepId(s).number) for s in journey.early)
        lines.append(messages.progress_early.format(steps=steps))
    if journey.outcome is not None and journey.outcome_on:
        said = day_text(date.fromisoformat(journey.outcome_on))
        outcome = getattr(messages, f"progress_outcome_{journey.outcome.value}")
        lines.append(outcome.format(hero=hero.name, date=said))
    if journey.busy_until and date.fromisoformat(journey.busy_until) > ctx.today():
        busy = day_text(date.fromisoformat(journey.busy_until))
        lines.append(messages.progress_busy.format(hero=hero.name, date=busy))
    return lines


def evidence_lines(ctx: Context, hero: Hero, history: list[Interaction]) -> list[str]:
    """What the record shows for the hero's step, and what it lacks for the next."""
    if hero.step is StepId.ASK:
        return []
    messages, marks = ctx.messages, ctx.content.evidence.marks
    check = evidence.check(hero.step, evidence.since(hero, history), ctx.content)
    lines = []
    if check.shown:
        shown = "; ".join(marks[f.mark].says for f in check.shown)
        lines.append(messages.progress_shown.format(number=hero.step.number, shown=shown))
    # What holds the step back, apart from what simply hasn't shown up yet.
    if check.contacts < check.needed:
        lines.append(messages.progress_few.format(count=check.contacts, needed=check.needed))
    if check.flags:
        flags = "; ".join(marks[f.mark].says for f in check.flags)
        lines.append(messages.progress_flags.format(flags=flags))
    if check.missing:
        missing = "; ".join(marks[m].says for m in check.missing)
        lines.append(messages.progress_missing.format(missing=missing))
    if check.contacts >= check.needed and not check.flags and not check.missing:
        lines.append(messages.progress_ready.format(number=hero.step.number + 1))
    return lines


# "/heroes add": the typed way to the "Add a hero" button (onboarding asks the rest).
ADD = {"add", "new", "add a hero", "add hero", "+"}
ADDING = "onboarding.name"


async def heroes_command(ctx: Context, args: str = "") -> None:
    if args.strip().lower() in ADD:
        ctx.idle()
        await ctx.ask(ADDING)
        return
    await list_heroes(ctx)


async def list_heroes(ctx: Context, _args: str = "") -> None:
    messages = ctx.messages
    heroes = await ctx.heroes.of(ctx.user.id)
    if not heroes:
        ctx.say(messages.no_heroes, (Button("hero.add", messages.button_add_hero),))
        return
    lines = [messages.heroes_header]
    buttons = []
    for hero in heroes:
        current = hero.id == ctx.user.current_hero_id
        history = await ctx.interactions.of(ctx.user.id, hero.id)
        last = ""
        if history:
            temp = history[-1].temperature
            label = f"{ctx.content.temperature.labels[temp]} ({temp}/5)"
            last = messages.hero_last.format(label=label)
        lines.append(
            messages.hero_line.format(
                mark="★" if current else "•",
                hero=hero.name,
                number=hero.step.number,
                title=ctx.content.steps[hero.step].title,
                last=last,
            )
        )
        if not current:
            label = messages.hero_switch.format(hero=hero.name)
            buttons.append(Button(f"hero.switch:{hero.id}", label))
    buttons.append(Button("hero.add", messages.button_add_hero))
    buttons.append(Button("hero.archive", messages.hero_archive))
    ctx.say("\n".join(lines), tuple(buttons))


async def named_hero(ctx: Context, arg: str) -> Hero | None:
    """The live hero a button names; a stale answer (the dialog left as it was) if none."""
    hero_id = record_id(arg)
    hero = await ctx.heroes.get(ctx.user.id, hero_id) if hero_id else None
    if hero is None or hero.archived:
        await ctx.stale()
        return None
    return hero


async def switch(ctx: Context, arg: str) -> None:
    hero = await named_hero(ctx, arg)
    if hero is None:
        return
    await ctx.set_aside()
    ctx.user.current_hero_id = hero.id
    title = ctx.content.steps[hero.step].title
    ctx.say(
        ctx.messages.hero_switched.format(hero=hero.name, number=hero.step.number, title=title)
    )


async def archive_button(ctx: Context, arg: str) -> None:
    if not arg:
        await ctx.set_aside()
        await ctx.choose_hero("hero.archive", ctx.messages.archive_which)
        return
    hero = await named_hero(ctx, arg)
    if hero is None:
        return
    await ctx.set_aside()
    ctx.dialog.hero_id = hero.id
    await ctx.ask("heroes.archive")


async def archive(ctx: Context, choice: str) -> None:
    hero = await ctx.confirmed_hero(choice, ctx.messages.hero_kept)
    if hero is None:
        return
    hero.archived = True
    await ctx.heroes.save(hero)
    # "I stop asking about them": their reminders go too.
    await ctx.reminders.cancel_for_hero(ctx.user.id, hero.id, follow_ups_only=False)
    await ctx.let_go(hero)
    ctx.say(ctx.messages.hero_archived.format(hero=hero.name))


FLOW = Flow(
    "heroes",
    commands={
        "heroes": Entry(heroes_command, enters=(ADDING,)),
        "progress": Entry(progress, leaves=False, reprompt=True),
    },
    questions={"heroes.archive": Ask(archive, (IDLE,))},
    actions={
        # Both check the hero they name before leaving the open dialog.
        "hero.switch": Entry(switch, leaves=False, arg=True),
        "hero.archive": Entry(archive_button, enters=("heroes.archive",), leaves=False),
    },
)
