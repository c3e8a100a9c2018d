"""Story-first check-ins: the closed questions a story already answers.

`fill` maps a reading onto the check-in's question and option ids (coach.toml) and
returns, for each question it can answer, the option and the words it rests on, so
the coach can say what it understood and ask only what is missing. Only what
happened counts: a plan, a question or a negated act answers nothing, except where
the negation is the answer ("I didn't post anything": germ.posting = no).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dialogs.reader.reading import Polarity, Reading, Time, Who
from dialogs.reader.rules import Signal

_HAPPENED = frozenset({Time.HAPPENED})


@dataclass(frozen=True, slots=True)
class Answer:
    """One closed question answered from the story."""

    option: str
    evidence: str


def _did(reading: Reading, signal: Signal) -> str | None:
    found = reading.find(signal, times=_HAPPENED)
    return found[0].evidence if found else None


def _did_not(reading: Reading, signal: Signal) -> str | None:
    found = reading.find(signal, polarity=Polarity.DID_NOT, times=_HAPPENED)
    return found[0].evidence if found else None


def fill(reading: Reading, *, today: date | None = None) -> dict[str, Answer]:
    """The check-in questions (question id -> option id and evidence) the story answers."""
    answers: dict[str, Answer] = {}

    def answer(question: str, option: str, evidence: str | None) -> None:
        if evidence and question not in answers:
            answers[question] = Answer(option, evidence)

    if reading.language != "en":
        return answers
    if reading.kind:
        answer("checkin.kind", reading.kind, reading.kind_words or reading.kind)
    if reading.day is not None and today is not None:
        days = (today - reading.day).days
        option = "today" if days == 0 else "yesterday" if days == 1 else "earlier"
        answer("checkin.when", option, reading.day.isoformat())
    for option, evidence in _reaction(reading):
        answer("checkin.reaction", option, evidence)

    answer("interests.whose", "mine", _did(reading, Signal.ABOUT_ME))
    answer("interests.whose", "theirs", _did(reading, Signal.ABOUT_THEM))
    answer("interests.problem", "yes", _did(reading, Signal.PROBLEM_SHARED))
    answer("interests.problem", "no", _did_not(reading, Signal.PROBLEM_SHARED))
    answer("interests.problem", "no", _did(reading, Signal.SMALL_TALK))
    answer("interests.offer", "solution", _did(reading, Signal.PITCHED_SOLUTION))
    answer("interests.offer", "insight", _did(reading, Signal.OFFERED_INSIGHT))
    # No pitch, and they talked about their world or their trouble: the user brought
    # questions ("I didn't pitch, only asked about her biggest worry").
    answer(
        "interests.offer",
        "insight",
        (_did(reading, Signal.ABOUT_THEM) or _did(reading, Signal.PROBLEM_SHARED))
        and (
            _did_not(reading, Signal.PITCHED_SOLUTION)
            # Listening and asking, not telling: the questions were what they brought.
            or _did(reading, Signal.DEFERENCE)
            or _did(reading, Signal.ASKED_GUIDANCE)
        ),
    )

    answer("germ.compliments", "lost_count", _did(reading, Signal.MANY_COMPLIMENTS))
    answer("germ.compliments", "none", _did_not(reading, Signal.MANY_COMPLIMENTS))
    answer("germ.ease", "starstruck", _did(reading, Signal.STARSTRUCK))
    answer("germ.ease", "at_ease", _did(reading, Signal.AT_EASE))
    answer("germ.time", "achievements", _did(reading, Signal.ACHIEVEMENTS))
    answer("germ.posting", "yes", _did(reading, Signal.POSTED))
    answer("germ.posting", "no", _did_not(reading, Signal.POSTED))

    answer("radar.follow_up", "yes", _did(reading, Signal.FOLLOW_UP_QUESTIONS))
    answer("radar.door", "yes", _did(reading, Signal.OPEN_DOOR))
    answer("radar.pace", "short", _did(reading, Signal.CUT_SHORT))
    answer("radar.pace", "long", _did(reading, Signal.QUICK_REPLY))

    answer("distance.stance", "corrected", _did(reading, Signal.PEER))
    answer("distance.stance", "student", _did(reading, Signal.DEFERENCE))
    answer("distance.guidance", "yes", _did(reading, Signal.ASKED_GUIDANCE))
    answer("distance.push", "yes", _did(reading, Signal.PUSHED))
    answer("distance.push", "no", _did_not(reading, Signal.PUSHED))

    answer("ask.asked", "not_now", _did(reading, Signal.OUTCOME_NOT_NOW))
    answer("ask.asked", "yes", _did(reading, Signal.OUTCOME_YES))
    answer("ask.asked", "no", _did(reading, Signal.OUTCOME_NO))
    answer("ask.awkward", "more", _did(reading, Signal.MORE_AWKWARD))
    answer("ask.awkward", "less", _did(reading, Signal.LESS_AWKWARD))
    skills = reading.find(Signal.SKILLS, who=Who.USER, times=frozenset(Time))
    answer("ask.skills", "yes", skills[0].evidence if skills else None)
    return answers


def _reaction(reading: Reading) -> list[tuple[str, str | None]]:
    """The hero's reaction, first found first: their deeds, then the user's verdict."""
    cold = _did(reading, Signal.COLD)
    return [
        ("cant_tell", _did(reading, Signal.CANT_TELL)),
        # Polite but cold deeds ("he was nice but kept looking at the clock"): no door,
        # no warmth either.
        ("lukewarm", cold if _did(reading, Signal.PRAISED) else None),
        ("cold", cold),
        ("warm", _did(reading, Signal.WARM)),
        ("lukewarm", _did(reading, Signal.LUKEWARM)),
        ("warm", _did(reading, Signal.PRAISED)),
        # No word for the reaction, but warm deeds: an open door or questions back.
        ("warm", _did(reading, Signal.OPEN_DOOR)),
        ("warm", _did(reading, Signal.FOLLOW_UP_QUESTIONS)),
    ]
