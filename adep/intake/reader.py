"""Reading a form 1-әу workbook by content, not by cell address: which sheet holds the report, then its table and header.

The table is located by adep.intake.table, its rows read by adep.intake.rows, the header by adep.intake.header; every
choice on the way is recorded (adep.intake.choices) and one with a plausible alternative is a finding.
"""
from __future__ import annotations

import errno
import hashlib
import io
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from adep.intake.cells import cell_ref, column_letter, parse_value
from adep.intake.choices import Choice, Reading, SilentChoice
from adep.intake.guard import Inspected, UnsafeFile, inspect_workbook
from adep.intake.header import parse_date, parse_period, read_header
from adep.intake.rows import read_table
from adep.intake.table import Table, locate_table, locate_tables
from contracts.findings import Finding, finding
from contracts.form import codes

__all__ = ["Choice", "ReadResult", "Table", "cell_ref", "locate_table", "parse_date", "parse_period", "parse_value",
           "read_path", "read_workbook"]


@dataclass(kw_only=True)
class ReadResult(Reading):
    """What one file gave: its fingerprint, header fields, values by row code, findings, and the reader's choices."""

    path: str
    sha256: str
    size_bytes: int
    readable: bool = True
    report_found: bool = True  # False when the file holds no single report to check (no table, or several reports)


def read_path(path: str | Path, *, max_file_bytes: int, max_inflated_bytes: int, max_sheet_cells: int) -> ReadResult:
    """Read one file from the intake folder; never raises for what the file contains."""
    p = Path(path)
    try:
        fh = _open_regular(p)
    except UnsafeFile as exc:
        result = ReadResult(path=str(p), sha256=hashlib.sha256(f"not-a-file:{p}".encode("utf-8", "surrogateescape")).hexdigest(), size_bytes=0)
        _fail(result, exc.finding)
        return result
    with fh:
        data = fh.read(max_file_bytes + 1)
        result = ReadResult(path=str(p), sha256=hashlib.sha256(data).hexdigest(), size_bytes=len(data))
        if len(data) > max_file_bytes:
            result.sha256, result.size_bytes = _sha256_rest(fh, data)
            _fail(result, finding("F04", "file_size", bytes=f"{result.size_bytes:,}", limit=f"{max_file_bytes:,}"))
            return result
    try:
        inspected = inspect_workbook(data, max_inflated_bytes=max_inflated_bytes, max_sheet_cells=max_sheet_cells)
        read_workbook(inspected, result, max_sheet_cells=max_sheet_cells)
    except UnsafeFile as exc:
        _fail(result, exc.finding)
    except SilentChoice:
        raise
    except Exception as exc:  # a parser's complaint about a broken file is a finding, never a crash of the run
        _fail(result, finding("F01", "unreadable", detail=f"{type(exc).__name__}: {exc}"))
    return result


