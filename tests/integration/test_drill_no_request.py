"""Issue 17: a drill never touches a real backend. The config names real
Prometheus, Alertmanager and PagerDuty sources, all pointed at one local
listening socket that counts every connection; the same config outside a
drill reaches it (so the counter works), a whole drill (fetches, ctrl+r,
ack, silence, the silences list, the debrief) does not."""

from __future__ import annotations

import socket
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from cockpit.bundled import CONFIG as BUNDLED_DIR
from cockpit.clock import DEMO_TIME, SimulatedClock
from cockpit.config import load_config
from cockpit.drills.scenario import drills_folder, load_scenario, scenario_file
from cockpit.hub import Hub
from cockpit.ui.drill import DebriefScreen, make_drill_app
from cockpit.writes import Action
from tests.ui.conftest import keys_done, settle


class ConnectionCounter:
    """A socket on 127.0.0.1 that accepts, counts and closes every connection."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.url = "http://127.0.0.1:%d" % self.server.getsockname()[1]
        self.connections = 0
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:  # closed
                return
            with self._lock:
                self.connections += 1
            conn.close()

    def count(self) -> int:
        with self._lock:
            return self.connections

    def close(self) -> None:
        self.server.close()
        self._thread.join(timeout=5)


@pytest.fixture
def counter():
    counter = ConnectionCounter()
    yield counter
    counter.close()


def real_backends_config(tmp_path: Path, url: str) -> Path:
    (tmp_path / "cockpit.yaml").write_text(f"""
user: trainee
data_dir: {tmp_path / 'data'}
sources:
  - {{kind: catalog, path: {BUNDLED_DIR / 'services.yaml'}}}
  - {{kind: runbooks, path: {BUNDLED_DIR.parent / 'runbooks'}}}
  - {{kind: incident-log}}
  - {{kind: prometheus, url: "{url}", slos: [{BUNDLED_DIR / 'slos.yaml'}], timeout: 2s}}
  - {{kind: alertmanager, urls: ["{url}"], timeout: 2s}}
  - {{kind: pagerduty, token: not-a-real-token, base_url: "{url}", timeout: 2s}}
""", encoding="utf-8")
    return tmp_path / "cockpit.yaml"


async def test_the_configured_backends_are_reached_outside_a_drill(tmp_path, counter):
    config = load_config(real_backends_config(tmp_path, counter.url))
    hub = Hub.from_config(config, lambda: DEMO_TIME)
    await hub.refresh_all()
    await hub.aclose()
    assert counter.count() >= 3


async def test_a_whole_drill_sends_no_request_to_the_configured_backends(tmp_path, counter):
    config = load_config(real_backends_config(tmp_path, counter.url))
    clock = SimulatedClock(DEMO_TIME, monotonic=lambda: 0.0)
    scenario = load_scenario(scenario_file(drills_folder(config.path), "database-slowdown"))
    app = make_drill_app(config, scenario, clock=clock)
    assert {s.kind for s in app.hub.sources} == {"catalog", "runbooks", "incident-log", "drill"}
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        clock.advance(timedelta(minutes=3))
        app.drill_tick()
        await app.hub.refresh_all()  # may join a fetch begun before the clock moved: the next one begins after
        await settle(app, pilot)
        await pilot.press("ctrl+r")
        await keys_done(app, pilot)
        for alert in [i for i in app.snapshot.incidents if i.source == "drill"]:
            action = (Action("silence", alert.id, {"comment": "symptom of the database", "duration": "1h"})
                      if alert.severity == "P3" else Action("ack", alert.id))
            result = await app.hub.perform("drill", action)
            assert result.ok, result.message
        assert await app.hub.list_silences() != ((), ())
        clock.advance(timedelta(minutes=30))
        app.drill_tick()
        await pilot.pause()
        assert isinstance(app.screen, DebriefScreen)
    assert counter.count() == 0

