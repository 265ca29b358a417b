"""Pyrra ServiceLevelObjectives evaluated by the prometheus source against a
real Prometheus holding 30 days of synthetic history whose true ratios the
harness knows: a ratio SLO (5xx / all requests, 4w window) and a latency SLO
(requests above the 0.5 s bucket / all requests, 2w window).

Tolerances as in test_prometheus_source: burn rates within 1 % (relative) of
the true event-weighted ratio / (1 - objective), budget remaining within 0.01
(absolute)."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest

import prometheus_harness as ph
from cockpit.slo import BURN_WINDOWS
from cockpit.sources.base import SourceContext, SourceSpec
from cockpit.sources.prometheus import PrometheusSource

pytestmark = pytest.mark.integration

DAY = timedelta(days=1)
RATIO_OBJECTIVE, RATIO_WINDOW = 0.999, 28 * DAY  # target "99.9", window 4w
LATENCY_OBJECTIVE, LATENCY_WINDOW = 0.99, 14 * DAY  # target "99", window 2w
# Request counters (http_requests_total{service, code}): errors are 5xx.
PROFILES = (
    ph.Profile("pyrra-steady", rps=20, error_ratio=0.0004),
    ph.Profile("pyrra-burning", rps=10, error_ratio=0.0002,
               bursts=(ph.Burst(timedelta(minutes=40), timedelta(0), 0.03),)),
    ph.Profile("pyrra-old-outage", rps=10, error_ratio=0.0001, bursts=(ph.Burst(21 * DAY, 20 * DAY, 0.05),)),
)
# A request-duration histogram per service, from its own history: "errors"
# here are the requests slower than 0.5 s.
LATENCY_PROFILES = (
    ph.Profile("pyrra-steady", rps=15, error_ratio=0.003),
    ph.Profile("pyrra-burning", rps=8, error_ratio=0.002, bursts=(ph.Burst(timedelta(hours=3), timedelta(0), 0.2),)),
    ph.Profile("pyrra-old-outage", rps=12, error_ratio=0.001, bursts=(ph.Burst(10 * DAY, 9 * DAY, 0.3),)),
)
HISTOGRAM = "http_request_duration_seconds"
OFFSET = 500_000  # histogram counters start high, as the harness' do


def ratio_slo(service: str) -> str:
    return f"""\
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata:
  name: requests-errors
  namespace: monitoring
  labels:
    pyrra.dev/service: {service}
spec:
  target: "{RATIO_OBJECTIVE * 100:g}"
  window: 4w
  indicator:
    ratio:
      errors:
        metric: http_requests_total{{service="{service}",code=~"5.."}}
      total:
        metric: http_requests_total{{service="{service}"}}
      grouping: [code]
"""


def latency_slo(service: str) -> str:
    return f"""\
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata:
  name: requests-latency
  labels:
    pyrra.dev/service: {service}
spec:
  target: "{LATENCY_OBJECTIVE * 100:g}"
  window: 2w
  indicator:
    latency:
      success:
        metric: {HISTOGRAM}_bucket{{service="{service}",le="0.5"}}
      total:
        metric: {HISTOGRAM}_count{{service="{service}"}}
