"""Immutable domain objects: what sources return and panels render.

Nothing here knows about Textual, HTTP or YAML. Collections are tuples and
mappings are read-only so a snapshot can be shared between the hub and every
panel without copies or locks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Any, Iterable, Mapping

SEVERITIES = ("P0", "P1", "P2", "P3")  # most severe first
INCIDENT_STATUSES = ("investigating", "identified", "monitoring", "resolved")
ROLES = ("commander", "scribe", "comms")  # the incident roles a person is assigned
# The seed's escalation timing: L2 after 15 min, L3 after 1 h, L4 critical only.
DEFAULT_ESCALATION_AFTER = (timedelta(0), timedelta(minutes=15), timedelta(hours=1), timedelta(hours=1))

EMPTY: Mapping[str, str] = MappingProxyType({})


_SEVERITY_RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}


def severity_rank(severity: str) -> int:
    """Sort key, most severe first: 0 for P0 ... 3 for P3; an unknown
    severity after every known one."""
    return _SEVERITY_RANK.get(severity, len(SEVERITIES))


def frozen_map(items: Mapping | None) -> Mapping:
    """A read-only copy of ``items`` (for dataclass fields)."""
    return MappingProxyType(dict(items or {}))


@dataclass(frozen=True)
class EscalationStep:
    level: int  # 1 = first responder
    contact: str
    after: timedelta  # how long an unacknowledged incident waits before this level
    critical_only: bool = False


@dataclass(frozen=True)
class ApiLink:
    """An API a service provides or consumes (Backstage's providesApis / consumesApis)."""

    name: str
    type: str = ""  # openapi, grpc, graphql ... ("" when the API entity is not in the catalog)
    description: str = ""
    in_catalog: bool = False


# The guide's backup testing schedule: a full restore every quarter.
RESTORE_TEST_EVERY = timedelta(days=91)


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class BackupStatus:
    """When a service's or data domain's last backup succeeded, from a
    metrics source (a ``*_last_success_timestamp_seconds`` gauge)."""

    subject: str  # the service or data domain the gauge's label names
    last_success: datetime
    source: str = ""


@dataclass(frozen=True)
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


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class DataDomain:
    name: str
    owner: str
    schema: str = ""
    retention: str = ""
    pii: bool = False
    gdpr_applies: bool = False
    dr: RecoveryFacts | None = None


@dataclass(frozen=True)
class PolicyTier:
    """One row of the error budget policy: applies while consumed is in [min, max)."""

    name: str  # healthy, warning, critical, exhausted
    min_consumed: float  # fraction of the budget consumed, 0..1 (exhausted: 1.0)
    max_consumed: float | None  # None = no upper bound
    actions: tuple[str, ...] = ()  # "Action: Freeze feature releases", ...


@dataclass(frozen=True)
class CalendarWindow:
    """A calendar-aligned SLO period (OpenSLO ``calendar``): periods of
    ``count`` ``unit`` (m, h, d, w, M, Q, Y) follow one another from
    ``start``, a wall-clock time in the IANA zone ``time_zone``; the budget
    counts from the start of the current one (cockpit.calendar_windows)."""

    start: datetime  # naive: wall-clock time in time_zone
    time_zone: str
    count: int
    unit: str


@dataclass(frozen=True)
class SLO:
    """An SLO definition, whatever format it was written in."""

    service: str
    name: str
    objective: float  # 0.999
    window: timedelta
    sli: str = ""  # SLI name (availability, latency, ...)
    description: str = ""
    target_text: str = ""  # the target as written ("99.9%", "p99 < 500ms")
    # PromQL for the error and total event rates, with "{{.window}}" where the
    # range goes (Sloth's convention); empty for SLOs with no metrics source.
    error_query: str = ""
    total_query: str = ""
    # Sloth's `raw` SLIs: one query giving the error ratio itself (no event counts).
    error_ratio_query: str = ""
    labels: Mapping[str, str] = field(default_factory=lambda: EMPTY)
    origin: str = ""  # FILE:LINE the definition came from
    # Budgeted per time slice of this length (OpenSLO Timeslices and
    # RatioTimeslices): the queries count slices, not requests.
    time_slice: timedelta | None = None
    # A calendar-aligned period instead of a rolling window; ``window`` is then
    # the period's nominal length (burn-rate thresholds, history).
    calendar: CalendarWindow | None = None
    service_description: str = ""  # from an OpenSLO Service object

    @property
    def key(self) -> str:
        return f"{self.service}/{self.name}"

    @property
    def error_budget(self) -> float:
        return 1.0 - self.objective


@dataclass(frozen=True)
class SLOStatus:
    """An SLO evaluated at one moment."""

    slo: SLO
    sli_value: float | None  # good / total over the SLO window, None = no data
    budget_remaining: float | None  # fraction, may be negative
    burn_rates: Mapping[str, float | None] = field(default_factory=lambda: EMPTY)  # "1h" -> rate
    alerts_firing: tuple[str, ...] = ()  # "page-1h", "ticket-3d"
    exhaustion_eta_s: float | None = None
    data: str = "ok"  # ok | insufficient_traffic | no_data
    tier: str = ""
    tier_actions: tuple[str, ...] = ()
    history: tuple[float, ...] = ()  # budget remaining over the window, oldest first
    # Where history sits in time: its last point at history_end, each earlier
    # one history_step before the next. None when the source cannot say so,
    # and then history is only a picture.
    history_end: datetime | None = None
    history_step: timedelta | None = None
    # Points missing in between (a gap in the data): each point's time, and
    # history_step is the spacing the points have where none is missing.
    history_times: tuple[datetime, ...] = ()
    source: str = ""
    demo: bool = False
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # declared | note | status | role | action | alert
    text: str
    author: str = ""
    host: str = ""  # where the author wrote it (incident log)
    waiting: bool = False  # typed while the incident log was unreachable: queued, not written yet


@dataclass(frozen=True)
class Incident:
    """An open incident or a firing alert, from any source, in one list."""

    id: str
    title: str
    severity: str  # P0..P3
    status: str  # INCIDENT_STATUSES; an alert's: firing, acknowledged, silenced, inhibited, resolved
    service: str  # catalog service name, "" when unowned
    started_at: datetime
    source: str  # source name
    kind: str = "incident"  # incident | alert
    services: tuple[str, ...] = ()  # every affected service (incident log)
    commander: str = ""
    roles: Mapping[str, str] = field(default_factory=lambda: EMPTY)  # role (one of ROLES) -> person
    resolved_at: datetime | None = None
    acknowledged: bool = False
    silenced: bool = False
    labels: Mapping[str, str] = field(default_factory=lambda: EMPTY)
    annotations: Mapping[str, str] = field(default_factory=lambda: EMPTY)
    instances: tuple[str, ...] = ()  # which backends hold it (HA pairs)
    runbook: str = ""
    url: str = ""
    timeline: tuple[TimelineEntry, ...] = ()
    demo: bool = False
    # Alertmanager's own group for an alert: its group labels as matcher text,
    # '{alertname="X", service="y"}' (cockpit.alerts groups and silences by it).
    group: str = ""
    # An unowned alert's label that named no catalog service, as 'service="kube-state-metrics"'.
    service_hint: str = ""
    # The incident log's count of status and role changes: a change made on
    # an older version is refused (someone else changed it meanwhile). None
    # for sources that keep no version.
    version: int | None = None

    @property
    def is_open(self) -> bool:
        return self.status != "resolved"

    @property
    def owner_text(self) -> str:
        """The service, else "unowned" with the label the alert named instead."""
        return self.service or (f"unowned ({self.service_hint})" if self.service_hint else "unowned")


@dataclass(frozen=True)
class Runbook:
    path: str  # relative to the runbooks folder, e.g. "api-server/high-error-rate.md"
    title: str
    body: str
    owner: str = ""
    services: tuple[str, ...] = ()
    last_validated: date | None = None
    review_every: timedelta = timedelta(days=7)
    source: str = ""

    @property
    def next_review(self) -> date | None:
        if self.last_validated is None:
            return None
        return self.last_validated + self.review_every

    def is_stale(self, today: date) -> bool:
        """Never validated, or past its review date."""
        return past_review(self.next_review, today)


def past_review(next_review: date | None, today: date) -> bool:
    """The one freshness rule of every owned document (runbooks,
    postmortems, onboarding ...): stale when it has no review date (never
    validated) or that date has passed."""
    return next_review is None or today > next_review


@dataclass(frozen=True)
class ADR:
    """An architecture decision record, whatever template it was written in
    (the practices guide's, MADR, Nygard's). Supersede links are kept as
    written, by number, one way; cockpit.adr_links follows them both ways."""

    number: int  # 1 for 0001-use-postgresql.md (or "ADR-001" in its title)
    path: str  # relative to the ADR folder
    title: str
    body: str
    status: str = ""  # lower case: proposed, accepted, deprecated, superseded, rejected ("" when not given)
    date: date | None = None
    deciders: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    services: tuple[str, ...] = ()  # the services it decides about
    supersedes: tuple[int, ...] = ()
    superseded_by: tuple[int, ...] = ()
    # For documentation freshness (as runbooks carry them), when the file gives them.
    owner: str = ""
    last_validated: date | None = None
    source: str = ""

    @property
    def key(self) -> str:
        return adr_key(self.number)


def adr_key(number: int) -> str:
    """ADR-0001: how the list, links, palette and check name an ADR."""
    return f"ADR-{number:04d}"


@dataclass(frozen=True)
class GlossaryTerm:
    """One term of the glossary (the practices guide's ubiquitous language)."""

    name: str
    definition: str
    context: str = ""
    synonyms: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    source: str = ""


@dataclass(frozen=True)
class OnCall:
    service: str
    escalation_policy: str
    level: int
    user: str
    until: datetime | None = None
    source: str = ""


@dataclass(frozen=True)
class Page:
    """One person paged for one incident (PagerDuty's notify log entries: an
    SMS, a call and a push for the same incident are one page)."""

    at: datetime  # the first notification
    user: str
    incident_id: str
    service: str = ""  # catalog service name, "" when unmapped
    title: str = ""
    source: str = ""
    demo: bool = False


@dataclass(frozen=True)
class Postmortem:
    path: str
    title: str
    incident_id: str = ""
    severity: str = ""
    status: str = "draft"  # draft | reviewed
    created: datetime | None = None
    problem: str = ""  # why its front matter could not be read (it is listed under its file name)
    owner: str = ""  # front matter `owner:` (the incident commander when the cockpit drafted it)
    last_validated: date | None = None  # front matter `last_validated:`, set when marked reviewed


@dataclass(frozen=True)
class SourceData:
    """What one fetch of one source returns; a source fills only what it provides."""

    services: tuple[Service, ...] = ()
    data_domains: tuple[DataDomain, ...] = ()
    slos: tuple[SLOStatus, ...] = ()
    policy: tuple[PolicyTier, ...] = ()
    incidents: tuple[Incident, ...] = ()
    runbooks: tuple[Runbook, ...] = ()
    oncall: tuple[OnCall, ...] = ()
    backups: tuple[BackupStatus, ...] = ()
    flags: tuple[Flag, ...] = ()
    adrs: tuple[ADR, ...] = ()
    glossary: tuple[GlossaryTerm, ...] = ()
    pages: tuple[Page, ...] = ()
    # Partial failures that did not stop the fetch, e.g. one Alertmanager of
    # several is down: shown on the source's health line, data still used.
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class SourceHealth:
    name: str
    kind: str
    # ok; degraded (its last fetch succeeded but left something out: a refused
    # file, a failing instance: see warnings); failing (its last fetch failed;
    # stale data, if any, is shown); loading (not fetched yet).
    state: str
    error: str = ""
    fetched_at: datetime | None = None  # time of the last good result
    stale: bool = False  # last attempt failed, data shown is the last good one
    breaker: str = "closed"  # closed | open | half-open
    read_only: bool = False
    demo: bool = False
    warnings: tuple[str, ...] = ()  # from the last good fetch (SourceData.warnings)
    provides: tuple[str, ...] = ()  # catalog, slos, incidents, runbooks, oncall

    @property
    def ok(self) -> bool:
        """Nothing wrong at all (a degraded source is not ok)."""
        return self.state == "ok"

    @property
    def failing(self) -> bool:
        """No current data from it: its last fetch failed, or none has ended yet."""
        return self.state in ("failing", "loading")


@dataclass(frozen=True)
class Snapshot:
    """Everything the panels show, merged from every source at one moment."""

    taken_at: datetime
    services: tuple[Service, ...] = ()
    data_domains: tuple[DataDomain, ...] = ()
    slos: tuple[SLOStatus, ...] = ()
    policy: tuple[PolicyTier, ...] = ()
    incidents: tuple[Incident, ...] = ()
    runbooks: tuple[Runbook, ...] = ()
    oncall: tuple[OnCall, ...] = ()
    backups: tuple[BackupStatus, ...] = ()
    flags: tuple[Flag, ...] = ()
    adrs: tuple[ADR, ...] = ()
    glossary: tuple[GlossaryTerm, ...] = ()
    pages: tuple[Page, ...] = ()
    sources: tuple[SourceHealth, ...] = ()
    read_only: bool = False


def incident_key(incident: Incident) -> str:
    """An incident's key across sources: ids are unique per source, not across
    them (two Alertmanagers, one incident log)."""
    return f"{incident.source}/{incident.id}"


def waiting_text(kinds: Iterable[str]) -> str:
    """ "3 notes waiting to be written" (other writes counted apart)."""
    kinds = list(kinds)
    notes = kinds.count("note")
    counts = ((notes, "note"), (len(kinds) - notes, "other change"))
    return " and ".join(f"{n} {what}{'' if n == 1 else 's'}" for n, what in counts if n) + " waiting to be written"
