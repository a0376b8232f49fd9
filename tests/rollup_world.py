"""A small hand-drawn registry tree whose bodies send real workbooks through the real intake flow, for rollup tests.

Tree (2025; X = excluded, not expected):

    Agency
    ├── M1 ministry (central_body, Астана)
    │   ├── D1 department
    │   │   ├── T1 territorial unit (Алматы)
    │   │   └── T2 territorial unit -- moves under M2 on 2025-08-01 (mid Q3)
    │   └── T3 territorial unit -- abolished 2025-08-15 (expected in Q3, not in Q4)
    ├── M2 oblast akimat (regional_akimat, Алматы облысы)
    │   └── L1 district akimat (local_akimat)
    ├── A1 audit commission (no subordinates)
    └── X1 Ministry of Defence (excluded)

Every report is an .xlsx file written by adep.forms.writer, dropped in intake/ with its arrival time, and loaded by
the intake flow's own steps (tests/steps.py: the tasks' functions, without the engine), so the world holds exactly
what the loader makes of it. A world is built once per session for each sequence of make_world and file_quarter
calls and copied for every test that asks for it again: each test gets a home (warehouse file and folders) of its
own. The body's name in each header is text that
looks like a formula ('=HYPERLINK(...)'), as a hostile or careless sender might type it: outputs must keep it text. The quarters are in 2025 so that every one
of them has ended, whenever the tests run.
"""
from __future__ import annotations

import atexit
import random
import shutil
import tempfile
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import duckdb

from adep.forms.layout import FormLayout
from adep.forms.writer import write_report
from adep.periods import Period
from adep.registry import load_registry
from adep.sample.values import clean_values
from adep.settings import Settings, load_settings
from contracts.bin import complete_bin
from contracts.form import codes
from tests.conftest import arrived, query
from warehouse.db import open_writer

NAMES = ["M1", "D1", "T1", "T2", "T3", "M2", "L1", "A1", "X1"]
Q2 = Period(2025, 2)
Q3 = Period(2025, 3)
Q4 = Period(2025, 4)
Q1_NEXT = Period(2026, 1)


def bin_for(n: int) -> str:
    for tail in range(100):
        b = complete_bin(f"7{n:05d}{tail:05d}")
        if b:
            return b
    raise AssertionError("no valid BIN")


def random_values(seed: int) -> dict[str, int]:
    """Counts that satisfy every rule of the form, different for each seed."""
    return clean_values(random.Random(seed), size=3.0)


def on_time(period: Period) -> datetime:
    """The morning of the 2nd of the month after the quarter: before every deadline (the 5th and the 10th)."""
    first = period.next().first_day
    return datetime(first.year, first.month, 2, 4, 0, tzinfo=timezone.utc)


def late_arrival(period: Period) -> datetime:
    return on_time(period) + timedelta(days=25)


@dataclass
class World:
    settings: Settings
    bins: dict[str, str]
    names: dict[str, str]  # BIN -> label such as 'M1'
    own: dict[tuple[str, Period], dict[str, int]] = field(default_factory=dict)
    sent: int = 0
    # the make_world and file_quarter calls that built this world, while it is nothing more (None after anything else)
    history: tuple | None = None

    def send(self, name: str, period: Period, values: dict[str, int] | None = None, *, is_late: bool = False,
             consolidated: bool = False, seed: int | None = None) -> tuple[Path, dict[str, int]]:
        """Drop one body's workbook in intake/, arriving after everything sent before it (a later arrival wins)."""
        if values is None:
            values = random_values(seed if seed is not None else zlib.crc32(f"{name}{period}".encode()))
        self.sent += 1
        self.history = None
        path = write_report(
            self.settings.intake_dir / f"{name} {period} {self.sent:03d}.xlsx", bin=self.bins[name], period=period,
            body_name=f'=HYPERLINK("http://x","{name}")', commissioner="Әдеп жөніндегі уәкіл", phone="+7 700 000 0000",
            signed_on=date(period.next().year, period.next().first_day.month, 1), values=values,
            layout=FormLayout(consolidated_mark=consolidated))
        arrived(path, (late_arrival(period) if is_late else on_time(period)) + timedelta(minutes=self.sent))
        return path, values

    def take_in(self):
        """One pass of the intake flow's steps over everything in intake/ (without the engine)."""
        from tests.steps import take_in

        self.history = None
        return take_in(self.settings)

    def add_report(self, name: str, period: Period, values: dict[str, int] | None = None, *, is_late: bool = False,
                   consolidated: bool = False, seed: int | None = None) -> int:
        """Send one report and take it in; returns its file_id (loaded, or rejected by the checks)."""
        path, values = self.send(name, period, values, is_late=is_late, consolidated=consolidated, seed=seed)
        self.take_in()
        return self.record(name, period, path.name, values)

    def record(self, name: str, period: Period, file_name: str, values: dict[str, int]) -> int:
        """The file's id, remembering its values as the body's own report when it was loaded."""
        ((file_id, status, is_consolidated),) = query(
            self.settings, "select f.file_id, f.status, s.is_consolidated from core_files as f "
            "left join core_submissions as s using (file_id) where f.file_name = ?", [file_name])
        if status == "loaded" and not is_consolidated:
            self.own[(name, period)] = dict(values)
        return int(file_id)

    def sum_of(self, names: list[str], period: Period) -> dict[str, int]:
        """Plain Python sum of the own reports of the named bodies (missing reports count as nothing)."""
        total = {c: 0 for c in codes()}
        for name in names:
            for code, value in self.own.get((name, period), {}).items():
                total[code] += value
        return total

    def connect(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.settings.warehouse_path), read_only=True)


