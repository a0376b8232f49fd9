"""The consolidated report in the layout of form 1-әу (openpyxl), from the latest published rollup."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from adep.errors import UserError
from adep.periods import Period
from adep.outputs.status import local_time
from adep.forms.layout import CONSOLIDATED, HEADER_LABELS, INDEX_LINE, TABLE_HEADINGS, TITLE_KK, FormLayout, period_line
from contracts.bin import is_valid_bin

AGENCY_NAME_KK = "Қазақстан Республикасы Мемлекеттік қызмет істері агенттігі"
FORM_SHEET = "1-әу"
BODIES_SHEET = "Органдар бойынша"
KINDS_SHEET = "Түрлері бойынша"
REGIONS_SHEET = "Өңірлер бойынша"
# A cell whose text starts with one of these is taken as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
_THIN = Side(style="thin")
_BOX = Border(_THIN, _THIN, _THIN, _THIN)


class ExportError(UserError, ValueError):
    """Nothing to export: no published rollup for the level and period, or an unknown body."""


@dataclass(frozen=True)
class ExportResult:
    path: Path
    level: str
    period: str
    version_id: int
    expected_count: int
    covered_count: int


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


def _number(cell: Cell, value: object) -> Cell:
    cell.value = None if value is None or pd.isna(value) else int(value)
    return cell


def coverage_line(covered: int, expected: int) -> str:
    return (f"Жиынтық есеп күтілген {expected} есептің {covered} есебін қамтиды "
            f"(охвачено {covered} из {expected} ожидаемых отчетов)")


def _latest_version(con: duckdb.DuckDBPyConnection, level: str, period: Period) -> pd.DataFrame:
    return con.execute(
        "select * from rollup_versions where is_latest and level = ? and year = ? and quarter = ?",
        [level, period.year, period.quarter],
    ).df()


def _form_values(con: duckdb.DuckDBPyConnection, period: Period, level: str, bin_: str | None) -> pd.DataFrame:
    return con.execute(
        """
        select i.code, i.label_kk, i.position, r.value, r.expected_count, r.covered_count
        from core_indicators as i
        left join rollup_values as r
          on r.code = i.code and r.level = ? and r.year = ? and r.quarter = ? and r.bin is not distinct from ?
        order by i.position
        """,
        [level, period.year, period.quarter, bin_],
    ).df()


def write_consolidated(con: duckdb.DuckDBPyConnection, period: Period, level: str, out: str | Path) -> ExportResult:
    """Write the consolidated form for 'agency' or a top-tier body's BIN, with per-body breakdown sheets."""
    out = Path(out)
    if level == "agency":
        stage, bin_ = "agency", None
    elif is_valid_bin(level):
        stage, bin_ = "ministry", level
    else:
        raise ExportError(f"level must be 'agency' or the BIN of a top-tier body, not {level!r}")
    version = _latest_version(con, stage, period)
    if version.empty:
        raise ExportError(f"no {stage}-level rollup is published for {period}: run 'adep rollup {period} --stage {stage}'")
    version_id = int(version.version_id.iloc[0])
    values = _form_values(con, period, stage, bin_)
    if values.value.isna().all():
        raise ExportError(f"{bin_} is not a top-tier body in the published {stage}-level rollup for {period}")
    expected, covered = int(values.expected_count.iloc[0]), int(values.covered_count.iloc[0])
    if bin_ is None:
        name = AGENCY_NAME_KK
    else:
        names = con.execute("select name_kk from core_rollup_tree where version_id = ? and bin = ?", [version_id, bin_]).fetchall()
        name = names[0][0] if names else ""

    wb = Workbook()
    ws = wb.active
    ws.title = FORM_SHEET
    _form_sheet(ws, period, name, bin_, values, expected, covered, version.iloc[0])
    if bin_ is None:
        _agency_breakdowns(wb, con, period)
    else:
        _bodies_sheet(wb.create_sheet(BODIES_SHEET), con, version_id, bin_)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    wb.save(tmp)
    tmp.replace(out)
    return ExportResult(out, level, str(period), version_id, expected, covered)


