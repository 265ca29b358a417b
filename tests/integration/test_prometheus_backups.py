"""Backup ages through the prometheus source, from a real Prometheus holding
backfilled ``backup_last_success_timestamp_seconds`` gauges whose values the
test chose, judged against catalog RPOs (cockpit.recovery)."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest

import prometheus_harness as ph
from cockpit.model import RecoveryFacts
from cockpit.recovery import backup_age, backup_breaches_rpo
from cockpit.sources.base import SourceContext, SourceSpec
from cockpit.sources.prometheus.source import PrometheusSource

pytestmark = pytest.mark.integration

GAUGE = "backup_last_success_timestamp_seconds"
SPAN = timedelta(hours=1)
# (labels, how long before the data's end the last backup succeeded); two
# instances of one job: the newer one counts.
BACKUPS = (
    ({"service": "payments-api", "instance": "a"}, timedelta(hours=3)),
    ({"service": "payments-api", "instance": "b"}, timedelta(hours=5)),
    ({"service": "orders", "instance": "a"}, timedelta(minutes=10)),
)


@pytest.fixture(scope="module")
def server():
    """(url, data end): one Prometheus for the module, stopped after it."""
    if not ph.available():
        pytest.skip("needs /usr/bin/prometheus and /usr/bin/promtool (Debian package prometheus)")
    workdir = Path(tempfile.mkdtemp(prefix="cockpit-prom-backups-"))
    end = ph.data_end()
    history = ph.generate((), end, span=SPAN)
    stop = int(end.timestamp())
    timed = {GAUGE: [(labels, [(t, float(stop - int(before.total_seconds()))) for t in range(stop - 3600, stop + 1, 60)])
                     for labels, before in BACKUPS]}
    ph.write_openmetrics(history, workdir / "data.om", timed_gauges=timed)
    ph.backfill(workdir / "data.om", workdir / "tsdb")
    with ph.prometheus(workdir / "tsdb") as url:
        yield url, end
    shutil.rmtree(workdir, ignore_errors=True)


def fetch(url: str, end, tmp_path: Path, **options):
    spec = SourceSpec(kind="prometheus", name="prom", refresh=timedelta(seconds=30), timeout=timedelta(seconds=10),
                      options={"url": url, "slos": [], **options}, base_dir=tmp_path)
    source = PrometheusSource(spec, SourceContext(clock=lambda: end))

    async def run():
        try:
            return await source.fetch(), source.queries_last_refresh
        finally:
            await source.aclose()
    return asyncio.run(run())


def test_backup_ages_come_from_the_gauge_newest_per_service(server, tmp_path):
    url, end = server
    data, queries = fetch(url, end, tmp_path, backup_metric=GAUGE)
    ages = {b.subject: backup_age(b, end) for b in data.backups}
    assert ages == {"orders": timedelta(minutes=10), "payments-api": timedelta(hours=3)}
    assert {b.source for b in data.backups} == {"prom"}
    assert data.warnings == () and queries == 1
    by_subject = {b.subject: b for b in data.backups}
    hourly = RecoveryFacts(rpo=timedelta(hours=1))
    assert backup_breaches_rpo(hourly, by_subject["payments-api"], end)
    assert not backup_breaches_rpo(hourly, by_subject["orders"], end)


def test_backup_label_picks_the_subject(server, tmp_path):
    url, end = server
    data, _ = fetch(url, end, tmp_path, backup_metric=GAUGE, backup_label="instance")
    assert {b.subject: backup_age(b, end) for b in data.backups} == {"a": timedelta(minutes=10),
                                                                      "b": timedelta(hours=5)}


def test_no_backup_metric_sends_no_query(server, tmp_path):
    url, end = server
    data, queries = fetch(url, end, tmp_path)
    assert data.backups == () and queries == 0


def test_a_refused_backup_query_is_a_warning_not_a_failure(server, tmp_path):
    url, end = server
    data, _ = fetch(url, end, tmp_path, backup_metric=GAUGE, backup_label="no-such label")
    assert data.backups == ()
    assert len(data.warnings) == 1 and data.warnings[0].startswith("backup ages not read")
