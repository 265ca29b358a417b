"""The cockpit's own log: structured JSON lines (the practices guide's
format: timestamp, level, service, trace_id, message, plus context) to a
file in the user state dir, never to the terminal the UI draws on.

Each line names the source (and the instance of a multi-instance source)
when the code logging it passes ``extra={"source": ..., "instance": ...}``.
Messages and tracebacks are redacted of known secrets and of terminal
escapes before they are written. No Textual import.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import os
import uuid
from datetime import datetime, timezone
from pathlib import Path

import platformdirs

from cockpit.private_files import OWNER_ONLY
from cockpit.secrets import redact
from cockpit.untrusted import clean

LEVELS = ("debug", "info", "warning", "error")
DEFAULT_LEVEL = "info"
LOG_FILE_ENV = "COCKPIT_LOG_FILE"
MAX_BYTES = 5 * 1024 * 1024  # per file; three files kept: the log never fills a bastion's disk
BACKUPS = 2
CONTEXT = ("source", "instance", "action")  # the extra fields a line may carry
# The guide's level names.
_LEVEL_NAMES = {"DEBUG": "DEBUG", "INFO": "INFO", "WARNING": "WARN", "ERROR": "ERROR", "CRITICAL": "ERROR"}
RUN_ID = uuid.uuid4().hex[:16]  # trace_id: ties together the lines of one cockpit process


def default_log_file() -> Path:
    return Path(os.environ.get(LOG_FILE_ENV) or Path(platformdirs.user_state_dir("cockpit")) / "cockpit.log")


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "timestamp": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": _LEVEL_NAMES.get(record.levelname, record.levelname),
            "service": "cockpit",
            "trace_id": RUN_ID,
            "logger": record.name,
            "message": _safe(record.getMessage()),
        }
        for key in CONTEXT:
            value = getattr(record, key, None)
            if value:
                entry[key] = _safe(str(value))
        if record.exc_info:
            entry["error"] = _safe(self.formatException(record.exc_info), single_line=False)
        return json.dumps(entry, ensure_ascii=False)


def configure(level: str = DEFAULT_LEVEL, path: Path | None = None) -> Path | None:
    """Send every log record of this process to ``path`` (default: the user
    state dir) as JSON lines; with a handler on the root logger, Python's
    last-resort printing to stderr (over the UI) never happens. Returns the
    file, or None when it cannot be opened (records are then dropped)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler.formatter, JsonLines):  # ours, from an earlier call
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level.upper())
    path = path or default_log_file()
    try:
        handler: logging.Handler = _OwnerOnlyFile(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    except OSError:
        handler, path = logging.NullHandler(), None
    handler.setFormatter(JsonLines())
    root.addHandler(handler)
    logging.captureWarnings(True)
    return path


class _OwnerOnlyFile(logging.handlers.RotatingFileHandler):
    """Each file it opens (the first and every one after a rollover) is owner-only."""

    def _open(self):
        OWNER_ONLY.create_file(Path(self.baseFilename))
        return super()._open()


def _safe(text: str, single_line: bool = True) -> str:
    return redact(clean(text, single_line=single_line))
