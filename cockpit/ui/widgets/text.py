"""Untrusted text drawn literally: the one way source, runbook and config
text reaches the screen (escapes stripped, never parsed as markup)."""

from __future__ import annotations

from typing import Sequence

from rich.text import Text

from cockpit.untrusted import clean


def literal(value: object, style: str = "", *, single_line: bool = True) -> Text:
    """Untrusted text as a Rich Text: escapes stripped, never parsed as markup."""
    return Text(clean(value, single_line=single_line), style=style)


def update_if_changed(widget, text: Text) -> None:
    """``widget.update(text)`` unless it already shows that Text: an update
    repaints the widget, and over SSH every refresh re-sent each bar and
    block (~3.5 KB) whether anything had changed or not."""
    if getattr(widget, "_shown_text", None) != text:
        widget._shown_text = text
        widget.update(text)


def line(*parts: Text | str) -> Text:
    """Join pieces into one Text, each keeping its own style (appending to a
    styled Text would otherwise spread its style over everything after it).
    Plain strings here are the cockpit's own words, not untrusted data."""
    text = Text(no_wrap=True, overflow="ellipsis")
    for part in parts:
        if isinstance(part, Text):
            text.append_text(part)
        else:
            text.append(part)
    return text


def highlighted_line(line_text: str, spans: Sequence[tuple[int, int]], *, lead: int | None = None) -> Text:
    """An untrusted line with every span highlighted (cleaned piece by piece,
    so the highlights stay on the right characters), its indentation dropped.
    With ``lead``, at most that many characters are kept before the first
    span (the cut marked "…"), so a match far along a long line is on screen."""
    text, pos = Text(), 0
    for start, end in spans:
        text.append(clean(line_text[pos:start]))
        text.append(clean(line_text[start:end]), style="bold reverse")
        pos = end
    text.append(clean(line_text[pos:]))
    # Leading indentation only wastes the column.
    text = text[len(text.plain) - len(text.plain.lstrip()):]
    first = next((i for i, span in enumerate(text.spans) if span.style == "bold reverse"), None)
    if lead is not None and first is not None and text.spans[first].start > lead:
        text = Text("…").append_text(text[text.spans[first].start - lead:])
    return text
