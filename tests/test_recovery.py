"""Disaster-recovery facts: the catalog's dr: for services and data domains,
bad ones reported by `cockpit check` with file, line and key, judged against
the guide's quarterly restore tests and the RPO, and in `status --json`."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from cockpit.clock import DEMO_TIME
from cockpit.commands.check import check_config
from cockpit.commands.status import snapshot_to_json
from cockpit.model import BackupStatus, DataDomain, RecoveryFacts, Service, Snapshot
from cockpit.recovery import backup_breaches_rpo, recoveries, restore_test_due
from cockpit.sources.catalog import parse_catalog
from cockpit.sources.demo import simulated_backups
from cockpit.sources.base import SourceSpec

NOW = datetime(2026, 11, 28, 3, 0, tzinfo=timezone.utc)

CATALOG = """services:
  checkout-service:
    owner: payments-team
    data_domains: [payments]
    dr: {rpo: 15m, rto: 1h, backup_frequency: every 15m, last_restore_test: 2026-10-14}
  billing-worker:
    owner: payments-team
    dr:
      rpo: soon
      last_restore_test: "last quarter"
      restore_every: 30d
data_domains:
  payments:
    owner: payments-team
    dr: {rpo: 5_minutes, rto: 1_hour, backup_frequency: hourly, last_restore_test: "2026-06-02"}
