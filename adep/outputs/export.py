"""The consolidated report in the layout of form 1-әу (openpyxl), from the latest published rollup, printed as
the form the Agency signs; refused when the publication is stale, unless the user accepts that."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from adep.forms.layout import CONSOLIDATED, INDEX_LINE, TABLE_HEADINGS, TITLE_KK, TITLE_RU, FormLayout, form_file_name, period_line
from adep.outputs.breakdowns import BODIES_SHEET, KINDS_SHEET, REGIONS_SHEET, SheetTitle, agency_breakdowns, bodies_sheet
from adep.outputs.sheets import BOX, HEADING, TOP, WRAP_TOP, fit_rows, put_number, put_text, set_print
from adep.files import atomic_path
from adep.errors import UserError
from adep.outputs.status import local_time
from adep.periods import Period
from contracts.bin import is_valid_bin
from contracts.form import FORM_INDEX
from contracts.reporting import AGENCY
from warehouse.queries import sql

__all__ = ["AGENCY_NAME_KK", "BODIES_SHEET", "FORM_SHEET", "KINDS_SHEET", "REGIONS_SHEET", "ExportError",
           "ExportResult", "StaleExport", "coverage_line", "default_export_name", "put_text", "write_consolidated"]

AGENCY_NAME_KK = AGENCY.kk
AGENCY_NAME_RU = AGENCY.ru
FORM_SHEET = FORM_INDEX
WIDTHS = {"A": 8, "B": 70, "C": 20}
SIGNATURES = (("Басшы / Руководитель", "____________________"),
              ("Орындаушы / Исполнитель", "____________________"),
              ("Күні / Дата", "«___» __________ 20___"))
CHANGE_WORDS = {  # how a report changed after publication: English (screen), Kazakh, Russian (the form)
    "arrived": ("{n} report(s) arrived", "{n} есеп келді", "поступило отчетов: {n}"),
    "revised": ("{n} report(s) were revised", "{n} есеп түзетілді", "исправлено отчетов: {n}"),
    "withdrawn": ("{n} report(s) were withdrawn", "{n} есеп кері алынды", "отозвано отчетов: {n}"),
}


class ExportError(UserError, ValueError):
    """Nothing to export: no published rollup for the level and period, or an unknown body."""


class StaleExport(ExportError):
    """The published rollup is older than reports that arrived or changed after it."""


@dataclass(frozen=True)
class ExportResult:
    path: Path
    level: str
    period: str
    version_id: int
    expected_count: int
    covered_count: int
    stale_counts: dict[str, int] = field(default_factory=dict)  # change ('arrived', ...) -> reports not included

    @property
    def stale_note(self) -> str:
        """What the export leaves out, in English for the screen; empty when the publication is up to date."""
        return _changes_text(self.stale_counts, 0) + " after publication and are not included" if self.stale_counts else ""


def default_export_name(level: str, period: Period) -> str:
    """The export's file name when the user gives none: 1-әу_<level>_<period>.xlsx."""
    return form_file_name(level, period)


def coverage_line(covered: int, expected: int, stale_counts: dict[str, int] | None = None) -> str:
    """How many expected reports the figures cover, and what arrived after publication and is not in them."""
    line = (f"Жиынтық есеп күтілген {expected} есептің {covered} есебін қамтиды "
            f"(охвачено {covered} из {expected} ожидаемых отчетов)")
    if stale_counts:
        line += (f"; жарияланғаннан кейін {_changes_text(stale_counts, 1)}, олар жиынтыққа енгізілмеген "
                 f"(после публикации {_changes_text(stale_counts, 2)}, они не включены)")
    return line


def _changes_text(counts: dict[str, int], language: int) -> str:
    return ", ".join(CHANGE_WORDS[change][language].format(n=n) for change, n in counts.items() if n)


def _quarter(period: Period) -> dict[str, int]:
    return {"year": period.year, "quarter": period.quarter}


def _latest_version(con: duckdb.DuckDBPyConnection, level: str, period: Period) -> pd.DataFrame:
    return con.execute(sql("outputs/latest_version"), {"level": level, **_quarter(period)}).df()


