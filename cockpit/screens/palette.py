"""ctrl+p: jump to any service, incident, runbook or SLO by name.

Each hit navigates the app (same path as a drill-down): the panel is shown
and the item focused. Untrusted names are cleaned; the help line is markup
in Textual, so it is escaped.
"""

from __future__ import annotations

from typing import Iterator

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.markup import escape

from cockpit.joins import Index
from cockpit.untrusted import clean
from panels.base import Navigate


def jump_targets(index: Index | None) -> Iterator[tuple[str, str, str, str]]:
    """(text to match, help line, panel id, ref) for everything one can jump to."""
    if index is None:
        return
    snapshot = index.snapshot
    for service in snapshot.services:
        yield f"service {service.name}", f"owner {service.owner}", "services", service.name
    for incident in snapshot.incidents:
        if incident.is_open:
            yield (f"{incident.kind} {incident.id} {incident.title}",
                   f"{incident.severity} {incident.status} {incident.service}", "incidents", incident.id)
    for runbook in snapshot.runbooks:
        yield f"runbook {runbook.title}", runbook.path, "runbooks", runbook.path
    for status in snapshot.slos:
        slo = status.slo
        yield f"SLO {slo.service} {slo.name}", slo.target_text or f"{slo.objective:.3%}", "slos", slo.key


class JumpProvider(Provider):
    """Command palette hits for every item in the current snapshot."""

    def _targets(self) -> list[tuple[str, str, str, str]]:
        return [(clean(text, single_line=True), escape(clean(help, single_line=True)), panel, ref)
                for text, help, panel, ref in jump_targets(getattr(self.app, "index", None))]

    def _jump(self, panel: str, ref: str):
        return lambda: self.app.post_message(Navigate(panel, ref))

    async def discover(self) -> Hits:
        for text, help, panel, ref in self._targets():
            if text.startswith("service "):
                yield DiscoveryHit(text, self._jump(panel, ref), help=help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, help, panel, ref in self._targets():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), self._jump(panel, ref), text=text, help=help)
