"""Full-text search across runbooks, with each match shown in its line.

A query is whitespace-separated terms; "double quotes" keep a phrase as one
term. Matching is case-insensitive. A runbook matches when every term occurs
in it (title or body); every line holding any term is listed so a panel can
show the match in context.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from cockpit.model import Runbook

_TERM = re.compile(r'"([^"]+)"|(\S+)')
_LINE_REF = re.compile(r"(.+)#L(\d+)")  # "path#L12": the runbook opened at body line 12


def runbook_ref(path: str, line: int) -> str:
    """A ref that opens the runbook at ``line`` (1-based, in the body)."""
    return f"{path}#L{line}" if line > 0 else path


def split_runbook_ref(ref: str) -> tuple[str, int]:
    """(path, line) of a ``runbook_ref``; line 0 when it names no line."""
    at_line = _LINE_REF.fullmatch(ref)
    return (at_line.group(1), int(at_line.group(2))) if at_line else (ref, 0)


@dataclass(frozen=True)
class Match:
    runbook: Runbook
    line_no: int  # 1-based line in runbook.body; 0 = the title
    line_text: str  # the whole line, as written (untrusted: clean before showing)
    start: int  # first matched term on the line: line_text[start:end]
    end: int
    spans: tuple[tuple[int, int], ...] = ()  # every match on the line, in order


def query_terms(query: str) -> list[str]:
    """Lower-cased search terms; quoted phrases stay whole."""
    terms = (phrase or word for phrase, word in _TERM.findall(query))
    return list(dict.fromkeys(t.lower() for t in terms if t.strip()))


def search_runbooks(runbooks: Iterable[Runbook], query: str) -> list[Match]:
    """Matches for ``query``: runbooks whose title matches first, then those
    with more matching lines, then by path; lines in order within a runbook."""
    terms = query_terms(query)
    if not terms:
        return []
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.IGNORECASE)
    ranked: list[tuple[tuple, list[Match]]] = []
    for runbook in runbooks:
        haystack = f"{runbook.title}\n{runbook.body}".lower()
        if not all(term in haystack for term in terms):
            continue
        lines = [runbook.title, *runbook.body.splitlines()]
        matches = [m for no, text in enumerate(lines) if (m := _line_match(runbook, no, text, pattern))]
        title_hit = bool(matches) and matches[0].line_no == 0
        ranked.append(((not title_hit, -len(matches), runbook.path), matches))
    ranked.sort(key=lambda item: item[0])
    return [match for _, matches in ranked for match in matches]


def _line_match(runbook: Runbook, line_no: int, text: str, pattern: re.Pattern) -> Match | None:
    spans = tuple(m.span() for m in pattern.finditer(text))
    if not spans:
        return None
    return Match(runbook, line_no, text, spans[0][0], spans[0][1], spans)
