"""Where each piece of a form 1-әу sheet goes: one plan, drawn by any spreadsheet writer."""
from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from contracts.form import FORM_INDEX, indicators, rules
from adep.periods import Period

TITLE_KK = "Әдеп жөніндегі уәкілдердің қызметі туралы есеп нысаны"
TITLE_RU = "Форма отчета о деятельности уполномоченных по этике"
INDEX_LINE = f"Индекс: {FORM_INDEX}"

HEADER_LABELS = {
    "kk": {
        "body_name": "Мемлекеттік органның атауы",
        "bin": "БСН",
        "commissioner": "Әдеп жөніндегі уәкіл",
        "phone": "Телефоны",
        "signed_on": "Қол қойылған күні",
    },
    "ru": {
        "body_name": "Наименование государственного органа",
        "bin": "БИН",
        "commissioner": "Уполномоченный по этике",
        "phone": "Телефон",
        "signed_on": "Дата подписания",
    },
}
TABLE_HEADINGS = {
    "kk": ("№ р/с", "Көрсеткіштер", "Есепті кезеңдегі жалпы саны"),
    "ru": ("№ п/п", "Показатели", "Общее количество за отчетный период"),
}
PREVIOUS_HEADING = {"kk": "Өткен кезең", "ru": "Предыдущий период"}
CONSOLIDATED = {"kk": "жиынтық", "ru": "сводный"}
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
# Kazakh keyboards put the Cyrillic letter І (U+0406) where a Roman numeral I is meant.
KAZAKH_I = "\u0406"

# Printing: one line of 11-point text is 15 points high; a Cyrillic letter is about 1.15 widths of the digit '0'
# that column widths are measured in, and one indent level is about three of them.
LINE_POINTS = 15.0
CHAR_WIDTH = 1.15
INDENT_WIDTH = 3.0

# Totals that equal the sum of their 'of which' rows on a clean form (the form's '==' rules), so people type
# them as formulas.
FORMULA_TOTALS = {r.right_text: tuple(t.code for t in r.left) for r in rules() if r.op == "=="}


@dataclass(frozen=True)
class FormLayout:
    """How one commissioner's spreadsheet happens to lay out the form."""

    language: str = "kk"  # 'kk' or 'ru' labels and headings
    writer: str = "xlsxwriter"  # 'xlsxwriter' (fast) or 'openpyxl'
    header_position: str = "top"  # header block above ('top') or below ('bottom') the table
    start_row: int = 0  # rows inserted above everything
    start_col: int = 0  # columns inserted left of everything
    codes_as_numbers: bool = False  # code 1.1 stored as float 1.1, code 10 as 10.0
    code_trailing_dot: bool = False  # codes typed '1.' and '1.1.'
    merged_cells: bool = False  # title merged across the table, header labels merged over two columns
    extra_sheets: bool = False  # an instructions sheet before the form sheet
    values_as_text: bool = False  # numbers stored as text, some padded with spaces
    blank_zeros: str | None = None  # zeros written as '' (blank), '-', '–' or '—'; None writes 0
    roman_quarter: bool = False  # 'III тоқсан' instead of '3 тоқсан'
    kazakh_i: bool = False  # with roman_quarter: the Cyrillic І in place of the Latin I
    bin_in_label_cell: bool = False  # 'БСН: 123456789012' in one cell
    bin_as_number: bool = False  # BIN stored as a number, not text
    value_column_heading: bool = True  # False leaves the value column without its heading
    extra_value_columns: str | None = None  # 'previous' (a column to the right) or 'gap' (blank before values)
    formulas: bool = False  # row totals such as 1 = 1.1 + 1.2 written as formulas
    consolidated_mark: bool = False  # a header cell saying the report is consolidated

    def __post_init__(self) -> None:
        if self.language not in HEADER_LABELS:
            raise ValueError(f"language must be kk or ru, not {self.language!r}")
        if self.writer not in ("openpyxl", "xlsxwriter"):
            raise ValueError(f"writer must be openpyxl or xlsxwriter, not {self.writer!r}")
        if self.header_position not in ("top", "bottom"):
            raise ValueError(f"header_position must be top or bottom, not {self.header_position!r}")
        if self.blank_zeros not in (None, "", "-", "–", "—"):
            raise ValueError(f"blank_zeros must be None, '', '-', '–' or '—', not {self.blank_zeros!r}")
        if self.extra_value_columns not in (None, "previous", "gap"):
            raise ValueError(f"extra_value_columns must be None, 'previous' or 'gap', not {self.extra_value_columns!r}")


