"""Benchmark: one SLO refresh against a real Prometheus holding 30 days of
history, for 50 and for 500 services (two SLOs each).

For each size it prints the PromQL queries one refresh sends and the refresh's
wall time (PrometheusSource.fetch: SLO files, queries in worker threads,
grouping, evaluation), next to the time of exactly the same queries sent raw
with httpx (same concurrency, JSON decoded) in the same run. Targets: equal
query counts at 50 and 500 services; cockpit refresh <= 1.3x raw.

    .venv/bin/python bench/slo_refresh.py [--services 50 500] [--runs 11]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "integration"))

import prometheus_harness as ph  # noqa: E402

from cockpit.sources.base import SourceContext, SourceSpec  # noqa: E402
from cockpit.sources.prometheus.api import MAX_CONCURRENT  # noqa: E402
from cockpit.sources.prometheus.source import PrometheusSource  # noqa: E402

INCREASE_ERROR = 'sum(increase(http_requests_total{service="%s",code=~"5.."}[{{.window}}]))'
INCREASE_TOTAL = 'sum(increase(http_requests_total{service="%s"}[{{.window}}]))'


def profiles(count: int) -> list[ph.Profile]:
    """Services with assorted error ratios; every tenth one burning now."""
    result = []
    for i in range(count):
        bursts = (ph.Burst(timedelta(minutes=30), timedelta(0), 0.02),) if i % 10 == 0 else ()
        result.append(ph.Profile(f"svc-{i:03d}", rps=5 + i % 7, error_ratio=0.0001 * (1 + i % 9), bursts=bursts))
    return result


def write_slos(path: Path, services: list[str]) -> None:
    docs = []
    for service in services:
        docs.append("\n".join([
            'version: "prometheus/v1"', f'service: "{service}"', "slos:",
            '  - name: "availability"', "    objective: 99.9", "    sli:", "      events:",
            f"        error_query: '{ph.ERROR_QUERY % service}'", f"        total_query: '{ph.TOTAL_QUERY % service}'",
            '  - name: "availability-increase"', "    objective: 99.5", "    sli:", "      events:",
            f"        error_query: '{INCREASE_ERROR % service}'", f"        total_query: '{INCREASE_TOTAL % service}'",
        ]) + "\n")
    path.write_text("---\n".join(docs))


class Recorder:
    """Wraps the client's query methods to note the requests a refresh sends."""

    def __init__(self, api) -> None:
        self.calls: list[tuple[str, dict]] = []
        query, query_range = api.custom_query, api.custom_query_range

        def record_query(promql, params=None, **kwargs):
            self.calls.append(("/api/v1/query", {"query": promql, **(params or {})}))
            return query(promql, params=params, **kwargs)

        def record_range(promql, start_time, end_time, step, **kwargs):
            self.calls.append(("/api/v1/query_range", {"query": promql, "start": round(start_time.timestamp()),
                                                       "end": round(end_time.timestamp()), "step": step}))
            return query_range(promql, start_time=start_time, end_time=end_time, step=step, **kwargs)

        api.custom_query, api.custom_query_range = record_query, record_range
        self.stop = lambda: (delattr(api, "custom_query"), delattr(api, "custom_query_range"))


async def raw_refresh(url: str, calls: list[tuple[str, dict]]) -> None:
    """The same requests with httpx, MAX_CONCURRENT at a time, JSON decoded."""
    limit = asyncio.Semaphore(MAX_CONCURRENT)
    async with httpx.AsyncClient(base_url=url, timeout=60.0) as client:
        async def one(path: str, params: dict) -> None:
            async with limit:
                response = await client.get(path, params=params)
                response.raise_for_status()
                response.json()["data"]["result"]
        await asyncio.gather(*(one(path, params) for path, params in calls))


