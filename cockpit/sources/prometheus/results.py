"""Prometheus query answers turned into what slo.evaluate takes: per-SLO
results, Events from error and total counts (or from an error ratio),
rolling window sums, budget histories placed in time. Pure: no
client, no I/O, so the prometheus source only sends queries and routes answers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Mapping

from cockpit.calendar_windows import period_start
from cockpit.model import CalendarWindow
from cockpit.promql import QueryGroup, sample_value
from cockpit.slo import Events, budget_remaining


@dataclass
class SLOResult:
    """What the queries said about one SLO, ready for slo.evaluate."""

    window: Events | None = None
    burn: dict[str, Events | None] = field(default_factory=dict)
    history: tuple[float, ...] = ()
    history_end: datetime | None = None  # see SLOStatus
    history_step: timedelta | None = None
    history_times: tuple[datetime, ...] = ()
    min_events: float | None = None  # None: the source's min_events
    warnings: list[str] = field(default_factory=list)


def scaled(values: dict[str, float], factor: float) -> dict[str, float]:
    return {key: value * factor for key, value in values.items()}


def events_of(errors: float | None, total: float | None) -> Events | None:
    """No total series: no data. An error series missing beside a total means
    no errors happened (error counters often have no samples until one does)."""
    if total is None:
        return None
    return Events(errors=errors or 0.0, total=total)


def _prefix_sums(errors: list[float] | None, totals: list[float]) -> tuple[list[float], list[float], list[int]]:
    """Running sums of present steps' errors and totals, and of how many
    steps were present (an error step counts only beside a total)."""
    errors = errors or [math.nan] * len(totals)
    sum_e, sum_t, count = [0.0], [0.0], [0]
    for error, total in zip(errors, totals):
        present = not math.isnan(total)
        sum_t.append(sum_t[-1] + (total if present else 0.0))
        sum_e.append(sum_e[-1] + (error if present and not math.isnan(error) else 0.0))
        count.append(count[-1] + present)
    return sum_e, sum_t, count


def rolling_events(errors: list[float] | None, totals: list[float] | None, points: int) -> list[Events | None]:
    """Window sums over ``2 * points - 1`` per-step counts: one Events for
    each of the last ``points`` steps, summing the ``points`` steps up to it
    (the last one is the SLO window); None where no step had a total.
    Running sums keep it linear: 1000 SLOs x 60 points per refresh."""
    return period_events(errors, totals, points, [float(i) for i in range(points)])


def period_events(errors: list[float] | None, totals: list[float] | None, points: int,
                  begins: list[float]) -> list[Events | None]:
    """Like rolling_events, but the sum for point i starts at step position
    ``begins[i]`` (a calendar period's start): a fractional position counts
    that share of the step it falls in, as if its events were spread evenly."""
    if totals is None:
        return [None] * points
    sum_e, sum_t, count = _prefix_sums(errors, totals)

    def at(sums: list[float], position: float) -> float:
        whole = min(int(position), len(sums) - 2)
        return sums[whole] + (position - whole) * (sums[whole + 1] - sums[whole])

    found: list[Events | None] = []
    for end, begin in zip(range(points, 2 * points), begins):  # prefix index one past the point's step
        begin = min(max(begin, 0.0), float(end))
        found.append(Events(errors=sum_e[end] - at(sum_e, begin), total=sum_t[end] - at(sum_t, begin))
                     if count[end] > count[int(begin)] else None)
    return found


def period_begins(window: CalendarWindow, now: datetime, step: timedelta, points: int) -> list[float]:
    """For period_events: where the calendar period of each of the last
    ``points`` steps began, in steps from the start of the range of
    ``2 * points - 1`` steps that ends at ``now``."""
    range_start = now - step * (2 * points - 1)
    return [(period_start(window, now - step * (points - 1 - i)) - range_start) / step for i in range(points)]


def budget_history(rolling: list[Events | None], objective: float, min_events: float) -> list[float | None]:
    """The budget remaining after each rolling window; None where the window
    had too few events (or none) to say."""
    return [budget_remaining(e.ratio, objective)
            if e is not None and e.ratio is not None and e.total >= max(min_events, 1e-9) else None
            for e in rolling]


def place_history(result: SLOResult, points: list[float | None], end: datetime, step: timedelta) -> None:
    """Give ``result`` the history ``points`` (one per ``step``, the last at
    ``end``; None or NaN where missing), placed in time: evenly spaced when
    nothing is missing between the first and last point present, else with
    each point's time, so a gap still leaves the points around it usable."""
    kept = [i for i, v in enumerate(points) if v is not None and not math.isnan(v)]
    result.history = tuple(points[i] for i in kept)
    if not kept:
        return
    last = len(points) - 1
    result.history_end, result.history_step = end - step * (last - kept[-1]), step
    if kept[-1] - kept[0] + 1 != len(kept):
        result.history_times = tuple(end - step * (last - i) for i in kept)


def ratio_events(ratio: float | None) -> Events | None:
    return None if ratio is None else Events(errors=ratio, total=1.0)


# --- splitting a query group's answers back per SLO ---------------------------

def _member(group: QueryGroup, series: Mapping) -> str | None:
    metric = series.get("metric") or {}
    value = "" if group.label is None else metric.get(group.label)
    return value if value in group.members else None


def split_instant(group: QueryGroup, result: list[dict]) -> dict[str, float]:
    """An instant query's series summed per member label value (series of
    other values, from a matcher that had to stay broad, are dropped). Ratios
    do not add up: a ratio group's member with several series gets NaN."""
    sums: dict[str, float] = {}
    for series in result:
        value = _member(group, series)
        if value is not None:
            number = sample_value((series.get("value") or (0, None))[1])
            sums[value] = math.nan if group.ratio and value in sums else sums.get(value, 0.0) + number
    return sums


def split_range(group: QueryGroup, result: list[dict], start: float, step: float, points: int) -> dict[str, list[float]]:
    """A range query's series per member label value, summed on the step grid
    that begins at ``start`` (unix seconds); NaN where no series had a point,
    and everywhere for a ratio group's member with several series."""
    grids: dict[str, list[float]] = {}
    for series in result:
        value = _member(group, series)
        if value is None:
            continue
        if group.ratio and value in grids:
            grids[value] = [math.nan] * points
            continue
        grid = grids.setdefault(value, [math.nan] * points)
        for timestamp, sample in series.get("values") or ():
            index = round((float(timestamp) - start) / step)
            if 0 <= index < points:
                number = sample_value(sample)
                grid[index] = number if math.isnan(grid[index]) else grid[index] + number
    return grids
