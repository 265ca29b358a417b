"""Fire drills completed, as the drill feature writes them:
<data_dir>/drills/completed.jsonl, one JSON line per completed drill
({"scenario", "title", "finished_at" ISO, "user", "score"}). Read only; a
missing file is no drill, a corrupt line is skipped. No Textual import."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from cockpit.jsonl import read_lines


@dataclass(frozen=True)
class CompletedDrill:
    scenario: str
    title: str
    finished_at: datetime
    user: str


def completed_path(data_dir: Path) -> Path:
    return Path(data_dir) / "drills" / "completed.jsonl"


def completed_drills(data_dir: Path, user: str) -> list[CompletedDrill]:
    """``user``'s completed drills, oldest first."""
    try:
        entries, _ = read_lines(completed_path(data_dir))
    except OSError:
        return []
    drills = []
    for entry in entries:
        if entry.get("user") != user or not isinstance(entry.get("finished_at"), str):
            continue
        try:
            finished = datetime.fromisoformat(entry["finished_at"])
        except ValueError:
            continue
        drills.append(CompletedDrill(str(entry.get("scenario") or ""), str(entry.get("title") or ""),
                                     finished if finished.tzinfo else finished.replace(tzinfo=timezone.utc),
                                     user))
    return sorted(drills, key=lambda d: d.finished_at)
