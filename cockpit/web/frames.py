"""The messages between the serve process's hub and its sessions: pickled
tuples, each behind its 4-byte length, over a Unix socket in a folder only
the user can open (0700): both ends are the same user's own processes, so
a message is trusted as the user's own code is."""

from __future__ import annotations

import asyncio
import copyreg
import io
import pickle
import socket
from types import MappingProxyType
from typing import Any

HEADER = 4
MAX_FRAME = 1 << 30  # a snapshot of 10,000 alerts is a few MB; more is a broken peer


def _frozen(items: dict) -> MappingProxyType:
    return MappingProxyType(items)


class _Pickler(pickle.Pickler):
    # The model's read-only mappings (labels, annotations) pickle as the dict they wrap.
    dispatch_table = {**copyreg.dispatch_table, MappingProxyType: lambda m: (_frozen, (dict(m),))}


def encode(message: tuple) -> bytes:
    """One frame: the length, then the pickled message."""
    buffer = io.BytesIO()
    buffer.write(bytes(HEADER))
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(message)
    frame = buffer.getbuffer()
    frame[:HEADER] = (len(frame) - HEADER).to_bytes(HEADER, "big")
    return bytes(frame)


async def read(reader: asyncio.StreamReader) -> Any:
    """The next message; IncompleteReadError once the peer has gone."""
    size = int.from_bytes(await reader.readexactly(HEADER), "big")
    if size > MAX_FRAME:
        raise ConnectionError(f"frame of {size} bytes refused")
    return pickle.loads(await reader.readexactly(size))


def read_blocking(sock: socket.socket) -> Any:
    """The next message, before an event loop runs (the session's hello)."""
    size = int.from_bytes(_exactly(sock, HEADER), "big")
    if size > MAX_FRAME:
        raise ConnectionError(f"frame of {size} bytes refused")
    return pickle.loads(_exactly(sock, size))


def _exactly(sock: socket.socket, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = sock.recv(min(left, 1 << 20))
        if not chunk:
            raise ConnectionError("the cockpit serve process closed the connection")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
