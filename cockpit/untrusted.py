"""The one place untrusted text is made safe to show.

Alert labels, incident titles, runbook bodies and anything else a source
returns may hold terminal escape sequences, control characters, bidi
overrides or zero-width characters. They are removed here; callers then
render the result literally (never as markup: ``panels.base.literal``).
"""

from __future__ import annotations

import re

# CSI / OSC / DCS / single-char ESC sequences, in 7-bit and 8-bit form (an
# OSC's payload goes with it), then any C0/C1 control except tab and newline.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"          # CSI ... final byte
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC ... BEL or ST
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"   # DCS, SOS, PM, APC ... ST
    r"|\x1b[@-Z\\-_]?"                  # lone ESC or 2-char sequence
    r"|\x9b[0-?]*[ -/]*[@-~]"           # 8-bit CSI
    r"|\x9d[^\x07\x1b\x9c]*(?:\x07|\x9c|\x1b\\)?"  # 8-bit OSC
    r"|[\x90\x98\x9e\x9f][^\x1b\x9c]*(?:\x9c|\x1b\\)?"  # 8-bit DCS, SOS, PM, APC
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Unicode's invisible format characters (category Cf, as of the Unicode
# version test_untrusted checks): bidi overrides and isolates, which reorder
# what the terminal shows ("Trojan Source"), zero-width spaces and joiners,
# soft hyphens, the BOM, tag characters. They hide or disguise text.
_INVISIBLE = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U00013438"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)
# Lone surrogates (a non-UTF-8 byte in argv or a file read with
# surrogateescape) cannot be written to a UTF-8 terminal or file.
_SURROGATES = re.compile("[\ud800-\udfff]")


def clean(text: object, *, single_line: bool = False) -> str:
    """``text`` as a str with escape sequences, control and invisible format
    characters removed, lone surrogates replaced by U+FFFD and line breaks
    made "\\n" (``single_line``: runs of whitespace made one space)."""
    s = "" if text is None else str(text)
    # Fast path (10,000 alert titles per refresh): a printable str holds no
    # escape, control or line break, and its only whitespace is " " (Python
    # counts every other space character as unprintable).
    if s.isprintable() and not (single_line and ("  " in s or s[:1] == " " or s[-1:] == " ")):
        return s
    s = _ESCAPES.sub("", s)
    s = s.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    s = _CONTROLS.sub("", s)
    s = _INVISIBLE.sub("", s)
    s = _SURROGATES.sub("\ufffd", s)
    if single_line:
        s = " ".join(s.split())
    return s
