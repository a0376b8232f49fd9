"""Every workbook layout reads back, with openpyxl and with calamine, with values where the plan put them."""
from __future__ import annotations

from dataclasses import fields
from datetime import date

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

from adep.periods import Period
from adep.forms.writer import FormLayout, plan_sheet, write_report, write_template
from contracts.form import codes, normalize_code

BIN = "950440001237"
PERIOD = Period(2026, 3)
HEADER = dict(bin=BIN, period=PERIOD, body_name="Қаржы министрлігі", commissioner="Серікова А.Б.",
              phone="+7 7172 71 77 77", signed_on=date(2026, 10, 4))
# Zeros among the values so blanking and dashes show; 1, 3 and 11 are the sums of their 'of which' rows.
VALUES = {code: (0 if i % 4 == 0 else i) for i, code in enumerate(codes())}
VALUES["1"] = VALUES["1.1"] + VALUES["1.2"]
VALUES["3"] = sum(VALUES[f"3.{k}"] for k in range(1, 6))
VALUES["11"] = VALUES["11.1"] + VALUES["11.2"] + VALUES["11.3"]
DASHES = (None, "", "-", "–", "—")

LAYOUTS = {
    "default": FormLayout(),
    "openpyxl": FormLayout(writer="openpyxl"),
    "russian": FormLayout(language="ru"),
    "header_bottom": FormLayout(header_position="bottom"),
    "offset": FormLayout(start_row=3, start_col=2),
    "codes_as_numbers": FormLayout(codes_as_numbers=True),
    "codes_as_numbers_openpyxl": FormLayout(codes_as_numbers=True, writer="openpyxl"),
    "code_trailing_dot": FormLayout(code_trailing_dot=True),
    "merged": FormLayout(merged_cells=True),
    "merged_openpyxl": FormLayout(merged_cells=True, writer="openpyxl"),
    "extra_sheets": FormLayout(extra_sheets=True),
    "extra_sheets_openpyxl": FormLayout(extra_sheets=True, writer="openpyxl"),
    "values_as_text": FormLayout(values_as_text=True),
    "blank_zeros": FormLayout(blank_zeros=""),
    "dash_zeros": FormLayout(blank_zeros="–", writer="openpyxl"),
    "roman": FormLayout(roman_quarter=True),
    "roman_kazakh_i": FormLayout(roman_quarter=True, kazakh_i=True, language="ru"),
    "bin_in_label": FormLayout(bin_in_label_cell=True),
    "bin_as_number": FormLayout(bin_as_number=True),
    "no_value_heading": FormLayout(value_column_heading=False),
    "previous_column": FormLayout(extra_value_columns="previous"),
    "gap_column": FormLayout(extra_value_columns="gap", writer="openpyxl"),
    "formulas_xlsxwriter": FormLayout(formulas=True),
    "formulas_openpyxl": FormLayout(formulas=True, writer="openpyxl"),
    "consolidated": FormLayout(consolidated_mark=True, language="ru"),
    "everything": FormLayout(language="ru", header_position="bottom", start_row=1, start_col=1, merged_cells=True,
                             extra_sheets=True, roman_quarter=True, bin_in_label_cell=True,
                             extra_value_columns="previous", formulas=True, consolidated_mark=True),
}


def as_count(raw: object) -> int | None:
    """The count a cell holds, the way a reader must see it: text trimmed, blank and dashes as None."""
    if isinstance(raw, str):
        raw = raw.strip()
        if raw in DASHES:
            return None
        return int(raw)
    if raw is None:
        return None
    assert float(raw).is_integer(), raw
    return int(raw)


def expected_count(code: str, layout: FormLayout) -> int | None:
    value = VALUES[code]
    if layout.blank_zeros is not None and value == 0:
        return None
    return value


def openpyxl_grid(path, data_only: bool = True):
    ws = openpyxl.load_workbook(path, data_only=data_only)["1-әу"]
    return lambda row, col: ws.cell(row=row + 1, column=col + 1).value


def calamine_grid(path):
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("1-әу").to_python(skip_empty_area=False)

    def cell(row, col):
        try:
            value = rows[row][col]
        except IndexError:
            return None
        return None if value == "" else value

    return cell


@pytest.fixture(scope="module", params=sorted(LAYOUTS))
def written(request, tmp_path_factory):
    layout = LAYOUTS[request.param]
    path = tmp_path_factory.mktemp("wb") / f"{request.param}.xlsx"
    previous = {code: 1000 + i for i, code in enumerate(codes())}
    write_report(path, values=VALUES, layout=layout, previous_values=previous, **HEADER)
    plan = plan_sheet(values=VALUES, layout=layout, previous_values=previous, **HEADER)
    return layout, path, plan


