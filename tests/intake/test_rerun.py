"""Rerunning rejected files after the registry is fixed; every attempt stays in the ledger.

The rerun flow runs under Prefect in the first test and through the command line; the other rules of a rerun are
tested through the flows' own steps without the engine (tests/steps.py)."""
from __future__ import annotations

import re

import pytest

from adep.registry import load_registry
from adep.forms.writer import write_report
from flows.intake import intake
from flows.rerun import rerun
from warehouse.ledger import NothingToRerun
from tests.conftest import query, ON_TIME, ONE_DAY, PERIOD, SIGNED, arrived, clean_values, make_bin
from tests.steps import rerun_files, take_in
from warehouse.db import open_writer




@pytest.mark.usefixtures("prefect_harness")
def test_a_file_rejected_for_an_unknown_body_loads_after_the_registry_is_fixed(home, small_registry, tmp_path):
    path, bins = small_registry
    newcomer = make_bin(77)
    with open_writer(home) as con:
        load_registry(con, path)
    report = write_report(home.intake_dir / "new body.xlsx", bin=newcomer, period=PERIOD, body_name="Жаңа орган",
                          commissioner="Уәкіл", phone="1", signed_on=SIGNED, values=clean_values())
    arrived(report, ON_TIME)
    intake(home=str(home.home))
    (file_id, status, stored), = query(home, "select file_id, status, stored_path from core_files")
    assert status == "rejected" and (home.home / stored).exists()

    fixed = tmp_path / "fixed.csv"
    fixed.write_text(path.read_text(encoding="utf-8") + f"{newcomer},Жаңа орган,Новый орган,territorial_unit,{bins['ministry']},Астана,2020-01-01,\n", encoding="utf-8")
    with open_writer(home) as con:
        load_registry(con, fixed)
    summary = rerun(failed=True, home=str(home.home))

    assert summary.loaded == 1
    assert summary.seconds > 0  # the rerun is timed like the intake
    (status, attempts, stored), = query(home, "select status, attempt_count, stored_path from core_files")
    assert (status, attempts) == ("loaded", 2)
    assert stored.startswith("archive/2026Q3/") and (home.home / stored).is_file()
    assert not list(home.rejected_dir.glob("*.xlsx"))
    assert list(home.rejected_dir.glob("*.findings-attempt-1.txt"))  # the first attempt's findings are kept
    assert query(home, "select attempt, outcome from core_attempts order by attempt") == [(1, "rejected"), (2, "loaded")]
    assert query(home, "select count(*) from core_findings where attempt = 1 and rule = 'G01'") == [(1,)]
    assert query(home, "select count(*) from findings") == [(0,)]  # the view shows the latest attempt
    assert dict(query(home, "select code, value from report_values")) == clean_values()


def test_a_file_still_wrong_stays_rejected_with_a_new_attempt(home, small_registry):
    path, bins = small_registry
    with open_writer(home) as con:
        load_registry(con, path)
    broken = clean_values()
    broken["2.1"] = broken["2"] + 1
    arrived(write_report(home.intake_dir / "b.xlsx", bin=bins["unit_a"], period=PERIOD, body_name="A", commissioner="B",
                         phone="1", signed_on=SIGNED, values=broken), ON_TIME)
    take_in(home)
    (file_id,), = query(home, "select file_id from core_files")
    summary = rerun_files(home, [file_id])
    assert summary.rejected == 1
    assert query(home, "select status, attempt_count from core_files") == [("rejected", 2)]
    assert query(home, "select attempt from findings") == [(2,)]
    with pytest.raises(NothingToRerun):
        rerun_files(home, [file_id + 100])


