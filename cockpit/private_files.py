"""Files that hold incidents, notes, drafts and the audit trail are created
owner-only (0600, folders 0700): on a shared bastion every local user could
otherwise read every incident. A team that shares them names a group in the
config (`file_group:`); they are then group-readable and -writable by it.
No Textual import.
"""

from __future__ import annotations

import grp
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class FileAccess:
    """Who may read the files the cockpit creates: the owner, or also ``group``."""

    group: str | None = None

    @property
    def file_mode(self) -> int:
        return 0o660 if self.group else 0o600

    @property
    def dir_mode(self) -> int:
        return 0o770 if self.group else 0o700

    def make_dir(self, folder: Path) -> None:
        """Create ``folder`` and any missing parents with this access; folders
        that exist already keep theirs (they may be the user's own)."""
        folder = Path(folder)
        missing = []
        while not folder.exists() and folder != folder.parent:
            missing.append(folder)
            folder = folder.parent
        for created in reversed(missing):
            try:
                created.mkdir(mode=self.dir_mode)
            except FileExistsError:
                continue  # made meanwhile by another process: theirs stands
            self._apply(created, self.dir_mode)

    def create_file(self, path: Path) -> None:
        """Make sure ``path`` exists, created with this access when it did not."""
        path = Path(path)
        self.make_dir(path.parent)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, self.file_mode)
        except FileExistsError:
            return
        os.close(fd)
        self._apply(path, self.file_mode)

    def apply_to_file(self, path: Path) -> None:
        """Give a file just written (e.g. a temp file about to be renamed) this access."""
        self._apply(Path(path), self.file_mode)

    def _apply(self, path: Path, mode: int) -> None:
        # os.open/mkdir modes are cut by the umask; set the mode exactly.
        os.chmod(path, mode)
        if self.group:
            os.chown(path, -1, group_id(self.group))


def group_id(name: str) -> int:
    """The id of group ``name`` (a number is taken as the id). KeyError when unknown."""
    if name.isdigit():
        return int(name)
    return grp.getgrnam(name).gr_gid


OWNER_ONLY = FileAccess()
