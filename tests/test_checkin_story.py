"""Story-first check-ins, the hero a story names, other languages and quoted evidence
(issue 11), driven turn by turn on the in-memory fake, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from bot.console import reply_json
from dialogs.content import Content
from dialogs.engine import Coach
from dialogs.flows.checkin import quoted
from dialogs.model import InteractionKind, StepId
from dialogs.reader import read_story
from testkit.memory import MemoryStore
from tests.conftest import NOW, Chat, FixedClock
from tests.test_engine import add_hero, checkin, onboard, press_as_asked

Units = Callable[[], Any]
TODAY = NOW.date()

CLEAR = (
    "Coffee with Dana yesterday. She talked about the label the whole time and told me "
    "signing new acts is her biggest headache. I asked how she decides who to sign, and "
    "she said nobody had asked her that. She was really warm."
)
COLD = (
    "Had coffee with Dana today. I spent the hour on my band and she checked her phone "
    "the whole time."
)
SPANISH = "Ayer tomamos un café con Dana y hablamos de su trabajo, fue muy bien."


async def tell_checkin(chat: Chat, story: str) -> None:
    """Onboards Dana, opens a check-in and tells it as `story`."""
    await onboard(chat)
    await chat.say("/checkin")
    await chat.say(story)


@pytest.fixture
def chat(content: Content, clock: FixedClock, store_url: str | None, units: Units) -> Chat:
    if store_url is None:
        return Chat(Coach(content, clock), MemoryStore())
    return Chat(Coach(content, clock), units=units)


def buttons(chat: Chat) -> list[str]:
    return [b.id for b in chat.buttoned().buttons]


# --- story first ------------------------------------------------------------------------


async def test_checkin_asks_for_the_story_first_with_a_way_to_tap_instead(chat: Chat) -> None:
    await onboard(chat)
    await chat.say("/checkin")
    assert chat.state == "checkin.story"
    assert buttons(chat) == ["checkin.story="]
    await chat.press("checkin.story=")
    assert chat.state == "checkin.when"


async def test_a_clear_story_takes_three_inputs_and_gets_advice(chat: Chat) -> None:
    await tell_checkin(chat, CLEAR)
    # What it understood, with the words it rests on, and nothing asked that it answers.
    assert chat.state == "checkin.understood"
    assert "coffee, yesterday" in chat.text
    assert "warm" in chat.text
    assert "signing new acts is her biggest headache" in chat.text
    await chat.press("checkin.understood=right")
    assert chat.state == "interests.lit_up"  # the one question a story can't answer
    await chat.press("interests.lit_up=")
    assert chat.state == "checkin.followup"
    [interaction] = await chat.interactions()
    assert interaction.happened_on == TODAY - timedelta(days=1)
    assert interaction.kind is InteractionKind.COFFEE
    assert interaction.story == CLEAR
    assert interaction.answers["checkin.reaction"] == "warm"
    assert interaction.answers["interests.whose"] == "theirs"
    assert interaction.answers["interests.problem"] == "yes"
    assert interaction.answers["interests.offer"] == "insight"
    assert interaction.advice


async def test_a_story_too_long_for_a_short_answer_joins_the_checkin_story(chat: Chat) -> None:
    await tell_checkin(chat, CLEAR)
    await chat.press("checkin.understood=right")
    assert chat.state == "interests.lit_up"
    more = (
        "Oh and I forgot: at the end she asked me to send her the demo of the new band, and "
        "she wants to hear what I think of the mixes for her next record. She said to email "
        "her assistant to find a slot in January, so we can go through it properly together."
    )
    assert len(more) > 200  # the answer's limit
    await chat.say(more)
    assert "200" not in chat.text
    assert more in chat.me().dialog.answers["checkin.story"]
    assert chat.me().dialog.answers["checkin.story"].startswith(CLEAR)


def test_a_quote_is_the_users_words_as_typed_and_says_where_it_was_cut() -> None:
    said = 'had coffee w lena. she said "lets do this again next month"'
    # The reader keeps "let's", lower-cased, with the quote mark set apart.
    assert quoted(said, 'she said " let\'s do this again next month"') == (
        'she said "lets do this again next month"'
    )
    asked = "is it time to ask if i can shadow her on a night shift? we've had 2 coffees"
    assert quoted(asked, "ask") == "ask if i can shadow her on a night…"


async def test_a_story_of_another_day_is_read_apart_and_the_checkin_paused(chat: Chat) -> None:
    await tell_checkin(chat, CLEAR)  # yesterday
    await chat.press("checkin.understood=right")
    later = (
        "Had another coffee with Dana today, and it was nothing like the first one: she kept "
        "checking her phone, answered in single words, said she was swamped with the tour "
        "and left early before we had even finished the first cup."
    )
    assert len(later) > 200  # too long for what lit them up: read as a story
    await chat.say(later)
    assert "radar.cold_give_space" in chat.advice  # read on its own
    paused = chat.me().dialog.paused_for(1)
    assert paused is not None
    assert paused.answers["checkin.story"] == CLEAR  # not rewritten by the other contact


SHORT_COFFEE = "Coffee with Dana yesterday. She was really warm."


async def read_apart_from_a_coffee(chat: Chat, *told: str) -> None:
    """A coffee's check-in at its first choice; the first stories join it, the last is
    read on its own (cold) and the coffee's check-in waits with its story kept."""
    await tell_checkin(chat, SHORT_COFFEE)
    await chat.press("checkin.understood=right")
    for joining in told[:-1]:
        await chat.say(joining)
        assert chat.state == "interests.whose"  # part of this contact: still asking
    assert chat.state == "interests.whose"  # a choice: a story here is no answer to it
    await chat.say(told[-1])
    assert "radar.cold_give_space" in chat.advice  # read on its own
    paused = chat.me().dialog.paused_for(1)
    assert paused is not None
    assert paused.answers["checkin.story"].startswith(SHORT_COFFEE)
    assert "read it on its own" in chat.text


