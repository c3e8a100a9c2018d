"""The coach: one event and the user's stored progress in, replies out.

Every turn runs inside the caller's transaction: the engine reads and writes
through a `Store`, and the caller commits before it sends the replies, so a
crash between a question and its answer loses nothing.

The dialog is a closed set of named states. A state is either "idle" or the id
of the question the coach is waiting on (from the content file); a check-in's
next question is the first of its plan not yet answered, so a paused check-in
resumes exactly where it stopped.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from dialogs.content import Content, Option, Question
from dialogs.dates import DateProblem, parse_past_date
from dialogs.model import (
    EDITED,
    Button,
    Command,
    DialogState,
    Document,
    Event,
    Hero,
    Interaction,
    InteractionKind,
    Membership,
    Outcome,
    PausedCheckin,
    Preferences,
    Press,
    Reminder,
    Reply,
    StepId,
    Text,
    Unsupported,
    User,
    UserKey,
    record_id,
)
from dialogs.playbook import READINGS, Shortfall, readiness, temperature, trend
from dialogs.ports import Clock, Store
from dialogs.privacy import Privacy
from dialogs.reminding import Reminding, compose_all
from dialogs.steps import STEPS, Facts, Step
from dialogs.story import read_story

IDLE = "idle"
CHECKIN_OPENING = (
    "checkin.when",
    "checkin.date",
    "checkin.kind",
    "checkin.story",
    "checkin.reaction",
)
ONBOARDING = ("onboarding.name", "onboarding.role", "onboarding.how_met", "onboarding.when_met")
DATE_QUESTIONS = frozenset({"checkin.date", "onboarding.when_met"})
# Longest typed answer kept per text question, in characters.
TEXT_LIMITS: Mapping[str, int] = {
    "onboarding.name": 64,
    "onboarding.role": 200,
    "onboarding.how_met": 500,
    "onboarding.when_met": 100,
    "checkin.date": 100,
    "checkin.story": 3000,
    "interests.lit_up": 200,
    "remind.date": 100,
}
# States that are not part of a check-in or onboarding, each with its own handler.
SIDE_QUESTIONS = (
    "checkin.resume",
    "story.offer",
    "nextstep.awkward",
    "nextstep.early",
    "heroes.archive",
    "checkin.followup",
    "remind.when",
    "remind.date",
    "settings.timezone",
    "settings.window",
    "forget.confirm",
    "deleteme.confirm",
)
# Commands that only inform: they leave the dialog where it was.
INFO_COMMANDS = frozenset({"help", "progress", "privacy", "export"})
COMMANDS = (
    "start", "checkin", "nextstep", "progress", "heroes", "help", "cancel",
    "remind", "reminders", "settings", "privacy", "export", "forget", "deleteme",
)  # fmt: skip
WHEN_DAYS_BACK = {"today": 0, "yesterday": 1}


class PlaybookError(ValueError):
    """The content and the steps don't fit together; raised at start-up."""


def checkin_plan(step: Step, answers: Mapping[str, str]) -> tuple[str, ...]:
    """Returns every question of a check-in on `step`, given the answers so far."""
    return (*CHECKIN_OPENING, *step.questions(answers))


def checkin_questions() -> frozenset[str]:
    """Returns every question a check-in can ask (a plan for no answers is the fullest)."""
    return frozenset(q for step in STEPS.values() for q in checkin_plan(step, {}))


