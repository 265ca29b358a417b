"""The Incidents panel: open incidents and firing alerts from every source in
one table (filtered by alert state and label matchers, optionally grouped), a
detail view with the timeline and who to call, and the writes the app sends
through the hub: the commander's (declare, roles, note, status, resolve),
silences for alerts and acknowledgements for PagerDuty incidents."""

from __future__ import annotations


from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from cockpit.alerts import AlertGroup, MatcherError
from cockpit.clipboard import copy
from cockpit.model import INCIDENT_STATUSES, ROLES, Incident, incident_key
from cockpit.panels.incidents.declare import DeclareForm
from cockpit.panels.incidents.detail import incident_detail, runbook_for
from cockpit.panels.incidents.groups import GROUP_PREFIX, AlertView, group_key
from cockpit.panels.incidents.rows import COLUMNS, RowCache
from cockpit.panels.incidents.silences import SilencesScreen, ask_silence
from cockpit.ui.widgets.dialogs import ChoicePrompt, ConfirmPrompt, TextPrompt
from cockpit.ui.widgets.filter_table import FilterTable
from cockpit.ui.widgets.messages import ActionPerformed, DraftRequested, Navigate, Origin, PerformAction
from cockpit.ui.widgets.panel import ListDetailPanel, PanelContext
from cockpit.ui.widgets.row_table import RowTable
from cockpit.ui.widgets.text import update_if_changed
from cockpit.untrusted import clean
from cockpit.writes import Action

# Bindings named after the source action they perform (hidden when no source
# can), with what the action does, for "... which cannot <do it>".
WRITES = {"declare": "declare incidents", "role": "assign roles", "note": "take notes",
          "status": "change a status", "resolve": "resolve", "silence": "silence", "ack": "acknowledge"}
LOG_WRITES = frozenset({"role", "note", "status", "resolve"})  # the incident log's
ITEM_KEYS = frozenset({"service", "runbook", "postmortem", "copy_runbook"})  # need an incident highlighted


