"""What a playbook step is: the questions it asks and how it judges the answers."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from dialogs.content import Content
from dialogs.model import Interaction, StepId
from dialogs.reader.reading import Reading


@dataclass(frozen=True, slots=True)
class Facts:
    """What a step knows when it judges a check-in."""

    answers: Mapping[str, str]
    reading: int | None  # the user's reading of the reaction; None: can't tell
    temperature: int
    signals: frozenset[str]  # temperature signals from the answers and the story
    history: Sequence[Interaction]  # the hero's interactions, this one last
    content: Content
    # The reading of the check-in's story (who did what, and the words), if it had one.
    story: Reading | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    advice: tuple[str, ...]
    going_well: bool = False  # the step is mastered: the coach suggests /nextstep
    move_to: StepId | None = None  # the hero's step changes (an ask answered "not now")


@dataclass(frozen=True, slots=True)
class Step:
    id: StepId
    # The step's questions for the answers so far (a step may branch).
    questions: Callable[[Mapping[str, str]], tuple[str, ...]]
    judge: Callable[[Facts], Verdict]
    # "question=option" -> a temperature signal that answer reports.
    signals: Mapping[str, str] = field(default_factory=dict)


def fixed(*question_ids: str) -> Callable[[Mapping[str, str]], tuple[str, ...]]:
    """Returns a question plan that asks the same questions whatever the answers."""
    return lambda _answers: question_ids
