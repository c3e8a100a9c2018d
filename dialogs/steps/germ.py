"""Step 2: don't be a "germ" (one compliment, then earnest learning)."""

from collections.abc import Mapping

from dialogs.model import InteractionKind, StepId
from dialogs.steps.base import Facts, Step, Verdict

# Asked only of contacts in person: an email has no room to be relaxed in, no phone out.
IN_PERSON = ("germ.ease", "germ.posting")


def questions(answers: Mapping[str, str]) -> tuple[str, ...]:
    """The germ questions that fit the kind of contact (all of them until it is known)."""
    kind = answers.get("checkin.kind")
    written = kind in {InteractionKind.EMAIL.value, InteractionKind.MESSAGE.value}
    every = ("germ.compliments", "germ.ease", "germ.time", "germ.posting")
    return tuple(q for q in every if not (written and q in IN_PERSON))


def judge(facts: Facts) -> Verdict:
    """Checks the compliments, the nerves, where the time went and the phone."""
    answers = facts.answers
    advice = []
    # The post says pay one: none is not "well done", several is too many.
    if answers["germ.compliments"] in {"none", "several", "lost_count"}:
        advice.append("germ.one_compliment")
    if answers.get("germ.ease") in {"starstruck", "froze"}:
        advice.append("germ.regular_people")
    if answers["germ.time"] == "achievements":
        advice.append("germ.value_their_time")
    if answers.get("germ.posting") == "yes":
        advice.append("germ.no_live_tweeting")
    if not advice:
        return Verdict(("germ.well_done",), going_well=True)
    return Verdict(tuple(advice))


STEP = Step(
    id=StepId.GERM,
    questions=questions,
    judge=judge,
)
