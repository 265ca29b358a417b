"""What the user may ask of each source, as plain data the UI can hold: the
writes each source takes (none in read-only mode) and the lists it serves
beyond its snapshot (silences). The hub makes it from its sources; the
panels read it to offer only the keys that can work."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping


@dataclass(frozen=True)
class Capabilities:
    actions: Mapping[str, frozenset[str]] = field(default_factory=dict)  # source name -> its writes
    lists: Mapping[str, frozenset[str]] = field(default_factory=dict)  # source name -> its extra lists
    read_only: bool = False
    user: str = ""  # who the writes are made as (the default commander, note author ...)

    def can(self, action: str, source: str | None = None) -> bool:
        """Is ``action`` possible: not read-only, and the named source (or,
        with no name, some source) takes it."""
        if self.read_only:
            return False
        if source is not None:
            return action in self.actions.get(source, ())
        return any(action in actions for actions in self.actions.values())

    def sources_that(self, action: str) -> tuple[str, ...]:
        """The sources taking ``action``, in config order (none when read-only)."""
        return tuple(name for name in self.actions if self.can(action, name))

    def listing(self, what: str) -> tuple[str, ...]:
        """The sources serving the list ``what`` (reading: allowed read-only)."""
        return tuple(name for name, lists in self.lists.items() if what in lists)
