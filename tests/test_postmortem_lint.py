"""The postmortem linter: required sections, action items with owners and
due dates, severity and dates, unfilled template prompts; lines are file lines."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from cockpit.model import Incident, Service, TimelineEntry
from cockpit.postmortems.draft import PROMPTS, SECTIONS, draft_from_incident
from cockpit.postmortems.lint import lint_postmortem

START = datetime(2026, 11, 28, 1, 10, tzinfo=timezone.utc)

FINISHED = """\
---
incident: INC-0007
severity: P1
status: reviewed
created: '2026-11-28T03:00:00+00:00'
---

# Postmortem: Checkout errors spike

**Date**: 2026-11-28  
**Duration**: 2026-11-28 01:10 UTC - 2026-11-28 02:45 UTC (1h35m)  
**Severity**: P1  
**Status**: Resolved  

## Summary

The connection pool of postgres-primary ran dry after a deploy doubled the workers.

## Impact

- **Users Affected**: about 4% of checkouts
- **Duration**: 1h35m
- **Services Affected**: checkout-service (owner: payments-team)
- **Revenue Impact**: none measured

## Timeline

| Time | Event |
|------|-------|
| 01:10 | declared (alice): Declared P1 [checkout] |
| 01:15 | note (alice): pool \\| exhausted |

## Root Cause

