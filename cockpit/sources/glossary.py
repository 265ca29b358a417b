"""The `glossary` source: the ubiquitous-language glossary in the practices
guide's format, one markdown file::

    # Glossary
    ## Terms
    ### Event
    - **Definition**: A ticketed occurrence at a venue
    - **Context**: Used in `stubhub_events` table, API endpoints
    - **Synonyms**: None
    - **Related**: Venue, Ticket, Date

Each ``###`` heading is a term; Definition is required, the other fields
optional. A bad shape (a term with no definition, an unknown field, a line
that is not a field, a term written twice) is a FILE:LINE: term.field
problem; every other term still loads.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from cockpit.frontmatter import prose_lines
from cockpit.model import GlossaryTerm, SourceData
from cockpit.problems import Problem
from cockpit.sources.base import CheckResult, OptionSpec, Source, SourceError, SourceSpec
from cockpit.yamlfile import YamlError, read_text

FIELDS = ("definition", "context", "synonyms", "related")
_TERM = re.compile(r"^###\s+(?P<name>.+?)\s*#*\s*$")
_FIELD = re.compile(r"^\s*[-*]\s+\*\*(?P<name>[^*]+?)\*\*\s*:\s*(?P<value>.*)$|^\s*[-*]\s+\*\*(?P<name2>[^*]+?):\*\*\s*(?P<value2>.*)$")


def load_glossary(path: Path, source: str = "") -> tuple[list[GlossaryTerm], list[Problem]]:
    """The terms of the glossary file, in file order, and its problems.
    Raises SourceError only when the file cannot be read at all."""
    try:
        text = read_text(path)
    except YamlError as exc:
        raise SourceError(str(exc.problem)) from None
    return parse_glossary(text, str(path), source)


def parse_glossary(text: str, filename: str, source: str = "") -> tuple[list[GlossaryTerm], list[Problem]]:
    terms: list[GlossaryTerm] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    current: tuple[str, int, dict[str, str]] | None = None

    def finish() -> None:
        if current is None:
            return
        name, line, fields = current
        if not fields.get("definition"):
            problems.append(Problem(filename, line, f"{name}.definition", "missing: every term needs a "
                                    "'- **Definition**: ...' line"))
            return
        terms.append(GlossaryTerm(name=name, definition=fields["definition"], context=fields.get("context", ""),
                                  synonyms=_names(fields.get("synonyms", "")), related=_names(fields.get("related", "")),
                                  source=source))

    for index, line in prose_lines(text):
        number = index + 1
        if term := _TERM.match(line):
            finish()
            name = term.group("name").strip()
            current = (name, number, {})
            if name.lower() in seen:
                problems.append(Problem(filename, number, name, f"term written twice (first at line {seen[name.lower()]})"))
                current = None
            seen.setdefault(name.lower(), number)
            continue
        if line.startswith("#"):  # a higher heading ("## Terms") ends the term above it
            finish()
            current = None
            continue
        if current is None or not line.strip():
            continue
        field = _FIELD.match(line)
        if field is None:
            if line.startswith((" ", "\t")) and current[2]:  # a wrapped field value
                last = list(current[2])[-1]
                current[2][last] = f"{current[2][last]} {line.strip()}"
            else:
                problems.append(Problem(filename, number, current[0], "not a field: write '- **Definition**: ...' "
                                        f"(fields: {', '.join(f.title() for f in FIELDS)})"))
            continue
        key = (field.group("name") or field.group("name2")).strip().lower()
        value = (field.group("value") if field.group("name") else field.group("value2")).strip()
        if key not in FIELDS:
            problems.append(Problem(filename, number, f"{current[0]}.{key}",
                                    f"unknown field (expected one of: {', '.join(f.title() for f in FIELDS)})"))
        elif key in current[2]:
            problems.append(Problem(filename, number, f"{current[0]}.{key}", "written twice in this term"))
        else:
            current[2][key] = value
    finish()
    if not terms and not problems:
        problems.append(Problem(filename, 1, "(glossary)", "no terms: each term is a '### Term' heading with a "
                                "'- **Definition**: ...' line under it"))
    return terms, problems


def _names(value: str) -> tuple[str, ...]:
    """"Match Score, Human Review" -> both; the guide writes "None" for none."""
    names = (name.strip() for name in value.split(","))
    return tuple(name for name in names if name and name.lower() != "none")


class GlossarySource(Source):
    kind = "glossary"
    provides = frozenset({"glossary"})
    options = {"path": OptionSpec(str, required=True, help="the glossary file (the practices guide's format)")}

    @classmethod
    def check(cls, spec: SourceSpec) -> CheckResult:
        try:
            _, problems = load_glossary(spec.path(str(spec.options.get("path", ""))), spec.name)
        except SourceError as exc:
            problems = [Problem(spec.config_file, spec.line, f"{spec.name}.path", str(exc))]
        return CheckResult(problems=problems)

    async def fetch(self) -> SourceData:
        terms, problems = await asyncio.to_thread(load_glossary, self.spec.path(str(self.spec.options["path"])),
                                                  self.name)
        return SourceData(glossary=tuple(terms), warnings=tuple(str(p) for p in problems))
