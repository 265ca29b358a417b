"""A real Prometheus holding synthetic history whose true error ratios are known.

``generate`` makes per-service request counters (30 days at a 300 s step, the
last hours at 15 s so 5-minute windows hold samples) from rates and error
ratios the caller chooses, including bursts; ``History.ratio`` computes the
true event-weighted error ratio of any window straight from the generated
counts, independently of Prometheus. ``generate_probes`` makes 0/1 gauges
(a blackbox probe's ``probe_success``) from the same profiles, each sample an
event, and ``Probes.ratio`` the true share of 0 samples in a window. ``write_openmetrics`` + ``backfill``
(promtool) turn it into TSDB blocks and ``prometheus`` serves them on a free
loopback port as a plain subprocess, stopped by its PID.

Importable on its own (bench/slo_refresh.py uses it without pytest).
"""

from __future__ import annotations

import math
import shutil
import subprocess
from bisect import bisect_left
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Iterable, Iterator

import httpx

from loopback_server import serve

PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"
PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"
SPAN = timedelta(days=30)
COARSE_STEP_S = 300
FINE_SPAN = timedelta(hours=6)  # the recent part, sampled every FINE_STEP_S
FINE_STEP_S = 15
# Counters start high so Prometheus' extrapolation towards zero never applies.
SUCCESS_OFFSET, ERROR_OFFSET = 1_000_000, 10_000

METRIC = "http_requests"  # counter family; samples are http_requests_total
ERROR_QUERY = 'sum(rate(http_requests_total{service="%s",code=~"5.."}[{{.window}}]))'
TOTAL_QUERY = 'sum(rate(http_requests_total{service="%s"}[{{.window}}]))'


def available() -> bool:
    return Path(PROMETHEUS).is_file() and Path(PROMTOOL).is_file()


@dataclass(frozen=True)
class Burst:
    """``ratio`` of requests fail from ``start`` to ``end`` before the data's end."""

    start: timedelta
    end: timedelta
    ratio: float


@dataclass(frozen=True)
class Profile:
    service: str
    rps: float  # mean requests per second; traffic follows a daily cycle around it
    error_ratio: float
    bursts: tuple[Burst, ...] = ()

    def ratio_at(self, before_end: float) -> float:
        for burst in self.bursts:
            if burst.end.total_seconds() <= before_end < burst.start.total_seconds():
                return burst.ratio
        return self.error_ratio


@dataclass
class History:
    end: datetime
    timestamps: list[int]  # unix seconds, ascending; the last is ``end``
    errors: dict[str, list[int]] = field(default_factory=dict)  # cumulative, per service
    totals: dict[str, list[int]] = field(default_factory=dict)

    def _at(self, when: float) -> int:
        index = bisect_left(self.timestamps, when)
        if index >= len(self.timestamps) or self.timestamps[index] != when:
            raise ValueError(f"no sample at {when}")
        return index

    def events(self, service: str, window: timedelta, at: datetime | None = None) -> tuple[int, int]:
        """True (errors, total) in (at - window, at], from the generated counts.
        Before the data starts counts are zero."""
        end = (at or self.end).timestamp()
        stop = self._at(end)
        start_ts = end - window.total_seconds()
        start = self._at(start_ts) if start_ts >= self.timestamps[0] else None
        errors, totals = self.errors[service], self.totals[service]
        first_e, first_t = (errors[start], totals[start]) if start is not None else (0, 0)
        return errors[stop] - first_e, totals[stop] - first_t

    def ratio(self, service: str, window: timedelta, at: datetime | None = None) -> float | None:
        errors, total = self.events(service, window, at)
        return errors / total if total else None


# Probe samples sit this many seconds before the grid's times, so no window
# edge (whole minutes before the end) falls on one: Prometheus 2 (ranges
# closed at the start) and 3 (open) then select the very same samples.
PROBE_OFFSET_S = 7


@dataclass
class Probes:
    """0/1 samples per service (1: the probe succeeded), at ``timestamps``."""

    end: datetime
    timestamps: list[int]  # unix seconds, ascending, PROBE_OFFSET_S before the grid's
    values: dict[str, list[int]] = field(default_factory=dict)

    def ratio(self, service: str, window: timedelta, at: datetime | None = None) -> float | None:
        """True share of 0 samples in (at - window, at]; None with no sample."""
        end = (at or self.end).timestamp()
        samples = [v for t, v in zip(self.timestamps, self.values[service]) if end - window.total_seconds() < t <= end]
        return samples.count(0) / len(samples) if samples else None

    def series(self, labels: dict[str, str]) -> list[tuple[dict[str, str], list[tuple[int, int]]]]:
        """Per service, (labels plus service, [(timestamp, value)]) for write_openmetrics' ``timed_gauges``."""
        return [({**labels, "service": service}, list(zip(self.timestamps, values)))
                for service, values in self.values.items()]


def generate_probes(profiles: Iterable[Profile], end: datetime, span: timedelta = SPAN) -> Probes:
    """A 0/1 sample per step and service (``rps`` is not used): the profile's
    error ratio (bursts included) is the share of 0 samples, spread evenly
    (a 0.01 ratio fails every 100th sample), so the pattern is known exactly."""
    ts = [t - PROBE_OFFSET_S for t in timestamps(end, span)]
    stop = int(end.timestamp())
    probes = Probes(end=end, timestamps=ts)
    for profile in profiles:
        values, owed = [], 0.0
        for t in ts:
            owed += profile.ratio_at(stop - t)
            failed = owed >= 1.0
            owed -= failed
            values.append(0 if failed else 1)
        probes.values[profile.service] = values
    return probes


