"""textual-serve's web server, with the serve process's one hub (its
SnapshotFeed) started and stopped with it, and page URLs made from the
address the browser used (so `--host 0.0.0.0` serves pages that work)."""

from __future__ import annotations

import logging
from pathlib import Path

from aiohttp import web
from textual_serve.server import Server

from cockpit.config import Config
from cockpit.clock import system_clock
from cockpit.hub import Hub
from cockpit.web.feed import SnapshotFeed

log = logging.getLogger(__name__)


class CockpitServer(Server):
    def __init__(self, command: str, host: str, port: int, config: Config, feed_path: Path) -> None:
        super().__init__(command, host=host, port=port, title="cockpit")
        self._config = config
        self._feed_path = feed_path
        self.feed: SnapshotFeed | None = None

    def initialize_logging(self) -> None:
        """The cockpit's own log (JSON lines, cockpit.logs) is already set up."""

    async def on_startup(self, app: web.Application) -> None:
        hub = Hub.from_config(self._config, system_clock)
        self.feed = SnapshotFeed(hub, self._feed_path)
        await self.feed.start()
        self.console.print(f"cockpit: serving {self._config.path} on {self.public_url} (ctrl+c stops)",
                           markup=False, highlight=False)

    async def on_shutdown(self, app: web.Application) -> None:
        if self.feed is not None:
            await self.feed.aclose()

    async def handle_index(self, request: web.Request):
        # public_url names the host the server listens on; a browser elsewhere
        # needs the address it used. No await before the parent reads it.
        self.public_url = f"{request.scheme}://{request.host}"
        return await super().handle_index(request)
