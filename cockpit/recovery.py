"""Disaster recovery judged against the practices guide: is the last restore
test older than the testing schedule (quarterly unless the catalog says
otherwise), and is the last successful backup older than the RPO allows.
Model layer: no source, no UI."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from cockpit.model import BackupStatus, RecoveryFacts, Service


@dataclass(frozen=True)
class Recovery:
    """One subject's facts (the service itself, or one of its data domains)
    and its last backup as a metrics source saw it (None: no such gauge)."""

    subject: str
    kind: str  # service | data domain
    facts: RecoveryFacts
    backup: BackupStatus | None = None


def restore_test_due(facts: RecoveryFacts, today: date) -> date | None:
    """The date the next restore test was due, when that has passed (or
    today, when no test is on record); None while the last one is recent."""
    if facts.last_restore_test is None:
        return today
    due = facts.last_restore_test + facts.restore_test_every
    return due if today > due else None


def backup_age(backup: BackupStatus | None, now: datetime) -> timedelta | None:
    return None if backup is None else max(now - backup.last_success, timedelta(0))


def backup_breaches_rpo(facts: RecoveryFacts, backup: BackupStatus | None, now: datetime) -> bool:
    """The newest backup is older than the data the RPO allows to lose."""
    age = backup_age(backup, now)
    return age is not None and facts.rpo is not None and age > facts.rpo


def recoveries(service: Service, domains: dict, backups: dict[str, BackupStatus]) -> list[Recovery]:
    """The service's own facts, then each of its data domains' (in the
    catalog's order), each with its backup gauge when a source has one."""
    found = []
    if service.dr is not None:
        found.append(Recovery(service.name, "service", service.dr, backups.get(service.name)))
    for name in service.data_domains:
        domain = domains.get(name)
        if domain is not None and domain.dr is not None:
            found.append(Recovery(name, "data domain", domain.dr, backups.get(name)))
    return found
