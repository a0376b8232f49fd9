"""Rerunning rejected files after the registry is fixed; every attempt stays in the ledger."""
from __future__ import annotations

import pytest

from adep.registry import load_registry
from adep.forms.writer import write_report
from flows.intake import intake
from flows.rerun import rerun
from warehouse.ledger import NothingToRerun
from tests.conftest import query, ON_TIME, PERIOD, SIGNED, arrived, clean_values, make_bin
from warehouse.db import open_writer

pytestmark = pytest.mark.usefixtures("prefect_harness")




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
    intake(home=str(home.home))
    (file_id,), = query(home, "select file_id from core_files")
    summary = rerun(file_ids=[file_id], home=str(home.home))
    assert summary.rejected == 1
    assert query(home, "select status, attempt_count from core_files") == [("rejected", 2)]
    assert query(home, "select attempt from findings") == [(2,)]
    with pytest.raises(NothingToRerun):
        rerun(file_ids=[file_id + 100], home=str(home.home))


def test_an_outlier_is_a_warning_not_a_rejection(home, small_registry):
    path, bins = small_registry
    with open_writer(home) as con:
        load_registry(con, path)
    from adep.periods import Period
    from datetime import datetime, timezone

    settings = home.with_(outlier_min_history=2)
    from flows.intake import run_intake
    from prefect import flow

    for q in (1, 2, 3):  # each quarter arrives and is loaded in its own time
        period = Period(2026, q)
        values = clean_values()
        if q == 3:
            values["8"] = 500  # employees rewarded: usually 2
        when = datetime.combine(period.next().first_day, datetime.min.time(), tzinfo=timezone.utc).replace(day=2)
        arrived(write_report(home.intake_dir / f"q{q}.xlsx", bin=bins["unit_a"], period=period, body_name="A",
                             commissioner="B", phone="1", signed_on=SIGNED, values=values), when)
        flow(run_intake)(settings)
    rows = query(home, "select file_name, status, warnings from intake_log order by file_name")
    assert [r[:2] for r in rows] == [("q1.xlsx", "loaded"), ("q2.xlsx", "loaded"), ("q3.xlsx", "loaded")]
    assert query(home, "select code from findings where rule = 'O01'") == [("8",)]


def test_a_rerun_interrupted_before_its_move_is_finished_by_the_next_run(home, small_registry, tmp_path):
    from adep.intake.read_pool import read_batch
    from flows.intake import intake as intake_flow
    from adep.intake.checks import check_reports
    from adep.intake.arrivals import rerun_batch
    from warehouse.ledger import record_attempts, select_files_to_rerun

    path, bins = small_registry
    newcomer = make_bin(78)
    with open_writer(home) as con:
        load_registry(con, path)
    arrived(write_report(home.intake_dir / "n.xlsx", bin=newcomer, period=PERIOD, body_name="N", commissioner="C",
                         phone="1", signed_on=SIGNED, values=clean_values()), ON_TIME)
    intake_flow(home=str(home.home))
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

    summary = intake_flow(home=str(home.home))
    assert summary.recovered == 1
    assert (home.home / stored).is_file() and not list(home.rejected_dir.glob("*.xlsx"))
