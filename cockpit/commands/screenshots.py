"""`cockpit screenshots`: an SVG of every panel, from the bundled default.

Deterministic: the fixed demo clock, a throw-away data dir (so the user's own
incident log and onboarding progress never leak into pictures), a fixed user
name, and the same keys in the same order every time. One incident is
declared in the throw-away log first, so the incident views are not empty.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from cockpit.clock import DEMO_TIME
from cockpit.config import BUNDLED_CONFIG, ConfigError, load_config
from cockpit.writes import Action

# Every picture at both sizes: a roomy terminal (screenshots/) and a bastion's default (screenshots/80x24/).
SIZES = (((120, 40), ""), ((80, 24), "80x24"))
# The monochrome theme (as NO_COLOR shows it too) in the smallest terminal: (file stem, panel key).
MONOCHROME_SIZE = (80, 24)
MONOCHROME_VIEWS = (("monochrome-overview", "o"), ("monochrome-incidents", "i"))
SCREENSHOT_USER = "demo-oncall"


class SteppedClock:
    """A fixed clock that the script moves by hand (to give the declared
    incident a history before the pictures are taken at DEMO_TIME)."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


async def _seed_incident(hub, clock: SteppedClock) -> None:
    """A P1 declared 42 minutes before the demo time, with a note and a status change."""
    log_source = next((s.name for s in hub.sources if "declare" in s.actions), None)
    if log_source is None:
        return
    clock.at = DEMO_TIME - timedelta(minutes=42)
    result = await hub.perform(log_source, Action("declare", params={
        "title": "Checkout requests failing at the payments gateway", "severity": "P1",
        "services": ["checkout-service", "payments-gateway"], "commander": "@payments-lead"}))
    if result.ok:
        clock.at = DEMO_TIME - timedelta(minutes=30)
        await hub.perform(log_source, Action("note", result.target, {
            "text": "Gateway returns 503 for ~20% of card payments; provider status page is green."}))
        clock.at = DEMO_TIME - timedelta(minutes=12)
        await hub.perform(log_source, Action("status", result.target, {"status": "identified"}))
    clock.at = DEMO_TIME


def _views(app) -> list[tuple[str, str, str]]:
    """(file stem, panel, item ref) for every picture, items picked from the data."""
    snapshot = app.snapshot
    incidents = [i for i in snapshot.incidents if i.is_open]
    service = incidents[0].service if incidents and incidents[0].service else snapshot.services[0].name
    slo = min((s for s in snapshot.slos if s.budget_remaining is not None),
              key=lambda s: s.budget_remaining, default=None)
    runbooks = app.index.runbooks.get(service) or list(snapshot.runbooks)
    views = [("overview", "overview", ""), ("services", "services", ""), ("service-card", "services", service),
             ("slos", "slos", "")]
    if slo is not None:
        views.append(("slo-detail", "slos", slo.slo.key))
    views.append(("incidents", "incidents", ""))
    if incidents:
        views.append(("incident-detail", "incidents", incidents[0].id))
    views.append(("runbooks", "runbooks", ""))
    if runbooks:
        views.append(("runbook", "runbooks", runbooks[0].path))
    views += [("postmortems", "postmortems", ""), ("onboarding", "onboarding", ""), ("docs", "docs", ""), ("oncall", "oncall", "")]
    # The ADR list, and one superseded ADR in the viewer (it says by which).
    adrs = sorted(snapshot.adrs, key=lambda a: a.status != "superseded")
    views.append(("adrs", "adrs", ""))
    if adrs:
        views.append(("adr", "adrs", str(adrs[0].number)))
    return [(stem, panel, ref) for stem, panel, ref in views if panel in app.panel_ids]


