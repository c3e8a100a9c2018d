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

LANGUAGES = ("en", "es", "de", "fr", "pt", "it", "nl", "pl", "sv", "tr", "ru", "uk", "ja", "zh")
# A story this short in words is read as English: too little to judge, and the rules
# answer "says too little" anyway.
_MIN_WORDS = 3
# English words that carry no topic: a story where they are frequent is English, whatever
# the names and borrowed words in it say.
_ENGLISH = frozenset(
    [
        "i",
        "me",
        "my",
        "we",
        "our",
        "you",
        "he",
        "she",
        "they",
        "him",
        "her",
        "his",
        "their",
        "it",
        "the",
        "a",
        "an",
        "and",
        "but",
        "or",
        "so",
        "to",
        "of",
        "in",
        "on",
        "at",
        "for",
        "with",
        "about",
        "was",
        "were",
        "is",
        "are",
        "did",
        "didn't",
        "didnt",
        "not",
        "no",
        "had",
        "have",
        "has",
        "been",
        "be",
        "just",
        "that",
        "this",
        "what",
        "how",
        "when",
        "then",
        "really",
        "very",
        "too",
    ]
)
_WORDS = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


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
    if len(tokens) < _MIN_WORDS:
        return "en"
    english = sum(token in _ENGLISH for token in tokens) / len(tokens)
    if english >= 0.35:
        return "en"
    language, confidence = _identifier().classify(text)
    if language != "en" and confidence >= 0.9:
        return str(language)
    return "en"
