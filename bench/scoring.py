"""What the story and the draft benchmarks share: a labelled item's advice against what
the coach gave, counted per advice id, and the report of those counts.

An item (a story, a draft) matches when the advice holds every `expect` id and no
`forbid` id; an item that must get no advice (another language, too little said)
matches only with none. Precision: of the times an id was given, how often it was
expected; recall: of the times it was expected, how often it was given.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dialogs.catalogue import ADVICE_IDS

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "coaching.md"


@dataclass(frozen=True)
class Labelled:
    """A corpus item (a story, a draft): its text and the advice it must and must not get."""

    id: str
    text: str
    expect: frozenset[str]
    forbid: frozenset[str]
    lang: str | None


def labels(entry: dict[str, Any]) -> dict[str, Any]:
    """The fields of `Labelled` from a corpus entry, as both corpora write them."""
    return {
        "id": entry["id"],
        "text": entry["text"],
        "expect": frozenset(entry.get("expect", [])),
        "forbid": frozenset(entry.get("forbid", [])),
        "lang": entry.get("lang"),
    }


def matches(item: Labelled, advice: tuple[str, ...], *, silent: bool) -> bool:
    if silent:
        return not advice
    return item.expect <= set(advice) and not item.forbid & set(advice)


@dataclass
class Score:
    stories: int = 0
    matched: int = 0
    given: Counter[str] = field(default_factory=Counter)
    right: Counter[str] = field(default_factory=Counter)
    expected: Counter[str] = field(default_factory=Counter)
    facts: dict[str, list[int]] = field(default_factory=dict)  # name -> [right, asked]
    misses: list[tuple[Any, tuple[str, ...]]] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.matched / self.stories if self.stories else 0.0

    def fact(self, name: str, right: bool) -> None:
        tally = self.facts.setdefault(name, [0, 0])
        tally[0] += right
        tally[1] += 1

    def count(self, item: Labelled, advice: tuple[str, ...], *, silent: bool) -> None:
        """Counts one item's advice against its labels."""
        self.stories += 1
        if matches(item, advice, silent=silent):
            self.matched += 1
        else:
            self.misses.append((item, advice))
        for given in advice:
            self.given[given] += 1
            self.right[given] += given in item.expect
        for expected in item.expect:
            self.expected[expected] += 1


def row(name: str, right: int, given: int, expected: int) -> str:
    """A table row of counts with precision and recall ("-" where nothing to divide by)."""
    precision = f"{right / given:.0%}" if given else "-"
    recall = f"{right / expected:.0%}" if expected else "-"
    return f"| `{name}` | {given} | {expected} | {precision} | {recall} |"


def report(result: Score, title: str) -> str:
    lines = [
        f"### {title}",
        "",
        f"Stories whose advice matches: **{result.matched}/{result.stories} "
        f"({result.share:.1%})**.",
        "",
    ]
    if result.facts:
        facts = ", ".join(
            f"{name} {right}/{asked} ({right / asked:.0%})"
            for name, (right, asked) in result.facts.items()
        )
        lines += [f"Facts: {facts}.", ""]
    lines += ["| advice id | given | expected | precision | recall |", "|---|---|---|---|---|"]
    for advice in ADVICE_IDS:
        given, expected, right = (
            result.given[advice],
            result.expected[advice],
            result.right[advice],
        )
        if not given and not expected:
            continue
        lines.append(row(advice, right, given, expected))
    return "\n".join(lines) + "\n"


def publish(text: str, misses: Iterable[tuple[Labelled, tuple[str, ...]]], write: bool) -> None:
    """Prints the report and the misses given; with `write`, appends the report to the doc."""
    print(text)
    for item, advice in misses:
        print(
            f"{item.id}: got {list(advice)} expect {sorted(item.expect)} "
            f"forbid {sorted(item.forbid)}\n   {item.text[:300]}"
        )
    if write:
        with DOC.open("a", encoding="utf-8") as doc:
            doc.write("\n" + text)
