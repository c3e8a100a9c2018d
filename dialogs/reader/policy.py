"""The advice policy: from a reading to at most a few advice ids of the playbook.

Only what the user did (or plans, or asks about) selects the advice on the user's
acts; someone else's act or a negated one does not. A plan or a question gets the
advice that fits before the act. The hero's reaction selects one temperature. The
content file (coach.toml [reader]) says how many pieces fit in one reply and which
matter most; the readiness thresholds come from [readiness].
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dialogs.content import default_content
from dialogs.reader.reading import Polarity, Reading, Time, Who
from dialogs.reader.rules import OUTCOMES as OUTCOMES_ORDER
from dialogs.reader.rules import Signal

_ANY_TIME = frozenset(Time)
_HAPPENED = frozenset({Time.HAPPENED})

# A user's act, done, planned or asked about, selects the advice on it.
ACT_ADVICE = {
    Signal.ABOUT_ME: "interests.their_world",
    Signal.PITCHED_SOLUTION: "interests.insight_over_solutions",
    Signal.NOTHING_OFFERED: "interests.insight_over_solutions",
    Signal.MANY_COMPLIMENTS: "germ.one_compliment",
    Signal.STARSTRUCK: "germ.regular_people",
    Signal.POSTED: "germ.no_live_tweeting",
    Signal.PEER: "distance.they_are_the_guru",
    Signal.PUSHED: "distance.autonomy_authority",
}
_OUTCOME_ADVICE = {
    Signal.OUTCOME_YES: "ask.outcome_yes",
    Signal.OUTCOME_NOT_NOW: "ask.outcome_not_now",
    Signal.OUTCOME_NO: "ask.outcome_no",
}
_GERM_PROBLEMS = (Signal.MANY_COMPLIMENTS, Signal.STARSTRUCK, Signal.POSTED, Signal.ACHIEVEMENTS)
_WARM_ACTS = (Signal.WARM, Signal.OPEN_DOOR, Signal.FOLLOW_UP_QUESTIONS, Signal.QUICK_REPLY)
# Deeds that commit the hero to something; a smile or a laugh does not.
_DOOR_ACTS = (Signal.OPEN_DOOR, Signal.FOLLOW_UP_QUESTIONS, Signal.QUICK_REPLY)
_COLD_ACTS = (Signal.COLD, Signal.CUT_SHORT)


@dataclass
class _Choice:
    reading: Reading
    chosen: dict[str, str] = field(default_factory=dict)  # advice id -> evidence
    first: set[str] = field(default_factory=set)  # advice for what the user plans or asks
    last: set[str] = field(default_factory=set)  # advice the user did not ask for

    def did(self, signal: Signal, times: frozenset[Time] = _HAPPENED) -> str | None:
        found = self.reading.find(signal, times=times)
        return found[0].evidence if found else None

    def did_not(self, signal: Signal) -> str | None:
        found = self.reading.find(signal, polarity=Polarity.DID_NOT, times=_ANY_TIME)
        return found[0].evidence if found else None

    def add(self, advice: str, evidence: str | None) -> None:
        if evidence is not None:
            self.chosen.setdefault(advice, evidence)


def advise(
    reading: Reading, *, min_meetings: int | None = None
) -> tuple[tuple[str, ...], dict[str, str]]:
    """All the advice the rules see in a reading, the most important first, and the words
    each piece rests on (the reader keeps at most `max_advice`, weighed with its model)."""
    content = default_content()
    if min_meetings is None:
        min_meetings = content.readiness.min_meetings
    choice = _Choice(reading)
    _acts(choice)
    _interests(choice)
    _germ(choice)
    _radar(choice)
    _distance(choice)
    _ask(choice, min_meetings)
    if choice.chosen.keys() <= {"radar.lukewarm_add_value"} and (
        reading.words < content.reader.too_little_words
    ):
        return (), {}
    rank = {advice: place for place, advice in enumerate(content.reader.priority)}
    ordered = sorted(
        choice.chosen,
        key=lambda advice: (
            advice not in choice.first,
            advice in choice.last,
            rank.get(advice, 99),
        ),
    )
    return tuple(ordered), {advice: choice.chosen[advice] for advice in ordered}


def _acts(choice: _Choice) -> None:
    # Offering a skill along with the ask to come is how to ask (ask.offer_skills), not a pitch.
    offering = choice.reading.wondering and choice.did(Signal.SKILLS, _ANY_TIME)
    for signal, advice in ACT_ADVICE.items():
        if offering and signal is Signal.PITCHED_SOLUTION and not choice.did(signal):
            continue
        evidence = choice.did(signal, _ANY_TIME)
        choice.add(advice, evidence)
        if evidence is not None and not choice.did(signal):
            choice.first.add(advice)


def _interests(choice: _Choice) -> None:
    # "He never mentioned a single problem or anything he's worried about": the denial wins.
    problem = None if choice.did_not(Signal.PROBLEM_SHARED) else choice.did(Signal.PROBLEM_SHARED)
    if problem is None:
        choice.add("interests.surface_problems", choice.did_not(Signal.PROBLEM_SHARED))
        choice.add("interests.surface_problems", choice.did(Signal.SMALL_TALK))
    if (
        "interests.their_world" in choice.chosen
        or "interests.insight_over_solutions" in choice.chosen
    ):
        return
    insight = (
        choice.did(Signal.OFFERED_INSIGHT)
        or choice.did_not(Signal.PITCHED_SOLUTION)
        or choice.did(Signal.ASKED_GUIDANCE)
        # Listening while the hero named their trouble is the point of the step too.
        or choice.did(Signal.ABOUT_THEM)
        or choice.did(Signal.DEFERENCE)
    )
    if problem and insight:
        choice.add("interests.well_done", insight)


def _germ(choice: _Choice) -> None:
    choice.add("germ.value_their_time", choice.did(Signal.ACHIEVEMENTS))
    if any(advice.startswith("germ.") for advice in choice.chosen):
        return
    for signal in (*_GERM_PROBLEMS, Signal.AT_EASE):
        # A plan of restraint ("I'll keep it to one compliment") is the step done well too.
        evidence = (
            choice.did_not(signal)
            if signal is not Signal.AT_EASE
            else choice.did(signal, _ANY_TIME)
        )
        if evidence:
            choice.add("germ.well_done", evidence)
            return
    # Someone else's photos set off the user's own restraint ("my manager posted, I didn't"),
    # though the user's own words of it, above, are the better quote.
    others = choice.reading.find(Signal.POSTED, who=Who.OTHER)
    if others:
        choice.add("germ.well_done", others[0].evidence)


def _deed(choice: _Choice, signals: tuple[Signal, ...]) -> str | None:
    """The evidence of the first of these signals the story tells as a deed, not a hunch."""
    for signal in signals:
        for found in choice.reading.find(signal):
            if not found.hedged:
                return found.evidence
    return None


def _hunch(choice: _Choice, signals: tuple[Signal, ...]) -> str | None:
    for signal in signals:
        for found in choice.reading.find(signal):
            if found.hedged:
                return found.evidence
    return None


def _radar(choice: _Choice) -> None:
    warm = _deed(choice, _WARM_ACTS)
    cold = _deed(choice, _COLD_ACTS)
    praised = choice.did(Signal.PRAISED) or _hunch(choice, _WARM_ACTS)
    gloom = choice.did(Signal.GLOOM) or _hunch(choice, _COLD_ACTS)
    # "Swamped until March, ask again then" is the answer to an ask, not a temperature.
    answered = any(choice.did(outcome) for outcome in OUTCOMES_ORDER)
    lukewarm = None if answered else choice.did(Signal.LUKEWARM)
    unsure = choice.did(Signal.CANT_TELL)
    if not warm and not cold:
        # With no deed either way, "I could tell she was bored" is the best reading there is.
        cold = _hunch(choice, _COLD_ACTS)
    # A lukewarm word the user only guesses at ("fine i guess") does not settle it either.
    if unsure and not (warm and (gloom or _deed(choice, (Signal.LUKEWARM,)))):
        # The user says they cannot read it: reading the temperature is the lesson, even
        # when the story holds a sign or two.
        choice.add("radar.read_temperature", unsure)
        # "My friend swears he rated me, but he cut lunch short": say whose reading is off.
        choice.add(
            "radar.social_intelligence", (praised if cold else None) or (gloom if warm else None)
        )
        return
    if warm and cold and praised and not _deed(choice, _DOOR_ACTS) and not unsure:
        # "Loves me! She smiled, but cut it short and hasn't replied": the user's verdict
        # leans on a smile, and a smile does not outweigh what the hero did.
        choice.add("radar.cold_give_space", cold)
        choice.add("radar.social_intelligence", praised)
        return
    if warm and cold:
        if gloom:
            # "He was cold, I could tell" against what he did: the deeds win.
            choice.add("radar.warm_open_door", warm)
            choice.add("radar.social_intelligence", gloom)
            return
        # The story points two ways: that is the reading the post says is hard.
        choice.add("radar.read_temperature", cold)
        choice.add("radar.social_intelligence", warm)
        return
    if cold:
        choice.add("radar.cold_give_space", cold)
        # "Best meeting ever" about a hero who left halfway: the user's reading disagrees.
        choice.add("radar.social_intelligence", praised or lukewarm)
        return
    if warm:
        choice.add("radar.warm_open_door", warm)
        choice.add("radar.social_intelligence", gloom or lukewarm)
        return
    if lukewarm:
        choice.add("radar.lukewarm_add_value", lukewarm)
        # "She loves me" about a one-line reply after two weeks: the reading disagrees.
        choice.add("radar.social_intelligence", praised if praised != lukewarm else None)
    elif choice.reading.named_date_words and not answered:
        # "Slammed till March": the door is neither shut nor open; add value, later.
        choice.add("radar.lukewarm_add_value", choice.reading.named_date_words)
    # The user's own verdict alone ("it went great", "she's nice") is not a reaction to
    # read: the door is judged by what the hero did.


def _distance(choice: _Choice) -> None:
    if {"distance.they_are_the_guru", "distance.autonomy_authority"} & choice.chosen.keys():
        return
    choice.add(
        "distance.respectful_deference",
        choice.did(Signal.DEFERENCE) or choice.did(Signal.ASKED_GUIDANCE),
    )


def _ask(choice: _Choice, min_meetings: int) -> None:
    reading = choice.reading
    need_less = default_content().readiness.need_less_awkward
    for signal in OUTCOMES_ORDER:
        evidence = choice.did(signal)
        if evidence:
            # The ask already happened; readiness advice would contradict the answer.
            choice.add(_OUTCOME_ADVICE[signal], evidence)
            return
    skills = choice.did(Signal.SKILLS, _ANY_TIME)
    room = choice.did(Signal.ROOM)
    less = choice.did(Signal.LESS_AWKWARD)
    more = choice.did(Signal.MORE_AWKWARD)
    warm = next(filter(None, map(choice.did, _WARM_ACTS)), None)
    cold = next(filter(None, map(choice.did, _COLD_ACTS)), None)
    meetings = reading.meetings
    if not reading.wondering and (meetings is None or not (less or more)):
        return
    if room:
        choice.add("ask.check_the_room", room)
        choice.first.add("ask.check_the_room")
    if skills:
        choice.add("ask.offer_skills", skills)
        choice.first.add("ask.offer_skills")
    enough = meetings is not None and meetings >= min_meetings
    if enough and (less or (warm and not need_less)) and not (more or cold):
        verdict, evidence = "ask.go_ask", less or warm
    elif (meetings is not None and not enough) or more or cold:
        verdict, evidence = "ask.not_yet", more or cold or f"{meetings}"
    elif skills or room:
        # The question is how to ask, and the story says nothing against asking.
        return
    else:
        verdict, evidence = "ask.not_yet", "ask"
    choice.add(verdict, evidence)
    if reading.wondering:
        choice.first.add(verdict)
    else:
        # A count told in passing is news of the relationship: readiness comes after
        # the advice on what happened.
        choice.last.update({verdict, "ask.check_the_room"})
    choice.add("ask.check_the_room", "ask")
