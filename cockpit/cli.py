"""The `cockpit` command: run the app, or one of its headless subcommands.

Each subcommand lives in its own module and is imported only when used, so
`cockpit check` and `cockpit status` start fast and never import Textual.
"""

from __future__ import annotations

import argparse
import os
import sys

from cockpit import __version__
from cockpit.logs import DEFAULT_LEVEL, LEVELS
from cockpit.logs import configure as configure_logging


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cockpit",
        description="A keyboard-driven terminal operations cockpit. With no command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"cockpit {__version__}")
    parser.add_argument("--config", metavar="PATH", help="config file (default: $COCKPIT_CONFIG, "
                        "./cockpit.yaml, the user config dir, then the bundled demo)")
    parser.add_argument("--read-only", action="store_true", help="refuse every write (ack, silence, note ...)")
    parser.add_argument("--log-level", choices=LEVELS, default=DEFAULT_LEVEL,
                        help="what goes to the log file (JSON lines in the user state dir, or $COCKPIT_LOG_FILE)")
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

    _incident_parser(commands)
    incident_log = commands.add_parser("incident-log", help="the incident log's database")
    log_commands = incident_log.add_subparsers(dest="incident_log_command", metavar="ACTION", required=True)
    migrate = log_commands.add_parser("migrate", help="create or upgrade its schema; refuses a newer one")
    migrate.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS)
    runbooks = commands.add_parser("runbooks", help="list runbooks and when each is due for review")
    runbooks.add_argument("--stale", action="store_true", help="only the stale ones; exit 1 when there are any")
    runbooks.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS)
    docs = commands.add_parser("docs", help="list owned documents (runbooks, postmortems, onboarding) and "
                               "when each is due for review")
    docs.add_argument("--stale", action="store_true", help="only the stale ones; exit 1 when there are any")
    docs.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS)
    _postmortem_parser(commands)

    init = commands.add_parser("init", help="write a commented starter config, DIR/cockpit.yaml, that check passes")
    init.add_argument("dir", nargs="?", default=".", metavar="DIR", help="folder to write it in (default: .)")

    serve = commands.add_parser("serve", help="serve the app to browsers (textual-serve); every session "
                                "shares one hub, so N tabs cost the backends what one does")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1; "
                       "another needs --public: there is no authentication)")
    serve.add_argument("--port", type=int, default=8000, help="default 8000")
    serve.add_argument("--public", action="store_true", help="serve on a non-loopback address, unauthenticated")
    serve.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS)
    serve.add_argument("--read-only", action="store_true", default=argparse.SUPPRESS,
                       help="refuse every write from every session")

    drill = commands.add_parser("drill", help="run a fire drill in a sandbox: simulated clock and sources, "
                                "a throwaway incident log, a debrief at the end")
    drill.add_argument("scenario", nargs="?", metavar="SCENARIO", type=_text, help="its name (see --list)")
    drill.add_argument("--list", action="store_true", help="print each scenario's name and title, one a line")
    drill.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS)

    shots = commands.add_parser("screenshots", help="write an SVG of every panel (bundled default, fixed clock)")
    shots.add_argument("--out", metavar="DIR", default="screenshots")
    return parser


def _text(arg: str) -> str:
    """A free-text argument (title, note, name). Python hands a byte that is
    not UTF-8 over as a lone surrogate, which no file, database or terminal
    takes: such bytes become U+FFFD, as a UTF-8 terminal shows them."""
    return arg.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _incident_parser(commands) -> None:
    incident = commands.add_parser("incident", help="declare and update incidents in the incident log (audited)")
    actions = incident.add_subparsers(dest="incident_command", metavar="ACTION", required=True)
    declare = actions.add_parser("declare", help="declare an incident; prints its id")
    declare.add_argument("--title", required=True, type=_text)
    declare.add_argument("--severity", required=True, metavar="P0-P3", type=_text)
    declare.add_argument("--service", required=True, action="append", dest="services", metavar="SERVICE",
                         type=_text, help="an affected catalog service (repeat for several)")
    declare.add_argument("--commander", metavar="NAME", type=_text, help="default: you (config user)")
    declare.add_argument("--scribe", metavar="NAME", type=_text, help="who keeps the timeline (optional)")
    declare.add_argument("--comms", metavar="NAME", type=_text, help="who talks to stakeholders (optional)")
    note = actions.add_parser("note", help="add a timeline note")
    note.add_argument("id", type=_text)
    note.add_argument("text", type=_text)
    status = actions.add_parser("status", help="investigating, identified, monitoring or resolved")
    status.add_argument("id", type=_text)
    status.add_argument("status", type=_text)
    resolve = actions.add_parser("resolve", help="mark the incident resolved")
    resolve.add_argument("id", type=_text)
    for action in (declare, note, status, resolve):
        action.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS)
        action.add_argument("--read-only", action="store_true", default=argparse.SUPPRESS,
                            help="refuse (and audit) the write")


