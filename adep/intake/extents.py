"""How far a sheet's cells reach, measured from the file before any parser fills the sheet.

python-calamine allocates the whole rectangle from the first to the last filled cell: two cells, A1 and
XFD1048576, in a 1.5 KB file asked for 550 GB and aborted the process. So each format's sheets are measured first:
an .xlsx sheet from its XML (streamed, never more than its declared size), an .ods spreadsheet from content.xml
(rows and cells repeated by a count), an .xls workbook from its BIFF cell records. adep.intake.guard refuses a
sheet whose rectangle exceeds the limit.
"""
from __future__ import annotations

import re
import struct
from typing import Iterable

ERROR_TYPE = re.compile(rb"""\bt\s*=\s*["']e["']""")


def marks_cells_to_confirm(xml: bytes) -> bool:
    """Whether an .xlsx sheet's XML holds a formula or an error value: cells python-calamine reads as blank although
    they are not (adep.intake.guard confirms each blank value cell in such a sheet)."""
    return b"<f" in xml or b":f>" in xml or (b'"e"' in xml or b"'e'" in xml) and bool(ERROR_TYPE.search(xml))


# An element's r attribute as python-calamine reads it (a cell's address, a row's number): after any character that
# cannot end an attribute's name (whitespace, a quote, nothing at all), '=' between any whitespace, either quote,
# letters of either case, any number of digits. Each of ' r="B7"' narrowed (a tab, 'xfd', r='B7', r = "B7", nine
# digits, no space after the previous value) let a cell at XFD1048576 past the measurement and abort the reader.
_NAME_CHAR = rb"[\w:.\-\x80-\xff]"
_ADDRESS = re.compile(rb"r(?<!" + _NAME_CHAR + rb"r)\s*=\s*[\"']([A-Za-z]*)(\d+)[\"']")
# rows with a number of their own (<row r="7">, <x:row spans="1:3" r="7">)
_ROW_REFS = re.compile(rb"<(?:\w+:)?row\s[^>]*?r(?<!" + _NAME_CHAR + rb"r)\s*=\s*[\"']\d+[\"']")
_ANY_CELL = re.compile(rb"<(?:\w+:)?c[\s/>]")
_ANY_ROW = re.compile(rb"<(?:\w+:)?row[\s/>]")
# What a form's sheet never holds: an r attribute other than r="B7" within column Z and row 999 (or r="7"), a cell
# whose first attribute is not its address, a row whose first attribute is not its number, a namespace prefix.
_NOT_NEAR = re.compile(rb"r(?<!" + _NAME_CHAR + rb"r)(?!=\"[A-Z]?\d{1,3}\")\s*=")
_LOOSE = re.compile(rb'<(?:\w+:(?:c|row)[\s/>]|c(?! r="[A-Z])[\s/>]|row(?! r=")[\s/>])')
# Any row or column number past this is as good as infinite (and cheaper to write down).
_FAR_AWAY = 10**10
# With neither, cells span at most rows 0-999 and columns A-Z, every one addressed.
_NEAR_ROWS, _NEAR_COLS = 1000, 26


def fits_near(raw: bytes, max_cells: int) -> bool | None:
    """Whether the sheet holds a formula, when two scans prove its rectangle within bounds; None when they cannot.

    A form's sheet (addresses within Z999, each cell and row starting with its address) spans at most 1,000 rows
    by 26 columns, so the measurement below would pass it: its addresses need not be collected one by one.
    The sheet is looked at in the same two pieces as the measurement looks at it.
    """
    if _NEAR_ROWS * _NEAR_COLS > max_cells:
        return None
    cut = raw.rfind(b"<")
    for text in (raw[:cut], raw[cut:]):
        if _NOT_NEAR.search(text) or _LOOSE.search(text):
            return None
    return marks_cells_to_confirm(raw)


