"""The /draft checker: its score on the draft corpus stays at its floor, and it quotes.

`python -m bench.drafts` prints the full figures and the drafts missed.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from bench.drafts import CORPUS, load, score
from dialogs.drafts import Finding, Medium, check, guess_medium

# The share reached when it was set (120/120), rounded down: the held-out set scores lower.
MATCH_FLOOR = 0.95
# Drafts written outside the corpus, each with what a careful coach finds in it.
FRESH = tomllib.loads((Path(__file__).parent / "data" / "drafts_fresh.toml").read_text())


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


def opening(draft: dict[str, Any]) -> str:
    return str(draft["text"][:40])


@pytest.mark.parametrize("draft", FRESH["unseen"], ids=opening)
def test_drafts_in_words_the_corpus_does_not_use(draft: dict[str, Any]) -> None:
    checked = check(draft["text"], step=draft["step"], meetings=draft["meetings"])
    assert set(checked.findings) == set(map(Finding, draft["findings"]))


@pytest.mark.parametrize("draft", FRESH["fresh"], ids=opening)
def test_fresh_drafts_are_read_by_meaning(draft: dict[str, Any]) -> None:
    medium = Medium(draft["medium"])
    checked = check(draft["text"], step=draft["step"], meetings=draft["meetings"], medium=medium)
    assert set(map(Finding, draft["findings"])) <= set(checked.findings)
    assert set(checked.advice) == set(draft["advice"])


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
