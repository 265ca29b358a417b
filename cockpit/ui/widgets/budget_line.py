"""The budget over the SLO window as one line of bars on a fixed 0-100 %
scale, its start and end labelled underneath.

Textual's Sparkline scales between the data's own minimum and maximum: a flat
100 % draws as all floor and 93.7 % as empty, which reads as a collapse. Here
a bar's height is the budget left itself, so full is full and empty is gone."""

from __future__ import annotations

from datetime import datetime
from typing import Sequence

from rich.text import Text
from textual.widget import Widget

BARS = "▁▂▃▄▅▆▇█"


def bar(remaining: float) -> Text:
    """One point: ▁ (under 12.5 % left) to █ (full); overspent in red."""
    if remaining <= 0:
        return Text("▁", style="bold red")
    level = min(int(remaining * len(BARS)), len(BARS) - 1)
    return Text(BARS[level], style="green" if remaining > 0.5 else "yellow")


def resample(values: Sequence[float], width: int) -> list[float]:
    """At most ``width`` points: each the lowest of the points it stands for
    (the worst moment is what must stay visible)."""
    if width <= 0 or len(values) <= width:
        return list(values)
    return [min(values[i * len(values) // width:(i + 1) * len(values) // width]) for i in range(width)]


def budget_line(history: Sequence[float], times: Sequence[datetime], width: int) -> Text:
    """The bars, and under them the first and last points' times (or
    "oldest" / "now" when the history is not placed in time)."""
    points = resample(history, width)
    text = Text(no_wrap=True)
    for value in points:
        text.append_text(bar(value))
    start, end = (f"{times[0]:%m-%d %H:%M}", f"{times[-1]:%m-%d %H:%M}") if times else ("oldest", "now")
    gap = max(1, len(points) - len(start) - len(end))
    text.append(f"\n{start}{' ' * gap}{end}", style="dim")
    return text


class BudgetLine(Widget):
    """``budget_line`` drawn at the widget's own width."""

    DEFAULT_CSS = """
    BudgetLine { height: 2; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.history: Sequence[float] = ()
        self.times: Sequence[datetime] = ()

    def show(self, history: Sequence[float], times: Sequence[datetime]) -> None:
        self.history, self.times = history, times
        self.refresh()

    def render(self) -> Text:
        return budget_line(self.history, self.times, self.size.width)
