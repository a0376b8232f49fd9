"""The intake flow end to end under Prefect, on a real DuckDB file and real workbooks; the rules of a pass (duplicates,
supersession, recovery) through the flow's own steps without the engine (tests/steps.py)."""
from __future__ import annotations

import shutil
import threading
import time

import pytest

from adep.forms.layout import FormLayout
from adep.forms.writer import write_report
from flows.intake import intake
from adep.intake.checks import check_reports
from adep.intake.arrivals import discover
from warehouse.ledger import load_reports
from adep.intake.read_pool import read_batch
from tests.conftest import query, make_bin, LATE, ON_TIME, ONE_DAY, PERIOD, SIGNED, arrived, clean_values
from tests.steps import take_in
from warehouse.db import open_writer


def _report(home, name, bin_, values=None, layout=FormLayout(), when=ON_TIME, period=PERIOD):
    path = write_report(home.intake_dir / name, bin=bin_, period=period, body_name="Орган", commissioner="Уәкіл",
                        phone="+7 700 000 0000", signed_on=SIGNED, values=values or clean_values(), layout=layout)
    return arrived(path, when)


def _log(home) -> dict[str, tuple]:
    rows = query(home, "select file_name, status, errors, warnings, stored_path from intake_log")
    return {r[0]: r[1:] for r in rows}




@pytest.mark.usefixtures("prefect_harness")
def test_a_quarter_end_to_end(home, registered):
    bins = registered
    warned = clean_values()
    warned["1"] += 1  # R02: the recipient groups no longer add up to row 1 (a warning)
    broken = clean_values()
    broken["2.1"] = broken["2"] + 5  # R03: outreach meetings exceed personal receptions (an error)
    _report(home, "ministry.xlsx", bins["ministry"], layout=FormLayout(writer="openpyxl", language="ru"))
    _report(home, "unit a.xlsx", bins["unit_a"], warned, when=LATE)
    _report(home, "-unit b.XLSX", bins["unit_b"], broken)
    _report(home, "excluded.xlsx", bins["defence"])
    _report(home, "unknown.xlsx", make_bin(42))
    shutil.copy(home.intake_dir / "ministry.xlsx", home.intake_dir / "ministry (copy).xlsx")
    (home.intake_dir / "notes.xlsx").write_text("not a workbook")

    summary = intake(home=str(home.home))

    log = _log(home)
    assert log["ministry.xlsx"][:3] == ("loaded", 0, 0)
    assert log["unit a.xlsx"][:3] == ("loaded", 0, 1)
    assert log["-unit b.XLSX"][0] == "rejected"
    assert log["excluded.xlsx"][0] == "rejected"
    assert log["unknown.xlsx"][0] == "rejected"
    assert log["notes.xlsx"][0] == "rejected"
    assert {log["ministry (copy).xlsx"][0], log["ministry.xlsx"][0]} == {"duplicate", "loaded"}
    assert (summary.loaded, summary.warned, summary.rejected, summary.duplicate) == (1, 1, 4, 1)

    # every file is in exactly one place, as the ledger says, and intake/ is empty
    assert list(home.intake_dir.iterdir()) == []
    for status, _, _, stored in log.values():
        assert (home.home / stored).is_file()
    findings_file = home.home / (log["-unit b.XLSX"][3] + ".findings.txt")
    text = findings_file.read_text(encoding="utf-8")
    assert "R03" in text and "row 2.1" in text and "cell" in text

    rules = {r[0] for r in query(home, "select rule from findings")}
    assert {"R02", "R03", "G01", "G02", "F02"} <= rules
    values = dict(query(home, "select code, value from report_values where bin = ?", [bins["ministry"]]))
    assert values == clean_values()
    lateness = dict(query(home, "select bin, is_late from core_submissions"))
    assert lateness == {bins["ministry"]: False, bins["unit_a"]: True}


