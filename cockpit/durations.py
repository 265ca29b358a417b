"""Parse and print durations the way people write them in config files:
"30s", "5m", "1h30m", "7d", "2w", "30 days", "1 minute", "2_years"."""

from __future__ import annotations

import re
from datetime import timedelta

_UNITS = {
    "ms": 0.001,
    "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
    "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
    "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
    "d": 86400, "day": 86400, "days": 86400,
    "w": 604800, "week": 604800, "weeks": 604800,
    "y": 365 * 86400, "year": 365 * 86400, "years": 365 * 86400,
}
_PART = re.compile(r"\s*(\d+(?:\.\d+)?)[\s_]*([a-z]+)\s*")
# Longer is a typo (or an attack): timedelta itself overflows at 2.7 million years.
MAX_DURATION = timedelta(days=10 * 365)
# Review cadences as the seed writes them.
_CADENCES = {"hourly": 1 / 24, "daily": 1, "weekly": 7, "monthly": 30, "quarterly": 91, "annually": 365, "yearly": 365}


class DurationTooLong(ValueError):
    """Longer than MAX_DURATION; the message does not repeat the value."""

    def __init__(self) -> None:
        super().__init__("longer than 10 years")


def parse_duration(text: str | int | float) -> timedelta:
    """Parse a duration; a bare number means seconds. Raises ValueError."""
    if isinstance(text, bool):
        raise ValueError(f"not a duration: {text!r}")
    if isinstance(text, (int, float)):
        if text < 0:
            raise ValueError(f"negative duration: {text!r}")
        if text != text:  # NaN (math.isnan overflows on a huge int)
            raise ValueError("not a duration: nan")
        return _bounded(text)
    s = str(text).strip().lower()
    if s in _CADENCES:
        return timedelta(days=_CADENCES[s])
    if not s:
        raise ValueError("empty duration")
    total, pos = 0.0, 0
    while pos < len(s):
        match = _PART.match(s, pos)
        if not match or match.group(2) not in _UNITS:
            raise ValueError(f"not a duration: {text!r} (write e.g. 30s, 5m, 1h, 7d, 30 days)")
        total += float(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    return _bounded(total)


def _bounded(seconds: float) -> timedelta:
    if seconds > MAX_DURATION.total_seconds():  # inf included
        raise DurationTooLong()
    return timedelta(seconds=seconds)


def format_duration(value: timedelta | float | None) -> str:
    """Short human form: 45s, 12m, 3h05m, 2d4h, 30d."""
    if value is None:
        return "—"
    seconds = int(value.total_seconds() if isinstance(value, timedelta) else value)
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{sign}{days}d{hours}h" if hours else f"{sign}{days}d"
    if hours:
        return f"{sign}{hours}h{minutes:02d}m" if minutes else f"{sign}{hours}h"
    if minutes:
        return f"{sign}{minutes}m"
    return f"{sign}{secs}s"


def format_seconds(value: float) -> str:
    """A timeout as written in messages: 0.5s, 2.5s, 30s (format_duration
    would say 0s for half a second); a minute and more as format_duration."""
    return format_duration(value) if value >= 60 else f"{value:.3g}s"


def prom_window(value: timedelta) -> str:
    """A PromQL range selector duration: 5m, 1h, 30d."""
    seconds = int(value.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0 and seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
