"""Random conversations never crash the coach or leave it in an invalid state."""

from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialogs.content import default_content
from dialogs.engine import IDLE, Coach
from dialogs.flows import checkin
from dialogs.model import Command, Event, Press, Text, Unsupported, UserKey
from testkit.memory import MemoryStore
from tests.conftest import FixedClock

CONTENT = default_content()
KEY = UserKey("test", "1")
COMMANDS = [*CONTENT.commands, "nope", "START"]
TEXTS = ["Dana", "yes", "no", "1", "3", "today", "3 days ago", "2025-02-30", "", "   ",
         "I pitched my startup and took selfies", "she was cold", "x" * 5000, "🙂", "warm",
         "mostly theirs", "coffee", "resume", "/", "\x00\x1f"]  # fmt: skip
# Buttons a user could press: every answer the content offers, and the coach's own actions.
BUTTONS = [f"{q}={o.id}" for q, question in CONTENT.questions.items() for o in question.options]
BUTTONS += [f"{q}=" for q in CONTENT.questions]
BUTTONS += ["checkin", "nextstep", "nextstep.back", "hero.add", "hero.archive", "hero.switch:1",
            "hero.switch:2", "hero.archive:1", "hero.archive:2", "x", ""]  # fmt: skip

events = st.one_of(
    st.builds(Text, st.sampled_from(TEXTS) | st.text(max_size=60)),
    st.builds(Command, st.sampled_from(COMMANDS), st.sampled_from(["", "x", "back"])),
    st.builds(Unsupported, st.sampled_from(["sticker", "photo", "edited message"])),
    st.builds(Press, st.sampled_from(BUTTONS), st.none() | st.integers(-1, 40)),
    st.integers(0, 9),  # press that button of the latest reply
)


def check_invariants(store: MemoryStore) -> None:
    if KEY not in store.users:
        # /deleteme: nothing of the user may remain.
        assert not store.hero_rows
        assert not store.interaction_rows
        assert not store.reminder_rows
        return
    user = store.users[KEY]
    dialog = user.dialog
    assert dialog.state == IDLE or dialog.state in CONTENT.questions
    if dialog.state in checkin.questions():
        assert dialog.hero_id is not None
        assert store.hero_rows[dialog.hero_id].user_id == user.id
    if user.current_hero_id is not None:
        assert user.current_hero_id in store.hero_rows
    for _, interaction in store.interaction_rows:
        assert 1 <= interaction.temperature <= 5
        assert interaction.advice


# Where random conversations start: from nothing, or from states deep in a dialog that
# random events alone would rarely reach.
ONBOARDED = [Command("start"), Text("Dana"), Text("Producer"), Text("A gig"), Text("yesterday")]
PREFIXES = [
    [],
    ONBOARDED,
    [*ONBOARDED, Command("checkin"), Text("today"), Text("coffee")],
    [*ONBOARDED, Command("checkin"), Text("today"), Text("coffee"), Text("We talked."),
     Text("warm"), Text("mostly theirs"), Text("yes"), Text("insight"), Text("tour")],
    [*ONBOARDED, Text("I pitched my app and took selfies; she was cold.")],
    [*ONBOARDED, Command("remind", "in 2 hours"), Command("reminders")],
    [*ONBOARDED, Command("settings")],
    [*ONBOARDED, Command("forget")],
]  # fmt: skip


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PREFIXES), st.lists(events, min_size=1, max_size=30))
def test_random_conversations_keep_the_state_valid(
    prefix: list[Event], script: list[Event | int]
) -> None:
    script = [*prefix, *script]

    async def run() -> None:
        coach = Coach(CONTENT, FixedClock())
        store = MemoryStore()
        latest: list[Press] = []
        turn = 0
        for item in script:
            if isinstance(item, int):
                if not latest:
                    continue
                event: Event = latest[item % len(latest)]
            else:
                event = item
            async with store.uow() as uow:
                outcome = await coach.handle(uow, KEY, "Ana", event)
            assert outcome.replies, f"no reply to {event!r}"
            for reply in outcome.replies:
                assert reply.text.strip()
                assert all(len(b.id) <= 54 for b in reply.buttons)
            buttoned = [r for r in outcome.replies if r.buttons]
            if buttoned:
                latest = [Press(b.id, buttoned[-1].turn) for b in buttoned[-1].buttons]
            check_invariants(store)
            if KEY in store.users:
                assert store.users[KEY].dialog.turn >= turn
                turn = store.users[KEY].dialog.turn
            else:
                turn = 0

    asyncio.run(run())
