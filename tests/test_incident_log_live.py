"""The incident log shared live, on both backends: another session's change
shows within a second with no keypress, only changed incidents are re-read,
who and which host wrote each entry, conflicting status or role changes
refused (never a silent overwrite), and writes queued on disk while the
database is away, sent once it is back, in order, exactly once."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import textwrap
import time

from cockpit.hub import Hub
from cockpit.incident_store.operations import Write
from cockpit.writes import Action
from tests.test_incident_log import Clock, declare, make_source

VISIBLE_WITHIN = 1.0  # seconds: the bound


def session(tmp_path, backend, user: str, host: str):
    return make_source(tmp_path / user, user=user, options=backend.options, host=host)


async def until(condition, timeout: float = VISIBLE_WITHIN) -> float:
    """Seconds until ``condition()`` held; fails when it did not within ``timeout``."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < timeout, f"not within {timeout} s"
        await asyncio.sleep(0.005)
    return time.monotonic() - started


def listed(hub: Hub, incident_id: str):
    return next((i for i in hub.snapshot().incidents if i.id == incident_id), None)


async def test_another_sessions_writes_show_within_a_second_reading_only_what_changed(tmp_path, backend):
    alice, bob = session(tmp_path, backend, "alice", "host-a"), session(tmp_path, backend, "bob", "host-b")
    first = await declare(alice, title="first")
    hub = Hub([bob], clock=Clock(), user="bob")
    full_reads = []
    read_all = bob.backend.recent
    bob.backend.recent = lambda *args: (full_reads.append(args), read_all(*args))[1]
    hub.start()
    try:
        await asyncio.wait_for(bob.listening.wait(), 5)
        # Settled: the read-everything that starting to listen asks for is done.
        refreshing = lambda: hub._states[bob.name].running  # noqa: E731
        await until(lambda: bob._dirty == set() and refreshing() is not None and refreshing().done(), timeout=5)
        assert listed(hub, first) is not None
        reads_before = len(full_reads)

        second = await declare(alice, title="second")
        await until(lambda: listed(hub, second) is not None)
        assert (await alice.perform(Action("note", first, {"text": "rolled back"}))).ok
        await until(lambda: listed(hub, first).timeline[-1].text == "rolled back")
        assert (await alice.perform(Action("status", first, {"status": "identified"}))).ok
        await until(lambda: listed(hub, first).status == "identified")
        assert (await alice.perform(Action("role", first, {"role": "scribe", "person": "carol"}))).ok
        await until(lambda: dict(listed(hub, first).roles).get("scribe") == "carol")

        note = listed(hub, first).timeline[1]
        assert (note.author, note.host, note.waiting) == ("alice", "host-a", False)
        assert len(full_reads) == reads_before  # each change re-read its incident only
    finally:
        await hub.aclose()
        await alice.aclose()


async def test_two_sessions_changing_one_status_at_once_the_second_is_told(tmp_path, backend):
    alice, bob = session(tmp_path, backend, "alice", "host-a"), session(tmp_path, backend, "bob", "host-b")
    incident_id = await declare(alice)
    seen = (await bob.get(incident_id)).version
    results = await asyncio.gather(
        alice.perform(Action("status", incident_id, {"status": "identified", "version": seen})),
        bob.perform(Action("status", incident_id, {"status": "monitoring", "version": seen})),
    )
    assert sorted(r.ok for r in results) == [False, True]
    won, lost = (results[0], results[1]) if results[0].ok else (results[1], results[0])
    winner = "alice@host-a" if won is results[0] else "bob@host-b"
    assert f"changed meanwhile by {winner}" in lost.message and "not applied" in lost.message
    stored = await bob.get(incident_id)
    assert stored.status == ("identified" if won is results[0] else "monitoring")
    assert [e.kind for e in stored.timeline] == ["declared", "status"]  # no silent overwrite
    assert stored.version == seen + 1


async def test_a_role_change_on_a_stale_view_is_refused_then_goes_through_on_the_fresh_one(tmp_path, backend):
    alice, bob = session(tmp_path, backend, "alice", "host-a"), session(tmp_path, backend, "bob", "host-b")
    incident_id = await declare(alice)
    stale = (await bob.get(incident_id)).version
    assert (await alice.perform(Action("role", incident_id, {"role": "scribe", "person": "carol",
                                                             "version": stale}))).ok
    refused = await bob.perform(Action("role", incident_id, {"role": "scribe", "person": "dave", "version": stale}))
    assert not refused.ok and "alice@host-a (Scribe: carol)" in refused.message
    assert dict((await bob.get(incident_id)).roles)["scribe"] == "carol"
    fresh = (await bob.get(incident_id)).version
    assert (await bob.perform(Action("role", incident_id, {"role": "scribe", "person": "dave",
                                                           "version": fresh}))).ok
    assert dict((await alice.get(incident_id)).roles)["scribe"] == "dave"
    # A note never conflicts, and the CLI's changes (no version) are not checked.
    assert (await bob.perform(Action("note", incident_id, {"text": "n"}))).ok
    assert (await alice.perform(Action("status", incident_id, {"status": "monitoring"}))).ok


