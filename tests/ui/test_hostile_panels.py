"""Hypothesis-generated hostile strings in every field every source kind
fills (catalog, SLOs from Prometheus or the demo, alerts with labels and
annotations from Alertmanager, PagerDuty incidents, the incident log,
runbooks, on-call), drawn by every panel, detail view, card and the
palette: what Textual would write holds no escape, control, bidi or
zero-width character and no action from the data, and the app carries on."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date, timedelta

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cockpit.ui.app import make_app
from cockpit.clock import fixed_clock
from cockpit.hub import Hub
from cockpit.model import Incident, OnCall, Runbook, Service, SourceData, TimelineEntry
from tests.hostile import PIECES, hostile_text, unsafe_characters
from tests.ui.conftest import NOW, CannedSource, slo_status, steps

SIZE = (120, 36)


def hostile_world(t: list[str]) -> SourceData:
    t = (t * 16)[:16]
    services = (
        Service("api-server", t[0], t[1], steps(t[2], "@lead"), True, ("r.md",), (t[3], "auth"), (t[4],),
                description=t[5], tier=t[6]),
        Service(t[3] or "x", t[7], t[8], steps(t[9]), False, (), (), ()),
    )
    slo = slo_status("api-server", t[10], 0.0006, {"1h": 0.02})
    slo = replace(slo, slo=replace(slo.slo, sli=t[11], target_text=t[12], description=t[13]),
                  tier_actions=(t[14],), warnings=(t[15],))
    incidents = (
        Incident("am-1", t[0], "P1", "firing", "api-server", NOW - timedelta(minutes=5), "alertmanager", kind="alert",
                 labels={"alertname": t[1], "service": "api-server", "team": t[2]},
                 annotations={"summary": t[3], "description": t[4]}, instances=(t[5],), runbook=t[6], group=""),
        Incident("PD1", t[7], "P2", "triggered", t[8], NOW - timedelta(hours=1), "pagerduty", url=t[9],
                 commander=t[10], roles={"scribe": t[11]}),
        Incident("INC-1", t[12], "P0", "investigating", "api-server", NOW - timedelta(minutes=30), "incident-log",
                 services=("api-server", t[13]), commander=t[14],
                 timeline=(TimelineEntry(NOW - timedelta(minutes=20), "note", t[15], t[0]),)),
    )
    runbooks = (Runbook("r.md", t[1], f"# {t[2]}\n\n- [ ] {t[3]}\n\n{t[4]}\n", t[5], ("api-server",),
                        date(2026, 11, 20)),)
    oncall = (OnCall("api-server", t[6], 1, t[7], NOW + timedelta(hours=2), "pagerduty"),)
    return SourceData(services=services, slos=(slo,), incidents=incidents, runbooks=runbooks, oncall=oncall)


def check_screen(app, where: str) -> None:
    """What the compositor would send to the terminal for the current screen."""
    for strip in app.screen._compositor.render_strips():
        for segment in strip:
            assert "\x1b" not in segment.text and unsafe_characters(segment.text) == [], (where, segment.text)
            meta = segment.style.meta if segment.style else {}
            assert "quit" not in str(meta.get("@click", "")), (where, meta)  # no action came from the data


async def visit_everything(app, pilot) -> None:
    await app.hub.refresh_all()
    await pilot.pause()
    check_screen(app, "overview")
    for key in "sbir":
        await pilot.press(key)
        await pilot.pause()
        check_screen(app, key)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        check_screen(app, f"{key} detail")
        await pilot.press("escape")
    await pilot.press("i", "c")
    await pilot.pause()
    check_screen(app, "card from an incident")
    await pilot.press("i", "u")
    await app.workers.wait_for_complete()
    await pilot.pause()
    check_screen(app, "runbook from an incident")
    for key in "pwo":
        await pilot.press(key)
        await pilot.pause()
        check_screen(app, key)
    await pilot.press("ctrl+p", *"a")
    await app.workers.wait_for_complete()
    await pilot.pause()
    check_screen(app, "palette")
    await pilot.press("escape")
    await pilot.pause()


def run_world(config, texts: list[str]) -> None:
    async def scenario() -> None:
        hub = Hub([CannedSource("world", hostile_world(texts))], clock=fixed_clock(), user=config.user)
        app = make_app(config, hub=hub, clock=fixed_clock())
        async with app.run_test(size=SIZE) as pilot:
            await visit_everything(app, pilot)
            assert app.is_running and app.current_panel.panel_id == "overview"
            assert app.broken_panels == set()

    asyncio.run(scenario())


@example(texts=["".join(PIECES[n::4]) for n in range(4)])
@settings(max_examples=2, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(texts=st.lists(hostile_text, min_size=3, max_size=16))
def test_every_panel_draws_hostile_strings_literally(config, texts):
    run_world(config, texts)
