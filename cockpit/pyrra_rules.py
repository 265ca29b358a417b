"""Reading the SLO-window counts Pyrra's recording rules already keep in Prometheus.

For each SLO Pyrra records, over its whole window W (pyrra-dev/pyrra
``slo/rules.go``, ``IncreaseRules``), series labelled ``slo="<name>"``:

* ratio: ``<total>:increaseW`` and, when the errors metric is another one,
  ``<errors>:increaseW`` (``sum by (grouping) (increase(METRIC{...}[W]))``,
  the metric name without ``_total``/``_count``/``_bucket``);
* latency: ``<total>:increaseW`` without an ``le`` label (the ``_count``)
  and, usually under the same name, the success bucket's with ``le="..."``;
* bool_gauge: ``<metric>:countW`` and ``<metric>:sumW`` (the samples and
  their sum, so the 0s are count minus sum).

W is written as Prometheus writes durations (``4w`` for 28d, ``2w``, ``30d``).
Pyrra reads them back with the SLO's own matchers plus ``slo="<name>"``
(``GenericRules``), and so does the cockpit: one instant query fetches every
such series of every Pyrra SLO, one range query per SLO window the budget
history, and the matchers are applied here. The 28-day ``increase`` is the
expensive query Pyrra records; the short burn-rate windows stay raw queries
(Pyrra's ``:burnrate`` windows are scaled to each SLO's window and rarely
the cockpit's). latencyNative SLOs are read raw.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Iterable, Mapping, Sequence

from cockpit.promql import PromQLError, analyse, sample_value, tokenize, value_matcher, value_regex
from cockpit.slo import Events

Matcher = tuple[str, str, str]  # (label, op, value)


@dataclass(frozen=True)
class Selector:
    """The recorded series one side of an SLO is read from."""

    name: str
    matchers: tuple[Matcher, ...]

    def matches(self, metric: Mapping[str, str]) -> bool:
        return metric.get("__name__") == self.name and all(_match(metric.get(label, ""), op, value)
                                                            for label, op, value in self.matchers)


@dataclass(frozen=True)
class Recorded:
    """Where one SLO's window counts are recorded: the total, and the errors
    (or, when ``other_is_good``, the good events: errors = total - good)."""

    total: Selector
    other: Selector
    other_is_good: bool

    def events(self, samples: Iterable[tuple[Mapping[str, str], float]]) -> Events | None:
        """The window's Events from (labels, value) samples; None when no total series is there."""
        total = other = 0.0
        found = False
        for metric, value in samples:
            if math.isnan(value):
                continue
            if self.total.matches(metric):  # a ratio's error series are among its total series too
                total, found = total + value, True
            if self.other.matches(metric):
                other += value
        if not found:
            return None
        return Events(errors=max(total - other, 0.0) if self.other_is_good else other, total=total)


def prometheus_duration(value: timedelta) -> str:
    """A duration as Prometheus prints it (model.Duration.String, which
    Pyrra uses in rule names): years and weeks only when exact, 28d -> 4w."""
    ms = int(value.total_seconds() * 1000)
    if ms == 0:
        return "0s"
    text = ""
    for unit, size, exact in (("y", 31_536_000_000, True), ("w", 604_800_000, True), ("d", 86_400_000, False),
                              ("h", 3_600_000, False), ("m", 60_000, False), ("s", 1000, False),
                              ("ms", 1, False)):
        if exact and ms % size:
            continue
        if ms >= size:
            text += f"{ms // size}{unit}"
            ms %= size
    return text


def recorded(kind: str, slo: str, window: timedelta, other: str, total: str) -> Recorded | None:
    """The series Pyrra records for an SLO named ``slo`` whose indicator
    ``kind`` reads ``other`` (errors, success bucket or gauge) and ``total``
    (selector texts as written); None for kinds read raw."""
    try:
        (other_name, other_matchers), (total_name, total_matchers) = _parse(other), _parse(total)
    except PromQLError:
        return None
    period, tag = prometheus_duration(window), ("slo", "=", slo)
    if kind == "ratio":
        return Recorded(Selector(_increase(total_name, period), (*total_matchers, tag)),
                        Selector(_increase(other_name, period), (*other_matchers, tag)), other_is_good=False)
    if kind == "latency":
        return Recorded(Selector(_increase(total_name, period), (*total_matchers, ("le", "=", ""), tag)),
                        Selector(_increase(other_name, period), (*other_matchers, tag)), other_is_good=True)
    if kind == "bool_gauge":
        return Recorded(Selector(f"{total_name}:count{period}", (*total_matchers, tag)),
                        Selector(f"{total_name}:sum{period}", (*total_matchers, tag)), other_is_good=True)
    return None


def query(recordings: Sequence[Recorded]) -> str:
    """One selector for every recorded series of ``recordings``."""
    names = {r.total.name for r in recordings} | {r.other.name for r in recordings}
    slos = {value for r in recordings for label, _, value in r.total.matchers if label == "slo"}
    return f"{{__name__=~{json.dumps(value_regex(names))},slo{value_matcher(slos)}}}"


def instant_samples(result: list[dict]) -> list[tuple[Mapping[str, str], float]]:
    return [(series.get("metric") or {}, sample_value((series.get("value") or (0, None))[1])) for series in result]


def range_samples(result: list[dict], start: float, step: float, points: int) -> list[list[tuple[Mapping, float]]]:
    """Per step of the grid beginning at ``start`` (unix seconds), the (labels, value) samples there."""
    grid: list[list[tuple[Mapping, float]]] = [[] for _ in range(points)]
    for series in result:
        metric = series.get("metric") or {}
        for timestamp, value in series.get("values") or ():
            index = round((float(timestamp) - start) / step)
            if 0 <= index < points:
                grid[index].append((metric, sample_value(value)))
    return grid


def _increase(metric: str, period: str) -> str:
    for suffix in ("_total", "_count", "_bucket"):
        metric = metric.removesuffix(suffix)
    return f"{metric}:increase{period}"


def _parse(selector: str) -> tuple[str, tuple[Matcher, ...]]:
    """(metric name, matchers) of one vector selector."""
    tokens = tokenize(selector)
    name = tokens[0].text if tokens and tokens[0].kind == "ident" else ""
    selectors = analyse(selector).selectors
    matchers = selectors[0] if selectors else {}
    found = tuple((label, op, value) for label, ms in matchers.items() for op, value, _ in ms if label != "__name__")
    name = name or next((value for label, op, value in _all(matchers) if label == "__name__" and op == "="), "")
    if not name:
        raise PromQLError("no metric name")
    return name, found


def _all(matchers: Mapping) -> Iterable[Matcher]:
    return ((label, op, value) for label, ms in matchers.items() for op, value, _ in ms)


def _match(actual: str, op: str, value: str) -> bool:
    if op == "=":
        return actual == value
    if op == "!=":
        return actual != value
    try:
        hit = re.fullmatch(value, actual) is not None
    except re.error:
        return False
    return hit if op == "=~" else not hit
