"""The service card's recovery facts and flags, and the kill-switch flip
from it, driven by keys against a real flags source over a flag file."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from cockpit.audit import AuditLog
from cockpit.clock import fixed_clock
from cockpit.hub import Hub
from cockpit.model import BackupStatus, DataDomain, RecoveryFacts, SourceData
from cockpit.sources.base import SourceContext, SourceSpec
from cockpit.sources.flags.source import FlagsSource
from cockpit.ui.app import make_app
from cockpit.ui.widgets.dialogs import ConfirmPrompt
from tests.test_flags import KILL_SWITCH_FILE
from tests.ui.conftest import NOW, CannedSource, catalog, keys_done, settle
from tests.ui.helpers import screen_text

SIZE = (120, 40)


def world() -> SourceData:
    """The canned catalog, checkout-service with recovery facts and a data
    domain whose restore test is overdue and whose backup is older than its RPO."""
    data = catalog()
    services = tuple(
        replace(s, data_domains=("payments",), dr=RecoveryFacts(rpo=timedelta(minutes=15), rto=timedelta(hours=1),
                                                                  last_restore_test=date(2026, 10, 14)))
        if s.name == "checkout-service" else s for s in data.services)
    payments = DataDomain("payments", "payments-team", dr=RecoveryFacts(
        rpo=timedelta(minutes=5), rto=timedelta(hours=1), backup_frequency=timedelta(minutes=5),
        last_restore_test=date(2026, 6, 2)))
    return replace(data, services=services, data_domains=(payments,),
                   backups=(BackupStatus("payments", NOW - timedelta(hours=3), "prom"),))


def flags_source(path: Path) -> FlagsSource:
    spec = SourceSpec(kind="flags", name="flags", refresh=timedelta(hours=1), timeout=timedelta(seconds=5),
                      options={"path": str(path)}, base_dir=path.parent)
    return FlagsSource(spec, SourceContext(clock=fixed_clock()))


def build(config, tmp_path: Path, *, read_only: bool = False):
    flag_file = tmp_path / "checkout.flagd.json"
    flag_file.write_text(KILL_SWITCH_FILE)
    audit = tmp_path / "audit.jsonl"
    hub = Hub([CannedSource("catalog", world()), flags_source(flag_file)], clock=fixed_clock(), read_only=read_only,
              user=config.user, audit=AuditLog(audit, fixed_clock()))
    return make_app(config, hub=hub, clock=fixed_clock()), flag_file, audit


async def open_card(app, pilot, service: str = "checkout-service") -> None:
    await settle(app, pilot)
    await pilot.press("s")
    await pilot.pause()
    app.query_one("#services").open_card(service)
    await pilot.pause()


async def test_the_card_shows_recovery_facts_and_flags_the_overdue_ones(config, tmp_path):
    app, _, _ = build(config, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_card(app, pilot)
        summary = app.query_one("#card-summary").render().plain
        assert "Recovery         checkout-service  RPO 15m  RTO 1h" in summary
        assert "restore tested 2026-10-14\n" in summary  # 45 days ago: within the quarter
        assert "payments (data domain)  RPO 5m  RTO 1h  backup every 5m" in summary
        assert "restore tested 2026-06-02  OVERDUE since 2026-09-01 (91d)" in summary
        assert "last backup 3h ago  older than the 5m RPO  from prom" in summary
        assert "Flags            express-pay  kill switch  on = true" in summary
        assert 'pricing  v1 = "v1"  targeted' in summary
        assert "OVERDUE" in screen_text(app)


async def test_a_card_without_dr_or_flags_shows_neither(config, tmp_path):
    app, _, _ = build(config, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_card(app, pilot, "api-server")
        summary = app.query_one("#card-summary").render().plain
        assert "Recovery" not in summary and "Flags" not in summary
        assert "x" not in app.screen.active_bindings  # no kill switch here: the key is not offered


async def test_a_kill_switch_flip_is_confirmed_naming_the_flag_written_and_audited(config, tmp_path):
    app, flag_file, audit = build(config, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_card(app, pilot)
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmPrompt)
        assert app.screen.question.startswith("Flip kill switch express-pay of checkout-service?\n"
                                              "It serves on = true now, and will serve off = false.")
        assert flag_file.read_text() == KILL_SWITCH_FILE  # nothing written before the answer
        await pilot.press("y")
        await keys_done(app, pilot)
        assert flag_file.read_text() == KILL_SWITCH_FILE.replace('"defaultVariant": "on"', '"defaultVariant": "off"')
        entries = [json.loads(line) for line in audit.read_text().splitlines()]
        assert [(e["action"], e["target"], e["source"], e["result"][:2]) for e in entries] == [
            ("kill_switch", "express-pay", "flags", "ok")]
        await pilot.pause()
        assert "express-pay  kill switch  off = false" in app.query_one("#card-summary").render().plain


async def test_declining_the_flip_writes_nothing(config, tmp_path):
    app, flag_file, audit = build(config, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_card(app, pilot)
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("n")
        await keys_done(app, pilot)
        assert flag_file.read_text() == KILL_SWITCH_FILE and not audit.exists()


async def test_read_only_offers_no_flip_and_writes_nothing(config, tmp_path):
    app, flag_file, audit = build(config, tmp_path, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await open_card(app, pilot)
        assert "Flags            express-pay  kill switch" in app.query_one("#card-summary").render().plain
        assert "x" not in app.screen.active_bindings
        await pilot.press("x")
        await keys_done(app, pilot)
        assert len(app.screen_stack) == 1  # no prompt
        assert flag_file.read_text() == KILL_SWITCH_FILE and not audit.exists()


async def test_with_two_kill_switches_the_user_picks_one_first(config, tmp_path):
    app, flag_file, _ = build(config, tmp_path)
    second = json.loads(KILL_SWITCH_FILE)
    second["flags"]["apple-pay"] = {"state": "ENABLED", "variants": {"yes": True, "no": False}, "defaultVariant": "no",
                                    "metadata": {"service": "checkout-service", "killSwitch": True}}
    flag_file.write_text(json.dumps(second, indent=2))
    async with app.run_test(size=SIZE) as pilot:
        await open_card(app, pilot)
        await pilot.press("x")
        await pilot.pause()
        assert app.screen.choices == ("apple-pay", "express-pay")
        await pilot.press("enter")  # the first: apple-pay
        await pilot.pause()
        assert app.screen.question.startswith("Flip kill switch apple-pay of checkout-service?\n"
                                              "It serves no = false now, and will serve yes = true.")
        await pilot.press("y")
        await keys_done(app, pilot)
        assert json.loads(flag_file.read_text())["flags"]["apple-pay"]["defaultVariant"] == "yes"
        assert json.loads(flag_file.read_text())["flags"]["express-pay"]["defaultVariant"] == "on"
