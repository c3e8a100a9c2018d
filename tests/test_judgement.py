"""Coaching judgement (issue 12): every move earned by the record, said as the record shows it."""

from __future__ import annotations

import json
from datetime import date

from dialogs.content import Content
from dialogs.model import AskOutcome, Hero, Interaction, InteractionKind, Journey, StepId
from dialogs.reminding import reminder_advice
from tests.conftest import NOW, Chat, FixedClock
from tests.test_engine import answer_tried, checkin, onboard, set_step

# The answers of a step-1 contact that went as the post would like.
GOOD_INTERESTS = ("interests.whose=theirs", "interests.problem=yes", "interests.offer=insight",
                  "interests.lit_up=")  # fmt: skip
GOOD_DISTANCE = ("distance.stance=student", "distance.guidance=yes", "distance.push=no")


async def story_checkin(chat: Chat, story: str, reaction: str, *answers: str) -> None:
    """A check-in that starts from a typed story: what the story filled is confirmed, and
    what it left open is answered by buttons (today, a coffee, `reaction`, `answers`)."""
    await chat.say("/checkin")
    await chat.say(story)
    planned = {
        "checkin.when": "checkin.when=today",
        "checkin.kind": "checkin.kind=coffee",
        "checkin.reaction": f"checkin.reaction={reaction}",
    }
    planned |= {answer.partition("=")[0]: answer for answer in answers}
    while chat.state == "checkin.understood" or chat.state in planned:
        if chat.state == "checkin.understood":
            await chat.press("checkin.understood=right")
        else:
            await chat.press(planned.pop(chat.state))
    await answer_tried(chat)


async def nextstep_at_distance(chat: Chat, story: str, contacts: int) -> None:
    """Asks /nextstep of Dana at step 4 after `contacts` warm check-ins told as `story`."""
    await onboard(chat)
    await set_step(chat, StepId.DISTANCE)
    for _ in range(contacts):
        await story_checkin(chat, story, "warm", *GOOD_DISTANCE)
    await chat.say("/nextstep")


async def test_one_good_contact_is_too_few_and_the_lesson_is_to_keep_going(chat: Chat) -> None:
    await onboard(chat)
    await checkin(chat, "warm", *GOOD_INTERESTS)
    await chat.say("/nextstep")
    assert (await chat.heroes())[0].step is StepId.INTERESTS
    assert "contacts recorded so far: 1" in chat.text
    # The record shows their world, their problem and an insight: no lesson in them.
    assert "keep doing what worked" in chat.text
    assert chat.advice == ("interests.well_done",)


async def test_no_contact_moves_nobody_and_claims_nothing(chat: Chat) -> None:
    await onboard(chat)
    await chat.say("/nextstep")
    assert (await chat.heroes())[0].step is StepId.INTERESTS
    # Nothing on record: no verdict the record can't support, only where to begin.
    assert "nothing on record with" in chat.text
    assert "contacts recorded so far" not in chat.text
    assert chat.advice == ("interests.their_world",)
    for unsupported in ("conversations are good", "regular touch", "going well"):
        assert unsupported not in chat.text
    assert chat.state == "nextstep.early"


async def test_going_on_anyway_is_recorded_shown_and_exported(chat: Chat) -> None:
    await onboard(chat)
    await chat.say("/nextstep")
    await chat.press("nextstep.early=go")
    [hero] = await chat.heroes()
    assert hero.step is StepId.GERM
    assert hero.journey.early == ("germ",)
    await chat.say("/progress")
    assert "Moved on early, your call: to step 2" in chat.text
    await chat.say("/export")
    exported = json.loads(chat.last.replies[-1].document.content)  # type: ignore[union-attr]
    assert exported["heroes"][0]["journey"]["early"] == ["germ"]
    assert exported["heroes"][0]["step"] == "germ"
    assert exported["heroes"][0]["evidence"]["done"] is False
    assert exported["heroes"][0]["evidence"]["missing"] == ["learning"]


async def test_the_pitcher_is_told_the_gap_and_the_one_thing_to_practise(chat: Chat) -> None:
    await onboard(chat)
    for _ in range(3):
        await checkin(chat, "warm", "interests.whose=mine", "interests.problem=no",
                      "interests.offer=solution", "interests.lit_up=")  # fmt: skip
    await chat.say("/nextstep")
    assert (await chat.heroes())[0].step is StepId.INTERESTS
    text = chat.text
    assert "you pitched a solution (2 of your last 3)" in text
    assert "not seen yet: they told you about a problem of theirs" in text
    # One piece of advice: the first red flag's.
    assert chat.advice == ("interests.their_world",)


