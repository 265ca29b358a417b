"""The `runbooks` source: markdown runbooks with YAML front matter.

Front matter (owner and last_validated are required: the seed's docs carry an
owner and a last-validated date so staleness can be judged)::

    ---
    title: api-server 5xx spike
    services: [api-server]
    owner: "@backend-team"
    last_validated: 2026-11-24
    review_every: weekly        # or 7d, 30 days, monthly, quarterly ...
    ---

A file with a broken header is still listed (title from its first heading,
never validated, so stale); `check()` reports what is wrong with it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from cockpit.durations import parse_duration
from cockpit.frontmatter import first_heading, parse_front_matter
from cockpit.model import Runbook, SourceData
from cockpit.problems import Problem, ServiceRef
from cockpit.sources.base import CheckResult, OptionSpec, Source, SourceError, SourceSpec, check_loaded
from cockpit.yamlfile import LineDict, YamlError, line_of, read_text, yaml_shape

DEFAULT_REVIEW_EVERY = timedelta(days=7)  # the seed reviews runbooks weekly
KEYS = ("title", "services", "owner", "last_validated", "review_every")
REQUIRED = ("owner", "last_validated")


@dataclass
class RunbookLoad:
    """Everything read from a runbooks folder in one pass."""

    runbooks: list[Runbook] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    refers: list[ServiceRef] = field(default_factory=list)


def load_runbooks(target: Path, review_every: timedelta, source: str = "") -> RunbookLoad:
    """Read ``target`` (one .md file, or a folder searched recursively).
    Raises SourceError only when ``target`` itself cannot be read."""
    # A README explains the folder; it is not a runbook.
    root, files = markdown_files(target, "runbooks", skipped=frozenset({"readme.md"}))
    result = RunbookLoad()
    for file in files:
        _read_runbook(file, root, review_every, source, result)
    return result


def _read_runbook(file: Path, root: Path, review_every: timedelta, source: str, into: RunbookLoad) -> None:
    filename = str(file)
    try:
        text = read_text(file)
    except YamlError as exc:
        into.problems.append(exc.problem)
        return
    front = parse_front_matter(text, filename)
    into.problems.extend(front.problems)
    fields = _Fields(filename, front.data, into.problems)
    if not front.present:
        into.problems.append(Problem(filename, 1, "(front matter)", "no front matter: start the file with a --- block giving owner and last_validated"))
    elif not front.problems:
        fields.check_keys()
    title = fields.text("title") or first_heading(front.body) or file.stem.replace("-", " ").replace("_", " ")
    services = fields.services()
    into.refers.extend(
        ServiceRef(name, filename, line, key, "runbook") for name, line, key in services
    )
    into.runbooks.append(
        Runbook(
            path=file.relative_to(root).as_posix(),
            title=title,
            body=front.body,
            owner=fields.text("owner"),
            services=tuple(name for name, _, _ in services),
            last_validated=fields.date("last_validated"),
            review_every=fields.duration("review_every") or review_every,
            source=source,
        )
    )


class _Fields:
    """Typed reads of front matter keys; a wrong value becomes a Problem and
    reads as empty, so the runbook is still listed."""

    def __init__(self, filename: str, data: LineDict, problems: list[Problem]) -> None:
        self.filename, self.data, self.problems = filename, data, problems

    def _problem(self, key: str, message: str, line: int | None = None) -> None:
        self.problems.append(Problem(self.filename, line if line is not None else line_of(self.data, key), key, message))

    def check_keys(self) -> None:
        for key in self.data:
            if key not in KEYS:
                self._problem(str(key), f"unknown key (expected one of: {', '.join(KEYS)})")
        for key in REQUIRED:
            if key not in self.data:
                self._problem(key, "missing (required)", self.data.line)

    def text(self, key: str) -> str:
        value = self.data.get(key)
        if value is None:
            return ""
        if not isinstance(value, str) or not value.strip():
            self._problem(key, f"must be a non-empty string, not {value!r}")
            return ""
        return value.strip()

    def services(self) -> list[tuple[str, int, str]]:
        """(name, line, key path) for each service named."""
        value = self.data.get("services")
        if value is None:
            return []
        if isinstance(value, str):  # `services: api-server` means a list of one
            return [(value.strip(), line_of(self.data, "services"), "services")] if value.strip() else []
        if not isinstance(value, list):
            self._problem("services", f"must be a list of service names, not {yaml_shape(value)}")
            return []
        names = []
        for index, item in enumerate(value):
            key = f"services[{index}]"
            if isinstance(item, str) and item.strip():
                names.append((item.strip(), line_of(value, index), key))
            else:
                self._problem(key, f"must be a service name, not {item!r}", line_of(value, index))
        return names

    def date(self, key: str) -> date | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        self._problem(key, f"must be a date written YYYY-MM-DD, not {value!r}")
        return None

    def duration(self, key: str) -> timedelta | None:
        value = self.data.get(key)
        if value is None:
            return None
        # A bare number would read as seconds: never what a review cadence means.
        if isinstance(value, str):
            try:
                duration = parse_duration(value)
            except ValueError:
                duration = None
            if duration:
                return duration
        self._problem(key, f"must be a duration (7d, 30 days) or weekly/monthly/quarterly, not {value!r}")
        return None


def _review_every(value: Any) -> timedelta:
    """A review cadence from config: a timedelta already, or text to parse."""
    if isinstance(value, timedelta):
        return value
    return parse_duration(value)


def markdown_files(target: Path, what: str, skipped: frozenset[str]) -> tuple[Path, list[Path]]:
    """(root, files): ``target`` itself, or every *.md under the folder
    ``target`` but the ``skipped`` names (lower case), sorted. Raises
    SourceError when ``target`` is neither."""
    if target.is_file():
        return target.parent, [target]
    if target.is_dir():
        return target, sorted(p for p in target.rglob("*.md") if p.is_file() and p.name.lower() not in skipped)
    raise SourceError(f"{what} path not found: {target}")


class RunbooksSource(Source):
    kind = "runbooks"
    provides = frozenset({"runbooks"})
    options = {
        "path": OptionSpec(str, required=True, help="a runbook file, or a folder searched recursively for *.md"),
        "review_every": OptionSpec(str, help="default review cadence (7d, monthly ...); config's review_every, else 7d"),
    }

    @classmethod
    def check(cls, spec: SourceSpec) -> CheckResult:
        result = CheckResult()
        review_every = DEFAULT_REVIEW_EVERY
        if "review_every" in spec.options:
            try:
                review_every = _review_every(spec.options["review_every"])
            except (TypeError, ValueError) as exc:
                result.problems.append(Problem(spec.config_file, spec.line, f"{spec.name}.review_every", str(exc)))
        return check_loaded(spec, lambda path: load_runbooks(path, review_every, spec.name), result)

    def _default_review(self) -> timedelta:
        value = self.spec.options.get("review_every") or self.context.settings.get("review_every")
        try:
            return _review_every(value) if value else DEFAULT_REVIEW_EVERY
        except (TypeError, ValueError) as exc:
            raise SourceError(f"review_every: {exc}") from None

    async def fetch(self) -> SourceData:
        target = self.spec.path(str(self.spec.options["path"]))
        loaded = await asyncio.to_thread(load_runbooks, target, self._default_review(), self.name)
        # A runbook whose header was refused is still listed; say why on the health line.
        return SourceData(runbooks=tuple(loaded.runbooks), warnings=tuple(str(p) for p in loaded.problems))
