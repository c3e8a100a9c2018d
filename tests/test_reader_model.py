"""The reader's second opinion (dialogs/reader/model.py): the shipped model is the one
trained on the labelled stories in this repository, read by numpy exactly as scikit-learn
read it, and consulted only where the rules found nothing."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from dialogs.reader import read, second_opinion
from dialogs.reader.model import MODEL, char_grams, model, word_grams

ROOT = Path(__file__).resolve().parents[1]


def stored() -> dict[str, np.ndarray]:
    with np.load(MODEL, allow_pickle=False) as data:
        return dict(data)


def test_numpy_reads_the_stories_as_scikit_learn_did() -> None:
    found, data = model(), stored()
    assert found is not None
    assert len(data["probe_texts"]) >= 10
    for text, expected in zip(data["probe_texts"], data["probe_probabilities"], strict=True):
        got = found.probabilities(str(text))
        assert [got[label] for label in found.labels] == pytest.approx(expected, abs=1e-6)


def test_the_model_was_trained_on_the_stories_as_they_are_now() -> None:
    """A labelled set changed without `python -m bench.train_reader` fails here."""
    data = stored()
    digest = hashlib.sha256()
    for path in data["trained_on"]:
        digest.update((ROOT / str(path)).read_bytes())
    assert digest.hexdigest() == str(data["sets_sha256"])
    on_disk = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests/data").glob("stories*.toml"))
    assert sorted(map(str, data["trained_on"])) == on_disk


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
    found = model()
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
    found = model()
    assert found is not None
    likely = found.probabilities(STORY)
    best, *_ = sorted(likely, key=likely.__getitem__, reverse=True)
    plausible = [a for a in likely if a != best][:2]
    advice, _ = second_opinion(STORY, 16, tuple(plausible), dict.fromkeys(plausible, "w"))
    assert advice == tuple(plausible)


def test_beside_the_rules_the_model_adds_only_another_steps_view() -> None:
    found = model()
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
    found = model()
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
