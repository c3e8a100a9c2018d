"""The router: every flow's commands, questions and buttons in one table, checked once.

Built when the coach starts, it refuses what would only fail in a user's turn: two
flows claiming one command, question or button; a question of the content that no flow
asks, or a state without a question; a text question without a length limit; and a
dialog graph with a state that can't be reached from idle or has no way back to it
(python-statemachine refuses such a machine when its class is created).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TypeVar

from dialogs.content import Content
from dialogs.flows.base import IDLE, STORY, Ask, Entry, Flow

T = TypeVar("T")


class PlaybookError(ValueError):
    """The content and the flows don't fit together; raised at start-up."""


class Router:
    """Finds the handler of a command, an answer, a button or idle text."""

    def __init__(self, flows: Sequence[Flow], content: Content) -> None:
        problems: list[str] = []
        self.commands: dict[str, Entry] = _merge(
            "command", ((f.name, f.commands) for f in flows), problems
        )
        self.asks: dict[str, Ask] = _merge(
            "question", ((f.name, f.questions) for f in flows), problems
        )
        self.actions: dict[str, Entry] = _merge(
            "button", ((f.name, f.actions) for f in flows), problems
        )
        idle = [f.idle_text for f in flows if f.idle_text is not None]
        if len(idle) != 1:
            problems.append(f"{len(idle)} flows take text typed at idle; exactly one must")
        self.idle_text = idle[0] if idle else None
        problems += self._fits(content)
        for flow in flows:
            problems += flow.check(content) if flow.check else []
        problems += self._graph_problems()
        if problems:
            raise PlaybookError("; ".join(problems))

    def _fits(self, content: Content) -> list[str]:
        problems = [
            f"state {q!r} has no question in the content"
            for q in sorted(set(self.asks) - set(content.questions))
        ]
        problems += [
            f"question {q!r} is never asked"
            for q in sorted(set(content.questions) - set(self.asks))
        ]
        for question_id in sorted(set(self.asks) & set(content.questions)):
            is_text = content.questions[question_id].kind == "text"
            if is_text != (self.asks[question_id].limit is not None):
                problems.append(f"question {question_id!r}: kind and length limit disagree")
        if set(content.commands) != set(self.commands):
            problems.append(
                f"command menu {sorted(content.commands)} != commands {sorted(self.commands)}"
            )
        return problems

    def targets(self, states: Iterable[str]) -> frozenset[str]:
        """Resolves "/name" (every state command /name may open) and STORY into states."""
        found: set[str] = set()
        for state in states:
            if state == STORY and self.idle_text is not None:
                found |= self.targets(self.idle_text.enters)
            elif state.startswith("/"):
                entry = self.commands.get(state[1:])
                found |= set(entry.enters) if entry else {state}
            else:
                found.add(state)
        return frozenset(found)

    def after_answer(self, question_id: str) -> frozenset[str]:
        return self.targets(self.asks[question_id].then)

    def after_entry(self, entry: Entry) -> frozenset[str]:
        return self.targets(entry.enters)

    def _graph_problems(self) -> list[str]:
        entries = [*self.commands.values(), *self.actions.values()]
        entries += [self.idle_text] if self.idle_text else []
        edges: dict[str, set[str]] = {IDLE: set()}
        for entry in entries:
            edges[IDLE] |= self.after_entry(entry)
        for question_id in self.asks:
            edges[question_id] = set(self.after_answer(question_id))
        known = {IDLE, *self.asks}
        problems = [
            f"{source!r} leads to unknown state {target!r}"
            for source, targets in sorted(edges.items())
            for target in sorted(targets - known)
        ]
        reachable = _closure(IDLE, edges)
        problems += [f"state {q!r} is unreachable" for q in sorted(known - reachable)]
        back: dict[str, set[str]] = {}
        for source, targets in edges.items():
            for target in targets:
                back.setdefault(target, set()).add(source)
        way_out = _closure(IDLE, back)
        problems += [f"state {q!r} has no way out" for q in sorted(known - way_out)]
        return problems


def _merge(
    kind: str, owned: Iterable[tuple[str, Mapping[str, T]]], problems: list[str]
) -> dict[str, T]:
    merged: dict[str, T] = {}
    owners: dict[str, str] = {}
    for flow, items in owned:
        for key, value in items.items():
            if key in merged:
                problems.append(f"{kind} {key!r} is claimed by {owners[key]} and {flow}")
            merged[key] = value
            owners[key] = flow
    return merged


def _closure(start: str, edges: Mapping[str, set[str]]) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        for target in edges.get(todo.pop(), set()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen
