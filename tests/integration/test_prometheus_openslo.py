"""OpenSLO v1 SLOs evaluated by the prometheus source against a real
Prometheus holding 15 days of synthetic request counters whose true counts
the harness knows: Timeslices and RatioTimeslices over 10-minute slices, on
a rolling week and on a calendar week (in Europe/Berlin, started 2 days 5
hours before the data ends), and Occurrences on the same calendar week.

The expected figures are computed here from the generated counts, slice by
slice: a slice ends every 10 minutes (epoch-aligned), its success ratio is
its good / total requests, and a window of W counts the W / 10m slices
ending in [now - W, now - 10m] (the templates' 1 s offset: see
cockpit.slo_specs.openslo_promql)."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import prometheus_harness as ph
from cockpit.slo import BURN_WINDOWS
from cockpit.sources.base import SourceContext, SourceSpec
from cockpit.sources.prometheus.source import PrometheusSource

pytestmark = [pytest.mark.integration,
              pytest.mark.skipif(not ph.available(), reason="needs /usr/bin/prometheus and /usr/bin/promtool")]

DAY, SLICE = timedelta(days=1), timedelta(minutes=10)
WEEK = 7 * DAY
SPAN = 15 * DAY  # two rolling weeks of history behind the last point, and a day more
SINCE_START = timedelta(days=2, hours=5)  # the calendar week's current period, at the data's end
ZONE = "Europe/Berlin"
SLICE_TARGET, TIMESLICE_TARGET, RATIO_TARGET, OCCURRENCE_TARGET = 0.99, 0.95, 0.999, 0.999
PROFILES = (
    ph.Profile("ts-steady", rps=10, error_ratio=0.002),
    ph.Profile("ts-burning", rps=10, error_ratio=0.001, bursts=(ph.Burst(timedelta(hours=2), timedelta(0), 0.05),)),
    ph.Profile("ts-old", rps=10, error_ratio=0.0005, bursts=(ph.Burst(3 * DAY, 2 * DAY, 0.2),)),
)


def sli(service: str) -> str:
    return f"""\
    indicator:
      metadata: {{name: requests}}
      spec:
        ratioMetric:
          counter: true
          good:
            metricSource:
              type: Prometheus
              spec: {{query: 'sum(http_requests_total{{service="{service}",code="200"}})'}}
          total:
            metricSource:
              type: Prometheus
              spec: {{query: 'sum(http_requests_total{{service="{service}"}})'}}"""


def slos(service: str, calendar_start: str) -> str:
    calendar = f"{{duration: 1w, isRolling: false, calendar: {{startTime: '{calendar_start}', timeZone: {ZONE}}}}}"
    docs = []
    for name, method, window, objective in (
        ("slices", "Timeslices", "{duration: 1w, isRolling: true}",
         f"{{target: {TIMESLICE_TARGET}, timeSliceTarget: {SLICE_TARGET}, timeSliceWindow: 10m}}"),
        ("slice-ratios", "RatioTimeslices", "{duration: 1w, isRolling: true}",
         f"{{target: {RATIO_TARGET}, timeSliceWindow: 10m}}"),
        ("calendar-slices", "Timeslices", calendar,
         f"{{target: {TIMESLICE_TARGET}, timeSliceTarget: {SLICE_TARGET}, timeSliceWindow: 10m}}"),
        ("calendar-requests", "Occurrences", calendar, f"{{target: {OCCURRENCE_TARGET}}}"),
    ):
        docs.append(f"""\
- apiVersion: openslo/v1
  kind: SLO
  metadata: {{name: {name}}}
  spec:
    service: {service}
{sli(service)}
    timeWindow: [{window}]
    budgetingMethod: {method}
    objectives: [{objective}]
