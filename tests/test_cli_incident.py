"""`cockpit incident declare|note|status|resolve`: the id contract, writes
through the hub (read-only refusal, audit log), validation, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cockpit.audit import verify
from cockpit.cli import main
from cockpit.sources.incident_log import IncidentStore

REPO = Path(__file__).resolve().parent.parent


def write_config(backend, tmp_path: Path, *extra: str, incident_log: bool = True) -> Path:
    """A config that keeps every file in tmp_path (never the user's data dir)."""
    lines = [
        "user: alice",
        f"data_dir: {tmp_path / 'data'}",
        f"audit_log: {tmp_path / 'audit.jsonl'}",
        "sources:",
        f"  - {{kind: catalog, path: {REPO / 'config' / 'services.yaml'}}}",
    ]
    if incident_log:
        lines.append(f"  - {backend.yaml}")
    path = tmp_path / "cockpit.yaml"
    path.write_text("\n".join([*extra, *lines]) + "\n", encoding="utf-8")
    return path


def stored(backend, incident_id: str):
    return backend.get(incident_id)


def audit_lines(tmp_path: Path) -> list[dict]:
    path = tmp_path / "audit.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def declare(config: Path, capsys, *args: str) -> str:
    code = main(["incident", "declare", "--title", "Checkout 5xx", "--severity", "P1",
                 "--service", "checkout-service", "--config", str(config), *args])
    out = capsys.readouterr().out
    assert code == 0, out
    return out


def test_declare_prints_only_the_new_id(backend, tmp_path, capsys):
    config = write_config(backend, tmp_path)
    out = declare(config, capsys, "--service", "payments-gateway", "--commander", "bob")
    incident_id = out.strip()
    assert out == incident_id + "\n"
    incident = stored(backend, incident_id)
    assert (incident.title, incident.severity, incident.commander) == ("Checkout 5xx", "P1", "bob")
    assert incident.services == ("checkout-service", "payments-gateway")
    # A second declaration gets a different id.
    assert declare(config, capsys).strip() != incident_id


def test_commander_defaults_to_the_config_user(backend, tmp_path, capsys):
    config = write_config(backend, tmp_path)
    assert stored(backend, declare(config, capsys).strip()).commander == "alice"


def test_note_status_resolve_change_the_incident(backend, tmp_path, capsys):
    config = write_config(backend, tmp_path)
    incident_id = declare(config, capsys).strip()

    assert main(["incident", "note", incident_id, "rolled back v1.2", "--config", str(config)]) == 0
    assert main(["incident", "status", incident_id, "monitoring", "--config", str(config)]) == 0
    assert stored(backend, incident_id).status == "monitoring"
    assert main(["incident", "resolve", incident_id, "--config", str(config)]) == 0

    out = capsys.readouterr().out.splitlines()
    assert all(incident_id in line for line in out) and len(out) == 3
    incident = stored(backend, incident_id)
    assert incident.status == "resolved" and incident.resolved_at is not None
    notes = [e for e in incident.timeline if e.kind == "note"]
    assert [(n.text, n.author) for n in notes] == [("rolled back v1.2", "alice")]


@pytest.mark.parametrize("how", ["flag after", "flag before", "config"])
def test_read_only_refuses_and_audits_the_refusal(backend, tmp_path, capsys, how):
    config = write_config(backend, tmp_path)
    incident_id = declare(config, capsys).strip()
    if how == "config":
        config = write_config(backend, tmp_path, "read_only: true")
    argv = ["incident", "note", incident_id, "should not land", "--config", str(config)]
    argv = {"flag after": argv + ["--read-only"], "flag before": ["--read-only"] + argv, "config": argv}[how]

    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "read-only" in err and "nothing was changed" in err
    assert not [e for e in stored(backend, incident_id).timeline if e.kind == "note"]
    last = audit_lines(tmp_path)[-1]
    assert (last["action"], last["target"], last["user"]) == ("note", incident_id, "alice")
    assert last["result"].startswith("failed") and "read-only" in last["result"]


def test_read_only_refuses_declare_too(backend, tmp_path, capsys):
    config = write_config(backend, tmp_path, "read_only: true")
    code = main(["incident", "declare", "--title", "T", "--severity", "P2", "--service", "api-server",
                 "--config", str(config)])
    captured = capsys.readouterr()
    assert code == 1 and captured.out == ""
    assert backend.listed() == ()
    assert audit_lines(tmp_path)[-1]["action"] == "declare"


@pytest.mark.parametrize("argv, expected", [
    (["declare", "--title", "T", "--severity", "P7", "--service", "api-server"], "unknown severity 'P7'"),
    (["declare", "--title", " ", "--severity", "P1", "--service", "api-server"], "title is required"),
    (["status", "{id}", "fixing"], "unknown status 'fixing'"),
    (["note", "INC-9999", "hello"], "no incident INC-9999"),
    (["resolve", "INC-9999"], "no incident INC-9999"),
])
def test_validation_errors_exit_1_with_a_clear_message(backend, tmp_path, capsys, argv, expected):
    config = write_config(backend, tmp_path)
    incident_id = declare(config, capsys).strip()
    before = stored(backend, incident_id)
    argv = [arg.replace("{id}", incident_id) for arg in argv]

    assert main(["incident", *argv, "--config", str(config)]) == 1
    captured = capsys.readouterr()
    assert expected in captured.err and captured.out == ""
    assert stored(backend, incident_id) == before
    assert stored(backend, "INC-0002") is None


def test_audit_verify_passes_after_headless_writes(backend, tmp_path, capsys):
    config = write_config(backend, tmp_path)
    incident_id = declare(config, capsys).strip()
    main(["incident", "note", incident_id, "first", "--config", str(config)])
    main(["incident", "note", "INC-4242", "refused", "--config", str(config)])
    main(["incident", "resolve", incident_id, "--config", str(config), "--read-only"])
    main(["incident", "resolve", incident_id, "--config", str(config)])
    capsys.readouterr()

    entries = audit_lines(tmp_path)
    assert [(e["action"], e["result"].split(":")[0]) for e in entries] == [
        ("declare", "ok"), ("note", "ok"), ("note", "failed"), ("resolve", "failed"), ("resolve", "ok")]
    assert main(["audit", "verify", "--config", str(config)]) == 0
    assert "5 lines, chain intact" in capsys.readouterr().out

    log = tmp_path / "audit.jsonl"
    lines = log.read_text().splitlines()
    log.write_text("\n".join(lines[:1] + lines[2:]) + "\n")  # drop the second line
    assert not verify(log).ok


def test_audit_log_failure_is_a_warning_and_the_id_still_printed(backend, tmp_path, capsys):
    config = write_config(backend, tmp_path)
    (tmp_path / "audit.jsonl").mkdir()  # the log cannot be written
    code = main(["incident", "declare", "--title", "T", "--severity", "P3", "--service", "api-server",
                 "--config", str(config)])
    captured = capsys.readouterr()
    assert code == 0
    assert captured.out == "INC-0001\n"
    assert "WARNING: audit log not written" in captured.err


def test_no_incident_log_source_exits_2(tmp_path, capsys):
    config = write_config(None, tmp_path, incident_log=False)
    assert main(["incident", "resolve", "INC-0001", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "no incident-log source" in err and str(config) in err


def test_first_incident_log_source_is_used(tmp_path, capsys):
    config = write_config(None, tmp_path, incident_log=False)
    with config.open("a") as f:
        f.write(f"  - {{kind: incident-log, name: first, path: {tmp_path / 'incidents.db'}}}\n"
                f"  - {{kind: incident-log, name: second, path: {tmp_path / 'other.db'}}}\n")
    incident_id = declare(config, capsys).strip()
    assert IncidentStore(tmp_path / "incidents.db").get(incident_id, "x") is not None
    assert IncidentStore(tmp_path / "other.db").get(incident_id, "x") is None
    assert audit_lines(tmp_path)[-1]["source"] == "first"


def test_broken_config_exits_2_naming_the_line(tmp_path, capsys):
    config = tmp_path / "cockpit.yaml"
    config.write_text("sources:\n  - {kind: incident-log, bogus: 1}\n")
    assert main(["incident", "note", "INC-0001", "x", "--config", str(config)]) == 2
    assert f"{config}:2:" in capsys.readouterr().err


def test_real_process_prints_the_id_and_never_a_traceback(backend, tmp_path):
    config = write_config(backend, tmp_path)

    def run(*argv: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "cockpit.cli", "incident", *argv, "--config", str(config)],
                              capture_output=True, text=True, timeout=60, cwd=tmp_path)

    declared = run("declare", "--title", "Search down", "--severity", "p0", "--service", "search-service")
    assert (declared.returncode, declared.stdout) == (0, "INC-0001\n")
    assert stored(backend, "INC-0001").severity == "P0"
    for argv in (("note", "INC-0404", "x"), ("status", "INC-0001", "exploded"),
                 ("declare", "--title", "x", "--severity", "high", "--service", "x")):
        result = run(*argv)
        assert result.returncode == 1 and result.stderr.strip()
        assert "Traceback" not in result.stderr + result.stdout


def test_declare_with_scribe_and_comms_is_one_write_and_one_audit_line(backend, tmp_path, capsys):
    config = write_config(backend, tmp_path)
    out = declare(config, capsys, "--commander", "bob", "--scribe", "carol", "--comms", "dan")
    incident_id = out.strip()
    assert out == incident_id + "\n"
    incident = stored(backend, incident_id)
    assert dict(incident.roles) == {"commander": "bob", "scribe": "carol", "comms": "dan"}
    assert [e.kind for e in incident.timeline] == ["declared"]
    [line] = audit_lines(tmp_path)
    assert (line["action"], line["target"]) == ("declare", incident_id) and line["result"].startswith("ok")


def test_scribe_alone_keeps_the_commander_default(backend, tmp_path, capsys):
    config = write_config(backend, tmp_path)
    incident = stored(backend, declare(config, capsys, "--scribe", "carol").strip())
    assert dict(incident.roles) == {"commander": "alice", "scribe": "carol"}


@pytest.mark.parametrize("extra, expected_code, expected", [
    (["--comms", "dan", "--read-only"], 1, "read-only"),
    (["--comms", " "], 1, "comms must be a person's name"),
])
def test_a_refused_declare_with_roles_writes_nothing(backend, tmp_path, capsys, extra, expected_code, expected):
    config = write_config(backend, tmp_path)
    code = main(["incident", "declare", "--title", "T", "--severity", "P2", "--service", "api-server",
                 "--scribe", "carol", "--config", str(config), *extra])
    captured = capsys.readouterr()
    assert code == expected_code and captured.out == "" and expected in captured.err
    assert stored(backend, "INC-0001") is None
    [line] = audit_lines(tmp_path)
    assert line["action"] == "declare" and line["result"].startswith("failed")


DECLARER = """
import sys
from cockpit.cli import main

config, me = sys.argv[1], sys.argv[2]
print("ready", flush=True)
sys.stdin.readline()  # both processes start declaring together
for n in range(10):
    code = main(["incident", "declare", "--title", f"{me} {n}", "--severity", "P3", "--service", "api-server",
                 "--scribe", f"{me}-scribe", "--comms", f"{me}-comms", "--config", config])
    assert code == 0
"""


def test_two_processes_declaring_with_roles_at_once_both_land(backend, tmp_path):
    config = write_config(backend, tmp_path)
    declarers = [
        subprocess.Popen([sys.executable, "-c", DECLARER, str(config), name], cwd=tmp_path,
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for name in ("p1", "p2")
    ]
    for declarer in declarers:
        assert declarer.stdout.readline().strip() == "ready"
    for declarer in declarers:
        declarer.stdin.write("go\n")
        declarer.stdin.flush()
    printed: dict[str, list[str]] = {}
    for name, declarer in zip(("p1", "p2"), declarers):
        out, err = declarer.communicate(timeout=120)
        assert declarer.returncode == 0, err
        printed[name] = out.split()

    ids = printed["p1"] + printed["p2"]
    assert len(ids) == 20 and len(set(ids)) == 20
    for name, own in printed.items():
        for n, incident_id in enumerate(own):
            incident = stored(backend, incident_id)
            assert incident.title == f"{name} {n}"  # each process printed the id of its own incident
            assert dict(incident.roles) == {"commander": "alice", "scribe": f"{name}-scribe", "comms": f"{name}-comms"}
    lines = audit_lines(tmp_path)
    assert sorted((e["action"], e["target"]) for e in lines) == sorted(("declare", i) for i in ids)
    assert verify(tmp_path / "audit.jsonl").ok


def test_migrate_creates_the_schema_then_finds_it_current(backend, tmp_path, capsys):
    config = write_config(backend, tmp_path)
    assert main(["incident-log", "migrate", "--config", str(config)]) == 0
    first = capsys.readouterr().out
    assert "schema 0 -> 2" in first
    assert main(["incident-log", "migrate", "--config", str(config)]) == 0
    assert "already at schema 2" in capsys.readouterr().out
    assert stored(backend, declare(config, capsys).strip()) is not None


def test_migrate_refuses_a_newer_schema_and_so_do_sessions(backend, tmp_path, capsys):
    config = write_config(backend, tmp_path)
    declare(config, capsys)
    _set_schema_version(backend, 99)
    assert main(["incident-log", "migrate", "--config", str(config)]) == 1
    err = capsys.readouterr().err
    assert "newer cockpit (schema 99" in err and "Traceback" not in err
    assert main(["incident", "note", "INC-0001", "x", "--config", str(config)]) == 1
    assert "newer cockpit" in capsys.readouterr().err


def _set_schema_version(backend, version: int) -> None:
    if backend.name == "sqlite":
        import sqlite3

        with sqlite3.connect(backend.options["path"]) as conn:
            conn.execute("UPDATE schema_version SET version = ?", (version,))
    else:
        import psycopg

        with psycopg.connect(backend.options["dsn"], autocommit=True) as conn:
            conn.execute("UPDATE schema_version SET version = %s", (version,))