async def test_a_story_that_opens_with_another_kind_of_contact_is_read_apart(
    chat: Chat,
) -> None:
    await read_apart_from_a_coffee(
        chat,
        "emailed her a long thank you with three links about her label. no reply after 12 days",
    )


async def test_a_story_told_against_an_earlier_one_is_read_apart(chat: Chat) -> None:
    await read_apart_from_a_coffee(
        chat, "lunch with dana. this time she left after ten minutes and hasn't replied since"
    )


async def test_any_question_of_the_users_own_is_read_apart_but_a_quoted_one_is_not(
    chat: Chat,
) -> None:
    await read_apart_from_a_coffee(
        chat,
        'she texted after: "did you get home ok?" and sent me her playlist',
        "she hasn't replied to my last two emails in three weeks. is that normal?",
    )


async def test_a_question_told_in_a_checkin_is_answered_not_swallowed(chat: Chat) -> None:
    await tell_checkin(chat, CLEAR)
    await chat.press("checkin.understood=right")
    await chat.say(
        "Also, I'm thinking of asking her tomorrow if I can shadow her at the label for a "
        "week, after only this one coffee. Is that a good idea, or is it far too soon for "
        "that? I really don't want to blow it with her by asking at the wrong moment."
    )
    assert "ask.not_yet" in chat.advice
    paused = chat.me().dialog.paused_for(1)
    assert paused is not None
    assert paused.answers["checkin.story"] == CLEAR


async def test_the_story_answers_and_only_the_rest_is_asked(chat: Chat) -> None:
    await tell_checkin(chat, "I emailed Dana about her tour and she replied warmly.")
    assert chat.state == "checkin.understood"
    await chat.press("checkin.understood=right")
    # No day in the story: asked; the kind (email) is not.
    assert chat.state == "checkin.when"
    await chat.press("checkin.when=today")
    assert chat.me().dialog.answers["checkin.kind"] == "email"
    assert chat.state != "checkin.kind"


async def test_a_story_that_answers_nothing_goes_on_to_the_questions(chat: Chat) -> None:
    await tell_checkin(chat, "hmm where do I start")
    assert chat.state == "checkin.when"
    assert chat.me().dialog.answers["checkin.story"] == "hmm where do I start"


async def test_a_wrong_answer_is_fixed_and_a_contradicting_tap_is_named(chat: Chat) -> None:
    await tell_checkin(chat, COLD)
    assert "she checked her phone the whole time" in chat.text
    await chat.press("checkin.understood=fix")
    # Only what the story answered can be fixed.
    assert set(buttons(chat)) == {
        "checkin.fix=checkin_when",
        "checkin.fix=checkin_kind",
        "checkin.fix=checkin_reaction",
        "checkin.fix=interests_whose",
    }
    await chat.press("checkin.fix=checkin_reaction")
    assert chat.state == "checkin.reaction"
    await chat.press("checkin.reaction=warm")
    assert "You tapped Warm" in chat.text
    assert "she checked her phone the whole time" in chat.text
    assert set(buttons(chat)) == {"checkin.reaction=warm", "checkin.reaction=cold"}
    await chat.press("checkin.reaction=warm")  # asked and answered: the user knows best
    assert chat.me().dialog.answers["checkin.reaction"] == "warm"
    assert chat.state == "interests.problem"


