"""The playbook's steps, one module each, in the one order the coach follows."""

from dialogs.model import StepId
from dialogs.steps import ask, distance, germ, interests, radar
from dialogs.steps.base import Facts, Step, Verdict

STEPS: dict[StepId, Step] = {
    step.id: step for step in (interests.STEP, germ.STEP, radar.STEP, distance.STEP, ask.STEP)
}

__all__ = ["STEPS", "Facts", "Step", "Verdict"]
