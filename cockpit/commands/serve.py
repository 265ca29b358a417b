"""`cockpit serve [--host 127.0.0.1] [--port 8000] [--config PATH] [--public]`:
the app in a browser tab (textual-serve), every session over one hub.

Loopback only by default: there is no authentication, so any other address
prints a warning saying so and needs --public.
"""

from __future__ import annotations

import ipaddress
import shlex
import sys
import tempfile
from pathlib import Path

from cockpit.commands import EXIT_CONFIG, EXIT_OK, fail, load_config_or_report

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8000


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def run_serve(config_path: str | None, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
              public: bool = False, read_only: bool = False, log_level: str = "info") -> int:
    if not is_loopback(host):
        print(f"WARNING: cockpit serve has no authentication: anyone who can reach {host}:{port} uses the "
              "cockpit, its writes (declare, note, ack, silence) included.", file=sys.stderr)
        if not public:
            return fail(f"refused: {host} is not a loopback address; pass --public to serve on it anyway")
    config = load_config_or_report(config_path, read_only=read_only)
    if config is None:
        return EXIT_CONFIG
    from cockpit.web.server import CockpitServer

    # mkdtemp's folder is the user's only (0700): only their own processes reach the socket.
    with tempfile.TemporaryDirectory(prefix="cockpit-serve-") as folder:
        feed = Path(folder) / "feed.sock"
        command = shlex.join([sys.executable, "-m", "cockpit.web.session", "--feed", str(feed),
                              "--config", str(config.path.resolve()), "--log-level", log_level,
                              *(["--read-only"] if read_only else [])])
        CockpitServer(command, host, port, config, feed).serve()
    return EXIT_OK
