"""A small hand-drawn registry tree and reports inserted straight into the warehouse, for rollup tests.

Tree (2026; X = excluded, not expected):

    Agency
    ├── M1 ministry (central_body, Астана)
    │   ├── D1 department
    │   │   ├── T1 territorial unit (Алматы)
    │   │   └── T2 territorial unit -- moves under M2 on 2026-08-01 (mid Q3)
    │   └── T3 territorial unit -- abolished 2026-08-15 (expected in Q3, not in Q4)
    ├── M2 oblast akimat (regional_akimat, Алматы облысы)
    │   └── L1 district akimat (local_akimat)
    ├── A1 audit commission (no subordinates)
    └── X1 Ministry of Defence (excluded)
"""
from __future__ import annotations

import random
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb

from adep.periods import Period
from adep.registry import load_registry
from adep.settings import Settings, load_settings
from contracts.bin import complete_bin
from contracts.form import codes
from warehouse.db import open_writer

NAMES = ["M1", "D1", "T1", "T2", "T3", "M2", "L1", "A1", "X1"]
Q2 = Period(2026, 2)
Q3 = Period(2026, 3)
Q4 = Period(2026, 4)


def bin_for(n: int) -> str:
    for tail in range(100):
        b = complete_bin(f"7{n:05d}{tail:05d}")
        if b:
            return b
    raise AssertionError("no valid BIN")


@dataclass
class World:
    settings: Settings
    bins: dict[str, str]
    names: dict[str, str]  # BIN -> label such as 'M1'
    own: dict[tuple[str, Period], dict[str, int]] = field(default_factory=dict)
    next_file_id: int = 1

    def add_report(self, name: str, period: Period, values: dict[str, int] | None = None, *, late: bool = False,
                   consolidated: bool = False, received_at: datetime | None = None, seed: int | None = None) -> int:
        """Insert one loaded report (superseding the one in force for the same body, period and scope)."""
        with open_writer(self.settings) as con:
            return self.insert_report(con, name, period, values, late=late, consolidated=consolidated,
                                      received_at=received_at, seed=seed)

    def insert_report(self, con, name: str, period: Period, values: dict[str, int] | None = None, *, late: bool = False,
                      consolidated: bool = False, received_at: datetime | None = None, seed: int | None = None) -> int:
        values = values if values is not None else random_values(seed if seed is not None else zlib.crc32(f"{name}{period}".encode()))
        bin_ = self.bins[name]
        file_id = self.next_file_id
        self.next_file_id += 1
        received = received_at or datetime(period.next().year, period.next().first_day.month, 3, tzinfo=timezone.utc)
        received += timedelta(seconds=file_id)
        con.execute("begin transaction")
        con.execute(
            "update core_submissions set is_in_force = false "
            "where bin = ? and year = ? and quarter = ? and is_consolidated = ? and is_in_force",
            [bin_, period.year, period.quarter, consolidated])
        con.execute(
            "insert into core_files (file_id, file_name, sha256, size_bytes, received_at, status, stored_path, bin, "
            "year, quarter, processed_at) values (?, ?, ?, 1, ?, 'loaded', ?, ?, ?, ?, now())",
            [file_id, f"{name}_{period}.xlsx", f"sha{file_id}", received, f"archive/{period}/{file_id}", bin_,
             period.year, period.quarter])
        con.execute(
            "insert into core_submissions (file_id, bin, year, quarter, body_name, is_consolidated, received_at, "
            "deadline_at, is_late, is_in_force) values (?, ?, ?, ?, ?, ?, ?, ?, ?, true)",
            [file_id, bin_, period.year, period.quarter, f"=HYPERLINK(\"http://x\",\"{name}\")", consolidated,
             received, received, late])
        con.executemany("insert into core_values values (?, ?, ?, false, null)",
                        [[file_id, code, value] for code, value in values.items()])
        con.execute("commit")
        if not consolidated:
            self.own[(name, period)] = dict(values)
        return file_id

    def sum_of(self, names: list[str], period: Period) -> dict[str, int]:
        """Plain Python sum of the own reports of the named bodies (missing reports count as nothing)."""
        total = {c: 0 for c in codes()}
        for name in names:
            for code, value in self.own.get((name, period), {}).items():
                total[code] += value
        return total

    def connect(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.settings.warehouse_path), read_only=True)


def random_values(seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    return {code: rng.randint(0, 50) for code in codes()}


def registry_rows(bins: dict[str, str]) -> list[str]:
    b = bins
    rows = [
        (b["M1"], "Бірінші министрлік", "Первое министерство", "central_body", "", "Астана", "2020-01-01", ""),
        (b["D1"], "Комитет", "Комитет", "department", b["M1"], "Астана", "2020-01-01", ""),
        (b["T1"], "Алматы департаменті", "Департамент по Алматы", "territorial_unit", b["D1"], "Алматы", "2020-01-01", ""),
        (b["T2"], "Екінші департамент", "Второй департамент", "territorial_unit", b["D1"], "Алматы облысы", "2020-01-01", "2026-07-31"),
        (b["T2"], "Екінші департамент", "Второй департамент", "territorial_unit", b["M2"], "Алматы облысы", "2026-08-01", ""),
        (b["T3"], "Таратылған департамент", "Упраздненный департамент", "territorial_unit", b["M1"], "Абай облысы", "2020-01-01", "2026-08-15"),
        (b["M2"], "Алматы облысының әкімдігі", "Акимат Алматинской области", "regional_akimat", "", "Алматы облысы", "2020-01-01", ""),
        (b["L1"], "Аудан әкімдігі", "Акимат района", "local_akimat", b["M2"], "Алматы облысы", "2020-01-01", ""),
        (b["A1"], "Тексеру комиссиясы", "Ревизионная комиссия", "audit_commission", "", "Астана", "2020-01-01", ""),
        (b["X1"], "Қорғаныс министрлігі", "Министерство обороны", "excluded", "", "Астана", "2020-01-01", ""),
    ]
    return ["bin,name_kk,name_ru,kind,parent_bin,region,valid_from,valid_to"] + [",".join(r) for r in rows]


def make_world(tmp_path: Path) -> World:
    settings = load_settings(tmp_path / "home", environ={}).ensure_dirs()
    bins = {name: bin_for(i) for i, name in enumerate(NAMES, start=1)}
    csv_path = tmp_path / "registry.csv"
    csv_path.write_text("\n".join(registry_rows(bins)) + "\n", encoding="utf-8")
    with open_writer(settings) as con:
        load_registry(con, csv_path)
    return World(settings, bins, {v: k for k, v in bins.items()})


def file_quarter(world: World, period: Period, *, skip: tuple[str, ...] = (), late: tuple[str, ...] = ()) -> None:
    """Every expected body files its own report for the period, except those skipped."""
    expected = [n for n in NAMES if n != "X1" and not (n == "T3" and period >= Q4)]
    with open_writer(world.settings) as con:
        for name in expected:
            if name not in skip:
                world.insert_report(con, name, period, late=name in late)
