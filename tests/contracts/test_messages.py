"""Findings in the language of the form: one catalogue, every language filled from the same parameters."""
from __future__ import annotations

import json
import re
from collections import namedtuple

import pandas as pd
import pytest

from adep.outputs.findings_file import format_findings, write_findings_file
from contracts.catalogue import catalogue, structural_ids
from contracts.findings import Finding, finding, rule_finding
from contracts.form import Rule, codes, parse_side, rules
from contracts.messages import render, render_finding, rule_template_id
from contracts.schemas import rule_findings

KAZAKH_LETTERS = re.compile("[әіңғүұқөһӘІҢҒҮҰҚӨҺ]")
LEFTOVER = re.compile(r"[{}\[\]]")

# Parameters each structural finding is raised with, as the reader, the contracts and the checks give them.
RAISED = {
    "F01": finding("F01", "damaged_part", part="xl/workbook.xml", detail="bad CRC"),
    "F02": finding("F02", "zip"),
    "F03": finding("F03"),
    "F04": finding("F04", "file_size", bytes="90,000,000", limit="20,000,000"),
    "F05": finding("F05", "entities", part="xl/sharedStrings.xml"),
    "T01": finding("T01"),
    "T02": finding("T02", code="4.3"),
    "T03": finding("T03", code="2", cell="B9", count=2, cells="B9, B30"),
    "T04": finding("T04", sheets="'I тоқсан' (2026Q1; 12), 'II тоқсан' (2026Q2; 15)", rows="1, 1.1"),
    "T05": finding("T05", sheets="'1-әу', '1-әу (рус)'", sheet="'1-әу'"),
    "T06": finding("T06", "hidden", sheet="Q1", found="'Q1' (2026Q1; 12)", chosen="Q2"),
    "T07": finding("T07", cell="B52", cells="B52:B56", table="B10:B49", codes="1, 2, 3, 4, 5"),
    "T08": finding("T08", cell="A52", found="12.", value="4", value_cell="C52"),
    "T09": finding("T09", cell="A52", found="12."),
    "T10": finding("T10", code="3.1", cell="A14", found="03.01"),
    "T11": finding("T11", cell="D9", column="D", others="E"),
    "T12": finding("T12", sheet="Ескі нұсқа", detail="XmlError: unexpected end", chosen="1-әу"),
    "T13": finding("T13", cell="E12", column="E", count=6, cells="E12:E17", chosen="A"),
    "V01": finding("V01", code="3.1", cell="C12", found="2.5"),
    "V02": finding("V02", code="3.1", cell="C12", found=-4),
    "V03": finding("V03", code="3.1", cell="C12", found="бес"),
    "V04": finding("V04", code="3.1", cell="C12"),
    "V05": finding("V05", code="3.1", cell="C12", found="1,000", small="1", large="1000"),
    "V06": finding("V06", code="3.3", cell="C14:C15", codes="3.3, 3.4", found="5"),
    "V07": finding("V07", code="3.3", cell="C14:C15", codes="3.3, 3.4"),
    "V08": finding("V08", code="3.2", cell="C15", found="#REF!"),
    "H01": finding("H01", field="period", cell="B3"),
    "H02": finding("H02", field="bin"),
    "H03": finding("H03", field="bin", cell="C4", found="123456789012"),
    "H04": finding("H04", field="body_name"),
    "H05": finding("H05", field="commissioner"),
    "H06": finding("H06", field="phone"),
    "H07": finding("H07", field="signed_on"),
    "H08": finding("H08", field="period", cell="A2", found="2026Q1 ('I квартал 2026', A2); 2026Q2 ('II квартал 2026', A3)"),
    "H09": finding("H09", field="bin", cell="C4", found="990000007011 (C4), 990000042011 (F4)"),
    "H10": finding("H10", field="body_name", cell="C5", found="Әділет департаменті", other="Департамент юстиции", other_cell="C40"),
    "H11": finding("H11", field="is_consolidated", cell="A1", first="the title '... жиынтық есеп' says consolidated",
                   first_cell="A1", second="the type 'Есептің түрі: жеке' says own report", second_cell="A3"),
    "G01": finding("G01", field="bin", cell="C4", found="990000042011", period="2026Q3"),
    "G02": finding("G02", field="bin", cell="C4", found="990000007011", body="Министерство обороны"),
    "G03": finding("G03", field="period", found="2026Q3", arrived="2026-08-14", until="2026-09-30"),
    "G04": finding("G04", field="body_name", named="Бурабай ауданы әкімінің аппараты", named_bin="990000042011",
                   found="990000007011", body="Аппарат акима Щучинского района"),
    "G05": finding("G05", field="body_name", found="Министерство образования", bin="990000007011",
                   names="Бурабай ауданы әкімінің аппараты / Аппарат акима Бурабайского района"),
    "O01": finding("O01", code="3", cell="C11", found=250, median="4", quarters=6),
    "P01": finding("P01", "bin", field="bin", number="2026Q3-000123", receipt_bin="990000042011", found="990000007011"),
    "P02": finding("P02", field="bin", found="990000002011", other="Департамент А / Департамент А",
                   body="Департамент Б / Департамент Б", bin="990000003011"),
    "P03": finding("P03", found="2026Q3-000004, 2026-10-02 14:00 (Asia/Almaty)"),
}