async def test_a_write_sent_twice_with_one_key_lands_once(tmp_path, backend):
    source = make_source(tmp_path, options=backend.options)
    incident_id = await declare(source)
    write = Write("note", incident_id, {"text": "only once"}, Clock()(), "alice", "host-a")
    assert await source.backend.perform(write) == (f"note added to {incident_id}", incident_id)
    assert await source.backend.perform(write) == ("note already written", incident_id)
    assert [e.text for e in (await source.get(incident_id)).timeline].count("only once") == 1


async def test_writes_while_the_log_is_away_are_queued_then_sent_in_order_once(tmp_path, backend):
    source = make_source(tmp_path, options=backend.options, host="host-a")
    incident_id = await declare(source)
    await source.fetch()
    with backend.outage():
        for n in range(3):
            result = await source.perform(Action("note", incident_id, {"text": f"note {n}"}))
            assert result.ok and "queued" in result.message, result.message
            assert f"{n + 1} note{'s' if n else ''} waiting to be written" in result.message
        result = await source.perform(Action("status", incident_id, {"status": "monitoring"}))
        assert "3 notes and 1 other change waiting to be written" in result.message
        assert len(source.queue.path.read_text().splitlines()) == 4  # on disk before "queued" was said
        data = await source.fetch()
        assert "3 notes and 1 other change waiting to be written" in data.warnings
        [incident] = data.incidents
        assert [(e.text, e.waiting) for e in incident.timeline[-4:]] == \
            [("note 0", True), ("note 1", True), ("note 2", True), ("Status → monitoring", True)]
    data = await source.fetch()  # back: the queue goes first
    assert source.queue.pending() == [] and data.warnings == ()
    [incident] = data.incidents
    assert [(e.kind, e.text, e.host) for e in incident.timeline[1:]] == [
        ("note", "note 0", "host-a"), ("note", "note 1", "host-a"), ("note", "note 2", "host-a"),
        ("status", "Status investigating → monitoring", "host-a")]
    assert incident.status == "monitoring" and not any(e.waiting for e in incident.timeline)


QUEUER = textwrap.dedent(
    """
    import asyncio, json, sys, time
    from datetime import datetime, timedelta, timezone
    from pathlib import Path
    from cockpit.incident_store import sqlite as sqlite_backend
    from cockpit.sources.base import SourceContext, SourceSpec
    from cockpit.writes import Action
    from cockpit.sources.incident_log import IncidentLogSource

    options, target = json.loads(sys.argv[1]), sys.argv[2]
    sqlite_backend.BUSY_TIMEOUT_MS = 50  # the test holds the file locked: give up at once
    spec = SourceSpec(kind="incident-log", name="incident-log", refresh=timedelta(seconds=30),
                      timeout=timedelta(seconds=10), options=options, base_dir=Path.cwd())
    source = IncidentLogSource(spec, SourceContext(clock=lambda: datetime.now(timezone.utc), user="alice",
                                                   data_dir=Path.cwd() / "data"))

    async def main():
        for n in range(3):
            result = await source.perform(Action("note", target, {"text": f"queued {n}"}))
            print(result.message, flush=True)
        time.sleep(600)  # killed here, with the notes still queued

    asyncio.run(main())
    """
)


async def test_queued_writes_survive_kill_9_and_the_next_session_sends_them(tmp_path, backend):
    source = make_source(tmp_path, options=backend.options)
    incident_id = await declare(source)
    with backend.outage():
        writer = subprocess.Popen([sys.executable, "-c", QUEUER, json.dumps(backend.options), incident_id],
                                  cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            said = [writer.stdout.readline() for _ in range(3)]
            assert all("queued" in line for line in said), (said, writer.stderr.read() if writer.poll() else "")
            assert "3 notes waiting to be written" in said[-1]
        finally:
            writer.send_signal(signal.SIGKILL)
            writer.wait(timeout=10)
    data = await source.fetch()  # the next session of the same user, same data dir, sends them
    notes = [(e.text, e.waiting) for e in data.incidents[0].timeline if e.kind == "note"]
    assert notes == [("queued 0", False), ("queued 1", False), ("queued 2", False)]
    assert source.queue.pending() == []


def test_the_dsn_password_never_shows(tmp_path, postgres, capsys):
    from cockpit.cli import main

    postgres.admin("CREATE ROLE dana LOGIN PASSWORD 'the-real-one'")
    dsn = postgres.dsn("postgres", user="dana", password="Zq8xK7w-5ecret")
    config = tmp_path / "cockpit.yaml"
    config.write_text(f"user: alice\ndata_dir: {tmp_path / 'data'}\naudit_log: {tmp_path / 'audit.jsonl'}\n"
                      f"sources:\n  - {{kind: incident-log, dsn: '{dsn}'}}\n")
    assert main(["incident", "note", "INC-0001", "x", "--config", str(config)]) == 1
    main(["status", "--json", "--config", str(config)])
    assert main(["incident-log", "migrate", "--config", str(config)]) == 1
    out = capsys.readouterr()
    shown = out.out + out.err + (tmp_path / "audit.jsonl").read_text() + (tmp_path / "cockpit.log").read_text()
    assert "authentication failed for user" in shown
    assert "5ecret" not in shown and "Zq8xK7w" not in shown
    assert "queued" not in shown  # refused by the server: a config to fix, not an outage to wait out
