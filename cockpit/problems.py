"""What checking a file finds: a Problem to report (FILE:LINE: key: message),
or a ServiceRef, a place naming a catalog service that `cockpit check`
cross-checks against the catalog. Used by the config, the YAML loader, the
SLO spec readers, the sources and the postmortem lint alike, so it depends
on nothing.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the configuration or a file it names."""

    file: str
    line: int  # 1-based; 0 when unknown
    key: str  # dotted key path, e.g. "sources[2].refresh"
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.key}: {self.message}"


@dataclass(frozen=True)
class ServiceRef:
    """A place in a file that names a catalog service (for cross-checks)."""

    service: str
    file: str
    line: int
    key: str
    what: str  # "depends_on", "SLO", "runbook" ...


@dataclass(frozen=True)
class FlagRef:
    """A catalog service's `flags:` entry: a flag key some flags source
    should define (for cross-checks)."""

    flag: str
    file: str
    line: int
    key: str