def _violating(rule):
    """Values breaking one rule: each left-hand row 1 more than it may be, everything else 0; an '==' rule is broken
    the way it alone fires, with the parts short of their total (parts over it are the '<=' rule's finding)."""
    values = {c: 0 for c in codes()}
    for term in rule.left:
        values[term.code] = 3
    for term in rule.right:
        values[term.code] = (3 * len(rule.left) + 1 if rule.op == "==" else 1) if term.factor == 1 else 0
    return values


def _rule_finding(rule):
    wide = pd.DataFrame([_violating(rule)], columns=list(codes())).astype("Int64")
    cells = pd.DataFrame([{c: f"C{i + 5}" for i, c in enumerate(codes())}], columns=list(codes()))
    found = [f for f in rule_findings(wide, cells).get(0, []) if f.rule == rule.rule]
    assert found, f"{rule.rule} should fail on {_violating(rule)}"
    return found[0]


def test_every_check_has_wording_in_three_languages():
    table = catalogue()
    assert set(RAISED) == set(structural_ids()), "every catalogued structural check is raised somewhere in these tests"
    for rule in rules():
        assert rule_template_id(rule.rule, rule.severity, rule.op) in table, f"{rule.rule} has no template"
    for key, template in table.items():
        assert all(template.text[lang] for lang in ("en", "kk", "ru")), f"{key}: all three languages are needed"
        if key.startswith("field:"):
            continue
        assert template.severity in ("error", "warning") or key.startswith("R"), key  # arithmetic rules take theirs from rules.csv
        assert KAZAKH_LETTERS.search(template.text["kk"]), f"{key}: the kk column does not read as Kazakh"
        assert not KAZAKH_LETTERS.search(template.text["ru"].replace("1-әу", "")), f"{key}: the ru column has Kazakh letters"


def test_an_unknown_finding_id_is_a_programming_error_not_a_silent_line():
    with pytest.raises(KeyError):
        finding("X99")
    with pytest.raises(KeyError):
        finding("F01", "no_such_variant")


@pytest.mark.parametrize("rule", sorted(RAISED))
def test_structural_lines_render_fully(rule):
    f = RAISED[rule]
    lines = f.lines()
    for line in lines.values():
        assert line and not LEFTOVER.search(line) and "?" not in line, line
        if f.code:
            assert f.code in line
    if f.code:
        assert "жол" in lines["kk"] and "строк" in lines["ru"].lower() and "Row" in lines["en"]
    assert f.message == lines["en"]
    name, severity = structural_ids()[rule]
    assert (f.name, f.severity) == (name, severity)


def test_parameters_reach_every_language():
    lines = RAISED["V03"].lines()
    assert "3.1-жолда (C12 ұяшығы)" in lines["kk"] and "«бес»" in lines["kk"]
    assert "В строке 3.1 (ячейка C12)" in lines["ru"] and "«бес»" in lines["ru"]
    assert "'бес'" in lines["en"] and "C12" in lines["en"]
    lines = RAISED["H03"].lines()
    assert "БСН 123456789012" in lines["kk"] and "БИН 123456789012" in lines["ru"] and "123456789012" in lines["en"]
    lines = RAISED["O01"].lines()
    assert "(250)" in lines["kk"] and "медиана 4" in lines["ru"] and "median 4 over 6" in lines["en"]


def test_rewording_one_language_cannot_break_another():
    """The Kazakh and Russian lines never read the English one: a finding with an empty English template still speaks."""
    f = RAISED["V01"]
    template = catalogue()["V01"]
    saved = dict(template.text)
    try:
        template.text["en"] = "Something else entirely."
        lines = f.lines()
        assert lines["en"] == "Something else entirely."
        assert "2.5" in lines["kk"] and "2.5" in lines["ru"]
    finally:
        template.text.update(saved)


@pytest.mark.parametrize("rule", rules(), ids=lambda r: r.rule)
def test_rule_lines_show_the_rows_and_the_numbers(rule):
    f = _rule_finding(rule)
    lines = f.lines()
    for line in lines.values():
        assert not LEFTOVER.search(line) and "?" not in line, line
        assert rule.rule in line
    for term in rule.left + rule.right:
        assert f"{term.code}-жол" in lines["kk"]
        assert f"строка {term.code}" in lines["ru"] or f"строке {term.code}" in lines["ru"]
        assert f"row {term.code}" in lines["en"]
    relation = "≠" if rule.op == "==" else ">"
    shown = f"{3 * len(rule.left)} {relation}"
    first = rule.left[0].code
    assert shown in lines["kk"] or f"{first}-жол = 3" in lines["kk"]  # the comparison, or (R27's own wording) the values
    assert shown in lines["ru"] or f"строка {first} = 3" in lines["ru"]
    assert shown in lines["en"]
    params = f.params
    assert params["values"] == {c: _violating(rule)[c] for c in rule.codes}
    assert set(params["cells"]) == set(rule.codes), "the cells of both sides are kept"


