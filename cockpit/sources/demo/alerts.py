"""The demo's firing alerts: a burn-rate alert for each SLO whose multiwindow
rules fire, an infrastructure alert, and one for a service no catalog knows."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Sequence

from cockpit.model import Incident, SLOStatus, frozen_map
from cockpit.sources.demo.simulation import Profile, recurring_start

UNOWNED_SERVICE = "legacy-reports"  # a service no catalog lists, to show unowned alerts
BURN_RUNBOOK = "runbooks/high-error-rate.md"


def alerts(statuses: Sequence[SLOStatus], profiles: dict[str, Profile], now: float, source: str) -> list[Incident]:
    """Firing burn-rate alerts for SLOs whose multiwindow rules fire, plus an
    infrastructure alert and one for a service no catalog knows."""
    found = []
    for status in statuses:
        if not status.alerts_firing:
            continue
        slo, prof = status.slo, profiles[status.slo.key]
        page = any(name.startswith("page") for name in status.alerts_firing)
        fastest = max((r for r in status.burn_rates.values() if r is not None), default=0.0)
        started = prof.outage_start if prof.outage_start is not None else recurring_start(now, slo.key, 86400.0)
        summary = (f"{slo.service} {slo.name}: error budget burning {fastest:.1f}x too fast "
                   f"({', '.join(status.alerts_firing)})")
        found.append(make_alert(
            source, "ErrorBudgetBurn", slo.service, "critical" if page else "warning", "P1" if page else "P3",
            started, summary, BURN_RUNBOOK, slo=slo.name, sloth_severity="page" if page else "ticket",
            description=f"{slo.target_text or slo.objective} over {slo.window.days}d; "
                        f"{status.budget_remaining:.0%} of the error budget left",
        ))
    services = {s.slo.service for s in statuses}
    if "postgres-primary" in services:
        found.append(make_alert(source, "PostgresReplicationLag", "postgres-primary", "warning", "P2",
                            recurring_start(now, "replication-lag", 7200.0),
                            "Replica postgres-replica-2 is 42 s behind the primary",
                            "postgres-primary/replication-lag"))
    found.append(make_alert(source, "CronJobFailed", UNOWNED_SERVICE, "warning", "P3",
                        recurring_start(now, "cron", 86400.0), "Nightly report export exited with status 1",
                        "https://wiki.example.com/legacy-reports"))
    return found


def make_alert(source: str, alertname: str, service: str, severity: str, priority: str, started: float,
           summary: str, runbook: str, description: str = "", **labels: str) -> Incident:
    started_at = datetime.fromtimestamp(round(started), timezone.utc)
    fingerprint = hashlib.sha256(f"{alertname}|{service}|{labels}|{started_at}".encode()).hexdigest()[:12]
    annotations = {"summary": summary, "runbook": runbook, **({"description": description} if description else {})}
    return Incident(
        id=f"demo-{fingerprint}", title=summary, severity=priority, status="firing", service=service,
        started_at=started_at, source=source, kind="alert",
        labels=frozen_map({"alertname": alertname, "service": service, "severity": severity, **labels}),
        annotations=frozen_map(annotations), runbook=runbook, demo=True,
    )

