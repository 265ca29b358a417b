"""Source registry: every source kind, built-in or plugin, comes from the
``cockpit.sources`` entry-point group, so a third-party source is a peer."""

from __future__ import annotations

from functools import cache
from importlib.metadata import entry_points

from cockpit.sources.base import Source

ENTRY_POINT_GROUP = "cockpit.sources"


@cache
def installed_kinds() -> dict[str, object]:
    """Entry points by kind name (not yet imported)."""
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def load_kind(kind: str) -> type[Source]:
    """The Source class registered for ``kind``; KeyError when none is."""
    cls = installed_kinds()[kind].load()
    if not (isinstance(cls, type) and issubclass(cls, Source)):
        raise TypeError(f"entry point {kind!r} is not a cockpit Source class")
    return cls
