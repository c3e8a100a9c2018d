"""/nextstep: moving a hero on when the record shows the step done, or back a step.

Every move rests on evidence (dialogs/evidence.py) and quotes it; when it is too
soon the coach names the gap and the one thing to practise, and the user may go on
anyway (recorded on the hero). `/nextstep back` (or the button under a move) goes
back a step. Before the ask the readiness rule, the stories' meeting counts and the
absence of recent red flags of steps 1 to 4 are checked too.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from dialogs import evidence
from dialogs.evidence import Found, StepCheck
from dialogs.flows.base import IDLE, Ask, Context, Entry, Flow, day_text
from dialogs.flows.checkin import OFFER, STORY_ANSWER
from dialogs.model import AskOutcome, Button, Hero, Interaction, StepId
from dialogs.playbook import ReadinessCheck, Shortfall, readiness

BACK = {"back", "back a step", "previous"}


async def next_step(ctx: Context, args: str = "") -> None:
    back = args.strip().lower() in BACK
    if (
        not back
        and ctx.dialog.state != IDLE
        and await _record_first(ctx, await ctx.current_hero())
    ):
        return
    await ctx.set_aside()
    hero = await ctx.current_hero()
    if hero is None:
        ctx.say(ctx.messages.need_hero)
        return
    if back:
        await go_back(ctx, hero)
        return
    if await _record_first(ctx, hero):
        return
    following = hero.step.next
    if following is None:
        said_yes = hero.journey.outcome is AskOutcome.YES
        at_last = ctx.messages.nextstep_after_yes if said_yes else ctx.messages.nextstep_at_last
        ctx.say(at_last.format(hero=hero.name))
        return
    ctx.dialog.hero_id = hero.id
    ctx.dialog.answers = {"to": following.value}
    recorded = await ctx.interactions.of(ctx.user.id, hero.id)
    history = evidence.since(hero, recorded)
    check = evidence.check(hero.step, history, ctx.content)
    if following is not StepId.ASK:
        if check.done:
            await move(ctx, hero, following, shown_lines(ctx, check))
        else:
            # Every mark shown and only the count short: no lesson, keep doing it.
            keep = ctx.content.evidence.steps[hero.step].keep
            shown_all = recorded and not check.flags and not check.missing
            practise = keep if shown_all and keep else check.practise(ctx.content)
            lines = gap_lines(ctx, check)
            await too_soon(
                ctx,
                hero,
                following,
                lines,
                practise,
                nothing_yet=not recorded,
                keep=bool(shown_all and keep),
            )
        return
    if await waits_for_hero(ctx, hero):
        return
    ready = ask_readiness(ctx, history, None)
    flags = evidence.recent_flags(history, ctx.content)
    if check.done and ready.ready and not flags:
        await ctx.ask("nextstep.awkward")
        return
    await ask_too_soon(ctx, hero, check, ready, flags, nothing_yet=not recorded)


async def _record_first(ctx: Context, hero: Hero | None) -> bool:
    """A contact told and not yet recorded is the gap: the check-in under way is finished
    first, and with nothing on record a story told today is offered for the record,
    rather than judging without them. Returns True when it did."""
    if hero is None:
        return False
    dialog = ctx.dialog
    if ctx.in_checkin() and dialog.hero_id == hero.id:
        ctx.say(ctx.messages.nextstep_finish_checkin.format(hero=hero.name))
        await ctx.ask_again()
        return True
    if await ctx.interactions.of(ctx.user.id, hero.id):
        return False
    if dialog.state == OFFER and dialog.hero_id == hero.id:
        story = dialog.answers.get(STORY_ANSWER)
    elif dialog.state == IDLE:
        story = dialog.take_kept(hero.id, ctx.today().isoformat())
    else:
        return False
    if not story:
        return False
    ctx.focus(hero.id, {STORY_ANSWER: story})
    step = hero.step.next or hero.step
    text = ctx.messages.nextstep_unrecorded.format(hero=hero.name, number=step.number)
    await ctx.ask(OFFER, text=text)
    return True


async def waits_for_hero(ctx: Context, hero: Hero) -> bool:
    """After a "not now" the ask waits for the day they named; after a "no", it is said
    when trying again may make sense. Returns True when the move is refused."""
    journey = hero.journey
    waits = ask_waits(ctx, hero)
    if waits is None:
        return False
    ctx.idle()
    if journey.busy_until and journey.outcome is not AskOutcome.NO:
        ctx.advise(("radar.lukewarm_add_value",), intro=waits)
    else:
        ctx.say(waits)
    return True


def ask_waits(ctx: Context, hero: Hero) -> str | None:
    """Why asking again must wait, from the hero's answer to the last ask: the day they
    named after a "not now", or some months after a "no"; None when it need not."""
    journey, today = hero.journey, ctx.today()
    if journey.busy_until and date.fromisoformat(journey.busy_until) > today:
        busy = day_text(date.fromisoformat(journey.busy_until))
        return ctx.messages.nextstep_busy.format(hero=hero.name, date=busy)
    if journey.outcome is AskOutcome.NO and journey.outcome_on:
        said = date.fromisoformat(journey.outcome_on)
        retry = said + timedelta(days=ctx.content.evidence.retry_after_no_days)
        if retry > today:
            return ctx.messages.nextstep_after_no.format(
                hero=hero.name, date=day_text(said), retry=day_text(retry)
            )
    return None


def ask_readiness(
    ctx: Context, history: list[Interaction], less_awkward: bool | None
) -> ReadinessCheck:
    stated = evidence.meetings(history, ctx.content)
    return readiness(history, less_awkward, ctx.content, stated_meetings=stated)


async def awkward(ctx: Context, choice: str) -> None:
    hero = await hero_in_question(ctx)
    if hero is None:
        return
    recorded = await ctx.interactions.of(ctx.user.id, hero.id)
    history = evidence.since(hero, recorded)
    check = evidence.check(hero.step, history, ctx.content)
    ready = ask_readiness(ctx, history, choice == "less")
    if choice == "less":
        await move(ctx, hero, StepId.ASK, [*shown_lines(ctx, check), ready_line(ctx, ready)])
        return
    await ask_too_soon(ctx, hero, check, ready, (), nothing_yet=not recorded)


async def ask_too_soon(
    ctx: Context,
    hero: Hero,
    check: StepCheck,
    ready: ReadinessCheck,
    flags: tuple[Found, ...],
    *,
    nothing_yet: bool,
) -> None:
    messages, content = ctx.messages, ctx.content
    temps = ", ".join(str(t) for t in ready.temperatures) or messages.none_yet
    reasons = {
        Shortfall.MEETINGS: messages.reason_meetings.format(
            meetings=ready.meetings, needed=ready.needed
        ),
        Shortfall.TEMPERATURE: messages.reason_temperature.format(
            temperatures=temps, warm=content.readiness.warm
        ),
        Shortfall.AWKWARD: messages.reason_awkward,
    }
    lines = [reasons[s] for s in ready.shortfalls]
    lines += [found_line(ctx, f, check.contacts, flag=True) for f in flags]
    # The step's own flags are among the recent ones: each is said once.
    lines += [line for line in gap_lines(ctx, check) if line not in lines]
    if flags:
        practise = content.evidence.marks[flags[0].mark].practise
    elif check.missing or check.flags:
        practise = check.practise(content)
    else:
        practise = "ask.not_yet"
    # After a "not now" the ask is earned afresh: no going on anyway.
    offer = hero.journey.outcome is not AskOutcome.NOT_NOW
    await too_soon(ctx, hero, StepId.ASK, lines, practise, nothing_yet=nothing_yet, offer=offer)


async def early(ctx: Context, choice: str) -> None:
    hero = await hero_in_question(ctx)
    if hero is None:
        return
    following = hero.step.next
    if choice == "go" and following is not None:
        early_moves = (*hero.journey.early, following.value)
        hero.journey = replace(hero.journey, early=early_moves)
        await move(ctx, hero, following, None)
    else:
        ctx.idle()
        ctx.say(ctx.messages.stayed.format(hero=hero.name, number=hero.step.number))


async def hero_in_question(ctx: Context) -> Hero | None:
    """Returns the hero a /nextstep dialog is about, if it still makes sense."""
    hero = await ctx.current_hero()
    target = ctx.dialog.answers.get("to")
    if (
        hero is None
        or hero.id != ctx.dialog.hero_id
        or hero.step.next is None
        or hero.step.next.value != target
    ):
        ctx.idle()
        await ctx.stale()
        return None
    return hero


def found_line(ctx: Context, found: Found, of: int, *, flag: bool = False) -> str:
    says = ctx.content.evidence.marks[found.mark].says
    template = ctx.messages.evidence_flag if flag else ctx.messages.evidence_shown
    line = template.format(says=says, count=found.count, of=of)
    if found.quote:
        line += " " + ctx.messages.evidence_quote.format(quote=found.quote)
    return line


def shown_lines(ctx: Context, check: StepCheck) -> list[str]:
    return [found_line(ctx, f, check.contacts) for f in check.shown]


def gap_lines(ctx: Context, check: StepCheck) -> list[str]:
    messages, marks = ctx.messages, ctx.content.evidence.marks
    lines = []
    if check.contacts < check.needed:
        lines.append(messages.evidence_few.format(count=check.contacts, needed=check.needed))
    if not check.contacts:
        return lines  # with nothing recorded, a list of what wasn't seen says nothing more
    lines += [found_line(ctx, f, check.contacts, flag=True) for f in check.flags]
    lines += [messages.evidence_missing.format(says=marks[m].says) for m in check.missing]
    return lines


def ready_line(ctx: Context, ready: ReadinessCheck) -> str:
    temps = ", ".join(str(t) for t in ready.temperatures)
    return ctx.messages.evidence_ready.format(meetings=ready.meetings, temperatures=temps)


async def too_soon(
    ctx: Context,
    hero: Hero,
    following: StepId,
    lines: list[str],
    practise: str,
    *,
    nothing_yet: bool = False,
    offer: bool = True,
    keep: bool = False,
) -> None:
    """Names the gap and the one thing to practise, then offers to go on anyway."""
    if nothing_yet:
        # No verdict the record can't support: the gap is the record itself.
        intro = [ctx.messages.nextstep_no_record.format(hero=hero.name, number=following.number)]
    else:
        intro = [ctx.messages.too_soon.format(hero=hero.name, number=following.number)]
        intro += [f"• {line}" for line in lines]
    if nothing_yet:
        intro.append(ctx.messages.step_starts.format(number=hero.step.number))
    else:
        intro.append(ctx.messages.keep_going if keep else ctx.messages.practise)
    ctx.advise((practise,), intro="\n".join(intro))
    if offer:
        await ctx.ask("nextstep.early", number=str(following.number))
    else:
        ctx.idle()


async def move(ctx: Context, hero: Hero, step_id: StepId, shown: list[str] | None) -> None:
    """Moves the hero on; `shown` is the evidence quoted, None when the user went on anyway."""
    hero.step = step_id
    await ctx.heroes.save(hero)
    ctx.idle()
    messages = ctx.messages
    step = ctx.content.steps[step_id]
    names = {"hero": hero.name, "number": step_id.number, "title": step.title}
    if shown is None:
        said = [messages.nextstep_moved_early.format(**names)]
    else:
        said = [messages.nextstep_moved.format(**names)]
        said += [f"• {line}" for line in shown]
    paragraphs = ("\n".join(said), messages.nextstep_goal.format(goal=step.goal))
    buttons = (
        Button("checkin", messages.button_checkin),
        Button("nextstep.back", messages.button_back),
    )
    ctx.say("\n\n".join(paragraphs), buttons)


async def go_back(ctx: Context, hero: Hero | None = None) -> None:
    hero = hero or await ctx.current_hero()
    ctx.idle()
    if hero is None:
        ctx.say(ctx.messages.need_hero)
        return
    order = list(StepId)
    index = order.index(hero.step)
    if index == 0:
        ctx.say(ctx.messages.nextstep_at_first.format(hero=hero.name))
        return
    hero.step = order[index - 1]
    await ctx.heroes.save(hero)
    title = ctx.content.steps[hero.step].title
    ctx.say(ctx.messages.moved_back.format(hero=hero.name, number=hero.step.number, title=title))


async def back_button(ctx: Context, _arg: str) -> None:
    await go_back(ctx)


_OPENS = ("nextstep.awkward", "nextstep.early")
FLOW = Flow(
    "nextstep",
    # It leaves the open dialog itself: an offer to record a story may be the answer.
    commands={"nextstep": Entry(next_step, enters=(*_OPENS, OFFER), leaves=False)},
    questions={
        "nextstep.awkward": Ask(awkward, ("nextstep.early", IDLE)),
        "nextstep.early": Ask(early, (IDLE,)),
    },
    actions={
        "nextstep": Entry(next_step, enters=(*_OPENS, OFFER), arg=False),
        "nextstep.back": Entry(back_button, arg=False),
    },
)