@dataclass(frozen=True)
class Formula:
    """A formula and the value a spreadsheet program would save with it (None: never calculated)."""

    text: str
    value: object = None


@dataclass
class SheetPlan:
    """Cells by 0-based (row, col), merged ranges, and where the codes, values and header fields landed."""

    cells: dict[tuple[int, int], object] = field(default_factory=dict)
    styles: dict[tuple[int, int], str] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    widths: dict[int, float] = field(default_factory=dict)
    code_cells: dict[str, tuple[int, int]] = field(default_factory=dict)
    value_cells: dict[str, tuple[int, int]] = field(default_factory=dict)
    header_cells: dict[str, tuple[int, int]] = field(default_factory=dict)
    heading_row: int = 0
    value_col: int = 0
    last_col: int = 0

    def put(self, row: int, col: int, value: object, style: str = "") -> None:
        self.cells[(row, col)] = value
        if style:
            self.styles[(row, col)] = style


def period_line(period: Period, layout: FormLayout) -> str:
    """The period line as the commissioner typed it."""
    quarter: str = str(period.quarter)
    if layout.roman_quarter:
        quarter = ROMAN[period.quarter]
        if layout.kazakh_i:
            quarter = quarter.replace("I", KAZAKH_I)
    if layout.language == "ru":
        return f"Отчетный период: {quarter} квартал {period.year} года"
    return f"Есепті кезең {period.year} жылғы {quarter} тоқсан"


def code_cell_value(code: str, layout: FormLayout) -> object:
    """A row code as typed: '1.1', '1.1.', or the number Excel makes of it."""
    if layout.code_trailing_dot:
        return code + "."
    if layout.codes_as_numbers:
        return float(code)
    return code


def value_cell_value(value: object, layout: FormLayout, position: int) -> object:
    """A value as typed: zeros blanked or dashed, numbers as text (every third one padded with spaces)."""
    if isinstance(value, bool):
        return value
    if layout.blank_zeros is not None and isinstance(value, (int, float)) and value == 0:
        return layout.blank_zeros or None
    if layout.values_as_text and isinstance(value, (int, float)):
        text = str(value)
        return f" {text} " if position % 3 == 0 else text
    return value


def bin_cells(bin_: str, layout: FormLayout) -> tuple[object, object]:
    """The BIN label and value cells: label and value apart, or 'БСН: ...' in one cell."""
    label = HEADER_LABELS[layout.language]["bin"]
    value: object = int(bin_) if layout.bin_as_number else bin_
    if layout.bin_in_label_cell:
        return f"{label}: {bin_}", None
    return label, value


