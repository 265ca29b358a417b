"""Closing the SQLite incident log while its change check runs in a worker
thread (q during a check): the close waits for the query, since closing a
connection under a running query crashes the process (it did, in CI: a
segfault in sqlite3), and no check opens a connection after the close."""

import asyncio
import threading

from cockpit.sources.incident_log.sqlite import SqliteBackend


class GatedConnection:
    """A connection whose next execute waits until the test lets it go."""

    def __init__(self, real) -> None:
        self.real = real
        self.inside = threading.Event()
        self.go = threading.Event()
        self.closed_while_running = False
        self.running = False

    def execute(self, *args):
        self.running = True
        self.inside.set()
        self.go.wait(10)
        try:
            return self.real.execute(*args)
        finally:
            self.running = False

    def close(self) -> None:
        self.closed_while_running = self.running
        self.real.close()


async def test_close_waits_for_a_running_change_check_and_no_check_reopens(tmp_path):
    backend = SqliteBackend(tmp_path / "incidents.db")
    opened = []

    def open_gated():
        opened.append(GatedConnection(real_open()))
        return opened[-1]

    real_open = backend.store.open
    backend.store.open = open_gated
    check = asyncio.create_task(asyncio.to_thread(backend._changed_since, None))
    while not opened or not opened[0].inside.is_set():
        await asyncio.sleep(0.001)
    closing = asyncio.create_task(backend.aclose())
    await asyncio.sleep(0.05)
    assert not closing.done()  # waiting for the query, not closing under it
    opened[0].go.set()
    await asyncio.wait_for(asyncio.gather(check, closing), 10)
    assert not opened[0].closed_while_running
    assert await asyncio.to_thread(backend._changed_since, 7) == (7, set())  # queued after the close
    assert len(opened) == 1
