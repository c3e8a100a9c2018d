"""python -m bench --only chart: drawing the /progress picture for a hero with 100 contacts.

The time is `bot.chart.render` from chart data to PNG bytes, after a first picture has
loaded matplotlib (the first in a process also pays for importing it, measured apart in
a fresh interpreter). Baseline: an empty figure of the same size saved as PNG, the
floor matplotlib's Agg backend sets. Goal: under 200 ms a picture.
"""

from __future__ import annotations

import random
import subprocess
import sys
import time
from datetime import date, timedelta

from bench.report import ROOT, Section, median, ms
from dialogs.model import Chart, ChartPoint, HeroChart, StepId

GOAL = 0.200
RUNS = {False: 15, True: 50}


def hundred_contacts() -> Chart:
    """A year of contacts: temperatures wandering upward, steps in turn, doors, the ask."""
    rng = random.Random(13)
    steps = list(StepId)
    day, points = date(2026, 1, 5), []
    for n in range(100):
        day += timedelta(days=rng.randint(1, 6))
        temperature = min(5, max(1, 2 + n // 30 + rng.choice((-1, 0, 0, 1))))
        points.append(
            ChartPoint(day, temperature, steps[min(4, n // 20)], n % 17 == 5, asked=n == 90)
        )
    return Chart((HeroChart("Dana Ruiz", tuple(points)),))


def empty_figure() -> bytes:
    import io

    from matplotlib.figure import Figure

    from bot.chart import DPI, ROW_HEIGHT, WIDTH

    figure = Figure(figsize=(WIDTH, ROW_HEIGHT + 0.4), dpi=DPI)
    figure.subplots(1, 1)
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def timed(draw: object, runs: int) -> list[float]:
    found = []
    for _ in range(runs):
        began = time.perf_counter()
        draw()  # type: ignore[operator]
        found.append(time.perf_counter() - began)
    return found


def first_picture() -> float:
    """Seconds from a fresh interpreter's `import bot.chart` to its first PNG."""
    code = (
        "import time;t=time.perf_counter();from bot.chart import render;"
        "from bench.chart import hundred_contacts;render(hundred_contacts());"
        "print(time.perf_counter()-t)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return float(out.stdout.split()[-1])


def run(full: bool, smoke: bool = False) -> Section:
    from bot.chart import render

    runs = 2 if smoke else RUNS[full]
    chart = hundred_contacts()
    render(chart)  # matplotlib loaded and its font cache read before timing
    hero = median(timed(lambda: render(chart), runs))
    baseline = median(timed(empty_figure, runs))
    first = first_picture()
    section = Section("The /progress picture: 100 contacts")
    section.add(
        "`bot.chart.render` draws one hero with 100 check-ins (steps as bands, open doors, "
        f"the ask) to PNG; baseline: an empty figure of the same size. Median of {runs} runs "
        "each, in one process after a first picture.",
        "",
    )
    section.table(
        ["drawing", "median", "vs baseline"],
        [
            ["empty figure (baseline)", ms(baseline), "1.0×"],
            ["100 contacts", ms(hero), f"{hero / baseline:.1f}×"],
            ["first picture in a fresh process (imports matplotlib)", ms(first), "-"],
        ],
    )
    verdict = "met" if hero < GOAL else "**missed**"
    section.add("", f"- Goal: under {GOAL * 1000:.0f} ms a picture: {ms(hero)}, {verdict}.")
    return section
