"""What a backend tells the incident-log source, whichever database it is."""

from __future__ import annotations

from cockpit.sources.base import SourceError, TransientSourceError


class NoIncident(Exception):
    """The write names an incident the log does not hold."""


class Conflict(Exception):
    """Someone else changed the incident since the writer last saw it: the
    write was not applied (never a silent overwrite)."""


class Unreachable(TransientSourceError):
    """The database could not be reached or dropped the connection: the
    write may be queued and sent again (with its idempotency key)."""


class NewerSchema(SourceError):
    """The database was migrated by a newer cockpit: refuse to touch it."""