REGISTRY_HEADER = "bin,name_kk,name_ru,kind,parent_bin,region,valid_from,valid_to"


def registry_rows(bins: dict[str, str]) -> list[tuple[str, ...]]:
    b = bins
    return [
        (b["M1"], "Бірінші министрлік", "Первое министерство", "central_body", "", "Астана", "2020-01-01", ""),
        (b["D1"], "Комитет", "Комитет", "department", b["M1"], "Астана", "2020-01-01", ""),
        (b["T1"], "Алматы департаменті", "Департамент по Алматы", "territorial_unit", b["D1"], "Алматы", "2020-01-01", ""),
        (b["T2"], "Екінші департамент", "Второй департамент", "territorial_unit", b["D1"], "Алматы облысы", "2020-01-01", "2025-07-31"),
        (b["T2"], "Екінші департамент", "Второй департамент", "territorial_unit", b["M2"], "Алматы облысы", "2025-08-01", ""),
        (b["T3"], "Таратылған департамент", "Упраздненный департамент", "territorial_unit", b["M1"], "Абай облысы", "2020-01-01", "2025-08-15"),
        (b["M2"], "Алматы облысының әкімдігі", "Акимат Алматинской области", "regional_akimat", "", "Алматы облысы", "2020-01-01", ""),
        (b["L1"], "Аудан әкімдігі", "Акимат района", "local_akimat", b["M2"], "Алматы облысы", "2020-01-01", ""),
        (b["A1"], "Тексеру комиссиясы", "Ревизионная комиссия", "audit_commission", "", "Астана", "2020-01-01", ""),
        (b["X1"], "Қорғаныс министрлігі", "Министерство обороны", "excluded", "", "Астана", "2020-01-01", ""),
    ]


def write_registry(path: Path, rows: list[tuple[str, ...]]) -> Path:
    path.write_text("\n".join([REGISTRY_HEADER] + [",".join(r) for r in rows]) + "\n", encoding="utf-8")
    return path


_SNAPSHOTS: dict[tuple, tuple[Path, dict, int]] = {}  # history -> (copy of the home, own reports, files sent)
_SNAPSHOT_ROOT: list[Path] = []


def _snapshot_root() -> Path:
    if not _SNAPSHOT_ROOT:
        root = Path(tempfile.mkdtemp(prefix="adep-rollup-worlds-"))
        atexit.register(shutil.rmtree, root, ignore_errors=True)
        _SNAPSHOT_ROOT.append(root)
    return _SNAPSHOT_ROOT[0]


def _save(world: World, history: tuple) -> None:
    """Keep a copy of the world's home for the next test whose world is built by the same calls."""
    world.history = history
    if history not in _SNAPSHOTS:
        copy = _snapshot_root() / f"home-{len(_SNAPSHOTS)}"
        shutil.copytree(world.settings.home, copy, symlinks=True)
        _SNAPSHOTS[history] = (copy, dict(world.own), world.sent)


def _restore(world: World, history: tuple) -> bool:
    """Make the world's home a copy of the one built by the same calls earlier in the session, if there is one."""
    if history not in _SNAPSHOTS:
        return False
    copy, own, sent = _SNAPSHOTS[history]
    shutil.rmtree(world.settings.home)
    shutil.copytree(copy, world.settings.home, symlinks=True)
    world.own, world.sent, world.history = dict(own), sent, history
    return True


def make_world(tmp_path: Path) -> World:
    settings = load_settings(tmp_path / "home", environ={}, settle_seconds=0.0)
    bins = {name: bin_for(i) for i, name in enumerate(NAMES, start=1)}
    csv_path = write_registry(tmp_path / "registry.csv", registry_rows(bins))
    world = World(settings, bins, {v: k for k, v in bins.items()})
    settings.home.mkdir(parents=True)
    if not _restore(world, ("registry",)):
        settings.ensure_dirs()
        with open_writer(settings) as con:
            load_registry(con, csv_path)
        _save(world, ("registry",))
    return world


def expected_bodies(period: Period) -> list[str]:
    return [n for n in NAMES if n != "X1" and not (n == "T3" and period >= Q4)]


def file_quarter(world: World, period: Period, *, skip: tuple[str, ...] = (), late: tuple[str, ...] = ()) -> None:
    """Every expected body sends its own report for the period, except those skipped; one intake run takes them in."""
    history = None if world.history is None else world.history + ((period, tuple(skip), tuple(late)),)
    if history is not None and _restore(world, history):
        return
    sent = [(name, *world.send(name, period, is_late=name in late)) for name in expected_bodies(period)
            if name not in skip]
    world.take_in()
    for name, path, values in sent:
        world.record(name, period, path.name, values)
    if history is not None:
        _save(world, history)
