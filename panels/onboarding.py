"""Onboarding: the seed's on-call checklist with progress per section; ticking
an item saves at once, items worked on in the cockpit link there, and the
items the cockpit can see being done (runbooks and service cards of the
user's services opened, a drill completed) tick themselves."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option

from cockpit import activity
from cockpit.drills_done import completed_drills
from cockpit.onboarding import CHECKLIST, TITLE, ChecklistItem, Progress, Seen, load_progress, save_progress, seen_done
from cockpit.model import Snapshot
from cockpit.service_index import Index
from cockpit.user_services import user_services
from cockpit.ui.widgets.messages import Navigate, Origin
from cockpit.ui.widgets.panel import Panel, PanelContext
from cockpit.ui.widgets.text import literal

ITEMS = {item.id: item for section in CHECKLIST for item in section.items}


class ChecklistList(OptionList):
    """The items, under their section titles; space or enter ticks one."""

    BINDINGS = [
        Binding("space", "toggle", "Tick", id="onboarding.toggle"),
        Binding("j", "cursor_down", "Down", show=False, id="onboarding.down"),
        Binding("k", "cursor_up", "Up", show=False, id="onboarding.up"),
    ]

    def action_toggle(self) -> None:
        self.action_select()  # one path for space and enter: OptionSelected


class OnboardingPanel(Panel):
    panel_id = "onboarding"
    title = "Onboarding"

    DEFAULT_CSS = """
    OnboardingPanel #onboarding-user { padding: 0 1; text-style: bold; }
    OnboardingPanel #onboarding-progress { height: auto; padding: 0 1; margin-bottom: 1; }
    OnboardingPanel .section-progress { height: 1; }
    OnboardingPanel .section-progress > Label { width: 30; }
    OnboardingPanel .section-progress > .section-count { width: 12; }
    OnboardingPanel .section-progress > ProgressBar { width: auto; }
    OnboardingPanel ChecklistList { height: 1fr; border: none; }
    """

    BINDINGS = [Binding("l", "open_link", "Go there", id="onboarding.open_link")]

    def __init__(self, context: PanelContext) -> None:
        super().__init__(context)
        self.progress = Progress("", {})
        self.seen: dict[str, Seen] = {}  # what the cockpit saw of the items it watches

    def compose(self) -> ComposeResult:
        yield Static(id="onboarding-user")
        with Vertical(id="onboarding-progress"):
            for number, section in enumerate(CHECKLIST):
                with Horizontal(classes="section-progress"):
                    yield Label(literal(section.title))
                    yield ProgressBar(total=len(section.items), show_eta=False, show_percentage=False,
                                      id=f"progress-{number}")
                    yield Label("", id=f"count-{number}", classes="section-count")
        yield ChecklistList(id="onboarding-items")

    @property
    def items(self) -> ChecklistList:
        return self.query_one(ChecklistList)

    @property
    def data_dir(self) -> Path:
        return self.context.data_dir

    @property
    def user(self) -> str:
        return self.context.user or "default"

    def on_mount(self) -> None:
        user = self.user
        self.progress = load_progress(self.data_dir, user)
        if self.progress.problem:
            self.notify(self.progress.problem, severity="warning", markup=False)
        self.query_one("#onboarding-user", Static).update(
            literal(f"{TITLE} for {user}  (space/enter ticks, l goes there)"))
        options: list[Option] = []
        for section in CHECKLIST:
            options.append(Option(Text(section.title, style="bold underline"), disabled=True))
            options.extend(Option(self._prompt(item), id=item.id) for item in section.items)
        self.items.add_options(options)
        self.items.highlighted = 1  # the first item (0 is a section title)
        self._see()

    def derive(self, snapshot: Snapshot, index: Index | None, now: datetime) -> dict[str, Seen]:
        """What the cockpit saw of the watched items (this user's services
        walked through, their runbooks opened, drills done)."""
        services = user_services(self.user, index.services.values(), snapshot.oncall) if index is not None else []
        return seen_done(services, index.runbooks if index is not None else {},
                         activity.opened(self.data_dir, self.user), completed_drills(self.data_dir, self.user))

    def refresh_view(self) -> None:
        if self.is_mounted:
            self._see(self.derived)

    def on_show(self) -> None:
        self._see()  # what was opened in the other panels since

    def _see(self, seen: dict[str, Seen] | None = None) -> None:
        """Tick (or untick) the watched items from what the cockpit saw
        (``seen``, else worked out now)."""
        if seen is None:
            seen = self.derive(self.snapshot, self.index, self.now)
        changed = [item_id for item_id in seen if seen[item_id] != self.seen.get(item_id)]
        self.seen = seen
        for item_id in changed:
            self.items.replace_option_prompt(item_id, self._prompt(ITEMS[item_id]))
        self._show_progress()

    def is_done(self, item_id: str) -> bool:
        seen = self.seen.get(item_id)
        return self.progress.is_done(item_id) or (seen is not None and seen.done)

    def _prompt(self, item: ChecklistItem) -> Text:
        done = self.is_done(item.id)
        text = Text("  [x] " if done else "  [ ] ", style="green" if done else "")
        text.append(item.text, style="dim" if done else "")
        if item.panel:
            text.append(f"  → {item.panel}", style="cyan")
        seen = self.seen.get(item.id)
        if seen is not None:
            text.append(f"  ({'seen: ' if seen.done else ''}{seen.why})", style="green" if seen.done else "dim")
        return text

    def _show_progress(self) -> None:
        for number, section in enumerate(CHECKLIST):
            done, total = sum(self.is_done(item.id) for item in section.items), len(section.items)
            self.query_one(f"#progress-{number}", ProgressBar).update(progress=done)
            self.query_one(f"#count-{number}", Label).update(f" {done}/{total} done")

    @on(OptionList.OptionSelected, "#onboarding-items")
    def _toggle(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        item_id = event.option.id
        if item_id not in ITEMS:
            return
        seen = self.seen.get(item_id)
        if seen is not None and seen.done:
            self.notify(f"Ticked by what the cockpit saw: {seen.why}.", markup=False, timeout=4)
            return
        progress = self.progress.toggled(item_id, self.now)
        try:
            save_progress(self.data_dir, progress)
        except OSError as error:
            self.notify(f"Progress not saved: {error.strerror or error}", severity="error", markup=False)
            return
        self.progress = progress
        self.items.replace_option_prompt(item_id, self._prompt(ITEMS[item_id]))
        self._show_progress()

    def focus_item(self, ref: str, origin: Origin | None = None) -> bool:
        if ref not in ITEMS:
            return False
        self.items.highlighted = self.items.get_option_index(ref)
        self.items.focus()
        return True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open_link":
            return True if self._highlighted_item() and self._highlighted_item().panel else None
        return True

    def _highlighted_item(self) -> ChecklistItem | None:
        if not self.is_mounted:
            return None
        option = self.items.highlighted_option
        return ITEMS.get(option.id) if option is not None and option.id else None

    @on(OptionList.OptionHighlighted, "#onboarding-items")
    def _moved(self) -> None:
        self.refresh_bindings()

    def action_open_link(self) -> None:
        item = self._highlighted_item()
        if item is not None and item.panel:
            self.post_message(Navigate(item.panel))
