"""The deployments `adep serve` and `adep deploy` register: intake on an interval, each stage quarterly for ever, rerun on demand."""
from __future__ import annotations

import asyncio
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from adep.calendar import WorkingCalendar, quarter_to_close, stage_due_at
from adep.cli.serve import build_deployments
from adep.periods import Period

ALMATY = ZoneInfo("Asia/Almaty")


def _runs(schedule, start: datetime, n: int) -> list[datetime]:
    """The schedule's next n run times, evaluated the way the Prefect server does."""
    from prefect.server.schemas.schedules import RRuleSchedule

    server = RRuleSchedule(rrule=schedule.rrule, timezone=schedule.timezone)
    return [d.astimezone(ALMATY) for d in asyncio.run(server.get_dates(n=n, start=start))]


def test_deployments_and_their_schedules(home):
    deployments = {d.name: d for d in build_deployments(home)}
    assert set(deployments) == {"intake", "ministry-stage", "agency-stage", "rerun"}
    intake = deployments["intake"]
    assert intake.schedules[0].schedule.interval.total_seconds() == 300
    assert intake.parameters["home"] == str(home.home)
    # workers import the flows from the installed package, wherever they run
    assert {d.entrypoint for d in deployments.values()} == {"flows.intake.intake", "flows.schedule.close_quarter",
                                                            "flows.rerun.rerun"}

    ministry = deployments["ministry-stage"].schedules[0].schedule
    agency = deployments["agency-stage"].schedules[0].schedule
    assert ministry.timezone == agency.timezone == "Asia/Almaty"
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert [d.date().isoformat() for d in _runs(ministry, start, 4)] == ["2026-01-06", "2026-04-06", "2026-07-06", "2026-10-06"]
    assert [d.date().isoformat() for d in _runs(agency, start, 4)] == ["2026-01-11", "2026-04-11", "2026-07-11", "2026-10-11"]
    assert all((d.hour, d.minute) == (6, 0) for d in _runs(ministry, start, 8) + _runs(agency, start, 8))
    assert deployments["ministry-stage"].parameters["stage"] == "ministry"
    assert deployments["rerun"].schedules in (None, [])


def test_the_stage_schedules_never_run_out():
    from adep.calendar import stage_schedule

    # years after any list of dates computed at start-up would have ended
    runs = _runs(stage_schedule("agency"), datetime(2040, 1, 1, tzinfo=timezone.utc), 5)
    assert [d.isoformat() for d in runs] == ["2040-01-11T06:00:00+05:00", "2040-04-11T06:00:00+05:00",
                                             "2040-07-11T06:00:00+05:00", "2040-10-11T06:00:00+05:00",
                                             "2041-01-11T06:00:00+05:00"]


def test_a_scheduled_stage_runs_when_the_real_deadline_has_passed_and_not_before(home):
    cal = WorkingCalendar.from_settings(home)
    # 2025Q4's lower-tier deadline, Monday 5 January 2026, stands: the run of the 6th closes the quarter
    on_time = datetime(2026, 1, 6, 6, 0, tzinfo=ALMATY)
    assert quarter_to_close(on_time) == Period(2025, 4)
    assert stage_due_at(Period(2025, 4), "ministry", calendar=cal) == on_time
    # 2026Q2's, Sunday 5 July, moves past Capital Day (Monday 6th) to Tuesday 7th: the run of the 6th is early
    early = datetime(2026, 7, 6, 6, 0, tzinfo=ALMATY)
    assert stage_due_at(quarter_to_close(early), "ministry", calendar=cal) == datetime(2026, 7, 8, 6, 0, tzinfo=ALMATY)
    # an operator's transfer order moves it too
    home.transfers_path.write_text("date,working,note\n2026-10-05,0,order\n", encoding="utf-8")
    moved = WorkingCalendar.from_settings(home)
    assert not moved.is_working_day(date(2026, 10, 5))
    assert stage_due_at(Period(2026, 3), "ministry", calendar=moved) == datetime(2026, 10, 7, 6, 0, tzinfo=ALMATY)