""")
    return "".join(docs)


def slice_ratios(history: ph.History, service: str, window: timedelta, at=None) -> list[float]:
    """Success ratio of each 10-minute slice ending in [at - window, at - 10m]."""
    end = at or history.end
    ratios = []
    for k in range(1, round(window / SLICE) + 1):
        errors, total = history.events(service, SLICE, end - k * SLICE)
        ratios.append((total - errors) / total)
    return ratios


@pytest.fixture(scope="module")
def server():
    workdir = Path(tempfile.mkdtemp(prefix="cockpit-openslo-"))
    end = ph.data_end()
    history = ph.generate(PROFILES, end, span=SPAN)
    ph.write_openmetrics(history, workdir / "data.om")
    ph.backfill(workdir / "data.om", workdir / "tsdb")
    (workdir / "data.om").unlink()
    # The calendar's start: ten weeks (on Berlin's wall clock) before the current period's start.
    period_start = (end - SINCE_START).astimezone(ZoneInfo(ZONE)).replace(tzinfo=None)
    start = (period_start - 10 * WEEK).strftime("%Y-%m-%d %H:%M:%S")
    with ph.prometheus(workdir / "tsdb") as url:
        yield url, history, workdir, start
    shutil.rmtree(workdir, ignore_errors=True)


def fetch(url: str, folder: Path, history: ph.History) -> tuple[dict, int]:
    spec = SourceSpec(kind="prometheus", name="prom", refresh=timedelta(seconds=30), timeout=timedelta(seconds=20),
                      options={"url": url, "slos": [str(folder)]}, base_dir=folder)
    source = PrometheusSource(spec, SourceContext(clock=lambda: history.end))

    async def run():
        try:
            return await source.fetch()
        finally:
            await source.aclose()

    data = asyncio.run(run())
    return {status.slo.key: status for status in data.slos}, source.queries_last_refresh


def write(folder: Path, services: list[str], start: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "openslo.yaml").write_text("".join(slos(s, start) for s in services))
    return folder


def bad_share(ratios: list[float]) -> float:
    return sum(r < SLICE_TARGET for r in ratios) / len(ratios)


def error_share(ratios: list[float]) -> float:
    return sum(1 - r for r in ratios) / len(ratios)


def test_time_slices_and_calendar_weeks_match_the_generated_data(server):
    url, history, workdir, start = server
    statuses, _ = fetch(url, write(workdir / "all", [p.service for p in PROFILES], start), history)
    for profile in PROFILES:
        service = profile.service
        week = slice_ratios(history, service, WEEK)
        this_period = slice_ratios(history, service, SINCE_START)
        for name, share, ratios, target in (("slices", bad_share, week, TIMESLICE_TARGET),
                                            ("slice-ratios", error_share, week, RATIO_TARGET),
                                            ("calendar-slices", bad_share, this_period, TIMESLICE_TARGET)):
            status = statuses[f"{service}/{name}"]
            assert status.data == "ok" and status.warnings == (), status
            assert status.budget_remaining == pytest.approx(1 - share(ratios) / (1 - target), abs=1e-9), (service, name)
            for window, duration in BURN_WINDOWS.items():
                if duration < SLICE:
                    assert status.burn_rates[window] is None  # no slice ends in 5 minutes
                    continue
                expected = share(slice_ratios(history, service, duration)) / (1 - target)
                assert status.burn_rates[window] == pytest.approx(expected, abs=1e-9), (service, name, window)
        status = statuses[f"{service}/calendar-requests"]
        errors, total = history.events(service, SINCE_START)
        assert status.budget_remaining == pytest.approx(1 - errors / total / (1 - OCCURRENCE_TARGET), abs=1e-6)
        assert status.burn_rates["1h"] == pytest.approx(history.ratio(service, BURN_WINDOWS["1h"]) /
                                                        (1 - OCCURRENCE_TARGET), rel=0.01)
        # The history: the budget since the start of the period each point is
        # in (point 54 is 14 h before the end, in this period; point 29 is
        # 84 h before it, in the previous one, which began 221 h before it).
        # A period starts 12 minutes into a 168-minute step, whose events are
        # taken as evenly spread: within 2 % (the traffic is not even).
        step = timedelta(minutes=168)
        assert len(status.history) == 60 and status.history[-1] == status.budget_remaining
        slices = statuses[f"{service}/calendar-slices"]
        assert len(slices.history) == 60 and slices.history[-1] == slices.budget_remaining
        for index, began in ((54, SINCE_START), (29, SINCE_START + WEEK)):
            at = history.end - step * (59 - index)
            errors, total = history.events(service, at - (history.end - began), at)
            assert status.history[index] == pytest.approx(1 - errors / total / (1 - OCCURRENCE_TARGET),
                                                          rel=0.02, abs=0.01), (service, index)
            ratios = slice_ratios(history, service, at - (history.end - began), at)
            expected = 1 - bad_share(ratios) / (1 - TIMESLICE_TARGET)
            assert slices.history[index] == pytest.approx(expected, rel=0.02, abs=0.02), (service, index)
    # The burst of the last 2 hours: all 12 slices bad, a 1h burn rate of 1 / 0.05 = 20.
    assert statuses["ts-burning/slices"].burn_rates["1h"] == pytest.approx(20)
    # page-1h also needs the 5m burn rate, which 10-minute slices cannot give.
    assert statuses["ts-burning/slices"].alerts_firing == ("page-6h", "ticket-1d", "ticket-3d")
    assert statuses["ts-steady/slices"].alerts_firing == ()
    assert statuses["ts-steady/slices"].budget_remaining == pytest.approx(1.0)  # 0.2 % errors: every slice good
    # The old outage: a day of bad slices is 144 of the rolling week's 1008;
    # of this calendar period's 318 (53 h), the 31 ending from its start
    # (that first slice began 10 minutes before it) to the outage's end.
    assert statuses["ts-old/slices"].budget_remaining == pytest.approx(1 - (144 / 1008) / 0.05, abs=1e-9)
    assert statuses["ts-old/calendar-slices"].budget_remaining == pytest.approx(1 - (31 / 318) / 0.05, abs=1e-9)


def test_query_count_does_not_depend_on_the_number_of_services(server):
    url, history, workdir, start = server
    counts = []
    for services in (["ts-steady"], [p.service for p in PROFILES] + [f"ts-ghost-{i}" for i in range(10)]):
        before = ph.api_requests(url)
        statuses, queries = fetch(url, write(workdir / f"count-{len(services)}", services, start), history)
        after = ph.api_requests(url)
        sent = sum(after.get(h, 0) - before.get(h, 0) for h in ("/api/v1/query", "/api/v1/query_range"))
        assert sent == queries  # counted by Prometheus itself
        assert len(statuses) == 4 * len(services) and statuses["ts-steady/calendar-slices"].data == "ok"
        counts.append(sent)
    # Three shapes (the Timeslices SLOs, rolling and calendar, share theirs):
    # per shape an error and a total query per burn window and a range pair;
    # per calendar, an error and a total query since its period's start.
    # No Sloth probe: none of these SLOs can have Sloth's rules.
    assert counts[0] == counts[1] == 3 * (2 * len(BURN_WINDOWS) + 2) + 2 * 2


def test_every_query_built_from_openslos_public_examples_is_valid_promql(server):
    """Prometheus answers every query the loadable example files make (a
    refused query would be a warning on the SLO). Only foo-slo's metric,
    http_requests_total, exists here."""
    url, history, _, _ = server
    folder = Path(__file__).resolve().parent.parent / "fixtures" / "realworld" / "openslo"
    statuses, queries = fetch(url, folder, history)
    assert sorted(statuses) == ["foo/foo-slo", "web/web-availability", "web/web-availability-0",
                                "web/web-latency-threshold-0"]
    for key, status in statuses.items():
        assert status.warnings == () and status.data == ("ok" if key == "foo/foo-slo" else "no_data"), status
    assert queries > 0
