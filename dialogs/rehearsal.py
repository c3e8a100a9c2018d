"""Rehearsing the ask (/rehearse, issue 13): the wording checked, the hero's answer played.

The wording is read for what playbook.md asks of the ask: something specific and bounded
in time (shadowing one session, not "whenever"), a skill offered, deference, an easy way
to decline, and no "be my mentor". The hero's likely answer comes from what is recorded:
the readiness rule (meetings, warm temperatures) and the last temperature.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from dialogs.content import Content
from dialogs.drafts import EXIT, MENTOR, NEGATED
from dialogs.model import AskOutcome, Interaction
from dialogs.playbook import Shortfall, readiness
from dialogs.reader.text import Speller, clean
from dialogs.steps.ask import OUTCOMES


class Gap(StrEnum):
    """What the wording of an ask lacks."""

    SPECIFIC = "specific"  # no bounded thing: one day, a session, a morning
    SKILL = "skill"  # nothing offered in return
    DEFERENTIAL = "deferential"  # a demand, not a question
    EXIT = "exit"  # no easy way to decline
    MENTOR = "mentor"  # asks for a title, not to shadow


# The advice each gap points to (dialogs/catalogue.py).
GAP_ADVICE = {
    Gap.SPECIFIC: "distance.autonomy_authority",
    Gap.SKILL: "ask.offer_skills",
    Gap.DEFERENTIAL: "distance.respectful_deference",
    Gap.EXIT: "distance.autonomy_authority",
    Gap.MENTOR: "ask.not_yet",
}

_BOUNDED = re.compile(
    r"\b(?:one|a|an|single|half a|for (?:a|one|two|an)) (?:\w+ )?(?:day|morning|afternoon|"
    r"evening|session|meeting|shift|shoot|rehearsal|visit|hour|hours|service|round|class|"
    r"show|gig|night|week)\b|\b(?:next|this) (?:month|week|tuesday|monday|wednesday|thursday|"
    r"friday|saturday|sunday)\b"
)
_SKILL = re.compile(
    r"\b(?:i could|i can|i'd be glad to|i'd be happy to|happy to|i'm (?:good|handy|decent) "
    r"(?:at|with|on)|i'll (?:handle|take|carry|do|bring)|take .{0,30} off your|in return)\b"
)
_DEFERENTIAL = re.compile(
    r"\b(?:would you be (?:open|willing)|would it be|would you mind|could i|might i|may i|"
    r"if you'd|if you would|do you think i could|would you consider|is there any chance)\b"
)


@dataclass(frozen=True, slots=True)
class Rehearsal:
    gaps: tuple[Gap, ...]
    answer: AskOutcome
    why: tuple[Shortfall, ...]  # what holds a yes back; empty for a yes
    last_temperature: int | None

    @property
    def advice(self) -> tuple[str, ...]:
        ids = [GAP_ADVICE[g] for g in self.gaps] + [OUTCOMES[self.answer]]
        return tuple(dict.fromkeys(ids))


def check_wording(text: str) -> tuple[Gap, ...]:
    """What the ask's wording lacks, in the order playbook.md lists it."""
    said = Speller().fix(clean(text))
    gaps = []
    if not _BOUNDED.search(said):
        gaps.append(Gap.SPECIFIC)
    if not _SKILL.search(said):
        gaps.append(Gap.SKILL)
    if not _DEFERENTIAL.search(said):
        gaps.append(Gap.DEFERENTIAL)
    if not EXIT.search(said):
        gaps.append(Gap.EXIT)
    if MENTOR.search(said) and not NEGATED.search(said):
        gaps.append(Gap.MENTOR)
    return tuple(gaps)


def likely_answer(
    history: Sequence[Interaction], content: Content
) -> tuple[AskOutcome, tuple[Shortfall, ...]]:
    """The hero's likely answer from the record: a yes when ready, a no when it went cold."""
    check = readiness(history, None, content)
    last = history[-1].temperature if history else None
    if check.ready:
        return AskOutcome.YES, ()
    cold = content.readiness.warm - 2
    if last is not None and last <= cold:
        return AskOutcome.NO, check.shortfalls
    return AskOutcome.NOT_NOW, check.shortfalls


def rehearse(text: str, history: Sequence[Interaction], content: Content) -> Rehearsal:
    answer, why = likely_answer(history, content)
    last = history[-1].temperature if history else None
    return Rehearsal(check_wording(text), answer, why, last)
