"""The source protocol: what every data source (built-in or plugin) implements.

A source fetches one kind of thing and returns domain objects
(:class:`cockpit.model.SourceData`). Nothing above the sources knows HTTP or
YAML. Writable sources list their actions and implement :meth:`Source.perform`;
the hub refuses writes in read-only mode before a source ever sees them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable, ClassVar, Mapping

from cockpit.alerts import Silence
from cockpit.model import SourceData
from cockpit.problems import FlagRef, Problem, ServiceRef
from cockpit.writes import Action, ActionResult
from cockpit.yamlfile import line_of


@dataclass
class CheckResult:
    """What `cockpit check` learns from one source's files."""

    problems: list[Problem] = field(default_factory=list)
    # Services this source defines, with where (catalog sources).
    defines: dict[str, tuple[str, int]] = field(default_factory=dict)
    # Services this source's files refer to; unknown ones are reported.
    refers: list[ServiceRef] = field(default_factory=list)
    # Flag keys this source defines (flags sources), and the keys its files
    # name (a catalog's `flags:`): a key no flags source defines is reported.
    flag_keys: set[str] = field(default_factory=set)
    flag_refs: list[FlagRef] = field(default_factory=list)
    # Worth knowing but not wrong (e.g. entities of kinds the cockpit does
    # not read were skipped): printed by `cockpit check`, which still exits 0.
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class OptionSpec:
    """One option a source accepts in its config entry."""

    type: type | tuple[type, ...]
    required: bool = False
    help: str = ""


@dataclass(frozen=True)
class SourceSpec:
    """A source's entry in the config, validated and with ${VAR}s expanded."""

    kind: str
    name: str
    refresh: timedelta
    timeout: timedelta
    options: Mapping[str, Any] = field(repr=False)  # may hold tokens: never in a repr
    base_dir: Path  # folder of the config file: relative paths resolve from here
    config_file: str = ""
    line: int = 0  # where the entry starts in the config file

    def path(self, value: str) -> Path:
        """Resolve a path option relative to the config file's folder."""
        p = Path(value).expanduser()
        # normpath: problems should name runbooks/x.md, not config/../runbooks/x.md
        return Path(os.path.normpath(p if p.is_absolute() else self.base_dir / p))


def missing_path(spec: SourceSpec, option: str = "path") -> Problem | None:
    """`cockpit check`'s problem when the file or folder an option names is not there."""
    path = spec.path(spec.options[option])
    if path.exists():
        return None
    return Problem(spec.config_file, line_of(spec.options, option) or spec.line, f"sources.{spec.name}.{option}",
                   f"not found: {path}")


@dataclass(frozen=True)
class SourceContext:
    """What the app gives every source: a clock, the user, app-wide settings."""

    clock: Callable[[], datetime]
    user: str = ""
    data_dir: Path = Path(".")
    settings: Mapping[str, Any] = field(default_factory=dict)


class SourceError(Exception):
    """A fetch or action failed; the message is shown to the user as is."""

    #: True when trying again may help (HTTP 500/502/503/504, connection errors).
    retryable = False


class TransientSourceError(SourceError):
    retryable = True


def check_loaded(spec: SourceSpec, load: Callable[[Path], Any], result: CheckResult | None = None) -> CheckResult:
    """`cockpit check` for a source that loads the files its `path` names:
    what the load found (its problems, the services they refer to), or why
    the path cannot be read. ``load`` returns an object with ``problems``
    and ``refers``."""
    result = result or CheckResult()
    try:
        loaded = load(spec.path(str(spec.options.get("path", ""))))
    except SourceError as exc:
        result.problems.append(Problem(spec.config_file, spec.line, f"{spec.name}.path", str(exc)))
        return result
    result.problems.extend(loaded.problems)
    result.refers.extend(loaded.refers)
    return result


class Source:
    """Base class for data sources; subclasses set the class attributes."""

    kind: ClassVar[str] = ""
    provides: ClassVar[frozenset[str]] = frozenset()  # of "catalog", "slos", "incidents", "runbooks", "oncall"
    actions: ClassVar[frozenset[str]] = frozenset()
    # Lists served on request beyond the snapshot ("silences": list_silences).
    lists: ClassVar[frozenset[str]] = frozenset()
    options: ClassVar[Mapping[str, OptionSpec]] = {}
    demo: ClassVar[bool] = False  # everything it returns is simulated
    live: ClassVar[bool] = False  # implements changed(): the hub fetches as soon as it returns

    def __init__(self, spec: SourceSpec, context: SourceContext) -> None:
        self.spec = spec
        self.context = context

    @property
    def name(self) -> str:
        return self.spec.name

    @classmethod
    def check(cls, spec: SourceSpec) -> CheckResult:
        """Validate the files this source reads (for `cockpit check`): every
        problem with its file and line, the services defined and referred to.
        Must never raise for bad input."""
        return CheckResult()

    async def fetch(self) -> SourceData:
        raise NotImplementedError

    async def perform(self, action: Action) -> ActionResult:
        raise SourceError(f"{self.kind} source {self.name!r} has no action {action.name!r}")

    async def list_silences(self, include_expired: bool = False) -> tuple[Silence, ...]:
        """Every silence (sources whose ``lists`` hold "silences")."""
        raise SourceError(f"{self.kind} source {self.name!r} lists no silences")

    async def changed(self) -> None:
        """Live sources: return once the backend's data changed since the last
        fetch (the hub then fetches at once, between its periodic refreshes)."""
        raise NotImplementedError

    def retry_now(self) -> None:
        """The user asked for a refresh now (ctrl+r): let the next fetch try
        what the source's own breakers would skip (one per instance, in
        sources that read several backends)."""

    async def aclose(self) -> None:
        """Release connections and files."""
