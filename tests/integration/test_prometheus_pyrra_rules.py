"""Pyrra's own recording rules, read instead of the raw 4w and 2w queries.

The synthetic history of test_prometheus_pyrra is served twice: raw, and
with the series Pyrra's rules would have recorded backfilled beside it. Those
are the rules Pyrra writes for the ratio and latency SLOs (pyrra-dev/pyrra
slo/rules.go: ``<metric>:increase<window>``, labelled ``slo`` and the
total's equality matchers, summed by the grouping labels), evaluated by the
raw Prometheus at the cockpit's history steps (as if the rule ran every
step; promtool's own rule backfill takes minutes at Pyrra's 5-minute
interval). The
figures must match the raw-metric path's, come from the recorded series,
and the number of queries must not depend on the number of services."""

from __future__ import annotations

import json
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

import prometheus_harness as ph
import test_prometheus_pyrra as base
from cockpit.promql import history_step
from cockpit.slo import BURN_WINDOWS
from cockpit.commands.status import run_status

pytestmark = [pytest.mark.integration,
              pytest.mark.skipif(not ph.available(), reason="needs /usr/bin/prometheus and /usr/bin/promtool")]


def pyrra_rules(service: str) -> list[tuple[str, str, dict[str, str], timedelta]]:
    """The increase rules Pyrra generates for the two SLOs of ``service``,
    as (record, expr, labels, SLO window)."""
    total, bucket = f'{base.HISTOGRAM}_count{{service="{service}"}}', f'{base.HISTOGRAM}_bucket{{service="{service}",le="0.5"}}'
    return [
        ("http_requests:increase4w", f'sum by (code) (increase(http_requests_total{{service="{service}"}}[4w]))',
         {"service": service, "slo": "requests-errors"}, base.RATIO_WINDOW),
        (f"{base.HISTOGRAM}:increase2w", f"sum(increase({total}[2w]))",
         {"service": service, "slo": "requests-latency"}, base.LATENCY_WINDOW),
        (f"{base.HISTOGRAM}:increase2w", f"sum(increase({bucket}[2w]))",
         {"le": "0.5", "service": service, "slo": "requests-latency"}, base.LATENCY_WINDOW),
    ]


def recorded_series(url: str, services: list[str], end) -> str:
    """OpenMetrics of what Pyrra's rules record, as this Prometheus evaluates
    them, at each history step of the cockpit's range queries up to ``end``
    (a rule evaluated every step: exactly the samples those queries read)."""
    families: dict[str, list[str]] = {}
    for service in services:
        for name, expr, labels, window in pyrra_rules(service):
            step = history_step(window)
            answer = httpx.get(f"{url}/api/v1/query_range", params={
                "query": expr, "start": (end - step * 59).timestamp(), "end": end.timestamp(),
                "step": step.total_seconds()}, timeout=30).json()
            for series in answer["data"]["result"]:
                tags = ",".join(f'{k}="{v}"' for k, v in sorted({**series["metric"], **labels}.items()))
                families.setdefault(name, []).extend(f"{name}{{{tags}}} {v} {int(float(t))}"
                                                     for t, v in series["values"])
    lines = [line for name, samples in families.items() for line in (f"# TYPE {name} gauge", *samples)]
    return "\n".join(lines + ["# EOF", ""])


@pytest.fixture(scope="module")
def servers():
    """(url without the recorded series, url with them, requests, latency, workdir)."""
    workdir = Path(tempfile.mkdtemp(prefix="cockpit-pyrra-rules-"))
    end = ph.data_end()
    requests, latency = ph.generate(base.PROFILES, end), ph.generate(base.LATENCY_PROFILES, end)
    ph.write_openmetrics(requests, workdir / "data.om", base.histogram_series(latency))
    ph.backfill(workdir / "data.om", workdir / "raw")
    ph.backfill(workdir / "data.om", workdir / "recorded")
    (workdir / "data.om").unlink()
    with ph.prometheus(workdir / "raw") as raw_url:
        (workdir / "rules.om").write_text(recorded_series(raw_url, [p.service for p in base.PROFILES], end))
        ph.backfill(workdir / "rules.om", workdir / "recorded")
        with ph.prometheus(workdir / "recorded") as recorded_url:
            yield raw_url, recorded_url, requests, latency, workdir
    shutil.rmtree(workdir, ignore_errors=True)


def query_range_count(url: str) -> float:
    return ph.api_requests(url).get("/api/v1/query_range", 0.0)


