"""Field files through the checks and the intake: what a body's file is filed under, and what it can supersede."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from adep.intake.arrivals import discover
from adep.intake.checks import check_reports
from adep.intake.read_pool import read_batch
from adep.outputs.findings_file import format_findings
from adep.registry import load_registry
from flows.intake import intake
from tests.conftest import arrived, clean_values, make_bin, query
from tests.field_workbooks import Sheet, form_rows, value_cell, write_openpyxl, write_xlsxwriter
from warehouse.db import open_writer

Q1 = "Есепті кезең 2026 жылғы 1 тоқсан"
Q2 = "Есепті кезең 2026 жылғы 2 тоқсан"
AFTER_Q1 = datetime(2026, 4, 2, 9, 0, tzinfo=timezone.utc)
AFTER_Q2 = datetime(2026, 7, 2, 9, 0, tzinfo=timezone.utc)


def _checked(home):
    """The intake's own checks over what is now in intake/, on the warehouse: outcome, findings by file name."""
    with open_writer(home) as con:
        arrivals, _ = discover(home)
        batch = check_reports(arrivals, read_batch(arrivals, home), con, home)
    files = batch.files.set_index("file_name")
    findings = batch.findings.merge(batch.files[["file_name"]], left_on="key", right_index=True)
    return files, {name: group for name, group in findings.groupby("file_name")}


def _q1_values() -> dict[str, int]:
    v = clean_values()
    v["1.1"] += 5
    v["1"] += 5
    return v


@pytest.mark.usefixtures("prefect_harness")
def test_a_file_supersedes_only_the_report_of_the_period_it_was_read_for(home, registered):
    """Last quarter's sheet kept hidden in this quarter's file must not replace last quarter's report."""
    bin_ = registered["unit_a"]
    genuine_q1 = _q1_values()
    name = "Департамент А"  # the registry's name of unit_a: the form names its own body
    arrived(write_openpyxl(home.intake_dir / "q1.xlsx", [Sheet("1-әу", form_rows(genuine_q1, period=Q1, bin_=bin_, body=name))]), AFTER_Q1)
    intake(home=str(home.home))

    stale_q1 = dict(genuine_q1, **{"8": genuine_q1["8"] + 7})
    q2 = clean_values()
    arrived(write_xlsxwriter(home.intake_dir / "q2 with old sheet.xlsx", [
        Sheet("I тоқсан", form_rows(stale_q1, period=Q1, bin_=bin_, body=name), state="hidden"),
        Sheet("II тоқсан", form_rows(q2, period=Q2, bin_=bin_, body=name))]), AFTER_Q2)
    arrived(write_openpyxl(home.intake_dir / "two quarters.xlsx", [
        Sheet("I тоқсан", form_rows(stale_q1, period=Q1, bin_=bin_)),
        Sheet("II тоқсан", form_rows(q2, period=Q2, bin_=bin_))]), AFTER_Q2)
    intake(home=str(home.home))

    log = dict(query(home, "select file_name, status || ' ' || coalesce(year || 'Q' || quarter, '-') from intake_log"))
    assert log == {"q1.xlsx": "loaded 2026Q1", "q2 with old sheet.xlsx": "loaded 2026Q2", "two quarters.xlsx": "rejected -"}
    in_force = query(home, "select year, quarter, code, value from report_values where bin = ? and code in ('1', '8')", [bin_])
    assert sorted(in_force) == [(2026, 1, "1", genuine_q1["1"]), (2026, 1, "8", genuine_q1["8"]),
                                (2026, 2, "1", q2["1"]), (2026, 2, "8", q2["8"])]
    rules = query(home, "select file_name, rule, severity from findings order by 1, 2")
    assert rules == [("q2 with old sheet.xlsx", "T06", "warning"), ("two quarters.xlsx", "T04", "error")]
    stored = query(home, "select stored_path from intake_log where file_name = 'two quarters.xlsx'")[0][0]
    text = (home.home / (stored + ".findings.txt")).read_text(encoding="utf-8")
    assert f"'I тоқсан' (2026Q1; {genuine_q1['1']}), 'II тоқсан' (2026Q2; {q2['1']})" in text
    assert "бір ғана есеп" in text and "один отчет" in text and "one report" in text