async def test_a_move_quotes_the_users_own_words(chat: Chat) -> None:
    await onboard(chat)
    story = "Coffee with Dana: she told me about her hiring problem and I asked her a question."
    for _ in range(2):
        await story_checkin(chat, story, "warm", *GOOD_INTERESTS)
    await chat.say("/progress")
    assert "The record shows for step 1: the talk stayed on their world" in chat.text
    assert "The record is ready for step 2" in chat.text
    await chat.say("/nextstep")
    assert (await chat.heroes())[0].step is StepId.GERM
    assert "they told you about a problem of theirs (2 of your last 2)" in chat.text
    assert "hiring problem" in chat.text


async def test_the_ask_needs_no_recent_red_flag_of_the_earlier_steps(chat: Chat) -> None:
    story = "Coffee with Dana. I pitched my startup to her again and talked about myself."
    await nextstep_at_distance(chat, story, contacts=3)
    assert chat.state == "nextstep.early"
    assert "you pitched a solution" in chat.text
    assert "ask.go_ask" not in chat.advice
    assert (await chat.heroes())[0].step is StepId.DISTANCE


async def test_the_ask_counts_the_meetings_a_story_mentions(chat: Chat) -> None:
    story = "Our fourth coffee with Dana; I asked for her advice on my demo and listened."
    await nextstep_at_distance(chat, story, contacts=2)
    assert chat.state == "nextstep.awkward"
    await chat.press("nextstep.awkward=less")
    assert (await chat.heroes())[0].step is StepId.ASK
    assert "4 meetings" in chat.text


async def test_a_way_back_a_step(chat: Chat) -> None:
    await onboard(chat)
    await chat.say("/nextstep back")
    assert "step 1 already" in chat.text
    await set_step(chat, StepId.RADAR)
    await chat.say("/nextstep back")
    assert (await chat.heroes())[0].step is StepId.GERM
    await chat.say("/nextstep")
    await chat.press("nextstep.early=go")
    await chat.press("nextstep.back")
    assert (await chat.heroes())[0].step is StepId.GERM


# --- how it speaks ---------------------------------------------------------------------


async def test_a_cold_contact_is_never_told_it_is_going_well(chat: Chat) -> None:
    await onboard(chat)
    await set_step(chat, StepId.GERM)
    good = ("germ.compliments=one", "germ.ease=at_ease", "germ.time=learning", "germ.posting=no")
    await checkin(chat, "warm", *good)
    await checkin(chat, "cold", *good)
    assert "germ.well_done" not in chat.advice
    assert "radar.cold_give_space" in chat.advice
    assert "going well" not in chat.text


async def test_going_well_is_said_only_when_the_record_shows_it(chat: Chat) -> None:
    await onboard(chat)
    await checkin(chat, "warm", *GOOD_INTERESTS)
    assert "going well" not in chat.text
    await checkin(chat, "warm", *GOOD_INTERESTS)
    assert "going well" in chat.text


async def test_an_email_is_not_asked_about_the_room_nor_praised_as_present(chat: Chat) -> None:
    await onboard(chat)
    await set_step(chat, StepId.GERM)
    await checkin(chat, "warm", "germ.compliments=one", "germ.time=learning", kind="email")
    assert chat.state == "checkin.followup"
    [email] = await chat.interactions()
    assert "germ.ease" not in email.answers
    assert "germ.posting" not in email.answers
    assert "present" not in chat.text
    assert "Relaxed" not in chat.text


async def test_zero_compliments_is_not_well_done(chat: Chat) -> None:
    await onboard(chat)
    await set_step(chat, StepId.GERM)
    await checkin(chat, "warm", "germ.compliments=none", "germ.ease=at_ease",
                  "germ.time=learning", "germ.posting=no")  # fmt: skip
    assert chat.advice == ("germ.one_compliment",)


async def test_at_most_two_pieces_of_advice_the_most_important_first(chat: Chat) -> None:
    await onboard(chat)
    await set_step(chat, StepId.GERM)
    await checkin(chat, "warm", "germ.compliments=lost_count", "germ.ease=froze",
                  "germ.time=achievements", "germ.posting=yes")  # fmt: skip
    assert chat.advice == ("germ.no_live_tweeting", "germ.one_compliment")