def test_a_rule_from_an_operators_file_is_worded_from_its_own_sides():
    known = set(codes())
    local = Rule(rule="R28", name="local.check", left=parse_side("8", known), op="<=", right=parse_side("10", known),
                 severity="error", why="local practice", left_text="8", right_text="10")
    f = rule_finding(local, {"8": 5, "10": 2}, {"8": "C20", "10": "C22"})
    lines = f.lines()
    assert "8-жол ≤ 10-жол" in lines["kk"] and "5 > 2" in lines["kk"]
    assert "строка 8 ≤ строка 10" in lines["ru"] and "5 > 2" in lines["ru"]
    assert "local practice" in lines["en"] and (f.code, f.cell) == ("10", "C22")  # the total's cell
    assert all("C20 ≤ C22" in line for line in lines.values())  # and the cells of both sides


def test_missing_or_odd_input_never_breaks_a_line():
    for template in list(structural_ids()) + ["R*", "R99", "", None]:
        lines = render_finding(template)
        assert all(lines.values()) and not LEFTOVER.search("".join(lines.values()))
    assert render_finding("T03", code="2")["kk"] == "2-жол кестеде бірнеше рет кездеседі. Тек біреуін қалдырыңыз."
    assert render("A {unknown} [b {unknown}] c", {}) == "A ? c"
    assert render("broken {", {}) == "broken {"


FileRow = namedtuple("FileRow", "file_id file_name bin year quarter")


def _row(f: Finding) -> dict:
    d = f.as_dict()
    d["rule_name"] = d.pop("name")
    return d


def _sample_findings() -> pd.DataFrame:
    r03 = _rule_finding(next(r for r in rules() if r.rule == "R03"))
    frame = pd.DataFrame([_row(r03), _row(RAISED["V03"]), _row(RAISED["G01"]), _row(RAISED["H06"])])
    frame.insert(0, "file_id", 7)
    frame.insert(1, "file_name", "unit b.xlsx")
    frame.insert(2, "attempt", 1)
    return frame


def test_the_findings_file_speaks_kazakh_russian_and_english(tmp_path):
    findings = _sample_findings()
    row = FileRow(7, "unit b.xlsx", "990000000011", 2026, 3)
    path = write_findings_file(tmp_path / "rejected" / "unit b.xlsx.findings.txt", row, findings)
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()

    assert lines[0].startswith("Файл / File: unit b.xlsx")
    assert "БСН / БИН / BIN: 990000000011" in lines[1] and "2026Q3" in lines[1]
    assert "3 error(s), 1 warning(s)" in text
    assert "R03" in text and "row 2.1" in text and "cell" in text
    for number, f in enumerate(findings.itertuples(), start=1):
        at = next(i for i, line in enumerate(lines) if line.startswith(f"{number}. ["))
        assert f.rule in lines[at]
        kk, ru, en = lines[at + 1:at + 4]
        assert kk == f"   ҚАЗ: {f.message_kk}" and KAZAKH_LETTERS.search(kk)
        assert ru == f"   РУС: {f.message_ru}" and not KAZAKH_LETTERS.search(ru)
        assert en == f"   EN: {f.message}"
    assert "2.1-жол ≤ 2-жол" in text and "строка 2.1 ≤ строка 2" in text
    assert "3.1-жолда (C12 ұяшығы)" in text and "В строке 3.1 (ячейка C12)" in text
    local = [line for line in lines if line.startswith(("   ҚАЗ: ", "   РУС: "))]
    assert len(local) == 2 * len(findings) and not any(LEFTOVER.search(line) for line in local)


def test_findings_recorded_before_parameters_were_kept_still_read():
    old = _sample_findings().assign(template=None, params=None, message_kk=None, message_ru=None)
    text = format_findings(FileRow(7, "unit b.xlsx", "990000000011", 2026, 3), old)
    assert all(f"   EN: {m}" in text for m in old.message)


def test_a_findings_file_without_findings_or_period_still_reads():
    empty = _sample_findings().iloc[0:0]
    text = format_findings(FileRow(1, "notes.xlsx", None, pd.NA, pd.NA), empty)
    assert "notes.xlsx" in text and "0 error(s)" in text and "?" in text


def test_parameters_are_stored_as_json_the_warehouse_can_read():
    f = RAISED["G03"]
    assert json.loads(f.as_dict()["params"]) == {"found": "2026Q3", "arrived": "2026-08-14", "until": "2026-09-30"}
