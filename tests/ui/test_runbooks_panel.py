"""The runbooks panel, driven by keys: list with stale badges, `/` filter,
full-text search in context, and the Markdown viewer."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from textual.widgets import Markdown, OptionList
from textual.widgets._markdown import MarkdownFence

from cockpit.audit import AuditLog
from cockpit.clock import DEMO_TIME
from cockpit.config import source_context
from cockpit.hub import Hub
from cockpit.model import Runbook, SourceData
from cockpit.sources.base import SourceSpec
from cockpit.writes import Action
from cockpit.sources.incident_log.source import IncidentLogSource
from tests.ui.conftest import CannedSource, catalog, keys_done, make_hub, open_panel, settle

SIZE = (120, 36)

CACHE_BODY = """# Cache outage

Redis is down or refusing connections.

## Steps

1. Check the primary:

   ```bash
   redis-cli -h redis-cache ping   # expect PONG
   ```

2. If it does not answer, fail over to the replica.
"""
LONG_BODY = "# Long\n\n" + "".join(f"Step {n} of the warm-up.\n\n" for n in range(60)) + "The needle is here.\n"
STEPS_BODY = """# Redis outage

- [ ] Check the primary answers:

  ```bash
  redis-cli -h redis-cache ping
  # - [ ] not a step: inside a fence
  ```

- [ ] Fail over to the replica
- [x] Page the platform team (done before anyone reads this)
"""
HOSTILE_BODY = "# Evil\n\nterminal title \x1b]0;pwned\x07 and colour \x1b[31mred\x1b[0m\n"


def runbook_world() -> SourceData:
    base = catalog()
    runbooks = (
        *base.runbooks,
        Runbook("cache-outage.md", "Cache outage", CACHE_BODY, "platform-team", ("redis-cache",),
                date(2026, 11, 27)),
        Runbook("evil.md", "Evil", HOSTILE_BODY, "", (), None),
        Runbook("long.md", "Long", LONG_BODY, "platform-team", (), date(2026, 11, 27)),
    )
    return SourceData(services=base.services, runbooks=runbooks)


def build(config):
    from cockpit.ui.app import make_app
    from cockpit.clock import fixed_clock

    return make_app(config, hub=make_hub(catalog_data=runbook_world()), clock=fixed_clock())


async def test_list_review_dates_and_stale_badges(config):
    app = build(config)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(app, pilot, "r", "runbooks")
        def row(key):
            return {c.key: str(v) for c, v in zip(panel.table.columns, panel.table.table.get_row(key))}

        # Validated 2026-11-25, reviewed weekly: due 2026-12-02, fresh on 2026-11-28.
        fresh = row("api-server/high-error-rate.md")
        assert (fresh["validated"], fresh["review"], fresh["stale"]) == ("2026-11-25", "2026-12-02", "")
        stale = row("postgres-primary/failover.md")
        assert stale["review"] == "2026-09-08" and "STALE" in stale["stale"]
        assert "STALE" in row("evil.md")["stale"] and row("evil.md")["validated"] == "never"
        await pilot.press("slash", *"stale", "enter")
        await pilot.pause()
        assert panel.table.shown_keys == ["evil.md", "postgres-primary/failover.md"]
        panel.table.select_key("postgres-primary/failover.md")
        await pilot.press("c")
        await pilot.pause()
        assert app.current_panel.panel_id == "services"


async def test_viewer_shows_front_matter_facts_and_highlights_code(config):
    app = build(config)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(app, pilot, "r", "runbooks")
        panel.table.select_key("cache-outage.md")
        await pilot.press("enter")
        await pilot.pause()
        assert panel.mode == "view"
        facts = app.query_one("#runbook-facts").render().plain
        assert "owner: platform-team" in facts and "next review: 2026-12-04 (every 7d)" in facts
        fence = app.query_one(MarkdownFence)
        assert fence.lexer == "bash"
        # pygments tokenised the command: the comment is styled apart from the command.
        assert fence._highlighted_code.spans
        await pilot.press("escape")
        await pilot.pause()
        assert panel.mode == "list"
        # A runbook body cannot inject escape sequences.
        assert panel.focus_item("evil.md")
        await pilot.pause()
        source = app.query_one("#runbook-markdown", Markdown).source
        assert "\x1b" not in source and "\x07" not in source
        assert "colour red" in source


async def test_full_text_search_shows_matches_in_context_and_opens_them(config):
    app = build(config)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(app, pilot, "r", "runbooks")
        await pilot.press("f", *"replica")
        await pilot.pause()
        results = app.query_one("#runbook-results")
        line = 1 + CACHE_BODY.splitlines().index("2. If it does not answer, fail over to the replica.")
        assert results.shown_keys == [f"cache-outage.md:{line}"]
        context = results.table.get_row(f"cache-outage.md:{line}")[2]
        # Starting 12 characters before the match: at 80 columns it is on screen.
        assert context.plain == "…over to the replica."
        assert any(context.plain[s.start:s.end] == "replica" for s in context.spans)
        await pilot.press("enter", "enter")  # to the results, then open the match
        await pilot.pause()
        assert (panel.mode, panel.open_path) == ("view", "cache-outage.md")
        await pilot.press("escape")
        await pilot.pause()
        assert panel.mode == "search"  # back to the matches, not the list
        await pilot.press("escape")
        await pilot.pause()
        assert panel.mode == "list"
        # A match far down a long runbook opens scrolled to its line.
        await pilot.press("f", *"needle", "enter", "enter")
        await keys_done(app, pilot)
        await pilot.pause()
        view = app.query_one("#runbook-view")
        assert panel.open_path == "long.md" and view.scroll_y > 0
        needle = [b for b in app.query("#runbook-markdown MarkdownParagraph") if "needle" in str(b._content)]
        assert view.region.contains_region(needle[0].region)  # on screen
        await pilot.press("escape", "escape")
        await pilot.press("enter")  # the same runbook opened from the list starts at the top
        await keys_done(app, pilot)
        await pilot.pause()
        assert view.scroll_y == 0


def test_snapshot(snap_compare, config):
    app = build(config)

    async def run_before(pilot):
        panel = await open_panel(app, pilot, "r", "runbooks")
        panel.focus_item("cache-outage.md")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


class Clock:
    """The test's clock: fixed until the test moves it."""

    def __init__(self) -> None:
        self.at = DEMO_TIME

    def __call__(self):
        return self.at


