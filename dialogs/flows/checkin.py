"""/checkin: the questions about one contact with a hero, and what the coach makes of them.

A check-in starts from the user's story (docs/coaching.md, section 2): the reader fills
every closed question the story answers, the coach says what it understood and asks
only what is missing. A check-in's next question is the first of its plan not yet
answered, so a paused check-in resumes exactly where it stopped.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, timedelta

from dialogs import evidence
from dialogs.content import Content
from dialogs.dates import DateProblem, parse_past_date
from dialogs.flows import reminders
from dialogs.flows.base import (
    IDLE,
    STORY,
    Ask,
    Context,
    Entry,
    Flow,
    asks_something,
    checked_text,
    day_text,
    looks_like_story,
)
from dialogs.matching import match_option, words
from dialogs.model import AskOutcome, Hero, Interaction, InteractionKind, StepId
from dialogs.playbook import READINGS, by_importance, temperature
from dialogs.reader import Reading, StoryReading, Time, read_story
from dialogs.reader.checkin import Answer, fill
from dialogs.reader.text import clean
from dialogs.steps import STEPS, Facts, Step

# The story comes first: what it answers is not asked again.
OPENING = ("checkin.story", "checkin.when", "checkin.date", "checkin.kind", "checkin.reaction")
STORY_ANSWER = "checkin.story"
# The offer to record a story told outside a check-in (dialogs/flows/story.py).
OFFER = "story.offer"
# A tap is checked against the story's words, but for the day: "earlier" and a typed
# date say the same thing differently.
_UNCHECKED = "checkin.when"
WHEN_DAYS_BACK = {"today": 0, "yesterday": 1}
# The follow-through question, and the advice it asked about (kept with the answers).
TRIED, TRIED_ADVICE = "checkin.tried", "checkin.tried_advice"
STORY_LIMIT = 3000


def plan(step: Step, answers: Mapping[str, str]) -> tuple[str, ...]:
    """Returns every question of a check-in on `step`, given the answers so far."""
    return (*OPENING, *step.questions(answers))


def questions() -> tuple[str, ...]:
    """Returns every question a check-in can ask (a plan for no answers is the fullest)."""
    return tuple(dict.fromkeys(q for step in STEPS.values() for q in plan(step, {})))


async def past_date(ctx: Context, text: str) -> str | None:
    """Reads a day in the past ("3 days ago"), or says why it can't."""
    found = parse_past_date(text, ctx.today(), ctx.user.prefs.timezone)
    if isinstance(found, date):
        return found.isoformat()
    ctx.say(
        {
            DateProblem.UNREADABLE: ctx.messages.bad_date,
            DateProblem.FUTURE: ctx.messages.future_date,
            DateProblem.TOO_OLD: ctx.messages.too_old_date,
            DateProblem.AMBIGUOUS: ctx.messages.ambiguous_date,
        }[found]
    )
    return None


async def start(ctx: Context, _args: str = "") -> None:
    if ctx.in_checkin():
        # /checkin in the middle of one: carry on rather than pause it and offer it back.
        ctx.say(ctx.messages.checkin_under_way.format(hero=await ctx.hero_name()))
        await ctx.ask_again()
        return
    if ctx.dialog.state == OFFER and ctx.dialog.hero_id is not None:
        # /checkin typed at the offer to record a story: that story is the one to record.
        offered = await ctx.heroes.get(ctx.user.id, ctx.dialog.hero_id)
        story = ctx.dialog.answers.get(STORY_ANSWER, "")
        if offered is not None and not offered.archived and story:
            ctx.user.current_hero_id = offered.id
            await open_checkin(ctx, offered, {}, story=story)
            return
    await ctx.set_aside()
    hero = await ctx.current_hero()
    if hero is None:
        ctx.say(ctx.messages.need_hero)
        return
    kept = ctx.dialog.take_kept(hero.id, ctx.today().isoformat())
    if kept and ctx.dialog.paused_for(hero.id) is None:
        ctx.say(ctx.messages.checkin_from_kept)
        await open_checkin(ctx, hero, {}, story=kept)
        return
    if ctx.dialog.paused_for(hero.id) is not None:
        ctx.dialog.hero_id = hero.id
        await ctx.ask("checkin.resume")
        return
    await open_checkin(ctx, hero, {})


