"""Form 1-әу workbooks written as commissioners' spreadsheet programs write them: one builder, many layouts."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from adep.files import atomic_path
from adep.periods import Period
from adep.forms.layout import (
    HEADER_LABELS,
    FormLayout,
    Formula,
    SheetPlan,
    plan_sheet,
)
from contracts.form import FORM_INDEX, indicators

__all__ = ["FormLayout", "Formula", "SheetPlan", "plan_sheet", "write_report", "write_template"]

FORM_SHEET = FORM_INDEX
INSTRUCTIONS = {
    "kk": ("Нұсқаулық", [
        "Нысанды толтыру жөніндегі түсініктеме",
        "Барлық көрсеткіштер есепті тоқсан үшін бүтін сандармен көрсетіледі.",
        "Толтырылған нысанды мерзімінде жолдаңыз.",
    ]),
    "ru": ("Инструкция", [
        "Пояснение по заполнению формы",
        "Все показатели указываются целыми числами за отчетный квартал.",
        "Заполненную форму направьте в установленный срок.",
    ]),
}
VALIDATION_ERROR = (
    "Тек бүтін теріс емес сан енгізіңіз (0, 1, 2, ...). / "
    "Введите целое неотрицательное число (0, 1, 2, ...)."
)
RUSSIAN_LABEL_HEADING = "Атауы орыс тілінде / Наименование на русском языке"


def write_report(
    path: str | Path,
    *,
    bin: str,
    period: Period | str,
    body_name: str,
    commissioner: str,
    phone: str,
    signed_on: date | str | None,
    values: dict[str, object],
    layout: FormLayout = FormLayout(),
    previous_values: dict[str, object] | None = None,
) -> Path:
    """Write one body's quarterly report; a code missing from values is a row the commissioner deleted."""
    period = Period.parse(period) if isinstance(period, str) else period
    plan = plan_sheet(
        bin=bin, period=period, body_name=body_name, commissioner=commissioner, phone=phone,
        signed_on=signed_on, values=values, layout=layout, previous_values=previous_values,
    )
    created = _created_at(signed_on, period)
    path = Path(path)
    if layout.writer == "openpyxl":
        _save_openpyxl(plan, path, layout, created)
    else:
        _save_xlsxwriter(plan, path, layout, created)
    return path


def write_template(
    path: str | Path,
    *,
    bin: str,
    period: Period | str,
    body_name: str,
    commissioner: str = "",
    phone: str = "",
    signed_on: date | str | None = None,
) -> Path:
    """A blank form for one body and period: header filled, value cells limited to whole numbers >= 0."""
    from openpyxl.worksheet.datavalidation import DataValidation

    period = Period.parse(period) if isinstance(period, str) else period
    layout = FormLayout(language="kk", writer="openpyxl")
    plan = plan_sheet(
        bin=bin, period=period, body_name=body_name, commissioner=commissioner or None, phone=phone or None,
        signed_on=signed_on, values={code: None for code in _codes()}, layout=layout,
    )
    # Russian labels in their own column to the right, so the form prints bilingual.
    russian_col = plan.last_col + 1
    plan.put(plan.heading_row, russian_col, RUSSIAN_LABEL_HEADING, "heading")
    for ind in indicators():
        plan.put(plan.code_cells[ind.code][0], russian_col, ind.label_ru, "wrap")
    # Header labels bilingual in their own cell: a Russian label beside an empty field would read as its value.
    kk_labels, ru_labels = HEADER_LABELS["kk"], HEADER_LABELS["ru"]
    for name, (row, _col) in plan.header_cells.items():
        plan.put(row, plan.value_col - 1, f"{kk_labels[name]} / {ru_labels[name]}", "label")
    plan.widths[russian_col] = 60
    wb = _openpyxl_workbook(plan, layout, _created_at(signed_on, period))
    ws = wb[FORM_SHEET]
    validation = DataValidation(
        type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
        showErrorMessage=True, errorTitle="1-әу", error=VALIDATION_ERROR,
        showInputMessage=True, promptTitle="1-әу", prompt="Бүтін сан / Целое число",
    )
    ws.add_data_validation(validation)
    for row, col in plan.value_cells.values():
        validation.add(ws.cell(row=row + 1, column=col + 1).coordinate)
    path = Path(path)
    with atomic_path(path) as tmp:  # a template handed out is never half a workbook
        wb.save(tmp)
    return path


def _codes() -> list[str]:
    return [i.code for i in indicators()]


def _created_at(signed_on: date | str | None, period: Period) -> datetime:
    """A fixed creation time, so the same report written twice gives the same bytes."""
    day = signed_on if isinstance(signed_on, date) else period.last_day
    return datetime(day.year, day.month, day.day, 9, 0, 0)


def _sheet_names(layout: FormLayout) -> list[str]:
    return ([INSTRUCTIONS[layout.language][0]] if layout.extra_sheets else []) + [FORM_SHEET]


def _save_openpyxl(plan: SheetPlan, path: Path, layout: FormLayout, created: datetime) -> None:
    _openpyxl_workbook(plan, layout, created).save(path)


