"""Benchmark: the cockpit at fleet scale, through the real code paths: a
generated catalog of 2,000 services with runbooks and on-call, the demo
source over their 6,000 SLOs, and 10,000 firing alerts on a real
Alertmanager HA pair (when installed), in a headless app (App.run_test,
120x36).

Prints: each source's fetch (the first, and an unchanged refresh), launch to
every source's data on screen, each panel's switch with that data and keystrokes (key
press to the first screen update after it) p50/p95/max for cursor moves,
filter typing and sort, and the app's RSS: over a minute of idle refreshes
once every panel is mounted, and at its peak (the app and the fetches each
run in a process of their own).

    .venv/bin/python bench/scale.py [--services 2000] [--alerts 10000] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "bench"), str(ROOT / "tests" / "integration")]

import alertmanager_harness as amh  # noqa: E402
from scale_world import SLOS_PER_SERVICE, service_name, write_world  # noqa: E402
from table import Row, percentile, render  # noqa: E402

from cockpit.clock import system_clock  # noqa: E402
from cockpit.config import load_config  # noqa: E402
from cockpit.hub import Hub  # noqa: E402
from cockpit.ui.app import make_app  # noqa: E402

PANEL_KEYS = {"overview": "o", "services": "s", "slos": "b", "incidents": "i", "runbooks": "r"}
TARGET_RENDER_S, TARGET_KEY_MS, TARGET_RSS_MB = 1.0, 50.0, 150.0


def rss_mb(field: str = "VmRSS") -> float:
    """This process's resident memory now (VmRSS) or at its peak (VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def source_fetches(config) -> list[Row]:
    hub = Hub.from_config(config, system_clock)
    rows = []
    try:
        for source in hub.sources:
            took = []
            for _ in range(2):
                start = time.perf_counter()
                await source.fetch()
                took.append(time.perf_counter() - start)
            timeout = source.spec.timeout.total_seconds()
            rows.append(Row("scale", f"{source.name} fetch, first / unchanged", f"{took[0]:.2f} / {took[1]:.2f} s",
                            f"its timeout {timeout:g} s", "well inside", took[0] < timeout / 2))
    finally:
        await hub.aclose()
    return rows


def fetch_rows(config_file: Path) -> list[Row]:
    """source_fetches, run in a process of its own: its hub (another copy of
    every source's data) would otherwise count in the app's memory."""
    return asyncio.run(source_fetches(load_config(config_file)))


def app_rows(config_file: Path, services: int, alerts: int, keys: int) -> list[Row]:
    """in_app, run in a process of its own: the app's memory is then the
    app's alone (not this harness's 10,000 alerts it posted, nor the fetches')."""
    return asyncio.run(in_app(load_config(config_file), services, alerts, keys))


def in_child(function, *args):
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as child:
        return child.submit(function, *args).result()


