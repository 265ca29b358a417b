"""PostgreSQL under load and faults: three sessions on two hosts (two DSN
users) writing 200 notes each, every note in every session within a second
and in order per writer; and a server restart while notes are written
loses none and doubles none."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import textwrap
import time
import uuid

from cockpit.writes import Action
from tests.test_incident_log import declare, make_source

NOTES = 200
VISIBLE_WITHIN = 1.0

SESSION = textwrap.dedent(
    """
    import asyncio, json, sys, time
    from datetime import datetime, timedelta, timezone
    from pathlib import Path
    from cockpit.hub import Hub
    from cockpit.sources.base import SourceContext, SourceSpec
    from cockpit.writes import Action
    from cockpit.sources.incident_log import IncidentLogSource

    options, me, host, target, count, total = json.loads(sys.argv[1]), *sys.argv[2:5], *map(int, sys.argv[5:7])
    spec = SourceSpec(kind="incident-log", name="incident-log", refresh=timedelta(seconds=30),
                      timeout=timedelta(seconds=10), options=options, base_dir=Path.cwd())
    clock = lambda: datetime.now(timezone.utc)
    source = IncidentLogSource(spec, SourceContext(clock=clock, user=me, data_dir=Path.cwd() / me,
                                                   settings={"host": host}))
    hub = Hub([source], clock=clock, user=me)
    seen = {}

    def saw(snapshot):
        now = time.time()
        for incident in snapshot.incidents:
            if incident.id == target:
                for entry in incident.timeline:
                    if entry.kind == "note" and entry.text not in seen and not entry.waiting:
                        seen[entry.text] = now

    async def main():
        hub.subscribe(saw)
        hub.start()
        await source.listening.wait()
        print("ready", flush=True)
        await asyncio.to_thread(sys.stdin.readline)  # every session starts writing together
        for n in range(count):
            result = await hub.perform("incident-log", Action("note", target, {"text": f"{me} {n} @{time.time():.6f}"}))
            assert result.ok and "queued" not in result.message, result.message
        deadline = time.monotonic() + 30
        while len(seen) < total and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        await hub.aclose()
        print(json.dumps(seen), flush=True)

    asyncio.run(main())
    """
)


async def test_three_sessions_on_two_hosts_see_all_600_notes_within_a_second_in_order(tmp_path, postgres):
    database = f"t{uuid.uuid4().hex[:12]}"
    dsn = postgres.database(database)
    hosts = {"host_a": postgres.user("a" + database), "host_b": postgres.user("b" + database)}
    owner = make_source(tmp_path, options={"dsn": dsn})  # migrates, as a DBA's `cockpit incident-log migrate`
    target = await declare(owner)
    postgres.grant(database, *(role + database for role in ("a", "b")))
    writers = {"w1": "host_a", "w2": "host_a", "w3": "host_b"}
    sessions = {}
    for writer, host in writers.items():
        role = host[-1] + database
        options = {"dsn": postgres.dsn(database, user=role, password=hosts[host])}
        sessions[writer] = subprocess.Popen(
            [sys.executable, "-c", SESSION, json.dumps(options), writer, host, target, str(NOTES),
             str(NOTES * len(writers))],
            cwd=tmp_path, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for process in sessions.values():
        assert process.stdout.readline().strip() == "ready", process.stderr.read()
    started = time.monotonic()
    for process in sessions.values():
        process.stdin.write("go\n")
        process.stdin.flush()
    seen = {}
    for writer, process in sessions.items():
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        seen[writer] = json.loads(out.splitlines()[-1])
    took = time.monotonic() - started

    incident = await owner.get(target)
    notes = [e for e in incident.timeline if e.kind == "note"]
    assert len(notes) == NOTES * len(writers)
    for writer, host in writers.items():
        own = [e for e in notes if e.text.startswith(f"{writer} ")]
        assert [e.text.split(" ")[1] for e in own] == [str(n) for n in range(NOTES)]  # all, in order
        assert {(e.author, e.host) for e in own} == {(writer, host)}
    for writer, visible in seen.items():
        assert len(visible) == len(notes), f"{writer} saw {len(visible)} of {len(notes)}"
        lag = {text: at - float(text.rsplit("@", 1)[1]) for text, at in visible.items()}
        slowest = max(lag, key=lag.get)
        assert lag[slowest] < VISIBLE_WITHIN, f"{writer} saw {slowest!r} after {lag[slowest]:.2f} s"
    print(f"600 notes by 3 sessions: {took:.1f} s")
    await owner.aclose()


async def test_a_restart_while_notes_are_written_loses_none_and_doubles_none(tmp_path, backend):
    if backend.name != "postgres":
        return  # the SQLite outage is covered by the queue tests; this is the server restart
    source = make_source(tmp_path, options=backend.options)
    incident_id = await declare(source)
    restart = asyncio.create_task(asyncio.to_thread(backend.cluster.restart))
    queued, n = 0, 0
    while n < 100 or not restart.done():
        result = await source.perform(Action("note", incident_id, {"text": f"note {n}"}))
        assert result.ok, result.message
        queued += "queued" in result.message
        n += 1
        await asyncio.sleep(0.002)
    await restart
    deadline = time.monotonic() + 20
    while source.queue.pending():
        assert time.monotonic() < deadline, "queued notes were never sent"
        await source.fetch()
        await asyncio.sleep(0.05)
    notes = [e.text for e in (await source.get(incident_id)).timeline if e.kind == "note"]
    assert notes == [f"note {i}" for i in range(n)]
    assert queued >= 1  # the restart did land while notes were being written
    await source.aclose()