def _registry_with_history(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A ministry; a department whose registration ended on 31 March, succeeded the next day by a new one under
    the same ministry; a body registered only from July."""
    bins = {name: make_bin(60 + i) for i, name in enumerate(["ministry", "old", "new", "later"])}
    rows = [f"{bins['ministry']},Министрлік,Министерство,central_body,,Астана,2020-01-01,",
            f"{bins['old']},Ескі департамент,Старый департамент,department,{bins['ministry']},Астана,2020-01-01,2026-03-31",
            f"{bins['new']},Жаңа департамент,Новый департамент,department,{bins['ministry']},Астана,2026-04-01,",
            f"{bins['later']},Кейінгі орган,Поздний орган,department,{bins['ministry']},Астана,2026-07-01,"]
    path = tmp_path / "registry.csv"
    path.write_text("bin,name_kk,name_ru,kind,parent_bin,region,valid_from,valid_to\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path, bins


def test_a_body_whose_registration_ended_is_told_so(home, tmp_path):
    path, bins = _registry_with_history(tmp_path)
    with open_writer(home) as con:
        load_registry(con, path)
    for name, bin_ in (("old.xlsx", bins["old"]), ("later.xlsx", bins["later"]), ("stranger.xlsx", make_bin(99))):
        arrived(write_openpyxl(home.intake_dir / name, [Sheet("1-әу", form_rows(clean_values(), period=Q2, bin_=bin_))]), AFTER_Q2)
    files, findings = _checked(home)
    assert (files.error_count == 1).all()

    ended = findings["old.xlsx"].iloc[0]
    assert (ended.rule, ended.template, ended.cell) == ("G01", "G01/ended", "C5")
    assert "registered until 2026-03-31, before 2026Q2 began" in ended.message
    assert f"Новый департамент ({bins['new']})" in ended.message and "Старый департамент" in ended.message
    assert "2026-03-31 дейін ғана тіркелген" in ended.message_kk and "только до 2026-03-31" in ended.message_ru
    assert "not in the registry" not in ended.message

    later = findings["later.xlsx"].iloc[0]
    assert later.template == "G01/not_yet" and "only from 2026-07-01" in later.message
    assert findings["stranger.xlsx"].iloc[0].template == "G01"


def test_parts_over_their_total_are_one_finding_citing_both_sides(home, registered):
    values = clean_values()
    values["3.1"] += 4
    arrived(write_xlsxwriter(home.intake_dir / "over.xlsx", [Sheet("1-әу", form_rows(values, period=Q2, bin_=registered["unit_a"],
                                                                                  body="Департамент А"))]), AFTER_Q2)
    short = clean_values()
    short["3"] += 2
    arrived(write_openpyxl(home.intake_dir / "short.xlsx", [Sheet("1-әу", form_rows(short, period=Q2, bin_=registered["unit_b"],
                                                                                body="Департамент Б"))]), AFTER_Q2)
    files, findings = _checked(home)

    over = findings["over.xlsx"]
    assert list(over.rule) == ["R04"]
    r04 = over.iloc[0]
    assert (r04.code, r04.cell) == ("3", value_cell("3"))
    parts = ", ".join(value_cell(f"3.{i}") for i in range(1, 6))
    assert f"Cells: {parts.replace(', ', ' + ')} ≤ {value_cell('3')}" in r04.message
    assert files.at["over.xlsx", "status"] == "rejected"

    r05 = findings["short.xlsx"]
    assert list(r05.rule) == ["R05"] and r05.iloc[0].cell == value_cell("3")
    assert "не пропущено ли" in r05.iloc[0].message_ru
    assert files.at["short.xlsx", "status"] == "loaded"


def test_the_checks_quote_an_unread_period_and_add_nothing_to_a_file_with_two_reports(home, registered):
    bin_ = registered["unit_a"]
    arrived(write_openpyxl(home.intake_dir / "half year.xlsx", [
        Sheet("1-әу", form_rows(clean_values(), period="Отчетный период: январь-июнь 2026 г.", bin_=bin_))]), AFTER_Q2)
    arrived(write_openpyxl(home.intake_dir / "two.xlsx", [Sheet("a", form_rows(_q1_values(), period=Q1, bin_=bin_)),
                                                          Sheet("b", form_rows(clean_values(), period=Q2, bin_=bin_))]), AFTER_Q2)
    files, findings = _checked(home)
    h01 = findings["half year.xlsx"]
    assert list(h01.rule) == ["H01"] and h01.iloc[0].cell == "A2"
    assert "the header says 'Отчетный период: январь-июнь 2026 г.'" in h01.iloc[0].message
    row = SimpleNamespace(file_id=1, file_name="half year.xlsx", bin=bin_, year=pd.NA, quarter=pd.NA)
    text = format_findings(row, h01.rename(columns={"name": "rule_name"}))  # the findings file's header
    assert "Period: ? ('Отчетный период: январь-июнь 2026 г.')" in text
    assert list(findings["two.xlsx"].rule) == ["T04"]
    assert files.at["two.xlsx", "status"] == "rejected" and files.at["two.xlsx", "bin"] == bin_
