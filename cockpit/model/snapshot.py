"""What a fetch returns, each source's health, and the merged snapshot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cockpit.model.catalog import BackupStatus, DataDomain, Flag, Service
from cockpit.model.docs import ADR, GlossaryTerm, Runbook
from cockpit.model.incidents import Incident
from cockpit.model.oncall import OnCall, Page
from cockpit.model.slos import SLOStatus, PolicyTier


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
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
