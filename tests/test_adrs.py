"""The `adrs` source: the practices guide's template, MADR and Nygard's
format (public examples copied into tests/fixtures/realworld/adr), supersede
links both ways, and what `cockpit check` reports with FILE:LINE."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from cockpit.adr_links import ref_numbers, superseded_by, supersedes
from cockpit.clock import fixed_clock
from cockpit.commands.check import check_config
from cockpit.config import BUNDLED_CONFIG
from cockpit.sources.adrs.parse import parse_adr
from cockpit.sources.adrs.source import ADRsSource, load_adrs
from cockpit.sources.base import SourceContext, SourceSpec

REALWORLD = Path(__file__).parent / "fixtures" / "realworld" / "adr"
DEMO = BUNDLED_CONFIG.parent / "docs" / "adr"

GUIDE = """# ADR-001: Use PostgreSQL Over MongoDB

**Status**: Accepted  
**Date**: 2026-01-15  
**Deciders**: Backend Team, Data Team  
**Tags**: database, architecture  
**Services**: api-server, postgres-primary
**Owner**: @backend-team
**Last Validated**: 2026-11-02

## Context

```markdown
**Status**: Rejected
```
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text)
    return path


def test_the_guides_template_gives_every_field():
    found = parse_adr(GUIDE, "x.md", "0001-use-postgresql.md")
    adr = found.adr
    assert found.problems == []
    assert (adr.number, adr.key, adr.title, adr.status, adr.date) == (
        1, "ADR-0001", "Use PostgreSQL Over MongoDB", "accepted", date(2026, 1, 15))
    assert adr.deciders == ("Backend Team", "Data Team") and adr.tags == ("database", "architecture")
    assert adr.services == ("api-server", "postgres-primary")
    assert (adr.owner, adr.last_validated) == ("@backend-team", date(2026, 11, 2))  # for freshness
    assert [(r.service, r.line, r.what) for r in found.refers] == [("api-server", 7, "ADR"),
                                                                   ("postgres-primary", 7, "ADR")]


def test_madr_front_matter_and_its_supersede_status():
    text = ('---\nstatus: "superseded by [ADR-0005](0005-example.md)"\ndate: 2024-03-01\n'
            'decision-makers: [Ann, Bob]\nservices: [api-server]\nowner: "@platform"\nlast_validated: 2026-10-01\n'
            '---\n# Use plain JUnit5 for advanced test assertions\n')
    adr = parse_adr(text, "x.md", "0003-junit.md").adr
    assert (adr.number, adr.title, adr.status, adr.superseded_by) == (
        3, "Use plain JUnit5 for advanced test assertions", "superseded", (5,))
    assert adr.deciders == ("Ann", "Bob") and adr.services == ("api-server",)
    assert (adr.owner, adr.last_validated) == ("@platform", date(2026, 10, 1))


def test_nygard_status_section_with_supersede_lines():
    text = ("# 3. Use Kafka\n\nDate: 2017-02-21\n\n## Status\n\nAccepted\n\n"
            "Supersedes [2. Use RabbitMQ](0002-use-rabbitmq.md)\n\n## Context\n\nServices: message-queue\n")
    adr = parse_adr(text, "x.md", "0003-use-kafka.md").adr
    assert (adr.title, adr.status, adr.date, adr.supersedes, adr.services) == (
        "Use Kafka", "accepted", date(2017, 2, 21), (2,), ("message-queue",))


def test_the_number_comes_from_the_title_when_the_file_has_none():
    assert parse_adr("# ADR-012: Cache\n", "x.md", "cache.md").adr.number == 12
    found = parse_adr("# Cache\n", "x.md", "cache.md")
    assert found.adr is None and [(p.line, p.key) for p in found.problems] == [(1, "(number)")]


def test_references_name_adrs_by_key_link_or_number():
    assert ref_numbers("ADR-0002, ADR-3") == (2, 3)
    assert ref_numbers("[2. Use RabbitMQ](0002-use-rabbitmq.md)") == (2,)
    assert ref_numbers("[ADR-0018](./0018-restrict.md)") == (18,)
    assert ref_numbers("0007") == (7,)
    assert ref_numbers("the old one") == ()


def test_real_madr_decisions_load():
    loaded = load_adrs(REALWORLD / "madr")
    assert loaded.problems == []
    assert [(a.number, a.title, a.status) for a in loaded.adrs] == [
        (0, "Use Markdown Any Decision Records", ""),
        # its fenced example's "status: accepted" is not its own
        (13, "Use YAML front matter for metadata", ""),
    ]


