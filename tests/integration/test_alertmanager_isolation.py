"""Three real Alertmanagers, one of them hung (SIGSTOP: the kernel still
accepts connections, nothing answers) or down (refused): what the healthy
pair holds, including an alert posted after the trouble began, is published
by the next refresh, and the source is degraded, naming the instance, in the
hub's health, `status --json`, the header badge and the notice above the
Incidents panel. Each instance has its own circuit breaker; ctrl+r tries an
open one at once."""

from __future__ import annotations

import re
import signal
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from alertmanager_harness import alertmanagers, available, grouped_alert_count, make_alert, post_alerts, wait_until
from loopback_server import free_port
from cockpit.ui.app import make_app
from cockpit.clock import system_clock
from cockpit.config import Config
from cockpit.hub import Hub
from cockpit.sources.alertmanager.source import AlertmanagerSource
from cockpit.sources.base import SourceContext, SourceSpec
from cockpit.commands.status import snapshot_to_json
from tests.ui.helpers import screen_text

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not available(), reason="prometheus-alertmanager binary not installed"),
]

SOURCE_TIMEOUT_S = 2.0  # each instance's deadline is half of it
EVERYWHERE = [make_alert({"alertname": "HighErrorRate", "service": "api-server", "severity": "critical"},
                         {"summary": "5xx above 5%"})]


@pytest.fixture(scope="module")
def trio():
    with alertmanagers(3) as running:
        urls = [url for url, _ in running]
        post_alerts(urls, EVERYWHERE)
        wait_until(lambda: all(grouped_alert_count(u) == 1 for u in urls), what="alerts to be grouped")
        yield running


@pytest.fixture(params=["hung", "refused"])
def broken(request, trio):
    """(URLs of am-a, am-b, am-c with am-c broken, what its warning says, the process to revive or None)."""
    (a, _), (b, _), (c, process) = trio
    if request.param == "refused":
        yield [a, b, f"http://127.0.0.1:{free_port()}"], "cannot connect", None
        return
    process.send_signal(signal.SIGSTOP)
    try:
        yield [a, b, c], f"timed out after {SOURCE_TIMEOUT_S / 2:g}s", process
    finally:
        process.send_signal(signal.SIGCONT)


def am_hub(urls) -> Hub:
    spec = SourceSpec(kind="alertmanager", name="am", refresh=timedelta(hours=1),
                      timeout=timedelta(seconds=SOURCE_TIMEOUT_S),
                      options={"urls": [{"url": u, "name": f"am-{n}"} for u, n in zip(urls, "abc")]},
                      base_dir=Path("."))
    return Hub([AlertmanagerSource(spec, SourceContext(clock=system_clock, user="tester"))], clock=system_clock)


def new_alert(urls) -> str:
    """Post a P1 only the healthy pair can receive; returns its alertname."""
    name = f"NewPage{uuid.uuid4().hex[:8]}"
    post_alerts(urls[:2], [make_alert({"alertname": name, "service": "checkout-service", "severity": "critical"},
                                      {"summary": "checkout down"})])
    wait_until(lambda: all(grouped_alert_count(u) == 2 for u in urls[:2]), what="the new alert to be grouped")
    return name


def expire_alerts(urls, name: str) -> None:
    post_alerts(urls[:2], [make_alert({"alertname": name, "service": "checkout-service", "severity": "critical"},
                                      lasts=timedelta(seconds=-60))])


async def test_the_healthy_instances_are_published_and_the_broken_one_named(broken):
    urls, why, _ = broken
    hub = am_hub(urls)
    try:
        name = new_alert(urls)
        try:
            started = time.monotonic()
            snapshot = await hub.refresh_all()  # one refresh
            took = time.monotonic() - started
        finally:
            expire_alerts(urls, name)
    finally:
        await hub.aclose()
    assert took < SOURCE_TIMEOUT_S  # the instance's deadline, well inside the source's
    alerts = {i.labels["alertname"]: i for i in snapshot.incidents}
    assert set(alerts) == {"HighErrorRate", name}
    assert alerts[name].severity == "P1" and alerts[name].instances == ("am-a", "am-b")
    [source] = snapshot_to_json(snapshot)["sources"]
    assert (source["state"], source["ok"], source["error"]) == ("degraded", False, "")
    [warning] = source["warnings"]
    assert warning.startswith("am-c: ") and why in warning


async def test_one_breaker_per_instance_and_ctrl_r_tries_it_at_once(broken, tmp_path):
    urls, why, process = broken
    hub = am_hub(urls)
    app = make_app(Config(path=tmp_path / "cockpit.yaml", data_dir=tmp_path, audit_log=tmp_path / "audit.jsonl",
                          postmortems=tmp_path / "postmortems", user="tester"), hub=hub, clock=system_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        for _ in range(5):  # five failures within a minute open am-c's breaker, and only its
            snapshot = await hub.refresh_all()
        [health] = snapshot.sources
        assert health.breaker == "closed" and health.state == "degraded"
        name = new_alert(urls)
        try:
            started = time.monotonic()
            snapshot = await hub.refresh_all()
            assert time.monotonic() - started < SOURCE_TIMEOUT_S / 4  # am-c is no longer waited for
            await pilot.pause()
            [warning] = snapshot.sources[0].warnings
            assert re.match(r"am-c: circuit breaker open, next try in [45]m \(ctrl\+r tries now\)", warning)
            assert why in warning

            # On screen: the new alert, the badge, and the notice above the Incidents panel with the data age.
            assert re.search(r"am degraded \d+s", str(app.query_one("#source-bar").render()))
            await pilot.press("i")
            await pilot.pause()
            assert name in screen_text(app)
            notice = str(app.query_one("#degraded-notice").render())
            assert re.search(r"am is degraded, showing what it returned \d+s ago:", notice)
            assert "am-c: circuit breaker open" in notice
        finally:
            expire_alerts(urls, name)

        if process is None:
            return  # nothing to bring back
        process.send_signal(signal.SIGCONT)
        await hub.refresh_all()
        assert "circuit breaker open" in hub.snapshot().sources[0].warnings[0]  # a periodic refresh waits 5m
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        [health] = hub.snapshot().sources
        assert health.state == "ok" and health.warnings == ()
        assert all(i.instances == ("am-a", "am-b", "am-c") for i in hub.snapshot().incidents
                   if i.labels["alertname"] == "HighErrorRate")
        assert not app.query_one("#degraded-notice").display
