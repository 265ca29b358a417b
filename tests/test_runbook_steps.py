"""Runbook task lists as incident checklists: parsing (lines, fences,
nesting, hostile text), which steps are done, and which incident gets the notes."""

from __future__ import annotations

from datetime import timedelta

from cockpit.clock import DEMO_TIME
from cockpit.model import Incident, TimelineEntry
from cockpit.runbook_steps import Step, active_incident, done_steps, parse_steps, step_note

BODY = """# Database slow

- [ ] Check replication lag
   - [x] Look at the dashboard
1. [ ] Kill the long query:

   ````sql
   - [ ] not a step inside a fence
   ```
   - [ ] still inside: a shorter or other fence does not close it
   ~~~
   ```` trailing text: not a closing fence
   ````

* [X] Tell the channel
+ [ ]
- [] not a task box
- plain bullet
  - [ ] \x1b[31mred\x1b[0m   spaced   out
~~~
- [ ] in a tilde fence
~~~
2) [ ] Escalate to the DBA
"""


def test_parse_steps_with_their_lines_outside_fences():
    steps = parse_steps(BODY)
    lines = BODY.splitlines()
    assert [(s.text, s.checked) for s in steps] == [
        ("Check replication lag", False),
        ("Look at the dashboard", True),
        ("Kill the long query:", False),
        ("Tell the channel", True),
        ("red spaced out", False),
        ("Escalate to the DBA", False),
    ]
    for step in steps:  # each line number points at the step's own line
        assert step.text.split()[-1].rstrip(":") in lines[step.line - 1]
    assert [s.depth for s in steps] == [0, 3, 0, 0, 2, 0]


def test_a_step_wrapped_over_several_lines_keeps_all_its_text():
    body = ("- [ ] Never retry card charges by hand: duplicate charges are worse than a\n"
            "      failed order.\n"
            "- [ ] Next step\n"
            "  continues here\n"
            "\n"
            "  A paragraph after a blank line is not the step's text.\n"
            "- [ ] Last\n"
            "## Heading\n")
    assert [(s.line, s.text) for s in parse_steps(body)] == [
        (1, "Never retry card charges by hand: duplicate charges are worse than a failed order."),
        (3, "Next step continues here"),
        (7, "Last"),
    ]


def test_unclosed_fence_hides_the_rest_and_no_steps_is_empty():
    assert parse_steps("- [ ] a\n```\n- [ ] b\n") == [Step(1, "a", False)]
    assert parse_steps("# Nothing to tick\n\nJust prose.\n") == []
    assert parse_steps("") == []


def incident(iid="INC-0001", source="incident-log", service="postgres-primary", minutes_ago=30,
             status="investigating", timeline=()):
    return Incident(iid, "DB slow", "P1", status, service, DEMO_TIME - timedelta(minutes=minutes_ago), source,
                    services=(service,), timeline=timeline)


def test_done_steps_come_from_the_runbook_and_the_incident_timeline():
    steps = parse_steps(BODY)
    path = "database-slow.md"
    first, kill = steps[0], steps[2]
    noted = incident(timeline=(
        TimelineEntry(DEMO_TIME, "note", step_note(path, first), "ann"),
        TimelineEntry(DEMO_TIME, "note", step_note("other.md", kill), "ann"),  # another runbook's step
        TimelineEntry(DEMO_TIME, "status", step_note(path, kill), "ann"),  # not a note
    ))
    assert step_note(path, first) == "runbook database-slow.md: done: Check replication lag"
    checked_in_source = {s.line for s in steps if s.checked}
    assert done_steps(path, steps, noted) == checked_in_source | {first.line}
    assert done_steps(path, steps, None) == checked_in_source


def test_active_incident_prefers_the_one_the_user_came_from():
    came = incident("INC-0001", minutes_ago=60)
    newer = incident("INC-0002", minutes_ago=5)
    alert = incident("A-1", source="alertmanager", minutes_ago=1)
    other = incident("INC-0003", service="api-server", minutes_ago=0)
    closed = incident("INC-0004", minutes_ago=0, status="resolved")
    world = [came, newer, alert, other, closed]
    pick = dict(note_sources={"incident-log"}, log_sources={"incident-log"})
    services = ("postgres-primary", "redis-cache")
    assert active_incident(world, services, came_from=("incident-log", "INC-0001"), **pick) is came
    # Else the newest open incident-log incident on one of the runbook's services.
    assert active_incident(world, services, came_from=None, **pick) is newer
    # An alert that cannot take notes, or a resolved incident, is not where notes go.
    assert active_incident(world, services, came_from=("alertmanager", "A-1"), **pick) is newer
    assert active_incident(world, services, came_from=("incident-log", "INC-0004"), **pick) is newer
    assert active_incident(world, ("web-frontend",), came_from=None, **pick) is None
    assert active_incident(world, services, came_from=None, note_sources=set(), log_sources={"incident-log"}) is None
