"""How the hub merges its sources' data into one snapshot: each catalog
service once, every source's incidents in one order with each alert's owner
joined, and a refresh that brings what a source had already keeping the
old objects."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import timezone
from operator import itemgetter
from typing import TYPE_CHECKING, Mapping

from cockpit.alert_owners import DEFAULT_OWNER_LABELS, Owners
from cockpit.model import Incident, Service, SourceData, severity_rank
from cockpit.untrusted import clean

if TYPE_CHECKING:
    from cockpit.hub import _SourceState


def first_of_each_name(states: Mapping[str, _SourceState]) -> tuple[list[Service], dict[str, list[str]]]:
    """Each catalog service once, as the first source defining it has it;
    and, per source whose copy was left out, a warning naming both (two
    catalogs defining one service: the card would show either)."""
    first: dict[str, tuple[Service, str]] = {}
    repeated: dict[str, list[str]] = {}
    for name, state in states.items():
        for service in state.data.services if state.data is not None else ():
            kept, by = first.setdefault(service.name, (service, name))
            if kept is not service:
                repeated.setdefault(name, []).append(
                    f"service {clean(service.name, single_line=True)!r} is defined by {by} already: its copy "
                    "here is not shown (cockpit check names both lines)")
    return [service for service, _ in first.values()], repeated


MERGED = ("services", "data_domains", "slos", "policy", "incidents", "runbooks", "oncall", "backups", "flags",
          "adrs", "glossary", "pages")


def shared(before: SourceData | None, after: SourceData) -> SourceData:
    """``after``, each of its fields that equals ``before``'s being
    ``before``'s very tuple: a refresh that brings the same catalog (2,000
    services) holds one copy of it, not two, and what is made from a field
    (the alerts' order, their owners) is made again only when it changed.
    Comparing costs little: equal items are mostly the same objects (the
    sources keep what did not change), and a changed tuple (SLO statuses
    move with the clock) differs from its first items."""
    if before is None:
        return after
    same = {}
    for name in _FIELDS:
        old, new = getattr(before, name), getattr(after, name)
        if new is not old and new == old:
            same[name] = old
    return replace(after, **same) if same else after


_FIELDS = tuple(f.name for f in fields(SourceData))


def _ordered(state: _SourceState) -> list[tuple[tuple, Incident]]:
    incidents = state.data.incidents if state.data is not None else ()
    if state.ordered[0] is not incidents:
        state.ordered = (incidents, sorted(((_incident_order(i), i) for i in incidents), key=itemgetter(0)))
    return state.ordered[1]


def joined_to_owners(state: _SourceState, owners: Owners | None) -> list[tuple[tuple, Incident]]:
    """_ordered, each alert joined to its owner (owners never change the order).
    An alert the source kept from its last fetch (the same object) keeps
    its joined copy while the catalog is the same."""
    ordered = _ordered(state)
    if owners is None:
        return ordered
    (made_by, made_from), result, before = state.owned
    if made_by is owners and made_from is ordered:
        return result
    before = before if made_by is owners else {}
    order = getattr(state.source, "owner_labels", DEFAULT_OWNER_LABELS)
    joined, memo = [], {}
    for key, incident in ordered:
        kept = before.get(id(incident))
        owned = kept[1] if kept is not None and kept[0] is incident else owners.assign(incident, order)
        memo[id(incident)] = (incident, owned)
        joined.append((key, owned))
    state.owned = ((owners, ordered), joined, memo)
    return joined


def _incident_order(incident: Incident) -> tuple[int, float]:
    """Most severe first (unknown severities last), then oldest first."""
    started = incident.started_at
    if started.tzinfo is None:  # never compare naive with aware datetimes
        started = started.replace(tzinfo=timezone.utc)
    return severity_rank(incident.severity), started.timestamp()
