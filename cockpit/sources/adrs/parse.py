"""One ADR file, in any of the three templates the cockpit reads:

- the practices guide's: ``# ADR-001: Title`` then ``**Status**: Accepted``,
  ``**Date**:``, ``**Deciders**:``, ``**Tags**:`` lines;
- MADR: YAML front matter (``status``, ``date``, ``decision-makers`` or
  ``deciders``), then ``# Title``;
- Nygard's (as adr-tools writes it): ``# 1. Title``, ``Date: ...``, and a
  ``## Status`` section whose first line is the status, with
  ``Supersedes [2. X](0002-x.md)`` / ``Superseded by ...`` lines under it.

Every template may add ``Services:``, ``Supersedes:``, ``Superseded by:``,
``Owner:`` and ``Last validated:`` as a line (bold or plain) or front matter
key. Problems (an unknown status, a date that is not one) come back with
their file line; the ADR is still read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from cockpit.adr_links import STATUSES, ref_numbers
from cockpit.frontmatter import first_heading, parse_front_matter, prose_lines
from cockpit.model import ADR
from cockpit.problems import Problem, ServiceRef
from cockpit.yamlfile import line_of

# Field names as the templates spell them -> the one this reader keeps.
FIELDS = {
    "status": "status", "date": "date", "deciders": "deciders", "decision-makers": "deciders",
    "decision makers": "deciders", "tags": "tags", "services": "services", "supersedes": "supersedes",
    "superseded by": "superseded_by", "superseded-by": "superseded_by", "superseded_by": "superseded_by",
    "owner": "owner", "owned by": "owner", "last validated": "last_validated", "last_validated": "last_validated",
    "last-validated": "last_validated", "title": "title",
}
# "**Status**: x", "**Status:** x", "Status: x", "- **Tags**: x" (a line of its own).
_FIELD_LINE = re.compile(r"^\s*(?:[-*]\s+)?(\*\*|__)?(?P<name>[A-Za-z][A-Za-z _-]*?)(?::(?:\*\*|__)|(?:\*\*|__)?:)\s*(?P<value>.*)$")
_LEADING_NUMBER = re.compile(r"^\s*(?:adr[-_ ]?)?0*(\d+)\s*[.:)\-–—]?\s*", re.IGNORECASE)
_FILE_NUMBER = re.compile(r"^(\d+)[-_]")
_MARKUP = re.compile(r"[*_`]+")


@dataclass
class ParsedADR:
    adr: ADR | None
    problems: list[Problem] = field(default_factory=list)
    refers: list[ServiceRef] = field(default_factory=list)
    link_lines: dict[str, int] = field(default_factory=dict)  # "status", "supersedes", "superseded_by" -> file line


def parse_adr(text: str, filename: str, path: str, source: str = "") -> ParsedADR:
    """Read one ADR; ``path`` is its name relative to the folder."""
    front = parse_front_matter(text, filename)
    found = ParsedADR(None, list(front.problems))
    values: dict[str, tuple[Any, int]] = {}
    for key, value in front.data.items():
        name = FIELDS.get(str(key).lower())
        if name and value is not None:
            values[name] = (value, line_of(front.data, key))
    for name, value, line in _body_fields(front.body, front.body_line):
        values.setdefault(name, (value, line))

    heading = first_heading(front.body)
    file_number = _FILE_NUMBER.match(path.rsplit("/", 1)[-1])
    title_number = _LEADING_NUMBER.match(heading) if re.match(r"^\s*(adr[-_ ]?)?\d", heading, re.IGNORECASE) else None
    number = int(file_number.group(1)) if file_number else int(title_number.group(1)) if title_number else None
    if number is None:
        found.problems.append(Problem(filename, 1, "(number)", "no ADR number: name the file NNNN-title.md "
                                      "(docs/adr/0001-use-postgresql.md) or the title 'ADR-001: ...'"))
        return found
    title = str(values.pop("title", ("", 0))[0]).strip() or (heading[title_number.end():] if title_number else heading)
    reader = _Values(values, filename, found.problems)
    status, superseded_in_status = reader.status()
    superseded_by = reader.refs("superseded_by") + tuple(n for n in superseded_in_status
                                                          if n not in reader.refs("superseded_by"))
    found.link_lines = {name: values[name][1] for name in ("status", "supersedes", "superseded_by") if name in values}
    if superseded_in_status and "superseded_by" not in found.link_lines:
        found.link_lines["superseded_by"] = values["status"][1]
    services = reader.names("services")
    found.refers = [ServiceRef(name, filename, values["services"][1], "services", "ADR") for name in services]
    found.adr = ADR(
        number=number, path=path, title=title.strip() or path, body=front.body, status=status,
        date=reader.date("date"), deciders=reader.names("deciders"), tags=reader.names("tags"),
        services=services, supersedes=reader.refs("supersedes"), superseded_by=superseded_by,
        owner=reader.text("owner"), last_validated=reader.date("last_validated"), source=source,
    )
    return found


def _body_fields(body: str, body_line: int):
    """(field, value, file line) for each metadata line of the body, the
    Nygard ``## Status`` section's first line (and its supersede lines) included."""
    in_status = False
    for index, line in prose_lines(body):
        stripped = line.strip()
        if stripped.startswith("#"):
            in_status = stripped.lstrip("#").strip().lower() == "status"
            continue
        match = _FIELD_LINE.match(line)
        name = FIELDS.get(match.group("name").strip().lower()) if match else None
        if name and name != "title":
            yield name, match.group("value").strip(), body_line + index
            continue
        if in_status and stripped:
            lowered = _MARKUP.sub("", stripped).lower()
            if lowered.startswith("superseded by"):
                yield "superseded_by", stripped, body_line + index
            elif lowered.startswith("supersedes"):
                yield "supersedes", stripped, body_line + index
            else:
                yield "status", stripped, body_line + index


