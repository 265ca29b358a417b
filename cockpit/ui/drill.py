"""The app in a drill: the cockpit over a sandbox (cockpit/drills/sandbox.py),
a DRILL banner with the time left on every screen, the scenario's hints as
they come due, and the debrief screen at the end. Everything the person
does is written down in the sandbox's timeline: writes (by its hub), the
panels they visit and the runbooks they open (here)."""

from __future__ import annotations

from datetime import timedelta

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from cockpit.config import Config
from cockpit.drills.debrief import Debrief, finish
from cockpit.drills.sandbox import Sandbox, build_sandbox, due_events
from cockpit.drills.scenario import Scenario
from cockpit.durations import format_duration
from cockpit.ui.app import CockpitApp
from cockpit.ui.palette import OWN_HITS_FIRST
from cockpit.activity import RUNBOOK
from cockpit.ui.widgets.messages import Opened
from cockpit.ui.widgets.text import literal
from cockpit.untrusted import clean

TICK_SECONDS = 1.0
HINT_SECONDS = 20
DRILL_FIRST = 2 * OWN_HITS_FIRST  # ending the drill comes before any jump (which come before Textual's own)


class DrillBanner(Static):
    """` DRILL  27m 10s left  not real, nothing leaves this machine  High error rate at the API`."""

    DEFAULT_CSS = """
    DrillBanner { dock: top; height: 1; background: $warning; color: $background; text-style: bold; }
    """

    def show(self, sandbox: Sandbox, ended: bool = False) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(" DRILL ", style="reverse")
        # The fixed words first: at 80 columns a long title is what gets cut.
        text.append(" " + ("ended" if ended else f"{format_duration(sandbox.remaining) or '0s'} left"))
        text.append("  not real, nothing leaves this machine  ")
        text.append_text(literal(sandbox.scenario.title))
        self.update(text)


def _time(at: timedelta) -> str:
    minutes, seconds = divmod(int(at.total_seconds()), 60)
    return f"{minutes:02d}:{seconds:02d}"


def debrief_table(debrief: Debrief) -> Table:
    """Expected against done: what, by when, when it was done, how it went."""
    table = Table(expand=True, box=None, pad_edge=False, show_edge=False)
    table.add_column("expected", ratio=3)
    table.add_column("by", no_wrap=True)
    table.add_column("done", no_wrap=True)
    table.add_column("", no_wrap=True)
    for answer in debrief.answers:
        done = answer.done
        verdict = (Text("in time", style="green") if answer.on_time
                   else Text("late", style="yellow") if done else Text("missed", style="red"))
        table.add_row(literal(answer.expected.why), _time(answer.expected.within),
                      _time(done.at) if done else "-", verdict)
    return table


def done_table(debrief: Debrief) -> Table:
    table = Table(expand=True, box=None, pad_edge=False, show_edge=False, show_header=False)
    table.add_column("at", no_wrap=True)
    table.add_column("what", ratio=1)
    for done in debrief.done:
        table.add_row(_time(done.at), literal(done.text))
    return table


class DebriefScreen(Screen):
    """The end of the drill: score, expected against done, the draft's path."""

    DEFAULT_CSS = """
    DebriefScreen VerticalScroll { padding: 0 1; }
    DebriefScreen .heading { text-style: bold; margin-top: 1; }
    """

    def __init__(self, sandbox: Sandbox, debrief: Debrief) -> None:
        super().__init__()
        self.sandbox, self.debrief = sandbox, debrief

    def compose(self) -> ComposeResult:
        banner = DrillBanner()
        banner.show(self.sandbox, ended=True)
        yield banner
        debrief = self.debrief
        met = sum(a.on_time for a in debrief.answers)
        with VerticalScroll():
            yield Static(Text.assemble(("Debrief: ", "bold"), literal(self.sandbox.scenario.title),
                                       f"   {met} of {len(debrief.answers)} in time ({debrief.score:.0%})"))
            yield Static(debrief_table(debrief))
            yield Static("What you did", classes="heading")
            yield Static(done_table(debrief) if debrief.done else Text("nothing", style="dim"))
            yield Static("Drill postmortem draft", classes="heading")
            yield Static(self._draft_line())
            yield Static(Text("\nq quits", style="dim"))


    def _draft_line(self) -> Text:
        """Where the draft is, from the data dir (the full path is printed on quitting)."""
        text = Text()
        draft = self.debrief.draft
        if draft is not None:
            shown = draft.relative_to(self.sandbox.data_dir) if draft.is_relative_to(self.sandbox.data_dir) else draft
            text.append_text(literal(str(shown)))
            text.append("\nin the data dir; its full path is printed when you quit", style="dim")
        if self.debrief.warning:
            text.append(("\n" if text else "") + clean(self.debrief.warning), style="yellow")
        return text