async def open_checkin(
    ctx: Context, hero: Hero, answers: dict[str, str], *, story: str = ""
) -> None:
    """Opens a check-in on `answers`; a `story` told before (an idle story recorded) is
    read as the check-in's own."""
    ctx.focus(hero.id, answers)
    step = ctx.content.steps[hero.step]
    ctx.say(
        ctx.messages.checkin_start.format(
            hero=hero.name, number=hero.step.number, title=step.title
        )
    )
    if not answers:
        # Follow-through: a new check-in opens with what the coach suggested last time
        # (whether it was tried is asked before this contact is judged).
        tried = last_try(await ctx.interactions.of(ctx.user.id, hero.id), ctx.content)
        if tried is not None:
            try_this = ctx.content.advice[tried].try_this
            ctx.say(ctx.messages.checkin_last_advice.format(try_this=try_this))
    if story:
        await take_story(ctx, hero, story)
        return
    await next_question(ctx)


async def resume(ctx: Context, choice: str) -> None:
    hero = await ctx.current_hero()
    paused = ctx.dialog.paused_for(hero.id) if hero is not None else None
    if paused is None or hero is None:
        ctx.idle()
        await start(ctx)
        return
    ctx.dialog.drop_paused(hero.id)
    await open_checkin(ctx, hero, paused.answers if choice == "resume" else {})


# --- the story first ----------------------------------------------------------------


async def read_about(ctx: Context, text: str, hero: Hero) -> tuple[StoryReading, Hero]:
    """Reads a story told about `hero`, and returns it with the hero it is about: another
    of the user's heroes when the story names them."""
    others = [h for h in await ctx.heroes.of(ctx.user.id) if h.id != hero.id]
    heroes = [hero, *others]

    def about(step: StepId) -> StoryReading:
        # The hero's step is context: at the ask, a bare "she said no" answers it.
        return read_story(
            text,
            min_meetings=ctx.content.readiness.min_meetings,
            heroes=[h.name for h in heroes],
            today=ctx.today(),
            step=step.value,
        )

    found = about(hero.step)
    named = next((h for h in heroes if found.reading and h.name == found.reading.hero), hero)
    if named.step is not hero.step:
        found = about(named.step)
    return found, named


def quoted(text: str, evidence: str) -> str:
    """The user's own words behind the reader's evidence: its main clause (the evidence
    is a window of words around a match, which may run into the next clause), as the
    user wrote it rather than lower-cased and respelled as the reader keeps it."""
    clauses = [c.strip() for c in _CLAUSES.split(evidence) if c and c.strip()]
    # The longest clause, and of equals one with its own subject: "i just listened" says
    # more than "at her company".
    clause = max(
        clauses, key=lambda c: (len(c.split()), bool(_SUBJECT.match(c))), default=evidence
    )
    tokens = re.findall(r"[^\W_]+", clause)
    if not tokens:
        return clause
    exact = r"[\W_]*".join(re.escape(token) for token in tokens)
    # The reader respells ("abt" is "about"): a word with the same first letter stands in.
    loose = r"[\W_]*".join(rf"(?:{re.escape(t)}|{re.escape(t[0])}[^\W_]*)" for t in tokens)
    found = re.search(exact, text, re.IGNORECASE) or re.search(loose, text, re.IGNORECASE)
    if found is None:
        return clause
    # The window may stop mid-phrase ("I pitched my app the"): run on to the clause's end.
    # A word or two ("ask") says nothing quoted alone: it runs on further.
    rest = _CLAUSE_END.split(text[found.end() :], maxsplit=1)[0]
    run_on = _RUN_ON if len(tokens) >= _FEW else _RUN_ON_FEW
    words = list(re.finditer(r"\S+", rest))
    if len(words) > run_on:
        # Cut where the user's words go on: the ellipsis says so.
        return f"{_closed(text[found.start() : found.end() + words[run_on - 1].end()].strip())}…"
    # As typed: a closing quote or bracket stays against its word.
    return _closed((found.group() + rest).strip())


