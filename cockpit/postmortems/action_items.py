"""Action items in a postmortem: append a row that keeps the markdown table valid."""

from __future__ import annotations

import re
from datetime import date

from cockpit.postmortems.draft import table_cell
from cockpit.untrusted import clean

_HEADING = re.compile(r"^#{1,6}\s")
_HANDLE = re.compile(r"@?[A-Za-z0-9][\w.-]*")
_PROMPT_ROW = re.compile(r"^\|\s*\[[^\]]*\]\s*\|")  # | [Action 1] | ... the template's placeholder rows


def add_action_item(text: str, action: str, owner: str, due: str) -> tuple[str, int]:
    """``text`` with one row appended to its Action Items table (the table,
    or the section, is created when missing; the template's placeholder rows
    go). Returns the new text and the row's 0-based line. Raises ValueError
    saying what is wrong with the fields."""
    action = " ".join(clean(action).split())
    owner = owner.strip()
    if not action:
        raise ValueError("Describe the action.")
    if not _HANDLE.fullmatch(owner):
        raise ValueError("The owner is one @handle, e.g. @ann.")
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", due.strip()):
            raise ValueError
        date.fromisoformat(due.strip())
    except ValueError:
        raise ValueError("The due date is a real date written YYYY-MM-DD.") from None
    lines = text.split("\n")
    start = next((n for n, line in enumerate(lines) if line.strip().lower() == "## action items"), None)
    if start is None:  # no section: add one at the end
        lines = [*(lines[:-1] if lines and not lines[-1] else lines), "", "## Action Items", ""]
        start = len(lines) - 2
    end = next((n for n in range(start + 1, len(lines)) if _HEADING.match(lines[n])), len(lines))
    table = [n for n in range(start + 1, end) if lines[n].lstrip().startswith("|")]
    if len(table) < 2:  # no header and separator yet
        header = ["| Action | Owner | Due Date | Status |", "|--------|-------|----------|--------|"]
        at = max((n for n in range(start + 1, end) if lines[n].strip()), default=start) + 1
        # Blank lines around the table: it must not run into a paragraph or the next heading.
        block = ([""] if lines[at - 1].strip() else []) + header + ([""] if at < len(lines) and lines[at].strip()
                                                                      else [])
        lines[at:at] = block
        table = [at + block.index(header[0]), at + block.index(header[1])]
    names = [c.strip().lower() for c in re.split(r"(?<!\\)\|", lines[table[0]].strip())[1:-1]]
    values = {"action": table_cell(action), "owner": "@" + owner.lstrip("@"), "due": due.strip(), "status": "[ ]"}
    if not any("action" in name for name in names):
        names[:1] = ["action"]  # the first column says what is to be done
    cells = [next((v for k, v in values.items() if k in name), "") for name in names]
    placeholders = [n for n in table[2:] if _PROMPT_ROW.match(lines[n].strip())]
    row_at = table[-1] + 1 - len(placeholders)
    lines = [line for n, line in enumerate(lines) if n not in placeholders]
    lines.insert(row_at, "| " + " | ".join(cells) + " |")
    return "\n".join(lines), row_at