class DrillCommands(Provider):
    """The palette in a drill: end it now and see the debrief."""

    END, END_HELP = "Drill: end now and debrief", "stop the timer, score what was done, write the draft"

    async def discover(self) -> Hits:
        yield DiscoveryHit(self.END, self.app.end_drill, help=self.END_HELP)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        if (score := matcher.match(self.END)) > 0:
            yield Hit(score + DRILL_FIRST, matcher.highlight(self.END), self.app.end_drill, help=self.END_HELP)


class DrillApp(CockpitApp):
    COMMANDS = CockpitApp.COMMANDS | {DrillCommands}

    def __init__(self, sandbox: Sandbox) -> None:
        super().__init__(sandbox.config, sandbox.hub, sandbox.clock, read_only=False)
        self.sandbox = sandbox
        self.events_seen = 0
        self.debrief: Debrief | None = None

    def compose(self) -> ComposeResult:
        yield DrillBanner()
        yield from super().compose()

    async def on_mount(self) -> None:
        await super().on_mount()
        scenario = self.sandbox.scenario
        self.notify(f"{scenario.simulate or scenario.title}. You have {format_duration(scenario.duration)}; "
                    "ctrl+p \"Drill: end now\" ends it early.", title="Drill started", timeout=HINT_SECONDS,
                    markup=False)
        self.drill_tick()
        self.set_interval(TICK_SECONDS, self.drill_tick)

    def push_screen(self, screen, *args, **kwargs):
        """Every screen says DRILL: help, dialogs and the palette too."""
        result = super().push_screen(screen, *args, **kwargs)
        self.call_later(self._banner_on_top)
        return result

    def _banner_on_top(self) -> None:
        if not self.screen.query(DrillBanner):
            banner = DrillBanner()
            self.screen.mount(banner)
            banner.show(self.sandbox, self.debrief is not None)

    def drill_tick(self) -> None:
        """Once a second: the banner's timer, the hints that came due, the end."""
        if self.debrief is not None:
            return
        due = due_events(self.sandbox, self.events_seen)
        self.events_seen += len(due)
        for event in due:
            if event.kind == "hint":
                self.notify(event.text, title="Drill hint", timeout=HINT_SECONDS, markup=False)
        if due:
            self.run_worker(self.hub.refresh(self.hub.drill.name), group="drill-refresh")
        for screen in self.screen_stack:
            for banner in screen.query(DrillBanner):
                banner.show(self.sandbox)
        if self.sandbox.over:
            self.end_drill()

    def end_drill(self) -> None:
        if self.debrief is not None:
            return
        self.debrief = finish(self.sandbox, self.drafts, self.clock())
        self.push_screen(DebriefScreen(self.sandbox, self.debrief))

    async def show_panel(self, panel_id: str, *, remember: bool = True):
        before = self.current_panel
        panel = await super().show_panel(panel_id, remember=remember)
        if panel is not None and panel is not before:
            self.sandbox.timeline.record("panel", f"opened the {panel.title or panel_id} panel")
        return panel

    @on(Opened)
    def _runbook_opened(self, message: Opened) -> None:
        if message.kind == RUNBOOK:
            self.sandbox.timeline.record("runbook", f"opened the runbook {message.ref}", params={"path": message.ref})


def make_drill_app(config: Config, scenario: Scenario, **sandbox_options) -> DrillApp:
    return DrillApp(build_sandbox(config, scenario, **sandbox_options))


def run_drill_app(config: Config, scenario: Scenario) -> int:
    app = make_drill_app(config, scenario)
    app.run()
    if app.debrief is None:
        print(f"drill {scenario.name}: left before its end, not scored")
    else:
        print(f"drill {scenario.name}: {app.debrief.score:.0%} of the expected answers in time")
        if app.debrief.draft is not None:
            print(f"drill postmortem draft: {app.debrief.draft}")
    return 0