def _closed(quote: str) -> str:
    """Closes a quotation the cut left open ('he said "not till March' gains its '"')."""
    return f'{quote}"' if quote.count('"') % 2 else quote


# An emoji ends a clause as punctuation does ("posted it 😭😭 she was so nice").
_EMOJI = "\u2600-\u27bf\U0001f000-\U0001faff"
_CLAUSES = re.compile(rf"[,;:{_EMOJI}]|\b(?:and|but|so|then|while|because)\b")
_SUBJECT = re.compile(r"(?:i|i'm|i've|we|she|he|they|you|my|her|his)\b", re.IGNORECASE)
_CLAUSE_END = re.compile(rf"[.,;:!?\n{_EMOJI}]|\b(?:and|but|so|then|while|because)\b")
_RUN_ON = 5  # words
_FEW, _RUN_ON_FEW = 3, 8  # words


async def answer_story(ctx: Context, value: str) -> None:
    """The story typed (or skipped) as the check-in's first answer."""
    hero = await ctx.heroes.get(ctx.user.id, ctx.dialog.hero_id) if ctx.dialog.hero_id else None
    if not value or hero is None:
        ctx.dialog.answers[STORY_ANSWER] = value
        await next_question(ctx)
        return
    await take_story(ctx, hero, value)


async def story_instead(ctx: Context, text: str) -> None:
    """A story typed at one of the check-in's questions belongs to this check-in: it is
    added to the story told so far and fills what it answers."""
    hero = await ctx.heroes.get(ctx.user.id, ctx.dialog.hero_id) if ctx.dialog.hero_id else None
    if hero is None:
        await next_question(ctx)
        return
    told = ctx.dialog.answers.get(STORY_ANSWER)
    reading = _reading((await read_about(ctx, text, hero))[0])
    recorded = ctx.dialog.answers.get("checkin.date")
    other_day = reading.day is not None and reading.day.isoformat() != (recorded or "")
    later = bool(told) and (
        bool(recorded and other_day)
        or _ANOTHER_TIME.search(clean(text).lower()) is not None
        or _opens_apart(ctx, text, reading)
    )
    if asks_something(text) or reading.time is not Time.HAPPENED or reading.strangers or later:
        # A question, a plan, someone who is no hero or another contact: added to this one,
        # it would rewrite what this one was, and a question in it would go unanswered.
        why = (
            ctx.messages.question_apart
            if asks_something(text)
            else ctx.messages.story_another_contact
        )
        await ctx.read_apart(text, why)
        return
    ctx.say(ctx.messages.story_added)
    await take_story(ctx, hero, (f"{told}\n{text}" if told else text)[:STORY_LIMIT])


# A story told against an earlier one ("this time I just listened", "second coffee") is
# a later contact, whatever its day.
_ANOTHER_TIME = re.compile(
    r"\b(?:this time|(?:second|third|fourth|fifth|another|next|latest|new) (?:coffee|lunch|"
    r"call|meeting|chat|visit|dinner|drink))\b"
)


def _opens_apart(ctx: Context, text: str, reading: Reading) -> bool:
    """Tells whether a story opens with the user's contact of another kind than this
    check-in's: "emailed him a long thank-you..." told during a coffee's check-in is a
    later contact, while "she said to email her assistant" inside a coffee's story, or
    "she texted after" (the hero's answer to it), is part of it."""
    kind = ctx.dialog.answers.get("checkin.kind")
    if not kind or reading.kind in (None, kind) or reading.kind_words is None:
        return False
    opening = clean(text).lower().split()[:3]
    if opening and opening[0] in _HERO_SUBJECTS:
        return False
    cue = re.escape(reading.kind_words.split()[0])
    return re.search(rf"\b{cue}", " ".join(opening)) is not None


_HERO_SUBJECTS = {"she", "he", "they", "she's", "he's", "they've", "she'd", "he'd"}


