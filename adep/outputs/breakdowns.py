"""The export's breakdown sheets: one row per top-tier body, kind or region (or per body of one tree), one column
per indicator, with Kazakh and Russian headings and names, printed landscape and fitted to the page width."""
from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from adep.outputs.sheets import BOX, HEADING, TOP, WRAP_TOP, fit_rows, put_number, put_text, set_print
from adep.periods import Period
from contracts.form import codes as form_codes
from warehouse.queries import sql

BODIES_SHEET = "Органдар бойынша"
KINDS_SHEET = "Түрлері бойынша"
REGIONS_SHEET = "Өңірлер бойынша"
SHEET_TITLES = {
    BODIES_SHEET: "Мемлекеттік органдар бойынша / По государственным органам",
    KINDS_SHEET: "Органдардың түрлері бойынша / По видам органов",
    REGIONS_SHEET: "Өңірлер бойынша / По регионам",
}
# Column headings: Kazakh, then Russian, as on the printed form.
HEADINGS = {
    "bin": "БСН / БИН",
    "name_kk": "Мемлекеттік органның атауы / Наименование государственного органа",
    "kind": "Органның түрі / Вид органа",
    "kind_ru": "Орыс тілінде / На русском языке",
    "region": "Өңір / Регион",
    "region_ru": "Орыс тілінде / На русском языке",
    "parent_bin": "Жоғары тұрған органның БСН / БИН вышестоящего органа",
    "depth": "Деңгейі / Уровень",
    "state": "Есеп / Отчет",
    "body_name_as_filed": "Есептегі атауы / Наименование в отчете",
    "expected_count": "Күтілген есептер / Ожидалось отчетов",
    "covered_count": "Қамтылған есептер / Охвачено отчетов",
}
WIDTHS = {"bin": 14, "name_kk": 40, "kind": 28, "kind_ru": 28, "region": 20, "region_ru": 20,
          "parent_bin": 14, "depth": 8, "state": 16, "body_name_as_filed": 30, "expected_count": 12, "covered_count": 12}
CODE_WIDTH = 7
FILED = "тапсырылды / представлен"
NOT_FILED = "жоқ / не представлен"


@dataclass(frozen=True)
class SheetTitle:
    """What every printed page of a breakdown sheet says it is: the sheet, the period and the version."""

    period_text: str
    footer: tuple[str, str]


def member_names(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], tuple[str, str]]:
    """Kazakh and Russian names of kinds and regions, where the warehouse has them (else the key itself)."""
    names = {("kind", k): (kk, ru) for k, kk, ru in con.execute(sql("outputs/kind_names")).fetchall()}
    for key, kk, ru in con.execute(sql("outputs/region_names")).fetchall():
        names[("region", key)] = (kk or key, ru or key)
    return names


def _name(names: dict, breakdown: str, key: object, language: int) -> str:
    if key is None or (isinstance(key, float) and pd.isna(key)) or key == "":
        return ""
    return names.get((breakdown, key), (key, key))[language]


def _pivot(long: pd.DataFrame, keys: list[str], codes: list[str]) -> pd.DataFrame:
    """Long (member, code, value) rows to one row per member with a v_<code> column per row code."""
    if long.empty:
        return pd.DataFrame(columns=keys + [f"v_{c}" for c in codes])
    wide = long.groupby(keys + ["code"], dropna=False)["value"].sum(min_count=1).unstack("code")
    wide = wide.reindex(columns=codes)
    wide.columns = [f"v_{c}" for c in wide.columns]
    return wide.reset_index()


