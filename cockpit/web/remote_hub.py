"""A browser session's hub: what the app asks of a Hub (snapshot,
subscribe, perform, list_silences, refresh_now, capabilities), answered by
the serve process's one hub over its Unix socket (cockpit.web.feed).
It fetches nothing itself."""

from __future__ import annotations

import asyncio
import itertools
import logging
import socket
from pathlib import Path
from typing import Any, Callable

from cockpit.alerts import Silence
from cockpit.capabilities import Capabilities
from cockpit.model import Snapshot
from cockpit.web import frames
from cockpit.writes import Action, ActionResult

log = logging.getLogger(__name__)

GONE = "the cockpit serve process has stopped"
Subscriber = Callable[[Snapshot], object]


class RemoteHub:
    def __init__(self, sock: socket.socket, capabilities: Capabilities, snapshot: Snapshot) -> None:
        self.capabilities = capabilities
        self._sock = sock
        self._snapshot = snapshot
        self._subscribers: list[Subscriber] = []
        self._pending: dict[int, tuple[asyncio.Future, Any]] = {}
        self._ids = itertools.count()
        self._writer: asyncio.StreamWriter | None = None
        self._connected: asyncio.Event | None = None
        self._listening: asyncio.Task | None = None

    @classmethod
    def connect(cls, path: Path) -> "RemoteHub":
        """Connect and take the hello, before the app (and its event loop) starts."""
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(str(path))
        _, capabilities, snapshot = frames.read_blocking(sock)
        return cls(sock, capabilities, snapshot)

    @property
    def read_only(self) -> bool:
        return self.capabilities.read_only

    @property
    def user(self) -> str:
        return self.capabilities.user

    def snapshot(self) -> Snapshot:
        return self._snapshot

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        self._subscribers.append(callback)
        return lambda: self._subscribers.remove(callback) if callback in self._subscribers else None

    def start(self) -> None:
        """Listen for snapshots and replies (call from the app's running loop)."""
        if self._listening is None:
            self._connected = asyncio.Event()
            self._listening = asyncio.create_task(self._listen(), name="cockpit-remote-hub")

    async def aclose(self) -> None:
        if self._listening is not None:
            self._listening.cancel()
            await asyncio.gather(self._listening, return_exceptions=True)
        if self._writer is not None:
            self._writer.close()
        self._sock.close()

    async def perform(self, source_name: str, action: Action) -> ActionResult:
        return await self._ask("perform", (source_name, action), gone=ActionResult(False, GONE))

    async def list_silences(self) -> tuple[tuple[Silence, ...], tuple[str, ...]]:
        return await self._ask("list_silences", (), gone=((), (GONE,)))

    async def refresh_now(self) -> Snapshot:
        # The refreshed snapshot comes (to every session) before the reply does.
        await self._ask("refresh_now", (), gone=None)
        return self._snapshot

    async def _ask(self, name: str, args: tuple, gone: Any) -> Any:
        await self._connected.wait()
        if self._listening.done():
            return gone
        ident = next(self._ids)
        future = asyncio.get_running_loop().create_future()
        self._pending[ident] = (future, gone)
        self._writer.write(frames.encode((ident, name, args)))
        return await future

    async def _listen(self) -> None:
        reader, self._writer = await asyncio.open_unix_connection(sock=self._sock)
        self._connected.set()
        try:
            while True:
                kind, *body = await frames.read(reader)
                if kind == "snapshot":
                    self._snapshot = body[0]
                    self._tell(body[0])
                elif kind == "reply":
                    future, _ = self._pending.pop(body[0])
                    future.set_result(body[1])
        except (asyncio.IncompleteReadError, ConnectionError):
            log.warning(GONE)
        finally:
            for future, gone in self._pending.values():
                if not future.done():
                    future.set_result(gone)
            self._pending.clear()

    def _tell(self, snapshot: Snapshot) -> None:
        for callback in list(self._subscribers):
            try:
                callback(snapshot)
            except Exception:  # one broken subscriber must not stop the others
                log.exception("snapshot subscriber failed")
