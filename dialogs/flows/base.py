"""What a flow is made of, and the narrow context its handlers get.

A flow declares what it owns (commands, questions, button actions) as data, beside the
handlers; the router (dialogs/router.py) puts the flows together once and checks them.
A handler sees a `Context`: it can say, ask, advise, go idle and use the repositories, but
it cannot route; to start another flow it runs that flow's command by name.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from dialogs.content import Content
from dialogs.model import Button, Chart, DialogState, Document, Hero, PausedCheckin, Reply, User
from dialogs.ports import Clock, UnitOfWork
from dialogs.reader import read_story

IDLE = "idle"
# A target standing for wherever a story told out of a question leads (Context.tell).
STORY = "~story"

# The prompt's key for the options a question was asked with, when not all of them.
_ONLY = "~only"

Handler = Callable[["Context", str], Awaitable[None]]
# Turns a typed answer into the value kept, or returns None after saying what is wrong.
Parser = Callable[["Context", str], Awaitable[str | None]]


@dataclass(frozen=True, slots=True)
class Ask:
    """A question a flow owns: what its answer does and where the dialog may go next."""

    on_answer: Handler
    then: tuple[str, ...]  # the states an answer may lead to (IDLE included)
    limit: int | None = None  # text questions: the longest typed answer kept, in characters
    parse: Parser | None = None  # text questions: checks and converts the typed answer
    typed: Handler | None = None  # choice questions: a typed answer the options don't cover
    # Any typed text goes here instead of matching options; `then` covers where it leads.
    on_text: Handler | None = None
    loose: bool = True  # an option's word inside a longer answer counts ("yes, she did")
    pausable: bool = False  # leaving it keeps the answers so far, to be resumed
    # A story typed instead of an answer; None: the question is set aside and the story
    # read on its own (Context.tell). `then` covers where it leads. A text question hands
    # it a story it cannot keep as its answer: one where a date or a few words were
    # wanted (`parse`, `brief`), or one longer than `limit`.
    on_story: Handler | None = None
    brief: bool = False  # a few words are wanted: a story is never the answer
    # Leaving the question for a command: closes the dialog its own way, saying what it
    # kept (a hero named before the rest was asked); None: set aside, as any question.
    on_leave: Callable[[Context], Awaitable[None]] | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    """A command or a button action: what it runs and the states it may open."""

    run: Handler
    # The states it may open; "/name" stands for every state command /name may open.
    enters: tuple[str, ...] = ()
    leaves: bool = True  # the open dialog is left first (a check-in is paused)
    reprompt: bool = False  # only informs: the open question is asked again after it
    arg: bool | None = None  # buttons: must have an argument ("name:arg"), must not, or either
    # Buttons sent by the reminder dispatcher rather than by a turn: they are checked
    # against the reminder itself, not against the dialog's turn.
    any_turn: bool = False


@dataclass(frozen=True, slots=True)
class Flow:
    """One room of the coach: the commands, questions and buttons it answers for."""

    name: str
    commands: dict[str, Entry] = field(default_factory=dict)
    questions: dict[str, Ask] = field(default_factory=dict)
    actions: dict[str, Entry] = field(default_factory=dict)
    # Text typed while nothing is asked; exactly one flow takes it.
    idle_text: Entry | None = None
    # Checks that the content fits the flow's code; returns the problems found.
    check: Callable[[Content], list[str]] | None = None


class Context:
    """What one turn's handlers may do: talk, ask, change the dialog, use the repositories."""

    def __init__(
        self,
        content: Content,
        clock: Clock,
        uow: UnitOfWork,
        user: User,
        *,
        asks: Mapping[str, Ask],
        run_command: Callable[[Context, str], Awaitable[None]],
        read_story: Callable[[Context, str], Awaitable[None]],
    ) -> None:
        self.content = content
        self.messages = content.messages
        self.clock = clock
        # The turn's repositories, one per aggregate (committed by the caller).
        self.users = uow.users
        self.heroes = uow.heroes
        self.interactions = uow.interactions
        self.reminders = uow.reminders
        self.user = user
        self.replies: list[Reply] = []
        self.was_stale = False
        self.user_deleted = False
        self._asks = asks
        self._run_command = run_command
        self._read_story = read_story

    @property
    def dialog(self) -> DialogState:
        return self.user.dialog

    # --- the dialog state ------------------------------------------------------------

    def idle(self) -> None:
        """Closes the open question; a paused check-in stays paused."""
        self.focus()

    def focus(self, hero_id: int | None = None, answers: dict[str, str] | None = None) -> None:
        """Starts a fresh dialog about a hero (the question comes with `ask`)."""
        self.user.dialog = DialogState(
            turn=self.dialog.turn,
            hero_id=hero_id,
            answers=answers or {},
            paused=self.dialog.paused,
            kept=self.dialog.kept,
        )

    def leave(self) -> None:
        """Leaves whatever dialog is open; a check-in with answers is kept to be resumed."""
        dialog = self.dialog
        if self.in_checkin() and dialog.hero_id is not None and dialog.answers:
            checkin = PausedCheckin(
                hero_id=dialog.hero_id, state=dialog.state, answers=dialog.answers
            )
            dialog.pause(checkin)
        self.user.dialog = DialogState(turn=dialog.turn, paused=dialog.paused, kept=dialog.kept)

    async def set_aside(self) -> None:
        """Leaves the open dialog and says so: nothing a person was asked goes silently."""
        dialog = self.dialog
        if dialog.state == IDLE:
            return
        ask = self._asks.get(dialog.state)
        if ask is not None and ask.on_leave is not None:
            await ask.on_leave(self)
            return
        paused = self.in_checkin() and dialog.hero_id is not None and bool(dialog.answers)
        hero_name = await self.hero_name()
        self.leave()
        if paused:
            self.say(self.messages.set_aside_checkin.format(hero=hero_name))
        else:
            self.say(self.messages.set_aside)

    async def tell(self, text: str) -> None:
        """Reads typed text as a story told out of a question: the question takes it when it
        can (a check-in's), or is set aside."""
        ask = self._asks.get(self.dialog.state)
        if ask is not None and ask.on_story is not None:
            await ask.on_story(self, text)
            return
        await self.read_apart(text, self.messages.read_as_story)

    async def read_apart(self, text: str, why: str) -> None:
        """Says `why`, sets the open question aside (a check-in is paused) and reads the
        story on its own."""
        self.say(why)
        await self.set_aside()
        await self._read_story(self, text)

    async def not_read(self, text: str, problem: str) -> None:
        """Answers a typed answer that could not be read: a story is read as one, anything
        else gets the problem said and the question asked again."""
        if looks_like_story(text):
            await self.tell(text)
            return
        self.say(problem)
        await self.ask_again()

    async def option_value(self, question_id: str, choice: str) -> str | None:
        """The value behind a pressed option (a zone, a window); None, said, if it has none."""
        option = self.content.question(question_id).option(choice)
        if option is None or option.value is None:
            await self.stale()
            return None
        return option.value

    async def choose_hero(self, action: str, prompt: str, *, archived: bool = False) -> None:
        """Offers the user's heroes as buttons `action:<hero id>`."""
        heroes = await self.heroes.of(self.user.id, archived=archived)
        if not heroes:
            self.say(self.messages.no_heroes)
            return
        self.say(prompt, tuple(Button(f"{action}:{h.id}", h.name) for h in heroes))

    def in_checkin(self) -> bool:
        ask = self._asks.get(self.dialog.state)
        return ask is not None and ask.pausable

    async def run(self, command: str) -> None:
        """Starts another flow as its command would (a button that opens a check-in)."""
        await self._run_command(self, command)

    # --- talking ------------------------------------------------------------------------

    def say(
        self,
        text: str,
        buttons: tuple[Button, ...] = (),
        advice: tuple[str, ...] = (),
        document: Document | None = None,
        chart: Chart | None = None,
    ) -> None:
        self.replies.append(Reply(text, buttons, advice, document=document, chart=chart))

    def advise(
        self,
        advice: tuple[str, ...],
        intro: str = "",
        quotes: Mapping[str, str] | None = None,
        times: Mapping[str, int] | None = None,
    ) -> None:
        """Says the advice; `quotes` (advice id -> the user's words) puts the words each
        piece rests on before it, so the user sees why; `times` (how often each was given
        before) words a repeat afresh."""
        paragraphs = [intro] if intro else []
        quoted: set[str] = set()
        for advice_id in advice:
            text = self.content.advice[advice_id].worded((times or {}).get(advice_id, 0))
            quote = (quotes or {}).get(advice_id)
            # The same words twice, or a piece of words already quoted, would be noise.
            if quote and not any(quote in q or q in quote for q in quoted):
                quoted.add(quote)
                text = f"{self.messages.you_said.format(quote=quote)} {text}"
            paragraphs.append(text)
        self.say("\n\n".join(paragraphs), advice=advice)

    async def ask(
        self,
        question_id: str,
        only: Collection[str] | None = None,
        text: str | None = None,
        **extra: str,
    ) -> None:
        """Puts the dialog in `question_id` and asks it, with its buttons (of a choice,
        `only` these options, in the content's order), in the question's words or `text`."""
        self.dialog.state = question_id
        self.dialog.prompt = dict(extra)
        if only is not None:
            # Kept, so that asking again offers the same few options.
            self.dialog.prompt[_ONLY] = " ".join(only)
        question = self.content.question(question_id)
        names = {"hero": await self.hero_name(), **extra}
        buttons: tuple[Button, ...]
        if question.kind == "choice":
            buttons = tuple(
                Button(f"{question_id}={o.id}", o.label)
                for o in question.options
                if only is None or o.id in only
            )
        elif question.skip:
            buttons = (Button(f"{question_id}=", question.skip),)
        else:
            buttons = ()
        self.say(text or question.text.format(**names), buttons)

    async def ask_again(self) -> None:
        """Asks the pending question once more, worded as it was the first time."""
        extra = dict(self.dialog.prompt)
        only = extra.pop(_ONLY, None)
        await self.ask(self.dialog.state, only=only.split() if only else None, **extra)

    async def reprompt(self) -> None:
        if self.dialog.state != IDLE:
            self.say(self.messages.still_waiting)
            await self.ask_again()

    async def stale(self) -> None:
        self.was_stale = True
        self.say(self.messages.stale_button)
        await self.reprompt()

    # --- who we are talking about ---------------------------------------------------

    async def hero_name(self) -> str:
        if self.dialog.state.startswith("onboarding."):
            return self.dialog.answers.get("onboarding.name", self.messages.anyone)
        hero_id = self.dialog.hero_id or self.user.current_hero_id
        hero = await self.heroes.get(self.user.id, hero_id) if hero_id else None
        return hero.name if hero else self.messages.anyone

    async def current_hero(self) -> Hero | None:
        if self.user.current_hero_id is None:
            return None
        hero = await self.heroes.get(self.user.id, self.user.current_hero_id)
        return None if hero is None or hero.archived else hero

    async def confirmed_hero(self, choice: str, kept: str) -> Hero | None:
        """Closes a yes/no question about the dialog's hero; returns the hero on a yes."""
        hero_id = self.dialog.hero_id
        hero = await self.heroes.get(self.user.id, hero_id) if hero_id else None
        self.idle()
        if hero is None:
            await self.stale()
            return None
        if choice != "yes":
            self.say(kept.format(hero=hero.name))
            return None
        return hero

    async def let_go(self, hero: Hero) -> None:
        """Stops talking about a hero: their paused check-in goes, another hero comes forward."""
        self.dialog.drop_paused(hero.id)
        if self.user.current_hero_id == hero.id:
            others = await self.heroes.of(self.user.id)
            self.user.current_hero_id = others[0].id if others else None

    def today(self) -> date:
        return self.clock.now().astimezone(ZoneInfo(self.user.prefs.timezone)).date()


