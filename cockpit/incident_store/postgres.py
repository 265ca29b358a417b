"""The incident log in PostgreSQL, shared by a team on many hosts (psycopg 3, async).

One connection runs the operations, one at a time, each in its own
transaction; a second one LISTENs, so a write by anyone, anywhere, reaches
every session as a NOTIFY sent by the writing transaction itself (delivered
at its commit, never for a rolled-back write). A dropped connection is
opened again on the next call; the error in between is ``Unreachable``, so
the source queues the write. The DSN's password is registered as a secret
before anything can echo it.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import AsyncIterator, Callable

import psycopg
from psycopg.rows import dict_row

from cockpit import secrets
from cockpit.incident_store import migrations, operations
from cockpit.incident_store.errors import Unreachable
from cockpit.incident_store.operations import Dialect, Query, Steps, Write
from cockpit.model import Incident
from cockpit.sources.base import SourceError

log = logging.getLogger(__name__)

CHANNEL = "cockpit_incident_log"
CONNECT_TIMEOUT = 3  # seconds: well inside the source's timeout, so a down server is reported, not a hang
RECONNECT_EVERY = 0.5  # seconds between the listener's tries while the server is down
MIGRATION_LOCK = 0x636F636B  # advisory lock id ("cock"): one session migrates, the others wait
DIALECT = Dialect(
    next_num="SELECT nextval('incident_num') AS num",
    lock_row=" FOR UPDATE",  # two hosts changing one incident: the second waits, then sees the first's version
    notify=f"SELECT pg_notify('{CHANNEL}', ?)",
)


class PostgresBackend:
    def __init__(self, dsn: str) -> None:
        secrets.add_url(dsn)
        self._dsn = dsn
        self.where = secrets.redact_url(dsn)
        self._conn: psycopg.AsyncConnection | None = None
        self._lock = asyncio.Lock()
        self._migrated = False

    async def _connect(self, migrate: bool = True) -> psycopg.AsyncConnection:
        conn = await psycopg.AsyncConnection.connect(self._dsn, connect_timeout=CONNECT_TIMEOUT, autocommit=True,
                                                     row_factory=dict_row)
        if migrate and not self._migrated:
            await self._migrate(conn)
        return conn

    async def _run(self, operation: Callable[[], Steps]):
        """One operation in one transaction, on the kept connection."""
        async with self._lock:
            kept = self._conn is not None and not self._conn.closed
            try:
                try:
                    return await self._transaction(operation)
                except psycopg.OperationalError:
                    if not kept:
                        raise
                # The kept connection died while idle (a server restart): once
                # more on a new one. Safe: reads repeat, a write's key makes it land once.
                await self._drop()
                return await self._transaction(operation)
            except psycopg.OperationalError as exc:
                await self._drop()
                raise _error(exc)(self._message(exc)) from None
            except psycopg.Error as exc:
                raise SourceError(self._message(exc)) from None

    async def _transaction(self, operation: Callable[[], Steps]):
        if self._conn is None or self._conn.closed:
            self._conn = await self._connect()
        async with self._conn.transaction():
            return await run_steps(self._conn, operation())

    def _message(self, exc: Exception) -> str:
        detail = " ".join(str(exc).split()) or type(exc).__name__
        return secrets.redact(f"incident log {self.where}: {detail}")

    async def _drop(self) -> None:
        if self._conn is not None:
            try:
                await self._conn.close()
            except psycopg.Error:
                pass
            self._conn = None

    async def recent(self, now, source: str) -> list[Incident]:
        return await self._run(lambda: operations.read(*operations.recent_where(now), source))

    async def some(self, ids: list[str], source: str) -> list[Incident]:
        return await self._run(lambda: operations.read(*operations.ids_where(ids), source)) if ids else []

    async def perform(self, write: Write) -> tuple[str, str]:
        return await self._run(lambda: operations.perform(write, DIALECT))

    async def migrate(self) -> tuple[int, int]:
        try:
            conn = await self._connect(migrate=False)
        except psycopg.OperationalError as exc:
            raise _error(exc)(self._message(exc)) from None
        try:
            return await self._migrate(conn)
        except psycopg.Error as exc:
            raise SourceError(self._message(exc)) from None
        finally:
            await conn.close()

    async def _migrate(self, conn: psycopg.AsyncConnection) -> tuple[int, int]:
        """Bring the database to the latest schema in one transaction, under
        an advisory lock (sessions starting together migrate once). A current
        schema is only read: sessions' roles need no CREATE right."""
        current = await (await conn.execute(
            "SELECT to_regclass('schema_version') IS NOT NULL AS made")).fetchone()
        if current["made"]:
            row = await (await conn.execute("SELECT version FROM schema_version")).fetchone()
            if row and row["version"] == migrations.LATEST:
                self._migrated = True
                return migrations.LATEST, migrations.LATEST
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            await conn.execute(migrations.CREATE_VERSION_TABLE)
            row = await (await conn.execute("SELECT version FROM schema_version")).fetchone()
            version = row["version"] if row else 0
            for statements in migrations.pending(migrations.POSTGRES, version, self.where):
                for statement in statements:
                    await conn.execute(statement)
            if version != migrations.LATEST or row is None:
                await conn.execute(_placeholders(migrations.record_sql(row is not None)), (migrations.LATEST,))
        self._migrated = True
        return version, migrations.LATEST

    async def changes(self) -> AsyncIterator[set[str] | None]:
        """The ids of incidents changed by anyone, as their NOTIFYs arrive;
        None whenever listening (re)starts: what happened while nobody
        listened is unknown, so everything is read again."""
        while True:
            try:
                conn = await self._connect(migrate=False)
            except psycopg.OperationalError:
                await asyncio.sleep(RECONNECT_EVERY)
                continue
            try:
                await conn.execute(f"LISTEN {CHANNEL}")
                yield None
                async for notify in conn.notifies():
                    yield {notify.payload}
            except psycopg.OperationalError as exc:
                log.info("incident log listener reconnects: %s", self._message(exc))
            finally:
                try:
                    await conn.close()
                except psycopg.Error:
                    pass
            await asyncio.sleep(RECONNECT_EVERY)

    async def aclose(self) -> None:
        async with self._lock:
            await self._drop()


# The server answered and said no: the config is wrong, and queueing writes
# until someone fixes it would only hide that. (libpq gives connect errors no SQLSTATE.)
_REFUSED = re.compile(r"authentication failed|does not exist|permission denied|no pg_hba\.conf entry")


def _error(exc: psycopg.OperationalError) -> type[SourceError]:
    return SourceError if _REFUSED.search(str(exc)) else Unreachable


async def run_steps(conn: psycopg.AsyncConnection, steps: Steps):
    """Drive an operation: run each query it yields, send back its rows."""
    try:
        query: Query = next(steps)
        while True:
            cursor = await conn.execute(_placeholders(query.sql), query.args)
            rows = await cursor.fetchone() if query.rows == "one" else await cursor.fetchall() if query.rows else None
            query = steps.send(rows)
    except StopIteration as done:
        return done.value


def _placeholders(sql: str) -> str:
    # The operations' SQL holds no literal "?" or "%": a plain swap is safe.
    return sql.replace("?", "%s")
