"""Reading what is on screen, the way a user would see it."""

from __future__ import annotations

import html
import re

_TEXT = re.compile(r"<text[^>]*>(.*?)</text>", re.S)


def screen_text(app) -> str:
    """Every character on the current screen, in reading order (from the
    SVG export, so it is what a terminal would show)."""
    svg = app.export_screenshot()
    return "".join(html.unescape(t) for t in _TEXT.findall(svg)).replace("\xa0", " ")