async def text_or_ask(
    ctx: Context, args: str, question: str, hero_id: int | None, use: Handler
) -> None:
    """For a command that works on a text (/draft, /rehearse): uses the text typed with the
    command, or asks `question` for it, about the hero, and the answer comes back to the
    flow's own `Ask`."""
    text = args.strip()
    if text:
        await use(ctx, text)
        return
    ctx.focus(hero_id)
    await ctx.ask(question)


def answered(use: Handler) -> Handler:
    """The `Ask` handler of the question text_or_ask asked: the dialog goes idle and the
    answer is used as the command's text would have been."""

    async def answer(ctx: Context, text: str) -> None:
        ctx.idle()
        await use(ctx, text)

    return answer


async def checked_text(ctx: Context, ask: Ask, text: str) -> str | None:
    """Returns a typed answer ready to keep, or None after saying what is wrong."""
    text = text.strip()
    if not text:
        ctx.say(ctx.messages.need_text)
        return None
    if ask.limit is not None and len(text) > ask.limit:
        ctx.say(ctx.messages.text_too_long.format(limit=ask.limit))
        return None
    return text if ask.parse is None else await ask.parse(ctx, text)


# A typed text of this many words that answers nothing, and in which the reader finds
# something to coach on, is a story, not a fumbled answer.
STORY_WORDS = 7


