"""Terminals without colour: NO_COLOR=1 and the monochrome theme keep P1 and
"firing" readable (a grey that stands out from its background, and bold);
the theme chosen in the palette, or the config's, is there at the next start."""

from __future__ import annotations

import io

from rich.console import Console
from rich.style import Style
from textual.color import Color
from textual.filter import monochrome_style

from cockpit.clock import DEMO_TIME
from cockpit.config import BUNDLED_CONFIG, load_config
from cockpit.ui.app import make_app
from cockpit.ui.monochrome import MIN_CONTRAST, MONOCHROME
from cockpit.ui.widgets.badges import SEVERITY_STYLES, STATUS_STYLES

SIZE = (80, 24)


def _config(tmp_path, theme: str = ""):
    config = load_config(BUNDLED_CONFIG)
    from dataclasses import replace

    return replace(config, data_dir=tmp_path / "data", audit_log=tmp_path / "audit.jsonl", theme=theme)


def _segments(app):
    """What the screen shows, as styled segments, line filters applied (as a terminal gets them)."""
    render = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens, simplify=True)
    console = Console(width=SIZE[0], height=SIZE[1], record=True, file=io.StringIO(), color_system="truecolor",
                      force_terminal=True, legacy_windows=False)
    console.print(render)
    return [s for s in console._record_buffer if s.text.strip() and s.style is not None]


def _contrast(style) -> float:
    return abs(Color.from_rich_color(style.color).brightness - Color.from_rich_color(style.bgcolor).brightness)


def test_textuals_own_no_color_greys_make_p1_unreadable():
    """What this guards against: Textual's grey of bold red on the dark background."""
    background = Color.parse("#121212").rich_color
    greyed = monochrome_style(Style.parse(SEVERITY_STYLES["P1"]) + Style(bgcolor=background))
    assert _contrast(greyed) < MIN_CONTRAST


async def _words_on_incidents(app, pilot) -> dict[str, list]:
    await pilot.pause()
    await pilot.press("i")
    await pilot.pause()
    found: dict[str, list] = {}
    for segment in _segments(app):
        for word in ("P1", "firing"):
            if segment.text.strip() == word:
                found.setdefault(word, []).append(segment.style)
    return found


async def test_no_color_keeps_p1_and_firing_readable(tmp_path, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(_config(tmp_path), clock=lambda: DEMO_TIME)
    async with app.run_test(size=SIZE) as pilot:
        found = await _words_on_incidents(app, pilot)
        assert set(found) == {"P1", "firing"}, found
        for word, styles in found.items():
            for style in styles:
                assert style.color.get_truecolor()[:1] * 3 == style.color.get_truecolor()[:3], (word, style)  # grey
                assert _contrast(style) >= MIN_CONTRAST, (word, style)
                assert style.bold, (word, style)


async def test_the_monochrome_theme_greys_every_colour_and_stays_readable(tmp_path):
    app = make_app(_config(tmp_path, theme=MONOCHROME), clock=lambda: DEMO_TIME)
    async with app.run_test(size=SIZE) as pilot:
        found = await _words_on_incidents(app, pilot)
        assert app.theme == MONOCHROME
        for style in (s.style for s in _segments(app) if s.style is not None):
            for colour in (style.color, style.bgcolor):
                if colour is not None:
                    r, g, b = colour.get_truecolor()
                    assert r == g == b, style
        assert all(_contrast(style) >= MIN_CONTRAST and style.bold for styles in found.values() for style in styles)
    assert STATUS_STYLES["firing"].startswith("bold")


async def test_the_theme_chosen_is_there_at_the_next_start(tmp_path):
    app = make_app(_config(tmp_path), clock=lambda: DEMO_TIME)
    async with app.run_test(size=SIZE) as pilot:
        app.theme = "nord"  # what the palette's "Theme" command does
        await pilot.pause()
    again = make_app(_config(tmp_path), clock=lambda: DEMO_TIME)
    async with again.run_test(size=SIZE):
        assert again.theme == "nord"


async def test_a_changed_config_theme_wins_over_an_old_choice(tmp_path):
    app = make_app(_config(tmp_path, theme="gruvbox"), clock=lambda: DEMO_TIME)
    async with app.run_test(size=SIZE) as pilot:
        assert app.theme == "gruvbox"
        app.theme = "nord"
        await pilot.pause()
    same = make_app(_config(tmp_path, theme="gruvbox"), clock=lambda: DEMO_TIME)
    async with same.run_test(size=SIZE):
        assert same.theme == "nord"  # the choice made over this config is kept
    edited = make_app(_config(tmp_path, theme=MONOCHROME), clock=lambda: DEMO_TIME)
    async with edited.run_test(size=SIZE):
        assert edited.theme == MONOCHROME


async def test_an_unknown_theme_warns_and_keeps_the_default(tmp_path):
    app = make_app(_config(tmp_path, theme="no-such-theme"), clock=lambda: DEMO_TIME)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == "textual-dark"
        assert any("no-such-theme" in n.message for n in app._notifications)