def test_recorded_figures_match_the_raw_path_and_come_from_the_recorded_series(servers):
    raw_url, recorded_url, requests, latency, workdir = servers
    services = [p.service for p in base.PROFILES]
    slos = base.write_slos(workdir / "slos", services)
    raw, raw_queries = base.fetch(raw_url, slos, requests)
    before = query_range_count(recorded_url)
    recorded, queries = base.fetch(recorded_url, slos, requests)
    range_queries = query_range_count(recorded_url) - before
    for key, status in recorded.items():
        other = raw[key]
        assert status.data == "ok" and status.warnings == (), status
        assert status.budget_remaining == pytest.approx(other.budget_remaining, abs=0.01), key
        assert status.burn_rates == other.burn_rates, key  # the burn windows stay raw queries
        assert status.history_step == other.history_step and len(status.history) == 60, key
        # Past the data's start, the budget spent within 1 % (increase() extrapolates to the
        # window's edges, the raw path sums whole steps: the same relative error either way,
        # so an overspent budget differs by more than 0.01 in budget units).
        for mine, theirs in zip(status.history[4:], other.history[4:]):
            assert 1 - mine == pytest.approx(1 - theirs, abs=0.01, rel=0.01), key
    for service in services:  # and both match the generated truth
        base.assert_matches(recorded[f"{service}/requests-errors"], requests, service, base.RATIO_OBJECTIVE,
                            base.RATIO_WINDOW)
        base.assert_matches(recorded[f"{service}/requests-latency"], latency, service, base.LATENCY_OBJECTIVE,
                            base.LATENCY_WINDOW)
    # The window figure is exactly what the recorded series say.
    selector = 'http_requests:increase4w{slo="requests-errors",service="pyrra-old-outage"%s}'
    errors, total = selector % ',code=~"5.."', selector % ""
    answer = httpx.get(f"{recorded_url}/api/v1/query", params={
        "query": f"sum({errors}) / sum({total})", "time": requests.end.timestamp()}).json()
    ratio = float(answer["data"]["result"][0]["value"][1])
    status = recorded["pyrra-old-outage/requests-errors"]
    assert status.budget_remaining == pytest.approx(1 - ratio / (1 - base.RATIO_OBJECTIVE), abs=1e-9)
    assert status.tier == "exhausted"
    # The probes (Sloth's, Pyrra's), one history range query per window (4w, 2w), and raw burn windows only:
    # no raw range queries over the 4w and 2w windows.
    assert queries == 2 + 2 + 2 * 2 * len(BURN_WINDOWS)
    assert range_queries == 2
    assert raw_queries == 2 + 2 * (2 * len(BURN_WINDOWS) + 2)


def test_recorded_query_count_does_not_depend_on_the_number_of_services(servers):
    _, recorded_url, requests, _, workdir = servers
    one = base.write_slos(workdir / "one", ["pyrra-steady"])
    three = base.write_slos(workdir / "three", [p.service for p in base.PROFILES])
    (_, few), (_, more) = base.fetch(recorded_url, one, requests), base.fetch(recorded_url, three, requests)
    assert few == more == 2 + 2 + 2 * 2 * len(BURN_WINDOWS)
    # Services with no recorded series fall back to the raw path: one more set of shapes, however many.
    ghosts = base.write_slos(workdir / "ghosts", ["pyrra-steady", "pyrra-ghost", "pyrra-ghost-2"])
    statuses, mixed = base.fetch(recorded_url, ghosts, requests)
    assert statuses["pyrra-ghost/requests-errors"].data == "no_data"
    assert statuses["pyrra-steady/requests-errors"].data == "ok"
    assert mixed == few + 2 * (2 * len(BURN_WINDOWS) + 2)


def test_status_json_lists_every_real_world_example_slo_unowned(servers, tmp_path, capsys):
    """Sloth's and Pyrra's own examples through `cockpit status --json` against
    a real Prometheus: every SLO is there, none of their services is in the
    bundled catalog, so each is marked unowned (and has no data here)."""
    raw_url = servers[0]
    realworld = Path(__file__).resolve().parent.parent / "fixtures" / "realworld"
    catalog = Path(__file__).resolve().parents[2] / "config" / "services.yaml"
    slos = [realworld / "pyrra" / "kubernetes", realworld / "sloth" / "k8s-home-wifi.yml",
            realworld / "sloth" / "windows" / "custom-30d.yaml"]
    names = ", ".join(f'"{path}"' for path in slos)
    config = tmp_path / "cockpit.yaml"
    config.write_text(f'sources:\n  - {{kind: catalog, path: "{catalog}"}}\n'
                      f'  - {{kind: prometheus, url: "{raw_url}", slos: [{names}]}}\n')
    assert run_status(str(config), as_json=True) == 0
    document = json.loads(capsys.readouterr().out)
    assert len(document["slos"]) == 22 + 2
    assert all(slo["unowned"] and slo["data"] == "no_data" for slo in document["slos"])
    assert {slo["service"] for slo in document["slos"]} == {"monitoring", "test-mika", "home-wifi"}
    assert [s["ok"] for s in document["sources"] if s["kind"] == "prometheus"] == [True]