def test_real_adr_tools_decisions_load():
    loaded = load_adrs(REALWORLD / "adr-tools")
    assert loaded.problems == []
    assert [(a.number, a.title, a.status, a.date) for a in loaded.adrs] == [
        (1, "Record architecture decisions", "accepted", date(2016, 2, 12)),
        (7, "Invoke adr-config executable to get configuration", "accepted", date(2016, 12, 17)),
        (8, "Use ISO 8601 Format for Dates", "accepted", date(2017, 2, 21)),
    ]


def test_madrs_template_read_alone_is_refused_at_its_placeholder_line():
    loaded = load_adrs(REALWORLD / "madr" / "adr-template.md")
    assert loaded.adrs == []  # no number: a template, not a decision
    # Its placeholders ({proposed | rejected ...}) are not YAML: said at the line, no traceback.
    assert [(p.line, p.key) for p in loaded.problems] == [(3, "(file)"), (1, "(number)")]
    assert "YAML syntax error" in loaded.problems[0].message


def test_supersede_links_are_followed_both_ways():
    loaded = load_adrs(DEMO)
    by_number = {a.number: a for a in loaded.adrs}
    old, new = by_number[2], by_number[5]
    assert superseded_by(old, loaded.adrs) == (5,) and supersedes(new, loaded.adrs) == (2,)
    # Written on one side only: still found from the other.
    silent_old = replace(old, superseded_by=())
    assert superseded_by(silent_old, [silent_old, new]) == (5,)
    silent_new = replace(new, supersedes=())
    assert supersedes(silent_new, [old, silent_new]) == (2,)


def test_the_bundled_demo_is_clean_and_covers_the_three_templates():
    loaded = load_adrs(DEMO)
    assert loaded.problems == []
    assert [a.number for a in loaded.adrs] == [1, 2, 3, 4, 5]
    assert {a.status for a in loaded.adrs} == {"accepted", "superseded", "proposed"}
    assert all(a.services for a in loaded.adrs)


def test_check_reports_unknown_status_broken_links_and_orphan_supersede_with_lines(tmp_path):
    folder = tmp_path / "adr"
    write(folder, "0001-a.md", "# ADR-001: A\n\n**Status**: Aproved\n**Supersedes**: ADR-0009\n")
    write(folder, "0002-b.md", "# ADR-002: B\n\n**Status**: Superseded\n")
    write(folder, "0003-c.md", "# ADR-003: C\n\n**Status**: Accepted\n**Superseded by**: [ADR-0004](0004-d.md)\n")
    write(folder, "0003-z-again.md", "# ADR-003: again\n")
    loaded = load_adrs(folder)
    found = {(Path(p.file).name, p.line, p.key) for p in loaded.problems}
    assert found == {
        ("0001-a.md", 3, "status"),  # unknown status
        ("0001-a.md", 4, "supersedes"),  # ADR-0009 is not there
        ("0002-b.md", 3, "status"),  # superseded, by nothing
        ("0003-c.md", 4, "superseded_by"),  # ADR-0004 is not there
        ("0003-z-again.md", 1, "(number)"),  # ADR-0003 twice
    }
    messages = " ".join(p.message for p in loaded.problems)
    assert "unknown status 'Aproved'" in messages and "names ADR-0009" in messages


def test_cockpit_check_reports_an_adr_naming_an_unknown_service(tmp_path):
    write(tmp_path, "services.yaml", "services:\n  api-server:\n    owner: backend-team\n")
    write(tmp_path / "adr", "0001-a.md", "# ADR-001: A\n\n**Status**: Accepted\n**Services**: api-server, ghost\n")
    config = tmp_path / "cockpit.yaml"
    config.write_text("sources:\n  - {kind: catalog, path: services.yaml}\n  - {kind: adrs, path: adr}\n")
    problems = check_config(config).problems
    assert [str(p) for p in problems] == [f"{tmp_path / 'adr' / '0001-a.md'}:4: services: ADR: unknown service 'ghost'"]


def test_check_names_a_missing_folder_at_the_config_line(tmp_path):
    config = tmp_path / "cockpit.yaml"
    config.write_text("sources:\n  - {kind: adrs, path: nowhere}\n")
    problems = check_config(config).problems
    assert [(p.line, p.key) for p in problems] == [(2, "adrs.path")]


def test_the_source_fetches_the_folder_with_its_problems_as_warnings(tmp_path):
    write(tmp_path, "0001-a.md", "# ADR-001: A\n\n**Status**: Maybe\n")
    spec = SourceSpec(kind="adrs", name="adrs", refresh=timedelta(minutes=1), timeout=timedelta(seconds=5),
                      options={"path": str(tmp_path)}, base_dir=tmp_path)
    data = asyncio.run(ADRsSource(spec, SourceContext(clock=fixed_clock())).fetch())
    assert [a.key for a in data.adrs] == ["ADR-0001"]
    assert len(data.warnings) == 1 and "unknown status 'Maybe'" in data.warnings[0]