async def take_story(ctx: Context, hero: Hero, text: str) -> None:
    """Keeps the story, fills what it answers and says what the coach understood."""
    ctx.dialog.answers[STORY_ANSWER] = text
    found, named = await read_about(ctx, text, hero)
    reading = _reading(found)
    if named.id != hero.id:
        # The one the user talks about is the one the coach talks about from now on.
        ctx.dialog.hero_id = ctx.user.current_hero_id = named.id
        title = ctx.content.steps[named.step].title
        ctx.say(
            ctx.messages.checkin_other_hero.format(
                hero=named.name, number=named.step.number, title=title
            )
        )
    if reading.language != "en":
        # Never a silent misreading (a name reads the same in any language, so the
        # hero was still found): the taps will do what the reader can't.
        ctx.say(ctx.messages.checkin_other_language)
        await next_question(ctx)
        return
    if named.step is not StepId.ASK and "ask.asked" in fill(reading, today=ctx.today()):
        await _asked_early(ctx, named)
    filled = _fills(ctx, named, reading)
    for question_id, said in filled.items():
        ctx.dialog.answers[question_id] = said.option
    if "checkin.when" in filled:
        assert reading.day is not None  # the reader fills "when" from a day it found
        ctx.dialog.answers["checkin.date"] = reading.day.isoformat()
    if not filled:
        await next_question(ctx)
        return
    await ctx.ask("checkin.understood", understood=_understood(ctx, text, reading, filled))


async def _asked_early(ctx: Context, hero: Hero) -> None:
    """The story tells the hero's answer to an ask made before step 5: the contact is
    recorded at the ask, so the answer counts ("not till March" times the reminder), and
    the step is noted as reached early, as a move the user makes anyway."""
    hero.journey = replace(hero.journey, early=(*hero.journey.early, StepId.ASK.value))
    hero.step = StepId.ASK
    await ctx.heroes.save(hero)
    ctx.say(ctx.messages.checkin_asked_early.format(hero=hero.name))


def _fills(ctx: Context, hero: Hero, reading: Reading) -> dict[str, Answer]:
    """What the story answers of this hero's check-in, in the order it asks."""
    filled = fill(reading, today=ctx.today())
    answers = {**ctx.dialog.answers, **{q: a.option for q, a in filled.items()}}
    return {
        q: filled[q]
        for q in plan(STEPS[hero.step], answers)
        if q in filled and q not in ctx.dialog.answers
    }


def _understood(ctx: Context, text: str, reading: Reading, filled: Mapping[str, Answer]) -> str:
    """One line of what the story answered, each with the words it rests on."""
    parts: list[str] = []
    quotes: list[str] = []
    for question_id, found in filled.items():
        question = ctx.content.question(question_id)
        option = question.option(found.option)
        label = words(option.label).lower() if option else found.option
        if question_id == "checkin.when" and found.option == "earlier" and reading.day:
            label = day_text(reading.day)
        if question_id in _CONTACT:
            parts.append(label)
            continue
        topic = ctx.content.question("checkin.fix").option(_fix_option(question_id))
        quote = quoted(text, found.evidence)
        # Words quoted once are not quoted again for the next answer they give.
        repeated = any(quote in q or q in quote for q in quotes)
        quotes.append(quote)
        parts.append(
            (ctx.messages.understood_plain if repeated else ctx.messages.understood_part).format(
                topic=words(topic.label).lower() if topic else question_id,
                answer=label,
                quote=quote,
            )
        )
    # "coffee, yesterday; their reaction: warm (...)": the contact, then the rest.
    contact = ", ".join(reversed(parts[: sum(q in _CONTACT for q in filled)]))
    rest = parts[sum(q in _CONTACT for q in filled) :]
    return "; ".join([contact, *rest] if contact else rest)


def _reading(found: StoryReading) -> Reading:
    assert found.reading is not None  # read_story always keeps its reading
    return found.reading


def _close(said: int | None, tapped: int | None) -> bool:
    """Tells whether two reactions are near enough not to contradict (warm and hot)."""
    return said is None or tapped is None or abs(said - tapped) < 2


_CONTACT = ("checkin.when", "checkin.kind")


