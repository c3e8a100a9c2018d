"""The real bot process (`mentor-coach run`) against a fake Bot API server.

Each test starts the bot as a user would, from its console script, pointed at a
fake Telegram on 127.0.0.1 through TELEGRAM_API_URL, and talks to it as a user
would: messages, button presses, odd updates. Nothing reaches the internet.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Self

import pytest

from testkit.fakebotapi import FakeBotApi
from testkit.processes import Child, mentor_coach, polling_environment

pytestmark = pytest.mark.e2e

TOKEN = "4242:e2e-secret-token-Xq9"
ANA = 1001
BEN = 2002


class BotProcess(Child):
    """`mentor-coach run` in a subprocess, logging at DEBUG to a file."""

    def __init__(self, api: FakeBotApi, workdir: Path, database_url: str) -> None:
        env = polling_environment(TOKEN, api.url, workdir, database_url, "DEBUG")
        super().__init__(mentor_coach("run"), env, workdir / "bot.log")
        self.api = api

    def start(self) -> Self:
        polls = len(self.api.calls_to("getUpdates"))
        super().start()
        self.api.wait_for(
            lambda api: len(api.calls_to("getUpdates")) > polls or self.exited(),
            timeout=30,
            description="the bot to start polling",
        )
        assert not self.exited(), self.log()
        return self

    def stop(self, timeout: float = 15) -> int:
        code = super().stop(timeout)
        assert not self.lingered, f"the bot did not stop within {timeout} s of SIGTERM"
        return code

    def log(self) -> str:
        return self.log_text()


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi(token=TOKEN) as server:
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def bot_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'coach.db'}"
    return str(request.getfixturevalue("postgres_database"))


@pytest.fixture
def bot(api: FakeBotApi, tmp_path: Path, bot_database: str) -> Iterator[BotProcess]:
    process = BotProcess(api, tmp_path, bot_database).start()
    yield process
    process.stop()


def texts(api: FakeBotApi, chat_id: int) -> list[str]:
    return [m["text"] for m in api.messages_to(chat_id)]


def say(api: FakeBotApi, user_id: int, text: str, expect: int = 1) -> list[dict[str, Any]]:
    """Sends a message and waits for `expect` new messages from the bot; returns them."""
    before = len(api.messages_to(user_id))
    api.send_text(user_id, text)
    return api.wait_for_messages(user_id, before + expect)[before:]


def press(api: FakeBotApi, user_id: int, label: str, expect: int = 1) -> list[dict[str, Any]]:
    """Presses a button on the bot's latest message that has buttons."""
    before = len(api.messages_to(user_id))
    message = next(m for m in reversed(api.messages_to(user_id)) if m.get("reply_markup"))
    api.press_label(user_id, message, label)
    return api.wait_for_messages(user_id, before + expect)[before:]


def onboard(api: FakeBotApi, user_id: int = ANA) -> None:
    [welcome, question] = say(api, user_id, "/start", expect=2)
    assert "Mentor Coach" in welcome["text"]
    assert "Who is your hero" in question["text"]
    say(api, user_id, "Dana")
    say(api, user_id, "Tour manager")
    say(api, user_id, "At a festival")
    [added] = say(api, user_id, "last week")
    assert "Dana is on your list" in added["text"]


def tap_checkin(api: FakeBotApi, user_id: int = ANA) -> None:
    """Opens a check-in from its button and chooses to tap rather than tell a story."""
    press(api, user_id, "Check in")
    press(api, user_id, "I'd rather tap")


def test_a_whole_coaching_session_over_the_bot_api(api: FakeBotApi, bot: BotProcess) -> None:
    commands = api.wait_for_call("setMyCommands")[0].params["commands"]
    assert {c["command"] for c in commands} >= {"start", "checkin", "nextstep", "progress", "help"}

    onboard(api)

    [question] = press(api, ANA, "Check in")
    assert "in your own words" in question["text"]  # the story first
    assert [label for label, _ in api.buttons(question)] == ["I'd rather tap"]
    [understood] = say(
        api,
        ANA,
        "Coffee today. She told me about routing a 40-date tour, her biggest headache right "
        "now; I asked how she picks cities, and she said nobody had asked her that. Really warm.",
    )
    assert "Anything I got wrong?" in understood["text"]
    assert "her biggest headache right now" in understood["text"]
    press(api, ANA, "That's right")
    # The pressed message shows the choice, its keyboard gone, and the spinner stopped.
    edited = api.message(ANA, understood["message_id"])
    assert edited["text"].endswith("› That's right")
    assert not edited.get("reply_markup")
    assert all(answer is not None for answer in api.callback_answers().values())

    [advice, summary] = say(api, ANA, "touring logistics", expect=2)
    assert "light up" in advice["text"]
    assert "Saved: coffee" in summary["text"]
    assert "temperature" in summary["text"]
    assert "Shall I remind you to reach out to Dana" in summary["text"]
    [confirmed] = press(api, ANA, "Yes, remind me")
    assert "I'll remind you about Dana on" in confirmed["text"]

    # The picture comes first, the text summary below it.
    [picture, progress] = say(api, ANA, "/progress", expect=2)
    assert picture["photo"]
    assert "Dana (Tour manager): step 1/5" in progress["text"]
    assert "Lit up about: touring logistics" in progress["text"]

    [gap, anyway] = say(api, ANA, "/nextstep", expect=2)
    assert "Not yet for step 2" in gap["text"]
    assert "anyway" in anyway["text"]
    [moved] = press(api, ANA, "Go on anyway")
    assert "step 2" in moved["text"]


