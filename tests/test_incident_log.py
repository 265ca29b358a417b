"""The incident-log source: actions, validation, the fetch window, WAL mode,
and two OS processes writing to one log at the same time."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from cockpit.clock import DEMO_TIME
from cockpit.incident_store import migrations
from cockpit.sources.base import SourceContext, SourceError, SourceSpec
from cockpit.writes import Action
from cockpit.sources.incident_log import IncidentLogSource


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, at: datetime = DEMO_TIME) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def make_source(tmp_path: Path, clock=None, user="alice", options=None, **settings) -> IncidentLogSource:
    """A source on ``options`` (a backend's), else on the default SQLite file in data/."""
    spec = SourceSpec(
        kind="incident-log", name="incident-log", refresh=timedelta(seconds=30),
        timeout=timedelta(seconds=10), options=options or {}, base_dir=tmp_path,
    )
    context = SourceContext(clock=clock or Clock(), user=user, data_dir=tmp_path / "data", settings=settings)
    return IncidentLogSource(spec, context)


async def declare(source, **params) -> str:
    params = {"title": "API 5xx", "severity": "P1", "service": "api-server", **params}
    result = await source.perform(Action("declare", params=params))
    assert result.ok, result.message
    return result.target


async def test_declare_note_status_resolve_round_trip(tmp_path, backend):
    clock = Clock()
    source = make_source(tmp_path, clock, options=backend.options)
    incident_id = await declare(source, services=["checkout-service", "payments-gateway"], commander="bob")
    assert incident_id == "INC-0001"

    clock.at = DEMO_TIME + timedelta(minutes=5)
    assert (await source.perform(Action("note", incident_id, {"text": "rolled back v1.2"}))).ok
    clock.at = DEMO_TIME + timedelta(minutes=9)
    assert (await source.perform(Action("status", incident_id, {"status": "Monitoring"}))).ok
    assert (await source.perform(Action("role", incident_id, {"role": "scribe", "person": "carol"}))).ok
    clock.at = DEMO_TIME + timedelta(minutes=40)
    assert (await source.perform(Action("resolve", incident_id))).ok

    [incident] = (await source.fetch()).incidents
    assert incident.id == incident_id and incident.kind == "incident" and incident.source == "incident-log"
    assert incident.service == "checkout-service"
    assert incident.services == ("checkout-service", "payments-gateway")
    assert incident.commander == "bob" and incident.acknowledged
    assert dict(incident.roles) == {"commander": "bob", "scribe": "carol"}
    assert incident.status == "resolved" and not incident.is_open
    assert incident.started_at == DEMO_TIME
    assert incident.resolved_at == DEMO_TIME + timedelta(minutes=40)
    assert [(e.kind, e.at - DEMO_TIME) for e in incident.timeline] == [
        ("declared", timedelta(0)),
        ("note", timedelta(minutes=5)),
        ("status", timedelta(minutes=9)),
        ("role", timedelta(minutes=9)),
        ("status", timedelta(minutes=40)),
    ]
    assert incident.timeline[1].text == "rolled back v1.2"
    assert {e.author for e in incident.timeline} == {"alice"}
    assert "monitoring" in incident.timeline[2].text and "resolved" in incident.timeline[4].text


async def test_ids_count_up_and_commander_defaults_to_the_user(tmp_path, backend):
    source = make_source(tmp_path, user="dave", options=backend.options)
    first = await declare(source)
    second = await declare(source, services=[], service=None)
    assert (first, second) == ("INC-0001", "INC-0002")
    by_id = {i.id: i for i in (await source.fetch()).incidents}
    assert by_id[second].commander == "dave"
    # a declared incident with a commander is owned: no "escalate now" for it
    assert by_id[second].acknowledged
    assert by_id[second].service == "" and by_id[second].services == ()


async def test_reopening_clears_resolved_at(tmp_path, backend):
    source = make_source(tmp_path, options=backend.options)
    incident_id = await declare(source)
    await source.perform(Action("resolve", incident_id))
    assert (await source.perform(Action("status", incident_id, {"status": "investigating"}))).ok
    [incident] = (await source.fetch()).incidents
    assert incident.is_open and incident.resolved_at is None


@pytest.mark.parametrize(
    ("action", "needle"),
    [
        (Action("declare", params={"title": "x", "severity": "P5"}), "severity"),
        (Action("declare", params={"severity": "P1"}), "title is required"),
        (Action("declare", params={"title": "x", "severity": "P1", "services": [1]}), "services"),
        (Action("status", "INC-0001", {"status": "done"}), "unknown status"),
        (Action("role", "INC-0001", {"role": "captain", "person": "x"}), "unknown role"),
        (Action("role", "INC-0001", {"role": "scribe"}), "person is required"),
        (Action("note", "INC-0001", {"text": "  "}), "text is required"),
        (Action("note", "INC-0042", {"text": "hi"}), "no incident INC-0042"),
        (Action("note", "", {"text": "hi"}), "target"),
        (Action("silence", "INC-0001"), "no action"),
    ],
)
async def test_bad_actions_fail_with_a_message_and_change_nothing(tmp_path, backend, action, needle):
    source = make_source(tmp_path, options=backend.options)
    await declare(source)
    before = (await source.fetch()).incidents
    result = await source.perform(action)
    assert not result.ok
    assert needle in result.message
    assert (await source.fetch()).incidents == before


async def test_read_only_refuses_writes(tmp_path, backend):
    source = make_source(tmp_path, options=backend.options, read_only=True)
    result = await source.perform(Action("declare", params={"title": "x", "severity": "P1"}))
    assert not result.ok and "read-only" in result.message
    assert (await source.fetch()).incidents == ()


async def test_fetch_lists_open_and_recently_resolved_only(tmp_path, backend):
    clock = Clock(DEMO_TIME - timedelta(days=20))
    source = make_source(tmp_path, clock, options=backend.options)
    old = await declare(source, title="old")
    await source.perform(Action("resolve", old))  # resolved 20 days before the demo time
    clock.at = DEMO_TIME - timedelta(days=6)
    recent = await declare(source, title="recent")
    await source.perform(Action("resolve", recent))
    still_open = await declare(source, title="open")
    clock.at = DEMO_TIME
    assert {i.id for i in (await source.fetch()).incidents} == {recent, still_open}
    # An old incident is still there, whole, for postmortems.
    fetched_old = await source.get(old)
    assert fetched_old is not None and fetched_old.title == "old" and len(fetched_old.timeline) == 2
    assert await source.get("INC-0999") is None


async def test_the_log_file_is_in_wal_mode_with_a_schema_version(tmp_path):
    source = make_source(tmp_path)
    await declare(source)
    path = tmp_path / "data" / "incidents.db"
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(migrations.LATEST,)]


