"""The seed's on-call onboarding checklist, and each user's progress through it.

Progress is one small JSON file per user in the data dir, written atomically
so a crash never loses what was already ticked. Items the cockpit can see
being done tick themselves (``seen_done``): a runbook of each of the user's
services opened, the card (escalation path) of each opened, a drill
completed. Pure except for load/save; no Textual import.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Mapping

from cockpit.activity import RUNBOOK, SERVICE_CARD, user_stem
from cockpit.atomicfile import write_atomic
from cockpit.drills_done import CompletedDrill
from cockpit.model import Runbook, Service


@dataclass(frozen=True)
class ChecklistItem:
    id: str  # stable: progress files refer to it
    text: str
    panel: str = ""  # where in the cockpit this item is worked on ("" = outside it)


@dataclass(frozen=True)
class ChecklistSection:
    title: str
    items: tuple[ChecklistItem, ...]


# The checklist as an owned document (the Docs panel, `cockpit docs`): its owner
# and last validated date are in the config's `docs: onboarding:`.
TITLE = "On-call onboarding checklist"

# architecture-practices.md, "On-Call Onboarding Checklist", in the seed's words.
CHECKLIST: tuple[ChecklistSection, ...] = (
    ChecklistSection("Before First On-Call Shift", (
        ChecklistItem("read-runbooks", "Read all runbooks", "runbooks"),
        ChecklistItem("fire-drills", "Complete fire drill scenarios", "runbooks"),
        ChecklistItem("shadow", "Shadow experienced on-call engineer for 1 week"),
        ChecklistItem("escalation-path", "Know escalation path", "services"),
        ChecklistItem("system-access", "Have access to all systems"),
        ChecklistItem("logs-metrics", "Know how to access logs and metrics", "slos"),
        ChecklistItem("ir-training", "Complete incident response training"),
    )),
    ChecklistSection("First Week On-Call", (
        ChecklistItem("pair", "Pair with experienced engineer"),
        ChecklistItem("real-incident", "Handle at least 1 real incident (with support)", "incidents"),
        ChecklistItem("runbook-gaps", "Document any runbook gaps found", "runbooks"),
        ChecklistItem("review-postmortems", "Review postmortems from past incidents", "postmortems"),
    )),
    ChecklistSection("Ongoing", (
        ChecklistItem("monthly-drills", "Participate in monthly fire drills", "runbooks"),
        ChecklistItem("update-runbooks", "Review and update runbooks quarterly", "runbooks"),
        ChecklistItem("postmortem-meetings", "Attend postmortem meetings", "postmortems"),
    )),
)
ITEM_IDS = frozenset(item.id for section in CHECKLIST for item in section.items)


@dataclass(frozen=True)
class Progress:
    """Which items a user has done, and when; ``problem`` explains a progress
    file that could not be read (the checklist then starts empty)."""

    user: str
    done: Mapping[str, datetime]
    problem: str = ""

    def is_done(self, item_id: str) -> bool:
        return item_id in self.done

    def toggled(self, item_id: str, now: datetime) -> "Progress":
        done = dict(self.done)
        if done.pop(item_id, None) is None:
            done[item_id] = now
        return Progress(self.user, done)

    def count(self, section: ChecklistSection) -> tuple[int, int]:
        """(items done, items in the section)."""
        return sum(item.id in self.done for item in section.items), len(section.items)


def progress_path(data_dir: Path, user: str) -> Path:
    return Path(data_dir) / "onboarding" / f"{user_stem(user)}.json"


def load_progress(data_dir: Path, user: str) -> Progress:
    path = progress_path(data_dir, user)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Progress(user, {})
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return Progress(user, {}, problem=f"{path}: cannot read onboarding progress: {exc}")
    done: dict[str, datetime] = {}
    entries = raw.get("done") if isinstance(raw, dict) else None
    if not isinstance(entries, dict):
        return Progress(user, {}, problem=f"{path}: not an onboarding progress file")
    for item_id, when in entries.items():
        # Items the checklist no longer has are dropped, not an error.
        if item_id in ITEM_IDS and isinstance(when, str):
            try:
                done[item_id] = datetime.fromisoformat(when)
            except ValueError:
                continue
    return Progress(user, done)


def save_progress(data_dir: Path, progress: Progress) -> Path:
    path = progress_path(data_dir, progress.user)
    payload = {"user": progress.user, "done": {k: v.isoformat() for k, v in sorted(progress.done.items())}}
    write_atomic(path, json.dumps(payload, indent=2) + "\n")
    return path


@dataclass(frozen=True)
class Seen:
    """An item the cockpit watches: done or not, and in words what it saw or
    what is left."""

    done: bool
    why: str


def seen_done(services: list[Service], runbooks: Mapping[str, list[Runbook]], opened: Mapping[str, set[str]],
              drills: list[CompletedDrill]) -> dict[str, Seen]:
    """What the cockpit saw of the watched items, for the user whose
    ``services`` (cockpit.user_services), ``opened`` (cockpit.activity) and
    ``drills`` these are."""
    names = [s.name for s in services]
    with_runbooks = [n for n in names if runbooks.get(n)]
    unread = [n for n in with_runbooks if not {r.path for r in runbooks[n]} & opened.get(RUNBOOK, set())]
    unseen = [n for n in names if n not in opened.get(SERVICE_CARD, set())]
    if not names:
        no_services = "no service of yours in the catalog"
        runbooks_seen = cards_seen = Seen(False, no_services)
    else:
        runbooks_seen = (Seen(False, "no runbook for your services yet") if not with_runbooks else
                         Seen(not unread, f"to open: a runbook of {_names(unread)}" if unread
                              else f"opened a runbook of {_names(with_runbooks)}"))
        cards_seen = Seen(not unseen, f"to open: the card of {_names(unseen)}" if unseen
                          else f"opened the card of {_names(names)}")
    drill_seen = Seen(bool(drills), f"completed {drills[-1].title or drills[-1].scenario or 'a drill'}"
                      if drills else "no drill completed yet")
    return {"read-runbooks": runbooks_seen, "escalation-path": cards_seen, "fire-drills": drill_seen}


def _names(names: list[str], shown: int = 3) -> str:
    more = len(names) - shown
    return ", ".join(names[:shown]) + (f" and {more} more" if more > 0 else "")
