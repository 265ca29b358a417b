"""JSON-lines files the cockpit keeps per user (what was opened) or reads
from beside it (completed drills): appended one durable line at a time, read
back skipping what is not a JSON object (a line cut short by a crash, a hand
edit). No Textual import."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from cockpit.private_files import OWNER_ONLY, FileAccess

MAX_BYTES = 8 * 1024 * 1024  # a file grown past this is read from its last 8 MiB


def append_line(path: Path, entry: dict[str, Any], access: FileAccess = OWNER_ONLY) -> None:
    """Append ``entry`` as one line, synced: a crash keeps every earlier line."""
    path = Path(path)
    access.make_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (json.dumps(entry, sort_keys=True) + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def read_lines(path: Path) -> tuple[list[dict[str, Any]], int]:
    """The JSON objects in ``path``, in order, and how many lines were not
    one. A missing file is empty; other read errors raise OSError."""
    try:
        with open(path, "rb") as handle:
            size = handle.seek(0, os.SEEK_END)
            handle.seek(max(0, size - MAX_BYTES))
            data = handle.read()
    except FileNotFoundError:
        return [], 0
    lines = data.split(b"\n")
    if size > MAX_BYTES:
        lines = lines[1:]  # the first is a part of a line
    entries, bad = [], 0
    for raw in lines:
        if not raw.strip():
            continue
        try:
            value = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            bad += 1
            continue
        if isinstance(value, dict):
            entries.append(value)
        else:
            bad += 1
    return entries, bad
