"""The second opinions (dialogs/reader/model.py): the shipped models are the ones trained on
the labelled stories and drafts in this repository, read by numpy exactly as scikit-learn
read them, and they add to the rules but never overrule them."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from dialogs import drafts
from dialogs.drafts import Finding, Found
from dialogs.reader import read, second_opinion
from dialogs.reader.model import (
    DRAFT_MODEL,
    MODEL,
    Model,
    char_grams,
    draft_model,
    story_model,
    word_grams,
)

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
# Each shipped model, how it loads, and the labelled sets it must have been trained on.
MODELS = [
    (MODEL, story_model, sorted(DATA.glob("stories*.toml"))),
    (DRAFT_MODEL, draft_model, [DATA / "drafts.toml", *sorted(DATA.glob("drafts-*.toml"))]),
]


def stored(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as data:
        return dict(data)


@pytest.mark.parametrize(("path", "loaded", "sets"), MODELS)
def test_numpy_reads_the_texts_as_scikit_learn_did(
    path: Path, loaded: Callable[[], Model | None], sets: list[Path]
) -> None:
    found, data = loaded(), stored(path)
    assert found is not None
    assert len(data["probe_texts"]) >= 10
    for text, expected in zip(data["probe_texts"], data["probe_probabilities"], strict=True):
        got = found.probabilities(str(text))
        assert [got[label] for label in found.labels] == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize(("path", "loaded", "sets"), MODELS)
def test_the_model_was_trained_on_the_sets_as_they_are_now(
    path: Path, loaded: Callable[[], Model | None], sets: list[Path]
) -> None:
    """A labelled set changed without `python -m bench.train_reader [--drafts]` fails here."""
    data = stored(path)
    digest = hashlib.sha256()
    for name in data["trained_on"]:
        digest.update((ROOT / str(name)).read_bytes())
    assert digest.hexdigest() == str(data["sets_sha256"])
    assert list(map(str, data["trained_on"])) == [str(p.relative_to(ROOT)) for p in sets]


def test_the_features_are_those_of_scikit_learn() -> None:
    assert word_grams("she said: ok, ok!") == [
        "she",
        "said",
        "ok",
        "ok",
        "she said",
        "said ok",
        "ok ok",
    ]
    # char_wb: each word padded with a space; a word shorter than n counted once.
    assert char_grams("hi yo", 3, 4) == [" hi", "hi ", " hi ", " yo", "yo ", " yo "]


def test_the_second_opinion_quotes_the_sentence_that_says_it_most() -> None:
    text = "it was a while ago. i spent the whole lunch on my own demo and my tour plans."
    sentences = [
        "it was a while ago.",
        "i spent the whole lunch on my own demo and my tour plans.",
    ]
    found = story_model()
    assert found is not None
    advice, evidence = second_opinion(text, 20)
    [chosen] = advice
    assert chosen == max(found.probabilities(text).items(), key=lambda item: item[1])[0]
    assert evidence[chosen] == max(sentences, key=lambda s: found.probabilities(s)[chosen])


def test_a_story_too_short_to_judge_gets_no_second_opinion() -> None:
    assert second_opinion("meh", 1) == ((), {})
    assert read("it was fine i guess").advice == ()


def test_a_story_in_another_language_gets_no_second_opinion() -> None:
    assert (
        read("Tomamos un café y fue genial, hablamos de su nuevo disco y de la gira").advice == ()
    )


STORY = "i spent the whole lunch talking about my own demo and my tour plans. she nodded a lot."


def test_the_second_opinion_never_makes_more_than_the_most_advice_allowed() -> None:
    found = story_model()
    assert found is not None
    likely = found.probabilities(STORY)
    best, *_ = sorted(likely, key=likely.__getitem__, reverse=True)
    plausible = [a for a in likely if a != best][:2]
    advice, _ = second_opinion(STORY, 16, tuple(plausible), dict.fromkeys(plausible, "w"))
    assert advice == tuple(plausible)


def test_beside_the_rules_the_model_adds_only_another_steps_view() -> None:
    found = story_model()
    assert found is not None
    likely = found.probabilities(STORY)
    best = max(likely, key=likely.__getitem__)
    step = best.partition(".")[0]
    same = next(a for a in found.labels if a != best and a.startswith(f"{step}."))
    advice, _ = second_opinion(STORY, 20, (same,), {same: "w"})
    assert advice[0] == same
    assert all(not a.startswith(f"{step}.") for a in advice[1:])


def test_the_model_says_how_an_ask_went_only_when_there_was_one() -> None:
    text = "she said no, kindly. the trust doesn't allow it. we can keep meeting though."
    found = story_model()
    assert found is not None
    likely = found.probabilities(text)
    assert max(likely, key=likely.__getitem__).startswith("ask.outcome")
    advice, _ = second_opinion(text, 20)
    assert not any(a.startswith("ask.outcome") for a in advice)
    advice, _ = second_opinion(text, 20, asked=True)
    assert advice[0].startswith("ask.outcome")


def test_a_story_with_few_english_words_gets_no_second_opinion() -> None:
    text = (
        "fiquei completamente travado quando a conheci no congresso, nem consegui dizer meu nome"
    )
    assert second_opinion(text, 20) == ((), {})


class _Sure:
    """A stand-in model, sure of one problem."""

    def __init__(self, advice: str) -> None:
        self.advice = advice

    def probabilities(self, _text: str) -> dict[str, float]:
        return {self.advice: 0.99}


def test_a_problem_the_draft_model_is_sure_of_makes_a_good_draft_not_good(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(drafts, "draft_model", lambda: _Sure("interests.insight_over_solutions"))
    found, advice = drafts._second_opinion("text", [Found(Finding.GOOD)], ("interests.well_done",))
    assert [f.finding for f in found] == [Finding.PITCH]
    assert advice == ("interests.insight_over_solutions",)


def test_the_draft_model_never_takes_a_finding_away(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(drafts, "draft_model", lambda: _Sure("germ.one_compliment"))
    found, advice = drafts._second_opinion(
        "text", [Found(Finding.NO_QUESTION, "hi")], ("interests.their_world",)
    )
    assert [f.finding for f in found] == [Finding.NO_QUESTION, Finding.TOO_MANY_COMPLIMENTS]
    assert advice == ("interests.their_world", "germ.one_compliment")


def test_not_yet_from_the_draft_model_comes_only_with_a_too_big_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(drafts, "draft_model", lambda: _Sure("ask.not_yet"))
    found, advice = drafts._second_opinion("text", [Found(Finding.GOOD)], ("interests.well_done",))
    assert (found, advice) == ([Found(Finding.GOOD)], ("interests.well_done",))


def test_the_model_never_gives_the_user_an_act_the_rules_saw_someone_else_do() -> None:
    text = (
        "She pitched me her idea for a mentoring programme for young engineers, asked what "
        "I thought, and I said what worried me about it."
    )
    assert "interests.insight_over_solutions" not in read(text).advice
    ruled = frozenset({"interests.insight_over_solutions"})
    advice, _ = second_opinion(
        "i pitched her my app for an hour, she was bored", 20, ruled_out=ruled
    )
    assert "interests.insight_over_solutions" not in advice
