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


def press_update(
    update_id: int,
    data: str,
    *,
    user: int,
    query_id: str = "q1",
    name: str = "Ana",
    message: dict[str, object] | None = None,
) -> dict[str, object]:
    """A button press from `user`, on `message` when given (Telegram leaves it out when
    the message is too old)."""
    query: dict[str, object] = {
        "id": query_id,
        "chat_instance": "1",
        "from": {"id": user, "is_bot": False, "first_name": name},
        "data": data,
    }
    if message is not None:
        query["message"] = message
    return {"update_id": update_id, "callback_query": query}