def write_wide_sheet(ws, frame: pd.DataFrame, columns: list[str], title: str, page: SheetTitle) -> None:
    """Title, one heading row (named columns, then the form's row codes), one row per member; printed landscape."""
    codes = list(form_codes())
    put_text(ws.cell(1, 1), f"{title} — {page.period_text}").font = Font(bold=True, size=12)
    heading_row = 2
    for col, name in enumerate(columns, start=1):
        cell = put_text(ws.cell(heading_row, col), HEADINGS[name])
        cell.font, cell.alignment, cell.border = Font(bold=True), HEADING, BOX
        ws.column_dimensions[get_column_letter(col)].width = WIDTHS[name]
    for col, code in enumerate(codes, start=len(columns) + 1):
        cell = put_text(ws.cell(heading_row, col), code)
        cell.font, cell.alignment, cell.border = Font(bold=True), HEADING, BOX
        # Wide enough for the largest figure, so no column prints as '###'.
        largest = frame[f"v_{code}"].max() if len(frame) else None
        digits = 1 if largest is None or pd.isna(largest) else len(str(int(largest)))
        ws.column_dimensions[get_column_letter(col)].width = max(CODE_WIDTH, digits + 2)
    # Records, not itertuples: a column named 'v_1.1' is no Python name, and itertuples would rename it.
    for r, row in enumerate(frame.to_dict("records"), start=heading_row + 1):
        for col, name in enumerate(columns, start=1):
            value = row[name]
            if isinstance(value, (int, float)) and not isinstance(value, bool) and not pd.isna(value):
                cell = put_number(ws.cell(r, col), value)
                cell.alignment = TOP
            else:
                cell = put_text(ws.cell(r, col), value)
                cell.alignment = WRAP_TOP
            cell.border = BOX
        for col, code in enumerate(codes, start=len(columns) + 1):
            cell = put_number(ws.cell(r, col), row.get(f"v_{code}"))
            cell.border, cell.alignment = BOX, TOP
    last_row = heading_row + len(frame)
    fit_rows(ws, heading_row, last_row)
    ws.freeze_panes = ws.cell(heading_row + 1, len(columns) + 1)
    set_print(ws, landscape=True, title_rows=f"1:{heading_row}", footer=page.footer)


def agency_breakdowns(wb: Workbook, con: duckdb.DuckDBPyConnection, period: Period, version_id: int, page: SheetTitle) -> None:
    """Per top-tier body (consolidated), per kind and per region of the reporting bodies, from rollup_breakdowns."""
    codes = list(form_codes())
    names = member_names(con)
    long = con.execute(sql("outputs/agency_breakdowns"),
                       {"year": period.year, "quarter": period.quarter, "version_id": version_id}).df()
    bodies = long[long.breakdown == "body"].fillna({"name_kk": "", "kind": "", "region": ""})
    wide = _pivot(bodies, ["breakdown_key", "name_kk", "kind", "region", "expected_count", "covered_count"], codes)
    wide = wide.assign(bin=wide.breakdown_key,
                       kind=[_name(names, "kind", k, 0) for k in wide.kind],
                       region=[_name(names, "region", k, 0) for k in wide.region]).sort_values("name_kk")
    write_wide_sheet(wb.create_sheet(BODIES_SHEET), wide,
                     ["bin", "name_kk", "kind", "region", "expected_count", "covered_count"],
                     SHEET_TITLES[BODIES_SHEET], page)
    for sheet, breakdown in ((KINDS_SHEET, "kind"), (REGIONS_SHEET, "region")):
        wide = _pivot(long[long.breakdown == breakdown], ["breakdown_key", "expected_count", "covered_count"], codes)
        kk, ru = (f"{breakdown}", f"{breakdown}_ru")
        wide = wide.assign(**{kk: [_name(names, breakdown, k, 0) for k in wide.breakdown_key],
                              ru: [_name(names, breakdown, k, 1) for k in wide.breakdown_key]})
        if breakdown == "kind":
            order = {k: i for i, (k, _, _) in enumerate(con.execute(sql("outputs/kind_names")).fetchall())}
            wide = wide.assign(_order=wide.breakdown_key.map(order)).sort_values(["_order", kk])
        else:
            wide = wide.sort_values(kk)
        write_wide_sheet(wb.create_sheet(sheet), wide, [kk, ru, "expected_count", "covered_count"], SHEET_TITLES[sheet], page)


def bodies_sheet(wb: Workbook, con: duckdb.DuckDBPyConnection, version_id: int, top_bin: str, page: SheetTitle) -> None:
    """Every body of the top-tier body's tree as published: its own figures, or marked as not filed."""
    codes = list(form_codes())
    names = member_names(con)
    long = con.execute(sql("outputs/top_body_tree"), {"version_id": version_id, "top_bin": top_bin}).df()
    keys = ["bin", "name_kk", "parent_bin", "depth", "kind", "region", "filed", "body_name_as_filed"]
    wide = _pivot(long.assign(code=long.code.fillna(codes[0])), keys, codes)
    wide.loc[~wide.filed.astype(bool), [f"v_{c}" for c in codes]] = None
    wide = wide.assign(state=[FILED if f else NOT_FILED for f in wide.filed],
                       kind=[_name(names, "kind", k, 0) for k in wide.kind],
                       region=[_name(names, "region", k, 0) for k in wide.region])
    write_wide_sheet(wb.create_sheet(BODIES_SHEET), wide.sort_values(["depth", "parent_bin", "name_kk"]),
                     ["bin", "name_kk", "parent_bin", "depth", "kind", "region", "state", "body_name_as_filed"],
                     SHEET_TITLES[BODIES_SHEET], page)
