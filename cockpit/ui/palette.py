"""ctrl+p: jump to any service, incident, runbook, SLO or ADR by name, to a
line of a runbook by its words (full-text, the match shown in its line), or
open a glossary term's definition.

Each hit navigates the app (same path as a drill-down): the panel is shown
and the item focused. Untrusted names are cleaned and given to the palette
as Content or Text, prompts and help lines alike: a str would be read as
markup.
"""

from __future__ import annotations

from typing import Iterator

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import FuzzySearch

from cockpit.model import GlossaryTerm
from cockpit.service_index import Index
from cockpit.runbook_search import runbook_ref, search_runbooks
from cockpit.untrusted import clean
from cockpit.ui.widgets.glossary import GlossaryScreen
from cockpit.ui.widgets.messages import Navigate
from cockpit.ui.widgets.text import highlighted_line, literal

# Full-text hits: only for queries long enough to mean something, a few lines
# per runbook, and after every name match (a fixed low score keeps the
# search's own ranking: the palette's sort is stable).
TEXT_MIN_QUERY = 3
TEXT_PER_RUNBOOK = 3
TEXT_HITS = 20
TEXT_SCORE = 0.01
# Added to every hit here: the palette sorts by score, and Textual's own
# commands (theme, keys, quit ...) scored above most of the app's items.
OWN_HITS_FIRST = 1000.0


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
    for adr in snapshot.adrs:
        yield f"{adr.key} {adr.title}", f"ADR {adr.status or 'no status'}", "adrs", str(adr.number)


class JumpProvider(Provider):
    """Command palette hits for every item in the current snapshot."""

    def _targets(self) -> list[tuple[str, Content, str, str]]:
        return [(clean(text, single_line=True), literal_help(help), panel, ref)
                for text, help, panel, ref in jump_targets(getattr(self.app, "index", None))]

    def _jump(self, panel: str, ref: str):
        return lambda: self.app.post_message(Navigate(panel, ref))

    async def discover(self) -> Hits:
        for text, help, panel, ref in self._targets():
            if text.startswith("service "):
                yield DiscoveryHit(Content(text), self._jump(panel, ref), text=text, help=help)

    async def search(self, query: str) -> Hits:
        style = self.matcher(query).match_style
        for text, help, panel, ref in self._targets():
            score, offsets = fuzzy_match(query, text)
            if score > 0:
                yield Hit(OWN_HITS_FIRST + score, highlighted(text, offsets, style), self._jump(panel, ref), text=text,
                          help=help)
        for display, help, ref in runbook_text_hits(getattr(self.app, "index", None), query):
            yield Hit(OWN_HITS_FIRST + TEXT_SCORE, display, self._jump("runbooks", ref), text=display.plain,
                      help=help)
        glossary = self._glossary()
        for term in glossary:
            text = f"term {clean(term.name, single_line=True)}"
            score, offsets = fuzzy_match(query, text)
            if score > 0:
                yield Hit(OWN_HITS_FIRST + score, highlighted(text, offsets, style), self._define(glossary, term.name),
                          text=text, help=literal_help(term.definition))

    def _glossary(self) -> tuple[GlossaryTerm, ...]:
        index = getattr(self.app, "index", None)
        return index.snapshot.glossary if index is not None else ()

    def _define(self, glossary: tuple[GlossaryTerm, ...], name: str):
        return lambda: self.app.push_screen(GlossaryScreen("Glossary", glossary, chosen=name))


def literal_help(text: str) -> Content:
    """A hit's help line. The palette reads a str help as markup and
    textual.markup.escape does not make every str safe ("[/" still raises);
    Content is taken as it is."""
    return Content(clean(text, single_line=True))


_SCORER = FuzzySearch()


def fuzzy_match(query: str, text: str) -> tuple[float, list[int]]:
    """(score, offsets of the matched letters); (0, []) when ``text`` lacks
    the query's letters in order. Textual's FuzzySearch tries every way the
    letters can be picked, exponential in the query's length: an 80-character
    "abab..." title and a six-letter query took 14 s on the event loop. Here
    the query as a substring, else the leftmost picks, scored as Textual
    scores them, in time linear in the text."""
    lowered, wanted = text.lower(), query.lower()
    if not wanted:
        return 0.0, []
    at = lowered.find(wanted)
    if at >= 0:
        offsets = list(range(at, at + len(wanted)))
        return _SCORER.score(lowered, offsets) * (2.0 if lowered == wanted else 1.5), offsets
    offsets, position = [], 0
    for letter in wanted:
        position = lowered.find(letter, position)
        if position < 0:
            return 0.0, []
        offsets.append(position)
        position += 1
    return _SCORER.score(lowered, offsets), offsets


def highlighted(text: str, offsets: list[int], style) -> Content:
    """``text`` with the matched letters highlighted, as Matcher.highlight
    does, but never read as markup (that one parses it: "[/]" in a title
    raised and dropped every hit, "[@click=app.quit]" became a clickable
    action)."""
    content = Content(text)
    for offset in offsets:
        if offset < len(text) and not text[offset].isspace():
            content = content.stylize(style, offset, offset + 1)
    return content


def runbook_text_hits(index: Index | None, query: str) -> Iterator[tuple[Text, Content, str]]:
    """(the matching line in context, help, ref opening the runbook at
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
        display = literal(match.runbook.title, "bold").append(f" {where}: ").append_text(highlighted_line(match.line_text, match.spans))
        yield display, literal_help(f"full text in {path}"), runbook_ref(path, match.line_no)
