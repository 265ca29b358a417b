"""The one place untrusted text is made safe to show.

Alert labels, incident titles, runbook bodies and anything else a source
returns may hold terminal escape sequences or control characters. They are
removed here; callers then render the result literally (never as markup).
"""

from __future__ import annotations

import re

# CSI / OSC / DCS / single-char ESC sequences, then any C0/C1 control except
# tab and newline.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"          # CSI ... final byte
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC ... BEL or ST
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"   # DCS, SOS, PM, APC ... ST
    r"|\x1b[@-Z\\-_]?"                  # lone ESC or 2-char sequence
    r"|\x9b[0-?]*[ -/]*[@-~]"           # 8-bit CSI
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(text: object, *, single_line: bool = False) -> str:
    """``text`` as a str with escape sequences and control characters removed."""
    s = "" if text is None else str(text)
    # Fast path (10,000 alert titles per refresh): a printable str holds no
    # escape, control or line break, and its only whitespace is " " (Python
    # counts every other space character as unprintable).
    if s.isprintable() and not (single_line and ("  " in s or s[:1] == " " or s[-1:] == " ")):
        return s
    s = _ESCAPES.sub("", s)
    s = s.replace("\r\n", "\n").replace("\r", "\n")
    s = _CONTROLS.sub("", s)
    if single_line:
        s = " ".join(s.split())
    return s
