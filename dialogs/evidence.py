"""Evidence per step: what the recorded contacts show, and what they don't yet.

Each contact is turned into marks ("their_world", "pitched", ...) from its answers,
its temperature and its story (read with dialogs.reader). A step is done when its
recent contacts hold every mark it needs and none of its red flags; the marks, the
counts and what each means are content (coach.toml `[evidence]`), the reading of a
contact into marks is here. /nextstep, the check-in's verdict and /progress all ask
this module, so they never disagree, and no reason is given that the record lacks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from dialogs.content import Content
from dialogs.model import AskOutcome, Hero, Interaction, StepId
from dialogs.reader import read_story
from dialogs.reader.rules import Signal

# Marks a contact can show, each from an answer (question=option) or a story signal.
ANSWERS: dict[str, frozenset[str]] = {
    "their_world": frozenset({"interests.whose=theirs"}),
    "problem": frozenset({"interests.problem=yes"}),
    "insight": frozenset({"interests.offer=insight"}),
    "about_me": frozenset({"interests.whose=half", "interests.whose=mine"}),
    "pitched": frozenset({"interests.offer=solution"}),
    "one_compliment": frozenset({"germ.compliments=one"}),
    "at_ease": frozenset({"germ.ease=at_ease"}),
    "learning": frozenset({"germ.time=learning"}),
    "gushing": frozenset({"germ.compliments=several", "germ.compliments=lost_count"}),
    "starstruck": frozenset({"germ.ease=starstruck", "germ.ease=froze"}),
    "posted": frozenset({"germ.posting=yes"}),
    "achievements": frozenset({"germ.time=achievements"}),
    "cut_short": frozenset({"radar.pace=short"}),
    "deference": frozenset({"distance.stance=student"}),
    "guidance": frozenset({"distance.guidance=yes"}),
    "peer": frozenset({"distance.stance=peer", "distance.stance=corrected"}),
    "pushed": frozenset({"distance.push=yes"}),
}
SIGNALS: dict[str, Signal] = {
    "their_world": Signal.ABOUT_THEM,
    "problem": Signal.PROBLEM_SHARED,
    "insight": Signal.OFFERED_INSIGHT,
    "about_me": Signal.ABOUT_ME,
    "pitched": Signal.PITCHED_SOLUTION,
    "at_ease": Signal.AT_EASE,
    "gushing": Signal.MANY_COMPLIMENTS,
    "starstruck": Signal.STARSTRUCK,
    "posted": Signal.POSTED,
    "achievements": Signal.ACHIEVEMENTS,
    "cut_short": Signal.CUT_SHORT,
    "deference": Signal.DEFERENCE,
    "guidance": Signal.ASKED_GUIDANCE,
    "peer": Signal.PEER,
    "pushed": Signal.PUSHED,
}
# Marks read from the temperature and the record rather than from words.
RECORDED = ("read", "warm", "door", "cold")
MARKS = frozenset({*ANSWERS, *SIGNALS, *RECORDED})


@dataclass(frozen=True, slots=True)
class Seen:
    """The marks of one contact, with the user's own words for those a story gave."""

    interaction: Interaction
    marks: frozenset[str]
    quotes: dict[str, str]
    meetings: int | None  # the meetings the story says there have been ("our third coffee")


def seen(interaction: Interaction, content: Content) -> Seen:
    """Reads one recorded contact into marks."""
    answered = {f"{q}={a}" for q, a in interaction.answers.items()}
    marks = {mark for mark, sources in ANSWERS.items() if answered & sources}
    quotes: dict[str, str] = {}
    meetings = None
    if interaction.story:
        story = read_story(
            interaction.story,
            min_meetings=content.readiness.min_meetings,
            step=interaction.step.value,
        )
        meetings = story.coffees
        found = {s.signal: s.evidence for s in story.reading.signals} if story.reading else {}
        for mark, signal in SIGNALS.items():
            if signal in story.signals:
                marks.add(mark)
                if found.get(signal):
                    quotes[mark] = found[signal]
        # "Their stories" are what the germ step wants to hear about.
        if Signal.ABOUT_THEM in story.signals and Signal.ACHIEVEMENTS not in story.signals:
            marks.add("learning")
    if interaction.answers.get("checkin.reaction", "cant_tell") != "cant_tell":
        marks.add("read")
    if interaction.temperature >= content.readiness.warm:
        marks.add("warm")
    if interaction.temperature <= content.evidence.cold:
        marks.add("cold")
    if interaction.open_door:
        marks.add("door")
    return Seen(interaction, frozenset(marks), quotes, meetings)


