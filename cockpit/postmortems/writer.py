"""The one way postmortem drafts (and their exports) are written.

Every write goes through :class:`DraftWriter`: refused in read-only mode,
audited either way (as the hub audits writes to sources), written atomically
with the configured file access. No Textual import.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable

from cockpit.atomicfile import write_atomic
from cockpit.audit import AuditLog
from cockpit.private_files import OWNER_ONLY, FileAccess

log = logging.getLogger(__name__)
SOURCE = "postmortems"  # the audit log's source field for draft writes

# The audited actions (the audit log's `action` field).
CREATE = "postmortem.create"
SAVE = "postmortem.save"
AUTOSAVE = "postmortem.autosave"
RECOVER = "postmortem.recover"  # our text kept beside a draft someone else changed
EXPORT = "postmortem.export"
REVIEW = "postmortem.review"  # status set to reviewed, or back to draft
ACTION_ITEM = "postmortem.action_item"


class WriteRefused(Exception):
    """Read-only mode: nothing was written (the refusal is audited)."""


@dataclass(frozen=True)
class DraftWriter:
    audit: AuditLog | None
    user: str
    read_only: bool = False
    access: FileAccess = OWNER_ONLY

    @classmethod
    def from_config(cls, config, clock: Callable[[], datetime], *, read_only: bool | None = None) -> "DraftWriter":
        return cls(AuditLog(config.audit_log, clock, config.file_access), config.user,
                   config.read_only if read_only is None else read_only, config.file_access)

    def write(self, action: str, path: Path, text: str) -> str:
        """Write ``text`` to ``path`` as ``action``; return a warning to show
        ("" when none). Raises WriteRefused when read-only and OSError when
        the file cannot be written; both audited."""
        self.check_writable(action, path)
        try:
            write_atomic(path, text, self.access)
        except OSError as error:
            self._audit(action, path, f"failed: {error.strerror or error}")
            raise
        return self._audit(action, path, "ok")

    def check_writable(self, action: str, path: Path) -> None:
        """Raise WriteRefused (audited) when read-only: for refusing before
        any work is done, and before every write."""
        if self.read_only:
            self._audit(action, path, "refused: read-only mode")
            raise WriteRefused(f"Read-only mode: {path.name} not written.")

    def _audit(self, action: str, path: Path, result: str) -> str:
        if self.audit is None:
            return ""
        try:
            self.audit.append(user=self.user, action=action, target=str(path), source=SOURCE, result=result)
        except OSError as error:
            log.error("audit log %s not written: %s", self.audit.path, error)
            return f"WARNING: audit log not written ({error.strerror or error})"
        return ""