# --- after the ask -------------------------------------------------------------------


async def test_an_answer_to_an_ask_made_before_step_5_is_recorded_as_one(chat: Chat) -> None:
    await onboard(chat)  # step 1
    story = (
        'asked her today if I could shadow her on saturdays. she said "not till after the '
        'winter tour, ask me in march"'
    )
    await story_checkin(chat, story, "warm")
    [hero] = await chat.heroes()
    assert "ask" in hero.journey.early
    assert hero.journey.outcome == "not_now"
    assert hero.step is StepId.RADAR  # a "not now" goes back to the radar, as at step 5
    assert hero.journey.busy_until == "2027-03-01"  # the latest day named: March
    assert "That's the day they named" in chat.text


async def test_not_now_waits_for_the_day_they_named_and_goes_back_to_the_radar(
    chat: Chat, clock: FixedClock
) -> None:
    await onboard(chat)
    await set_step(chat, StepId.ASK)
    story = "I asked Dana if I could shadow her. She said not now, she's busy until February."
    await story_checkin(chat, story, "warm", "ask.asked=not_now")
    assert chat.advice[0] == "ask.outcome_not_now"
    [hero] = await chat.heroes()
    assert hero.step is StepId.RADAR
    assert hero.journey.outcome == "not_now"
    assert hero.journey.busy_until == "2027-02-01"
    assert "busy until Mon 1 Feb 2027" in chat.text
    # Even a follow-up picked sooner waits for the day they named.
    await chat.press("checkin.followup=d3")
    [reminder] = await chat.reminders()
    assert reminder.due_at.date().isoformat() == "2027-02-01"
    # Minutes later: no jumping back to step 5.
    await chat.say("/nextstep")
    assert (await chat.heroes())[0].step is StepId.RADAR
    assert "contacts recorded so far: 0" in chat.text
    await set_step(chat, StepId.DISTANCE)
    await chat.say("/nextstep")
    assert "busy until" in chat.text
    assert (await chat.heroes())[0].step is StepId.DISTANCE
    await chat.say("/progress")
    assert "said not now" in chat.text
    # A reminder typed by hand stands (the user chose it), with what the hero said beside it.
    await chat.say("/remind in 5 days")
    assert "I'll remind you about Dana" in chat.text
    assert "busy until Mon 1 Feb 2027" in chat.text
    # When February comes, the ask must be earned afresh: no going on anyway.
    clock.advance(days=70)
    await chat.say("/nextstep")
    assert "Not yet for step 5" in chat.text
    assert chat.state == "idle"


async def test_no_keeps_the_relationship_and_says_when_to_try_again(chat: Chat) -> None:
    await onboard(chat)
    await set_step(chat, StepId.ASK)
    await checkin(chat, "lukewarm", "ask.asked=no")
    assert chat.advice == ("ask.outcome_no",)
    [hero] = await chat.heroes()
    assert hero.step is StepId.RADAR
    await set_step(chat, StepId.DISTANCE)
    await chat.say("/nextstep")
    assert "said no on" in chat.text
    assert "from Tue 25 May 2027" in chat.text
    assert (await chat.heroes())[0].step is StepId.DISTANCE
    await chat.say("/progress")
    assert "Dana said no" in chat.text
    # Asked in a story, the question of asking again gets the same answer from the record.
    await chat.say("should I ask her again in a few months?")
    assert "ask.not_yet" in chat.advice
    assert "said no on" in chat.text


async def test_yes_gives_a_plan_and_the_thank_you(chat: Chat) -> None:
    await onboard(chat)
    await set_step(chat, StepId.ASK)
    await checkin(chat, "hot", "ask.asked=yes")
    assert chat.advice == ("ask.outcome_yes", "principles.servant_leadership")
    assert "thank-you" in chat.text
    # What comes next follows the yes: no "check in once you've asked".
    assert "after your first day" in chat.text
    assert "once you've asked" not in chat.text
    await chat.say("/progress")
    assert "Dana said yes" in chat.text
    await chat.say("/nextstep")
    assert "Dana said yes, and there is no step after the ask" in chat.text


# --- reminders that fit the step and the state ---------------------------------------


def reminder_for(hero: Hero, *temperatures: int, content: Content) -> str:
    history = [
        Interaction(hero.id, date(2026, 11, day), InteractionKind.COFFEE, "", hero.step, t)
        for day, t in enumerate(temperatures, start=1)
    ]
    return reminder_advice(hero, history, content)


