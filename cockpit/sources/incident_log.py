"""The `incident-log` source: the cockpit's own incident store, in SQLite.

Several cockpit sessions on one bastion host share one file. WAL mode lets
readers and a writer work at once; every write runs in ``BEGIN IMMEDIATE`` so
writers queue on the busy timeout instead of failing or losing a row, and
incident ids are allocated inside that transaction so two sessions never hand
out the same one. Each operation opens its own connection (sqlite3
connections must not cross threads) and runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from contextlib import closing, contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

from cockpit.model import INCIDENT_STATUSES, ROLES, SEVERITIES, Incident, SourceData, TimelineEntry, frozen_map
from cockpit.private_files import OWNER_ONLY, FileAccess
from cockpit.sources.base import (
    OptionSpec,
    Source,
    SourceError,
    TransientSourceError,
)
from cockpit.writes import Action, ActionResult

RECENTLY_RESOLVED = timedelta(days=7)  # resolved incidents stay listed this long
BUSY_TIMEOUT_MS = 10_000

# Each entry upgrades the schema by one version; append, never edit.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE incidents (
            num INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL,
            severity TEXT NOT NULL,
            status TEXT NOT NULL,
            services TEXT NOT NULL DEFAULT '[]',
            commander TEXT NOT NULL DEFAULT '',
            scribe TEXT NOT NULL DEFAULT '',
            comms TEXT NOT NULL DEFAULT '',
            started_at TEXT NOT NULL,
            resolved_at TEXT
        )""",
        """CREATE TABLE timeline (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            incident_id TEXT NOT NULL REFERENCES incidents(id),
            at TEXT NOT NULL,
            kind TEXT NOT NULL,
            author TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL
        )""",
        "CREATE INDEX timeline_by_incident ON timeline(incident_id, seq)",
    ),
)