async def test_a_newer_schema_is_refused_clearly(tmp_path):
    source = make_source(tmp_path)
    await declare(source)
    with sqlite3.connect(tmp_path / "data" / "incidents.db") as conn:
        conn.execute("UPDATE schema_version SET version = 99")
    with pytest.raises(SourceError, match="newer cockpit"):
        await make_source(tmp_path).fetch()


WRITER = textwrap.dedent(
    """
    import asyncio, json, sys
    from datetime import datetime, timedelta
    from pathlib import Path
    from cockpit.sources.base import SourceContext, SourceError, SourceSpec
    from cockpit.writes import Action
    from cockpit.sources.incident_log import IncidentLogSource

    options, me, target = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
    spec = SourceSpec(kind="incident-log", name="incident-log", refresh=timedelta(seconds=30),
                      timeout=timedelta(seconds=10), options=options, base_dir=Path.cwd())
    clock = lambda: datetime.fromisoformat("2026-11-28T03:00:00+00:00")
    source = IncidentLogSource(spec, SourceContext(clock=clock, user=me))

    async def main():
        print("ready", flush=True)
        sys.stdin.readline()  # both writers start together
        declared = []
        for n in range(50):
            result = await source.perform(Action("note", target, {"text": f"{me} note {n}"}))
            assert result.ok, result.message
            if n % 10 == 0:
                result = await source.perform(Action("declare", params={"title": f"{me} {n}", "severity": "P3"}))
                assert result.ok, result.message
                declared.append(result.target)
        print(json.dumps(declared), flush=True)

    asyncio.run(main())
    """
)


async def test_two_processes_writing_at_once_lose_nothing(tmp_path, backend):
    source = make_source(tmp_path, options=backend.options)
    target = await declare(source)
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, json.dumps(backend.options), name, target], cwd=tmp_path,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for name in ("p1", "p2")
    ]
    for writer in writers:
        assert writer.stdout.readline().strip() == "ready"
    for writer in writers:
        writer.stdin.write("go\n")
        writer.stdin.flush()
    declared = []
    for writer in writers:
        out, err = writer.communicate(timeout=60)
        assert writer.returncode == 0, err
        declared += json.loads(out)

    assert len(declared) == 10 and len(set(declared)) == 10
    incidents = {i.id: i for i in (await source.fetch()).incidents}
    assert set(declared) | {target} == set(incidents)
    notes = [e.text for e in incidents[target].timeline if e.kind == "note"]
    assert len(notes) == 100
    for name in ("p1", "p2"):
        # every note present, and each writer's notes in the order it wrote them
        assert [t for t in notes if t.startswith(name)] == [f"{name} note {n}" for n in range(50)]


async def test_a_file_that_is_not_a_database_is_a_source_error(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "incidents.db").write_text("not sqlite at all, " * 100)
    with pytest.raises(SourceError, match="incident log"):
        await make_source(tmp_path).fetch()


def test_a_new_log_opened_by_several_threads_at_once_never_reports_it_locked(tmp_path):
    """A session's first fetch and first write (or two sessions) opening a new
    file together: switching it to WAL fails at once while another connection
    holds it, without waiting on the busy timeout (seen: ~1 in 10 pairs failed)."""
    import threading

    from cockpit.sources.incident_log import IncidentStore

    errors: list[str] = []
    for attempt in range(30):
        store = IncidentStore(tmp_path / f"log-{attempt}" / "incidents.db")

        def open_it() -> None:
            try:
                store.recent(DEMO_TIME, "log")
            except sqlite3.OperationalError as error:
                errors.append(str(error))

        threads = [threading.Thread(target=open_it) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []


async def test_log_file_and_its_folder_are_owner_only(tmp_path):
    source = make_source(tmp_path)
    await declare(source)
    data = tmp_path / "data"
    assert data.stat().st_mode & 0o777 == 0o700
    for name in ("incidents.db", "incidents.db-wal", "incidents.db-shm"):
        if (data / name).exists():  # SQLite gives its side files the database's mode
            assert (data / name).stat().st_mode & 0o777 == 0o600, name
    assert (data / "incidents.db").exists()


async def test_a_configured_group_may_share_the_log(tmp_path):
    import grp
    import os

    from cockpit.private_files import FileAccess

    group = grp.getgrgid(os.getgid()).gr_name
    source = make_source(tmp_path, file_access=FileAccess(group))
    await declare(source)
    db = (tmp_path / "data" / "incidents.db").stat()
    assert db.st_mode & 0o777 == 0o660 and db.st_gid == os.getgid()
    assert (tmp_path / "data").stat().st_mode & 0o777 == 0o770
