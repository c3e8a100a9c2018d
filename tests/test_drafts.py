"""The /draft checker: its score on the draft corpus stays at its floor, and it quotes.

`python -m bench.drafts` prints the full figures and the drafts missed.
"""

from __future__ import annotations

import pytest

from bench.drafts import CORPUS, load, score
from dialogs.drafts import Finding, Medium, check, guess_medium

# The share reached when it was set (120/120), rounded down: the held-out set scores lower.
MATCH_FLOOR = 0.95


def test_the_draft_corpus_is_scored_at_its_floor() -> None:
    drafts = load(CORPUS)
    assert len(drafts) >= 100
    result = score(drafts)
    assert result.share >= MATCH_FLOOR, f"{result.matched}/{result.stories} drafts match"


def test_a_gushing_pitch_is_quoted_back_in_the_users_words() -> None:
    text = (
        "Hi Sam, ur honestly the GOAT of product design. "
        "I built an app that would double your signups. Can u do a call this week?"
    )
    checked = check(text, step="interests", meetings=1)
    quoted = {f.finding: f.evidence for f in checked.found}
    assert (
        quoted[Finding.TOO_MANY_COMPLIMENTS] == "Hi Sam, ur honestly the GOAT of product design."
    )
    assert "double your signups" in quoted[Finding.PITCH]
    assert quoted[Finding.NO_EASY_EXIT] == "Can u do a call this week?"
    assert {"germ.one_compliment", "interests.insight_over_solutions"} <= set(checked.advice)
    assert "interests.well_done" not in checked.advice


def test_asking_to_shadow_is_fine_when_ready_and_too_big_before() -> None:
    text = (
        "Thanks for the coffee. Could I shadow you at one planning meeting next month? "
        "Totally fine if not."
    )
    ready = check(text, step="ask", meetings=4)
    early = check(text, step="radar", meetings=1)
    assert ready.findings == (Finding.GOOD,)
    assert ready.advice == ("interests.well_done",)
    assert early.has(Finding.REQUEST_TOO_BIG)
    assert {"distance.autonomy_authority", "ask.not_yet"} <= set(early.advice)


def test_a_negated_mentor_ask_is_no_mentor_ask() -> None:
    text = "I won't ask you to be my mentor, promise. What did your first year teach you?"
    assert not check(text, step="interests", meetings=1).has(Finding.MENTOR_ASK)
    asked = check("Will you be my mentor?", step="interests", meetings=1)
    assert asked.has(Finding.MENTOR_ASK)
    assert "ask.not_yet" in asked.advice


def test_a_draft_in_another_language_gets_no_advice() -> None:
    checked = check(
        "Hola Carmen, fue un placer conocerte en el festival. ¿Cómo resolviste la gira?",
        step="interests",
        meetings=1,
    )
    assert checked.language == "es"
    assert checked.advice == ()


def test_the_medium_is_guessed_from_the_shape() -> None:
    assert guess_medium("Dear Ms. Kaur,\n\nThank you for the tour.") is Medium.EMAIL
    assert guess_medium("thx for the intro! one q, how did u start?") is Medium.TEXT
    assert guess_medium(" ".join(["word"] * 40)) is Medium.DM


@pytest.mark.parametrize(
    ("text", "step", "meetings", "findings"),
    [
        (
            "Hi Ravi, I'd love to interview you for my newsletter. It would take about 90 "
            "minutes. Does Thursday work?",
            "interests",
            1,
            {Finding.REQUEST_TOO_BIG, Finding.NO_QUESTION, Finding.NO_EASY_EXIT},
        ),
        (
            "Hi Ben, I noticed your checkout page loads slowly on mobile. We're a performance "
            "agency and we can cut your load time in half for a flat fee. Interested?",
            "interests",
            1,
            {Finding.PITCH, Finding.NO_QUESTION},
        ),
        (
            "Hi Max, following up on my email from last week. Did you get a chance to look at "
            "my proposal? I'd really appreciate a response.",
            "radar",
            1,
            {Finding.ABOUT_ME, Finding.NO_QUESTION, Finding.NO_EASY_EXIT},
        ),
        (
            "Dear Dr. Alvarez, you are a visionary, a trailblazer and frankly the smartest "
            "person in oncology. Thank you for everything you do.",
            "germ",
            1,
            {Finding.TOO_MANY_COMPLIMENTS, Finding.NO_QUESTION},
        ),
        (
            "Thanks for the tip! What's the best way of pricing a first commission, in your "
            "experience?",
            "germ",
            2,
            {Finding.GOOD},
        ),
    ],
)
def test_drafts_in_words_the_corpus_does_not_use(
    text: str, step: str, meetings: int, findings: set[Finding]
) -> None:
    assert set(check(text, step=step, meetings=meetings).findings) == findings


