"""The quarterly calendar against dates checked by hand on a printed calendar."""
from __future__ import annotations

import asyncio
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from adep.calendar import (
    SHIPPED_TRANSFERS,
    StageDay,
    TransferFileError,
    WorkingCalendar,
    deadline,
    intake_schedule,
    is_late,
    load_transfers,
    next_stage_runs,
    read_transfer_file,
    stage_run_dates,
    stage_schedule,
    tier_of_kind,
)
from adep.periods import Period
from adep.settings import Settings

ALMATY = ZoneInfo("Asia/Almaty")

# (period, lower-tier due day, top-tier due day) after shifting, worked out by hand:
# 2026-01-10 Sat -> Mon 12; 2026-04-05 Sun -> Mon 6; 2026-07-05 Sun, Mon 6 is Capital Day -> Tue 7;
# 2026-10-10 Sat -> Mon 12; 2027-01-10 Sun -> Mon 11; 2027-04-10 Sat -> Mon 12; 2027-07-10 Sat -> Mon 12;
# 2027-10-10 Sun -> Mon 11. The rest (2026-01-05 Mon, 2026-04-10 Fri, ...) are working days.
DEADLINES = [
    ("2025Q4", date(2026, 1, 5), date(2026, 1, 12)),
    ("2026Q1", date(2026, 4, 6), date(2026, 4, 10)),
    ("2026Q2", date(2026, 7, 7), date(2026, 7, 10)),
    ("2026Q3", date(2026, 10, 5), date(2026, 10, 12)),
    ("2026Q4", date(2027, 1, 5), date(2027, 1, 11)),
    ("2027Q1", date(2027, 4, 5), date(2027, 4, 12)),
    ("2027Q2", date(2027, 7, 5), date(2027, 7, 12)),
    ("2027Q3", date(2027, 10, 5), date(2027, 10, 11)),
    ("2027Q4", date(2028, 1, 5), date(2028, 1, 10)),
]


def end_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 23, 59, 59, 999999, tzinfo=ALMATY)


@pytest.fixture
def cal() -> WorkingCalendar:
    """Holidays only, so a future shipped transfer cannot change what these tests pin down."""
    return WorkingCalendar({}, years=[2025, 2026, 2027, 2028])


def test_weekdays_behind_the_table():
    days = [date(2026, 1, 5), date(2026, 1, 10), date(2026, 4, 5), date(2026, 7, 5), date(2027, 1, 10)]
    assert [d.strftime("%a") for d in days] == ["Mon", "Sat", "Sun", "Sun", "Sun"]


@pytest.mark.parametrize("period, lower, top", DEADLINES)
def test_deadlines_2026_2027(cal, period, lower, top):
    assert deadline(period, "lower", calendar=cal) == end_of(lower)
    assert deadline(Period.parse(period), "top", calendar=cal) == end_of(top)


def test_deadline_is_end_of_day_at_utc_plus_5(cal):
    d = deadline("2026Q1", "top", calendar=cal)
    assert d.utcoffset() == timedelta(hours=5)
    assert d.astimezone(timezone.utc) == datetime(2026, 4, 10, 18, 59, 59, 999999, tzinfo=timezone.utc)


def test_weekend_deadline_moves_to_monday(cal):
    # 2026-01-10 is a Saturday.
    assert deadline("2025Q4", "top", calendar=cal).date() == date(2026, 1, 12)


def test_shift_runs_through_a_holiday(cal):
    # 2026-07-05 is a Sunday and Monday 6 July is Capital Day.
    assert not cal.is_working_day(date(2026, 7, 6))
    assert cal.holiday_name(date(2026, 7, 6))
    assert deadline("2026Q2", "lower", calendar=cal).date() == date(2026, 7, 7)


def test_deadline_on_a_holiday_and_a_substituted_day_off(cal):
    # 2006-01-10 (Tue) was Kurban ait and Wed 11 January a day off moved from Sat 14 January.
    assert deadline("2005Q4", "top", calendar=cal).date() == date(2006, 1, 12)


