"""The reader reads meanings, not sentences: wordings that are in no rule and no corpus story.

Each story below was written after the lexicons (dialogs/reader/words.toml [lexicon],
[reactions], [acts], [problems], [relationship]) and shares no sentence with the corpus;
it is read because its actor, act and object are each in a class.
"""

from __future__ import annotations

import pytest

from dialogs.reader import read_story

FRESH = [
    (
        "Spent our whole lunch taking him through my startup's roadmap and my fundraising "
        "saga. He barely got a sentence in.",
        {"interests.their_world"},
    ),
    (
        "Mostly I went on and on about my own band and our tour van. He was polite.",
        {"interests.their_world"},
    ),
    (
        "She told me the biggest headache right now is retaining junior engineers. I asked "
        "questions and suggested one thing, pairing them with a rotating buddy. She typed it "
        "into her notes app.",
        {"interests.well_done"},
    ),
    (
        "I told him his book changed my life, that his talk was the best I'd ever seen, that "
        "his podcast is genius and that his new album is a masterpiece.",
        {"germ.one_compliment"},
    ),
    ("I said how much I loved her work maybe a dozen times.", {"germ.one_compliment"}),
    (
        "In one message I asked him for a referral, feedback on my portfolio and a call with "
        "his cofounder.",
        {"distance.autonomy_authority"},
    ),
    (
        "He was describing his approach to pricing and I told him it was naive and that "
        "nobody does it that way anymore.",
        {"distance.they_are_the_guru"},
    ),
    (
        "saw him at the book fair and just froze by the stand, couldnt get a single word out",
        {"germ.regular_people"},
    ),
    (
        'Wrote to her after our call. Nine days later: "ok thx". Nothing else.',
        {"radar.lukewarm_add_value"},
    ),
    (
        "She kept glancing at the door and wrapped things up after ten minutes.",
        {"radar.cold_give_space"},
    ),
    (
        "We talked about football and the weather for the full hour. I still have no clue "
        "what worries him about the business.",
        {"interests.surface_problems"},
    ),
    (
        "ok so i spent like 40 mins showing her my sketchbook page by page and my etsy shop",
        {"interests.their_world"},
    ),
    (
        "We chatted about holidays and her new puppy. Fun, but I've no idea what's bugging "
        "her at work.",
        {"interests.surface_problems"},
    ),
    (
        "Apparently it went great, according to me. In reality she left after the first "
        'coffee and said "good luck with everything".',
        {"radar.cold_give_space", "radar.social_intelligence"},
    ),
]


@pytest.mark.parametrize(("text", "expected"), FRESH)
def test_a_new_wording_of_a_known_deed_is_read(text: str, expected: set[str]) -> None:
    assert expected <= set(read_story(text).advice)


def test_the_users_verdict_does_not_outweigh_the_deeds() -> None:
    # Sarcasm or a misread: the hero's slow one-liner says lukewarm, whatever the user says.
    advice = set(
        read_story('She loves me, I\'m sure. She only replied "thanks" after two weeks.').advice
    )
    assert advice == {"radar.lukewarm_add_value", "radar.social_intelligence"}
    advice = set(
        read_story(
            "Pretty sure she finds me annoying. Then again she did ask me to send my draft "
            "and invited me to her seminar."
        ).advice
    )
    assert advice == {"radar.warm_open_door", "radar.social_intelligence"}


def test_at_the_ask_step_a_bare_answer_answers_the_ask() -> None:
    text = "She said no, kindly. The trust doesn't allow it. We can keep meeting though."
    assert "ask.outcome_no" in read_story(text, step="ask").advice
    # Without the step, "she said no" could answer anything: it is not read as the ask's.
    assert "ask.outcome_no" not in read_story(text).advice
    yes = 'She wrote back: "Happy to have you in the studio for a fortnight in May."'
    assert read_story(yes, step="ask").advice == ("ask.outcome_yes",)
    no = "He told me it's not on, legal won't let outsiders into the newsroom, full stop."
    assert read_story(no, step="ask").advice == ("ask.outcome_no",)


def test_at_the_ask_step_a_plan_to_ask_is_a_readiness_question() -> None:
    text = "Only met her once, at a conference. Would it be too much to ask to shadow her?"
    assert "ask.not_yet" in read_story(text, step="ask").advice
    room = "Five good lunches. But her dad died last week. I'd planned to ask Friday."
    assert "ask.check_the_room" in read_story(room, step="ask").advice
