"""Step 4: help them develop psychological distance (they are the guru)."""

from dialogs.model import StepId
from dialogs.steps.base import Facts, Step, Verdict, fixed


def judge(facts: Facts) -> Verdict:
    """Checks that the user deferred, asked for guidance and left them room."""
    answers = facts.answers
    advice = []
    if answers["distance.stance"] in {"peer", "corrected"}:
        advice.append("distance.they_are_the_guru")
    if answers["distance.push"] == "yes":
        advice.append("distance.autonomy_authority")
    if advice:
        return Verdict(tuple(advice))
    asked_guidance = answers["distance.guidance"] == "yes"
    return Verdict(("distance.respectful_deference",), going_well=asked_guidance)


STEP = Step(
    id=StepId.DISTANCE,
    questions=fixed("distance.stance", "distance.guidance", "distance.push"),
    judge=judge,
)
