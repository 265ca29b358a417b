"""`cockpit serve` end to end in a real headless Chromium (Debian's
chromium and chromium-driver): the page loads, keys switch panels, the test
reads what the terminal on the page shows; three browser tabs cost the
backends one tab's queries (Prometheus' own request counter)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

import httpx

from loopback_server import free_port
from serve_backends import ALERT, SLO, serve_backends

pytestmark = pytest.mark.integration

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync")
# textual-serve keeps its xterm.js Terminal to itself and draws it on a
# canvas: before the page's scripts run, catch the Terminal as it is
# assigned (`this.terminal = new Terminal(...)`), to read its screen.
CATCH_TERMINAL = """
Object.defineProperty(Object.prototype, "terminal", {configurable: true, set(value) {
    Object.defineProperty(this, "terminal", {value, writable: true, configurable: true, enumerable: true});
    if (value && value.buffer) { window.cockpitTerminal = value; }
}});
"""
SCREEN = """
const t = window.cockpitTerminal;
if (!t) { return ""; }
const lines = [];
for (let row = 0; row < t.rows; row++) {
    const line = t.buffer.active.getLine(row);
    lines.push(line ? line.translateToString(true) : "");
}
return lines.join("\\n");
"""


def _needs_chromium() -> None:
    if Path(CHROMIUM).is_file() and Path(CHROMEDRIVER).is_file():
        return
    if os.environ.get("CI"):
        pytest.fail("Chromium is not installed: scripts/install-servers.sh installs chromium and chromium-driver")
    pytest.skip("needs Debian's chromium and chromium-driver (scripts/install-servers.sh)")


@contextmanager
def _serving(config: Path, home: Path):
    port = free_port()
    env = {**os.environ, "HOME": str(home), "XDG_STATE_HOME": str(home / "state"),
           "XDG_CONFIG_HOME": str(home / "config"), "COCKPIT_LOG_FILE": str(home / "cockpit.log")}
    process = subprocess.Popen([sys.executable, "-m", "cockpit.cli", "serve", "--port", str(port),
                                "--config", str(config)], env=env, cwd=home,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while not _answers(url):
            assert process.poll() is None, process.stdout.read().decode()
            assert time.monotonic() < deadline, "cockpit serve did not start listening"
            time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False


@contextmanager
def _chromium():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, "--window-size=1280,800"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _open_tab(driver, url: str, first: bool) -> None:
    if not first:
        driver.switch_to.new_window("tab")
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": CATCH_TERMINAL})
    driver.get(url)


def _screen_shows(driver, text: str, timeout_s: float = 30) -> str:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, timeout_s, poll_frequency=0.1).until(lambda d: text in d.execute_script(SCREEN),
                                                               f"{text!r} on the page")
    return driver.execute_script(SCREEN)


def _press(driver, keys: str) -> None:
    from selenium.webdriver.common.by import By

    driver.find_element(By.CSS_SELECTOR, ".xterm-helper-textarea").send_keys(keys)


def _panels_through_keys(driver) -> None:
    """The app's own keys in the browser: 3 the SLOs, 4 the incidents, 1 back to the overview."""
    screen = _screen_shows(driver, "Overview")
    assert "prometheus" in screen and "alertmanager" in screen  # the source bar
    _press(driver, "3")
    _screen_shows(driver, SLO)
    _press(driver, "4")
    _screen_shows(driver, ALERT)
    _press(driver, "1")
    _screen_shows(driver, "By severity")


def test_three_browser_tabs_show_the_app_and_cost_one_tabs_queries(tmp_path, capsys):
    _needs_chromium()
    with serve_backends() as backends, _serving(backends.config(), tmp_path) as url, _chromium() as driver:
        _open_tab(driver, url, first=True)
        _panels_through_keys(driver)  # the data is on screen: the serve process's first fetch is done
        one_tab = backends.counts()
        for _ in range(2):
            _open_tab(driver, url, first=False)
            _panels_through_keys(driver)
        three_tabs = backends.counts()
    with capsys.disabled():
        print(f"\nPromQL queries, Alertmanager requests: {one_tab} with 1 tab open, {three_tabs} with 3")
    assert one_tab[0] > 0 and one_tab[1] > 0
    assert three_tabs == one_tab  # the two later tabs fetched nothing: they got the one hub's snapshot
