"""The reading of a story: signals with who, polarity, time and evidence, and its facts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from dialogs.reader.rules import Signal


class Who(StrEnum):
    USER = "user"
    HERO = "hero"
    OTHER = "other"


class Polarity(StrEnum):
    DID = "did"
    DID_NOT = "did_not"


class Time(StrEnum):
    HAPPENED = "happened"
    PLANNED = "planned"
    ASKED = "asked"


# Signals that are the user's own acts; the rest are the hero's reaction or the meeting's.
USER_ACTS = frozenset(
    {
        Signal.ABOUT_ME,
        Signal.PITCHED_SOLUTION,
        Signal.OFFERED_INSIGHT,
        Signal.MANY_COMPLIMENTS,
        Signal.STARSTRUCK,
        Signal.AT_EASE,
        Signal.POSTED,
        Signal.PEER,
        Signal.DEFERENCE,
        Signal.ASKED_GUIDANCE,
        Signal.PUSHED,
        Signal.SKILLS,
        Signal.NOTHING_OFFERED,
    }
)


# Signals about the meeting as a whole or the user's own view of it: nobody else does them.
MEETING_SIGNALS = frozenset(
    {
        Signal.LESS_AWKWARD,
        Signal.MORE_AWKWARD,
        Signal.PRAISED,
        Signal.GLOOM,
        Signal.CANT_TELL,
        Signal.ROOM,
        Signal.SMALL_TALK,
    }
)


@dataclass(frozen=True, slots=True)
class SignalReading:
    """One thing the story says, who did it, whether, when, and the words it came from."""

    signal: Signal
    who: Who
    polarity: Polarity
    time: Time
    evidence: str
    # Said with "I think", "I'm sure", "I could tell": the user's reading, not a deed.
    hedged: bool = False

    @property
    def counts(self) -> bool:
        """Tells whether this is something that happened as the signal says."""
        return self.polarity is Polarity.DID and self.time is Time.HAPPENED


@dataclass(frozen=True, slots=True)
class Reading:
    """What a story says and the advice chosen for it."""

    signals: tuple[SignalReading, ...]
    hero: str | None = None
    hero_named: str | None = None
    day: date | None = None
    kind: str | None = None
    kind_words: str | None = None
    meetings: int | None = None
    named_date: date | None = None
    named_date_words: str | None = None
    time: Time = Time.HAPPENED
    language: str = "en"
    wondering: bool = False
    words: int = 0
    # The user's other heroes the story names: what it says of them is not read here.
    others: tuple[str, ...] = ()
    # People the story names as a hero would act ("Kenji never replied") who are none of
    # the user's heroes, when it names no hero: the coach says whom it read it about.
    strangers: tuple[str, ...] = ()
    advice: tuple[str, ...] = ()
    evidence: dict[str, str] = field(default_factory=dict)

    def find(
        self,
        signal: Signal,
        *,
        who: Who | None = None,
        polarity: Polarity = Polarity.DID,
        times: frozenset[Time] = frozenset({Time.HAPPENED}),
    ) -> list[SignalReading]:
        """The readings of one signal with this who, polarity and time."""
        expected = who or (Who.USER if signal in USER_ACTS else Who.HERO)
        return [
            found
            for found in self.signals
            if found.signal is signal
            and found.who is expected
            and found.polarity is polarity
            and found.time in times
        ]

    @property
    def says_too_little(self) -> bool:
        return not self.advice
