"""Reading a typed answer to a choice question: its number, its label or one of its words."""

from __future__ import annotations

import re

from dialogs.content import Option, Question


def match_option(question: Question, typed: str, *, loose: bool = True) -> Option | None:
    """Finds the option a typed answer means: its number, its label or one of its words.

    `loose` also accepts a label or word inside a longer answer ("yes, she did").
    """
    text = plain(typed)
    if text.isdecimal() and 1 <= int(text) <= len(question.options):
        return question.options[int(text) - 1]
    for option in question.options:
        if text in {plain(option.label), option.id.replace("_", " "), *option.says}:
            return option
    if not loose:
        return None
    hits = {
        option.id: option
        for option in question.options
        for word in (*option.says, plain(option.label))
        if word and re.search(rf"\b{re.escape(word)}\b", text)
    }
    return next(iter(hits.values())) if len(hits) == 1 else None


def words(label: str) -> str:
    """Returns a label without its leading emoji, as someone would type it."""
    return re.sub(r"^\W+", "", label).strip() or label


def plain(text: str) -> str:
    """Lower-cases and keeps letters, digits, spaces and apostrophes (labels carry emoji)."""
    text = text.lower().replace("’", "'")
    return " ".join(re.sub(r"[^\w\s']", " ", text).split())
