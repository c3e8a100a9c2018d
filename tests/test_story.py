"""Tests for the offline story reader: signals, negation, meeting counts and advice."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogs.catalogue import ADVICE_IDS
from dialogs.reader import Signal, StoryReading, read_story
from dialogs.reader import rules as story
from dialogs.reader.text import clean

# Every advice id of the five steps in playbook.md; the reader may choose only these.
KNOWN_ADVICE = frozenset(a for a in ADVICE_IDS if not a.startswith(("intro.", "principles.")))

LONG_DEBRIEF = (
    "Quick debrief.\n\n"
    "This was our 4th coffee with Maria. I was a bit nervous walking in but it's getting "
    "easier every time \u2014 no awkward silences at all.\n\n"
    "We mostly talked about her lab's funding problems. I didn't pitch our software "
    "(learned my lesson), I just asked a question about how they pick projects that made "
    "her stop and think.\n\n"
    "She asked me about my own research, stayed longer than planned and said to email her "
    "next week. I'm wondering if it's time to ask her to let me shadow her for a month."
)

# (story, the advice it supports; the reader gives the most important one or two)
STORIES: list[tuple[str, tuple[str, ...]]] = [
    # says too little
    ("hi", ()),
    ("ok", ()),
    ("we met", ()),
    ("lol", ()),
    ("\u2615\ufe0f\U0001f642\U0001f525", ()),
    ("", ()),
    ("   \n\t ", ()),
    ("Had coffee with Dana today.", ()),
    ("we talked", ()),
    # step 1: interests
    (
        "Honestly it was mostly about me. I talked about my portfolio the whole time and she "
        "just nodded along.",
        ("interests.their_world",),
    ),
    (
        "I pitched my agency to fix their website problem. He listened politely but that was it.",
        ("interests.insight_over_solutions", "radar.lukewarm_add_value"),
    ),
    (
        "Nice chat. She told me about her struggles with the label and I suggested an idea for "
        "the tour. She said she'd love to meet again next month.",
        ("interests.well_done", "radar.warm_open_door"),
    ),
    (
        "I did most of the talking, sold him on my app and even asked for an internship.",
        (
            "interests.their_world",
            "interests.insight_over_solutions",
            "distance.autonomy_authority",
        ),
    ),
    (
        "Half the time was about my startup, and I pitched it twice. She seemed bored.",
        (
            "interests.their_world",
            "interests.insight_over_solutions",
            "radar.cold_give_space",
        ),
    ),
    (
        "She mentioned a concern about her team's burnout. I jumped in with a fix from my old "
        "job.",
        ("interests.insight_over_solutions",),
    ),
    (
        "Met Priya for coffee. She spent most of the time telling me about the new product "
        "line she's launching and how hiring is killing her. I suggested she look at bootcamp "
        "grads, she said she'd never thought of that.",
        ("interests.well_done",),
    ),
    ("I told her about my trip to Japan.", ()),
    ("I told her all about my band for an hour.", ("interests.their_world",)),
    # step 2: germ
    ("No compliments this time, just one at the start.", ()),
    (
        "I wasn't starstruck at all this time, and I only paid one compliment at the start.",
        ("germ.well_done",),
    ),
    (
        "I totally fangirled and lost count of the compliments. Also took a selfie with him and "
        "posted it on my story.",
        ("germ.one_compliment", "germ.regular_people", "germ.no_live_tweeting"),
    ),
    (
        "Didn't take a single photo and I didn't post anything. Kept it professional.",
        ("germ.well_done",),
    ),
    (
        "We spent the whole hour on her Grammys and her famous album. I froze when she walked in.",
        ("germ.regular_people", "germ.value_their_time"),
    ),
    (
        "I gushed about her awards for an hour and live-tweeted the whole conversation.",
        ("germ.one_compliment", "germ.value_their_time", "germ.no_live_tweeting"),
    ),
    ("I didn't gush, didn't fanboy, didn't live-tweet. Progress!", ("germ.well_done",)),
    ("I hardly complimented her at all and I wasn't nervous.", ("germ.well_done",)),
    (
        "Argh. I fanboyed so hard, complimented him like ten times, and asked for a selfie. He "
        "was polite but clearly wanted to leave.",
        (
            "germ.one_compliment",
            "germ.regular_people",
            "germ.no_live_tweeting",
            "radar.cold_give_space",
            "radar.social_intelligence",
        ),
    ),
    # step 3: radar
    (
        "It went great! She lit up when I asked about her touring plans and laughed a lot.",
        ("radar.warm_open_door",),
    ),
    (
        "He was cold and kept checking his phone, then left early.",
        ("radar.cold_give_space",),
    ),
    (
        "She wasn't cold, just busy. She answered my email the same day though.",
        ("radar.warm_open_door",),
    ),
    (
        "It was polite but flat, hard to say it was warm. She did say let's keep in touch.",
        ("radar.warm_open_door", "radar.social_intelligence"),
    ),
    (
        "He laughed at my jokes and asked me a ton of questions, but he cut the meeting short "
        "to take a call.",
        ("radar.read_temperature", "radar.social_intelligence"),
    ),
    ("Pretty meh. It was fine I guess.", ("radar.lukewarm_add_value",)),
    ("He ghosted me after the coffee.", ("radar.cold_give_space",)),
    (
        "She got back to me right away and offered to introduce me to her producer.",
        ("radar.warm_open_door",),
    ),
    (
        "I\u2019m not sure it was warm. She didn\u2019t ask me a single question and wrapped it "
        "up early.",
        ("radar.cold_give_space",),
    ),
    (
        "She was warm at first, then got distracted and checked her watch.",
        ("radar.cold_give_space", "radar.social_intelligence"),
    ),
    ("She said yes to a second coffee!", ("radar.warm_open_door",)),
    (
        "He said no problem when I spilled coffee on his notes lol. He laughed it off.",
        ("radar.warm_open_door",),
    ),
    (
        # The user's verdict alone is not the hero's reaction: nothing to read yet.
        "Coffee with my hero!!! \U0001f60d\U0001f60d It was amazing",
        (),
    ),
    (
        "She treated me like a peer, asked for my opinion on her mix, and we geeked out about "
        "her synth collection.",
        ("radar.warm_open_door",),
    ),
    (
        "I spent the whole time talking about my own projects. She was polite but I could tell "
        "she was bored.",
        ("interests.their_world", "radar.cold_give_space", "radar.social_intelligence"),
    ),
    ("He answered my follow-up two weeks later with one line.", ("radar.lukewarm_add_value",)),
    ("She asked me to call her Jo.", ()),
    ("I got a cold brew and she had a flat white.", ()),
    # step 4: distance
    (
        "I corrected her on the release date and we got into a debate about streaming.",
        ("distance.they_are_the_guru",),
    ),
    (
        "I never corrected her, even when she got the release date wrong. I just listened and "
        "took notes.",
        ("distance.respectful_deference",),
    ),
    (
        "I asked him to introduce me to his manager and pushed for weekly coffees.",
        ("distance.autonomy_authority",),
    ),
    (
        "I asked for his advice on whether to go freelance, and treated him as the expert.",
        ("distance.respectful_deference",),
    ),
    (
        "He was distracted and curt. I tried to one-up his story about touring and we argued "
        "about it.",
        ("radar.cold_give_space", "distance.they_are_the_guru"),
    ),
    (
        "Let him do the talking about his research, picked his brain about grad school.",
        # No trouble of his came up: getting him onto his problems is fair advice too.
        ("distance.respectful_deference", "interests.surface_problems"),
    ),
    (
        "They were super generous with their time. I listened more than I talked and took notes.",
        ("radar.warm_open_door", "distance.respectful_deference"),
    ),
    (
        "I asked her what she'd do in my shoes and took notes the whole time.",
        ("distance.respectful_deference",),
    ),
    (
        "Overstepped big time: I asked her to review my demo on the spot. She was nice about it.",
        ("radar.warm_open_door", "distance.autonomy_authority"),
    ),
    (
        "He asked what I thought about the new release, and I told him it was weaker than his "
        "last one. He looked annoyed.",
        ("radar.read_temperature", "radar.social_intelligence", "distance.they_are_the_guru"),
    ),
    # step 5: readiness
    (
        "Our third coffee. It's not awkward anymore, honestly it feels natural now, and she was "
        "really warm.",
        ("radar.warm_open_door", "ask.check_the_room", "ask.go_ask"),
    ),
    ("We've met twice. Still pretty awkward.", ("ask.not_yet", "ask.check_the_room")),
    (
        "This was coffee number 5 and it's getting easier, but she checked her phone a lot.",
        ("radar.cold_give_space", "ask.not_yet", "ask.check_the_room"),
    ),
    (
        "Should I ask her to mentor me? We've had a few coffees.",
        ("ask.not_yet", "ask.check_the_room"),
    ),
    (
        "Met for the fourth time. It's less awkward and she invited me to her studio.",
        ("radar.warm_open_door", "ask.check_the_room", "ask.go_ask"),
    ),
    (
        "3 coffees in and it's still stiff. Is it too soon to ask to shadow him?",
        ("ask.not_yet", "ask.check_the_room"),
    ),
    (
        "We met four times now and it flows naturally. She replied within an hour to my "
        "thank-you note.",
        ("radar.warm_open_door", "ask.check_the_room", "ask.go_ask"),
    ),
    (
        "WE MET FOR THE THIRD TIME!!! SHE WAS SO ENTHUSIASTIC AND SAID LET'S DO THIS AGAIN",
        ("radar.warm_open_door", "ask.not_yet", "ask.check_the_room"),
    ),
    (
        "Coffee #2 with Sam. Sam asked me lots of questions about my thesis and it felt natural.",
        ("radar.warm_open_door", "ask.not_yet", "ask.check_the_room"),
    ),
    (
        "This was meeting number three. Not getting any less awkward, honestly.",
        ("ask.not_yet", "ask.check_the_room"),
    ),
    (
        "Fourth coffee, less awkward than before, but she ended it early.",
        ("radar.cold_give_space", "ask.not_yet", "ask.check_the_room"),
    ),
    (
        LONG_DEBRIEF,
        ("interests.well_done", "radar.warm_open_door", "ask.check_the_room", "ask.go_ask"),
    ),
    (
        "Met Sarah for the 3rd time. It's way more natural now, she laughs at my jokes, and she "
        "emailed me back within minutes. Should I ask to shadow her?",
        ("radar.warm_open_door", "ask.check_the_room", "ask.go_ask"),
    ),
    (
        "I'm not sure why but it's getting easier. Fourth coffee.",
        ("ask.check_the_room", "ask.go_ask"),
    ),
    # step 5: outcomes
    (
        "I asked her if I could shadow her at the studio. She said she's swamped until after "
        "the launch but to ask again in March.",
        ("ask.outcome_not_now",),
    ),
    ("He said he doesn't take on mentees, sorry.", ("ask.outcome_no",)),
    (
        "I asked him to be my mentor and he said yes, but not until after the album is done.",
        ("ask.outcome_not_now",),
    ),
    (
        "Met up with Jules for the third time, and honestly it's not awkward anymore. She asked "
        "about my thesis, laughed a lot and said to ping her next week.",
        ("radar.warm_open_door", "ask.check_the_room", "ask.go_ask"),
    ),
    ("I asked to shadow her for a week and she said yes!", ("ask.outcome_yes",)),
    (
        "I asked if I could shadow him. He said not right now, maybe after the album is out.",
        ("ask.outcome_not_now",),
    ),
    (
        "Asked her to be my mentor. She declined, said she isn't taking on mentees.",
        ("ask.outcome_no",),
    ),
    (
        "She said she's too busy right now to take on a mentee, ask again in the spring.",
        ("ask.outcome_not_now",),
    ),
    ("I asked Dana if I could shadow her on the tour and she agreed!", ("ask.outcome_yes",)),
    ("I asked to shadow him and he said no.", ("ask.outcome_no",)),
    (
        "Not gonna lie, I brought up shadowing too soon and she looked uncomfortable. She said "
        "maybe next year.",
        ("distance.autonomy_authority", "ask.outcome_not_now"),
    ),
    (
        "Fifth coffee, way less awkward. I asked if she'd let me shadow her and she said yes.",
        ("ask.outcome_yes",),
    ),
]


@pytest.mark.parametrize(("text", "expected"), STORIES)
def test_story_gets_the_expected_advice(text: str, expected: tuple[str, ...]) -> None:
    # At most two pieces of advice (coaching.md section 6), each one the story supports.
    reading = read_story(text)
    assert set(reading.advice) <= set(expected)
    assert len(reading.advice) <= min(2, len(expected))
    assert reading.says_too_little is (expected == ())


# Careful judgements the reader gets wrong since its model has a say (docs/coaching.md,
# "Weighing"): the model reads words, not whose pitch it is or who asked about whose band,
# and these slip past the rules. Left out of STORIES, which must pass, and strict, so a
# fix shows as a failure here and the story goes back.
MISREAD = [
    pytest.param(
        "We talked about her new label and she admitted her biggest headache is finding good "
        "engineers. I did NOT pitch anything; I offered a different angle on it and she said "
        "that's a great point.",
        ("interests.well_done",),
        marks=pytest.mark.xfail(
            strict=True,
            reason="at the weighing's bar of 0.2 the model adds 'they are the guru' beside it",
        ),
    ),
    pytest.param(
        "I need to pitch my startup to investors next week, so I asked her how she handles "
        "pitches.",
        (),
        marks=pytest.mark.xfail(
            strict=True, reason="the model reads 'pitch' as the user's pitch to the hero"
        ),
    ),
    pytest.param(
        "I was a nervous wreck, stammering through my questions. She was kind about it and asked "
        "me about my band.",
        ("germ.regular_people", "radar.warm_open_door"),
        marks=pytest.mark.xfail(
            strict=True,
            reason="the model reads the hero asking about the band as the user talking of it",
        ),
    ),
]


@pytest.mark.parametrize(("text", "expected"), MISREAD)
def test_known_misreadings(text: str, expected: tuple[str, ...]) -> None:
    test_story_gets_the_expected_advice(text, expected)


# (story, the exact set of signals expected)
SIGNAL_SETS: list[tuple[str, set[Signal]]] = [
    (
        "I wasn't starstruck at all. She was warm and asked me lots of questions.",
        {Signal.AT_EASE, Signal.PRAISED, Signal.FOLLOW_UP_QUESTIONS},
    ),
    (
        "I totally fangirled, lost count of the compliments and live-tweeted the whole thing. "
        "She checked her phone a lot and left early.",
        {
            Signal.STARSTRUCK,
            Signal.MANY_COMPLIMENTS,
            Signal.POSTED,
            Signal.COLD,
            Signal.CUT_SHORT,
        },
    ),
    (
        "It was mostly about me honestly, I pitched my app to fix her booking problem.",
        {Signal.ABOUT_ME, Signal.PITCHED_SOLUTION, Signal.PROBLEM_SHARED},
    ),
    (
        "I argued with him about streaming royalties and then asked him to introduce me to his "
        "manager.",
        {Signal.PEER, Signal.PUSHED},
    ),
    (
        "I asked for his advice on my career and he gave me his card, said let's do this again.",
        {Signal.ASKED_GUIDANCE, Signal.OPEN_DOOR},
    ),
    (
        "We've met four times and it's getting easier. She lit up talking about her label's "
        "touring problems and I offered an idea that made her think.",
        {
            Signal.LESS_AWKWARD,
            Signal.WARM,
            Signal.ABOUT_THEM,
            Signal.PROBLEM_SHARED,
            Signal.OFFERED_INSIGHT,
        },
    ),
    (
        "He gave me one-word answers and then ghosted my follow-up email.",
        {Signal.COLD},
    ),
    (
        "We spent the whole hour on his awards. I was starstruck.",
        {Signal.ACHIEVEMENTS, Signal.STARSTRUCK},
    ),
    ("Dana was noncommittal. It was ok-ish.", {Signal.LUKEWARM}),
    ("She hasn't replied to my email yet.", {Signal.COLD}),
    (
        "Our third coffee and I asked to shadow her. She said not now, maybe in a few months.",
        {Signal.OUTCOME_NOT_NOW},
    ),
    (
        "She said no, not right now, but to ask again after the tour. I'd asked to shadow her.",
        {Signal.OUTCOME_NOT_NOW},
    ),
]


@pytest.mark.parametrize(("text", "expected"), SIGNAL_SETS)
def test_story_gets_the_expected_signals(text: str, expected: set[Signal]) -> None:
    assert read_story(text).signals == expected


# --- negation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("I did NOT pitch anything.", Signal.PITCHED_SOLUTION),
        ("I didn't pitch my app at all", Signal.PITCHED_SOLUTION),
        ("I didnt pitch", Signal.PITCHED_SOLUTION),
        ("didn't take a single photo", Signal.POSTED),
        ("I didn\u2019t post anything", Signal.POSTED),
        ("I wasn't starstruck at all", Signal.STARSTRUCK),
        ("I WASN\u2019T STARSTRUCK", Signal.STARSTRUCK),
        ("no compliments this time, just one at the start", Signal.MANY_COMPLIMENTS),
        ("never corrected her", Signal.PEER),
        ("she wasn't cold, just busy", Signal.COLD),
        ("it's not awkward anymore", Signal.MORE_AWKWARD),
        ("there was no awkwardness", Signal.MORE_AWKWARD),
        ("without checking his phone once", Signal.COLD),
        ("I hardly gushed", Signal.MANY_COMPLIMENTS),
        ("I don't think she was warm", Signal.WARM),
        ("I never asked for a job", Signal.PUSHED),
        ("we didn't talk about her work", Signal.ABOUT_THEM),
        ("she didn't reply quickly", Signal.QUICK_REPLY),
        ("nobody live-tweeted", Signal.POSTED),
        ("I didn't take notes", Signal.DEFERENCE),
    ],
)
def test_negation_cancels_the_signal(text: str, absent: Signal) -> None:
    assert absent not in read_story(text).signals


@pytest.mark.parametrize(
    ("text", "present"),
    [
        # The negation belongs to another clause.
        ("I didn't plan to, but I pitched my app anyway", Signal.PITCHED_SOLUTION),
        ("she wasn't rude and she asked me lots of questions", Signal.FOLLOW_UP_QUESTIONS),
        ("I didn't expect it. She was so warm", Signal.PRAISED),
        ("not ideal; I took a selfie", Signal.POSTED),
        ("I wasn't sure at first and then I froze", Signal.STARSTRUCK),
        # Phrases that look negative but affirm.
        ("she couldn't stop laughing", Signal.WARM),
        ("I've never seen her so animated", Signal.PRAISED),
        ("not only was she warm, she invited me back", Signal.PRAISED),
        # Phrases that carry their own negation.
        ("it's not awkward anymore", Signal.LESS_AWKWARD),
        ("no longer stiff at all", Signal.LESS_AWKWARD),
        ("I wasn't starstruck at all", Signal.AT_EASE),
        ("she didn't ask me a single question", Signal.COLD),
        ("it isn't getting any easier", Signal.MORE_AWKWARD),
        ("he barely said a word", Signal.COLD),
    ],
)
def test_signal_survives_negation_elsewhere(text: str, present: Signal) -> None:
    assert present in read_story(text).signals


def test_one_compliment_is_not_many() -> None:
    assert Signal.MANY_COMPLIMENTS not in read_story("I paid her one compliment").signals
    assert Signal.MANY_COMPLIMENTS in read_story("I paid her several compliments").signals


def test_an_answer_needs_a_mentoring_ask() -> None:
    assert Signal.OUTCOME_YES not in read_story("She said yes to lunch next week").signals
    assert Signal.OUTCOME_NO not in read_story("He said no to dessert").signals
    assert Signal.OUTCOME_NO in read_story("I asked to shadow him. He said no.").signals


def test_wishing_for_a_yes_is_not_a_yes() -> None:
    reading = read_story("Will she let me shadow her? Our third coffee is Friday.")
    assert Signal.OUTCOME_YES not in reading.signals
    assert reading.advice == ("ask.not_yet", "ask.check_the_room")


# --- meeting counts ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "coffees"),
    [
        ("our third coffee", 3),
        ("Our THIRD coffee", 3),
        ("3 coffees so far", 3),
        ("three coffees so far", 3),
        ("we've met four times", 4),
        ("coffee number 5", 5),
        ("coffee no. 4 today", 4),
        ("coffee #6", 6),
        ("we met twice", 2),
        ("we've only met once", 1),
        ("the 2nd meeting went fine", 2),
        ("our 10th catch-up", 10),
        ("we met for the first time", 1),
        ("the third time we met", 3),
        ("had coffee with her three times", 3),
        ("two coffees and a call", 2),
        ("Third coffee. Last time was our second.", 3),
        ("a few coffees", None),
        ("several meetings now", None),
        ("a couple of coffees", None),
        ("I drank my coffee", None),
        ("we haven't had a second coffee yet", None),
        ("she agreed to a third coffee", None),
        ("", None),
    ],
)
def test_counts_meetings(text: str, coffees: int | None) -> None:
    assert read_story(text).coffees == coffees


def test_a_count_alone_is_not_a_question_of_readiness() -> None:
    assert read_story("coffee number 2").advice == ()
    assert read_story("coffee number 2, still awkward").advice == (
        "ask.not_yet",
        "ask.check_the_room",
    )


def test_min_meetings_moves_the_readiness_line() -> None:
    text = "Fourth coffee and it's getting easier."
    assert read_story(text).advice == ("ask.go_ask", "ask.check_the_room")
    assert read_story(text, min_meetings=5).advice == ("ask.not_yet", "ask.check_the_room")
    assert read_story(text, min_meetings=4).advice == ("ask.go_ask", "ask.check_the_room")


def test_ready_needs_less_awkward_and_no_cold() -> None:
    assert read_story("fifth coffee, still stiff").advice == ("ask.not_yet", "ask.check_the_room")
    assert set(read_story("fifth coffee, less awkward, she left early").advice) == {
        "ask.not_yet",
        "radar.cold_give_space",
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The user's word alone is a verdict, not a reaction: nothing to read yet.
        ("She was warm.", ()),
        ("She lit up.", ("radar.warm_open_door",)),
        ("She was cold.", ("radar.cold_give_space",)),
        ("It was lukewarm, polite but flat.", ("radar.lukewarm_add_value",)),
        ("It was fine.", ()),
        # Their deeds against the user's verdict: the deeds lead, the mismatch is noted.
        ("She was warm but left early.", ("radar.cold_give_space", "radar.social_intelligence")),
        (
            "She laughed a lot but left early.",
            ("radar.read_temperature", "radar.social_intelligence"),
        ),
        (
            "Lukewarm, though she asked me questions; then she left early.",
            ("radar.read_temperature", "radar.social_intelligence"),
        ),
        # A lukewarm reading against one plain sign: the sign leads, the mismatch is noted.
        (
            "Lukewarm, but she asked me questions.",
            ("radar.warm_open_door", "radar.social_intelligence"),
        ),
        ("Lukewarm, and she left early.", ("radar.cold_give_space", "radar.social_intelligence")),
    ],
)
def test_temperature_evidence(text: str, expected: tuple[str, ...]) -> None:
    assert set(read_story(text).advice) == set(expected)


def test_an_outcome_replaces_the_readiness_advice() -> None:
    reading = read_story("Our fourth coffee, less awkward; I asked to shadow her, she said yes")
    assert reading.coffees == 4
    assert reading.advice == ("ask.outcome_yes",)


# --- says too little -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["hi", "ok", "we met", "lol", "\U0001f44d", "...", "\x00\x01\x02", "Had coffee.", "asdf"],
)
def test_says_too_little(text: str) -> None:
    reading = read_story(text)
    assert reading.says_too_little
    assert reading.advice == ()


def test_a_signal_without_advice_still_says_too_little() -> None:
    reading = read_story("It went great.")
    assert reading.signals == {Signal.PRAISED}
    assert reading.says_too_little


def test_says_too_little_is_false_with_advice() -> None:
    assert not StoryReading(frozenset(), None, ("germ.one_compliment",)).says_too_little


# --- normalising ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "I didn't pitch anything",
        "I didn\u2019t pitch anything",
        "I DIDN'T PITCH ANYTHING",
        "I  didn't\t\tpitch   anything",
        "I did\u200bn't pitch anything",
    ],
)
def test_quotes_case_and_spacing_do_not_matter(text: str) -> None:
    assert Signal.PITCHED_SOLUTION not in read_story(text).signals


def test_a_line_break_ends_the_negation() -> None:
    assert Signal.POSTED in read_story("I didn't plan it\nposted a selfie").signals


def test_names_work_like_pronouns() -> None:
    reading = read_story("I corrected Dana twice and Dana asked me lots of questions.")
    assert {Signal.PEER, Signal.FOLLOW_UP_QUESTIONS} <= reading.signals


# --- shape of the result -------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), STORIES[:20])
def test_advice_is_unique_and_known(text: str, expected: tuple[str, ...]) -> None:
    del expected
    advice = read_story(text).advice
    assert len(set(advice)) == len(advice)
    assert set(advice) <= KNOWN_ADVICE


def test_the_reading_is_frozen() -> None:
    reading = read_story("It went great")
    with pytest.raises(AttributeError):
        reading.coffees = 3  # type: ignore[misc]
    assert isinstance(reading.signals, frozenset)


def test_signal_values_are_the_contract() -> None:
    assert Signal.ABOUT_ME == "about_me"
    assert Signal.OUTCOME_NOT_NOW == "outcome_not_now"
    assert len(Signal) == 33


# --- robustness and speed ------------------------------------------------------------


@given(st.text(max_size=2_000))
@settings(max_examples=300, deadline=None)
def test_never_raises_on_any_text(text: str) -> None:
    reading = read_story(text)
    assert set(reading.advice) <= KNOWN_ADVICE
    assert reading.says_too_little is (reading.advice == ())
    assert all(isinstance(signal, Signal) for signal in reading.signals)


# Words that trigger many rules, to fuzz the reader with story-like text.
STORY_WORDS = (
    "i she he they her him his my me we not didn't wasn't never no but and then "
    "pitched compliments starstruck photo posted warm cold lukewarm polite awkward easier "
    "coffee third 3 met times asked questions advice shadow mentor said yes maybe later "
    "corrected listened notes about work problem idea think laughed phone left early"
)
VOCABULARY = (*STORY_WORDS.split(), ",", ".", "!", "\n")


@given(st.lists(st.sampled_from(VOCABULARY), max_size=60))
@settings(max_examples=300, deadline=None)
def test_never_raises_on_story_like_text(words: list[str]) -> None:
    reading = read_story(" ".join(words))
    assert set(reading.advice) <= KNOWN_ADVICE
    assert reading.coffees is None or reading.coffees >= 0


@given(st.lists(st.sampled_from(VOCABULARY), max_size=60))
@settings(max_examples=200, deadline=None)
def test_cue_scan_never_hides_a_match(words: list[str]) -> None:
    text = clean(" ".join(words))
    scanned = story.scan(text)
    for rule in story._RULES:
        plain = rule.finder.pattern.search(text) is not None
        assert plain == any(True for _ in scanned.matches(rule.finder)), rule.signal


@pytest.mark.parametrize(("text", "expected"), STORIES)
def test_cue_scan_never_hides_a_match_in_the_stories(text: str, expected: tuple[str, ...]) -> None:
    del expected
    normalised = clean(text)
    scanned = story.scan(normalised)
    for rule in story._RULES:
        plain = [match.start() for match in rule.finder.pattern.finditer(normalised)]
        assert plain == [match.start() for match in scanned.matches(rule.finder)], rule.signal


@pytest.mark.parametrize(
    "text",
    [
        "\x00" * 10_000,
        "\U0001f600" * 10_000,
        "a" * 10_000,
        "not " * 2_500,
        "\u2019" * 10_000,
        "\ud800" * 100,
        "I didn't pitch, " * 700,
        ".," * 5_000,
        "." * 10_000,
        " " * 10_000,
        "\t" * 10_000,
        "\n" * 10_000,
        "asked me " * 1_100,
        "x" * 100_000,
    ],
)
def test_odd_input_is_read_safely(text: str) -> None:
    # How fast is measured in bench/, not asserted here.
    reading = read_story(text)
    assert set(reading.advice) <= KNOWN_ADVICE
