"""Old Excel 97-2003 (.xls) and OpenDocument (.ods) files through the same reader as .xlsx, behind guards of their
own: size, the OLE2 container and the zip archive, sheet extents. The workbooks were saved by LibreOffice (the
committed files of tests/intake/fixtures/, made by make_fixtures.py there); hostile ones are made here by hand."""
from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest

from adep.intake.extents import ods_sheets, xls_sheets
from adep.intake.ole2 import workbook_stream
from adep.intake.reader import read_path
from adep.sample.hostile import ODS_HEAD, ODS_TAIL, biff_record, ods_bytes, ods_repeated_value
from flows.intake import intake
from tests.conftest import ON_TIME, arrived, clean_values, make_bin, query
from tests.field_workbooks import Sheet, form_rows, write_openpyxl

LIMITS = dict(max_file_bytes=25_000_000, max_inflated_bytes=200_000_000, max_sheet_cells=2_000_000)
FIXTURES = Path(__file__).parent / "fixtures"
BIN = make_bin(17)  # the BIN make_fixtures.py writes


def _rules(result) -> list[str]:
    return [f.rule for f in result.findings]


@pytest.mark.parametrize("name", ["q3.xls", "q3.ods", "q3.lo.xlsx"])
def test_a_form_saved_by_libreoffice_reads_as_the_xlsx_does(tmp_path, name):
    source = write_openpyxl(tmp_path / "q3.xlsx", [Sheet("1-әу", form_rows(clean_values(), period="Есепті кезең 2026 жылғы 3 тоқсан", bin_=BIN), merges=["A1:C1"])])
    expected = read_path(source, **LIMITS)
    result = read_path(FIXTURES / name, **LIMITS)
    assert result.readable and result.report_found and result.findings == []
    assert dict(result.values) == dict(expected.values) == clean_values()
    assert dict(result.cells) == dict(expected.cells)
    assert dict(result.header) == dict(expected.header)
    assert [str(c) for c in result.choices] == [str(c) for c in expected.choices]


def test_the_xls_container_is_read_within_the_file():
    data = (FIXTURES / "q3.xls").read_bytes()
    stream = workbook_stream(data)
    ((name, rows, cols, errors),) = xls_sheets(stream)
    assert name == "1-әу" and (rows, cols) == (51, 3) and errors == {}


@pytest.mark.parametrize("damage", ["truncated", "fat loop", "sector size", "no workbook"])
def test_a_damaged_xls_is_a_finding_never_a_crash(tmp_path, damage):
    data = bytearray((FIXTURES / "q3.xls").read_bytes())
    if damage == "truncated":
        data = data[:1500]
    elif damage == "fat loop":
        first_dir = struct.unpack_from("<I", data, 0x30)[0]
        fat_sector = struct.unpack_from("<I", data, 0x4C)[0]
        struct.pack_into("<I", data, 512 + fat_sector * 512 + first_dir * 4, first_dir)  # the directory's chain loops
    elif damage == "sector size":
        struct.pack_into("<H", data, 0x1E, 30)
    else:
        at = bytes(data).find("Workbook".encode("utf-16-le"))
        data[at:at + 16] = "Xorkbook".encode("utf-16-le")
    path = tmp_path / "old.xls"
    path.write_bytes(bytes(data))
    result = read_path(path, **LIMITS)
    assert not result.readable and _rules(result) == ["F01"]
    assert result.findings[0].template == "F01/damaged_ole2" and ".xls" in result.findings[0].message


def _xls_with_cell_at(row: int, col: int) -> bytes:
    """q3.xls with its first number cell moved to (row, col): the sheet then spans to there."""
    data = bytearray((FIXTURES / "q3.xls").read_bytes())
    stream = workbook_stream(bytes(data))
    at = 0
    while at + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, at)
        if kind in (0x0203, 0x027E):  # NUMBER, RK
            record = stream[at:at + 4 + length]
            where = bytes(data).find(record)
            assert where > 0
            struct.pack_into("<HH", data, where + 4, row, col)
            return bytes(data)
        at += 4 + length
    raise AssertionError("no number cell")


def test_an_xls_sheet_too_large_for_a_form_is_refused_before_parsing(tmp_path):
    path = tmp_path / "far.xls"
    path.write_bytes(_xls_with_cell_at(65535, 255))  # 65,536 rows by 256 columns
    result = read_path(path, **LIMITS)
    assert _rules(result) == ["F04"] and result.findings[0].template == "F04/sheet_extent"
    assert "65,536 rows by 256 columns" in result.findings[0].message


