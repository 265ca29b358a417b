"""SLO math, as the Google SRE workbook defines it and Sloth/Pyrra implement it.

Pure functions over numbers and domain objects: no I/O, no UI.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Mapping, Sequence

from cockpit.model import SLO, PolicyTier, SLOStatus, frozen_map, packed_history

# Burn rates the cockpit shows for every SLO.
BURN_WINDOWS: dict[str, timedelta] = {
    "5m": timedelta(minutes=5),
    "30m": timedelta(minutes=30),
    "1h": timedelta(hours=1),
    "2h": timedelta(hours=2),
    "6h": timedelta(hours=6),
    "1d": timedelta(days=1),
    "3d": timedelta(days=3),
}

# Below this many events in a window, a ratio says nothing ("insufficient traffic").
DEFAULT_MIN_EVENTS = 10


@dataclass(frozen=True, slots=True)
class MultiwindowRule:
    """A multiwindow burn-rate alert: fires when both windows burn faster than
    ``burn_rate_for(period)``. ``budget_share`` is the share of the whole SLO
    period's budget that burning at the threshold for ``long`` would consume;
    the workbook's 30-day thresholds (14.4, 6, 3, 1) follow from it, and other
    periods scale the same way Sloth scales them."""

    name: str  # page-1h
    severity: str  # page | ticket
    long: str
    short: str
    budget_share: float

    def burn_rate_for(self, period: timedelta) -> float:
        return self.budget_share * (period / BURN_WINDOWS[self.long])


MULTIWINDOW_RULES: tuple[MultiwindowRule, ...] = (
    MultiwindowRule("page-1h", "page", "1h", "5m", 0.02),
    MultiwindowRule("page-6h", "page", "6h", "30m", 0.05),
    MultiwindowRule("ticket-1d", "ticket", "1d", "2h", 0.10),
    MultiwindowRule("ticket-3d", "ticket", "3d", "6h", 0.10),
)

# The seed's error budget policy. Its headings read "0-50% Budget Remaining
# (Warning)" and "50-100% ... (Critical)", which only makes sense as budget
# *consumed*; below a quarter consumed (the seed's 75 % recovery target) no
# policy action applies.
DEFAULT_POLICY: tuple[PolicyTier, ...] = (
    PolicyTier("healthy", 0.0, 0.25, ("No policy action: ship features as usual.",)),
    PolicyTier(
        "warning",
        0.25,
        0.50,
        (
            "Action: Review recent incidents",
            "Communication: Post-mortem scheduled",
            "Prevention: Increase monitoring, review runbooks",
        ),
    ),
    PolicyTier(
        "critical",
        0.50,
        1.0,
        (
            "Action: Freeze feature releases",
            "Communication: All-hands announcement",
            "Focus: Stability work only",
            "Review: Weekly SLO review meetings",
        ),
    ),
    PolicyTier(
        "exhausted",
        1.0,
        None,
        (
            "Action: Stop all non-critical work",
            "Communication: Executive escalation",
            "Focus: Reliability work exclusively",
            "Review: Daily SLO review until recovered",
        ),
    ),
)


@dataclass(frozen=True, slots=True)
class Events:
    """Error and total event counts (or rates) over one window."""

    errors: float
    total: float

    @property
    def ratio(self) -> float | None:
        """Error ratio, or None when there is nothing to divide."""
        if not _finite(self.errors) or not _finite(self.total) or self.total <= 0:
            return None
        return min(max(self.errors / self.total, 0.0), 1.0)


def _finite(x: float | None) -> bool:
    return x is not None and not math.isnan(x) and not math.isinf(x)


def budget_remaining(error_ratio: float, objective: float) -> float:
    """Fraction of the error budget left; negative once overspent."""
    return 1.0 - error_ratio / (1.0 - objective)


def burn_rate(error_ratio: float, objective: float) -> float:
    """How many times faster than sustainable the budget is burning."""
    return error_ratio / (1.0 - objective)


def firing_rules(burn_rates: Mapping[str, float | None], period: timedelta) -> tuple[str, ...]:
    """Names of the multiwindow rules whose long and short windows both burn
    faster than the rule's threshold for this SLO period."""
    firing = []
    for rule in MULTIWINDOW_RULES:
        threshold = rule.burn_rate_for(period)
        long_rate, short_rate = burn_rates.get(rule.long), burn_rates.get(rule.short)
        if _finite(long_rate) and _finite(short_rate) and long_rate > threshold and short_rate > threshold:
            firing.append(rule.name)
    return tuple(firing)


