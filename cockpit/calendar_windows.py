"""Calendar-aligned SLO periods (OpenSLO ``timeWindow[].calendar``): where
the current period started. Pure: no I/O.

Units are OpenSLO's (m, h, d, w, M, Q, Y) plus v1alpha's Second (s).
Periods are counted in the window's own time zone on the wall clock, so a
``1d`` period starts at the same local time every day across daylight-saving
changes, and ``1M`` on the same day of the month (the last day when a month
is shorter)."""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from cockpit.model import CalendarWindow

FIXED_UNITS = {"s": timedelta(seconds=1), "m": timedelta(minutes=1), "h": timedelta(hours=1),
               "d": timedelta(days=1), "w": timedelta(weeks=1)}
MONTH_UNITS = {"M": 1, "Q": 3, "Y": 12}
# A nominal length for the units that vary (burn-rate thresholds scale with it).
NOMINAL = {"M": timedelta(days=30), "Q": timedelta(days=91), "Y": timedelta(days=365)}


def nominal_length(count: int, unit: str) -> timedelta:
    return count * (FIXED_UNITS.get(unit) or NOMINAL[unit])


def _add_months(moment: datetime, months: int) -> datetime:
    month0 = moment.month - 1 + months
    year, month = moment.year + month0 // 12, month0 % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def _nth_start(window: CalendarWindow, n: int) -> datetime:
    """The wall-clock start of period ``n`` (0 is the one at ``start``)."""
    if window.unit in MONTH_UNITS:
        return _add_months(window.start, n * window.count * MONTH_UNITS[window.unit])
    return window.start + n * window.count * FIXED_UNITS[window.unit]


def period_start(window: CalendarWindow, now: datetime) -> datetime:
    """The start (aware, UTC) of the period that contains ``now``."""
    zone = ZoneInfo(window.time_zone)
    local_now = now.astimezone(zone).replace(tzinfo=None)
    # A first guess from the nominal length, then step to the exact period.
    n = int((local_now - window.start) / nominal_length(window.count, window.unit))
    while _nth_start(window, n) > local_now:
        n -= 1
    while _nth_start(window, n + 1) <= local_now:
        n += 1
    return _nth_start(window, n).replace(tzinfo=zone).astimezone(timezone.utc)


def elapsed(window: CalendarWindow, now: datetime) -> timedelta:
    """How much of the current period has passed at ``now``, in whole
    seconds (PromQL ranges), at least one second."""
    seconds = int((now - period_start(window, now)).total_seconds())
    return timedelta(seconds=max(1, seconds))
