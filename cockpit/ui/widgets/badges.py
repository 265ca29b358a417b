"""Small coloured words the panels share: severity, tier, status, health and
demo/stale badges, ages and percentages."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Iterable

from rich.text import Text

from cockpit.durations import format_duration
from cockpit.model import SourceHealth
from cockpit.ui.widgets.text import literal

SEVERITY_STYLES = {"P0": "bold white on red", "P1": "bold red", "P2": "yellow", "P3": "cyan"}
TIER_ORDER = ("healthy", "warning", "critical", "exhausted")  # worse to the right
TIER_STYLES = {"healthy": "green", "warning": "yellow", "critical": "bold red", "exhausted": "bold white on red"}
STATUS_STYLES = {
    "investigating": "bold red", "identified": "yellow", "monitoring": "cyan", "resolved": "green",
    "firing": "bold red", "acknowledged": "yellow", "silenced": "dim", "inhibited": "dim",
}


def severity_badge(severity: str) -> Text:
    return literal(severity or "?", SEVERITY_STYLES.get(severity, "dim"))


# In tables: a word short enough never to be cut at 80 columns.
TIER_SHORT = {"healthy": "ok", "warning": "warn", "critical": "crit", "exhausted": "out", "": "—"}


def tier_badge(tier: str, *, short: bool = False) -> Text:
    """A policy tier ("": no data or too little traffic, so no tier applies);
    ``short``: the table's word for it (ok, warn, crit, out)."""
    word = TIER_SHORT.get(tier, tier) if short else (tier or "no tier")
    return literal(word, TIER_STYLES.get(tier, "dim"))


def clock_time(at: datetime, now: datetime) -> str:
    """A time of day, with the day when it is not today ("09:00 UTC",
    "Mon 06-08 09:00 UTC"): "until 09:00" must not mean next Monday."""
    at_local = at.astimezone(now.tzinfo) if now.tzinfo and at.tzinfo else at
    if at_local.date() == now.date():
        return f"{at_local:%H:%M %Z}".strip()
    return f"{at_local:%a %Y-%m-%d %H:%M %Z}".strip()


def worst_tier(tiers: Iterable[str]) -> str:
    """The most severe policy tier among ``tiers`` ("" when none has data)."""
    known = [t for t in tiers if t in TIER_ORDER]
    return max(known, key=TIER_ORDER.index) if known else ""


def status_badge(status: str) -> Text:
    return literal(status, STATUS_STYLES.get(status, ""))


def demo_badge() -> Text:
    """Marks simulated data, so nobody mistakes the demo for production."""
    return Text(" DEMO ", style="bold black on magenta")


def stale_badge() -> Text:
    return Text(" STALE ", style="bold black on yellow")


def age(since: datetime | None, now: datetime) -> str:
    """How long ago ``since`` was, short form ("12m"); "—" when unknown."""
    return "—" if since is None else _seconds_ago(int((now - since).total_seconds()))


def data_age(since: datetime | None, now: datetime) -> str:
    """How old a source's data is, to the minute ("0s" under one): it is
    shown on every refresh, and an age ticking by the second redrew its
    block over SSH each time."""
    return "—" if since is None else _seconds_ago(int((now - since).total_seconds()) // 60 * 60)


# 10,000 alerts fired within a few minutes of each other share a few hundred
# ages: each is formatted once.
_seconds_ago = lru_cache(maxsize=4096)(format_duration)


HEALTH_STYLES = {"ok": "green", "degraded": "bold yellow", "stale": "bold yellow", "error": "bold red",
                 "loading": "dim"}


def health_word(health: SourceHealth) -> str:
    """One source's state in a word: ok, degraded (something was left out),
    stale (failing, showing old data), error (failing, no data) or loading."""
    if health.state == "failing":
        return "stale" if health.stale else "error"
    return health.state if health.state in HEALTH_STYLES else "error"


def health_badge(health: SourceHealth) -> Text:
    word = health_word(health)
    return Text(word, style=HEALTH_STYLES[word])


def percent(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"
