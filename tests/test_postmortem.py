"""Postmortem drafts: the seed's template, facts filled, prompts kept, files written safely."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from cockpit.audit import AuditLog
from cockpit.frontmatter import parse_front_matter
from cockpit.model import SLO, Incident, Service, SLOStatus, TimelineEntry
from cockpit.postmortems.draft import (
    PROMPTS, SECTIONS, SloBurn, audit_entries_for, draft_from_incident, draft_path, export_markdown, related_alerts,
    set_status, slo_burns,
)
from cockpit.postmortems.listing import list_drafts
from cockpit.atomicfile import write_atomic
from cockpit.postmortems.writer import CREATE, DraftWriter

UNAUDITED = DraftWriter(audit=None, user="alice")

NOW = datetime(2026, 11, 28, 3, 0, tzinfo=timezone.utc)
SEED = Path("/work/shared/seed/architecture-practices.md")

SERVICES = {
    "api-server": Service("api-server", owner="backend-team"),
    "postgres-primary": Service("postgres-primary", owner="platform-team"),
}


def incident(**changes) -> Incident:
    start = datetime(2026, 11, 28, 1, 10, tzinfo=timezone.utc)
    base = dict(
        id="INC-7", title="Checkout errors spike", severity="P1", status="resolved",
        service="api-server", services=("api-server", "postgres-primary"),
        started_at=start, resolved_at=start + timedelta(minutes=95), source="incidents",
        # Deliberately out of order: the draft must sort them.
        timeline=(
            TimelineEntry(start + timedelta(minutes=40), "status", "identified", "bob"),
            TimelineEntry(start, "declared", "declared P1", "alice"),
            TimelineEntry(start + timedelta(minutes=5), "note", "pool | exhausted", "alice"),
        ),
    )
    base.update(changes)
    return Incident(**base)


def section(text: str, name: str) -> str:
    match = re.search(rf"^## {re.escape(name)}\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    assert match, f"section {name} missing"
    return match.group(1).strip()


def test_sections_match_the_seed_template_in_order():
    # Read the template from the seed itself so a drift between the two shows up.
    seed = SEED.read_text(encoding="utf-8")
    template = seed[seed.index("#### Postmortem Template"):seed.index("### Runbook Testing")]
    assert tuple(re.findall(r"^## (.+)$", template, re.M)) == SECTIONS


def test_every_section_present_once_in_order():
    text = draft_from_incident(incident(), services=SERVICES, now=NOW)
    headings = re.findall(r"^## (.+)$", text, re.M)
    assert headings == list(SECTIONS)


def test_front_matter_names_incident_and_is_a_draft():
    text = draft_from_incident(incident(), services=SERVICES, now=NOW)
    front = parse_front_matter(text, "draft.md")
    assert not front.problems
    assert front.data["incident"] == "INC-7"
    assert front.data["severity"] == "P1"
    assert front.data["status"] == "draft"
    assert datetime.fromisoformat(front.data["created"]) == NOW
    assert front.body.lstrip().startswith("# Postmortem: Checkout errors spike")


def test_facts_filled_in_header_and_impact():
    text = draft_from_incident(incident(), services=SERVICES, now=NOW)
    assert "**Date**: 2026-11-28" in text
    assert "**Duration**: 2026-11-28 01:10 UTC - 2026-11-28 02:45 UTC (1h35m)" in text
    assert "**Severity**: P1" in text
    impact = section(text, "Impact")
    assert "- **Duration**: 1h35m" in impact
    assert "api-server (owner: backend-team)" in impact
    assert "postgres-primary (owner: platform-team)" in impact
    # Users and revenue are not known to the cockpit: the prompts stay.
    assert "[Number/percentage]" in impact and "[If applicable]" in impact


def test_sections_the_cockpit_cannot_know_keep_the_template_prompt():
    text = draft_from_incident(incident(), services=SERVICES, now=NOW)
    for name, prompt in PROMPTS.items():
        assert section(text, name) == prompt
    # And the prompts are the seed's own words.
    seed = SEED.read_text(encoding="utf-8")
    for prompt in PROMPTS.values():
        assert prompt in seed


def test_timeline_rows_are_sorted_and_pipes_escaped():
    text = draft_from_incident(incident(), services=SERVICES, now=NOW)
    rows = [line for line in section(text, "Timeline").splitlines()[2:]]
    assert rows == [
        "| 01:10 | declared (alice): declared P1 |",
        "| 01:15 | note (alice): pool \\| exhausted |",
        "| 01:50 | status (bob): identified |",
    ]


def test_audit_entries_and_alerts_join_the_timeline_in_order():
    start = incident().started_at
    alert = Incident("fp1", "HighErrorRate", "P1", "resolved", "api-server", start - timedelta(minutes=3),
                     "alertmanager", kind="alert", resolved_at=start + timedelta(minutes=60))
    audit = [TimelineEntry(start + timedelta(minutes=2), "action", "silenced HighErrorRate for 1h", "alice")]
    text = draft_from_incident(incident(), services=SERVICES, now=NOW, audit_entries=audit, alerts=[alert])
    times = [line.split("|")[1].strip() for line in section(text, "Timeline").splitlines()[2:]]
    assert times == sorted(times)
    assert "| 01:07 | alert firing: HighErrorRate |" in text
    assert "| 01:12 | action (alice): silenced HighErrorRate for 1h |" in text
    assert "| 02:10 | alert resolved: HighErrorRate |" in text


def test_empty_timeline_keeps_template_rows():
    text = draft_from_incident(incident(timeline=()), services=SERVICES, now=NOW)
    assert "| HH:MM | [Event description] |" in section(text, "Timeline")


def test_unresolved_incident_does_not_invent_an_end():
    text = draft_from_incident(incident(status="monitoring", resolved_at=None), services=SERVICES, now=NOW)
    assert "**Duration**: 2026-11-28 01:10 UTC - [End time: not resolved yet]" in text
    assert "- **Duration**: [How long]" in section(text, "Impact")
    assert "**Status**: Monitoring" in text


def test_unknown_service_and_budget_burn():
    inc = incident(service="ghost", services=())
    burns = [SloBurn("ghost", "availability", 0.125), SloBurn("ghost", "latency\x1b[31m", 0.5, simulated=True),
             SloBurn("ghost", "freshness", -0.0004), SloBurn("ghost", "errors", -0.021),
             SloBurn("ghost", "queue", -0.3, simulated=True)]
    text = draft_from_incident(inc, services=SERVICES, now=NOW, slo_burn=burns)
    impact = section(text, "Impact")
    assert "ghost (not in the catalog)" in impact
    assert impact.splitlines()[-5:] == [
        "- ghost availability: 12.5% of the error budget burned during the incident",
        "- ghost latency: 50.0% of the error budget burned during the incident (simulated by the demo source)",
        "- ghost freshness: 0.0% of the error budget burned during the incident",
        "- ghost errors: no net error budget burned during the incident (older errors leaving the window "
        "freed 2.1% meanwhile)",
        "- ghost queue: no net error budget burned during the incident (older errors leaving the window "
        "freed 30.0% meanwhile; simulated by the demo source)",
    ]


def slo_status(service: str, name: str, history: tuple[float, ...], *, demo: bool = False,
               placed: bool = True) -> SLOStatus:
    """Budget remaining hourly up to NOW (03:00): history[-1] at 03:00, history[-2] at 02:00, ..."""
    slo = SLO(service=service, name=name, objective=0.999, window=timedelta(days=30))
    return SLOStatus(slo=slo, sli_value=None, budget_remaining=history[-1], history=history,
                     history_end=NOW if placed else None, history_step=timedelta(hours=1) if placed else None,
                     source="demo" if demo else "prom", demo=demo)


# The incident runs 01:10 to 02:45: measured from the 01:00 point to the 03:00 one.
STATUSES = (
    #                 00:00 01:00 02:00 03:00
    slo_status("api-server", "availability", (0.80, 0.78, 0.50, 0.45)),  # 0.78 - 0.45 = 33 %
    slo_status("api-server", "availability", (0.80, 0.80, 0.80, 0.80), demo=True),  # measured above: dropped
    slo_status("postgres-primary", "availability", (0.50, 0.50, 0.40, 0.40), demo=True),  # 10 %, simulated
    slo_status("api-server", "latency", (0.90, 0.90, 0.90, 0.90)),  # 0 %
    slo_status("api-server", "freshness", (0.90, 0.10), placed=False),  # no times: no figure
    slo_status("search-service", "availability", (0.90, 0.80, 0.70, 0.60)),  # not affected
)


def test_a_draft_shows_what_each_affected_slo_burned():
    burns = slo_burns(incident(), STATUSES)
    assert [(b.service, b.slo, round(b.burned, 6), b.simulated) for b in burns] == [
        ("api-server", "availability", 0.33, False),
        ("api-server", "latency", 0.0, False),
        ("postgres-primary", "availability", 0.1, True),
    ]
    impact = section(draft_from_incident(incident(), services=SERVICES, now=NOW, slo_burn=burns), "Impact")
    assert "- api-server availability: 33.0% of the error budget burned during the incident" in impact
    assert "- api-server latency: 0.0% of the error budget burned during the incident" in impact
    assert ("- postgres-primary availability: 10.0% of the error budget burned during the incident "
            "(simulated by the demo source)") in impact
    assert "freshness" not in impact and "search-service" not in impact


def test_an_open_incident_burns_up_to_the_evaluation():
    still_open = incident(status="monitoring", resolved_at=None, started_at=NOW - timedelta(minutes=90))
    burns = slo_burns(still_open, STATUSES[:1])  # from the 01:00 point to the 03:00 evaluation
    assert [round(b.burned, 6) for b in burns] == [0.33]
    before_history = incident(started_at=NOW - timedelta(hours=4))
    assert slo_burns(before_history, STATUSES) == []


def test_a_short_incident_between_sparse_points_says_what_was_measured():
    # 02:10-02:20 lies between the hourly 02:00 and 03:00 points: the figure covers that hour.
    short = incident(started_at=NOW - timedelta(minutes=50), resolved_at=NOW - timedelta(minutes=40))
    burns = slo_burns(short, STATUSES[:1])
    assert [(round(b.burned, 6), b.measured_over) for b in burns] == [(0.05, timedelta(hours=1))]
    impact = section(draft_from_incident(short, services=SERVICES, now=NOW, slo_burn=burns), "Impact")
    assert ("- api-server availability: 5.0% of the error budget burned during the incident "
            "(measured over the 1h around it)") in impact


def test_untrusted_title_cannot_break_front_matter_or_terminal():
    inc = incident(title="evil\x1b]0;pwned\x07\n---\nstatus: reviewed")
    text = draft_from_incident(inc, services=SERVICES, now=NOW)
    assert "\x1b" not in text and "\x07" not in text
    front = parse_front_matter(text, "d.md")
    assert front.data["status"] == "draft"
    assert re.findall(r"^## (.+)$", text, re.M) == list(SECTIONS)


def test_export_is_the_markdown_without_the_front_matter():
    text = draft_from_incident(incident(), services=SERVICES, now=NOW)
    exported = export_markdown(text)
    assert exported.startswith("# Postmortem: Checkout errors spike\n") and text.endswith(exported)
    assert "status: draft" not in exported and exported.count("\n---\n") == 0
    assert export_markdown("# No front matter\n\nbody\n") == "# No front matter\n\nbody\n"


def test_set_status_edits_one_line_and_keeps_every_other_byte():
    text = "---\nincident: INC-7  # ours\nstatus: draft   # flips\nseverity: P1\n---\n\nstatus: in the body\n"
    reviewed = set_status(text, "reviewed")
    assert reviewed == text.replace("status: draft   # flips", "status: reviewed")
    assert parse_front_matter(reviewed, "d.md").data["status"] == "reviewed"
    assert set_status(reviewed, "draft").splitlines()[2] == "status: draft"
    # Missing: added as the front matter's last key, CRLF files keep CRLF.
    assert set_status("---\r\nincident: X\r\n---\r\nbody\r\n", "reviewed") == \
        "---\r\nincident: X\r\nstatus: reviewed\r\n---\r\nbody\r\n"
    # A nested "status:" is another key's, not the draft's.
    nested = "---\nchecks:\n  status: ok\n---\n"
    assert parse_front_matter(set_status(nested, "reviewed"), "d.md").data["checks"] == {"status": "ok"}
    assert parse_front_matter(set_status(nested, "reviewed"), "d.md").data["status"] == "reviewed"


@pytest.mark.parametrize("text", ["# Just markdown\n", "---\nstatus: draft\n(never closed)\n", ""])
def test_set_status_needs_a_front_matter_block(text):
    with pytest.raises(ValueError, match="no front matter"):
        set_status(text, "reviewed")


def _save(folder, incident, text):
    path = draft_path(folder, incident)
    UNAUDITED.write(CREATE, path, text)
    return path


def test_save_and_list_drafts(tmp_path):
    older = incident(id="INC-1", title="Older", severity="P2")
    newer = incident(id="INC/2", title="Newer")
    path1 = _save(tmp_path, older, draft_from_incident(older, services=SERVICES, now=NOW - timedelta(days=1)))
    path2 = _save(tmp_path, newer, draft_from_incident(newer, services=SERVICES, now=NOW))
    assert path1 == draft_path(tmp_path, older) and path1.name == "2026-11-28-INC-1.md"
    assert path2.parent == tmp_path  # an id with a slash stays inside the folder
    (tmp_path / "broken.md").write_text("---\n: [\n---\nbody\n", encoding="utf-8")
    drafts = list_drafts(tmp_path)
    assert [d.title for d in drafts] == ["Newer", "Older", "broken"]
    assert (drafts[1].incident_id, drafts[1].severity, drafts[1].status) == ("INC-1", "P2", "draft")
    assert drafts[0].created == NOW
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp files left


def test_autosave_recovery_copies_are_not_listed_as_drafts(tmp_path):
    one = incident(id="INC-1")
    path = _save(tmp_path, one, draft_from_incident(one, services=SERVICES, now=NOW))
    path.with_name(path.stem + ".recovered.md").write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    assert [d.incident_id for d in list_drafts(tmp_path)] == ["INC-1"]


def test_listing_again_reads_only_the_drafts_that_changed(tmp_path, monkeypatch):
    from cockpit.postmortems import listing as draft_module

    one, two = incident(id="INC-1", title="One"), incident(id="INC-2", title="Two")
    path1 = _save(tmp_path, one, draft_from_incident(one, services=SERVICES, now=NOW - timedelta(days=1)))
    path2 = _save(tmp_path, two, draft_from_incident(two, services=SERVICES, now=NOW))
    assert [d.title for d in list_drafts(tmp_path)] == ["Two", "One"]
    read: list[str] = []
    read_text = draft_module.read_text
    monkeypatch.setattr(draft_module, "read_text", lambda path: (read.append(Path(path).name), read_text(path))[1])
    assert [d.title for d in list_drafts(tmp_path)] == ["Two", "One"] and read == []
    UNAUDITED.write(CREATE, path1, path1.read_text(encoding="utf-8").replace("title: One", "title: First"))
    assert [d.title for d in list_drafts(tmp_path)] == ["Two", "First"] and read == [path1.name]
    path2.unlink()
    assert [d.title for d in list_drafts(tmp_path)] == ["First"] and read == [path1.name]


def test_list_drafts_of_missing_folder_is_empty(tmp_path):
    assert list_drafts(tmp_path / "nope") == []


def test_write_atomic_keeps_old_file_when_write_fails(tmp_path, monkeypatch):
    path = tmp_path / "draft.md"
    write_atomic(path, "old text")

    def fail(fd):
        raise OSError("disk full")

    monkeypatch.setattr("cockpit.atomicfile.os.fsync", fail)
    with pytest.raises(OSError):
        write_atomic(path, "new text")
    assert path.read_text() == "old text"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["draft.md"]


def test_related_alerts_are_those_firing_on_affected_services_in_the_window():
    inc = incident()
    start, end = inc.started_at, inc.resolved_at

    def alert(name, service, started, resolved=None):
        return Incident(name, name, "P2", "firing", service, started, "am", kind="alert", resolved_at=resolved)

    candidates = [
        alert("during", "api-server", start + timedelta(minutes=10)),
        alert("before-and-over", "postgres-primary", start - timedelta(hours=1), start + timedelta(minutes=1)),
        alert("ended-before", "api-server", start - timedelta(hours=2), start - timedelta(minutes=1)),
        alert("after", "api-server", end + timedelta(minutes=1)),
        alert("other-service", "web-frontend", start + timedelta(minutes=10)),
        incident(id="INC-8"),  # an incident, not an alert
    ]
    assert [a.id for a in related_alerts(inc, candidates, NOW)] == ["during", "before-and-over"]


def test_audit_entries_for_alerts_only_successful_and_never_the_incident_logs_own(tmp_path):
    clock_times = iter([NOW - timedelta(minutes=m) for m in (90, 80, 70, 60)])
    log = AuditLog(tmp_path / "audit.jsonl", lambda: next(clock_times))
    log.append(user="alice", action="silence", target="fp1", source="am", result="ok: silenced 1h")
    log.append(user="alice", action="ack", target="fp1", source="am", result="failed: timeout")
    log.append(user="alice", action="note", target="INC-7", source="incidents", result="ok")
    log.append(user="bob", action="ack", target="fp2", source="am", result="ok")
    with open(tmp_path / "audit.jsonl", "a") as handle:
        handle.write("not json\n")
    alert = Incident("fp1", "HighErrorRate", "P1", "firing", "api-server", NOW, "am", kind="alert")
    entries = audit_entries_for(tmp_path / "audit.jsonl", incident(), [alert])
    assert [(e.at, e.text, e.author) for e in entries] == [
        (NOW - timedelta(minutes=90), "silence fp1 via am", "alice"),
    ]
    assert audit_entries_for(tmp_path / "missing.jsonl", incident(), [alert]) == []
