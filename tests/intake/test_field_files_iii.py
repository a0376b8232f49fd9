"""Field files III: error values, words in column headings, value cells under a merged range from another row, a BIN
one digit per cell; and the reading cannot be silent: a competing candidate added to a good file (another sheet,
column, date, BIN or period) is always named in a finding. Workbooks are written by openpyxl, xlsxwriter, by hand,
or by LibreOffice (the committed files of tests/intake/fixtures/, see make_fixtures.py there)."""
from __future__ import annotations

import re
import zipfile
from datetime import date
from pathlib import Path

import pytest

from adep.intake.choices import Reading, SilentChoice
from adep.intake.reader import read_path
from contracts.form import codes
from tests.conftest import clean_values, make_bin
from tests.field_workbooks import WRITERS, Sheet, form_rows, value_cell, write_openpyxl, write_zip

LIMITS = dict(max_file_bytes=25_000_000, max_inflated_bytes=200_000_000, max_sheet_cells=2_000_000)
FIXTURES = Path(__file__).parent / "fixtures"
BIN = make_bin(11)
OTHER_BIN = make_bin(12)
Q2 = "Есепті кезең 2026 жылғы 2 тоқсан"
Q1 = "Есепті кезең 2026 жылғы 1 тоқсан"
ALL_WRITERS = {**WRITERS, "zip": write_zip}
HEADING_ROW = 7  # the spreadsheet row of form_rows()'s table headings (without rows before the table)


def _read(tmp_path, writer: str, sheets: list[Sheet], name: str = "report.xlsx"):
    return read_path(ALL_WRITERS[writer](tmp_path / name, sheets), **LIMITS)


def _errors(result) -> list[tuple[str, str | None]]:
    return [(f.rule, f.cell) for f in result.findings if f.severity == "error"]


def _named(result, rule: str, *words: str):
    """The one finding of rule, which must name each of words (a sheet, a cell, a value) in its English line."""
    hits = [f for f in result.findings if f.rule == rule]
    assert len(hits) == 1, [(f.rule, f.message) for f in result.findings]
    for word in words:
        assert word in hits[0].message, (word, hits[0].message)
    return hits[0]


def _with_column(rows: list[list], heading: str, values: dict[str, object], column: int = 3) -> list[list]:
    """form_rows() with one more column: heading above the table, values in the code rows."""
    rows = [list(r) for r in rows]
    for r in rows:
        if r and r[0] == "№":
            r += [None] * (column + 1 - len(r))
            r[column] = heading
        elif r and isinstance(r[0], str) and r[0] in values:
            r += [None] * (column + 1 - len(r))
            r[column] = values[r[0]]
    return rows


# 1. Error values --------------------------------------------------------------------------------------------------