def test_kill_9_between_a_question_and_its_answer_loses_nothing(
    api: FakeBotApi, bot: BotProcess
) -> None:
    onboard(api)
    tap_checkin(api)
    press(api, ANA, "Yesterday")
    bot.kill()

    # The answer arrives while the bot is down; Telegram keeps it.
    asked = texts(api, ANA)
    api.send_text(ANA, "call")
    bot.start()
    api.wait_for(
        lambda a: any("How did Dana react" in text for text in texts(a, ANA)[len(asked) :]),
        description="the next question",
    )
    # The question being sent at the kill may come once more first: killed before its
    # send was recorded, it is sent again (README: "The one duplicate left").
    *again, question = texts(api, ANA)[len(asked) :]
    assert "How did Dana react" in question
    assert again in ([], [asked[-1]])
    press(api, ANA, "🔥 Hot")
    assert "Whose world" in texts(api, ANA)[-1]


def test_a_reply_committed_but_not_sent_arrives_after_kill_9_and_restart(
    api: FakeBotApi, bot: BotProcess
) -> None:
    # Telegram fails the first send: the turn is committed, its replies are not sent.
    api.fail("sendMessage", 500, times=100)
    api.send_text(ANA, "/start")
    api.wait_for_call("sendMessage")
    time.sleep(0.5)  # lets the failure be recorded (its retry is seconds away)
    bot.kill()
    api.clear_faults()
    bot.start()
    [welcome, question] = api.wait_for_messages(ANA, 2)
    assert "Mentor Coach" in welcome["text"]
    assert "Who is your hero" in question["text"]


def test_a_repeated_update_is_handled_once(api: FakeBotApi, bot: BotProcess) -> None:
    onboard(api)
    update = api.send_text(ANA, "/progress")
    api.wait_for_messages(ANA, len(api.messages_to(ANA)) + 1)
    count = len(api.messages_to(ANA))
    api.redeliver(update)
    api.send_text(ANA, "/help")
    # The /help reply comes; the repeated /progress got none.
    [reply] = api.wait_for_messages(ANA, count + 1)[count:]
    assert "Here's what I can do" in reply["text"]
    api.wait_for(lambda a: not a.pending_updates, description="the queue to drain")
    assert len(api.messages_to(ANA)) == count + 1


def test_odd_updates_get_a_friendly_word_and_break_nothing(
    api: FakeBotApi, bot: BotProcess
) -> None:
    onboard(api)
    tap_checkin(api)
    stale = next(m for m in reversed(api.messages_to(ANA)) if m.get("reply_markup"))
    press(api, ANA, "Today")

    count = len(api.messages_to(ANA))
    api.send_sticker(ANA)
    api.send_photo(ANA)
    api.send_voice(ANA)
    api.send_location(ANA)
    api.edit_text(ANA, 1, "edited")
    replies = api.wait_for_messages(ANA, count + 5)[count:]
    assert ["sticker" in replies[0]["text"], "photo" in replies[1]["text"]] == [True, True]
    assert "voice" in replies[2]["text"]
    assert "location" in replies[3]["text"]
    assert "first sent" in replies[4]["text"]

    # A button of an old message (a second device may still show it): recognised, and
    # the current question comes again.
    yesterday = dict(api.buttons(stale))["Yesterday"]
    api.press(ANA, stale, yesterday)
    [again] = api.wait_for_messages(ANA, count + 6)[count + 5 :]
    assert "earlier message" in again["text"]
    assert "What kind of contact" in again["text"]

    # Callback data the bot never made.
    api.press(ANA, stale, "forged|data")
    api.wait_for_messages(ANA, count + 7)

    [unknown] = say(api, ANA, "/teleport")
    assert "/help" in unknown["text"]

    # Longer than Telegram allows: read as the check-in's story (it answers no option),
    # kept to the story's limit, and the answers fit Telegram's limits.
    [understood] = say(api, ANA, "She asked me a lot of questions. " * 320)
    assert "add that to this check-in" in understood["text"]
    assert "That's right" in dict(api.buttons(understood))

    # In a group the coach stays quiet, except to point to a private chat.
    api.send_group_text(BEN, 777, "hello everyone")
    api.send_group_text(BEN, 777, "/start")
    [hint] = api.wait_for(lambda a: a.messages_to(-777), description="a hint in the group")
    assert "one-to-one" in hint["text"]

    # The dialog survived all of it: the check-in goes on where it stopped.
    [under_way] = say(api, ANA, "/checkin")
    assert "middle of a check-in" in under_way["text"]
    [kinds] = press(api, ANA, "That's right")
    assert "What kind of contact" in kinds["text"]
    [next_question] = press(api, ANA, "📞 Call")
    assert "Whose world" in next_question["text"]
    assert "Traceback" not in bot.log()


