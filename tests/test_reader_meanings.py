"""The reader reads meanings, not sentences: wordings that are in no rule and no corpus story.

Each story below was written after the lexicons (dialogs/reader/words.toml [lexicon],
[reactions], [acts], [problems], [relationship]) and shares no sentence with the corpus;
it is read because its actor, act and object are each in a class.
"""

from __future__ import annotations

import pytest

from dialogs.reader import read, read_story

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


# A third round: stories in fields and voices the corpus lacks (pharmacy, beekeeping,
# esports, podcasting, vineyards, surgery...), written before the reader saw them and read
# after the gaps they showed were filled by class. Each: text, heroes, step, the advice
# a careful coach must give, and the misreadings it must not.
FRESH_ROUND3 = [
    (
        "met the head pharmacist at the county hospital for a quick tea. I basically "
        "delivered a twenty minute lecture on my dosage-checking spreadsheet. she said "
        "'interesting' twice.",
        ("Priya Raman",),
        None,
        {"interests.their_world"},
        {"interests.well_done"},
    ),
    (
        "Planning to show him the prototype of my podcast editing plugin next Tuesday, I "
        "reckon it'd save his team hours every episode.",
        ("Leo Brandt",),
        None,
        {"interests.insight_over_solutions"},
        {"ask.go_ask", "interests.well_done"},
    ),
    (
        "had my phone out the entire time recording bits for my reel while the dentist showed"
        " me round her clinic",
        ("Dr. Hana Sato",),
        None,
        {"germ.no_live_tweeting"},
        {"germ.well_done"},
    ),
    (
        "beekeeper guy replied to my email after five weeks with just 'thanks'",
        ("Walt Ober",),
        None,
        {"radar.lukewarm_add_value"},
        {"radar.warm_open_door", "radar.cold_give_space"},
    ),
    (
        "He said come back to him once harvest is over, right now the vineyard eats every "
        "hour he has.",
        ("Luca Ferri",),
        "ask",
        {"ask.outcome_not_now"},
        {"ask.outcome_yes", "ask.outcome_no"},
    ),
    (
        "Everyone on the esports team call was there, like 12 people, and I'm wondering if I "
        "should bring up the coaching internship in front of all of them or wait",
        ("Jae Park",),
        "ask",
        {"ask.check_the_room"},
        set(),
    ),
    (
        "Messaged the translator every day this week to see if she'd read my sample yet, and "
        "again this morning.",
        ("Sabine Roux",),
        None,
        {"distance.autonomy_authority"},
        {"distance.respectful_deference"},
    ),
    (
        "I kept correcting the accountant on the new tax guidance during lunch, she was a bit"
        " behind on it tbh",
        ("Margot Fielding",),
        None,
        {"distance.they_are_the_guru"},
        {"distance.respectful_deference"},
    ),
    (
        "Used most of our call to go on about my new fintech side project, the roadmap, the "
        "investors. She was polite.",
        ("Celia Brandt",),
        None,
        {"interests.their_world"},
        {"interests.well_done"},
    ),
    (
        "Kept it to the 20 minutes I asked for, stood up on time even though she seemed happy"
        " to keep going.",
        ("Dana Ruiz",),
        None,
        {"distance.respectful_deference"},
        {"distance.autonomy_authority"},
    ),
    (
        "Before we hang up on Thursday's call, how do I tell if it's the right moment to "
        "bring up working on her next set? She sounded stressed last time.",
        ("Dana Ruiz",),
        "ask",
        {"ask.check_the_room"},
        set(),
    ),
    (
        "Bit of a disaster: spent ages explaining my ceramics business plan to her, and she "
        "yawned. Twice.",
        ("Oona Lind",),
        None,
        {"interests.their_world"},
        {"interests.well_done"},
    ),
    (
        "We spent the whole dinner on his old championship seasons, trophy by trophy. I "
        "didn't learn a thing about what he's doing now.",
        ("Coach Dale Murphy",),
        None,
        {"germ.value_their_time"},
        set(),
    ),
    (
        "I told the head chef her menu was stuck in 2010 and she should go fully plant-based.",
        ("Mireille Dubois",),
        None,
        {"distance.they_are_the_guru"},
        {"distance.respectful_deference"},
    ),
    (
        "Every time she told a story about a case, I jumped in with a bigger one of mine.",
        ("Adaeze Obi",),
        None,
        {"distance.they_are_the_guru"},
        set(),
    ),
    (
        "Before I ask the surgeon to let me observe, is it weird to mention I built the "
        "scheduling tool her department is struggling with? Planning to ask Friday.",
        ("Dr. Ines Mora",),
        "ask",
        {"ask.offer_skills"},
        set(),
    ),
    (
        # Polite with an eye on the clock is lukewarm or cold (tests/data/README.md); the
        # reader may say either, or leave the temperature to the next check-in.
        "Gave him a detailed overview of my five-year plan and my side hustles. He nodded "
        "politely and checked the time.",
        ("Colin Mbeki",),
        None,
        {"interests.their_world"},
        {"radar.warm_open_door", "interests.well_done"},
    ),
    (
        "Complimented her once on the bridge design at the end, otherwise we talked about the"
        " council's planning delays that are driving her mad.",
        ("Ana Petrović",),
        None,
        {"germ.well_done"},
        {"germ.one_compliment"},
    ),
    (
        "Most of the call was me going through my portfolio piece by piece, she said 'mm-hm' "
        "a lot.",
        ("Céline Marchetti",),
        None,
        {"interests.their_world"},
        {"interests.well_done"},
    ),
    (
        "Coffee with the master plumber went really well, I just listened while he moaned "
        "about apprentices quitting after one winter and asked what would keep them. He "
        "talked the whole time.",
        ("Gus Hartley",),
        None,
        {"interests.well_done"},
        {"interests.their_world", "interests.insight_over_solutions"},
    ),
]


