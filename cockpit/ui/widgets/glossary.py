"""The glossary dialog: a list of terms and the definition of the one
highlighted (definition, context, synonyms, related), as the practices
guide writes them. Opened from a viewer with the terms its document uses,
or from the palette on one term; esc closes it."""

from __future__ import annotations

from typing import Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from cockpit.glossary_terms import terms_in
from cockpit.model import GlossaryTerm
from cockpit.ui.widgets.text import literal
from cockpit.untrusted import clean


def definition_text(term: GlossaryTerm) -> Text:
    text = literal(term.name, "bold")
    text.append("\n")
    text.append_text(literal(term.definition, single_line=False))
    for label, value in (("Context", term.context), ("Synonyms", ", ".join(term.synonyms)),
                         ("Related", ", ".join(term.related))):
        if value:
            text.append(f"\n{label}: ", style="dim").append_text(literal(value))
    return text


class GlossaryScreen(ModalScreen[None]):
    """``terms`` listed, ``chosen`` (a term's name) highlighted first."""

    DEFAULT_CSS = """
    GlossaryScreen { align: center middle; }
    GlossaryScreen > Vertical {
        width: 76; max-width: 95%; height: auto; max-height: 90%;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    GlossaryScreen .glossary-title { text-style: bold; }
    GlossaryScreen OptionList { height: auto; max-height: 8; margin-top: 1; }
    GlossaryScreen #glossary-definition-view { height: auto; max-height: 12; margin-top: 1; }
    GlossaryScreen .glossary-hint { color: $text-muted; margin-top: 1; }
    """
    AUTO_FOCUS = "OptionList"  # the app turns auto-focus off; a dialog must take the keys at once
    BINDINGS = [Binding("escape", "close", "Close", id="glossary.close")]

    def __init__(self, title: str, terms: Sequence[GlossaryTerm], chosen: str | None = None) -> None:
        super().__init__()
        self.glossary_title = title
        self.terms = tuple(terms)
        self.chosen = chosen

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(literal(self.glossary_title), classes="glossary-title")
            yield OptionList(*(Option(literal(term.name), id=str(n)) for n, term in enumerate(self.terms)),
                             id="glossary-terms")
            with VerticalScroll(id="glossary-definition-view"):
                yield Static(id="glossary-definition")
            yield Label("up/down: term   esc: close", classes="glossary-hint")

    def on_mount(self) -> None:
        names = [term.name for term in self.terms]
        options = self.query_one(OptionList)
        options.highlighted = names.index(self.chosen) if self.chosen in names else 0
        self._show(options.highlighted)

    @on(OptionList.OptionHighlighted)
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self._show(event.option_index)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()  # the definition is already shown

    def _show(self, index: int | None) -> None:
        if index is not None and 0 <= index < len(self.terms):
            self.query_one("#glossary-definition", Static).update(definition_text(self.terms[index]))

    def action_close(self) -> None:
        self.dismiss(None)


def look_up_terms(widget, document: str, text: str, glossary: Sequence[GlossaryTerm]) -> None:
    """From a viewer: the glossary terms ``text`` uses, in a GlossaryScreen
    (or a line saying there are none)."""
    found = terms_in(text, glossary)
    if not glossary:
        widget.notify("No glossary: add a glossary source to the config.", severity="warning", timeout=4)
    elif not found:
        widget.notify(f"{clean(document, single_line=True)} uses no glossary term.", timeout=3, markup=False)
    else:
        widget.app.push_screen(GlossaryScreen(f"Glossary terms in {document}", found))