def test_the_same_bytes_again_are_a_duplicate_and_a_new_file_supersedes(home, registered):
    bins = registered
    first = _report(home, "q3.xlsx", bins["unit_a"])
    kept = home.home / "kept.xlsx"
    shutil.copy(first, kept)
    take_in(home)
    shutil.copy(kept, home.intake_dir / "q3 again.xlsx")
    corrected = clean_values(2)
    _report(home, "q3 corrected.xlsx", bins["unit_a"], corrected)
    take_in(home)

    log = _log(home)
    assert log["q3.xlsx"][0] == "superseded"
    assert log["q3 again.xlsx"][0] == "duplicate"
    assert log["q3 corrected.xlsx"][0] == "loaded"
    assert dict(query(home, "select code, value from report_values")) == corrected
    # the superseded report stays queryable
    old = query(home, "select count(*) from core_values join core_files using (file_id) where file_name = 'q3.xlsx'")
    assert old == [(40,)]


def test_a_second_pass_over_an_empty_folder_changes_nothing(home, registered):
    _report(home, "a.xlsx", registered["unit_a"])
    take_in(home)
    before = query(home, "select * from intake_log order by file_id")
    summary = take_in(home)
    assert summary.files == 0
    assert query(home, "select * from intake_log order by file_id") == before


def test_files_still_being_copied_wait_for_the_next_pass(home, registered):
    settings = home.with_(settle_seconds=0.5)
    growing = settings.intake_dir / "growing.xlsx"
    growing.write_bytes(b"PK\x03\x04")
    done = _report(home, "done.xlsx", registered["unit_a"])

    def keep_writing():
        for _ in range(8):
            with open(growing, "ab") as fh:
                fh.write(b"x" * 100)
            time.sleep(0.1)

    writer = threading.Thread(target=keep_writing)
    writer.start()
    ready, waiting = discover(settings)
    writer.join()
    assert [a.name for a in ready] == [done.name]
    assert waiting == [str(growing)]


def test_an_interrupted_filing_is_finished_by_the_next_run(home, registered):
    """A crash after the load committed but before the files moved: the next run moves them, counting nothing twice."""
    _report(home, "a.xlsx", registered["unit_a"])
    _report(home, "b.xlsx", registered["unit_b"])
    with open_writer(home) as con:
        arrivals, _ = discover(home)
        batch = check_reports(arrivals, read_batch(arrivals, home), con, home)
        load_reports(batch, con)  # ... and the process dies before file_away
    assert len(list(home.intake_dir.iterdir())) == 2

    summary = take_in(home)

    assert summary.recovered == 2 and summary.files == 2
    assert list(home.intake_dir.iterdir()) == []
    assert query(home, "select count(*), count(distinct sha256) from core_files") == [(2, 2)]
    for _, _, _, stored in _log(home).values():
        assert (home.home / stored).is_file()


def test_an_older_arrival_loaded_later_does_not_replace_the_report_in_force(home, registered):
    """The later arrival is in force, whatever order the files were loaded in (and so whatever their ledger ids)."""
    _report(home, "revised.xlsx", registered["unit_a"], clean_values(1), when=ON_TIME + ONE_DAY)
    take_in(home)
    # the first version, mailed earlier, reaches intake/ only now: a higher ledger id, an earlier arrival
    _report(home, "first.xlsx", registered["unit_a"], clean_values(2), when=ON_TIME)
    summary = take_in(home)

    ids = dict(query(home, "select file_name, file_id from core_files"))
    assert ids["first.xlsx"] > ids["revised.xlsx"]
    assert summary.superseded == 1 and summary.loaded == 0
    assert query(home, "select file_name, status, superseded_by from intake_log order by file_id") == [
        ("revised.xlsx", "loaded", None), ("first.xlsx", "superseded", ids["revised.xlsx"])]
    assert query(home, "select file_id from core_submissions where is_in_force") == [(ids["revised.xlsx"],)]
    assert dict(query(home, "select code, value from report_values")) == clean_values(1)
    assert query(home, "select outcome from file_history where file_name = 'first.xlsx'") == [("superseded",)]
