"""The coach's dialogs, driven turn by turn, on the in-memory fake, SQLite and PostgreSQL."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from dialogs.content import ADVICE_IDS, Content
from dialogs.engine import Coach
from dialogs.model import (
    Command,
    InteractionKind,
    Press,
    ReminderStatus,
    StepId,
    Text,
    Unsupported,
)
from testkit.memory import MemoryStore
from tests.conftest import NOW, Chat, FixedClock

Units = Callable[[], Any]

TODAY = NOW.date()


@pytest.fixture
def chat(content: Content, clock: FixedClock, store_url: str | None, units: Units) -> Chat:
    """Every engine test runs on the in-memory fake, SQLite and PostgreSQL (the last
    skipped without TEST_POSTGRES_URL)."""
    if store_url is None:
        return Chat(Coach(content, clock), MemoryStore())  # one a test can copy
    return Chat(Coach(content, clock), units=units)


async def onboard(chat: Chat, name: str = "Dana", met: str = "2026-10-03") -> None:
    await chat.say("/start")
    await chat.say(name)
    await chat.say("Producer at a label")
    await chat.say("At a conference talk")
    await chat.say(met)


async def add_hero(chat: Chat, name: str) -> None:
    """Adds another hero from /heroes, skipping the optional questions."""
    await chat.say("/heroes")
    await chat.press("hero.add")
    await chat.say(name)
    for skip in ("onboarding.role=", "onboarding.how_met=", "onboarding.when_met="):
        await chat.press(skip)


async def tap_checkin(chat: Chat, when: str = "") -> None:
    """Opens a check-in, chooses to tap rather than tell a story and, given `when`, taps it."""
    await chat.say("/checkin")
    await chat.press("checkin.story=")
    if when:
        await chat.press(f"checkin.when={when}")


async def checkin(
    chat: Chat, reaction: str, *answers: str, kind: str = "coffee", tried: str = "not_yet"
) -> None:
    """Runs a whole check-in by buttons: no story, today, `kind`, `reaction`, then answers,
    and whether the last advice was `tried` when that is asked."""
    await tap_checkin(chat, "today")
    await chat.press(f"checkin.kind={kind}")
    await chat.press(f"checkin.reaction={reaction}")
    for answer in answers:
        await chat.press(answer)
    await answer_tried(chat, tried)


async def press_as_asked(chat: Chat, *answers: str) -> None:
    """Presses each answer (`question=value`) while its question is the one open."""
    planned = {answer.partition("=")[0]: answer for answer in answers}
    while chat.state in planned:
        await chat.press(planned.pop(chat.state))


async def answer_tried(chat: Chat, tried: str = "not_yet") -> None:
    """Answers the follow-through question about the last advice, if it is asked (and
    `tried` is not empty: a test that answers it itself passes "")."""
    if tried and chat.state == "checkin.tried":
        await chat.press(f"checkin.tried={tried}")


async def set_step(chat: Chat, step: StepId) -> None:
    await chat.set_heroes(step=step)


# --- onboarding ---------------------------------------------------------------------


async def test_start_welcomes_with_the_thesis_and_asks_for_the_hero(chat: Chat) -> None:
    await chat.say("/start")
    assert chat.advice == ("intro.be_wanted",)
    assert "Ana" in chat.text
    assert "want" in chat.text
    assert chat.state == "onboarding.name"


async def test_onboarding_records_the_hero_and_offers_a_checkin(chat: Chat) -> None:
    await onboard(chat)
    [hero] = await chat.heroes()
    assert (hero.name, hero.role, hero.how_met) == (
        "Dana",
        "Producer at a label",
        "At a conference talk",
    )
    assert hero.met_on == date(2026, 10, 3)
    assert hero.step is StepId.INTERESTS
    assert chat.state == "idle"
    assert [b.id for b in chat.buttoned().buttons] == ["checkin"]


async def test_onboarding_questions_can_be_skipped(chat: Chat) -> None:
    await chat.say("/start")
    await chat.say("Dana")
    await chat.press("onboarding.role=")
    await chat.press("onboarding.how_met=")
    await chat.press("onboarding.when_met=")
    [hero] = await chat.heroes()
    assert (hero.role, hero.how_met, hero.met_on) == ("", "", None)


async def test_a_name_that_is_too_long_is_refused_kindly(chat: Chat) -> None:
    await chat.say("/start")
    await chat.say("D" * 65)
    assert "64" in chat.text
    assert chat.state == "onboarding.name"
    assert not await chat.heroes()


async def test_a_future_meeting_date_is_questioned(chat: Chat) -> None:
    await chat.say("/start")
    await chat.say("Dana")
    await chat.say("Producer")
    await chat.say("Conference")
    await chat.say((TODAY + timedelta(days=3)).isoformat())
    assert "future" in chat.text
    assert chat.state == "onboarding.when_met"


async def test_start_again_greets_with_where_the_user_stands(chat: Chat) -> None:
    await onboard(chat)
    await chat.say("/start")
    assert "Welcome back" in chat.text
    assert "Dana" in chat.text
    assert "step 1/5" in chat.text
    assert len(await chat.heroes()) == 1


STORY_AT_ROLE = (
    "had coffee w dana yesterday, she talked abt how touring is killing her team and i "
    "mostly listened n asked how she handles it. didnt pitch my app at all. she said "
    '"lets do this again next month"'
)


@pytest.mark.parametrize("skipped", [(), ("role", "how_met")])
async def test_a_story_told_before_the_questions_are_done_keeps_the_hero_and_is_read(
    chat: Chat, skipped: tuple[str, ...]
) -> None:
    """Asked what the hero does (a few words) or when they met (a date)."""
    await chat.say("/start")
    await chat.say("Dana")
    for question in skipped:
        await chat.press(f"onboarding.{question}=")
    await chat.say(STORY_AT_ROLE)
    [hero] = await chat.heroes()
    assert (hero.name, hero.role) == ("Dana", "")
    assert "story" in chat.text
    assert "radar.warm_open_door" in chat.advice
    assert chat.me().current_hero_id == hero.id


async def test_how_they_met_may_be_told_at_length(chat: Chat) -> None:
    await chat.say("/start")
    await chat.say("Dana")
    await chat.press("onboarding.role=")
    await chat.say(STORY_AT_ROLE)
    assert chat.state == "onboarding.when_met"
    assert chat.me().dialog.answers["onboarding.how_met"] == STORY_AT_ROLE


async def test_a_few_words_at_what_the_hero_does_are_the_answer(chat: Chat) -> None:
    await chat.say("/start")
    await chat.say("Dana")
    await chat.say("runs the night shift on the cardiac ward")
    assert chat.state == "onboarding.how_met"
    assert (
        chat.me().dialog.answers["onboarding.role"] == "runs the night shift on the cardiac ward"
    )


async def test_a_command_before_the_questions_are_done_keeps_the_named_hero(chat: Chat) -> None:
    await chat.say("/start")
    await chat.say("Dana")
    await chat.say("Producer at a label")
    await chat.say("/nextstep")
    [hero] = await chat.heroes()
    assert (hero.name, hero.role) == ("Dana", "Producer at a label")
    assert "Dana" in chat.text
    assert "/start" not in chat.text  # not sent back to the beginning


async def test_cancel_before_the_questions_are_done_keeps_nothing(chat: Chat) -> None:
    await chat.say("/start")
    await chat.say("Dana")
    await chat.say("/cancel")
    assert not await chat.heroes()
    assert chat.state == "idle"


async def test_a_first_message_from_a_stranger_starts_onboarding(chat: Chat) -> None:
    await chat.say("hello?")
    assert chat.advice == ("intro.be_wanted",)
    assert chat.state == "onboarding.name"


# --- check-ins, step by step --------------------------------------------------------
# At most two pieces of advice per reply, the most important first (reader.priority).

STEP_CASES = [
    # step 1: interests
    (StepId.INTERESTS, "warm", ["interests.whose=theirs", "interests.problem=yes",
      "interests.offer=insight", "interests.lit_up="], ("interests.well_done",)),
    (StepId.INTERESTS, "warm", ["interests.whose=mine", "interests.problem=no",
      "interests.offer=solution", "interests.lit_up="], ("interests.their_world",
      "interests.insight_over_solutions")),
    (StepId.INTERESTS, "lukewarm", ["interests.whose=half", "interests.problem=yes",
      "interests.offer=nothing", "interests.lit_up="], ("interests.their_world",
      "interests.insight_over_solutions")),
    # step 2: germ
    (StepId.GERM, "warm", ["germ.compliments=one", "germ.ease=at_ease", "germ.time=learning",
      "germ.posting=no"], ("germ.well_done",)),
    (StepId.GERM, "warm", ["germ.compliments=lost_count", "germ.ease=froze",
      "germ.time=achievements", "germ.posting=yes"], ("germ.no_live_tweeting",
      "germ.one_compliment")),
    (StepId.GERM, "warm", ["germ.compliments=several", "germ.ease=starstruck",
      "germ.time=half", "germ.posting=no"], ("germ.one_compliment", "germ.regular_people")),
    # step 3: radar
    (StepId.RADAR, "warm", ["radar.follow_up=yes", "radar.door=yes", "radar.pace=long"],
     ("radar.warm_open_door",)),
    (StepId.RADAR, "lukewarm", ["radar.follow_up=no", "radar.door=no", "radar.pace=as_planned"],
     ("radar.lukewarm_add_value", "principles.permission_marketing")),
    (StepId.RADAR, "cold", ["radar.follow_up=no", "radar.door=no", "radar.pace=short"],
     ("radar.cold_give_space", "principles.create_a_vacuum")),
    (StepId.RADAR, "cant_tell", ["radar.follow_up=yes", "radar.door=yes", "radar.pace=long"],
     ("radar.read_temperature", "radar.warm_open_door")),
    (StepId.RADAR, "hot", ["radar.follow_up=no", "radar.door=no", "radar.pace=short"],
     ("radar.social_intelligence", "radar.warm_open_door")),
    (StepId.RADAR, "cold", ["radar.follow_up=yes", "radar.door=yes", "radar.pace=long"],
     ("radar.social_intelligence", "radar.lukewarm_add_value")),
    # step 4: distance
    (StepId.DISTANCE, "warm", ["distance.stance=student", "distance.guidance=yes",
      "distance.push=no"], ("distance.respectful_deference",)),
    (StepId.DISTANCE, "warm", ["distance.stance=corrected", "distance.guidance=no",
      "distance.push=yes"], ("distance.autonomy_authority", "distance.they_are_the_guru")),
    (StepId.DISTANCE, "warm", ["distance.stance=peer", "distance.guidance=yes",
      "distance.push=no"], ("distance.they_are_the_guru",)),
    # step 5: ask (first check-in at this step: not ready)
    (StepId.ASK, "warm", ["ask.asked=not_yet", "ask.awkward=less", "ask.skills=yes"],
     ("ask.not_yet", "ask.offer_skills")),
    (StepId.ASK, "warm", ["ask.asked=yes"], ("ask.outcome_yes", "principles.servant_leadership")),
    (StepId.ASK, "warm", ["ask.asked=no"], ("ask.outcome_no",)),
]  # fmt: skip


@pytest.mark.parametrize(("step", "reaction", "answers", "advice"), STEP_CASES)
async def test_a_checkin_answers_with_the_matching_advice(
    chat: Chat, step: StepId, reaction: str, answers: list[str], advice: tuple[str, ...]
) -> None:
    await onboard(chat)
    await set_step(chat, step)
    await checkin(chat, reaction, *answers)
    assert chat.advice == advice
    assert chat.state == "checkin.followup"
    [interaction] = await chat.interactions()
    assert interaction.advice == advice
    assert interaction.step is step
    assert interaction.happened_on == TODAY


async def test_ask_is_ready_after_three_warm_coffees_that_get_less_awkward(chat: Chat) -> None:
    await onboard(chat)
    await set_step(chat, StepId.ASK)
    for _ in range(2):
        await checkin(chat, "warm", "ask.asked=not_yet", "ask.awkward=less", "ask.skills=no")
        assert "ask.not_yet" in chat.advice
    await checkin(chat, "hot", "ask.asked=not_yet", "ask.awkward=less", "ask.skills=no")
    assert chat.advice == ("ask.go_ask", "ask.check_the_room")


async def test_emails_do_not_count_as_meetings_for_readiness(chat: Chat) -> None:
    await onboard(chat)
    await set_step(chat, StepId.ASK)
    for _ in range(3):
        await checkin(
            chat, "hot", "ask.asked=not_yet", "ask.awkward=less", "ask.skills=no", kind="email"
        )
    assert "ask.not_yet" in chat.advice


async def test_not_now_sends_the_hero_back_to_stay_on_their_radar(chat: Chat) -> None:
    await onboard(chat)
    await set_step(chat, StepId.ASK)
    await checkin(chat, "warm", "ask.asked=not_now")
    assert chat.advice == ("ask.outcome_not_now",)
    [hero] = await chat.heroes()
    assert hero.step is StepId.RADAR


async def explore(chat: Chat) -> set[str]:
    """Presses every button of every question until each check-in ends; returns the advice."""
    reached = set(chat.advice)
    if chat.state in {"idle", "checkin.followup"}:
        return reached
    for button in chat.buttoned().buttons:
        branch = copy.deepcopy(chat)
        await branch.press(button.id)
        reached |= await explore(branch)
    return reached


async def test_every_advice_id_of_the_catalogue_is_reached_by_some_answer_path(
    chat: Chat,
) -> None:
    if chat.store is None:
        pytest.skip("explores every branch by copying the in-memory store")
    await onboard(chat)
    reached = {"intro.be_wanted"}  # /start shows it (asserted above)
    for step in StepId:
        await set_step(chat, step)
        if step is StepId.ASK:
            # Two hot coffees before, so that this one can make the user ready.
            for _ in range(2):
                await checkin(chat, "hot", "ask.asked=not_yet", "ask.awkward=less",
                              "ask.skills=no")  # fmt: skip
        start = copy.deepcopy(chat)
        await start.say("/checkin")
        await start.press("checkin.story=")
        await start.press("checkin.when=today")
        await start.press("checkin.kind=coffee")
        reached |= await explore(start)
    assert reached == set(ADVICE_IDS)


async def test_a_checkin_records_the_interaction_with_its_temperature(chat: Chat) -> None:
    await onboard(chat)
    await set_step(chat, StepId.RADAR)
    await checkin(chat, "lukewarm", "radar.follow_up=yes", "radar.door=yes", "radar.pace=long")
    [interaction] = await chat.interactions()
    # lukewarm 3 + open door 1 + follow-up 0.5 + quick reply 0.5
    assert interaction.temperature == 5
    assert interaction.open_door
    assert interaction.kind is InteractionKind.COFFEE
    assert "temperature 5/5" in chat.text
    assert "4 days" in chat.text  # the cadence for a hot contact


async def test_a_typed_date_answers_when_it_happened(chat: Chat) -> None:
    await onboard(chat)
    await tap_checkin(chat)
    await chat.say("3 days ago")
    assert chat.state == "checkin.kind"
    await chat.say("coffee")
    await chat.say("warm")
    await chat.say("mostly theirs")
    await chat.say("yes")
    await chat.say("an insight")
    await chat.say("touring logistics")
    [interaction] = await chat.interactions()
    assert interaction.happened_on == TODAY - timedelta(days=3)
    assert interaction.lit_up == "touring logistics"
    assert chat.advice == ("interests.well_done",)


async def test_earlier_asks_which_day_and_rejects_nonsense(chat: Chat) -> None:
    await onboard(chat)
    await tap_checkin(chat, "earlier")
    assert chat.state == "checkin.date"
    await chat.say("the day the music died")
    assert chat.state == "checkin.date"
    assert "couldn't read" in chat.text
    await chat.say("2025-02-30")
    assert chat.state == "checkin.date"
    await chat.say("last friday")
    assert chat.state == "checkin.kind"


async def test_an_unclear_typed_answer_gets_the_options_again(chat: Chat) -> None:
    await onboard(chat)
    await tap_checkin(chat, "today")
    await chat.say("a carrier pigeon")
    assert chat.state == "checkin.kind"
    assert "Coffee" in chat.text
    assert chat.buttoned().buttons


# --- leaving and resuming --------------------------------------------------------------


async def test_cancel_keeps_a_checkin_to_resume_where_it_stopped(chat: Chat) -> None:
    await onboard(chat)
    await tap_checkin(chat, "yesterday")
    await chat.press("checkin.kind=call")
    await chat.say("/cancel")
    assert chat.state == "idle"
    assert "/checkin" in chat.text
    await chat.say("/checkin")
    assert chat.state == "checkin.resume"
    await chat.press("checkin.resume=resume")
    assert chat.state == "checkin.reaction"


async def test_start_over_discards_the_paused_answers(chat: Chat) -> None:
    await onboard(chat)
    await tap_checkin(chat, "yesterday")
    await chat.say("/progress")  # informs only: the check-in stays open
    assert chat.state == "checkin.kind"
    await chat.say("/heroes")  # starts something else: the check-in is paused
    await chat.say("/checkin")
    await chat.press("checkin.resume=restart")
    assert chat.state == "checkin.story"


async def test_cancel_with_nothing_open_says_so(chat: Chat) -> None:
    await onboard(chat)
    await chat.say("/cancel")
    assert "Nothing to cancel" in chat.text


async def test_each_hero_keeps_their_own_paused_checkin(chat: Chat) -> None:
    """Issue 9 item 14: pausing Sam's check-in overwrote Dana's answers."""
    await onboard(chat)
    await tap_checkin(chat, "yesterday")
    await chat.press("checkin.kind=call")
    await chat.say("/cancel")
    await add_hero(chat, "Sam")
    await tap_checkin(chat, "today")
    await chat.say("/cancel")
    dana, sam = await chat.heroes()
    await chat.say("/heroes")
    await chat.press(f"hero.switch:{dana.id}")
    await chat.say("/checkin")
    await chat.press("checkin.resume=resume")
    assert chat.state == "checkin.reaction"
    assert chat.me().dialog.answers["checkin.kind"] == "call"
    await chat.say("/heroes")
    await chat.press(f"hero.switch:{sam.id}")
    await chat.say("/checkin")
    await chat.press("checkin.resume=resume")
    assert chat.state == "checkin.kind"


STORY = "We had coffee and she told me all about her new tour, she lit up talking about it"


async def test_a_story_typed_while_a_reminder_time_is_asked_is_read_as_a_story(
    chat: Chat,
) -> None:
    """Issue 9 item 16: it was read as a time, "I can't read that time", again and again."""
    await onboard(chat)
    await chat.say("/remind")
    assert chat.state == "remind.when"
    await chat.say(STORY)
    assert "story" in chat.text
    assert "set the open question aside" in chat.text
    assert chat.state == "story.offer"
    assert chat.advice


async def test_a_story_typed_instead_of_a_choice_joins_the_checkin(chat: Chat) -> None:
    await onboard(chat)
    await tap_checkin(chat, "yesterday")
    await chat.say("Honestly it went badly, Dana barely looked at me and left early")
    assert "add that to this check-in" in chat.text
    assert chat.state == "checkin.understood"
    answers = chat.me().dialog.answers
    assert answers["checkin.when"] == "yesterday"  # the tap before the story still holds
    assert answers["checkin.reaction"] == "cold"
    assert "barely looked at me" in answers["checkin.story"]


async def test_a_story_typed_where_a_date_was_wanted_is_read_not_refused(chat: Chat) -> None:
    await onboard(chat)
    await tap_checkin(chat, "earlier")
    assert chat.state == "checkin.date"
    await chat.say("we had coffee and i talked about my own band the whole time, she left early")
    assert "couldn't read that date" not in chat.text
    assert chat.state == "checkin.understood"
    assert chat.me().dialog.answers["interests.whose"] == "mine"


async def test_a_cold_contact_is_not_asked_what_lit_them_up(chat: Chat) -> None:
    await onboard(chat)
    await checkin(chat, "cold", "interests.whose=theirs", "interests.problem=no",
                  "interests.offer=insight")  # fmt: skip
    assert chat.state == "checkin.followup"
    [contact] = await chat.interactions()
    assert "interests.lit_up" not in contact.answers


async def test_checkin_typed_during_a_checkin_carries_on(chat: Chat) -> None:
    await onboard(chat)
    await tap_checkin(chat, "yesterday")
    asked = chat.state
    await chat.say("/checkin")
    assert "middle of a check-in about Dana" in chat.text
    assert chat.state == asked
    assert chat.me().dialog.answers["checkin.when"] == "yesterday"


async def test_a_word_of_an_option_inside_a_story_does_not_choose_it(chat: Chat) -> None:
    await onboard(chat)
    await tap_checkin(chat, "yesterday")
    await chat.say("/cancel")
    await chat.say("/checkin")
    assert chat.state == "checkin.resume"
    # "new" is a word of "Start over"; the story must not throw the check-in away.
    await chat.say("she was lovely and told me all about her worries with the new label")
    assert chat.me().dialog.paused_for(1) is not None
    assert chat.advice


async def test_a_long_answer_with_nothing_to_coach_on_gets_the_question_again(
    chat: Chat,
) -> None:
    await onboard(chat)
    await tap_checkin(chat, "yesterday")
    asked = chat.state
    await chat.say("how to run playtests without burning people out")
    assert chat.state == asked  # still the same question, not a story read as nothing
    assert "tap one of the buttons" in chat.text


async def test_every_open_question_gives_way_to_a_command_and_to_cancel(chat: Chat) -> None:
    await onboard(chat)
    for opening in ("/remind", "/deleteme", "/checkin"):
        await chat.say(opening)
        await chat.say("/help")
        assert "/cancel" in chat.text
        await chat.say("/cancel")
        assert chat.state == "idle"


async def test_nextstep_during_a_question_says_what_it_set_aside(chat: Chat) -> None:
    """Issue 9 item 16: /nextstep dropped an open question without a word."""
    await onboard(chat)
    await tap_checkin(chat, "yesterday")
    asked = chat.state
    await chat.say("/nextstep")
    # The check-in under way is what a move would rest on: it stays open, and says so.
    assert "finish this check-in about Dana first" in chat.text
    assert chat.state == asked
    # Going back a step needs no record, so it does not wait for the check-in.
    await chat.say("/nextstep back")
    assert "at step 1 already" in chat.text
    await chat.say("/checkin")
    await chat.press("checkin.resume=resume")
    assert chat.state == asked
    await chat.say("/cancel")
    assert chat.me().dialog.paused_for(1) is not None
    await chat.say("/remind")
    await chat.say("/nextstep")
    assert "set the open question aside" in chat.text


# --- stories outside a dialog -----------------------------------------------------------


async def test_a_story_after_the_hero_is_gone_welcomes_instead(chat: Chat) -> None:
    await onboard(chat)
    await chat.say(STORY)
    assert chat.state == "story.offer"
    await chat.set_heroes(archived=True)  # gone meanwhile (another device, say)
    await chat.say(STORY)
    assert chat.state == "onboarding.name"


async def test_a_story_gets_advice_at_once_and_can_become_a_checkin(chat: Chat) -> None:
    await onboard(chat)
    await chat.say("Had coffee with Dana. I pitched my app the whole time and took a selfie.")
    assert "interests.insight_over_solutions" in chat.advice
    assert "germ.no_live_tweeting" in chat.advice
    assert chat.state == "story.offer"
    await chat.press("story.offer=record")
    # The story is kept and read again as the check-in's: it says what it understood...
    assert chat.state == "checkin.understood"
    assert "coffee" in chat.text
    assert "I pitched my app the whole time" in chat.text
    await chat.press("checkin.understood=right")
    # ...and asks only the rest.
    assert chat.state == "checkin.when"
    await chat.press("checkin.when=today")
    assert chat.state == "checkin.reaction"
    await chat.press("checkin.reaction=warm")
    assert chat.state == "interests.whose"


async def test_a_story_that_says_too_little_gets_a_question_not_a_guess(chat: Chat) -> None:
    await onboard(chat)
    await chat.say("it was fine i guess")
    assert chat.advice == ()
    assert "Tell me a bit more" in chat.text
    assert chat.state == "idle"


@pytest.mark.parametrize(
    ("words", "answer"),
    [("hi!", "Hi!"), ("Thanks so much 🙏", "You're welcome"), ("ok cool", "Whenever")],
)
async def test_a_greeting_or_thanks_gets_a_word_back_not_a_request_for_a_story(
    chat: Chat, words: str, answer: str
) -> None:
    await onboard(chat)
    await chat.say(words)
    assert chat.text.startswith(answer)
    assert "Tell me a bit more" not in chat.text
    assert chat.advice == ()


async def test_a_greeting_is_no_heros_name_and_thanks_no_role(chat: Chat) -> None:
    await chat.say("/start")
    # (typed, the question open after it): a pleasantry leaves the question open.
    steps = (
        ("hi", "onboarding.name"),
        ("Noor Haddad", "onboarding.role"),
        ("thanks!", "onboarding.role"),
        ("a glassblower", "onboarding.how_met"),
        ("at a craft fair", "onboarding.when_met"),
        # Where a date is wanted too: no "I couldn't read that date" for "ok".
        ("ok", "onboarding.when_met"),
        # A question is no date either, and says so rather than "I couldn't read that".
        ("what do you mean by that?", "onboarding.when_met"),
    )
    for typed, state in steps:
        await chat.say(typed)
        assert chat.state == state
        assert chat.text.startswith("One thing first:") is (typed in {"hi", "thanks!", "ok"})
        assert ("question rather than an answer" in chat.text) is typed.endswith("?")


async def test_a_question_about_the_reading_is_answered_and_the_offer_stays(chat: Chat) -> None:
    await onboard(chat)
    await chat.say("Coffee with Dana: she asked about my work and said let's meet next month!")
    assert "radar.warm_open_door" in chat.advice
    await chat.say("Is that good??")
    assert "sounds warm" in chat.text
    assert chat.advice == ()
    assert chat.state == "story.offer"
    await chat.say("ok thanks")
    assert chat.text.startswith("You're welcome")
    assert chat.state == "story.offer"
    await chat.say("Lunch with Dana: I pitched my app twice and took a selfie with her.")
    await chat.say("is that bad?")
    assert "something to do differently" in chat.text
    assert chat.state == "story.offer"
    # A short question that tells something is read as a question of its own.
    await chat.say("should I ask her to shadow?")
    assert "ask.not_yet" in chat.advice


# --- /nextstep ------------------------------------------------------------------------


async def test_nextstep_moves_the_hero_on_and_quotes_the_evidence(chat: Chat) -> None:
    await onboard(chat)
    for _ in range(2):
        await checkin(chat, "warm", "interests.whose=theirs", "interests.problem=yes",
                      "interests.offer=insight", "interests.lit_up=")  # fmt: skip
    await chat.say("/nextstep")
    [hero] = await chat.heroes()
    assert hero.step is StepId.GERM
    assert "step 2" in chat.text
    assert "you brought an insight or a question, not a pitch (2 of your last 2)" in chat.text


async def test_nextstep_to_ask_too_soon_says_why_and_lets_the_user_go_on(chat: Chat) -> None:
    await onboard(chat)
    await set_step(chat, StepId.DISTANCE)
    await checkin(chat, "lukewarm", "distance.stance=student", "distance.guidance=yes",
                  "distance.push=no")  # fmt: skip
    await chat.say("/nextstep")
    assert "Not yet for step 5" in chat.text
    assert "meetings logged so far: 1" in chat.text
    assert "ask.not_yet" in chat.advice
    [hero] = await chat.heroes()
    assert hero.step is StepId.DISTANCE
    await chat.press("nextstep.early=go")
    assert (await chat.heroes())[0].step is StepId.ASK


async def test_nextstep_when_ready_asks_about_awkwardness_first(chat: Chat) -> None:
    await onboard(chat)
    await set_step(chat, StepId.DISTANCE)
    for _ in range(3):
        await checkin(chat, "warm", "distance.stance=student", "distance.guidance=yes",
                      "distance.push=no")  # fmt: skip
    await chat.say("/nextstep")
    assert chat.state == "nextstep.awkward"
    await chat.press("nextstep.awkward=same")
    assert "isn't getting less awkward" in chat.text
    await chat.press("nextstep.early=wait")
    [hero] = await chat.heroes()
    assert hero.step is StepId.DISTANCE
    await chat.say("/nextstep")
    await chat.press("nextstep.awkward=less")
    assert (await chat.heroes())[0].step is StepId.ASK


async def test_nextstep_at_the_last_step_says_so(chat: Chat) -> None:
    await onboard(chat)
    await set_step(chat, StepId.ASK)
    await chat.say("/nextstep")
    assert "last step" in chat.text


# --- several heroes ----------------------------------------------------------------------


async def test_a_hero_can_be_added_by_typing_heroes_add(chat: Chat) -> None:
    await onboard(chat)
    await chat.say("/heroes add")
    assert chat.state == "onboarding.name"
    await chat.say("Marcus Chen")
    for skip in ("onboarding.role=", "onboarding.how_met=", "onboarding.when_met="):
        await chat.press(skip)
    assert [h.name for h in await chat.heroes()] == ["Dana", "Marcus Chen"]


async def test_heroes_can_be_added_switched_and_archived(chat: Chat) -> None:
    await onboard(chat)
    await add_hero(chat, "Sam")
    dana, sam = await chat.heroes()
    assert chat.me().current_hero_id == sam.id
    await chat.say("/heroes")
    await chat.press(f"hero.switch:{dana.id}")
    assert chat.me().current_hero_id == dana.id
    await chat.say("/remind Dana in 3 days")
    await chat.say("/heroes")
    await chat.press("hero.archive")
    await chat.press(f"hero.archive:{dana.id}")
    await chat.press("heroes.archive=yes")
    assert (await chat.heroes())[0].archived
    assert [r.status for r in await chat.reminders()] == [ReminderStatus.CANCELLED]
    assert chat.me().current_hero_id == sam.id
    await chat.say("/progress")
    assert "Sam" in chat.text
    assert "Dana" not in chat.text


async def test_each_hero_keeps_its_own_step(chat: Chat) -> None:
    await onboard(chat, "Dana")
    await chat.say("/nextstep")
    await chat.press("nextstep.early=go")
    await add_hero(chat, "Sam")
    await chat.say("/progress")
    assert "Dana (Producer at a label): step 2/5" in chat.text
    assert "Sam: step 1/5" in chat.text
    await chat.say("/heroes")
    assert "Dana: step 2, Don't be a germ" in chat.text


# --- odd input -----------------------------------------------------------------------------


async def test_a_button_from_an_old_message_is_recognised_as_stale(chat: Chat) -> None:
    await onboard(chat)
    await tap_checkin(chat)
    old = chat.buttoned()
    await chat.press("checkin.when=today")
    outcome = await chat.send(Press("checkin.when=yesterday", old.turn))
    assert outcome.stale
    assert "earlier message" in chat.text
    assert chat.state == "checkin.kind"
    assert chat.me().dialog.answers["checkin.date"] == TODAY.isoformat()


async def test_a_forged_button_changes_nothing(chat: Chat) -> None:
    await onboard(chat)
    before = chat.me().dialog.model_copy(deep=True)
    forged_buttons = (
        "hero.switch:999", "checkin.kind=coffee", "nonsense", "hero.switch:abc",
        "hero.switch:²", "rem.snooze:99999999999999999999:1", "forget:1" * 30,
    )  # fmt: skip
    for forged in forged_buttons:
        outcome = await chat.send(Press(forged, None))
        assert outcome.stale
    after = chat.me().dialog
    assert (after.state, after.answers) == (before.state, before.answers)


async def test_stickers_and_edits_get_a_friendly_word_and_keep_the_dialog(chat: Chat) -> None:
    await onboard(chat)
    await chat.say("/checkin")
    await chat.send(Unsupported("sticker"))
    assert "sticker" in chat.text
    await chat.send(Unsupported("edited message"))
    assert "first sent" in chat.text
    assert chat.state == "checkin.story"


async def test_a_pictures_caption_is_read_as_what_the_user_typed(chat: Chat) -> None:
    await onboard(chat)
    caption = "She replied within the hour and offered to introduce me to her editor!"
    await chat.send(Text(caption, attachment="photo"))
    assert chat.last is not None
    assert "can't see the photo" in chat.last.replies[0].text
    assert chat.state == "story.offer"
    assert "radar.warm_open_door" in chat.advice


async def test_unknown_commands_point_to_help(chat: Chat) -> None:
    await onboard(chat)
    await chat.say("/frobnicate now")
    assert "/help" in chat.text


async def test_a_ten_thousand_character_story_is_read_and_kept_within_limits(chat: Chat) -> None:
    await onboard(chat)
    await chat.send(Text("We talked about her tour and she asked me lots of questions. " * 170))
    assert chat.state == "story.offer"
    assert len(chat.me().dialog.answers["checkin.story"]) <= 3000


async def test_commands_before_any_hero_ask_for_one(chat: Chat) -> None:
    for command in ("checkin", "nextstep"):
        await chat.send(Command(command))
        assert "/start" in chat.text
    await chat.say("/progress")
    assert "no heroes" in chat.text


async def test_the_options_to_type_are_given_without_emoji(chat: Chat) -> None:
    await onboard(chat)
    await tap_checkin(chat, "today")
    await chat.say("a carrier pigeon")
    assert '"Coffee"' in chat.text
    assert '"☕ Coffee"' not in chat.text


async def test_a_not_now_says_the_hero_is_back_at_step_3(chat: Chat) -> None:
    await onboard(chat)
    await set_step(chat, StepId.ASK)
    await checkin(chat, "warm", "ask.asked=not_now")
    assert "Dana is back at step 3" in chat.text


async def test_every_pending_question_can_be_asked_again_after_help(chat: Chat) -> None:
    await onboard(chat)
    await checkin(chat, "warm", "interests.whose=theirs", "interests.problem=yes",
                  "interests.offer=insight", "interests.lit_up=")  # fmt: skip
    assert chat.state == "checkin.followup"
    await chat.say("/help")
    assert "Shall I remind you to reach out to Dana" in chat.text
    assert "about 7 days" in chat.text
    await chat.say("whenever")  # not understood: the same question, the same words
    assert "about 7 days" in chat.text


async def test_a_state_this_version_does_not_know_starts_afresh(chat: Chat) -> None:
    await onboard(chat)
    await chat.set_state("radar.retired_question")
    await chat.say("/help")
    assert "Here's what I can do" in chat.text
    assert chat.state == "idle"


async def test_heroes_shows_each_heros_last_temperature(chat: Chat) -> None:
    await onboard(chat)
    await checkin(chat, "hot", "interests.whose=theirs", "interests.problem=yes",
                  "interests.offer=insight", "interests.lit_up=")  # fmt: skip
    await chat.say("/heroes")
    assert "★ Dana: step 1, Talk in terms of their interests, last contact hot (5/5)" in chat.text
