"""The coach's rooms: one module per flow, each declaring what it owns."""

from dialogs.flows import (
    checkin,
    draft,
    general,
    heroes,
    nextstep,
    onboarding,
    privacy,
    rehearse,
    reminders,
    settings,
    story,
)
from dialogs.flows.base import Flow

FLOWS: tuple[Flow, ...] = (
    onboarding.FLOW,
    checkin.FLOW,
    story.FLOW,
    nextstep.FLOW,
    draft.FLOW,
    rehearse.FLOW,
    heroes.FLOW,
    reminders.FLOW,
    settings.FLOW,
    privacy.FLOW,
    general.FLOW,
)

__all__ = ["FLOWS", "Flow"]
