"""`cockpit postmortem new --incident ID [--out DIR]` and
`cockpit postmortem check FILE`.

`new` looks the incident up in every source: the incident log by id (its
whole timeline, however long ago it was resolved), the others in one fresh
snapshot. The draft joins the alerts that fired on the incident's services,
the cockpit's own audited actions on them and the error budget their SLOs
burned meanwhile, like the app's draft key.
An existing draft is never overwritten: it may hold a commander's words.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from cockpit.clock import Clock, system_clock
from cockpit.commands import EXIT_CONFIG, EXIT_OK, fail, load_config_or_report
from cockpit.postmortems.writer import CREATE, DraftWriter, WriteRefused
from cockpit.model import Incident, Snapshot
from cockpit.postmortems.draft import draft_path, write_new_draft
from cockpit.postmortems.lint import lint_postmortem
from cockpit.sources.base import SourceError
from cockpit.untrusted import clean
from cockpit.yamlfile import YamlError, read_text


def run_postmortem_new(config_path: str | None, incident_id: str, out: str | None = None, *,
                       clock: Clock = system_clock, read_only: bool = False) -> int:
    """Write the draft for ``incident_id``; print its path. Refused (exit 1,
    audited) in read-only mode, before any source is asked."""
    config = load_config_or_report(config_path, read_only=read_only)
    if config is None:
        return EXIT_CONFIG
    writer = DraftWriter.from_config(config, clock)
    folder = Path(out).expanduser() if out else config.postmortems
    try:
        writer.check_writable(CREATE, folder)
    except WriteRefused as refused:
        return fail(f"cockpit postmortem new: {refused}")
    try:
        incident, snapshot = asyncio.run(_find(config, incident_id, clock))
    except SourceError as error:
        return fail(f"cockpit postmortem new: {error}")
    if incident is None:
        searched = ", ".join(h.name for h in snapshot.sources)
        failing = [f"{h.name} ({h.error})" for h in snapshot.sources if h.failing]
        unreachable = f"; could not read {', '.join(failing)}" if failing else ""
        return fail(f"cockpit postmortem new: no incident {incident_id!r} in any source "
                    f"(searched {searched}){unreachable}")
    if draft_path(folder, incident).exists():
        return fail(f"cockpit postmortem new: {draft_path(folder, incident)} exists already; not overwritten "
                    "(edit it, or move it away to start over)")
    try:
        path, warning = write_new_draft(writer, folder, incident, snapshot, audit_log=config.audit_log, now=clock())
    except OSError as error:
        return fail(f"cockpit postmortem new: cannot write the draft in {folder}: {error.strerror or error}")
    print(path)
    if warning:
        print(warning, file=sys.stderr)
    return EXIT_OK


async def _find(config, incident_id: str, clock: Clock) -> tuple[Incident | None, Snapshot]:
    """The incident (incident logs first, then every source's snapshot) and
    the snapshot its draft is built from (owners, related alerts)."""
    from cockpit.hub import Hub  # pulls in every source plugin: only once a command runs
    from cockpit.sources.incident_log import IncidentLogSource

    hub = Hub.from_config(config, clock)
    try:
        snapshot = await hub.refresh_all()
        for source in hub.sources:
            if isinstance(source, IncidentLogSource):
                found = await source.get(incident_id)
                if found is not None:
                    return found, snapshot
        return next((i for i in snapshot.incidents if i.id == incident_id), None), snapshot
    finally:
        await hub.aclose()


def run_postmortem_check(file: str) -> int:
    """Lint ``file``: 0 when ready for review, 1 listing each problem as FILE:LINE: ..."""
    try:
        text = read_text(Path(file))  # at most 1 MiB: a draft is not a data dump
    except YamlError as error:
        return fail(f"{file}: cannot read: {error.problem.message.removeprefix('cannot read: ')}", EXIT_CONFIG)
    problems = lint_postmortem(text, file)
    for problem in problems:
        print(clean(problem, single_line=True))
    if problems:
        return fail(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {file}")
    print(f"{file}: OK")
    return EXIT_OK