def incident_log_hub(config, clock, data: SourceData, *, read_only: bool = False) -> Hub:
    """A hub over canned catalog data and a real incident log in the test's data dir."""
    config = replace(config, read_only=read_only)
    spec = SourceSpec(kind="incident-log", name="incident-log", refresh=timedelta(hours=1),
                      timeout=timedelta(seconds=10), options={}, base_dir=config.data_dir)
    log = IncidentLogSource(spec, source_context(config, clock))
    return Hub([CannedSource("catalog", data), log], clock=clock, read_only=read_only,
               audit=AuditLog(config.audit_log, clock), user=config.user)


def steps_world() -> SourceData:
    base = catalog()
    outage = Runbook("redis-cache/outage.md", "Redis outage", STEPS_BODY, "platform-team", ("redis-cache",),
                     date(2026, 11, 27))
    return SourceData(services=base.services, runbooks=(*base.runbooks, outage))


async def declare(hub, title, service, clock, minutes_later=0) -> str:
    clock.at = DEMO_TIME + timedelta(minutes=minutes_later)
    result = await hub.perform("incident-log", Action("declare", params={
        "title": title, "severity": "P1", "services": [service]}))
    assert result.ok, result.message
    return result.target


def notes(app, incident_id):
    incident = next(i for i in app.hub.snapshot().incidents if i.id == incident_id)
    return [e.text for e in incident.timeline if e.kind == "note"]


