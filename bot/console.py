"""The coach in a terminal: the same engine and database, no Telegram needed.

Human mode shows buttons as numbered choices. JSON mode (for scripts) reads one
input per line (text, a /command, or {"button": "<id>"}) and writes exactly one
JSON line per input line.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from bot.app import App
from bot.bootstrap import build
from bot.chart import FILENAME as CHART_FILENAME
from bot.chart import render as render_chart
from bot.settings import Settings
from dialogs.model import Button, Command, Event, Press, Reply, Text, UserKey

CHANNEL = "console"


def parse_command(text: str) -> Command:
    """Splits "/cmd@bot args" into a Command (the bot name is dropped)."""
    head, _, args = text.strip().partition(" ")
    name = head[1:].split("@", 1)[0].lower()
    return Command(name, args.strip())


Shown = Sequence[tuple[Reply, Path | None]]  # each reply, and where its picture was saved


def to_json(replies: Shown) -> dict[str, object]:
    return {"replies": [reply_json(r, image) for r, image in replies]}


def reply_json(reply: Reply, image: Path | None = None) -> dict[str, object]:
    found: dict[str, object] = {
        "text": reply.text,
        "buttons": [{"id": b.id, "label": b.label} for b in reply.buttons],
        "advice": list(reply.advice),
    }
    if image is not None:
        found["image"] = str(image)
    if reply.document is not None:
        found["document"] = {
            "filename": reply.document.filename,
            "content": json.loads(reply.document.content),
        }
    return found


class Console:
    def __init__(self, app: App, user: str, out: TextIO, data_dir: Path) -> None:
        self.app = app
        self.data_dir = data_dir
        self.key = UserKey(CHANNEL, user)
        self.user = user
        self.out = out
        self.buttons: tuple[Button, ...] = ()
        self.turn: int | None = None

    async def send(self, event: Event) -> Shown:
        outcome = await self.app.turn(self.key, self.user, event)
        assert outcome is not None  # only Telegram updates are de-duplicated
        # No dispatcher serves the terminal: due reminders come with the next answer.
        replies = outcome.replies + await self.app.due_here(self.key)
        with_buttons = [r for r in replies if r.buttons]
        if with_buttons:
            self.buttons, self.turn = with_buttons[-1].buttons, with_buttons[-1].turn
        return [(reply, await self.save_picture(reply)) for reply in replies]

    async def save_picture(self, reply: Reply) -> Path | None:
        """Draws a reply's chart into the data directory, off the event loop."""
        if reply.chart is None:
            return None
        png = await asyncio.to_thread(render_chart, reply.chart)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        path = self.data_dir / CHART_FILENAME
        path.write_bytes(png)
        return path

    def event_for_line(self, line: str) -> Event:
        line = line.strip()
        if line.startswith("/"):
            return parse_command(line)
        return Text(line)

    # --- human mode --------------------------------------------------------------------

    async def human(self, lines: TextIO) -> None:
        self.show(await self.send(Command("start")))
        while True:
            self.out.write("\n> ")
            self.out.flush()
            line = await asyncio.to_thread(lines.readline)
            if not line:
                self.out.write("\nBye!\n")
                return
            line = line.strip()
            if not line:
                continue
            if line in {"/quit", "/exit"}:
                return
            event: Event
            if line.isdecimal() and 1 <= int(line) <= len(self.buttons):
                event = Press(self.buttons[int(line) - 1].id, self.turn)
            else:
                event = self.event_for_line(line)
            self.show(await self.send(event))

    def show(self, replies: Shown) -> None:
        for reply, image in replies:
            self.out.write(f"\n{reply.text}\n")
            if image is not None:
                self.out.write(f"  (picture saved to {image})\n")
            if reply.document is not None:
                path = Path.cwd() / reply.document.filename
                path.write_bytes(reply.document.content)
                self.out.write(f"  (saved to {path})\n")
            for number, button in enumerate(reply.buttons, 1):
                self.out.write(f"  [{number}] {button.label}\n")
        self.out.flush()

    # --- JSON mode -------------------------------------------------------------------

    async def json_lines(self, lines: TextIO) -> None:
        while True:
            line = await asyncio.to_thread(lines.readline)
            if not line:
                return
            self.out.write(json.dumps(await self.json_turn(line), ensure_ascii=False) + "\n")
            self.out.flush()

    async def json_turn(self, line: str) -> dict[str, object]:
        stripped = line.strip()
        if not stripped:
            return {"replies": []}
        if stripped.startswith("{"):
            try:
                message = json.loads(stripped)
            except json.JSONDecodeError as error:
                return {"replies": [], "error": f"not valid JSON: {error.msg}"}
            button = message.get("button") if isinstance(message, dict) else None
            if not isinstance(button, str):
                return {"replies": [], "error": 'expected {"button": "<id>"}'}
            if button not in {b.id for b in self.buttons}:
                return {"replies": [], "error": f"no button {button!r} in the last reply"}
            return to_json(await self.send(Press(button, self.turn)))
        return to_json(await self.send(self.event_for_line(stripped)))


async def chat(settings: Settings, user: str, as_json: bool) -> None:
    """`mentor-coach chat`: the same coach, in this terminal."""
    parts = await build(settings, telegram=False)
    try:
        console = Console(parts.app, user, sys.stdout, settings.data_dir)
        if as_json:
            await console.json_lines(sys.stdin)
        else:
            await console.human(sys.stdin)
    finally:
        await parts.close()
