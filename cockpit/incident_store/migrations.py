"""The incident log's schema, versioned: entry N of a list upgrades a
database from version N to N+1. Append, never edit. The two lists keep the
same version numbers, so "schema 2" means the same tables on either backend.

Version 2 (live, many hosts): a version per incident for the optimistic
check on status and role changes; each timeline entry's host; and the
write's idempotency key, unique, so a write sent twice lands once.
"""

from __future__ import annotations

from cockpit.incident_store.errors import NewerSchema

# Version 2, the same SQL on both.
LIVE = (
    "ALTER TABLE incidents ADD COLUMN version INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE timeline ADD COLUMN host TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE timeline ADD COLUMN write_key TEXT",
    "CREATE UNIQUE INDEX timeline_by_write_key ON timeline(write_key)",
)

SQLITE: tuple[tuple[str, ...], ...] = (
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
    LIVE,
)

POSTGRES: tuple[tuple[str, ...], ...] = (
    (
        # A sequence, not MAX()+1: hosts declaring at once never collide, and
        # INC-NNNN stays short and readable (a rolled-back declare leaves a gap).
        "CREATE SEQUENCE incident_num",
        """CREATE TABLE incidents (
            num BIGINT PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL,
            severity TEXT NOT NULL,
            status TEXT NOT NULL,
            services JSONB NOT NULL DEFAULT '[]',
            commander TEXT NOT NULL DEFAULT '',
            scribe TEXT NOT NULL DEFAULT '',
            comms TEXT NOT NULL DEFAULT '',
            started_at TIMESTAMPTZ NOT NULL,
            resolved_at TIMESTAMPTZ
        )""",
        """CREATE TABLE timeline (
            seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            incident_id TEXT NOT NULL REFERENCES incidents(id),
            at TIMESTAMPTZ NOT NULL,
            kind TEXT NOT NULL,
            author TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL
        )""",
        "CREATE INDEX timeline_by_incident ON timeline(incident_id, seq)",
    ),
    LIVE,
)

LATEST = len(SQLITE)
assert len(POSTGRES) == LATEST, "both backends keep the same schema versions"

CREATE_VERSION_TABLE = "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"


def pending(migrations: tuple[tuple[str, ...], ...], version: int, where: str) -> tuple[tuple[str, ...], ...]:
    """The migrations a database at ``version`` still needs; refuses one that
    a newer cockpit migrated (its tables may mean something else by now)."""
    if version > len(migrations):
        raise NewerSchema(f"{where} was written by a newer cockpit (schema {version}, this one knows "
                          f"{len(migrations)}): upgrade the cockpit")
    return migrations[version:]


def record_sql(had_row: bool) -> str:
    """How the new version is stored after migrating (one placeholder)."""
    return "UPDATE schema_version SET version = ?" if had_row else "INSERT INTO schema_version VALUES (?)"
