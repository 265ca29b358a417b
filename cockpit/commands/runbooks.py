"""`cockpit runbooks [--stale]`: which runbooks are past their review date.

With --stale it lists only those and exits 1 when there are any, so a team
can run it in its own CI. A runbook never validated (or whose front matter is
broken) counts as stale: nobody can say it still works. It is `cockpit docs`'
gate (cockpit.commands.docs) over the runbooks alone, with their own columns.
"""

from __future__ import annotations

from cockpit.clock import Clock, system_clock
from cockpit.commands import EXIT_CONFIG, load_config_or_report, missing_source, sources_of_kind
from cockpit.commands.docs import DATES, OWNER, Columns, gate
from cockpit.untrusted import clean

KIND = "runbooks"
COLUMNS: Columns = (
    ("PATH", lambda d: clean(d.ref, single_line=True)),
    OWNER, *DATES,
    ("", lambda d: "STALE" if d.stale else ""),
)


def run_runbooks(config_path: str | None, *, stale_only: bool = False, clock: Clock = system_clock) -> int:
    config = load_config_or_report(config_path)
    if config is None:
        return EXIT_CONFIG
    if not sources_of_kind(config, KIND):
        return missing_source(config, KIND, "{kind: runbooks, path: runbooks}")
    return gate(config, (KIND,), stale_only=stale_only, clock=clock, columns=COLUMNS, noun="runbooks")
