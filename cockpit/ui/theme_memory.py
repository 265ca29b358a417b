"""The theme at the next start: the one last chosen in the palette, kept in
the user state dir, unless the config's `theme:` changed since that choice
(an edited config wins over an old choice)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import platformdirs

from cockpit.atomicfile import write_atomic

log = logging.getLogger(__name__)


def state_file() -> Path:
    return Path(platformdirs.user_state_dir("cockpit")) / "theme.json"


def starting_theme(configured: str, path: Path | None = None) -> str:
    """The theme to start with ("" for Textual's default)."""
    try:
        kept = json.loads((path or state_file()).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return configured
    if not isinstance(kept, dict) or kept.get("config_theme") != configured or not isinstance(kept.get("theme"), str):
        return configured
    return kept["theme"]


def remember(theme: str, configured: str, path: Path | None = None) -> None:
    target = path or state_file()
    try:
        write_atomic(target, json.dumps({"theme": theme, "config_theme": configured}) + "\n")
    except OSError as error:  # a read-only home must not break the app
        log.warning("theme not remembered in %s: %s", target, error)
