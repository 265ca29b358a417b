"""Post-on-call retrospective drafts (architecture-practices.md, "Post-On-Call
Retrospectives"): the guide's five questions, with the figures the cockpit
knows filled in (pages, after hours, without a runbook, against the guide's
maximum a shift, the incident log's incidents) and every judgement left as
a prompt. Written beside the postmortem drafts through the same DraftWriter
(atomic, audited, refused read-only), so the postmortems panel lists, edits
and autosaves them. Pure except for the write; no Textual import.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import yaml

from cockpit.model import Page
from cockpit.oncall_health import OncallSettings, ShiftHealth, is_after_hours
from cockpit.postmortems.draft import table_cell
from cockpit.postmortems.writer import CREATE, DraftWriter
from cockpit.untrusted import clean

QUESTIONS = (
    "How many pages did you receive?",
    "Were pages actionable?",
    "Were runbooks helpful?",
    "What improvements are needed?",
    "What went well?",
)


def retro_path(folder: Path, health: ShiftHealth) -> Path:
    """<shift start date>-oncall-<person>.md: one retrospective per person and shift."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", health.user).strip("-.") or "nobody"
    return Path(folder) / f"{health.shift.start:%Y-%m-%d}-oncall-{slug}.md"


def _one_line(text: str) -> str:
    return clean(text, single_line=True)


def _when(moment: datetime, settings: OncallSettings) -> str:
    return f"{moment.astimezone(settings.zone):%a %Y-%m-%d %H:%M}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def retro_draft(health: ShiftHealth, settings: OncallSettings, now: datetime) -> str:
    person, pages = _one_line(health.user), len(health.pages)
    shift = f"{_when(health.shift.start, settings)} to {_when(health.shift.end, settings)} ({settings.time_zone})"
    front = {
        "title": f"Post-on-call retrospective: {person}, shift of {health.shift.start:%Y-%m-%d}",
        "kind": "oncall-retrospective",
        "person": person,
        "shift_start": health.shift.start.isoformat(),
        "shift_end": health.shift.end.isoformat(),
        "status": "draft",
        "created": now.astimezone(timezone.utc).isoformat(),
    }
    limit = (f"over the guide's maximum of {health.max_pages} a shift" if health.over_limit
             else f"within the guide's maximum of {health.max_pages} a shift")
    missing = ", ".join(sorted({_one_line(p.service) or "unknown service" for p in health.without_runbook}))
    answers = (
        f"{_plural(pages, 'page')}, {limit}; {len(health.after_hours)} after hours, outside "
        f"{settings.working_hours_text()}.",
        f"[For each page below: did it need a human, and could it have waited? {pages} to go through.]",
        (f"{len(health.without_runbook)} of {pages} pages had no runbook ({missing}). " if health.without_runbook
         else "Every page had a runbook. ") + "[Which helped, which were wrong or out of date?]",
        "[Alerts to tune or remove, runbooks to write, automation that would have spared a page.]",
        "[What worked: handoffs, escalations, tools.]",
    )
    parts = [
        "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True) + "---\n",
        "# Post-On-Call Retrospective\n",
        f"**On call**: {person}  \n**Shift**: {shift}  \n",
        "| Figure | Value |\n|---|---|\n"
        f"| Pages | {pages} (maximum {health.max_pages} a shift) |\n"
        f"| After hours | {len(health.after_hours)} |\n"
        f"| Without a runbook | {len(health.without_runbook)} |\n"
        f"| Incidents in the incident log | {len(health.incidents)} |\n",
        "## Pages\n\n" + _pages_table(health, settings) + "\n",
        "## Questions to Answer\n",
    ]
    parts += [f"### {n}. {question}\n\n{answer}\n" for n, (question, answer) in enumerate(zip(QUESTIONS, answers), 1)]
    return "\n".join(parts)


def _pages_table(health: ShiftHealth, settings: OncallSettings) -> str:
    if not health.pages:
        return "No pages this shift."
    without = set(health.without_runbook)
    rows = ["| When | Service | Incident | After hours | Runbook |", "|---|---|---|---|---|"]
    rows += [f"| {_when(p.at, settings)} | {table_cell(_one_line(p.service) or '-')} | "
             f"{table_cell(_page_title(p))} | {'yes' if is_after_hours(p.at, settings) else 'no'} | "
             f"{'none' if p in without else 'yes'} |" for p in health.pages]
    return "\n".join(rows)


def _page_title(page: Page) -> str:
    title = _one_line(page.title)
    return f"{_one_line(page.incident_id)} {title}" if title else _one_line(page.incident_id)


def write_new_retro(writer: DraftWriter, folder: Path, health: ShiftHealth, settings: OncallSettings, *,
                    now: datetime) -> tuple[Path, str]:
    """Write the retrospective as a new file: its path and any warning to
    show. Raises WriteRefused or OSError."""
    path = retro_path(folder, health)
    return path, writer.write(CREATE, path, retro_draft(health, settings, now))
