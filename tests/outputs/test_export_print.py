"""The export prints as a form the Agency signs: A4, one page wide, the heading on every page, rows tall enough for
their wrapped labels, a footer with the period, the version and the page; read back with openpyxl."""
from __future__ import annotations

import math

import pytest
from openpyxl import load_workbook

from adep.forms.layout import LINE_POINTS, wrapped_line_count
from contracts.form import codes, indicators
from tests.export_world import export, heading_row, published_world
from tests.rollup_world import Q3

A4 = 9  # paper size code of A4 in the sheet XML
BREAKDOWN_SHEETS = ("Органдар бойынша", "Түрлері бойынша", "Өңірлер бойынша")


@pytest.fixture(scope="module")
def agency_workbook(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("print")
    world = published_world(tmp_path)
    result = export(world, "agency", tmp_path / "agency.xlsx")
    return load_workbook(result.path), result


def fitted_to_one_page_wide(ws) -> bool:
    setup = ws.page_setup
    return bool(ws.sheet_properties.pageSetUpPr.fitToPage) and int(setup.fitToWidth) == 1 and int(setup.fitToHeight) == 0


def test_the_form_sheet_is_a4_portrait_one_page_wide(agency_workbook):
    ws = agency_workbook[0]["1-әу"]
    assert int(ws.page_setup.paperSize) == A4
    assert ws.page_setup.orientation == "portrait"
    assert fitted_to_one_page_wide(ws)


def test_breakdown_sheets_are_landscape_one_page_wide(agency_workbook):
    wb = agency_workbook[0]
    for sheet in BREAKDOWN_SHEETS:
        ws = wb[sheet]
        assert int(ws.page_setup.paperSize) == A4 and ws.page_setup.orientation == "landscape", sheet
        assert fitted_to_one_page_wide(ws), sheet
        top = heading_row(ws)
        assert ws.print_title_rows == f"$1:${top}", sheet  # the sheet's title and its column headings


def test_the_table_heading_is_repeated_on_every_page(agency_workbook):
    ws = agency_workbook[0]["1-әу"]
    top = next(r[0].row for r in ws.iter_rows() if str(r[0].value or "").startswith("№ р/с"))
    assert ws.print_title_rows == f"${top}:${top}"
    assert [c.value for c in ws[top + 1]][:1] == ["1"]  # the form's rows start right under it


def test_every_page_has_a_footer_with_period_version_and_page(agency_workbook):
    wb, result = agency_workbook
    for ws in wb.worksheets:
        footer = ws.oddFooter
        assert str(Q3.year) in footer.left.text and "3 тоқсан" in footer.left.text and "3 кв." in footer.left.text, ws.title
        assert f"№ {result.version_id}" in footer.center.text, ws.title
        assert "&P" in footer.right.text and "&N" in footer.right.text, ws.title


def test_row_heights_show_the_whole_wrapped_label(agency_workbook):
    ws = agency_workbook[0]["1-әу"]
    width = ws.column_dimensions["B"].width
    rows = {str(r[0].value): r[0].row for r in ws.iter_rows() if str(r[0].value) in set(codes())}
    assert len(rows) == len(codes())
    heights = {}
    for ind in indicators():
        row = rows[ind.code]
        height = ws.row_dimensions[row].height
        assert height is not None, f"row {ind.code} has no height"
        # At least one line per (width - indent) characters, whatever the font: a label never hides its end.
        usable = width - 1 - 3 * ind.depth
        assert height >= LINE_POINTS * math.ceil(len(ind.label_kk) / usable), ind.code
        assert height >= LINE_POINTS * wrapped_line_count(ind.label_kk, width, ind.depth), ind.code
        heights[ind.code] = height
    # Long labels (row 1 runs to several lines) are taller than one-line rows such as 1.1.
    assert heights["1"] >= 4 * LINE_POINTS and heights["1.1"] < 2 * LINE_POINTS
    heading = min(rows.values()) - 1
    assert ws.row_dimensions[heading].height >= 3 * LINE_POINTS  # 'Есепті кезеңдегі жалпы саны' and its Russian


def test_breakdown_rows_are_tall_enough_for_their_names(agency_workbook):
    ws = agency_workbook[0]["Органдар бойынша"]
    top = heading_row(ws)
    for r in range(top, ws.max_row + 1):
        for cell in ws[r]:
            if isinstance(cell.value, str) and cell.alignment.wrap_text:
                width = ws.column_dimensions[cell.column_letter].width
                need = LINE_POINTS * wrapped_line_count(cell.value, width)
                assert ws.row_dimensions[r].height >= need, (r, cell.value)


def test_wrapped_line_count_breaks_at_words_and_inside_long_ones():
    # A column 10 wide holds 7 letters a line: 'hello' / 'world' / 'foo bar'.
    assert wrapped_line_count("hello world foo bar", 10) == 3
    assert wrapped_line_count("a" * 20, 10) == 3
    assert wrapped_line_count("first\nsecond", 70) == 2
    assert wrapped_line_count("", 10) == 1
    assert wrapped_line_count("x " * 30, 10, indent=1) > wrapped_line_count("x " * 30, 10)
