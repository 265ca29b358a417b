"""What the prometheus source reads beside the SLO queries: the server's
retention (to warn when it is shorter than an SLO window) and, with
``backup_metric`` set, when each service or data domain last backed up."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from typing import Mapping

from cockpit.durations import format_duration
from cockpit.model import BackupStatus
from cockpit.promql import sample_value
from cockpit.sources.base import SourceError, TransientSourceError
from cockpit.sources.prometheus.api import BadQuery, PrometheusAPI

RETENTION_RECHECK = timedelta(hours=1)
RETENTION_RETRY = timedelta(minutes=10)  # after a check that timed out or failed to connect
# The status pages' own budget, well inside the fetch's: a gateway whose
# status pages hang must not take the SLOs down with it.
RETENTION_TIMEOUT_S = 2.0
DEFAULT_BACKUP_LABEL = "service"


async def backup_ages(api: PrometheusAPI, options: Mapping, source: str,
                      now: datetime) -> tuple[tuple[BackupStatus, ...], str]:
    """The newest successful backup per service or data domain (the
    gauge's ``backup_label``), and why there are none when the query was
    refused: the SLOs stand without them."""
    metric = options.get("backup_metric")
    if not metric:
        return (), ""
    label = options.get("backup_label") or DEFAULT_BACKUP_LABEL
    try:
        series = await api.query(f"max by ({label}) ({metric})", now)
    except BadQuery as error:
        return (), f"backup ages not read: {error}"
    found = []
    for item in series:
        subject, value = item["metric"].get(label), sample_value((item.get("value") or (0, None))[1])
        if subject and value == value and 0 < value < 1e11:  # a Unix time (NaN and nonsense left out)
            found.append(BackupStatus(str(subject), datetime.fromtimestamp(value, timezone.utc), source))
    return tuple(sorted(found, key=lambda b: b.subject)), ""


class RetentionCheck:
    """The server's time retention, read at most hourly (every 10 minutes
    after a timeout or a refused connection), within RETENTION_TIMEOUT_S."""

    def __init__(self) -> None:
        # (next check at, retention or None if unknown, why it is unknown or "")
        self._last: tuple[datetime, timedelta | None, str] | None = None

    async def at(self, api: PrometheusAPI, now: datetime) -> tuple[timedelta | None, str]:
        """The retention (None: unknown, e.g. Thanos or Mimir, which do not
        serve these status pages) and, when it could not be read, why."""
        if self._last is None or now >= self._last[0]:
            retention, unknown, next_check = None, "", now + RETENTION_RECHECK
            try:
                async with asyncio.timeout(RETENTION_TIMEOUT_S):
                    retention = await api.retention(RETENTION_TIMEOUT_S)
            except TimeoutError:
                unknown = f"timed out after {RETENTION_TIMEOUT_S:g}s"
            except TransientSourceError as error:
                unknown = str(error)
            except SourceError:
                pass  # a proxy's odd reply to a status page must not stop the SLOs
            if unknown:
                next_check = now + RETENTION_RETRY
                unknown = (f"retention not known (/api/v1/status/runtimeinfo {unknown}; tried again in "
                           f"{format_duration(RETENTION_RETRY)}): budgets assume it covers every SLO window")
            self._last = (next_check, retention, unknown)
        return self._last[1], self._last[2]
