"""`cockpit check`: validate the config, every file it names and the drill
scenarios in drills/ beside it, then check
references across sources (depends_on, runbooks naming unknown services; an
SLO of a service the catalog lacks is noted: it is listed as unowned).

Prints every problem as FILE:LINE: key.path: message and exits 2, or a
one-line summary and exits 0. Never a traceback, whatever the input.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Mapping, NamedTuple

from cockpit.config import parse_config, resolve_config_path
from cockpit.drills.scenario import FOLDER, parse_scenario, scenario_files
from cockpit.problems import Problem
from cockpit.sources import load_kind
from cockpit.sources.base import CheckResult, SourceSpec
from cockpit.untrusted import clean

# References of this kind to a service the catalog lacks are kept as unowned
# (an SLO, like an alert, is shown without an owner), so they are only noted.
UNOWNED_WHAT = "SLO"


class ConfigCheck(NamedTuple):
    """What `cockpit check` finds in a config and every file it names."""

    problems: list[Problem]  # in the config, the files of its sources, and the references between them
    counts: dict[str, int]  # for the summary line
    notes: list[str]  # the sources' notes: not wrong, worth knowing
    unowned: list[Problem]  # notes on SLOs whose service the catalog lacks


def check_config(path: Path, env: Mapping[str, str] = os.environ) -> ConfigCheck:
    config, problems = parse_config(path, env=env)
    if config is None:
        return ConfigCheck(problems, {}, [], [])
    results = {spec.name: _check_source(spec) for spec in config.sources}
    defines: dict[str, tuple[str, int]] = {}
    for result in results.values():
        problems += result.problems
        for name, (file, line) in result.defines.items():
            if name in defines:  # two catalogs: the app would show the service twice
                problems.append(Problem(file, line, clean(name, single_line=True),
                                        f"service {name!r} is already defined at {':'.join(map(str, defines[name]))}"))
            else:
                defines[name] = (file, line)
    refs = [ref for result in results.values() for ref in result.refers]
    catalogs = [results[spec.name] for spec in config.sources if "catalog" in _provides(spec)]
    # Without a readable catalog every reference would look unknown: say
    # nothing rather than bury the real problem under a page of echoes.
    unowned: list[Problem] = []
    if catalogs and all(c.defines or not c.problems for c in catalogs):
        for ref in (ref for ref in refs if ref.service not in defines):
            if ref.what == UNOWNED_WHAT:  # kept and shown as unowned, as alerts are: a note, not a fault
                unowned.append(Problem(ref.file, ref.line, ref.key, f"note: {ref.what} of service "
                                       f"{ref.service!r}, not in the catalog: listed as unowned"))
            else:
                problems.append(Problem(ref.file, ref.line, ref.key, f"{ref.what}: unknown service {ref.service!r}"))
    problems += _unknown_flags(config.sources, results)
    notes = [f"{spec.name}: {note}" for spec in config.sources for note in results[spec.name].notes]
    drills = scenario_files(path.expanduser().resolve().parent / FOLDER)  # only the config's own
    for drill in drills:
        problems += parse_scenario(drill)[1]
    counts = {"sources": len(config.sources), "services": len(defines), "references": len(refs)}
    if drills:
        counts["drills"] = len(drills)
    return ConfigCheck(problems, counts, notes, unowned)


def _unknown_flags(specs, results: Mapping[str, CheckResult]) -> list[Problem]:
    """A catalog's `flags:` key that no flags source defines (the card would
    show nothing for it); said only when a flags source read its files."""
    flag_sources = [results[spec.name] for spec in specs if "flags" in _provides(spec)]
    if not flag_sources or not all(r.flag_keys or not r.problems for r in flag_sources):
        return []
    keys = set().union(*(r.flag_keys for r in flag_sources))
    return [Problem(ref.file, ref.line, ref.key, f"unknown flag key {ref.flag!r}: no flags source defines it")
            for result in results.values() for ref in result.flag_refs if ref.flag not in keys]


def _check_source(spec: SourceSpec) -> CheckResult:
    """One source's own check; a crashing plugin becomes a Problem naming it."""
    try:
        result = load_kind(spec.kind).check(spec)
        if not isinstance(result, CheckResult):
            raise TypeError(f"check() returned {type(result).__name__}, not a CheckResult")
        return result
    except Exception as exc:
        return CheckResult(problems=[Problem(spec.config_file, spec.line, f"sources.{spec.name}",
                                             f"{spec.kind} check failed: {type(exc).__name__}: "
                                             f"{clean(exc, single_line=True)}")])


def _provides(spec: SourceSpec) -> frozenset[str]:
    try:
        return frozenset(load_kind(spec.kind).provides)
    except Exception:  # already reported by _check_source
        return frozenset()


def run_check(config_path: str | None) -> int:
    """The `cockpit check` command: 0 when clean, 2 when anything is wrong."""
    path = resolve_config_path(config_path)
    try:
        problems, counts, notes, unowned = check_config(path)
    except Exception as exc:  # a bug here must still not print a traceback
        problems, counts, notes, unowned = [Problem(str(path), 0, "(check)", f"internal error: "
                                                    f"{type(exc).__name__}: {clean(exc, single_line=True)}")], {}, [], []
    for note in notes:
        print(f"note: {clean(note, single_line=True)}")
    if problems:
        for problem in problems:
            print(clean(problem, single_line=True))
        print(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {path}", file=sys.stderr)
        return 2
    for note in unowned:
        print(clean(note, single_line=True))
    if unowned:
        counts[f"unowned SLO{'s' if len(unowned) != 1 else ''}"] = len(unowned)
    summary = ", ".join(f"{n} {what}" for what, n in counts.items())
    print(f"{path}: OK ({summary})")
    return 0
