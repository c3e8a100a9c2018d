"""The coach's vocabulary: events in, replies out, and the records it remembers.

Nothing here knows about Telegram or a database. Events and replies are frozen
dataclasses (they are built on every turn); the dialog state is a pydantic model
because it is stored as JSON and must be validated when it is read back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator


class StepId(StrEnum):
    """The five steps of the playbook, in order."""

    INTERESTS = "interests"
    GERM = "germ"
    RADAR = "radar"
    DISTANCE = "distance"
    ASK = "ask"

    @property
    def number(self) -> int:
        return list(StepId).index(self) + 1

    @property
    def next(self) -> StepId | None:
        order = list(StepId)
        index = order.index(self)
        return order[index + 1] if index + 1 < len(order) else None


class InteractionKind(StrEnum):
    COFFEE = "coffee"
    CALL = "call"
    EMAIL = "email"
    EVENT = "event"
    MESSAGE = "message"

    @property
    def is_meeting(self) -> bool:
        """Tells whether this kind counts as a meeting for the readiness rule."""
        return self in {InteractionKind.COFFEE, InteractionKind.CALL, InteractionKind.EVENT}


def record_id(text: str) -> int | None:
    """Reads a stored record's id from a button; None unless it is a plausible one.

    Button ids come back from the outside world, so they are checked, never trusted
    (a 40-digit number would overflow a database integer).
    """
    return int(text) if text.isdecimal() and len(text) <= 9 else None


# --- events: what the user did -------------------------------------------------


@dataclass(frozen=True, slots=True)
class Text:
    """A plain message typed by the user, or the caption of a picture or file they sent
    (`attachment` names it: the coach can't see it, and says so)."""

    text: str
    attachment: str | None = None


@dataclass(frozen=True, slots=True)
class Command:
    """A /command, lower-cased, without the slash; args is the rest of the line."""

    name: str
    args: str = ""


@dataclass(frozen=True, slots=True)
class Press:
    """A button pressed. `turn` is the turn the button was shown on (None: the latest)."""

    button: str
    turn: int | None = None


@dataclass(frozen=True, slots=True)
class Unsupported:
    """Anything the coach cannot read: a sticker, a photo, a voice note, an edit."""

    what: str


@dataclass(frozen=True, slots=True)
class Membership:
    """The user blocked (or unblocked) the bot."""

    blocked: bool


EDITED = "edited message"  # the `what` of an Unsupported edit: it gets its own reply

Event = Text | Command | Press | Unsupported | Membership


# --- replies: what the coach says --------------------------------------------------


@dataclass(frozen=True, slots=True)
class Button:
    id: str
    label: str


@dataclass(frozen=True, slots=True)
class Document:
    """A file sent with a reply (the /export)."""

    filename: str
    content: bytes


@dataclass(frozen=True, slots=True)
class ChartPoint:
    """One check-in on a progress chart."""

    day: date
    temperature: int
    step: StepId
    open_door: bool = False
    asked: bool = False  # the check-in that reported the ask


@dataclass(frozen=True, slots=True)
class HeroChart:
    name: str
    points: tuple[ChartPoint, ...]


@dataclass(frozen=True, slots=True)
class Chart:
    """The data of a /progress picture; the edge draws it (bot/chart.py), dialogs never do."""

    heroes: tuple[HeroChart, ...]


@dataclass(frozen=True, slots=True)
class Reply:
    """One message to the user. `turn` stamps its buttons so stale presses are caught."""

    text: str
    buttons: tuple[Button, ...] = ()
    advice: tuple[str, ...] = ()
    turn: int = 0
    document: Document | None = None
    chart: Chart | None = None  # sent as a picture, the text its caption


@dataclass(frozen=True, slots=True)
class Outcome:
    """The replies of one turn; `stale` says the event was a button of an old message."""

    replies: tuple[Reply, ...]
    stale: bool = False


# --- what the coach remembers ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class UserKey:
    """Who is talking: the channel ("telegram", "console") and its own id for them."""

    channel: str
    external_id: str


class PausedCheckin(BaseModel):
    hero_id: int
    state: str
    answers: dict[str, str] = Field(default_factory=dict)


class KeptStory(BaseModel):
    """A story the coach read and offered to record, left by a command before an answer:
    /checkin starts from it and /nextstep points to it instead of asking for it again."""

    hero_id: int
    text: str
    told_on: str  # ISO day: a story kept from another day is not read against today


class DialogState(BaseModel):
    """Where a user stands in a conversation; stored as JSON beside the user.

    `state` is a question id from the content file (like "radar.reaction") or
    one of the engine's own states; `answers` holds the check-in so far.
    """

    model_config = ConfigDict(extra="ignore")

    state: str = "idle"
    turn: int = 0
    hero_id: int | None = None
    answers: dict[str, str] = Field(default_factory=dict)
    # The words filled into the pending question, so it can be asked again as it was.
    prompt: dict[str, str] = Field(default_factory=dict)
    # Check-ins left half-way, one per hero at most, kept so /checkin can pick them up.
    paused: list[PausedCheckin] = Field(default_factory=list)
    # Stories offered for the record and left unanswered, one per hero at most.
    kept: list[KeptStory] = Field(default_factory=list)

    @field_validator("paused", mode="before")
    @classmethod
    def _one_per_hero(cls, value: object) -> object:
        # Rows written before several heroes could each keep one hold a single object.
        if value is None:
            return []
        return [value] if isinstance(value, dict | PausedCheckin) else value

    def paused_for(self, hero_id: int) -> PausedCheckin | None:
        """Returns the hero's paused check-in, if there is one."""
        return next((p for p in self.paused if p.hero_id == hero_id), None)

    def pause(self, checkin: PausedCheckin) -> None:
        """Keeps a check-in to resume; it replaces only the same hero's older one."""
        self.drop_paused(checkin.hero_id)
        self.paused.append(checkin)

    def drop_paused(self, hero_id: int) -> None:
        self.paused = [p for p in self.paused if p.hero_id != hero_id]

    def keep(self, story: KeptStory) -> None:
        """Keeps a story offered for the record; it replaces the same hero's older one."""
        self.take_kept(story.hero_id)
        self.kept.append(story)

    def take_kept(self, hero_id: int, on: str | None = None) -> str | None:
        """Removes the hero's kept story and returns its text if it was told on `on`."""
        story = next((k for k in self.kept if k.hero_id == hero_id), None)
        self.kept = [k for k in self.kept if k.hero_id != hero_id]
        return story.text if story is not None and story.told_on == on else None


@dataclass(slots=True)
class Preferences:
    """How and when a user wants to hear from the coach (new users get the deployment's)."""

    timezone: str = "UTC"
    window_start: time = time(9, 0)
    window_end: time = time(20, 0)
    paused: bool = False  # reminders paused by the user


@dataclass(slots=True)
class User:
    id: int
    key: UserKey
    display_name: str
    prefs: Preferences
    current_hero_id: int | None
    dialog: DialogState
    created_at: datetime
    active: bool = True  # False while the user has blocked the bot


class AskOutcome(StrEnum):
    """How the hero answered the ask to shadow them (coaching.md section 5)."""

    YES = "yes"
    NOT_NOW = "not_now"
    NO = "no"


@dataclass(frozen=True, slots=True)
class Journey:
    """What the coach remembers about a hero beyond the step: stored as JSON beside it.

    Dates are ISO strings so the record reads the same in the database and in /export.
    """

    # Steps the user moved on to before the record showed the one before was done.
    early: tuple[str, ...] = ()
    outcome: AskOutcome | None = None
    outcome_on: str | None = None
    # The day the hero named ("busy until February"): no follow-up before it.
    busy_until: str | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "early": list(self.early),
            "outcome": self.outcome.value if self.outcome else None,
            "outcome_on": self.outcome_on,
            "busy_until": self.busy_until,
        }

    @classmethod
    def from_json(cls, data: object) -> Journey:
        if not isinstance(data, dict):
            return cls()
        outcome = data.get("outcome")
        return cls(
            early=tuple(str(s) for s in data.get("early") or ()),
            outcome=AskOutcome(outcome) if outcome in set(AskOutcome) else None,
            outcome_on=data.get("outcome_on"),
            busy_until=data.get("busy_until"),
        )


