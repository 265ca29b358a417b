"""The Alertmanager source against two real Alertmanagers (an HA pair
without gossip): fetch, dedupe, grouping, matcher filters, silences, and a
down instance that must not hide the others."""

from __future__ import annotations

import asyncio
import gc
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from alertmanager_harness import alertmanager_pair, available, make_alert, post_alerts, wait_until
from alertmanager_harness import grouped_alert_count
from loopback_server import free_port
from cockpit.alerts import filter_alerts, group_alerts, parse_matchers
from cockpit.clock import system_clock
from cockpit.sources import load_kind
from cockpit.sources.base import SourceContext, SourceError, SourceSpec, TransientSourceError
from cockpit.writes import Action

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not available(), reason="prometheus-alertmanager binary not installed "
                                               "(apt-get install prometheus-alertmanager)"),
]

STARTED = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(minutes=20)
BOTH = [
    make_alert({"alertname": "HighErrorRate", "service": "api-server", "severity": "critical"},
               {"summary": "5xx above 5%", "runbook_url": "https://wiki.example/runbooks/api-server/high-error-rate"},
               starts_at=STARTED),
    make_alert({"alertname": "HighLatency", "service": "checkout-service", "severity": "warning", "instance": "a"},
               {"summary": "p99 over 500ms"}),
    make_alert({"alertname": "HighLatency", "service": "checkout-service", "severity": "warning", "instance": "b"},
               {"summary": "p99 over 500ms"}),
    make_alert({"alertname": "Watchdog", "severity": "info"}, {"description": "always firing"}),
]
ONLY_FIRST = [make_alert({"alertname": "DiskFull", "service": "postgres-primary", "severity": "warning"},
                         {"summary": "disk 95% full", "runbook": "postgres-primary/disk-full.md"})]


@pytest.fixture(scope="module")
def pair():
    with alertmanager_pair() as (first, second):
        post_alerts([first, second], BOTH)
        post_alerts([first], ONLY_FIRST)
        wait_until(lambda: grouped_alert_count(first) == 5 and grouped_alert_count(second) == 4,
                   what="posted alerts to be grouped")
        yield first, second


def make_source(urls, **options):
    spec = SourceSpec(kind="alertmanager", name="am", refresh=timedelta(seconds=30), timeout=timedelta(seconds=5),
                      options={"urls": urls, **options}, base_dir=Path("."))
    return load_kind("alertmanager")(spec, SourceContext(clock=system_clock, user="alice"))


@pytest.fixture
async def source(pair):
    first, second = pair
    src = make_source([{"url": first, "name": "am-a"}, {"url": second, "name": "am-b"}])
    yield src
    await src.aclose()


def by_title(incidents, prefix):
    return [i for i in incidents if i.title.startswith(prefix)]


async def test_fetch_maps_every_field(source):
    data = await source.fetch()
    [alert] = by_title(data.incidents, "HighErrorRate")
    assert alert.kind == "alert" and alert.source == "am"
    assert alert.title == "HighErrorRate: 5xx above 5%"
    assert (alert.severity, alert.status, alert.service) == ("P1", "firing", "api-server")
    assert alert.started_at == STARTED
    assert alert.runbook == "https://wiki.example/runbooks/api-server/high-error-rate"
    assert alert.url.startswith("http://prometheus.example:9090/graph")
    assert alert.group == '{alertname="HighErrorRate", service="api-server"}'
    assert len(alert.id) == 16 and not alert.silenced
    [watchdog] = by_title(data.incidents, "Watchdog")
    assert (watchdog.service, watchdog.severity, watchdog.title) == ("", "P3", "Watchdog: always firing")
    [disk] = by_title(data.incidents, "DiskFull")
    assert disk.runbook == "postgres-primary/disk-full.md"
    assert data.warnings == ()


async def test_fetch_leaves_the_garbage_collector_on(source):
    # The parse pauses it (10,000 alerts); a fetch must not leave it paused.
    assert gc.isenabled()
    await source.fetch()
    assert gc.isenabled()


async def test_ha_pair_alerts_shown_once_with_every_instance(source):
    data = await source.fetch()
    assert len(data.incidents) == 5  # 4 on both + 1 on the first only, out of 9 held
    assert len({i.id for i in data.incidents}) == 5
    [disk] = by_title(data.incidents, "DiskFull")
    assert disk.instances == ("am-a",)
    assert all(i.instances == ("am-a", "am-b") for i in data.incidents if i is not disk)


async def test_grouping_by_alertmanager_groups_and_by_label(source):
    incidents = (await source.fetch()).incidents
    groups = {g.key: g for g in group_alerts(incidents)}
    latency = groups['{alertname="HighLatency", service="checkout-service"}']
    assert {a.labels["instance"] for a in latency.alerts} == {"a", "b"}
    assert len(groups) == 4
    by_severity = {g.key: len(g.alerts) for g in group_alerts(incidents, by="severity")}
    assert by_severity == {'{severity="critical"}': 1, '{severity="warning"}': 3, '{severity="info"}': 1}