# Words that only greet, thank or acknowledge: a word of the conversation, not a story.
_HELLO = {"hi", "hello", "hey", "hiya", "heya", "yo", "morning", "evening", "afternoon"}
_THANKS = {"thanks", "thank", "thx", "ty", "cheers", "appreciate", "appreciated", "tysm"}
_OK = {
    "ok", "okay", "k", "kk", "cool", "great", "nice", "got", "it", "sounds", "good", "perfect",
    "alright", "awesome", "noted", "will", "do", "sure", "right", "understood", "makes",
    "sense", "you", "so", "much", "a", "lot", "again", "oh", "ah", "i", "see", "there",
}  # fmt: skip
_WORD = re.compile(r"[a-z]+")


def pleasantry(text: str) -> str | None:
    """Tells a greeting ("hello"), thanks ("thanks") or a bare acknowledgement ("ok") from
    words that tell something: None when any word is more than that."""
    words = _WORD.findall(text.lower())
    if not words or len(words) > 6 or any(w not in _HELLO | _THANKS | _OK for w in words):
        return None
    if _THANKS & set(words):
        return "thanks"
    return "hello" if _HELLO & set(words) else "ok"


_QUOTED_WORDS = re.compile(r"[\"“”][^\"“”]*[\"“”]")


def asks_something(text: str) -> bool:
    """Tells whether the user asks something in their own words (not in a message they
    quote): a check-in can't answer a question, a reading of its own can."""
    return "?" in _QUOTED_WORDS.sub("", text)