@dataclass(slots=True)
class Hero:
    id: int
    user_id: int
    name: str
    role: str
    how_met: str
    met_on: date | None
    step: StepId
    created_at: datetime
    archived: bool = False
    # The wording of the ask the user last practised with /rehearse, shown again at the ask.
    rehearsed: str = ""
    journey: Journey = field(default_factory=Journey)


@dataclass(frozen=True, slots=True)
class NewHero:
    """A hero as the user describes them, before the store gives them an id."""

    name: str
    step: StepId = StepId.INTERESTS
    role: str = ""
    how_met: str = ""
    met_on: date | None = None


@dataclass(slots=True)
class Interaction:
    """One logged contact with a hero and what the coach made of it."""

    hero_id: int
    happened_on: date
    kind: InteractionKind
    story: str
    step: StepId
    temperature: int
    answers: dict[str, str] = field(default_factory=dict)
    advice: tuple[str, ...] = ()
    open_door: bool = False
    lit_up: str = ""
    id: int | None = None
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class HeroHistory:
    """A hero and their interactions, oldest first: what a reminder about them says."""

    hero: Hero
    interactions: tuple[Interaction, ...]


class ReminderKind(StrEnum):
    FOLLOW_UP = "follow_up"  # proposed after a check-in; replaced by the next one
    MANUAL = "manual"  # set with /remind


class ReminderStatus(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"  # a dispatcher took it; not yet tried
    SENDING = "sending"  # a send was started: if its process dies, it may have arrived
    SENT = "sent"
    UNCERTAIN = "uncertain"  # the send timed out after the request: not resent
    FAILED = "failed"
    CANCELLED = "cancelled"


class ReminderResponse(StrEnum):
    DONE = "done"
    SNOOZED = "snoozed"
    SKIPPED = "skipped"


@dataclass(slots=True)
class Reminder:
    id: int
    user_id: int
    hero_id: int | None
    due_at: datetime
    kind: ReminderKind
    status: ReminderStatus = ReminderStatus.PENDING
    response: ReminderResponse | None = None
    batch: int | None = None  # reminders sent together in one digest share it
