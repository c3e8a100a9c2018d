"""Step 5: ask (after a few warm coffees, ask to shadow them)."""

from collections.abc import Mapping

from dialogs import evidence
from dialogs.model import AskOutcome, StepId
from dialogs.playbook import readiness
from dialogs.steps.base import Facts, Step, Verdict

# The advice for each answer to the ask, the real one here and the likely one at /rehearse.
OUTCOMES = {
    AskOutcome.YES: "ask.outcome_yes",
    AskOutcome.NOT_NOW: "ask.outcome_not_now",
    AskOutcome.NO: "ask.outcome_no",
}


def questions(answers: Mapping[str, str]) -> tuple[str, ...]:
    """Asks about readiness until they have asked; then only the outcome matters."""
    if answers.get("ask.asked", "not_yet") != "not_yet":
        return ("ask.asked",)
    return ("ask.asked", "ask.awkward", "ask.skills")


def judge(facts: Facts) -> Verdict:
    """Says whether it is time to ask, or what to do after the answer."""
    asked = facts.answers["ask.asked"]
    if asked in OUTCOMES:
        # Not now and no both go back to staying on their radar: the relationship goes on.
        move_to = None if asked == "yes" else StepId.RADAR
        # A yes starts the mentorship; serving them is how it is kept.
        serve = ("principles.servant_leadership",) if asked == "yes" else ()
        return Verdict((OUTCOMES[AskOutcome(asked)], *serve), move_to=move_to)
    advice = ["ask.check_the_room"]
    if facts.answers["ask.skills"] == "yes":
        advice.append("ask.offer_skills")
    less_awkward = facts.answers["ask.awkward"] == "less"
    stated = evidence.meetings(facts.history, facts.content)
    check = readiness(facts.history, less_awkward, facts.content, stated_meetings=stated)
    # The ask is earned only while nothing of steps 1 to 4 went wrong lately.
    if check.ready and not evidence.recent_flags(facts.history, facts.content):
        advice.append("ask.go_ask")
    else:
        advice.insert(0, "ask.not_yet")
    return Verdict(tuple(advice))


STEP = Step(id=StepId.ASK, questions=questions, judge=judge)
