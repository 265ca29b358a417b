"""The catalog's objects: services, their escalation, APIs, data domains,
recovery facts and flags."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Mapping

from cockpit.model.base import EMPTY


# The seed's escalation timing: L2 after 15 min, L3 after 1 h, L4 critical only.
DEFAULT_ESCALATION_AFTER = (timedelta(0), timedelta(minutes=15), timedelta(hours=1), timedelta(hours=1))


@dataclass(frozen=True, slots=True)
class EscalationStep:
    level: int  # 1 = first responder
    contact: str
    after: timedelta  # how long an unacknowledged incident waits before this level
    critical_only: bool = False


@dataclass(frozen=True, slots=True)
class ApiLink:
    """An API a service provides or consumes (Backstage's providesApis / consumesApis)."""

    name: str
    type: str = ""  # openapi, grpc, graphql ... ("" when the API entity is not in the catalog)
    description: str = ""
    in_catalog: bool = False


# The guide's backup testing schedule: a full restore every quarter.
RESTORE_TEST_EVERY = timedelta(days=91)


@dataclass(frozen=True, slots=True)
class RecoveryFacts:
    """A service's or data domain's disaster-recovery facts, as the catalog
    writes them (the guide's backup strategy): how much data may be lost
    (RPO), how long recovery may take (RTO), and how backups are kept and
    tested. Judged by cockpit.recovery."""

    rpo: timedelta | None = None
    rto: timedelta | None = None
    backup_frequency: timedelta | None = None
    backup_location: str = ""
    last_restore_test: date | None = None
    restore_test_every: timedelta = RESTORE_TEST_EVERY


@dataclass(frozen=True, slots=True)
class BackupStatus:
    """When a service's or data domain's last backup succeeded, from a
    metrics source (a ``*_last_success_timestamp_seconds`` gauge)."""

    subject: str  # the service or data domain the gauge's label names
    last_success: datetime
    source: str = ""


@dataclass(frozen=True, slots=True)
class Flag:
    """One feature flag of an OpenFeature flagd flag-definition file."""

    key: str
    state: str  # ENABLED | DISABLED (flagd treats a disabled flag as missing)
    variants: Mapping[str, Any]
    default_variant: str | None
    service: str = ""  # the catalog service it belongs to ("" when none says)
    kill_switch: bool = False  # flips between its true and false variants from the card
    targeted: bool = False  # has targeting rules: the default variant is not all that is served
    file: str = ""
    line: int = 0
    source: str = ""

    @property
    def value(self) -> Any:
        """What flagd serves when no targeting applies (None: the code's default)."""
        return self.variants.get(self.default_variant) if self.default_variant is not None else None


@dataclass(frozen=True, slots=True)
class Service:
    name: str
    owner: str  # team name
    primary_contact: str = ""
    escalation_path: tuple[EscalationStep, ...] = ()
    on_call: bool = False
    runbooks: tuple[str, ...] = ()  # paths or folders, as written in the catalog
    depends_on: tuple[str, ...] = ()
    data_domains: tuple[str, ...] = ()
    description: str = ""
    tier: str = ""
    # What a Backstage catalog adds: the system (and its domain) the service
    # is part of, the APIs it provides and consumes, the owning team's members
    # ("Name <email>"), and the entity's metadata.annotations as written.
    system: str = ""
    domain: str = ""
    provides_apis: tuple[ApiLink, ...] = ()
    consumes_apis: tuple[ApiLink, ...] = ()
    members: tuple[str, ...] = ()
    annotations: Mapping[str, str] = field(default_factory=lambda: EMPTY)
    # Alerts this service claims: each a label matcher set as text
    # ('{namespace="payments"}'); cockpit.alert_owners joins alerts by them.
    alerts: tuple[str, ...] = ()
    dr: RecoveryFacts | None = None
    flags: tuple[str, ...] = ()  # flag keys the catalog gives this service


@dataclass(frozen=True, slots=True)
class DataDomain:
    name: str
    owner: str
    schema: str = ""
    retention: str = ""
    pii: bool = False
    gdpr_applies: bool = False
    dr: RecoveryFacts | None = None
