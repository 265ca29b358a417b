"""The drafts folder: every postmortem draft with what its front matter
says (title, incident, severity, status, owner, when validated)."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path
from typing import Mapping

from cockpit.clock import as_utc
from cockpit.frontmatter import parse_front_matter
from cockpit.model import Postmortem
from cockpit.untrusted import clean
from cockpit.yamlfile import YamlError, file_stamp, read_text


# folder -> {file: (its stamp, its draft)}: the postmortems and docs panels list
# the folder on every refresh; only a file that changed is read again.
_listed: dict[Path, dict[Path, tuple[tuple, Postmortem]]] = {}


def list_drafts(folder: Path) -> list[Postmortem]:
    """Every draft in ``folder`` (newest first), from its front matter; a file
    with broken front matter is still listed, under its file name."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    before, now = _listed.get(folder, {}), {}
    for path in folder.glob("*.md"):
        if path.name.endswith(".recovered.md"):  # autosave's side copy of a conflicting edit, not a draft
            continue
        stamp = file_stamp(path)
        known = before.get(path)
        now[path] = known if known and known[0] == stamp else (stamp, _read_draft(path))
    _listed[folder] = now
    drafts = [draft for _, draft in now.values()]
    epoch = datetime.min.replace(tzinfo=timezone.utc)
    return sorted(drafts, key=lambda d: (d.created or epoch, d.path), reverse=True)


def _read_draft(path: Path) -> Postmortem:
    try:
        front = parse_front_matter(read_text(path), str(path))
    except YamlError as exc:  # unreadable, or too big to read
        return _postmortem(path, {}, str(exc.problem))
    return _postmortem(path, front.data, "; ".join(map(str, front.problems)))


def _postmortem(path: Path, data: Mapping, problem: str = "") -> Postmortem:
    def text(key: str) -> str:
        value = data.get(key)
        return clean(value, single_line=True) if isinstance(value, (str, int, float)) else ""

    return Postmortem(
        path=str(path),
        title=text("title") or path.stem,
        incident_id=text("incident"),
        severity=text("severity"),
        status=text("status") or "draft",
        created=_timestamp(data.get("created")),
        problem=problem,
        owner=text("owner"),
        last_validated=_day(data.get("last_validated")),
    )


def _day(value: object) -> date | None:
    """A front matter date (YAML reads 2026-11-28 as one; quoted, it is text)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value.strip()) if isinstance(value, str) else None
    except ValueError:
        return None


def _timestamp(value: object) -> datetime | None:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    return as_utc(value) if isinstance(value, datetime) else None
