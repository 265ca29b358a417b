"""The prometheus source against a real Prometheus holding 30 days of
synthetic history whose true error ratios the harness knows.

Tolerances: burn rates within 1 % (relative) of the true event-weighted ratio
/ (1 - objective), budget remaining within 0.01 (absolute). Prometheus'
``rate()`` over a window whose edges fall on samples (as here) is exact, so
the slack only covers float rounding and engine versions that treat range
edges differently.
"""

from __future__ import annotations

import asyncio
import http.server
import shutil
import tempfile
import threading
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path

import pytest

import prometheus_harness as ph
from loopback_server import free_port
from cockpit.commands.check import check_config
from cockpit.model import Incident
from cockpit.postmortems.draft import draft_from_incident, slo_burns
from cockpit.slo import BURN_WINDOWS, budget_burned
from cockpit.sources.base import SourceContext, SourceError, SourceSpec, TransientSourceError
from cockpit.sources.prometheus.source import PrometheusSource

pytestmark = pytest.mark.integration
needs_prometheus = pytest.mark.skipif(not ph.available(), reason="needs /usr/bin/prometheus and /usr/bin/promtool "
                                      "(Debian package prometheus; scripts/install-servers.sh installs it)")

OBJECTIVE = 0.999
BUDGET = 1 - OBJECTIVE
DAY = timedelta(days=1)
PROFILES = (
    ph.Profile("steady", rps=20, error_ratio=0.0004),
    ph.Profile("steady-too", rps=5, error_ratio=0.0007),
    # 3 % errors for the last 40 minutes: a page-level burn right now.
    ph.Profile("burning", rps=10, error_ratio=0.0002, bursts=(ph.Burst(timedelta(minutes=40), timedelta(0), 0.03),)),
    # One bad day three weeks ago spent more than the whole budget.
    ph.Profile("old-outage", rps=10, error_ratio=0.0001, bursts=(ph.Burst(21 * DAY, 20 * DAY, 0.05),)),
    ph.Profile("quiet", rps=0.000002, error_ratio=0.2),  # a handful of requests in 30 days
)
MEASURED = ("steady", "steady-too", "burning", "old-outage")
INCREASE_ERROR = 'sum(increase(http_requests_total{service="%s",code=~"5.."}[{{.window}}]))'
INCREASE_TOTAL = 'sum(increase(http_requests_total{service="%s"}[{{.window}}]))'
# Sloth recording-rule series for one SLO, written straight into the data.
SLOTH_RATIOS = {"5m": 0.02, "30m": 0.015, "1h": 0.01, "2h": 0.005, "6h": 0.003, "1d": 0.002, "3d": 0.0015,
                "30d": 0.0008}
# A Sloth SLO whose recorded budget has no samples from 10.2 to 8.8 days
# before the end, around an incident 9.5 days before it that took it from 0.9 to 0.6.
GAP = (timedelta(days=10.2), timedelta(days=8.8))
GAP_INCIDENT = timedelta(days=9.5, minutes=10)  # before the end; it lasts 50 minutes
# Sloth raw SLIs over a gauge of satisfaction ratios (as in Sloth's
# raw-home-wifi example): the error ratio is 1 - the mean of its samples.
RAW_OBJECTIVE = 0.99
RAW_PROFILES = (
    ph.Profile("wifi-steady", rps=0, error_ratio=0.004),
    ph.Profile("wifi-burning", rps=0, error_ratio=0.002, bursts=(ph.Burst(timedelta(minutes=40), timedelta(0), 0.3),)),
    ph.Profile("wifi-old-outage", rps=0, error_ratio=0.001, bursts=(ph.Burst(21 * DAY, 20 * DAY, 0.05),)),
)
SATISFACTION = "wifi_client_satisfaction_ratio"
RAW_QUERY = (f'1 - (sum(sum_over_time({SATISFACTION}{{service="%s"}}[{{{{.window}}}}])) '
             f'/ sum(count_over_time({SATISFACTION}{{service="%s"}}[{{{{.window}}}}])))')