def gauge_mean(history: History, value_at: Callable[[int], float], window: timedelta,
               at: datetime | None = None) -> float:
    """The mean of a gauge's samples in [at - window, at], straight from
    ``value_at`` at the generated timestamps (Prometheus 2 range selectors
    include both ends; 3.x leaves the start out, within the tests' 1 %)."""
    end = (at or history.end).timestamp()
    samples = [value_at(t) for t in history.timestamps if end - window.total_seconds() <= t <= end]
    return sum(samples) / len(samples)


def data_end(now: datetime | None = None) -> datetime:
    """A sample-aligned end time safely in the past (Prometheus refuses
    nothing, but every backfilled sample must be older than its head): the
    last midnight UTC at least an hour ago, so the daily traffic wave, and
    with it every figure a test compares, is the same on every run."""
    now = now or datetime.now(timezone.utc)
    return (now - timedelta(hours=1)).replace(hour=0, minute=0, second=0, microsecond=0)


def timestamps(end: datetime, span: timedelta = SPAN) -> list[int]:
    stop = int(end.timestamp())
    fine_start = stop - int(FINE_SPAN.total_seconds())
    coarse = list(range(stop - int(span.total_seconds()), fine_start, COARSE_STEP_S))
    return coarse + list(range(fine_start, stop + 1, FINE_STEP_S))


def generate(profiles: Iterable[Profile], end: datetime, span: timedelta = SPAN) -> History:
    """Cumulative counts per service. Traffic varies +-50 % over each day, so an
    event-weighted ratio differs from a time-weighted one when errors do."""
    ts = timestamps(end, span)
    stop = ts[-1]
    history = History(end=end, timestamps=ts)
    for profile in profiles:
        errors, totals = [0] * len(ts), [0] * len(ts)
        requests = failed = 0.0
        for i in range(1, len(ts)):
            t0, t1 = ts[i - 1], ts[i]
            # Integral of rps * (1 + 0.5 sin(2 pi t / day)) over the step.
            day = 86400.0
            cycle = 0.5 * day / (2 * math.pi) * (math.cos(2 * math.pi * t0 / day) - math.cos(2 * math.pi * t1 / day))
            step_requests = profile.rps * ((t1 - t0) + cycle)
            requests += step_requests
            failed += step_requests * profile.ratio_at(stop - t1)
            totals[i] = int(requests)
            errors[i] = min(int(failed), totals[i])
        history.errors[profile.service], history.totals[profile.service] = errors, totals
    return history


def write_openmetrics(history: History, path: Path,
                      gauges: dict[str, list[tuple[dict[str, str], Callable[[int], float | None]]]] | None = None,
                      timed_gauges: dict[str, list[tuple[dict[str, str], list[tuple[int, float]]]]] | None = None,
                      ) -> None:
    """The history as OpenMetrics (one family at a time, each series'
    samples in time order), plus ``gauges``: family -> [(labels, value_at(ts))],
    with no sample where value_at gives None (a gap), and ``timed_gauges``:
    family -> [(labels, [(ts, value)])], samples at their own times."""
    with path.open("w") as out:
        out.write(f"# TYPE {METRIC} counter\n")
        for service in history.totals:
            errors, totals = history.errors[service], history.totals[service]
            for code, values in (("200", [t - e + SUCCESS_OFFSET for t, e in zip(totals, errors)]),
                                 ("500", [e + ERROR_OFFSET for e in errors])):
                name = f'{METRIC}_total{{service="{service}",code="{code}"}}'
                out.write("".join(f"{name} {v} {t}\n" for v, t in zip(values, history.timestamps)))
        for family, series in (gauges or {}).items():
            out.write(f"# TYPE {family} gauge\n")
            for labels, value_at in series:
                name = family + "{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"
                values = ((value_at(t), t) for t in history.timestamps)
                out.write("".join(f"{name} {v!r} {t}\n" for v, t in values if v is not None))
        for family, timed in (timed_gauges or {}).items():
            out.write(f"# TYPE {family} gauge\n")
            for labels, samples in timed:
                name = family + "{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"
                out.write("".join(f"{name} {v!r} {t}\n" for t, v in samples))
        out.write("# EOF\n")


def backfill(openmetrics: Path, tsdb: Path) -> None:
    """TSDB blocks from the file. --max-block-duration (hidden from --help)
    makes promtool read the file once instead of once per 2 h block."""
    tsdb.mkdir(parents=True, exist_ok=True)
    subprocess.run([PROMTOOL, "tsdb", "create-blocks-from", "openmetrics", "--max-block-duration=720h",
                    str(openmetrics), str(tsdb)], check=True, capture_output=True)


@contextmanager
def prometheus(tsdb: Path, retention: str = "400d") -> Iterator[str]:
    """A Prometheus serving ``tsdb`` (scraping nothing); yields its URL."""
    config = tsdb.parent / f"{tsdb.name}-prometheus.yml"
    config.write_text("global: {}\n")
    with serve("prometheus", lambda port: [
        PROMETHEUS, f"--config.file={config}", f"--storage.tsdb.path={tsdb}",
        f"--storage.tsdb.retention.time={retention}", f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn",
    ], tsdb.parent / f"{tsdb.name}-prometheus.log") as url:
        yield url


def api_requests(url: str) -> dict[str, float]:
    """Prometheus' own count of API requests by handler (for query counting)."""
    counts: dict[str, float] = {}
    for line in httpx.get(f"{url}/metrics", timeout=5.0).text.splitlines():
        if line.startswith("prometheus_http_requests_total{"):
            labels, _, value = line.rpartition(" ")
            handler = labels.split('handler="', 1)[1].split('"', 1)[0]
            counts[handler] = counts.get(handler, 0.0) + float(value)
    return counts