def _form_sheet(ws, period: Period, name: str, bin_: str | None, values: pd.DataFrame, expected: int, covered: int,
                version: pd.Series) -> None:
    """Title, index, period, header with the body, the coverage line, then the form's 40 rows."""
    labels = HEADER_LABELS["kk"]
    put_text(ws.cell(1, 1), TITLE_KK).font = Font(bold=True, size=12)
    put_text(ws.cell(2, 1), period_line(period, FormLayout())).font = Font(bold=True)
    put_text(ws.cell(3, 1), INDEX_LINE)
    put_text(ws.cell(3, 3), CONSOLIDATED["kk"]).font = Font(bold=True)
    put_text(ws.cell(5, 2), labels["body_name"])
    put_text(ws.cell(5, 3), name)
    put_text(ws.cell(6, 2), labels["bin"])
    put_text(ws.cell(6, 3), bin_ or "")
    put_text(ws.cell(7, 2), "Қамтылған есептер")
    put_text(ws.cell(7, 3), f"{covered} / {expected}")
    put_text(ws.cell(8, 1), coverage_line(covered, expected))
    put_text(ws.cell(9, 1), f"Жарияланған нұсқа № {int(version.version_id)}, {local_time(version.published_at):%Y-%m-%d %H:%M} (Астана уақыты)")
    heading_row = 11
    for col, text in enumerate(TABLE_HEADINGS["kk"], start=1):
        cell = put_text(ws.cell(heading_row, col), text)
        cell.font, cell.border = Font(bold=True), _BOX
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
    for offset, row in enumerate(values.itertuples(), start=1):
        r = heading_row + offset
        code = put_text(ws.cell(r, 1), row.code)
        code.alignment, code.border = Alignment(horizontal="center", vertical="top"), _BOX
        label = put_text(ws.cell(r, 2), row.label_kk)
        label.alignment = Alignment(wrap_text=True, vertical="top", indent=row.code.count("."))
        label.border = _BOX
        value = _number(ws.cell(r, 3), 0 if pd.isna(row.value) else row.value)
        value.border = _BOX
    ws.column_dimensions["A"].width = 8
    ws.column_dimensions["B"].width = 70
    ws.column_dimensions["C"].width = 20
    ws.print_title_rows = f"{heading_row}:{heading_row}"
    ws.freeze_panes = ws.cell(heading_row + 1, 1)


def _codes(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("select code from core_indicators order by position").fetchall()]


def _wide_sheet(ws, frame: pd.DataFrame, key_columns: list[tuple[str, str]], codes: list[str]) -> None:
    """One row per member: its key columns as text, then one column per row code of the form."""
    for col, (_, heading) in enumerate(key_columns, start=1):
        put_text(ws.cell(1, col), heading).font = Font(bold=True)
    for offset, code in enumerate(codes, start=len(key_columns) + 1):
        put_text(ws.cell(1, offset), code).font = Font(bold=True)
    for r, row in enumerate(frame.itertuples(index=False), start=2):
        data = row._asdict()
        for col, (name, _) in enumerate(key_columns, start=1):
            value = data[name]
            if isinstance(value, (int, float)) and not isinstance(value, bool) and not pd.isna(value):
                _number(ws.cell(r, col), value)
            else:
                put_text(ws.cell(r, col), value)
        for offset, code in enumerate(codes, start=len(key_columns) + 1):
            _number(ws.cell(r, offset), data.get(f"v_{code}"))
    ws.freeze_panes = ws.cell(2, len(key_columns) + 1)
    for col in range(1, len(key_columns) + 1):
        ws.column_dimensions[get_column_letter(col)].width = 16
    ws.column_dimensions["B"].width = 45