def test_an_outlier_is_a_warning_not_a_rejection(home, small_registry):
    path, bins = small_registry
    with open_writer(home) as con:
        load_registry(con, path)
    from adep.periods import Period
    from datetime import datetime, timezone

    settings = home.with_(outlier_min_history=2)
    for q in (1, 2, 3):  # each quarter arrives and is loaded in its own time
        period = Period(2026, q)
        values = clean_values()
        if q == 3:
            values["8"] = 500  # employees rewarded: usually 2
        when = datetime.combine(period.next().first_day, datetime.min.time(), tzinfo=timezone.utc).replace(day=2)
        arrived(write_report(home.intake_dir / f"q{q}.xlsx", bin=bins["unit_a"], period=period, body_name="A",
                             commissioner="B", phone="1", signed_on=SIGNED, values=values), when)
        take_in(settings)
    rows = query(home, "select file_name, status, warnings from intake_log order by file_name")
    assert [r[:2] for r in rows] == [("q1.xlsx", "loaded"), ("q2.xlsx", "loaded"), ("q3.xlsx", "loaded")]
    assert query(home, "select code from findings where rule = 'O01'") == [("8",)]


def test_a_rerun_interrupted_before_its_move_is_finished_by_the_next_run(home, small_registry, tmp_path):
    from adep.intake.read_pool import read_batch
    from adep.intake.checks import check_reports
    from adep.intake.arrivals import rerun_batch
    from warehouse.ledger import record_attempts, select_files_to_rerun

    path, bins = small_registry
    newcomer = make_bin(78)
    with open_writer(home) as con:
        load_registry(con, path)
    arrived(write_report(home.intake_dir / "n.xlsx", bin=newcomer, period=PERIOD, body_name="N", commissioner="C",
                         phone="1", signed_on=SIGNED, values=clean_values()), ON_TIME)
    take_in(home)
    fixed = tmp_path / "fixed.csv"
    fixed.write_text(path.read_text(encoding="utf-8") + f"{newcomer},N,N,territorial_unit,{bins['ministry']},Астана,2020-01-01,\n", encoding="utf-8")
    with open_writer(home) as con:
        load_registry(con, fixed)
        chosen, _ = select_files_to_rerun(con, home, None, None)
        batch, ids = rerun_batch(home, chosen)
        batch.results = read_batch(batch.arrivals, home)
        record_attempts(check_reports(batch.arrivals, batch.results, con, home, rerun_ids=ids), con, ids)
        # ... the process dies here: the ledger says archive/, the file is still in rejected/
    (stored,), = [r for r in query(home, "select stored_path from core_files")]
    assert stored.startswith("archive/") and not (home.home / stored).exists()

    summary = take_in(home)
    assert summary.recovered == 1
    assert (home.home / stored).is_file() and not list(home.rejected_dir.glob("*.xlsx"))


def _make_r02_an_error(home) -> None:
    """An operator's rules file in which R02 (1.1 + 1.2 == 1), a warning on the form, rejects."""
    import csv

    from contracts.form import rules

    with open(home.rules_path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["rule", "name", "left", "op", "right", "severity", "why"])
        for r in rules():
            writer.writerow([r.rule, r.name, r.left_text, r.op, r.right_text, "error" if r.rule == "R02" else r.severity, r.why])


