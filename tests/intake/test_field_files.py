"""Field files the reader must never read silently wrong: workbooks written with plain openpyxl, xlsxwriter or by
hand, Kazakh and Russian, several sheets (hidden too), extra rows and tables, periods in words, codes Excel made dates.
Each case is read as it is written, or it gets a finding that names the sheet, row or cell."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from adep.intake.choices import Reading, SilentChoice
from adep.intake.reader import parse_period, parse_value, read_path
from contracts.form import codes
from tests.conftest import clean_values, make_bin
from tests.field_workbooks import WRITERS, Sheet, form_rows, value_cell, write_zip

LIMITS = dict(max_file_bytes=25_000_000, max_inflated_bytes=200_000_000, max_sheet_cells=2_000_000)
BIN = make_bin(11)
Q1 = "Есепті кезең 2026 жылғы 1 тоқсан"
Q2 = "Есепті кезең 2026 жылғы 2 тоқсан"
Q2_RU = "Отчетный период: 2 квартал 2026 года"
ALL_WRITERS = {**WRITERS, "zip": write_zip}


def _read(tmp_path, writer: str, sheets: list[Sheet], name: str = "report.xlsx"):
    return read_path(ALL_WRITERS[writer](tmp_path / name, sheets), **LIMITS)


def _errors(result) -> list[tuple[str, str | None]]:
    return [(f.rule, f.cell) for f in result.findings if f.severity == "error"]


def _only(result, rule: str):
    found = [f for f in result.findings if f.rule == rule]
    assert len(found) == 1, [(f.rule, f.message) for f in result.findings]
    return found[0]


def _last_quarter() -> dict[str, int]:
    v = clean_values()
    v["1.1"] += 5
    v["1"] += 5  # row 1 differs from clean_values(), so each sheet tells which quarter it is
    return v


# 1. Several sheets ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("writer", ALL_WRITERS)
@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_a_hidden_sheet_is_never_the_report(tmp_path, writer, state):
    """Last quarter's sheet kept hidden before this quarter's: the visible sheet is the report, the hidden one a warning."""
    old, new = _last_quarter(), clean_values()
    result = _read(tmp_path, writer, [Sheet("I тоқсан", form_rows(old, period=Q1, bin_=BIN), state=state),
                                      Sheet("II тоқсан", form_rows(new, period=Q2, bin_=BIN))])
    assert _errors(result) == []
    assert result.values == new and (result.header["year"], result.header["quarter"]) == (2026, 2)
    assert result.header["sheet"] == "II тоқсан"
    hidden = _only(result, "T06")
    assert hidden.severity == "warning" and hidden.params["sheet"] == "I тоқсан"
    assert hidden.params["found"] == f"'I тоқсан' (2026Q1; {old['1']})"
    assert f"Hidden sheet 'I тоқсан' (2026Q1; {old['1']})" in hidden.message and "II тоқсан" in hidden.message


@pytest.mark.parametrize("writer", ["openpyxl", "zip"])
def test_a_form_only_on_hidden_sheets_is_not_read(tmp_path, writer):
    notes = Sheet("Хат", [["Ілеспе хат"], ["Есеп қоса беріліп отыр"]])
    result = _read(tmp_path, writer, [notes, Sheet("1-әу", form_rows(clean_values(), period=Q2, bin_=BIN), state="hidden")])
    found = _only(result, "T01")
    assert found.template == "T01/hidden" and "'1-әу' (2026Q2; " in found.params["sheets"]
    assert result.values == {} and not result.report_found


@pytest.mark.parametrize("writer", ALL_WRITERS)
def test_kazakh_and_russian_copies_of_one_report_make_one_report(tmp_path, writer):
    values = clean_values(2)
    result = _read(tmp_path, writer, [Sheet("1-әу", form_rows(values, period=Q2, bin_=BIN)),
                                      Sheet("1-әу (рус)", form_rows(values, period=Q2_RU, bin_=BIN, language="ru",
                                                                    body="Департамент юстиции"))])
    assert _errors(result) == [] and result.report_found
    assert result.values == values and result.header["body_name"] == "Әділет департаменті"
    copies = _only(result, "T05")
    assert copies.severity == "warning" and copies.params == {"sheets": "'1-әу', '1-әу (рус)'", "sheet": "'1-әу'"}


@pytest.mark.parametrize("writer", ALL_WRITERS)
def test_two_quarters_on_visible_sheets_are_rejected_naming_each(tmp_path, writer):
    old, new = _last_quarter(), clean_values()
    result = _read(tmp_path, writer, [Sheet("I тоқсан", form_rows(old, period=Q1, bin_=BIN)),
                                      Sheet("II тоқсан", form_rows(new, period=Q2, bin_=BIN))])
    found = _only(result, "T04")
    assert found.severity == "error"
    assert found.params["sheets"] == f"'I тоқсан' (2026Q1; {old['1']}), 'II тоқсан' (2026Q2; {new['1']})"
    assert found.params["rows"] == "1, 1.1"
    assert "one report" in found.message and "бір ғана есеп" in found.lines()["kk"] and "один отчет" in found.lines()["ru"]
    assert not result.report_found and result.values == {}
    assert result.header["bin"] == BIN and "year" not in result.header  # the body is known, the period is not


def _side_by_side(left: list[list], right: list[list]) -> list[list]:
    """Two forms on one sheet, the second starting in column E."""
    return [list(a) + [None] * (4 - len(a)) + list(b) for a, b in zip(left, right)]


@pytest.mark.parametrize("writer", ["openpyxl", "zip"])
def test_two_tables_side_by_side_on_one_sheet_are_two_candidates(tmp_path, writer):
    values, other = clean_values(), _last_quarter()
    kk = form_rows(values, period=Q2, bin_=BIN)
    same = _read(tmp_path, writer, [Sheet("1-әу", _side_by_side(kk, form_rows(values, period=Q2_RU, bin_=BIN, language="ru")))])
    assert _errors(same) == [] and same.values == values and same.cells["1"] == "C8"
    assert _only(same, "T05").params == {"sheets": "'1-әу'!A:A, '1-әу'!E:E", "sheet": "'1-әу'!A:A"}
    differ = _read(tmp_path, writer, [Sheet("1-әу", _side_by_side(kk, form_rows(other, period=Q2_RU, bin_=BIN, language="ru")))],
                   name="differ.xlsx")
    found = _only(differ, "T04")
    assert found.params["sheets"] == f"'1-әу'!A:A (2026Q2; {values['1']}), '1-әу'!E:E (2026Q2; {other['1']})"
    assert differ.values == {}


def test_one_period_with_different_figures_on_two_sheets_is_rejected(tmp_path):
    first, corrected = clean_values(), clean_values()
    corrected["8"] += 3
    result = _read(tmp_path, "xlsxwriter", [Sheet("Лист1", form_rows(first, period=Q2, bin_=BIN)),
                                            Sheet("Лист2", form_rows(corrected, period=Q2, bin_=BIN))])
    found = _only(result, "T04")
    assert found.params["rows"] == "8" and found.params["sheets"].count("2026Q2") == 2
    assert (result.header["year"], result.header["quarter"]) == (2026, 2)


def test_two_bodies_reports_in_one_file_are_rejected_naming_both_bins(tmp_path):
    other = make_bin(12)
    result = _read(tmp_path, "openpyxl", [Sheet("Департамент", form_rows(clean_values(), period=Q2, bin_=BIN)),
                                          Sheet("Басқарма", form_rows(clean_values(), period=Q2, bin_=other))])
    found = _only(result, "T04")
    assert found.params["bins"] == f"{BIN}, {other}" and found.params["rows"] is None
    assert f"BINs: {BIN}, {other}" in found.message and "bin" not in result.header


def test_a_sheet_with_part_of_the_form_is_not_the_report(tmp_path):
    values = clean_values()
    summary = {c: values[c] for c in codes() if c in ("1", "1.1", "1.2", "2", "2.1", "3", "3.1")}
    result = _read(tmp_path, "openpyxl", [Sheet("Қысқаша", form_rows(summary, period=Q2, bin_=BIN)),
                                          Sheet("1-әу", form_rows(values, period=Q2, bin_=BIN))])
    assert _errors(result) == [] and result.values == values and result.header["sheet"] == "1-әу"
    partial = _only(result, "T06")
    assert partial.template == "T06/partial" and partial.params["count"] == 7


# 2. Rows that are not on the form ------------------------------------------------------------------------------

@pytest.mark.parametrize("writer", ALL_WRITERS)
def test_a_row_not_on_the_form_holding_a_figure_is_an_error(tmp_path, writer):
    values = clean_values()
    extra = [["12.", "Басқа да іс-шаралар", 4]]
    result = _read(tmp_path, writer, [Sheet("1-әу", form_rows(values, period=Q2, bin_=BIN, after_table=extra))])
    found = _only(result, "T08")
    assert found.severity == "error" and found.cell == "A48"
    assert found.params == {"found": "12", "value": "4", "value_cell": "C48"}
    assert "'12' (cell A48)" in found.message and "holds 4" in found.message
    assert result.values == values  # the 40 rows are read; the file is rejected for the 41st


@pytest.mark.parametrize("extra,rule", [([["12", "Прочие мероприятия", None]], "T09"), ([["12", "Прочие мероприятия", 0]], "T09"),
                                        ([["4.4", "Прочие материалы", "7"]], "T08")])
def test_rows_not_on_the_form_in_russian(tmp_path, extra, rule):
    result = _read(tmp_path, "xlsxwriter", [Sheet("1-әу", form_rows(clean_values(), period=Q2_RU, bin_=BIN, language="ru",
                                                                     after_table=extra))])
    found = _only(result, rule)
    assert found.cell == "A48" and found.params["found"] == extra[0][0].rstrip(".")
    assert _errors(result) == ([("T08", "A48")] if rule == "T08" else [])


# 3. A second numbered table ------------------------------------------------------------------------------------

REFERENCE = [[], ["Анықтама: органдар түрлері бойынша"], ["№", "Түрі", "Саны"],
             [1, "Орталық мемлекеттік органдар", 12], [2, "Облыстық әкімдіктер", 17], [3, "Аудандық әкімдіктер", 40],
             [4, "Шетелдегі мекемелер", 3], [5, "Тексеру комиссиялары", 2]]


@pytest.mark.parametrize("writer", ALL_WRITERS)
def test_a_reference_table_below_the_form_is_not_part_of_it(tmp_path, writer):
    values = clean_values()
    result = _read(tmp_path, writer, [Sheet("1-әу", form_rows(values, period=Q2, bin_=BIN, after_table=REFERENCE))])
    assert _errors(result) == [] and result.values == values
    found = _only(result, "T07")
    assert found.severity == "warning" and found.cell == "A51"
    assert found.params == {"cells": "A51:A55", "codes": "1, 2, 3, 4, 5", "table": "A8:A47"}


def test_a_reference_table_above_the_form_is_not_part_of_it(tmp_path):
    values = clean_values()
    rows = form_rows(values, period=Q2_RU, bin_=BIN, language="ru",
                     before_table=[["№", "Вид", "Количество"], [1, "Центральные органы", 4], [2, "Акиматы", 9],
                                   [3, "Загранучреждения", 1], []])
    result = _read(tmp_path, "openpyxl", [Sheet("Форма", rows)])
    assert _errors(result) == [] and result.values == values
    assert _only(result, "T07").params["cells"] == "A8:A10"


def test_a_real_duplicate_inside_the_form_stays_an_error(tmp_path):
    values = clean_values()
    rows = form_rows(values, period=Q2, bin_=BIN)
    rows[value_row("3.3")][0] = "3.2"  # 3.2 typed twice, 3.3 lost
    result = _read(tmp_path, "xlsxwriter", [Sheet("1-әу", rows)])
    dup = _only(result, "T03")
    assert (dup.code, dup.cell, dup.params["cells"]) == ("3.2", "A15", "A15, A16")
    assert _only(result, "T02").code == "3.3"


def value_row(code: str) -> int:
    return int(value_cell(code)[1:]) - 1


# 4. Periods in words and dates ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "апрель-июнь 2026 года", "Отчетный период: апрель – июнь 2026 г.", "с 01.04.2026 по 30.06.2026", "01.04.2026-30.06.2026",
    "сәуір-маусым 2026 ж.", "Есепті кезең: 2026 жылғы сәуір – маусым", "за 2 квартал 2026 года", "2026 жылғы 2-тоқсан",
    "II квартал 2026 г.", "Есепті кезең: 2026 Q2", "с 1 апреля по 30 июня 2026 года", "2026-04-01 – 2026-06-30",
])
def test_a_period_naming_one_quarter_is_that_quarter(text):
    assert parse_period(text) == (2026, 2)


@pytest.mark.parametrize("text", ["январь-июнь 2026 года", "с 01.04.2026 по 31.05.2026", "за 2 квартал", "2026 жылғы"])
def test_a_period_naming_no_single_quarter_is_not_guessed(text):
    assert parse_period(text) is None


@pytest.mark.parametrize("writer", ALL_WRITERS)
@pytest.mark.parametrize("text", ["апрель-июнь 2026 года", "сәуір-маусым 2026 ж.", "с 01.04.2026 по 30.06.2026"])
def test_periods_in_words_are_read_from_field_files(tmp_path, writer, text):
    result = _read(tmp_path, writer, [Sheet("1-әу", form_rows(clean_values(), period=text, bin_=BIN))])
    assert (result.header["year"], result.header["quarter"]) == (2026, 2) and result.header["period_cell"] == "A2"
    assert _errors(result) == []


def test_a_period_in_two_date_cells_is_read(tmp_path):
    rows = form_rows(clean_values(), period="", bin_=BIN)
    rows[1] = ["Есепті кезең:", date(2026, 4, 1), date(2026, 6, 30)]
    result = _read(tmp_path, "openpyxl", [Sheet("1-әу", rows)])
    assert (result.header["year"], result.header["quarter"]) == (2026, 2)
    assert result.header["signed_on"] == date(2026, 7, 3)  # the period's dates are not the signing date


def test_a_period_text_that_names_no_quarter_is_quoted(tmp_path):
    result = _read(tmp_path, "xlsxwriter", [Sheet("1-әу", form_rows(clean_values(), period="Отчетный период: январь-июнь 2026 г.", bin_=BIN))])
    assert "year" not in result.header
    assert (result.header["period_text"], result.header["period_cell"]) == ("Отчетный период: январь-июнь 2026 г.", "A2")


def test_two_different_quarters_in_the_header_are_an_error(tmp_path):
    rows = form_rows(clean_values(), period=Q2, bin_=BIN)
    rows[2] = ["Отчетный период: 3 квартал 2026 года"]
    result = _read(tmp_path, "openpyxl", [Sheet("1-әу", rows)])
    found = _only(result, "H08")
    assert found.cell == "A2" and "2026Q2" in found.params["found"] and "2026Q3 ('Отчетный период: 3 квартал 2026 года', A3)" in found.params["found"]
    assert "year" not in result.header


# 5. Codes Excel turned into dates ------------------------------------------------------------------------------

def _dated(code: str):
    """What Excel in a Kazakh or Russian locale keeps when '3.1' is typed: 3 January of the current year."""
    if "." not in code:
        return int(code)
    day, month = code.split(".")
    return datetime(2026, int(month), int(day))


@pytest.mark.parametrize("writer", ALL_WRITERS)
def test_codes_turned_into_dates_name_each_cell_and_the_code_it_was(tmp_path, writer):
    result = _read(tmp_path, writer, [Sheet("1-әу", form_rows(clean_values(), period=Q2, bin_=BIN, code=_dated))])
    dated = {f.code: f for f in result.findings if f.rule == "T10"}
    dotted = [c for c in codes() if "." in c]
    assert set(dated) == set(dotted)
    assert (dated["3.1"].cell, dated["3.1"].params["found"]) == ("A14", "03.01")
    assert (dated["11.3"].cell, dated["11.3"].params["found"]) == ("A47", "11.03")
    assert "Row 3.1 is probably in cell A14" in dated["3.1"].message
    assert not any(f.rule == "T02" for f in result.findings)  # not 'row 3.1 is missing' with no cell
    assert all(f.severity == "error" for f in dated.values())


def test_a_date_outside_the_table_is_not_a_code(tmp_path):
    rows = form_rows(clean_values(), period=Q2, bin_=BIN)
    rows.append([datetime(2026, 1, 3)])  # a date alone in the code column below the table
    result = _read(tmp_path, "xlsxwriter", [Sheet("1-әу", rows)])
    assert _errors(result) == [] and result.values == clean_values()


# Cells and columns ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,small,large", [("1,000", "1", "1000"), ("2.500", "2.5", "2500")])
def test_a_number_that_reads_two_ways_is_an_error(tmp_path, text, small, large):
    values = dict(clean_values(), **{"8": text})
    result = _read(tmp_path, "openpyxl", [Sheet("1-әу", form_rows(values, period=Q2, bin_=BIN))])
    found = _only(result, "V05")
    assert (found.code, found.cell) == ("8", value_cell("8")) and (found.params["small"], found.params["large"]) == (small, large)
    assert "8" not in result.values


def test_value_parsing_says_how_each_cell_was_read():
    assert [parse_value(v)[4] for v in (12, 12.0, " 12 ", None, "–", 12.000000000002)] == ["number", "number", "text", "blank", "dash", "rounded"]


@pytest.mark.parametrize("writer", ["openpyxl", "xlsxwriter"])
def test_a_value_merged_over_two_rows_is_not_guessed(tmp_path, writer):
    values = dict(clean_values(), **{"3.4": None})
    values["3.3"] = 5
    values["3"] = sum(values[f"3.{i}"] or 0 for i in range(1, 6))
    cells = f"{value_cell('3.3')}:{value_cell('3.4')}"
    result = _read(tmp_path, writer, [Sheet("1-әу", form_rows(values, period=Q2, bin_=BIN), merges=[cells])])
    found = _only(result, "V06")
    assert (found.code, found.cell, found.params["codes"], found.params["found"]) == ("3.3", cells, "3.3, 3.4", "5")
    assert "3.3" not in result.values and "3.4" not in result.values


def test_an_empty_value_merged_over_two_rows_reads_zero_with_a_warning(tmp_path):
    values = dict(clean_values(), **{"3.3": None, "3.4": None})
    cells = f"{value_cell('3.3')}:{value_cell('3.4')}"
    result = _read(tmp_path, "openpyxl", [Sheet("1-әу", form_rows(values, period=Q2, bin_=BIN), merges=[cells])])
    assert _only(result, "V07").severity == "warning" and _errors(result) == []
    assert (result.values["3.3"], result.values["3.4"]) == (0, 0) and {"3.3", "3.4"} <= result.blanks


def test_two_unheaded_columns_of_different_numbers_are_an_error(tmp_path):
    values, previous = clean_values(), clean_values(4)
    rows = form_rows(values, period=Q2, bin_=BIN, heading=False)
    for code in codes():
        rows[value_row(code)].append(previous[code])
    result = _read(tmp_path, "xlsxwriter", [Sheet("1-әу", rows)])
    found = _only(result, "T11")
    assert found.params == {"column": "C", "others": "D"}
    same = form_rows(values, period=Q2, bin_=BIN, heading=False)
    for code in codes():
        same[value_row(code)].append(values[code])  # a copy of the same figures: whichever column, the same report
    result = _read(tmp_path, "xlsxwriter", [Sheet("1-әу", same)], name="same.xlsx")
    assert _errors(result) == [] and result.values == values


@pytest.mark.parametrize("previous", ["Предыдущий период", "Өткен кезең"])
def test_a_column_headed_as_another_period_is_never_the_values(tmp_path, previous):
    values, earlier = clean_values(), clean_values(4)
    rows = form_rows(values, period=Q2, bin_=BIN, heading=False)
    rows[value_row("1") - 1] += [previous]
    for code in codes():
        rows[value_row(code)].append(earlier[code])
    result = _read(tmp_path, "openpyxl", [Sheet("1-әу", rows)])
    assert result.findings == [] and result.values == values
    chosen = next(c for c in result.choices if c.what == "value column")
    assert chosen.chosen == "C" and chosen.set_aside == ("D (headed as another period)",)


def test_a_heading_merged_over_two_columns_heads_the_one_with_figures(tmp_path):
    values = clean_values()
    rows = form_rows(values, period=Q2, bin_=BIN)
    for code in codes():
        r = rows[value_row(code)]
        r[2:3] = [None, r[2]]  # the figures one column right, under the merged heading
    rows[value_row("1") - 1] += [None]
    result = _read(tmp_path, "openpyxl", [Sheet("1-әу", rows, merges=[f"C{value_row('1')}:D{value_row('1')}"])])
    assert _errors(result) == [] and result.values == values and result.cells["1"] == "D8"


# Header ----------------------------------------------------------------------------------------------------------

def test_two_different_bins_are_an_error(tmp_path):
    rows = form_rows(clean_values(), period=Q2, bin_=BIN)
    rows[4] += [None, "БСН", make_bin(12)]
    result = _read(tmp_path, "openpyxl", [Sheet("1-әу", rows)])
    found = _only(result, "H09")
    assert found.params["found"] == f"{BIN} (C5), {make_bin(12)} (F5)" and found.severity == "error"


def test_two_bins_in_one_labelled_cell_are_an_error(tmp_path):
    rows = form_rows(clean_values(), period=Q2, bin_=BIN)
    rows[4] = [f"БСН: {BIN} / {make_bin(12)}"]
    result = _read(tmp_path, "xlsxwriter", [Sheet("1-әу", rows)])
    assert _only(result, "H09").params["found"] == f"{BIN} (A5), {make_bin(12)} (A5)"


def test_a_field_written_twice_differently_is_a_warning(tmp_path):
    rows = form_rows(clean_values(), period=Q2, bin_=BIN)
    rows.append(["Наименование государственного органа", None, "Департамент юстиции"])
    result = _read(tmp_path, "xlsxwriter", [Sheet("1-әу", rows)])
    found = _only(result, "H10")
    assert found.severity == "warning" and found.field == "body_name"
    assert (found.params["found"], found.params["other"], found.params["other_cell"]) == (
        "Әділет департаменті", "Департамент юстиции", f"C{len(rows)}")


# The mechanism ---------------------------------------------------------------------------------------------------

def test_a_choice_with_alternatives_and_no_finding_is_refused():
    with pytest.raises(SilentChoice):
        Reading().choose("value column", "C", "first numbers", alternatives=["D"])


def test_every_choice_is_recorded(tmp_path):
    result = _read(tmp_path, "openpyxl", [Sheet("1-әу", form_rows(dict(clean_values(), **{"2.1": None}), period=Q2, bin_=BIN))])
    chosen = {c.what: c for c in result.choices}
    assert {"sheet", "table", "value column", "period", "bin", "body_name", "commissioner", "phone", "signed_on"} <= set(chosen)
    assert chosen["table"].chosen == "A8:A47" and chosen["value column"].chosen == "C"
    assert chosen["cell 2.1"].chosen == "0" and chosen["cell 2.1"].cell == value_cell("2.1") and chosen["cell 2.1"].basis == "blank"
