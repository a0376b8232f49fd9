"""The quarterly calendar: tiers, working days, deadlines and when the staged rollups run."""
from __future__ import annotations

import csv
import functools
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple
from zoneinfo import ZoneInfo

import holidays

from adep.errors import UserError
from adep.periods import Period

if TYPE_CHECKING:
    from prefect.schedules import Schedule

    from adep.settings import Settings

from contracts.reporting import DUE_DAY, LOWER, TIMEZONE, TOP  # noqa: E402  (the calendar's facts are the form's)

# Each rollup stage runs the day after the deadline of the tier it gathers.
STAGE_TIER = {"ministry": LOWER, "agency": TOP}
STAGES = tuple(STAGE_TIER)
STAGE_RUN_TIME = time(6, 0)
INTAKE_INTERVAL_MINUTES = 5
SHIPPED_TRANSFERS = Path(__file__).with_name("data") / "working_day_transfers.csv"

_EMPTY_PARENT = {"", "nan", "none", "<na>", "nat"}


class TransferFileError(UserError, ValueError):
    """A working-day transfer file that cannot be used as written."""


class StageDay(NamedTuple):
    period: Period
    stage: str
    day: date


class StageRun(NamedTuple):
    period: Period
    stage: str
    at: datetime


def tier_of_kind(kind: str | None, parent_bin: object) -> str:
    """'top' when the body reports straight to the Agency (no parent), else 'lower'."""
    # The form: an empty parent_bin means the body reports to the Agency, whatever its kind.
    # pandas gives NaN or <NA> for an empty cell, so those count as empty too.
    text = "" if parent_bin is None else str(parent_bin).strip()
    return TOP if text.lower() in _EMPTY_PARENT else LOWER


def _known_tier(tier: str) -> str:
    if tier not in DUE_DAY:
        raise ValueError(f"tier must be one of {sorted(DUE_DAY)}, not {tier!r}")
    return tier


def _known_stage(stage: str) -> str:
    if stage not in STAGE_TIER:
        raise ValueError(f"stage must be one of {list(STAGES)}, not {stage!r}")
    return stage


@functools.cache
def zone(name: str = TIMEZONE) -> ZoneInfo:
    """The named time zone, refusing a tzdata too old to know Kazakhstan is UTC+5 since 1 March 2024."""
    tz = ZoneInfo(name)
    if name == TIMEZONE and datetime(2025, 1, 1, tzinfo=tz).utcoffset() != timedelta(hours=5):
        raise RuntimeError(f"tzdata is older than 2024a: {name} is not UTC+5; upgrade the tzdata package")
    return tz


def local_time(moment: datetime, timezone: str = TIMEZONE) -> datetime:
    """A stored moment on the wall clock of the settings' time zone; a moment with no zone is UTC, as stored."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(zone(timezone))


def shown_time(moment: datetime | None, timezone: str = TIMEZONE) -> str:
    """A moment as a person reads it: local time to the minute, labelled with its zone ('' for none)."""
    if moment is None or moment != moment:  # None, or pandas' NaT
        return ""
    return f"{local_time(moment, timezone):%Y-%m-%d %H:%M} ({timezone})"


def _as_period(period: Period | str) -> Period:
    return period if isinstance(period, Period) else Period.parse(period)


def _parse_day(text: str) -> date:
    # Excel in a Russian or Kazakh locale saves 03.01.2026; everything else is ISO.
    text = text.strip()
    if len(text) == 10 and text[2] == "." and text[5] == ".":
        return date(int(text[6:]), int(text[3:5]), int(text[:2]))
    return date.fromisoformat(text)


def _delimiter(header_line: str) -> str:
    # The same Excel locales separate columns with semicolons.
    return ";" if header_line.count(";") > header_line.count(",") else ","


def _row_transfer(row: list[str], columns: dict[str, int], where: str) -> tuple[date, bool]:
    """One data row as (day, working), or an error that names the line."""
    try:
        day_text, working_text = row[columns["date"]], row[columns["working"]]
    except IndexError:
        raise TransferFileError(f"{where}: expected columns date,working,note, got {row!r}") from None
    try:
        day = _parse_day(day_text)
    except ValueError:
        raise TransferFileError(f"{where}: date {day_text.strip()!r} is not like 2026-01-03") from None
    if working_text.strip() not in {"0", "1"}:
        raise TransferFileError(f"{where}: working must be 1 (a working day) or 0 (a day off), not {working_text.strip()!r}")
    return day, working_text.strip() == "1"


def _header_columns(row: list[str], where: str) -> dict[str, int]:
    columns = {name.strip().lower(): i for i, name in enumerate(row)}
    missing = {"date", "working"} - columns.keys()
    if missing:
        raise TransferFileError(f"{where}: header must name columns date,working,note; missing {sorted(missing)}")
    return columns


def read_transfer_file(path: str | Path) -> dict[date, bool]:
    """One transfer file (date,working,note; '#' lines are comments) as {day: is working}."""
    path = Path(path)
    with path.open(encoding="utf-8-sig", newline="") as f:
        text = f.read()
    first = next((line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")), "")
    reader = csv.reader(text.splitlines(keepends=True), delimiter=_delimiter(first))
    columns: dict[str, int] | None = None
    seen: dict[date, tuple[bool, int]] = {}
    for row in reader:
        where = f"{path}, line {reader.line_num}"
        if not any(cell.strip() for cell in row) or row[0].lstrip().startswith("#"):
            continue
        if columns is None:
            columns = _header_columns(row, where)
            continue
        day, working = _row_transfer(row, columns, where)
        if day in seen and seen[day][0] != working:
            raise TransferFileError(f"{where}: {day} contradicts line {seen[day][1]}")
        seen[day] = (working, reader.line_num)
    return {day: working for day, (working, _) in seen.items()}


def load_transfers(path: str | Path | None = None) -> dict[date, bool]:
    """The shipped transfers, overridden by an operator's file (Settings.transfers_path) when it exists."""
    transfers = read_transfer_file(SHIPPED_TRANSFERS)
    if path is not None and Path(path).exists():
        transfers.update(read_transfer_file(path))
    return transfers


