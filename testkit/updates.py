"""Telegram updates as the Bot API sends them, for tests that store or post them directly."""

from __future__ import annotations


def message_update(
    update_id: int, text: str, *, user: int, chat: int | None = None, name: str = "Ana"
) -> dict[str, object]:
    """A private text message from `user` (in `chat`, which a forged update makes differ)."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1_764_000_000,
            "chat": {"id": user if chat is None else chat, "type": "private", "first_name": name},
            "from": {"id": user, "is_bot": False, "first_name": name},
            "text": text,
        },
    }