def test_the_bot_starts_even_if_the_command_menu_cannot_be_set(
    api: FakeBotApi, tmp_path: Path
) -> None:
    api.fail("setMyCommands", 500, "Internal Server Error")
    process = BotProcess(api, tmp_path, f"sqlite:///{tmp_path / 'coach.db'}").start()
    try:
        [welcome, _] = say(api, ANA, "/start", expect=2)
        assert "Mentor Coach" in welcome["text"]
        assert "could not set the command menu" in process.log()
    finally:
        process.stop()


def test_a_rate_limited_reply_is_retried_after_the_wait(api: FakeBotApi, bot: BotProcess) -> None:
    api.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    [welcome, _] = say(api, ANA, "/start", expect=2)
    assert "Mentor Coach" in welcome["text"]
    assert [c.status for c in api.calls_to("sendMessage")][:2] == [429, 200]


def test_sigterm_stops_the_bot_promptly(api: FakeBotApi, bot: BotProcess) -> None:
    say(api, ANA, "/start", expect=2)
    assert bot.stop() == 0
    assert "stopped" in bot.log()


def test_a_debug_log_of_a_whole_session_never_contains_the_token(
    api: FakeBotApi, bot: BotProcess
) -> None:
    onboard(api)
    press(api, ANA, "Check in")
    api.fail("sendMessage", 400, "Bad Request: chat not found")
    api.send_text(ANA, "/help")
    api.wait_for_call("sendMessage", len(api.calls_to("sendMessage")) + 1)
    bot.kill()
    bot.start()
    say(api, ANA, "/progress")
    bot.stop()
    log = bot.log()
    assert "DEBUG" in log
    assert "getUpdates" in log
    assert TOKEN not in log
    assert TOKEN.split(":", 1)[1] not in log


def test_a_reminder_set_for_one_minute_arrives_on_time_across_a_restart(
    api: FakeBotApi, tmp_path: Path
) -> None:
    process = BotProcess(api, tmp_path, f"sqlite:///{tmp_path / 'coach.db'}")
    # Any hour of the day is inside the window, whenever CI runs.
    process.env |= {"DEFAULT_WINDOW_START": "00:00", "DEFAULT_WINDOW_END": "23:59:59"}
    process.start()
    try:
        onboard(api)
        [confirmed] = say(api, ANA, "/remind in 1 minute")
        assert "I'll remind you about Dana" in confirmed["text"]
        set_at = api.calls_to("sendMessage")[-1].at
        time.sleep(15)
        process.kill()
        process.start()
        [reminder] = api.wait_for_messages(ANA, len(api.messages_to(ANA)) + 1, timeout=90)[-1:]
        arrived = api.calls_to("sendMessage")[-1].at
        assert "Time to reach out to Dana" in reminder["text"]
        assert 59 <= arrived - set_at <= 60 + 5
        labels = [label for label, _ in api.buttons(reminder)]
        assert labels[0] == "✅ I reached out"
        # Its buttons work: "I reached out" opens a check-in about Dana.
        [checkin] = press(api, ANA, "✅ I reached out")
        assert "Tell me about it in your own words" in checkin["text"]
    finally:
        process.stop()


def test_export_arrives_as_a_json_document(api: FakeBotApi, bot: BotProcess) -> None:
    onboard(api)
    api.send_text(ANA, "/export")
    [call] = api.wait_for_call("sendDocument")
    assert call.status == 200
    [upload] = call.files.values()
    data = json.loads(upload.content)
    assert upload.filename == "mentor-coach-export.json"
    assert [hero["name"] for hero in data["heroes"]] == ["Dana"]
    assert call.params["caption"].startswith("Everything I store about you")
