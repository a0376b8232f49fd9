"""Findings in the language of the form: every check has Kazakh and Russian wording, and the findings file shows it."""
from __future__ import annotations

import re
from collections import namedtuple

import pandas as pd
import pytest

from adep.outputs.findings_file import format_findings, write_findings_file
from contracts.findings import STRUCTURAL
from contracts.form import codes, rules
from contracts.messages import local_lines, render, template_for, templates
from contracts.schemas import rule_findings

KAZAKH_LETTERS = re.compile("[әіңғүұқөһӘІҢҒҮҰҚӨҺ]")
LEFTOVER = re.compile(r"[{}\[\]]")

# English messages in the shapes the reader, the header contract and the registry checks write them.
ENGLISH = {
    "F01": "The workbook is damaged (part 'xl/workbook.xml': bad CRC). Save it again and resend.",
    "F02": "This is an old Excel 97-2003 (.xls) workbook: open it and save it as .xlsx (Excel Workbook), then send it again.",
    "F03": "The workbook is password-protected: open it, save it without a password, and send it again.",
    "F04": "The file is 90,000,000 bytes, far more than a form needs (limit 20,000,000); it was not opened.",
    "F05": "Part 'xl/sharedStrings.xml' of the workbook declares XML entities, which no spreadsheet program writes; it was not opened.",
    "T01": "No table of form 1-әу was found: no column holds the row codes 1, 1.1, ... 11.3. Use the form's template.",
    "T02": "Row 4.3 of the form is missing from the table. Every row 1 to 11.3 must be present.",
    "T03": "Row 2 appears 2 times (cells B9, B30); keep exactly one.",
    "V01": "Row 3.1 (cell C12) holds 2.5, not a whole number: counts are whole numbers.",
    "V02": "Row 3.1 (cell C12) holds -4, a negative number: counts cannot be below zero.",
    "V03": "Row 3.1 (cell C12) holds 'бес', not a number: write a whole number, or leave it blank for zero.",
    "V04": "Row 3.1 (cell C12) holds a formula whose result was never saved. Open the file in a spreadsheet program, save it, and resend.",
    "H01": "The reporting period was not found or is not a quarter 1-4 of a year: write it as on the form, e.g. 'Есепті кезең 2026 жылғы 3 тоқсан'.",
    "H02": "The body's BIN (БСН/БИН) was not found: write the 12-digit BIN in the cell next to 'БСН'.",
    "H03": "The BIN 123456789012 is not valid (wrong length or check digit): check the 12 digits.",
    "H04": "The body's name ('Мемлекеттік органның атауы') is not filled in.",
    "H05": "The ethics commissioner's name ('Әдеп жөніндегі уәкіл') is not filled in.",
    "H06": "The commissioner's phone ('Телефоны') is not filled in.",
    "H07": "The signing date is not filled in or is not a date.",
    "G01": "BIN 990000042011 is not in the registry of reporting bodies for 2026Q3. Check the BIN; if it is right, ask the Agency to add the body.",
    "G02": "Body 990000007011 (Министерство обороны) does not file form 1-әу (law-enforcement, special bodies and the Ministry of Defence are excluded).",
    "G03": "The report for 2026Q3 arrived on 2026-08-14, before the quarter ended (2026-09-30). Check the period in the header.",
    "G04": "The period in the file's name (2026Q2) is not the period in its header (2026Q3).",
    "O01": "Row 3 is 250, far from this body's own history (median 4 over 6 previous quarters). Please check it; the report is loaded.",
}
# Where each structural finding points, as the checks set it.
WHERE = {
    "T02": dict(code="4.3"), "T03": dict(code="2", cell="B9"),
    "V01": dict(code="3.1", cell="C12"), "V02": dict(code="3.1", cell="C12"), "V03": dict(code="3.1", cell="C12"),
    "V04": dict(code="3.1", cell="C12"), "H01": dict(field="period", cell="B3"), "H02": dict(field="bin"),
    "H03": dict(field="bin", cell="C4"), "H04": dict(field="body_name"), "H05": dict(field="commissioner"),
    "H06": dict(field="phone"), "H07": dict(field="signed_on"), "G01": dict(field="bin", cell="C4"),
    "G02": dict(field="bin", cell="C4"), "G03": dict(field="period"), "O01": dict(code="3", cell="C11"),
}


