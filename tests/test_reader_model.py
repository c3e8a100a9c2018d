"""The second opinions (dialogs/reader/model.py): the shipped models are the ones trained on
the labelled stories and drafts in this repository, read by numpy exactly as scikit-learn
read them; the story model is weighed with the rules within the limits the rules set."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bench.coaching import load
from dialogs import drafts
from dialogs.drafts import Finding, Found
from dialogs.reader import Grounds, read, second_opinion
from dialogs.reader.model import (
    DRAFT_MODEL,
    MODEL,
    Model,
    char_grams,
    clashes,
    draft_model,
    rivals,
    story_model,
    weigh_features,
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


def grounds(text: str, *candidates: str, **fields: Any) -> Grounds:
    """The rules' side of a story, as `read` would pass it on."""
    return Grounds(
        text=text,
        words=len(text.split()),
        candidates=candidates,
        evidence=dict.fromkeys(candidates, "the rules' words"),
        step=fields.get("step", "interests"),
        asked=fields.get("asked", False),
        ruled_out=fields.get("ruled_out", frozenset()),
        slips=fields.get("slips", frozenset()),
    )


def test_the_weigher_reads_its_rows_as_scikit_learn_did() -> None:
    found, data = story_model(), stored(MODEL)
    assert found is not None
    assert found.weigher is not None
    got = found.weigher.scores(data["weigh_probe_rows"])
    assert got.tolist() == pytest.approx(data["weigh_probe_scores"].tolist(), abs=1e-6)


def test_advice_of_the_model_alone_quotes_the_sentence_it_rests_on() -> None:
    plan = (
        "i'm thinking of emailing him tomorrow with a one-pager about my app and asking for "
        "a pilot."
    )
    # "good idea?" says nothing quoted alone; the advice rests on the plan before it.
    advice, evidence = second_opinion(grounds(f"{plan} good idea?"))
    assert advice == ("interests.insight_over_solutions",)
    assert evidence["interests.insight_over_solutions"] == plan


def test_of_two_sentences_the_quote_is_the_one_the_advice_rests_on() -> None:
    story = "i spent the whole lunch on my own demo and my tour plans."
    advice, evidence = second_opinion(grounds(f"it was a while ago, in the spring. {story}"))
    assert "interests.their_world" in advice
    assert evidence["interests.their_world"] == story


def test_advice_the_rules_chose_keeps_the_rules_words() -> None:
    text = "i spent the whole lunch talking about my own demo and my tour plans, she nodded"
    advice, evidence = second_opinion(grounds(text, "interests.their_world"))
    assert advice == ("interests.their_world",)
    assert evidence == {"interests.their_world": "the rules' words"}


def test_a_story_too_short_to_judge_is_left_to_the_rules() -> None:
    assert second_opinion(grounds("meh")) == ((), {})
    assert second_opinion(grounds("she was cold", "radar.cold_give_space")) == (
        ("radar.cold_give_space",),
        {"radar.cold_give_space": "the rules' words"},
    )
    assert read("it was fine i guess").advice == ()


def test_a_story_in_another_language_gets_no_second_opinion() -> None:
    assert (
        read("Tomamos un café y fue genial, hablamos de su nuevo disco y de la gira").advice == ()
    )
    text = (
        "fiquei completamente travado quando a conheci no congresso, nem consegui dizer meu nome"
    )
    assert second_opinion(grounds(text)) == ((), {})