def check_graph(content: Content) -> None:
    """Fails when a state has no question, a question is unreachable, or a step misfits."""
    problems = []
    if list(STEPS) != list(StepId):
        problems.append(f"steps registry out of playbook order: {list(STEPS)}")
    used = {*checkin_questions(), *ONBOARDING, *SIDE_QUESTIONS}
    for missing in sorted(used - set(content.questions)):
        problems.append(f"state {missing!r} has no question in the content")
    for unused in sorted(set(content.questions) - used):
        problems.append(f"question {unused!r} is never asked")
    for question_id in sorted(used & set(content.questions)):
        is_text = content.questions[question_id].kind == "text"
        if is_text != (question_id in TEXT_LIMITS):
            problems.append(f"question {question_id!r}: kind and TEXT_LIMITS disagree")
    if "checkin.reaction" in content.questions:
        reactions = {o.id for o in content.question("checkin.reaction").options}
        if reactions != set(READINGS):
            problems.append(f"checkin.reaction options {sorted(reactions)} != readings")
    if "checkin.kind" in content.questions:
        kinds = {o.id for o in content.question("checkin.kind").options}
        if kinds != {k.value for k in InteractionKind}:
            problems.append(f"checkin.kind options {sorted(kinds)} != interaction kinds")
    for step in STEPS.values():
        for answer, signal in step.signals.items():
            question_id, _, option_id = answer.partition("=")
            question = content.questions.get(question_id)
            if question is None or question.option(option_id) is None:
                problems.append(f"{step.id}: signal source {answer!r} is no option")
            if signal not in content.temperature.signals:
                problems.append(f"{step.id}: signal {signal!r} has no temperature weight")
    if set(content.commands) != set(COMMANDS):
        problems.append(f"command menu {sorted(content.commands)} != commands {sorted(COMMANDS)}")
    if problems:
        raise PlaybookError("; ".join(problems))


def match_option(question: Question, typed: str, *, loose: bool = True) -> Option | None:
    """Finds the option a typed answer means: its number, its label or one of its words.

    `loose` also accepts a label or word inside a longer answer ("yes, she did").
    """
    text = _plain(typed)
    if text.isdecimal() and 1 <= int(text) <= len(question.options):
        return question.options[int(text) - 1]
    for option in question.options:
        if text in {_plain(option.label), option.id.replace("_", " "), *option.says}:
            return option
    if not loose:
        return None
    hits = {
        option.id: option
        for option in question.options
        for word in (*option.says, _plain(option.label))
        if word and re.search(rf"\b{re.escape(word)}\b", text)
    }
    return next(iter(hits.values())) if len(hits) == 1 else None


def _words(label: str) -> str:
    """Returns a label without its leading emoji, as someone would type it."""
    return re.sub(r"^\W+", "", label).strip() or label


def _plain(text: str) -> str:
    """Lower-cases and keeps letters, digits, spaces and apostrophes (labels carry emoji)."""
    text = text.lower().replace("’", "'")
    return " ".join(re.sub(r"[^\w\s']", " ", text).split())


class Coach:
    """The coaching engine; one instance serves every user."""

    def __init__(
        self, content: Content, clock: Clock, *, defaults: Preferences | None = None
    ) -> None:
        check_graph(content)
        self.defaults = defaults or Preferences()
        ZoneInfo(self.defaults.timezone)  # fails at start-up, not in a user's turn
        self.content = content
        self.clock = clock

    async def handle(self, store: Store, key: UserKey, display_name: str, event: Event) -> Outcome:
        """Runs one turn for one user and returns what to send them."""
        user = await store.user(key, display_name, self.defaults)
        if user.dialog.state != IDLE and user.dialog.state not in self.content.questions:
            # A state this version doesn't know (its question was removed): start afresh
            # rather than fail on every message.
            user.dialog = DialogState(turn=user.dialog.turn)
        if not isinstance(event, Membership):
            # Whoever writes to the bot has (again) not blocked it.
            user.active = True
        turn = Turn(self, store, user)
        await turn.dispatch(event)
        return await turn.close()

    async def reminder_replies(
        self, store: Store, due: Sequence[tuple[User, Sequence[Reminder]]]
    ) -> list[Reply]:
        """Writes a message for each user's reminders that are due together (for the
        dispatcher, a chunk at a time): the heroes they name are read all at once."""
        return await compose_all(
            store, self.content, [(user.id, reminders) for user, reminders in due]
        )


