"""`cockpit status [--json]`: fetch every source once and print the result.

The JSON keys are a contract scripts rely on; NaN and infinities become null
(JSON has neither). Each source has a state (ok, degraded,
failing, loading) and its warnings; ``ok`` is true only for state ok. A
failing source is listed with its error, and the rest of the document is
printed anyway (exit 0); only a broken config exits 2.
"""

from __future__ import annotations

import asyncio
import json
import math
from datetime import date, datetime
from typing import Any, Iterable

from cockpit.clock import system_clock
from cockpit.durations import prom_window
from cockpit.model import Flag, Snapshot, adr_key
from cockpit.recovery import Recovery, backup_age, backup_breaches_rpo, recoveries, restore_test_due
from cockpit.service_index import Index
from cockpit.doc_freshness import OwnedDocument, collect
from cockpit.adr_links import superseded_by, supersedes
from cockpit.untrusted import clean


def snapshot_to_json(snapshot: Snapshot, docs: Iterable[OwnedDocument] = ()) -> dict:
    """The document; ``docs`` are the owned documents (cockpit.doc_freshness) under "docs"."""
    today = snapshot.taken_at.date()
    catalog = {s.name for s in snapshot.services}
    index = Index.build(snapshot)
    document = {
        "services": [
            {
                "name": s.name,
                "owner": s.owner,
                "primary_contact": s.primary_contact,
                "escalation_path": [step.contact for step in sorted(s.escalation_path, key=lambda e: e.level)],
                "on_call": s.on_call,
                "depends_on": list(s.depends_on),
                "runbooks": list(s.runbooks),
                "dr": [_recovery(r, snapshot.taken_at) for r in recoveries(s, index.domains, index.backups)],
            }
            for s in snapshot.services
        ],
        "slos": [
            {
                "service": st.slo.service,
                "unowned": st.slo.service not in catalog,  # kept and listed, as alerts are, with no owner
                "name": st.slo.name,
                "objective": st.slo.objective,
                "sli": st.sli_value,  # measured good/total over the window; the SLI's name is in "name"
                "budget_remaining": st.budget_remaining,
                "burn_rates": dict(st.burn_rates),
                "tier": st.tier,
                "alerts_firing": list(st.alerts_firing),
                "exhaustion_eta_s": st.exhaustion_eta_s,
                "data": st.data,
                "window": prom_window(st.slo.window),
            }
            for st in snapshot.slos
        ],
        "incidents": [
            {
                "id": i.id,
                "title": i.title,
                "severity": i.severity,
                "status": i.status,
                "service": i.service,
                "started_at": _iso(i.started_at),
                "source": i.source,
                "silenced": i.silenced,
                "acknowledged": i.acknowledged,
                "instances": list(i.instances),
                "runbook": i.runbook,
                "labels": dict(i.labels),
            }
            for i in snapshot.incidents
        ],
        "runbooks": [
            {
                "path": r.path,
                "title": r.title,
                "owner": r.owner,
                "last_validated": _iso(r.last_validated),
                "stale": r.is_stale(today),
            }
            for r in snapshot.runbooks
        ],
        "adrs": [
            {
                "number": a.number,
                "key": a.key,
                "path": a.path,
                "title": a.title,
                "status": a.status,
                "date": _iso(a.date),
                "deciders": list(a.deciders),
                "tags": list(a.tags),
                "services": list(a.services),
                "supersedes": [adr_key(n) for n in supersedes(a, snapshot.adrs)],
                "superseded_by": [adr_key(n) for n in superseded_by(a, snapshot.adrs)],
                "owner": a.owner,
                "last_validated": _iso(a.last_validated),
            }
            for a in snapshot.adrs
        ],
        "sources": [
            {"name": h.name, "kind": h.kind, "state": h.state, "ok": h.ok, "error": h.error,
             "warnings": list(h.warnings), "fetched_at": _iso(h.fetched_at)}
            for h in snapshot.sources
        ],
        "oncall": [
            {"service": o.service, "escalation_policy": o.escalation_policy, "level": o.level, "user": o.user,
             "until": _iso(o.until)}
            for o in snapshot.oncall
        ],
        "flags": [_flag(f) for f in snapshot.flags],
        "docs": [
            {"kind": d.kind, "title": d.title, "ref": d.ref, "owner": d.owner,
             "last_validated": _iso(d.last_validated), "next_review": _iso(d.next_review), "stale": d.stale,
             "stale_reason": d.stale_reason}
            for d in docs
        ],
    }
    return _finite(document)


