"""python -m bench.coaching [--write] [--variant NAME]: scores the story reader on the corpus.

For each labelled story of tests/data/stories.toml (format: tests/data/README.md) the
reader's advice matches when it gives every `expect` id and no `forbid` id; a story
in another language, or one that says too little (expect = []), matches only with no
advice at all. Per advice id: precision (of the times it was given, how often it was
expected) and recall (of the times it was expected, how often it was given). Facts:
the hero, the kind of contact, the meeting count, the time (happened, planned, asked)
and the language, each over the stories that state it.

Variants, for the comparison in docs/coaching.md: `full` (the reader as shipped),
`nolang` (no language identification), `rules` (no second opinion from the model). The
model is trained on the labelled sets of tests/data/, so on them `full` is a training
score; held-out sets are the fair measure.
--legacy FILE scores a module with the old `read_story(text)` (today's rules at a commit).
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from bench.scoring import ROOT, Labelled, Score, labels, publish, report
from dialogs.content import default_content
from dialogs.reader.reading import Reading

CORPUS = ROOT / "tests" / "data" / "stories.toml"
# Stories say "yesterday" and "last Tuesday": a fixed day keeps the score reproducible.
TODAY = date(2026, 11, 25)
DEFAULT_HEROES = ["Dana Ruiz"]


@dataclass(frozen=True)
class Story(Labelled):
    heroes: list[str]
    hero: str | None
    kind: str | None
    meetings: int | None
    time: str
    tags: tuple[str, ...]
    step: str | None = None


@dataclass(frozen=True)
class Answer:
    advice: tuple[str, ...]
    # The legacy reader has no reading: its facts are not scored.
    reading: Reading | None = None


def load(path: Path = CORPUS) -> list[Story]:
    raw = tomllib.loads(path.read_text("utf-8"))
    return [
        Story(
            **labels(entry),
            heroes=entry.get("heroes", DEFAULT_HEROES),
            hero=entry.get("hero"),
            kind=entry.get("kind"),
            meetings=entry.get("meetings"),
            time=entry.get("time", "happened"),
            tags=tuple(entry.get("tags", [])),
            step=entry.get("step"),
        )
        for entry in raw["story"]
    ]


def score(stories: list[Story], reader: Callable[[Story], Answer]) -> Score:
    result = Score()
    for story in stories:
        answer = reader(story)
        # a story in another language, or one that says too little, wants no advice
        result.count(story, answer.advice, silent=bool(story.lang or not story.expect))
        reading = answer.reading
        if reading is None:
            continue
        if story.hero:
            result.fact("hero", reading.hero == story.hero)
        if story.kind:
            result.fact("kind", reading.kind == story.kind)
        if story.meetings is not None:
            result.fact("meetings", reading.meetings == story.meetings)
        result.fact("time", reading.time.value == story.time)
        result.fact("language", reading.language == (story.lang or "en"))
    return result


def reader_for(variant: str) -> Callable[[Story], Answer]:
    from dialogs.reader import read

    min_meetings = default_content().readiness.min_meetings

    def run(story: Story) -> Answer:
        reading = read(
            story.text,
            heroes=story.heroes,
            today=TODAY,
            min_meetings=min_meetings,
            languages=variant != "nolang",
            step=story.step,
            use_model=variant != "rules",
        )
        return Answer(advice=reading.advice, reading=reading)

    return run


def legacy_reader(path: Path) -> Callable[[Story], Answer]:
    spec = importlib.util.spec_from_file_location("legacy_story", path)
    assert spec is not None
    assert spec.loader is not None
    module: Any = importlib.util.module_from_spec(spec)
    sys.modules["legacy_story"] = module
    spec.loader.exec_module(module)
    return lambda story: Answer(advice=tuple(module.read_story(story.text).advice))


def costs(variant: str) -> tuple[float, float, float]:
    """Import time, first reading time (s) and peak memory (MiB) in a fresh process."""
    code = (
        "import time,resource;t=time.perf_counter();import dialogs.reader as r;"
        "a=time.perf_counter();"
        f"r.read('Tuve un café con Dana, fue muy amable y hablamos de su disco nuevo',"
        f" languages={variant != 'nolang'});"
        "r.read('had coffe w dana, she lit up abt her tour',"
        f" languages={variant != 'nolang'});"
        "b=time.perf_counter();"
        "print(a-t,b-a,resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.split()
    return float(out[0]), float(out[1]), float(out[2])


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.coaching", description=__doc__)
    parser.add_argument("--write", action="store_true", help="append the figures to the doc")
    parser.add_argument("--variant", default="full", choices=("full", "nolang", "rules"))
    parser.add_argument("--legacy", type=Path, help="score an old story.py instead")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--misses", action="store_true", help="list the stories missed")
    parser.add_argument("--costs", action="store_true", help="also time a fresh import")
    arguments = parser.parse_args()
    stories = load(arguments.corpus)
    started = time.perf_counter()
    if arguments.legacy:
        result = score(stories, legacy_reader(arguments.legacy))
        title = f"Legacy reader ({arguments.legacy.name})"
    else:
        result = score(stories, reader_for(arguments.variant))
        title = f"Reader, variant `{arguments.variant}`"
    elapsed = time.perf_counter() - started
    text = report(result, f"{title}, {date.today().isoformat()}, {len(stories)} stories")
    text += f"\nScored in {elapsed:.1f} s ({elapsed / len(stories) * 1000:.1f} ms a story).\n"
    if arguments.costs and not arguments.legacy:
        imported, first, memory = costs(arguments.variant)
        text += (
            f"Fresh process: import {imported:.2f} s, first two readings {first:.2f} s, "
            f"peak memory {memory:.0f} MiB.\n"
        )
    publish(text, result.misses if arguments.misses else [], arguments.write)


if __name__ == "__main__":
    main()
