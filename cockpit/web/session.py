"""One browser session: the app, over the serve process's hub.

textual-serve runs `python -m cockpit.web.session --feed SOCKET --config PATH`
for each browser that connects (with Textual's web driver); the app is the
terminal's own (make_app), with a RemoteHub instead of a Hub.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cockpit.commands import EXIT_CONFIG, fail, load_config_or_report
from cockpit.logs import DEFAULT_LEVEL, LEVELS
from cockpit.logs import configure as configure_logging


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cockpit-session")
    parser.add_argument("--feed", required=True, type=Path, help="the serve process's socket")
    parser.add_argument("--config", required=True, metavar="PATH")
    parser.add_argument("--read-only", action="store_true")
    parser.add_argument("--log-level", choices=LEVELS, default=DEFAULT_LEVEL)
    args = parser.parse_args(argv)
    configure_logging(args.log_level)
    config = load_config_or_report(args.config, read_only=args.read_only)
    if config is None:
        return EXIT_CONFIG
    from cockpit.ui.app import make_app
    from cockpit.web.remote_hub import RemoteHub

    try:
        hub = RemoteHub.connect(args.feed)
    except OSError as error:
        return fail(f"{args.feed}: cannot reach the cockpit serve process: {error.strerror or error}")
    make_app(config, hub=hub, read_only=args.read_only or None).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
