"""Reading the SLO series Sloth's recording rules already keep in Prometheus.

Sloth records ``slo:sli_error:ratio_rate<window>`` for every alerting window
and the SLO period, and ``slo:period_error_budget_remaining:ratio``, labelled
``sloth_service`` and ``sloth_slo``. Where they exist the cockpit reads them
(one instant query for every window of every SLO, one range query for the
budget history) instead of evaluating raw SLI expressions.

Sloth's period ratio is the mean of its 5-minute ratios (time-weighted), and
it keeps no event counts, so the low-traffic guard cannot apply to it.
"""

from __future__ import annotations

import math
from typing import Iterable, Sequence

from cockpit.durations import prom_window
from cockpit.model import SLO
from cockpit.promql import sample_value, value_matcher
from cockpit.slo import BURN_WINDOWS

SLI_ERROR = "slo:sli_error:ratio_rate"
BUDGET_REMAINING = "slo:period_error_budget_remaining:ratio"

SlothKey = tuple[str, str]  # (sloth_service, sloth_slo)


def key_of(slo: SLO) -> SlothKey:
    return slo.service, slo.name


def _services(slos: Iterable[SLO]) -> str:
    return f"sloth_service{value_matcher({slo.service for slo in slos})}"


def ratio_query(slos: Sequence[SLO]) -> str:
    """One query for the error ratio of every burn window and SLO period of
    ``slos``; its result also tells which SLOs have Sloth rules at all."""
    windows = {prom_window(w) for w in BURN_WINDOWS.values()} | {prom_window(s.window) for s in slos}
    names = "|".join(sorted(windows))
    return f'{{__name__=~"{SLI_ERROR}(?:{names})",{_services(slos)}}}'


def budget_query(slos: Sequence[SLO]) -> str:
    """The recorded budget remaining, for a range query (the history)."""
    return f"{BUDGET_REMAINING}{{{_services(slos)}}}"


def _key(metric: dict[str, str]) -> SlothKey | None:
    service, name = metric.get("sloth_service"), metric.get("sloth_slo")
    return (service, name) if service and name else None


def parse_ratios(result: list[dict]) -> dict[SlothKey, dict[str, float]]:
    """(service, slo) -> window ("5m", "30d") -> error ratio. Should one SLO's
    series come twice (extra labels), the worse ratio wins."""
    ratios: dict[SlothKey, dict[str, float]] = {}
    for series in result:
        metric = series.get("metric", {})
        key, name = _key(metric), metric.get("__name__", "")
        if key is None or not name.startswith(SLI_ERROR):
            continue
        window = name[len(SLI_ERROR):]
        value = sample_value(series.get("value", (0, None))[1])
        known = ratios.setdefault(key, {}).get(window)
        if known is None or math.isnan(known) or value > known:
            ratios[key][window] = value
    return ratios


def parse_history(result: list[dict]) -> dict[SlothKey, tuple[tuple[float, float], ...]]:
    """(service, slo) -> recorded budget remaining over time as (unix seconds,
    value), oldest first, NaN points dropped: the times say where points are
    missing, so a gap leaves the points around it usable."""
    history: dict[SlothKey, tuple[tuple[float, float], ...]] = {}
    for series in result:
        key = _key(series.get("metric", {}))
        if key is None or key in history:
            continue
        points = ((sample_value(t), sample_value(v)) for t, v in series.get("values", ()))
        history[key] = tuple((t, v) for t, v in points if not (math.isnan(t) or math.isnan(v)))
    return history
