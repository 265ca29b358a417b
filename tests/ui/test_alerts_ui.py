"""Alerts in the Incidents panel, driven by keys against a real Alertmanager
HA pair (two instances, same alerts): label matcher filter, state filter,
grouping headers, silence from the UI (one alert, one group) seen silenced
on the next refresh and expired from the silences screen; read-only mode
offers none of the writes. Plus the pure arrangement the panel draws."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from pathlib import Path
from weakref import WeakSet

import pytest
from textual.worker import WorkerCancelled

from cockpit.alerts import MatcherError
from cockpit.ui.app import make_app
from tests.ui.helpers import screen_text
from cockpit.clock import fixed_clock, system_clock
from cockpit.hub import Hub
from cockpit.model import Incident
from cockpit.sources.alertmanager.source import AlertmanagerSource
from cockpit.sources.base import SourceContext, SourceSpec
from cockpit.panels.incidents.groups import AlertView, to_rows
from cockpit.ui.widgets.rows import Row
from cockpit.ui.widgets.dialogs import TextPrompt
from cockpit.panels.incidents.silences import SilencesScreen
from alertmanager_harness import (
    alertmanager_pair, available, grouped_alert_count, make_alert, post_alerts, wait_until,
)
from tests.ui.conftest import CannedSource, NOW, catalog, keys_done, open_panel, settle

SIZE = (120, 36)
needs_alertmanager = pytest.mark.skipif(not available(), reason="prometheus-alertmanager binary not installed "
                                                                "(scripts/ci-alertmanager.sh)")

ALERTS = [
    make_alert({"alertname": "HighErrorRate", "service": "api-server", "severity": "critical"},
               {"summary": "5xx above 5%"}),
    make_alert({"alertname": "HighLatency", "service": "checkout-service", "severity": "warning", "instance": "a"},
               {"summary": "p99 over 500ms"}),
    make_alert({"alertname": "HighLatency", "service": "checkout-service", "severity": "warning", "instance": "b"},
               {"summary": "p99 over 500ms"}),
    # Only the silence tests touch these, so the other tests see them firing whatever the order.
    make_alert({"alertname": "DiskFull", "service": "postgres-primary", "severity": "warning"},
               {"summary": "disk 95% full"}),
    make_alert({"alertname": "QueueBacklog", "service": "auth-service", "severity": "warning", "instance": "q1"}),
    make_alert({"alertname": "QueueBacklog", "service": "auth-service", "severity": "warning", "instance": "q2"}),
]


@pytest.fixture(scope="module")
def pair():
    if not available():
        pytest.skip("prometheus-alertmanager binary not installed")
    with alertmanager_pair() as urls:
        post_alerts(list(urls), ALERTS)
        wait_until(lambda: all(grouped_alert_count(u) == len(ALERTS) for u in urls), what="alerts to be grouped")
        yield urls


def am_source(urls) -> AlertmanagerSource:
    spec = SourceSpec(kind="alertmanager", name="am", refresh=timedelta(hours=1), timeout=timedelta(seconds=10),
                      options={"urls": [{"url": urls[0], "name": "am-a"}, {"url": urls[1], "name": "am-b"}]},
                      base_dir=Path("."))
    # Silences start "now" by the source's clock: it must be the servers' (real) time.
    return AlertmanagerSource(spec, SourceContext(clock=system_clock, user="tester"))


def app_over(config, urls, read_only=False):
    hub = Hub([CannedSource("catalog", catalog()), am_source(urls)], clock=fixed_clock(), read_only=read_only,
              user=config.user)
    return make_app(config, hub=hub, clock=fixed_clock())


def titles(panel) -> list[str]:
    """Title cells of the rows on screen, in order."""
    column = [c.key for c in panel.table.columns].index("title")
    return [panel.table.table.get_row(key)[column].plain.strip() for key in panel.table.shown_keys]


def alert_key(panel, alertname: str, **labels: str) -> str:
    found = [i for i in panel.snapshot.incidents
             if i.labels.get("alertname") == alertname and all(i.labels.get(k) == v for k, v in labels.items())]
    assert len(found) == 1, found
    return f"{found[0].source}/{found[0].id}"


# Waits are on conditions, never on the pilot's idle guess alone: pilot.pause()
# returns once the process looks idle, which is also how it looks while a
# worker waits on an Alertmanager's reply, or while a loaded machine has the
# process descheduled. WAIT_S only stops a test that would otherwise hang.
WAIT_S = 30.0
_answered: WeakSet = WeakSet()  # prompts already typed into


async def until(pilot, condition, what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {WAIT_S:g}s waiting for {what}")
        await pilot.pause(0.01)


async def next_prompt(app, pilot) -> TextPrompt:
    """The prompt a worker opened, once mounted: not one answered already
    (a worker asking twice opens a second prompt after the first is gone)."""
    def opened() -> bool:
        screen = app.screen
        return isinstance(screen, TextPrompt) and screen.is_mounted and screen not in _answered
    await until(pilot, opened, "a prompt to open")
    return app.screen


async def answer(pilot, *keys: str) -> None:
    """Type into the prompt a worker opens (prompts are not focused on open: tab first)."""
    _answered.add(await next_prompt(pilot.app, pilot))
    await pilot.press("tab", *keys)
    await pilot.pause()


async def written(app, pilot) -> None:
    """Every worker done, and every worker those started as they finished
    (an expire starts a reload of the silences list)."""
    async with asyncio.timeout(WAIT_S):
        while running := [w for w in app.workers if not w.is_finished]:
            for outcome in await asyncio.gather(*(w.wait() for w in running), return_exceptions=True):
                if isinstance(outcome, BaseException) and not isinstance(outcome, WorkerCancelled):
                    raise outcome  # a reload superseded by a newer one is cancelled: fine
    await pilot.pause()


async def open_silences(app, pilot) -> SilencesScreen:
    """S, then the screen mounted (its first load started) and loaded."""
    await pilot.press("S")
    await until(pilot, lambda: isinstance(app.screen, SilencesScreen) and app.screen.is_mounted,
                "the silences screen")
    await written(app, pilot)
    return app.screen


@needs_alertmanager
@pytest.mark.integration
async def test_label_matchers_narrow_rows_and_a_bad_matcher_is_reported(config, pair):
    app = app_over(config, pair)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(app, pilot, "i", "incidents")
        assert len(panel.table.shown_keys) == len(ALERTS)  # the pair's copies shown once each
        await pilot.press("equals_sign")
        await answer(pilot, *'{service="checkout-service", instance=~"a|c"}', "enter")
        await written(app, pilot)
        assert panel.table.shown_keys == [alert_key(panel, "HighLatency", instance="a")]
        # The / text filter combines with it: a word no remaining row has empties the table.
        panel.table.set_filter("api-server")
        await pilot.pause()
        assert panel.table.shown_keys == []
        panel.table.set_filter("")
        await pilot.press("equals_sign")
        await answer(pilot, "home", "ctrl+k", *"severity!=warning", "enter")
        await written(app, pilot)
        assert panel.table.shown_keys == [alert_key(panel, "HighErrorRate")]
        # A matcher that does not parse: said so, the prompt stays open, the filter is kept.
        await pilot.press("equals_sign")
        await answer(pilot, "home", "ctrl+k", *'service=~"("', "enter")
        await next_prompt(app, pilot)  # asked again: the error is told first
        errors = [n for n in app._notifications if n.severity == "error"]
        assert errors and "invalid regex" in errors[-1].message
        await pilot.press("escape")
        await written(app, pilot)
        assert panel.table.shown_keys == [alert_key(panel, "HighErrorRate")]
        assert 'severity!="warning"' in str(app.query_one("#incidents-view").render())


@needs_alertmanager
@pytest.mark.integration
async def test_grouping_shows_group_headers_with_counts(config, pair):
    app = app_over(config, pair)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(app, pilot, "i", "incidents")
        await pilot.press("v")  # Alertmanager's own groups: alertname + service (the harness's route)
        await written(app, pilot)
        headers = [t for t in titles(panel) if t.startswith("▾")]
        assert len(headers) == 4
        latency = next(t for t in headers if 'alertname="HighLatency"' in t)
        assert latency.startswith("▾ 2 alerts (2 firing)")
        keys = panel.table.shown_keys
        header = keys.index(next(k for k in keys if k.startswith("group:") and "HighLatency" in k))
        assert set(keys[header + 1:header + 3]) == {alert_key(panel, "HighLatency", instance="a"),
                                                    alert_key(panel, "HighLatency", instance="b")}
        await pilot.press("v")  # next: by a label, asked for
        await answer(pilot, "home", "ctrl+k", *"severity", "enter")
        await written(app, pilot)
        headers = [t for t in titles(panel) if t.startswith("▾")]
        assert [h.split(" {")[0] for h in headers] == ["▾ 1 alert (1 firing)", "▾ 5 alerts (5 firing)"]
        await pilot.press("v")
        await written(app, pilot)
        assert not any(k.startswith("group:") for k in panel.table.shown_keys)


@needs_alertmanager
@pytest.mark.integration
async def test_silence_an_alert_and_a_group_then_expire_from_the_silences_screen(config, pair):
    app = app_over(config, pair)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(app, pilot, "i", "incidents")
        disk = alert_key(panel, "DiskFull")
        panel.table.select_key(disk)
        await pilot.press("z")
        await answer(pilot, "enter")  # the default duration, 2h
        await answer(pilot, *"disk cleanup running", "enter")
        await written(app, pilot)
        silenced = panel.incident(disk)
        assert silenced.status == "silenced" and silenced.silenced  # the hub refreshed after the write
        # The group: its header row, every alert in it.
        await pilot.press("v")
        await written(app, pilot)
        header = next(k for k in panel.table.shown_keys if k.startswith("group:") and "QueueBacklog" in k)
        panel.table.select_key(header)
        await pilot.press("z")
        await answer(pilot, "home", "ctrl+k", *"30m", "enter")
        await answer(pilot, *"backlog drains by itself", "enter")
        await written(app, pilot)
        backlog = [i for i in panel.snapshot.incidents if i.labels.get("alertname") == "QueueBacklog"]
        assert len(backlog) == 2 and all(i.status == "silenced" for i in backlog)
        # State filter: f cycles all -> active -> silenced (still grouped: headers too).
        await pilot.press("f")
        await pilot.pause()
        assert disk not in panel.table.shown_keys and len(panel.table.shown_keys) == 2 + 3  # 2 groups, 3 alerts
        await pilot.press("f")
        await pilot.pause()
        assert {k for k in panel.table.shown_keys if not k.startswith("group:")} == \
            {disk, *(f"am/{i.id}" for i in backlog)}

        screen = await open_silences(app, pilot)
        comments = {s.comment: s for s in screen.silences.values()}
        assert set(comments) >= {"disk cleanup running", "backlog drains by itself"}
        disk_silence = comments["disk cleanup running"]
        assert disk_silence.created_by == "tester" and set(disk_silence.instances) == {"am-a", "am-b"}
        # The default 2h (the server moves the start to when it received the silence).
        assert abs(disk_silence.ends_at - disk_silence.starts_at - timedelta(hours=2)) < timedelta(seconds=5)
        for comment in ("disk cleanup running", "backlog drains by itself"):
            screen.table.select_key(f"am/{comments[comment].id}")
            await pilot.press("e")
            await pilot.pause()
            # Asked first, the silence named (the question wraps at 80 columns).
            assert app.screen.question.startswith(f"Expire silence {comments[comment].id} (")
            assert comment in app.screen.question and comments[comment].id[-12:] in screen_text(app)
            await pilot.press("y")
            await written(app, pilot)
        assert not {s.comment for s in screen.silences.values()} & set(comments)
        await pilot.press("escape")
        await settle(app, pilot)
        assert panel.incident(disk).status == "firing"


@needs_alertmanager
@pytest.mark.integration
async def test_read_only_offers_no_silence_or_expire(config, pair):
    app = app_over(config, pair, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(app, pilot, "i", "incidents")
        panel.table.select_key(alert_key(panel, "HighErrorRate"))
        await pilot.pause()
        bindings = app.screen.active_bindings
        assert "z" not in bindings and "a" not in bindings
        await pilot.press("z")
        await pilot.pause()
        assert len(app.screen_stack) == 1  # no prompt opened
        screen = await open_silences(app, pilot)  # listing silences is a read: still offered
        assert "e" not in screen.active_bindings


# ------------------------------------------------------------ pure arrangement


def alert(id: str, status: str = "firing", **labels: str) -> Incident:
    return Incident(id, id, "P2", status, labels.get("service", ""), NOW, "am", kind="alert", labels=labels,
                    group=f'{{alertname="{labels.get("alertname", "")}"}}')


def test_view_filters_by_state_and_matchers_and_keeps_incidents_out_of_groups():
    incidents = [
        Incident("INC-1", "declared", "P1", "investigating", "api-server", NOW, "log"),
        alert("a1", alertname="A", service="api-server"),
        alert("a2", "silenced", alertname="A", service="auth-service"),
        alert("b1", "inhibited", alertname="B", service="api-server"),
    ]
    view = AlertView()
    assert [i.id for i in view.arrange(incidents)] == ["INC-1", "a1", "a2", "b1"]
    assert [i.id for i in view.next_state().arrange(incidents)] == ["INC-1", "a1"]  # active
    assert [i.id for i in view.next_state().next_state().arrange(incidents)] == ["INC-1", "a2"]
    # Matchers test labels: an incident with none does not match service="api-server".
    assert [i.id for i in view.with_matchers('service="api-server"').arrange(incidents)] == ["a1", "b1"]
    for bad in ("service", 'service=~"("', '{service="x"'):
        with pytest.raises(MatcherError):
            view.with_matchers(bad)
    grouped = view.next_grouping().arrange(incidents)
    assert grouped[0].id == "INC-1"
    assert [(g.key, [a.id for a in g.alerts]) for g in grouped[1:]] == \
        [('{alertname="A"}', ["a1", "a2"]), ('{alertname="B"}', ["b1"])]

    def row(incident, indented):
        return Row(incident.id, (("  " if indented else "") + incident.title,),
                   search_text=" ".join(incident.labels.values()))

    rows = to_rows(grouped, row)
    assert [r.key for r in rows] == ["INC-1", 'group:{alertname="A"}', "a1", "a2", 'group:{alertname="B"}', "b1"]
    header = rows[1]
    assert "2 alerts (1 firing, 1 silenced)" in header.cells[5].plain
    # The header survives a / filter that matches any of its alerts, and only then.
    assert header.matches(["auth-service"]) and not header.matches(["checkout"])
    by_service = view.next_grouping().next_grouping("service").arrange(incidents)
    assert [g.key for g in by_service[1:]] == ['{service="api-server"}', '{service="auth-service"}']


def test_a_groups_alerts_are_indented_under_its_header_as_drawn():
    from cockpit.panels.incidents.rows import COLUMNS, incident_row

    alert = Incident(id="a1", title="  Disk full\x1b[31m", severity="P2", status="firing", service="db",
                     started_at=fixed_clock()(), source="am", kind="alert")
    title = [c.key for c in COLUMNS].index("title")
    assert incident_row(alert, "5m", indented=True).shown_cells[title].plain == "  Disk full"
    assert incident_row(alert, "5m", indented=False).shown_cells[title].plain == "Disk full"