def _fix_option(question_id: str) -> str:
    return question_id.replace(".", "_")


async def understood(ctx: Context, choice: str) -> None:
    """ "Anything I got wrong?": all right goes on; a fix asks which answer was wrong."""
    if choice != "fix":
        await next_question(ctx)
        return
    hero = await ctx.heroes.get(ctx.user.id, ctx.dialog.hero_id) if ctx.dialog.hero_id else None
    if hero is None:
        await next_question(ctx)  # says the hero is gone
        return
    reading = _reading((await read_about(ctx, ctx.dialog.answers.get(STORY_ANSWER, ""), hero))[0])
    fixable = [
        _fix_option(q)
        for q in fill(reading, today=ctx.today())
        if q in ctx.dialog.answers and _fix_option(q) in _FIX_OPTIONS
    ]
    await ctx.ask("checkin.fix", only=fixable, fixable=" ".join(fixable))


async def corrected(ctx: Context, text: str) -> None:
    """A typed answer to "Anything I got wrong?": a yes or a no, or the correction itself
    ("she was warm, actually"), read like the story and taken over it."""
    hero = await ctx.heroes.get(ctx.user.id, ctx.dialog.hero_id) if ctx.dialog.hero_id else None
    if hero is None:
        await next_question(ctx)  # says the hero is gone
        return
    found, _ = await read_about(ctx, text, hero)
    reading = _reading(found)
    fixed = {
        q: said
        for q, said in fill(reading, today=ctx.today()).items()
        if q in plan(STEPS[hero.step], ctx.dialog.answers) and reading.language == "en"
    }
    if not fixed:
        # "no it was a call" is a correction; a bare "yes" or "no" is not.
        option = match_option(ctx.content.question("checkin.understood"), text)
        await understood(ctx, option.id if option else "fix")
        return
    for question_id, said in fixed.items():
        ctx.dialog.answers[question_id] = said.option
    if "checkin.when" in fixed and reading.day is not None:
        ctx.dialog.answers["checkin.date"] = reading.day.isoformat()
    line = _understood(ctx, text, reading, fixed)
    ctx.say(ctx.messages.checkin_corrected.format(understood=line))
    await next_question(ctx)


async def typed_fix(ctx: Context, text: str) -> None:
    """Which answer was wrong, typed: one of those offered, or the offer again."""
    offered = ctx.dialog.prompt.get("fixable", "").split()
    option = match_option(ctx.content.question("checkin.fix"), text)
    if option is not None and option.id in offered:
        await fix(ctx, option.id)
        return
    if looks_like_story(text):
        await ctx.tell(text)
        return
    question = ctx.content.question("checkin.fix")
    labels = ", ".join(f'"{words(o.label)}"' for o in question.options if o.id in offered)
    ctx.say(ctx.messages.pick_an_option.format(options=labels))
    await ctx.ask_again()


async def fix(ctx: Context, choice: str) -> None:
    """Forgets the answer the story gave to one question, so it is asked."""
    question_id = _FIX_OPTIONS.get(choice)
    if question_id is not None:
        ctx.dialog.answers.pop(question_id, None)
        if question_id == "checkin.when":
            ctx.dialog.answers.pop("checkin.date", None)
    await next_question(ctx)


async def contradicted(ctx: Context, question_id: str, value: str) -> bool:
    """Names a tap that contradicts the story and asks which is closer; tells whether it
    did (a tap made after being asked so is taken as it is)."""
    story = ctx.dialog.answers.get(STORY_ANSWER, "")
    hero_id = ctx.dialog.hero_id
    if not story or question_id == _UNCHECKED or "tapped" in ctx.dialog.prompt:
        return False
    hero = await ctx.heroes.get(ctx.user.id, hero_id) if hero_id else None
    if hero is None:
        return False
    said = fill(_reading((await read_about(ctx, story, hero))[0]), today=ctx.today()).get(
        question_id
    )
    if said is None or said.option == value:
        return False
    if question_id == "checkin.reaction" and _close(READINGS[said.option], READINGS[value]):
        return False
    question = ctx.content.question(question_id)
    tapped = question.option(value)
    closer = ctx.messages.checkin_contradiction.format(
        tapped=words(tapped.label) if tapped else value, quote=quoted(story, said.evidence)
    )
    await ctx.ask(question_id, only=(value, said.option), text=closer, tapped=value)
    return True


