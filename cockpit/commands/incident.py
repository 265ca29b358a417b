"""`cockpit incident declare|note|status|resolve`: the incident log from
scripts and chat bots; `cockpit incident-log migrate`: its schema.

Every write goes through Hub.perform on the config's first incident-log
source, so read-only mode refuses it and the audit log records it (refusals
too), exactly as when the same write comes from the app.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Sequence

from cockpit.clock import Clock, system_clock
from cockpit.commands import (
    EXIT_CONFIG, EXIT_FAILED, EXIT_OK, fail, load_config_or_report, missing_source, sources_of_kind,
)
from cockpit.secrets import redact
from cockpit.sources.base import SourceError
from cockpit.writes import Action, ActionResult
from cockpit.untrusted import clean

KIND = "incident-log"


def run_declare(config_path: str | None, *, title: str, severity: str, services: Sequence[str],
                commander: str | None = None, scribe: str | None = None, comms: str | None = None,
                read_only: bool = False, clock: Clock = system_clock) -> int:
    """Declare an incident with its roles in one write; print only its new id on stdout."""
    params = {"title": title, "severity": severity, "services": list(services)}
    for role, person in (("commander", commander), ("scribe", scribe), ("comms", comms)):
        if person is not None:
            params[role] = person
    return _run(config_path, Action("declare", params=params), read_only, clock, print_target=True)


def run_note(config_path: str | None, incident_id: str, text: str, *, read_only: bool = False,
             clock: Clock = system_clock) -> int:
    return _run(config_path, Action("note", incident_id, {"text": text}), read_only, clock)


def run_set_status(config_path: str | None, incident_id: str, status: str, *, read_only: bool = False,
                   clock: Clock = system_clock) -> int:
    return _run(config_path, Action("status", incident_id, {"status": status}), read_only, clock)


def run_resolve(config_path: str | None, incident_id: str, *, read_only: bool = False,
                clock: Clock = system_clock) -> int:
    return _run(config_path, Action("resolve", incident_id), read_only, clock)


def _run(config_path: str | None, action: Action, read_only: bool, clock: Clock, *, print_target: bool = False) -> int:
    config = load_config_or_report(config_path, read_only=read_only)
    if config is None:
        return EXIT_CONFIG
    specs = sources_of_kind(config, KIND)
    if not specs:
        return missing_source(config, KIND, "{kind: incident-log}")
    result = asyncio.run(_perform(config, specs[0].name, action, clock))
    where = "cockpit incident"
    if not result.ok:
        if config.read_only:
            return fail(f"{where}: {result.message} (--read-only or read_only: true in {config.path}); "
                        "nothing was changed")
        return fail(f"{where}: {result.message}", EXIT_FAILED)
    # The hub appends a warning when the audit log could not be written: a
    # script must see it, but stdout stays the bare result (the id, for declare).
    message, _, warning = result.message.partition("WARNING: ")
    message = message.rstrip("; ")
    print(clean(result.target if print_target else message, single_line=True))
    if warning:
        print(clean(f"{where}: WARNING: {warning}", single_line=True), file=sys.stderr)
    return EXIT_OK


async def _perform(config, source_name: str, action: Action, clock: Clock) -> ActionResult:
    from cockpit.hub import Hub  # pulls in every source plugin: only once a command runs

    hub = Hub.from_config(config, clock)
    try:
        return await hub.perform(source_name, action)
    finally:
        await hub.aclose()


def run_migrate(config_path: str | None) -> int:
    """Bring every incident-log source's database to this cockpit's schema
    (sessions do it too on first use; a DBA runs this with the owner's DSN
    so sessions' own roles need no CREATE right). Refuses a newer schema."""
    config = load_config_or_report(config_path)
    if config is None:
        return EXIT_CONFIG
    specs = sources_of_kind(config, KIND)
    if not specs:
        return missing_source(config, KIND, "{kind: incident-log}")
    return asyncio.run(_migrate_all(config, specs))


async def _migrate_all(config, specs) -> int:
    from cockpit.config import source_context
    from cockpit.sources.incident_log import backend_for

    code = EXIT_OK
    for spec in specs:
        try:
            backend = backend_for(spec, source_context(config, system_clock))
            try:
                before, after = await backend.migrate()
            finally:
                await backend.aclose()
        except SourceError as error:
            code = fail(f"cockpit incident-log migrate: {spec.name}: {error}", EXIT_FAILED)
            continue
        done = f"schema {before} -> {after}" if before != after else f"already at schema {after}"
        print(clean(redact(f"{spec.name}: {backend.where}: {done}"), single_line=True))
    return code
