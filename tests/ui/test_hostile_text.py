"""Hostile strings from sources, each where it used to do harm: shown
literally, and the app carries on."""

from __future__ import annotations

import re

from dataclasses import replace
from datetime import timedelta

from textual.command import CommandPalette

from cockpit.model import Incident, SourceData
from tests.ui.conftest import NOW, catalog
from tests.ui.helpers import screen_text

SIZE = (120, 36)


def alert(id: str, title: str, service: str) -> Incident:
    return Incident(id, title, "P1", "firing", service, NOW - timedelta(minutes=3), "am", kind="alert",
                    labels={"alertname": title, "service": service})


def with_incidents(*incidents: Incident, **changes) -> SourceData:
    return replace(catalog(), incidents=incidents, **changes)


def notifications(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def open_card_of(app, pilot, key: str) -> None:
    await app.hub.refresh_all()
    await pilot.pause()
    await pilot.press("i")
    panel = app.query_one("#incidents")
    assert panel.table.select_key(key)
    await pilot.press("c")
    await pilot.pause()


async def test_the_card_of_a_service_named_in_markup_says_it_is_missing_literally(app_factory):
    # It raised MarkupError ("[/]") and the app stopped; "[link=...]" became a link.
    names = ["[/]", "[link=https://evil.example]click[/link]", "\x1b]0;owned\x07api"]
    app = app_factory(catalog_data=with_incidents(*(alert(f"A{n}", "boom", name) for n, name in enumerate(names))))
    async with app.run_test(size=SIZE) as pilot:
        for n, name in enumerate(names):
            await open_card_of(app, pilot, f"am/A{n}")
            assert app.is_running
            await pilot.press("i")
        told = notifications(app)
        # The alerts are unowned (no catalog service has those names): said literally.
        assert 'This incident is unowned: service="[/]" names no catalog service.' in told
        assert ('This incident is unowned: service="[link=https://evil.example]click[/link]" names no catalog '
                'service.') in told
        assert 'This incident is unowned: service="api" names no catalog service.' in told  # the escape is gone
        assert "\x1b" not in "".join(told)


async def test_palette_hits_are_literal_and_markup_drops_none(app_factory):
    world = with_incidents(alert("Q1", "[@click=app.quit]quitter[/]", "api-server"),
                           runbooks=(*catalog().runbooks,))
    world = replace(world, runbooks=tuple(replace(r, title=f"[/] {r.title}") for r in world.runbooks))
    app = app_factory(catalog_data=world)
    async with app.run_test(size=SIZE) as pilot:
        await app.hub.refresh_all()
        await pilot.pause()
        await pilot.press("ctrl+p", *"quitter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        prompts = [option.prompt for option in palette.query_one("CommandList").options]
        [hit] = [p for p in prompts if "quitter" in p.plain]
        assert "[@click=app.quit]quitter[/]" in hit.plain
        assert not any("@click" in str(span.style) for span in hit.spans)  # nothing to click
        await pilot.click("CommandList", offset=(8, 0))  # on the hit's text: no action of its own
        await pilot.pause()
        assert app.is_running
        if isinstance(app.screen, CommandPalette):
            await pilot.press("escape")
        await pilot.press("ctrl+p", *"runbook failover")
        await app.workers.wait_for_complete()
        await pilot.pause()
        shown = [o.prompt.plain for o in app.screen.query_one("CommandList").options]
        assert any("[/] Postgres failover" in p for p in shown)  # "[/]" used to drop every runbook hit


async def test_a_repetitive_long_title_does_not_stall_the_palette(app_factory):
    # Textual's fuzzy matcher tries every way to pick the letters: 14 s on this title.
    app = app_factory(catalog_data=with_incidents(alert("R1", "ab" * 2500, "api-server")))
    async with app.run_test(size=SIZE) as pilot:
        await app.hub.refresh_all()
        await pilot.pause()
        await pilot.press("ctrl+p", *"aaaaab")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any(o.prompt.plain.startswith("alert R1") for o in app.screen.query_one("CommandList").options)


async def test_a_5000_character_owner_leaves_the_other_columns_on_screen(app_factory):
    services = tuple(replace(s, owner="o" * 5000) if s.name == "api-server" else s for s in catalog().services)
    app = app_factory(catalog_data=replace(catalog(), services=services))
    async with app.run_test(size=(100, 30)) as pilot:
        await app.hub.refresh_all()
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        text = screen_text(app)
        assert "On call now" in text and "SLO tier" in text
        # Cut with an ellipsis: at most FIT_MAX_WIDTH, less where the screen needs the room.
        assert re.search("(?<!o)o{11,39}…", text)


async def test_bidi_and_zero_width_characters_never_reach_the_screen(app_factory):
    title = "pay\u200bments \u202eevil\u202c \ufeffdown"
    app = app_factory(catalog_data=with_incidents(alert("B1", title, "api-server")))
    async with app.run_test(size=SIZE) as pilot:
        await app.hub.refresh_all()
        await pilot.pause()
        await pilot.press("i")
        await pilot.pause()
        text = screen_text(app)
        assert "payments evil down" in text
        assert not any(c in text for c in "\u200b\u202e\u202c\ufeff")