def exhaustion_eta_s(remaining: float | None, current_burn: float | None, period: timedelta) -> float | None:
    """Seconds until the budget is gone at the current burn rate; None when
    it is not being consumed (or unknown), 0 when already gone."""
    if not _finite(remaining) or not _finite(current_burn):
        return None
    if remaining <= 0:
        return 0.0
    if current_burn <= 0:
        return None
    # Burn rate 1 spends the whole budget in one period.
    return remaining * period.total_seconds() / current_burn


def tier_for(remaining: float | None, policy: Sequence[PolicyTier] = DEFAULT_POLICY) -> PolicyTier | None:
    """The policy tier that applies with ``remaining`` budget (None: no data)."""
    if not _finite(remaining):
        return None
    consumed = 1.0 - remaining
    for tier in sorted(policy, key=lambda t: t.min_consumed, reverse=True):
        if consumed >= tier.min_consumed:
            return tier
    return min(policy, key=lambda t: t.min_consumed) if policy else None


def verdict_tier(remaining: float | None, firing: Sequence[str],
                 policy: Sequence[PolicyTier] = DEFAULT_POLICY) -> tuple[PolicyTier | None, tuple[str, ...]]:
    """The tier that applies, combining budget and burn, with its actions.

    The budget alone lags: an SLO burning at 74x with most of its budget
    still left is in an outage, not "ship as usual". So a firing page-level
    rule (the budget is going within hours) puts it at least in the tier
    after the no-action one, and the first action says why."""
    tier = tier_for(remaining, policy)
    pages = [name for name in firing if _rule_severity(name) == "page"]
    if tier is None or not pages:
        return tier, tier.actions if tier else ()
    ordered = sorted(policy, key=lambda t: t.min_consumed)
    if len(ordered) > 1 and tier is ordered[0]:
        tier = ordered[1]
    reason = f"Burn: {', '.join(pages)} firing: the budget is being spent fast, whatever is left"
    return tier, (reason, *tier.actions)


def _rule_severity(name: str) -> str:
    return next((rule.severity for rule in MULTIWINDOW_RULES if rule.name == name), "")