def test_weekend_made_working_by_the_package(cal):
    # Sunday 2025-01-05 was a working day (its day off moved to Friday 3 January), so no shift.
    assert deadline("2024Q4", "lower", calendar=cal).date() == date(2025, 1, 5)


def test_shift_false_keeps_the_due_day(cal):
    assert deadline("2025Q4", "top", shift=False, calendar=cal) == end_of(date(2026, 1, 10))
    assert deadline("2026Q2", "lower", shift=False, calendar=cal) == end_of(date(2026, 7, 5))


def test_unknown_tier():
    with pytest.raises(ValueError, match="tier"):
        deadline("2026Q1", "middle")


def test_tier_of_kind():
    assert tier_of_kind("central_body", None) == "top"
    assert tier_of_kind("regional_akimat", "") == "top"
    assert tier_of_kind("audit_commission", float("nan")) == "top"
    assert tier_of_kind("department", "123456789012") == "lower"


def test_is_late(cal):
    assert not is_late(datetime(2026, 1, 12, 23, 59, tzinfo=ALMATY), "2025Q4", "top", calendar=cal)
    assert is_late(datetime(2026, 1, 13, 0, 0, tzinfo=ALMATY), "2025Q4", "top", calendar=cal)
    # Same instant seen from UTC: 19:00 UTC is midnight in Almaty.
    assert is_late(datetime(2026, 1, 12, 19, 0, tzinfo=timezone.utc), "2025Q4", "top", calendar=cal)
    assert is_late(datetime(2026, 1, 11, 9, 0, tzinfo=ALMATY), "2025Q4", "top", shift=False, calendar=cal)
    with pytest.raises(ValueError, match="time zone"):
        is_late(datetime(2026, 1, 1), "2025Q4", "top")


def test_stage_run_dates_2026(cal):
    p = Period.parse
    assert stage_run_dates(2026, calendar=cal) == [
        (p("2025Q4"), "ministry", date(2026, 1, 6)),
        (p("2025Q4"), "agency", date(2026, 1, 13)),
        (p("2026Q1"), "ministry", date(2026, 4, 7)),
        (p("2026Q1"), "agency", date(2026, 4, 11)),
        (p("2026Q2"), "ministry", date(2026, 7, 8)),
        (p("2026Q2"), "agency", date(2026, 7, 11)),
        (p("2026Q3"), "ministry", date(2026, 10, 6)),
        (p("2026Q3"), "agency", date(2026, 10, 13)),
    ]


def test_stage_run_dates_2027(cal):
    p = Period.parse
    assert stage_run_dates(2027, calendar=cal) == [
        (p("2026Q4"), "ministry", date(2027, 1, 6)),
        (p("2026Q4"), "agency", date(2027, 1, 12)),
        (p("2027Q1"), "ministry", date(2027, 4, 6)),
        (p("2027Q1"), "agency", date(2027, 4, 13)),
        (p("2027Q2"), "ministry", date(2027, 7, 6)),
        (p("2027Q2"), "agency", date(2027, 7, 13)),
        (p("2027Q3"), "ministry", date(2027, 10, 6)),
        (p("2027Q3"), "agency", date(2027, 10, 12)),
    ]


def test_stage_run_dates_unshifted(cal):
    runs = stage_run_dates(2026, shift=False, calendar=cal)
    assert StageDay(Period(2025, 4), "agency", date(2026, 1, 11)) in runs
    assert StageDay(Period(2026, 2), "ministry", date(2026, 7, 6)) in runs


def test_next_stage_runs(cal):
    after = datetime(2026, 7, 8, 6, 0, tzinfo=ALMATY)
    runs = next_stage_runs(after, 3, calendar=cal)
    assert [(str(r.period), r.stage, r.at) for r in runs] == [
        ("2026Q2", "agency", datetime(2026, 7, 11, 6, 0, tzinfo=ALMATY)),
        ("2026Q3", "ministry", datetime(2026, 10, 6, 6, 0, tzinfo=ALMATY)),
        ("2026Q3", "agency", datetime(2026, 10, 13, 6, 0, tzinfo=ALMATY)),
    ]


