"""Alerts to catalog services, end to end: alerts shaped by kube-prometheus's
and awesome-prometheus-alerts' real rules (their names, severities and
annotations, with the labels their expressions keep: namespace, job,
service, pod) are fired into a real Alertmanager running kube-prometheus's
own config (its inhibit rules: InfoInhibitor mutes info alerts), then read
through the catalog and Alertmanager sources and the hub.

The catalog (seed format and a Backstage entity) claims alerts by
namespace and by matchers; everything else goes by the default label order
(service, app, job, namespace); a value naming no catalog service is shown
as unowned with its label; the Overview counts neither inhibited alerts nor
severity none/info ones (Watchdog, InfoInhibitor, the info rules)."""

from __future__ import annotations

import json
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
import yaml

from alertmanager_harness import alertmanager, available, make_alert, post_alerts, wait_until
from cockpit.clock import system_clock
from cockpit.hub import Hub
from cockpit.service_index import Index
from cockpit.sources import load_kind
from cockpit.sources.base import SourceContext, SourceSpec
from cockpit.commands.status import run_status
from cockpit.panels.overview import incident_block

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not available(), reason="prometheus-alertmanager binary not installed "
                                               "(apt-get install prometheus-alertmanager)"),
]

REALWORLD = Path(__file__).parents[1] / "fixtures" / "realworld"
KUBE_PROMETHEUS = REALWORLD / "kube-prometheus"
AWESOME = REALWORLD / "awesome-prometheus-alerts"


def _rules() -> dict[str, dict]:
    """Every alerting rule of the copied files, by alert name."""
    rules = {}
    for path in sorted(KUBE_PROMETHEUS.glob("*-prometheusRule.yaml")) + sorted(AWESOME.glob("*.yml")):
        document = yaml.safe_load(path.read_text())
        groups = document["spec"]["groups"] if document.get("kind") == "PrometheusRule" else document["groups"]
        rules.update({rule["alert"]: rule for group in groups for rule in group["rules"] if "alert" in rule})
    return rules


RULES = _rules()
KSM = {"job": "kube-state-metrics", "service": "kube-state-metrics", "namespace": "monitoring",
       "instance": "10.2.0.14:8443", "container": "kube-rbac-proxy-main"}  # what kube-state-metrics' series carry


def fire(alertname: str, **labels: str) -> dict:
    """An alert as Prometheus sends it for the rule: its labels, its annotations
    (templates unexpanded), plus the labels its expression keeps."""
    rule = RULES[alertname]
    return make_alert({"alertname": alertname, **rule.get("labels", {}), **labels}, rule.get("annotations", {}))


ALERTS = {
    # Claimed by payments-api (alerts: {namespace: payments}); service=kube-state-metrics is
    # the Kubernetes Service that exported the series, not a catalog service.
    "crashloop": fire("KubernetesPodCrashLooping", **{**KSM, "namespace": "payments", "pod": "payments-api-7d9f-xk2",
                                                      "container": "api", "uid": "a1"}),
    # Claimed by a matcher ({alertname=~"KubeStateMetrics.*"}); by (cluster) keeps only cluster.
    "ksm-errors": fire("KubeStateMetricsListErrors", cluster="prod-eu"),
    # Claimed by the Backstage entity's backstage.io/kubernetes-namespace annotation.
    "frontend-down": fire("TargetDown", job="storefront", namespace="shop-frontend", service="storefront-svc"),
    # No claim: service=checkout-svc names no catalog service, app is absent, job=checkout does.
    "checkout-down": fire("TargetDown", job="checkout", namespace="shop", service="checkout-svc"),
    # No claim: app=search comes before job=search-api in the order; both are catalog services.
    "goroutines": fire("GoGoroutineCountHigh", app="search", job="search-api", instance="10.2.3.4:8080"),
    # No claim, no label naming a catalog service: unowned, showing the first label it has.
    "node-exporter-down": fire("TargetDown", job="node-exporter", namespace="monitoring", service="node-exporter"),
    # severity none: never an open incident.
    "watchdog": fire("Watchdog"),
    "info-inhibitor": fire("InfoInhibitor", namespace="payments"),
    # severity info in payments: inhibited by InfoInhibitor (kube-prometheus's inhibit rule, equal: namespace).
    "hpa-capacity": fire("KubernetesHpaScaleCapability", **{**KSM, "namespace": "payments",
                                                         "horizontalpodautoscaler": "payments-api"}),
    # severity info with no namespace: not inhibited, still not counted.
    "hpa-underused": fire("KubernetesHpaUnderutilized", horizontalpodautoscaler="search-api"),
}

SEED_CATALOG = """\
services:
  payments-api:
    owner: payments-team
    alerts: {namespace: payments}
  observability:
    owner: platform
    alerts:
      - '{alertname=~"KubeStateMetrics.*"}'
  checkout:
    owner: shop-team
  search:
    owner: search-team
  search-api:
    owner: search-team
"""
BACKSTAGE_ENTITY = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: storefront
  annotations:
    backstage.io/kubernetes-namespace: shop-frontend
spec:
  type: website
  lifecycle: production
  owner: group:web-team