async def test_matcher_filter(source):
    incidents = (await source.fetch()).incidents
    chosen = filter_alerts(incidents, matchers=parse_matchers('{service=~"check.*", instance!="a"}'))
    assert [i.labels["instance"] for i in chosen] == ["b"]
    unowned = filter_alerts(incidents, matchers=parse_matchers('service=""'))
    assert [i.labels["alertname"] for i in unowned] == ["Watchdog"]


async def refetch_until(source, condition, what):
    deadline = time.monotonic() + 10
    while True:
        data = await source.fetch()
        if condition(data):
            return data
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.1)


async def test_silence_one_alert_on_both_then_expire(source):
    incidents = (await source.fetch()).incidents
    [target] = [i for i in incidents if i.labels.get("instance") == "a"]
    result = await source.perform(Action("silence", target.id, {"duration": "2h", "comment": "known, deploy fix"}))
    assert result.ok and "am-a, am-b" in result.message
    try:
        data = await refetch_until(source, lambda d: any(i.id == target.id and i.silenced for i in d.incidents),
                                   "the alert to show silenced")
        [after] = [i for i in data.incidents if i.id == target.id]
        assert after.status == "silenced" and after.instances == ("am-a", "am-b")
        [other] = [i for i in data.incidents if i.labels.get("instance") == "b"]
        assert other.status == "firing"  # the matchers select exactly one alert

        [silence] = await source.list_silences()
        assert silence.instances == ("am-a", "am-b") and len({i for _, i in silence.ids}) == 2
        assert (silence.created_by, silence.comment, silence.state) == ("alice", "known, deploy fix", "active")
        assert silence.selects(target.labels) and not silence.selects(other.labels)
        assert silence.ends_at - silence.starts_at <= timedelta(hours=2)
    finally:
        expired = await source.perform(Action("expire", result.target))
    assert expired.ok
    assert await source.list_silences() == ()
    data = await refetch_until(source, lambda d: not any(i.silenced for i in d.incidents), "the silence to lift")
    assert [i.status for i in data.incidents if i.id == target.id] == ["firing"]


async def test_silence_a_group_and_only_where_held(source):
    incidents = (await source.fetch()).incidents
    latency = next(g for g in group_alerts(incidents) if g.labels.get("alertname") == "HighLatency")
    grouped = await source.perform(Action("silence", "", {"matchers": latency.key, "duration": "30m",
                                                          "comment": "checkout latency known"}))
    [disk] = by_title(incidents, "DiskFull")
    single = await source.perform(Action("silence", disk.id, {"duration": "1h", "comment": "cleanup running"}))
    try:
        data = await refetch_until(source, lambda d: sum(i.silenced for i in d.incidents) == 3, "3 silenced alerts")
        assert {i.labels["alertname"] for i in data.incidents if i.silenced} == {"HighLatency", "DiskFull"}
        silences = {s.comment: s for s in await source.list_silences()}
        assert silences["cleanup running"].instances == ("am-a",)  # only the instance holding it
        assert silences["checkout latency known"].instances == ("am-a", "am-b")
        assert silences["checkout latency known"].matchers_text == latency.key
    finally:
        for result in (grouped, single):
            await source.perform(Action("expire", result.target))
    assert await source.list_silences() == ()


async def test_silence_refuses_unknown_alert_and_missing_comment(source):
    await source.fetch()
    with pytest.raises(SourceError, match="not among the current alerts"):
        await source.perform(Action("silence", "0000000000000000", {"duration": "1h", "comment": "x"}))
    with pytest.raises(SourceError, match="comment"):
        await source.perform(Action("silence", "", {"matchers": 'alertname="Watchdog"', "duration": "1h"}))
    with pytest.raises(SourceError, match="no current alert matches"):
        await source.perform(Action("silence", "", {"matchers": 'alertname="Nope"', "duration": "1h",
                                                    "comment": "x"}))


async def test_down_instance_degrades_without_hiding_the_others(pair):
    dead = f"http://127.0.0.1:{free_port()}"
    source = make_source([{"url": pair[0], "name": "am-a"}, {"url": dead, "name": "am-dead"},
                          {"url": pair[1], "name": "am-b"}])
    try:
        data = await source.fetch()
        assert len(data.incidents) == 5
        assert all("am-dead" not in i.instances for i in data.incidents)
        [warning] = data.warnings
        assert warning.startswith("am-dead: ") and "cannot connect" in warning
    finally:
        await source.aclose()


async def test_every_instance_down_is_a_retryable_error():
    source = make_source([f"http://127.0.0.1:{free_port()}", f"http://127.0.0.1:{free_port()}"])
    try:
        with pytest.raises(TransientSourceError, match="cannot connect"):
            await source.fetch()
    finally:
        await source.aclose()
