"""The parts of an OpenSLO SLO that are not the SLO itself: its indicator
(inline or an ``SLI`` object), the metric sources it queries (inline or a
``DataSource``), and its time window. v1 and v1alpha are read by their keys,
not their version, since files mix them (OpenSLO's own v1alpha example
``slos.yml`` is written in v1's shape).

Only Prometheus can be queried; any other metric source type is a Problem
naming that type."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cockpit.calendar_windows import nominal_length
from cockpit.durations import MAX_DURATION
from cockpit.model import CalendarWindow
from cockpit.slo_specs.openslo_promql import Indicator
from cockpit.slo_specs.reader import DEFAULT_WINDOW, SpecReader, join

_SHORTHAND = re.compile(r"^([1-9][0-9]*)([mhdwMQY])$")  # OpenSLO's duration-shorthand
_V1ALPHA_UNITS = {"Second": "s", "Minute": "m", "Hour": "h", "Day": "d", "Week": "w", "Month": "M",
                  "Quarter": "Q", "Year": "Y"}


def shorthand(reader: SpecReader, node: dict, key: str, path: str) -> tuple[int, str] | None:
    """(count, unit) of a duration-shorthand such as 4w or 1M."""
    match = _SHORTHAND.match(str(node.get(key, "")))
    if not match:
        reader.problem(node, key if key in node else None, join(path, key),
                       f"expected a duration such as 5m, 1h, 1d, 4w, 1M, 1Q or 1Y; got {node.get(key)!r}")
        return None
    return int(match.group(1)), match.group(2)


def time_window(reader: SpecReader, spec: dict) -> tuple[timedelta, CalendarWindow | None] | None:
    """(window, calendar) from v1 ``timeWindow`` or v1alpha ``timeWindows``;
    Sloth's 30 days when neither is given."""
    key = "timeWindow" if "timeWindow" in spec else "timeWindows"
    windows = spec.get(key)
    if windows is None:
        return DEFAULT_WINDOW, None
    path = f"spec.{key}"
    if not isinstance(windows, list) or len(windows) != 1 or not isinstance(windows[0], dict):
        reader.problem(spec, key, path, "expected exactly one time window")
        return None
    window, path = windows[0], f"{path}[0]"
    if "duration" in window:
        length = shorthand(reader, window, "duration", path)
    else:
        count, unit = window.get("count"), _V1ALPHA_UNITS.get(str(window.get("unit")))
        length = (count, unit) if isinstance(count, int) and not isinstance(count, bool) and count > 0 and unit \
            else None
        if length is None:
            reader.problem(windows, 0, path, f"expected duration (e.g. 4w) or a positive count and unit in "
                           f"{', '.join(_V1ALPHA_UNITS)}; got count={count!r} unit={window.get('unit')!r}")
    if length is None:
        return None
    if length[0] * nominal_length(1, length[1]).total_seconds() > MAX_DURATION.total_seconds():
        reader.problem(windows, 0, path, "longer than 10 years")  # timedelta would overflow further on
        return None
    calendar = window.get("calendar")
    rolling = window.get("isRolling", calendar is None)
    if not isinstance(rolling, bool):
        reader.problem(window, "isRolling", f"{path}.isRolling", "expected true or false")
        return None
    if rolling:
        return nominal_length(*length), None
    if not isinstance(calendar, dict):
        reader.problem(window, "calendar" if "calendar" in window else "isRolling", f"{path}.calendar",
                       "a window that is not rolling needs calendar: {startTime, timeZone}")
        return None
    start = _start_time(reader, calendar, f"{path}.calendar")
    zone = str(calendar.get("timeZone") or "UTC")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        reader.problem(calendar, "timeZone", f"{path}.calendar.timeZone",
                       f"unknown time zone {zone!r} (expected an IANA name such as Europe/Berlin)")
        return None
    if start is None:
        return None
    return nominal_length(*length), CalendarWindow(start, zone, *length)


def _start_time(reader: SpecReader, calendar: dict, path: str) -> datetime | None:
    value = calendar.get("startTime")
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    try:
        return datetime.fromisoformat(str(value).strip())
    except ValueError:
        reader.problem(calendar, "startTime" if "startTime" in calendar else None, f"{path}.startTime",
                       f"expected a date and time such as 2022-01-01 12:00:00; got {value!r}")
        return None