@pytest.mark.parametrize("reader", ["openpyxl", "calamine"])
def test_codes_and_values_land_where_planned(written, reader):
    layout, path, plan = written
    cell = openpyxl_grid(path) if reader == "openpyxl" else calamine_grid(path)
    formula_totals = {"1", "3", "11"} if layout.formulas else set()
    for code in codes():
        assert normalize_code(cell(*plan.code_cells[code])) == code
        if code in formula_totals and layout.writer == "openpyxl":
            # openpyxl cannot calculate: the file holds a formula and no saved value.
            assert cell(*plan.value_cells[code]) in (None, 0, "")
            continue
        assert as_count(cell(*plan.value_cells[code])) == expected_count(code, layout), code


@pytest.mark.parametrize("writer", ["openpyxl", "xlsxwriter"])
def test_totals_are_written_as_formulas(tmp_path, writer):
    layout = FormLayout(formulas=True, writer=writer)
    path = write_report(tmp_path / "f.xlsx", values=VALUES, layout=layout, **HEADER)
    plan = plan_sheet(values=VALUES, layout=layout, **HEADER)
    formulas = openpyxl_grid(path, data_only=False)
    saved = openpyxl_grid(path, data_only=True)
    for total in ("1", "3", "11"):
        assert str(formulas(*plan.value_cells[total])).startswith("=")
        assert saved(*plan.value_cells[total]) == (VALUES[total] if writer == "xlsxwriter" else None)


def test_header_fields_are_where_planned(written):
    layout, path, plan = written
    cell = calamine_grid(path)
    row, col = plan.header_cells["bin"]
    value = cell(row, col)
    if layout.bin_in_label_cell:
        assert value in ("БСН: " + BIN, "БИН: " + BIN)
    else:
        assert (str(int(value)) if isinstance(value, (int, float)) else value) == BIN
    assert cell(*plan.header_cells["body_name"]) == HEADER["body_name"]
    texts = {str(cell(r, c)) for (r, c) in plan.cells}
    period_lines = [t for t in texts if "2026" in t and ("тоқсан" in t or "квартал" in t)]
    assert period_lines, texts
    if layout.roman_quarter:
        assert any(("III" in t) or ("ІІІ" in t) for t in period_lines)
    if layout.header_position == "bottom":
        assert row > max(r for r, _ in plan.value_cells.values())


def test_value_column_heading_is_optional(written):
    layout, path, plan = written
    heading = calamine_grid(path)(plan.heading_row, plan.value_col)
    if layout.value_column_heading:
        assert heading in ("Есепті кезеңдегі жалпы саны", "Общее количество за отчетный период")
    else:
        assert heading is None


def test_every_layout_option_is_exercised():
    options = {f.name for f in fields(FormLayout)}
    defaults = FormLayout()
    used = {name for layout in LAYOUTS.values() for name in options if getattr(layout, name) != getattr(defaults, name)}
    assert used == options


def test_missing_code_leaves_out_its_row(tmp_path):
    values = {code: 1 for code in codes() if code != "5.4"}
    path = write_report(tmp_path / "r.xlsx", values=values, **HEADER)
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("1-әу").to_python()
    found = {normalize_code(r[0]) for r in rows} - {None}
    assert found == set(codes()) - {"5.4"}


def test_same_report_gives_same_bytes(tmp_path):
    a = write_report(tmp_path / "a.xlsx", values=VALUES, **HEADER)
    b = write_report(tmp_path / "b.xlsx", values=VALUES, **HEADER)
    assert a.read_bytes() == b.read_bytes()


def test_template_limits_values_to_whole_numbers(tmp_path):
    path = write_template(tmp_path / "t.xlsx", bin=BIN, period="2026Q3", body_name="Қаржы министрлігі")
    ws = openpyxl.load_workbook(path)["1-әу"]
    validations = ws.data_validations.dataValidation
    assert len(validations) == 1
    dv = validations[0]
    assert (dv.type, dv.operator, dv.formula1) == ("whole", "greaterThanOrEqual", "0")
    assert "бүтін" in dv.error and "целое" in dv.error
    plan = plan_sheet(values={c: None for c in codes()}, layout=FormLayout(writer="openpyxl"), bin=BIN,
                      period=PERIOD, body_name="x", commissioner=None, phone=None, signed_on=None)
    cells = {f"{get_column_letter(col + 1)}{row + 1}" for row, col in plan.value_cells.values()}
    assert all(cell in dv.sqref for cell in cells)
    values = [ws.cell(row=row + 1, column=col + 1).value for row, col in plan.value_cells.values()]
    assert values == [None] * 40
    texts = {c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert "Есепті кезең 2026 жылғы 3 тоқсан" in texts
    assert BIN in texts
    assert "государственным служащим" in texts  # Russian labels beside the Kazakh ones
    assert ws.column_dimensions["B"].width >= 50
    # Empty header fields stay empty for the commissioner to fill; both languages sit in the label cell.
    row, _ = plan.header_cells["commissioner"]
    assert ws.cell(row=row + 1, column=plan.value_col + 1).value is None
    assert ws.cell(row=row + 1, column=plan.value_col).value == "Әдеп жөніндегі уәкіл / Уполномоченный по этике"
