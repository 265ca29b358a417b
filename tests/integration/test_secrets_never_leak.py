"""A known token and known passwords, every HTTP source failing against a
server that echoes them back in every form (bare, base64/Basic, JSON, cut
at several lengths): no output of `cockpit check`, `status`, `status --json`,
the app's screens, and no file the cockpit wrote holds any of them."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest

from cockpit.clock import DEMO_TIME, fixed_clock

REPO = Path(__file__).resolve().parents[2]
PD_TOKEN = "y_NbAkKc66ryYTWUXYEu"
PROM_TOKEN = "prom-bearer-4f9a2c7e1d"
PROM_PASSWORD = "Pr0m-pass-7731"
AM_PASSWORD = "am-S3cret-0042x"
SECRETS = (PD_TOKEN, PROM_TOKEN, PROM_PASSWORD, AM_PASSWORD)


def forms(secret: str) -> list[str]:
    """What must not appear: the secret, its base64, and any long piece of either."""
    b64 = base64.b64encode(secret.encode()).decode()
    return [secret, b64.rstrip("="), secret[: len(secret) // 2], secret[len(secret) // 2:]]


class EchoingHandler(BaseHTTPRequestHandler):
    """Fails every request and echoes its credentials back, as broken
    gateways and debug-mode servers do."""

    status = 500

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        auth = self.headers.get("Authorization", "")
        decoded = ""
        if auth.startswith("Basic "):
            decoded = base64.b64decode(auth[6:]).decode()
        echoes = [auth, auth.partition(" ")[2], decoded, decoded.partition(":")[2],
                  base64.b64encode(auth.encode()).decode(), json.dumps({"auth": auth}), auth[: len(auth) // 2 + 3]]
        body = ("upstream rejected the request; headers were: " + " | ".join(echoes)).encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def echo_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), EchoingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def world(tmp_path, echo_url):
    slos = tmp_path / "slos.yaml"
    slos.write_text((REPO / "config" / "slos.yaml").read_text(), encoding="utf-8")
    config = tmp_path / "cockpit.yaml"
    config.write_text(f"""
user: alice
data_dir: {tmp_path / 'data'}
audit_log: {tmp_path / 'data' / 'audit.jsonl'}
postmortems: {tmp_path / 'pm'}
sources:
  - {{kind: catalog, path: {REPO / 'config' / 'services.yaml'}}}
  - {{kind: incident-log}}
  - {{kind: pagerduty, token: "${{PD_TOKEN}}", from: a@example.com, base_url: "http://{echo_url}", timeout: 3s}}
  - kind: prometheus
    url: "http://ops:${{PROM_PASSWORD}}@{echo_url}"
    headers: {{Authorization: "Bearer ${{PROM_TOKEN}}"}}
    slos: [{slos}]
    timeout: 3s
  - {{kind: alertmanager, urls: ["http://am:${{AM_PASSWORD}}@{echo_url}"], timeout: 3s}}
""", encoding="utf-8")
    env = {"PD_TOKEN": PD_TOKEN, "PROM_TOKEN": PROM_TOKEN, "PROM_PASSWORD": quote(PROM_PASSWORD),
           "AM_PASSWORD": AM_PASSWORD, "COCKPIT_LOG_FILE": str(tmp_path / "data" / "cockpit.log"),
           "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    return config, env


def leaks(text: str) -> list[str]:
    return [form for secret in SECRETS for form in forms(secret) if form in text]


def run(argv, env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cockpit.cli", *argv], capture_output=True, text=True,
                          env=env, timeout=120)


def test_no_command_output_and_no_written_file_holds_a_secret(world, tmp_path):
    config, env = world
    outputs = {}
    for argv in (["check"], ["status"], ["--log-level", "debug", "status", "--json"]):
        done = run([*argv, "--config", str(config)], env)
        assert "Traceback" not in done.stderr, done.stderr
        outputs[" ".join(argv)] = done
    report = json.loads(outputs["--log-level debug status --json"].stdout)
    failing = {s["name"] for s in report["sources"] if not s["ok"]}
    assert {"pagerduty", "prometheus", "alertmanager"} <= failing  # each failed, with the echo in its error
    assert any("upstream rejected" in s.get("error", "") for s in report["sources"])
    for name, done in outputs.items():
        assert leaks(done.stdout + done.stderr) == [], name
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p.name != "cockpit.yaml"]
    assert any(p.name == "cockpit.log" for p in written)
    for path in written:
        assert leaks(path.read_bytes().decode("utf-8", "replace")) == [], path


async def test_no_screen_of_the_app_shows_a_secret(world, monkeypatch):
    from cockpit.ui.app import make_app
    from cockpit.config import load_config

    config_path, env = world
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    config = load_config(config_path)
    app = make_app(config, clock=fixed_clock(DEMO_TIME))
    async with app.run_test(size=(160, 50)) as pilot:
        await app.hub.refresh_all()
        await pilot.pause()
        screens = []
        for key in "osbirpw":
            await pilot.press(key)
            await pilot.pause()
            screens.append(app.export_screenshot())
        assert any("upstream" in screen for screen in screens)  # the echoing error is on screen
        for screen in screens:
            assert leaks(screen) == []