@pytest.mark.parametrize(("text", "heroes", "step", "expected", "wrong"), FRESH_ROUND3)
def test_a_new_field_or_voice_is_read_by_its_meaning(
    text: str, heroes: tuple[str, ...], step: str | None, expected: set[str], wrong: set[str]
) -> None:
    advice = set(read_story(text, heroes=heroes, step=step).advice)
    assert expected <= advice
    assert not advice & wrong


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


# Round four (docs/coaching.md, "Reading what others write"): stories of four fresh sets
# written outside the repository, and four of the independent development set, added as
# regression examples once its fixes were done, so that set is no longer held out: the ones
# marked "dev set". Each of these missed before its class was read.
FRESH_ROUND4 = [
    # A phrase that holds its own negation says what it says.
    (
        "Honestly think he can't stand me. But he did invite me to his studio's open day and "
        "he forwarded me a job ad he thought would suit me.",
        None,
        {"radar.warm_open_door", "radar.social_intelligence"},
        {"radar.cold_give_space"},
    ),
    (
        "I've booked us a standing Friday call for the next two months without really asking "
        "him first.",
        None,
        {"distance.autonomy_authority"},
        {"distance.respectful_deference"},
    ),
    (
        "Not one compliment, not one photo, and I didn't mention my own work until she "
        "asked. We talked about her volunteers quitting.",
        None,
        {"germ.well_done"},
        {"germ.one_compliment", "germ.no_live_tweeting"},
    ),
    # A question the user answers at once.
    (
        "Got a selfie? No. Posted anything? No. We mostly talked about her distributor.",
        None,
        set(),
        {"germ.no_live_tweeting"},
    ),
    # A reaction the story says gave way to another.
    # dev set
    (
        "he was 20 min late and kind of distracted at first, but then stayed an extra half "
        "hour and asked me to come watch the rehearsal on saturday",
        None,
        {"radar.warm_open_door"},
        {"radar.cold_give_space"},
    ),
    # Who: a subject inside "which gym he goes to", a friend's reading, the hero's team.
    # dev set
    (
        "found out which climbing gym he goes to and waited outside after his session to "
        "catch him. he looked surprised, we talked 5 min",
        None,
        {"distance.autonomy_authority"},
        {"distance.respectful_deference"},
    ),
    (
        "My sister says he was clearly bored, but he stayed two hours and asked to see my "
        "sketches next time, so I don't buy it.",
        None,
        {"radar.warm_open_door"},
        {"radar.cold_give_space"},
    ),
    (
        "he spent the whole call telling me about the crunch on his team and how they can't "
        "find a decent sound designer. i told him about a sound library trick that might save "
        "them time and he asked me to write it up",
        None,
        {"interests.well_done"},
        {"interests.their_world", "interests.surface_problems"},
    ),
    # Bringing nothing to the hero's trouble.
    # dev set
    (
        "I didn't pitch, didn't suggest, didn't add a thing. He told me about the permit "
        "nightmare on the harbour job and all I managed was 'wow that sounds hard'.",
        None,
        {"interests.insight_over_solutions"},
        {"interests.well_done"},
    ),
    # At the ask, a skill offered with it is how to ask, not a pitch.
    # dev set
    (
        "I write grants for a living and Dr Okafor complains about grant writing every single "
        "time we meet. Going to ask if I can join her lab for a few weeks; should I lead with "
        "the grant thing?",
        "ask",
        {"ask.offer_skills"},
        set(),
    ),
    # An invitation in the hero's own words.
    (
        "Her reply: \"Loved your write-up! Come to the studio Tuesday, I'll introduce you to "
        'the team."',
        None,
        {"radar.warm_open_door"},
        {"radar.cold_give_space"},
    ),
    # An answer passed on by the hero's office.
    (
        "His PA rang: Marcus is happy for me to spend a week on the dispatch floor in March.",
        "ask",
        {"ask.outcome_yes"},
        {"ask.outcome_no", "ask.outcome_not_now"},
    ),
    # Sarcasm with a deed against it.
    (
        "Superb meeting, said no one ever. He read his emails while I talked and left at the "
        "15 minute mark.",
        None,
        {"radar.cold_give_space"},
        {"radar.warm_open_door"},
    ),
    # Who: a possessive before a person, an invitation passed on, the hero's people as object.
    (
        "Walt's manager pitched me their new artist development scheme for twenty minutes. "
        "Walt and I then talked about the mastering backlog at the studio, which is driving "
        "him nuts.",
        None,
        set(),
        {"interests.insight_over_solutions"},
    ),
    (
        "Leah's assistant says Leah would love another coffee, maybe the week of the 20th?",
        None,
        {"radar.warm_open_door"},
        {"radar.cold_give_space"},
    ),
    (
        "Next time with Priya I'm going to ask what the hardest part of scaling her team has "
        "been and then just listen.",
        None,
        {"interests.well_done"},
        {"interests.their_world", "interests.insight_over_solutions"},
    ),
    # Talking about oneself, told as a list or a share of the time.
    # dev set
    (
        "So I told her about leaving the agency, about my ex who still owns half the domain, "
        "about the font I'm working on. She was lovely but looking back it was like 80/20 me.",
        None,
        {"interests.their_world"},
        {"interests.well_done"},
    ),
]