# --- the rest of the questions --------------------------------------------------------


async def answer(ctx: Context, value: str) -> None:
    question_id = ctx.dialog.state
    if await contradicted(ctx, question_id, value):
        return
    ctx.dialog.answers[question_id] = value
    if question_id == "checkin.when" and value in WHEN_DAYS_BACK:
        day = ctx.today() - timedelta(days=WHEN_DAYS_BACK[value])
        ctx.dialog.answers["checkin.date"] = day.isoformat()
    await next_question(ctx)


async def typed_when(ctx: Context, text: str) -> None:
    """ "Or type a date": a day typed instead of a button."""
    day = await checked_text(ctx, ASKS["checkin.date"], text)
    if day is None:
        await ctx.ask_again()
        return
    ctx.dialog.answers["checkin.when"] = "typed"
    ctx.dialog.state = "checkin.date"
    await answer(ctx, day)


async def next_question(ctx: Context) -> None:
    hero_id = ctx.dialog.hero_id
    hero = await ctx.heroes.get(ctx.user.id, hero_id) if hero_id else None
    if hero is None or hero.archived:
        ctx.idle()
        ctx.say(ctx.messages.need_hero)
        return
    step = STEPS[hero.step]
    pending = [q for q in plan(step, ctx.dialog.answers) if q not in ctx.dialog.answers]
    if pending:
        if pending[0] == "ask.asked" and hero.rehearsed:
            # The wording practised with /rehearse, beside the question about the real ask.
            ctx.say(ctx.content.rehearse.shown_again.format(wording=hero.rehearsed))
        await ctx.ask(pending[0])
        return
    if TRIED not in ctx.dialog.answers:
        history = await ctx.interactions.of(ctx.user.id, hero.id)
        tried = last_try(history, ctx.content)
        if tried is not None:
            # Follow-through: the last advice is asked about before this contact is judged,
            # after the last door they left open, if they did.
            doors = [i for i in history if i.open_door]
            if doors:
                day = day_text(max(i.happened_on for i in doors))
                ctx.say(ctx.messages.checkin_last_door.format(hero=hero.name, date=day))
            ctx.dialog.answers[TRIED_ADVICE] = tried
            await ctx.ask(TRIED, try_this=ctx.content.advice[tried].try_this)
            return
    await finish(ctx, hero, step)


def last_try(history: list[Interaction], content: Content) -> str | None:
    """The last contact's first advice that names something to try, if any."""
    if not history:
        return None
    last = max(history, key=lambda i: i.happened_on)
    return next((a for a in last.advice if content.advice[a].try_this), None)


