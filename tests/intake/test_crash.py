"""Crash safety: `adep intake` killed with SIGKILL at random points, again and again; then one clean run.

Afterwards the warehouse opens, every file is in exactly one place, and the ledger counts every file once:
nothing lost, nothing counted twice, one report in force per body and period.
"""
from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from adep.registry import load_registry
from adep.sample.quarter import make_quarter
from adep.sample.registry import make_registry, write_registry_csv
from adep.settings import Settings, load_settings
from tests.conftest import ON_TIME, arrived, clean_values
from adep.sample.hostile import good_report
from tests.intake_world import ROOT, drop_report, engine_env, query, sha256, stored_files
from warehouse.db import open_writer

KILLS = 20
SEED = int(os.environ.get("ADEP_CRASH_SEED", "20261125"))
WAVE = 30  # files dropped into intake/ whenever fewer than this are waiting: small waves, so work lasts all the kills


@pytest.fixture
def api_url(prefect_harness) -> str:
    """The session's Prefect server: the intake subprocesses report their runs to it instead of starting their own."""
    from prefect.settings import PREFECT_API_URL
    return PREFECT_API_URL.value()


def _drop(files: list[Path], home: Settings) -> None:
    """Files arrive whole: copied beside intake/ then renamed in, keeping their arrival time."""
    for f in files:
        tmp = home.home / ("incoming-" + f.name)
        shutil.copy2(f, tmp)
        os.replace(tmp, home.intake_dir / f.name)


def _world(tmp_path: Path) -> tuple[Settings, dict[str, str], list[Path]]:
    """A registry of 300 bodies, two quarters of their reports, and copies of some under other names."""
    home = load_settings(tmp_path / "home", environ={}).ensure_dirs()
    registry = make_registry(300, seed=3)
    write_registry_csv(registry, tmp_path / "registry.csv")
    with open_writer(home) as con:
        load_registry(con, tmp_path / "registry.csv")
    expected: dict[str, str] = {}
    files: list[Path] = []
    for period in ("2026Q2", "2026Q3"):
        out = tmp_path / "source" / period
        manifest = make_quarter(registry, period, out, seed=7)
        for e in manifest.entries:
            expected[e.file_name] = "loaded" if e.expected == "warned" else e.expected
        names = sorted(e.file_name for e in manifest.entries)
        # the same bytes under a second name, arriving with the original: often in the same batch
        for name in random.Random(period).sample([n for n in names if expected[n] == "loaded"], 6):
            copy = out / ("copy of " + name)
            shutil.copy2(out / name, copy)
            # arriving at the same moment, the one whose name sorts first is the original
            first, second = sorted([name, copy.name])
            expected[first], expected[second] = "loaded", "duplicate"
        files += sorted(out.iterdir())
    return home, expected, files


def _places(home: Settings) -> Counter:
    """The bytes of every file in intake/, archive/ and rejected/."""
    found = [home.intake_dir / n for n in os.listdir(home.intake_dir)] + stored_files(home)
    return Counter(sha256(f) for f in found)


