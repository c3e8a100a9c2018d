"""The coach's words as validated data: questions, advice and messages.

The content file is read once at start-up; a missing advice id, a question
without options or a misspelt message key fails there, not in a user's chat.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from dialogs.catalogue import ADVICE_IDS
from dialogs.model import StepId

_OPTION_ID = re.compile(r"^[a-z0-9_]{1,20}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(_Strict):
    id: str
    label: str = Field(min_length=1, max_length=40)
    says: tuple[str, ...] = ()
    value: str | None = None  # what the option stands for, where the id can't say it

    @field_validator("id")
    @classmethod
    def _short_id(cls, value: str) -> str:
        # Option ids travel in Telegram callback_data (64 bytes at most).
        if not _OPTION_ID.match(value):
            raise ValueError(f"option id {value!r} must match {_OPTION_ID.pattern}")
        return value


class Question(_Strict):
    kind: Literal["choice", "text"] = "choice"
    text: str
    options: tuple[Option, ...] = ()
    skip: str | None = None

    @model_validator(mode="after")
    def _options_fit_kind(self) -> Question:
        if self.kind == "choice" and len(self.options) < 2:
            raise ValueError("a choice question needs at least two options")
        if self.kind == "text" and self.options:
            raise ValueError("a text question has no options (use `skip` for a skip button)")
        ids = [option.id for option in self.options]
        if len(ids) != len(set(ids)):
            raise ValueError(f"duplicate option ids: {ids}")
        return self

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)


class StepText(_Strict):
    title: str
    goal: str


class Advice(_Strict):
    text: str
    variants: tuple[str, ...] = ()  # the same advice worded afresh, for a repeat
    try_this: str = ""  # what a follow-through asks about: "Did you try it?"

    def worded(self, times_before: int) -> str:
        """The wording for the advice's next telling: the same count, the same words."""
        wordings = (self.text, *self.variants)
        return wordings[times_before % len(wordings)]


class Temperature(_Strict):
    labels: dict[int, str]
    signals: dict[str, float]

    @field_validator("labels")
    @classmethod
    def _one_to_five(cls, value: dict[int, str]) -> dict[int, str]:
        if sorted(value) != [1, 2, 3, 4, 5]:
            raise ValueError("temperature labels are needed for 1 to 5")
        return value


class Cadence(_Strict):
    days: dict[int, int]

    @field_validator("days")
    @classmethod
    def _one_to_five(cls, value: dict[int, int]) -> dict[int, int]:
        if sorted(value) != [1, 2, 3, 4, 5] or any(d < 1 for d in value.values()):
            raise ValueError("cadence needs a positive number of days for temperatures 1 to 5")
        return value


class Readiness(_Strict):
    min_meetings: int = Field(default=3, ge=1)
    warm: int = Field(default=4, ge=1, le=5)
    need_less_awkward: bool = True


class Mark(_Strict):
    """One thing a contact can show (dialogs/evidence.py): how it is said, what practises it."""

    says: str
    practise: str  # the advice id that works on it

    @field_validator("practise")
    @classmethod
    def _known_id(cls, value: str) -> str:
        if value not in ADVICE_IDS:
            raise ValueError(f"unknown advice id {value!r}")
        return value


class StepEvidence(_Strict):
    need: tuple[str, ...] = Field(min_length=1)  # marks the recent contacts must show
    flags: tuple[str, ...] = ()  # marks that say "not yet" while they are recent
    # What to keep doing when the record shows every mark but too few contacts yet.
    keep: str | None = None

    @field_validator("keep")
    @classmethod
    def _known_keep(cls, value: str | None) -> str | None:
        if value is not None and value not in ADVICE_IDS:
            raise ValueError(f"unknown advice id {value!r}")
        return value


class Evidence(_Strict):
    """When the record shows a step done (coaching.md section 3)."""

    recent: int = Field(default=3, ge=1)  # the latest contacts a step is judged on
    min_contacts: int = Field(default=2, ge=1)  # no verdict on fewer
    clean: int = Field(default=2, ge=1)  # a red flag counts while among this many latest
    cold: int = Field(default=2, ge=1, le=5)  # a contact at or below this is cold
    # After a "no", the days before asking again may be thought about.
    retry_after_no_days: int = Field(default=180, ge=1)
    # The same red flag this many contacts in a row is named as a pattern.
    pattern: int = Field(default=3, ge=2)
    ordinals: tuple[str, ...] = ()  # "third", "fourth": how a streak is counted aloud
    marks: dict[str, Mark]
    steps: dict[StepId, StepEvidence]

    @model_validator(mode="after")
    def _marks_known(self) -> Evidence:
        if set(self.steps) != set(StepId) - {StepId.ASK}:
            raise ValueError("evidence is needed for steps 1 to 4 (the ask has its own check)")
        used = {m for step in self.steps.values() for m in (*step.need, *step.flags)}
        if used - set(self.marks):
            raise ValueError(f"evidence marks without words: {sorted(used - set(self.marks))}")
        return self


