"""The coach: one event and the user's stored progress in, replies out.

Every turn runs inside the caller's transaction: the flows read and write through a
unit of work, and the caller commits before it sends the replies, so a crash between a
question and its answer loses nothing.

The dialog is a closed set of named states: "idle" or the id of the question the coach
is waiting on (from the content file). Each question, command and button belongs to one
flow (dialogs/flows/); this module only finds the owner and hands it a `Context`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from zoneinfo import ZoneInfo

from dialogs.content import Content
from dialogs.flows import FLOWS
from dialogs.flows.base import (
    IDLE,
    Context,
    Entry,
    asks_something,
    checked_text,
    is_question,
    looks_like_story,
    pleasantry,
)
from dialogs.matching import match_option, words
from dialogs.model import (
    EDITED,
    Command,
    DialogState,
    Event,
    Membership,
    Outcome,
    Preferences,
    Press,
    Reminder,
    Reply,
    Text,
    Unsupported,
    User,
    UserKey,
)
from dialogs.ports import Clock, UnitOfWork
from dialogs.reminding import compose_all
from dialogs.router import PlaybookError, Router

__all__ = ["IDLE", "Coach", "PlaybookError", "UndeclaredTransitionError"]


class UndeclaredTransitionError(RuntimeError):
    """A handler moved the dialog somewhere its flow did not declare: a bug in the flow."""


class Coach:
    """The coaching engine; one instance serves every user."""

    def __init__(
        self, content: Content, clock: Clock, *, defaults: Preferences | None = None
    ) -> None:
        self.router = Router(FLOWS, content)
        self.defaults = defaults or Preferences()
        ZoneInfo(self.defaults.timezone)  # fails at start-up, not in a user's turn
        self.content = content
        self.clock = clock

    async def handle(
        self, uow: UnitOfWork, key: UserKey, display_name: str, event: Event
    ) -> Outcome:
        """Runs one turn for one user and returns what to send them."""
        user = await uow.users.get(key, display_name, self.defaults)
        if user.dialog.state != IDLE and user.dialog.state not in self.content.questions:
            # A state this version doesn't know (its question was removed): start afresh
            # rather than fail on every message.
            user.dialog = DialogState(turn=user.dialog.turn)
        if not isinstance(event, Membership):
            # Whoever writes to the bot has (again) not blocked it.
            user.active = True
        ctx = Context(
            self.content,
            self.clock,
            uow,
            user,
            asks=self.router.asks,
            run_command=self._run_command,
            read_story=self._read_story,
        )
        await self._dispatch(ctx, event)
        return await _close(ctx)

    async def reminder_replies(
        self, uow: UnitOfWork, due: Sequence[tuple[User, Sequence[Reminder]]]
    ) -> list[Reply]:
        """Writes a message for each user's reminders that are due together (for the
        dispatcher, a chunk at a time): the heroes they name are read all at once."""
        return await compose_all(
            uow, self.content, [(user.id, reminders) for user, reminders in due]
        )

    # --- finding the owner -----------------------------------------------------------

    async def _dispatch(self, ctx: Context, event: Event) -> None:
        match event:
            case Membership(blocked=blocked):
                # Telegram tells us the user blocked or unblocked the bot: no reply.
                ctx.user.active = not blocked
            case Unsupported(what=what) if what == EDITED:
                ctx.say(ctx.messages.edited)
            case Unsupported(what=what):
                ctx.say(ctx.messages.unsupported.format(what=what))
            case Command(name=name, args=args):
                await self._command(ctx, name, args)
            case Press(button=button, turn=turn):
                await self._press(ctx, button, turn)
            case Text(text=text, attachment=None):
                await self._typed(ctx, text)
            case Text(text=text, attachment=what):
                ctx.say(ctx.messages.caption_read.format(what=what))
                await self._typed(ctx, text)

    async def _command(self, ctx: Context, name: str, args: str) -> None:
        entry = self.router.commands.get(name)
        if entry is None:
            ctx.say(ctx.messages.unknown_command.format(command=name[:32]))
            await ctx.reprompt()
            return
        await self._enter(ctx, entry, args)

    async def _enter(self, ctx: Context, entry: Entry, arg: str) -> None:
        """Runs a command or a button action, leaving the open dialog first if it says so."""
        before = ctx.dialog.state
        if entry.leaves:
            await ctx.set_aside()
        await entry.run(ctx, arg)
        if entry.reprompt:
            await ctx.reprompt()
        self._check(ctx, before, self.router.after_entry(entry), stays=not entry.leaves)

    async def _run_command(self, ctx: Context, name: str) -> None:
        await self.router.commands[name].run(ctx, "")

    async def _read_story(self, ctx: Context, text: str) -> None:
        assert self.router.idle_text is not None  # the router made sure
        await self.router.idle_text.run(ctx, text)

    async def _press(self, ctx: Context, button: str, turn: int | None) -> None:
        question_id, is_answer, value = button.partition("=")
        name, _, arg = button.partition(":")
        entry = None if is_answer else self.router.actions.get(name)
        if turn is not None and turn != ctx.dialog.turn and not (entry and entry.any_turn):
            await ctx.stale()
            return
        if is_answer:
            question = self.content.questions.get(question_id)
            valid = (
                question is not None
                and question_id == ctx.dialog.state
                and (
                    question.option(value) is not None
                    if question.kind == "choice"
                    else value == "" and question.skip is not None
                )
            )
            if not valid:
                await ctx.stale()
                return
            await self._answer(ctx, question_id, value)
            return
        if entry is None or (entry.arg is not None and entry.arg != bool(arg)):
            await ctx.stale()
            return
        await self._enter(ctx, entry, arg)

    async def _typed(self, ctx: Context, text: str) -> None:
        state = ctx.dialog.state
        told = self.router.after_entry(self.router.idle_text) if self.router.idle_text else set()
        if state == IDLE:
            await self._read_story(ctx, text)
            self._check(ctx, state, frozenset(told))
            return
        ask = self.router.asks[state]
        if ask.on_text is not None:
            await ask.on_text(ctx, text)
            self._check(ctx, state, self.router.after_answer(state), stays=True)
            return
        question = self.content.question(state)
        if question.kind == "choice":
            option = match_option(question, text, loose=False)
            # A story beats an option's word inside it ("the new label" is no "new").
            if option is None and looks_like_story(text):
                await ctx.tell(text)
                self._check(ctx, state, frozenset(told) | self.router.after_answer(state))
                return
            if option is None and ask.loose:
                option = match_option(question, text)
            if option is None and ask.typed is not None:
                said = len(ctx.replies)
                await ask.typed(ctx, text)
                if ctx.dialog.state == state and is_question(text):
                    # Not read as a day or a zone: a question, said to be one.
                    del ctx.replies[said:]
                    ctx.say(ctx.messages.question_later)
                    await ctx.ask_again()
                self._check(ctx, state, self.router.after_answer(state), stays=True)
                return
            if option is None and is_question(text):
                ctx.say(ctx.messages.question_later)
                await ctx.ask_again()
                return
            if option is None:
                labels = ", ".join(f'"{words(o.label)}"' for o in question.options)
                ctx.say(ctx.messages.pick_an_option.format(options=labels))
                await ctx.ask_again()
                return
            await self._answer(ctx, state, option.id)
            return
        if (
            ask.on_story is not None
            and (
                ask.parse is not None
                or ask.brief
                or len(text.strip()) > (ask.limit or 0)
                or asks_something(text)
            )
            and looks_like_story(text)
        ):
            # A story where a date or a few words were wanted, or too long to keep as an
            # answer: the question takes the story (it may hold the answer) rather than
            # calling it an unreadable date or refusing its length.
            await ctx.tell(text)
            self._check(ctx, state, self.router.after_answer(state), stays=True)
            return
        if pleasantry(text) is not None:
            # "hi", "thanks!", "ok" where a name, a few words or a date were wanted: no answer.
            ctx.say(ctx.messages.answer_first)
            await ctx.ask_again()
            return
        said = len(ctx.replies)
        value = await checked_text(ctx, ask, text)
        if value is None:
            if ask.parse is not None and is_question(text):
                # "what do you mean by that?" is a question, not an unreadable date; "how
                # about next tuesday?" was read as the answer it is.
                del ctx.replies[said:]
                ctx.say(ctx.messages.question_later)
            await ctx.ask_again()
            return
        await self._answer(ctx, state, value)

    async def _answer(self, ctx: Context, question_id: str, value: str) -> None:
        """Hands a valid answer to the question's owner."""
        await self.router.asks[question_id].on_answer(ctx, value)
        self._check(ctx, question_id, self.router.after_answer(question_id), stays=True)

    def _check(
        self, ctx: Context, before: str, allowed: frozenset[str], *, stays: bool = False
    ) -> None:
        """Refuses a move the flows did not declare, so the checked graph is the real one.

        Going idle is always a way out, and a question asked again stays where it was.
        """
        state = ctx.dialog.state
        if ctx.user_deleted or state == IDLE or state in allowed or (stays and state == before):
            return
        raise UndeclaredTransitionError(f"{before!r} -> {state!r}")


async def _close(ctx: Context) -> Outcome:
    """Stamps the replies with the turn their buttons belong to and saves the user."""
    dialog = ctx.dialog
    if any(reply.buttons for reply in ctx.replies):
        dialog.turn += 1
    if not ctx.user_deleted:
        await ctx.users.save(ctx.user)
    replies: list[Reply] = []
    lead = ""
    for reply in ctx.replies:
        if reply.chart is not None and lead:
            # A picture's caption stays the one line it was written as.
            replies.append(Reply(lead))
            lead = ""
        text = f"{lead}\n\n{reply.text}" if lead else reply.text
        plain = reply.document is None and reply.chart is None
        if not reply.buttons and not reply.advice and plain:
            # A plain line joins the next message: fewer messages, same words.
            lead = text
            continue
        lead = ""
        replies.append(replace(reply, text=text, turn=dialog.turn if reply.buttons else 0))
    if lead:
        replies.append(Reply(lead))
    return Outcome(tuple(replies), ctx.was_stale)
