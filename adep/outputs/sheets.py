"""Cells and print settings of the Agency's export sheets: safe text, whole numbers, pages as the form prints."""
from __future__ import annotations

import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from adep.forms.layout import row_height, wrapped_line_count

# A cell whose text starts with one of these is taken as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
_THIN = Side(style="thin")
BOX = Border(_THIN, _THIN, _THIN, _THIN)
WRAP_TOP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
HEADING = Alignment(wrap_text=True, horizontal="center", vertical="center")
# Margins in inches: narrow enough for the table, wide enough for a binder's holes on the left.
PAGE_FOOTER = "Бет / Страница &P / &N"
MARGINS = {"left": 0.8, "right": 0.4, "top": 0.5, "bottom": 0.6, "header": 0.3, "footer": 0.3}


def put_text(cell: Cell, text: object) -> Cell:
    """Write text that can never become a live formula: stored as a string, marked as typed text."""
    value = ILLEGAL_CHARACTERS_RE.sub("", "" if text is None or (isinstance(text, float) and pd.isna(text)) else str(text))
    cell.value = value
    if value.startswith(FORMULA_STARTS):
        # openpyxl treats a string starting with '=' as a formula; force it back to a plain string, and set the
        # quote prefix so a spreadsheet program keeps it text when someone edits the cell.
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def put_number(cell: Cell, value: object) -> Cell:
    """Write a whole number, or leave the cell empty when there is none."""
    cell.value = None if value is None or pd.isna(value) else int(value)
    return cell


def fit_rows(ws: Worksheet, first_row: int, last_row: int) -> None:
    """Give each row the height its longest wrapped text needs in its column's width (spreadsheets do not)."""
    widths = {col: ws.column_dimensions[get_column_letter(col)].width or 8.43 for col in range(1, ws.max_column + 1)}
    merged = {(r.min_row, r.min_col): sum(widths.get(c, 8.43) for c in range(r.min_col, r.max_col + 1))
              for r in ws.merged_cells.ranges}
    for r in range(first_row, last_row + 1):
        lines, size = 1, 11.0
        for cell in ws[r]:
            if cell.value is None or not (cell.alignment and cell.alignment.wrap_text):
                continue
            width = merged.get((r, cell.column), widths.get(cell.column, 8.43))
            lines = max(lines, wrapped_line_count(cell.value, width, int(cell.alignment.indent or 0)))
            size = max(size, float(cell.font.sz or 11))
        ws.row_dimensions[r].height = row_height(lines, size)


def set_print(ws: Worksheet, *, landscape: bool, title_rows: str, footer: tuple[str, str], title_columns: str | None = None) -> None:
    """A4, fitted to one page wide (as many pages down as it takes), title rows on every page, a footer."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    for side, inches in MARGINS.items():
        setattr(ws.page_margins, side, inches)
    ws.print_options.horizontalCentered = True
    ws.print_title_rows = title_rows
    if title_columns:
        ws.print_title_cols = title_columns
    left, centre = footer
    # In a footer '&' starts a field code (&P is the page number): an ampersand in the text is written '&&'.
    ws.oddFooter.left.text = left.replace("&", "&&")
    ws.oddFooter.center.text = centre.replace("&", "&&")
    ws.oddFooter.right.text = PAGE_FOOTER
    for part in (ws.oddFooter.left, ws.oddFooter.center, ws.oddFooter.right):
        part.size = 8
