"""Step 2: don't be a "germ" (one compliment, then earnest learning)."""

from dialogs.model import StepId
from dialogs.steps.base import Facts, Step, Verdict, fixed


def judge(facts: Facts) -> Verdict:
    """Checks the compliments, the nerves, where the time went and the phone."""
    answers = facts.answers
    advice = []
    if answers["germ.compliments"] in {"several", "lost_count"}:
        advice.append("germ.one_compliment")
    if answers["germ.ease"] in {"starstruck", "froze"}:
        advice.append("germ.regular_people")
    if answers["germ.time"] == "achievements":
        advice.append("germ.value_their_time")
    if answers["germ.posting"] == "yes":
        advice.append("germ.no_live_tweeting")
    if not advice:
        return Verdict(("germ.well_done",), going_well=True)
    return Verdict(tuple(advice))


STEP = Step(
    id=StepId.GERM,
    questions=fixed("germ.compliments", "germ.ease", "germ.time", "germ.posting"),
    judge=judge,
)