def sheet_extent(steps: Iterable[bytes], max_cells: int) -> tuple[int, int, bool]:
    """Rows and columns of the rectangle an .xlsx sheet's cells span, and whether it holds cells to confirm.

    steps: the sheet's XML in pieces, then an empty piece (streamed, never more than its declared size, which the
    total limit has already bounded; or the part inflated whole as one piece). Stops early once past max_cells.
    """
    letters: set[bytes] = set()
    low_row = high_row = 0
    cells = addressed = rows = addressed_rows = 0
    tail = b""
    has_formula = False
    for chunk in steps:
        text = tail + chunk
        if chunk:
            cut = text.rfind(b"<")
            text, tail = text[:cut], text[cut:]
        has_formula = has_formula or marks_cells_to_confirm(text)
        refs = _ADDRESS.findall(text)
        cols = [c for c, _ in refs if c]
        addressed += len(cols)
        letters.update(c.upper() for c in set(cols))
        addressed_rows += len(_ROW_REFS.findall(text))
        numbers = [int(n) if len(n.lstrip(b"0")) < 10 else _FAR_AWAY for n in {r for _, r in refs}]
        if numbers:
            low_row = min(numbers + ([low_row] if low_row else []))
            high_row = max(numbers + [high_row])
        cells += len(_ANY_CELL.findall(text))
        rows += len(_ANY_ROW.findall(text))
        # A cell or row without an address follows the one before it, from A1 on: count each as extra width or
        # height, and let the rectangle start at row 1 and column A (a cell with no address, then one at
        # XFD1048576, asked for the whole sheet).
        loose_rows, loose_cells = max(0, rows - addressed_rows), max(0, cells - addressed)
        first_row = min(low_row, 1) if loose_rows or loose_cells else low_row
        height = (high_row - first_row + 1 if high_row else 0) + loose_rows
        columns = [_col_number(c) for c in letters]
        first_col = 1 if loose_cells else min(columns, default=0)
        width = (max(columns) - first_col + 1 if columns else 0) + loose_cells
        if height * width > max_cells or not chunk:
            return height, width, has_formula
    raise AssertionError("the last step is always empty")


def _col_number(letters: bytes) -> int:
    if len(letters) > 6:
        return _FAR_AWAY
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n




# .ods: content.xml holds every sheet; a row or a cell may stand for many by a count of repeats.
_ODS_TAG = re.compile(rb"<(/?)table:(table|table-row|table-cell|covered-table-cell)(?=[\s/>])([^>]*?)(/?)>")
_ROWS_REPEATED = re.compile(rb"""table:number-rows-repeated\s*=\s*["'](\d+)""")
_COLUMNS_REPEATED = re.compile(rb"""table:number-columns-repeated\s*=\s*["'](\d+)""")
_HAS_VALUE = re.compile(rb"office:value-type\s*=")
_ERROR_VALUE = re.compile(rb"""value-type\s*=\s*["']error["']""")
_TABLE_NAME = re.compile(rb"""table:name\s*=\s*["']([^"']*)["']""")
_TEXT = re.compile(rb"\s*<text:p>([^<]*)</text:p>")


def ods_sheets(content: bytes) -> list[tuple[str, int, int, dict[tuple[int, int], str | None]]]:
    """Each sheet of an .ods content.xml: its name, the rows and columns it spans up to its last cell holding
    something, and its cells that python-calamine reads as blank although they are not: an error value ('#DIV/0!')
    or a formula with no saved value (None), by (row, col) 0-based.

    Empty rows and cells repeated to the sheet's end (as spreadsheet programs write them) take no room; a cell
    holding a value and repeated a million times does.
    """
    out: list[tuple[str, int, int, dict]] = []
    name, hidden = "", {}
    row = col = high_row = high_col = 0
    row_repeat, row_has = 1, False
    for m in _ODS_TAG.finditer(content):
        closing, tag, attrs, empty = m.group(1), m.group(2), m.group(3), m.group(4)
        if tag == b"table":
            if closing:
                out.append((name, high_row, high_col, hidden))
            elif not empty:
                named = _TABLE_NAME.search(attrs)
                name = _unescape(named.group(1).decode("utf-8", "replace")) if named else ""
                row = col = high_row = high_col = 0
                hidden = {}
            continue
        if tag == b"table-row":
            if closing:
                if row_has:
                    high_row = max(high_row, row + row_repeat)
                row += row_repeat
            else:
                row_repeat, row_has, col = _count(_ROWS_REPEATED.search(attrs)), False, 0
                if empty:
                    row += row_repeat
            continue
        if closing:
            continue
        repeat = _count(_COLUMNS_REPEATED.search(attrs))
        if not empty or _HAS_VALUE.search(attrs):
            row_has = True
            high_col = max(high_col, col + repeat)
            if _ERROR_VALUE.search(attrs):
                shown = _TEXT.match(content, m.end())
                hidden[(row, col)] = _unescape(shown.group(1).decode("utf-8", "replace")) if shown else "#ERROR"
            elif b"table:formula" in attrs and not _HAS_VALUE.search(attrs):
                hidden[(row, col)] = None
        col += repeat
    return out