class IncidentStore:
    """Synchronous access to one incident log file; every method is one
    short transaction on its own connection, safe from any thread."""

    def __init__(self, path: Path, access: FileAccess = OWNER_ONLY) -> None:
        self.path = path
        self._access = access
        self._ready = False

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        if not self._ready:
            # Created before SQLite does, so it gets our mode (its -wal and -shm copy it).
            self._access.create_file(self.path)
        # isolation_level=None: we issue BEGIN ourselves, so writes are IMMEDIATE.
        with closing(sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)) as conn:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.row_factory = sqlite3.Row
            if not self._ready:
                self._migrate(conn)
                self._ready = True
            yield conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._connect() as conn, _immediate(conn):
            yield conn

    def _migrate(self, conn: sqlite3.Connection) -> None:
        _use_wal(conn)
        with _immediate(conn):
            conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = conn.execute("SELECT version FROM schema_version").fetchone()
            version = row[0] if row else 0
            if version > len(MIGRATIONS):
                raise SourceError(f"{self.path} was written by a newer cockpit (schema {version})")
            for statements in MIGRATIONS[version:]:
                for statement in statements:
                    conn.execute(statement)
            if row is None:
                conn.execute("INSERT INTO schema_version VALUES (?)", (len(MIGRATIONS),))
            else:
                conn.execute("UPDATE schema_version SET version = ?", (len(MIGRATIONS),))

    # -- reads -------------------------------------------------------------

    def recent(self, now: datetime, source: str) -> list[Incident]:
        """Open incidents plus those resolved within RECENTLY_RESOLVED of now."""
        since = _iso(now - RECENTLY_RESOLVED)
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT * FROM incidents WHERE resolved_at IS NULL OR resolved_at >= ? ORDER BY num DESC", (since,)
            ).fetchall()
            return [self._incident(conn, row, source) for row in rows]

    def get(self, incident_id: str, source: str) -> Incident | None:
        with self._connect() as conn:
            row = conn.execute("SELECT * FROM incidents WHERE id = ?", (incident_id,)).fetchone()
            return self._incident(conn, row, source) if row else None

    @staticmethod
    def _incident(conn: sqlite3.Connection, row: sqlite3.Row, source: str) -> Incident:
        entries = conn.execute(
            "SELECT at, kind, author, text FROM timeline WHERE incident_id = ? ORDER BY seq", (row["id"],)
        ).fetchall()
        services = tuple(json.loads(row["services"]))
        return Incident(
            id=row["id"],
            title=row["title"],
            severity=row["severity"],
            status=row["status"],
            service=services[0] if services else "",
            started_at=datetime.fromisoformat(row["started_at"]),
            source=source,
            kind="incident",
            services=services,
            commander=row["commander"],
            roles=frozen_map({role: row[role] for role in ROLES if row[role]}),
            resolved_at=datetime.fromisoformat(row["resolved_at"]) if row["resolved_at"] else None,
            # Declared by a person, with a commander on it: someone owns it, so
            # escalation timers (meant for unacknowledged pages) do not run.
            acknowledged=bool(row["commander"]),
            timeline=tuple(
                TimelineEntry(at=datetime.fromisoformat(e["at"]), kind=e["kind"], text=e["text"], author=e["author"])
                for e in entries
            ),
        )

    # -- writes ------------------------------------------------------------

    def declare(self, title: str, severity: str, services: list[str], roles: dict[str, str], at: datetime,
                author: str) -> str:
        """One transaction: the incident, its roles (role -> person, only
        ROLES) and its "declared" timeline entry land together or not at all."""
        with self._write() as conn:
            num = conn.execute("SELECT COALESCE(MAX(num), 0) + 1 FROM incidents").fetchone()[0]
            incident_id = f"INC-{num:04d}"
            people = [roles.get(role, "") for role in ROLES]
            conn.execute(
                f"INSERT INTO incidents (num, id, title, severity, status, services, {', '.join(ROLES)}, started_at)"
                " VALUES (?, ?, ?, ?, 'investigating', ?, ?, ?, ?, ?)",
                (num, incident_id, title, severity, json.dumps(services), *people, _iso(at)),
            )
            scope = f" on {', '.join(services)}" if services else ""
            named = ", ".join(f"{role} {person}" for role, person in zip(ROLES, people) if person)
            _log(conn, incident_id, at, "declared", author,
                 f"Declared {severity}{scope}: {title}" + (f"; {named}" if named else ""))
        return incident_id

    def note(self, incident_id: str, text: str, at: datetime, author: str) -> str:
        with self._write() as conn:
            _require(conn, incident_id)
            _log(conn, incident_id, at, "note", author, text)
        return f"note added to {incident_id}"

    def set_status(self, incident_id: str, status: str, at: datetime, author: str) -> str:
        with self._write() as conn:
            current = _require(conn, incident_id)["status"]
            if current == status:
                return f"{incident_id} is already {status}"
            conn.execute(
                "UPDATE incidents SET status = ?, resolved_at = ? WHERE id = ?",
                (status, _iso(at) if status == "resolved" else None, incident_id),
            )
            _log(conn, incident_id, at, "status", author, f"Status {current} → {status}")
        return f"{incident_id} is now {status}"

    def set_role(self, incident_id: str, role: str, person: str, at: datetime, author: str) -> str:
        with self._write() as conn:
            _require(conn, incident_id)
            # `role` is one of ROLES (checked by the caller), so safe as a column name.
            conn.execute(f"UPDATE incidents SET {role} = ? WHERE id = ?", (person, incident_id))
            _log(conn, incident_id, at, "role", author, f"{role.capitalize()}: {person}")
        return f"{person} is {role} of {incident_id}"


def _use_wal(conn: sqlite3.Connection) -> None:
    """Switch a new file to WAL (persistent: stored in the file). Unlike a
    write, the switch does not wait on the busy timeout: when a session's
    first read and first write (or two sessions) open a new file at once, it
    fails at once with "database is locked". Retried until the busy timeout."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        try:
            conn.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.01)


@contextmanager
def _immediate(conn: sqlite3.Connection) -> Iterator[None]:
    """A write transaction that takes the write lock up front: a second writer
    waits on the busy timeout instead of failing half-way through."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if conn.in_transaction:  # some errors already ended it
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


class _NoIncident(Exception):
    pass


def _require(conn: sqlite3.Connection, incident_id: str) -> sqlite3.Row:
    row = conn.execute("SELECT status FROM incidents WHERE id = ?", (incident_id,)).fetchone()
    if row is None:
        raise _NoIncident(incident_id)
    return row


def _log(conn: sqlite3.Connection, incident_id: str, at: datetime, kind: str, author: str, text: str) -> None:
    conn.execute(
        "INSERT INTO timeline (incident_id, at, kind, author, text) VALUES (?, ?, ?, ?, ?)",
        (incident_id, _iso(at), kind, author, text),
    )


