"""`cockpit status`: the JSON contract, failing sources, config errors, and
the bundled default end to end."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from cockpit.hub import Hub
from cockpit.model import (ADR, SLO, EscalationStep, Flag, Incident, OnCall, Runbook, Service, Snapshot, SourceData,
                           SourceHealth, SLOStatus)
from cockpit.sources.base import Source, SourceContext, SourceSpec, TransientSourceError
from cockpit.commands.status import run_status, snapshot_to_json, summary
from cockpit.doc_freshness import OwnedDocument

T0 = datetime(2026, 11, 28, 3, 0, 0, tzinfo=timezone.utc)
REPO = Path(__file__).resolve().parent.parent

KEYS = {
    "services": {"name", "owner", "primary_contact", "escalation_path", "on_call", "depends_on", "runbooks", "dr"},
    "slos": {"service", "unowned", "name", "objective", "sli", "budget_remaining", "burn_rates", "tier", "alerts_firing",
             "exhaustion_eta_s", "data", "window"},
    "incidents": {"id", "title", "severity", "status", "service", "started_at", "source", "silenced",
                  "acknowledged", "instances", "runbook", "labels"},
    "runbooks": {"path", "title", "owner", "last_validated", "stale"},
    "sources": {"name", "kind", "state", "ok", "error", "warnings", "fetched_at"},
    "oncall": {"service", "escalation_policy", "level", "user", "until"},
    "flags": {"key", "service", "state", "default_variant", "value", "kill_switch", "targeted", "file", "line",
              "source"},
    "docs": {"kind", "title", "ref", "owner", "last_validated", "next_review", "stale", "stale_reason"},
    "adrs": {"number", "key", "path", "title", "status", "date", "deciders", "tags", "services", "supersedes",
             "superseded_by", "owner", "last_validated"},
}
DOCS = (OwnedDocument("runbooks", "Restart", "api-server/restart.md", "backend-team", date(2026, 11, 1),
                      date(2026, 11, 8), "20 days overdue"),)


def full_snapshot() -> Snapshot:
    slo = SLO(service="api-server", name="availability", objective=0.999, window=timedelta(days=30))
    return Snapshot(
        taken_at=T0,
        services=(Service(
            name="api-server", owner="backend-team", primary_contact="@lead", on_call=True,
            escalation_path=(EscalationStep(2, "@manager", timedelta(minutes=15)), EscalationStep(1, "@lead",
                                                                                                  timedelta(0))),
            depends_on=("postgres-primary",), runbooks=("runbooks/api-server/",)),),
        slos=(SLOStatus(slo=slo, sli_value=0.9995, budget_remaining=0.5,
                        burn_rates={"1h": 2.0, "5m": math.nan, "6h": None}, alerts_firing=("page-1h",),
                        exhaustion_eta_s=math.inf, tier="warning"),),
        incidents=(Incident(id="INC-1", title="API 5xx", severity="P1", status="investigating",
                            service="api-server", started_at=T0 - timedelta(minutes=20), source="incident-log",
                            labels={"team": "backend"}, instances=("am-a", "am-b"), runbook="high-error-rate.md"),),
        runbooks=(Runbook(path="api-server/restart.md", title="Restart", body="", owner="backend-team",
                          last_validated=date(2026, 11, 1)),
                  Runbook(path="fresh.md", title="Fresh", body="", last_validated=date(2026, 11, 27))),
        oncall=(OnCall(service="api-server", escalation_policy="Backend", level=1, user="Ann",
                       until=T0 + timedelta(hours=8)),),
        flags=(Flag("express-pay", "ENABLED", {"on": True, "off": False}, "on", service="api-server",
                    kill_switch=True, file="flags/checkout.flagd.json", line=8, source="flags"),),
        adrs=(ADR(2, "0002-old.md", "Old", "", status="superseded", date=date(2026, 2, 3), deciders=("Data Team",),
                  tags=("events",), services=("api-server",), owner="@data", last_validated=date(2026, 10, 1)),
              ADR(5, "0005-new.md", "New", "", status="accepted", supersedes=(2,))),
        sources=(SourceHealth(name="catalog", kind="catalog", state="ok", fetched_at=T0),
                 SourceHealth(name="prom", kind="prometheus", state="failing", error="connection refused")),
    )


def test_json_has_exactly_the_documented_keys():
    document = snapshot_to_json(full_snapshot(), DOCS)
    assert set(document) == set(KEYS)
    for section, keys in KEYS.items():
        assert document[section], section
        for entry in document[section]:
            assert set(entry) == keys, section


def test_json_values():
    document = snapshot_to_json(full_snapshot())
    service = document["services"][0]
    assert service["escalation_path"] == ["@lead", "@manager"]  # by level
    slo = document["slos"][0]
    assert slo["window"] == "30d" and slo["sli"] == 0.9995 and slo["alerts_firing"] == ["page-1h"]
    assert slo["burn_rates"] == {"1h": 2.0, "5m": None, "6h": None}  # NaN -> null
    assert slo["exhaustion_eta_s"] is None  # infinity -> null
    incident = document["incidents"][0]
    assert incident["started_at"] == "2026-11-28T02:40:00+00:00"
    assert incident["instances"] == ["am-a", "am-b"] and incident["labels"] == {"team": "backend"}
    assert [r["stale"] for r in document["runbooks"]] == [True, False]  # 27 days vs 1 day since validated
    assert document["runbooks"][0]["last_validated"] == "2026-11-01"
    [doc] = snapshot_to_json(full_snapshot(), DOCS)["docs"]
    assert doc["next_review"] == "2026-11-08" and doc["stale"] is True
    assert doc["stale_reason"] == "20 days overdue"
    assert document["sources"][1] == {"name": "prom", "kind": "prometheus", "state": "failing", "ok": False,
                                      "error": "connection refused", "warnings": [], "fetched_at": None}
    assert document["oncall"][0]["until"] == "2026-11-28T11:00:00+00:00"
    assert document["flags"] == [{"key": "express-pay", "service": "api-server", "state": "ENABLED",
                                  "default_variant": "on", "value": True, "kill_switch": True, "targeted": False,
                                  "file": "flags/checkout.flagd.json", "line": 8, "source": "flags"}]
    old, new = document["adrs"]
    assert old == {"number": 2, "key": "ADR-0002", "path": "0002-old.md", "title": "Old", "status": "superseded",
                   "date": "2026-02-03", "deciders": ["Data Team"], "tags": ["events"], "services": ["api-server"],
                   "supersedes": [], "superseded_by": ["ADR-0005"],  # written only in ADR-0005: followed back
                   "owner": "@data", "last_validated": "2026-10-01"}
    assert (new["supersedes"], new["date"], new["last_validated"]) == (["ADR-0002"], None, None)
    text = json.dumps(document, allow_nan=False)  # raises if any NaN survived
    assert "NaN" not in text and "Infinity" not in text


def test_an_slo_of_a_service_the_catalog_lacks_is_kept_and_marked_unowned():
    snapshot = full_snapshot()
    ghost = SLOStatus(slo=SLO(service="monitoring", name="apiserver-read-response-errors", objective=0.99,
                              window=timedelta(days=14)), sli_value=None, budget_remaining=None)
    document = snapshot_to_json(replace(snapshot, slos=(*snapshot.slos, ghost)))
    assert [(s["service"], s["unowned"]) for s in document["slos"]] == [("api-server", False), ("monitoring", True)]


def test_summary_prints_escape_free_text():
    snapshot = full_snapshot()
    evil = Incident(id="X", title="\x1b[2Jwiped", severity="P0", status="investigating", service="",
                    started_at=T0, source="am")
    simulated = Incident(id="D", title="budget burn", severity="P2", status="firing", service="api-server",
                         started_at=T0, source="demo", demo=True)
    text = summary(Snapshot(taken_at=T0, incidents=(evil, simulated), sources=snapshot.sources))
    assert "\x1b" not in text and "wiped" in text and "unowned" in text
    assert "budget burn [demo]" in text and "wiped [demo]" not in text
    assert "FAILING: connection refused" in text


class Flaky(Source):
    kind = "flaky"

    def __init__(self, name: str, fail: bool, warnings: tuple[str, ...] = ()) -> None:
        spec = SourceSpec(kind="flaky", name=name, refresh=timedelta(seconds=30), timeout=timedelta(seconds=5),
                          options={}, base_dir=Path("."))
        super().__init__(spec, SourceContext(clock=lambda: T0))
        self.fail = fail
        self.warnings = warnings

    async def fetch(self) -> SourceData:
        if self.fail:
            raise TransientSourceError("connection refused")
        return SourceData(services=(Service(name="api-server", owner="backend-team"),), warnings=self.warnings)


async def test_a_source_with_warnings_is_degraded_and_not_ok():
    hub = Hub([Flaky("partial", False, ("am-b: timed out after 5s",))], clock=lambda: T0)
    snapshot = await hub.refresh_all()
    [source] = snapshot_to_json(snapshot)["sources"]
    assert (source["state"], source["ok"], source["error"]) == ("degraded", False, "")
    assert source["warnings"] == ["am-b: timed out after 5s"]
    text = summary(snapshot)
    assert "source partial (flaky): degraded" in text and "  warning: am-b: timed out after 5s" in text


async def test_a_failing_source_is_listed_with_its_error_and_the_rest_is_printed():
    async def no_wait(seconds):
        pass

    hub = Hub([Flaky("good", False), Flaky("bad", True)], clock=lambda: T0, sleep=no_wait)
    document = snapshot_to_json(await hub.refresh_all())
    assert [s["name"] for s in document["services"]] == ["api-server"]
    by_name = {s["name"]: s for s in document["sources"]}
    assert by_name["good"]["ok"] is True and by_name["good"]["fetched_at"] == T0.isoformat()
    assert by_name["bad"] == {"name": "bad", "kind": "flaky", "state": "failing", "ok": False,
                              "error": "connection refused", "warnings": [], "fetched_at": None}


def test_config_error_exits_2_with_file_line_problems(tmp_path, capsys):
    config = tmp_path / "cockpit.yaml"
    config.write_text("refresh: 30s\nsources:\n  - {kind: no-such-kind}\n")
    assert run_status(str(config), as_json=True) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"{config}:3: sources[0].kind:" in captured.err


def test_status_on_a_small_config_prints_json_and_exits_0(tmp_path, capsys):
    (tmp_path / "services.yaml").write_text(
        "services:\n  api-server:\n    owner: backend-team\n    primary_contact: '@lead'\n"
        "    escalation_path: ['@lead', '@manager']\n")
    config = tmp_path / "cockpit.yaml"
    config.write_text(f"data_dir: {tmp_path / 'data'}\nsources:\n  - {{kind: catalog, path: services.yaml}}\n"
                      "  - {kind: catalog, name: broken, path: missing.yaml}\n")
    assert run_status(str(config), as_json=True) == 0
    document = json.loads(capsys.readouterr().out)
    assert [(s["name"], s["escalation_path"]) for s in document["services"]] == [
        ("api-server", ["@lead", "@manager"])]
    by_name = {s["name"]: s for s in document["sources"]}
    assert by_name["catalog"]["ok"] is True
    assert by_name["broken"]["ok"] is False and by_name["broken"]["error"]


def test_bundled_default_end_to_end(tmp_path):
    """`cockpit status --json` on the bundled default shows every kind of thing."""
    env = {**os.environ, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_CONFIG_HOME": str(tmp_path / "config")}
    env.pop("COCKPIT_CONFIG", None)
    done = subprocess.run([sys.executable, "-m", "cockpit.cli", "status", "--json"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    for section in ("services", "slos", "incidents", "runbooks"):
        assert document[section], f"{section} is empty; sources: {document['sources']}"
    assert all(source["ok"] for source in document["sources"]), document["sources"]
