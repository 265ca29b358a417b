"""Every read and write of the incident log, written once for both backends.

Each operation is a generator of :class:`Query` steps: the backend's driver
runs each query inside one transaction and sends back its rows (``?``
placeholders; the PostgreSQL driver turns them into ``%s``). Rows are read
by column name. Raising in a step (NoIncident, Conflict) rolls the whole
transaction back.

Every write carries an idempotency key stored with its timeline entry
(unique): a write sent again after a lost reply, or from the on-disk queue
after a crash, finds its key and is not applied twice.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Generator, Iterable, Mapping

from cockpit.clock import as_utc
from cockpit.sources.incident_log.errors import Conflict, NoIncident
from cockpit.model import ROLES, Incident, TimelineEntry, frozen_map

RECENTLY_RESOLVED = timedelta(days=7)  # resolved incidents stay listed this long
WRITES = ("declare", "note", "status", "role")


@dataclass(frozen=True)
class Query:
    sql: str
    args: tuple = ()
    rows: str = ""  # "" (none), "one" or "all"


@dataclass(frozen=True)
class Dialect:
    """What differs between the backends inside an operation."""

    next_num: str  # SQL selecting the next incident number as "num"
    lock_row: str = ""  # appended to the SELECT of the incident a write changes
    notify: str = ""  # SQL telling other sessions an incident changed (its id the one argument)


Steps = Generator[Query, Any, Any]


@dataclass(frozen=True)
class Write:
    """One write as typed: validated, with who, where and when, and its
    idempotency key. Stored as JSON in the on-disk queue."""

    name: str  # one of WRITES
    target: str  # incident id ("" for declare)
    params: Mapping[str, Any]
    at: datetime
    author: str
    host: str
    key: str = field(default_factory=lambda: uuid.uuid4().hex)

    def to_json(self) -> str:
        return json.dumps({**asdict(self), "params": dict(self.params), "at": iso(self.at)}, ensure_ascii=False)

    @classmethod
    def from_json(cls, line: str) -> "Write":
        data = json.loads(line)
        return cls(**{**data, "at": datetime.fromisoformat(data["at"])})


def iso(at: datetime) -> str:
    # Always UTC, one fixed format: stored times then compare correctly as text.
    return as_utc(at).isoformat(timespec="seconds")


# -- reads -------------------------------------------------------------------

def read(where: str, args: tuple, source: str) -> Steps:
    """The incidents matching ``where`` (SQL over incidents ``i``), newest
    first, each with its whole timeline: two queries whatever their number."""
    rows = yield Query(f"SELECT i.* FROM incidents i WHERE {where} ORDER BY i.num DESC", args, "all")
    if not rows:
        return []
    entries = yield Query(
        "SELECT t.incident_id, t.at, t.kind, t.author, t.host, t.text FROM timeline t"
        f" JOIN incidents i ON i.id = t.incident_id WHERE {where} ORDER BY t.seq", args, "all")
    timelines: dict[str, list[TimelineEntry]] = {}
    for e in entries:
        timelines.setdefault(e["incident_id"], []).append(TimelineEntry(
            at=_time(e["at"]), kind=e["kind"], text=e["text"], author=e["author"], host=e["host"]))
    return [_incident(row, tuple(timelines.get(row["id"], ())), source) for row in rows]


def recent_where(now: datetime) -> tuple[str, tuple]:
    """Open incidents, and those resolved within RECENTLY_RESOLVED of now."""
    return "i.resolved_at IS NULL OR i.resolved_at >= ?", (iso(now - RECENTLY_RESOLVED),)


def ids_where(ids: Iterable[str]) -> tuple[str, tuple]:
    ids = tuple(ids)
    return f"i.id IN ({', '.join('?' * len(ids))})", ids


def _incident(row: Mapping, timeline: tuple[TimelineEntry, ...], source: str) -> Incident:
    services = row["services"]
    services = tuple(json.loads(services) if isinstance(services, str) else services)
    return Incident(
        id=row["id"],
        title=row["title"],
        severity=row["severity"],
        status=row["status"],
        service=services[0] if services else "",
        started_at=_time(row["started_at"]),
        source=source,
        kind="incident",
        services=services,
        commander=row["commander"],
        roles=frozen_map({role: row[role] for role in ROLES if row[role]}),
        resolved_at=_time(row["resolved_at"]) if row["resolved_at"] else None,
        # Declared by a person, with a commander on it: someone owns it, so
        # escalation timers (meant for unacknowledged pages) do not run.
        acknowledged=bool(row["commander"]),
        timeline=timeline,
        version=row["version"],
    )


def _time(value: str | datetime) -> datetime:
    """SQLite stores ISO text, PostgreSQL timestamptz; both come back in UTC."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment.astimezone(timezone.utc)