def a_hero(step: StepId, journey: Journey | None = None) -> Hero:
    return Hero(1, 1, "Dana", "", "", None, step, NOW, journey=journey or Journey())


def test_a_step_2_reminder_gives_step_2_advice(content: Content) -> None:
    assert reminder_for(a_hero(StepId.GERM), 4, content=content).startswith("germ.")
    assert reminder_for(a_hero(StepId.INTERESTS), content=content).startswith("interests.")
    assert reminder_for(a_hero(StepId.RADAR), 4, content=content) == "radar.warm_open_door"


def test_after_a_no_or_a_yes_no_advice_about_asking(content: Content) -> None:
    said_no = Journey(outcome=AskOutcome.NO, outcome_on="2026-11-01")
    for temperature in (1, 3, 5):
        chosen = reminder_for(a_hero(StepId.RADAR, said_no), temperature, content=content)
        assert not chosen.startswith("ask.")
    said_yes = Journey(outcome=AskOutcome.YES, outcome_on="2026-11-01")
    yes = reminder_for(a_hero(StepId.ASK, said_yes), 5, content=content)
    assert yes == "principles.servant_leadership"
    assert reminder_for(a_hero(StepId.ASK), 5, content=content) == "ask.check_the_room"


# --- follow-through ----------------------------------------------------------------------

PITCH = ("interests.whose=theirs", "interests.problem=yes", "interests.offer=solution",
         "interests.lit_up=")  # fmt: skip


async def test_the_next_checkin_asks_whether_the_last_advice_was_tried(chat: Chat) -> None:
    await onboard(chat)
    await checkin(chat, "warm", *PITCH)
    assert chat.advice == ("interests.insight_over_solutions",)
    await checkin(chat, "warm", *GOOD_INTERESTS, tried="")
    assert chat.state == "checkin.tried"
    assert "last time I suggested you bring a question or an insight" in chat.text
    await chat.press("checkin.tried=worked")
    assert "Glad it worked" in chat.text
    latest = (await chat.interactions())[-1]
    assert latest.answers["checkin.tried"] == "worked"
    assert latest.answers["checkin.tried_advice"] == "interests.insight_over_solutions"


async def test_the_next_checkin_opens_with_the_last_advice(chat: Chat) -> None:
    await onboard(chat)
    await chat.say("/checkin")
    assert "Last time I suggested" not in chat.text  # nothing suggested yet
    await chat.say("/cancel")
    await checkin(chat, "warm", *PITCH)
    await chat.say("/checkin")
    assert chat.state == "checkin.story"
    assert "Last time I suggested you bring a question or an insight" in chat.text


async def test_a_pattern_across_contacts_is_named(chat: Chat) -> None:
    await onboard(chat)
    for _ in range(2):
        await checkin(chat, "warm", *PITCH)
        assert "in a row" not in chat.text
    await checkin(chat, "warm", *PITCH)
    assert "third contact in a row where you pitched a solution" in chat.text


async def test_repeated_advice_is_worded_afresh(chat: Chat) -> None:
    await onboard(chat)
    wordings = []
    for _ in range(3):
        await checkin(chat, "warm", *PITCH)
        assert chat.advice == ("interests.insight_over_solutions",)
        wordings.append(chat.last.replies[0].text.split("\n\n")[-1])
    assert len(set(wordings)) == 3


async def test_a_reminder_asks_about_the_last_advice(chat: Chat) -> None:
    await onboard(chat)
    await checkin(chat, "warm", *PITCH)
    await chat.press("checkin.followup=suggested")
    [reminder] = await chat.reminders()
    user = chat.store.users[chat.key]
    [reply] = await chat.coach.reminder_replies(chat.store.uow(), [(user, [reminder])])
    assert "Last time I suggested you bring a question or an insight" in reply.text


async def test_the_next_checkin_recalls_the_last_open_door(chat: Chat) -> None:
    await onboard(chat)
    await set_step(chat, StepId.RADAR)
    await checkin(
        chat, "lukewarm", "radar.follow_up=no", "radar.door=yes", "radar.pace=as_planned"
    )
    await checkin(chat, "warm", "radar.follow_up=no", "radar.door=no", "radar.pace=as_planned",
                  tried="")  # fmt: skip
    assert chat.state == "checkin.tried"
    assert "Dana left a door open" in chat.text