INSTANT_RAW_QUERY = f'1 - avg({SATISFACTION}{{service="%s"}})'  # no {{.window}}: averaged over time


def raw_spec(service: str, query: str) -> str:
    return (f'version: "prometheus/v1"\nservice: "{service}"\nslos:\n  - name: "satisfaction"\n'
            f"    objective: {RAW_OBJECTIVE * 100:g}\n    sli:\n      raw:\n        error_ratio_query: '{query}'\n")


def error_at(history: ph.History, profile: ph.Profile):
    """The generated error ratio (1 - satisfaction) of ``profile`` at unix time t."""
    return lambda t: profile.ratio_at(history.end.timestamp() - t)


def sloth_spec(service: str, slos: list[tuple[str, str, str]]) -> str:
    lines = ['version: "prometheus/v1"', f'service: "{service}"', "slos:"]
    for name, error, total in slos:
        lines += [f'  - name: "{name}"', f"    objective: {OBJECTIVE * 100:g}", "    sli:", "      events:",
                  f"        error_query: '{error}'", f"        total_query: '{total}'"]
    return "\n".join(lines) + "\n"


def write_slos(folder: Path, services: list[str], *, extra: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    docs = [sloth_spec(s, [("availability", ph.ERROR_QUERY % s, ph.TOTAL_QUERY % s),
                           ("availability-increase", INCREASE_ERROR % s, INCREASE_TOTAL % s)]) for s in services]
    (folder / "slos.yaml").write_text("---\n".join(docs + ([extra] if extra else [])))
    return folder


@pytest.fixture(scope="module")
def server():
    """(url, history, workdir): one Prometheus for the module, stopped after it."""
    if not ph.available():
        pytest.skip("needs /usr/bin/prometheus and /usr/bin/promtool (Debian package prometheus)")
    workdir = Path(tempfile.mkdtemp(prefix="cockpit-prom-"))
    end = ph.data_end()
    history = ph.generate(PROFILES, end)
    start = history.timestamps[0]
    labels = {"sloth_service": "sloth-svc", "sloth_slo": "requests-availability", "sloth_id": "sloth-svc-ra"}
    gauges = {f"slo:sli_error:ratio_rate{w}": [({**labels, "sloth_window": w}, lambda t, r=r: r)]
              for w, r in SLOTH_RATIOS.items()}
    # Recorded budget remaining falls steadily from 1.0 to 0.2 over the 30 days.
    gauges["slo:period_error_budget_remaining:ratio"] = [
        (labels, lambda t: 1.0 - 0.8 * (t - start) / (end.timestamp() - start))]
    gappy = {"sloth_service": "sloth-gappy", "sloth_slo": "availability", "sloth_id": "sloth-gappy-a"}
    for w in SLOTH_RATIOS:
        gauges[f"slo:sli_error:ratio_rate{w}"].append(({**gappy, "sloth_window": w}, lambda t: 0.0005))
    gap = [(end - edge).timestamp() for edge in GAP]
    incident_at = (end - GAP_INCIDENT).timestamp()
    gauges["slo:period_error_budget_remaining:ratio"].append(
        (gappy, lambda t: None if gap[0] < t < gap[1] else 0.9 if t < incident_at else 0.6))
    gauges[SATISFACTION] = [({"service": p.service}, lambda t, p=p: 1 - error_at(history, p)(t))
                            for p in RAW_PROFILES]
    ph.write_openmetrics(history, workdir / "data.om", gauges)
    ph.backfill(workdir / "data.om", workdir / "tsdb")
    (workdir / "data.om").unlink()
    with ph.prometheus(workdir / "tsdb") as url:
        yield url, history, workdir
    shutil.rmtree(workdir, ignore_errors=True)


def source(url: str, slos: Path, history: ph.History, **options) -> PrometheusSource:
    spec = SourceSpec(kind="prometheus", name="prom", refresh=timedelta(seconds=30), timeout=timedelta(seconds=10),
                      options={"url": url, "slos": [str(slos)], **options}, base_dir=slos)
    return PrometheusSource(spec, SourceContext(clock=lambda: history.end))


def fetch(src: PrometheusSource):
    async def run():
        try:
            return await src.fetch()
        finally:
            await src.aclose()
    return asyncio.run(run())


def by_key(data) -> dict:
    return {status.slo.key: status for status in data.slos}


@needs_prometheus
def test_budget_and_burn_rates_match_the_generated_data(server):
    url, history, workdir = server
    slos = write_slos(workdir / "all", [p.service for p in PROFILES])
    statuses = by_key(fetch(source(url, slos, history)))
    for service in MEASURED:
        expected_budget = 1 - history.ratio(service, timedelta(days=30)) / BUDGET
        for name in ("availability", "availability-increase"):
            status = statuses[f"{service}/{name}"]
            assert status.data == "ok", status
            assert status.budget_remaining == pytest.approx(expected_budget, abs=0.01), (service, name)
            for window, duration in BURN_WINDOWS.items():
                expected = history.ratio(service, duration) / BUDGET
                assert status.burn_rates[window] == pytest.approx(expected, rel=0.01), (service, name, window)
    burning, steady, old = statuses["burning/availability"], statuses["steady/availability"], statuses[
        "old-outage/availability"]
    assert "page-1h" in burning.alerts_firing and burning.exhaustion_eta_s is not None
    assert steady.alerts_firing == () and steady.tier == "warning"  # 0.04 % errors of a 0.1 % budget: 40 % used
    assert old.budget_remaining < 0 and old.tier == "exhausted" and old.exhaustion_eta_s == 0


@needs_prometheus
def test_budget_history_follows_the_rolling_window(server):
    url, history, workdir = server
    slos = write_slos(workdir / "history", ["old-outage"])
    status = by_key(fetch(source(url, slos, history)))["old-outage/availability"]
    window = timedelta(days=30)
    step = window / 60
    assert len(status.history) == 60
    assert status.history[-1] == pytest.approx(status.budget_remaining, abs=0.01)
    for index in (0, 20, 40, 59):  # point i is (59 - i) steps before the end
        at = history.end - step * (59 - index)
        errors, total = history.events("old-outage", window, at)
        assert status.history[index] == pytest.approx(1 - errors / total / BUDGET, abs=0.01), index
    assert status.history[0] > 0.5 > status.history[-1]  # the outage shows as a cliff
    assert status.history_end == history.end and status.history_step == step

    def true_budget(at):
        errors, total = history.events("old-outage", window, at)
        return 1 - errors / total / BUDGET

    # The outage day, 21 to 20 days before the end, starts and ends on history
    # points: the figure is the true rolling budget's change between them.
    start, stop = history.end - 21 * DAY, history.end - 20 * DAY
    burned = budget_burned(status, start, stop)
    assert burned == pytest.approx(true_budget(start) - true_budget(stop), abs=0.02)
    assert burned > 1  # one day spent more than the whole 30-day budget
    # Inside the same steps, the interval widens to those points.
    assert budget_burned(status, start + timedelta(hours=1), stop - timedelta(hours=1)) == burned


@needs_prometheus
def test_low_traffic_and_missing_series_are_not_ratios(server):
    url, history, workdir = server
    slos = write_slos(workdir / "sparse", ["quiet", "ghost"])
    statuses = by_key(fetch(source(url, slos, history)))
    quiet, ghost = statuses["quiet/availability"], statuses["ghost/availability"]
    assert history.events("quiet", timedelta(days=30))[1] < 10
    assert quiet.data == "insufficient_traffic" and quiet.budget_remaining is None
    assert ghost.data == "no_data" and ghost.budget_remaining is None and ghost.sli_value is None
    assert all(rate is None for rate in ghost.burn_rates.values())
    assert all(rate is None for rate in quiet.burn_rates.values())


@needs_prometheus
def test_query_count_does_not_depend_on_the_number_of_services(server):
    url, history, workdir = server
    counts = []
    for services in (["steady", "wifi-burning"], [p.service for p in PROFILES + RAW_PROFILES] + ["ghost"]):
        raw = "---\n".join(raw_spec(s, RAW_QUERY % (s, s)) for s in services)
        slos = write_slos(workdir / f"count-{len(services)}", services, extra=raw)
        src = source(url, slos, history)
        before = ph.api_requests(url)
        data = fetch(src)
        after = ph.api_requests(url)
        sent = sum(after.get(h, 0) - before.get(h, 0) for h in ("/api/v1/query", "/api/v1/query_range"))
        assert sent == src.queries_last_refresh
        assert len(data.slos) == 3 * len(services)
        assert by_key(data)["wifi-burning/satisfaction"].data == "ok"
        counts.append(sent)
    # 1 Sloth probe + 2 event shapes x (7 burn windows x 2 + 2 range queries)
    # + 1 raw shape x (7 burn windows + 1 range query).
    assert counts[0] == counts[1] == 1 + 2 * (2 * len(BURN_WINDOWS) + 2) + len(BURN_WINDOWS) + 1


@needs_prometheus
def test_sloth_recording_rules_are_read_instead_of_raw_queries(server):
    url, history, workdir = server
    # Raw queries on a metric that does not exist: only the recorded series can give numbers.
    spec = sloth_spec("sloth-svc", [("requests-availability", 'sum(rate(nothing{job="x"}[{{.window}}]))',
                                     'sum(rate(nothing{job="x"}[{{.window}}]))')])
    slos = write_slos(workdir / "sloth", ["steady"], extra=spec)
    src = source(url, slos, history)
    status = by_key(fetch(src))["sloth-svc/requests-availability"]
    assert status.data == "ok"
    assert status.budget_remaining == pytest.approx(1 - SLOTH_RATIOS["30d"] / BUDGET)
    for window in BURN_WINDOWS:
        assert status.burn_rates[window] == pytest.approx(SLOTH_RATIOS[window] / BUDGET)
    # Burn 10 over 1h (< 14.4), 3 over 6h (< 6), 2 over 1d (< 3); 1.5 over 3d and 3 over 6h (> 1).
    assert status.alerts_firing == ("ticket-3d",)
    assert status.history[-1] == pytest.approx(0.2, abs=0.02) and status.history[0] > status.history[-1]
    # The recorded budget falls by 0.8 over 30 days: a third of that in the last 10 days.
    assert status.history_end == history.end and status.history_step == timedelta(hours=12)
    assert budget_burned(status, history.end - 10 * DAY) == pytest.approx(0.8 * 10 / 30, abs=0.01)
    # The probe, the Sloth history, and the raw queries of "steady" only.
    assert src.queries_last_refresh == 1 + 1 + 2 * (2 * len(BURN_WINDOWS) + 2)


@needs_prometheus
def test_raw_ratio_slis_match_the_generated_data(server):
    url, history, workdir = server
    services = [p.service for p in RAW_PROFILES] + ["wifi-ghost"]
    folder = workdir / "raw"
    folder.mkdir()
    (folder / "raw.yaml").write_text("---\n".join(raw_spec(s, RAW_QUERY % (s, s)) for s in services))
    src = source(url, folder, history)
    statuses = by_key(fetch(src))
    window, budget = timedelta(days=30), 1 - RAW_OBJECTIVE
    for profile in RAW_PROFILES:
        status, true_error = statuses[f"{profile.service}/satisfaction"], error_at(history, profile)
        assert status.data == "ok" and status.warnings == (), status
        expected = 1 - ph.gauge_mean(history, true_error, window) / budget
        assert status.budget_remaining == pytest.approx(expected, abs=0.01), profile.service
        for name, duration in BURN_WINDOWS.items():
            expected_rate = ph.gauge_mean(history, true_error, duration) / budget
            assert status.burn_rates[name] == pytest.approx(expected_rate, rel=0.01), (profile.service, name)
        assert len(status.history) == 60 and status.history[-1] == pytest.approx(status.budget_remaining)
        assert status.history_end == history.end and status.history_step == window / 60
        for index in (0, 20, 40, 59):
            at = history.end - status.history_step * (59 - index)
            expected = 1 - ph.gauge_mean(history, true_error, window, at) / budget
            assert status.history[index] == pytest.approx(expected, abs=0.01), (profile.service, index)
    assert "page-1h" in statuses["wifi-burning/satisfaction"].alerts_firing
    old = statuses["wifi-old-outage/satisfaction"]
    assert old.history[0] > old.history[-1] + 0.1  # the outage day shows in the rolling window
    assert statuses["wifi-ghost/satisfaction"].data == "no_data"
    # One grouped shape: the Sloth probe, 7 burn windows, one range query.
    assert src.queries_last_refresh == 1 + len(BURN_WINDOWS) + 1


@needs_prometheus
def test_a_raw_ratio_without_window_is_averaged_over_time_and_says_so(server):
    url, history, workdir = server
    folder = workdir / "raw-instant"
    folder.mkdir()
    (folder / "raw.yaml").write_text("---\n".join(raw_spec(p.service, INSTANT_RAW_QUERY % p.service)
                                                  for p in RAW_PROFILES[:2]))
    statuses = by_key(fetch(source(url, folder, history)))
    steady, burning = statuses["wifi-steady/satisfaction"], statuses["wifi-burning/satisfaction"]
    assert steady.data == burning.data == "ok"
    assert steady.budget_remaining == pytest.approx(1 - 0.004 / (1 - RAW_OBJECTIVE), abs=0.01)  # constant
    assert burning.burn_rates["5m"] == pytest.approx(0.3 / (1 - RAW_OBJECTIVE), rel=0.01)  # all in the burst
    assert len(steady.history) == 60
    for status in (steady, burning):
        assert any("not weighted by traffic" in w for w in status.warnings), status.warnings


@needs_prometheus
def test_a_gap_in_sloth_history_still_measures_the_incident_across_it(server):
    url, history, workdir = server
    spec = sloth_spec("sloth-gappy", [("availability", 'sum(rate(nothing{job="x"}[{{.window}}]))',
                                       'sum(rate(nothing{job="x"}[{{.window}}]))')])
    status = by_key(fetch(source(url, write_slos(workdir / "gappy", ["steady"], extra=spec), history)))[
        "sloth-gappy/availability"]
    step = timedelta(hours=12)
    # The points 10, 9.5 and 9 days before the end fall in the gap.
    assert len(status.history) == 57 and status.history_end == history.end and status.history_step == step
    assert len(status.history_times) == 57 and history.end - 9 * DAY not in status.history_times
    started = history.end - GAP_INCIDENT
    incident = Incident(id="INC-9", title="Gappy", severity="P1", status="resolved", service="sloth-gappy",
                        started_at=started, resolved_at=started + timedelta(minutes=50), source="incidents")
    [burn] = slo_burns(incident, [status])
    # From the last point before the gap (10.5 days back, 0.9) to the first after it (8.5 days back, 0.6).
    assert burn.burned == pytest.approx(0.3) and burn.measured_over == 2 * DAY
    text = draft_from_incident(incident, services={}, now=history.end, slo_burn=[burn])
    assert "30.0% of the error budget burned during the incident (measured over the 2d around it)" in text


@needs_prometheus
def test_an_edited_slo_file_is_read_again(server):
    url, history, workdir = server
    folder = write_slos(workdir / "edited", ["steady"])
    src = source(url, folder, history)
    first = asyncio.run(src.fetch())
    write_slos(folder, ["steady", "burning"])
    second = fetch(src)
    assert len(first.slos) == 2 and len(second.slos) == 4
    assert by_key(second)["burning/availability"].data == "ok"


@needs_prometheus
def test_a_refused_query_costs_only_its_own_slos(server):
    url, history, workdir = server
    broken = sloth_spec("broken", [("availability", 'sum(rate(http_requests_total{service="broken"}[{{.window}}])',
                                    ph.TOTAL_QUERY % "broken")])
    slos = write_slos(workdir / "broken", ["steady"], extra=broken)
    statuses = by_key(fetch(source(url, slos, history)))
    assert statuses["steady/availability"].data == "ok"
    bad = statuses["broken/availability"]
    assert bad.data == "no_data" and any("HTTP 400" in w for w in bad.warnings)


@needs_prometheus
def test_short_retention_is_warned_about(server):
    _, history, workdir = server
    slos = write_slos(workdir / "retention", ["steady"])
    with ph.prometheus(workdir / "empty-tsdb", retention="7d") as url:
        data = fetch(source(url, slos, history))
    status = by_key(data)["steady/availability"]
    assert any("7d" in w and "30d" in w for w in status.warnings), status.warnings
    assert any("7d" in w for w in data.warnings)
    assert status.data == "no_data"


@needs_prometheus
def test_long_retention_gives_no_warning(server):
    url, history, workdir = server
    data = fetch(source(url, write_slos(workdir / "no-warning", ["steady"]), history))
    assert data.warnings == () and by_key(data)["steady/availability"].warnings == ()


# --- failures, against tiny fake servers (no Prometheus needed) ----------------

class _Echo(http.server.BaseHTTPRequestHandler):
    status = 503

    def do_GET(self):  # noqa: N802 (http.server's naming)
        body = f'{{"status":"error","error":"echo {self.headers.get("Authorization")}"}}'.encode()
        self.send_response(self.server.status)  # type: ignore[attr-defined]
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.mark.parametrize("status, retryable", [(503, True), (502, True), (401, False), (500, True), (404, False)])
def test_http_errors_become_source_errors_without_secrets(tmp_path, status, retryable):
    with ExitStack() as stack:
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
        httpd.status = status  # type: ignore[attr-defined]
        threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        stack.callback(httpd.server_close)
        stack.callback(httpd.shutdown)
        slos = write_slos(tmp_path, ["steady"])
        url = f"http://127.0.0.1:{httpd.server_address[1]}"
        history = ph.History(end=ph.data_end(), timestamps=[])
        with pytest.raises(SourceError) as caught:
            fetch(source(url, slos, history, headers={"Authorization": "Bearer s3cret-token"}))
    assert caught.value.retryable is retryable
    assert "s3cret" not in str(caught.value)
    assert str(status) in str(caught.value)


def test_connection_refused_is_retryable(tmp_path):
    port = free_port()  # nothing listens there
    history = ph.History(end=ph.data_end(), timestamps=[])
    with pytest.raises(TransientSourceError) as caught:
        fetch(source(f"http://user:pw@127.0.0.1:{port}", write_slos(tmp_path, ["steady"]), history))
    assert "pw" not in str(caught.value) and f"127.0.0.1:{port}" in str(caught.value)


def test_check_reports_bad_url_and_loads_every_sloth_fixture(tmp_path):
    config = tmp_path / "cockpit.yaml"
    config.write_text("sources: [{kind: prometheus, url: 'localhost:9090', slos: [/work/shared/fixtures/sloth]}]\n")
    assert [p.key for p in check_config(config, env={}).problems] == ["sources[0].url"]  # the url is checked with the config
    spec = SourceSpec(kind="prometheus", name="prom", refresh=timedelta(seconds=30), timeout=timedelta(seconds=5),
                      options={"url": "http://localhost:9090", "slos": ["/work/shared/fixtures/sloth"]},
                      base_dir=tmp_path, config_file="cockpit.yaml")
    result = PrometheusSource.check(spec)
    assert {ref.service for ref in result.refers} >= {"myservice", "k8s-apiserver", "home-wifi"}