Worker count doubled without raising `max_connections` (see [the deploy](https://example.com/d/1)).

## Contributing Factors

- No alert on pool saturation

## What Went Well

- Rollback took four minutes

## What Went Wrong

- The runbook named the old pool setting

## Action Items

| Action | Owner | Due Date | Status |
|--------|-------|----------|--------|
| Alert on pool saturation | @platform-team | 2026-12-05 | [ ] |
| Update the database-slow runbook | @alice | 2026-12-01 | [x] |

## Lessons Learned

- Capacity settings belong in the deploy review

## References

- Incident INC-0007 (source: incident-log)

```text
[This is code] HH:MM
## Not a section
```
"""


def problems_of(text: str) -> list[str]:
    return [str(p) for p in lint_postmortem(text, "pm.md")]


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_a_finished_postmortem_passes():
    assert problems_of(FINISHED) == []


def test_a_fresh_draft_fails_naming_every_unfilled_section():
    incident = Incident(
        id="INC-7", title="Checkout errors spike", severity="P1", status="resolved", service="checkout-service",
        started_at=START, resolved_at=START + timedelta(minutes=95), source="incident-log",
        timeline=(TimelineEntry(START, "declared", "Declared P1 [checkout]", "alice"),),
    )
    draft = draft_from_incident(incident, services={"checkout-service": Service("checkout-service", owner="payments")},
                                now=START + timedelta(hours=2))
    found = lint_postmortem(draft, "draft.md")
    named = {p.key for p in found}
    # Every section the cockpit cannot fill keeps its prompt, so each is named;
    # Timeline was filled from the incident, so it is not.
    assert named >= {name for name in PROMPTS}
    assert "Timeline" not in named
    for problem in found:
        assert problem.file == "draft.md"
        assert problem.line == line_of(draft, problem.message.split("'")[1]) or "action item" in problem.message
    assert any(p.key == "Action Items" and "no owner" in p.message for p in found)
    assert any(p.key == "Action Items" and "due date" in p.message for p in found)


def test_each_problem_is_FILE_LINE_message():
    text = FINISHED.replace("- No alert on pool saturation", "- [Factor 1]")
    assert problems_of(text) == [
        f"pm.md:{line_of(text, '[Factor 1]')}: Contributing Factors: template prompt not filled in: '[Factor 1]'"]


@pytest.mark.parametrize("section", SECTIONS)
def test_a_missing_section_is_reported_where_it_belongs(section):
    text = re.sub(rf"^## {re.escape(section)}\n.*?(?=^## |^```|\Z)", "", FINISHED, flags=re.S | re.M)
    found = lint_postmortem(text, "pm.md")
    assert [(p.key, p.message) for p in found] == [
        (section, f"section missing: add '## {section}' (the seed's postmortem template)")]
    following = SECTIONS.index(section) + 1
    expected = (line_of(text, f"## {SECTIONS[following]}") if following < len(SECTIONS)
                else len(text.splitlines()))
    assert found[0].line == expected


def test_duplicate_and_empty_sections():
    text = FINISHED.replace("## Lessons Learned\n\n- Capacity settings belong in the deploy review\n",
                            "## Lessons Learned\n\n## Summary\n\nagain\n")
    found = {(p.key, p.message.split(" (")[0], p.line) for p in lint_postmortem(text, "pm.md")}
    second_summary = [n for n, line in enumerate(text.splitlines(), 1) if line == "## Summary"][1]
    assert found == {("Summary", "section appears twice", second_summary),
                     ("Lessons Learned", "section is empty", line_of(text, "## Lessons Learned"))}


@pytest.mark.parametrize("row, message", [
    ("| Alert on pool saturation | platform team | 2026-12-05 | [ ] |", "action item 1: no owner"),
    ("| Alert on pool saturation | [@owner] | 2026-12-05 | [ ] |", "action item 1: no owner"),
    ("| Alert on pool saturation |  | 2026-12-05 | [ ] |", "action item 1: no owner"),
    ("| Alert on pool saturation | @platform-team | next week | [ ] |", "action item 1: due date"),
    ("| Alert on pool saturation | @platform-team | 2026-02-30 | [ ] |", "action item 1: due date"),
    ("| Alert on pool saturation | @platform-team | YYYY-MM-DD | [ ] |", "action item 1: due date"),
    ("| [Action 1] | @platform-team | 2026-12-05 | [ ] |", "action item 1: describe the action"),
    ("| Alert on pool saturation | @platform-team |", "action item 1: due date"),  # short row
])
def test_action_item_rows(row, message):
    text = FINISHED.replace("| Alert on pool saturation | @platform-team | 2026-12-05 | [ ] |", row)
    found = lint_postmortem(text, "pm.md")
    assert [(p.line, p.message.startswith(message)) for p in found] == [(line_of(text, row), True)]


def test_action_items_table_shape():
    no_rows = re.sub(r"\| Alert on.*\n\| Update.*\n", "", FINISHED)
    assert [p.message for p in lint_postmortem(no_rows, "pm.md")] == [
        "no action items: add at least one row with an @owner and a due date"]
    no_owner_column = FINISHED.replace("| Action | Owner | Due Date |", "| Action | Who | Due Date |")
    assert [p.message for p in lint_postmortem(no_owner_column, "pm.md")][0] == "the table has no Owner column"
    no_table = re.sub(r"\| Action \|.*?\n\n", "- fix it\n\n", FINISHED, flags=re.S)
    assert [p.message for p in lint_postmortem(no_table, "pm.md")] == [
        "no action items table: | Action | Owner | Due Date | Status |"]


@pytest.mark.parametrize("old, new, key, message", [
    ("**Severity**: P1", "**Severity**: P5", "**Severity**", "must be one of P0, P1, P2, P3, not 'P5'"),
    ("**Severity**: P1", "**Severity**: P0 | P1 | P2 | P3", "**Severity**", "must be one of"),
    ("**Severity**: P1", "**Severity**: P2", "**Severity**", "P2 here but P1 in the front matter"),
    ("**Date**: 2026-11-28", "**Date**: 2026-13-01", "**Date**", "must be a date written YYYY-MM-DD"),
    ("**Date**: 2026-11-28", "**Date**: YYYY-MM-DD", "**Date**", "must be a date written YYYY-MM-DD"),
    ("**Date**: 2026-11-28  \n", "", "**Date**", "missing"),
    ("02:45 UTC (1h35m)", "[End time: not resolved yet]", "**Duration**", "template prompt not filled in"),
    ("severity: P1", "severity: P9", "severity", "must be one of P0, P1, P2, P3, not 'P9'"),
    ("created: '2026-11-28T03:00:00+00:00'", "created: yesterday", "created", "must be a date or ISO time"),
    ("status: reviewed", "status: done", "status", "must be one of draft, reviewed"),
    ("# Postmortem: Checkout errors spike", "# Postmortem: [Incident Title]", "title", "template prompt"),
    ("| 01:15 | note", "| HH:MM | note", "Timeline", "template prompt not filled in: 'HH:MM'"),
    ("| 01:15 | note (alice): pool \\| exhausted |", "| 01:15 | [Event description] |", "Timeline",
     "template prompt not filled in"),
    ("- **Revenue Impact**: none measured", "- **Revenue Impact**: [If applicable]", "Impact", "template prompt"),
])
def test_header_front_matter_and_prompts(old, new, key, message):
    assert old in FINISHED
    text = FINISHED.replace(old, new, 1)
    found = lint_postmortem(text, "pm.md")
    assert [(p.key, message in p.message) for p in found] == [(key, True)], found
    where = new.strip() or "# Postmortem:"  # a missing header field is reported at the title
    assert found[0].line == line_of(text, where)


def test_brackets_that_are_not_prompts_pass():
    text = FINISHED.replace("- No alert on pool saturation",
                            "- [x] done, see [the graph][1] and [^note]\n- [ ] open\n- metrics[0] was `[stale]`\n\n"
                            "[1]: https://example.com/graph")
    assert problems_of(text) == []


def test_broken_front_matter_is_a_problem_not_a_crash():
    text = FINISHED.replace("severity: P1", "severity: [P1")
    found = lint_postmortem(text, "pm.md")
    assert found and found[0].line >= 2 and found[0].file == "pm.md"


@pytest.mark.parametrize("text", ["", "just words", "---\n", "\x00\x1b[2J|||\n## \n| a |\n", "## Action Items\n|"])
def test_garbage_gives_problems_never_exceptions(text):
    found = lint_postmortem(text, "pm.md")
    assert {p.key for p in found} >= set(SECTIONS) - {"Action Items"}
    assert all(p.line >= 1 for p in found)


def test_untrusted_text_in_messages_is_cleaned():
    text = FINISHED.replace("**Severity**: P1", "**Severity**: \x1b]52;c;ZXZpbA==\x07P1")
    found = lint_postmortem(text, "pm.md")
    assert found and all("\x1b" not in p.message and "\x07" not in p.message for p in found)