async def test_a_tap_that_agrees_with_the_story_is_not_questioned(chat: Chat) -> None:
    await tell_checkin(chat, COLD)
    await chat.press("checkin.understood=fix")
    await chat.press("checkin.fix=checkin_reaction")
    await chat.press("checkin.reaction=cool")  # next to cold: no contradiction
    assert "You tapped" not in chat.text
    assert chat.me().dialog.answers["checkin.reaction"] == "cool"


async def test_record_it_after_an_idle_story_fills_the_checkin_the_same_way(chat: Chat) -> None:
    await onboard(chat)
    await chat.say(CLEAR)
    await chat.press("story.offer=record")
    assert chat.state == "checkin.understood"
    await chat.press("checkin.understood=right")
    await chat.press("interests.lit_up=")
    assert chat.state == "checkin.followup"
    [interaction] = await chat.interactions()
    assert interaction.answers["interests.offer"] == "insight"


def assert_opened_from_clear(chat: Chat) -> None:
    """The check-in opened on the CLEAR story, read: what it understood is asked about."""
    assert chat.state == "checkin.understood"
    assert "signing new acts is her biggest headache" in chat.text


async def test_checkin_typed_at_the_offer_records_the_story_just_told(chat: Chat) -> None:
    await onboard(chat)
    await chat.say(CLEAR)
    await chat.say("/checkin")
    # Not asked to tell it again: the story just read is the check-in's.
    assert_opened_from_clear(chat)


async def test_a_question_at_the_offer_is_answered_and_the_offer_stays(chat: Chat) -> None:
    await onboard(chat)
    await chat.say(CLEAR)
    await chat.say("should I ask her if I can shadow her at the label now?")
    assert "ask.not_yet" in chat.advice
    assert chat.state == "story.offer"
    assert "the story you told me before" in chat.text
    await chat.press("story.offer=record")
    assert_opened_from_clear(chat)


async def test_a_command_keeps_the_offered_story_for_checkin_that_day(chat: Chat) -> None:
    await onboard(chat)
    await chat.say(CLEAR)
    await chat.say("/help")
    assert chat.state == "story.offer"  # /help only informs: the offer is asked again
    await chat.say("/reminders")
    assert "I haven't recorded your story about Dana" in chat.text
    await chat.say("/checkin")
    assert "the story you told me earlier" in chat.text
    assert chat.state == "checkin.understood"


async def test_a_kept_story_is_not_read_against_another_day(chat: Chat, clock: FixedClock) -> None:
    await onboard(chat)
    await chat.say(CLEAR)  # "yesterday" is a day that moves with today
    await chat.say("/reminders")
    clock.advance(days=2)
    await chat.say("/checkin")
    assert chat.state == "checkin.story"


async def test_nextstep_with_nothing_recorded_offers_the_story_just_told(chat: Chat) -> None:
    await onboard(chat)
    await chat.say(CLEAR)
    await chat.say("/nextstep")
    # No verdict without the record: the story told is the gap.
    assert not chat.advice
    assert "isn't on record" in chat.text
    assert chat.state == "story.offer"
    await chat.press("story.offer=dismiss")
    await chat.say("/nextstep")
    assert "nothing on record" in chat.text
    assert "here is where step 1 starts" in chat.text
    assert "practise next" not in chat.text


async def test_the_checkin_advice_quotes_the_story(chat: Chat) -> None:
    await tell_checkin(chat, COLD)
    await chat.press("checkin.understood=right")
    await chat.press("interests.problem=no")
    await chat.press("interests.offer=nothing")  # a cold contact: nothing lit them up
    assert "interests.their_world" in chat.advice
    assert "You said: “I spent the hour on my band”" in chat.text


async def test_what_the_story_says_weighs_in_beside_the_steps_questions(chat: Chat) -> None:
    # Dana is at step 1, whose questions ask whose world it was and what you brought.
    await tell_checkin(
        chat,
        "yesterday i dropped by the restaurant unannounced to say hi, "
        "he barely looked up and said he had no time",
    )
    await press_as_asked(
        chat,
        "checkin.understood=right",
        "checkin.kind=event",
        "interests.whose=half",
        "interests.problem=no",
        "interests.offer=nothing",
        "interests.lit_up=",
    )
    # Turning up unannounced is pushing for their time, whatever the step.
    assert "distance.autonomy_authority" in chat.advice
    assert len(chat.advice) <= 2


