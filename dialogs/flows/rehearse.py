"""/rehearse: practising the ask to shadow the hero before making it.

The wording is checked (dialogs/rehearsal.py), the hero's likely answer is played from the
recorded temperature and readiness, a reply to each answer is coached, and the wording is
kept with the hero to be shown again when the check-in asks how the real ask went.
"""

from __future__ import annotations

from dialogs.flows.base import IDLE, Ask, Context, Entry, Flow, answered, text_or_ask
from dialogs.model import AskOutcome, Interaction, StepId
from dialogs.playbook import Shortfall, readiness
from dialogs.rehearsal import Gap, rehearse

# A spoken ask fits in a few sentences; the column is text, the bound is for the chat.
LIMIT = 1000


async def start(ctx: Context, args: str = "") -> None:
    hero = await ctx.current_hero()
    if hero is None:
        ctx.say(ctx.messages.need_hero)
        return
    if hero.step is not StepId.ASK:
        ctx.say(ctx.content.rehearse.early.format(hero=hero.name, number=hero.step.number))
    await text_or_ask(ctx, args, "rehearse.text", hero.id, play)


async def play(ctx: Context, text: str) -> None:
    words = ctx.content.rehearse
    hero = await ctx.current_hero()
    if hero is None:
        ctx.say(ctx.messages.need_hero)
        return
    history = await ctx.interactions.of(ctx.user.id, hero.id)
    played = rehearse(text, history, ctx.content)
    lines = [words.intro]
    lines += [words.gaps[g] for g in played.gaps] if played.gaps else [words.well_worded]
    lines += ["", words.likely[played.answer].format(hero=hero.name)]
    if played.why:
        lines.append(words.because.format(reasons=reasons(ctx, played.why, history)))
    lines += [""] + [words.replies[a] for a in AskOutcome]
    # At most two pieces of advice: the first gap's and the likely answer's.
    gap_advice = played.advice[:-1][:1]
    ctx.advise((*gap_advice, played.advice[-1]), intro="\n".join(lines))
    hero.rehearsed = text
    await ctx.heroes.save(hero)
    ctx.say(words.saved.format(hero=hero.name))


def reasons(ctx: Context, why: tuple[Shortfall, ...], history: list[Interaction]) -> str:
    messages = ctx.messages
    check = readiness(history, None, ctx.content)
    temps = ", ".join(str(t) for t in check.temperatures) or "none yet"
    said = {
        Shortfall.MEETINGS: messages.reason_meetings.format(
            meetings=check.meetings, needed=check.needed
        ),
        Shortfall.TEMPERATURE: messages.reason_temperature.format(
            temperatures=temps, warm=ctx.content.readiness.warm
        ),
        Shortfall.AWKWARD: messages.reason_awkward,
    }
    return "; ".join(said[s].rstrip(".") for s in why)


FLOW = Flow(
    "rehearse",
    commands={"rehearse": Entry(start, enters=("rehearse.text",))},
    questions={"rehearse.text": Ask(answered(play), (IDLE,), limit=LIMIT)},
    check=lambda content: (
        [f"rehearse.gaps lacks {g}" for g in Gap if g not in content.rehearse.gaps]
        + [f"rehearse.likely lacks {a}" for a in AskOutcome if a not in content.rehearse.likely]
        + [f"rehearse.replies lacks {a}" for a in AskOutcome if a not in content.rehearse.replies]
    ),
)
