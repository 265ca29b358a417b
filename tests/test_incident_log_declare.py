"""Declaring with roles is one write: one transaction in the incident log,
one audit line through the hub, and a refusal leaves nothing behind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cockpit.audit import AuditLog, verify
from cockpit.clock import DEMO_TIME
from cockpit.hub import Hub
from cockpit.writes import Action
from tests.test_incident_log import Clock, make_source

DECLARE = {"title": "Checkout 5xx", "severity": "P1", "services": ["checkout-service"]}


def audit_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def hub_over(source, audit_path: Path, read_only: bool = False) -> Hub:
    return Hub([source], clock=Clock(), read_only=read_only, audit=AuditLog(audit_path, Clock()), user="alice")


async def test_declare_stores_every_role_in_one_timeline_entry(tmp_path):
    source = make_source(tmp_path)
    result = await source.perform(Action("declare", params={
        **DECLARE, "commander": "bob", "scribe": " carol ", "comms": "dan"}))
    assert result.ok, result.message
    incident = await source.get(result.target)
    assert dict(incident.roles) == {"commander": "bob", "scribe": "carol", "comms": "dan"}
    assert incident.commander == "bob"
    assert [(e.kind, e.at, e.author) for e in incident.timeline] == [("declared", DEMO_TIME, "alice")]
    assert incident.timeline[0].text.endswith("; commander bob, scribe carol, comms dan")


@pytest.mark.parametrize("absent", [None, ""])
async def test_an_absent_or_empty_role_is_nobody(tmp_path, absent):
    source = make_source(tmp_path)
    result = await source.perform(Action("declare", params={**DECLARE, "scribe": absent}))
    assert result.ok, result.message
    assert dict((await source.get(result.target)).roles) == {"commander": "alice"}


async def test_declare_with_roles_is_one_audit_line_naming_the_new_id(tmp_path):
    audit = tmp_path / "audit.jsonl"
    source = make_source(tmp_path)
    hub = hub_over(source, audit)
    result = await hub.perform("incident-log", Action("declare", params={**DECLARE, "scribe": "carol", "comms": "dan"}))
    assert result.ok, result.message
    [line] = audit_lines(audit)
    assert (line["action"], line["target"], line["source"], line["user"]) == \
        ("declare", result.target, "incident-log", "alice")
    assert line["result"].startswith("ok")
    assert verify(audit).ok
    assert dict((await source.get(result.target)).roles) == {"commander": "alice", "scribe": "carol", "comms": "dan"}


@pytest.mark.parametrize("role, person", [("scribe", ["carol"]), ("comms", "   "), ("scribe", 7)])
async def test_a_refused_role_refuses_the_whole_declare(tmp_path, role, person):
    audit = tmp_path / "audit.jsonl"
    source = make_source(tmp_path)
    hub = hub_over(source, audit)
    result = await hub.perform("incident-log", Action("declare", params={**DECLARE, "comms": "dan", role: person}))
    assert not result.ok and f"{role} must be a person's name" in result.message
    assert (await source.fetch()).incidents == ()
    assert await source.get("INC-0001") is None
    [line] = audit_lines(audit)
    assert (line["action"], line["target"]) == ("declare", "")
    assert line["result"].startswith("failed")


@pytest.mark.parametrize("where", ["hub", "source"])
async def test_read_only_refuses_a_declare_with_roles_and_writes_nothing(tmp_path, where):
    audit = tmp_path / "audit.jsonl"
    source = make_source(tmp_path, read_only=where == "source")
    hub = hub_over(source, audit, read_only=where == "hub")
    result = await hub.perform("incident-log", Action("declare", params={**DECLARE, "scribe": "carol"}))
    assert not result.ok and "read-only" in result.message
    assert (await source.fetch()).incidents == ()
    [line] = audit_lines(audit)
    assert line["action"] == "declare" and line["result"].startswith("failed")


async def test_a_failed_transaction_leaves_no_incident_and_no_timeline(tmp_path, monkeypatch):
    """The insert and the timeline entry are one transaction: a failure
    between them (here: the timeline write) rolls the incident back too."""
    import sqlite3

    from cockpit.incident_store import operations
    from cockpit.sources.base import SourceError

    source = make_source(tmp_path)
    await source.fetch()  # the schema exists before the failure is arranged

    def broken_log(*args, **kwargs):
        raise sqlite3.DatabaseError("disk I/O error")
        yield  # a generator of steps, as the real one

    monkeypatch.setattr(operations, "_log", broken_log)
    with pytest.raises(SourceError, match="disk I/O error"):
        await source.perform(Action("declare", params={**DECLARE, "scribe": "carol"}))
    monkeypatch.undo()
    assert (await source.fetch()).incidents == ()
    result = await source.perform(Action("declare", params=DECLARE))
    assert result.target == "INC-0001"  # the failed one took no id