async def test_the_storys_own_advice_leads_over_a_tapped_answer(chat: Chat) -> None:
    await tell_checkin(
        chat,
        "had lunch with dana on monday, i told her she's a genius like ten times and "
        "asked for a selfie and posted it. she was sweet and said we should do it again",
    )
    await press_as_asked(
        chat,
        "checkin.understood=right",
        "interests.whose=theirs",
        "interests.problem=no",
        "interests.offer=nothing",  # a tap the story says nothing of
        "interests.lit_up=",
    )
    assert set(chat.advice) == {"germ.no_live_tweeting", "germ.one_compliment"}


# --- which hero --------------------------------------------------------------------------


async def test_an_idle_story_naming_another_hero_is_about_them(chat: Chat) -> None:
    await onboard(chat, "Dana Reyes")
    await add_hero(chat, "Sam Okafor")  # Sam is now the one talked about
    await chat.say("Lunch with Reyes: I complimented her like ten times and took a selfie.")
    assert "about Dana Reyes" in chat.text
    assert "check-in with Dana Reyes" in chat.text
    assert chat.advice
    await chat.press("story.offer=record")
    await chat.press("checkin.understood=right")
    while chat.state != "checkin.followup":
        await chat.press(buttons(chat)[0])
    dana, sam = await chat.heroes()
    [interaction] = await chat.interactions()
    assert interaction.hero_id == dana.id != sam.id


async def test_a_checkin_story_naming_another_hero_is_with_them(chat: Chat) -> None:
    await onboard(chat, "Dana Reyes")
    await add_hero(chat, "Sam Okafor")
    dana, _sam = await chat.heroes()
    await chat.set_heroes(step=StepId.GERM)  # both; Dana's questions follow
    await chat.say("/checkin")
    assert "Sam Okafor" in chat.text
    await chat.say("Coffee with Dana today, I took a selfie with her and posted it.")
    assert "That's about Dana Reyes" in chat.text
    assert chat.me().dialog.hero_id == dana.id
    assert chat.me().dialog.answers["germ.posting"] == "yes"


# --- other languages ----------------------------------------------------------------------


async def test_a_story_about_someone_who_is_no_hero_is_advised_not_recorded(
    chat: Chat,
) -> None:
    await onboard(chat)
    await chat.say("Kenji never replied to my email, and my colleague Ana says he's swamped")
    assert "Kenji isn't one of your heroes" in chat.text
    assert "radar.cold_give_space" in chat.advice
    assert chat.state == "idle"  # nothing offered to record with Dana


async def test_an_idle_story_in_another_language_gets_an_honest_answer(chat: Chat) -> None:
    await onboard(chat)
    await chat.say(SPANISH)
    assert "only read English" in chat.text
    assert chat.advice == ()
    assert chat.state == "idle"


async def test_a_checkin_story_in_another_language_is_not_guessed_at(chat: Chat) -> None:
    await tell_checkin(chat, SPANISH)
    assert "only read English" in chat.text
    assert chat.state == "checkin.when"
    assert set(chat.me().dialog.answers) == {"checkin.story"}


# --- quotes ---------------------------------------------------------------------------------


async def test_idle_advice_quotes_what_it_rests_on_once_per_piece(chat: Chat) -> None:
    await onboard(chat)
    await chat.say("Had coffee with Dana. I spent the hour on my band and took a selfie with her.")
    [reply] = [r for r in chat.last.replies if r.advice] if chat.last else []
    assert len(reply.advice) == 2
    assert reply.text.count("You said:") == len(reply.advice)
    assert "“I spent the hour on my band”" in reply.text
    assert "“took a selfie with her”" in reply.text


async def test_the_json_console_lists_what_the_reader_chose(chat: Chat) -> None:
    await onboard(chat)
    story = "Had coffee with Dana. I pitched my app the whole time and took a selfie."
    outcome = await chat.say(story)
    listed = [a for r in outcome.replies for a in reply_json(r)["advice"]]  # type: ignore[attr-defined]
    assert tuple(listed) == read_story(story, heroes=["Dana"]).advice


async def test_a_story_in_another_language_still_finds_the_hero_it_names(chat: Chat) -> None:
    await onboard(chat, "Dana Reyes")
    await add_hero(chat, "Sam Okafor")
    dana, _sam = await chat.heroes()
    await chat.say("/checkin")
    await chat.say(SPANISH)
    assert "only read English" in chat.text
    assert chat.me().dialog.hero_id == dana.id
    await chat.say(SPANISH)  # at the "when" question: a story, read as one
    assert "Dana Reyes" in chat.text
    assert chat.advice == ()


