"""`cockpit postmortem check`: is a postmortem ready for review?

Checks the seed template's shape and the facts reviewers rely on: every
required section present and filled (no template prompt left in it), every
action item with an @owner and a real due date, severity P0-P3 and valid
dates in the front matter and header. Pure: text in, Problems out (file
lines, 1-based); never raises on bad input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from cockpit.frontmatter import parse_front_matter
from cockpit.model import SEVERITIES
from cockpit.postmortems.draft import SECTIONS
from cockpit.problems import Problem
from cockpit.untrusted import clean

STATUSES = ("draft", "reviewed")  # front matter `status:`
REQUIRED_HEADER = ("Date", "Severity")

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FIELD = re.compile(r"^\*\*([^*]+)\*\*\s*:\s*(.*?)\s*$")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_HANDLE = re.compile(r"(?<![\w.])@[A-Za-z0-9][\w.-]*")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_SEPARATOR_CELL = re.compile(r":?-+:?")
# A value that is nothing but a template prompt: "[Factor 1]", "HH:MM", ...
# Links ("[x](url)", "[x][ref]"), task boxes ("[ ]", "[x]") and footnotes are not prompts.
_PROMPT = re.compile(r"\[(?![xX ]?\]|\^)[^\[\]]+\](?![(\[:])|HH:MM|YYYY-MM-DD|P0 \| P1 \| P2 \| P3")
# What may precede a prompt on its line: a list marker, a heading, a "**Label**:" or "Label:".
_LEAD = re.compile(r"^(?:[-*+]\s+|\d+[.)]\s+)?(?:#{1,6}\s+)?(?:\*\*[^*]+\*\*\s*:?\s*|[^\[\]:|`]{1,40}:\s+)?")
_CODE_SPAN = re.compile(r"`+[^`]*`+")


@dataclass
class _Line:
    number: int  # file line
    text: str


@dataclass
class _Section:
    name: str
    line: int
    lines: list[_Line] = field(default_factory=list)  # outside fenced code


def lint_postmortem(text: str, filename: str) -> list[Problem]:
    """Every problem that keeps ``text`` (a postmortem in markdown) from review."""
    front = parse_front_matter(text, filename)
    lint = _Lint(filename)
    lint.problems.extend(front.problems)
    header, sections = _split(front.body, front.body_line)
    front_severity = lint.front_matter(front.data) if front.present and not front.problems else None
    lint.header(header, front_severity, front.body_line)
    lint.sections(sections, last_line=front.body_line + max(len(front.body.splitlines()) - 1, 0))
    return sorted(lint.problems, key=lambda p: p.line)


def _split(body: str, first_line: int) -> tuple[list[_Line], list[_Section]]:
    """The lines before the first `## ` heading, and each `## ` section;
    fenced code is left out (a `## ` or `[x]` inside it means nothing)."""
    header: list[_Line] = []
    sections: list[_Section] = []
    fence = ""
    for offset, raw in enumerate(body.splitlines()):
        number, stripped = first_line + offset, raw.strip()
        if fence:
            fence = "" if stripped.startswith(fence) else fence
            continue
        if stripped.startswith(("```", "~~~")):
            fence = stripped[:3]
            continue
        heading = _HEADING.match(raw)
        if heading and len(heading.group(1)) == 2:
            sections.append(_Section(heading.group(2), number))
        elif sections:
            sections[-1].lines.append(_Line(number, raw))
        else:
            header.append(_Line(number, raw))
    return header, sections


def _cells(line: str) -> list[str]:
    cells = [cell.strip() for cell in _CELL_SPLIT.split(line.strip())]
    return cells[1:-1] if len(cells) >= 2 else cells  # drop what lies outside the outer pipes


def _is_prompt(value: str) -> bool:
    return bool(_PROMPT.fullmatch(value.strip()))


def _show(value: str) -> str:
    value = clean(value, single_line=True)
    return repr(value if len(value) <= 60 else value[:59] + "…")


def _valid_date(value: str) -> bool:
    if not _DATE.fullmatch(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


class _Lint:
    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.problems: list[Problem] = []

    def add(self, line: int, key: str, message: str) -> None:
        self.problems.append(Problem(self.filename, line, key, message))

    # -- front matter and header ------------------------------------------

    def front_matter(self, data) -> str | None:
        """Check the keys the cockpit writes; returns the severity, if valid."""
        severity = None
        if "severity" in data:
            value = str(data["severity"]).strip()
            if value in SEVERITIES:
                severity = value
            else:
                self.add(data.line_of("severity"), "severity", f"must be one of {', '.join(SEVERITIES)}, not "
                                                               f"{_show(value)}")
        if "created" in data and not _is_timestamp(data["created"]):
            self.add(data.line_of("created"), "created",
                     f"must be a date or ISO time, not {_show(str(data['created']))}")
        if "status" in data and str(data["status"]).strip() not in STATUSES:
            self.add(data.line_of("status"), "status", f"must be one of {', '.join(STATUSES)}, not "
                                                       f"{_show(str(data['status']))}")
        return severity

    def header(self, lines: list[_Line], front_severity: str | None, body_line: int) -> None:
        """The title and the **Date** / **Duration** / **Severity** / **Status** lines."""
        title = next((line for line in lines if line.text.startswith("# ")), None)
        if title is None:
            self.add(body_line, "title", "no title: start the body with '# Postmortem: <what happened>'")
        fields: dict[str, tuple[int, str]] = {}
        for line in lines:
            match = _FIELD.match(line.text.strip())
            if match:
                fields.setdefault(match.group(1).strip().lower(), (line.number, match.group(2)))
            elif line is title:
                self.prompt(line, "title")
        where = title.number if title else body_line
        for name in REQUIRED_HEADER:
            if name.lower() not in fields:
                self.add(where, f"**{name}**", f"missing: add '**{name}**: ...' under the title")
        if "date" in fields:
            line, value = fields["date"]
            if not _valid_date(value):
                self.add(line, "**Date**", f"must be a date written YYYY-MM-DD, not {_show(value)}")
        if "severity" in fields:
            line, value = fields["severity"]
            if value not in SEVERITIES:
                self.add(line, "**Severity**", f"must be one of {', '.join(SEVERITIES)}, not {_show(value)}")
            elif front_severity and value != front_severity:
                self.add(line, "**Severity**", f"{value} here but {front_severity} in the front matter")
        for name in ("duration", "status"):
            if name in fields:
                line, value = fields[name]
                if _PROMPT.search(_CODE_SPAN.sub("", value)):
                    self.add(line, f"**{name.capitalize()}**", f"template prompt not filled in: {_show(value)}")

    # -- sections ---------------------------------------------------------

    def sections(self, sections: list[_Section], last_line: int) -> None:
        by_name: dict[str, _Section] = {}
        for section in sections:
            key = " ".join(section.name.split()).casefold()
            if key in by_name:
                self.add(section.line, section.name, f"section appears twice (first at line {by_name[key].line})")
            else:
                by_name[key] = section
        for index, name in enumerate(SECTIONS):
            section = by_name.get(name.casefold())
            if section is None:
                following = [by_name[n.casefold()].line for n in SECTIONS[index + 1:] if n.casefold() in by_name]
                self.add(following[0] if following else last_line, name,
                         f"section missing: add '## {name}' (the seed's postmortem template)")
            elif not any(line.text.strip() for line in section.lines):
                self.add(section.line, name, "section is empty")
            else:
                self.section(name, section)

    def section(self, name: str, section: _Section) -> None:
        table_rows: list[tuple[_Line, list[str]]] = []
        table_header: tuple[_Line, list[str]] | None = None
        for line in section.lines:
            if not line.text.lstrip().startswith("|"):
                self.prompt(line, name)
                continue
            cells = _cells(line.text)
            if all(_SEPARATOR_CELL.fullmatch(cell) for cell in cells):
                continue
            if table_header is None:
                table_header = (line, cells)
            else:
                table_rows.append((line, cells))
        if name == "Action Items":
            self.action_items(section, table_header, table_rows)
            return
        for line, cells in table_rows:
            prompts = [cell for cell in cells if _is_prompt(cell)]
            if prompts:
                self.add(line.number, name, f"template prompt not filled in: {', '.join(map(_show, prompts))}")

    def prompt(self, line: _Line, key: str) -> None:
        """Report ``line`` when its value is nothing but a template prompt."""
        text = _CODE_SPAN.sub("", line.text.strip())
        value = text[_LEAD.match(text).end():]
        if value and _is_prompt(value):
            self.add(line.number, key, f"template prompt not filled in: {_show(value.strip())}")

    def action_items(self, section: _Section, header: tuple[_Line, list[str]] | None,
                     rows: list[tuple[_Line, list[str]]]) -> None:
        key = "Action Items"
        if header is None:
            self.add(section.line, key, "no action items table: | Action | Owner | Due Date | Status |")
            return
        names = [cell.casefold() for cell in header[1]]
        owner = next((i for i, n in enumerate(names) if "owner" in n), None)
        due = next((i for i, n in enumerate(names) if "due" in n), None)
        for column, label in ((owner, "Owner"), (due, "Due Date")):
            if column is None:
                self.add(header[0].number, key, f"the table has no {label} column")
        if not rows:
            self.add(header[0].number, key, "no action items: add at least one row with an @owner and a due date")
        for number, (line, cells) in enumerate(rows, start=1):
            cell = lambda i: cells[i] if i is not None and i < len(cells) else ""  # noqa: E731
            what = cell(0)
            if not what or _is_prompt(what):
                self.add(line.number, key, f"action item {number}: describe the action"
                                           + (f" (still the prompt {_show(what)})" if what else ""))
            if owner is not None and (_is_prompt(cell(owner)) or not _HANDLE.search(cell(owner))):
                self.add(line.number, key, f"action item {number}: no owner: write an @handle, not "
                                           f"{_show(cell(owner))}")
            if due is not None and not _valid_date(cell(due)):
                self.add(line.number, key, f"action item {number}: due date must be a date written YYYY-MM-DD, "
                                           f"not {_show(cell(due))}")


def _is_timestamp(value: object) -> bool:
    if isinstance(value, (date, datetime)):
        return True
    if not isinstance(value, str):
        return False
    try:
        datetime.fromisoformat(value.strip())
    except ValueError:
        return False
    return True
