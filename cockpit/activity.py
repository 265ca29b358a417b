"""What each user has opened in the cockpit (runbooks, service cards), kept in
the user data dir so the onboarding checklist can tick itself across
restarts: one JSON line per first opening, <data_dir>/activity/<user>.jsonl.
No Textual import."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from cockpit.jsonl import append_line, read_lines

RUNBOOK = "runbook"  # ref: the runbook's path
SERVICE_CARD = "service-card"  # ref: the service's name
KINDS = (RUNBOOK, SERVICE_CARD)


def user_stem(user: str) -> str:
    """A file name for ``user``'s own state."""
    return re.sub(r"[^A-Za-z0-9._@-]+", "_", user).strip("._") or "default"


def activity_path(data_dir: Path, user: str) -> Path:
    return Path(data_dir) / "activity" / f"{user_stem(user)}.jsonl"


def opened(data_dir: Path, user: str) -> dict[str, set[str]]:
    """kind -> every ref the user opened; an unreadable file counts as nothing opened."""
    found: dict[str, set[str]] = {kind: set() for kind in KINDS}
    try:
        entries, _ = read_lines(activity_path(data_dir, user))
    except OSError:
        return found
    for entry in entries:
        kind, ref = entry.get("kind"), entry.get("ref")
        if kind in found and isinstance(ref, str):
            found[kind].add(ref)
    return found


def record(data_dir: Path, user: str, kind: str, ref: str, now: datetime) -> bool:
    """Note that ``user`` opened ``ref``, once (True when it was new). Raises OSError."""
    if ref in opened(data_dir, user).get(kind, ()):
        return False
    append_line(activity_path(data_dir, user), {"kind": kind, "ref": ref, "at": now.isoformat()})
    return True
