"""The prometheus source degraded, not failing, against a real Prometheus.

A Prometheus-compatible gateway whose status pages hang (a loopback proxy
forwards the queries and never answers /api/v1/status/*): the SLOs still
load, the retention check gives up after its own short deadline, is not sent
again on the next refresh, and the source says it could not read the
retention. A refused SLO file: the other files' SLOs load, and the problem
is in the source's warnings and `status --json`."""

from __future__ import annotations

import shutil
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import pytest

import prometheus_harness as ph
from hanging_proxy import hanging_proxy
from cockpit.hub import Hub
from cockpit.sources.base import SourceContext, SourceSpec
from cockpit.commands.status import snapshot_to_json
from cockpit.sources.prometheus.server_facts import RETENTION_RETRY, RETENTION_TIMEOUT_S
from cockpit.sources.prometheus.source import PrometheusSource

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not ph.available(), reason="needs /usr/bin/prometheus and /usr/bin/promtool"),
]

SOURCE_TIMEOUT = timedelta(seconds=10)
STEADY = ph.Profile("steady", rps=20, error_ratio=0.0004)  # 40 % of a 99.9 % budget spent


@pytest.fixture(scope="module")
def prometheus():
    """(url, history, workdir): a real Prometheus holding 30 days of one service."""
    workdir = Path(tempfile.mkdtemp(prefix="cockpit-prom-hang-"))
    history = ph.generate([STEADY], ph.data_end())
    ph.write_openmetrics(history, workdir / "data.om")
    ph.backfill(workdir / "data.om", workdir / "tsdb")
    try:
        with ph.prometheus(workdir / "tsdb") as url:
            yield url, history, workdir
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


class Clock:
    def __init__(self, now) -> None:
        self.now = now

    def __call__(self):
        return self.now


def slo_file(folder: Path) -> Path:
    (folder / "slos.yaml").write_text(
        'version: "prometheus/v1"\nservice: "steady"\nslos:\n  - name: "availability"\n    objective: 99.9\n'
        f"    sli:\n      events:\n        error_query: '{ph.ERROR_QUERY % 'steady'}'\n"
        f"        total_query: '{ph.TOTAL_QUERY % 'steady'}'\n")
    return folder / "slos.yaml"


async def test_hung_status_pages_leave_the_slos_loaded(prometheus):
    url, history, workdir = prometheus
    clock = Clock(history.end)
    with hanging_proxy(url, hang=["/api/v1/status/"]) as proxy:
        spec = SourceSpec(kind="prometheus", name="prom", refresh=timedelta(seconds=30), timeout=SOURCE_TIMEOUT,
                          options={"url": proxy.url, "slos": [str(slo_file(workdir))]}, base_dir=workdir)
        hub = Hub([PrometheusSource(spec, SourceContext(clock=clock))], clock=clock)
        try:
            started = time.monotonic()
            snapshot = await hub.refresh_all()
            first = time.monotonic() - started
            [status] = snapshot.slos
            assert status.data == "ok" and status.budget_remaining == pytest.approx(0.6, abs=0.01)
            assert first < RETENTION_TIMEOUT_S + 2  # its own deadline, not the source's 10 s
            [health] = snapshot.sources
            assert health.state == "degraded" and health.error == ""
            [warning] = health.warnings
            assert warning.startswith(f"retention not known (/api/v1/status/runtimeinfo timed out after "
                                      f"{RETENTION_TIMEOUT_S:g}s; tried again in 10m)")
            assert proxy.hung == {"/api/v1/status/runtimeinfo": 1}

            started = time.monotonic()
            snapshot = await hub.refresh_all()  # the answer is cached: not asked, not waited for
            assert time.monotonic() - started < RETENTION_TIMEOUT_S
            assert proxy.hung == {"/api/v1/status/runtimeinfo": 1}
            assert snapshot.slos[0].data == "ok" and snapshot.sources[0].warnings == (warning,)

            clock.now += RETENTION_RETRY  # rarely: asked again after 10 minutes
            await hub.refresh_all()
            assert proxy.hung == {"/api/v1/status/runtimeinfo": 2}
        finally:
            await hub.aclose()


async def test_a_refused_slo_file_is_listed_and_the_others_load(prometheus):
    url, history, workdir = prometheus
    folder = workdir / "refused"
    folder.mkdir()
    slo_file(folder)
    (folder / "typo.yaml").write_text('version: "prometheus/v1"\nservice: "steady"\nslos:\n'
                                      '  - name: "latency"\n    objective: 250\n    sli: {raw: {error_ratio_query: q}}\n')
    spec = SourceSpec(kind="prometheus", name="prom", refresh=timedelta(seconds=30), timeout=SOURCE_TIMEOUT,
                      options={"url": url, "slos": [str(folder)]}, base_dir=workdir)
    [problem] = PrometheusSource.check(spec).problems
    hub = Hub([PrometheusSource(spec, SourceContext(clock=lambda: history.end))], clock=lambda: history.end)
    try:
        snapshot = await hub.refresh_all()
    finally:
        await hub.aclose()
    assert [s.slo.key for s in snapshot.slos] == ["steady/availability"] and snapshot.slos[0].data == "ok"
    [source] = snapshot_to_json(snapshot)["sources"]
    assert (source["state"], source["ok"]) == ("degraded", False)
    assert source["warnings"] == [f"not loaded: {problem}"]
    assert f"{folder / 'typo.yaml'}:4: slos[0]: objective 250%" in source["warnings"][0]
