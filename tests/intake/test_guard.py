"""The sheet measurement's one-scan bound for forms agrees with the full measurement, and never passes more."""
from __future__ import annotations

import io
import zipfile

import pytest

from adep.forms.layout import FormLayout
from adep.intake import extents, guard
from adep.sample.hostile import _SHEET_HEAD, _SHEET_TAIL, _minimal_workbook, _zip, good_report
from tests.conftest import clean_values, make_bin

LIMIT = 200_000


def _sheet(path) -> tuple[zipfile.ZipFile, str, bytes]:
    zf = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    part = next(n for n in zf.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml"))
    return zf, part, zf.read(part)


@pytest.mark.parametrize("layout", [FormLayout(writer="openpyxl"), FormLayout(), FormLayout(writer="openpyxl", formulas=True),
                                    FormLayout(writer="xlsxwriter", formulas=True, start_row=40, start_col=6)],
                         ids=["openpyxl", "xlsxwriter", "formulas", "xlsxwriter, formulas, moved"])
def test_a_real_form_is_measured_in_one_scan_with_the_same_answer(tmp_path, layout):
    zf, part, raw = _sheet(good_report(tmp_path / "form.xlsx", make_bin(3), clean_values(2), layout))
    rows, cols, has_formula = guard.measure_sheet(zf, part, LIMIT)
    assert rows * cols <= LIMIT
    assert extents.fits_near(raw, LIMIT) is has_formula
    assert has_formula == layout.formulas


CELLS = {
    "column AA": b'<c r="AA5"><v>1</v></c>',
    "row 1000": b'<c r="B1000"><v>1</v></c>',
    "address after a tab": b'<c\tr="C5"><v>1</v></c>',
    "address in single quotes": b"<c r='C5'><v>1</v></c>",
    "address in lower case": b'<c r="c5"><v>1</v></c>',
    "spaces around '='": b'<c r = "C5"><v>1</v></c>',
    "style before the address": b'<c s="0" r="C5"><v>1</v></c>',
    "no address": b"<c><v>1</v></c>",
    "namespace prefix": b'<x:c r="C5" xmlns:x="urn:x"><x:v>1</x:v></x:c>',
}


@pytest.mark.parametrize("cell", list(CELLS))
def test_anything_unlike_a_form_is_measured_in_full(tmp_path, cell):
    """A cell past Z999, or written unlike any spreadsheet program writes it, is never passed by the bound."""
    sheet = _SHEET_HEAD + b'<row r="5"><c r="A5"><v>1</v></c>' + CELLS[cell] + b"</row>" + _SHEET_TAIL
    zf, part, raw = _sheet(_zip(tmp_path / "odd.xlsx", _minimal_workbook(sheet)))
    assert extents.fits_near(raw, LIMIT) is None
    rows, cols, _ = guard.measure_sheet(zf, part, LIMIT)
    assert rows * cols <= LIMIT  # small, so the workbook is read: only the way it was measured differs


def test_a_limit_below_the_bound_measures_in_full(tmp_path):
    zf, part, raw = _sheet(good_report(tmp_path / "form.xlsx", make_bin(3), clean_values(2)))
    assert extents.fits_near(raw, 25_000) is None
    rows, cols, _ = guard.measure_sheet(zf, part, 25_000)
    assert 0 < rows * cols <= 25_000


@pytest.mark.parametrize("far", [b'<c r="XFD1048576"/>', b'<c\nr="XFD1048576"/>', b"<c r='xfd1048576'/>",
                                 b'<c r="XFD00001048576"/>', b'<c r="ZZZZ1"/><c r="A999999"/>'])
def test_the_full_measurement_reads_addresses_as_the_parser_does(far):
    sheet = _SHEET_HEAD + b'<row r="1"><c r="A1"/>' + far + b"</row>" + _SHEET_TAIL
    zf = zipfile.ZipFile(io.BytesIO(_minimal_workbook_bytes(sheet)))
    rows, cols, _ = guard.measure_sheet(zf, "xl/worksheets/sheet1.xml", LIMIT)
    assert rows * cols > LIMIT


def test_cells_without_an_address_stretch_the_rectangle_from_a1():
    sheet = _SHEET_HEAD + b'<row><c/></row><row r="3000"><c r="GR3000"/></row>' + _SHEET_TAIL
    zf = zipfile.ZipFile(io.BytesIO(_minimal_workbook_bytes(sheet)))
    rows, cols, _ = guard.measure_sheet(zf, "xl/worksheets/sheet1.xml", LIMIT)
    assert rows >= 3000 and cols >= 200  # python-calamine puts the first cell at A1: 3,000 rows by 200 columns


def _minimal_workbook_bytes(sheet: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in _minimal_workbook(sheet).items():
            zf.writestr(name, data)
    return buf.getvalue()