@pytest.mark.parametrize("rejected_arrived", ["before", "after"])
def test_a_rerun_report_takes_its_place_by_arrival(home, small_registry, rejected_arrived):
    """A rejected file that now passes is in force only if it arrived after the report in force (the intake's rule)."""
    path, bins = small_registry
    with open_writer(home) as con:
        load_registry(con, path)
    _make_r02_an_error(home)
    strict = clean_values(3)
    strict["1"] += 1  # breaks only R02
    first, second = (ON_TIME, ON_TIME + ONE_DAY) if rejected_arrived == "before" else (ON_TIME + ONE_DAY, ON_TIME)
    for name, values, when in (("r02.xlsx", strict, first), ("clean.xlsx", clean_values(1), second)):
        arrived(write_report(home.intake_dir / name, bin=bins["unit_a"], period=PERIOD, body_name="A", commissioner="B",
                             phone="1", signed_on=SIGNED, values=values), when)
    take_in(home)
    ids = dict(query(home, "select file_name, file_id from core_files"))
    resolved = dict(query(home, "select file_name, resolved_by from intake_log"))
    # resolved only by a good report that arrived after the rejected one
    assert resolved["r02.xlsx"] == (ids["clean.xlsx"] if rejected_arrived == "before" else None)

    home.rules_path.unlink()  # the operator goes back to the form's own rules
    summary = rerun_files(home, [ids["r02.xlsx"]])

    log = {name: (status, superseded_by, resolved_by) for name, status, superseded_by, resolved_by
           in query(home, "select file_name, status, superseded_by, resolved_by from intake_log")}
    if rejected_arrived == "before":
        assert summary.superseded == 1
        assert log == {"r02.xlsx": ("superseded", ids["clean.xlsx"], None), "clean.xlsx": ("loaded", None, None)}
        assert dict(query(home, "select code, value from report_values")) == clean_values(1)
    else:
        assert summary.loaded + summary.warned == 1
        assert log == {"r02.xlsx": ("loaded", None, None), "clean.xlsx": ("superseded", ids["r02.xlsx"], None)}
        assert dict(query(home, "select code, value from report_values")) == strict
    assert query(home, "select count(*) from core_submissions where is_in_force") == [(1,)]
    # the supersede rule moved nothing: both reports are kept under archive/ with their values
    assert query(home, "select count(distinct file_id) from core_values") == [(2,)]
    assert {p for (p,) in query(home, "select stored_path from core_files")} == {
        p for p in (str(f.relative_to(home.home)) for f in home.archive_dir.rglob("*.xlsx"))}


def _plain(printed: str) -> str:
    """What the command printed, without the tables' rules and with single spaces."""
    return " ".join(re.sub(r"[\u2500-\u257f]", " ", printed).split())


