"""Sloth's ``AlertWindows`` resources (``sloth.slok.dev/v1``): the alerting
windows of one SLO period, e.g. ``sloPeriod: 7d``.

Sloth loads them into its catalog of SLO periods (``sloth generate
--slo-period-windows-path``) and uses the one for its default period
(``--default-slo-period``, 30d unless set): its specs cannot name a period
themselves. The cockpit does the same: the prometheus source's
``sloth_slo_period`` option is that default, and the Sloth SLOs it reads get
that period as their window. An AlertWindows file is used when its period is
the one Sloth SLOs have; one that no SLO uses is refused by name, so a file
that silently changes nothing cannot go unnoticed. Sloth's built-in catalog
(28d and 30d) needs no file.

The cockpit's burn-rate rules stay the workbook's windows; only the period
comes from here.
"""

from __future__ import annotations

import re
from datetime import timedelta

from cockpit.durations import format_duration, parse_duration
from cockpit.problems import Problem
from cockpit.slo_specs.reader import SpecReader, join

KIND = "AlertWindows"
BUILT_IN_PERIODS = (timedelta(days=28), timedelta(days=30))  # Sloth's own catalog
_PROM_DURATION = re.compile(r"^(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$")
_WINDOW_KEYS = ("errorBudgetPercent", "shortWindow", "longWindow")


def read(reader: SpecReader, doc: dict) -> None:
    spec = reader.mapping(doc, "spec", "", required=True)
    if spec is None:
        return
    reader.unknown_keys(spec, {"sloPeriod", "page", "ticket"}, "spec")
    period = _duration(reader, spec, "sloPeriod", "spec")
    valid = period is not None
    for severity in ("page", "ticket"):
        body = reader.mapping(spec, severity, "spec", required=True)
        if body is None:
            valid = False
            continue
        reader.unknown_keys(body, {"quick", "slow"}, f"spec.{severity}")
        for speed in ("quick", "slow"):
            valid &= _window(reader, body, speed, f"spec.{severity}")
    if valid:
        reader.sloth_windows.append((period, reader.file, getattr(doc, "line", 0) or 1))


def _window(reader: SpecReader, body: dict, speed: str, path: str) -> bool:
    window = reader.mapping(body, speed, path, required=True)
    if window is None:
        return False
    where = join(path, speed)
    reader.unknown_keys(window, set(_WINDOW_KEYS), where)
    budget = window.get("errorBudgetPercent")
    ok = True
    if isinstance(budget, bool) or not isinstance(budget, (int, float)) or not 0 < budget <= 100:
        reader.problem(window, "errorBudgetPercent" if "errorBudgetPercent" in window else None,
                       f"{where}.errorBudgetPercent", "expected the share of the error budget as a percentage "
                       "above 0 and at most 100, e.g. 2")
        ok = False
    short, long = (_duration(reader, window, key, where) for key in ("shortWindow", "longWindow"))
    if short is not None and long is not None and short >= long:
        reader.problem(window, "shortWindow", f"{where}.shortWindow", "the short window must be shorter "
                       "than the long one")
        return False
    return ok and short is not None and long is not None


def _duration(reader: SpecReader, node: dict, key: str, path: str) -> timedelta | None:
    value = node.get(key)
    text = value.strip() if isinstance(value, str) else ""
    if not text or not _PROM_DURATION.match(text) or not parse_duration(text):
        reader.problem(node, key if key in node else None, join(path, key),
                       f"expected a Prometheus duration such as 30d or 5m, got {value!r}")
        return None
    return parse_duration(text)


def check_used(reader: SpecReader) -> None:
    """Refuse, by name, the AlertWindows files no SLO uses, and a Sloth
    period that neither Sloth's catalog nor a file defines."""
    period = reader.sloth_period
    for defined, file, line in reader.sloth_windows:
        if defined != period or not reader.sloth_slos:
            why = (f"the Sloth SLOs here have a {format_duration(period)} period" if reader.sloth_slos
                   else "there are no Sloth SLOs here")
            reader.problems.append(Problem(file, line, "spec.sloPeriod", (
                f"Sloth AlertWindows for a {format_duration(defined)} SLO period, unused: {why} "
                f"(set the source's sloth_slo_period: {format_duration(defined)}, as sloth generate "
                "--default-slo-period does, to use it)")))
    known = set(BUILT_IN_PERIODS) | {defined for defined, _, _ in reader.sloth_windows}
    if reader.sloth_slos and period not in known:
        file, line = reader.sloth_slos[0]
        reader.problems.append(Problem(file, line, "(Sloth SLO period)", (
            f"sloth_slo_period {format_duration(period)}: Sloth knows only 28d and 30d unless an "
            f"AlertWindows file with sloPeriod: {format_duration(period)} is among the SLO files")))
