"""Fixtures for every test."""

from __future__ import annotations

import asyncio
import logging
import os
import tempfile
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

import pytest

import postgres_harness

from cockpit import secrets
from cockpit.logs import JsonLines


@pytest.fixture(autouse=True)
def log_file_in_tmp(tmp_path, monkeypatch):
    """Commands run in-process log to the test's folder, not the user's state
    dir, and their log handler goes with the test."""
    monkeypatch.setenv("COCKPIT_LOG_FILE", str(tmp_path / "cockpit.log"))
    # Per-user state (the remembered theme) too: none of the user's own reaches a test.
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    yield
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler.formatter, JsonLines):
            root.removeHandler(handler)
            handler.close()


@pytest.fixture(autouse=True)
def no_secrets_from_other_tests():
    """The secret registry is process-wide: one test's tokens must not mask
    another test's messages."""
    yield
    secrets.forget_all()


@pytest.fixture(scope="session")
def postgres():
    """One real PostgreSQL for the whole session (per xdist worker); each test
    makes its own database in it."""
    if not postgres_harness.available():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed: scripts/install-servers.sh installs it")
        pytest.skip("PostgreSQL is not installed (scripts/install-servers.sh)")
    cluster = postgres_harness.Cluster().start()
    yield cluster
    cluster.stop()


@dataclass(frozen=True)
class Backend:
    """Where a test's incident log lives: its source options, as in a config."""

    name: str
    options: dict
    cluster: object = None  # the PostgreSQL cluster holding it

    @property
    def yaml(self) -> str:
        key, value = next(iter(self.options.items()))
        return f"{{kind: incident-log, {key}: '{value}'}}"

    @contextmanager
    def outage(self) -> Iterator[None]:
        """Writes cannot reach the log until the block ends: PostgreSQL is
        stopped; the SQLite file is held locked by another connection (with a
        short busy timeout, so writers give up at once)."""
        if self.cluster is not None:
            with self.cluster.down():
                yield
            return
        import sqlite3

        from cockpit.sources.incident_log import sqlite as sqlite_backend

        conn = sqlite3.connect(self.options["path"], isolation_level=None)
        saved, sqlite_backend.BUSY_TIMEOUT_MS = sqlite_backend.BUSY_TIMEOUT_MS, 50
        conn.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
            conn.close()
            sqlite_backend.BUSY_TIMEOUT_MS = saved

    def get(self, incident_id: str):
        """The incident as stored (read by a source of its own), or None."""
        return asyncio.run(self._read(lambda source: source.get(incident_id)))

    def listed(self) -> tuple:
        """Every incident a fresh session lists."""
        return asyncio.run(self._read(lambda source: source.fetch())).incidents

    async def _read(self, read):
        from cockpit.sources.base import SourceContext, SourceSpec
        from cockpit.sources.incident_log.source import IncidentLogSource

        spec = SourceSpec(kind="incident-log", name="incident-log", refresh=timedelta(seconds=30),
                          timeout=timedelta(seconds=10), options=self.options, base_dir=Path("/"))
        source = IncidentLogSource(spec, SourceContext(clock=lambda: datetime.now(timezone.utc),
                                                       data_dir=Path(tempfile.mkdtemp(prefix="cockpit-read-"))))
        try:
            return await read(source)
        finally:
            await source.aclose()


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request, tmp_path) -> Backend:
    """The same behaviour on both backends: a new, empty incident log per test."""
    if request.param == "sqlite":
        return Backend("sqlite", {"path": str(tmp_path / "data" / "incidents.db")})
    cluster = request.getfixturevalue("postgres")
    return Backend("postgres", {"dsn": cluster.database(f"t{uuid.uuid4().hex[:12]}")}, cluster)
