"""The incident log in one SQLite file, shared by every session on one host.

WAL mode lets readers and a writer work at once; every write runs in
``BEGIN IMMEDIATE`` so writers queue on the busy timeout instead of failing
or losing a row, and incident ids are allocated inside that transaction so
two sessions never hand out the same one. Each operation opens its own
connection (sqlite3 connections must not cross threads) and runs in a
worker thread. Writes are serialized, so timeline ``seq`` grows in commit
order: "entries after seq N" is the cheap change check live sessions poll.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from contextlib import closing, contextmanager
from datetime import datetime
from pathlib import Path
from typing import AsyncIterator, Callable, Iterator

from cockpit.sources.incident_log import migrations, operations
from cockpit.sources.incident_log.errors import Unreachable
from cockpit.sources.incident_log.operations import Dialect, Steps, Write
from cockpit.model import Incident
from cockpit.private_files import OWNER_ONLY, FileAccess
from cockpit.sources.base import SourceError

BUSY_TIMEOUT_MS = 10_000
CHECK_EVERY = 0.1  # seconds between change checks: one indexed query on a kept connection
DIALECT = Dialect(next_num="SELECT COALESCE(MAX(num), 0) + 1 AS num FROM incidents")


class IncidentStore:
    """Synchronous access to one incident log file; every method is one
    short transaction on its own connection, safe from any thread."""

    def __init__(self, path: Path, access: FileAccess = OWNER_ONLY) -> None:
        self.path = path
        self._access = access
        self._ready = False

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        with closing(self.open()) as conn:
            yield conn

    def open(self) -> sqlite3.Connection:
        """A new connection to the migrated file (the caller closes it)."""
        if not self._ready:
            # Created before SQLite does, so it gets our mode (its -wal and -shm copy it).
            self._access.create_file(self.path)
        # isolation_level=None: we issue BEGIN ourselves, so writes are IMMEDIATE.
        # check_same_thread=False: a kept connection is used by one worker thread at a time.
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                               check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.row_factory = sqlite3.Row
        if not self._ready:
            try:
                self.migrate(conn)
            except BaseException:
                conn.close()
                raise
        return conn

    def migrate(self, conn: sqlite3.Connection) -> tuple[int, int]:
        """Bring the file to the latest schema; (version before, after)."""
        self._access.create_file(self.path)
        _use_wal(conn)
        with _immediate(conn):
            conn.execute(migrations.CREATE_VERSION_TABLE)
            row = conn.execute("SELECT version FROM schema_version").fetchone()
            version = row[0] if row else 0
            for statements in migrations.pending(migrations.SQLITE, version, str(self.path)):
                for statement in statements:
                    conn.execute(statement)
            if version != migrations.LATEST or row is None:
                conn.execute(migrations.record_sql(row is not None), (migrations.LATEST,))
        self._ready = True
        return version, migrations.LATEST

    def migrate_file(self) -> tuple[int, int]:
        """`cockpit incident-log migrate`: what this run found and left."""
        self._access.create_file(self.path)
        with closing(sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)) as conn:
            return self.migrate(conn)

    def _run(self, steps: Steps, write: bool = False):
        with self.connect() as conn:
            if not write:
                return run_steps(conn, steps)
            with _immediate(conn):
                return run_steps(conn, steps)

    def recent(self, now: datetime, source: str) -> list[Incident]:
        """Open incidents plus those resolved within RECENTLY_RESOLVED of now."""
        return self._run(operations.read(*operations.recent_where(now), source))

    def some(self, ids: list[str], source: str) -> list[Incident]:
        return self._run(operations.read(*operations.ids_where(ids), source)) if ids else []

    def get(self, incident_id: str, source: str) -> Incident | None:
        return next(iter(self.some([incident_id], source)), None)

    def perform(self, write: Write) -> tuple[str, str]:
        return self._run(operations.perform(write, DIALECT), write=True)


def run_steps(conn: sqlite3.Connection, steps: Steps):
    """Drive an operation: run each query it yields, send back its rows."""
    try:
        query = next(steps)
        while True:
            cursor = conn.execute(query.sql, query.args)
            rows = cursor.fetchone() if query.rows == "one" else cursor.fetchall() if query.rows else None
            query = steps.send(rows)
    except StopIteration as done:
        return done.value


class SqliteBackend:
    """The async face of :class:`IncidentStore`: each call in a worker thread,
    SQLite's errors as the source's."""

    def __init__(self, path: Path, access: FileAccess = OWNER_ONLY) -> None:
        self.store = IncidentStore(path, access)
        self.where = str(path)
        self._watching: sqlite3.Connection | None = None  # kept by the change check
        # The check runs in a worker thread that goes on when its caller is
        # cancelled (q): closing the connection under a running query crashes
        # the process (a segfault in sqlite3), so both hold this lock.
        self._watching_lock = threading.Lock()
        self._closed = False  # a check queued before the close must not open a new connection

    async def _call(self, fn: Callable, *args):
        try:
            return await asyncio.to_thread(fn, *args)
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise Unreachable(f"incident log {self.where}: {exc}") from None
            raise SourceError(f"incident log {self.where}: {exc}") from None
        except (sqlite3.DatabaseError, OSError) as exc:
            raise SourceError(f"incident log {self.where}: {exc}") from None

    async def recent(self, now: datetime, source: str) -> list[Incident]:
        return await self._call(self.store.recent, now, source)

    async def some(self, ids: list[str], source: str) -> list[Incident]:
        return await self._call(self.store.some, ids, source)

    async def perform(self, write: Write) -> tuple[str, str]:
        return await self._call(self.store.perform, write)

    async def migrate(self) -> tuple[int, int]:
        return await self._call(self.store.migrate_file)

    async def changes(self) -> AsyncIterator[set[str] | None]:
        """The ids of incidents changed by anyone, as they change; None first
        (and after an error): anything may have changed, read it all."""
        last = None
        while True:
            try:
                last, changed = await self._call(self._changed_since, last)
            except SourceError:
                last, changed = None, None
            if changed is None or changed:
                yield changed
            await asyncio.sleep(CHECK_EVERY)

    def _changed_since(self, last: int | None) -> tuple[int, set[str] | None]:
        with self._watching_lock:
            if self._closed:
                return last or 0, set()
            if self._watching is None:
                self._watching = self.store.open()
            conn = self._watching
            if last is None:
                return conn.execute("SELECT COALESCE(MAX(seq), 0) FROM timeline").fetchone()[0], None
            rows = conn.execute("SELECT seq, incident_id FROM timeline WHERE seq > ? ORDER BY seq",
                                (last,)).fetchall()
            return (rows[-1]["seq"] if rows else last), {row["incident_id"] for row in rows}

    async def aclose(self) -> None:
        await asyncio.to_thread(self._close_watching)

    def _close_watching(self) -> None:
        with self._watching_lock:  # after a check still running has finished
            self._closed = True
            if self._watching is not None:
                self._watching.close()
                self._watching = None


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