def _open_regular(p: Path):
    """Open a file from intake/ only if it is a regular file there, never following a link.

    discover() already leaves links and special files unread, but a file can be swapped for a link (or a named
    pipe, whose open would wait forever) between that look and this open; O_NOFOLLOW and O_NONBLOCK close the gap.
    """
    try:
        fd = os.open(p, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno != errno.ELOOP:
            raise
        raise UnsafeFile(finding("F02", "not_regular")) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise UnsafeFile(finding("F02", "not_regular"))
    return os.fdopen(fd, "rb")




def _sha256_rest(fh, head: bytes) -> tuple[str, int]:
    h = hashlib.sha256(head)
    size = len(head)
    for chunk in iter(lambda: fh.read(1 << 20), b""):
        h.update(chunk)
        size += len(chunk)
    return h.hexdigest(), size


def _fail(result: ReadResult, cause: Finding) -> None:
    result.readable = False
    result.report_found = False
    result.findings.append(cause)


@dataclass
class SheetForm:
    """A sheet holding a table of the form, and (once read) what it says."""

    name: str
    visible: bool
    grid: list
    table: Table
    merged: list
    column: str | None = None  # the code column, when the sheet holds more than one table of the form
    reading: Reading | None = None

    @property
    def where(self) -> str:
        """'Лист1', or 'Лист1'!E:E for one of two tables on a sheet."""
        return f"'{self.name}'" + (f"!{self.column}" if self.column else "")

    def describe(self) -> str:
        """'Лист1' (2026Q2; 15): where the table is, the period it names and its row 1 total, for a finding."""
        h, v = self.reading.header, self.reading.values
        period = f"{h['year']}Q{h['quarter']}" if h.get("year") and h.get("quarter") else "—"
        return f"{self.where} ({period}; {v.get(codes()[0], '—')})"

    def identity(self) -> tuple:
        h = self.reading.header
        return h.get("bin"), h.get("year"), h.get("quarter"), tuple(sorted(self.reading.values.items()))


def read_workbook(inspected: Inspected, result: ReadResult, *, max_sheet_cells: int) -> None:
    """Find the sheet that holds the report, then its table and header; hidden sheets are never the report.

    .xlsx, .xlsm, .xls and .ods are read alike, by content; a sheet that cannot be parsed is set aside and said.
    """
    wb = CalamineWorkbook.from_filelike(io.BytesIO(inspected.data))
    forms: list[SheetForm] = []
    unread: list[tuple[str, str]] = []  # sheets set aside before any table was looked for: name, why
    for meta in wb.sheets_metadata:
        if meta.typ != SheetTypeEnum.WorkSheet:
            unread.append((meta.name, "", "a chart or macro sheet, no cells"))
            continue
        try:
            sheet = wb.get_sheet_by_name(meta.name)
        except Exception as exc:  # noqa: BLE001 - a sheet the parser cannot read is set aside, and said
            unread.append((meta.name, f"{type(exc).__name__}: {exc}"[:200], "could not be read"))
            continue
        if sheet.height * max(sheet.width, 1) > max_sheet_cells:
            raise UnsafeFile(finding("F04", "sheet_size", sheet=meta.name, rows=f"{sheet.height:,}", cols=f"{sheet.width:,}"))
        grid = sheet.to_python(skip_empty_area=False)
        merged = _merged(sheet)
        tables = locate_tables(grid, merged)
        for table in tables:
            column = f"{column_letter(table.code_col)}:{column_letter(table.code_col)}" if len(tables) > 1 else None
            forms.append(SheetForm(meta.name, meta.visible == SheetVisibleEnum.Visible, grid, table, merged, column))
    for form in forms:
        form.reading = _read_sheet(form, inspected)
    _choose_sheet(forms, unread, result)


def _merged(sheet) -> list:
    try:
        return list(sheet.merged_cell_ranges or [])
    except Exception:  # noqa: BLE001 - merged ranges are known for .xlsx only; without them no cell is merged
        return []


def _read_sheet(form: SheetForm, inspected: Inspected) -> Reading:
    reading = Reading()
    read_table(form.grid, form.table, form.merged, lambda: inspected.blank_cells(form.name), reading)
    read_header(form.grid, form.table, reading)
    return reading


def _choose_sheet(forms: list[SheetForm], unread: list[tuple[str, str, str]], result: ReadResult) -> None:
    """One report per file: the visible sheet holding the form, or copies of it that agree; else a finding.

    unread: sheets set aside before their cells were looked at (name, the parser's complaint, why); one that could
    not be parsed is a warning naming it, since it might have held the form.
    """
    visible = [f for f in forms if f.visible]
    hidden = [f for f in forms if not f.visible]
    set_aside = [f"'{name}' ({why})" for name, _, why in unread]
    broken = [(name, detail) for name, detail, _ in unread if detail]
    if not visible:
        result.report_found = False
        notes = [finding("T01", "hidden", sheets=", ".join(f.describe() for f in hidden)) if hidden else finding("T01")]
        notes += [finding("T12", sheet=name, detail=detail) for name, detail in broken]
        result.choose("sheet", "none", "no visible sheet holds the form's table",
                      set_aside=set_aside + [f"'{f.name}' (hidden)" for f in hidden], findings=notes)
        return
    complete = [f for f in visible if f.table.score >= len(codes()) // 2]
    candidates = complete or [max(visible, key=lambda f: f.table.score)]
    partial = [f for f in visible if f not in candidates]
    set_aside += [f"'{f.name}' (hidden)" for f in hidden] + [f"'{f.name}' ({f.table.score} rows of the form)" for f in partial]
    first = candidates[0].name
    notes = [finding("T06", "hidden", sheet=f.name, found=f.describe(), chosen=first) for f in hidden]
    notes += [finding("T06", "partial", sheet=f.name, count=f.table.score, chosen=first) for f in partial]
    notes += [finding("T12", sheet=name, detail=detail, chosen=first) for name, detail in broken]
    reports = list(dict.fromkeys(f.identity() for f in candidates))
    if len(reports) > 1:
        result.report_found = False
        agreed = {}
        for keys in (("bin",), ("year", "quarter")):
            seen = {tuple(f.reading.header.get(k) for k in keys) for f in candidates}
            if len(seen) == 1 and None not in next(iter(seen)):
                agreed.update(zip(keys, seen.pop()))
        sheets = ", ".join(f.describe() for f in candidates)
        differ = sorted({c for f in candidates for c, v in f.reading.values.items()
                         if any(g.reading.values.get(c) != v for g in candidates)}, key=codes().index)
        bins = list(dict.fromkeys(f.reading.header.get("bin") or "—" for f in candidates))
        several = finding("T04", sheets=sheets, rows=", ".join(differ[:12]) or None, bins=", ".join(bins) if len(bins) > 1 else None)
        result.choose("sheet", "none", "visible sheets hold different reports" + ("; the BIN or period they agree on is kept" if agreed else ""),
                      header=agreed, alternatives=[f.where for f in candidates], set_aside=set_aside, findings=[several, *notes])
        return
    chosen = candidates[0]
    if len(candidates) > 1:
        notes.insert(0, finding("T05", sheets=", ".join(f.where for f in candidates), sheet=chosen.where))
        basis = f"{len(candidates)} tables on visible sheets hold the same report; read once"
    else:
        basis = "the only visible sheet holding the form" if not partial else "the visible sheet holding the whole form"
    result.adopt(chosen.reading)
    result.choose("sheet", chosen.where, basis, header={"sheet": chosen.name}, set_aside=set_aside, findings=notes)
