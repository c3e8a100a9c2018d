"""Step 1: always talk in terms of their interests (insight over solutions)."""

from collections.abc import Mapping

from dialogs.model import StepId
from dialogs.steps.base import Facts, Step, Verdict


def judge(facts: Facts) -> Verdict:
    """Finds what to work on: whose world, their problems, insight over a pitch."""
    answers = facts.answers
    advice = []
    if answers["interests.whose"] in {"half", "mine"}:
        advice.append("interests.their_world")
    if answers["interests.problem"] == "no":
        advice.append("interests.surface_problems")
    if answers["interests.offer"] in {"solution", "nothing"}:
        advice.append("interests.insight_over_solutions")
    if not advice:
        return Verdict(("interests.well_done",), going_well=True)
    return Verdict(tuple(advice))


def questions(answers: Mapping[str, str]) -> tuple[str, ...]:
    asked = ("interests.whose", "interests.problem", "interests.offer")
    # After a cold contact ("no reply yet") nothing lit them up: the question would sting.
    if answers.get("checkin.reaction") == "cold":
        return asked
    return (*asked, "interests.lit_up")


STEP = Step(id=StepId.INTERESTS, questions=questions, judge=judge)
