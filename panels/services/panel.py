"""The Services panel: the table of every catalog service, and the card of
the one chosen. esc walks back through the cards, then to the table; x on
a card flips one of the service's kill switches (asked first, the flag named)."""

from __future__ import annotations

from datetime import datetime

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import ContentSwitcher

from cockpit.model import Flag, Snapshot
from cockpit.activity import SERVICE_CARD
from cockpit.panels.services.card import ServiceCard
from cockpit.panels.services.flags import KILL_SWITCH, flip_action, flip_question, kill_switches
from cockpit.panels.services.rows import COLUMNS, ServiceLine, service_line, service_row
from cockpit.service_index import Index
from cockpit.ui.widgets.dialogs import ChoicePrompt, ConfirmPrompt
from cockpit.ui.widgets.filter_table import FilterTable
from cockpit.ui.widgets.links import LinkList
from cockpit.ui.widgets.messages import Opened, Origin, PerformAction
from cockpit.ui.widgets.panel import Panel, PanelContext
from cockpit.ui.widgets.rows import RowMemo


class ServicesPanel(Panel):
    panel_id = "services"
    feeds = frozenset({"catalog", "oncall", "flags", "backups"})
    title = "Services"
    BINDINGS = [Binding("x", "kill_switch", "Kill switch", id="services.kill_switch")]

    def __init__(self, context: PanelContext) -> None:
        super().__init__(context)
        self.card_stack: list[str] = []  # services whose cards were opened, last = shown
        # The first card came from another panel (drill-down, palette): esc on
        # it returns there rather than to this table (k9s' back).
        self.entered_directly = False
        self._rows = RowMemo(service_row)

    def compose(self) -> ComposeResult:
        with ContentSwitcher(initial="services-table"):
            yield FilterTable(COLUMNS, id="services-table", placeholder="filter services")
            yield ServiceCard(id="service-card")

    @property
    def shown_service(self) -> str | None:
        return self.card_stack[-1] if self.card_stack else None

    def derive(self, snapshot: Snapshot, index: Index, now: datetime) -> list[ServiceLine]:
        return [service_line(s, index, now) for s in sorted(index.services.values(), key=lambda s: s.name)]

    def refresh_view(self) -> None:
        if self.index is None or not self.is_mounted:
            return
        self.query_one(FilterTable).set_rows(self._rows.rows(self.derived))
        self._show_card()

    def _show_card(self) -> None:
        switcher = self.query_one(ContentSwitcher)
        name = self.shown_service
        service = self.index.services.get(name) if (self.index and name) else None
        self.refresh_bindings()
        if service is None:
            switcher.current = "services-table"
            return
        self.query_one(ServiceCard).show(service, self.index, self.now)
        switcher.current = "service-card"

    def _kill_switches(self) -> list[Flag]:
        """The shown card's kill switches whose source takes the flip (none read-only)."""
        service = self.index.services.get(self.shown_service or "") if self.index else None
        if service is None:
            return []
        return [f for f in kill_switches(service, self.index) if self.capabilities.can(KILL_SWITCH, f.source)]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "kill_switch":
            return bool(self._kill_switches())  # offered on a card with one, never read-only
        return True

    def action_kill_switch(self) -> None:
        switches = self._kill_switches()
        service = self.shown_service or ""
        if len(switches) == 1:
            self._confirm_flip(switches[0], service)
        elif switches:
            def chosen(key: str | None) -> None:
                flag = next((f for f in switches if f.key == key), None)
                if flag is not None:
                    self._confirm_flip(flag, service)
            self.app.push_screen(ChoicePrompt(f"Which kill switch of {service}?", [f.key for f in switches]), chosen)

    def _confirm_flip(self, flag: Flag, service: str) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                self.post_message(PerformAction(flag.source, flip_action(flag)))
        self.app.push_screen(ConfirmPrompt(flip_question(flag, service)), answered)

    def open_card(self, name: str, *, directly: bool = False) -> bool:
        if self.index is None or name not in self.index.services:
            return False
        if not self.card_stack:
            self.entered_directly = directly
        if self.shown_service != name:
            self.card_stack.append(name)
        self.query_one(FilterTable).select_key(name)
        self.post_message(Opened(SERVICE_CARD, name))  # the card shows the escalation path: onboarding counts it
        self._show_card()
        self.query_one(LinkList).focus()
        return True

    @on(FilterTable.Chosen)
    def _chosen(self, event: FilterTable.Chosen) -> None:
        event.stop()
        self.open_card(event.key)

    def focus_item(self, ref: str, origin: Origin | None = None) -> bool:
        return self.open_card(ref, directly=not self.card_stack)

    def back(self) -> bool:
        if not self.card_stack:
            return False
        self.card_stack.pop()
        self._show_card()
        if self.card_stack:
            self.query_one(LinkList).focus()
            return True
        self.query_one(FilterTable).focus()
        return not self.entered_directly
