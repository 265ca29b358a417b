"""Reading the config's `oncall:` settings (cockpit.oncall_health.OncallSettings)
with a problem naming file, line and key for each wrong value."""

from __future__ import annotations

import re
from datetime import time, timedelta
from typing import Any, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cockpit.config_schema import join_key, validate_mapping
from cockpit.oncall_health import DAYS, OncallSettings
from cockpit.problems import Problem
from cockpit.sources.base import OptionSpec
from cockpit.yamlfile import line_of

_CLOCK = r"([01]?\d|2[0-3]):([0-5]\d)"
_HOURS = re.compile(rf"^{_CLOCK}\s*-\s*{_CLOCK}$")
_HANDOFF = re.compile(rf"^({'|'.join(DAYS)})\s+{_CLOCK}$", re.IGNORECASE)

OPTIONS: dict[str, OptionSpec] = {
    "time_zone": OptionSpec(str, help="IANA time zone of the working hours and handoffs, e.g. Europe/Berlin "
                                      "(default UTC)"),
    "working_hours": OptionSpec(str, help='pages outside these are after-hours, e.g. "09:00-17:00" (the default)'),
    "working_days": OptionSpec(list[str], help="default [mon, tue, wed, thu, fri]"),
    "handoff": OptionSpec(str, help='when a shift starts, e.g. "mon 09:00" (the default)'),
    "shift_length": OptionSpec(timedelta, help="default 7d (the guide's weekly rotation)"),
    "shifts": OptionSpec(int, help="past shifts the On-call view shows (default 6)"),
}


def parse_oncall(raw: Any, file: str, line: int) -> tuple[OncallSettings, list[Problem]]:
    """The settings under `oncall:` (the defaults for what is missing or
    wrong) and a problem naming file, line and key for each wrong value."""
    if raw is None:
        return OncallSettings(), []
    if not isinstance(raw, Mapping):
        return OncallSettings(), [Problem(file, line, "oncall", "expected a mapping like "
                                                                '{time_zone: Europe/Berlin, working_hours: "09:00-17:00"}')]
    values, problems = validate_mapping(raw, OPTIONS, file=file, key="oncall")
    found: dict[str, Any] = {}

    def problem(name: str, text: str) -> None:
        problems.append(Problem(file, line_of(raw, name), join_key("oncall", name), text))

    if "time_zone" in values:
        try:
            ZoneInfo(values["time_zone"])
            found["time_zone"] = values["time_zone"]
        except (ZoneInfoNotFoundError, ValueError):
            problem("time_zone", f"unknown time zone {values['time_zone']!r} (expected an IANA name such as "
                                 "Europe/Berlin)")
    if "working_hours" in values:
        match = _HOURS.match(values["working_hours"].strip())
        start, end = (time(int(match[1]), int(match[2])), time(int(match[3]), int(match[4]))) if match else (None, None)
        if match is None or start >= end:
            problem("working_hours", f'expected "HH:MM-HH:MM" with the start first, e.g. "09:00-17:00", got '
                                     f"{values['working_hours']!r}")
        else:
            found["work_start"], found["work_end"] = start, end
    if "working_days" in values:
        days = [d.strip().lower()[:3] for d in values["working_days"]]
        if not all(d in DAYS for d in days):
            problem("working_days", f"expected days among {', '.join(DAYS)}, got {values['working_days']!r}")
        else:
            found["working_days"] = frozenset(DAYS.index(d) for d in days)
    if "handoff" in values:
        match = _HANDOFF.match(values["handoff"].strip())
        if match is None:
            problem("handoff", f'expected a day and a time, e.g. "mon 09:00", got {values["handoff"]!r}')
        else:
            found["handoff_day"] = DAYS.index(match[1].lower())
            found["handoff_time"] = time(int(match[2]), int(match[3]))
    if "shift_length" in values:
        if values["shift_length"] < timedelta(hours=1):
            problem("shift_length", "must be at least 1h")
        else:
            found["shift_length"] = values["shift_length"]
    if "shifts" in values:
        if not 1 <= values["shifts"] <= 100:
            problem("shifts", "must be between 1 and 100")
        else:
            found["shifts"] = values["shifts"]
    return OncallSettings(**found), problems
