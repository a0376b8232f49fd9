"""Hostile and broken files for the intake: one builder per kind, for the tests, the benchmark and anyone checking a guard.

Every builder writes one file at the given path and returns it. Nothing here is committed as a binary:
each file is made from a real report (adep.forms.writer.write_report) or from the bytes a format begins with.
"""
from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

from adep.periods import Period
from adep.forms.layout import FormLayout
from adep.forms.writer import write_report
from contracts.form import codes

PERIOD = Period(2026, 3)
MB = 1_000_000


def good_report(path: Path, bin_: str, values: dict, layout: FormLayout = FormLayout()) -> Path:
    """A clean report for one body, as a commissioner would send it."""
    return write_report(path, bin=bin_, period=PERIOD, body_name="Орган", commissioner="Уәкіл", phone="+7 700 000 0000",
                        signed_on="2026-10-01", values=values, layout=layout)


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def _zip(path: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def _minimal_workbook(sheet_xml: bytes) -> dict[str, bytes]:
    """The smallest set of parts a spreadsheet reader accepts as an .xlsx with one sheet."""
    return {
        "[Content_Types].xml": (
            b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            b'<Default Extension="xml" ContentType="application/xml"/>'
            b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            b"</Types>"),
        "_rels/.rels": (
            b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            b"</Relationships>"),
        "xl/workbook.xml": (
            b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            b'<sheet name="1-eu" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            b"</Relationships>"),
        "xl/worksheets/sheet1.xml": sheet_xml,
    }


_SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?>'
               b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
_SHEET_TAIL = b"</sheetData></worksheet>"


def _col(n: int) -> str:
    letters = ""
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# --- zip bombs ---------------------------------------------------------------------------------------------

def zip_bomb(path: Path, inflated_bytes: int = 300 * MB) -> Path:
    """A workbook whose sheet honestly declares that it inflates to 300 MB (from a few hundred KB)."""
    parts = _minimal_workbook(b"")
    del parts["xl/worksheets/sheet1.xml"]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(_SHEET_HEAD)
            chunk = b"<row/>" * (MB // 6)
            for _ in range(inflated_bytes // len(chunk)):
                fh.write(chunk)
            fh.write(_SHEET_TAIL)
    return path


def zip_bomb_lying(path: Path, inflated_bytes: int = 300 * MB) -> Path:
    """A zip bomb whose headers lie: the sheet claims 2 KB but inflates to 300 MB of rows."""
    head = _SHEET_HEAD + b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
    body = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * ((inflated_bytes - len(head)) // 48)
    sheet = head + body + _SHEET_TAIL
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = comp.compress(sheet) + comp.flush()
    crc = zlib.crc32(sheet)
    del sheet, body
    parts = _minimal_workbook(b"")
    del parts["xl/worksheets/sheet1.xml"]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    entries = buf.getvalue()
    # Append the lying entry by hand: local header, data, then rebuild the central directory.
    with zipfile.ZipFile(io.BytesIO(entries)) as zf:
        infos = zf.infolist()
    name = b"xl/worksheets/sheet1.xml"
    lie = 2_000
    cd_offset = min(i.header_offset for i in infos) + sum(30 + len(i.filename.encode()) + i.compress_size for i in infos)
    data = bytearray(entries[:cd_offset])
    offset = len(data)
    data += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(deflated), lie, len(name), 0) + name + deflated
    central = bytearray()
    for i in infos:
        fn = i.filename.encode()
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, i.CRC, i.compress_size, i.file_size,
                               len(fn), 0, 0, 0, 0, 0, i.header_offset) + fn
    central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(deflated), lie,
                           len(name), 0, 0, 0, 0, 0, offset) + name
    cd_start = len(data)
    data += central
    data += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(infos) + 1, len(infos) + 1, len(central), cd_start, 0)
    path.write_bytes(bytes(data))
    return path


def zip_many_parts(path: Path, n: int = 20_000) -> Path:
    """A real report with tens of thousands of tiny extra parts in its container."""
    parts = _parts(_good_for_container(path))
    for k in range(n):
        parts[f"customXml/item{k}.xml"] = b"<x/>"
    return _zip(path, parts)


def zip_ratio_bomb(path: Path) -> Path:
    """A real report carrying a 150 MB 'image' that compresses a thousand to one: under the total limit, still a bomb."""
    parts = _parts(_good_for_container(path))
    parts["xl/media/image1.png"] = bytes(150 * MB)
    return _zip(path, parts)


def _good_for_container(path: Path) -> Path:
    import random

    from adep.sample.values import clean_values
    from contracts.bin import complete_bin

    return good_report(path, complete_bin("99000090001"), clean_values(random.Random(900)))


# --- XML entities ------------------------------------------------------------------------------------------

_LAUGHS = (b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
           + b"".join(f'<!ENTITY lol{k} "{("&lol" + (str(k - 1) if k > 1 else "") + ";") * 10}">'.encode() for k in range(1, 10))
           + b"]>")


def billion_laughs(path: Path, padding: int = 0) -> Path:
    """A real report whose shared strings declare the 'billion laughs' entities (3 GB if expanded).

    padding puts that many bytes of XML comment before the DTD, where a reader that looks only at the
    first kilobyte of a part would not see it.
    """
    parts = _parts(_good_for_container(path))
    pad = b"<!--" + b" " * padding + b"-->" if padding else b""
    strings = parts["xl/sharedStrings.xml"]
    decl, rest = strings.split(b"?>", 1)
    parts["xl/sharedStrings.xml"] = decl + b"?>" + pad + _LAUGHS + rest.replace(b"<t>", b"<t>&lol9;", 1)
    return _zip(path, parts)


# --- encrypted, macros, other kinds under an .xlsx name ----------------------------------------------------

def _cfb(streams: dict[str, bytes], *, directory_last: bool = True) -> bytes:
    """A compound file (OLE2), as Office writes an encrypted workbook: named streams in 512-byte sectors.

    Streams are padded to 4096 bytes or more so none lives in the mini stream.
    """
    sector = 512
    data_sectors: list[bytes] = []
    starts = {}
    for name, payload in streams.items():
        payload = payload.ljust(max(4096, len(payload)), b"\0")
        payload += b"\0" * (-len(payload) % sector)
        starts[name] = (len(data_sectors), len(payload))
        data_sectors += [payload[i:i + sector] for i in range(0, len(payload), sector)]
    n_data = len(data_sectors)
    dir_entries = 1 + len(streams)
    n_dir = -(-dir_entries * 128 // sector)
    n_fat = 1
    while (n_data + n_dir + n_fat) > n_fat * 128:
        n_fat += 1
    # layout: FAT sectors, then data (or directory first), then directory (or data)
    fat_first = 0
    if directory_last:
        data_first, dir_first = n_fat, n_fat + n_data
    else:
        dir_first, data_first = n_fat, n_fat + n_dir
    fat = [0xFFFFFFFF] * (n_fat * 128)
    for k in range(n_fat):
        fat[fat_first + k] = 0xFFFFFFFD
    for name, (start, length) in starts.items():
        count = length // sector
        for k in range(count):
            fat[data_first + start + k] = data_first + start + k + 1 if k < count - 1 else 0xFFFFFFFE
    for k in range(n_dir):
        fat[dir_first + k] = dir_first + k + 1 if k < n_dir - 1 else 0xFFFFFFFE

    def entry(name: str, kind: int, start: int, size: int, child: int = 0xFFFFFFFF, right: int = 0xFFFFFFFF) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0"
        return (raw.ljust(64, b"\0") + struct.pack("<HBB", len(raw), kind, 1)
                + struct.pack("<III", 0xFFFFFFFF, right, child) + b"\0" * 16 + b"\0" * 4 + b"\0" * 16
                + struct.pack("<IQ", start, size))

    names = list(streams)
    directory = entry("Root Entry", 5, 0xFFFFFFFE, 0, child=1)
    for k, name in enumerate(names):
        start, length = starts[name]
        directory += entry(name, 2, data_first + start, len(streams[name]) if len(streams[name]) >= 4096 else 4096,
                           right=k + 2 if k + 1 < len(names) else 0xFFFFFFFF)
    directory = directory.ljust(n_dir * sector, b"\0")
    difat = [fat_first + k for k in range(n_fat)] + [0xFFFFFFFF] * (109 - n_fat)
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\0" * 6 + struct.pack("<IIIIIIIII", 0, n_fat, dir_first, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
              + struct.pack("<109I", *difat))
    body = b"".join(struct.pack("<128I", *fat[k * 128:(k + 1) * 128]) for k in range(n_fat))
    if directory_last:
        body += b"".join(data_sectors) + directory
    else:
        body += directory + b"".join(data_sectors)
    return header + body


def encrypted_workbook(path: Path, package_bytes: int = 20_000) -> Path:
    """A password-protected .xlsx: an OLE2 container holding EncryptionInfo and the EncryptedPackage stream.

    With a large package (more than 4 MB, a form with a logo) the container's directory sits after the data.
    """
    import os
    info = struct.pack("<HHI", 4, 4, 0x40) + b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><encryption/>'
    package = struct.pack("<Q", package_bytes) + os.urandom(package_bytes)
    path.write_bytes(_cfb({"EncryptionInfo": info, "EncryptedPackage": package}))
    return path


def macro_workbook(path: Path, bin_: str, values: dict) -> Path:
    """A report saved as .xlsm: a vbaProject.bin part with an auto-open macro; only the values may be used."""
    parts = _parts(good_report(path.with_suffix(".tmp.xlsx"), bin_, values))
    path.with_suffix(".tmp.xlsx").unlink()
    vba = _cfb({"VBA/dir": b"Attribute VB_Name = \"ThisWorkbook\"\nSub Workbook_Open()\nShell \"calc.exe\"\nEnd Sub\n"})
    parts["xl/vbaProject.bin"] = vba
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml").replace(
        b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>')
    rels = parts["xl/_rels/workbook.xml.rels"]
    parts["xl/_rels/workbook.xml.rels"] = rels.replace(
        b"</Relationships>",
        b'<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/></Relationships>')
    return _zip(path, parts)


def pdf_file(path: Path) -> Path:
    path.write_bytes(b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
    return path


def png_file(path: Path) -> Path:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\0" + b"\xff\xff\xff" * 8 for _ in range(8))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    return path


def html_page(path: Path) -> Path:
    """What a browser saves when the mail service's 'download' link was a login page."""
    path.write_text("<!DOCTYPE html><html><head><title>Вход</title></head><body><table><tr><td>1</td><td>5</td></tr>"
                    "</table></body></html>", encoding="utf-8")
    return path


def csv_file(path: Path) -> Path:
    """The form's codes and values as CSV text, renamed to .xlsx by hand."""
    path.write_text("code,value\n" + "".join(f"{c},0\n" for c in codes()), encoding="utf-8")
    return path


def oversized_file(path: Path, size: int = 30 * MB) -> Path:
    """A 30 MB file (a scan pasted into the workbook, or worse): refused before anything is opened."""
    import os
    with open(path, "wb") as fh:
        fh.write(b"PK\x03\x04")
        for _ in range(size // MB):
            fh.write(os.urandom(MB))
    return path


# --- enormous sheets ---------------------------------------------------------------------------------------

def million_cells(path: Path, rows: int = 1000, cols: int = 1000) -> Path:
    """A sheet with a million filled cells (1,000 rows by 1,000 columns of numbers)."""
    letters = [_col(c) for c in range(1, cols + 1)]
    out = [_SHEET_HEAD]
    for r in range(1, rows + 1):
        out.append(f'<row r="{r}">'.encode() + "".join(f'<c r="{x}{r}"><v>{r}</v></c>' for x in letters).encode() + b"</row>")
    out.append(_SHEET_TAIL)
    return _zip(path, _minimal_workbook(b"".join(out)))


def far_apart_cells(path: Path) -> Path:
    """Two cells, A1 and XFD1048576: tiny on disk, 17 billion cells to a reader that fills the rectangle."""
    sheet = (_SHEET_HEAD + b'<row r="1"><c r="A1"><v>1</v></c></row>'
             b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>' + _SHEET_TAIL)
    return _zip(path, _minimal_workbook(sheet))


def far_cell_written_oddly(path: Path, cell: bytes) -> Path:
    """A1 and one cell at XFD1048576 whose address is written in a way XML allows but no spreadsheet program writes."""
    return _zip(path, _minimal_workbook(_SHEET_HEAD + b'<row r="1"><c r="A1"><v>1</v></c>' + cell + b"</row>" + _SHEET_TAIL))


def unaddressed_then_far(path: Path) -> Path:
    """A row and a cell with no address (python-calamine puts them at A1), then a cell at XFD1048576."""
    sheet = _SHEET_HEAD + b'<row><c><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>' + _SHEET_TAIL
    return _zip(path, _minimal_workbook(sheet))


# --- the old formats: .xls (an OLE2 container of BIFF records) and .ods (a zip of XML) ----------------------

def biff_record(kind: int, data: bytes) -> bytes:
    """One record of an .xls workbook stream: its kind, its length, its data."""
    return struct.pack("<HH", kind, len(data)) + data


def xls_far_cell(path: Path) -> Path:
    """An .xls whose one sheet holds A1 and IV65536: 65,536 rows by 256 columns for a parser to lay out."""
    bof, eof = biff_record(0x0809, b"\0" * 16), biff_record(0x000A, b"")

    def number(row: int, col: int) -> bytes:
        return biff_record(0x0203, struct.pack("<HHHd", row, col, 0, 1.0))

    name = bytes([1, 0]) + b"S"  # the sheet's name: its length, 8-bit characters, 'S'
    sheet_at = len(bof) + len(biff_record(0x0085, b"\0" * 6 + name)) + len(eof)
    workbook = (bof + biff_record(0x0085, struct.pack("<I", sheet_at) + b"\0\0" + name) + eof
                + bof + number(0, 0) + number(65535, 255) + eof)
    path.write_bytes(_cfb({"Workbook": workbook}))
    return path


def ods_bytes(content: str, extra: dict[str, bytes] | None = None) -> bytes:
    """An .ods: its mimetype, the given content.xml, and any other parts."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", content)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return buf.getvalue()


# an .ods content.xml up to the rows of its one sheet ('Лист1'), and after them
ODS_HEAD = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:'
            'opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
            'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
            '<table:table table:name="Лист1">')
ODS_TAIL = "</table:table></office:spreadsheet></office:body></office:document-content>"


def ods_repeated_value(path: Path) -> Path:
    """An .ods of a few hundred bytes whose one value is repeated over every cell of a sheet (17 billion)."""
    cell = '<table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="16384"/>'
    path.write_bytes(ods_bytes(ODS_HEAD + f'<table:table-row table:number-rows-repeated="1048576">{cell}'
                          '</table:table-row>' + ODS_TAIL))
    return path


def ods_laughs(path: Path) -> Path:
    """An .ods whose content declares nested entities (the billion laughs)."""
    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(f'<!ENTITY {chr(98 + k)} "{("&" + chr(97 + k) + ";") * 10}">'
                                                   for k in range(8))
    path.write_bytes(ods_bytes(f'<?xml version="1.0"?><!DOCTYPE x [{entities}]><x>&i;</x>'))
    return path


# name -> (builder taking a path, file name to use, the rules a correct rejection may carry)
HOSTILE = {
    "zip bomb, 300 MB declared": (zip_bomb, "bomb.xlsx", {"F04"}),
    # Python's zip reader stops at the declared size and finds the checksum wrong: damaged, or a bomb
    "zip bomb, sizes lie": (zip_bomb_lying, "bomb-lying.xlsx", {"F01", "F05"}),
    "zip of 20,000 parts": (zip_many_parts, "many-parts.xlsx", {"F04"}),
    "zip part 1000:1, 150 MB": (zip_ratio_bomb, "ratio.xlsx", {"F05"}),
    "billion laughs": (billion_laughs, "laughs.xlsx", {"F05"}),
    "billion laughs after 4 KB comment": (lambda p: billion_laughs(p, padding=4096), "laughs-padded.xlsx", {"F05"}),
    "encrypted workbook": (encrypted_workbook, "secret.xlsx", {"F03"}),
    "encrypted workbook, 5 MB": (lambda p: encrypted_workbook(p, 5 * MB), "secret-big.xlsx", {"F03"}),
    "file of 30 MB": (oversized_file, "big.xlsx", {"F04"}),
    "PDF named .xlsx": (pdf_file, "scan.xlsx", {"F02"}),
    "PNG named .xlsx": (png_file, "photo.xlsx", {"F02"}),
    "HTML named .xlsx": (html_page, "download.xlsx", {"F02"}),
    "CSV named .xlsx": (csv_file, "export.xlsx", {"F02"}),
    # under the default limit of 2 M cells: read (in about two seconds) and rejected for having no form table
    "sheet of a million cells": (million_cells, "huge.xlsx", {"T01", "F04"}),
    "two cells, A1 and XFD1048576": (far_apart_cells, "far.xlsx", {"F04"}),
    # each of these once got past the measurement and aborted the reader's process
    "XFD1048576 after a tab": (lambda p: far_cell_written_oddly(p, b'<c\tr="XFD1048576"><v>1</v></c>'), "far-tab.xlsx", {"F04"}),
    "xfd1048576 in single quotes": (lambda p: far_cell_written_oddly(p, b"<c r='xfd1048576'><v>1</v></c>"), "far-quotes.xlsx", {"F04"}),
    "XFD1048576 with leading zeros": (lambda p: far_cell_written_oddly(p, b'<c r="XFD0001048576"><v>1</v></c>'), "far-zeros.xlsx", {"F04"}),
    "XFD1048576 right after a value": (lambda p: far_cell_written_oddly(p, b'<c s="0"r="XFD1048576"><v>1</v></c>'), "far-glued.xlsx", {"F04"}),
    "a cell with no address, then XFD1048576": (unaddressed_then_far, "far-after-loose.xlsx", {"F04"}),
    ".xls: two cells, A1 and IV65536": (xls_far_cell, "far.xls", {"F04"}),
    ".ods: one value over a whole sheet": (ods_repeated_value, "bomb.ods", {"F04"}),
    ".ods: billion laughs": (ods_laughs, "laughs.ods", {"F05"}),
}
