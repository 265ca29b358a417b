"""What panels ask the app for (cockpit.ui.widgets.messages): a write
through the hub, the silences, a new postmortem draft or retrospective, and
what the user opened. The app mixes this in; it holds the hub, the config,
the clock and the draft writer (``CockpitApp``). The draft modules are
imported when a draft is first asked for, not at start-up."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable

from textual import work

from cockpit import activity
from cockpit.postmortems.writer import WriteRefused
from cockpit.ui.widgets.messages import (ActionPerformed, DraftRequested, Navigate, Opened, PerformAction,
                                         RetroRequested, SilencesListed, SilencesRequested)
from cockpit.untrusted import clean

log = logging.getLogger(__name__)


class PanelRequests:
    """Handlers for the messages panels post; mixed into CockpitApp."""

    def on_perform_action(self, message: PerformAction) -> None:
        message.stop()
        self._perform(message)

    @work(group="writes")
    async def _perform(self, request: PerformAction) -> None:
        """One write through the hub (audited; refused read-only); the user
        is told how it went (source messages are untrusted), the asker too."""
        result = await self.hub.perform(request.source, request.action)
        if request.announce:
            if result.ok:
                self.notify(clean(result.message or f"{request.action.name}: done"), timeout=5, markup=False)
            else:
                self.notify(clean(result.message or f"{request.action.name} failed"), severity="error",
                            timeout=8, markup=False)
        if request.reply_to is not None and request.reply_to.is_attached:
            request.reply_to.post_message(ActionPerformed(request.source, request.action, result))

    def on_silences_requested(self, message: SilencesRequested) -> None:
        message.stop()
        self._list_silences(message.reply_to)

    @work(group="silences", exclusive=True)
    async def _list_silences(self, reply_to) -> None:
        silences, problems = await self.hub.list_silences()
        if reply_to.is_attached:
            reply_to.post_message(SilencesListed(silences, problems))

    def on_draft_requested(self, message: DraftRequested) -> None:
        """Write the draft for the incident (unless one exists: never
        overwrite a commander's words) and open it in the postmortems panel."""
        from cockpit.postmortems.draft import draft_path, write_new_draft

        message.stop()
        incident, folder = message.incident, Path(self.config.postmortems)
        self._open_new_draft(draft_path(folder, incident), f"A draft for {clean(incident.id)}", lambda: write_new_draft(
            self.drafts, folder, incident, self.snapshot or self.hub.snapshot(), audit_log=self.config.audit_log,
            now=self.clock()))

    def on_retro_requested(self, message: RetroRequested) -> None:
        """The post-on-call retrospective of one person's shift, as drafts are."""
        from cockpit.postmortems.retro import retro_path, write_new_retro

        message.stop()
        health, folder = message.health, Path(self.config.postmortems)
        self._open_new_draft(retro_path(folder, health), f"A retrospective for {clean(health.user)}'s shift",
                             lambda: write_new_retro(self.drafts, folder, health, self.config.oncall, now=self.clock()))

    def _open_new_draft(self, path: Path, what: str, write: Callable[[], tuple[Path, str]]) -> None:
        """``write()`` the draft at ``path`` unless it exists, then open it in
        the postmortems panel; refusals and failures are told, not raised."""
        if path.exists():
            self.notify(f"{what} exists already: opening it.", markup=False, timeout=4)
        else:
            try:
                path, warning = write()
            except WriteRefused as refused:
                self.notify(str(refused), severity="warning", markup=False)
                return
            except OSError as error:
                self.notify(f"Cannot write the draft in {path.parent}: {error.strerror or error}", severity="error",
                            markup=False)
                return
            self.notify(f"Draft written: {path}" + (f"\n{warning}" if warning else ""), markup=False, timeout=4)
        self.post_message(Navigate("postmortems", str(path)))

    def on_opened(self, message: Opened) -> None:
        """What the user opened, for the onboarding checklist's auto-ticks."""
        message.stop()
        try:
            activity.record(self.config.data_dir, self.config.user, message.kind, message.ref, self.clock())
        except OSError as error:
            log.warning("activity not recorded: %s", error)