@pytest.mark.parametrize(("text", "step", "expected", "wrong"), FRESH_ROUND4)
def test_a_story_written_by_another_hand_is_read_by_its_class(
    text: str, step: str | None, expected: set[str], wrong: set[str]
) -> None:
    advice = set(read_story(text, heroes=("Marcus Chen",), step=step).advice)
    assert expected <= advice
    assert not advice & wrong


# Round 5: wordings of classes the held-out sets of 2026-11-30 showed missing (turning up
# uninvited, praise said again and again, a send-off, a door opened by a deed), written
# fresh for this test: none of these sentences is in any set.
FRESH_ROUND5 = [
    (
        "I'm planning to just show up at her bakery at 5am on Saturday, she can't say no to "
        "me if I'm standing there.",
        {"distance.autonomy_authority"},
        {"distance.respectful_deference"},
    ),
    (
        "Found out which gym he uses and caught him outside the changing rooms to ask about "
        "an apprenticeship.",
        {"distance.autonomy_authority"},
        {"distance.respectful_deference"},
    ),
    (
        "He said no thanks to the first date I proposed, then turned down both of the others.",
        {"radar.cold_give_space"},
        {"radar.warm_open_door"},
    ),
    (
        "She shook my hand, said it was nice, and moved straight on to the next person in "
        "the queue.",
        {"radar.cold_give_space"},
        {"radar.warm_open_door"},
    ),
    (
        "Took her nine days to write back 'sounds nice, good luck with the show'.",
        {"radar.lukewarm_add_value"},
        {"radar.warm_open_door"},
    ),
    (
        "That same evening she emailed an introduction to her editor.",
        {"radar.warm_open_door"},
        {"radar.cold_give_space"},
    ),
    (
        "He asked if I could sit in on Thursday's tasting. Bring your own knives, he said.",
        {"radar.warm_open_door"},
        {"radar.cold_give_space"},
    ),
    (
        "I must have told her 'you're a legend' I don't know how many times.",
        {"germ.one_compliment"},
        {"germ.well_done"},
    ),
    (
        "Our call was meant to be twenty minutes and I kept saying 'just one more question' "
        "until the hour was gone.",
        {"distance.autonomy_authority"},
        {"germ.one_compliment"},
    ),
    (
        "I asked him to go through my whole portfolio and send comments by Monday.",
        {"distance.autonomy_authority"},
        {"distance.respectful_deference"},
    ),
    (
        "She wasn't picking up so I messaged her husband to ask when she'd be free.",
        {"distance.autonomy_authority"},
        {"distance.respectful_deference"},
    ),
    (
        "I've been to his bakery four times this week hoping to bump into him.",
        {"distance.autonomy_authority"},
        {"radar.warm_open_door"},
    ),
    (
        "Going to suggest a standing monthly call so we have some structure.",
        {"distance.autonomy_authority"},
        {"distance.respectful_deference"},
    ),
    (
        "I sent him my write-up of the trial in March. Three weeks later he wrote back: "
        "'Thanks.' That's the reply.",
        {"radar.lukewarm_add_value"},
        {"radar.warm_open_door"},
    ),
    (
        "Lunch was pleasant. She answered all my questions but didn't ask me anything back, "
        "wished me all the best and that was that.",
        {"radar.lukewarm_add_value"},
        {"radar.warm_open_door", "radar.cold_give_space"},
    ),
    (
        "He said it's a mad season in the vineyard, I'll have to pass for now, ping me in a "
        "few months.",
        {"radar.lukewarm_add_value"},
        {"radar.warm_open_door"},
    ),
    (
        'Short visit, he was busy with a delivery. As I left he said "bring the sketches '
        "on Thursday and we'll go through them\".",
        {"radar.warm_open_door"},
        {"radar.cold_give_space"},
    ),
    (
        "Her DM this morning: 'hiii, fancy grabbing lunch next week?'",
        {"radar.warm_open_door"},
        {"radar.cold_give_space"},
    ),
    (
        "Out of nowhere he asked me to proofread the grant he's submitting.",
        {"radar.warm_open_door"},
        {"radar.cold_give_space"},
    ),
    (
        "I forgot to bring the sketches and felt stupid the whole time.",
        set(),
        {"radar.warm_open_door"},
    ),
    (
        "At the signing I kept calling him a genius, which he laughed off.",
        {"germ.one_compliment"},
        {"germ.well_done", "distance.autonomy_authority"},
    ),
]


