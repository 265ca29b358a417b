"""`cockpit postmortem new` and `cockpit postmortem check`: a draft with the
incident's facts from any source, then the lint that fails on the unfilled
draft and passes once a person has filled it in."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from cockpit.audit import AuditLog
from cockpit.clock import DEMO_TIME, fixed_clock
from cockpit.cli import main
from cockpit.commands.incident import run_declare, run_note, run_resolve
from cockpit.commands.postmortem import run_postmortem_check, run_postmortem_new
from cockpit.config import load_config
from cockpit.hub import Hub
from cockpit.postmortems.draft import PROMPTS

REPO = Path(__file__).resolve().parent.parent


def write_config(tmp_path: Path, *, demo: bool = False) -> Path:
    sources = [
        f"  - {{kind: catalog, path: {REPO / 'config' / 'services.yaml'}}}",
        f"  - {{kind: incident-log, path: {tmp_path / 'incidents.db'}}}",
    ]
    if demo:
        sources.append(f"  - {{kind: demo, slos: [{REPO / 'config' / 'slos.yaml'}]}}")
    config = tmp_path / "cockpit.yaml"
    config.write_text(f"user: alice\ndata_dir: {tmp_path / 'data'}\naudit_log: {tmp_path / 'audit.jsonl'}\n"
                      f"postmortems: {tmp_path / 'pm'}\nsources:\n" + "\n".join(sources) + "\n", encoding="utf-8")
    return config


def resolved_incident(config: Path, capsys, service: str = "checkout-service") -> str:
    """INC-0001: declared 01:00, a note at 01:20, resolved 01:50 (demo day)."""
    start = DEMO_TIME - timedelta(hours=2)
    assert run_declare(str(config), title="Checkout errors spike", severity="P1", services=[service],
                       commander="bob", clock=fixed_clock(start)) == 0
    incident_id = capsys.readouterr().out.strip()
    assert run_note(str(config), incident_id, "pool exhausted on postgres-primary",
                    clock=fixed_clock(start + timedelta(minutes=20))) == 0
    assert run_resolve(str(config), incident_id, clock=fixed_clock(start + timedelta(minutes=50))) == 0
    capsys.readouterr()
    return incident_id


def section(text: str, name: str) -> str:
    return re.search(rf"^## {name}\n(.*?)(?=^## |\Z)", text, re.S | re.M).group(1)


def test_new_writes_the_draft_with_the_incident_facts(tmp_path, capsys):
    config = write_config(tmp_path)
    incident_id = resolved_incident(config, capsys)

    assert run_postmortem_new(str(config), incident_id, clock=fixed_clock()) == 0
    path = Path(capsys.readouterr().out.strip())
    assert path.parent == tmp_path / "pm" and path.is_file()
    text = path.read_text()
    assert f"incident: {incident_id}" in text
    assert "# Postmortem: Checkout errors spike" in text
    assert "**Severity**: P1" in text
    assert "**Duration**: 2026-11-28 01:00 UTC - 2026-11-28 01:50 UTC (50m)" in text
    assert "checkout-service (owner: payments-team)" in section(text, "Impact")
    timeline = section(text, "Timeline")
    assert "| 01:20 | note (alice): pool exhausted on postgres-primary |" in timeline
    assert timeline.index("01:00") < timeline.index("01:20") < timeline.index("01:50")


def test_out_dir_and_no_overwrite(tmp_path, capsys):
    config = write_config(tmp_path)
    incident_id = resolved_incident(config, capsys)
    out = tmp_path / "elsewhere"
    assert main(["postmortem", "new", "--incident", incident_id, "--out", str(out), "--config", str(config)]) == 0
    path = Path(capsys.readouterr().out.strip())
    assert path.parent == out
    path.write_text("the commander's words")

    assert main(["postmortem", "new", "--incident", incident_id, "--out", str(out), "--config", str(config)]) == 1
    captured = capsys.readouterr()
    assert "exists already" in captured.err and captured.out == ""
    assert path.read_text() == "the commander's words"


def test_unknown_incident_exits_1_naming_it(tmp_path, capsys):
    config = write_config(tmp_path)
    assert run_postmortem_new(str(config), "INC-0404", clock=fixed_clock()) == 1
    captured = capsys.readouterr()
    assert "no incident 'INC-0404'" in captured.err and "incident-log" in captured.err
    assert not (tmp_path / "pm").exists()


def demo_alert(config: Path, service: str):
    hub = Hub.from_config(load_config(config), fixed_clock())
    snapshot = asyncio.run(hub.refresh_all())
    return next(i for i in snapshot.incidents if i.kind == "alert" and i.service == service)


def test_alerts_and_audited_actions_join_the_timeline(tmp_path, capsys):
    config = write_config(tmp_path, demo=True)
    alert = demo_alert(config, "web-frontend")  # firing since before the incident
    AuditLog(tmp_path / "audit.jsonl", fixed_clock(DEMO_TIME - timedelta(hours=1, minutes=30))).append(
        user="carol", action="silence", target=alert.id, source="demo", result="ok: silenced for 2h")
    AuditLog(tmp_path / "audit.jsonl", fixed_clock()).append(
        user="carol", action="silence", target="demo-unrelated", source="demo", result="ok")
    incident_id = resolved_incident(config, capsys, service="web-frontend")

    assert run_postmortem_new(str(config), incident_id, clock=fixed_clock()) == 0
    timeline = section(Path(capsys.readouterr().out.strip()).read_text(), "Timeline")
    assert f"alert firing: {alert.title}" in timeline
    assert f"| 01:30 | action (carol): silence {alert.id} via demo |" in timeline
    assert "demo-unrelated" not in timeline


def test_the_budget_each_slo_burned_is_in_the_impact(tmp_path, capsys):
    config = write_config(tmp_path, demo=True)
    snapshot = asyncio.run(Hub.from_config(load_config(config), fixed_clock()).refresh_all())
    statuses = [s for s in snapshot.slos if s.slo.service == "web-frontend"]
    assert {s.slo.name for s in statuses} == {"web_availability", "web_latency"}
    assert all(s.slo.window == timedelta(days=28) and s.history_end == DEMO_TIME for s in statuses)
    incident_id = resolved_incident(config, capsys, service="web-frontend")

    assert run_postmortem_new(str(config), incident_id, clock=fixed_clock()) == 0
    impact = section(Path(capsys.readouterr().out.strip()).read_text(), "Impact")
    # A 28-day history has a point every 11.2 h: the incident (01:00-01:50) lies
    # between yesterday's 15:48 point (history[-2]) and the 03:00 one (history[-1]).
    latency = next(s for s in statuses if s.slo.name == "web_latency")
    drop = latency.history[-2] - latency.history[-1]
    assert "page-1h" in latency.alerts_firing and drop > 0.1  # the demo's ongoing outage
    # A 50-minute incident between history points 28 d / 60 = 11h12m apart: the draft says what was measured.
    assert (f"- web-frontend web_latency: {drop * 100:.1f}% of the error budget burned during the incident "
            "(measured over the 11h12m around it; simulated by the demo source)") in impact
    assert "- web-frontend web_availability: " in impact


def test_no_budget_line_without_an_slo_source(tmp_path, capsys):
    config = write_config(tmp_path)
    incident_id = resolved_incident(config, capsys, service="web-frontend")
    assert run_postmortem_new(str(config), incident_id, clock=fixed_clock()) == 0
    assert "error budget" not in section(Path(capsys.readouterr().out.strip()).read_text(), "Impact")


def test_an_alert_from_another_source_gets_a_draft_too(tmp_path, capsys):
    config = write_config(tmp_path, demo=True)
    alert = demo_alert(config, "postgres-primary")
    AuditLog(tmp_path / "audit.jsonl", fixed_clock()).append(
        user="carol", action="ack", target=alert.id, source="demo", result="ok")

    assert run_postmortem_new(str(config), alert.id, clock=fixed_clock()) == 0
    text = Path(capsys.readouterr().out.strip()).read_text()
    assert f"incident: {alert.id}" in text and "source: demo" in text
    assert f"action (carol): ack {alert.id} via demo" in section(text, "Timeline")
    assert "postgres-primary (owner: platform-team)" in section(text, "Impact")


def test_check_fails_on_the_draft_then_passes_once_filled_in(tmp_path, capsys):
    config = write_config(tmp_path)
    incident_id = resolved_incident(config, capsys)
    assert run_postmortem_new(str(config), incident_id, clock=fixed_clock()) == 0
    path = capsys.readouterr().out.strip()

    assert main(["postmortem", "check", path]) == 1
    captured = capsys.readouterr()
    problems = captured.out.splitlines()
    assert problems and all(re.match(rf"{re.escape(path)}:\d+: ", line) for line in problems)
    for name in PROMPTS:  # every section only a person can write is named
        assert any(f": {name}: " in line for line in problems), name
    assert any("no owner" in line for line in problems) and any("due date" in line for line in problems)
    assert f"{len(problems)} problems in {path}" in captured.err

    # A person fills in every prompt (the test edits the text).
    text = Path(path).read_text()
    text = text.replace(PROMPTS["Action Items"].split("\n", 2)[2],
                        "| Alert on pool saturation | @platform-team | 2026-12-05 | [ ] |")
    text = re.sub(r"^(\s*(?:- )?(?:\*\*[^*]+\*\*: )?)\[[^\]]+\]$", r"\1written by a person", text, flags=re.M)
    Path(path).write_text(text)

    assert main(["postmortem", "check", path]) == 0
    assert capsys.readouterr().out == f"{path}: OK\n"


@pytest.mark.parametrize("content", [None, b"\xff\xfe\x00binary"])
def test_check_on_unreadable_file_exits_2_without_a_traceback(tmp_path, content):
    path = tmp_path / "pm.md"
    if content is not None:
        path.write_bytes(content)
    result = subprocess.run([sys.executable, "-m", "cockpit.cli", "postmortem", "check", str(path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "cannot read" in result.stderr and "Traceback" not in result.stderr


def test_new_with_a_broken_config_exits_2(tmp_path, capsys):
    config = tmp_path / "cockpit.yaml"
    config.write_text("sources:\n  - {kind: nope}\n")
    assert main(["postmortem", "new", "--incident", "INC-0001", "--config", str(config)]) == 2
    assert f"{config}:2:" in capsys.readouterr().err


def test_check_names_the_missing_sections_of_a_bare_file(tmp_path, capsys):
    path = tmp_path / "pm.md"
    path.write_text("# Postmortem: x\n")
    assert run_postmortem_check(str(path)) == 1
    assert "section missing: add '## Summary'" in capsys.readouterr().out


def audit_lines(tmp_path: Path) -> list[dict]:
    import json

    return [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]


@pytest.mark.parametrize("argv", [
    ["--read-only", "postmortem", "new"],  # the app-wide flag before the command
    ["postmortem", "new", "--read-only"],
])
def test_read_only_refuses_a_new_draft_and_audits_the_refusal(tmp_path, capsys, argv):
    config = write_config(tmp_path)
    incident_id = resolved_incident(config, capsys)
    assert main([*argv, "--incident", incident_id, "--config", str(config)]) == 1
    assert "Read-only mode" in capsys.readouterr().err
    assert not (tmp_path / "pm").exists()
    last = audit_lines(tmp_path)[-1]
    assert (last["action"], last["user"], last["result"]) == ("postmortem.create", "alice", "refused: read-only mode")


def test_a_new_draft_is_audited_and_owner_only(tmp_path, capsys):
    config = write_config(tmp_path)
    incident_id = resolved_incident(config, capsys)
    assert run_postmortem_new(str(config), incident_id, clock=fixed_clock()) == 0
    draft = Path(capsys.readouterr().out.strip())
    assert draft.stat().st_mode & 0o777 == 0o600 and draft.parent.stat().st_mode & 0o777 == 0o700
    last = audit_lines(tmp_path)[-1]
    assert (last["action"], last["target"], last["result"]) == ("postmortem.create", str(draft), "ok")
