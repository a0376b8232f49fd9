"""A home with four quarters loaded through the real intake flow and rolled up by the real rollup flow, for the
analysts' tests (views, connections, the report, artifacts). Built once per session: it is only read afterwards.

Bodies (small_registry's shape): a ministry with two territorial units, an oblast akimat, the Ministry of Defence
(excluded). Quarters 2025Q3, 2026Q1, 2026Q2 arrive in one intake run, 2026Q3 in a second, where unit_a is late and
unit_b sends a broken report (rejected, so missing), and the akimat sends its report through the portal (a signed
receipt beside it; the portal's audit trail records its steps). 2025Q4 is never loaded: a gap in the trend. Every
quarter is rolled up at both levels, 2026Q3 by the rollup flow. Each form names its body as the registry does.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from adep.periods import Period
from adep.registry import load_registry
from adep.settings import Settings, load_settings
from adep.submissions import Receipt, receipt_key, receipt_path, record_event, sign
from adep.forms.writer import write_report
from contracts.form import codes
from tests.conftest import SIGNED, arrived, clean_values, make_bin
from warehouse.db import open_writer
from tests.rollup_world import run_rollup

PERIODS = (Period(2025, 3), Period(2026, 1), Period(2026, 2), Period(2026, 3))
Q3 = Period(2026, 3)
FILERS = ("ministry", "unit_a", "unit_b", "akimat")
ALMATY = ZoneInfo("Asia/Almaty")
BODIES = [
    ("ministry", "Министрлік", "Министерство", "central_body", None, "Астана"),
    ("unit_a", "Департамент А", "Департамент А", "territorial_unit", "ministry", "Абай облысы"),
    ("unit_b", "Департамент Б", "Департамент Б", "territorial_unit", "ministry", "Ақмола облысы"),
    ("akimat", "Облыс әкімдігі", "Акимат области", "regional_akimat", None, "Ақмола облысы"),
    ("defence", "Қорғаныс министрлігі", "Министерство обороны", "excluded", None, "Астана"),
]


@dataclass
class AnalystWorld:
    settings: Settings
    bins: dict[str, str]
    values: dict[tuple[str, Period], dict[str, int]] = field(default_factory=dict)
    intake_run_ids: list[str] = field(default_factory=list)
    rollup_run_ids: list[str] = field(default_factory=list)

    def national(self, period: Period) -> dict[str, int]:
        """The national figure summed here by hand from the reports that were loaded."""
        total = {c: 0 for c in codes()}
        for (name, p), values in self.values.items():
            if p == period:
                for code, value in values.items():
                    total[code] += value
        return total


def _values(name: str, period: Period) -> dict[str, int]:
    v = clean_values(FILERS.index(name) + period.quarter)
    # Trends worth drawing: conflicts of interest grow quarter by quarter (row 10 stands alone in the rules).
    v["10"] = period.quarter + (2 if period.year == 2026 else 0)
    return v


def _arrival(period: Period, *, late: bool = False) -> datetime:
    first = period.next().first_day
    return datetime(first.year, first.month, 2, 9, 0, tzinfo=timezone.utc) + (timedelta(days=25) if late else timedelta())


def _send(world: AnalystWorld, name: str, period: Period, values: dict[str, int], *, late: bool = False,
          record: bool = True, portal: bool = False) -> None:
    kk = next(b[1] for b in BODIES if b[0] == name)
    path = write_report(world.settings.intake_dir / f"{name} {period}.xlsx", bin=world.bins[name], period=period,
                        body_name=kk, commissioner="Уәкіл", phone="+7 700 000 0000", signed_on=SIGNED,
                        values=values)
    arrived(path, _arrival(period, late=late))
    if portal:  # its receipt beside it, as the portal writes it: the time the portal received it, signed
        receipt = Receipt(number=f"{period}-000001", received_at=_arrival(period, late=late).astimezone(ALMATY).isoformat(),
                          sha256=hashlib.sha256(path.read_bytes()).hexdigest(), bin=world.bins[name], period=str(period),
                          file_name=path.name, upload_id="u1")
        receipt_path(path).write_text(sign(receipt, receipt_key(world.settings, create=True)).to_json(), encoding="utf-8")
        for event in ("sign_in", "upload", "submission"):
            record_event(world.settings, event, bin=world.bins[name], address="10.1.2.3", receipt_number=receipt.number)
    if record:
        world.values[(name, period)] = values


def _flow_run_id(state) -> str:
    return str(state.state_details.flow_run_id)


def build_world(root: Path) -> AnalystWorld:
    from flows.intake import intake
    from flows.rollup import rollup

    settings = load_settings(root / "home", environ={}, settle_seconds=0.0).ensure_dirs()
    bins = {name: make_bin(i) for i, (name, *_) in enumerate(BODIES, start=1)}
    lines = ["bin,name_kk,name_ru,kind,parent_bin,region,valid_from,valid_to"]
    lines += [f"{bins[n]},{kk},{ru},{kind},{bins[p] if p else ''},{region},2020-01-01,"
              for n, kk, ru, kind, p, region in BODIES]
    (root / "registry.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with open_writer(settings) as con:
        load_registry(con, root / "registry.csv")
    world = AnalystWorld(settings, bins)

    for period in PERIODS[:3]:
        for name in FILERS:
            _send(world, name, period, _values(name, period))
    world.intake_run_ids.append(_flow_run_id(intake(home=str(settings.home), return_state=True)))

    broken = _values("unit_b", Q3)
    broken["2.1"] = broken["2"] + 5  # R03: outreach meetings exceed personal receptions (an error)
    _send(world, "unit_b", Q3, broken, record=False)
    _send(world, "unit_a", Q3, _values("unit_a", Q3), late=True)
    _send(world, "ministry", Q3, _values("ministry", Q3))
    _send(world, "akimat", Q3, _values("akimat", Q3), portal=True)
    world.intake_run_ids.append(_flow_run_id(intake(home=str(settings.home), return_state=True)))

    # Earlier quarters are rolled up without the engine (the same code, faster); the quarter in view by the flow.
    with open_writer(settings) as con:
        for period in PERIODS[:-1]:
            for level in ("ministry", "agency"):
                run_rollup(con, period, level)
    world.rollup_run_ids.append(_flow_run_id(rollup(str(Q3), home=str(settings.home), return_state=True)))
    return world


_WORLD: dict[str, AnalystWorld] = {}


@pytest.fixture
def analyst_world(prefect_harness, tmp_path_factory) -> AnalystWorld:
    """The loaded home, built on first use in the session (the session's Prefect harness runs its flows)."""
    if "world" not in _WORLD:
        _WORLD["world"] = build_world(tmp_path_factory.mktemp("analyst_world"))
    return _WORLD["world"]