def _openpyxl_workbook(plan: SheetPlan, layout: FormLayout, created: datetime):
    """The plan drawn with openpyxl: formulas are saved without values, as openpyxl cannot calculate."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    wb = Workbook()
    wb.properties.created = created
    wb.properties.modified = created
    ws = wb.active
    if layout.extra_sheets:
        ws.title, lines = INSTRUCTIONS[layout.language]
        for i, line in enumerate(lines, start=1):
            ws.cell(row=i, column=1, value=line)
        ws = wb.create_sheet(FORM_SHEET)
    else:
        ws.title = FORM_SHEET
    thin = Side(style="thin")
    styles = {
        "title": dict(font=Font(bold=True, size=12), alignment=Alignment(horizontal="center", wrap_text=True)),
        "bold": dict(font=Font(bold=True)),
        "heading": dict(font=Font(bold=True), alignment=Alignment(wrap_text=True, vertical="center", horizontal="center"),
                        border=Border(thin, thin, thin, thin)),
        "wrap": dict(alignment=Alignment(wrap_text=True, vertical="top"), border=Border(thin, thin, thin, thin)),
        "code": dict(alignment=Alignment(vertical="top", horizontal="center"), border=Border(thin, thin, thin, thin)),
        "value": dict(alignment=Alignment(vertical="top", horizontal="right"), border=Border(thin, thin, thin, thin)),
        "label": dict(alignment=Alignment(wrap_text=True)),
    }
    for (row, col), value in plan.cells.items():
        cell = ws.cell(row=row + 1, column=col + 1)
        if isinstance(value, Formula):
            cell.value = value.text
        else:
            cell.value = value
        if isinstance(value, date):
            cell.number_format = "DD.MM.YYYY"
        for attr, style in styles.get(plan.styles.get((row, col), ""), {}).items():
            setattr(cell, attr, style)
    for r1, c1, r2, c2 in plan.merges:
        ws.merge_cells(start_row=r1 + 1, start_column=c1 + 1, end_row=r2 + 1, end_column=c2 + 1)
    from openpyxl.utils import get_column_letter

    for col, width in plan.widths.items():
        ws.column_dimensions[get_column_letter(col + 1)].width = width
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{plan.heading_row + 1}:{plan.heading_row + 1}"
    if layout.extra_sheets:
        wb.active = 1
    return wb


def _save_xlsxwriter(plan: SheetPlan, path: Path, layout: FormLayout, created: datetime) -> None:
    """The plan drawn with xlsxwriter: formulas carry the value a spreadsheet program would have saved."""
    import xlsxwriter

    # In memory: a one-page form needs no temporary files, and skipping them halves the time per file.
    # The strings_to_* options stay off so a value typed as text stays text, as the field sends it.
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": False, "in_memory": True, "strings_to_numbers": False,
                                          "strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties({"created": created})
    if layout.extra_sheets:
        name, lines = INSTRUCTIONS[layout.language]
        info = wb.add_worksheet(name)
        for i, line in enumerate(lines):
            info.write_string(i, 0, line)
    ws = wb.add_worksheet(FORM_SHEET)
    if layout.extra_sheets:
        ws.activate()
    border = {"border": 1}
    formats = {
        "title": wb.add_format({"bold": True, "font_size": 12, "align": "center", "text_wrap": True}),
        "bold": wb.add_format({"bold": True}),
        "heading": wb.add_format({"bold": True, "text_wrap": True, "valign": "vcenter", "align": "center", **border}),
        "wrap": wb.add_format({"text_wrap": True, "valign": "top", **border}),
        "code": wb.add_format({"align": "center", "valign": "top", **border}),
        "value": wb.add_format({"align": "right", "valign": "top", **border}),
        "label": wb.add_format({"text_wrap": True}),
        "date": wb.add_format({"num_format": "dd.mm.yyyy"}),
        "text": None,
    }
    merged_starts = {(r1, c1): (r2, c2) for r1, c1, r2, c2 in plan.merges}
    covered = {(r, c) for r1, c1, r2, c2 in plan.merges for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
    for (row, col), value in plan.cells.items():
        fmt = formats.get(plan.styles.get((row, col), ""))
        if (row, col) in merged_starts:
            r2, c2 = merged_starts[(row, col)]
            ws.merge_range(row, col, r2, c2, value, fmt)
        elif (row, col) in covered:
            continue
        else:
            _write_xlsxwriter_cell(ws, row, col, value, fmt, formats["date"])
    for (r1, c1), (r2, c2) in merged_starts.items():
        if (r1, c1) not in plan.cells:
            ws.merge_range(r1, c1, r2, c2, "")
    for col, width in plan.widths.items():
        ws.set_column(col, col, width)
    ws.set_portrait()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(plan.heading_row)
    wb.close()


def _write_xlsxwriter_cell(ws, row: int, col: int, value: object, fmt, date_fmt) -> None:
    """One cell with the write call that keeps its type: text stays text, a date stays a date."""
    if isinstance(value, Formula):
        ws.write_formula(row, col, value.text, fmt, value.value if value.value is not None else 0)
    elif isinstance(value, str):
        ws.write_string(row, col, value, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt)
    elif isinstance(value, (int, float)):
        ws.write_number(row, col, value, fmt)
    elif isinstance(value, (date, datetime)):
        ws.write_datetime(row, col, datetime(value.year, value.month, value.day), date_fmt)
    elif value is not None:
        ws.write(row, col, value, fmt)
