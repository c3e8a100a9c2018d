"""Coaching judgement (issue 12): every move earned by the record, said as the record shows it."""

from __future__ import annotations

import json

from dialogs.model import StepId
from tests.conftest import Chat
from tests.test_engine import checkin, onboard, set_step

# The answers of a step-1 contact that went as the post would like.
GOOD_INTERESTS = ("interests.whose=theirs", "interests.problem=yes", "interests.offer=insight",
                  "interests.lit_up=")  # fmt: skip
GOOD_DISTANCE = ("distance.stance=student", "distance.guidance=yes", "distance.push=no")


async def story_checkin(chat: Chat, story: str, reaction: str, *answers: str) -> None:
    """A check-in by buttons whose story is typed."""
    await chat.say("/checkin")
    await chat.press("checkin.when=today")
    await chat.press("checkin.kind=coffee")
    await chat.say(story)
    await chat.press(f"checkin.reaction={reaction}")
    for answer in answers:
        await chat.press(answer)


async def test_no_contact_moves_nobody_and_claims_nothing(chat: Chat) -> None:
    await onboard(chat)
    await chat.say("/nextstep")
    assert (await chat.heroes())[0].step is StepId.INTERESTS
    assert "contacts recorded so far: 0" in chat.text
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
    await chat.say("/nextstep")
    assert (await chat.heroes())[0].step is StepId.GERM
    assert "they told you about a problem of theirs (2 of your last 2)" in chat.text
    assert "hiring problem" in chat.text


async def test_the_ask_needs_no_recent_red_flag_of_the_earlier_steps(chat: Chat) -> None:
    await onboard(chat)
    await set_step(chat, StepId.DISTANCE)
    story = "Coffee with Dana. I pitched my startup to her again and talked about myself."
    for _ in range(3):
        await story_checkin(chat, story, "warm", *GOOD_DISTANCE)
    await chat.say("/nextstep")
    assert chat.state == "nextstep.early"
    assert "you pitched a solution" in chat.text
    assert "ask.go_ask" not in chat.advice
    assert (await chat.heroes())[0].step is StepId.DISTANCE


async def test_the_ask_counts_the_meetings_a_story_mentions(chat: Chat) -> None:
    await onboard(chat)
    await set_step(chat, StepId.DISTANCE)
    story = "Our fourth coffee with Dana; I asked for her advice on my demo and listened."
    for _ in range(2):
        await story_checkin(chat, story, "warm", *GOOD_DISTANCE)
    await chat.say("/nextstep")
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