def test_the_sheet_limit_holds_for_xls_and_ods_alike():
    for name in ("q3.xls", "q3.ods"):
        result = read_path(FIXTURES / name, **dict(LIMITS, max_sheet_cells=100))
        assert _rules(result) == ["F04"] and result.findings[0].template == "F04/sheet_extent", name


def test_an_ods_value_repeated_over_millions_of_cells_is_refused(tmp_path):
    path = ods_repeated_value(tmp_path / "bomb.ods")
    result = read_path(path, **LIMITS)
    assert _rules(result) == ["F04"] and "1,048,576 rows by 16,384 columns" in result.findings[0].message


def test_empty_cells_repeated_to_the_sheets_end_take_no_room():
    """LibreOffice writes every row's empty tail as one cell repeated thousands of times: that is not the sheet's size."""
    row = ('<table:table-row><table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p>'
           '</table:table-cell><table:table-cell table:number-columns-repeated="16383"/></table:table-row>')
    empty = '<table:table-row table:number-rows-repeated="1048575"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
    assert ods_sheets((ODS_HEAD + row + empty + ODS_TAIL).encode()) == [("Лист1", 1, 1, {})]


def test_an_ods_with_entities_or_without_its_content_is_refused(tmp_path):
    path = tmp_path / "x.ods"
    path.write_bytes(ods_bytes('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><office:document-content/>'))
    assert _rules(read_path(path, **LIMITS)) == ["F05"]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    path.write_bytes(buf.getvalue())
    assert _rules(read_path(path, **LIMITS)) == ["F01"]


@pytest.mark.usefixtures("prefect_harness")
def test_xls_and_ods_files_load_through_the_intake(home, registered, tmp_path):
    """Sent as .xls and .ods by two bodies: both load, with the figures of the form."""
    import shutil

    from tests.field_workbooks import form_rows as rows_of

    for name, body in (("unit a.xls", "unit_a"), ("unit b.ods", "unit_b")):
        source = write_openpyxl(tmp_path / "src.xlsx", [Sheet("1-әу", rows_of(clean_values(), period="Есепті кезең 2026 жылғы 3 тоқсан", bin_=registered[body]))])
        kind = name.rsplit(".", 1)[1]
        converted = _converted(source, kind, tmp_path)
        arrived(Path(shutil.copy(converted, home.intake_dir / name)), ON_TIME)
    intake(home=str(home.home))
    log = dict(query(home, "select file_name, status from intake_log"))
    assert log == {"unit a.xls": "loaded", "unit b.ods": "loaded"}
    totals = query(home, "select count(distinct file_id), sum(value) from report_values where code = '1'")
    assert totals == [(2, 2 * clean_values()["1"])]


def _converted(source: Path, kind: str, tmp_path: Path) -> Path:
    """The committed LibreOffice file of the same form, with the BIN of source put in (the BIN cell is text)."""
    fixture = FIXTURES / f"q3.{kind}"
    bin_ = read_path(source, **LIMITS).header["bin"]
    data = fixture.read_bytes()
    if kind == "xls":
        # The BIN is a shared string of the workbook, stored as 8-bit text: the same length, so replaced in place.
        assert data.count(BIN.encode()) == 1
        data = data.replace(BIN.encode(), bin_.encode())
    else:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            parts = {i: zf.read(i.filename) for i in zf.infolist()}
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            for info, part in parts.items():
                zf.writestr(info, part.replace(BIN.encode(), bin_.encode()))
        data = buf.getvalue()
    out = tmp_path / f"converted.{kind}"
    out.write_bytes(data)
    return out


def test_each_xls_sheet_is_measured_from_where_the_sheet_list_says_it_begins():
    """A sheet placed after bytes that are no record, as a hostile file may: a parser seeks to it, so the guard does."""
    number = lambda r, c: biff_record(0x0203, struct.pack("<HHHd", r, c, 0, 1.0))  # noqa: E731
    chart = biff_record(0x0809, b"\x00" * 16) + number(5, 5) + biff_record(0x000A, b"")  # a chart inside the sheet
    sheet = biff_record(0x0809, b"\x00" * 16) + number(0, 0) + chart + number(65535, 255) + biff_record(0x000A, b"")
    head = biff_record(0x0809, b"\x00" * 16)
    name = bytes([1, 0]) + b"S"
    globals_size = len(head) + len(biff_record(0x0085, b"\x00" * 6 + name)) + len(biff_record(0x000A, b""))
    offset = globals_size + 3  # three stray bytes before the sheet
    stream = head + biff_record(0x0085, struct.pack("<I", offset) + b"\x00\x00" + name) + biff_record(0x000A, b"") + b"\x01\x02\x03" + sheet
    assert xls_sheets(stream) == [("S", 65536, 256, {})]