def is_question(text: str) -> bool:
    """A question of the user's own, opened as one ("what should I do on the first day?"),
    which no option or date can answer ("at her talk? the one in Berlin" can)."""
    words = text.lower().split()
    return asks_something(text) and len(words) >= 3 and words[0] in _ASKING


_ASKING = {
    "what", "how", "why", "when", "where", "who", "which", "should", "shall", "can", "could",
    "would", "will", "is", "are", "do", "does", "did", "am", "may", "might",
}  # fmt: skip


# "should I email him again?", "is it ok to ping her on linkedin?": when to get in touch.
_REACH_OUT = re.compile(
    r"\b(?:should|can|could|shall|may|when|is it|would it|do i|how soon|too (?:soon|early))\b"
    r".*\b(?:e-?mail|call|ring|text|message|dm|ping|reach out|write|follow up|get in touch|"
    r"contact|linkedin|send|nudge|chase|check in with)\b"
)


def asks_when_to_reach_out(text: str) -> bool:
    return _REACH_OUT.search(text.lower()) is not None


def looks_like_story(text: str) -> bool:
    if asks_when_to_reach_out(text) and "?" in text:
        # A question of when to get in touch is the coach's to answer, however short.
        return True
    if len(text.split()) < STORY_WORDS:
        return False
    reading = read_story(text)
    # Words in another language are a story too: the coach says honestly it can't read them.
    return not reading.says_too_little or (
        reading.reading is not None and reading.reading.language != "en"
    )


def day_text(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"
