"""The content file: complete, valid, and checked when the coach starts."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from pydantic import ValidationError

from dialogs.content import ADVICE_IDS, Content, load_content
from dialogs.engine import Coach, PlaybookError
from tests.conftest import FixedClock

PACKAGED = Path(__file__).resolve().parent.parent / "dialogs" / "content" / "coach.toml"


def raw() -> dict:  # type: ignore[type-arg]
    return tomllib.loads(PACKAGED.read_text("utf-8"))


def test_the_packaged_content_has_every_advice_id(content: Content) -> None:
    assert set(content.advice) == set(ADVICE_IDS)
    assert all(a.text.strip() for a in content.advice.values())


def test_a_missing_advice_id_fails_at_load(tmp_path: Path) -> None:
    text = PACKAGED.read_text("utf-8").replace(
        '[advice."germ.regular_people"]', '[advice."germ.typo"]'
    )
    broken = tmp_path / "coach.toml"
    broken.write_text(text, "utf-8")
    with pytest.raises(ValidationError, match=r"germ\.regular_people"):
        load_content(broken)


def test_a_question_the_engine_never_asks_fails_at_start(content: Content) -> None:
    data = raw()
    data["questions"]["radar.extra"] = {"text": "Unused?", "options": [
        {"id": "a", "label": "A"}, {"id": "b", "label": "B"}]}  # fmt: skip
    with pytest.raises(PlaybookError, match=r"radar\.extra"):
        Coach(Content.model_validate(data), FixedClock())


def test_a_state_without_a_question_fails_at_start() -> None:
    data = raw()
    del data["questions"]["germ.posting"]
    with pytest.raises(PlaybookError, match=r"germ\.posting"):
        Coach(Content.model_validate(data), FixedClock())


def test_option_ids_must_fit_in_callback_data() -> None:
    data = raw()
    data["questions"]["germ.posting"]["options"][0]["id"] = "a-very-long-option-id-that-wont-fit"
    with pytest.raises(ValidationError, match="option id"):
        Content.model_validate(data)


def test_a_misspelt_message_key_fails_at_load() -> None:
    data = raw()
    data["messages"]["welcom"] = data["messages"].pop("welcome")
    with pytest.raises(ValidationError):
        Content.model_validate(data)


def test_every_message_fills_in_with_the_placeholders_the_engine_gives(content: Content) -> None:
    # Any {name} a coach writes must be one the engine supplies, or formatting fails.
    supplied = {
        "hero", "name", "title", "goal", "number", "command", "what", "options",
        "limit", "kind", "date", "temperature", "label", "days", "interactions", "count", "when",
        "lit_up", "trend", "mark", "meetings", "needed", "temperatures", "warm", "start",
        "end", "deliver", "timezone", "local", "state", "last", "says", "of", "quote", "retry",
        "steps", "shown", "missing", "flags", "try_this", "topic", "answer", "tapped",
        "understood", "others", "why", "due",
    }  # fmt: skip
    values = dict.fromkeys(supplied, "x")
    for key, text in content.messages.model_dump().items():
        assert text.format(**values), key
    for question in content.questions.values():
        question.text.format(**values)