def _iso(at: datetime) -> str:
    # Always UTC, one fixed format: stored times then compare correctly as text.
    # A naive time is taken to be UTC already.
    return (at.astimezone(timezone.utc) if at.tzinfo else at.replace(tzinfo=timezone.utc)).isoformat(timespec="seconds")


class _Invalid(Exception):
    """A parameter the user got wrong: reported as ActionResult(ok=False)."""


def _text(params: Any, key: str) -> str:
    value = params.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _Invalid(f"{key} is required")
    return value.strip()


def _choice(params: Any, key: str, allowed: tuple[str, ...], normalize: Callable[[str], str]) -> str:
    value = normalize(_text(params, key))
    if value not in allowed:
        raise _Invalid(f"unknown {key} {params.get(key)!r}: use one of {', '.join(allowed)}")
    return value


def _services(params: Any) -> list[str]:
    value = params.get("services", params.get("service"))
    if value is None or value == "":
        return []
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)) or not all(isinstance(s, str) and s.strip() for s in items):
        raise _Invalid("services must be service names")
    return list(dict.fromkeys(s.strip() for s in items))


def _optional_person(params: Any, role: str) -> str:
    """A role named at declare time: absent or empty is nobody; anything but
    a name refuses the whole declare."""
    value = params.get(role)
    if value is None or value == "":
        return ""
    if not isinstance(value, str) or not value.strip():
        raise _Invalid(f"{role} must be a person's name")
    return value.strip()


class IncidentLogSource(Source):
    kind = "incident-log"
    provides = frozenset({"incidents"})
    actions = frozenset({"declare", "note", "status", "role", "resolve"})
    options = {
        "path": OptionSpec(str, help="SQLite file shared by every session; default incidents.db in the user data dir"),
    }

    def __init__(self, spec, context) -> None:
        super().__init__(spec, context)
        path = spec.options.get("path")
        self.store = IncidentStore(spec.path(str(path)) if path else Path(context.data_dir) / "incidents.db",
                                   context.settings.get("file_access", OWNER_ONLY))

    async def _run(self, fn: Callable, *args: Any) -> Any:
        try:
            return await asyncio.to_thread(fn, *args)
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise TransientSourceError(f"incident log {self.store.path}: {exc}") from None
            raise SourceError(f"incident log {self.store.path}: {exc}") from None
        except (sqlite3.DatabaseError, OSError) as exc:
            raise SourceError(f"incident log {self.store.path}: {exc}") from None

    async def fetch(self) -> SourceData:
        incidents = await self._run(self.store.recent, self.context.clock(), self.name)
        return SourceData(incidents=tuple(incidents))

    async def get(self, incident_id: str) -> Incident | None:
        """One incident with its whole timeline, however long ago it was resolved
        (for postmortem drafts)."""
        return await self._run(self.store.get, incident_id, self.name)

    async def perform(self, action: Action) -> ActionResult:
        if self.context.settings.get("read_only"):
            return ActionResult(False, "read-only mode: the incident log is not changed", action.target)
        try:
            return await self._perform(action)
        except _Invalid as exc:
            return ActionResult(False, f"{action.name}: {exc}", action.target)
        except _NoIncident as exc:
            return ActionResult(False, f"no incident {exc} in the incident log", action.target)

    async def _perform(self, action: Action) -> ActionResult:
        params, target = action.params, action.target
        now, author = self.context.clock(), self.context.user
        if action.name == "declare":
            title = _text(params, "title")
            severity = _choice(params, "severity", SEVERITIES, str.upper)
            services = _services(params)
            roles = {"commander": str(params.get("commander") or author).strip()}
            roles.update((role, _optional_person(params, role)) for role in ROLES if role != "commander")
            new_id = await self._run(self.store.declare, title, severity, services, roles, now, author)
            return ActionResult(True, f"declared {new_id}", new_id)
        if action.name not in self.actions:
            return ActionResult(False, f"the incident log has no action {action.name!r}", target)
        if not target:
            raise _Invalid("which incident? (target is empty)")
        if action.name == "note":
            message = await self._run(self.store.note, target, _text(params, "text"), now, author)
        elif action.name in ("status", "resolve"):
            status = "resolved" if action.name == "resolve" else _choice(params, "status", INCIDENT_STATUSES, str.lower)
            message = await self._run(self.store.set_status, target, status, now, author)
        else:  # role
            role = _choice(params, "role", ROLES, str.lower)
            message = await self._run(self.store.set_role, target, role, _text(params, "person"), now, author)
        return ActionResult(True, message, target)
