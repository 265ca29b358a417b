"""A real, throwaway PostgreSQL (Debian's `postgresql` package) on a free
127.0.0.1 port: initdb + pg_ctl in a temp dir, as an unprivileged user
(initdb refuses root; as root the cluster runs as Debian's `postgres` user,
which owns the temp dir). Password auth over TCP, so DSNs carry passwords
as they do in production. Stopped by pg_ctl, never by name.

Importable on its own (bench/incident_log_latency.py uses it without pytest).
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import psycopg

SUPERUSER = "postgres"


def bindir() -> Path | None:
    """The newest /usr/lib/postgresql/*/bin holding initdb and pg_ctl."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


def available() -> bool:
    return bindir() is not None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    def __init__(self) -> None:
        found = bindir()
        if found is None:
            raise RuntimeError("PostgreSQL binaries not found under /usr/lib/postgresql/*/bin "
                               "(scripts/install-servers.sh installs them)")
        self.bin = found
        self.port = _free_port()
        self.password = secrets.token_hex(12)
        self.root = Path(tempfile.mkdtemp(prefix="cockpit-pg-"))
        self.data = self.root / "data"
        self._as: list[str] = []
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.root, user.pw_uid, user.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]

    def _run(self, *argv: str) -> None:
        subprocess.run([*self._as, *argv], check=True, capture_output=True, timeout=120)

    def start(self) -> "Cluster":
        pwfile = self.root / "pw"
        pwfile.write_text(self.password + "\n")
        if self._as:
            shutil.chown(pwfile, "postgres")
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", SUPERUSER, "--pwfile", str(pwfile),
                  "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--no-sync")
        pwfile.unlink()
        self._ctl("start", "-o", self._options, "-l", str(self.root / "log"))
        return self

    @property
    def _options(self) -> str:
        # fsync off: a throwaway cluster; every stop here is a clean one (-m fast).
        return (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c full_page_writes=off -c max_connections=60")

    def _ctl(self, command: str, *extra: str) -> None:
        self._run(str(self.bin / "pg_ctl"), command, "-D", str(self.data), "-w", "-t", "60", *extra)

    @contextmanager
    def down(self) -> Iterator[None]:
        """The server stopped (every connection dropped) until the block ends."""
        self._ctl("stop", "-m", "fast")
        try:
            yield
        finally:
            self._ctl("start", "-o", self._options, "-l", str(self.root / "log"))

    def restart(self) -> None:
        """Stop (dropping every client connection) and start again."""
        # -l: a server without a log file would write to our pipes, and keep them open.
        self._ctl("restart", "-m", "fast", "-o", self._options, "-l", str(self.root / "log"))

    def stop(self) -> None:
        if self.data.exists():
            try:
                self._ctl("stop", "-m", "fast")
            except subprocess.CalledProcessError:
                pass
        shutil.rmtree(self.root, ignore_errors=True)

    def dsn(self, database: str, user: str = SUPERUSER, password: str | None = None) -> str:
        return f"postgresql://{user}:{password or self.password}@127.0.0.1:{self.port}/{database}"

    def admin(self, sql: str, *args) -> None:
        with psycopg.connect(self.dsn("postgres"), autocommit=True) as conn:
            conn.execute(sql, args or None)

    def user(self, name: str) -> str:
        """A login role of its own (one per simulated host); returns its password."""
        password = secrets.token_hex(12)
        self.admin(f'CREATE ROLE "{name}" LOGIN PASSWORD \'{password}\'')
        return password

    def database(self, name: str, *users: str) -> str:
        """A new empty database the given roles may use; returns the superuser's DSN to it."""
        self.admin(f'CREATE DATABASE "{name}"')
        with psycopg.connect(self.dsn(name), autocommit=True) as conn:
            for user in users:
                conn.execute(f'GRANT ALL ON SCHEMA public TO "{user}"')
                conn.execute(f'GRANT ALL ON DATABASE "{name}" TO "{user}"')
        return self.dsn(name)

    def grant(self, database: str, *users: str) -> None:
        """Let ``users`` read and write the incident log's tables (created by
        the superuser's migration, as a DBA would run `cockpit incident-log migrate`)."""
        with psycopg.connect(self.dsn(database), autocommit=True) as conn:
            for user in users:
                conn.execute(f'GRANT ALL ON ALL TABLES IN SCHEMA public TO "{user}"')
                conn.execute(f'GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO "{user}"')
