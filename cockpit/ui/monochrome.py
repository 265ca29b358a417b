"""No colour that stays readable: NO_COLOR=1 and the "monochrome" theme.

Textual's NO_COLOR filter maps each colour to its grey, so bold red (P1,
"firing") on a dark background comes out colour 237 on 235. This filter
does the same but keeps text legible: a grey too close to its background
becomes white (or black on a light one). Severity and state then read by
their text (P1, firing) and weight (bold), which the badges carry anyway.
"""

from __future__ import annotations

from functools import lru_cache

from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.filter import LineFilter
from textual.theme import Theme

MONOCHROME = "monochrome"
MIN_CONTRAST = 0.45  # brightness difference (0-1) below which text turns white or black
_WHITE, _BLACK = Color(255, 255, 255), Color(0, 0, 0)

MONOCHROME_THEME = Theme(
    name=MONOCHROME, dark=True,
    primary="#d0d0d0", secondary="#a8a8a8", accent="#ffffff", warning="#e4e4e4", error="#ffffff",
    success="#bcbcbc", foreground="#e4e4e4", background="#000000", surface="#121212", panel="#262626",
)


class ReadableMonochrome(LineFilter):
    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [Segment(text, _readable(style, background), None) for text, style, _ in segments]


@lru_cache(4096)
def _readable(style: Style | None, background: Color) -> Style | None:
    if style is None:
        return None
    back = (Color.from_rich_color(style.bgcolor) if style.bgcolor is not None else background).monochrome
    fore = None
    if style.color is not None:
        fore = Color.from_rich_color(style.color).monochrome
        if abs(fore.brightness - back.brightness) < MIN_CONTRAST:
            fore = _WHITE if back.brightness < 0.5 else _BLACK
    return style + Style.from_color(fore.rich_color if fore is not None else None,
                                    back.rich_color if style.bgcolor is not None else None)