def _nothing_published(con: duckdb.DuckDBPyConnection, period: Period, stage: str) -> str:
    """Why there is no version to export: no reports loaded, no ministry stage, or no agency stage yet."""
    loaded = con.execute(sql("outputs/reports_in_force_count"), _quarter(period)).fetchone()[0]
    if not loaded:
        rejected = con.execute(sql("outputs/rejected_file_count"), _quarter(period)).fetchone()[0]
        why = f" ({rejected} file(s) for it were rejected: see rejected/)" if rejected else ""
        return (f"nothing to export for {period}: no report for {period} has been loaded{why}; "
                f"put the reports into intake/ and run 'adep intake'")
    ministry = _latest_version(con, "ministry", period)
    if ministry.empty:
        return (f"nothing to export for {period}: {loaded} report(s) are loaded but no ministry-level rollup is "
                f"published; run 'adep rollup {period} --stage {'all' if stage == 'agency' else 'ministry'}'")
    return (f"nothing to export for {period}: the ministry-level rollup is published (version "
            f"{int(ministry.version_id.iloc[0])}) but no agency-level rollup; run 'adep rollup {period} --stage agency'")


def _stale_changes(con: duckdb.DuckDBPyConnection, version_id: int, top_bin: str | None) -> pd.DataFrame:
    """Reports in force now that the exported version did not sum (within the exported body's tree)."""
    return con.execute(sql("outputs/stale_changes"), {"version_id": version_id, "top_bin": top_bin}).df()


def _stale_counts(stale: pd.DataFrame) -> dict[str, int]:
    return {change: int((stale.change == change).sum()) for change in CHANGE_WORDS if (stale.change == change).any()}


def _stale_message(stale: pd.DataFrame, period: Period, stage: str, version: pd.Series) -> str:
    shown = [f"{row.name_kk or '?'} ({row.bin})" for row in stale.head(3).itertuples()]
    more = f" and {len(stale) - 3} more" if len(stale) > 3 else ""
    published = f"{local_time(version.published_at):%Y-%m-%d %H:%M} Asia/Almaty"
    return (f"the published {stage}-level rollup of {period} (version {int(version.version_id)}, {published}) is stale: "
            f"{_changes_text(_stale_counts(stale), 0)} after publication ({', '.join(shown)}{more}); "
            f"run 'adep rollup {period} --stage {'all' if stage == 'agency' else 'ministry'}' to include them, "
            f"or export it as it is with --allow-stale")


def write_consolidated(con: duckdb.DuckDBPyConnection, period: Period, level: str, out: str | Path,
                       *, allow_stale: bool = False) -> ExportResult:
    """Write the consolidated form for 'agency' or a top-tier body's BIN, with its breakdown sheets."""
    out = Path(out)
    if level == "agency":
        stage, bin_ = "agency", None
    elif is_valid_bin(level):
        stage, bin_ = "ministry", level
    else:
        raise ExportError(f"level must be 'agency' or the BIN of a top-tier body, not {level!r}")
    version = _latest_version(con, stage, period)
    if version.empty:
        raise ExportError(_nothing_published(con, period, stage))
    version_id = int(version.version_id.iloc[0])
    values = _form_values(con, period, stage, bin_)
    if values.value.isna().all():
        raise ExportError(f"{bin_} is not a top-tier body in the published {stage}-level rollup for {period}")
    stale = _stale_changes(con, version_id, bin_)
    if not stale.empty and not allow_stale:
        raise StaleExport(_stale_message(stale, period, stage, version.iloc[0]))
    stale_counts = _stale_counts(stale)
    expected, covered = int(values.expected_count.iloc[0]), int(values.covered_count.iloc[0])
    if bin_ is None:
        names = (AGENCY_NAME_KK, AGENCY_NAME_RU)
    else:
        rows = con.execute(sql("outputs/tree_body_names"), {"version_id": version_id, "bin": bin_}).fetchall()
        names = rows[0] if rows else ("", "")

    page = _page_title(period, version.iloc[0])
    wb = Workbook()
    ws = wb.active
    ws.title = FORM_SHEET
    _form_sheet(ws, period, names, bin_, values, coverage_line(covered, expected, stale_counts), version.iloc[0], page)
    if bin_ is None:
        agency_breakdowns(wb, con, period, version_id, page)
    else:
        bodies_sheet(wb, con, version_id, bin_, page)
    with atomic_path(out) as tmp:
        wb.save(tmp)
    return ExportResult(out, level, str(period), version_id, expected, covered, stale_counts)


