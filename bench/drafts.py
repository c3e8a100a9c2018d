"""python -m bench.drafts [--write] [--misses] [--corpus FILE]: scores the /draft checker.

For each labelled draft of tests/data/drafts.toml (format: tests/data/DRAFTS.md) the
advice matches when it holds every `expect` id and no `forbid` id; a draft in another
language matches only with no advice at all. Per advice id: precision and recall, as
for the story corpus (bench/coaching.py, whose report this reuses). Findings are scored
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

from bench.coaching import DOC, ROOT, Score, report
from dialogs.content import default_content
from dialogs.drafts import Medium, check

CORPUS = ROOT / "tests" / "data" / "drafts.toml"


@dataclass(frozen=True)
class Draft:
    id: str
    text: str
    medium: Medium
    step: str
    meetings: int
    expect: frozenset[str]
    forbid: frozenset[str]
    findings: frozenset[str]
    lang: str | None


def load(path: Path = CORPUS) -> list[Draft]:
    raw = tomllib.loads(path.read_text("utf-8"))
    return [
        Draft(
            id=entry["id"],
            text=entry["text"],
            medium=Medium(entry["medium"]),
            step=entry["step"],
            meetings=entry["meetings"],
            expect=frozenset(entry.get("expect", [])),
            forbid=frozenset(entry.get("forbid", [])),
            findings=frozenset(entry.get("findings", [])),
            lang=entry.get("lang"),
        )
        for entry in raw["draft"]
    ]


def matches(draft: Draft, advice: tuple[str, ...]) -> bool:
    if draft.lang:
        return not advice
    return draft.expect <= set(advice) and not draft.forbid & set(advice)


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
        result.stories += 1
        if matches(draft, checked.advice):
            result.matched += 1
        else:
            result.misses.append((draft, checked.advice))  # type: ignore[arg-type]
        for advice in checked.advice:
            result.given[advice] += 1
            result.right[advice] += advice in draft.expect
        for advice in draft.expect:
            result.expected[advice] += 1
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
        precision = f"{right / given:.0%}" if given else "-"
        recall = f"{right / expected:.0%}" if expected else "-"
        lines.append(f"| `{name}` | {given} | {expected} | {precision} | {recall} |")
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
    print(text)
    if arguments.misses:
        for draft, advice in result.misses:
            print(
                f"{draft.id}: got {list(advice)} expect {sorted(draft.expect)} "
                f"forbid {sorted(draft.forbid)}\n   {draft.text[:300]}"
            )
    if arguments.write:
        with DOC.open("a", encoding="utf-8") as doc:
            doc.write("\n" + text)


if __name__ == "__main__":
    main()
