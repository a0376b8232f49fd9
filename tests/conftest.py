"""Shared fixtures: one Prefect test harness per session, a fresh adep home per test, workbook builders.

Markers (registered in pyproject.toml). `tests/run` runs the fast default, every test not marked slow, server,
browser, process or engine; `tests/run --all` runs them all. Mark a test (or a module, with pytestmark) with:
  process  it starts adep or Python processes because a real process is the point: exit codes and what a terminal
           shows, signals and SIGKILLs, a process's imports or memory
  server   it starts Prefect servers or workers of its own (beyond the session's harness), or a real adep process
           serving HTTP (the portal)
  browser  it opens pages in headless Chromium
  slow     it is long by nature (the demo's generated country, hundreds of files)
  engine   it runs Prefect flows under the session's harness (which takes ~10 s to start); set here on every test
           that uses the prefect_harness fixture (directly or through another fixture), never by hand
Test worlds are built without the engine (tests/steps.py runs the flows' steps) once per session and copied for
each test; each flow (intake, rerun, the rollup stages, close_quarter) runs under the harness in its own test, and
the commands that run flows (adep intake, rerun, rollup) are engine tests too.
"""
from __future__ import annotations

import os
import shutil

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING")

from datetime import date, datetime, timedelta, timezone  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from adep.periods import Period  # noqa: E402
from adep.settings import Settings, load_settings  # noqa: E402
from contracts.bin import complete_bin  # noqa: E402
from contracts.form import codes  # noqa: E402

PERIOD = Period(2026, 3)


_LONG = {"server": 3, "browser": 3, "slow": 2, "process": 1}  # how long a test of each mark tends to be


def pytest_collection_modifyitems(items):
    """Mark every test that runs under the Prefect harness 'engine' (it needs the harness's server: ~10 s once).

    Then put the modules with long tests (servers, processes, browsers) first, keeping each module's own order:
    tests/run hands whole modules to its workers in this order, so the long ones start at once and the short
    ones fill in around them, instead of one long module running alone at the end."""
    for item in items:
        if "prefect_harness" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.engine)
    weight: dict[str, tuple[int, int]] = {}
    for item in items:
        module = item.nodeid.split("::")[0]
        heaviest, count = weight.get(module, (0, 0))
        mark = max((w for name, w in _LONG.items() if item.get_closest_marker(name)), default=0)
        weight[module] = (max(heaviest, mark), count + bool(mark))
    items.sort(key=lambda item: tuple(-w for w in weight[item.nodeid.split("::")[0]]))


