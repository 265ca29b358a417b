"""What panels and dialogs ask the app for. A panel never calls the hub or
another panel: it posts one of these, and the app acts (shows a panel,
sends a write through the hub, writes a draft) and tells it the outcome."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message
from textual.widget import Widget

from cockpit.alerts import Silence
from cockpit.model import Incident
from cockpit.oncall_health import ShiftHealth
from cockpit.writes import Action, ActionResult


@dataclass(frozen=True)
class Origin:
    """Where the user was when they asked to go elsewhere: a panel and the
    item selected in it (an incident key, a service name ...)."""

    panel: str
    ref: str = ""


class Navigate(Message):
    """Show ``panel`` and focus ``ref`` in it (a service name, incident id,
    runbook path, SLO key ...); ``origin`` is where the user came from."""

    def __init__(self, panel: str, ref: str = "", origin: Origin | None = None) -> None:
        super().__init__()
        self.panel = panel
        self.ref = ref
        self.origin = origin


class NavigateFiltered(Navigate):
    """Show ``panel`` with its main table filtered by ``text`` (the overview's
    "P1 incidents" or "critical SLOs" lines jump this way)."""

    def __init__(self, panel: str, text: str) -> None:
        super().__init__(panel)
        self.filter_text = text


class PerformAction(Message):
    """Send ``action`` to ``source`` (through the hub: audited, refused in
    read-only mode). The app tells the user how it went unless ``announce``
    is False, and posts ``ActionPerformed`` to ``reply_to`` when given."""

    def __init__(self, source: str, action: Action, *, reply_to: Widget | None = None,
                 announce: bool = True) -> None:
        super().__init__()
        self.source = source
        self.action = action
        self.reply_to = reply_to
        self.announce = announce


class ActionPerformed(Message):
    """How a ``PerformAction`` went."""

    def __init__(self, source: str, action: Action, result: ActionResult) -> None:
        super().__init__()
        self.source = source
        self.action = action
        self.result = result


class DraftRequested(Message):
    """Write the postmortem draft for ``incident`` (unless one exists) and
    open it in the postmortems panel."""

    def __init__(self, incident: Incident) -> None:
        super().__init__()
        self.incident = incident


class RetroRequested(Message):
    """Write the post-on-call retrospective draft of ``health`` (one person's
    shift; unless one exists) and open it in the postmortems panel."""

    def __init__(self, health: ShiftHealth) -> None:
        super().__init__()
        self.health = health


class Opened(Message):
    """The user opened ``ref`` (a runbook path, a service's card): the app
    records it for the onboarding checklist, a drill in its timeline."""

    def __init__(self, kind: str, ref: str) -> None:
        super().__init__()
        self.kind = kind
        self.ref = ref


class SilencesRequested(Message):
    """List every silence of every source serving them (through the hub);
    the answer, ``SilencesListed``, goes to ``reply_to``."""

    def __init__(self, reply_to: Widget) -> None:
        super().__init__()
        self.reply_to = reply_to


class SilencesListed(Message):
    def __init__(self, silences: tuple[Silence, ...], problems: tuple[str, ...]) -> None:
        super().__init__()
        self.silences = silences
        self.problems = problems
