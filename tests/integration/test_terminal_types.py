"""The app in the terminals people SSH from: a 16-colour `TERM=xterm` and
`TERM=screen` (tmux's default), through a real pty at 80x24: it draws the
demo, a panel key switches panels, q exits cleanly, and with 16 colours it
sends no 256-colour or true-colour escape the terminal would misdraw."""

from __future__ import annotations

import os
import re

import pytest
from pty_app import app_in_pty, wait_for

# SGR parameters choosing an indexed (38;5 / 48;5) or RGB (38;2 / 48;2) colour.
EXTENDED_COLOUR = re.compile(rb"\x1b\[[0-9;]*[34]8;[25];")


@pytest.mark.parametrize("term", ["xterm", "screen"])
def test_the_app_draws_switches_panels_and_quits_in_a_16_colour_terminal(term, tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in ("COLORTERM", "NO_COLOR")}
    env.update(TERM=term, XDG_STATE_HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path))
    with app_in_pty([], env, tmp_path) as (process, screen, master):
        wait_for(lambda: b"Quit" in screen and b"DEMO" in screen, "the demo on screen")
        drawn = len(screen)
        os.write(master, b"r")
        wait_for(lambda: b"Review due" in screen[drawn:], "the Runbooks panel")
        os.write(master, b"q")
        process.wait(timeout=30)
    assert process.returncode == 0
    assert b"Traceback" not in screen
    assert not EXTENDED_COLOUR.search(bytes(screen)), "a 256-colour or true-colour escape in a 16-colour terminal"