"""


def write_slos(folder: Path, services: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    docs = [doc for s in services for doc in (ratio_slo(s), latency_slo(s))]
    (folder / "pyrra.yaml").write_text("---\n".join(docs))
    return folder


def histogram_series(latency: ph.History) -> dict:
    """_count and _bucket{le="0.5"} series per service, as gauges the harness writes."""
    index = {t: i for i, t in enumerate(latency.timestamps)}
    count, bucket = [], []
    for service in latency.totals:
        totals, slow = latency.totals[service], latency.errors[service]
        count.append(({"service": service}, lambda t, v=totals: v[index[t]] + OFFSET))
        bucket.append(({"service": service, "le": "0.5"},
                       lambda t, v=totals, e=slow: v[index[t]] - e[index[t]] + OFFSET))
    return {f"{HISTOGRAM}_count": count, f"{HISTOGRAM}_bucket": bucket}


@pytest.fixture(scope="module")
def server():
    """(url, requests history, latency history, workdir)."""
    if not ph.available():
        pytest.skip("needs /usr/bin/prometheus and /usr/bin/promtool (Debian package prometheus)")
    workdir = Path(tempfile.mkdtemp(prefix="cockpit-pyrra-"))
    end = ph.data_end()
    requests, latency = ph.generate(PROFILES, end), ph.generate(LATENCY_PROFILES, end)
    assert requests.timestamps == latency.timestamps
    ph.write_openmetrics(requests, workdir / "data.om", histogram_series(latency))
    ph.backfill(workdir / "data.om", workdir / "tsdb")
    (workdir / "data.om").unlink()
    with ph.prometheus(workdir / "tsdb") as url:
        yield url, requests, latency, workdir
    shutil.rmtree(workdir, ignore_errors=True)


def fetch(url: str, slos: Path, history: ph.History) -> tuple:
    spec = SourceSpec(kind="prometheus", name="prom", refresh=timedelta(seconds=30), timeout=timedelta(seconds=10),
                      options={"url": url, "slos": [str(slos)]}, base_dir=slos)
    src = PrometheusSource(spec, SourceContext(clock=lambda: history.end))

    async def run():
        try:
            return await src.fetch()
        finally:
            await src.aclose()

    data = asyncio.run(run())
    return {status.slo.key: status for status in data.slos}, src.queries_last_refresh


def assert_matches(status, history: ph.History, service: str, objective: float, window: timedelta) -> None:
    budget = 1 - objective
    assert status.data == "ok" and status.warnings == (), status
    assert status.slo.window == window
    expected_budget = 1 - history.ratio(service, window) / budget
    assert status.budget_remaining == pytest.approx(expected_budget, abs=0.01), service
    for name, duration in BURN_WINDOWS.items():
        expected = history.ratio(service, duration) / budget
        assert status.burn_rates[name] == pytest.approx(expected, rel=0.01), (service, name)
    # The history's last point is the budget now; point i is (59 - i) steps
    # before it (checked where that falls on a generated sample: 5 steps of
    # 672 or 336 minutes are whole 5-minute samples).
    assert len(status.history) == 60 and status.history[-1] == pytest.approx(status.budget_remaining, abs=0.01)
    for index in (4, 29, 54):
        at = history.end - status.history_step * (59 - index)
        expected = 1 - history.ratio(service, window, at) / budget
        assert status.history[index] == pytest.approx(expected, abs=0.01), (service, index)


@pytest.mark.skipif(not ph.available(), reason="needs /usr/bin/prometheus and /usr/bin/promtool")
def test_pyrra_ratio_and_latency_slos_match_the_generated_data(server):
    url, requests, latency, workdir = server
    services = [p.service for p in PROFILES]
    statuses, queries = fetch(url, write_slos(workdir / "all", services), requests)
    for service in services:
        assert_matches(statuses[f"{service}/requests-errors"], requests, service, RATIO_OBJECTIVE, RATIO_WINDOW)
        assert_matches(statuses[f"{service}/requests-latency"], latency, service, LATENCY_OBJECTIVE,
                       LATENCY_WINDOW)
    assert "page-1h" in statuses["pyrra-burning/requests-errors"].alerts_firing
    assert "page-1h" in statuses["pyrra-burning/requests-latency"].alerts_firing
    assert statuses["pyrra-steady/requests-errors"].alerts_firing == ()
    # Each old outage spent more than its whole budget (5 % errors for a day
    # of 28; 30 % slow requests for a day of 14).
    assert statuses["pyrra-old-outage/requests-errors"].tier == "exhausted"
    assert statuses["pyrra-old-outage/requests-latency"].tier == "exhausted"
    # The Sloth probe, then per shape (ratio, latency) an error and a total
    # query per burn window and one range pair for its SLO window.
    assert queries == 1 + 2 * (2 * len(BURN_WINDOWS) + 2)


@pytest.mark.skipif(not ph.available(), reason="needs /usr/bin/prometheus and /usr/bin/promtool")
def test_query_count_does_not_depend_on_the_number_of_services(server):
    url, requests, _, workdir = server
    counts = []
    for services in (["pyrra-steady"], [p.service for p in PROFILES] + [f"pyrra-ghost-{i}" for i in range(12)]):
        before = ph.api_requests(url)
        statuses, queries = fetch(url, write_slos(workdir / f"count-{len(services)}", services), requests)
        after = ph.api_requests(url)
        sent = sum(after.get(h, 0) - before.get(h, 0) for h in ("/api/v1/query", "/api/v1/query_range"))
        assert sent == queries  # counted by Prometheus itself
        assert len(statuses) == 2 * len(services)
        assert statuses["pyrra-steady/requests-latency"].data == "ok"
        counts.append(sent)
    assert counts[0] == counts[1] == 1 + 2 * (2 * len(BURN_WINDOWS) + 2)
