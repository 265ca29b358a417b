"""The `cockpit` command: run the app, or one of its headless subcommands.

Each subcommand lives in its own module and is imported only when used, so
`cockpit check` and `cockpit status` start fast and never import Textual.
"""

from __future__ import annotations

import argparse
import sys

from cockpit import __version__


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cockpit",
        description="A keyboard-driven terminal operations cockpit. With no command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"cockpit {__version__}")
    parser.add_argument("--config", metavar="PATH", help="config file (default: $COCKPIT_CONFIG, "
                        "./cockpit.yaml, the user config dir, then the bundled demo)")
    parser.add_argument("--read-only", action="store_true", help="refuse every write (ack, silence, note ...)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser("check", help="validate the config and every file it names; exit 2 on problems")
    check.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS)

    status = commands.add_parser("status", help="fetch every source once and print the result")
    status.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS)
    status.add_argument("--json", action="store_true", help="print one JSON document")

    audit = commands.add_parser("audit", help="the append-only audit log of every write")
    audit_commands = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    verify = audit_commands.add_parser("verify", help="check the hash chain; exit 1 naming the first bad line")
    verify.add_argument("--file", metavar="PATH", help="audit log to verify (default: audit_log from config)")
    verify.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS)

    shots = commands.add_parser("screenshots", help="write an SVG of every panel (bundled default, fixed clock)")
    shots.add_argument("--out", metavar="DIR", default="screenshots")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "check":
            from cockpit.check import run_check

            return run_check(args.config)
        if args.command == "status":
            from cockpit.status import run_status

            return run_status(args.config, as_json=args.json)
        if args.command == "audit":
            from cockpit.audit import run_verify

            return run_verify(args.config, args.file)
        if args.command == "screenshots":
            from cockpit.screenshots import run_screenshots

            return run_screenshots(args.out)
        from cockpit.app import run_app

        return run_app(args.config, read_only=args.read_only)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