def _form_values(con: duckdb.DuckDBPyConnection, period: Period, level: str, bin_: str | None) -> pd.DataFrame:
    return con.execute(sql("outputs/form_values"), {"level": level, "bin": bin_, **_quarter(period)}).df()


def _periods_text(period: Period) -> str:
    return f"{period_line(period, FormLayout())} / {period_line(period, FormLayout(language='ru'))}"


def _page_title(period: Period, version: pd.Series) -> SheetTitle:
    """The period and version every printed page names in its footer."""
    published = f"{local_time(version.published_at):%Y-%m-%d %H:%M}"
    return SheetTitle(
        period_text=_periods_text(period),
        footer=(f"{FORM_INDEX}, {period.year} ж. {period.quarter} тоқсан / {period.quarter} кв. {period.year} г.",
                f"Нұсқа / Версия № {int(version.version_id)}, {published}"),
    )


def _form_sheet(ws, period: Period, names: tuple[str, str], bin_: str | None, values: pd.DataFrame, coverage: str,
                version: pd.Series, page: SheetTitle) -> None:
    """Titles, period, the body, coverage and version, the form's 40 rows, signatures; A4 portrait."""
    for column, width in WIDTHS.items():
        ws.column_dimensions[column].width = width
    published = f"{local_time(version.published_at):%Y-%m-%d %H:%M}"
    bold, title = Font(bold=True), Font(bold=True, size=12)
    name = names[0] + (f" / {names[1]}" if names[1] and names[1] != names[0] else "")
    lines = [
        (TITLE_KK, title),
        (TITLE_RU, title),
        (_periods_text(period), bold),
        (f"{INDEX_LINE}   ({CONSOLIDATED['kk']} / {CONSOLIDATED['ru']})", bold),
        ("", None),
        (f"Мемлекеттік органның атауы / Наименование государственного органа: {name}", None),
        *([(f"БСН / БИН: {bin_}", None)] if bin_ else []),
        (coverage, None),
        (f"Жарияланған нұсқа / Опубликованная версия № {int(version.version_id)}, {published} "
         "(Астана уақыты / время Астаны)", None),
        ("", None),
    ]
    for row, (text, font) in enumerate(lines, start=1):
        if not text:
            continue
        cell = put_text(ws.cell(row, 1), text)
        cell.font = font or Font()
        cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="center" if font is title else "left")
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
    heading_row = len(lines) + 1
    for col, (kk, ru) in enumerate(zip(TABLE_HEADINGS["kk"], TABLE_HEADINGS["ru"]), start=1):
        cell = put_text(ws.cell(heading_row, col), f"{kk}\n{ru}")
        cell.font, cell.border, cell.alignment = Font(bold=True), BOX, HEADING
    for offset, item in enumerate(values.itertuples(), start=1):
        r = heading_row + offset
        code = put_text(ws.cell(r, 1), item.code)
        code.alignment, code.border = Alignment(horizontal="center", vertical="top"), BOX
        label = put_text(ws.cell(r, 2), item.label_kk)
        label.alignment = Alignment(wrap_text=True, vertical="top", indent=item.code.count("."))
        label.border = BOX
        value = put_number(ws.cell(r, 3), 0 if pd.isna(item.value) else item.value)
        value.border, value.alignment = BOX, TOP
    last_table_row = heading_row + len(values)
    for offset, (role, line) in enumerate(SIGNATURES, start=2):
        put_text(ws.cell(last_table_row + offset, 2), role).alignment = WRAP_TOP
        put_text(ws.cell(last_table_row + offset, 3), line)
    fit_rows(ws, 1, last_table_row + len(SIGNATURES) + 1)
    ws.freeze_panes = ws.cell(heading_row + 1, 1)
    ws.print_area = f"A1:C{last_table_row + len(SIGNATURES) + 1}"
    set_print(ws, landscape=False, title_rows=f"{heading_row}:{heading_row}", footer=page.footer)
