"""Pyrra ServiceLevelObjectives evaluated by the prometheus source against a
real Prometheus holding 30 days of synthetic history whose true ratios the
harness knows: a ratio SLO (5xx / all requests, 4w window), a latency SLO
(requests above the 0.5 s bucket / all requests, 2w window) and a bool_gauge
SLO (probe_success samples equal to 0 / all samples, 4w window).

Tolerances as in test_prometheus_source: burn rates within 1 % (relative) of
the true event-weighted ratio (for the probe: sample-weighted) / (1 -
objective), budget remaining within 0.01 (absolute)."""

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
from cockpit.sources.prometheus.source import PrometheusSource

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
# A blackbox probe per service: the ratio is the share of 0 samples (rps unused).
PROBE_OBJECTIVE, PROBE_WINDOW = 0.99, 28 * DAY  # target "99", window 4w
PROBE_PROFILES = (
    ph.Profile("pyrra-steady", rps=0, error_ratio=0.002),
    ph.Profile("pyrra-burning", rps=0, error_ratio=0.001,
               bursts=(ph.Burst(timedelta(minutes=40), timedelta(0), 0.25),)),
    ph.Profile("pyrra-old-outage", rps=0, error_ratio=0.0005, bursts=(ph.Burst(21 * DAY, 20 * DAY, 0.5),)),
)
PROBE_LABELS = {"job": "blackbox", "instance": "https://shop.example"}
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


def probe_slo(service: str) -> str:
    return f"""\
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata:
  name: probe-success
  labels:
    pyrra.dev/service: {service}
spec:
  target: "{PROBE_OBJECTIVE * 100:g}"
  window: 4w
  indicator:
    bool_gauge:
      metric: probe_success{{job="blackbox",service="{service}"}}
      grouping: [instance]
"""


def write_slos(folder: Path, services: list[str], kinds=(ratio_slo, latency_slo)) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    docs = [kind(s) for s in services for kind in kinds]
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
    """(url, requests history, latency history, workdir, probes)."""
    if not ph.available():
        pytest.skip("needs /usr/bin/prometheus and /usr/bin/promtool (Debian package prometheus)")
    workdir = Path(tempfile.mkdtemp(prefix="cockpit-pyrra-"))
    end = ph.data_end()
    requests, latency = ph.generate(PROFILES, end), ph.generate(LATENCY_PROFILES, end)
    probes = ph.generate_probes(PROBE_PROFILES, end)
    assert requests.timestamps == latency.timestamps
    ph.write_openmetrics(requests, workdir / "data.om", histogram_series(latency),
                         timed_gauges={"probe_success": probes.series(PROBE_LABELS)})
    ph.backfill(workdir / "data.om", workdir / "tsdb")
    (workdir / "data.om").unlink()
    with ph.prometheus(workdir / "tsdb") as url:
        yield url, requests, latency, workdir, probes
    shutil.rmtree(workdir, ignore_errors=True)


def fetch(url: str, slos: Path, history: ph.History | ph.Probes, **options) -> tuple:
    spec = SourceSpec(kind="prometheus", name="prom", refresh=timedelta(seconds=30), timeout=timedelta(seconds=10),
                      options={"url": url, "slos": [str(slos)], **options}, base_dir=slos)
    src = PrometheusSource(spec, SourceContext(clock=lambda: history.end))

    async def run():
        try:
            return await src.fetch()
        finally:
            await src.aclose()

    data = asyncio.run(run())
    return {status.slo.key: status for status in data.slos}, src.queries_last_refresh


def assert_matches(status, history: ph.History | ph.Probes, service: str, objective: float, window: timedelta) -> None:
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
    url, requests, latency, workdir, _ = server
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
    assert queries == 2 + 2 * (2 * len(BURN_WINDOWS) + 2)  # the Sloth and Pyrra rule probes, then two shapes


@pytest.mark.skipif(not ph.available(), reason="needs /usr/bin/prometheus and /usr/bin/promtool")
def test_query_count_does_not_depend_on_the_number_of_services(server):
    url, requests, _, workdir, _ = server
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
    assert counts[0] == counts[1] == 2 + 2 * (2 * len(BURN_WINDOWS) + 2)


@pytest.mark.skipif(not ph.available(), reason="needs /usr/bin/prometheus and /usr/bin/promtool")
def test_pyrra_bool_gauge_counts_probe_samples(server):
    """Budgets and burn rates are the true share of 0 samples: the
    *_over_time answers are taken as counts, never scaled by the window."""
    url, _, _, workdir, probes = server
    services = [p.service for p in PROBE_PROFILES]
    statuses, queries = fetch(url, write_slos(workdir / "probes", services, (probe_slo,)), probes)
    for service in services:
        status = statuses[f"{service}/probe-success"]
        assert_matches(status, probes, service, PROBE_OBJECTIVE, PROBE_WINDOW)
        assert "probe samples" in status.slo.description and status.slo.target_text == "99% of samples"
    assert "page-1h" in statuses["pyrra-burning/probe-success"].alerts_firing
    assert statuses["pyrra-steady/probe-success"].alerts_firing == ()
    # Half the samples of one day failed: 144 of some 9400 in the window, over the 1 % budget.
    assert statuses["pyrra-old-outage/probe-success"].tier == "exhausted"
    assert queries == 2 + 2 * len(BURN_WINDOWS) + 2  # the Sloth and Pyrra rule probes, then one shape


@pytest.mark.skipif(not ph.available(), reason="needs /usr/bin/prometheus and /usr/bin/promtool")
def test_too_few_probe_samples_is_insufficient_traffic(server):
    """The low-traffic guard counts samples: 5 minutes hold 20 (every 15 s),
    30 minutes 120, so with min_events 30 only the 5m burn rate is withheld
    (a count taken for a per-second rate would be 300 times larger)."""
    url, _, _, workdir, probes = server
    statuses, _ = fetch(url, write_slos(workdir / "few", ["pyrra-burning"], (probe_slo,)), probes, min_events=30)
    rates = statuses["pyrra-burning/probe-success"].burn_rates
    assert rates["5m"] is None
    assert rates["30m"] == pytest.approx(probes.ratio("pyrra-burning", BURN_WINDOWS["30m"]) / (1 - PROBE_OBJECTIVE),
                                         rel=0.01)
    statuses, _ = fetch(url, write_slos(workdir / "none", ["pyrra-burning"], (probe_slo,)), probes,
                        min_events=100_000)  # more samples than the 4w window holds
    assert statuses["pyrra-burning/probe-success"].data == "insufficient_traffic"


@pytest.mark.skipif(not ph.available(), reason="needs /usr/bin/prometheus and /usr/bin/promtool")
def test_bool_gauge_query_count_does_not_depend_on_the_number_of_services(server):
    url, _, _, workdir, probes = server
    counts = []
    for services in (["pyrra-steady"], [p.service for p in PROBE_PROFILES] + [f"pyrra-ghost-{i}" for i in range(12)]):
        before = ph.api_requests(url)
        folder = write_slos(workdir / f"probe-count-{len(services)}", services, (probe_slo,))
        statuses, queries = fetch(url, folder, probes)
        after = ph.api_requests(url)
        sent = sum(after.get(h, 0) - before.get(h, 0) for h in ("/api/v1/query", "/api/v1/query_range"))
        assert sent == queries and len(statuses) == len(services)
        assert statuses["pyrra-steady/probe-success"].data == "ok"
        counts.append(sent)
    assert counts[0] == counts[1] == 2 + 2 * len(BURN_WINDOWS) + 2