def test_when_the_weighing_keeps_nothing_the_rules_first_advice_stands(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    found = story_model()
    assert found is not None
    monkeypatch.setattr(Model, "weigh", lambda self, likely, *a, **k: dict.fromkeys(likely, 0.0))
    text = (
        "we had a long coffee on tuesday and she told me all about the new wing, the budget "
        "fights with the board and how tired she is of it"
    )
    advice, _ = second_opinion(grounds(text, "interests.well_done", "radar.warm_open_door"))
    assert advice == ("interests.well_done",)


STORY = "i spent the whole lunch talking about my own demo and my tour plans. she nodded a lot."
LONG = (
    "we met for coffee near her studio on friday. she answered every question, then looked "
    "at her watch twice and said she had to run before we got to the second cup."
)


def test_in_a_shorter_story_the_model_only_adds_another_steps_view() -> None:
    found = story_model()
    assert found is not None
    likely = found.probabilities(STORY)
    best = max(likely, key=likely.__getitem__)
    step = best.partition(".")[0]
    same = next(a for a in found.labels if a != best and a.startswith(f"{step}."))
    advice, _ = second_opinion(grounds(STORY, same))
    assert advice[0] == same
    assert all(not a.startswith(f"{step}.") for a in advice[1:])


def weighing(monkeypatch: pytest.MonkeyPatch, **scores: float) -> None:
    """The second stage replaced by fixed scores (advice ids with "__" for ".")."""
    fixed = {key.replace("__", "."): value for key, value in scores.items()}
    monkeypatch.setattr(
        Model, "weigh", lambda self, likely, *a, **k: {x: fixed.get(x, 0.0) for x in likely}
    )


def test_in_a_longer_story_the_weighing_may_overrule_the_rules(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    weighing(monkeypatch, radar__cold_give_space=0.9, radar__warm_open_door=0.1)
    advice, evidence = second_opinion(grounds(LONG, "radar.warm_open_door"))
    assert advice == ("radar.cold_give_space",)
    assert evidence["radar.cold_give_space"] in LONG


@pytest.mark.parametrize(("cold", "kept"), [(0.2, True), (0.05, False)])
def test_a_free_place_goes_to_the_rules_next_choice_unless_the_weighing_rules_it_out(
    monkeypatch: pytest.MonkeyPatch, cold: float, kept: bool
) -> None:
    weighing(monkeypatch, interests__their_world=0.9, radar__cold_give_space=cold)
    rules = ("interests.their_world", "radar.cold_give_space")
    advice, _ = second_opinion(grounds(LONG, *rules))
    assert advice == (rules if kept else rules[:1])


def test_the_weighing_never_gives_two_that_clash_nor_what_the_rules_ruled_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    weighing(
        monkeypatch,
        radar__warm_open_door=0.9,
        radar__cold_give_space=0.8,
        interests__insight_over_solutions=0.7,
        interests__well_done=0.5,
    )
    ruled = frozenset({"interests.insight_over_solutions"})
    advice, _ = second_opinion(grounds(LONG, ruled_out=ruled))
    assert advice == ("radar.warm_open_door", "interests.well_done")


@pytest.mark.parametrize(
    ("slips", "praised"),
    [
        (frozenset(), True),
        (frozenset({"interests.their_world"}), True),  # one slip in its step may be misread
        (frozenset({"interests.their_world", "interests.surface_problems"}), False),
        (frozenset({"distance.they_are_the_guru"}), False),  # "told him it was weaker"
    ],
)
def test_the_model_praises_a_step_only_when_the_rules_saw_no_slip_elsewhere(
    monkeypatch: pytest.MonkeyPatch, slips: frozenset[str], praised: bool
) -> None:
    weighing(monkeypatch, interests__well_done=0.9)
    advice, _ = second_opinion(grounds(LONG, slips=slips))
    assert ("interests.well_done" in advice) is praised


def test_the_weigher_sees_an_advice_ids_lead_over_its_rivals_only() -> None:
    assert rivals("radar.warm_open_door") == {
        "radar.lukewarm_add_value",
        "radar.cold_give_space",
        "radar.read_temperature",
    }
    assert rivals("interests.well_done") == frozenset()  # a "well done" answers no one question
    labels = ["radar.warm_open_door", "radar.cold_give_space", "interests.well_done"]
    rows = weigh_features(labels, [0.9, 0.5, 0.9], (), (), asked=False, step="radar", words=40)
    lead = rows[:, 14]
    assert lead[0] == pytest.approx(np.log(9))  # warm's log-odds over cold's (0)
    assert lead[1] == pytest.approx(-np.log(9))
    assert lead[2] == 0.0


LABELLED = [s for s in load(DATA / "stories.toml") if not s.lang]


def test_no_story_gets_more_than_the_most_advice_or_two_that_clash() -> None:
    for story in LABELLED:
        advice = read(story.text, heroes=story.heroes, step=story.step).advice
        assert len(advice) <= 2, story.id
        assert not any(clashes(a, advice) for a in advice), (story.id, advice)


def test_the_model_says_how_an_ask_went_only_when_there_was_one() -> None:
    text = "she said no, kindly. the trust doesn't allow it. we can keep meeting though."
    found = story_model()
    assert found is not None
    likely = found.probabilities(text)
    assert max(likely, key=likely.__getitem__).startswith("ask.outcome")
    advice, _ = second_opinion(grounds(text))
    assert not any(a.startswith("ask.outcome") for a in advice)
    advice, _ = second_opinion(grounds(text, asked=True, step="ask"))
    assert any(a.startswith("ask.outcome") for a in advice)


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
    pitch = "i pitched her my app for an hour and she was bored, kept checking the time"
    assert "interests.insight_over_solutions" in second_opinion(grounds(pitch))[0]
    assert (
        "interests.insight_over_solutions"
        not in second_opinion(grounds(pitch, ruled_out=ruled))[0]
    )
