"""The panel tabs keep every panel's key on screen however many panels there are."""

from textual.app import App

from cockpit.ui.bars import PanelTabs

TABS = [(f"p{n}", key, title) for n, (key, title) in enumerate(
    [("o", "Overview"), ("s", "Services"), ("b", "SLOs"), ("i", "Incidents"), ("r", "Runbooks"),
     ("p", "Postmortems"), ("w", "Onboarding"), ("a", "Decisions"), ("D", "Docs"), ("O", "On-call")])]


class TabsApp(App):
    def compose(self):
        yield PanelTabs(TABS)


async def shown_tabs(width: int, current: str) -> str:
    app = TabsApp()
    async with app.run_test(size=(width, 5)) as pilot:
        app.query_one(PanelTabs).show_current(current)
        await pilot.pause()
        return app.query_one(PanelTabs).render().plain


async def test_wide_screen_shows_every_title_whole():
    assert await shown_tabs(160, "p3") == " ".join(f"{key} {title}" for _, key, title in TABS)


async def test_at_80_columns_the_others_are_cut_and_the_current_stays_whole():
    shown = await shown_tabs(80, "p5")
    assert len(shown) <= 80 and "…" not in shown
    assert "p Postmortems" in shown and "s Serv " in shown and "O On-c" in shown


async def test_very_narrow_keeps_only_the_keys_of_the_others():
    shown = await shown_tabs(40, "p9")
    assert shown == "o s b i r p w a D O On-call"


async def test_at_80_columns_healthy_sources_become_a_count_and_the_clock_stays():
    from datetime import datetime, timezone

    from cockpit.model import Snapshot, SourceHealth
    from cockpit.ui.bars import SourceBar

    class BarApp(App):
        def compose(self):
            yield SourceBar()

    sources = tuple(SourceHealth(name, name, "ok") for name in
                    ("catalog", "runbooks", "adrs", "glossary", "incident-log", "flags"))
    broken = SourceHealth("alertmanager", "alertmanager", "failing", error="cannot connect")
    snapshot = Snapshot(datetime(2026, 12, 3, 3, 0, tzinfo=timezone.utc), sources=sources + (broken,))
    app = BarApp()
    async with app.run_test(size=(80, 5)) as pilot:
        app.query_one(SourceBar).show(snapshot, snapshot.taken_at, read_only=True)
        await pilot.pause()
        shown = app.query_one(SourceBar).render().plain
    assert shown.startswith(" ● 6 ok ● alertmanager ") and "READ-ONLY" in shown and shown.rstrip().endswith("03:00Z")
