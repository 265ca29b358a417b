"""Which catalog service owns an alert (cockpit.alert_owners): claims from
the seed's `alerts:` key and Backstage annotations, the default label
order, unowned alerts keeping their label, and `cockpit check` naming
file:line for a bad `alerts:` entry."""

from __future__ import annotations

from datetime import datetime, timezone

from cockpit.alert_owners import Owners, claims_from_backstage
from cockpit.commands.check import run_check
from cockpit.model import Incident, Service, frozen_map
from cockpit.sources.catalog import parse_catalog

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=timezone.utc)


def alert(kind: str = "alert", owner: str = "", **labels: str) -> Incident:
    return Incident(id="fp", title="t", severity="P3", status="firing", service=owner, started_at=T0,
                    source="am", kind=kind, labels=frozen_map(labels))


def catalog(tmp_path, text: str):
    (tmp_path / "services.yaml").write_text(text)
    return parse_catalog(tmp_path / "services.yaml")


def test_the_seed_alerts_key_takes_a_label_map_a_matcher_string_or_a_list(tmp_path):
    found = catalog(tmp_path, """\
services:
  payments-api:
    owner: payments
    alerts: {namespace: payments}
  postgres:
    owner: dba
    alerts: '{namespace="payments", alertname=~"Postgres.*"}'
  edge:
    owner: net
    alerts:
      - {job: ingress-nginx}
      - '{alertname="TargetDown", service="edge"}'
""")
    assert found.problems == []
    assert {name: s.alerts for name, s in found.services.items()} == {
        "payments-api": ('{namespace="payments"}',),
        "postgres": ('{namespace="payments", alertname=~"Postgres.*"}',),
        "edge": ('{job="ingress-nginx"}', '{alertname="TargetDown", service="edge"}'),
    }
    owners = Owners(found.services.values())
    # The most specific claim wins: two matchers over one.
    assert owners.owner({"alertname": "PostgresReplicationLag", "namespace": "payments"}) == ("postgres", "")
    assert owners.owner({"alertname": "KubePodCrashLooping", "namespace": "payments"}) == ("payments-api", "")
    assert owners.owner({"alertname": "TargetDown", "service": "edge"}) == ("edge", "")
    assert owners.owner({"alertname": "X", "job": "ingress-nginx", "service": "postgres"}) == ("edge", "")


def test_without_a_claim_the_first_label_naming_a_catalog_service_wins():
    owners = Owners([Service("checkout", "shop"), Service("shop", "shop"), Service("search", "s")])
    order = ("service", "app", "job", "namespace")
    assert owners.owner({"service": "checkout-svc", "job": "checkout", "namespace": "shop"}, order) == ("checkout", "")
    assert owners.owner({"app": "search", "job": "checkout"}, order) == ("search", "")
    assert owners.owner({"service": "kube-state-metrics", "job": "kube-state-metrics"}, order) == \
        ("", 'service="kube-state-metrics"')
    assert owners.owner({"alertname": "Watchdog"}, order) == ("", "")
    assert owners.owner({"job": "checkout", "namespace": "shop"}, ("namespace", "job")) == ("shop", "")


def test_assign_keeps_the_incident_when_it_already_says_so_and_leaves_incidents_alone():
    owners = Owners([Service("checkout", "shop")])
    owned = alert(owner="checkout", job="checkout")
    assert owners.assign(owned) is owned  # the Incidents panel reuses rows by identity
    unowned = owners.assign(alert(**{"service": "node-exporter", "job": "node-exporter"}))
    assert (unowned.service, unowned.service_hint, unowned.owner_text) == \
        ("", 'service="node-exporter"', 'unowned (service="node-exporter")')
    declared = alert(kind="incident", owner="billing")
    assert owners.assign(declared) is declared  # incidents name their services themselves


def test_backstage_annotations_become_claims():
    assert claims_from_backstage({
        "backstage.io/kubernetes-namespace": "shop",
        "backstage.io/kubernetes-id": "cart",
        "prometheus.io/alert": "CartSlow, all",
    }) == ('{alertname="CartSlow"}', '{namespace="shop", service="cart"}', '{app="cart", namespace="shop"}',
           '{job="cart", namespace="shop"}', '{namespace="shop"}')
    assert claims_from_backstage(None) == claims_from_backstage({"backstage.io/techdocs-ref": "dir:."}) == ()
    cart, shop = Service("cart", "t", alerts=claims_from_backstage({
        "backstage.io/kubernetes-namespace": "shop", "backstage.io/kubernetes-id": "cart"})), \
        Service("shop-web", "t", alerts=claims_from_backstage({"backstage.io/kubernetes-namespace": "shop"}))
    owners = Owners([shop, cart])
    assert owners.owner({"namespace": "shop", "app": "cart"}) == ("cart", "")
    assert owners.owner({"namespace": "shop", "app": "web"}) == ("shop-web", "")


def test_backstage_entity_annotations_reach_the_service(tmp_path):
    found = catalog(tmp_path, """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: storefront
  annotations:
    backstage.io/kubernetes-namespace: shop-frontend
spec: {type: website, lifecycle: production, owner: web-team}
""")
    assert found.services["storefront"].alerts == ('{namespace="shop-frontend"}',)


def test_cockpit_check_names_file_line_and_key_of_a_bad_alerts_entry(tmp_path, capsys):
    services = tmp_path / "services.yaml"
    services.write_text("""\
services:
  payments-api:
    owner: payments
    alerts:
      - {namespace: payments}
      - '{namespace=~"pay(ments"}'
      - '{severity!="info"}'
  search:
    owner: search
    alerts: 42
""")
    config = tmp_path / "cockpit.yaml"
    config.write_text("sources:\n  - {kind: catalog, path: services.yaml}\n")
    assert run_check(str(config)) == 2
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert any(line.startswith(f"{services.resolve()}:6: services.payments-api.alerts[1]: ")
               and "invalid regex" in line for line in lines), out
    assert any(line.startswith(f"{services.resolve()}:7: services.payments-api.alerts[2]: needs at least one = or =~")
               for line in lines), out
    assert any(line.startswith(f"{services.resolve()}:10: services.search.alerts: expected a mapping or a string or "
                               "a list") for line in lines), out
