"""Runbook steps written as markdown task lists (``- [ ] do this``), worked
through as a checklist during an incident: each ticked step becomes a note on
the incident's timeline, and the timeline is what says which steps are done
(so every session sharing the incident log sees the same ticks). Pure; no
Textual import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Collection, Iterable

from cockpit.model import Incident
from cockpit.untrusted import clean

# A list item (bullet or numbered) whose text starts with a task box.
_TASK = re.compile(r"^(?P<indent>\s*)(?:[-*+]|\d{1,9}[.)])\s+\[(?P<box>[ xX])\](?:\s+(?P<text>.*))?$")
# Any list item: it ends the step before it.
_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])\s")
# An opening or closing code fence: three or more backticks or tildes.
_FENCE = re.compile(r"^\s*(?P<fence>`{3,}|~{3,})")


@dataclass(frozen=True)
class Step:
    line: int  # 1-based line of the step in the runbook body
    text: str  # single line, escapes stripped
    checked: bool  # written as "- [x]" in the runbook itself
    depth: int = 0  # indentation in columns (nested steps)


def parse_steps(body: str) -> list[Step]:
    """Every task-list item in ``body``, in order, with the lines it wraps
    onto, skipping fenced code blocks (a shell comment like ``# - [ ] x``
    in a fence is not a step)."""
    steps: list[Step] = []
    fence = ""  # the fence that opened the code block we are in
    wrapping: Step | None = None  # the step whose text may go on on the next line
    for number, line in enumerate(body.splitlines(), start=1):
        opened = _FENCE.match(line)
        if fence:
            # Closed by the same character, at least as long, nothing after it.
            if opened and opened["fence"][0] == fence[0] and len(opened["fence"]) >= len(fence) \
                    and not line.strip()[len(opened["fence"]):].strip():
                fence = ""
            continue
        if opened:
            fence, wrapping = opened["fence"], None
            continue
        task = _TASK.match(line)
        if task:
            text = clean(task["text"] or "", single_line=True).strip()
            wrapping = Step(number, text, task["box"] != " ", len(task["indent"].expandtabs(4))) if text else None
            if wrapping:
                steps.append(wrapping)
        elif wrapping is not None and line.strip() and not _ITEM.match(line) and not line.lstrip().startswith("#"):
            wrapping = replace(wrapping, text=f"{wrapping.text} {clean(line, single_line=True)}")
            steps[-1] = wrapping
        else:
            wrapping = None  # a blank line, another item or a heading ends the step's text
    return steps


def step_note(runbook_path: str, step: Step) -> str:
    """The timeline note that records ``step`` as done."""
    return f"runbook {clean(runbook_path, single_line=True)}: done: {step.text}"


def done_steps(runbook_path: str, steps: Iterable[Step], incident: Incident | None) -> set[int]:
    """Lines of the steps that are done: ticked in the runbook or noted on the incident's timeline."""
    noted = {entry.text for entry in incident.timeline if entry.kind == "note"} if incident else set()
    return {s.line for s in steps if s.checked or step_note(runbook_path, s) in noted}


def active_incident(
    incidents: Iterable[Incident],
    runbook_services: Collection[str],
    *,
    came_from: tuple[str, str] | None,
    note_sources: Collection[str],
    log_sources: Collection[str],
) -> Incident | None:
    """The incident ticked steps are noted on: the open incident the user
    came from (``came_from`` = (source, id)) if its source takes notes, else
    the most recently started open incident in an incident log (``log_sources``)
    on one of the runbook's services."""
    open_incidents = [i for i in incidents if i.is_open]
    if came_from is not None:
        for incident in open_incidents:
            if (incident.source, incident.id) == came_from and incident.source in note_sources:
                return incident
    services = set(runbook_services)
    candidates = [i for i in open_incidents
                  if i.source in log_sources and i.source in note_sources
                  and services.intersection((i.service, *i.services))]
    return max(candidates, key=lambda i: i.started_at, default=None)
