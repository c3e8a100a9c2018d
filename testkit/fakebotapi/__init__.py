"""A fake Telegram Bot API server for tests and benchmarks (standard library only): the
methods the bot calls, with Telegram's checks and errors, and the faults tests inject
(``fail``, ``delay``, ``drop_connection``, ``set_latency``). Tests inject user updates,
which the bot fetches with ``getUpdates``, and read the recorded calls::

    with FakeBotApi() as api:
        start_bot(env={"TELEGRAM_API_URL": api.url, "TELEGRAM_BOT_TOKEN": api.token})
        api.send_text(42, "/start")
        (menu,) = api.wait_for_messages(42, 1)
        api.press_label(42, menu, "Next")
"""

from testkit.fakebotapi.fake import FakeBotApi
from testkit.fakebotapi.records import DEFAULT_TOKEN, STRING_FIELDS, ApiError, Call, UploadedFile

__all__ = ["DEFAULT_TOKEN", "STRING_FIELDS", "ApiError", "Call", "FakeBotApi", "UploadedFile"]
