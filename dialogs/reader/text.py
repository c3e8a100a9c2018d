"""Normalising what people type: case, quotes, spaces, spellings and slang.

The rules read one normal form. The forms people type ("coffe", "abt", "didnt",
"gonna") come from the spelling table of words.toml. Correcting other typos by edit
distance was measured and left out (docs/coaching.md): on the corpus it fixed one
word and bent five real or foreign ones ("balked" into "basked").
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from functools import cache
from importlib import resources
from typing import Any

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


class Speller:
    """Rewrites typed forms and slang into the words the rules know."""

    def __init__(self) -> None:
        self._spelling: dict[str, str] = words()["spelling"]

    def fix(self, text: str) -> str:
        return _WORD.sub(lambda match: self._word(match.group()), text)

    def _word(self, word: str) -> str:
        if word in self._spelling:
            return self._spelling[word]
        squeezed = _STRETCHED.sub(r"\1", word)
        return self._spelling.get(squeezed, squeezed if squeezed != word else word)
