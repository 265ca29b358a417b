"""The flags source: every flag of flagd flag-definition files, and the
kill-switch flip (Action ``kill_switch``: target the flag key, params
``file`` and ``from``, the variant the user saw)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from cockpit.model import SourceData
from cockpit.sources.base import CheckResult, OptionSpec, Source, SourceError, SourceSpec, missing_path
from cockpit.sources.flags.files import flag_paths, read_flag_file
from cockpit.sources.flags.kill_switch import flip
from cockpit.untrusted import clean
from cockpit.writes import Action, ActionResult

KILL_SWITCH = "kill_switch"
_WARNINGS_SHOWN = 20


class FlagsSource(Source):
    kind = "flags"
    provides = frozenset({"flags"})
    actions = frozenset({KILL_SWITCH})
    options = {"path": OptionSpec(str, required=True, help="a flagd flag file, or a folder of them")}

    @classmethod
    def check(cls, spec: SourceSpec) -> CheckResult:
        missing = missing_path(spec)
        if missing:
            return CheckResult(problems=[missing])
        result = CheckResult()
        for found in map(read_flag_file, flag_paths(spec.path(spec.options["path"]))):
            result.problems += found.problems
            result.refers += found.refers
            result.flag_keys.update(found.keys)
        return result

    async def fetch(self) -> SourceData:
        """Every flag that reads; what did not is a warning (degraded)."""
        return await asyncio.to_thread(self._read)

    def _read(self) -> SourceData:
        path = self._path
        if not path.exists():
            raise SourceError(f"not found: {path}")
        flags, problems = [], []
        for found in (read_flag_file(p, self.name) for p in flag_paths(path)):
            flags += found.flags
            problems += found.problems
        warnings = [clean(p, single_line=True) for p in problems[:_WARNINGS_SHOWN]]
        if len(problems) > _WARNINGS_SHOWN:
            warnings.append(f"... and {len(problems) - _WARNINGS_SHOWN} more problems (cockpit check lists them all)")
        return SourceData(flags=tuple(flags), warnings=tuple(warnings))

    async def perform(self, action: Action) -> ActionResult:
        if action.name != KILL_SWITCH:
            return await super().perform(action)
        file = Path(str(action.params.get("file", "")))
        # Only this source's own files are ever written.
        if file.resolve() not in {p.resolve() for p in flag_paths(self._path)}:
            raise SourceError(f"{clean(file)} is not one of {self.name}'s flag files")
        new, value = await asyncio.to_thread(flip, file, action.target, action.params.get("from"))
        return ActionResult(True, f"kill switch {clean(action.target)} now serves {clean(new)} "
                                  f"({clean(str(value).lower())}) from {clean(file.name)}", action.target)

    @property
    def _path(self) -> Path:
        return self.spec.path(self.spec.options["path"])
