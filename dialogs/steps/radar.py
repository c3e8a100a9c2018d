"""Step 3: stay on their radar (read the temperature; choose when to engage again)."""

from dialogs.model import StepId
from dialogs.playbook import signals_disagree
from dialogs.steps.base import Facts, Step, Verdict, fixed

WARM = 4
COLD = 2


def judge(facts: Facts) -> Verdict:
    """Turns the reading and the signals into when and how to engage again."""
    advice = []
    if facts.reading is None:
        advice.append("radar.read_temperature")
    if facts.temperature >= WARM:
        advice.append("radar.warm_open_door")
    elif facts.temperature <= COLD:
        # Space is what a cold contact needs; the post's "create a vacuum" says why.
        advice += ["radar.cold_give_space", "principles.create_a_vacuum"]
    else:
        # Earn the next contact with something of value: permission, not pressure.
        advice += ["radar.lukewarm_add_value", "principles.permission_marketing"]
    disagree = signals_disagree(facts.reading, facts.signals, facts.content)
    if disagree:
        advice.append("radar.social_intelligence")
    going_well = facts.reading is not None and facts.temperature >= WARM and not disagree
    return Verdict(tuple(advice), going_well=going_well)


STEP = Step(
    id=StepId.RADAR,
    questions=fixed("radar.follow_up", "radar.door", "radar.pace"),
    judge=judge,
    signals={
        "radar.follow_up=yes": "follow_up_questions",
        "radar.door=yes": "open_door",
        "radar.pace=long": "quick_reply",
        "radar.pace=short": "cut_short",
    },
)
