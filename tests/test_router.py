"""The router refuses, at start-up, flows that would only fail in a user's turn."""

from __future__ import annotations

from dataclasses import replace

import pytest

from dialogs.content import Content
from dialogs.engine import Coach, UndeclaredTransitionError
from dialogs.flows import FLOWS, Flow
from dialogs.flows.base import IDLE, Ask, Context, Entry
from dialogs.model import Command, UserKey
from dialogs.router import PlaybookError, Router
from testkit.memory import MemoryStore
from tests.conftest import FixedClock


async def nothing(_ctx: Context, _value: str) -> None:
    return None


def with_flow(flow: Flow) -> tuple[Flow, ...]:
    return (*FLOWS, flow)


def replaced(name: str, **changes: object) -> tuple[Flow, ...]:
    return tuple(replace(f, **changes) if f.name == name else f for f in FLOWS)  # type: ignore[arg-type]


def test_the_coach_s_flows_fit_the_content(content: Content) -> None:
    router = Router(FLOWS, content)
    assert set(router.asks) == set(content.questions)
    assert set(router.commands) == set(content.commands)


def test_two_flows_claiming_one_command_are_refused(content: Content) -> None:
    twin = Flow("twin", commands={"help": Entry(nothing)})
    with pytest.raises(PlaybookError, match=r"command 'help' is claimed by general and twin"):
        Router(with_flow(twin), content)


def test_two_flows_claiming_one_question_or_button_are_refused(content: Content) -> None:
    twin = Flow(
        "twin",
        questions={"story.offer": Ask(nothing, (IDLE,))},
        actions={"checkin": Entry(nothing)},
    )
    with pytest.raises(PlaybookError, match=r"question 'story.offer'.*button 'checkin'"):
        Router(with_flow(twin), content)


def test_a_command_missing_from_the_menu_is_refused(content: Content) -> None:
    extra = Flow("extra", commands={"dance": Entry(nothing)})
    with pytest.raises(PlaybookError, match=r"command menu"):
        Router(with_flow(extra), content)


def test_a_state_nothing_leads_to_is_unreachable(content: Content) -> None:
    flows = replaced("nextstep", commands={}, actions={})
    flows = (*flows, Flow("menu", commands={"nextstep": Entry(nothing)}))
    with pytest.raises(PlaybookError, match=r"state 'nextstep.awkward' is unreachable"):
        Router(flows, content)


def test_a_state_without_a_way_back_to_idle_is_refused(content: Content) -> None:
    nextstep = next(f for f in FLOWS if f.name == "nextstep")
    trap = {**nextstep.questions, "nextstep.early": Ask(nothing, ("nextstep.awkward",))}
    trap["nextstep.awkward"] = Ask(nothing, ("nextstep.early",))
    with pytest.raises(PlaybookError, match=r"state 'nextstep.awkward' has no way out"):
        Router(replaced("nextstep", questions=trap), content)


def test_a_move_to_a_state_nobody_owns_is_refused(content: Content) -> None:
    flows = replaced("general", commands={
        "help": Entry(nothing, enters=("help.topic",)), "cancel": Entry(nothing)})  # fmt: skip
    with pytest.raises(PlaybookError, match=r"leads to unknown state 'help.topic'"):
        Router(flows, content)


def test_a_text_question_without_a_length_limit_is_refused(content: Content) -> None:
    story = Ask(nothing, ("/start",))
    onboarding = next(f for f in FLOWS if f.name == "onboarding")
    asks = {**onboarding.questions, "onboarding.role": story}
    with pytest.raises(PlaybookError, match=r"'onboarding.role': kind and length limit"):
        Router(replaced("onboarding", questions=asks), content)


def test_exactly_one_flow_takes_text_typed_at_idle(content: Content) -> None:
    with pytest.raises(PlaybookError, match=r"0 flows take text"):
        Router(replaced("story", idle_text=None), content)


async def test_a_handler_moving_where_its_flow_did_not_say_fails_the_turn(
    content: Content, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def sneaky(ctx: Context, _args: str) -> None:
        await ctx.ask("deleteme.confirm")

    coach = Coach(content, FixedClock())
    monkeypatch.setitem(coach.router.commands, "help", Entry(sneaky, leaves=False))
    with pytest.raises(UndeclaredTransitionError, match=r"deleteme\.confirm"):
        await coach.handle(MemoryStore().uow(), UserKey("test", "1"), "Ana", Command("help"))