class IncidentsPanel(ListDetailPanel):
    """Modes: list, detail (one incident: ``detail_id``)."""

    panel_id = "incidents"
    feeds = frozenset({"incidents"})
    title = "Incidents"

    DEFAULT_CSS = """
    IncidentsPanel > #incident-detail { display: none; height: 1fr; padding: 0 1; }
    IncidentsPanel > #incidents-view { height: 1; padding: 0 1; }
    IncidentsPanel.-detail > #incident-detail { display: block; }
    IncidentsPanel.-detail > FilterTable, IncidentsPanel.-detail > #incidents-view { display: none; }
    """

    BINDINGS = [
        Binding("d", "declare", "Declare", id="incidents.declare"),
        Binding("R", "role", "Role", id="incidents.role"),
        Binding("n", "note", "Note", id="incidents.note"),
        Binding("t", "status", "Status", id="incidents.status"),
        Binding("x", "resolve", "Resolve", id="incidents.resolve"),
        Binding("c", "service", "Service", id="incidents.service"),
        Binding("u", "runbook", "Runbook", id="incidents.runbook"),
        Binding("m", "postmortem", "Postmortem", id="incidents.postmortem"),
        Binding("h", "toggle_resolved", "Show resolved", id="incidents.show_resolved", show=False),
        Binding("z", "silence", "Silence", id="incidents.silence"),
        Binding("a", "ack", "Ack", id="incidents.ack"),
        Binding("S", "silences", "Silences", id="incidents.silences"),
        Binding("f", "cycle_state", "State", id="incidents.state_filter"),
        Binding("equals_sign", "label_filter", "Labels", id="incidents.label_filter"),
        Binding("v", "cycle_grouping", "Group", id="incidents.grouping"),
        Binding("y", "copy_runbook", "Copy runbook URL", id="incidents.copy_runbook", show=False),
    ]

    def __init__(self, context: PanelContext) -> None:
        super().__init__(context)
        self.detail_id: str | None = None
        self.show_resolved = False
        self.view = AlertView()
        self._groups: dict[str, AlertGroup] = {}  # header row key -> group, as last listed
        self._focus_when_listed: str | None = None  # a just-declared incident
        self._rows = RowCache()  # the rows as last listed

    def compose(self) -> ComposeResult:
        yield Static(self.view.describe(), id="incidents-view")
        yield FilterTable(COLUMNS, id="incidents-table", placeholder="filter incidents")
        with VerticalScroll(id="incident-detail"):
            yield Static(id="incident-detail-body")

    @property
    def table(self) -> FilterTable:
        return self.query_one(FilterTable)

    # ---------------------------------------------------------------- view

    def listed(self) -> list[Incident | AlertGroup]:
        """What the table shows, in order: incidents, and alert groups when grouped."""
        if self.snapshot is None:
            return []
        # The hub lists incidents most severe first, then oldest first: the table's order.
        shown = [i for i in self.snapshot.incidents if self.show_resolved or i.is_open]
        return self.view.arrange(shown)

    def refresh_view(self) -> None:
        if self.snapshot is None or not self.is_mounted:
            return
        listed = self.listed()
        self._groups = {group_key(g): g for g in listed if isinstance(g, AlertGroup)}
        update_if_changed(self.query_one("#incidents-view", Static), self.view.describe())
        self.table.set_rows(self._rows.rows(listed, self.now))
        if self._focus_when_listed and self.focus_item(self._focus_when_listed):
            self._focus_when_listed = None
        elif self.detail_id is not None:
            self._render_detail()
        self.refresh_bindings()

    def incident(self, key: str | None) -> Incident | None:
        if key is None or self.snapshot is None:
            return None
        return next((i for i in self.snapshot.incidents if incident_key(i) == key), None)

    @property
    def selected(self) -> Incident | None:
        """The incident in the detail view, else the one under the cursor."""
        if self.detail_id is not None:
            return self.incident(self.detail_id)
        return self.incident(self.table.selected_key) if self.is_mounted else None

    @property
    def selected_group(self) -> AlertGroup | None:
        """The group whose header row is under the cursor (not in the detail view)."""
        if self.detail_id is not None or not self.is_mounted:
            return None
        return self._groups.get(self.table.selected_key or "")

    def focus_item(self, ref: str, origin: Origin | None = None) -> bool:
        found = next((i for i in (self.snapshot.incidents if self.snapshot else ())
                      if ref in (incident_key(i), i.id)), None)
        if found is None:
            return False
        if not found.is_open and not self.show_resolved:
            self.show_resolved = True
            self.refresh_view()
        self.table.select_key(incident_key(found))
        self.open_detail(incident_key(found))
        return True

    def open_detail(self, key: str) -> None:
        self.detail_id = key
        self.mode = "detail"
        self._render_detail()
        self.query_one("#incident-detail").focus()
        self.refresh_bindings()  # another incident (mode unchanged): its source's writes

    def back(self) -> bool:
        if self.detail_id is None:
            return False
        self.detail_id = None
        self.mode = "list"
        self.table.focus()
        return True

    def _render_detail(self) -> None:
        incident = self.incident(self.detail_id)
        body = self.query_one("#incident-detail-body", Static)
        if incident is None or self.index is None:
            body.update(Text("This incident is no longer listed by its source.", style="italic"))
            return
        body.update(incident_detail(incident, self.index, self.now))

    @on(FilterTable.Chosen, "#incidents-table")
    def _chosen(self, event: FilterTable.Chosen) -> None:
        event.stop()
        if not event.key.startswith(GROUP_PREFIX):  # a group header has no detail (z silences it)
            self.open_detail(event.key)

    @on(RowTable.RowHighlighted)
    def _moved(self) -> None:
        self.refresh_bindings()  # the writes available depend on the incident's source

    # ------------------------------------------------------------- bindings

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in WRITES and not self.capabilities.can(action):
            return False  # read-only, or no source takes it: the key is not offered at all
        if action == "silences":
            return bool(self.capabilities.listing("silences"))
        return True  # what does not apply to the highlighted item: unavailable()

    def unavailable(self, action: str) -> str:
        group, incident = self.selected_group, self.selected
        if action in WRITES and not self.capabilities.can(action):
            return ("Read-only mode: the cockpit writes nothing." if self.capabilities.read_only
                    else f"No configured source can {WRITES[action]}.")
        if action == "silence" and group is not None:
            return "" if self._group_sources(group) else f"No source of the alerts of {group.key} can silence them."
        if action == "declare" or (action not in WRITES and action not in ITEM_KEYS):
            return ""
        if incident is None:
            return "No incident highlighted." if group is None else "A group header: open one of its alerts first."
        if action in WRITES and not self._source_can(incident, action):
            what = "an alert" if incident.kind == "alert" else "an incident"
            hint = " Declare an incident (d) to track it." if incident.kind == "alert" and action in LOG_WRITES else ""
            return clean(f"{incident.id} is {what} from {incident.source}, which cannot {WRITES[action]}.{hint}",
                         single_line=True)
        if action == "copy_runbook" and not incident.runbook:
            return clean(f"{incident.id} names no runbook URL.", single_line=True)
        return ""

    def _source_can(self, incident: Incident | None, action: str) -> bool:
        return incident is not None and self.capabilities.can(action, incident.source)

    def _group_sources(self, group: AlertGroup) -> list[str]:
        """The sources holding the group's alerts that can silence them."""
        names = dict.fromkeys(a.source for a in group.alerts)
        return [name for name in names if self.capabilities.can("silence", name)]

    # -------------------------------------------------------------- actions

    def action_toggle_resolved(self) -> None:
        self.show_resolved = not self.show_resolved
        self.notify("showing resolved incidents too" if self.show_resolved else "showing open incidents only",
                    timeout=2)
        self.refresh_view()

    def action_cycle_state(self) -> None:
        self.view = self.view.next_state()
        self.refresh_view()

    @work(group="incidents-view", exclusive=True)
    async def action_label_filter(self) -> None:
        """Ask for matchers until they parse (esc keeps the current filter)."""
        text = self.view.matcher_text
        while True:
            text = await self.app.push_screen_wait(TextPrompt(
                "Label matchers (empty: any)", value=text, allow_empty=True,
                placeholder='{service="api-server", severity=~"crit.*"}  or  a=x b!=y'))
            if text is None:
                return
            try:
                self.view = self.view.with_matchers(text)
            except MatcherError as error:
                self.notify(f"label matchers: {error}", title="not applied", severity="error", timeout=10,
                            markup=False)
                continue
            self.refresh_view()
            return

    @work(group="incidents-view", exclusive=True)
    async def action_cycle_grouping(self) -> None:
        label = None
        if self.view.grouping == "alertmanager":  # next is "by label": which one?
            label = await self.app.push_screen_wait(TextPrompt("Group by label", value=self.view.group_label))
            if label is None:
                return
        self.view = self.view.next_grouping(label)
        self.refresh_view()

    @work(group="incident-writes")
    async def action_silence(self) -> None:
        group, incident = self.selected_group, self.selected
        if group is not None:
            params = await ask_silence(self.app, f"{len(group.alerts)} alerts of {group.key}")
            if params is not None:
                for source in self._group_sources(group):
                    self._perform(source, Action("silence", "", {**params, "matchers": group.matchers}))
        elif incident is not None:
            params = await ask_silence(self.app, incident.title or incident.id)
            if params is not None:
                self._perform(incident.source, Action("silence", incident.id, params))

    def action_ack(self) -> None:
        incident = self.selected
        if incident is not None:
            self._perform(incident.source, Action("ack", incident.id))

    def action_silences(self) -> None:
        self.app.push_screen(SilencesScreen(self.capabilities))

    def action_copy_runbook(self) -> None:
        incident = self.selected
        if incident is not None and incident.runbook:
            self.notify(f"copied {copy(self.app, incident.runbook)}", timeout=3, markup=False)

    def action_service(self) -> None:
        incident = self.selected
        if incident is None:
            return
        if not incident.service:
            why = f": {incident.service_hint} names no catalog service" if incident.service_hint else ""
            self.notify(clean(f"This incident is unowned{why}.", single_line=True), severity="warning",
                        markup=False)
            return
        self.post_message(Navigate("services", incident.service))

    def action_runbook(self) -> None:
        incident = self.selected
        if incident is None or self.index is None:
            return
        runbook = runbook_for(incident, self.index)
        if runbook is not None:
            self.post_message(Navigate("runbooks", runbook.path, origin=Origin(self.panel_id, incident_key(incident))))
        elif incident.runbook:  # its own runbook is elsewhere (a wiki): hand the URL over
            self.notify(f"No local runbook matches; copied to the clipboard: {copy(self.app, incident.runbook)}",
                        timeout=8, markup=False)
        else:
            self.notify("No runbook for this incident or its service.", severity="warning")

    def action_postmortem(self) -> None:
        incident = self.selected
        if incident is not None:
            self.post_message(DraftRequested(incident))

    def action_declare(self) -> None:
        services = self.index.services if self.index else {}
        self.app.push_screen(DeclareForm(services, commander=self.capabilities.user), self._declared)

    def _declared(self, params: dict | None) -> None:
        """One write, roles included: one audit line, and never an incident
        left without the roles the form named; the new incident is focused."""
        sources = self.capabilities.sources_that("declare")
        if params is not None and sources:
            self.post_message(PerformAction(sources[0], Action("declare", params=params), reply_to=self))

    @on(ActionPerformed)
    def _declared_incident(self, message: ActionPerformed) -> None:
        message.stop()
        if message.action.name == "declare" and message.result.ok and message.result.target:
            self._focus_when_listed = message.result.target
            self.refresh_view()  # the app may have shown the new snapshot already

    @work(group="incident-writes")
    async def action_role(self) -> None:
        """Who is commander, scribe or comms: which role, then who (you, unless changed)."""
        incident = self.selected
        if incident is None:
            return
        role = await self.app.push_screen_wait(ChoicePrompt(f"Role to assign in {incident.id}", ROLES))
        if role is None:
            return
        person = await self.app.push_screen_wait(TextPrompt(f"Who is {role} of {incident.id}?",
                                                            value=self.capabilities.user))
        if person:
            self._perform(incident.source, Action("role", incident.id,
                                                  {"role": role, "person": person, **_seen(incident)}))

    def action_note(self) -> None:
        incident = self.selected
        if incident is None:
            return

        def add(text: str | None) -> None:
            if text:
                self._perform(incident.source, Action("note", incident.id, {"text": text}))

        self.app.push_screen(TextPrompt(f"Note for {incident.id}", placeholder="what happened, what you did"), add)

    def action_status(self) -> None:
        incident = self.selected
        if incident is None:
            return

        def change(status: str | None) -> None:
            if status and status != incident.status:
                self._perform(incident.source, Action("status", incident.id, {"status": status, **_seen(incident)}))

        self.app.push_screen(ChoicePrompt(f"Status of {incident.id}", INCIDENT_STATUSES,
                                          selected=incident.status), change)

    def action_resolve(self) -> None:
        """A write nobody can take back from here: asked first, the incident named."""
        incident = self.selected
        if incident is None:
            return

        def resolve(yes: bool | None) -> None:
            if yes:
                self._perform(incident.source, Action("resolve", incident.id, _seen(incident)))

        self.app.push_screen(ConfirmPrompt(f"Resolve {incident.id} ({incident.severity}) {incident.title} "
                                           f"in {incident.source}?"), resolve)

    def _perform(self, source: str, action: Action) -> None:
        self.post_message(PerformAction(source, action))



def _seen(incident: Incident) -> dict:
    """The version the user saw, for sources that keep one: if someone else
    changed the incident since, the change is refused and they are told."""
    return {} if incident.version is None else {"version": incident.version}
