"""run_app on a broken config, the screenshots command, and a panel bug."""

from __future__ import annotations

from pathlib import Path

from cockpit.ui.app import run_app
from cockpit.commands.screenshots import run_screenshots
from cockpit.panels.services import ServicesPanel
from tests.ui.conftest import settle
from tests.ui.helpers import screen_text

COMMITTED = Path(__file__).resolve().parents[2] / "screenshots"


def test_run_app_reports_config_problems_and_exits_2(tmp_path, capsys):
    broken = tmp_path / "cockpit.yaml"
    broken.write_text("refresh: 30s\nsources:\n  - {kind: no-such-kind}\n", encoding="utf-8")
    assert run_app(str(broken)) == 2
    err = capsys.readouterr().err
    assert f"{broken}:3:" in err and "no-such-kind" in err
    assert "Traceback" not in err


def test_screenshots_match_the_committed_ones(tmp_path):
    """The pictures are deterministic, so a fresh run must equal what is
    committed under screenshots/ (the README shows those)."""
    assert run_screenshots(str(tmp_path)) == 0
    names = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.svg"))
    views = {"overview.svg", "services.svg", "service-card.svg", "slos.svg", "slo-detail.svg", "help.svg",
             "declare-form.svg", "palette.svg", "resolve-confirm.svg", "runbook-search.svg",
             "service-card-flags.svg", "kill-switch-confirm.svg",
             "oncall.svg", "oncall-pages.svg", "oncall-retro.svg", "tour.svg"}
    assert views | {f"80x24/{view}" for view in views} <= set(names)  # both sizes, dialogs too
    for name in names:
        svg = (tmp_path / name).read_text(encoding="utf-8")
        assert "\x1b" not in svg
        committed = COMMITTED / name
        assert committed.is_file() and svg == committed.read_text(encoding="utf-8"), \
            f"screenshots/{name} is out of date: run `make screenshots` and look at the result"
    assert "DEMO" in (tmp_path / "overview.svg").read_text(encoding="utf-8")


async def test_a_panel_that_fails_to_render_does_not_stop_the_others(app_factory, monkeypatch):
    def broken(self):
        raise RuntimeError("bug in a panel")

    monkeypatch.setattr(ServicesPanel, "refresh_view", broken)
    app = app_factory()
    told = []
    app.notify = lambda message, **options: told.append(message)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("s")  # shown, it is given the snapshot: it cannot render
        await settle(app, pilot)
        assert told == ["Services: cannot render (RuntimeError)"]  # said once, not per refresh
        await pilot.press("o")
        text = screen_text(app)
        assert "By severity" in text and "exhausted" in text  # the overview still renders
        await pilot.press("b")
        assert app.query_one("#slos-table").shown_keys  # and so does the SLO table
