"""Hostile and broken input: each file rejected in bounded memory, the rest of the run unharmed.

How long each rejection takes is measured by benchmarks/hostile_inputs.py (against a budget of a few seconds).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from adep.intake.reader import read_path
from adep.settings import Settings
from flows.intake import intake
from tests.conftest import ON_TIME, arrived, clean_values, make_bin
from adep.sample.hostile import HOSTILE, good_report, macro_workbook
from tests.intake_world import ROOT, drop_report, query, registered_home, sha256, stored_files

# The reader's own process sits near 25 MB; a sheet of a million cells, read to the end, takes about 110 MB.
PEAK_MB = 400
LIMITS = dict(max_file_bytes=Settings().max_file_bytes, max_inflated_bytes=Settings().max_inflated_bytes,
              max_sheet_cells=Settings().max_sheet_cells)


def probe(path) -> dict:
    """Read one file in a fresh process with a 2 GB address-space cap: its time, peak memory and rules."""
    done = subprocess.run([sys.executable, "-m", "adep.intake.probe", str(path), "--limit-mb", "2048"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"the reader's process died ({done.returncode}): {done.stderr[-2000:]}"
    return json.loads(done.stdout)


@pytest.mark.process
@pytest.mark.parametrize("kind", list(HOSTILE))
def test_each_hostile_file_is_rejected_quickly_in_bounded_memory(tmp_path, kind):
    build, name, rules = HOSTILE[kind]
    path = build(tmp_path / name)
    got = probe(path)
    assert got["readable"] is False or got["rules"], got
    assert got["rules"] and set(got["rules"]) <= rules, got
    assert got["message"]
    assert got["peak_kb"] < PEAK_MB * 1024, got


def test_a_macro_enabled_workbook_is_read_as_data_only(tmp_path):
    values = clean_values(2)
    path = macro_workbook(tmp_path / "form.xlsm", make_bin(5), values)
    result = read_path(path, **LIMITS)
    assert result.readable and [f for f in result.findings if f.severity == "error"] == []
    assert result.values == values


def test_a_link_swapped_in_after_discovery_is_not_followed(tmp_path):
    """discover() saw a regular file; by the time it is read, someone put a link there: the link is not opened."""
    outside = good_report(tmp_path / "outside.xlsx", make_bin(5), clean_values())
    link = tmp_path / "intake.xlsx"
    link.symlink_to(outside)
    result = read_path(link, **LIMITS)
    assert not result.readable and [f.rule for f in result.findings] == ["F02"]
    fifo = tmp_path / "pipe.xlsx"
    os.mkfifo(fifo)
    result = read_path(fifo, **LIMITS)  # a plain open() would wait here forever for a writer
    assert not result.readable and [f.rule for f in result.findings] == ["F02"]


ODD_NAMES = {
    "spaces": "  1-әу   Орган  3 кв 2026 .xlsx",
    "cyrillic": "Отчёт_1-ЭУ_Қостанай облысы_3кв2026.XLSX",
    "leading dash": "-rf --help.xlsx",
    "250 bytes": "Ә" * 122 + "0.xlsx",  # 244 bytes of Kazakh letters, a digit, then the extension: 250 bytes
    "newline": "report\nsecond line.xlsx",
    "not UTF-8 (cp1251 from a Windows zip)": "Îň÷ĺň".encode("cp1250") + b" \xce\xf2\xf7\xe5\xf2 1-\xdd\xd3.xlsx",
    "macros (.xlsm)": "with macros.xlsm",
}


def _stage_hostile_run(home: Settings, tmp_path, pool: bool) -> dict:
    """intake/ holding every hostile kind, links and a pipe, good reports under odd names, and (pool) enough files for workers."""
    units = registered_home(home, len(ODD_NAMES) + 1)
    good = {}
    for k, (label, name) in enumerate(ODD_NAMES.items()):
        if isinstance(name, str) and name.endswith(".xlsm"):
            arrived(macro_workbook(home.intake_dir / name, units[k], clean_values(k)), ON_TIME)
        else:
            drop_report(home, name, units[k], seed=k)
        good[units[k]] = k
    assert len(good) == len(ODD_NAMES)
    plain = drop_report(home, "plain.xlsx", units[-1], seed=9)
    good[units[-1]] = 9
    hostile = {}
    for kind, (build, name, rules) in HOSTILE.items():
        build(home.intake_dir / name)
        hostile[name] = rules
    outside = tmp_path / "outside"
    outside.mkdir()
    target = good_report(outside / "elsewhere.xlsx", units[0], clean_values(4))
    before = (target.read_bytes(), target.stat().st_mtime_ns)
    (home.intake_dir / "link to a report.xlsx").symlink_to(target)
    (home.intake_dir / "dangling.xlsx").symlink_to(outside / "gone.xlsx")
    (home.intake_dir / "link to a folder").symlink_to(outside)
    os.mkfifo(home.intake_dir / "pipe.xlsx")
    specials = ["link to a report.xlsx", "dangling.xlsx", "link to a folder", "pipe.xlsx"]
    copies = 0
    if pool:  # past the pool threshold, so reading happens in worker processes
        for k in range(150):
            shutil.copy(plain, home.intake_dir / f"copy {k:03d}.xlsx")
        copies = 150
    return dict(good=good, hostile=hostile, specials=specials, target=target, before=before, copies=copies)


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
@pytest.mark.parametrize("pool", [False, True], ids=["in process", "worker pool"])
def test_a_run_full_of_hostile_files_still_loads_the_good_ones(home, tmp_path, pool):
    world = _stage_hostile_run(home, tmp_path, pool)

    summary = intake(home=str(home.home))

    log = {r[0]: r[1:] for r in query(home.warehouse_path, "select file_name, status, bin, stored_path, file_id from intake_log")}
    rules = {}
    for name, rule in query(home.warehouse_path, "select file_name, rule from findings where severity = 'error'"):
        rules.setdefault(name, set()).add(rule)
    # the good reports, whatever their names, are in force with their values
    in_force = query(home.warehouse_path, "select bin, count(*), sum(value) from report_values group by bin")
    assert {b: (n, total) for b, n, total in in_force} == {
        b: (40, sum(clean_values(seed).values())) for b, seed in world["good"].items()}
    loaded_names = {n for n, (status, *_) in log.items() if status == "loaded"}
    assert len(loaded_names) == len(world["good"])
    for label, name in ODD_NAMES.items():
        # a name that is not UTF-8 is recorded readably, its undecodable bytes shown as U+FFFD
        shown = name.decode("utf-8", "replace") if isinstance(name, bytes) else name
        assert shown in loaded_names, f"{label}: {name!r} not loaded; loaded: {sorted(loaded_names)}"
    # each hostile file is rejected, with the finding that says why
    for name, expected in world["hostile"].items():
        assert log[name][0] == "rejected", (name, log[name])
        assert rules[name] and rules[name] <= expected, (name, rules[name])
    # links and the pipe: rejected unopened; the file a link points to is untouched and not in the ledger
    for name in world["specials"]:
        assert log[name][0] == "rejected" and rules[name] == {"F02"}, (name, log[name], rules.get(name))
        assert os.path.islink(home.home / log[name][2]) or name == "pipe.xlsx"
    assert (world["target"].read_bytes(), world["target"].stat().st_mtime_ns) == world["before"]
    assert sha256(world["target"]) not in {r[0] for r in query(home.warehouse_path, "select sha256 from core_files")}
    # every file is in exactly one place, as the ledger says; every rejected one has its findings beside it
    assert list(home.intake_dir.iterdir()) == []
    for name, (status, _, stored, _) in log.items():
        assert os.path.lexists(home.home / stored), (name, stored)
        if status == "rejected":
            assert (home.home / (stored + ".findings.txt")).is_file()
    expected_files = len(world["good"]) + len(world["hostile"]) + len(world["specials"]) + world["copies"]
    assert summary.files == expected_files == len(log)
    assert len(stored_files(home)) == expected_files
    assert summary.duplicate == world["copies"]