class _Values:
    """Typed reads of the fields found; a wrong value is a Problem at its line."""

    def __init__(self, values: dict[str, tuple[Any, int]], filename: str, problems: list[Problem]) -> None:
        self.values, self.filename, self.problems = values, filename, problems

    def _problem(self, name: str, message: str) -> None:
        self.problems.append(Problem(self.filename, self.values[name][1], name, message))

    def text(self, name: str) -> str:
        value = self.values.get(name, ("", 0))[0]
        return _MARKUP.sub("", str(value)).strip() if not isinstance(value, (list, dict)) else ""

    def status(self) -> tuple[str, tuple[int, ...]]:
        """(status word, ADRs named in "superseded by ..." written as the status)."""
        if "status" not in self.values:
            return "", ()
        written = self.text("status")
        word = re.split(r"[\s,;.(|]", written.lower(), maxsplit=1)[0] if written else ""
        if word not in STATUSES:
            self._problem("status", f"unknown status {written!r} (expected one of: {', '.join(STATUSES)})")
        rest = written[len("superseded"):] if word == "superseded" else ""
        return word, ref_numbers(re.sub(r"^\s*by\b", "", rest)) if rest.strip() else ()

    def names(self, name: str) -> tuple[str, ...]:
        value = self.values.get(name, ("", 0))[0]
        items = value if isinstance(value, list) else re.split(r"[,;]", str(value)) if value else []
        names = [_MARKUP.sub("", str(item)).strip() for item in items if item is not None]
        return tuple(dict.fromkeys(n for n in names if n and n.lower() != "none"))

    def refs(self, name: str) -> tuple[int, ...]:
        if name not in self.values:
            return ()
        value = self.values[name][0]
        text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        numbers = ref_numbers(re.sub(r"^\s*(supersedes|superseded by)\b", "", _MARKUP.sub("", text), flags=re.I))
        if not numbers and text.strip():
            self._problem(name, f"names no ADR: write ADR-NNNN or link the file, not {text!r}")
        return numbers

    def date(self, name: str) -> date | None:
        value = self.values.get(name, (None, 0))[0]
        if value is None or value == "":
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(self.text(name))
        except ValueError:
            self._problem(name, f"must be a date written YYYY-MM-DD, not {value!r}")
            return None
