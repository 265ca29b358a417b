"""The `incident-log` source: the cockpit's own incident store.

``path:`` (the embedded default) keeps it in a SQLite file shared by the
sessions on one host; ``dsn:`` (a postgresql:// URL) in PostgreSQL, shared
by a team on many hosts. Both behave the same (cockpit.incident_store).

This module validates each write and hands it to the backend with who,
from which host, when, and an idempotency key. A write the database cannot
take now (down, restarting) goes to an on-disk queue and is sent, in order,
once it is back; meanwhile the incident shows it as waiting. The source is
live: ``changed()`` returns when anyone changed an incident, and the fetch
that follows re-reads only those incidents.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import socket
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from cockpit.incident_store.errors import Conflict, NoIncident, Unreachable
from cockpit.incident_store.operations import RECENTLY_RESOLVED, Write
from cockpit.incident_store.sqlite import IncidentStore, SqliteBackend  # noqa: F401  (IncidentStore: public here)
from cockpit.incident_store.write_queue import WriteQueue
from cockpit.model import INCIDENT_STATUSES, ROLES, SEVERITIES, Incident, SourceData, TimelineEntry, waiting_text
from cockpit.private_files import OWNER_ONLY
from cockpit.sources.base import OptionSpec, Source, SourceError
from cockpit.writes import Action, ActionResult

log = logging.getLogger(__name__)

SEND_EVERY = 0.5  # seconds between tries to send queued writes while the database is away
KEEP_REFUSED = 5  # queued writes refused when finally sent, kept as warnings (the latest ones)


def this_host(settings: Mapping[str, Any]) -> str:
    """The name timeline entries record as where they were written: the
    machine's, unless $COCKPIT_HOST (or the "host" setting, in tests) says."""
    return settings.get("host") or os.environ.get("COCKPIT_HOST") or socket.gethostname()


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


def _seen_version(params: Any) -> dict[str, int]:
    """The incident version the writer saw, when it says (the UI does): the
    change is then refused if someone else changed the incident since."""
    value = params.get("version")
    if value is None:
        return {}
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise _Invalid("version must be the incident's version number")
    return {"version": value}


def backend_for(spec, context):
    """The backend a source entry names: PostgreSQL for dsn:, else SQLite."""
    path, dsn = spec.options.get("path"), spec.options.get("dsn")
    if path and dsn:
        raise SourceError("incident-log: give path: (SQLite) or dsn: (PostgreSQL), not both")
    if dsn:
        if not str(dsn).startswith(("postgresql://", "postgres://")):
            raise SourceError("incident-log: dsn must be a postgresql:// URL")
        from cockpit.incident_store.postgres import PostgresBackend  # psycopg only for those who use it

        return PostgresBackend(str(dsn))
    return SqliteBackend(spec.path(str(path)) if path else Path(context.data_dir) / "incidents.db",
                         context.settings.get("file_access", OWNER_ONLY))


