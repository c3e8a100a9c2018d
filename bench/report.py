"""Writing benchmark results down: the figures, the machine, the commit, the command."""

from __future__ import annotations

import os
import platform
import shlex
import statistics
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "docs" / "benchmarks.md"


@dataclass
class Section:
    """One benchmark's findings, as Markdown lines (tables welcome)."""

    title: str
    lines: list[str] = field(default_factory=list)

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)
        for line in lines:
            print(line, flush=True)

    def table(self, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
        self.add("| " + " | ".join(header) + " |", "|" + " --- |" * len(header))
        for row in rows:
            self.add("| " + " | ".join(str(cell) for cell in row) + " |")


def percentile(values: Sequence[float], share: float) -> float:
    """The `share` (0..1) quantile by nearest rank; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else 0.0


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def machine() -> str:
    found = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    commit = found.stdout.strip() or "unknown"
    return (
        f"{platform.node()} · {platform.machine()} · {os.cpu_count()} cores · "
        f"Python {platform.python_version()} · commit {commit}"
    )


def write(sections: Sequence[Section]) -> None:
    """Appends a dated block to docs/benchmarks.md."""
    REPORT.parent.mkdir(exist_ok=True)
    if not REPORT.exists():
        REPORT.write_text(
            "# Benchmarks\n\nEach block below was appended by `python -m bench`; newest last.\n"
            "Figures are medians of repeated runs unless said otherwise; these machines are\n"
            "shared and noisy, so compare ratios against the baseline measured in the same run.\n",
            "utf-8",
        )
    command = "python -m bench " + shlex.join(sys.argv[1:])
    block = [
        "",
        f"## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"Machine: {machine()}  ",
        f"Command: `{command.strip()}`",
    ]
    for section in sections:
        block += ["", f"### {section.title}", "", *section.lines]
    with REPORT.open("a", encoding="utf-8") as out:
        out.write("\n".join(block) + "\n")
