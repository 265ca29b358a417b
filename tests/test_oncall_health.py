"""On-call health from PagerDuty's log entries (responses recorded in the
published schema's shape, tests/fixtures/pagerduty/derive.py) and the
incident log: pages per person and shift, after-hours in the configured time
zone, shifts running over midnight, pages without a runbook."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from cockpit.model import Incident, Page, Snapshot, SourceHealth
from cockpit.oncall_health import (OncallSettings, incident_log_incidents, is_after_hours, recent_shifts,
                                   runbook_check, shift_at, shift_health)
from tests.test_pagerduty import FakePagerDuty, make_source

NOW = datetime(2026, 11, 28, 3, 0, tzinfo=timezone.utc)  # the fixed clock: Saturday 04:00 in Berlin
BERLIN_DAILY = OncallSettings(time_zone="Europe/Berlin", shift_length=timedelta(days=1), handoff_time=time(9),
                              shifts=3)
HAS_RUNBOOK = {"api-server": ["api-server/high-error-rate.md"]}


async def fetch_pages(**options):
    server = FakePagerDuty()
    data = await make_source(server, **options).fetch()
    return server, data.pages


async def test_log_entries_are_read_over_pages_since_and_repeated_notifications_are_one_page():
    server, pages = await fetch_pages(pages_since=timedelta(days=7))
    requests = server.made("GET", "/log_entries")
    assert [r.url.params["offset"] for r in requests] == ["0", "3"]
    assert requests[0].url.params["since"] == "2026-11-21T03:00:00+00:00"
    assert requests[0].url.params["until"] == "2026-11-28T03:00:00+00:00"
    # The trigger entry is no page; the SMS and the call for PT4KHLK are one, at the first.
    assert [(p.user, p.incident_id, p.at.isoformat(), p.service) for p in pages] == [
        ("Earline Greenholt", "PPVZH9X", "2026-11-27T07:30:00+00:00", "Unmapped Service"),
        ("Tim Wright", "PT4KHLK", "2026-11-27T08:30:00+00:00", "api-server"),
        ("Tim Wright", "PQMF62U", "2026-11-27T16:30:00+00:00", "api-server"),
        ("Tim Wright", "PPVZH9X", "2026-11-28T01:00:00+00:00", "Unmapped Service"),
    ]


async def test_without_pages_since_no_log_entries_are_asked_for():
    server, pages = await fetch_pages()
    assert pages == () and server.made("GET", "/log_entries") == []


async def test_figures_per_shift_over_midnight_and_after_hours_in_berlin():
    _, pages = await fetch_pages(pages_since=timedelta(days=7))
    rows = shift_health(pages, (), lambda p: bool(HAS_RUNBOOK.get(p.service)), NOW, BERLIN_DAILY)
    figures = [(r.shift.start.isoformat(), r.user, len(r.pages), len(r.after_hours), len(r.without_runbook))
               for r in rows]
    assert figures == [
        # Friday 09:00 to Saturday 09:00 Berlin holds the 02:00 page after midnight.
        ("2026-11-27T09:00:00+01:00", "Tim Wright", 3, 2, 1),
        # 08:30 Friday in Berlin is Thursday's shift, before working hours.
        ("2026-11-26T09:00:00+01:00", "Earline Greenholt", 1, 1, 1),
        ("2026-11-25T09:00:00+01:00", "", 0, 0, 0),
    ]
    # The same pages in UTC: 16:30 is within working hours, 08:30 is not.
    in_utc = shift_health(pages, (), lambda p: True, NOW, OncallSettings(shift_length=timedelta(days=1), shifts=1))
    tim = next(r for r in in_utc if r.user == "Tim Wright")
    assert [p.at.hour for p in tim.after_hours] == [1]


def page(at: datetime, incident: str, user: str = "alice") -> Page:
    return Page(at=at, user=user, incident_id=incident, service="api-server")


def test_more_than_five_pages_a_shift_is_over_the_guides_limit():
    monday = datetime(2026, 11, 23, 10, tzinfo=timezone.utc)
    five = [page(monday + timedelta(hours=n), f"P{n}") for n in range(5)]
    settings = OncallSettings(shifts=1)
    [row] = shift_health(five, (), lambda p: True, NOW, settings)
    assert len(row.pages) == 5 and not row.over_limit
    [row] = shift_health(five + [page(monday + timedelta(hours=6), "P6")], (), lambda p: True, NOW, settings)
    assert row.over_limit


def test_weekly_handoffs_keep_their_wall_clock_time_across_dst():
    settings = OncallSettings(time_zone="Europe/Berlin", shifts=2)
    # Sunday 25 Oct 2026 ends summer time in Berlin: Monday 09:00 is 08:00 UTC after it, 07:00 before.
    shift = shift_at(datetime(2026, 10, 28, 12, tzinfo=timezone.utc), settings)
    assert shift.start.astimezone(timezone.utc) == datetime(2026, 10, 26, 8, tzinfo=timezone.utc)
    before = recent_shifts(datetime(2026, 10, 28, 12, tzinfo=timezone.utc), settings)[1]
    assert before.start.astimezone(timezone.utc) == datetime(2026, 10, 19, 7, tzinfo=timezone.utc)
    assert before.end == shift.start


def test_weekends_are_after_hours():
    settings = OncallSettings()
    assert is_after_hours(datetime(2026, 11, 28, 12, tzinfo=timezone.utc), settings)  # Saturday noon
    assert not is_after_hours(datetime(2026, 11, 27, 12, tzinfo=timezone.utc), settings)


def test_runbooks_come_from_the_catalog_or_the_incident_and_the_incident_log_is_per_shift():
    logged = Incident("INC-7", "Checkout down", "P1", "investigating", "checkout-service",
                      datetime(2026, 11, 27, 22, tzinfo=timezone.utc), "incident-log", runbook="checkout/down.md")
    alert = Incident("A1", "High errors", "P2", "firing", "api-server", logged.started_at, "demo", kind="alert")
    snapshot = Snapshot(NOW, incidents=(logged, alert),
                        sources=(SourceHealth("incident-log", "incident-log", "ok"), SourceHealth("demo", "demo", "ok")))
    has_runbook = runbook_check(snapshot, {})
    assert has_runbook(Page(NOW, "bo", "INC-7")) and not has_runbook(Page(NOW, "bo", "A1"))
    assert runbook_check(snapshot, HAS_RUNBOOK)(Page(NOW, "bo", "X", service="api-server"))
    assert incident_log_incidents(snapshot) == [logged]
    rows = shift_health([Page(NOW - timedelta(hours=1), "bo", "INC-7")], incident_log_incidents(snapshot),
                        has_runbook, NOW, BERLIN_DAILY)
    assert rows[0].incidents == (logged,) and rows[0].without_runbook == ()
    assert rows[1].incidents == ()


def test_cockpit_check_names_file_line_and_key_of_each_wrong_oncall_setting(tmp_path, capsys):
    from cockpit.commands.check import run_check

    config = tmp_path / "cockpit.yaml"
    config.write_text("sources: []\n"
                      "oncall:\n"
                      "  time_zone: Mars/Olympus\n"
                      "  working_hours: 17:00-09:00\n"
                      "  working_days: [mon, funday]\n"
                      "  handoff: monday\n"
                      "  shift_length: 10m\n"
                      "  shifts: 0\n"
                      "  max: 5\n")
    assert run_check(str(config)) == 2
    out = capsys.readouterr()
    printed = out.out + out.err
    for line, key in ((3, "time_zone"), (4, "working_hours"), (5, "working_days"), (6, "handoff"),
                      (7, "shift_length"), (8, "shifts"), (9, "max")):
        assert f"{config}:{line}: oncall.{key}: " in printed, key
    assert "Traceback" not in printed


def test_the_oncall_settings_are_read_in_their_time_zone(tmp_path):
    from cockpit.config import load_config

    config = tmp_path / "cockpit.yaml"
    config.write_text('sources: []\noncall: {time_zone: Europe/Berlin, working_hours: "08:30-18:00", '
                      'working_days: [mon, tue, wed], handoff: "wed 10:00", shift_length: 1d, shifts: 3}\n')
    settings = load_config(config).oncall
    assert settings == OncallSettings(time_zone="Europe/Berlin", work_start=time(8, 30), work_end=time(18),
                                      working_days=frozenset({0, 1, 2}), handoff_day=2, handoff_time=time(10),
                                      shift_length=timedelta(days=1), shifts=3)
    assert settings.working_hours_text() == "08:30-18:00 mon-wed (Europe/Berlin)"
    # 17:30 UTC on a Wednesday is 18:30 in Berlin: after hours there.
    assert is_after_hours(datetime(2026, 11, 25, 17, 30, tzinfo=timezone.utc), settings)
