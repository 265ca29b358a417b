"""A snapshot's data indexed by service: incident -> service -> owner ->
on-call -> runbook, and when an unacknowledged incident is due to escalate.

Built once per snapshot (an index), then every panel asks it instead of
scanning lists itself.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from datetime import datetime
from urllib.parse import urlsplit

from cockpit.model import BackupStatus, DataDomain, Flag, Incident, OnCall, Runbook, Service, SLOStatus, Snapshot


class Index:
    """The snapshot's lists by service. Each mapping is made the first time
    it is asked for: the panel on screen asks for a few, and making them all
    (10,000 alerts, 6,000 SLOs, 2,000 services) took 30-40 ms of every
    refresh, keys waiting."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot

    @classmethod
    def build(cls, snapshot: Snapshot) -> "Index":
        return cls(snapshot)

    @cached_property
    def services(self) -> dict[str, Service]:
        return {s.name: s for s in self.snapshot.services}

    @cached_property
    def dependents(self) -> dict[str, list[str]]:
        dependents: dict[str, list[str]] = defaultdict(list)
        for service in self.snapshot.services:
            for dep in service.depends_on:
                dependents[dep].append(service.name)
        return dict(dependents)

    @cached_property
    def slos(self) -> dict[str, list[SLOStatus]]:
        return _group(self.snapshot.slos, lambda s: (s.slo.service,))

    @cached_property
    def incidents(self) -> dict[str, list[Incident]]:
        # Alerts name one service (10,000 of them on a big night): skip the dedupe for them.
        return _group(self.snapshot.incidents,
                      lambda i: tuple(dict.fromkeys((i.service, *i.services))) if i.services else (i.service,))

    @cached_property
    def oncall(self) -> dict[str, list[OnCall]]:
        return _group(sorted(self.snapshot.oncall, key=lambda o: o.level), lambda o: (o.service,))

    @cached_property
    def runbooks(self) -> dict[str, list[Runbook]]:
        return _runbooks_by_service(self.snapshot.runbooks, self.snapshot.services)

    @cached_property
    def domains(self) -> dict[str, DataDomain]:
        return {d.name: d for d in self.snapshot.data_domains}

    @cached_property
    def backups(self) -> dict[str, BackupStatus]:
        """By service or data domain: the newest."""
        return {backup.subject: backup for backup in sorted(self.snapshot.backups, key=lambda b: b.last_success)}

    @cached_property
    def flags(self) -> dict[str, list[Flag]]:
        return _flags_by_service(self.snapshot.flags, self.snapshot.services)

    def runbook(self, ref: str) -> Runbook | None:
        """The local runbook a reference names: a path, a file name, a slug,
        or a URL (an alert's runbook_url) whose path ends the way the
        runbook's does, e.g. runbooks.prometheus-operator.dev/runbooks/
        kubernetes/kubepodcrashlooping and kubernetes/kubepodcrashlooping.md.
        The longest match of trailing path segments wins; None when not even
        the last one matches."""
        wanted = _ref_parts(ref)
        if not wanted:
            return None
        best, best_length = None, 0
        for runbook in self.snapshot.runbooks:
            have = _ref_parts(runbook.path)
            length = next((n for n in range(min(len(have), len(wanted)), 0, -1) if have[-n:] == wanted[-n:]), 0)
            if length > best_length:
                best, best_length = runbook, length
        return best

    def open_incidents(self) -> list[Incident]:
        """Open incidents and the alerts that ask for someone: not inhibited
        (another alert covers them), not severity none or info (Watchdog, the
        info alerts kube-prometheus routes to a null receiver)."""
        return [i for i in self.snapshot.incidents if i.is_open and not _quiet_alert(i)]


QUIET_SEVERITIES = frozenset({"none", "info"})


def _quiet_alert(incident: Incident) -> bool:
    return incident.kind == "alert" and (
        incident.status == "inhibited" or incident.labels.get("severity", "").lower() in QUIET_SEVERITIES)


_PAGE_SUFFIXES = (".md", ".markdown", ".html", ".htm")


def _ref_parts(ref: str) -> tuple[str, ...]:
    """A runbook reference's path segments, lower case, without scheme and
    host, query or fragment, or the page's file suffix."""
    path = urlsplit(ref.strip()).path if "://" in ref else ref.strip().split("?")[0].split("#")[0]
    parts = [p for p in path.lower().split("/") if p and p != "."]
    if parts and parts[-1].endswith(_PAGE_SUFFIXES):
        parts[-1] = parts[-1].rsplit(".", 1)[0]
    return tuple(parts)


