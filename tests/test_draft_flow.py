"""/draft in a conversation: it reads the draft for the hero's step, quotes it, forgets it."""

from __future__ import annotations

from dialogs.model import StepId
from tests.conftest import Chat
from tests.test_engine import onboard

PUSHY = (
    "Hi Dana, you're a legend, honestly the best producer alive. "
    "Would you be my mentor? Could we do a weekly call starting this week?"
)
GOOD = (
    "Thanks for the chat at the festival. You said booking small venues is getting harder. "
    "What changed this year? No worries if you're busy."
)


async def test_a_pushy_draft_is_quoted_back_with_the_advice_it_needs(chat: Chat) -> None:
    await onboard(chat)
    await chat.say(f"/draft {PUSHY}")
    assert "Here's how your draft to Dana reads" in chat.text
    assert "“Would you be my mentor?”" in chat.text
    assert "you're a legend" in chat.text
    assert {"germ.one_compliment", "ask.not_yet", "distance.autonomy_authority"} <= set(
        chat.advice
    )
    assert "interests.well_done" not in chat.advice
    assert "open with their world" in chat.text
    assert chat.state == "idle"


async def test_draft_alone_asks_for_the_text_then_reads_it(chat: Chat) -> None:
    await onboard(chat)
    await chat.say("/draft")
    assert chat.state == "draft.text"
    assert "Dana" in chat.text
    await chat.say(GOOD)
    assert chat.advice == ("interests.well_done",)
    assert chat.state == "idle"


async def test_the_draft_is_never_stored(chat: Chat) -> None:
    await onboard(chat)
    await chat.say("/draft")
    await chat.say(PUSHY)
    assert await chat.interactions() == []
    assert "legend" not in repr(chat.me())
    assert "didn't keep your draft" in chat.text
    await chat.say("/privacy")
    assert "/draft" in chat.text


async def test_asking_to_shadow_reads_well_only_when_the_hero_is_ready(chat: Chat) -> None:
    await onboard(chat)
    ask = "Could I shadow you at one session next month? Totally fine if not."
    await chat.say(f"/draft {ask}")
    assert "ask.not_yet" in chat.advice
    await chat.set_heroes(step=StepId.ASK)
    await chat.say(f"/draft {ask}")
    assert "ask.not_yet" in chat.advice  # ready means three meetings too


async def test_a_draft_in_another_language_is_not_guessed_at(chat: Chat) -> None:
    await onboard(chat)
    await chat.say("/draft Hola Dana, fue un placer conocerte. ¿Cómo te fue con la gira de otoño?")
    assert chat.advice == ()
    assert "English" in chat.text


async def test_help_and_the_menu_list_draft(chat: Chat) -> None:
    await onboard(chat)
    await chat.say("/help")
    assert "/draft" in chat.text
    assert "draft" in chat.coach.content.commands