@pytest.fixture(scope="session")
def prefect_harness():
    """A temporary Prefect server and database for the whole session (it takes seconds to start)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def home(tmp_path) -> Settings:
    """A fresh adep home with its folders; files are considered settled at once."""
    return load_settings(tmp_path / "home", environ={}, settle_seconds=0.0).ensure_dirs()


def make_bin(n: int) -> str:
    """A valid BIN, distinct for each n."""
    for suffix in range(10):
        b = complete_bin(f"{990000000 + n:09d}{suffix}1"[:11])
        if b:
            return b
    raise AssertionError("no BIN")


def clean_values(seed: int = 0) -> dict[str, int]:
    """Values that satisfy every rule of the form (errors and warnings)."""
    v = {c: 0 for c in codes()}
    k = seed % 5
    v.update({"1.1": 2 + k, "1.2": 1, "2": 3, "2.1": 1, "3.1": 1, "3.2": k, "3.3": 0, "3.4": 0, "3.5": 1,
              "3.6": 1, "3.7": 1, "4.1": 1, "4.2": 1, "4.3": 1, "5.1": 1, "5.2": 0, "5.3": 1, "5.4": 1,
              "6.1": 2, "6.2": 1, "6.3": 0, "6.4": 1, "7.1": 1, "7.2": 1, "7.3": 0, "7.4": 0, "8": 2,
              "9": 40 + k, "9.1": 2, "10": 1, "11.1": 0, "11.2": 1, "11.3": 1})
    v["1"] = v["1.1"] + v["1.2"]
    v["3"] = sum(v[f"3.{i}"] for i in range(1, 6))
    v["4"] = v["4.1"] + v["4.2"] + 1
    v["5"] = v["5.1"] + v["5.2"] + v["5.3"]
    v["6"] = v["6.1"] + v["6.2"] + v["6.3"] + v["6.4"]
    v["7"] = v["7.1"] + v["7.2"] + v["7.3"] + v["7.4"]
    v["11"] = v["11.1"] + v["11.2"] + v["11.3"]
    return v


@pytest.fixture
def small_registry(tmp_path) -> tuple[Path, dict[str, str]]:
    """A registry of a ministry, two territorial units, an oblast akimat and an excluded body."""
    bins = {name: make_bin(i) for i, name in enumerate(["ministry", "unit_a", "unit_b", "akimat", "defence"], start=1)}
    rows = [
        ("ministry", "Министрлік", "Министерство", "central_body", "", "Астана"),
        ("unit_a", "Департамент А", "Департамент А", "territorial_unit", bins["ministry"], "Абай облысы"),
        ("unit_b", "Департамент Б", "Департамент Б", "territorial_unit", bins["ministry"], "Ақмола облысы"),
        ("akimat", "Облыс әкімдігі", "Акимат области", "regional_akimat", "", "Ақмола облысы"),
        ("defence", "Қорғаныс министрлігі", "Министерство обороны", "excluded", "", "Астана"),
    ]
    path = tmp_path / "registry.csv"
    lines = ["bin,name_kk,name_ru,kind,parent_bin,region,valid_from,valid_to"]
    lines += [f"{bins[k]},{kk},{ru},{kind},{parent},{region},2020-01-01," for k, kk, ru, kind, parent, region in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, bins


class HomeTemplates:
    """Homes built once per session and copied for each test that asks for one: a test gets a home of its own (its
    warehouse file and folders) without paying again for the warehouse's creation and the loads that made it."""

    def __init__(self, root: Path):
        self.root = root

    def copy_into(self, home: Settings, key: str, build) -> None:
        """Make home (a fresh one) a copy of the template named key, built first by build(settings) if need be."""
        template = self.root / key
        if not template.exists():
            settings = load_settings(self.root / f"{key}.building", environ={}, settle_seconds=0.0).ensure_dirs()
            build(settings)
            settings.home.rename(template)
        shutil.copytree(template, home.home, symlinks=True, dirs_exist_ok=True)


@pytest.fixture(scope="session")
def home_templates(tmp_path_factory) -> HomeTemplates:
    return HomeTemplates(tmp_path_factory.mktemp("home-templates"))


@pytest.fixture
def registered(home, small_registry, home_templates) -> dict[str, str]:
    """The small registry loaded into the home's warehouse (a copy of the session's); the bodies' BINs by name."""
    from adep.registry import load_registry
    from warehouse.db import open_writer

    path, bins = small_registry

    def build(settings: Settings) -> None:
        with open_writer(settings) as con:
            load_registry(con, path)

    home_templates.copy_into(home, "small-registry", build)
    return bins


def arrived(path: Path, when: datetime) -> Path:
    """Set a file's arrival time (its modification time), as mail saved to the folder would."""
    ts = when.timestamp()
    os.utime(path, (ts, ts))
    return path


ON_TIME = datetime(2026, 10, 2, 9, 0, tzinfo=timezone.utc)
LATE = datetime(2026, 10, 20, 9, 0, tzinfo=timezone.utc)
SIGNED = date(2026, 10, 1)
ONE_DAY = timedelta(days=1)


def query(where: Settings | Path, sql: str, params=None, *, frame: bool = False):
    """Rows of a query (a pandas frame with frame=True) on a warehouse file opened read-only and closed again.

    where: a home's Settings for its warehouse file (which the test's flows write), or the path of any warehouse
    file, e.g. settings.published_path for the readers' copy. The one query helper of the tests.
    """
    import duckdb

    path = where.warehouse_path if isinstance(where, Settings) else Path(where)
    con = duckdb.connect(str(path), read_only=True)
    try:
        result = con.execute(sql, params or [])
        return result.df() if frame else result.fetchall()
    finally:
        con.close()
