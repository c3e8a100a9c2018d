"""/draft: reading a message before it goes to the hero, then forgetting it.

`/draft <text>` reads at once; `/draft` alone asks for the text. The draft is judged for
the current hero's step and meetings (dialogs/drafts.py) and is never stored: it lives
only in this turn.
"""

from __future__ import annotations

from dialogs.drafts import Finding, check
from dialogs.flows.base import IDLE, Ask, Context, Entry, Flow, answered, day_text, text_or_ask
from dialogs.model import Hero, Interaction, StepId
from dialogs.playbook import readiness

# Telegram caps a message at 4,096 characters; a draft is one message.
LIMIT = 4096


async def draft(ctx: Context, args: str = "") -> None:
    hero = await ctx.current_hero()
    await text_or_ask(ctx, args, "draft.text", hero.id if hero else None, review)


async def review(ctx: Context, text: str) -> None:
    words = ctx.content.drafts
    hero = await ctx.current_hero()
    history = await ctx.interactions.of(ctx.user.id, hero.id) if hero else []
    meetings = readiness(history, None, ctx.content).meetings
    step = hero.step if hero else StepId.INTERESTS
    checked = check(
        text,
        step=step.value,
        meetings=meetings,
        min_meetings=ctx.content.readiness.min_meetings,
    )
    name = hero.name if hero else ctx.messages.anyone
    if checked.language != "en":
        ctx.say(f"{words.other_language.format(hero=name)}\n\n{words.not_stored}")
        return
    lines = [words.intro_hero.format(hero=hero.name) if hero else words.intro]
    for found in checked.found:
        line = words.findings[found.finding].format(words=checked.words)
        if found.evidence:
            lines.append(words.quote.format(line=line, quote=found.evidence))
        else:
            lines.append(f"• {line}")
    ctx.advise(checked.advice, intro="\n".join(lines))
    if not checked.has(Finding.GOOD):
        ctx.say(shape(ctx, hero, history))
    ctx.say(words.not_stored)


def shape(ctx: Context, hero: Hero | None, history: list[Interaction]) -> str:
    """The shape to try, built from what the coach knows of the hero."""
    words = ctx.content.drafts
    lines = [words.shape]
    if hero is None:
        return words.shape
    doors = [i for i in history if i.open_door]
    if doors:
        when = day_text(doors[-1].happened_on)
        lines.append(words.shape_open_door.format(hero=hero.name, when=when))
    lit = [i.lit_up for i in history if i.lit_up]
    if lit:
        lines.append(words.shape_lit_up.format(hero=hero.name, lit_up=lit[-1]))
    return " ".join(lines)


FLOW = Flow(
    "draft",
    commands={"draft": Entry(draft, enters=("draft.text",))},
    questions={"draft.text": Ask(answered(review), (IDLE,), limit=LIMIT)},
    check=lambda content: [
        f"drafts.findings lacks {f}" for f in Finding if f not in content.drafts.findings
    ],
)
