"""Writing a file so a crash (even kill -9) leaves the old or the new
content, never half of one. No Textual import."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from cockpit.private_files import OWNER_ONLY, FileAccess


def write_atomic(path: Path, text: str, access: FileAccess = OWNER_ONLY) -> None:
    """Replace ``path`` with ``text`` so a crash leaves the old or the new file,
    never half of one: write a temp file beside it, fsync, rename. The file
    (and any folder made for it) gets ``access``: owner-only by default."""
    path = Path(path)
    access.make_dir(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        access.apply_to_file(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (not possible on every platform)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