@pytest.mark.usefixtures("prefect_harness")  # the command runs the flows
def test_rerun_failed_leaves_resolved_and_unchanged_files_alone_and_all_forces(tmp_path, small_registry, capsys, monkeypatch):
    """Through the command line: what `rerun --failed` skips and why, a registry change, and `--all`."""
    from adep.cli.parser import main
    from adep.settings import load_settings

    monkeypatch.setenv("ADEP_SETTLE_SECONDS", "0")
    registry, bins = small_registry
    home = load_settings(tmp_path / "h", environ={})
    adep = lambda *args: main(["--home", str(home.home), *args])  # noqa: E731
    assert adep("registry", "load", str(registry)) == 0
    newcomer = make_bin(77)
    broken = clean_values()
    broken["2.1"] = broken["2"] + 5  # R03, an error
    home.ensure_dirs()
    for name, bin_, values in (("a first.xlsx", bins["unit_a"], broken), ("b.xlsx", bins["unit_b"], broken),
                               ("newcomer.xlsx", newcomer, clean_values())):
        arrived(write_report(home.intake_dir / name, bin=bin_, period=PERIOD, body_name="X", commissioner="C",
                             phone="1", signed_on=SIGNED, values=values), ON_TIME)
    assert adep("intake") == 0
    # the body corrects its file: the original is resolved, and says by which
    arrived(write_report(home.intake_dir / "a corrected.xlsx", bin=bins["unit_a"], period=PERIOD, body_name="X",
                         commissioner="C", phone="1", signed_on=SIGNED, values=clean_values()), ON_TIME + ONE_DAY)
    assert adep("intake") == 0
    ids = dict(query(home, "select file_name, file_id from core_files"))
    assert query(home, "select status, resolved_by from intake_log where file_name = 'a first.xlsx'") == [
        ("rejected", ids["a corrected.xlsx"])]
    assert query(home, "select resolved_by_file_name from file_history where file_name = 'a first.xlsx'") == [
        ("a corrected.xlsx",)]
    assert query(home, "select count(*) from intake_log where resolved_by is not null") == [(1,)]
    capsys.readouterr()

    def rejected_folder():
        return {p.name: p.stat().st_mtime_ns for p in home.rejected_dir.iterdir()}

    before = rejected_folder()
    assert adep("rerun", "--failed") == 0
    out = _plain(capsys.readouterr().out)
    assert "resolved: its body filed a good report for the period after it 1" in out
    assert "unchanged: same bytes, registry entry and rules as at its last attempt 2" in out
    assert rejected_folder() == before  # no new findings file, nothing moved
    assert query(home, "select max(attempt_count) from core_files") == [(1,)]

    # the registry gains the newcomer: its file is rerun (and loads); the others' entries did not change
    fixed = tmp_path / "fixed.csv"
    fixed.write_text(registry.read_text(encoding="utf-8")
                     + f"{newcomer},Жаңа орган,Новый орган,territorial_unit,{bins['ministry']},Астана,2020-01-01,\n",
                     encoding="utf-8")
    assert adep("registry", "load", str(fixed)) == 0
    capsys.readouterr()
    assert adep("rerun", "--failed") == 0
    out = _plain(capsys.readouterr().out)
    assert "loaded 1" in out and "unchanged: same bytes, registry entry and rules as at its last attempt 1" in out
    assert dict(query(home, "select file_name, attempt_count from core_files")) == {
        "a first.xlsx": 1, "b.xlsx": 1, "newcomer.xlsx": 2, "a corrected.xlsx": 1}
    assert query(home, "select status from intake_log where file_name = 'newcomer.xlsx'") == [("loaded",)]

    # --all takes every rejected file again, resolved or unchanged
    assert adep("rerun", "--all") == 0
    out = _plain(capsys.readouterr().out)
    assert "rejected 2" in out and "Left alone" not in out
    assert dict(query(home, "select file_name, attempt_count from core_files where status = 'rejected'")) == {
        "a first.xlsx": 2, "b.xlsx": 2}
    # each earlier attempt's findings are kept (the newcomer's beside the place it left), each file has new ones
    assert sorted(p.name for p in home.rejected_dir.glob("*.findings-attempt-1.txt")) == [
        "000001-a first.xlsx.findings-attempt-1.txt", "000002-b.xlsx.findings-attempt-1.txt",
        "000003-newcomer.xlsx.findings-attempt-1.txt"]
    assert sorted(p.name for p in home.rejected_dir.glob("*.findings.txt")) == [
        "000001-a first.xlsx.findings.txt", "000002-b.xlsx.findings.txt"]
    # the resolution stands: the file is still rejected, and still resolved by the corrected one
    assert query(home, "select resolved_by from intake_log where file_name = 'a first.xlsx'") == [(ids["a corrected.xlsx"],)]


@pytest.mark.usefixtures("prefect_harness")  # the command runs the flows
def test_rerun_of_an_unknown_or_loaded_id_is_one_plain_line(tmp_path, small_registry, capsys, monkeypatch):
    from adep.cli.parser import main
    from adep.settings import load_settings

    monkeypatch.setenv("ADEP_SETTLE_SECONDS", "0")
    registry, bins = small_registry
    home = load_settings(tmp_path / "h", environ={})
    assert main(["--home", str(home.home), "registry", "load", str(registry)]) == 0
    home.ensure_dirs()
    arrived(write_report(home.intake_dir / "a.xlsx", bin=bins["unit_a"], period=PERIOD, body_name="A", commissioner="C",
                         phone="1", signed_on=SIGNED, values=clean_values()), ON_TIME)
    assert main(["--home", str(home.home), "intake"]) == 0
    (loaded,), = query(home, "select file_id from core_files")
    capsys.readouterr()
    assert main(["--home", str(home.home), "rerun", "99999", str(loaded)]) == 2
    captured = capsys.readouterr()
    lines = [line for line in (captured.out + captured.err).splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert f"not: {loaded} (loaded), 99999 (no such file)" in lines[0] and "Traceback" not in lines[0]
