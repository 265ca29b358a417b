"""The reference for start-up and idle bytes: a bare Textual app (Header,
Static, Footer) showing the marker the cockpit benchmarks wait for."""

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static

MARKER = "error budget burning"


class Bare(App):
    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(MARKER)
        yield Footer()


if __name__ == "__main__":
    Bare().run()
