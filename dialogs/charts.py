"""The data of the /progress picture: each hero's check-ins, steps, open doors and the ask.

Pure data (dialogs/model.py `Chart`); bot/chart.py draws it at the edge, off the event loop.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from dialogs.model import Chart, ChartPoint, Hero, HeroChart, Interaction
from dialogs.steps.ask import OUTCOMES


def progress_chart(
    heroes: Sequence[Hero], histories: Mapping[int, Sequence[Interaction]]
) -> Chart | None:
    """The chart of the heroes with at least one check-in; None when none has one."""
    charts = tuple(
        HeroChart(
            hero.name,
            tuple(
                ChartPoint(
                    i.happened_on,
                    i.temperature,
                    i.step,
                    open_door=i.open_door,
                    asked=i.answers.get("ask.asked") in OUTCOMES,
                )
                for i in sorted(histories[hero.id], key=lambda i: i.happened_on)
            ),
        )
        for hero in heroes
        if histories.get(hero.id)
    )
    return Chart(charts) if charts else None
