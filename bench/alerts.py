"""Benchmark: 10,000 firing alerts held by an HA pair of real Alertmanagers.

Times the source layer's part of fetch-to-render: fetch from both instances
(HTTP + JSON + mapping to Incidents + HA dedupe, as AlertmanagerSource.fetch
does it), then grouping and a label filter. The render part (first paint of
the Incidents panel, filter keystroke to repaint) is added with the panel.

    .venv/bin/python bench/alerts.py [--alerts 10000] [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "integration"))

from alertmanager_harness import (  # noqa: E402
    alertmanager_pair, available, grouped_alert_count, make_alert, post_alerts, wait_until,
)

from cockpit.alerts import Sighting, dedupe, filter_alerts, group_alerts, parse_matchers  # noqa: E402
from cockpit.clock import system_clock  # noqa: E402
from cockpit.sources.alertmanager import AlertmanagerSource  # noqa: E402
from cockpit.sources.base import SourceContext, SourceSpec  # noqa: E402

SERVICES = ["api-server", "auth-service", "user-service", "notification-service", "scraper-service",
            "reconciliation-service", "events-pipeline", "checkout-service", "payments-gateway", "billing-worker",
            "ingress-gateway", "postgres-primary", "redis-cache", "message-queue", "search-service",
            "recommendations", "web-frontend"]
SEVERITIES = ["critical", "warning", "warning", "info"]


def make_alerts(count: int) -> list[dict]:
    return [
        make_alert({"alertname": f"Alert{i % 40:02d}", "service": SERVICES[i % len(SERVICES)],
                    "severity": SEVERITIES[i % len(SEVERITIES)], "instance": f"host-{i:05d}:9100"},
                   {"summary": f"synthetic alert {i}", "runbook_url": f"runbooks/{SERVICES[i % len(SERVICES)]}.md"})
        for i in range(count)
    ]


def timed(call):
    start = time.perf_counter()
    result = call()
    return result, (time.perf_counter() - start) * 1000


def summary(name: str, samples: list[float]) -> str:
    return f"  {name:<34} median {statistics.median(samples):8.1f} ms   min {min(samples):8.1f} ms"


async def measure(urls: tuple[str, str], runs: int) -> dict[str, list[float]]:
    spec = SourceSpec(kind="alertmanager", name="am", refresh=timedelta(seconds=30), timeout=timedelta(seconds=30),
                      options={"urls": [{"url": urls[0], "name": "am-a"}, {"url": urls[1], "name": "am-b"}]},
                      base_dir=ROOT)
    source = AlertmanagerSource(spec, SourceContext(clock=system_clock, user="bench"))
    matchers = parse_matchers('{service=~"payments.*|checkout.*", severity!="info"}')
    figures: dict[str, list[float]] = {}
    try:
        for _ in range(runs):
            start = time.perf_counter()
            data = await source.fetch()
            fetch_ms = (time.perf_counter() - start) * 1000
            incidents = data.incidents
            assert len(incidents) == len({i.id for i in incidents}), "dedupe left duplicates"
            assert all(len(i.instances) == 2 for i in incidents), "an alert lost an instance"
            sightings = [Sighting(i.id, i.status, i.started_at, i) for i in incidents]
            _, dedupe_ms = timed(lambda: dedupe([("am-a", sightings), ("am-b", sightings)]))
            groups, group_ms = timed(lambda: group_alerts(incidents))
            _, by_label_ms = timed(lambda: group_alerts(incidents, by="service"))
            _, filter_ms = timed(lambda: filter_alerts(incidents, states=["active"], matchers=matchers))
            for name, value in [("fetch both + map + dedupe", fetch_ms), ("  of which dedupe alone", dedupe_ms),
                                ("group by Alertmanager groups", group_ms), ("group by service label", by_label_ms),
                                ("filter (state + matchers)", filter_ms),
                                ("fetch + dedupe + group", fetch_ms + group_ms)]:
                figures.setdefault(name, []).append(value)
        figures["alerts shown / groups"] = [float(len(incidents)), float(len(groups))]
    finally:
        await source.aclose()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not available():
        print("prometheus-alertmanager is not installed: run scripts/install-servers.sh", file=sys.stderr)
        return 2
    alerts = make_alerts(args.alerts)
    with alertmanager_pair() as urls:
        _, post_ms = timed(lambda: post_alerts(list(urls), alerts, batch=1000))
        wait_until(lambda: all(grouped_alert_count(u) == args.alerts for u in urls), 120, "alerts to be grouped")
        figures = asyncio.run(measure(urls, args.runs))
    shown, groups = figures.pop("alerts shown / groups")
    print(f"{args.alerts} firing alerts on each of 2 Alertmanagers (an HA pair), {args.runs} runs; "
          f"posted in batches of 1000 in {post_ms:.0f} ms")
    print(f"  shown once each: {shown:.0f} alerts in {groups:.0f} Alertmanager groups; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (the servers share them)")
    for name, samples in figures.items():
        print(summary(name, samples))
    return 0


if __name__ == "__main__":
    sys.exit(main())
