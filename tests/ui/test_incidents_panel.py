"""The incidents panel, driven by keys: table order, detail, joins, and the
commander's writes against a real incident log."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from cockpit.ui.app import make_app
from cockpit.audit import AuditLog
from cockpit.clipboard import osc52
from cockpit.clock import fixed_clock
from cockpit.hub import Hub
from cockpit.model import Incident, Runbook, SourceData
from cockpit.sources.base import SourceContext, SourceSpec
from cockpit.sources.incident_log.source import IncidentLogSource
from tests.ui.helpers import screen_text
from tests.ui.conftest import CannedSource, MALICIOUS, NOW, catalog, demo_data, keys_done, open_panel, settle

SIZE = (120, 36)


def panel_text(app) -> str:
    return app.query_one("#incident-detail-body").render().plain


def incident_log(tmp_path: Path, user: str = "tester") -> IncidentLogSource:
    spec = SourceSpec(kind="incident-log", name="incident-log", refresh=timedelta(hours=1),
                      timeout=timedelta(seconds=10), options={"path": str(tmp_path / "incidents.db")},
                      base_dir=tmp_path)
    return IncidentLogSource(spec, SourceContext(clock=fixed_clock(), user=user, data_dir=tmp_path,
                                                 settings={"host": "bastion-1"}))


def world(extra: tuple[Incident, ...] = ()) -> SourceData:
    data = demo_data()
    return SourceData(slos=data.slos, incidents=data.incidents + extra, oncall=data.oncall)


def app_with(config, *sources, read_only=False):
    hub = Hub(list(sources), clock=fixed_clock(), read_only=read_only, user=config.user)
    return make_app(config, hub=hub, clock=fixed_clock())


async def test_table_sorted_by_severity_then_age_with_unowned_and_flags(config):
    extra = (
        Incident("a-p0", "Everything down", "P0", "firing", "", NOW - timedelta(minutes=2), "am",
                 kind="alert", silenced=True),
        Incident("a-old-p2", "Old P2", "P2", "firing", "auth-service", NOW - timedelta(hours=3), "am",
                 kind="alert", acknowledged=True),
        Incident("done", "Resolved one", "P0", "resolved", "api-server", NOW - timedelta(hours=1), "am",
                 resolved_at=NOW - timedelta(minutes=30)),
    )
    app = app_with(config, CannedSource("catalog", catalog()), CannedSource("demo", world(extra), demo=True))
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(app, pilot, "i", "incidents")
        assert panel.table.shown_keys == ["am/a-p0", "incident-log/INC-7", "am/a-old-p2", "demo/ALERT-1"]
        table = panel.table.table
        cells = {key: {c.key: v for c, v in zip(panel.table.columns, table.get_row(key))}
                 for key in panel.table.shown_keys}
        assert cells["am/a-p0"]["service"].plain == "unowned"
        assert "silenced" in cells["am/a-p0"]["flags"].plain
        assert "ack" in cells["am/a-old-p2"]["flags"].plain
        assert "DEMO" in cells["demo/ALERT-1"]["flags"].plain
        # h shows recently resolved incidents too (to draft postmortems from).
        await pilot.press("h")
        await pilot.pause()
        assert "am/done" in panel.table.shown_keys


async def test_detail_escalation_oncall_timeline_literal_labels_and_joins(config):
    hostile = Incident("a-1", MALICIOUS, "P1", "firing", "api-server", NOW - timedelta(minutes=20), "am",
                       kind="alert", labels={"alertname": MALICIOUS}, annotations={"runbook": "high-error-rate"})
    app = app_with(config, CannedSource("catalog", catalog()), CannedSource("demo", world((hostile,)), demo=True))
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(app, pilot, "i", "incidents")
        panel.table.select_key("am/a-1")
        await pilot.press("enter")
        await pilot.pause()
        text = panel_text(app)
        # 20 minutes unacknowledged: past the 15-minute L2 threshold, not yet L3 (1 h).
        assert "escalate to @backend-lead now" in text
        assert "on call: L1 alice" in text
        assert "[bold]x[/] red" in text and "\x1b" not in text  # markup shown literally, escapes gone
        assert "alertname = [bold]x[/] red" in text
        assert "API high error rate (api-server/high-error-rate.md)" in text
        await pilot.press("escape")
        await pilot.pause()
        assert panel.detail_id is None
        # Joins: the incident's runbook, then its service card.
        panel.table.select_key("incident-log/INC-7")
        await pilot.press("u")
        await pilot.pause()
        runbooks = app.query_one("#runbooks")
        assert app.current_panel is runbooks and runbooks.open_path == "api-server/high-error-rate.md"
        await pilot.press("i")
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        assert app.current_panel.panel_id == "services"


async def test_declare_note_status_resolve_flow_against_the_incident_log(config, tmp_path):
    log = incident_log(tmp_path)
    alert = Incident("fp-1", "Disk filling", "P3", "firing", "postgres-primary", NOW, "am", kind="alert")
    app = app_with(config, CannedSource("catalog", catalog()), CannedSource("am", SourceData(incidents=(alert,))), log)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(app, pilot, "i", "incidents")
        bindings = app.screen.active_bindings
        assert {"d", "R", "n", "t", "x"} <= set(bindings)  # writable: every write offered...
        assert bindings["d"].enabled  # ...but the alert's source takes no notes, nor roles
        assert panel.unavailable("note") == ("fp-1 is an alert from am, which cannot take notes. "
                                             "Declare an incident (d) to track it.")
        assert panel.unavailable("role").startswith("fp-1 is an alert from am, which cannot assign roles.")
        await pilot.press("d")
        await pilot.pause()
        await pilot.press(*"Login failures", "enter")  # enter on the title moves on, to severity
        await pilot.press("enter", "up", "enter")  # P2 (the default) -> P1
        await pilot.press("tab", "enter", *"auth", "enter")  # type to search the catalog
        await pilot.press("tab", "enter")  # commander: defaults to the user
        await keys_done(app, pilot)
        await pilot.pause()
        stored = await log.get("INC-0001")
        assert (stored.title, stored.severity, stored.services, stored.commander) == \
            ("Login failures", "P1", ("auth-service",), "tester")
        assert panel.detail_id == "incident-log/INC-0001"  # the new incident is opened

        await pilot.press("n")
        await pilot.pause()
        # tab: the shared prompts are not focused on open yet (app AUTO_FOCUS = None); reported.
        await pilot.press("tab", *"rolled back auth deploy", "enter")
        await keys_done(app, pilot)
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        await pilot.press("tab", "down", "down", "enter")  # investigating -> monitoring
        await keys_done(app, pilot)
        await pilot.pause()
        stored = await log.get("INC-0001")
        assert stored.status == "monitoring"
        assert [e.kind for e in stored.timeline] == ["declared", "note", "status"]
        assert stored.timeline[1].text == "rolled back auth deploy"
        assert "rolled back auth deploy" in panel_text(app)  # the detail shows the refreshed timeline

        await pilot.press("x")  # asks first, the incident named
        await pilot.pause()
        assert "Resolve INC-0001 (P1) Login failures in incident-log?" in screen_text(app)
        await pilot.press("y")
        await keys_done(app, pilot)
        await pilot.pause()
        assert (await log.get("INC-0001")).status == "resolved"


async def test_read_only_hides_every_write_binding(config, tmp_path):
    app = app_with(config, CannedSource("catalog", catalog()), incident_log(tmp_path), read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await open_panel(app, pilot, "i", "incidents")
        keys = set(app.screen.active_bindings)
        assert not keys & {"d", "R", "n", "t", "x"}
        assert {"c", "u", "m"} <= keys
        for key in ("d", "R"):
            await pilot.press(key)
            await pilot.pause()
            assert len(app.screen_stack) == 1  # no form, no prompt opened


async def test_roles_from_the_declare_form_and_the_role_key_against_the_incident_log(config, tmp_path):
    log = incident_log(tmp_path)
    audit = tmp_path / "audit.jsonl"
    hub = Hub([CannedSource("catalog", catalog()), log], clock=fixed_clock(), user=config.user,
              audit=AuditLog(audit, fixed_clock()))
    app = make_app(config, hub=hub, clock=fixed_clock())
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(app, pilot, "i", "incidents")
        await pilot.press("d")
        await pilot.pause()
        await pilot.press(*"Checkout errors", "enter", "enter", "enter")  # severity: P2 kept
        await pilot.press("tab", "tab", "tab", *"carol", "enter")  # no service, commander: the user, scribe
        await keys_done(app, pilot)
        await pilot.pause()
        stored = await log.get("INC-0001")
        assert dict(stored.roles) == {"commander": "tester", "scribe": "carol"}
        assert panel.detail_id == "incident-log/INC-0001"
        # The incident and its roles were one write: one audit line, one timeline entry.
        assert [(e["action"], e["target"]) for e in map(json.loads, audit.read_text().splitlines())] == \
            [("declare", "INC-0001")]
        assert [e.kind for e in stored.timeline] == ["declared"]
        assert stored.timeline[0].text.endswith("; commander tester, scribe carol")

        await pilot.press("R")  # comms, whoever asks by default
        await pilot.pause()
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        await pilot.press("enter")
        await keys_done(app, pilot)
        await pilot.pause()
        assert "tester is comms of INC-0001" in [n.message for n in app._notifications]
        await pilot.press("R")  # a new scribe, typed over the default
        await pilot.pause()
        await pilot.press("down", "enter")
        await pilot.pause()
        await pilot.press("ctrl+u", *"dave", "enter")
        await keys_done(app, pilot)
        await pilot.pause()

        stored = await log.get("INC-0001")
        assert dict(stored.roles) == {"commander": "tester", "scribe": "dave", "comms": "tester"}
        assert [(e.kind, e.text) for e in stored.timeline if e.kind == "role"] == \
            [("role", "Comms: tester"), ("role", "Scribe: dave")]
        text = panel_text(app)  # the detail, refreshed: the roles and their changes on the timeline
        assert "Commander     tester" in text and "Scribe        dave" in text and "Comms         tester" in text
        assert "carol" not in text.split("Timeline")[0]
        assert "role     tester@bastion-1  Scribe: dave" in text  # who, from which host


def test_snapshot(snap_compare, config, tmp_path):
    app = app_with(config, CannedSource("catalog", catalog()), CannedSource("demo", world(), demo=True),
                   incident_log(tmp_path))

    async def run_before(pilot):
        await settle(app, pilot)
        await pilot.press("i")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


class PagerDutyLike(CannedSource):
    """Canned incidents with PagerDuty's writes, recording what it was asked."""

    actions = frozenset({"ack", "resolve", "note"})

    def __init__(self, data: SourceData) -> None:
        super().__init__("pagerduty", data)
        self.performed: list = []

    async def perform(self, action):
        from cockpit.writes import ActionResult
        self.performed.append(action)
        return ActionResult(True, f"{action.name} sent for {action.target}", action.target)


