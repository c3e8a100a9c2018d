"""A second opinion on a story: a linear model over word and character n-grams, trained on
the labelled stories (`python -m bench.train_reader`), and a second stage that weighs it
against the rules.

The rules know who did what, negation and time; they miss phrasings nobody wrote a rule
for. The model knows no grammar, but it has seen how people put each kind of story, typos
and all, so it generalises to words the rules never met. Neither is right often enough
alone, and how far to trust each differs by advice: the rules' "well done" is seldom
wrong, their reading of a hero's temperature often is. So a second stage (`Weigher`), a
logistic regression over what the rules chose and what the model thinks, learned on
stories by authors the rules were never tuned on (each scored by a model trained without
its author), gives each piece of advice one score (docs/coaching.md, "Weighing").

Training needs scikit-learn; reading needs only numpy. The features below reproduce
scikit-learn's `TfidfVectorizer` (word 1-2-grams and `char_wb` 3-5-grams, sublinear tf,
each part L2-normalised) exactly: tests/test_reader_model.py checks the shipped model
against the probabilities scikit-learn gave when it was trained.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path

import numpy as np
import numpy.typing as npt

MODEL = Path(__file__).with_name("model.npz")
# The same kind of model for /draft, trained on the labelled drafts (dialogs/drafts.py).
DRAFT_MODEL = Path(__file__).with_name("drafts.npz")
# scikit-learn's default token pattern: words of two or more word characters.
_TOKEN = re.compile(r"(?u)\b\w\w+\b")
_SPACES = re.compile(r"\s\s+")


# A negation, and where its reach ends: the end of a clause, or a turn ("but", "though").
_NEGATION = re.compile(
    r"\b(?:not|no|never|nor|none|nothing|without|cannot|n't|\w+n't|dont|didnt|wasnt|wont|cant"
    r"|couldnt|wouldnt|shouldnt|isnt|arent|werent|hasnt|havent|hadnt|zero)\b"
)
_CLAUSE_END = re.compile(r"[.,;:!?()\n]|\b(?:but|though|although|however|yet|and then|instead)\b")
_WORD = re.compile(r"\w+")


def mark_negation(text: str) -> str:
    """Marks each word a negation reaches with "not_" ("didn't take selfies" becomes "didn't
    not_take not_selfies"), so the model tells a list of what the user did not do from
    one of what they did: a bag of words alone reads "no selfies, no pitch" as a pitch and
    a selfie (Pang, Lee and Vaithyanathan 2002)."""
    out: list[str] = []
    place = 0
    for negation in _NEGATION.finditer(text):
        if negation.start() < place:
            continue
        end = _CLAUSE_END.search(text, negation.end())
        stop = end.start() if end else len(text)
        out.append(text[place : negation.end()])
        out.append(_WORD.sub(lambda word: f"not_{word.group()}", text[negation.end() : stop]))
        place = stop
    out.append(text[place:])
    return "".join(out)


def word_grams(text: str) -> list[str]:
    tokens = _TOKEN.findall(text)
    return tokens + [f"{a} {b}" for a, b in pairwise(tokens)]


def char_grams(text: str, low: int = 3, high: int = 5) -> list[str]:
    """Character n-grams inside word boundaries, padded with a space (`char_wb`)."""
    grams: list[str] = []
    for word in _SPACES.sub(" ", text).split():
        padded = f" {word} "
        for n in range(low, high + 1):
            offset = 0
            grams.append(padded[offset : offset + n])
            while offset + n < len(padded):
                offset += 1
                grams.append(padded[offset : offset + n])
            if offset == 0:  # a word shorter than n is counted once
                break
    return grams


@dataclass(frozen=True)
class _Part:
    """One vectorizer: its vocabulary and inverse document frequencies."""

    index: dict[str, int]
    idf: npt.NDArray[np.float64]
    offset: int

    def add(self, grams: list[str], into: npt.NDArray[np.float64]) -> None:
        counts = Counter(g for g in grams if g in self.index)
        if not counts:
            return
        columns = np.fromiter((self.index[g] for g in counts), dtype=np.int64)
        tf = np.fromiter((1.0 + math.log(c) for c in counts.values()), dtype=np.float64)
        values = tf * self.idf[columns]
        into[self.offset + columns] = values / np.linalg.norm(values)


_TEMPERATURES = frozenset(
    {
        "radar.warm_open_door",
        "radar.lukewarm_add_value",
        "radar.cold_give_space",
        "radar.read_temperature",
    }
)
_ASK = frozenset(
    {"ask.not_yet", "ask.go_ask", "ask.outcome_yes", "ask.outcome_not_now", "ask.outcome_no"}
)
# Advice that cannot stand together, as pairs of sets whose members exclude each other:
# one temperature, one word on the ask, and a step's "well done" beside none of that
# step's warnings (the warnings themselves go together: many compliments and a selfie).
# And a talk about the user is not a talk about the hero's fame: of 6,870 labelled
# stories, 289 expect the one and 236 the other, none both.
CLASHES = (
    (_TEMPERATURES, _TEMPERATURES),
    (_ASK, _ASK),
    (
        frozenset({"interests.well_done"}),
        frozenset(
            {
                "interests.their_world",
                "interests.insight_over_solutions",
                "interests.surface_problems",
            }
        ),
    ),
    (
        frozenset({"germ.well_done"}),
        frozenset(
            {
                "germ.one_compliment",
                "germ.regular_people",
                "germ.value_their_time",
                "germ.no_live_tweeting",
            }
        ),
    ),
    (frozenset({"interests.their_world"}), frozenset({"germ.value_their_time"})),
    # Deference praised beside a slip of the same step (none of 7,470 labels expects both).
    (
        frozenset({"distance.respectful_deference"}),
        frozenset({"distance.they_are_the_guru", "distance.autonomy_authority"}),
    ),
)


FIXED = 17  # weigh_features' columns before the per-advice ones


def clashes(advice: str, chosen: Iterable[str]) -> bool:
    others = set(chosen) - {advice}
    return any(
        (advice in one and others & other) or (advice in other and others & one)
        for one, other in CLASHES
    )


def rivals(advice: str) -> frozenset[str]:
    """The other answers to the question `advice` answers: the other temperatures, the
    other words on the ask (the CLASHES within one set). A "well done" and its step's
    warnings clash too, but are not one question's answers."""
    groups = (one for one, other in CLASHES if one is other and advice in one)
    return frozenset().union(*groups) - {advice}


def weigh_features(
    labels: Sequence[str],
    probabilities: Sequence[float],
    kept: Sequence[str],
    candidates: Sequence[str],
    *,
    asked: bool,
    step: str,
    words: int,
) -> npt.NDArray[np.float64]:
    """One row per advice id: what the second stage knows of it. The model's log-odds, its
    rank among all the model's choices (first, second), and its lead over the likeliest
    of its rivals (warm against cold), and how many pieces the model is sure of;
    the story's length; its place among the rules' choices (first,
    second, chosen but cut by the limit, not at all); whether the rules chose another of
    its step or one it clashes with; how many the rules chose; whether there was an ask;
    whether it is of the hero's step; and a bias and a log-odds weight of its own per
    advice id."""
    count = len(labels)
    p = np.clip(np.asarray(probabilities, dtype=np.float64), 1e-4, 1 - 1e-4)
    logit = np.log(p / (1 - p))
    order = list(np.argsort(-logit))
    sure = int((p >= 0.5).sum())
    index = {advice: i for i, advice in enumerate(labels)}
    rows = np.zeros((count, FIXED + 2 * count), dtype=np.float64)
    for i, advice in enumerate(labels):
        rank = list(kept).index(advice) if advice in kept else 2 if advice in candidates else 3
        own = advice.partition(".")[0]
        against = [logit[index[r]] for r in rivals(advice) if r in index]
        rows[i, :FIXED] = (
            logit[i],
            rank == 0,
            rank == 1,
            rank == 2,
            logit[i] if advice in kept else 0.0,
            any(k != advice and k.partition(".")[0] == own for k in kept),
            not kept,
            len(kept) >= 2,
            clashes(advice, kept),
            asked,
            own == step,
            step == "ask" and own == "ask",
            order.index(i) == 0,
            order.index(i) == 1,
            np.clip(logit[i] - max(against), -6.0, 6.0) if against else 0.0,
            min(sure, 4) / 4,
            math.log(max(words, 1)) / 5,
        )
        rows[i, FIXED + i] = 1.0
        rows[i, FIXED + count + i] = logit[i]
    return rows


@dataclass(frozen=True)
class Weigher:
    """The second stage: a logistic regression over `weigh_features`."""

    coef: npt.NDArray[np.float32]
    intercept: float

    def scores(self, rows: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return 1.0 / (1.0 + np.exp(-(rows @ self.coef.astype(np.float64) + self.intercept)))


@dataclass(frozen=True)
class Model:
    labels: tuple[str, ...]
    words: _Part
    chars: _Part
    coef: npt.NDArray[np.float32]  # labels x features
    intercept: npt.NDArray[np.float32]
    weigher: Weigher | None = None
    negation: bool = False  # trained on `mark_negation`'s text

    def features(self, text: str) -> npt.NDArray[np.float64]:
        text = mark_negation(text.lower()) if self.negation else text.lower()
        vector = np.zeros(self.coef.shape[1], dtype=np.float64)
        self.words.add(word_grams(text), vector)
        self.chars.add(char_grams(text), vector)
        return vector

    def probabilities(self, text: str) -> dict[str, float]:
        scores = self.coef @ self.features(text) + self.intercept
        return dict(zip(self.labels, (1.0 / (1.0 + np.exp(-scores))).tolist(), strict=True))

    def weigh(
        self,
        probabilities: Mapping[str, float],
        kept: Sequence[str],
        candidates: Sequence[str],
        *,
        asked: bool,
        step: str,
        words: int,
    ) -> dict[str, float]:
        """Each advice id's score from the second stage (for a model trained with one)."""
        assert self.weigher is not None
        rows = weigh_features(
            self.labels,
            [probabilities[label] for label in self.labels],
            kept,
            candidates,
            asked=asked,
            step=step,
            words=words,
        )
        return dict(zip(self.labels, self.weigher.scores(rows).tolist(), strict=True))


def _part(data: dict[str, npt.NDArray[np.generic]], name: str, offset: int) -> _Part:
    vocabulary = data[f"{name}_vocabulary"].tolist()
    return _Part(
        index={gram: i for i, gram in enumerate(vocabulary)},
        idf=data[f"{name}_idf"].astype(np.float64),
        offset=offset,
    )


@cache
def story_model() -> Model | None:
    """The shipped model, loaded once (a few hundredths of a second); None when it is not
    there."""
    return load(MODEL) if MODEL.exists() else None


@cache
def draft_model() -> Model | None:
    return load(DRAFT_MODEL) if DRAFT_MODEL.exists() else None


def load(path: Path) -> Model:
    with np.load(path, allow_pickle=False) as stored:
        data = dict(stored)
    words = _part(data, "word", 0)
    return Model(
        labels=tuple(data["labels"].tolist()),
        words=words,
        chars=_part(data, "char", len(words.index)),
        coef=data["coef"],
        intercept=data["intercept"],
        weigher=(
            Weigher(coef=data["weigh_coef"], intercept=float(data["weigh_intercept"]))
            if "weigh_coef" in data
            else None
        ),
        negation=bool(data.get("negation", False)),
    )
