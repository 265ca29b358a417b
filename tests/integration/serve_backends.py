"""The backends `cockpit serve` tests run against: a real Prometheus (empty:
the queries are what is counted, by its own prometheus_http_requests_total)
and a real Alertmanager holding one alert, behind a proxy that counts the
requests it passes on (Alertmanager's own metrics leave /api/v2 out)."""

from __future__ import annotations

import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

import alertmanager_harness as ah
import prometheus_harness as ph
from hanging_proxy import HangingProxy, hanging_proxy

ALERT = "CheckoutErrorsHigh"
SLO = "availability"
PROMQL_HANDLERS = ("/api/v1/query", "/api/v1/query_range")


@dataclass
class Backends:
    prometheus: str
    alertmanager: HangingProxy
    folder: Path

    def counts(self) -> tuple[int, int]:
        """(PromQL queries Prometheus answered, Alertmanager requests) so far."""
        served = ph.api_requests(self.prometheus)
        return int(sum(served.get(h, 0) for h in PROMQL_HANDLERS)), sum(self.alertmanager.passed.values())

    def config(self, refresh: str = "1h") -> Path:
        """A config over both; ``refresh`` long: the tests say when a refresh happens."""
        slos = self.folder / "slos.yaml"
        slos.write_text(f'version: "prometheus/v1"\nservice: "checkout"\nslos:\n  - name: "{SLO}"\n'
                        f"    objective: 99.9\n    sli:\n      events:\n"
                        f"        error_query: '{ph.ERROR_QUERY % 'checkout'}'\n"
                        f"        total_query: '{ph.TOTAL_QUERY % 'checkout'}'\n")
        config = self.folder / "cockpit.yaml"
        config.write_text(f"refresh: {refresh}\ndata_dir: {self.folder / 'data'}\nsources:\n"
                          f"  - {{kind: prometheus, url: '{self.prometheus}', slos: [slos.yaml]}}\n"
                          f"  - {{kind: alertmanager, urls: ['{self.alertmanager.url}']}}\n")
        return config


@contextmanager
def serve_backends() -> Iterator[Backends]:
    if not (ph.available() and ah.available()):
        pytest.skip("needs Debian's prometheus and prometheus-alertmanager (scripts/install-servers.sh)")
    with tempfile.TemporaryDirectory(prefix="cockpit-serve-") as tmp, \
            ph.prometheus(Path(tmp) / "tsdb") as prometheus, ah.alertmanager(Path(tmp) / "am") as alertmanager:
        ah.post_alerts([alertmanager], [ah.make_alert({"alertname": ALERT, "service": "checkout",
                                                       "severity": "critical"})])
        ah.wait_until(lambda: ah.grouped_alert_count(alertmanager) == 1, what="the alert")
        with hanging_proxy(alertmanager, hang=()) as proxy:
            yield Backends(prometheus, proxy, Path(tmp))