async def test_pagerduty_ack_resolve_note_go_to_their_source_and_are_notified(config):
    pd = PagerDutyLike(SourceData(incidents=(
        Incident("PD1", "Checkout down", "P1", "triggered", "checkout-service", NOW - timedelta(minutes=3),
                 "pagerduty"),)))
    app = app_with(config, CannedSource("catalog", catalog()), pd)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(app, pilot, "i", "incidents")
        panel.table.select_key("pagerduty/PD1")
        await pilot.pause()
        bindings = app.screen.active_bindings
        assert bindings["a"].enabled and bindings["x"].enabled and "z" not in bindings  # nothing here silences
        await pilot.press("a")
        await keys_done(app, pilot)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("tab", *"looking", "enter")
        await keys_done(app, pilot)
        await pilot.press("x", "y")
        await keys_done(app, pilot)
        await pilot.pause()
        assert [(a.name, a.target, dict(a.params)) for a in pd.performed] == \
            [("ack", "PD1", {}), ("note", "PD1", {"text": "looking"}), ("resolve", "PD1", {})]
        assert "resolve sent for PD1" in [n.message for n in app._notifications]


async def test_u_opens_the_local_runbook_an_external_runbook_url_matches_by_its_path(config):
    """kube-prometheus links runbooks.prometheus-operator.dev/runbooks/<group>/<alert>;
    a team keeping copies as <group>/<alert>.md gets them opened by u."""
    crashloop = Incident("a-crash", "KubePodCrashLooping: Pod is crash looping.", "P3", "firing", "api-server", NOW,
                         "am", kind="alert",
                         runbook="https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubepodcrashlooping")
    data = catalog()
    local = Runbook("kubernetes/KubePodCrashLooping.md", "Pod crash looping", "# Crash loop\n", "platform-team")
    data = SourceData(services=data.services, runbooks=data.runbooks + (local,))
    app = app_with(config, CannedSource("catalog", data), CannedSource("am", SourceData(incidents=(crashloop,))))
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(app, pilot, "i", "incidents")
        panel.table.select_key("am/a-crash")
        await pilot.press("enter")
        await pilot.pause()
        assert "Pod crash looping (kubernetes/KubePodCrashLooping.md) [u opens it]" in panel_text(app)
        await pilot.press("u")
        await pilot.pause()
        runbooks = app.query_one("#runbooks")
        assert app.current_panel is runbooks and runbooks.open_path == "kubernetes/KubePodCrashLooping.md"