def _count(repeat) -> int:
    if repeat is None:
        return 1
    digits = repeat.group(1)
    return int(digits) if len(digits) < 10 else _FAR_AWAY


# .xls: BIFF8 records (type, length, data); each cell record starts with its row and column.
_RECORD = struct.Struct("<HH")
_BOF, _EOF, _SHEET = 0x0809, 0x000A, 0x0085
_CELL_RECORDS = {0x0006, 0x00FD, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E, 0x00D6}
_MULTI_CELLS = {0x00BD, 0x00BE}  # MULRK, MULBLANK: row, first column, ..., last column
_FORMULA, _BOOLERR = 0x0006, 0x0205
_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!", 0x2A: "#N/A"}


def xls_sheets(stream: bytes) -> list[tuple[str, int, int, dict[tuple[int, int], str]]]:
    """Each worksheet of an .xls Workbook stream: its name, the rows and columns its cells span, and its cells that
    hold an error value ((row, col) 0-based -> '#REF!'), which python-calamine reads as blank.

    Each sheet is walked from where the workbook's sheet list says it begins, as a parser reads it, whatever lies
    between the sheets.
    """
    sheets = []
    for offset, name in _sheet_list(stream):
        low_row = high_row = low_col = high_col = None
        errors: dict[tuple[int, int], str] = {}
        depth = 0
        for kind, data in _records(stream, offset):
            if kind == _BOF:
                depth += 1
            elif kind == _EOF:
                depth -= 1
                if depth <= 0:
                    break  # the sheet's own end; a chart inside it has a BOF and an EOF of its own
            elif (kind in _CELL_RECORDS or kind in _MULTI_CELLS) and len(data) >= 4:
                r, c = struct.unpack_from("<HH", data)
                last = struct.unpack_from("<H", data, len(data) - 2)[0] if kind in _MULTI_CELLS and len(data) >= 6 else c
                low_row = r if low_row is None else min(low_row, r)
                high_row = r if high_row is None else max(high_row, r)
                low_col = c if low_col is None else min(low_col, c)
                high_col = max(last, c) if high_col is None else max(high_col, last, c)
                error = _error_of(kind, data)
                if error:
                    errors[(r, c)] = error
        rows = high_row - low_row + 1 if high_row is not None else 0
        cols = high_col - low_col + 1 if high_col is not None else 0
        sheets.append((name, rows, cols, errors))
    return sheets


def _sheet_list(stream: bytes) -> list[tuple[int, str]]:
    """Where each sheet begins in the stream, and its name: the BOUNDSHEET records of the workbook's globals."""
    out = []
    for kind, data in _records(stream, 0):
        if kind == _SHEET and len(data) >= 8:
            out.append((struct.unpack_from("<I", data)[0], _short_string(data[6:])))
        elif kind == _EOF:
            break
    return out


def _records(stream: bytes, pos: int):
    """The records (type, data) from pos on, to the end of the stream (a record cut short ends it)."""
    size = len(stream)
    while pos + 4 <= size:
        kind, length = _RECORD.unpack_from(stream, pos)
        if pos + 4 + length > size:
            return
        yield kind, stream[pos + 4:pos + 4 + length]
        pos += 4 + length


def _error_of(kind: int, data: bytes) -> str | None:
    """The error value a BOOLERR cell or a FORMULA's saved result holds, if any."""
    if kind == _BOOLERR and len(data) >= 8 and data[7] == 1:
        return _ERRORS.get(data[6], "#ERROR")
    if kind == _FORMULA and len(data) >= 14 and data[12:14] == b"\xff\xff" and data[6] == 2:
        return _ERRORS.get(data[8], "#ERROR")
    return None


def _short_string(data: bytes) -> str:
    """A BIFF8 ShortXLUnicodeString: a count of characters, a flag (UTF-16 or compressed Latin-1), the characters."""
    if len(data) < 2:
        return ""
    count, wide = data[0], data[1] & 1
    raw = data[2:2 + count * (2 if wide else 1)]
    return raw.decode("utf-16-le", "replace") if wide else raw.decode("latin-1")


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'").replace("&amp;", "&")