@pytest.mark.parametrize(("text", "expected", "wrong"), FRESH_ROUND5)
def test_a_class_the_held_out_sets_showed_missing_is_read(
    text: str, expected: set[str], wrong: set[str]
) -> None:
    advice = set(read(text, heroes=("Marcus Chen",), use_model=False).advice)
    assert expected <= advice
    assert not advice & wrong


# Round 6 (2026-11-30, fourth session): classes from the misses of two new development
# sets, in fresh sentences. Heroes: Marcus Chen and Leila Haddad; step where it matters.
FRESH_ROUND6 = [
    # The hero's name after the user's verb is its object: the acts that follow are the
    # user's ("told Marcus he was a legend ... and took selfies").
    (
        "Told Marcus he was a legend like six times and took a pile of selfies with him.",
        "interests",
        {"germ.no_live_tweeting"},
        {"germ.well_done"},
    ),
    # An act the user stopped is not done.
    (
        "Since I quit correcting Marcus on his tooling choices he's been much friendlier.",
        "distance",
        set(),
        {"distance.they_are_the_guru"},
    ),
    # The hero's own "absolutely not" and a quoted reply ending in "No." answer the ask.
    (
        'Asked about the apprenticeship. Marcus said "absolutely not, sorry".',
        "ask",
        {"ask.outcome_no"},
        {"ask.outcome_yes"},
    ),
    (
        'Finally asked. He smiled, then said "you mean in my workshop? No."',
        "ask",
        {"ask.outcome_no"},
        {"ask.outcome_yes"},
    ),
    # Leaning on the hero for every decision oversteps too.
    (
        'Sent Marcus my two job offers and wrote "you pick, I\'ll do whatever you say".',
        "distance",
        {"distance.autonomy_authority"},
        {"distance.respectful_deference"},
    ),
    (
        "I keep asking Marcus what he'd do about basically every choice, even my flat.",
        "distance",
        {"distance.autonomy_authority"},
        {"distance.respectful_deference"},
    ),
    # The hero's invitation in their own quoted words, and a greeting in passing.
    (
        'Next morning Marcus texted: "Are you free for the Thursday build review?"',
        "radar",
        {"radar.warm_open_door"},
        {"radar.cold_give_space"},
    ),
    (
        "Saw Marcus at the trade show, he waved and then got pulled away by a client.",
        "radar",
        {"radar.lukewarm_add_value"},
        {"radar.warm_open_door"},
    ),
    (
        "Marcus said to drop him a line once the exam is done. Passed it last week!",
        "radar",
        {"radar.warm_open_door"},
        {"radar.cold_give_space"},
    ),
    # "Good? Bad?": the user can't read it.
    (
        "Marcus answered my email with a thumbs up. Good? Bad? No clue.",
        "radar",
        {"radar.read_temperature"},
        set(),
    ),
    # A string of messages to pin them down pushes for their time.
    (
        "Sent Marcus four messages on Sunday trying to pin him down for a studio visit.",
        "distance",
        {"distance.autonomy_authority"},
        {"distance.respectful_deference"},
    ),
    # Claiming the idea first is competing with them.
    (
        "Marcus showed his new rig and I pointed out that I'd built a similar one first.",
        "distance",
        {"distance.they_are_the_guru"},
        {"distance.respectful_deference"},
    ),
    # The ask in its own words, not "shadow" or "mentor", still makes a yes an answer.
    (
        "Marcus said yes!! I can join his team's night build on saturdays from january",
        "interests",
        {"ask.outcome_yes"},
        set(),
    ),
    # Two heroes: the story turns to its news with "but".
    (
        "Leila said to try again after the audit, fine. But Marcus just said yes to me "
        "shadowing the Friday build!!",
        "ask",
        {"ask.outcome_yes"},
        {"ask.outcome_not_now"},
    ),
]


@pytest.mark.parametrize(("text", "step", "expected", "wrong"), FRESH_ROUND6)
def test_a_class_two_new_development_sets_showed_missing_is_read(
    text: str, step: str, expected: set[str], wrong: set[str]
) -> None:
    reading = read(text, heroes=("Marcus Chen", "Leila Haddad"), step=step, use_model=False)
    assert expected <= set(reading.advice)
    assert not set(reading.advice) & wrong
