"""The serve process's side: the one hub, served to every browser session
over a Unix socket. A session gets a hello (the hub's capabilities and its
snapshot), then every snapshot the hub publishes, pickled once for all of
them; its writes, silence listings and ctrl+r come back as requests that
the same hub runs (audited, read-only refused) as it does for the terminal."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from cockpit.hub import Hub
from cockpit.model import Snapshot
from cockpit.web import frames

log = logging.getLogger(__name__)

# A session that reads nothing (a stuck browser tab) is dropped once this
# much waits for it, instead of holding snapshots in memory forever.
MAX_BACKLOG = 256 << 20


class SnapshotFeed:
    def __init__(self, hub: Hub, path: Path) -> None:
        self.hub = hub
        self.path = path
        self._sessions: set[asyncio.StreamWriter] = set()
        self._requests: set[asyncio.Task] = set()
        self._server: asyncio.AbstractServer | None = None
        self._unsubscribe = None
        self._answers = {"perform": hub.perform, "list_silences": hub.list_silences, "refresh_now": self._refresh_now}

    @property
    def sessions(self) -> int:
        return len(self._sessions)

    async def start(self) -> None:
        """Listen for sessions and start the hub's refresh loops."""
        self._server = await asyncio.start_unix_server(self._serve_session, path=str(self.path))
        self._unsubscribe = self.hub.subscribe(self._publish)
        self.hub.start()

    async def aclose(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        if self._server is not None:
            self._server.close()
        for writer in list(self._sessions):
            writer.close()
        for task in list(self._requests):
            task.cancel()
        await asyncio.gather(*self._requests, return_exceptions=True)
        await self.hub.aclose()

    def _publish(self, snapshot: Snapshot) -> None:
        if not self._sessions:
            return
        frame = frames.encode(("snapshot", snapshot))
        for writer in list(self._sessions):
            self._send(writer, frame)

    def _send(self, writer: asyncio.StreamWriter, frame: bytes) -> None:
        if writer.transport.get_write_buffer_size() > MAX_BACKLOG:
            log.warning("dropping a browser session that reads nothing")
            self._sessions.discard(writer)
            writer.close()
            return
        writer.write(frame)

    async def _serve_session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(frames.encode(("hello", self.hub.capabilities, self.hub.snapshot())))
        self._sessions.add(writer)
        try:
            while True:
                request = await frames.read(reader)
                task = asyncio.create_task(self._answer(writer, *request))
                self._requests.add(task)
                task.add_done_callback(self._requests.discard)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the session ended (its browser tab closed)
        finally:
            self._sessions.discard(writer)
            writer.close()

    async def _answer(self, writer: asyncio.StreamWriter, ident: int, name: str, args: tuple) -> None:
        answer = self._answers.get(name)
        if answer is None:
            log.error("unknown request %r from a session", name)
            return
        result = await answer(*args)
        if not writer.is_closing():
            self._send(writer, frames.encode(("reply", ident, result)))

    async def _refresh_now(self) -> None:
        """ctrl+r in any session: one refresh, whose snapshot reaches every session."""
        await self.hub.refresh_now()