def evaluate(
    slo: SLO,
    window_events: Events | None,
    burn_events: Mapping[str, Events | None],
    *,
    policy: Sequence[PolicyTier] = DEFAULT_POLICY,
    min_events: float = DEFAULT_MIN_EVENTS,
    history: Sequence[float] = (),
    history_end: datetime | None = None,
    history_step: timedelta | None = None,
    history_times: Sequence[datetime] = (),
    source: str = "",
    demo: bool = False,
    warnings: Sequence[str] = (),
) -> SLOStatus:
    """Turn event counts into an SLOStatus.

    ``window_events`` covers the whole SLO window; ``burn_events`` maps each
    of BURN_WINDOWS to its counts. Windows with fewer than ``min_events`` events
    get no burn rate, and an SLO window with too few is "insufficient traffic"
    rather than a misleading 0 % or 100 %. ``history_end``, ``history_step``
    and, when points are missing in between, ``history_times`` place the
    history in time (see SLOStatus).
    """
    rates: dict[str, float | None] = {}
    for window in BURN_WINDOWS:
        events = burn_events.get(window)
        ratio = events.ratio if events is not None and events.total >= min_events else None
        rates[window] = None if ratio is None else burn_rate(ratio, slo.objective)
    status = dict(slo=slo, source=source, demo=demo, warnings=tuple(warnings), history=packed_history(history),
                  history_end=history_end, history_step=history_step, history_times=tuple(history_times),
                  burn_rates=frozen_map(rates))

    # No series, NaN or nonsense is "no data"; a series that counted zero (or
    # too few) events is "insufficient traffic", never a 0 % or 100 % SLI.
    if window_events is None or not _finite(window_events.errors) or not _finite(window_events.total) \
            or window_events.total < 0:
        return SLOStatus(sli_value=None, budget_remaining=None, data="no_data", **status)
    ratio = window_events.ratio
    if ratio is None or window_events.total < min_events:
        return SLOStatus(sli_value=None, budget_remaining=None, data="insufficient_traffic", **status)

    remaining = budget_remaining(ratio, slo.objective)
    firing = firing_rules(rates, slo.window)
    tier, actions = verdict_tier(remaining, firing, policy)
    return SLOStatus(
        sli_value=1.0 - ratio,
        budget_remaining=remaining,
        alerts_firing=firing,
        exhaustion_eta_s=exhaustion_eta_s(remaining, rates.get("1h"), slo.window),
        data="ok",
        tier=tier.name if tier else "",
        tier_actions=actions,
        **status,
    )


def budget_burned(status: SLOStatus, start: datetime, end: datetime | None = None) -> float | None:
    """The share of the error budget (0.12 = 12 %) ``status``'s SLO burned
    between ``start`` and ``end`` (None: still going, so up to the evaluation
    time), from its budget history; None when the history is not placed in
    time or does not cover the interval.

    It is the change in the rolling-window budget remaining: the history
    point at or before ``start`` minus the point at or after ``end``. That
    equals the budget consumed during the interval up to what slid out of the
    SLO window meanwhile, which for an incident short against the window is
    little (a negative figure: more old errors left the window than came in).

    The interval is widened to the history's points rather than interpolated
    between them: there are 60 points per window (12 h apart for 30 days), and
    interpolating would spread a one-hour burst over its 12 h step and report
    a twelfth of it. Widened, the burst counts whole, plus whatever else burned
    in the rest of those steps. An ``end`` less than a step after the last
    point (resolved after the evaluation) counts up to the evaluation: newer
    points do not exist yet.
    """
    points = _burn_points(status, start, end)
    if points is None:
        return None
    burned = status.history[points[0]] - status.history[points[1]]
    return burned if _finite(burned) else None


def burn_span(status: SLOStatus, start: datetime, end: datetime | None = None) -> timedelta | None:
    """How long the interval ``budget_burned`` really measured: the incident
    widened to the history's points (12 h apart for a 30-day SLO)."""
    points = _burn_points(status, start, end)
    if points is None:
        return None
    times = history_times(status)
    return times[points[1]] - times[points[0]]


def history_times(status: SLOStatus) -> Sequence[datetime]:
    """When each point of the history was taken (needs history_end and
    history_step)."""
    if status.history_times:
        return status.history_times
    return [status.history_end - status.history_step * (len(status.history) - 1 - i)
            for i in range(len(status.history))]


def _burn_points(status: SLOStatus, start: datetime, end: datetime | None) -> tuple[int, int] | None:
    """Indexes of the history points at or before ``start`` and at or after
    ``end``; across a gap in the history, the points on either side of it."""
    history, last, step = status.history, status.history_end, status.history_step
    if not history or last is None or step is None or step <= timedelta(0):
        return None
    times = history_times(status)
    if len(times) != len(history) or times[-1] != last:
        return None
    end = last if end is None else end
    if start < times[0] or start > last or end < start or end - last > step:
        return None
    before = bisect_right(times, start) - 1
    after = min(bisect_left(times, end), len(history) - 1)
    return before, after