@pytest.mark.process
@pytest.mark.slow
def test_intake_killed_twenty_times_loses_nothing_and_counts_nothing_twice(tmp_path, api_url):
    home, expected, files = _world(tmp_path)
    inputs = Counter(sha256(f) for f in files)
    pending = list(files)
    dropped: Counter = Counter()
    rng = random.Random(SEED)
    env = engine_env(home, PREFECT_API_URL=api_url, ADEP_BATCH_SIZE="10", ADEP_WORKERS="2")
    runs_log = tmp_path / "runs.log"
    driver = subprocess.Popen([sys.executable, "-m", "tests.crash_driver", str(home.home), str(runs_log)], cwd=ROOT,
                              env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
    kills, busy, finished, stages = 0, 0, [], Counter()
    # How long a run holds the lock, learned as the test goes: a run that ends before its kill shortens the
    # aim, a kill that lands lengthens it, so the kills land in the work and not after it.
    work = 2.5
    try:
        started = time.monotonic()
        while kills < KILLS:
            waiting = len(os.listdir(home.intake_dir))
            if waiting < WAVE and pending:
                wave, pending = pending[:WAVE], pending[WAVE:]
                _drop(wave, home)
                dropped.update(sha256(f) for f in wave)
            driver.stdin.write("intake\n")
            pid = int(driver.stdout.readline())
            # Most kills aim at the work: a random moment after the run took the writer's lock.
            # Some land anywhere from the start (engine start-up, flow-run creation, migrations).
            aim_at_work = rng.random() < 0.8
            delay = rng.uniform(0.0, work) if aim_at_work else rng.uniform(0.0, 0.5 + work)
            if aim_at_work:
                lock_deadline = time.monotonic() + 20
                while home.lock_path.read_text() != f"adep process {pid}" and time.monotonic() < lock_deadline:
                    time.sleep(0.005)
            time.sleep(delay)
            try:
                os.killpg(pid, signal.SIGKILL)
                kills += 1
                busy += bool(os.listdir(home.intake_dir))  # files were still waiting: it died amid work
            except ProcessLookupError:
                pass
            reply = driver.stdout.readline().split()
            assert reply[:2] == [str(pid), "exit"], reply
            code = int(reply[2])
            if code != -signal.SIGKILL:
                finished.append(code)  # it ended before the kill: it must have ended well
                assert code == 0, f"run {pid} failed after earlier kills (exit {code}); see {runs_log}"
                work = max(0.1, delay * 0.8)  # its work took less than this: aim the next kills earlier
            else:
                work = min(2.5, work * 1.25)
            stages["lock" if aim_at_work else "start"] += 1
            # At every instant each file is in exactly one place: intake/, archive/ or rejected/.
            assert _places(home) == dropped, f"after kill {kills}: files lost or doubled"
            # The writer's file and the readers' copy open after any kill.
            query(home.warehouse_path, "select count(*) from core_files")
            if home.published_path.exists():
                query(home.published_path, "select count(*) from intake_log")
        kill_seconds = time.monotonic() - started
    finally:
        driver.stdin.close()
        driver.wait(60)

    # The clean run finishes the job.
    _drop(pending, home)
    dropped.update(sha256(f) for f in pending)
    assert dropped == inputs
    done = subprocess.run([sys.executable, "-m", "adep.cli.parser", "--home", str(home.home), "intake", "--wait", "30"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr

    _assert_consistent(home, expected, inputs)
    print(f"{kills} kills in {kill_seconds:.0f} s ({dict(stages)}), {busy} amid work, "
          f"{len(finished)} runs ended before their kill")
    assert busy >= KILLS // 3, "the kills must land while files wait, not on idle runs"


def _assert_consistent(home: Settings, expected: dict[str, str], inputs: Counter) -> None:
    duckdb.connect(str(home.warehouse_path), read_only=True).close()
    assert os.listdir(home.intake_dir) == []
    ledger = query(home.warehouse_path, "select file_id, file_name, sha256, status, stored_path from core_files")
    # every input file counted once: one ledger row per file, each distinct content once among the originals
    assert len(ledger) == sum(inputs.values()), "files counted twice or lost"
    assert len({r[2] for r in ledger}) == len(inputs)
    assert Counter(r[1] for r in ledger) == Counter(expected.keys()) and len(expected) == len(ledger)
    # each file's bytes are in exactly one place, the place the ledger says
    assert Counter(sha256(f) for f in stored_files(home)) == inputs
    for file_id, name, sha, status, stored in ledger:
        place = home.home / stored
        assert place.is_file(), (file_id, name, stored)
        assert sha256(place) == sha, (file_id, name)
        if status == "rejected":
            assert (home.home / (stored + ".findings.txt")).is_file(), (file_id, name)
    # outcomes as the generator meant them
    got = {name: status for _, name, _, status, _ in ledger}
    wrong = {n: (got[n], e) for n, e in expected.items() if got[n] != e}
    assert wrong == {}
    # one report in force per body and period, each value once
    assert query(home.warehouse_path, """
        select bin, year, quarter, is_consolidated, count(*) from core_submissions where is_in_force
        group by all having count(*) > 1""") == []
    assert query(home.warehouse_path, "select bin, year, quarter, code, count(*) from report_values group by all having count(*) > 1") == []
    assert query(home.warehouse_path, "select count(*) from core_values join core_files using (file_id) where status = 'loaded'") == \
        query(home.warehouse_path, "select count(*) from report_values")
    # the readers' copy is the finished warehouse
    assert query(home.published_path, "select count(*) from intake_log") == [(len(ledger),)]


# Interrupted filings, deterministically: the load committed, then the process died before file_away finished.

def _interrupted_load(home: Settings) -> None:
    from adep.intake.arrivals import discover
    from adep.intake.read_pool import read_batch
    from adep.intake.checks import check_reports
    from warehouse.ledger import load_reports

    with open_writer(home) as con:
        arrivals, _ = discover(home)
        load_reports(check_reports(arrivals, read_batch(arrivals, home), con, home), con)  # ... and the process dies here


@pytest.mark.parametrize("where", ["broken.xlsx", "from mail/broken.xlsx", b"\xce\xf2\xf7\xe5\xf2.xlsx"],
                         ids=["in intake", "in a subfolder", "name not UTF-8"])
def test_a_rejected_file_whose_filing_was_interrupted_gets_its_findings_file(home, registered, where):
    from tests.steps import take_in

    broken = clean_values()
    broken["2.1"] = broken["2"] + 5  # R03, an error
    path = Path(os.fsdecode(os.path.join(os.fsencode(home.intake_dir), os.fsencode(where))))
    path.parent.mkdir(exist_ok=True)
    arrived(good_report(path, registered["unit_a"], broken), ON_TIME)
    _interrupted_load(home)

    summary = take_in(home)

    assert summary.recovered == 1 and not path.exists()
    (stored,) = [r[0] for r in query(home.warehouse_path, "select stored_path from core_files")]
    assert stored.startswith("rejected/")
    assert "R03" in (home.home / (stored + ".findings.txt")).read_text(encoding="utf-8")


def test_a_duplicate_whose_filing_was_interrupted_is_not_counted_twice(home, registered):
    from tests.steps import take_in

    # the ledger's first row for these bytes is the copy's (its name sorts first); q3.xlsx is the duplicate
    original = drop_report(home, "q3.xlsx", registered["unit_a"])
    shutil.copy2(original, home.intake_dir / "q3 (copy).xlsx")  # same bytes, same moment, same batch
    _interrupted_load(home)
    assert query(home.warehouse_path, "select count(*) from core_files") == [(2,)]

    summary = take_in(home)

    assert os.listdir(home.intake_dir) == []
    assert query(home.warehouse_path, "select count(*) from core_files") == [(2,)]
    assert summary.recovered == 2