async def test_u_on_an_alert_whose_runbook_url_matches_nothing_copies_it_not_the_services_runbook(config):
    """The alert's own runbook_url wins over its service's runbook: u must not
    open postgres-primary's failover runbook for a replication-lag alert."""
    url = "https://wiki.example/display/DBA/Postgres+replication+lag"
    lag = Incident("a-lag", "PostgresReplicationLag", "P2", "firing", "postgres-primary", NOW, "am", kind="alert",
                   runbook=url)
    app = app_with(config, CannedSource("catalog", catalog()), CannedSource("am", SourceData(incidents=(lag,))))
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(app, pilot, "i", "incidents")
        written: list[str] = []
        app._driver.write = written.append
        panel.table.select_key("am/a-lag")
        await pilot.press("u")
        await pilot.pause()
        assert app.current_panel is panel  # the service's runbook (Postgres failover) is not opened
        assert osc52(url) in written
        [message] = [n.message for n in app._notifications]
        assert message == f"No local runbook matches; copied to the clipboard: {url}"
        assert "No runbook" not in message


async def test_runbook_annotation_opens_the_local_runbook_else_the_url_is_copied(config):
    local = Incident("a-local", "Errors", "P2", "firing", "", NOW, "am", kind="alert",
                     runbook="https://git.example/ops/runbooks/postgres-primary/failover.md")
    remote = Incident("a-remote", "Latency", "P2", "firing", "", NOW, "am", kind="alert",
                      runbook="https://wiki.example/x/latency")
    app = app_with(config, CannedSource("catalog", catalog()),
                   CannedSource("am", SourceData(incidents=(local, remote))))
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(app, pilot, "i", "incidents")
        written: list[str] = []
        app._driver.write = written.append
        panel.table.select_key("am/a-remote")
        await pilot.press("enter")
        await pilot.pause()
        assert "https://wiki.example/x/latency [u or y copies the URL]" in panel_text(app)
        await pilot.press("y")
        await pilot.pause()
        assert osc52("https://wiki.example/x/latency") in written
        await pilot.press("escape")
        panel.table.select_key("am/a-local")
        await pilot.press("enter")
        await pilot.pause()
        assert "Postgres failover (postgres-primary/failover.md) [u opens it]" in panel_text(app)
        await pilot.press("u")
        await pilot.pause()
        assert app.query_one("#runbooks").open_path == "postgres-primary/failover.md"


async def test_an_alert_whose_labels_name_no_catalog_service_is_shown_unowned_with_its_label(config):
    """service="kube-state-metrics" is the Kubernetes Service that exported the
    series: shown as unowned with that label, never as if it were a service."""
    ksm = Incident("a-ksm", "KubeStateMetricsListErrors", "P1", "firing", "kube-state-metrics", NOW, "am",
                   kind="alert", labels={"alertname": "KubeStateMetricsListErrors", "service": "kube-state-metrics",
                                         "job": "kube-state-metrics"})
    app = app_with(config, CannedSource("catalog", catalog()), CannedSource("am", SourceData(incidents=(ksm,))))
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(app, pilot, "i", "incidents")
        cells = dict(zip((c.key for c in panel.table.columns), panel.table.table.get_row("am/a-ksm")))
        assert cells["service"].plain == 'unowned (service="kube-state-metrics")'
        panel.table.select_key("am/a-ksm")
        await pilot.press("c")
        await pilot.pause()
        assert app.current_panel is panel
        assert [n.message for n in app._notifications] == [
            'This incident is unowned: service="kube-state-metrics" names no catalog service.']
