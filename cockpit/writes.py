"""A write the user asks of a source, and how it went: the words the hub,
the sources and the UI share for every write."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping


@dataclass(frozen=True)
class Action:
    """A write going back to the source that owns the item."""

    name: str  # declare | note | status | ack | resolve | silence | expire ...
    target: str = ""  # incident id, alert fingerprint, silence id; "" for declare
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ActionResult:
    ok: bool
    message: str = ""
    target: str = ""  # e.g. the id of a newly declared incident