def _group(items, keys_of) -> dict:
    grouped: dict = defaultdict(list)
    for item in items:
        for key in keys_of(item):
            if key:
                grouped[key].append(item)
    return dict(grouped)


def _runbooks_by_service(runbooks: tuple[Runbook, ...], services: tuple[Service, ...]) -> dict[str, list[Runbook]]:
    """Each service's runbooks: a runbook's front matter, plus any service
    whose catalog `runbooks:` entry names the runbook's file or folder.
    Catalog entries are often written from the repo root
    ("docs/runbooks/api-server/"), so the trailing parts are compared; paths
    that match share their last part, so entries are looked up by it
    (2,000 services x 200 runbooks made 400,000 paths per snapshot)."""
    refs: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
    for service in services:
        for ref in service.runbooks:
            parts = _path_parts(ref.rstrip("/"))
            if parts:
                refs[parts[-1]].append((parts, service.name))
    grouped: dict[str, list[Runbook]] = defaultdict(list)
    for runbook in runbooks:
        path = _path_parts(runbook.path)
        names = list(runbook.services)
        for own in (path, path[:-1]):
            for ref, name in refs.get(own[-1], ()) if own else ():
                if _tail_matches(own, ref):
                    names.append(name)
        for name in dict.fromkeys(names):
            if name:
                grouped[name].append(runbook)
    return dict(grouped)


def _flags_by_service(flags: tuple[Flag, ...], services: tuple[Service, ...]) -> dict[str, list[Flag]]:
    """Each service's flags: those whose metadata names it, and those its
    catalog entry lists by key."""
    by_key: dict[str, list[Flag]] = defaultdict(list)
    for flag in flags:
        by_key[flag.key].append(flag)
    grouped: dict[str, list[Flag]] = defaultdict(list)
    for flag in flags:
        if flag.service:
            grouped[flag.service].append(flag)
    for service in services:
        for key in service.flags:
            grouped[service.name] += [f for f in by_key.get(key, ()) if f not in grouped[service.name]]
    return dict(grouped)


def _path_parts(path: str) -> tuple[str, ...]:
    """The parts PurePosixPath(path) has: no empty or "." parts, "/" first
    when absolute."""
    parts = tuple(p for p in path.split("/") if p and p != ".")
    return ("/", *parts) if path.startswith("/") else parts


def _tail_matches(path: tuple[str, ...], ref: tuple[str, ...]) -> bool:
    """One is the other's tail."""
    n = min(len(path), len(ref))
    return path[-n:] == ref[-n:]


def escalation_due(incident: Incident, service: Service | None, now: datetime) -> str:
    """'escalate to <who> now' once an unacknowledged incident has waited past
    a level's threshold; '' otherwise."""
    if service is None or incident.acknowledged or not incident.is_open:
        return ""
    waited = now - incident.started_at
    due = ""
    for step in service.escalation_path:
        if step.level <= 1 or (step.critical_only and incident.severity not in ("P0",)):
            continue
        if waited >= step.after:
            due = step.contact
    return f"escalate to {due} now" if due else ""


@dataclass(frozen=True)
class OnCallNow:
    """Who answers a page for a service now, and how sure that is: ``how`` is
    "shift" (an on-call source says so), "ended" (its shift ended: the
    source's data is stale), "catalog" (first on the escalation path, no
    on-call data) or "off" (the catalog says nobody is on call)."""

    who: str
    how: str
    ended: datetime | None = None


def on_call_now(service: Service, index: Index, now: datetime) -> OnCallNow:
    shifts = index.oncall.get(service.name, [])
    current = [s for s in shifts if s.until is None or s.until > now]
    if current:
        return OnCallNow(", ".join(dict.fromkeys(s.user for s in current if s.level == current[0].level)), "shift")
    if shifts:  # every shift it returned is over (PagerDuty's 2015 schedule): not "now"
        ended = [s for s in shifts if s.level == shifts[0].level]
        return OnCallNow(", ".join(dict.fromkeys(s.user for s in ended)), "ended",
                         max(s.until for s in ended if s.until is not None))
    if not service.on_call:
        return OnCallNow("", "off")
    if service.escalation_path:
        return OnCallNow(service.escalation_path[0].contact, "catalog")
    return OnCallNow(service.primary_contact, "catalog")