class WorkingCalendar:
    """Kazakhstan working days: weekends and public holidays off, government transfers on top."""

    def __init__(self, transfers: Mapping[date, bool] | None = None, years: int | Iterable[int] = ()) -> None:
        self.transfers = dict(transfers or {})
        # The holidays object fills in further years on first lookup; years only preloads them.
        self._holidays = holidays.country_holidays("KZ", years=[years] if isinstance(years, int) else list(years))

    @classmethod
    def from_settings(cls, settings: "Settings", years: int | Iterable[int] = ()) -> "WorkingCalendar":
        """The calendar with the shipped transfers and the operator's file under settings.home."""
        return cls(load_transfers(settings.transfers_path), years)

    def is_working_day(self, day: date) -> bool:
        """Whether day is a working day; the package also knows weekend days made working by past orders."""
        if day in self.transfers:
            return self.transfers[day]
        return self._holidays.is_working_day(day)

    def holiday_name(self, day: date) -> str | None:
        """The public holiday on day, if any (for messages)."""
        return self._holidays.get(day)

    def next_working_day(self, day: date) -> date:
        """Day itself if it is a working day, else the first working day after it."""
        for _ in range(366):
            if self.is_working_day(day):
                return day
            day += timedelta(days=1)
        raise ValueError(f"no working day within a year after {day}; check the transfer files")


@functools.cache
def default_calendar() -> WorkingCalendar:
    """The calendar from the shipped data only; pass WorkingCalendar.from_settings(...) to add an operator's file."""
    return WorkingCalendar(load_transfers())


def due_day(period: Period | str, tier: str) -> date:
    """The 5th or 10th of the month after the quarter, before any shift."""
    first = _as_period(period).next().first_day
    return first.replace(day=DUE_DAY[_known_tier(tier)])


def deadline(
    period: Period | str,
    tier: str,
    *,
    shift: bool = True,
    calendar: WorkingCalendar | None = None,
    timezone: str = TIMEZONE,
) -> datetime:
    """End of the due day, local time; moved to the next working day when shift and the day is not one."""
    day = due_day(period, tier)
    if shift:
        day = (calendar or default_calendar()).next_working_day(day)
    return datetime.combine(day, time.max, tzinfo=zone(timezone))


def is_late(
    received_at: datetime,
    period: Period | str,
    tier: str,
    *,
    shift: bool = True,
    calendar: WorkingCalendar | None = None,
    timezone: str = TIMEZONE,
) -> bool:
    """Whether a report received at received_at missed its deadline."""
    if received_at.tzinfo is None:
        # A naive time could be the server's local time or UTC; guessing would shift lateness by hours.
        raise ValueError("received_at must carry a time zone")
    return received_at > deadline(period, tier, shift=shift, calendar=calendar, timezone=timezone)