class Turn:
    """One event for one user: reads and changes their state, collects replies."""

    def __init__(self, coach: Coach, store: Store, user: User) -> None:
        self.content = coach.content
        self.messages = coach.content.messages
        self.clock = coach.clock
        self.store = store
        self.user = user
        self.replies: list[Reply] = []
        self.was_stale = False
        self.reminding = Reminding(self)
        self.privacy = Privacy(self)
        self.user_deleted = False

    @property
    def dialog(self) -> DialogState:
        return self.user.dialog

    @dialog.setter
    def dialog(self, value: DialogState) -> None:
        self.user.dialog = value

    # --- the way in and out --------------------------------------------------------

    async def dispatch(self, event: Event) -> None:
        match event:
            case Membership(blocked=blocked):
                # Telegram tells us the user blocked or unblocked the bot: no reply.
                self.user.active = not blocked
            case Unsupported(what=what) if what == EDITED:
                self.say(self.messages.edited)
            case Unsupported(what=what):
                self.say(self.messages.unsupported.format(what=what))
            case Command(name=name, args=args):
                await self.command(name, args)
            case Press(button=button, turn=turn):
                await self.press(button, turn)
            case Text(text=text):
                await self.typed(text)

    async def close(self) -> Outcome:
        """Stamps the replies with the turn their buttons belong to and saves the user."""
        if any(reply.buttons for reply in self.replies):
            self.dialog.turn += 1
        if not self.user_deleted:
            await self.store.save_user(self.user)
        turn = self.dialog.turn
        replies: list[Reply] = []
        lead = ""
        for reply in self.replies:
            text = f"{lead}\n\n{reply.text}" if lead else reply.text
            if not reply.buttons and not reply.advice and reply.document is None:
                # A plain line joins the next message: fewer messages, same words.
                lead = text
                continue
            lead = ""
            replies.append(replace(reply, text=text, turn=turn if reply.buttons else 0))
        if lead:
            replies.append(Reply(lead))
        return Outcome(tuple(replies), self.was_stale)

    def say(
        self,
        text: str,
        buttons: tuple[Button, ...] = (),
        advice: tuple[str, ...] = (),
        document: Document | None = None,
    ) -> None:
        self.replies.append(Reply(text, buttons, advice, document=document))

    def advise(self, advice: tuple[str, ...], intro: str = "") -> None:
        paragraphs = [intro] if intro else []
        paragraphs += [self.content.advice[a].text for a in advice]
        self.say("\n\n".join(paragraphs), advice=advice)

    async def ask(self, question_id: str, **extra: str) -> None:
        """Puts the dialog in `question_id` and asks it, with its buttons."""
        self.dialog.state = question_id
        self.dialog.prompt = dict(extra)
        question = self.content.question(question_id)
        names = {"hero": await self.hero_name(), **extra}
        buttons: tuple[Button, ...]
        if question.kind == "choice":
            buttons = tuple(Button(f"{question_id}={o.id}", o.label) for o in question.options)
        elif question.skip:
            buttons = (Button(f"{question_id}=", question.skip),)
        else:
            buttons = ()
        self.say(question.text.format(**names), buttons)

    async def ask_again(self) -> None:
        """Asks the pending question once more, worded as it was the first time."""
        await self.ask(self.dialog.state, **self.dialog.prompt)

    async def reprompt(self) -> None:
        if self.dialog.state != IDLE:
            self.say(self.messages.still_waiting)
            await self.ask_again()

    # --- who we are talking about --------------------------------------------------

    async def hero_name(self) -> str:
        if self.dialog.state.startswith("onboarding."):
            return self.dialog.answers.get("onboarding.name", self.messages.anyone)
        hero_id = self.dialog.hero_id or self.user.current_hero_id
        hero = await self.store.hero(self.user.id, hero_id) if hero_id else None
        return hero.name if hero else self.messages.anyone

    async def current_hero(self) -> Hero | None:
        if self.user.current_hero_id is None:
            return None
        hero = await self.store.hero(self.user.id, self.user.current_hero_id)
        return None if hero is None or hero.archived else hero

    def today(self) -> date:
        return self.clock.now().astimezone(ZoneInfo(self.user.prefs.timezone)).date()

    # --- events ------------------------------------------------------------------------

    async def command(self, name: str, args: str) -> None:
        handlers: dict[str, Callable[[str], Awaitable[None]]] = {
            "start": lambda _: self.start(),
            "checkin": lambda _: self.start_checkin(),
            "nextstep": lambda _: self.next_step(),
            "heroes": lambda _: self.list_heroes(),
            "progress": lambda _: self.progress(),
            "help": lambda _: self.help(),
            "cancel": lambda _: self.cancel(),
            **self.reminding.commands(),
            **self.privacy.commands(),
        }
        handler = handlers.get(name)
        if handler is None:
            self.say(self.messages.unknown_command.format(command=name[:32]))
            await self.reprompt()
        elif name in INFO_COMMANDS:
            await handler(args)
            await self.reprompt()
        elif name == "cancel":
            await handler(args)
        else:
            self.leave_dialog()
            await handler(args)

    async def typed(self, text: str) -> None:
        state = self.dialog.state
        if state in {IDLE, "story.offer"}:
            self.dialog = DialogState(turn=self.dialog.turn, paused=self.dialog.paused)
            if await self.current_hero() is None:
                await self.start()
            else:
                await self.story(text)
            return
        question = self.content.question(state)
        if question.kind == "choice":
            fallback = self.reminding.typed().get(state)
            # Where a typed answer of its own is expected ("UTC+13", "in 5 days"), only an
            # exact option wins over it.
            option = match_option(question, text, loose=fallback is None)
            if option is None and fallback is not None:
                await fallback(text)
                return
            if option is None and state == "checkin.when":
                # "Or type a date": a day typed instead of a button.
                day = await self.checked_text("checkin.date", text)
                if day is None:
                    await self.ask_again()
                    return
                self.dialog.answers["checkin.when"] = "typed"
                await self.answer("checkin.date", day)
                return
            if option is None:
                labels = ", ".join(f'"{_words(o.label)}"' for o in question.options)
                self.say(self.messages.pick_an_option.format(options=labels))
                await self.ask_again()
                return
            await self.answer(state, option.id)
            return
        value = await self.checked_text(state, text)
        if value is None:
            await self.ask_again()
            return
        await self.answer(state, value)

    async def press(self, button: str, turn: int | None) -> None:
        # Buttons on a reminder come from the dispatcher, not from a turn: they are checked
        # against the reminder itself instead.
        if turn is not None and turn != self.dialog.turn and not button.startswith("rem."):
            await self.stale()
            return
        question_id, is_answer, value = button.partition("=")
        if is_answer:
            question = self.content.questions.get(question_id)
            valid = (
                question is not None
                and question_id == self.dialog.state
                and (
                    question.option(value) is not None
                    if question.kind == "choice"
                    else value == "" and question.skip is not None
                )
            )
            if not valid:
                await self.stale()
                return
            await self.answer(question_id, value)
            return
        await self.action(button)

    async def stale(self) -> None:
        self.was_stale = True
        self.say(self.messages.stale_button)
        await self.reprompt()

    async def action(self, button: str) -> None:
        """Handles a button that starts something rather than answering a question."""
        name, _, arg = button.partition(":")
        delegated = {**self.reminding.actions(), **self.privacy.actions()}
        if name in delegated:
            self.leave_dialog()
            await delegated[name](arg)
            return
        simple = {
            "checkin": self.start_checkin,
            "nextstep": self.next_step,
            "hero.add": self.start_onboarding,
            "hero.archive": self.choose_archive,
        }
        if name in simple and not arg:
            self.leave_dialog()
            await simple[name]()
            return
        hero_id = record_id(arg)
        hero = await self.store.hero(self.user.id, hero_id) if hero_id else None
        if hero is None or hero.archived or name not in {"hero.switch", "hero.archive"}:
            await self.stale()
            return
        self.leave_dialog()
        if name == "hero.switch":
            self.user.current_hero_id = hero.id
            step = self.content.steps[hero.step]
            self.say(
                self.messages.hero_switched.format(
                    hero=hero.name, number=hero.step.number, title=step.title
                )
            )
        else:
            self.dialog.hero_id = hero.id
            await self.ask("heroes.archive")

    # --- answers -----------------------------------------------------------------------

    async def checked_text(self, question_id: str, text: str) -> str | None:
        """Returns a typed answer ready to keep, or None after saying what is wrong."""
        text = text.strip()
        if not text:
            self.say(self.messages.need_text)
            return None
        if len(text) > TEXT_LIMITS[question_id]:
            self.say(self.messages.text_too_long.format(limit=TEXT_LIMITS[question_id]))
            return None
        if question_id not in DATE_QUESTIONS:
            return text
        found = parse_past_date(text, self.today(), self.user.prefs.timezone)
        if isinstance(found, date):
            return found.isoformat()
        problem = {
            DateProblem.UNREADABLE: self.messages.bad_date,
            DateProblem.FUTURE: self.messages.future_date,
            DateProblem.TOO_OLD: self.messages.too_old_date,
            DateProblem.AMBIGUOUS: self.messages.ambiguous_date,
        }[found]
        self.say(problem)
        return None

    async def answer(self, question_id: str, value: str) -> None:
        """Takes a valid answer to the question being asked and moves the dialog on."""
        if question_id in ONBOARDING:
            await self.onboarding(question_id, value)
            return
        side = {
            "checkin.resume": self.resume,
            "story.offer": self.story_offer,
            "nextstep.awkward": self.nextstep_awkward,
            "nextstep.early": self.nextstep_early,
            "heroes.archive": self.archive,
            **self.reminding.answers(),
            **self.privacy.answers(),
        }
        if question_id in side:
            await side[question_id](value)
            return
        self.dialog.answers[question_id] = value
        if question_id == "checkin.when" and value in WHEN_DAYS_BACK:
            day = self.today() - timedelta(days=WHEN_DAYS_BACK[value])
            self.dialog.answers["checkin.date"] = day.isoformat()
        await self.continue_checkin()

    # --- /start and onboarding ---------------------------------------------------------

    async def start(self) -> None:
        heroes = await self.store.heroes(self.user.id)
        if not heroes:
            welcome = self.messages.welcome.format(name=self.user.display_name)
            self.advise(("intro.be_wanted",), intro=welcome)
            await self.start_onboarding()
            return
        self.say(self.messages.welcome_back.format(name=self.user.display_name))
        buttons = (
            Button("checkin", self.messages.button_checkin),
            Button("hero.add", self.messages.button_add_hero),
        )
        self.say(await self.progress_text(heroes), buttons)

    async def start_onboarding(self) -> None:
        self.dialog = DialogState(turn=self.dialog.turn, paused=self.dialog.paused)
        await self.ask("onboarding.name")

    async def onboarding(self, question_id: str, value: str) -> None:
        self.dialog.answers[question_id] = value
        position = ONBOARDING.index(question_id)
        if position + 1 < len(ONBOARDING):
            await self.ask(ONBOARDING[position + 1])
            return
        answers = self.dialog.answers
        met_on = answers.get("onboarding.when_met") or None
        hero = await self.store.add_hero(
            self.user.id,
            name=answers["onboarding.name"],
            role=answers.get("onboarding.role", ""),
            how_met=answers.get("onboarding.how_met", ""),
            met_on=date.fromisoformat(met_on) if met_on else None,
            step=StepId.INTERESTS,
        )
        self.user.current_hero_id = hero.id
        self.dialog = DialogState(turn=self.dialog.turn, paused=self.dialog.paused)
        first = self.content.steps[StepId.INTERESTS]
        self.say(
            self.messages.hero_added.format(hero=hero.name, title=first.title, goal=first.goal)
        )
        self.say(
            self.messages.first_checkin_offer,
            (Button("checkin", self.messages.button_checkin),),
        )

    # --- check-ins ---------------------------------------------------------------------

    def in_checkin(self) -> bool:
        return self.dialog.state in checkin_questions()

    def leave_dialog(self) -> None:
        """Leaves whatever dialog is open; a check-in with answers is kept to be resumed."""
        if self.in_checkin() and self.dialog.hero_id is not None and self.dialog.answers:
            paused = PausedCheckin(
                hero_id=self.dialog.hero_id, state=self.dialog.state, answers=self.dialog.answers
            )
            self.dialog = DialogState(turn=self.dialog.turn, paused=paused)
        else:
            self.dialog = DialogState(turn=self.dialog.turn, paused=self.dialog.paused)

    async def cancel(self) -> None:
        if self.dialog.state == IDLE:
            self.say(self.messages.nothing_to_cancel)
            return
        was_checkin = self.in_checkin() and bool(self.dialog.answers)
        self.leave_dialog()
        self.say(self.messages.cancelled_checkin if was_checkin else self.messages.cancelled)

    async def start_checkin(self) -> None:
        hero = await self.current_hero()
        if hero is None:
            self.say(self.messages.need_hero)
            return
        paused = self.dialog.paused
        if paused is not None and paused.hero_id == hero.id:
            self.dialog.hero_id = hero.id
            await self.ask("checkin.resume")
            return
        await self.open_checkin(hero, {})

    async def open_checkin(self, hero: Hero, answers: dict[str, str]) -> None:
        self.dialog = DialogState(
            turn=self.dialog.turn, hero_id=hero.id, answers=answers, paused=self.dialog.paused
        )
        step = self.content.steps[hero.step]
        self.say(
            self.messages.checkin_start.format(
                hero=hero.name, number=hero.step.number, title=step.title
            )
        )
        await self.continue_checkin()

    async def resume(self, choice: str) -> None:
        paused = self.dialog.paused
        hero = await self.current_hero()
        if paused is None or hero is None or paused.hero_id != hero.id:
            self.dialog = DialogState(turn=self.dialog.turn, paused=paused)
            await self.start_checkin()
            return
        self.dialog.paused = None
        await self.open_checkin(hero, paused.answers if choice == "resume" else {})

    async def continue_checkin(self) -> None:
        hero_id = self.dialog.hero_id
        hero = await self.store.hero(self.user.id, hero_id) if hero_id else None
        if hero is None or hero.archived:
            self.dialog = DialogState(turn=self.dialog.turn, paused=self.dialog.paused)
            self.say(self.messages.need_hero)
            return
        step = STEPS[hero.step]
        pending = [
            q for q in checkin_plan(step, self.dialog.answers) if q not in self.dialog.answers
        ]
        if pending:
            await self.ask(pending[0])
            return
        await self.finish_checkin(hero, step)

    async def finish_checkin(self, hero: Hero, step: Step) -> None:
        answers = dict(self.dialog.answers)
        story = answers.get("checkin.story", "")
        reading = READINGS[answers["checkin.reaction"]]
        weights = self.content.temperature.signals
        signals = {
            step.signals[f"{q}={a}"] for q, a in answers.items() if f"{q}={a}" in step.signals
        }
        if story:
            signals |= {s.value for s in read_story(story).signals if s.value in weights}
        temp = temperature(reading, signals, self.content)
        interaction = Interaction(
            hero_id=hero.id,
            happened_on=date.fromisoformat(answers["checkin.date"]),
            kind=InteractionKind(answers["checkin.kind"]),
            story=story,
            step=step.id,
            temperature=temp,
            answers=answers,
            open_door="open_door" in signals,
            lit_up=answers.get("interests.lit_up", ""),
        )
        history = await self.store.interactions(self.user.id, hero.id)
        timeline = sorted([*history, interaction], key=lambda i: i.happened_on)
        facts = Facts(answers, reading, temp, frozenset(signals), timeline, self.content)
        verdict = step.judge(facts)
        interaction.advice = verdict.advice
        await self.store.add_interaction(self.user.id, interaction)
        if verdict.move_to is not None:
            hero.step = verdict.move_to
            await self.store.save_hero(hero)
        self.dialog = DialogState(turn=self.dialog.turn, paused=self.dialog.paused)

        self.advise(verdict.advice)
        if verdict.move_to is not None:
            self.say(
                self.messages.moved_back.format(
                    hero=hero.name,
                    number=hero.step.number,
                    title=self.content.steps[hero.step].title,
                )
            )
        summary = [
            self.messages.checkin_saved.format(
                kind=interaction.kind.value,
                date=_day(interaction.happened_on),
                temperature=temp,
                label=self.content.temperature.labels[temp],
            )
        ]
        following = hero.step.next
        if hero.step is StepId.ASK:
            summary.append(self.messages.step_last)
        elif verdict.going_well and following is not None:
            title = self.content.steps[following].title
            summary.append(
                self.messages.step_going_well.format(
                    hero=hero.name, number=following.number, title=title
                )
            )
        else:
            summary.append(
                self.messages.step_keep_going.format(hero=hero.name, number=hero.step.number)
            )
        self.say("\n".join(summary))
        # A new contact resets the hero's reminder clock: the old follow-up goes.
        await self.store.cancel_reminders(self.user.id, hero.id, follow_ups_only=True)
        await self.reminding.propose(hero, temp)

    # --- stories told outside a dialog -------------------------------------------------

    async def story(self, text: str) -> None:
        hero = await self.current_hero()
        assert hero is not None  # the caller checked
        reading = read_story(text, min_meetings=self.content.readiness.min_meetings)
        if reading.says_too_little:
            self.say(self.messages.story_too_little.format(hero=hero.name))
            return
        self.advise(reading.advice, intro=self.messages.story_intro)
        story = text.strip()[: TEXT_LIMITS["checkin.story"]]
        self.dialog = DialogState(
            turn=self.dialog.turn,
            hero_id=hero.id,
            answers={"checkin.story": story},
            paused=self.dialog.paused,
        )
        await self.ask("story.offer")

    async def story_offer(self, choice: str) -> None:
        hero = await self.current_hero()
        if choice == "record" and hero is not None and hero.id == self.dialog.hero_id:
            await self.open_checkin(hero, dict(self.dialog.answers))
            return
        self.dialog = DialogState(turn=self.dialog.turn, paused=self.dialog.paused)
        self.say(self.messages.story_dismissed)

    # --- /nextstep -----------------------------------------------------------------------

    async def next_step(self) -> None:
        hero = await self.current_hero()
        if hero is None:
            self.say(self.messages.need_hero)
            return
        following = hero.step.next
        if following is None:
            self.say(self.messages.nextstep_at_last.format(hero=hero.name))
            return
        if following is not StepId.ASK:
            await self.move(hero, following)
            return
        self.dialog.hero_id = hero.id
        history = await self.store.interactions(self.user.id, hero.id)
        check = readiness(history, None, self.content)
        if check.ready:
            await self.ask("nextstep.awkward")
        else:
            await self.too_soon(hero, check.shortfalls, history)

    async def nextstep_awkward(self, choice: str) -> None:
        hero = await self.nextstep_hero()
        if hero is None:
            return
        if choice == "less":
            await self.move(hero, StepId.ASK)
            return
        history = await self.store.interactions(self.user.id, hero.id)
        check = readiness(history, False, self.content)
        await self.too_soon(hero, check.shortfalls, history)

    async def nextstep_early(self, choice: str) -> None:
        hero = await self.nextstep_hero()
        if hero is None:
            return
        if choice == "go":
            await self.move(hero, StepId.ASK)
        else:
            self.dialog = DialogState(turn=self.dialog.turn, paused=self.dialog.paused)
            self.say(self.messages.stayed)

    async def nextstep_hero(self) -> Hero | None:
        """Returns the hero a /nextstep dialog is about, if it still makes sense."""
        hero = await self.current_hero()
        if hero is None or hero.id != self.dialog.hero_id or hero.step is not StepId.DISTANCE:
            self.dialog = DialogState(turn=self.dialog.turn, paused=self.dialog.paused)
            await self.stale()
            return None
        return hero

    async def too_soon(
        self, hero: Hero, shortfalls: tuple[Shortfall, ...], history: list[Interaction]
    ) -> None:
        check = readiness(history, None, self.content)
        temps = ", ".join(str(t) for t in check.temperatures) or "none yet"
        reasons = {
            Shortfall.MEETINGS: self.messages.reason_meetings.format(
                meetings=check.meetings, needed=check.needed
            ),
            Shortfall.TEMPERATURE: self.messages.reason_temperature.format(
                temperatures=temps, warm=self.content.readiness.warm
            ),
            Shortfall.AWKWARD: self.messages.reason_awkward,
        }
        lines = [self.messages.too_soon.format(hero=hero.name)]
        lines += [f"• {reasons[s]}" for s in shortfalls]
        self.advise(("ask.not_yet",), intro="\n".join(lines))
        await self.ask("nextstep.early")

    async def move(self, hero: Hero, step_id: StepId) -> None:
        hero.step = step_id
        await self.store.save_hero(hero)
        self.dialog = DialogState(turn=self.dialog.turn, paused=self.dialog.paused)
        step = self.content.steps[step_id]
        self.say(
            "\n\n".join(
                (
                    self.messages.nextstep_moved.format(
                        hero=hero.name,
                        number=step_id.number,
                        title=step.title,
                        why_now=step.why_now,
                    ),
                    self.messages.nextstep_goal.format(goal=step.goal),
                )
            ),
            (Button("checkin", self.messages.button_checkin),),
        )

    # --- /progress, /heroes, /help ------------------------------------------------------

    async def progress(self) -> None:
        heroes = await self.store.heroes(self.user.id)
        self.say(await self.progress_text(heroes) if heroes else self.messages.no_heroes)

    async def progress_text(self, heroes: list[Hero]) -> str:
        blocks = [self.messages.progress_header]
        for hero in heroes:
            history = await self.store.interactions(self.user.id, hero.id)
            blocks.append(self.hero_progress(hero, history))
        return "\n\n".join(blocks)

    def hero_progress(self, hero: Hero, history: list[Interaction]) -> str:
        messages = self.messages
        step = self.content.steps[hero.step]
        name = f"{hero.name} ({hero.role})" if hero.role else hero.name
        count = len(history)
        interactions = messages.interactions_one if count == 1 else messages.interactions_many
        lines = [
            messages.progress_line.format(
                hero=name,
                number=hero.step.number,
                title=step.title,
                interactions=interactions.format(count=count),
            )
        ]
        if not history:
            lines.append(messages.progress_no_interactions)
            return "\n".join(lines)
        last = history[-1]
        direction = trend([i.temperature for i in history])
        lines.append(
            messages.progress_temperature.format(
                temperature=last.temperature,
                label=self.content.temperature.labels[last.temperature],
                trend=getattr(messages, f"trend_{direction.value}"),
            )
        )
        doors = [i for i in history if i.open_door]
        if doors:
            lines.append(messages.progress_open_door.format(when=_day(doors[-1].happened_on)))
        lit = [i.lit_up for i in history if i.lit_up]
        if lit:
            lines.append(messages.progress_lit_up.format(lit_up=lit[-1]))
        return "\n".join(lines)

    async def list_heroes(self) -> None:
        heroes = await self.store.heroes(self.user.id)
        if not heroes:
            self.say(self.messages.no_heroes, (Button("hero.add", self.messages.button_add_hero),))
            return
        lines = [self.messages.heroes_header]
        buttons = []
        for hero in heroes:
            current = hero.id == self.user.current_hero_id
            history = await self.store.interactions(self.user.id, hero.id)
            last = ""
            if history:
                temp = history[-1].temperature
                label = f"{self.content.temperature.labels[temp]} ({temp}/5)"
                last = self.messages.hero_last.format(label=label)
            lines.append(
                self.messages.hero_line.format(
                    mark="★" if current else "•",
                    hero=hero.name,
                    number=hero.step.number,
                    title=self.content.steps[hero.step].title,
                    last=last,
                )
            )
            if not current:
                label = self.messages.hero_switch.format(hero=hero.name)
                buttons.append(Button(f"hero.switch:{hero.id}", label))
        buttons.append(Button("hero.add", self.messages.button_add_hero))
        buttons.append(Button("hero.archive", self.messages.hero_archive))
        self.say("\n".join(lines), tuple(buttons))

    async def choose_archive(self) -> None:
        heroes = await self.store.heroes(self.user.id)
        if not heroes:
            self.say(self.messages.no_heroes)
            return
        buttons = tuple(Button(f"hero.archive:{h.id}", h.name) for h in heroes)
        self.say(self.messages.archive_which, buttons)

    async def archive(self, choice: str) -> None:
        hero = await self.confirmed_hero(choice, self.messages.hero_kept)
        if hero is None:
            return
        hero.archived = True
        await self.store.save_hero(hero)
        # "I stop asking about them": their reminders go too.
        await self.store.cancel_reminders(self.user.id, hero.id, follow_ups_only=False)
        await self.let_go(hero)
        self.say(self.messages.hero_archived.format(hero=hero.name))

    async def confirmed_hero(self, choice: str, kept: str) -> Hero | None:
        """Closes a yes/no question about the dialog's hero; returns the hero on a yes."""
        hero_id = self.dialog.hero_id
        hero = await self.store.hero(self.user.id, hero_id) if hero_id else None
        self.dialog = DialogState(turn=self.dialog.turn, paused=self.dialog.paused)
        if hero is None:
            await self.stale()
            return None
        if choice != "yes":
            self.say(kept.format(hero=hero.name))
            return None
        return hero

    async def let_go(self, hero: Hero) -> None:
        """Stops talking about a hero: their paused check-in goes, another hero comes forward."""
        if self.dialog.paused is not None and self.dialog.paused.hero_id == hero.id:
            self.dialog.paused = None
        if self.user.current_hero_id == hero.id:
            others = await self.store.heroes(self.user.id)
            self.user.current_hero_id = others[0].id if others else None

    async def help(self) -> None:
        self.say(self.messages.help)


def _day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"
