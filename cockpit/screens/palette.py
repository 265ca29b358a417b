"""ctrl+p: jump to any service, incident, runbook or SLO by name, or to a
line of a runbook by its words (full-text, the match shown in its line).

Each hit navigates the app (same path as a drill-down): the panel is shown
and the item focused. Untrusted names are cleaned; the help line is markup
in Textual, so it is escaped.
"""

from __future__ import annotations

from typing import Iterator

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.markup import escape

from cockpit.joins import Index
from cockpit.runbook_search import search_runbooks
from cockpit.untrusted import clean
from panels.base import Navigate, literal
from panels.runbooks import match_in_context, runbook_ref

# Full-text hits: only for queries long enough to mean something, a few lines
# per runbook, and after every name match (a fixed low score keeps the
# search's own ranking: the palette's sort is stable).
TEXT_MIN_QUERY = 3
TEXT_PER_RUNBOOK = 3
TEXT_HITS = 20
TEXT_SCORE = 0.01


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
        for display, help, ref in runbook_text_hits(getattr(self.app, "index", None), query):
            yield Hit(TEXT_SCORE, display, self._jump("runbooks", ref), text=display.plain, help=help)


def runbook_text_hits(index: Index | None, query: str) -> Iterator[tuple[Text, str, str]]:
    """(the matching line in context, escaped help, ref opening the runbook at
    that line) for the runbook lines holding every word of ``query``."""
    if index is None or len(query.strip()) < TEXT_MIN_QUERY:
        return
    per_runbook: dict[str, int] = {}
    shown = 0
    for match in search_runbooks(index.snapshot.runbooks, query):
        path = match.runbook.path
        if shown >= TEXT_HITS:
            break
        if per_runbook.get(path, 0) >= TEXT_PER_RUNBOOK:
            continue
        per_runbook[path] = per_runbook.get(path, 0) + 1
        shown += 1
        where = "title" if match.line_no == 0 else f"line {match.line_no}"
        display = literal(match.runbook.title, "bold").append(f" {where}: ").append_text(match_in_context(match))
        yield display, escape(clean(f"full text in {path}", single_line=True)), runbook_ref(path, match.line_no)