def stage_run_dates(
    year: int, *, shift: bool = True, calendar: WorkingCalendar | None = None
) -> list[StageDay]:
    """Every stage run that falls in year: the day after each tier's deadline (Q4 of year-1 runs in January)."""
    runs = []
    for period in (Period(year - 1, 4), Period(year, 1), Period(year, 2), Period(year, 3), Period(year, 4)):
        for stage, tier in STAGE_TIER.items():
            day = deadline(period, tier, shift=shift, calendar=calendar).date() + timedelta(days=1)
            if day.year == year:
                runs.append(StageDay(period, stage, day))
    return sorted(runs, key=lambda run: (run.day, STAGES.index(run.stage)))


def next_stage_runs(
    after: datetime,
    count: int,
    *,
    stage: str | None = None,
    shift: bool = True,
    calendar: WorkingCalendar | None = None,
    at: time = STAGE_RUN_TIME,
    timezone: str = TIMEZONE,
) -> list[StageRun]:
    """The next count stage runs strictly after `after`, at local time `at` on their run days."""
    if after.tzinfo is None:
        raise ValueError("after must carry a time zone")
    if stage is not None:
        _known_stage(stage)
    tz = zone(timezone)
    runs: list[StageRun] = []
    year = after.astimezone(tz).year
    # At most four runs of a stage a year, so this many years always yields count runs.
    for y in range(year, year + count + 1):
        for run in stage_run_dates(y, shift=shift, calendar=calendar):
            moment = datetime.combine(run.day, at, tzinfo=tz)
            if moment > after and (stage is None or run.stage == stage):
                runs.append(StageRun(run.period, run.stage, moment))
        if len(runs) >= count:
            break
    return runs[:count]


def stage_rrule(stage: str, *, at: time = STAGE_RUN_TIME) -> str:
    """An RFC 5545 rule for the stage's runs: every quarter, at local time `at` on the day after the tier's due day.

    The rule goes on for ever, so a service left running never runs out of dates. A weekend or holiday that moves
    a deadline is not in the rule (no rule can hold a government's transfer orders years ahead): the scheduled run
    checks the calendar when it starts (stage_due_at) and defers itself when the real deadline has not passed.
    """
    tier = STAGE_TIER[_known_stage(stage)]
    months = ",".join(str(m) for m in (1, 4, 7, 10))
    return (f"FREQ=YEARLY;BYMONTH={months};BYMONTHDAY={DUE_DAY[tier] + 1};"
            f"BYHOUR={at.hour};BYMINUTE={at.minute};BYSECOND=0")


def stage_schedule(stage: str, *, at: time = STAGE_RUN_TIME, timezone: str = TIMEZONE) -> "Schedule":
    """A Prefect schedule of the stage's quarterly runs in local time (Asia/Almaty, which has no daylight saving)."""
    # Imported here so that deadline checks do not pay for importing Prefect.
    from prefect.schedules import RRule

    zone(timezone)
    return RRule(stage_rrule(stage, at=at), timezone=timezone)


def stage_due_at(
    period: Period | str,
    stage: str,
    *,
    shift: bool = True,
    calendar: WorkingCalendar | None = None,
    at: time = STAGE_RUN_TIME,
    timezone: str = TIMEZONE,
) -> datetime:
    """When the stage may close the quarter: local time `at` on the day after its tier's real (shifted) deadline."""
    tier = STAGE_TIER[_known_stage(stage)]
    day = deadline(period, tier, shift=shift, calendar=calendar, timezone=timezone).date() + timedelta(days=1)
    return datetime.combine(day, at, tzinfo=zone(timezone))


def quarter_to_close(when: datetime, *, timezone: str = TIMEZONE) -> Period:
    """The quarter a stage run at `when` closes: the last one that ended before that day, local time."""
    if when.tzinfo is None:
        raise ValueError("when must carry a time zone")
    return Period.last_ended(when.astimezone(zone(timezone)).date())


def intake_schedule(minutes: int = INTAKE_INTERVAL_MINUTES, *, timezone: str = TIMEZONE) -> "Schedule":
    """A Prefect schedule that polls the intake folder every few minutes."""
    from prefect.schedules import Interval

    return Interval(timedelta(minutes=minutes), timezone=timezone)
