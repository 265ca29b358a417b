"""The `adrs` source: every ADR in a folder (docs/adr/NNNN-title.md, as the
practices guide lays them out), and what `cockpit check` finds in them: an
unknown status, a supersede link to an ADR that is not there, a superseded
ADR that no ADR replaces, two files with one number (and, through the
ServiceRefs, services the catalog lacks)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path

from cockpit.adr_links import superseded_by
from cockpit.model import ADR, SourceData, adr_key
from cockpit.problems import Problem, ServiceRef
from cockpit.sources.adrs.parse import ParsedADR, parse_adr
from cockpit.sources.base import CheckResult, OptionSpec, Source, SourceSpec, check_loaded
from cockpit.sources.runbooks import markdown_files
from cockpit.yamlfile import YamlError, read_text

# Not decisions: the folder's index and the templates kept beside them.
SKIPPED = frozenset({"readme.md", "index.md", "template.md", "adr-template.md"})


@dataclass
class ADRLoad:
    adrs: list[ADR] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    refers: list[ServiceRef] = field(default_factory=list)


def load_adrs(target: Path, source: str = "") -> ADRLoad:
    """Read the ADRs under ``target`` (a folder, searched recursively, or one
    file), sorted by number. Raises SourceError only when ``target`` itself
    cannot be read."""
    root, files = markdown_files(target, "ADR", SKIPPED)
    result, parsed = ADRLoad(), []
    by_number: dict[int, ParsedADR] = {}
    for file in files:
        try:
            text = read_text(file)
        except YamlError as exc:
            result.problems.append(exc.problem)
            continue
        one = parse_adr(text, str(file), file.relative_to(root).as_posix(), source)
        result.problems.extend(one.problems)
        if one.adr is None:
            continue
        if one.adr.number in by_number:
            first = by_number[one.adr.number]
            result.problems.append(Problem(str(file), 1, "(number)", f"{one.adr.key} is {first.adr.path} already: "
                                           "give this one the next free number"))
            continue
        by_number[one.adr.number] = one
        parsed.append(one)
        result.refers.extend(one.refers)
    result.adrs = sorted((one.adr for one in parsed), key=lambda adr: adr.number)
    for one in parsed:
        result.problems.extend(_link_problems(one, by_number, result.adrs, root))
    return result


def _link_problems(one: ParsedADR, by_number: dict[int, ParsedADR], adrs: list[ADR], root: Path) -> list[Problem]:
    adr, filename = one.adr, str(root / one.adr.path)
    problems = [
        Problem(filename, one.link_lines.get(which, 1), which,
                f"{adr.key} names {adr_key(number)}, which is not in {root}")
        for which, numbers in (("supersedes", adr.supersedes), ("superseded_by", adr.superseded_by))
        for number in numbers if number not in by_number
    ]
    if adr.status == "superseded" and not superseded_by(adr, adrs):
        problems.append(Problem(filename, one.link_lines.get("status", 1), "status",
                                f"{adr.key} is superseded, but no ADR says by which: add "
                                "'Superseded by ADR-NNNN' here or 'Supersedes' in the new one"))
    return problems


class ADRsSource(Source):
    kind = "adrs"
    provides = frozenset({"adrs"})
    options = {"path": OptionSpec(str, required=True, help="a folder of ADRs (docs/adr), searched recursively for *.md")}

    @classmethod
    def check(cls, spec: SourceSpec) -> CheckResult:
        return check_loaded(spec, lambda path: load_adrs(path, spec.name))

    async def fetch(self) -> SourceData:
        loaded = await asyncio.to_thread(load_adrs, self.spec.path(str(self.spec.options["path"])), self.name)
        return SourceData(adrs=tuple(loaded.adrs), warnings=tuple(str(p) for p in loaded.problems))
