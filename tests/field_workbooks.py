"""Workbooks written the way the field writes them: plain openpyxl or xlsxwriter, or a zip put together by hand,
never through adep's own writer. A sheet is a list of rows, a row a list of cell values (None leaves a cell empty);
the form sheet below keeps codes in column A, labels in B and values in C, header above the table."""
from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from xml.sax.saxutils import escape

from contracts.form import codes, indicator

TITLE = {"kk": "Әдеп жөніндегі уәкілдердің қызметі туралы есеп", "ru": "Отчет о деятельности уполномоченных по этике"}
LABELS = {
    "kk": ("Мемлекеттік органның атауы", "БСН", "№", "Көрсеткіштер", "Есепті кезеңдегі жалпы саны",
           "Әдеп жөніндегі уәкіл", "Телефоны", "Қол қойылған күні"),
    "ru": ("Наименование государственного органа", "БИН", "№ п/п", "Показатели", "Общее количество за отчетный период",
           "Уполномоченный по этике", "Телефон", "Дата подписания"),
}
FIRST_ROW = 8  # the spreadsheet row of code 1 in form_rows(): A8, values in C8


def value_cell(code: str, column: str = "C") -> str:
    """Where form_rows() puts a code's value: C8 for row 1, C47 for row 11.3."""
    return f"{column}{FIRST_ROW + codes().index(code)}"


@dataclass
class Sheet:
    name: str
    rows: list[list]
    state: str = "visible"  # 'hidden' or 'veryHidden' as Excel writes them
    merges: list[str] = field(default_factory=list)  # 'C14:C15'


def form_rows(values: dict[str, object], *, period: str, bin_: str, language: str = "kk", body: str = "Әділет департаменті",
              code=lambda c: c, after_table: list[list] = (), before_table: list[list] = (), heading: bool = True,
              signed: object = date(2026, 7, 3)) -> list[list]:
    """One form as rows: title, period line, body and BIN, the table (a row per code in values), signatures.
    Rows before_table go between the BIN and the table's headings (and move the table down)."""
    body_label, bin_label, number, indicators_heading, value_heading, commissioner, phone, signed_label = LABELS[language]
    rows = [[TITLE[language]], [period], [], [body_label, None, body], [bin_label, None, bin_], []]
    rows += [list(r) for r in before_table]
    rows.append([number, indicators_heading, value_heading if heading else None])
    for c in codes():
        if c in values:
            label = indicator(c).label_kk if language == "kk" else indicator(c).label_ru
            rows.append([code(c), label, values[c]])
    rows += [list(r) for r in after_table]
    rows += [[], [commissioner, None, "Сейітова Айгүл"], [phone, None, "+7 7172 00 00 00"], [signed_label, None, signed]]
    return rows


def write_openpyxl(path: Path, sheets: list[Sheet]) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for s in sheets:
        ws = wb.create_sheet(s.name)
        ws.sheet_state = s.state
        for r, row in enumerate(s.rows, start=1):
            for c, v in enumerate(row, start=1):
                if v is None:
                    continue
                cell = ws.cell(row=r, column=c, value=v)
                if isinstance(v, (date, datetime)):
                    cell.number_format = "dd.mm.yyyy"
        for m in s.merges:
            ws.merge_cells(m)
    wb.save(path)
    return path


def write_xlsxwriter(path: Path, sheets: list[Sheet]) -> Path:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    day = wb.add_format({"num_format": "dd.mm.yyyy"})
    shown = next((s.name for s in sheets if s.state == "visible"), None)
    for s in sheets:
        ws = wb.add_worksheet(s.name)
        if s.name == shown:
            ws.activate()  # as Excel does: a hidden sheet cannot be the one shown on opening
        if s.state == "hidden":
            ws.hide()
        elif s.state == "veryHidden":
            ws.very_hidden()
        for r, row in enumerate(s.rows):
            for c, v in enumerate(row):
                if v is None:
                    continue
                if isinstance(v, (date, datetime)):
                    ws.write_datetime(r, c, v if isinstance(v, datetime) else datetime(v.year, v.month, v.day), day)
                else:
                    ws.write(r, c, v)
        for m in s.merges:
            first, last = m.split(":")
            ws.merge_range(f"{first}:{last}", _top_left(s.rows, first))
    wb.close()
    return path


def _top_left(rows, ref: str):
    col = ord(ref[0]) - 65
    row = int(ref[1:]) - 1
    return rows[row][col] if row < len(rows) and col < len(rows[row]) else None


WRITERS = {"openpyxl": write_openpyxl, "xlsxwriter": write_xlsxwriter}


def write_zip(path: Path, sheets: list[Sheet]) -> Path:
    """A workbook put together by hand, as small tools write them: inline strings, numbers, dates as serial
    numbers with a date style (as Excel stores every date), sheet states in workbook.xml."""
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            + "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                      for i in range(1, len(sheets) + 1)) + "</Types>"),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            + "".join(f'<sheet name="{escape(s.name)}" sheetId="{i}"{_state(s)} r:id="rId{i}"/>' for i, s in enumerate(sheets, start=1))
            + "</sheets></workbook>"),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
                      f'Target="worksheets/sheet{i}.xml"/>' for i in range(1, len(sheets) + 1))
            + f'<Relationship Id="rId{len(sheets) + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
            "</Relationships>"),
        # style 1: a date shown as day and month, as Excel formats 3.1 typed in a Kazakh or Russian locale
        "xl/styles.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<numFmts count="1"><numFmt numFmtId="164" formatCode="d\\.mmm"/></numFmts>'
            '<fonts count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1"><border/></borders>'
            '<cellStyleXfs count="1"><xf/></cellStyleXfs>'
            '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/></cellXfs></styleSheet>'),
    }
    for i, s in enumerate(sheets, start=1):
        parts[f"xl/worksheets/sheet{i}.xml"] = _sheet_xml(s)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data.encode("utf-8"))
    return path


def _state(s: Sheet) -> str:
    return "" if s.state == "visible" else f' state="{s.state}"'


def _sheet_xml(s: Sheet) -> str:
    out = []
    for r, row in enumerate(s.rows, start=1):
        cells = []
        for c, v in enumerate(row):
            ref = f"{chr(65 + c)}{r}"
            if v is None:
                continue
            if isinstance(v, (date, datetime)):
                serial = (datetime(v.year, v.month, v.day) - datetime(1899, 12, 30)).days
                cells.append(f'<c r="{ref}" s="1"><v>{serial}</v></c>')
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                cells.append(f'<c r="{ref}"><v>{v}</v></c>')
            else:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(v))}</t></is></c>')
        out.append(f'<row r="{r}">{"".join(cells)}</row>')
    merges = "".join(f'<mergeCell ref="{m}"/>' for m in s.merges)
    return ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<sheetData>{"".join(out)}</sheetData>' + (f'<mergeCells count="{len(s.merges)}">{merges}</mergeCells>' if merges else "")
            + "</worksheet>")