async def finish(ctx: Context, hero: Hero, step: Step) -> None:
    content, messages = ctx.content, ctx.messages
    answers = dict(ctx.dialog.answers)
    story = answers.get(STORY_ANSWER, "")
    reading = READINGS[answers["checkin.reaction"]]
    weights = content.temperature.signals
    signals = {step.signals[f"{q}={a}"] for q, a in answers.items() if f"{q}={a}" in step.signals}
    found = (await read_about(ctx, story, hero))[0] if story else None
    told = found.reading if found and found.reading and found.reading.language == "en" else None
    if found is not None and told is not None:
        signals |= {s.value for s in found.signals if s.value in weights}
    read = found if told is not None else None
    temp = temperature(reading, signals, content)
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
    history = await ctx.interactions.of(ctx.user.id, hero.id)
    timeline = sorted([*history, interaction], key=lambda i: i.happened_on)
    verdict = step.judge(
        Facts(answers, reading, temp, frozenset(signals), timeline, content, story=told)
    )
    cold = temp <= content.evidence.cold
    # What the story itself says weighs in beside the step's questions: a drop-in
    # unannounced is pushing, whatever step the hero is at.
    told_advice = told.advice if told is not None else ()
    interaction.advice = spoken_advice(verdict.advice, cold, content, told=told_advice)
    await ctx.interactions.add(ctx.user.id, interaction)
    named = read.reading.named_date if read is not None and read.reading else None
    outcome = record_outcome(hero, answers, interaction.happened_on, named, ctx.today())
    if verdict.move_to is not None:
        hero.step = verdict.move_to
    if verdict.move_to is not None or outcome is not None:
        await ctx.heroes.save(hero)
    ctx.idle()

    quotes = {a: quoted(story, e) for a, e in told.evidence.items()} if told else {}
    given = Counter(a for i in history for a in i.advice)
    ctx.advise(interaction.advice, intro=pattern_text(ctx, timeline), quotes=quotes, times=given)
    if verdict.move_to is not None:
        title = content.steps[hero.step].title
        ctx.say(messages.moved_back.format(hero=hero.name, number=hero.step.number, title=title))
    summary = [
        messages.checkin_saved.format(
            kind=interaction.kind.value,
            date=day_text(interaction.happened_on),
            temperature=temp,
            label=content.temperature.labels[temp],
        )
    ]
    tried = answers.get(TRIED)
    if tried in TRIED_REPLIES:
        summary.append(getattr(messages, TRIED_REPLIES[tried]))
    summary.append(next_action(ctx, hero, evidence.since(hero, timeline), cold))
    ctx.say("\n".join(summary))
    # A new contact resets the hero's reminder clock: the old follow-up goes.
    await ctx.reminders.cancel_for_hero(ctx.user.id, hero.id, follow_ups_only=True)
    busy = hero.journey.busy_until
    days = (date.fromisoformat(busy) - ctx.today()).days if busy else 0
    if days > 0 and busy:
        # Reaching out before the day the hero named would be chasing.
        ctx.say(
            messages.followup_busy.format(hero=hero.name, date=day_text(date.fromisoformat(busy)))
        )
    await reminders.propose(ctx, hero, temp, days=days if days > 0 else None)


TRIED_REPLIES = {"worked": "tried_worked", "didnt": "tried_didnt", "not_yet": "tried_not_yet"}


def pattern_text(ctx: Context, timeline: list[Interaction]) -> str:
    """Names a red flag repeated across the latest contacts, or says nothing."""
    found = evidence.streak(timeline, ctx.content)
    if found is None:
        return ""
    rule = ctx.content.evidence
    ordinal = rule.ordinals[found.count - 1] if found.count <= len(rule.ordinals) else ""
    return ctx.messages.pattern_named.format(
        count=ordinal or str(found.count), says=rule.marks[found.mark].says
    )


# Praise that a cold contact must not hear in the same reply as "it was cold".
PRAISE = frozenset({"interests.well_done", "germ.well_done", "distance.respectful_deference"})


def spoken_advice(
    advice: tuple[str, ...], cold: bool, content: Content, told: tuple[str, ...] = ()
) -> tuple[str, ...]:
    """The advice one reply carries: no praise for a cold contact, at most two pieces.

    What the user's own story shows (`told`) leads: their words are the evidence, a tap
    ("nothing much yet") only fills in around them."""
    if cold:
        advice = (*(a for a in advice if a not in PRAISE), "radar.cold_give_space")
        told = tuple(a for a in told if a not in PRAISE)
    ranked = dict.fromkeys((*by_importance(told, content), *by_importance(advice, content)))
    return tuple(ranked)[: content.reader.max_advice]


def record_outcome(
    hero: Hero, answers: Mapping[str, str], on: date, named: date | None, today: date
) -> AskOutcome | None:
    """Keeps the answer to the ask on the hero, with the day they said they'd be free."""
    asked = answers.get("ask.asked", "")
    if asked not in set(AskOutcome):
        return None
    outcome = AskOutcome(asked)
    busy = named.isoformat() if outcome is AskOutcome.NOT_NOW and named and named > today else None
    hero.journey = replace(
        hero.journey, outcome=outcome, outcome_on=on.isoformat(), busy_until=busy
    )
    return outcome