async def open_steps(app, pilot, path="redis-cache/outage.md"):
    panel = await open_panel(app, pilot, "r", "runbooks")
    panel.table.select_key(path)
    await pilot.press("enter", "t")
    await pilot.pause()
    return panel


async def test_ticking_a_step_notes_it_on_the_newest_open_incident_of_the_runbooks_services(config):
    clock = Clock()
    from cockpit.ui.app import make_app

    app = make_app(config, hub=incident_log_hub(config, clock, steps_world()), clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        older = await declare(app.hub, "Redis flapping", "redis-cache", clock)
        newer = await declare(app.hub, "Redis down", "redis-cache", clock, 5)
        await declare(app.hub, "API errors", "api-server", clock, 9)  # another service: never chosen
        panel = await open_steps(app, pilot)
        assert panel.mode == "steps"
        facts = app.query_one("#runbook-steps-facts").render().plain
        assert f"{newer} Redis down" in facts and "newest open incident" in facts and "1/3 done" in facts
        options = app.query_one("#runbook-steps-list", OptionList)
        shown = [str(options.get_option_at_index(n).prompt) for n in range(options.option_count)]
        assert shown == ["[ ] Check the primary answers:", "[ ] Fail over to the replica",
                         "[x] Page the platform team (done before anyone reads this)"]
        await pilot.press("enter")  # tick the first step
        await keys_done(app, pilot)
        await pilot.pause()
        assert notes(app, newer) == ["runbook redis-cache/outage.md: done: Check the primary answers:"]
        assert notes(app, older) == []
        assert str(options.get_option_at_index(0).prompt).startswith("[x]")
        assert "2/3 done" in app.query_one("#runbook-steps-facts").render().plain
        # Ticking it again adds nothing: the timeline already has it.
        await pilot.press("enter")
        await keys_done(app, pilot)
        await pilot.pause()
        assert len(notes(app, newer)) == 1
        await pilot.press("escape")
        await pilot.pause()
        assert panel.mode == "view"


async def test_steps_go_to_the_incident_the_user_came_from(config):
    clock = Clock()
    from cockpit.ui.app import make_app

    app = make_app(config, hub=incident_log_hub(config, clock, steps_world()), clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        older = await declare(app.hub, "Redis flapping", "redis-cache", clock)
        newer = await declare(app.hub, "Redis down", "redis-cache", clock, 5)
        await settle(app, pilot)
        await pilot.press("i")
        await pilot.pause()
        assert app.query_one("#incidents").focus_item(older)
        await pilot.press("u", "t")  # its runbook, then the checklist
        await pilot.pause()
        panel = app.query_one("#runbooks")
        assert (panel.mode, panel.open_path) == ("steps", "redis-cache/outage.md")
        assert "the incident you came from" in app.query_one("#runbook-steps-facts").render().plain
        await pilot.press("down", "enter")
        await keys_done(app, pilot)
        await pilot.pause()
        assert notes(app, older) == ["runbook redis-cache/outage.md: done: Fail over to the replica"]
        assert notes(app, newer) == []


async def test_no_open_incident_means_nothing_is_noted(config):
    clock = Clock()
    from cockpit.ui.app import make_app

    app = make_app(config, hub=incident_log_hub(config, clock, steps_world()), clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        other = await declare(app.hub, "API errors", "api-server", clock)
        await open_steps(app, pilot)
        assert "No open incident" in app.query_one("#runbook-steps-facts").render().plain
        await pilot.press("enter")
        await keys_done(app, pilot)
        await pilot.pause()
        assert notes(app, other) == []
        assert any("No open incident" in n.message for n in app._notifications)


async def test_read_only_hides_the_checklist_key(config):
    clock = Clock()
    from cockpit.ui.app import make_app

    app = make_app(config, hub=incident_log_hub(config, clock, steps_world(), read_only=True), clock=clock,
                   read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_steps(app, pilot)
        assert panel.mode == "view"  # t did nothing
        assert "runbooks.steps" not in {b.binding.id for b in app.active_bindings.values()
                                        if b.binding.id and b.enabled}