def test_next_stage_runs_of_one_stage_cross_years(cal):
    runs = next_stage_runs(datetime(2026, 10, 1, tzinfo=ALMATY), 3, stage="agency", calendar=cal)
    assert [r.at.date() for r in runs] == [date(2026, 10, 13), date(2027, 1, 12), date(2027, 4, 13)]


def test_stage_schedule_holds_exact_local_times():
    from prefect.server.schemas.schedules import RRuleSchedule

    sched = stage_schedule("ministry")
    assert sched.timezone == "Asia/Almaty"
    assert sched.rrule == "FREQ=YEARLY;BYMONTH=1,4,7,10;BYMONTHDAY=6;BYHOUR=6;BYMINUTE=0;BYSECOND=0"
    # Evaluate it the way the Prefect server does, to be sure 06:00 stays 06:00 in Almaty.
    server = RRuleSchedule(rrule=sched.rrule, timezone=sched.timezone)
    dates = asyncio.run(server.get_dates(n=4, start=datetime(2026, 1, 1, tzinfo=timezone.utc)))
    assert [d.astimezone(timezone.utc) for d in dates] == [
        datetime(2026, 1, 6, 1, 0, tzinfo=timezone.utc),
        datetime(2026, 4, 6, 1, 0, tzinfo=timezone.utc),
        datetime(2026, 7, 6, 1, 0, tzinfo=timezone.utc),
        datetime(2026, 10, 6, 1, 0, tzinfo=timezone.utc),
    ]


def test_stage_schedule_at_another_time():
    sched = stage_schedule("agency", at=time(9, 30))
    assert sched.rrule == "FREQ=YEARLY;BYMONTH=1,4,7,10;BYMONTHDAY=11;BYHOUR=9;BYMINUTE=30;BYSECOND=0"


def test_intake_schedule():
    assert intake_schedule().interval == timedelta(minutes=5)


def test_shipped_transfers_file_reads():
    assert isinstance(read_transfer_file(SHIPPED_TRANSFERS), dict)


def test_operator_transfers_change_deadlines(tmp_path):
    settings = Settings(home=tmp_path)
    settings.transfers_path.write_text(
        "date,working,note\n"
        "# hypothetical orders, for the test\n"
        "2026-01-10,1,Saturday made a working day\n"
        "05.10.2026,0,Monday made a day off\n",
        encoding="utf-8",
    )
    cal = WorkingCalendar.from_settings(settings)
    assert deadline("2025Q4", "top", calendar=cal).date() == date(2026, 1, 10)
    assert deadline("2026Q3", "lower", calendar=cal).date() == date(2026, 10, 6)
    assert stage_run_dates(2026, calendar=cal)[1] == (Period(2025, 4), "agency", date(2026, 1, 11))


def test_missing_operator_file_is_fine(tmp_path):
    assert load_transfers(tmp_path / "absent.csv") == read_transfer_file(SHIPPED_TRANSFERS)


def test_semicolon_file_from_excel(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("\ufeffdate;working;note\n2026-01-10;1;order\n", encoding="utf-8")
    assert read_transfer_file(path) == {date(2026, 1, 10): True}


@pytest.mark.parametrize(
    "bad_row, message",
    [
        ("2026-02-30,1,no such day", "line 4: date '2026-02-30'"),
        ("2026-01-10,yes,word", "line 4: working must be 1"),
        ("2026-01-10", "line 4: expected columns"),
        ("2026-01-03,0,contradicts line 3", "line 4: 2026-01-03 contradicts line 3"),
    ],
)
def test_bad_transfer_row_names_its_line(tmp_path, bad_row, message):
    path = tmp_path / "t.csv"
    path.write_text(f"date,working,note\n# comment\n2026-01-03,1,fine\n{bad_row}\n", encoding="utf-8")
    with pytest.raises(TransferFileError, match=message):
        read_transfer_file(path)


def test_bad_header(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("day,flag\n2026-01-03,1\n", encoding="utf-8")
    with pytest.raises(TransferFileError, match="line 1: header"):
        read_transfer_file(path)