async def _work_views(app, pilot, shoot) -> None:
    """The commander at work on the seeded incident: its runbook's steps as a
    checklist with one ticked, then its postmortem draft in the editor."""
    from cockpit.panels.incidents.detail import runbook_for
    from cockpit.ui.widgets.messages import Navigate

    incident = next((i for i in app.snapshot.incidents if i.is_open and i.kind == "incident"), None)
    runbook = runbook_for(incident, app.index) if incident is not None else None
    if incident is None:
        return
    if runbook is not None and "runbooks" in app.panel_ids:
        app.post_message(Navigate("incidents", incident.id))
        await pilot.pause()
        await pilot.press("u")  # its runbook, opened from the incident
        await pilot.pause()
        await pilot.press("t", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await shoot("runbook-checklist")
    if "postmortems" in app.panel_ids:
        app.post_message(Navigate("incidents", incident.id))
        await pilot.pause()
        await pilot.press("m")
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        await shoot("postmortem-editor")
        await pilot.press("escape")
        app.post_message(Navigate("incidents", incident.id))
        await pilot.pause()
        await pilot.press("x")  # resolving asks first, the incident named
        await pilot.pause()
        await shoot("resolve-confirm")
        await pilot.press("escape")
        await pilot.pause()


async def _oncall_views(app, pilot, shoot) -> None:
    """The On-call view's pages of the latest shift, and its retrospective draft."""
    from cockpit.ui.widgets.messages import Navigate

    if "oncall" in app.panel_ids and "postmortems" in app.panel_ids:
        await pilot.press("escape", "escape", "escape")
        await pilot.pause()
        app.post_message(Navigate("oncall"))
        await pilot.pause()
        _cursor_to_top(app, "oncall")
        await pilot.press("enter")  # the shift's pages
        await pilot.pause()
        await shoot("oncall-pages")
        await pilot.press("d")  # its post-on-call retrospective, opened in the postmortems panel
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        await shoot("oncall-retro")


SETTLE_ROUNDS = 50  # a loaded machine may need a few; a picture still changing after this many is a bug


def _cursor_to_top(app, panel: str) -> None:
    """A list starts at its first row. The cursor follows its row by key, so
    where it ends up otherwise depends on which source answered first."""
    table = getattr(app.query_one(f"#{panel}"), "table", None)
    if table is not None and table.shown_keys:
        table.select_key(table.shown_keys[0])


async def _settled_screenshot(app, pilot, stem: str) -> str:
    """The screen once it stops changing: panels finish work after their first
    paint (hidden panels, search preparation), later on a loaded machine, so
    one pause is not enough to make the picture the same on every run."""
    shot = app.export_screenshot(title=f"cockpit: {stem}")
    for _ in range(SETTLE_ROUNDS):
        await pilot.pause(0.05)
        again = app.export_screenshot(title=f"cockpit: {stem}")
        if again == shot:
            return shot
        shot = again
    raise RuntimeError(f"screenshot {stem}: the screen never settled")


def _demo_app(data: Path, clock: "SteppedClock", theme: str = ""):
    from cockpit.ui.app import make_app

    config = replace(load_config(BUNDLED_CONFIG), data_dir=data, audit_log=data / "audit.jsonl",
                     postmortems=data / "postmortems", user=SCREENSHOT_USER, keymap={}, theme=theme)
    return make_app(config, clock=clock, read_only=False)


async def _take_all(out: Path) -> list[Path]:
    written = []
    with tempfile.TemporaryDirectory(prefix="cockpit-screenshots-") as tmp:
        for size, folder in SIZES:
            (out / folder).mkdir(parents=True, exist_ok=True)
            written += await _take_at(size, out / folder, Path(tmp) / (folder or "default"))
            written += await _take_drill(size, out / folder, Path(tmp) / f"drill-{folder or 'default'}")
        written += await _take_monochrome(out, Path(tmp) / "monochrome")
    return written


async def _take_at(size: tuple[int, int], out: Path, data: Path) -> list[Path]:
    """Every panel, detail view and dialog at ``size``, into ``out``."""
    from cockpit.ui.widgets.messages import Navigate

    written = []
    clock = SteppedClock(DEMO_TIME)
    app = _demo_app(data, clock)
    async with app.run_test(size=size) as pilot:
        await _seed_incident(app.hub, clock)
        await app.hub.refresh_all()
        await pilot.pause()

        async def shoot(stem: str) -> None:
            app.clear_notifications()  # they name the throw-away dir, different every run
            path = out / f"{stem}.svg"
            path.write_text(await _settled_screenshot(app, pilot, stem), encoding="utf-8")
            written.append(path)

        for stem, panel, ref in _views(app):
            app.post_message(Navigate(panel, ref))
            await pilot.pause()
            await pilot.pause()
            if not ref:
                _cursor_to_top(app, panel)
            await shoot(stem)
        await _work_views(app, pilot, shoot)
        await _kill_switch_views(app, pilot, shoot)
        await _glossary_view(app, pilot, shoot)
        await _oncall_views(app, pilot, shoot)
        await _dialogs(app, pilot, shoot)
        await pilot.press("q")
    return written


async def _kill_switch_views(app, pilot, shoot) -> None:
    """A card with recovery facts and flags, and the kill-switch flip's
    confirmation (declined: the bundled flag file is never written)."""
    from cockpit.ui.widgets.messages import Navigate

    service = next((f.service for f in app.snapshot.flags if f.kill_switch and f.service in app.index.services), None)
    if service is None:
        return
    app.post_message(Navigate("services", service))
    await pilot.pause()
    await pilot.pause()
    app.query_one("#card-summary-scroll").scroll_end(animate=False)  # on 24 rows they are below the ownership
    await pilot.pause()
    await shoot("service-card-flags")
    await pilot.press("x")
    await pilot.pause()
    await shoot("kill-switch-confirm")
    await pilot.press("n")
async def _glossary_view(app, pilot, shoot) -> None:
    """The glossary terms an ADR uses (l in its viewer), the first one defined."""
    from cockpit.ui.widgets.messages import Navigate

    adr = next((a for a in app.snapshot.adrs if a.status == "superseded"), None)
    if adr is None or not app.snapshot.glossary or "adrs" not in app.panel_ids:
        return
    app.post_message(Navigate("adrs", str(adr.number)))
    await pilot.pause()
    await pilot.press("l")
    await pilot.pause()
    await shoot("glossary")
    await pilot.press("escape")
    await pilot.pause()


async def _dialogs(app, pilot, shoot) -> None:
    """The help, the command palette, the declare form, the runbooks'
    full-text search and the first-run tour, each closed after."""
    for stem, keys in (("help", ("o", "question_mark")), ("palette", ("o", "ctrl+p", *"checkout")),
                       ("declare-form", ("i", "d")), ("runbook-search", ("r", "f", *"replica", "enter")),
                       ("tour", ("o",))):
        await pilot.press("escape", "escape", "escape")
        await pilot.pause()
        await pilot.press(*keys)
        if stem == "tour":
            app.show_tour()  # what a first start shows
        await pilot.pause()
        await shoot(stem)
        await pilot.press("escape")
        await pilot.pause()


async def _take_drill(size: tuple[int, int], out: Path, data: Path) -> list[Path]:
    """A drill (issue 17): its incidents two minutes in, with the DRILL
    banner, then the debrief after the page was acknowledged and the runbook opened."""
    from cockpit.clock import SimulatedClock
    from cockpit.drills.scenario import drills_folder, load_scenario, scenario_file
    from cockpit.ui.drill import make_drill_app
    from cockpit.ui.widgets.messages import Navigate

    config = replace(load_config(BUNDLED_CONFIG), data_dir=data, user=SCREENSHOT_USER, keymap={}, theme="")
    clock = SimulatedClock(DEMO_TIME, monotonic=lambda: 0.0)  # moved by hand only
    scenario = load_scenario(scenario_file(drills_folder(BUNDLED_CONFIG), "high-error-rate"))
    app = make_drill_app(config, scenario, clock=clock)
    written = []
    async with app.run_test(size=size) as pilot:
        async def shoot(stem: str) -> None:
            app.clear_notifications()
            path = out / f"{stem}.svg"
            path.write_text(await _settled_screenshot(app, pilot, stem), encoding="utf-8")
            written.append(path)

        clock.advance(timedelta(minutes=2))
        app.drill_tick()
        for _ in range(2):  # the first may join a fetch begun before the clock moved
            await app.hub.refresh_all()
        await pilot.pause()
        await pilot.press("i")
        await pilot.pause()
        _cursor_to_top(app, "incidents")
        await shoot("drill")
        alert = next(i for i in app.snapshot.incidents if i.labels.get("alertname") == "HighErrorRate")
        app.post_message(Navigate("incidents", alert.id))
        await pilot.pause()
        await pilot.press("a")
        await app.workers.wait_for_complete()
        clock.advance(timedelta(minutes=1))
        await pilot.press("u")
        await pilot.pause()
        app.end_drill()
        await pilot.pause()
        await shoot("drill-debrief")
        await pilot.press("q")
    return written


async def _take_monochrome(out: Path, data: Path) -> list[Path]:
    from cockpit.ui.monochrome import MONOCHROME

    written = []
    app = _demo_app(data, SteppedClock(DEMO_TIME), theme=MONOCHROME)
    async with app.run_test(size=MONOCHROME_SIZE) as pilot:
        await app.hub.refresh_all()
        await pilot.pause()
        for stem, key in MONOCHROME_VIEWS:
            await pilot.press(key)
            await pilot.pause()
            app.clear_notifications()
            path = out / f"{stem}.svg"
            path.write_text(await _settled_screenshot(app, pilot, stem), encoding="utf-8")
            written.append(path)
        await pilot.press("q")
    return written


def run_screenshots(out: str) -> int:
    """Write one SVG per panel into ``out``; 2 when the bundled config is broken."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        written = asyncio.run(_take_all(folder))
    except ConfigError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 0
