"""Runbooks: front matter with real file lines, the runbooks source, stale
computation, full-text search, and the bundled runbooks."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from cockpit.clock import DEMO_TIME, fixed_clock
from cockpit.frontmatter import parse_front_matter, split_front_matter
from cockpit.model import Runbook
from cockpit.runbook_search import query_terms, search_runbooks
from cockpit.sources import load_kind
from cockpit.sources.base import SourceContext, SourceError, SourceSpec
from cockpit.sources.runbooks import RunbooksSource

REPO = Path(__file__).resolve().parent.parent
BUNDLED = REPO / "runbooks"
BUNDLED_SERVICES = {
    "api-server", "auth-service", "user-service", "notification-service",
    "scraper-service", "reconciliation-service", "events-pipeline",
    "checkout-service", "payments-gateway", "billing-worker",
    "ingress-gateway", "postgres-primary", "redis-cache", "message-queue",
    "search-service", "recommendations", "web-frontend",
}
FIRE_DRILLS = {"high-error-rate.md", "database-slow.md", "cache-outage.md"}

GOOD = """---
title: Disk full
services: [api-server, postgres-primary]
owner: "@platform-team"
last_validated: 2026-11-20
review_every: monthly
---

# Ignored heading

- [ ] Check disk
"""


def spec_for(path: Path, **options) -> SourceSpec:
    return SourceSpec(
        kind="runbooks", name="runbooks", refresh=timedelta(seconds=30), timeout=timedelta(seconds=10),
        options={"path": str(path), **options}, base_dir=path.parent, config_file="cockpit.yaml", line=3,
    )


def write(folder: Path, rel: str, text: str) -> Path:
    path = folder / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


async def fetch(path: Path, settings=None, **options) -> list[Runbook]:
    context = SourceContext(clock=fixed_clock(), settings=settings or {})
    data = await RunbooksSource(spec_for(path, **options), context).fetch()
    return list(data.runbooks)


# -- front matter -----------------------------------------------------------


def test_split_front_matter_returns_body_and_its_first_line():
    yaml_text, body, body_line = split_front_matter("---\na: 1\nb: 2\n---\n# T\ntext\n")
    assert yaml_text == "a: 1\nb: 2\n"
    assert body == "# T\ntext\n"
    assert body_line == 5


def test_text_without_front_matter_is_all_body():
    front = parse_front_matter("# Title\n---\nnot front matter\n", "x.md")
    assert not front.present
    assert front.body.startswith("# Title")
    assert dict(front.data) == {} and front.problems == ()


def test_front_matter_keys_carry_file_lines():
    front = parse_front_matter(GOOD, "good.md")
    assert front.data.line_of("title") == 2
    assert front.data.line_of("last_validated") == 5
    assert front.data["services"].line_of(1) == 3


def test_yaml_error_in_front_matter_names_the_file_line():
    text = "---\ntitle: ok\nowner: [unclosed\nlast_validated: 2026-01-01\n---\nbody\n"
    front = parse_front_matter(text, "bad.md")
    assert len(front.problems) == 1
    problem = front.problems[0]
    assert problem.file == "bad.md"
    assert "YAML syntax error" in problem.message
    # the flow sequence opened on file line 3 breaks at or after it, never before
    assert 3 <= problem.line <= 5
    assert front.body == "body\n"


def test_unclosed_front_matter_is_a_problem():
    front = parse_front_matter("---\ntitle: x\n# no closing line\n", "open.md")
    assert [p.message for p in front.problems] == ["front matter is not closed by a '---' line"]


def test_front_matter_that_is_not_a_mapping_is_a_problem():
    front = parse_front_matter("---\n- a\n- b\n---\nbody\n", "list.md")
    assert front.problems[0].line == 2
    assert "mapping" in front.problems[0].message


# -- check(): problems with file, line and key ------------------------------


def test_check_reports_each_bad_key_at_its_line(tmp_path):
    path = write(tmp_path / "rb", "svc/bad.md", (
        "---\n"                          # 1
        "title: Bad one\n"               # 2
        "services:\n"                    # 3
        "  - api-server\n"               # 4
        "  - 42\n"                       # 5
        "owner: \"@team\"\n"             # 6
        "last_validated: \"2026-11-31\"\n"   # 7
        "review_every: sometimes\n"      # 8
        "colour: blue\n"                 # 9
        "---\n"
        "body\n"
    ))
    result = RunbooksSource.check(spec_for(tmp_path / "rb"))
    found = {(p.line, p.key) for p in result.problems}
    assert found == {(5, "services[1]"), (7, "last_validated"), (8, "review_every"), (9, "colour")}
    assert all(p.file == str(path) for p in result.problems)
    assert [(r.service, r.line, r.key) for r in result.refers] == [("api-server", 4, "services[0]")]


def test_an_impossible_unquoted_date_is_a_problem_not_a_crash(tmp_path):
    path = write(tmp_path / "rb", "a.md", "---\nowner: x\nlast_validated: 2026-13-45\n---\n# A\n")
    [problem] = RunbooksSource.check(spec_for(tmp_path / "rb")).problems
    assert problem.file == str(path)
    assert "month must be in 1..12" in problem.message


def test_check_requires_owner_and_last_validated(tmp_path):
    write(tmp_path / "rb", "a.md", "---\ntitle: A\n---\nbody\n")
    write(tmp_path / "rb", "b.md", "# B without front matter\n")
    problems = RunbooksSource.check(spec_for(tmp_path / "rb")).problems
    assert sorted((Path(p.file).name, p.key) for p in problems) == [
        ("a.md", "last_validated"), ("a.md", "owner"), ("b.md", "(front matter)"),
    ]


def test_check_reports_a_missing_folder_against_the_config_entry(tmp_path):
    problems = RunbooksSource.check(spec_for(tmp_path / "nowhere")).problems
    assert [(p.file, p.line, p.key) for p in problems] == [("cockpit.yaml", 3, "runbooks.path")]


def test_check_reports_a_bad_review_every_option(tmp_path):
    write(tmp_path / "rb", "a.md", GOOD)
    problems = RunbooksSource.check(spec_for(tmp_path / "rb", review_every="often")).problems
    assert [p.key for p in problems] == ["runbooks.review_every"]


def test_quoted_dates_and_a_single_service_string_are_accepted(tmp_path):
    write(tmp_path / "rb", "a.md", '---\nowner: "@t"\nlast_validated: "2026-11-01"\nservices: redis-cache\n---\n')
    result = RunbooksSource.check(spec_for(tmp_path / "rb"))
    assert result.problems == []
    assert [r.service for r in result.refers] == ["redis-cache"]


# -- fetch ------------------------------------------------------------------


async def test_fetch_reads_folders_recursively_with_posix_paths(tmp_path):
    root = tmp_path / "rb"
    write(root, "top.md", GOOD)
    write(root, "api-server/deep/slow.md", GOOD.replace("title: Disk full\n", ""))
    write(root, "notes.txt", "not a runbook")
    write(root, "README.md", "# About this folder")
    runbooks = await fetch(root)
    assert sorted(r.path for r in runbooks) == ["api-server/deep/slow.md", "top.md"]
    top = next(r for r in runbooks if r.path == "top.md")
    assert (top.title, top.owner, top.services) == ("Disk full", "@platform-team", ("api-server", "postgres-primary"))
    assert top.last_validated == date(2026, 11, 20)
    assert top.review_every == timedelta(days=30)
    assert top.body.startswith("\n# Ignored heading")


async def test_title_falls_back_to_heading_outside_code_then_file_name(tmp_path):
    root = tmp_path / "rb"
    write(root, "a.md", "---\nowner: x\n---\n```bash\n# a shell comment\n```\n# Real heading\n")
    write(root, "disk_full-alert.md", "no heading here\n")
    titles = {r.path: r.title for r in await fetch(root)}
    assert titles == {"a.md": "Real heading", "disk_full-alert.md": "disk full alert"}


async def test_a_single_file_path_is_one_runbook(tmp_path):
    path = write(tmp_path, "only.md", GOOD)
    assert [r.path for r in await fetch(path)] == ["only.md"]


async def test_review_every_defaults_come_from_option_then_settings_then_a_week(tmp_path):
    root = tmp_path / "rb"
    write(root, "a.md", "---\nowner: x\nlast_validated: 2026-11-01\n---\n")
    assert (await fetch(root))[0].review_every == timedelta(days=7)
    assert (await fetch(root, settings={"review_every": timedelta(days=14)}))[0].review_every == timedelta(days=14)
    assert (await fetch(root, settings={"review_every": "14d"}, review_every="quarterly"))[0].review_every == timedelta(days=91)


async def test_broken_front_matter_still_lists_the_runbook_as_stale(tmp_path):
    root = tmp_path / "rb"
    write(root, "broken.md", "---\nowner: [\n---\n# Still here\n")
    [runbook] = await fetch(root)
    assert runbook.title == "Still here"
    assert runbook.last_validated is None
    assert runbook.is_stale(DEMO_TIME.date())


# -- stale ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("validated", "review", "stale"),
    [
        ("2026-11-21", "weekly", False),   # review due today: not yet stale
        ("2026-11-20", "weekly", True),    # due yesterday
        ("2026-10-30", "monthly", False),
        ("2026-10-28", "monthly", True),
        ("2026-09-01", "quarterly", False),
    ],
)
async def test_stale_against_the_demo_date(tmp_path, validated, review, stale):
    root = tmp_path / "rb"
    write(root, "r.md", f"---\nowner: x\nlast_validated: {validated}\nreview_every: {review}\n---\n")
    [runbook] = await fetch(root)
    assert runbook.is_stale(DEMO_TIME.date()) is stale


# -- search -----------------------------------------------------------------


def book(path: str, title: str, body: str) -> Runbook:
    return Runbook(path=path, title=title, body=body)


BOOKS = [
    book("db.md", "Database slow", "Check locks\nRun EXPLAIN on the slow query\nescalate after 15 min\n"),
    book("cache.md", "Cache outage", "Redis is down\nthe database takes the load; check Database CPU\n"),
    book("web.md", "Web errors", "nothing relevant\n"),
]


def test_every_term_must_occur_in_the_runbook():
    hits = search_runbooks(BOOKS, "database redis")
    assert {m.runbook.path for m in hits} == {"cache.md"}


def test_matches_carry_line_and_span_case_insensitively():
    hits = search_runbooks(BOOKS, "DATABASE")
    cache_hits = [m for m in hits if m.runbook.path == "cache.md"]
    assert [m.line_no for m in cache_hits] == [2]
    [match] = cache_hits
    assert match.line_text[match.start:match.end] == "database"
    assert [match.line_text[a:b] for a, b in match.spans] == ["database", "Database"]


def test_title_matches_rank_first_and_use_line_zero():
    hits = search_runbooks(BOOKS, "database")
    assert hits[0].runbook.path == "db.md" and hits[0].line_no == 0
    assert [m.runbook.path for m in hits] == ["db.md", "cache.md"]


def test_quoted_phrase_is_one_term():
    assert query_terms('"slow query" Locks locks') == ["slow query", "locks"]
    assert [m.line_no for m in search_runbooks(BOOKS, '"slow query"')] == [2]
    assert search_runbooks(BOOKS, '"query slow"') == []


def test_empty_query_finds_nothing():
    assert search_runbooks(BOOKS, "   ") == []


# -- bundled runbooks -------------------------------------------------------


def test_bundled_runbooks_pass_check():
    result = RunbooksSource.check(spec_for(BUNDLED))
    assert [str(p) for p in result.problems] == []
    assert {r.service for r in result.refers} <= BUNDLED_SERVICES


async def test_bundled_runbooks_cover_fire_drills_and_every_service():
    runbooks = await fetch(BUNDLED)
    paths = {r.path for r in runbooks}
    assert FIRE_DRILLS <= paths
    per_service = {r.path.split("/")[0] for r in runbooks if "/" in r.path}
    assert per_service == BUNDLED_SERVICES
    for runbook in runbooks:
        if "/" in runbook.path:
            assert runbook.services == (runbook.path.split("/")[0],), runbook.path


async def test_bundled_runbooks_are_real_procedures():
    for runbook in await fetch(BUNDLED):
        body = runbook.body
        assert runbook.owner.startswith("@"), runbook.path
        assert "## Steps" in body and re.search(r"^\s*- \[ \] ", body, re.M), runbook.path
        assert re.search(r"```(bash|sql|promql)\n", body), runbook.path
        assert re.search(r"\bif\b.+\bthen\b.+\belse\b", body, re.I | re.S), runbook.path
        for section in ("## Escalation", "## Verification", "## Rollback"):
            assert section in body, (runbook.path, section)
        assert "15 min" in body and "1 hour" in body, runbook.path


async def test_some_bundled_runbooks_are_stale_on_the_demo_date():
    runbooks = await fetch(BUNDLED)
    stale = [r for r in runbooks if r.is_stale(DEMO_TIME.date())]
    assert 3 <= len(stale) <= 4
    # fresh ones were validated within their cadence, in the days before the demo date
    assert all(r.last_validated <= DEMO_TIME.date() for r in runbooks)


async def test_fetch_of_a_missing_folder_is_a_source_error(tmp_path):
    with pytest.raises(SourceError, match="not found"):
        await fetch(tmp_path / "nowhere")


def test_runbooks_and_incident_log_are_registered_kinds():
    assert load_kind("runbooks") is RunbooksSource
    assert load_kind("incident-log").__name__ == "IncidentLogSource"
