"""python -m bench.drafts [--write] [--misses] [--corpus FILE]: scores the /draft checker.

For each labelled draft of tests/data/drafts.toml (format: tests/data/DRAFTS.md) the
advice matches when it holds every `expect` id and no `forbid` id; a draft in another
language matches only with no advice at all. Per advice id: precision and recall, as
for the story corpus (bench/scoring.py holds what both reports share). Findings are scored
the same way, each over the drafts labelled with it.
"""

from __future__ import annotations

import argparse
import time
import tomllib
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bench.scoring import ROOT, Labelled, Score, labels, publish, report, row
from dialogs.content import default_content
from dialogs.drafts import Medium, check

CORPUS = ROOT / "tests" / "data" / "drafts.toml"


@dataclass(frozen=True)
class Draft(Labelled):
    medium: Medium
    step: str
    meetings: int
    findings: frozenset[str]


def load(path: Path = CORPUS) -> list[Draft]:
    raw = tomllib.loads(path.read_text("utf-8"))
    return [
        Draft(
            **labels(entry),
            medium=Medium(entry["medium"]),
            step=entry["step"],
            meetings=entry["meetings"],
            findings=frozenset(entry.get("findings", [])),
        )
        for entry in raw["draft"]
    ]


@dataclass
class DraftScore(Score):
    found_right: Counter[str] | None = None
    found_given: Counter[str] | None = None
    found_expected: Counter[str] | None = None


def score(drafts: list[Draft]) -> DraftScore:
    result = DraftScore(found_right=Counter(), found_given=Counter(), found_expected=Counter())
    assert result.found_right is not None
    assert result.found_given is not None
    assert result.found_expected is not None
    min_meetings = default_content().readiness.min_meetings
    for draft in drafts:
        checked = check(
            draft.text,
            step=draft.step,
            meetings=draft.meetings,
            min_meetings=min_meetings,
            medium=draft.medium,
        )
        # a draft in another language wants no advice
        result.count(draft, checked.advice, silent=bool(draft.lang))
        given = {str(f) for f in checked.findings}
        for finding in given:
            result.found_given[finding] += 1
            result.found_right[finding] += finding in draft.findings
        for finding in draft.findings:
            result.found_expected[finding] += 1
    return result


def findings_table(result: DraftScore) -> str:
    assert result.found_right is not None
    assert result.found_given is not None
    assert result.found_expected is not None
    lines = ["| finding | given | labelled | precision | recall |", "|---|---|---|---|---|"]
    for name in sorted(set(result.found_given) | set(result.found_expected)):
        given, expected = result.found_given[name], result.found_expected[name]
        right = result.found_right[name]
        lines.append(row(name, right, given, expected))
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.drafts", description=__doc__)
    parser.add_argument("--write", action="store_true", help="append the figures to the doc")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--misses", action="store_true", help="list the drafts missed")
    arguments = parser.parse_args()
    drafts = load(arguments.corpus)
    started = time.perf_counter()
    result = score(drafts)
    elapsed = time.perf_counter() - started
    title = f"Draft checker, {date.today().isoformat()}, {len(drafts)} drafts"
    text = report(result, title).replace("Stories whose", "Drafts whose")
    text += "\n" + findings_table(result)
    text += f"\nScored in {elapsed:.1f} s ({elapsed / len(drafts) * 1000:.1f} ms a draft).\n"
    publish(text, result.misses if arguments.misses else [], arguments.write)


if __name__ == "__main__":
    main()