class Reader(_Strict):
    """How the story reader's advice policy weighs what it found (dialogs/reader/policy.py)."""

    # At most this many pieces of advice in one reply (coaching.md section 6).
    max_advice: int = Field(default=2, ge=1, le=5)
    # A story shorter than this in words whose only sign is a plain verdict ("it was
    # fine", "meh") says too little to advise on.
    too_little_words: int = Field(default=6, ge=0)
    # The model's second opinion (dialogs/reader/model.py), as probabilities: its likeliest
    # advice is given alone when the rules found nothing, beside theirs when there is room.
    model_min_words: int = Field(default=12, ge=0)  # shorter stories are the rules' alone
    # At least this share of a story's words must be English function words ("the", "she").
    model_english_share: float = Field(default=0.18, ge=0, le=1)
    # In shorter stories the model may only add: alone, or beside the rules' advice.
    model_alone: float = Field(default=0.55, gt=0, le=1)
    model_beside: float = Field(default=0.7, gt=0, le=1)
    # From this many words the rules and the model are weighed together, and advice that
    # scores model_weigh or more is given.
    model_weigh_words: int = Field(default=20, ge=0)
    model_weigh: float = Field(default=0.3, gt=0, le=1)
    # The rules' own choice fills a place left free when it scores this much.
    model_keep: float = Field(default=0.15, gt=0, le=1)
    # /draft's model adds a problem the rules missed at this probability or more.
    draft_model_beside: float = Field(default=0.7, gt=0, le=1)
    # Advice ids from the most to the least important; the first max_advice chosen win.
    priority: tuple[str, ...]

    @field_validator("priority")
    @classmethod
    def _known_ids(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = set(value) - set(ADVICE_IDS)
        if unknown:
            raise ValueError(f"unknown advice ids in reader.priority: {sorted(unknown)}")
        return value


class Source(_Strict):
    title: str
    author: str


class Messages(_Strict):
    """Every sentence the engine says outside questions and advice."""

    welcome: str
    welcome_back: str
    hero_added: str
    first_checkin_offer: str
    help: str
    cancelled: str
    cancelled_checkin: str
    set_aside_checkin: str
    checkin_under_way: str
    set_aside: str
    read_as_story: str
    story_added: str
    question_apart: str
    story_another_contact: str
    nothing_to_cancel: str
    need_hero: str
    unknown_command: str
    unsupported: str
    caption_read: str
    edited: str
    still_waiting: str
    stale_button: str
    pick_an_option: str
    need_text: str
    question_later: str
    answer_first: str
    text_too_long: str
    bad_date: str
    ambiguous_date: str
    future_date: str
    too_old_date: str
    story_intro: str
    story_stranger: str
    story_too_little: str
    story_hello: str
    story_thanks: str
    story_ok: str
    story_thanks_offer: str
    verdict_warm: str
    verdict_lukewarm: str
    verdict_cold: str
    verdict_well_done: str
    verdict_slips: str
    verdict_other: str
    checkin_asked_early: str
    checkin_start: str
    checkin_saved: str
    step_going_well: str
    step_keep_going: str
    step_after_yes: str
    step_last: str
    progress_header: str
    progress_line: str
    interactions_one: str
    interactions_many: str
    progress_temperature: str
    progress_no_interactions: str
    progress_open_door: str
    progress_lit_up: str
    no_heroes: str
    heroes_header: str
    hero_line: str
    hero_last: str
    hero_switch: str
    hero_archive: str
    hero_switched: str
    hero_archived: str
    hero_kept: str
    archive_which: str
    nextstep_moved: str
    nextstep_goal: str
    nextstep_after_yes: str
    nextstep_at_last: str
    too_soon: str
    reason_meetings: str
    reason_temperature: str
    reason_awkward: str
    stayed: str
    moved_back: str
    privacy: str
    export_caption: str
    forget_which: str
    forgotten: str
    forget_kept: str
    deleted_all: str
    delete_kept: str
    story_dismissed: str
    # Story-first check-ins and stories.
    you_said: str
    understood_part: str
    understood_plain: str
    checkin_corrected: str
    story_before_the_act: str
    reach_out_no_record: str
    reach_out_unfinished: str
    reach_out_wait: str
    reach_out_now: str
    reach_out_quiet: str
    story_offer_still: str
    story_kept: str
    checkin_from_kept: str
    nextstep_unrecorded: str
    nextstep_finish_checkin: str
    step_starts: str
    story_draft_first: str
    story_others: str
    checkin_other_hero: str
    checkin_contradiction: str
    checkin_other_language: str
    story_other_language: str
    trend_rising: str
    trend_falling: str
    trend_steady: str
    trend_unknown: str
    group_chat: str
    oops: str
    button_checkin: str
    button_add_hero: str
    reminder_one: str
    reminder_digest: str
    reminder_general: str
    reminder_step: str
    reminder_last: str
    reminder_lit_up: str
    reminder_open_door: str
    button_reached_out: str
    button_reached_out_to: str
    button_snooze_1: str
    button_snooze_3: str
    button_snooze_7: str
    button_skip: str
    snoozed: str
    skipped: str
    already_handled: str
    remind_set: str
    remind_set_general: str
    remind_before_busy: str
    remind_in_window: str
    remind_unknown_hero: str
    remind_past: str
    remind_too_far: str
    remind_bad_date: str
    remind_unreadable: str
    remind_which_hero: str
    followup_skipped: str
    reminders_header: str
    reminders_line: str
    reminders_none: str
    reminders_paused: str
    reminder_cancel: str
    reminder_cancelled: str
    reminder_gone: str
    anyone: str
    settings_show: str
    reminders_on: str
    reminders_off: str
    button_timezone: str
    button_window: str
    button_pause: str
    button_resume: str
    timezone_set: str
    timezone_unknown: str
    window_set: str
    window_bad: str
    paused: str
    resumed: str
    # judgement: evidence per step, /nextstep, after the ask (issue 12)
    none_yet: str
    evidence_shown: str
    evidence_flag: str
    evidence_quote: str
    evidence_few: str
    evidence_missing: str
    evidence_ready: str
    practise: str
    keep_going: str
    nextstep_moved_early: str
    nextstep_at_first: str
    nextstep_no_record: str
    nextstep_busy: str
    nextstep_after_no: str
    button_back: str
    followup_why_cadence: str
    followup_why_named: str
    one_day: str
    some_days: str
    followup_busy: str
    pattern_named: str
    checkin_last_advice: str
    checkin_last_door: str
    tried_worked: str
    tried_didnt: str
    tried_not_yet: str
    reminder_tried: str
    progress_early: str
    progress_outcome_yes: str
    progress_outcome_not_now: str
    progress_outcome_no: str
    progress_busy: str
    progress_shown: str
    progress_few: str
    progress_flags: str
    progress_missing: str
    progress_ready: str


class DraftWords(_Strict):
    """What /draft says (dialogs/flows/draft.py): a line per finding and the shape to try."""

    intro: str
    intro_hero: str
    # One line per finding of dialogs/drafts.py; {quote} is the user's own sentence.
    findings: dict[str, str]
    quote: str
    shape: str
    shape_lit_up: str
    shape_open_door: str
    other_language: str
    not_stored: str


class RehearseWords(_Strict):
    """What /rehearse says (dialogs/flows/rehearse.py)."""

    early: str
    intro: str
    well_worded: str
    # One line per gap of dialogs/rehearsal.py.
    gaps: dict[str, str]
    # The hero's likely answer, and how to reply to each answer.
    likely: dict[str, str]
    because: str
    replies: dict[str, str]
    saved: str
    shown_again: str


class ChartWords(_Strict):
    """The /progress picture's caption (one line: it travels as a photo caption)."""

    caption: str = Field(max_length=200)


class Reconnect(_Strict):
    """When a reminder proposes a light touch instead of a chase (dialogs/reconnect.py)."""

    cold_temperature: int = Field(default=2, ge=1, le=5)  # this or colder is cold
    cold_days: int = Field(default=35, ge=1)  # a cold last contact this many days ago
    silent_days: int = Field(default=60, ge=1)  # any last contact this many days ago
    touch: str
    touch_lit_up: str
    then: str


class Content(_Strict):
    source: Source
    steps: dict[StepId, StepText]
    temperature: Temperature
    cadence: Cadence
    readiness: Readiness
    evidence: Evidence
    reader: Reader
    advice: dict[str, Advice]
    questions: dict[str, Question]
    messages: Messages
    drafts: DraftWords
    rehearse: RehearseWords
    charts: ChartWords
    reconnect: Reconnect
    # The command menu: command name (without the slash) -> description.
    commands: dict[str, str]

    @model_validator(mode="after")
    def _complete(self) -> Content:
        missing_steps = set(StepId) - set(self.steps)
        if missing_steps:
            raise ValueError(f"steps missing from the content: {sorted(missing_steps)}")
        cold = [self.cadence.days[t] for t in range(1, self.reconnect.cold_temperature + 1)]
        if self.reconnect.cold_days <= max(cold):
            # Else the planned space a cold hero gets would always arrive as a light touch.
            raise ValueError("reconnect.cold_days must exceed the cadence of a cold hero")
        missing = set(ADVICE_IDS) - set(self.advice)
        unknown = set(self.advice) - set(ADVICE_IDS)
        if missing or unknown:
            raise ValueError(
                f"advice must match the catalogue: missing {sorted(missing)}, "
                f"unknown {sorted(unknown)}"
            )
        return self

    def question(self, question_id: str) -> Question:
        return self.questions[question_id]


def load_content(path: Path | None = None) -> Content:
    """Reads and validates a content file (the packaged one by default)."""
    if path is None:
        raw = resources.files("dialogs.content").joinpath("coach.toml").read_text("utf-8")
    else:
        raw = path.read_text("utf-8")
    return Content.model_validate(tomllib.loads(raw))


@cache
def default_content() -> Content:
    """Returns the packaged content, read once per process."""
    return load_content()