def _recovery(recovery: Recovery, now: datetime) -> dict:
    """One subject's DR facts; durations in seconds, null when not given."""
    facts, age = recovery.facts, backup_age(recovery.backup, now)
    due = restore_test_due(facts, now.date())
    return {
        "subject": recovery.subject, "kind": recovery.kind,
        "rpo_s": _seconds(facts.rpo), "rto_s": _seconds(facts.rto),
        "backup_frequency_s": _seconds(facts.backup_frequency), "backup_location": facts.backup_location,
        "last_restore_test": _iso(facts.last_restore_test), "restore_test_every_s": _seconds(facts.restore_test_every),
        "restore_test_overdue_since": _iso(due),
        "last_backup": _iso(recovery.backup.last_success) if recovery.backup else None,
        "backup_age_s": _seconds(age), "backup_older_than_rpo": backup_breaches_rpo(facts, recovery.backup, now),
    }


def _flag(flag: Flag) -> dict:
    return {"key": flag.key, "service": flag.service, "state": flag.state, "default_variant": flag.default_variant,
            "value": flag.value, "kill_switch": flag.kill_switch, "targeted": flag.targeted, "file": flag.file,
            "line": flag.line, "source": flag.source}


def _seconds(value) -> float | None:
    return None if value is None else value.total_seconds()


def run_status(config_path: str | None, *, as_json: bool) -> int:
    # Imported here: the hub pulls in every source plugin, `cockpit --help` should not.
    from cockpit.commands import EXIT_CONFIG, load_config_or_report
    from cockpit.commands.docs import doc_inputs
    from cockpit.hub import Hub

    config = load_config_or_report(config_path)
    if config is None:
        return EXIT_CONFIG
    snapshot = asyncio.run(_fetch_once(Hub.from_config(config, system_clock)))
    if as_json:
        docs = collect(doc_inputs(config, snapshot))
        print(json.dumps(snapshot_to_json(snapshot, docs), indent=2, allow_nan=False))
    else:
        print(summary(snapshot))
    return 0


async def _fetch_once(hub) -> Snapshot:
    try:
        return await hub.refresh_all()
    finally:
        await hub.aclose()


def summary(snapshot: Snapshot) -> str:
    """A few lines for a human: counts, open incidents, unhealthy sources."""
    open_incidents = [i for i in snapshot.incidents if i.is_open]
    lines = [
        f"{len(snapshot.services)} services, {len(snapshot.slos)} SLOs, "
        f"{len(open_incidents)} open incidents, {len(snapshot.runbooks)} runbooks",
    ]
    for incident in open_incidents:
        lines.append(f"  {_text(incident.severity)} {_text(incident.status):<13} "
                     f"{_text(incident.owner_text):<24} {_text(incident.title)}"
                     + (" [demo]" if incident.demo else ""))
    for health in snapshot.sources:
        state = f"{health.state.upper()}: {_text(health.error)}" if health.error else health.state
        demo = ", simulated demo data" if health.demo else ""
        lines.append(f"source {_text(health.name)} ({_text(health.kind)}{demo}): {state}")
        lines.extend(f"  warning: {_text(warning)}" for warning in health.warnings)
    return "\n".join(lines)


def _text(value: object) -> str:
    """Source-supplied text, safe to print to a terminal."""
    return clean(value, single_line=True)


def _iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _finite(value: Any) -> Any:
    """The same structure with NaN and infinities replaced by None."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value