class IncidentLogSource(Source):
    kind = "incident-log"
    provides = frozenset({"incidents"})
    actions = frozenset({"declare", "note", "status", "role", "resolve"})
    live = True
    options = {
        "path": OptionSpec(str, help="SQLite file shared by every session; default incidents.db in the user data dir"),
        "dsn": OptionSpec(str, help="postgresql:// URL of a database shared by every host (instead of path)"),
    }

    def __init__(self, spec, context) -> None:
        super().__init__(spec, context)
        self.backend = backend_for(spec, context)
        # One queue per user and database: a changed DSN never receives another database's writes.
        digest = hashlib.sha256(f"{spec.name}\0{self.backend.where}".encode()).hexdigest()[:12]
        self.queue = WriteQueue(Path(context.data_dir) / f"incident-log-queue-{digest}.jsonl",
                                context.settings.get("file_access", OWNER_ONLY))
        self._cache: dict[str, Incident] | None = None  # as last read, by id
        self._dirty: set[str] | None = None  # changed since the last read; None: read them all
        self._full_read_at = float("-inf")
        self._wake: asyncio.Event | None = None
        self.listening = asyncio.Event()  # set once changes are being watched (benchmarks, tests wait on it)
        self._watcher: asyncio.Task | None = None
        self._sent: dict[str, ActionResult] = {}  # queued writes sent, by key (for the writer waiting on one)
        self._refused: list[str] = []

    @property
    def store(self) -> IncidentStore | None:
        """The SQLite store (None on PostgreSQL)."""
        return getattr(self.backend, "store", None)

    # -- reading -----------------------------------------------------------

    async def fetch(self) -> SourceData:
        await self._send_queued()
        warnings = []
        try:
            incidents = await self._read()
        except Unreachable as error:
            if not self.queue.pending() or self._cache is None:
                raise
            incidents = list(self._cache.values())  # what was read last, with what is waiting
            warnings.append(f"{error} (showing what was read last)")
        waiting = self.queue.pending()
        if waiting:
            incidents = _with_waiting(incidents, waiting)
            warnings.append(waiting_text(w.name for w in waiting))
        return SourceData(incidents=tuple(incidents), warnings=(*warnings, *self._refused))

    async def _read(self) -> list[Incident]:
        """Every listed incident when a full read is due (first, after a gap
        in listening, once per refresh interval); else only those changed."""
        dirty, self._dirty = self._dirty, set()
        full = (self._cache is None or dirty is None or self._watcher is None
                or time.monotonic() - self._full_read_at >= self.spec.refresh.total_seconds())
        try:
            if full:
                started = time.monotonic()
                incidents = await self.backend.recent(self.context.clock(), self.name)
                self._cache, self._full_read_at = {i.id: i for i in incidents}, started
            elif dirty:
                since = self.context.clock() - RECENTLY_RESOLVED
                for incident in await self.backend.some(sorted(dirty), self.name):
                    if incident.resolved_at is None or incident.resolved_at >= since:
                        self._cache[incident.id] = incident
        except BaseException:
            self._dirty = None if dirty is None or self._dirty is None else self._dirty | dirty
            raise
        return sorted(self._cache.values(), key=lambda i: i.id, reverse=True)

    async def get(self, incident_id: str) -> Incident | None:
        """One incident with its whole timeline, however long ago it was resolved
        (for postmortem drafts)."""
        return next(iter(await self.backend.some([incident_id], self.name)), None)

    async def changed(self) -> None:
        """Return once anyone (any session, any host) changed an incident since
        the last fetch, or queued writes were sent: the hub then fetches."""
        if self._watcher is None:
            self._wake = asyncio.Event()
            self._watcher = asyncio.create_task(self._watch(), name=f"cockpit-watch-{self.name}")
        while True:
            self._wake.clear()
            if self._dirty is None or self._dirty:
                return
            try:
                async with asyncio.timeout(SEND_EVERY if self.queue.pending() else None):
                    await self._wake.wait()
            except TimeoutError:
                if await self._send_queued():
                    return

    async def _watch(self) -> None:
        while True:
            try:
                async for ids in self.backend.changes():
                    if ids is None or self._dirty is None:
                        self._dirty = None
                    else:
                        self._dirty |= ids
                    self._wake.set()
                    self.listening.set()
            except Exception:  # a bug here must not stop the app; the periodic refresh still runs
                log.exception("watching the incident log", extra={"source": self.name})
                await asyncio.sleep(SEND_EVERY)

    async def aclose(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            await asyncio.gather(self._watcher, return_exceptions=True)
            self._watcher = None
        await self.backend.aclose()

    # -- writing -----------------------------------------------------------

    async def perform(self, action: Action) -> ActionResult:
        if self.context.settings.get("read_only"):
            return ActionResult(False, "read-only mode: the incident log is not changed", action.target)
        try:
            write = self._write_for(action)
        except _Invalid as exc:
            return ActionResult(False, f"{action.name}: {exc}", action.target)
        if isinstance(write, ActionResult):
            return write
        if write.name == "declare":  # not queued: the id it prints comes from the database
            return self._result(write, await self.backend.perform(write))
        return await self._send_in_order(write, action.name)

    def _write_for(self, action: Action) -> Write | ActionResult:
        params, target = action.params, action.target
        now, author = self.context.clock(), self.context.user

        def write(name: str, **values: Any) -> Write:
            return Write(name, target, values, now, author, this_host(self.context.settings))

        if action.name == "declare":
            roles = {"commander": str(params.get("commander") or author).strip()}
            roles.update((role, _optional_person(params, role)) for role in ROLES if role != "commander")
            return write("declare", title=_text(params, "title"),
                         severity=_choice(params, "severity", SEVERITIES, str.upper),
                         services=_services(params), **roles)
        if action.name not in self.actions:
            return ActionResult(False, f"the incident log has no action {action.name!r}", target)
        if not target:
            raise _Invalid("which incident? (target is empty)")
        if action.name == "note":
            return write("note", text=_text(params, "text"))
        if action.name in ("status", "resolve"):
            status = "resolved" if action.name == "resolve" else _choice(params, "status", INCIDENT_STATUSES, str.lower)
            return write("status", status=status, **_seen_version(params))
        return write("role", role=_choice(params, "role", ROLES, str.lower), person=_text(params, "person"),
                     **_seen_version(params))

    async def _send_in_order(self, write: Write, action_name: str) -> ActionResult:
        """Straight to the database, unless writes are waiting (this one then
        queues behind them: never out of order) or the database is away."""
        if self.queue.pending():
            self.queue.append(write)
            await self._send_queued()
            if write.key in self._sent:
                return self._sent.pop(write.key)
        else:
            try:
                return self._result(write, await self.backend.perform(write))
            except Unreachable as error:
                log.warning("incident log write queued: %s", error, extra={"source": self.name})
                self.queue.append(write)  # the same key: had it landed after all, it lands once
            except (NoIncident, Conflict) as refused:
                return self._refusal(write, refused)
        waiting = waiting_text(w.name for w in self.queue.pending())
        return ActionResult(True, f"{action_name} queued: the incident log {self.backend.where} is unreachable; "
                            f"{waiting}", write.target)

    async def _send_queued(self) -> int:
        """Send the queued writes, oldest first, until one fails to reach the
        database; each leaves the queue only once the database took (or
        refused) it. Returns how many went."""
        sent = 0
        with self.queue.sending() as mine:
            if not mine:
                return 0  # another session of this user is sending them
            for write in self.queue.pending():
                try:
                    result = self._result(write, await self.backend.perform(write))
                except (NoIncident, Conflict) as refused:
                    result = self._refusal(write, refused)
                    self._refused = [*self._refused, f"a queued {write.name} was not written: {result.message}"
                                     ][-KEEP_REFUSED:]
                except SourceError as error:  # still away (or broken): try again later, in the same order
                    log.info("queued incident log writes wait: %s", error, extra={"source": self.name})
                    break
                self.queue.remove(write.key)
                self._sent[write.key] = result
                sent += 1
        return sent

    def _result(self, write: Write, outcome: tuple[str, str]) -> ActionResult:
        message, target = outcome
        self._mark(target)
        return ActionResult(True, message, target)

    def _refusal(self, write: Write, refused: Exception) -> ActionResult:
        if isinstance(refused, NoIncident):
            return ActionResult(False, f"no incident {refused} in the incident log", write.target)
        self._mark(write.target)  # the writer is about to see what changed instead
        return ActionResult(False, str(refused), write.target)

    def _mark(self, incident_id: str) -> None:
        if self._dirty is not None:
            self._dirty.add(incident_id)


def _with_waiting(incidents: list[Incident], waiting: Iterable[Write]) -> list[Incident]:
    """Each incident with its queued writes on its timeline, marked waiting."""
    extra: dict[str, list[TimelineEntry]] = {}
    for write in waiting:
        p = write.params
        text = (p.get("text") if write.name == "note" else f"Status → {p.get('status')}" if write.name == "status"
                else f"{str(p.get('role')).capitalize()}: {p.get('person')}")
        extra.setdefault(write.target, []).append(
            TimelineEntry(write.at, write.name, str(text), write.author, write.host, waiting=True))
    return [replace(i, timeline=i.timeline + tuple(extra[i.id])) if i.id in extra else i for i in incidents]
