"""`cockpit check`: validate the config and every file it names, then check
references across sources (depends_on, SLOs, runbooks naming unknown services).

Prints every problem as FILE:LINE: key.path: message and exits 2, or a
one-line summary and exits 0. Never a traceback, whatever the input.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Mapping

from cockpit.config import parse_config, resolve_config_path
from cockpit.sources import load_kind
from cockpit.sources.base import CheckResult, Problem, SourceSpec
from cockpit.untrusted import clean


def check_config(path: Path, env: Mapping[str, str] = os.environ) -> list[Problem]:
    """Every problem in the config, in the files of its sources, and in the
    references between them."""
    problems, _ = _check(path, env)
    return problems


def _check(path: Path, env: Mapping[str, str]) -> tuple[list[Problem], dict[str, int]]:
    config, problems = parse_config(path, env=env)
    if config is None:
        return problems, {}
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
    if catalogs and all(c.defines or not c.problems for c in catalogs):
        problems += [Problem(ref.file, ref.line, ref.key, f"{ref.what}: unknown service {ref.service!r}")
                     for ref in refs if ref.service not in defines]
    return problems, {"sources": len(config.sources), "services": len(defines), "references": len(refs)}


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
        problems, counts = _check(path, os.environ)
    except Exception as exc:  # a bug here must still not print a traceback
        problems, counts = [Problem(str(path), 0, "(check)", f"internal error: {type(exc).__name__}: "
                                                             f"{clean(exc, single_line=True)}")], {}
    if problems:
        for problem in problems:
            print(clean(problem, single_line=True))
        print(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {path}", file=sys.stderr)
        return 2
    summary = ", ".join(f"{n} {what}" for what, n in counts.items())
    print(f"{path}: OK ({summary})")
    return 0
