"""The demo source: simulated SLO statuses, firing alerts and on-call rotations
from real SLO definition files, so the cockpit looks alive with no server.

Everything is a pure function of the SLO definitions and the clock: the same
clock gives exactly the same snapshot (screenshots, tests), and a running
cockpit drifts slowly because the simulated error rates are smooth functions
of absolute time (cockpit.sources.demo.simulation). Everything it returns is
marked demo. What only changes when a file does (the SLO definitions, the
rotations) or every few days (each SLO's profile, the week's on-call and
pages) is made once and kept: a refresh at 6,000 SLOs computes only what
moves with the clock.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from cockpit.config_schema import validate_mapping
from cockpit.model import BackupStatus, SourceData
from cockpit.problems import Problem
from cockpit.slo_specs import load_slo_paths, slo_files_signature
from cockpit.yamlfile import file_stamp
from cockpit.sources.base import CheckResult, OptionSpec, Source
from cockpit.sources.demo.alerts import alerts
from cockpit.sources.demo.rotations import Weekly, load_rotations
from cockpit.sources.demo.simulation import Profiles, simulate_all


class DemoSource(Source):
    kind = "demo"
    provides = frozenset({"slos", "incidents", "oncall", "backups", "pages"})
    demo = True
    options = {
        "slos": OptionSpec(list[str], required=True, help="SLO definition files or folders"),
        "rotations": OptionSpec(str, help="YAML file: rotations: {SERVICE: [[people of level 1], ...]}"),
        "backups": OptionSpec(dict, help="SERVICE or DATA DOMAIN: how long ago its last backup succeeded (1h)"),
    }

    def __init__(self, spec, context) -> None:
        super().__init__(spec, context)
        self._loaded: dict[str, tuple[tuple, Any]] = {}  # what -> (files' stamp, what was loaded)
        self._profiles = Profiles()
        self._weekly = Weekly()

    @classmethod
    def check(cls, spec) -> CheckResult:
        specs = load_slo_paths([spec.path(p) for p in spec.options.get("slos", ())])
        result = CheckResult(problems=list(specs.problems), refers=list(specs.refers))
        if spec.options.get("rotations"):
            rotations = load_rotations(spec.path(spec.options["rotations"]))
            result.problems += rotations.problems
            result.refers += rotations.refers
        result.problems += simulated_backups(spec, datetime.now(timezone.utc))[1]
        return result

    async def fetch(self) -> SourceData:
        return await asyncio.to_thread(self._build, self.context.clock())

    def _build(self, now: datetime) -> SourceData:
        paths = [self.spec.path(p) for p in self.spec.options["slos"]]
        specs = self._unless_changed("slos", slo_files_signature(paths), lambda: load_slo_paths(paths))
        problems = list(specs.problems)  # what was refused is listed; the rest is shown
        levels: dict[str, list[list[str]]] = {}
        if self.spec.options.get("rotations"):
            path = self.spec.path(self.spec.options["rotations"])
            rotations = self._unless_changed("rotations", file_stamp(path), lambda: load_rotations(path))
            problems += rotations.problems
            levels = rotations.levels
        statuses, profiles = simulate_all(specs.slos, self._profiles, now, specs.policy, self.name)
        backups, found = simulated_backups(self.spec, now)
        problems += found
        oncall, pages = self._weekly.at(levels, now, self.name)
        return SourceData(
            slos=tuple(statuses), policy=specs.policy, oncall=oncall, backups=backups, pages=pages,
            incidents=tuple(alerts(statuses, profiles, now.timestamp(), self.name)),
            warnings=tuple(f"not loaded: {problem}" for problem in problems),
        )

    def _unless_changed(self, what: str, stamp: tuple, load: Callable[[], Any]) -> Any:
        """``load()``, or what it returned last time when the files' stamp is
        the same: 6,000 SLOs take seconds to parse and a refresh comes every
        few seconds."""
        if what not in self._loaded or self._loaded[what][0] != stamp:
            self._loaded[what] = (stamp, load())
        return self._loaded[what][1]


def simulated_backups(spec, now: datetime) -> tuple[tuple[BackupStatus, ...], list[Problem]]:
    """The ``backups:`` option: each subject's last backup that long before ``now``."""
    ages = spec.options.get("backups") or {}
    values, problems = validate_mapping(ages, {str(k): OptionSpec(timedelta) for k in ages},
                                        file=spec.config_file, key=f"sources.{spec.name}.backups")
    return tuple(BackupStatus(str(subject), now - age, spec.name) for subject, age in values.items()), problems