def plan_sheet(
    *,
    bin: str,
    period: Period,
    body_name: str,
    commissioner: str,
    phone: str,
    signed_on: date | str | None,
    values: dict[str, object],
    layout: FormLayout,
    previous_values: dict[str, object] | None = None,
) -> SheetPlan:
    """Lay out title, period line, header block and the table of codes, labels and values."""
    plan = SheetPlan()
    lang = layout.language
    r0, c0 = layout.start_row, layout.start_col
    code_col, label_col = c0, c0 + 1
    plan.value_col = value_col = label_col + (2 if layout.extra_value_columns == "gap" else 1)
    previous_col = value_col + 1 if layout.extra_value_columns == "previous" else None
    plan.last_col = previous_col or value_col

    row = r0
    for text, style in ((TITLE_KK if lang == "kk" else TITLE_RU, "title"), (period_line(period, layout), "bold"), (INDEX_LINE, "")):
        plan.put(row, code_col, text, style)
        if layout.merged_cells:
            plan.merges.append((row, code_col, row, plan.last_col))
        row += 1
    if layout.consolidated_mark:
        plan.put(row, plan.last_col, CONSOLIDATED[lang], "bold")
        row += 1
    row += 1

    def header_block(start: int) -> int:
        labels = HEADER_LABELS[lang]
        bin_label, bin_value = bin_cells(bin, layout)
        fields = (
            ("body_name", labels["body_name"], body_name),
            ("bin", bin_label, bin_value),
            ("commissioner", labels["commissioner"], commissioner),
            ("phone", labels["phone"], phone),
            ("signed_on", labels["signed_on"], signed_on),
        )
        for offset, (name, label, value) in enumerate(fields):
            r = start + offset
            if layout.merged_cells:
                # The printed form's label spans the narrow code column and the label column.
                plan.put(r, code_col, label, "label")
                plan.merges.append((r, code_col, r, label_col))
            else:
                plan.put(r, label_col, label, "label")
            if value is not None:
                plan.put(r, value_col, value, "date" if isinstance(value, date) else "text")
            plan.header_cells[name] = (r, value_col) if value is not None else (r, code_col if layout.merged_cells else label_col)
        return start + len(fields) + 1

    if layout.header_position == "top":
        row = header_block(row)

    plan.heading_row = row
    number_heading, label_heading, value_heading = TABLE_HEADINGS[lang]
    plan.put(row, code_col, number_heading, "heading")
    plan.put(row, label_col, label_heading, "heading")
    if layout.value_column_heading:
        plan.put(row, value_col, value_heading, "heading")
    if previous_col is not None:
        plan.put(row, previous_col, PREVIOUS_HEADING[lang], "heading")
    row += 1

    for position, ind in enumerate(indicators()):
        if ind.code not in values:
            continue  # a row the commissioner deleted
        plan.put(row, code_col, code_cell_value(ind.code, layout), "code")
        plan.put(row, label_col, ind.label_kk if lang == "kk" else ind.label_ru, "wrap")
        plan.code_cells[ind.code] = (row, code_col)
        plan.value_cells[ind.code] = (row, value_col)
        cell = value_cell_value(values[ind.code], layout, position)
        if cell is not None:
            plan.put(row, value_col, cell, "value")
        if previous_col is not None and previous_values is not None and previous_values.get(ind.code) is not None:
            plan.put(row, previous_col, previous_values[ind.code], "value")
        row += 1

    if layout.formulas:
        add_total_formulas(plan, values, layout)
    if layout.header_position == "bottom":
        header_block(row + 1)

    plan.widths = {code_col: 8, label_col: 70, value_col: 18}
    if layout.extra_value_columns == "gap":
        plan.widths[value_col - 1] = 4
    if previous_col is not None:
        plan.widths[previous_col] = 14
    return plan


def add_total_formulas(plan: SheetPlan, values: dict[str, object], layout: FormLayout) -> None:
    """Replace totals by formulas over their 'of which' rows where the typed total equals their sum."""
    from openpyxl.utils import get_column_letter

    for total, parts in FORMULA_TOTALS.items():
        if total not in plan.value_cells or not all(p in plan.value_cells for p in parts):
            continue
        part_values = [values.get(p) for p in parts]
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in part_values + [values.get(total)]):
            continue
        if sum(part_values) != values[total] or layout.values_as_text:
            continue  # an inconsistent or text total is something people type by hand
        refs = "+".join(f"{get_column_letter(plan.value_cells[p][1] + 1)}{plan.value_cells[p][0] + 1}" for p in parts)
        plan.put(*plan.value_cells[total], Formula(f"={refs}", values[total]), "value")


def form_file_name(*parts: object) -> str:
    """A file name adep writes for the form: '1-әу_<part>_<part>.xlsx', always with the form's own letter ә."""
    return unicodedata.normalize("NFC", "_".join([FORM_INDEX, *(str(p) for p in parts)]) + ".xlsx")


def wrapped_line_count(text: object, width: float, indent: int = 0) -> int:
    """How many lines a wrapped cell of this column width (in character widths) needs to show the whole text."""
    capacity = max(1, int((width - 1 - indent * INDENT_WIDTH) / CHAR_WIDTH))
    lines = 0
    for paragraph in str(text or "").split("\n"):
        used = 0
        lines += 1
        for word in paragraph.split():
            if used and used + 1 + len(word) <= capacity:
                used += 1 + len(word)
                continue
            if used:
                lines += 1  # the word does not fit after the others: a new line
            # A word longer than a line breaks inside itself.
            spans = math.ceil(len(word) / capacity)
            lines += spans - 1
            used = len(word) - (spans - 1) * capacity
    return max(lines, 1)


def row_height(lines: int, font_size: float = 11.0) -> float:
    """The row height in points that shows this many lines of text of this size."""
    return math.ceil(lines * LINE_POINTS * font_size / 11.0 + 2)