# Written outside the corpus, in trades and voices it lacks, and scored once before the
# checker was changed (docs/coaching.md): each is read by meaning, not by a corpus phrase.
# The findings a careful coach gives must be there, and the advice is exactly theirs.
@pytest.mark.parametrize(
    ("text", "medium", "stage", "findings", "advice"),
    [
        (
            (
                "ur tattoo work is unmatched fr, cleanest linework in the whole city "
                "and ur colour packing is unbelievable 🔥🔥"
            ),
            Medium.TEXT,
            ("interests", 1),
            {Finding.NO_QUESTION, Finding.TOO_MANY_COMPLIMENTS},
            {"germ.one_compliment", "interests.their_world"},
        ),
        (
            (
                "Hey Marisol! I'm a second-year game design student and I've just "
                "finished my first indie platformer, I did all the art and music "
                "myself and my team says it's the best thing I've made. I'd really "
                "like you to play through the build and send me notes before our "
                "showcase on the 14th."
            ),
            Medium.DM,
            ("interests", 1),
            {Finding.ABOUT_ME, Finding.NO_EASY_EXIT, Finding.NO_QUESTION, Finding.REQUEST_TOO_BIG},
            {"ask.not_yet", "distance.autonomy_authority", "interests.their_world"},
        ),
        (
            (
                "Hi Ines, I loved your talk on sourdough hydration at the baking fair. "
                "I'm opening a tiny bakery next spring and I was hoping you could take "
                "me under your wing and guide me through the first year."
            ),
            Medium.DM,
            ("interests", 1),
            {Finding.MENTOR_ASK, Finding.NO_EASY_EXIT, Finding.NO_QUESTION},
            {"ask.not_yet", "interests.their_world"},
        ),
        (
            (
                "Hi Tomasz,\n\nThanks for the tour of the glass studio. I keep "
                "thinking about what you said about the annealing oven being the "
                "bottleneck when orders spike before Christmas. I came across a studio "
                "in Murano that staggers the heavy pieces to the night cycle; no idea "
                "if that would even work with your kiln, but how are you planning to "
                "handle this December?\n\nAll the best,\nLea"
            ),
            Medium.EMAIL,
            ("radar", 2),
            {Finding.GOOD},
            {"interests.well_done"},
        ),
        (
            (
                "Dear Mr. Okonkwo,\n\nIt was good to meet you at the actuarial society "
                "dinner. I'm applying for the fellowship programme and the form needs "
                "a letter from a senior fellow. Could you write one for me? The portal "
                "closes on Monday.\n\nRegards,\nLiam"
            ),
            Medium.EMAIL,
            ("germ", 1),
            {Finding.NO_EASY_EXIT, Finding.NO_QUESTION, Finding.REQUEST_TOO_BIG},
            {"ask.not_yet", "distance.autonomy_authority", "interests.their_world"},
        ),
        (
            (
                "Hey Lucía, saw your bakery's queue on Saturday 😅 you need an online "
                "pre-order system. I run one for three cafés already, I'll set yours "
                "up for free this month, just send me your menu."
            ),
            Medium.DM,
            ("radar", 1),
            {Finding.NO_EASY_EXIT, Finding.NO_QUESTION, Finding.PITCH},
            {"interests.insight_over_solutions", "interests.their_world"},
        ),
        (
            (
                "Dear Mr. Castellanos,\n\nI am a junior architect at a small practice "
                "and I have been working on my portfolio for the last six months. I am "
                "attaching my portfolio and my CV, and I would be grateful for your "
                "detailed comments on both by the end of the month, as I am applying "
                "to your firm's graduate scheme.\n\nSincerely,\nNadia"
            ),
            Medium.EMAIL,
            ("radar", 1),
            {Finding.ABOUT_ME, Finding.NO_EASY_EXIT, Finding.NO_QUESTION, Finding.REQUEST_TOO_BIG},
            {"ask.not_yet", "distance.autonomy_authority", "interests.their_world"},
        ),
        (
            (
                "Dear Ms. Volkov,\n\nThank you for the tour of the observatory last "
                "week and for answering all my questions about the spectrograph. Would "
                "it be possible for me to join your team for the whole three-week "
                "observing run in January? I would happily do the night logs. Of "
                "course, no pressure at all if that doesn't work.\n\nWith gratitude,\n"
                "Jae"
            ),
            Medium.EMAIL,
            ("ask", 4),
            {Finding.REQUEST_TOO_BIG},
            {"distance.autonomy_authority"},
        ),
        (
            (
                "hi Colm, any chance you'd have a spare couple of hours this weekend "
                "to show me round the boatyard? all good if not!"
            ),
            Medium.TEXT,
            ("interests", 1),
            {Finding.NO_QUESTION, Finding.REQUEST_TOO_BIG},
            {"ask.not_yet", "distance.autonomy_authority", "interests.their_world"},
        ),
        (
            (
                "Hey Nadia, I caught your talk on restoring old bookbindings. I'd be "
                "keen to know how you decide when a spine is too far gone to save."
            ),
            Medium.DM,
            ("interests", 1),
            {Finding.GOOD},
            {"interests.well_done"},
        ),
        (
            (
                "Dear Maestro Bellini,\n\nYou are a national treasure and a true "
                "master of the bel canto repertoire. Nobody sings Donizetti like you. "
                "Would you consider taking me on as your apprentice? I understand if "
                "you can't.\n\nDevotedly,\nChiara"
            ),
            Medium.EMAIL,
            ("interests", 1),
            {Finding.MENTOR_ASK, Finding.NO_QUESTION, Finding.TOO_MANY_COMPLIMENTS},
            {"ask.not_yet", "germ.one_compliment", "interests.their_world"},
        ),
        (
            (
                "Hi Ms. Takahashi,\n\nI'm the founder of StockSense. I've got a "
                "solution that will cut your warehouse picking errors in half; I've "
                "seen your job ads for pickers and it's clear you're losing money on "
                "returns. Let me show you how we did it for three other logistics "
                "firms. If it's not a fit, just ignore this.\n\nBest,\nDaniel"
            ),
            Medium.EMAIL,
            ("interests", 1),
            {Finding.NO_QUESTION, Finding.PITCH},
            {"interests.insight_over_solutions", "interests.their_world"},
        ),
        (
            (
                "Dear Dr. Ferreira,\n\nCongratulations on the Royal Society "
                "fellowship. Two hundred published papers, the Lasker nomination and a "
                "lab of forty people: your career is extraordinary to follow.\n\nKind "
                "regards,\nBen"
            ),
            Medium.EMAIL,
            ("germ", 1),
            {Finding.NO_QUESTION, Finding.PRAISE_NOT_QUESTIONS},
            {"germ.value_their_time", "interests.their_world"},
        ),
        (
            (
                "Hi Jun, honestly your animation pipeline is outdated, everyone has "
                "moved to real-time engines. I wrote a migration plan for studios your "
                "size; happy to send it over if you're interested."
            ),
            Medium.DM,
            ("radar", 1),
            {Finding.CORRECTS_HERO, Finding.NO_QUESTION, Finding.PITCH},
            {
                "distance.they_are_the_guru",
                "interests.insight_over_solutions",
                "interests.their_world",
            },
        ),
        (
            ("Hi Farah, can I send u my demo reel? would love ur thoughts by friday"),
            Medium.TEXT,
            ("germ", 1),
            {Finding.NO_EASY_EXIT, Finding.NO_QUESTION, Finding.REQUEST_TOO_BIG},
            {"ask.not_yet", "distance.autonomy_authority", "interests.their_world"},
        ),
    ],
)
def test_fresh_drafts_are_read_by_meaning(
    text: str,
    medium: Medium,
    stage: tuple[str, int],
    findings: set[Finding],
    advice: set[str],
) -> None:
    step, meetings = stage
    checked = check(text, step=step, meetings=meetings, medium=medium)
    assert findings <= set(checked.findings)
    assert set(checked.advice) == advice


def test_questions_and_greetings_that_look_like_praise_or_requests_are_good() -> None:
    for text in (
        "Thanks for the tour! What is the hardest part in the whole business, would you say?",
        "Loved the talk. Which of the oldest techniques in the field do you still use?",
        "Hi Omar, I keep thinking about the season you spent rebuilding the team. "
        "What would you do differently?",
        "Thanks Ana. Please give my best to the crew! How did the launch go?",
    ):
        assert check(text, step="interests", meetings=1).findings == (Finding.GOOD,)
    gushing = check("Your linework is the cleanest in the whole city.", step="germ", meetings=1)
    assert gushing.has(Finding.TOO_MANY_COMPLIMENTS)
