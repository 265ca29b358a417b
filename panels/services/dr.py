"""The card's disaster-recovery facts: per service and per data domain its
RPO, RTO and backups, a restore test older than the guide's schedule
(quarterly) and a last backup older than the RPO, both in red."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from cockpit.durations import format_duration
from cockpit.recovery import Recovery, backup_age, backup_breaches_rpo, recoveries, restore_test_due
from cockpit.service_index import Index
from cockpit.model import Service
from cockpit.ui.widgets.text import literal

LABEL = "Recovery         "
INDENT = " " * len(LABEL)


def dr_summary(service: Service, index: Index, now: datetime) -> Text | None:
    found = recoveries(service, index.domains, index.backups)
    if not found:
        return None
    text = Text()
    for n, recovery in enumerate(found):
        text.append("\n" if n else "").append(INDENT if n else LABEL, style="dim")
        _facts(text, recovery)
        text.append("\n" + INDENT)
        _restore_test(text, recovery, now)
        if recovery.backup is not None:
            text.append("\n" + INDENT)
            _last_backup(text, recovery, now)
    return text


def _facts(text: Text, recovery: Recovery) -> None:
    facts = recovery.facts
    text.append_text(literal(recovery.subject, "bold"))
    if recovery.kind != "service":
        text.append(f" ({recovery.kind})", style="dim")
    text.append(f"  RPO {format_duration(facts.rpo)}  RTO {format_duration(facts.rto)}")
    if facts.backup_frequency is not None:
        text.append(f"  backup every {format_duration(facts.backup_frequency)}")
    if facts.backup_location:
        text.append("  ").append_text(literal(facts.backup_location, "dim"))


def _restore_test(text: Text, recovery: Recovery, now: datetime) -> None:
    facts = recovery.facts
    due = restore_test_due(facts, now.date())
    every = format_duration(facts.restore_test_every)
    if facts.last_restore_test is None:
        text.append(f"no restore test on record (due every {every})", style="bold red")
        return
    text.append(f"restore tested {facts.last_restore_test.isoformat()}")
    if due is not None:
        text.append(f"  OVERDUE since {due.isoformat()} ({every})", style="bold red")


def _last_backup(text: Text, recovery: Recovery, now: datetime) -> None:
    age = backup_age(recovery.backup, now)
    text.append(f"last backup {format_duration(age)} ago")
    if backup_breaches_rpo(recovery.facts, recovery.backup, now):
        text.append(f"  older than the {format_duration(recovery.facts.rpo)} RPO", style="bold red")
    text.append("  from ", style="dim").append_text(literal(recovery.backup.source, "dim"))