def next_action(ctx: Context, hero: Hero, timeline: list[Interaction], cold: bool) -> str:
    """The one concrete next action that ends a check-in's reply, as the record supports it."""
    messages, content = ctx.messages, ctx.content
    following = hero.step.next
    if hero.step is StepId.ASK:
        return (
            messages.step_after_yes
            if hero.journey.outcome is AskOutcome.YES
            else messages.step_last
        )
    done = evidence.check(hero.step, timeline, content).done
    if done and not cold and following is not None:
        title = content.steps[following].title
        return messages.step_going_well.format(
            hero=hero.name, number=following.number, title=title
        )
    return messages.step_keep_going.format(hero=hero.name, number=hero.step.number)


def check(content: Content) -> list[str]:
    """The check-in's options must be the playbook's readings, kinds and signals."""
    problems = []
    if list(STEPS) != list(StepId):
        problems.append(f"steps registry out of playbook order: {list(STEPS)}")
    if "checkin.reaction" in content.questions:
        reactions = {o.id for o in content.question("checkin.reaction").options}
        if reactions != set(READINGS):
            problems.append(f"checkin.reaction options {sorted(reactions)} != readings")
    if "checkin.kind" in content.questions:
        kinds = {o.id for o in content.question("checkin.kind").options}
        if kinds != {k.value for k in InteractionKind}:
            problems.append(f"checkin.kind options {sorted(kinds)} != interaction kinds")
    for step in STEPS.values():
        for source, signal in step.signals.items():
            question_id, _, option_id = source.partition("=")
            question = content.questions.get(question_id)
            if question is None or question.option(option_id) is None:
                problems.append(f"{step.id}: signal source {source!r} is no option")
            if signal not in content.temperature.signals:
                problems.append(f"{step.id}: signal {signal!r} has no temperature weight")
    if "checkin.fix" in content.questions:
        unknown = {o.id for o in content.question("checkin.fix").options} - set(_FIX_OPTIONS)
        problems += [f"checkin.fix option {o!r} names no check-in question" for o in unknown]
    return problems


# What the story answered is confirmed, or one answer fixed, before the rest is asked.
_STORY_QUESTIONS = ("checkin.understood", "checkin.fix")
# A check-in question leads to another, to the follow-up offer, or back to idle; or, for a
# story of another contact told at it (story_instead), wherever a story leads.
_NEXT = (*questions(), *_STORY_QUESTIONS, TRIED, "checkin.followup", IDLE, STORY)
_LIMITS = {"checkin.date": 100, STORY_ANSWER: STORY_LIMIT, "interests.lit_up": 200}
_PARSERS = {"checkin.date": past_date}
ASKS = {
    q: Ask(
        answer,
        _NEXT,
        limit=_LIMITS.get(q),
        parse=_PARSERS.get(q),
        pausable=True,
        on_story=story_instead,
    )
    for q in questions()
}
ASKS[STORY_ANSWER] = Ask(answer_story, _NEXT, limit=STORY_LIMIT, pausable=True)
ASKS["checkin.when"] = Ask(answer, _NEXT, typed=typed_when, pausable=True, on_story=story_instead)
ASKS["checkin.understood"] = Ask(understood, _NEXT, on_text=corrected, pausable=True)
# A story typed instead of naming what was wrong is read as one.
ASKS["checkin.fix"] = Ask(fix, _NEXT, on_text=typed_fix, pausable=True)
ASKS["checkin.resume"] = Ask(resume, _NEXT)
ASKS[TRIED] = Ask(answer, _NEXT, pausable=True, on_story=story_instead)
_OPENS = ("checkin.resume", *questions(), *_STORY_QUESTIONS, TRIED)
# checkin.fix's options name the questions a story can answer: "checkin_reaction".
_FIX_OPTIONS = {_fix_option(q): q for q in questions()}

FLOW = Flow(
    "checkin",
    commands={"checkin": Entry(start, enters=_OPENS, leaves=False)},
    questions=ASKS,
    actions={"checkin": Entry(start, enters=_OPENS, arg=False)},
    check=check,
)