def _postmortem_parser(commands) -> None:
    postmortem = commands.add_parser("postmortem", help="postmortem drafts: write one, lint one")
    actions = postmortem.add_subparsers(dest="postmortem_command", metavar="ACTION", required=True)
    new = actions.add_parser("new", help="write the draft for an incident; prints its path")
    new.add_argument("--incident", required=True, metavar="ID", type=_text)
    new.add_argument("--out", metavar="DIR", help="folder for the draft (default: postmortems from config)")
    new.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS)
    new.add_argument("--read-only", action="store_true", default=argparse.SUPPRESS,
                     help="refuse (and audit) the write")
    check = actions.add_parser("check", help="lint a postmortem; exit 1 listing FILE:LINE: problems")
    check.add_argument("file")


def _run_incident(args: argparse.Namespace) -> int:
    from cockpit.commands import incident

    common = {"read_only": args.read_only}
    if args.incident_command == "declare":
        return incident.run_declare(args.config, title=args.title, severity=args.severity, services=args.services,
                                    commander=args.commander, scribe=args.scribe, comms=args.comms, **common)
    if args.incident_command == "note":
        return incident.run_note(args.config, args.id, args.text, **common)
    if args.incident_command == "status":
        return incident.run_set_status(args.config, args.id, args.status, **common)
    return incident.run_resolve(args.config, args.id, **common)


EXIT_CLOSED_PIPE = 141  # 128 + SIGPIPE, what a shell reports for `yes | head`


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    configure_logging(args.log_level)
    try:
        if args.command == "check":
            from cockpit.commands.check import run_check

            return run_check(args.config)
        if args.command == "status":
            from cockpit.commands.status import run_status

            return run_status(args.config, as_json=args.json)
        if args.command == "audit":
            from cockpit.commands.audit import run_verify

            return run_verify(args.config, args.file)
        if args.command == "incident":
            return _run_incident(args)
        if args.command == "incident-log":
            from cockpit.commands.incident import run_migrate

            return run_migrate(args.config)
        if args.command == "runbooks":
            from cockpit.commands.runbooks import run_runbooks

            return run_runbooks(args.config, stale_only=args.stale)
        if args.command == "docs":
            from cockpit.commands.docs import run_docs

            return run_docs(args.config, stale_only=args.stale)
        if args.command == "postmortem":
            from cockpit.commands.postmortem import run_postmortem_check, run_postmortem_new

            if args.postmortem_command == "new":
                return run_postmortem_new(args.config, args.incident, args.out, read_only=args.read_only)
            return run_postmortem_check(args.file)
        if args.command == "init":
            from cockpit.commands.init import run_init

            return run_init(args.dir)
        if args.command == "serve":
            from cockpit.commands.serve import run_serve

            return run_serve(args.config, host=args.host, port=args.port, public=args.public,
                             read_only=args.read_only, log_level=args.log_level)
        if args.command == "drill":
            from cockpit.commands.drill import run_drill, run_drill_list

            if args.list == (args.scenario is not None):
                print("cockpit drill: give either SCENARIO or --list", file=sys.stderr)
                return 2
            return run_drill_list(args.config) if args.list else run_drill(args.config, args.scenario)
        if args.command == "screenshots":
            from cockpit.commands.screenshots import run_screenshots

            return run_screenshots(args.out)
        from cockpit.ui.app import run_app

        return run_app(args.config, read_only=args.read_only)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`cockpit runbooks | head`): nothing left to say,
        # no traceback. stdout goes to devnull so Python's flush at exit is quiet too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_CLOSED_PIPE


if __name__ == "__main__":
    sys.exit(main())
