"""Benchmark: the cockpit under a failing backend (tests/integration/fault_server.py).

1. Key latency while every HTTP source's requests hang (and, for comparison,
   while they answer): a headless app (App.run_test) with a Prometheus, an
   Alertmanager and a PagerDuty source, panel keys sent as the terminal
   driver sends them, timed until the panel is current; p50 and p95.
2. Memory: this process's RSS before, during and after each source kind
   reads a 50 MB reply with the default max_response_bytes (16 MiB), and
   after it recovers.

    .venv/bin/python bench/faults.py [--keys 60]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests" / "integration"), str(ROOT / "tests" / "faults"), str(ROOT)]

from fault_server import fault_server  # noqa: E402
from fault_world import KINDS, Clock, make_source  # noqa: E402
from test_ui_under_faults import app_over, key_latency  # noqa: E402

from cockpit.hub import Hub  # noqa: E402
from cockpit.resilience import RetryPolicy  # noqa: E402
from cockpit.sources.http import DEFAULT_MAX_RESPONSE_BYTES  # noqa: E402


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def key_latencies(server, mode: str, keys: int) -> list[float]:
    server.set(mode)
    folder, clock = Path(tempfile.mkdtemp()), Clock()
    hub = Hub([make_source(kind, server.url, folder, clock, timeout_s=600) for kind in KINDS], clock=clock)
    app = app_over(hub, folder, clock)
    took = []
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause(0.5)  # every source's first refresh sent (held, or answered)
        for key in ("ibos" * keys)[:keys]:
            await pilot.pause()
            took.append(await key_latency(app, key))
    return took


async def memory(server, kind: str, fault: str) -> tuple[float, float, float, float, str]:
    folder, clock = Path(tempfile.mkdtemp()), Clock()
    hub = Hub([make_source(kind, server.url, folder, clock, timeout_s=60,
                           max_response_bytes=DEFAULT_MAX_RESPONSE_BYTES)], clock=clock, retry=RetryPolicy(tries=1))
    server.set("ok")
    await hub.refresh_all()
    gc.collect()
    before = rss_mb()
    server.set(fault, huge_bytes=50 * 1024 * 1024)
    [health] = (await hub.refresh_all()).sources
    during, sent = rss_mb(), server.sent[fault] / 2**20
    server.set("ok")
    await hub.refresh_all()
    gc.collect()
    after = rss_mb()
    await hub.aclose()
    return before, during, after, sent, health.error


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000 if len(values) > 1 else values[0] * 1000


async def main(keys: int) -> None:
    logging.disable(logging.WARNING)  # the failed fetches are expected
    with fault_server() as server:
        for mode in ("ok", "hang", "drip"):
            took = await key_latencies(server, mode, keys)
            print(f"key latency, sources {mode:>4}: p50 {pct(took, 50):5.1f} ms  p95 {pct(took, 95):5.1f} ms  "
                  f"max {max(took) * 1000:5.1f} ms  ({len(took)} keys)")
        server.set("ok")
        for fault, what in (("huge", "50 MB reply, Content-Length given"), ("endless", "endless chunked reply")):
            for kind in KINDS:
                before, during, after, sent, error = await memory(server, kind, fault)
                print(f"RSS, {kind:>12}, {what}: before {before:6.1f} MB  after it {during:6.1f} MB  "
                      f"after recovery {after:6.1f} MB  (server wrote {sent:5.1f} MiB; "
                      f"{'refused at the limit' if 'larger than 16 MiB' in error else error})")


def rows(quick: bool = False) -> list:
    sys.path.insert(0, str(ROOT / "bench"))
    from table import Row

    async def measured() -> list:
        logging.disable(logging.WARNING)
        table = []
        with fault_server() as server:
            for mode in ("ok", "hang"):
                took = await key_latencies(server, mode, 4 if quick else 60)
                table.append(Row("faults", f"panel key latency p95, sources {mode}", f"{pct(took, 95):.0f} ms",
                                 "", "p95 < 50 ms", None if quick else pct(took, 95) < 50))
            server.set("ok")
            before, during, after, _, _ = await memory(server, KINDS[0], "huge")
            table.append(Row("faults", f"RSS around a 50 MB reply ({KINDS[0]})", f"{during:.0f} MB",
                             f"before {before:.0f} MB, after {after:.0f} MB"))
        logging.disable(logging.NOTSET)
        return table

    return asyncio.run(measured())


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=60)
    asyncio.run(main(parser.parse_args().keys))
