"""Benchmark: note-to-visible latency of the live incident log, per backend.

One session writes notes, one at a time; another session (its own source,
connection and hub, as on another host) is live. For each note: the time
from the writer starting the write to the other session's hub publishing a
snapshot that holds it. Prints p50, p95 and max for SQLite (the change check)
and PostgreSQL (LISTEN/NOTIFY, a throwaway cluster on 127.0.0.1).
Target: p95 under 1 s on both.

    .venv/bin/python bench/incident_log_latency.py [--notes 200]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "integration"))

import postgres_harness  # noqa: E402

from cockpit.hub import Hub  # noqa: E402
from cockpit.sources.base import SourceContext, SourceSpec  # noqa: E402
from cockpit.writes import Action  # noqa: E402
from cockpit.sources.incident_log.source import IncidentLogSource  # noqa: E402

PAUSE = 0.02  # seconds between notes: latency, not throughput, is measured


def session(options: dict, data_dir: Path, user: str) -> IncidentLogSource:
    spec = SourceSpec(kind="incident-log", name="incident-log", refresh=timedelta(seconds=30),
                      timeout=timedelta(seconds=10), options=options, base_dir=data_dir)
    return IncidentLogSource(spec, SourceContext(clock=lambda: datetime.now(timezone.utc), user=user,
                                                 data_dir=data_dir / user, settings={"host": user}))


async def measure(options: dict, notes: int) -> list[float]:
    folder = Path(tempfile.mkdtemp(prefix="cockpit-bench-"))
    writer, reader = session(options, folder, "writer"), session(options, folder, "reader")
    declared = await writer.perform(Action("declare", params={"title": "bench", "severity": "P3"}))
    target = declared.target
    hub = Hub([reader], clock=lambda: datetime.now(timezone.utc))
    started: dict[str, float] = {}
    seen: dict[str, float] = {}

    def saw(snapshot) -> None:
        now = time.perf_counter()
        for incident in snapshot.incidents:
            if incident.id == target:
                for entry in incident.timeline:
                    if entry.text in started and entry.text not in seen:
                        seen[entry.text] = now

    hub.subscribe(saw)
    hub.start()
    await reader.listening.wait()
    await asyncio.sleep(0.2)  # the first full read is done
    for n in range(notes):
        text = f"note {n}"
        started[text] = time.perf_counter()
        result = await writer.perform(Action("note", target, {"text": text}))
        assert result.ok, result.message
        await asyncio.sleep(PAUSE)
    deadline = time.monotonic() + 10
    while len(seen) < notes and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    await hub.aclose()
    await writer.aclose()
    if len(seen) < notes:
        raise SystemExit(f"only {len(seen)} of {notes} notes became visible")
    return [seen[text] - started[text] for text in started]


def report(name: str, latencies: list[float]) -> None:
    ms = sorted(1000 * x for x in latencies)
    p95 = ms[min(len(ms) - 1, int(0.95 * len(ms)))]
    print(f"{name:<10} notes {len(ms):>4}  p50 {statistics.median(ms):7.1f} ms  p95 {p95:7.1f} ms  "
          f"max {ms[-1]:7.1f} ms")


def rows(quick: bool = False) -> list:
    sys.path.insert(0, str(ROOT / "bench"))
    from table import Row, percentile

    notes = 5 if quick else 200
    table = []
    folder = Path(tempfile.mkdtemp(prefix="cockpit-bench-sqlite-"))
    backends = [("sqlite", lambda: {"path": str(folder / "incidents.db")})]
    cluster = postgres_harness.Cluster().start() if postgres_harness.available() else None
    try:
        if cluster is not None:
            cluster.admin("CREATE DATABASE bench")
            backends.append(("postgres", lambda: {"dsn": cluster.dsn("bench")}))
        for name, options in backends:
            p95 = percentile(asyncio.run(measure(options(), notes)), 95)
            table.append(Row("incident log", f"note to visible elsewhere p95, {name}", f"{p95 * 1000:.0f} ms", "",
                             "p95 < 1 s", None if quick else p95 < 1.0))
    finally:
        if cluster is not None:
            cluster.stop()
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=200)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="cockpit-bench-sqlite-"))
    report("sqlite", asyncio.run(measure({"path": str(folder / "incidents.db")}, args.notes)))
    cluster = postgres_harness.Cluster().start()
    try:
        cluster.admin("CREATE DATABASE bench")
        report("postgres", asyncio.run(measure({"dsn": cluster.dsn("bench")}, args.notes)))
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