"""


def test_the_catalog_carries_dr_facts_for_services_and_domains(tmp_path):
    path = tmp_path / "services.yaml"
    path.write_text(CATALOG.replace("every 15m", "15 minutes"))
    catalog = parse_catalog(path)
    assert catalog.services["checkout-service"].dr == RecoveryFacts(
        rpo=timedelta(minutes=15), rto=timedelta(hours=1), backup_frequency=timedelta(minutes=15),
        last_restore_test=date(2026, 10, 14))
    assert catalog.domains["payments"].dr == RecoveryFacts(
        rpo=timedelta(minutes=5), rto=timedelta(hours=1), backup_frequency=timedelta(hours=1),
        last_restore_test=date(2026, 6, 2))  # the guide's own forms: 5_minutes, 1_hour, hourly


def test_check_reports_bad_dr_facts_with_file_line_and_key(tmp_path):
    (tmp_path / "services.yaml").write_text(CATALOG)
    config = tmp_path / "cockpit.yaml"
    config.write_text("sources:\n  - {kind: catalog, path: services.yaml}\n")
    problems = [str(p).replace(str(tmp_path) + "/", "") for p in check_config(config, env={}).problems]
    assert problems == [
        "services.yaml:5: services.checkout-service.dr.backup_frequency: expected a duration (e.g. 30s, 5m, 1h, 7d), "
        "got 'every 15m'",
        "services.yaml:9: services.billing-worker.dr.rpo: expected a duration (e.g. 30s, 5m, 1h, 7d), got 'soon'",
        "services.yaml:10: services.billing-worker.dr.last_restore_test: expected a date written YYYY-MM-DD, "
        "got 'last quarter'",
        "services.yaml:11: services.billing-worker.dr.restore_every: unknown key (accepted: backup_frequency, "
        "backup_location, last_restore_test, restore_test_every, rpo, rto)",
    ]


def test_an_impossible_date_is_reported_where_it_is_written(tmp_path):
    (tmp_path / "services.yaml").write_text("services:\n  a:\n    owner: t\n    dr: {last_restore_test: 2026-02-30}\n")
    config = tmp_path / "cockpit.yaml"
    config.write_text("sources:\n  - {kind: catalog, path: services.yaml}\n")
    (problem,) = check_config(config, env={}).problems
    assert (problem.line, "2026-02-30" in problem.message) == (4, True)


def test_a_restore_test_is_due_quarterly_unless_the_catalog_says_otherwise():
    today = date(2026, 11, 28)
    assert restore_test_due(RecoveryFacts(last_restore_test=date(2026, 9, 1)), today) is None  # 88 days
    assert restore_test_due(RecoveryFacts(last_restore_test=date(2026, 8, 28)), today) == date(2026, 11, 27)
    assert restore_test_due(RecoveryFacts(last_restore_test=date(2026, 11, 1), restore_test_every=timedelta(days=14)),
                            today) == date(2026, 11, 15)
    assert restore_test_due(RecoveryFacts(), today) == today  # never tested: due now


def test_a_backup_older_than_the_rpo_breaches_it():
    facts = RecoveryFacts(rpo=timedelta(minutes=15))
    assert backup_breaches_rpo(facts, BackupStatus("x", NOW - timedelta(minutes=16)), NOW)
    assert not backup_breaches_rpo(facts, BackupStatus("x", NOW - timedelta(minutes=15)), NOW)
    assert not backup_breaches_rpo(facts, None, NOW)  # no gauge: nothing to judge
    assert not backup_breaches_rpo(RecoveryFacts(), BackupStatus("x", NOW - timedelta(days=9)), NOW)


def test_a_services_recovery_is_its_own_then_its_data_domains():
    service = Service("checkout", "t", data_domains=("payments", "users", "unknown"), dr=RecoveryFacts(rpo=timedelta(1)))
    domains = {"payments": DataDomain("payments", "t", dr=RecoveryFacts(rpo=timedelta(minutes=5))),
               "users": DataDomain("users", "t")}
    backups = {"payments": BackupStatus("payments", NOW)}
    found = recoveries(service, domains, backups)
    assert [(r.subject, r.kind, r.backup) for r in found] == [("checkout", "service", None),
                                                              ("payments", "data domain", backups["payments"])]


def test_status_json_gains_dr_per_service():
    service = Service("checkout", "t", data_domains=("payments",),
                      dr=RecoveryFacts(rpo=timedelta(minutes=15), rto=timedelta(hours=1),
                                       last_restore_test=date(2026, 6, 2)))
    domain = DataDomain("payments", "t", dr=RecoveryFacts(rpo=timedelta(minutes=5)))
    snapshot = Snapshot(taken_at=NOW, services=(service, Service("plain", "t")), data_domains=(domain,),
                        backups=(BackupStatus("payments", NOW - timedelta(hours=3), "prom"),
                                 BackupStatus("payments", NOW - timedelta(hours=5), "prom")))
    checkout, plain = snapshot_to_json(snapshot)["services"]
    assert plain["dr"] == []
    own, payments = checkout["dr"]
    assert own == {"subject": "checkout", "kind": "service", "rpo_s": 900.0, "rto_s": 3600.0,
                   "backup_frequency_s": None, "backup_location": "", "last_restore_test": "2026-06-02",
                   "restore_test_every_s": 91 * 86400.0, "restore_test_overdue_since": "2026-09-01",
                   "last_backup": None, "backup_age_s": None, "backup_older_than_rpo": False}
    assert (payments["last_backup"], payments["backup_age_s"], payments["backup_older_than_rpo"]) == (
        "2026-11-28T00:00:00+00:00", 3 * 3600.0, True)  # the newest of the two


def test_the_demo_source_simulates_backup_ages_and_checks_them():
    spec = SourceSpec(kind="demo", name="demo", refresh=timedelta(seconds=30), timeout=timedelta(seconds=5),
                      options={"slos": [], "backups": {"payments": "3h", "users": "a while"}}, base_dir=Path("."),
                      config_file="cockpit.yaml")
    backups, problems = simulated_backups(spec, DEMO_TIME)
    assert backups == (BackupStatus("payments", DEMO_TIME - timedelta(hours=3), "demo"),)
    assert [(p.key, p.message.split(",")[0]) for p in problems] == [
        ("sources.demo.backups.users", "expected a duration (e.g. 30s")]


def test_check_refuses_a_backup_metric_that_is_no_metric_name(tmp_path):
    from cockpit.sources.prometheus.source import PrometheusSource
    spec = SourceSpec(kind="prometheus", name="prom", refresh=timedelta(seconds=30), timeout=timedelta(seconds=5),
                      options={"url": "http://localhost:9090", "slos": [], "backup_metric": "backup-age{job=x}",
                               "backup_label": "service"},
                      base_dir=tmp_path, config_file="cockpit.yaml", line=3)
    assert [str(p) for p in PrometheusSource.check(spec).problems] == [
        "cockpit.yaml:3: sources.prom.backup_metric: 'backup-age{job=x}' is not a metric name (letters, digits and _)"]


BACKSTAGE = """apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments-api
  annotations:
    cockpit.dev/rpo: 5m
    cockpit.dev/rto: 1h
    cockpit.dev/last-restore-test: "2026-06-02"
    cockpit.dev/backup-location: s3://backups/payments
spec: {type: service, lifecycle: production, owner: payments-team}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ledger
  annotations:
    cockpit.dev/rpo: a little
    cockpit.dev/last-restore-test: "June"
spec: {type: service, lifecycle: production, owner: payments-team}
"""


def test_backstage_entities_carry_dr_facts_in_annotations(tmp_path):
    path = tmp_path / "catalog-info.yaml"
    path.write_text(BACKSTAGE)
    catalog = parse_catalog(path)
    assert catalog.services["payments-api"].dr == RecoveryFacts(
        rpo=timedelta(minutes=5), rto=timedelta(hours=1), backup_location="s3://backups/payments",
        last_restore_test=date(2026, 6, 2))
    assert catalog.services["ledger"].dr is None  # it loads; its bad facts do not
    assert [(p.line, p.key, p.message.split(" (")[0]) for p in catalog.problems] == [
        (17, "metadata.annotations.cockpit.dev/rpo", "expected a duration"),
        (18, "metadata.annotations.cockpit.dev/last-restore-test", "expected a date written YYYY-MM-DD, got 'June'"),
    ]