def _pivot(long: pd.DataFrame, keys: list[str], codes: list[str]) -> pd.DataFrame:
    """Long (member, code, value) rows to one row per member with a v_<code> column per row code."""
    if long.empty:
        return pd.DataFrame(columns=keys + [f"v_{c}" for c in codes])
    wide = long.groupby(keys + ["code"], dropna=False)["value"].sum(min_count=1).unstack("code")
    wide = wide.reindex(columns=codes)
    wide.columns = [f"v_{c}" for c in wide.columns]
    return wide.reset_index()


def _agency_breakdowns(wb: Workbook, con: duckdb.DuckDBPyConnection, period: Period) -> None:
    """Per top-tier body (consolidated), per kind and per region of the reporting bodies."""
    codes = _codes(con)
    long = con.execute(
        """
        select b.breakdown, coalesce(b.breakdown_key, '') as breakdown_key, b.code, b.value, b.expected_count,
               b.covered_count, t.name_kk, t.kind, t.region
        from rollup_breakdowns as b
        left join core_rollup_tree as t on t.version_id = b.version_id and t.bin = b.breakdown_key and b.breakdown = 'body'
        where b.year = ? and b.quarter = ?
        """,
        [period.year, period.quarter],
    ).df()
    bodies = long[long.breakdown == "body"].fillna({"name_kk": "", "kind": "", "region": ""})
    _wide_sheet(wb.create_sheet(BODIES_SHEET),
                _pivot(bodies, ["breakdown_key", "name_kk", "kind", "region", "expected_count", "covered_count"], codes)
                .sort_values("name_kk"),
                [("breakdown_key", "БСН"), ("name_kk", "Мемлекеттік органның атауы"), ("kind", "kind"),
                 ("region", "region"), ("expected_count", "күтілген есептер"), ("covered_count", "қамтылған есептер")],
                codes)
    for sheet, breakdown, heading in ((KINDS_SHEET, "kind", "kind"), (REGIONS_SHEET, "region", "region")):
        part = long[long.breakdown == breakdown]
        _wide_sheet(wb.create_sheet(sheet),
                    _pivot(part, ["breakdown_key", "expected_count", "covered_count"], codes).sort_values("breakdown_key"),
                    [("breakdown_key", heading), ("expected_count", "күтілген есептер"), ("covered_count", "қамтылған есептер")],
                    codes)


def _bodies_sheet(ws, con: duckdb.DuckDBPyConnection, version_id: int, top_bin: str) -> None:
    """Every body of the top-tier body's tree as published: its own figures, or marked missing."""
    codes = _codes(con)
    long = con.execute(
        """
        select t.bin, t.name_kk, coalesce(t.parent_bin, '') as parent_bin, t.depth, t.kind, coalesce(t.region, '') as region,
               case when i.file_id is null then 'жоқ' else 'тапсырылды' end as state,
               coalesce(s.body_name, '') as body_name_as_filed, v.code, v.value
        from core_rollup_tree as t
        left join core_rollup_inputs as i on i.version_id = t.version_id and i.bin = t.bin
        left join core_submissions as s on s.file_id = i.file_id
        left join core_values as v on v.file_id = i.file_id
        where t.version_id = ? and t.top_bin = ?
        """,
        [version_id, top_bin],
    ).df()
    keys = ["bin", "name_kk", "parent_bin", "depth", "kind", "region", "state", "body_name_as_filed"]
    filled = long.assign(code=long.code.fillna(codes[0]))
    wide = _pivot(filled, keys, codes).sort_values(["depth", "parent_bin", "name_kk"])
    missing = wide.state == "жоқ"
    wide.loc[missing, [f"v_{c}" for c in codes]] = None
    _wide_sheet(ws, wide,
                [("bin", "БСН"), ("name_kk", "Мемлекеттік органның атауы"), ("parent_bin", "жоғары тұрған орган"),
                 ("depth", "деңгей"), ("kind", "kind"), ("region", "region"), ("state", "есеп"),
                 ("body_name_as_filed", "есептегі атауы")],
                codes)
