"""A detail view's selectable lines: sections of links, enter on one asks
the app to show what it names."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.geometry import Region
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from cockpit.ui.widgets.messages import Navigate
from cockpit.ui.widgets.rows import plain, shown_cell


@dataclass(frozen=True)
class Link:
    """One selectable line of a detail view: enter navigates to (panel, ref)."""

    label: Text | str
    panel: str
    ref: str


class LinkList(OptionList):
    """Sections of links (depends-on, SLOs, incidents, runbooks ...); enter on
    one posts ``Navigate``. Section titles and "none" lines are not selectable."""

    help_group = "links"

    DEFAULT_CSS = """
    LinkList { height: 1fr; border: none; padding: 0; text-wrap: nowrap; text-overflow: ellipsis; }
    LinkList:focus { border: none; }
    """
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="links.down"),
        Binding("k", "cursor_up", "Up", show=False, id="links.up"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._links: list[Link] = []
        self._sections: tuple = ()

    def set_sections(self, sections: Sequence[tuple[str, Sequence[Link]]]) -> None:
        """Replace the content (only when it changed, so the cursor stays put)."""
        key = tuple((title, tuple((plain(l.label), l.panel, l.ref) for l in links)) for title, links in sections)
        if key == self._sections:
            return
        self._sections = key
        highlighted = self.highlighted
        self._links = []
        options: list[Option] = []
        for title, links in sections:
            options.append(Option(Text(title, style="bold underline"), disabled=True))
            if not links:
                options.append(Option(Text("  none", style="dim"), disabled=True))
            for link in links:
                options.append(Option(Text("  ").append_text(shown_cell(link.label)), id=f"link-{len(self._links)}"))
                self._links.append(link)
        if self._same_lines(options):
            self._redraw_changed(options)
            return
        self.clear_options()
        self.add_options(options)
        enabled = [i for i, option in enumerate(options) if not option.disabled]
        if enabled:
            self.highlighted = highlighted if highlighted in enabled else enabled[0]

    def _same_lines(self, options: list[Option]) -> bool:
        """The same lines as shown, only some words on them differ (an
        incident's status, an age)."""
        return len(options) == self.option_count and all(
            (old.id, old.disabled) == (new.id, new.disabled) for old, new in zip(self.options, options))

    def _redraw_changed(self, options: list[Option]) -> None:
        """New words on the changed lines, and only those lines redrawn: a
        terminal over SSH receives one line, not the whole list. (Options
        are one line each: text-wrap is off.)"""
        changed = [index for index, (old, new) in enumerate(zip(self.options, options)) if old.prompt != new.prompt]
        for index in changed:
            self.options[index]._set_prompt(options[index].prompt)
        self._option_render_cache.clear()  # rendered lines are cached by option: rendered again when redrawn
        scroll_y = round(self.scroll_y)
        for index in changed:
            self.refresh(Region(0, self._index_to_line[index] - scroll_y, self.size.width, 1))

    @property
    def links(self) -> list[Link]:
        return list(self._links)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._navigate_to(self._links[int((event.option.id or "link-0").removeprefix("link-"))])

    def _navigate_to(self, link: Link) -> None:
        self.post_message(Navigate(link.panel, link.ref))
