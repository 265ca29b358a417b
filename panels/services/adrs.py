"""The service card's ADRs: the decisions that name this service (their
`Services:` line or front matter), newest first, each opening the ADR;
one superseded says by which."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from cockpit.adr_links import superseded_by
from cockpit.model import Service, adr_key
from cockpit.service_index import Index
from cockpit.ui.widgets.links import Link
from cockpit.ui.widgets.text import line, literal


def adr_links(service: Service, index: Index, now: datetime) -> list[tuple[str, list[Link]]]:
    adrs = index.snapshot.adrs
    about = sorted((adr for adr in adrs if service.name in adr.services), key=lambda adr: -adr.number)
    if not about:
        return []
    links = []
    for adr in about:
        newer = superseded_by(adr, adrs)
        label = line(Text(f"{adr.key} ", "bold"), literal(adr.title), "  ", literal(adr.status or "no status", "dim"),
                     Text(f" by {', '.join(adr_key(n) for n in newer)}", "dim") if newer else "")
        links.append(Link(label, "adrs", str(adr.number)))
    return [("Decisions (ADRs)", links)]
