"""The coach's events as a user makes them, for the tests and the benchmarks that talk
to the coach without Telegram."""

from __future__ import annotations

from dialogs.model import Command, Event, Text


def typed(text: str) -> Event:
    """What typing `text` sends: "/remind in 2 hours" is a command with its arguments."""
    if text.startswith("/"):
        name, _, args = text[1:].partition(" ")
        return Command(name, args)
    return Text(text)