def _violating(rule):
    """Values breaking one rule: each left-hand row 1 more than it may be, everything else 0."""
    values = {c: 0 for c in codes()}
    for term in rule.left:
        values[term.code] = 3
    for term in rule.right:
        values[term.code] = 1 if term.factor == 1 else 0
    return values


def _rule_finding(rule):
    wide = pd.DataFrame([_violating(rule)], columns=list(codes())).astype("Int64")
    cells = pd.DataFrame([{c: f"C{i + 5}" for i, c in enumerate(codes())}], columns=list(codes()))
    found = [f for f in rule_findings(wide, cells).get(0, []) if f.rule == rule.rule]
    assert found, f"{rule.rule} should fail on {_violating(rule)}"
    return found[0]


def test_every_check_has_kazakh_and_russian_wording():
    table = templates()
    for rule in STRUCTURAL:
        assert rule in table, f"{rule} has no row in messages.csv"
    for rule in rules():
        template = template_for(rule.rule, severity=rule.severity, op=rule.op)
        assert template is not None, f"{rule.rule} has no template"
    for key, template in table.items():
        assert template["kk"] and template["ru"], f"{key}: both languages are needed"
        if key.startswith("field:"):
            continue
        assert KAZAKH_LETTERS.search(template["kk"]), f"{key}: the kk column does not read as Kazakh"
        assert not KAZAKH_LETTERS.search(template["ru"].replace("1-әу", "")), f"{key}: the ru column has Kazakh letters"


@pytest.mark.parametrize("rule", sorted(STRUCTURAL))
def test_structural_lines_render_fully(rule):
    where = WHERE.get(rule, {})
    kk, ru = local_lines(rule, message=ENGLISH[rule], **where)
    for line in (kk, ru):
        assert line and not LEFTOVER.search(line) and "?" not in line, line
        if "code" in where:
            assert where["code"] in line
    assert "жол" in kk if "code" in where else True
    assert "строк" in ru.lower() if "code" in where else True


def test_details_from_the_english_message_reach_both_languages():
    kk, ru = local_lines("V03", code="3.1", cell="C12", message=ENGLISH["V03"])
    assert "3.1-жолда (C12 ұяшығы)" in kk and "«бес»" in kk
    assert "В строке 3.1 (ячейка C12)" in ru and "«бес»" in ru
    kk, ru = local_lines("H03", field="bin", cell="C4", message=ENGLISH["H03"])
    assert "БСН 123456789012" in kk and "БИН 123456789012" in ru
    kk, ru = local_lines("O01", code="3", message=ENGLISH["O01"])
    assert "(250)" in kk and "медиана 4" in ru


@pytest.mark.parametrize("rule", rules(), ids=lambda r: r.rule)
def test_rule_lines_show_the_rows_and_the_numbers(rule):
    f = _rule_finding(rule)
    kk, ru = local_lines(f.rule, code=f.code, cell=f.cell, message=f.message, severity=f.severity)
    for line in (kk, ru):
        assert not LEFTOVER.search(line) and "?" not in line, line
        assert rule.rule in line
    for term in rule.left + rule.right:
        assert f"{term.code}-жол" in kk
        assert f"строка {term.code}" in ru or f"строке {term.code}" in ru
    # the report's numbers, read back from the English message: each left-hand row holds 3, more than allowed
    relation = "≠" if rule.op == "==" else ">"
    shown = f"{3 * len(rule.left)} {relation}"
    first = rule.left[0].code
    assert shown in kk or f"{first}-жол = 3" in kk  # the comparison, or (R27's own wording) the rows' values
    assert shown in ru or f"строка {first} = 3" in ru