def bench(count: int, runs: int, workdir: Path) -> dict:
    end = ph.data_end()
    started = time.perf_counter()
    history = ph.generate(profiles(count), end)
    ph.write_openmetrics(history, workdir / "data.om")
    size_mb = (workdir / "data.om").stat().st_size / 1e6
    ph.backfill(workdir / "data.om", workdir / "tsdb")
    (workdir / "data.om").unlink()
    prepared = time.perf_counter() - started
    write_slos(workdir / "slos.yaml", list(history.totals))
    with ph.prometheus(workdir / "tsdb") as url:
        spec = SourceSpec(kind="prometheus", name="prom", refresh=timedelta(seconds=30),
                          timeout=timedelta(seconds=60), options={"url": url, "slos": [str(workdir / "slos.yaml")]},
                          base_dir=workdir)
        source = PrometheusSource(spec, SourceContext(clock=lambda: end))

        async def cockpit_refresh():
            return await source.fetch()

        loop = asyncio.new_event_loop()
        try:
            data = loop.run_until_complete(cockpit_refresh())  # warm-up: connections, caches, retention
            recorder = Recorder(source._api._api)  # the prometheus-api-client under PrometheusAPI
            loop.run_until_complete(cockpit_refresh())
            recorder.stop()  # the timed refreshes below run unwrapped
            queries, calls = source.queries_last_refresh, recorder.calls
            # Interleaved, alternating which goes first, so that background
            # work on the server (start-up compaction, GC) favours neither.
            cockpit_times, raw_times = [], []
            for run in range(runs):
                pair = [(cockpit_times, cockpit_refresh), (raw_times, lambda: raw_refresh(url, calls))]
                for times, refresh in pair if run % 2 == 0 else reversed(pair):
                    start = time.perf_counter()
                    loop.run_until_complete(refresh())
                    times.append(time.perf_counter() - start)
            loop.run_until_complete(source.aclose())
        finally:
            loop.close()
    ok = sum(1 for status in data.slos if status.data == "ok")
    return {"services": count, "slos": len(data.slos), "ok": ok, "queries": queries, "requests": len(calls),
            "cockpit_s": statistics.median(cockpit_times), "raw_s": statistics.median(raw_times),
            "data_mb": size_mb, "prepare_s": prepared}


def rows(quick: bool = False) -> list:
    sys.path.insert(0, str(ROOT / "bench"))
    from table import Row

    if not ph.available():
        return [Row("Prometheus", "skipped: prometheus/promtool not installed", "")]
    sizes, runs = ((5, 10), 1) if quick else ((50, 500), 11)
    results = []
    for count in sizes:
        workdir = Path(tempfile.mkdtemp(prefix=f"cockpit-bench-{count}-"))
        try:
            results.append(bench(count, runs, workdir))
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    equal = len({r["queries"] for r in results}) == 1
    table = [Row("Prometheus", "queries per refresh at " + " / ".join(f"{r['services']} services" for r in results),
                 " / ".join(str(r["queries"]) for r in results), "", "constant", equal)]
    for r in results:
        ratio = r["cockpit_s"] / r["raw_s"]
        table.append(Row("Prometheus", f"refresh, {r['services']} services ({r['slos']} SLOs)",
                         f"{r['cockpit_s'] * 1000:.0f} ms", f"same queries raw {r['raw_s'] * 1000:.0f} ms",
                         "<= 1.3x raw", None if quick else ratio <= 1.3))
        table.append(Row("Prometheus", "  ratio", f"{ratio:.2f}x"))
    return table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, nargs="+", default=[50, 500])
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    if not ph.available():
        print("needs /usr/bin/prometheus and /usr/bin/promtool (scripts/install-servers.sh installs them)")
        return 2
    rows = []
    for count in args.services:
        workdir = Path(tempfile.mkdtemp(prefix=f"cockpit-bench-{count}-"))
        try:
            rows.append(bench(count, args.runs, workdir))
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        row = rows[-1]
        print(f"{row['services']:>4} services: {row['data_mb']:.0f} MB OpenMetrics, generated + backfilled "
              f"in {row['prepare_s']:.1f}s", flush=True)
    print()
    print(f"{'services':>8} {'SLOs':>5} {'ok':>5} {'queries/refresh':>16} {'cockpit refresh':>16} "
          f"{'raw httpx':>10} {'ratio':>6}")
    for row in rows:
        print(f"{row['services']:>8} {row['slos']:>5} {row['ok']:>5} {row['queries']:>16} "
              f"{row['cockpit_s'] * 1000:>14.0f}ms {row['raw_s'] * 1000:>8.0f}ms "
              f"{row['cockpit_s'] / row['raw_s']:>5.2f}x")
    equal = len({row["queries"] for row in rows}) == 1
    within = all(row["cockpit_s"] <= 1.3 * row["raw_s"] for row in rows)
    print(f"\nqueries per refresh equal across sizes: {'yes' if equal else 'NO'}; "
          f"cockpit <= 1.3x raw: {'yes' if within else 'NO'}")
    return 0 if equal and within else 1


if __name__ == "__main__":
    sys.exit(main())
