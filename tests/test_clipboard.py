"""OSC 52 copy: the sequence itself, and that the app writes exactly it."""

from __future__ import annotations

import base64

from textual.app import App

from cockpit.clipboard import copy, osc52


def test_osc52_is_esc_52_c_base64_bel():
    assert osc52("hello") == "\x1b]52;c;aGVsbG8=\a"
    url = "https://wiki.example/runbooks/über?x=1"
    sequence = osc52(url)
    assert sequence.startswith("\x1b]52;c;") and sequence.endswith("\a")
    assert base64.b64decode(sequence[7:-1]).decode("utf-8") == url


async def test_copy_goes_through_the_app_and_strips_escapes():
    app = App()
    async with app.run_test() as pilot:
        written: list[str] = []
        app._driver.write = written.append  # the terminal: what Textual sends it
        copied = copy(app, "https://wiki.example/rb\x1b]52;c;evil\a \x1b[31mred")
        await pilot.pause()
    assert copied == "https://wiki.example/rb red"
    assert osc52(copied) in written
    assert app.clipboard == copied
