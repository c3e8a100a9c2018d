"""Drawing the /progress picture (a `Chart` of dialogs/model.py) as a PNG.

matplotlib (and numpy under it) is imported on the first picture, not at start-up: it
would add about a second to every process start. The Agg backend draws without a
display; a `Figure` built directly (not pyplot) keeps no global state, so pictures can
be drawn in worker threads (callers use `asyncio.to_thread`: drawing blocks ~0.1 s).
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from itertools import groupby
from typing import TYPE_CHECKING, Any

from dialogs.model import Chart, HeroChart, StepId

if TYPE_CHECKING:
    from matplotlib.axes import Axes

FILENAME = "progress.png"
# One soft colour per step, light enough for the line to read over it.
STEP_COLOURS = {
    StepId.INTERESTS: "#dbeafe",
    StepId.GERM: "#dcfce7",
    StepId.RADAR: "#fef9c3",
    StepId.DISTANCE: "#ffedd5",
    StepId.ASK: "#fce7f3",
}
LINE, DOOR, ASK = "#1d4ed8", "#ca8a04", "#be123c"
WIDTH, ROW_HEIGHT, DPI = 8.0, 2.4, 100  # inches, inches, dots an inch
GAP = 0.75  # inches between panels: the dates of one and the name of the next


def render(chart: Chart) -> bytes:
    """The chart as PNG bytes, one panel per hero."""
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    from matplotlib.figure import Figure  # noqa: PLC0415

    rows = len(chart.heroes)
    height = ROW_HEIGHT * rows + 0.4
    # Fixed margins, in inches: a layout engine would cost as much as the drawing itself.
    top, bottom, left, right = 0.3, 0.5, 0.7, 0.15
    axis = (height - top - bottom - GAP * (rows - 1)) / rows
    figure = Figure(figsize=(WIDTH, height), dpi=DPI)
    grid = {
        "left": left / WIDTH,
        "right": 1 - right / WIDTH,
        "top": 1 - top / height,
        "bottom": bottom / height,
        "hspace": GAP / axis,
    }
    axes = figure.subplots(rows, 1, squeeze=False, gridspec_kw=grid)[:, 0]
    for ax, hero in zip(axes, chart.heroes, strict=True):
        _panel(ax, hero)
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def _panel(ax: Axes, hero: HeroChart) -> None:
    dates = _dates()
    days = [p.day for p in hero.points]
    temperatures = [p.temperature for p in hero.points]
    first, last = days[0], days[-1]
    # A week either side at least: a lone check-in gets day ticks, not hours.
    pad = max(timedelta(days=7), (last - first) / 20)
    start, end = first - pad, last + pad
    for step, begin, until in _runs(hero, start, end):
        ax.axvspan(_num(begin), _num(until), color=STEP_COLOURS[step], zorder=0)
        ax.text(
            _num(begin),
            5.45,
            f" {step.number} {step.value}",
            fontsize=7,
            va="top",
            color="#475569",
            clip_on=True,
        )
    ax.plot(
        [_num(d) for d in days],
        temperatures,
        color=LINE,
        marker="o",
        markersize=4,
        linewidth=1.6,
        zorder=2,
    )
    doors = [p for p in hero.points if p.open_door]
    if doors:
        ax.scatter(
            [_num(p.day) for p in doors],
            [p.temperature for p in doors],
            marker="*",
            s=150,
            color=DOOR,
            zorder=3,
            label="open door",
        )
    for asked in (p for p in hero.points if p.asked):
        ax.axvline(_num(asked.day), color=ASK, linestyle="--", linewidth=1.2, zorder=1)
        ax.text(_num(asked.day), 0.7, " ask", color=ASK, fontsize=8)
    ax.set_xlim(_num(start), _num(end))
    ax.set_ylim(0.5, 5.5)
    ax.set_yticks([1, 2, 3, 4, 5], ["1 cold", "2", "3", "4", "5 hot"], fontsize=7)
    locator = dates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(dates.ConciseDateFormatter(locator))
    ax.tick_params(axis="x", labelsize=7)
    ax.set_title(hero.name, loc="left", fontsize=10, fontweight="bold")
    ax.grid(axis="y", color="#e2e8f0", linewidth=0.6)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _runs(hero: HeroChart, start: date, end: date) -> list[tuple[StepId, date, date]]:
    """Each step's band: from its first check-in to the next step's first; the first band
    from the left edge, the last to the right edge."""
    firsts = [(step, next(group).day) for step, group in groupby(hero.points, lambda p: p.step)]
    begins = [start] + [day for _, day in firsts[1:]]
    ends = [day for _, day in firsts[1:]] + [end]
    return [(step, b, e) for (step, _), b, e in zip(firsts, begins, ends, strict=True)]


def _dates() -> Any:
    # matplotlib.dates is untyped; it is used through this one door.
    import matplotlib.dates  # noqa: PLC0415

    return matplotlib.dates


def _num(day: date) -> float:
    """A day as matplotlib's date number (the axes are in days)."""
    return float(_dates().date2num(day))