async def in_app(config, services: int, alerts: int, keys: int) -> list[Row]:
    imported = rss_mb()  # Python, Textual and the cockpit's modules, no data yet
    app = make_app(config, clock=system_clock)
    rows = []
    start = time.perf_counter()
    async with app.run_test(size=(120, 36)) as pilot:
        painted: list[float] = []  # when the app wrote the screen (Textual's _display)
        display = app._display

        def shown(*args, **kwargs):
            painted.append(time.perf_counter())
            return display(*args, **kwargs)

        app._display = shown

        async def key_to_paint(key: str) -> float:
            """Seconds from the key press to the first screen update after it."""
            began = time.perf_counter()
            await pilot.press(key)
            await pilot.pause()
            return next((at for at in painted if at > began), time.perf_counter()) - began

        def loaded() -> bool:
            snapshot = app.snapshot
            return (snapshot is not None and len(snapshot.services) >= services
                    and len(snapshot.slos) >= services * SLOS_PER_SERVICE and len(snapshot.incidents) >= alerts)

        while not loaded():
            await asyncio.sleep(0.01)
        await pilot.pause()
        launch = time.perf_counter() - start
        rows.append(Row("scale", "launch to every source's data on the Overview", f"{launch:.2f} s"))
        for panel, key in PANEL_KEYS.items():
            took = await key_to_paint(key)
            rows.append(Row("scale", f"{panel}: switch to it, full data (key to repaint)", f"{took * 1000:.0f} ms",
                            "", "< 1 s", took < TARGET_RENDER_S))
        # (what, on which panel, the keys: each timed, or pressed untimed between, as "escape" after a card)
        for what, panel_key, typed in (("cursor move", "s", [("down", True)] * keys),
                                       ("filter typing", "s", [(key, True) for key in ["slash", *"svc-01"[:keys]]]),
                                       ("sort", "s", [("greater_than_sign", True)] * keys),
                                       ("opening a service card", "s", [("enter", True), ("escape", False)] * keys),
                                       ("cursor move", "i", [("down", True)] * keys),
                                       ("panel switch", "o", [(key, True) for key in ("sbio" * keys)[:keys]])):
            await pilot.press(panel_key)
            await pilot.pause()
            took = []
            for key, timed in typed:
                if timed:
                    took.append(await key_to_paint(key) * 1000)
                else:
                    await pilot.press(key)
                    await pilot.pause()
            await pilot.press("escape")
            await pilot.pause()
            p95 = percentile(took, 95)
            rows.append(Row("scale", f"{what} on {panel_key}, key to repaint p50/p95/max",
                            f"{statistics.median(took):.0f}/{p95:.0f}/{max(took):.0f} ms", "", "p95 < 50 ms",
                            p95 < TARGET_KEY_MS))
        # Idle refreshes at scale: every 5 s the demo and alerts come again,
        # from when every panel is mounted (they mount one after another).
        for panel in app.panel_ids:
            await app.panels.mounted(panel)
        # The first refreshes raise the high-water mark (each one holds the
        # old data and the new for a moment); flat means no growth after that.
        # RSS is sampled each second (a sample during a refresh is up by
        # that refresh's data): the median of the first 10 s against the last 10 s.
        mounted = rss_mb()
        warm_s, idle_s = (0.5, 2.0) if keys < 5 else (30.0, 60.0)
        await asyncio.sleep(warm_s)
        samples = []
        for _ in range(int(idle_s)):
            samples.append(rss_mb())
            await asyncio.sleep(1.0)
        edge = max(1, min(10, len(samples) // 2))
        before, after = statistics.median(samples[:edge]), statistics.median(samples[-edge:])
        rows.append(Row("scale", f"RSS over {idle_s:.0f} s of idle refreshes (every 5 s) after {warm_s:.0f} s of them, "
                                 "end", f"{after:.0f} MB", f"start {before:.0f} MB ({mounted:.0f} MB once mounted)",
                        "flat (+5 MB)", None if keys < 5 else after <= before + 5))
    peak = rss_mb("VmHWM")
    rows.append(Row("scale", "peak RSS (the app's process)", f"{peak:.0f} MB", f"{imported:.0f} MB before the app starts",
                    "<= 150 MB", peak <= TARGET_RSS_MB))
    return rows


def rows(quick: bool = False, services: int = 2000, alerts: int = 10_000) -> list[Row]:
    if quick:
        services, alerts = 20, 20
    with ExitStack() as stack:
        urls: tuple[str, ...] = ()
        if amh.available():
            urls = stack.enter_context(amh.alertmanager_pair())
            amh.post_alerts(list(urls), [amh.make_alert(
                {"alertname": f"Alert{i % 40:02d}", "service": service_name(i % services), "severity": "warning",
                 "instance": f"host-{i:05d}:9100"}, {"summary": f"synthetic alert {i}"}) for i in range(alerts)])
            amh.wait_until(lambda: all(amh.grouped_alert_count(u) == alerts for u in urls), 120, "alerts grouped")
        else:
            alerts = 0
        root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cockpit-bench-scale-")))
        config_file = write_world(root, services, urls)
        head = Row("scale", f"{services:,} services, {services * SLOS_PER_SERVICE:,} SLOs, {alerts:,} alerts "
                            "(Alertmanager HA pair)", "")
        fetches = in_child(fetch_rows, config_file)
        shown = in_child(app_rows, config_file, services, alerts, 3 if quick else 20)
    return [head, *fetches, *shown]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=2000)
    parser.add_argument("--alerts", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    print(render(rows(args.quick, args.services, args.alerts)))
