"""`cockpit runbooks [--stale]`: which runbooks are past their review date.

With --stale it lists only those and exits 1 when there are any, so a team
can run it in its own CI. A runbook never validated (or whose front matter is
broken) counts as stale: nobody can say it still works.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import date, timezone

from cockpit.clock import Clock, system_clock
from cockpit.commands import (
    EXIT_CONFIG, EXIT_FAILED, EXIT_OK, fail, load_config_or_report, missing_source, sources_of_kind,
)
from cockpit.model import Runbook, Snapshot
from cockpit.untrusted import clean

KIND = "runbooks"
HEADER = ("PATH", "OWNER", "LAST VALIDATED", "NEXT REVIEW", "")


def run_runbooks(config_path: str | None, *, stale_only: bool = False, clock: Clock = system_clock) -> int:
    config = load_config_or_report(config_path)
    if config is None:
        return EXIT_CONFIG
    names = [spec.name for spec in sources_of_kind(config, KIND)]
    if not names:
        return missing_source(config, KIND, "{kind: runbooks, path: runbooks}")
    snapshot = asyncio.run(_fetch(config, names, clock))
    failing = [h for h in snapshot.sources if h.name in names and h.failing]
    for health in failing:
        fail(f"runbooks source {health.name}: {health.error}")
    if failing:
        return EXIT_CONFIG
    today = snapshot.taken_at.astimezone(timezone.utc).date()
    stale = [r for r in snapshot.runbooks if r.is_stale(today)]
    shown = stale if stale_only else list(snapshot.runbooks)
    if shown:
        print(format_table(shown, today))
    summary = f"{len(stale)} of {len(snapshot.runbooks)} runbooks stale on {today.isoformat()}"
    print(summary, file=sys.stderr)  # stdout stays the table alone, for scripts
    return EXIT_FAILED if stale_only and stale else EXIT_OK


async def _fetch(config, names: list[str], clock: Clock) -> Snapshot:
    from cockpit.hub import Hub  # pulls in every source plugin: only once a command runs

    hub = Hub.from_config(config, clock)
    try:
        # Only the runbooks sources: no reason to reach out to Prometheus or PagerDuty.
        await asyncio.gather(*(hub.refresh(name) for name in names))
        return hub.snapshot()
    finally:
        await hub.aclose()


def format_table(runbooks: list[Runbook], today: date) -> str:
    """Aligned columns, one runbook a line, stale ones marked STALE."""
    rows = [HEADER] + [_row(r, today) for r in sorted(runbooks, key=lambda r: (r.source, r.path))]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows)


def _row(runbook: Runbook, today: date) -> tuple[str, ...]:
    return (
        clean(runbook.path, single_line=True),
        clean(runbook.owner, single_line=True) or "(no owner)",
        runbook.last_validated.isoformat() if runbook.last_validated else "never",
        runbook.next_review.isoformat() if runbook.next_review else "-",
        "STALE" if runbook.is_stale(today) else "",
    )
