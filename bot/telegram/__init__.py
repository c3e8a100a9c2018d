"""The Telegram edge: python-telegram-bot for transport, our own engine for dialogs."""

import os

# Opt in to PTB's coming behaviour (time periods as timedelta) so that it doesn't
# warn on every RetryAfter; read by PTB on each access, so setting it here suffices.
os.environ.setdefault("PTB_TIMEDELTA", "true")
