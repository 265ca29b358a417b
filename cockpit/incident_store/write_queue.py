"""Writes the incident log could not take yet, kept on disk until it can.

One JSON line per write (its idempotency key inside), appended and fsynced
before the writer is told "queued": a kill -9 right after loses nothing. A
torn last line (a crash mid-append, before that fsync returned) is dropped:
its writer was never told it was kept. Sessions of one user share the file:
appends and rewrites hold its flock, and one session at a time sends
(``sending()``, a lock on a file beside it, never waited for).
"""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from cockpit.atomicfile import write_atomic
from cockpit.incident_store.operations import Write
from cockpit.private_files import OWNER_ONLY, FileAccess


class WriteQueue:
    def __init__(self, path: Path, access: FileAccess = OWNER_ONLY) -> None:
        self.path = Path(path)
        self._access = access

    def append(self, write: Write) -> None:
        with self._locked() as fd:
            size = os.fstat(fd).st_size
            torn = size > 0 and os.pread(fd, 1, size - 1) != b"\n"  # start a line of our own after one
            os.write(fd, (("\n" if torn else "") + write.to_json() + "\n").encode("utf-8"))
            os.fsync(fd)

    def pending(self) -> list[Write]:
        """The queued writes, oldest first."""
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        writes = []
        for line in raw.split("\n"):
            try:
                writes.append(Write.from_json(line))
            except (ValueError, KeyError, TypeError):
                continue  # the torn end of a crashed append (or an empty last line)
        return writes

    def __len__(self) -> int:
        return len(self.pending())

    def remove(self, key: str) -> None:
        """Forget one write: it was sent (or refused for good)."""
        with self._locked():
            kept = [w for w in self.pending() if w.key != key]
            write_atomic(self.path, "".join(w.to_json() + "\n" for w in kept), self._access)

    @contextmanager
    def sending(self) -> Iterator[bool]:
        """True while this session alone sends the queue; False when another is at it."""
        self._access.create_file(self._sending_path)
        fd = os.open(self._sending_path, os.O_RDWR)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            yield True
        finally:
            os.close(fd)

    @property
    def _sending_path(self) -> Path:
        return self.path.with_name(self.path.name + ".sending")

    @contextmanager
    def _locked(self) -> Iterator[int]:
        # Locks a file beside the queue: remove() replaces the queue file, and a
        # lock held on the replaced one would no longer exclude anyone.
        lock_path = self.path.with_name(self.path.name + ".lock")
        self._access.create_file(lock_path)
        lock = os.open(lock_path, os.O_RDWR)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            self._access.create_file(self.path)
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND)
            try:
                yield fd
            finally:
                os.close(fd)
        finally:
            os.close(lock)