def test_rule_values_given_explicitly_win_over_the_message():
    kk, ru = local_lines("R03", code="2.1", values={"2.1": 8, "2": 3})
    assert "2.1-жол ≤ 2-жол" in kk and "8 > 3" in kk
    assert "строка 2.1 ≤ строка 2" in ru and "8 > 3" in ru
    kk, ru = local_lines("R02", message="Rule R02 (1.1 + 1.2 == 1) does not hold: row 1.1 (3) + row 1.2 (4) = 7, but row 1 (6) = 6.")
    assert "3 + 4 = 7 ≠ 6" in kk and "3 + 4 = 7 ≠ 6" in ru and "ескерту" in kk and "Предупреждение" in ru


def test_a_rule_from_an_operators_file_is_worded_from_its_message():
    message = "Rule R28 (8 <= 10) does not hold: row 8 (5) = 5, but row 10 (2) = 2. Why it should: local practice."
    kk, ru = local_lines("R28", code="8", message=message, severity="error")
    assert "8-жол ≤ 10-жол" in kk and "5 > 2" in kk
    assert "строка 8 ≤ строка 10" in ru and "5 > 2" in ru


def test_missing_or_odd_input_never_breaks_a_line():
    for rule in list(STRUCTURAL) + ["R03", "R99", "", None]:
        kk, ru = local_lines(rule, message=None)
        assert kk and ru and not LEFTOVER.search(kk + ru)
    assert local_lines("T03", code="2") == (
        "2-жол кестеде бірнеше рет кездеседі. Тек біреуін қалдырыңыз.",
        "Строка 2 встречается в таблице несколько раз. Оставьте только одну.",
    )
    assert render("A {unknown} [b {unknown}] c", {}) == "A ? c"
    assert render("broken {", {}) == "broken {"


FileRow = namedtuple("FileRow", "file_id file_name bin year quarter")


def _sample_findings() -> pd.DataFrame:
    r03 = _rule_finding(next(r for r in rules() if r.rule == "R03"))
    rows = [
        dict(severity="error", rule="R03", rule_name=r03.name, code=r03.code, field=None, cell=r03.cell, message=r03.message),
        dict(severity="error", rule="V03", rule_name="value.not_a_number", code="3.1", field=None, cell="C12", message=ENGLISH["V03"]),
        dict(severity="error", rule="G01", rule_name="registry.unknown_bin", code=None, field="bin", cell="C4", message=ENGLISH["G01"]),
        dict(severity="warning", rule="H06", rule_name="header.phone_missing", code=pd.NA, field="phone", cell=pd.NA, message=ENGLISH["H06"]),
    ]
    frame = pd.DataFrame(rows)
    frame.insert(0, "file_id", 7)
    frame.insert(1, "file_name", "unit b.xlsx")
    frame.insert(2, "attempt", 1)
    return frame[["file_id", "file_name", "attempt", "severity", "rule", "rule_name", "code", "field", "cell", "message"]]


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
        assert kk.startswith("   ҚАЗ: ") and KAZAKH_LETTERS.search(kk)
        assert ru.startswith("   РУС: ") and not KAZAKH_LETTERS.search(ru)
        assert en == f"   EN: {f.message}"
    assert "2.1-жол ≤ 2-жол" in text and "строка 2.1 ≤ строка 2" in text
    assert "3.1-жолда (C12 ұяшығы)" in text and "В строке 3.1 (ячейка C12)" in text
    local = [line for line in lines if line.startswith(("   ҚАЗ: ", "   РУС: "))]
    assert len(local) == 2 * len(findings) and not any(LEFTOVER.search(line) for line in local)


def test_a_findings_file_without_findings_or_period_still_reads():
    empty = _sample_findings().iloc[0:0]
    text = format_findings(FileRow(1, "notes.xlsx", None, pd.NA, pd.NA), empty)
    assert "notes.xlsx" in text and "0 error(s)" in text and "?" in text