"""


def kube_prometheus_config() -> str:
    secret = yaml.safe_load((KUBE_PROMETHEUS / "alertmanager-secret.yaml").read_text())
    return secret["stringData"]["alertmanager.yaml"]


@pytest.fixture(scope="module")
def am_url():
    with tempfile.TemporaryDirectory(prefix="cockpit-owners-") as tmp, \
            alertmanager(Path(tmp), kube_prometheus_config()) as url:
        post_alerts([url], list(ALERTS.values()))

        def inhibited() -> bool:
            alerts = httpx.get(f"{url}/api/v2/alerts", timeout=10).json()
            return len(alerts) == len(ALERTS) and any(a["status"]["inhibitedBy"] for a in alerts)

        wait_until(inhibited, what="every alert in, and InfoInhibitor inhibiting")
        yield url


def source(kind: str, name: str, **options):
    spec = SourceSpec(kind=kind, name=name, refresh=timedelta(seconds=30), timeout=timedelta(seconds=10),
                      options=options, base_dir=Path("."))
    return load_kind(kind)(spec, SourceContext(clock=system_clock, user="alice"))


@pytest.fixture
async def snapshot(am_url, tmp_path):
    (tmp_path / "services.yaml").write_text(SEED_CATALOG)
    (tmp_path / "storefront.yaml").write_text(BACKSTAGE_ENTITY)
    hub = Hub([source("catalog", "catalog", path=str(tmp_path)), source("alertmanager", "am", urls=[am_url])],
              clock=lambda: datetime.now(timezone.utc))
    try:
        yield await hub.refresh_all()
    finally:
        await hub.aclose()


def by_name(snapshot) -> dict:
    found = {}
    for incident in snapshot.incidents:
        key = next(k for k, alert in ALERTS.items() if alert["labels"] == dict(incident.labels))
        found[key] = incident
    assert set(found) == set(ALERTS)
    return found


async def test_alerts_join_by_claims_then_the_default_label_order(snapshot):
    alerts = by_name(snapshot)
    owners = {key: (alert.service, alert.service_hint) for key, alert in alerts.items()}
    assert owners == {
        "crashloop": ("payments-api", ""),  # alerts: {namespace: payments}, not service=kube-state-metrics
        "ksm-errors": ("observability", ""),  # alerts: ['{alertname=~"KubeStateMetrics.*"}']
        "frontend-down": ("storefront", ""),  # backstage.io/kubernetes-namespace
        "checkout-down": ("checkout", ""),  # job, after service (not a catalog service) and app (absent)
        "goroutines": ("search", ""),  # app comes before job
        "node-exporter-down": ("", 'service="node-exporter"'),
        "watchdog": ("", ""),
        "info-inhibitor": ("payments-api", ""),
        "hpa-capacity": ("payments-api", ""),
        "hpa-underused": ("", ""),  # by (horizontalpodautoscaler): no label to try
    }
    assert alerts["node-exporter-down"].owner_text == 'unowned (service="node-exporter")'
    assert alerts["hpa-capacity"].status == "inhibited"
    index = Index.build(snapshot)
    # Unowned: on no service's card (the rows show it dim as owner_text above).
    assert all(alerts["node-exporter-down"] not in listed for listed in index.incidents.values())
    assert {a.id for a in index.incidents["payments-api"]} == {
        alerts[k].id for k in ("crashloop", "info-inhibitor", "hpa-capacity")}


async def test_overview_counts_neither_inhibited_nor_none_nor_info_alerts(snapshot):
    alerts = by_name(snapshot)
    index = Index.build(snapshot)
    counted = {i.id for i in index.open_incidents()}
    assert counted == {alerts[k].id for k in ("crashloop", "ksm-errors", "frontend-down", "checkout-down",
                                              "goroutines", "node-exporter-down")}
    (_, counts), (open_title, _) = incident_block(index, datetime.now(timezone.utc))
    assert open_title == "Open (6)"
    # critical -> P1 (KubeStateMetricsListErrors), warning -> P3 (the rest); Watchdog, the
    # InfoInhibitor and the two info alerts are P3 too, but not counted.
    assert [str(link.label).split()[0] for link in counts] == ["0", "1", "0", "5"]


def test_status_json_lists_each_alert_under_its_owner(am_url, tmp_path, capsys):
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog" / "services.yaml").write_text(SEED_CATALOG)
    (tmp_path / "catalog" / "storefront.yaml").write_text(BACKSTAGE_ENTITY)
    config = tmp_path / "cockpit.yaml"
    config.write_text(f"sources:\n  - {{kind: catalog, path: catalog}}\n  - {{kind: alertmanager, urls: ['{am_url}']}}\n")
    assert run_status(str(config), as_json=True) == 0
    incidents = json.loads(capsys.readouterr().out)["incidents"]
    services = {i["labels"]["alertname"] + "/" + i["labels"].get("namespace", ""): i["service"] for i in incidents}
    assert services["KubernetesPodCrashLooping/payments"] == "payments-api"
    assert services["TargetDown/monitoring"] == ""  # service="node-exporter" is no catalog service
    assert services["TargetDown/shop"] == "checkout"
    assert sum(1 for s in services.values() if s) == 7
