"""The deployments `adep serve` runs: intake on an interval, each stage on its calendar dates, rerun on demand."""
from __future__ import annotations

from datetime import datetime

from adep.calendar import WorkingCalendar
from adep.cli.serve import build_deployments


def _rdates(schedule) -> list[datetime]:
    (line,) = [part for part in schedule.rrule.splitlines() if part.startswith("RDATE:")]
    return [datetime.strptime(t, "%Y%m%dT%H%M%S") for t in line.removeprefix("RDATE:").split(",")]


def test_deployments_and_their_schedules(home):
    deployments = {d.name: d for d in build_deployments(home, years=[2026])}
    assert set(deployments) == {"intake", "ministry-stage", "agency-stage", "rerun"}
    intake = deployments["intake"]
    assert intake.schedules[0].schedule.interval.total_seconds() == 300
    assert intake.parameters["home"] == str(home.home)

    ministry = deployments["ministry-stage"].schedules[0].schedule
    agency = deployments["agency-stage"].schedules[0].schedule
    assert ministry.timezone == agency.timezone == "Asia/Almaty"
    # the day after each tier's deadline (2026Q2's lower-tier deadline moves from Sun 5 July past Capital Day to 7 July)
    assert [d.date().isoformat() for d in _rdates(ministry)] == ["2026-01-06", "2026-04-07", "2026-07-08", "2026-10-06"]
    assert [d.date().isoformat() for d in _rdates(agency)] == ["2026-01-13", "2026-04-11", "2026-07-11", "2026-10-13"]
    assert all(d.hour == 6 for d in _rdates(ministry) + _rdates(agency))
    assert deployments["ministry-stage"].parameters["stage"] == "ministry"
    assert deployments["rerun"].schedules in (None, [])


def test_an_operator_transfer_moves_a_stage_run(home):
    # A government order making Monday 2026-10-05 a day off moves the lower-tier deadline to the 6th, the run to the 7th.
    home.transfers_path.write_text("date,working,note\n2026-10-05,0,order\n", encoding="utf-8")
    assert not WorkingCalendar.from_settings(home).is_working_day(datetime(2026, 10, 5).date())
    ministry = {d.name: d for d in build_deployments(home, years=[2026])}["ministry-stage"].schedules[0].schedule
    assert _rdates(ministry)[-1].date().isoformat() == "2026-10-07"