@dataclass(frozen=True, slots=True)
class Found:
    """A mark and how often the recent contacts show it."""

    mark: str
    count: int
    quote: str = ""


@dataclass(frozen=True, slots=True)
class StepCheck:
    """Whether the record shows a step done, and why (or why not yet)."""

    step: StepId
    contacts: int  # the recent contacts looked at
    needed: int  # the contacts a verdict needs
    shown: tuple[Found, ...]  # needed marks the record shows
    missing: tuple[str, ...]  # needed marks it does not show yet
    flags: tuple[Found, ...]  # red flags in the recent contacts

    @property
    def done(self) -> bool:
        return self.contacts >= self.needed and not self.missing and not self.flags

    def practise(self, content: Content) -> str:
        """The one piece of advice that closes the gap: a red flag first, then a mark."""
        marks = content.evidence.marks
        if self.flags:
            return marks[self.flags[0].mark].practise
        if self.missing:
            return marks[self.missing[0]].practise
        return marks[content.evidence.steps[self.step].need[0]].practise


def since(hero: Hero, history: Sequence[Interaction]) -> list[Interaction]:
    """The contacts that count now: after a "not now" or a "no", only the newer ones."""
    journey = hero.journey
    if journey.outcome in {AskOutcome.NOT_NOW, AskOutcome.NO} and journey.outcome_on:
        after = date.fromisoformat(journey.outcome_on)
        return [i for i in history if i.happened_on > after]
    return list(history)


def check(step: StepId, history: Sequence[Interaction], content: Content) -> StepCheck:
    """Judges a step (1 to 4) over the recent contacts of a history (oldest first)."""
    rule = content.evidence
    wanted = rule.steps[step]
    recent = [seen(i, content) for i in history[-rule.recent :]]
    shown, missing = [], []
    for mark in wanted.need:
        having = [s for s in recent if mark in s.marks]
        if having:
            shown.append(Found(mark, len(having), _quote(having, mark)))
        else:
            missing.append(mark)
    # A red flag counts while it is among the last `clean` contacts: old ones are forgiven.
    flags = []
    for mark in wanted.flags:
        having = [s for s in recent[-rule.clean :] if mark in s.marks]
        if having:
            flags.append(Found(mark, len(having), _quote(having, mark)))
    return StepCheck(
        step, len(recent), rule.min_contacts, tuple(shown), tuple(missing), tuple(flags)
    )


def recent_flags(history: Sequence[Interaction], content: Content) -> tuple[Found, ...]:
    """Red flags of steps 1 to 4 in the last contacts: none may stand before the ask."""
    rule = content.evidence
    recent = [seen(i, content) for i in history[-rule.clean :]]
    flags = dict.fromkeys(f for step in rule.steps.values() for f in step.flags)
    found = []
    for mark in flags:
        having = [s for s in recent if mark in s.marks]
        if having:
            found.append(Found(mark, len(having), _quote(having, mark)))
    return tuple(found)


def meetings(history: Sequence[Interaction], content: Content) -> int:
    """Meetings logged, or the count a story states if it is higher ("our fourth coffee")."""
    logged = sum(1 for i in history if i.kind.is_meeting)
    stated = [s.meetings for s in (seen(i, content) for i in history) if s.meetings]
    return max([logged, *stated])


def _quote(having: Sequence[Seen], mark: str) -> str:
    return next((s.quotes[mark] for s in reversed(having) if mark in s.quotes), "")


def streak(history: Sequence[Interaction], content: Content) -> Found | None:
    """A red flag in every one of the latest contacts, `evidence.pattern` or more in a row:
    a pattern to name ("third contact in a row where you pitched a solution")."""
    seens = [seen(i, content) for i in reversed(history)]
    flags = dict.fromkeys(f for step in content.evidence.steps.values() for f in step.flags)
    best: Found | None = None
    for mark in flags:
        count = next((n for n, s in enumerate(seens) if mark not in s.marks), len(seens))
        if count >= content.evidence.pattern and (best is None or count > best.count):
            best = Found(mark, count)
    return best