def _with_error_cells(path: Path, errors: dict[str, str]) -> Path:
    """Turn text cells of a hand-made workbook into error values (t="e"), as a spreadsheet program saves them."""
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    for ref, value in errors.items():
        xml, n = re.subn(rf'<c r="{ref}" t="inlineStr"><is><t>[^<]*</t></is></c>', f'<c r="{ref}" t="e"><v>{value}</v></c>', xml)
        assert n == 1
    parts["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


@pytest.mark.parametrize("writer", ["openpyxl", "zip"])
def test_an_error_value_is_an_error_naming_its_row_cell_and_value(tmp_path, writer):
    """#REF! after a sheet was deleted, #DIV/0!: python-calamine reads both as blank, so once they counted as 0."""
    values = dict(clean_values(), **{"3.2": "#REF!", "6.3": "#DIV/0!"})
    path = ALL_WRITERS[writer](tmp_path / "r.xlsx", [Sheet("1-әу", form_rows(values, period=Q2, bin_=BIN))])
    if writer == "zip":
        path = _with_error_cells(path, {value_cell("3.2"): "#REF!", value_cell("6.3"): "#DIV/0!"})
    result = read_path(path, **LIMITS)
    assert sorted(_errors(result)) == sorted([("V08", value_cell("3.2")), ("V08", value_cell("6.3"))])
    ref = next(f for f in result.findings if f.code == "3.2")
    assert ref.params["found"] == "#REF!" and f"Row 3.2 (cell {value_cell('3.2')}) holds the error value #REF!" in ref.message
    assert "3.2" not in result.values and "6.3" not in result.values  # never a number, never 0
    assert "#REF!" in ref.lines()["kk"] and "#REF!" in ref.lines()["ru"]


@pytest.mark.parametrize("name", ["q3_errors.lo.xlsx", "q3_errors.xls", "q3_errors.ods"])
def test_error_values_saved_by_libreoffice_are_errors_in_every_format(name):
    """=1/0, =NA() and =#REF! computed and saved by LibreOffice as .xlsx, .xls and .ods."""
    result = read_path(FIXTURES / name, **LIMITS)
    errors = {f.code: (f.rule, f.cell, f.params["found"]) for f in result.findings if f.severity == "error"}
    assert errors == {"3.2": ("V08", value_cell("3.2"), "#DIV/0!"), "5.2": ("V08", value_cell("5.2"), "#N/A"),
                      "7.3": ("V08", value_cell("7.3"), "#REF!")}
    assert not {"3.2", "5.2", "7.3"} & set(result.values)


def test_a_formula_with_no_saved_value_keeps_its_finding(tmp_path):
    values = dict(clean_values(), **{"4.1": "=1+0"})  # openpyxl saves the formula, never its result
    result = _read(tmp_path, "openpyxl", [Sheet("1-әу", form_rows(values, period=Q2, bin_=BIN))])
    assert _errors(result) == [("V04", value_cell("4.1"))]


# 2. Headings describe their column ----------------------------------------------------------------------------------

@pytest.mark.parametrize("writer", ALL_WRITERS)
def test_a_word_in_a_column_heading_is_not_the_reports_type(tmp_path, writer):
    """'өспелі жиынтықпен' (cumulative) above a year-to-date column made a body's own report 'consolidated'."""
    ytd = {c: v * 3 for c, v in clean_values().items()}
    rows = _with_column(form_rows(clean_values(), period=Q2, bin_=BIN), "Жыл басынан бері өспелі жиынтықпен", ytd)
    result = _read(tmp_path, writer, [Sheet("1-әу", rows)])
    assert _errors(result) == [] and result.values == clean_values()
    assert result.header["is_consolidated"] is False
    scope = next(c for c in result.choices if c.what == "is_consolidated")
    assert scope.chosen == "no" and any(a.startswith(f"D{HEADING_ROW} ") for a in scope.set_aside)


@pytest.mark.parametrize("title,type_line", [
    ("Әдеп жөніндегі уәкілдердің қызметі туралы жиынтық есеп", None),
    ("Сводный отчет о деятельности уполномоченных по этике", None),
    ("Әдеп жөніндегі уәкілдердің қызметі туралы есеп", "Индекс: 1-әу (жиынтық)"),
])
def test_consolidated_comes_from_the_title_or_the_type_line(tmp_path, title, type_line):
    rows = form_rows(clean_values(), period=Q2, bin_=BIN)
    rows[0] = [title]
    if type_line:
        rows[2] = [type_line]
    result = _read(tmp_path, "openpyxl", [Sheet("1-әу", rows)])
    assert _errors(result) == [] and result.header["is_consolidated"] is True
    scope = next(c for c in result.choices if c.what == "is_consolidated")
    assert scope.cell == ("A3" if type_line else "A1")


def test_a_title_and_a_type_line_that_disagree_are_an_error_naming_both(tmp_path):
    rows = form_rows(clean_values(), period=Q2, bin_=BIN)
    rows[0] = ["Әдеп жөніндегі уәкілдердің қызметі туралы жиынтық есеп"]
    rows[2] = ["Есептің түрі: жеке"]
    result = _read(tmp_path, "xlsxwriter", [Sheet("1-әу", rows)])
    found = _named(result, "H11", "(A1)", "(A3)", "Есептің түрі: жеке")
    assert found.severity == "error"


@pytest.mark.parametrize("writer", ALL_WRITERS)
def test_a_period_in_a_column_heading_is_that_columns(tmp_path, writer):
    """'Алдыңғы тоқсан (2026 жылғы 1 тоқсан)', the previous quarter kept for comparison, is no second period."""
    previous = {c: max(v - 1, 0) for c, v in clean_values().items()}
    heading = "Алдыңғы тоқсан (2026 жылғы 1 тоқсан)"
    rows = _with_column(form_rows(clean_values(), period=Q2, bin_=BIN), heading, previous)
    result = _read(tmp_path, writer, [Sheet("1-әу", rows)])
    assert _errors(result) == [] and result.values == clean_values()
    assert (result.header["year"], result.header["quarter"]) == (2026, 2)
    period = next(c for c in result.choices if c.what == "period")
    assert any(a.startswith(f"D{HEADING_ROW} '{heading}'") for a in period.set_aside)


# 3. Merged ranges that start on another row -----------------------------------------------------------------------

def _wrapped_label_rows(figure) -> tuple[list[list], str, str]:
    """Row 4.1's label wrapped over two rows, the value cell merged over both from the row above the code."""
    rows = form_rows(clean_values(), period=Q2, bin_=BIN)
    at = next(i for i, r in enumerate(rows) if r and r[0] == "4.1")
    rows[at][2] = None
    rows.insert(at, [None, "(жалғасы)", figure])
    return rows, f"C{at + 1}:C{at + 2}", f"C{at + 2}"


@pytest.mark.parametrize("writer", ALL_WRITERS)
def test_a_value_merged_from_another_row_with_a_figure_is_v06(tmp_path, writer):
    rows, merge, cell = _wrapped_label_rows(7)
    result = _read(tmp_path, writer, [Sheet("1-әу", rows, merges=[merge])])
    found = _named(result, "V06", merge, cell, "7")
    assert found.code == "4.1" and found.template == "V06/other_row" and "4.1" not in result.values


@pytest.mark.parametrize("writer", ALL_WRITERS)
def test_an_empty_value_merged_from_another_row_is_v07_and_read_as_0(tmp_path, writer):
    rows, merge, cell = _wrapped_label_rows(None)
    result = _read(tmp_path, writer, [Sheet("1-әу", rows, merges=[merge])])
    found = _named(result, "V07", merge, cell)
    assert found.severity == "warning" and result.values["4.1"] == 0 and result.cells["4.1"] == cell


# 4. A BIN one digit per cell ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("as_text", [False, True])
def test_a_bin_typed_one_digit_per_cell_is_one_bin(tmp_path, as_text):
    rows = form_rows(clean_values(), period=Q2, bin_=BIN)
    at = next(i for i, r in enumerate(rows) if r and r[0] == "БСН")
    rows[at] = ["БСН", None, *[(d if as_text else int(d)) for d in BIN]]
    result = _read(tmp_path, "openpyxl", [Sheet("1-әу", rows)])
    assert _errors(result) == [] and result.header["bin"] == BIN
    assert result.header["bin_cell"] == f"C{at + 1}:N{at + 1}"


# 5. The reading cannot be silent ---------------------------------------------------------------------------------

def test_header_and_values_are_set_only_through_choose(tmp_path):
    result = _read(tmp_path, "openpyxl", [Sheet("1-әу", form_rows(dict(clean_values(), **{"2.1": None}), period=Q2, bin_=BIN))])
    with pytest.raises(TypeError):
        result.header["bin"] = OTHER_BIN
    with pytest.raises(TypeError):
        result.values["1"] = 99
    decided = {c.what for c in result.choices}
    owner = {"year": "period", "quarter": "period", "period_cell": "period", "bin_cell": "bin", "sheet": "sheet"}
    for key in result.header:
        assert owner.get(key, key.removesuffix("_cell")) in decided, key
    cells = {c.cell for c in result.choices}
    values = next(c for c in result.choices if c.what == "values")
    assert values.chosen == f"{len(codes()) - 1} rows" and values.cell == f"{value_cell('1')}:{value_cell('11.3')}"
    assert value_cell("2.1") in cells and result.cells["2.1"] == value_cell("2.1")


def test_a_choice_with_an_alternative_and_no_finding_cannot_be_recorded():
    reading = Reading()
    with pytest.raises(SilentChoice):
        reading.choose("bin", "1", "first", alternatives=["2"], header={"bin": "1"})
    with pytest.raises(SilentChoice):
        reading.choose("bin", "1", "first", alternatives=["2"], findings=[])
    assert dict(reading.header) == {} and reading.choices == []


def _broken_second_sheet(path: Path) -> Path:
    """A hand-made workbook whose second sheet's XML is cut off: the parser cannot read it."""
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    parts["xl/worksheets/sheet2.xml"] = parts["xl/worksheets/sheet2.xml"][:300]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def test_a_sheet_that_cannot_be_parsed_is_named(tmp_path):
    good = form_rows(clean_values(), period=Q2, bin_=BIN)
    path = write_zip(tmp_path / "r.xlsx", [Sheet("1-әу", good), Sheet("Ескі нұсқа", good)])
    result = read_path(_broken_second_sheet(path), **LIMITS)
    assert _errors(result) == [] and result.values == clean_values()
    found = _named(result, "T12", "'Ескі нұсқа'", "'1-әу'")
    assert found.severity == "warning"
    sheet = next(c for c in result.choices if c.what == "sheet")
    assert any(a.startswith("'Ескі нұсқа' (could not be read") for a in sheet.set_aside)


def _competing(kind: str) -> tuple[list[Sheet], str, tuple[str, ...]]:
    """A good form with one competing candidate added: the sheets, the rule and the words its finding must hold."""
    values = clean_values()
    good = form_rows(values, period=Q2, bin_=BIN)
    if kind == "hidden sheet":
        other = dict(values, **{"1.1": values["1.1"] + 2, "1": values["1"] + 2})
        return [Sheet("Көшірме", form_rows(other, period=Q2, bin_=BIN), state="hidden"), Sheet("1-әу", good)], "T06", ("'Көшірме'",)
    if kind == "partial sheet":
        part = form_rows({c: v for c, v in values.items() if c in codes()[:8]}, period=Q2, bin_=BIN)
        return [Sheet("1-әу", good), Sheet("Жоба", part)], "T06", ("'Жоба'",)
    if kind == "value column":
        other = {c: v + 1 for c, v in values.items()}
        rows = _with_column(form_rows(values, period=Q2, bin_=BIN, heading=False), None, other)
        return [Sheet("1-әу", rows)], "T11", ("column C", "D")
    if kind == "code column":
        rows = [list(r) for r in good]
        for r in rows:
            if r and r[0] in ("3.1", "3.2", "3.3", "3.4", "3.5", "3.6"):
                r += [None] * (5 - len(r))
                r[4] = r[0]  # a second, partial column of codes in E
        return [Sheet("1-әу", rows)], "T13", ("Column E", "column A")
    if kind == "date":
        rows = [list(r) for r in good]
        rows[-1] = [date(2026, 7, 3)]
        rows.append([date(2026, 7, 6)])
        n = len(rows)
        return [Sheet("1-әу", rows)], "H10", (f"A{n - 1}", f"A{n}", "2026-07-06")
    if kind == "bin":
        rows = good + [[], ["БСН", None, OTHER_BIN]]
        return [Sheet("1-әу", rows)], "H09", (OTHER_BIN, f"C{len(rows)}")
    if kind == "period":
        rows = [list(r) for r in good]
        rows[2] = [Q1]
        return [Sheet("1-әу", rows)], "H08", ("2026Q1", "A3", "2026Q2", "A2")
    raise AssertionError(kind)


@pytest.mark.parametrize("writer", ["openpyxl", "zip"])
@pytest.mark.parametrize("kind", ["hidden sheet", "partial sheet", "value column", "code column", "date", "bin", "period"])
def test_a_competing_candidate_is_always_named_in_a_finding(tmp_path, writer, kind):
    """The good file reads clean; with the competitor added, a finding names the competitor."""
    clean = _read(tmp_path, writer, [Sheet("1-әу", form_rows(clean_values(), period=Q2, bin_=BIN))], name="clean.xlsx")
    assert clean.findings == []
    sheets, rule, words = _competing(kind)
    result = _read(tmp_path, writer, sheets)
    _named(result, rule, *words)


def test_a_block_of_dates_apart_from_the_form_is_set_aside_in_the_record(tmp_path):
    """A schedule of meetings below the form: dates with their subject beside them, far from the table."""
    after = [[]] * 6 + [[date(2026, 4, d), f"Кеңес {d}", None] for d in (3, 10, 17)]
    result = _read(tmp_path, "openpyxl", [Sheet("1-әу", form_rows(clean_values(), period=Q2, bin_=BIN, after_table=after))])
    assert _errors(result) == [] and result.values == clean_values()
    table = next(c for c in result.choices if c.what == "table")
    assert any("dates apart from the form" in a for a in table.set_aside)
