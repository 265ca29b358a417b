"""ctrl+p in the app run by `cockpit`: "Drill: TITLE" for every scenario
beside the config. Choosing one closes the app and `cockpit` runs that drill
(`cockpit drill NAME`), so the sandbox never shares the app's hub. Offered
only where the app's end hands over to a drill (not in `cockpit serve`)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.command import DiscoveryHit, Hit, Hits, Provider

from cockpit.drills.scenario import drills_folder, parse_scenario, scenario_files
from cockpit.ui.palette import OWN_HITS_FIRST, fuzzy_match, highlighted, literal_help
from cockpit.untrusted import clean


@dataclass(frozen=True)
class StartDrill:
    """What the app's run returns when a drill was chosen."""

    name: str


class DrillsProvider(Provider):
    def _drills(self) -> list[tuple[str, str, str]]:
        """(text, help, scenario name) for each readable scenario."""
        if not getattr(self.app, "offers_drills", False):
            return []
        found = []
        for path in scenario_files(drills_folder(self.app.config.path)):
            scenario, _ = parse_scenario(path)  # a broken one is `cockpit check`'s to report
            if scenario is not None:
                found.append((f"Drill: {clean(scenario.title, single_line=True)}",
                              f"a fire drill in a sandbox ({scenario.name}, {scenario.duration})", scenario.name))
        return found

    def _start(self, name: str):
        return lambda: self.app.exit(StartDrill(name))

    async def discover(self) -> Hits:
        for text, help, name in self._drills():
            yield DiscoveryHit(text, self._start(name), help=literal_help(help))

    async def search(self, query: str) -> Hits:
        style = self.matcher(query).match_style
        for text, help, name in self._drills():
            score, offsets = fuzzy_match(query, text)
            if score > 0:
                yield Hit(OWN_HITS_FIRST + score, highlighted(text, offsets, style), self._start(name), text=text,
                          help=literal_help(help))
