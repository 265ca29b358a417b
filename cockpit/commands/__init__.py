"""Every `cockpit` subcommand, one module each (check, status, audit,
incident, runbooks, postmortem, init, screenshots), and the few helpers they share.
cockpit/cli.py parses the arguments and imports only the module it runs.
All but screenshots are headless and never import Textual.

Every command is a ``run_*`` function returning the process exit code, so
tests call it directly with a fixed clock. Exit codes: 0 done, 1 refused or
invalid (the message says why), 2 the config is broken or lacks what the
command needs.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from cockpit.secrets import redact
from cockpit.untrusted import clean

if TYPE_CHECKING:
    from cockpit.config import Config
    from cockpit.sources.base import SourceSpec

EXIT_OK, EXIT_FAILED, EXIT_CONFIG = 0, 1, 2


def load_config_or_report(config_path: str | None, *, read_only: bool = False) -> Config | None:
    """The config ``config_path`` resolves to, or None after printing each of
    its problems to stderr (the caller then exits 2)."""
    from cockpit.config import ConfigError, load_config, resolve_config_path

    try:
        return load_config(resolve_config_path(config_path), read_only=read_only)
    except ConfigError as error:
        for problem in error.problems:
            print(clean(problem, single_line=True), file=sys.stderr)
        return None


def sources_of_kind(config: Config, kind: str) -> list[SourceSpec]:
    return [spec for spec in config.sources if spec.kind == kind]


def missing_source(config: Config, kind: str, example: str) -> int:
    """Report that the config has no source of ``kind``; returns exit code 2."""
    return fail(f"{config.path}: no {kind} source configured; add one under sources:, e.g. `- {example}`",
                EXIT_CONFIG)


def fail(message: object, code: int = EXIT_FAILED) -> int:
    """Print ``message`` (which may quote untrusted text) to stderr; return ``code``."""
    print(redact(clean(message, single_line=True)), file=sys.stderr)
    return code
