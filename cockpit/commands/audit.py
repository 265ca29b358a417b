"""`cockpit audit verify [--file PATH]`: check the audit log's hash chain."""

from __future__ import annotations

import sys

from cockpit.audit import verify
from cockpit.commands import EXIT_CONFIG, EXIT_FAILED, EXIT_OK, load_config_or_report


def run_verify(config_path: str | None, file: str | None) -> int:
    """0 when the chain is intact, 1 naming the first bad line, 2 when the
    config (needed without --file) is broken."""
    if file is None:
        config = load_config_or_report(config_path)
        if config is None:
            return EXIT_CONFIG
        file = str(config.audit_log)
    result = verify(file)
    print(result.message, file=sys.stdout if result.ok else sys.stderr)
    return EXIT_OK if result.ok else EXIT_FAILED