class Indicators:
    """Reads indicators, resolving ``SLI`` and ``DataSource`` objects by name."""

    def __init__(self, reader: SpecReader, slis: dict, sources: dict) -> None:
        self.reader = reader
        self.slis = slis  # name -> (file, document)
        self.sources = sources  # name -> metric source type
        self._read: dict[str, Indicator | None] = {}

    def of_slo(self, spec: dict) -> Indicator | None:
        """The SLO's indicator: inline (``indicator``, its ``spec`` or itself)
        or an ``indicatorRef``; None for a v1alpha SLO whose objectives carry
        ratioMetrics."""
        reader = self.reader
        if "indicatorRef" in spec:
            return self._referenced(spec)
        indicator = reader.mapping(spec, "indicator", "spec")
        if indicator is None:
            return None
        if isinstance(indicator.get("spec"), dict):
            return self.parse(indicator["spec"], "spec.indicator.spec", counter=indicator["spec"].get("counter"))
        return self.parse(indicator, "spec.indicator")

    def _referenced(self, spec: dict) -> Indicator | None:
        reader, name = self.reader, self.reader.text(spec, "indicatorRef", "spec")
        if name not in self.slis:
            reader.problem(spec, "indicatorRef", "spec.indicatorRef", f"no SLI named {name!r} in the SLO files")
            return None
        if name not in self._read:
            here = reader.file
            reader.file, doc = self.slis[name]
            body = reader.mapping(doc, "spec", "", required=True)
            self._read[name] = self.parse(body, "spec") if body is not None else None
            reader.file = here
        return self._read[name]

    def parse(self, spec: dict, path: str, counter: object = None) -> Indicator | None:
        """An SLI spec: ``ratioMetric`` (v1), ``ratioMetrics`` (v1alpha
        objectives) or ``thresholdMetric``."""
        reader = self.reader
        kinds = [k for k in ("ratioMetric", "ratioMetrics", "thresholdMetric") if k in spec]
        if len(kinds) != 1:
            reader.problem(spec, None, path, "expected one of ratioMetric or thresholdMetric")
            return None
        key = kinds[0]
        if key == "thresholdMetric":
            query = self.query(spec, key, path)
            return Indicator("threshold", threshold=query) if query else None
        ratio = reader.mapping(spec, key, path, required=True)
        if ratio is None:
            return None
        where = join(path, key)
        counter = ratio.get("counter", ratio.get("incremental", counter))
        if counter is not None and not isinstance(counter, bool):
            reader.problem(ratio, "counter", f"{where}.counter", "expected true or false")
            return None
        if "raw" in ratio:
            raw_type = ratio.get("rawType")
            if raw_type not in ("success", "failure"):
                reader.problem(ratio, "rawType" if "rawType" in ratio else None, f"{where}.rawType",
                               "expected success or failure with raw")
                return None
            query = self.query(ratio, "raw", where)
            return Indicator("raw", raw=query, raw_failure=raw_type == "failure") if query else None
        if ("good" in ratio) == ("bad" in ratio):
            reader.problem(ratio, None, where, "expected one of good or bad, and total")
            return None
        which = "good" if "good" in ratio else "bad"
        first, total = self.query(ratio, which, where), self.query(ratio, "total", where)
        if not (first and total):
            return None
        return Indicator("ratio", counter=bool(counter), total=total, **{which: first})

    def query(self, node: dict, key: str, path: str) -> str:
        """The PromQL of one metric: v1 ``{metricSource: {type, spec: {query}}}``
        or v1alpha ``{source, queryType, query}``; '' after a Problem."""
        reader, where = self.reader, join(path, key)
        metric = reader.mapping(node, key, path, required=True)
        if metric is None:
            return ""
        if "metricSource" not in metric:  # v1alpha
            return self._prometheus(metric, "source", str(metric.get("source") or "Prometheus"), where) and \
                reader.text(metric, "query", where, required=True)
        source = reader.mapping(metric, "metricSource", where, required=True)
        if source is None:
            return ""
        where = f"{where}.metricSource"
        kind = source.get("type")
        ref = source.get("metricSourceRef")
        if not kind and ref is not None:
            kind = self.sources.get(str(ref))
            if kind is None:
                reader.problem(source, "metricSourceRef", f"{where}.metricSourceRef",
                               f"no DataSource named {ref!r} in the SLO files")
                return ""
        if not kind:
            reader.problem(source, None, f"{where}.type", "missing (required without a metricSourceRef)")
            return ""
        if not self._prometheus(source, "type", str(kind), where):
            return ""
        body = reader.mapping(source, "spec", where, required=True)
        if body is None:
            return ""
        return reader.text(body, "promql" if "promql" in body else "query", f"{where}.spec", required=True)

    def _prometheus(self, node: dict, key: str, kind: str, path: str) -> bool:
        if kind.lower() == "prometheus":
            return True
        self.reader.problem(node, key if key in node else None, join(path, key),
                            f"metric source {kind!r} cannot be queried: the cockpit evaluates SLOs with PromQL, "
                            "so only Prometheus (or an engine speaking its API) can be a metric source")
        return False
