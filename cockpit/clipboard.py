"""Copy to the clipboard of the terminal the user sits at, even over SSH:
OSC 52 (``ESC ] 52 ; c ; <base64> BEL``) asks the terminal itself to set it.

Textual 8's App.copy_to_clipboard already writes exactly this sequence to
its driver, so ``copy`` goes through it; ``osc52`` is the sequence spelled
out, for tests and for anyone printing it outside the app.
"""

from __future__ import annotations

import base64
from typing import Protocol

from cockpit.untrusted import clean


class _CanCopy(Protocol):
    def copy_to_clipboard(self, text: str) -> None: ...


def osc52(text: str) -> str:
    """The OSC 52 sequence that puts ``text`` on the system clipboard ("c")."""
    return "\x1b]52;c;" + base64.b64encode(text.encode("utf-8")).decode("ascii") + "\a"


def copy(app: _CanCopy, text: str, *, single_line: bool = True) -> str:
    """Put ``text`` (untrusted: escapes stripped; one line unless asked for
    several, e.g. a whole document) on the clipboard through the app's OSC 52
    writer; returns what was copied."""
    value = clean(text, single_line=single_line)
    app.copy_to_clipboard(value)
    return value
