"""The first-run tour: the question each panel answers, and whether the user
has dismissed the tour (remembered in the user data dir, so it shows once).
No Textual import."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from cockpit.activity import user_stem
from cockpit.atomicfile import write_atomic

# Panel id -> the question it answers.
QUESTIONS = {
    "overview": "What needs me right now?",
    "services": "Who owns this service, who is on call, how do I escalate?",
    "slos": "Are we within our error budgets, and what is burning them?",
    "incidents": "What is firing or declared, and what do I do about it?",
    "runbooks": "How do I fix it? Search runbooks and tick their steps.",
    "postmortems": "What did we learn? Drafts from incidents, for review.",
    "onboarding": "Am I ready for on-call? The checklist ticks what it sees.",
    "adrs": "Why was it built this way? Decisions, superseded or not.",
    "docs": "Which docs are out of date, and who owns them?",
    "oncall": "How heavy were the last shifts? Pages, retro drafts.",
}


def seen_path(data_dir: Path, user: str) -> Path:
    return Path(data_dir) / "tour" / f"{user_stem(user)}.json"


def tour_seen(data_dir: Path, user: str) -> bool:
    """Dismissed before; an unreadable marker counts as seen (never nag)."""
    path = seen_path(data_dir, user)
    try:
        return path.is_file()
    except OSError:
        return True


def mark_seen(data_dir: Path, user: str, now: datetime) -> None:
    """Remember the dismissal. Raises OSError."""
    write_atomic(seen_path(data_dir, user), json.dumps({"user": user, "dismissed_at": now.isoformat()}) + "\n")