async def test_a_quote_is_what_the_user_typed_not_the_respelled_reading(chat: Chat) -> None:
    await onboard(chat)
    await chat.say("had coffe w dana. i spent most of it talking abt my own mixes")
    assert "“i spent most of it talking abt my own mixes”" in chat.text


# --- corrections typed --------------------------------------------------------------------


async def test_a_typed_correction_is_read_and_taken_over_the_story(chat: Chat) -> None:
    await tell_checkin(chat, COLD)
    await chat.say("no, it was a call")
    assert "fixed: call" in chat.text
    assert chat.me().dialog.answers["checkin.kind"] == "call"
    assert chat.me().dialog.answers["checkin.reaction"] == "cold"  # the rest stands
    assert chat.state == "interests.problem"


async def test_a_bare_no_asks_which_answer_and_offers_only_those(chat: Chat) -> None:
    await tell_checkin(chat, COLD)
    await chat.say("no")
    assert chat.state == "checkin.fix"
    await chat.say("banana")
    assert '"Their reaction"' in chat.text
    assert '"Posting"' not in chat.text
    assert len(buttons(chat)) == 4  # asked again with the same few
    await chat.say("the reaction")
    assert chat.state == "checkin.reaction"


async def test_a_question_with_its_background_is_not_offered_as_a_contact(chat: Chat) -> None:
    await onboard(chat)
    await chat.say("can I ask her to be my mentor now? we clicked sooo much")
    assert "ask.not_yet" in chat.advice
    assert chat.state == "idle"  # "we clicked" is background, not a contact to record


async def test_a_quote_stops_at_an_emoji_as_at_a_comma(chat: Chat) -> None:
    await onboard(chat)
    await chat.say("posted our selfie with her tag 😭😭 she was so lovely, she asked me back")
    assert "You said: “posted our selfie with her tag”." in chat.text


STEP1 = ("interests.whose=theirs", "interests.problem=yes", "interests.offer=insight")


async def test_when_to_reach_out_is_answered_from_the_record(
    chat: Chat, clock: FixedClock
) -> None:
    await onboard(chat)
    await chat.say("should I email her again?")
    assert "nothing on record with Dana" in chat.text  # not "tell me a bit more"
    await checkin(chat, "cold", *STEP1)
    await chat.press("checkin.followup=skip")
    clock.advance(days=3)
    await chat.say("is it too soon to ping her on linkedin?")
    # A cold contact three days ago: the cadence says wait (30 days), and says until when.
    assert "I'd wait until about" in chat.text
    assert chat.advice == ("radar.cold_give_space",)


async def test_a_question_at_a_choice_question_is_answered_not_refused(chat: Chat) -> None:
    await onboard(chat)
    await chat.say("/checkin")
    await chat.press("checkin.story=")
    await chat.press("checkin.when=today")
    await chat.say("should I just call her office?")
    assert "Please tap" not in chat.text
    assert "until that check-in is finished" in chat.text
    assert chat.me().dialog.paused_for(1) is not None  # the check-in waits, kept


async def test_a_question_at_a_free_text_question_is_answered_not_kept(chat: Chat) -> None:
    await tell_checkin(chat, CLEAR)
    await chat.press("checkin.understood=right")
    assert chat.state == "interests.lit_up"  # a few words wanted, any words taken
    await chat.say("should I ask her if I can shadow her at the label now?")
    assert "ask.not_yet" in chat.advice
    paused = chat.me().dialog.paused_for(1)
    assert paused is not None
    assert "interests.lit_up" not in paused.answers


async def test_a_story_about_someone_else_is_not_added_to_the_checkin(chat: Chat) -> None:
    await tell_checkin(chat, SHORT_COFFEE)
    await chat.press("checkin.understood=right")
    assert chat.state == "interests.whose"  # a choice
    await chat.say("Kenji never replied to my email and my colleague Ana thinks he's swamped")
    assert "Kenji isn't one of your heroes" in chat.text
    paused = chat.me().dialog.paused_for(1)
    assert paused is not None
    assert "Kenji" not in paused.answers["checkin.story"]


async def test_a_plan_gets_advice_before_the_act_and_no_offer_to_record(chat: Chat) -> None:
    await onboard(chat)
    await chat.say("I'm going to ask Dana if I can shadow her next week, is it too early?")
    assert chat.advice
    assert "You said: “ask Dana if I can shadow her next week”" in chat.text
    assert "how it goes afterwards" in chat.text
    assert "/draft" not in chat.text  # nothing written to check
    assert chat.state == "idle"
    await chat.say("thinking of emailing her my rota tool bc it would fix her staffing problem")
    assert "how it goes afterwards" in chat.text
    assert "/draft" in chat.text