# -- writes ------------------------------------------------------------------

def perform(write: Write, dialect: Dialect) -> Steps:
    """Apply ``write`` once: returns (message, target). A key already stored
    means it was applied before (a retry after a lost reply, or a queued
    write sent again after a crash)."""
    done = yield Query("SELECT incident_id, kind FROM timeline WHERE write_key = ?", (write.key,), "one")
    if done is not None:
        return f"{write.name} already written", done["incident_id"]
    if write.name == "declare":
        return (yield from _declare(write, dialect))
    current = yield Query(f"SELECT * FROM incidents WHERE id = ?{dialect.lock_row}", (write.target,), "one")
    if current is None:
        raise NoIncident(write.target)
    if write.name == "note":
        yield from _log(write, dialect, "note", write.params["text"])
        return f"note added to {write.target}", write.target
    yield from _check_version(write, current)
    if write.name == "status":
        return (yield from _status(write, dialect, current))
    return (yield from _role(write, dialect))


def _declare(write: Write, dialect: Dialect) -> Steps:
    """The incident, its roles and its "declared" entry land together or not at all."""
    p = write.params
    num = (yield Query(dialect.next_num, (), "one"))["num"]
    incident_id = f"INC-{num:04d}"
    people = [p.get(role, "") for role in ROLES]
    yield Query(
        f"INSERT INTO incidents (num, id, title, severity, status, services, {', '.join(ROLES)}, started_at)"
        " VALUES (?, ?, ?, ?, 'investigating', ?, ?, ?, ?, ?)",
        (num, incident_id, p["title"], p["severity"], json.dumps(p["services"]), *people, iso(write.at)))
    scope = f" on {', '.join(p['services'])}" if p["services"] else ""
    named = ", ".join(f"{role} {person}" for role, person in zip(ROLES, people) if person)
    yield from _log(write, dialect, "declared", f"Declared {p['severity']}{scope}: {p['title']}"
                    + (f"; {named}" if named else ""), incident_id)
    return f"declared {incident_id}", incident_id


def _check_version(write: Write, current: Mapping) -> Steps:
    """Optimistic check: a status or role change made on what the writer saw
    (version ``params["version"]``, when given) is refused once someone else
    changed either since, naming who and what."""
    seen = write.params.get("version")
    if seen is None or seen == current["version"]:
        return
    last = yield Query("SELECT author, host, text FROM timeline WHERE incident_id = ? AND kind IN"
                       " ('status', 'role') ORDER BY seq DESC LIMIT 1", (write.target,), "one")
    who = f"{last['author']}@{last['host']}" if last and last["host"] else (last["author"] if last else "someone")
    what = f" ({last['text']})" if last else ""
    raise Conflict(f"{write.target} was changed meanwhile by {who}{what}; your {write.name} change was not "
                   "applied: look at it and try again")


def _status(write: Write, dialect: Dialect, current: Mapping) -> Steps:
    status = write.params["status"]
    if current["status"] == status:
        return f"{write.target} is already {status}", write.target
    yield Query("UPDATE incidents SET status = ?, resolved_at = ?, version = version + 1 WHERE id = ?",
                (status, iso(write.at) if status == "resolved" else None, write.target))
    yield from _log(write, dialect, "status", f"Status {current['status']} → {status}")
    return f"{write.target} is now {status}", write.target


def _role(write: Write, dialect: Dialect) -> Steps:
    role, person = write.params["role"], write.params["person"]
    if role not in ROLES:  # checked by the source; also keeps the column name below safe
        raise ValueError(role)
    yield Query(f"UPDATE incidents SET {role} = ?, version = version + 1 WHERE id = ?", (person, write.target))
    yield from _log(write, dialect, "role", f"{role.capitalize()}: {person}")
    return f"{person} is {role} of {write.target}", write.target


def _log(write: Write, dialect: Dialect, kind: str, text: str, incident_id: str = "") -> Steps:
    incident_id = incident_id or write.target
    yield Query("INSERT INTO timeline (incident_id, at, kind, author, host, write_key, text)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (incident_id, iso(write.at), kind, write.author, write.host, write.key, text))
    if dialect.notify:
        yield Query(dialect.notify, (incident_id,))
