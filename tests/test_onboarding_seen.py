"""What the onboarding checklist reads to tick itself: the user's services,
what they opened (activity) and the drills they completed."""

from __future__ import annotations

from datetime import datetime, timezone

from cockpit import activity, jsonl
from cockpit.drills_done import completed_drills, completed_path
from cockpit.model import EscalationStep, OnCall, Runbook, Service
from cockpit.onboarding import seen_done
from cockpit.user_services import user_services

NOW = datetime(2026, 11, 28, 3, tzinfo=timezone.utc)


def test_a_user_is_named_as_catalogs_write_people():
    services = [
        Service("api", "backend", members=("Alice Smith <alice@example.com>",)),
        Service("auth", "backend", primary_contact="@alice"),
        Service("db", "platform", escalation_path=(EscalationStep(1, "alice@example.com", NOW - NOW),)),
        Service("web", "web"),
        Service("queue", "platform"),
        Service("search", "alice-team"),
    ]
    on_call = [OnCall("queue", "platform", 1, "@alice")]
    assert [s.name for s in user_services("alice", services, on_call)] == ["api", "auth", "db", "queue"]
    assert [s.name for s in user_services("Alice Smith", services)] == ["api"]
    assert user_services("", services) == []


def test_each_service_needs_its_own_runbook_and_card_opened():
    services = [Service("api", "backend"), Service("db", "platform"), Service("web", "web")]
    runbooks = {"api": [Runbook("api/errors.md", "Errors", "")], "db": [Runbook("db/failover.md", "Failover", "")]}
    opened = {activity.RUNBOOK: {"api/errors.md"}, activity.SERVICE_CARD: {"api", "db", "web"}}
    seen = seen_done(services, runbooks, opened, [])
    assert not seen["read-runbooks"].done and seen["read-runbooks"].why == "to open: a runbook of db"
    assert seen["escalation-path"].done
    assert not seen["fire-drills"].done
    opened[activity.RUNBOOK].add("db/failover.md")  # web has no runbook: nothing to read for it
    assert seen_done(services, runbooks, opened, [])["read-runbooks"].done


def test_activity_is_recorded_once_and_read_back(tmp_path):
    assert activity.record(tmp_path, "al/ice", activity.RUNBOOK, "api/errors.md", NOW)
    assert not activity.record(tmp_path, "al/ice", activity.RUNBOOK, "api/errors.md", NOW)
    assert activity.activity_path(tmp_path, "al/ice").name == "al_ice.jsonl"
    assert activity.opened(tmp_path, "al/ice")[activity.RUNBOOK] == {"api/errors.md"}
    assert activity.opened(tmp_path, "bob")[activity.RUNBOOK] == set()


def test_completed_drills_tolerate_a_missing_or_partly_corrupt_file(tmp_path):
    assert completed_drills(tmp_path, "alice") == []
    path = completed_path(tmp_path)
    path.parent.mkdir()
    path.write_bytes(b'{"scenario": "dns", "title": "DNS outage", "finished_at": "2026-11-20T10:00:00", '
                     b'"user": "alice", "score": 3}\n'
                     b'\xff\xfe not json\n[1, 2]\n{"user": "alice", "finished_at": "yesterday"}\n'
                     b'{"scenario": "db", "finished_at": "2026-11-21T10:00:00+01:00", "user": "alice"}\n'
                     b'{"scenario": "db", "finished_at": "2026-11-22T10:00:00Z", "user": "bob"}\n'
                     b'{"scenario": "cut sho')
    drills = completed_drills(tmp_path, "alice")
    assert [(d.scenario, d.finished_at.utcoffset() is not None) for d in drills] == [("dns", True), ("db", True)]
    assert seen_done([], {}, {}, drills)["fire-drills"].why == "completed db"


def test_a_huge_lines_file_is_read_from_its_tail(tmp_path, monkeypatch):
    monkeypatch.setattr(jsonl, "MAX_BYTES", 64)
    path = tmp_path / "big.jsonl"
    for n in range(20):
        jsonl.append_line(path, {"n": n})
    entries, bad = jsonl.read_lines(path)
    assert entries[-1] == {"n": 19} and len(entries) < 20 and bad == 0
