"""The declare form: title, severity, service, roles in one dialog.

Keyboard only: tab and enter move between fields, enter on a role
declares, esc cancels (None)."""

from __future__ import annotations

from typing import Iterable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from cockpit.model import ROLES, SEVERITIES
from cockpit.ui.widgets.text import literal


class DeclareForm(ModalScreen[dict | None]):
    """Declare a new incident: title, severity, service (from the catalog),
    commander, and optionally scribe and comms. Dismisses with the
    incident-log ``declare`` params, every role included (blank = nobody,
    or you for commander), so the incident and its roles are one write."""

    DEFAULT_CSS = """
    DeclareForm { align: center middle; }
    /* compact fields: the whole form fits an 80x24 terminal */
    DeclareForm > Vertical {
        width: 72; max-width: 100%; height: auto; max-height: 100%;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    DeclareForm .form-title { text-style: bold; }
    DeclareForm .form-label { color: $text-muted; margin-top: 1; }
    DeclareForm .form-error { color: $error; height: auto; }
    DeclareForm .form-help { color: $text-muted; margin-top: 1; }
    DeclareForm #roles { height: auto; }
    DeclareForm #roles > Vertical { width: 1fr; height: auto; margin-right: 1; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="form.cancel")]

    def __init__(self, services: Iterable[str], commander: str = "", severity: str = "P2") -> None:
        super().__init__()
        self._services = sorted(services)
        self._commander = commander
        self._severity = severity if severity in SEVERITIES else "P2"

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Declare an incident", classes="form-title")
            yield Label("Title", classes="form-label")
            yield Input(placeholder="what is broken, in a few words", id="title", compact=True)
            yield Label("Severity", classes="form-label")
            yield Select([(s, s) for s in SEVERITIES], value=self._severity, allow_blank=False, id="severity",
                         compact=True)
            yield Label("Service (type to search; blank = not known yet)", classes="form-label")
            yield Select([(literal(name), name) for name in self._services], prompt="(none)", id="service",
                         compact=True)
            # One row for the roles: the form still fits 80x24.
            with Horizontal(id="roles"):
                for role in ROLES:
                    with Vertical():
                        yield Label(role.capitalize(), classes="form-label")
                        yield Input(value=self._commander if role == "commander" else "", id=role, compact=True,
                                    placeholder="who leads" if role == "commander" else "(optional)")
            yield Static("", classes="form-error")
            yield Label("tab/enter: next field   enter on a role: declare   esc: cancel", classes="form-help")

    def on_mount(self) -> None:
        self.query_one("#title", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted, "#title")
    def _next_field(self, event: Input.Submitted) -> None:
        # Severity matters too much to default it by pressing enter too early.
        event.stop()
        self.focus_next()

    @on(Input.Submitted, "#roles Input")
    def _submit(self, event: Input.Submitted) -> None:
        event.stop()
        title = self.query_one("#title", Input).value.strip()
        if not title:
            self.query_one(".form-error", Static).update("A title is required.")
            self.query_one("#title", Input).focus()
            return
        service = self.query_one("#service", Select).value
        self.dismiss({
            "title": title,
            "severity": self.query_one("#severity", Select).value,
            "services": [] if service is Select.NULL else [service],
            **{role: self._person(role) for role in ROLES},
        })

    def _person(self, role: str) -> str:
        return self.query_one(f"#{role}", Input).value.strip()
