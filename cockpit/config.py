"""Load and validate the cockpit's YAML config; errors name file, line and key.

Resolution order: --config PATH, $COCKPIT_CONFIG, ./cockpit.yaml, the user
config dir's cockpit/cockpit.yaml, the bundled default (config/cockpit.yaml).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Mapping

from cockpit.sources.base import Problem, SourceSpec

BUNDLED_CONFIG = Path(__file__).resolve().parent.parent / "config" / "cockpit.yaml"


class ConfigError(Exception):
    """The config (or a file it names) is broken; ``problems`` says where."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Config:
    path: Path  # the config file that was loaded
    refresh: timedelta = timedelta(seconds=30)
    read_only: bool = False
    sources: tuple[SourceSpec, ...] = ()
    keymap: Mapping[str, str] = field(default_factory=dict)  # binding id -> keys
    user: str = ""  # who the audit log and notes name
    data_dir: Path = Path(".")  # per-user state: incident log, onboarding progress
    audit_log: Path = Path("audit.jsonl")
    postmortems: Path = Path("postmortems")
    review_every: timedelta = timedelta(days=7)  # runbook default, seed: weekly
