"""`cockpit docs [--stale]`: every owned document (runbooks, postmortems, the
onboarding checklist ...) with its owner, last validated and next review.

With --stale it lists only the stale ones and exits 1 when there are any: the
CI gate. `cockpit runbooks` is the same gate over one kind (``gate``). A
source that cannot be read exits 2: nobody can say its documents are fresh.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Callable, Iterable, Sequence

from cockpit.clock import Clock, system_clock
from cockpit.commands import EXIT_CONFIG, EXIT_FAILED, EXIT_OK, fail, load_config_or_report
from cockpit.config import Config
from cockpit.doc_freshness import KIND_NAMES, DocInputs, OwnedDocument, collect, kind, review_day
from cockpit.model import Snapshot
from cockpit.untrusted import clean

# (header, cell) per column of a listing; the last one is the stale mark.
Columns = Sequence[tuple[str, Callable[[OwnedDocument], str]]]


def _text(value: str) -> str:
    return clean(value, single_line=True)


# The dates, the owner and the mark as `cockpit runbooks` has always shown them.
OWNER: tuple[str, Callable[[OwnedDocument], str]] = ("OWNER", lambda d: _text(d.owner) or "(no owner)")
DATES: Columns = (
    ("LAST VALIDATED", lambda d: d.last_validated.isoformat() if d.last_validated else "never"),
    ("NEXT REVIEW", lambda d: d.next_review.isoformat() if d.next_review else "-"),
)
DOC_COLUMNS: Columns = (
    ("KIND", lambda d: d.kind),
    ("DOCUMENT", lambda d: _text(d.ref or d.title)),
    OWNER, *DATES,
    ("", lambda d: f"STALE: {d.stale_reason}" if d.stale else ""),
)


def run_docs(config_path: str | None, *, stale_only: bool = False, clock: Clock = system_clock) -> int:
    config = load_config_or_report(config_path)
    if config is None:
        return EXIT_CONFIG
    return gate(config, KIND_NAMES, stale_only=stale_only, clock=clock, columns=DOC_COLUMNS, noun="documents")


def gate(config: Config, kinds: Sequence[str], *, stale_only: bool, clock: Clock, columns: Columns,
         noun: str) -> int:
    """List the documents of ``kinds`` (only the stale ones with ``stale_only``,
    which then exits 1 when there are any); exit 2 when a source feeding them fails."""
    feeds = {kind(name).feeds for name in kinds} - {""}
    snapshot = asyncio.run(_fetch(config, feeds, clock))
    failing = [h for h in snapshot.sources if feeds & set(h.provides) and h.failing]
    for health in failing:
        fail(f"{health.kind} source {health.name}: {health.error}")
    if failing:
        return EXIT_CONFIG
    today = review_day(snapshot.taken_at)
    documents = collect(doc_inputs(config, snapshot), kinds)
    stale = [d for d in documents if d.stale]
    shown = stale if stale_only else documents
    if shown:
        print(format_table(shown, columns))
    # stdout stays the table alone, for scripts
    print(f"{len(stale)} of {len(documents)} {noun} stale on {today.isoformat()}", file=sys.stderr)
    return EXIT_FAILED if stale_only and stale else EXIT_OK


def doc_inputs(config: Config, snapshot: Snapshot) -> DocInputs:
    """What the collectors read, from the config and one snapshot."""
    return DocInputs(snapshot, review_day(snapshot.taken_at), config.docs, config.postmortems)


async def _fetch(config: Config, feeds: set[str], clock: Clock) -> Snapshot:
    """A snapshot from the sources providing ``feeds`` (snapshot keys) alone."""
    from cockpit.hub import Hub  # pulls in every source plugin: only once a command runs

    hub = Hub.from_config(config, clock)
    try:
        # Only the sources feeding documents: no reason to reach out to Prometheus or PagerDuty.
        await asyncio.gather(*(hub.refresh(s.name) for s in hub.sources if feeds & s.provides))
        return hub.snapshot()
    finally:
        await hub.aclose()


def format_table(documents: Iterable[OwnedDocument], columns: Columns) -> str:
    """Aligned columns, one document a line, kind by kind (source, then ref, within one)."""
    order = {name: n for n, name in enumerate(KIND_NAMES)}
    ordered = sorted(documents, key=lambda d: (order.get(d.kind, len(order)), d.source, d.ref))
    rows = [tuple(header for header, _ in columns)] + [tuple(cell(d) for _, cell in columns) for d in ordered]
    widths = [max(len(row[i]) for row in rows) for i in range(len(columns))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows)
