"""Which language a story is written in, so a story the coach cannot read is said to be so.

py3langid ships its model inside the package (no download at run time); it is loaded on
the first story long enough to judge, not at start-up. Only a few languages are in the
running: those a user of this coach plausibly writes in, so a short English story with a
name or two in it is not taken for Maltese.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from dialogs.reader.text import words

LANGUAGES = (
    "en", "es", "de", "fr", "pt", "it", "nl", "pl", "sv", "no", "da", "tr", "ro", "ca", "id", "ru",
    "uk", "ja", "zh",
)  # fmt: skip
# A story this short in words is read as English: too little to judge, and the rules
# answer "says too little" anyway.
_MIN_WORDS = 3
# English prose is a quarter or more function words; a story of at least this many words
# with under one in eight of them is worth asking the model about.
_MIN_FOREIGN_WORDS = 5
_ENGLISH_SHARE = 8
_WORDS = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


@cache
def _function_words() -> tuple[frozenset[str], frozenset[str]]:
    lists = words()["language"]
    return frozenset(lists["english"]), frozenset(lists["foreign"])


# Letters outside the Latin script (Cyrillic, Greek, Arabic, CJK...): no function-word
# list is needed to see such a story is not English.
_NOT_LATIN = re.compile(r"[^\W\da-z_\u00c0-\u024f]")


@cache
def _identifier() -> Any:
    # Imported on first use: loading the model takes longer than the coach's start-up.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier  # noqa: PLC0415

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


def identify(text: str) -> str:
    """The ISO 639-1 code of the story's language; "en" when too short to judge."""
    tokens = _WORDS.findall(text.lower())
    letters = sum(len(token) for token in tokens)
    other_script = letters >= _MIN_WORDS and len(_NOT_LATIN.findall(text.lower())) > letters / 2
    if len(tokens) < _MIN_WORDS and not other_script:
        return "en"
    english_words, foreign_words = _function_words()
    english = sum(token in english_words for token in tokens)
    foreign = sum(token in foreign_words for token in tokens)
    # Most stories are plainly English: the model is loaded only for one that is not, by the
    # function words of the languages listed, or, for the rest, by hardly any English ones.
    foreign_looking = (foreign >= 2 and foreign > english) or (
        len(tokens) >= _MIN_FOREIGN_WORDS and english * _ENGLISH_SHARE < len(tokens)
    )
    if not other_script and not foreign_looking:
        return "en"
    language, confidence = _identifier().classify(text)
    if language != "en" and confidence >= 0.9:
        return str(language)
    return "en"


def english_share(text: str) -> float:
    """The share of a text's words that are English function words (0 for no words)."""
    tokens = _WORDS.findall(text.lower())
    english_words, _ = _function_words()
    return sum(token in english_words for token in tokens) / len(tokens) if tokens else 0.0
