"""A second opinion for the stories the rules find nothing in: a linear model over word and
character n-grams, trained on the labelled stories (`python -m bench.train_reader`).

The rules know who did what, negation and time; they miss phrasings nobody wrote a rule
for. The model knows no grammar, but it has seen how people put each kind of story, typos
and all, so it generalises to words the rules never met. It is consulted only when the
rules chose nothing, and only its most likely advice, when it is likely enough.

Training needs scikit-learn; reading needs only numpy. The features below reproduce
scikit-learn's `TfidfVectorizer` (word 1-2-grams and `char_wb` 3-5-grams, sublinear tf,
each part L2-normalised) exactly: tests/test_reader_model.py checks the shipped model
against the probabilities scikit-learn gave when it was trained.
"""

from __future__ import annotations

import math
import re
from collections import Counter
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


@dataclass(frozen=True)
class Model:
    labels: tuple[str, ...]
    words: _Part
    chars: _Part
    coef: npt.NDArray[np.float32]  # labels x features
    intercept: npt.NDArray[np.float32]

    def features(self, text: str) -> npt.NDArray[np.float64]:
        text = text.lower()
        vector = np.zeros(self.coef.shape[1], dtype=np.float64)
        self.words.add(word_grams(text), vector)
        self.chars.add(char_grams(text), vector)
        return vector

    def probabilities(self, text: str) -> dict[str, float]:
        scores = self.coef @ self.features(text) + self.intercept
        return dict(zip(self.labels, (1.0 / (1.0 + np.exp(-scores))).tolist(), strict=True))

    def suggest(self, text: str, threshold: float) -> str | None:
        """The most likely advice for a story, if it is likely enough."""
        found = self.probabilities(text)
        best = max(found, key=found.__getitem__)
        return best if found[best] >= threshold else None


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
    )
