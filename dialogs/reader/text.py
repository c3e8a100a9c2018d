"""Normalising what people type: case, quotes, spaces, spellings, slang and typos.

The rules read one normal form. Spellings and slang come from words.toml; a typo
of a word the rules know ("coffe", "pitchd", "complimnets") is corrected by edit
distance (rapidfuzz) against the rules' own vocabulary, only for longer words that
are not themselves known, so a real word is never bent into another.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from functools import cache
from importlib import resources
from typing import Any

from rapidfuzz.distance import Levenshtein
from rapidfuzz.process import extractOne

# Telegram caps a message at 4,096 characters; the cap only bounds the work on odd input.
_MAX_CHARS = 20_000
_QUOTES = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u02bc": "'",
        "\u2032": "'", "\u00b4": "'", "`": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
        "\u2013": " - ", "\u2014": " - ", "\u2015": " - ",
    }
)  # fmt: skip
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200d\u2060\ufeff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAK = re.compile(r"[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"[a-z][a-z0-9'&-]*|\d+[a-z]*")
# Letters typed three times or more for emphasis ("soooo", "yesss").
_STRETCHED = re.compile(r"([a-z])\1{2,}")


@cache
def words() -> dict[str, Any]:
    """The reader's word lists (words.toml), read once."""
    raw = resources.files("dialogs.reader").joinpath("words.toml").read_text("utf-8")
    return tomllib.loads(raw)


def clean(text: str) -> str:
    """Lower-cases the text and straightens its quotes, controls, breaks and spaces."""
    text = unicodedata.normalize("NFKC", text[:_MAX_CHARS]).translate(_QUOTES).lower()
    text = _INVISIBLE.sub("", text)
    # A line break ends a thought as a full stop does, so it also ends a negation.
    text = _LINE_BREAK.sub(" . ", text)
    text = _CONTROL.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


@cache
def english() -> frozenset[str]:
    """English words, so that a real word is never "corrected" into a rule's word.

    The list is the frequency dictionary symspellpy ships (82,765 words); only its words
    are used, not its speller, which the comparison in docs/coaching.md found no better.
    """
    raw = resources.files("symspellpy").joinpath("frequency_dictionary_en_82_765.txt")
    return frozenset(line.split(" ", 1)[0] for line in raw.read_text("utf-8").splitlines())


class Speller:
    """Rewrites typed forms into the words the rules know."""

    def __init__(self, vocabulary: frozenset[str], *, fuzzy: bool = True) -> None:
        self._spelling: dict[str, str] = words()["spelling"]
        self._known = vocabulary | frozenset(self._spelling.values()) | english()
        # Only longer words are corrected: a short word is one letter from too many others.
        self._targets = sorted(word for word in vocabulary if len(word) >= 5)
        self._fuzzy = fuzzy
        self._cache: dict[str, str] = {}

    def fix(self, text: str) -> str:
        return _WORD.sub(lambda match: self._word(match.group()), text)

    def _word(self, word: str) -> str:
        fixed = self._cache.get(word)
        if fixed is None:
            fixed = self._cache[word] = self._correct(word)
        return fixed

    def _correct(self, word: str) -> str:
        if word in self._known:
            return word
        squeezed = _STRETCHED.sub(r"\1", word)
        for form in (word, squeezed, squeezed.replace("'", "")):
            if form in self._spelling:
                return self._spelling[form]
            if form in self._known:
                return form
        if not self._fuzzy or len(word) < 5 or not word.isalpha():
            return word
        best = extractOne(word, self._targets, scorer=Levenshtein.distance, score_cutoff=1)
        # One edit, and the first letter kept: people rarely misspell a word's start.
        # A plural is not a typo of its singular: the rules read both.
        if best is not None and best[0][0] == word[0] and best[0].rstrip("s") != word.rstrip("s"):
            return str(best[0])
        return word
