"""SLO definitions, their evaluation at a moment, and the error budget policy."""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Iterable, Mapping, Sequence

from cockpit.model.base import EMPTY


@dataclass(frozen=True, slots=True)
class PolicyTier:
    """One row of the error budget policy: applies while consumed is in [min, max)."""

    name: str  # healthy, warning, critical, exhausted
    min_consumed: float  # fraction of the budget consumed, 0..1 (exhausted: 1.0)
    max_consumed: float | None  # None = no upper bound
    actions: tuple[str, ...] = ()  # "Action: Freeze feature releases", ...


@dataclass(frozen=True, slots=True)
class CalendarWindow:
    """A calendar-aligned SLO period (OpenSLO ``calendar``): periods of
    ``count`` ``unit`` (m, h, d, w, M, Q, Y) follow one another from
    ``start``, a wall-clock time in the IANA zone ``time_zone``; the budget
    counts from the start of the current one (cockpit.calendar_windows)."""

    start: datetime  # naive: wall-clock time in time_zone
    time_zone: str
    count: int
    unit: str


@dataclass(frozen=True, slots=True)
class SLO:
    """An SLO definition, whatever format it was written in."""

    service: str
    name: str
    objective: float  # 0.999
    window: timedelta
    sli: str = ""  # SLI name (availability, latency, ...)
    description: str = ""
    target_text: str = ""  # the target as written ("99.9%", "p99 < 500ms")
    # PromQL for the error and total event rates, with "{{.window}}" where the
    # range goes (Sloth's convention); empty for SLOs with no metrics source.
    error_query: str = ""
    total_query: str = ""
    # Sloth's `raw` SLIs: one query giving the error ratio itself (no event counts).
    error_ratio_query: str = ""
    labels: Mapping[str, str] = field(default_factory=lambda: EMPTY)
    origin: str = ""  # FILE:LINE the definition came from
    # Budgeted per time slice of this length (OpenSLO Timeslices and
    # RatioTimeslices): the queries count slices, not requests.
    time_slice: timedelta | None = None
    # A calendar-aligned period instead of a rolling window; ``window`` is then
    # the period's nominal length (burn-rate thresholds, history).
    calendar: CalendarWindow | None = None
    service_description: str = ""  # from an OpenSLO Service object

    @property
    def key(self) -> str:
        return f"{self.service}/{self.name}"

    @property
    def error_budget(self) -> float:
        return 1.0 - self.objective


@dataclass(frozen=True, slots=True)
class SLOStatus:
    """An SLO evaluated at one moment."""

    slo: SLO
    sli_value: float | None  # good / total over the SLO window, None = no data
    budget_remaining: float | None  # fraction, may be negative
    burn_rates: Mapping[str, float | None] = field(default_factory=lambda: EMPTY)  # "1h" -> rate
    alerts_firing: tuple[str, ...] = ()  # "page-1h", "ticket-3d"
    exhaustion_eta_s: float | None = None
    data: str = "ok"  # ok | insufficient_traffic | no_data
    tier: str = ""
    tier_actions: tuple[str, ...] = ()
    history: Sequence[float] = ()  # budget remaining over the window, oldest first (packed_history)
    # Where history sits in time: its last point at history_end, each earlier
    # one history_step before the next. None when the source cannot say so,
    # and then history is only a picture.
    history_end: datetime | None = None
    history_step: timedelta | None = None
    # Points missing in between (a gap in the data): each point's time, and
    # history_step is the spacing the points have where none is missing.
    history_times: tuple[datetime, ...] = ()
    source: str = ""
    demo: bool = False
    warnings: tuple[str, ...] = ()


def packed_history(points: Iterable[float]) -> Sequence[float]:
    """A budget history as an SLOStatus keeps it: packed doubles, 8 bytes a
    point where a tuple of floats takes 32 (6,000 SLOs of 60 points each
    were 11 MB, twice over while a refresh replaced them)."""
    return array("d", points)
