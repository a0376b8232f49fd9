"""A published quarter of the rollup world (L1 has not filed), its exports, and reading them back by content."""
from __future__ import annotations

from pathlib import Path

from openpyxl.worksheet.worksheet import Worksheet

from adep.outputs.export import ExportResult, write_consolidated
from adep.periods import Period
from contracts.form import codes
from tests.rollup_world import Q3, World, file_quarter, make_world
from warehouse.db import open_reader, open_writer
from tests.rollup_world import run_rollup

M1_TREE = ["M1", "D1", "T1", "T3"]
EVERYONE = ["M1", "D1", "T1", "T3", "M2", "T2", "L1", "A1"]


def published_world(tmp_path: Path) -> World:
    """Every expected body but L1 has filed for the world's third quarter; both stages are published."""
    world = make_world(tmp_path)
    file_quarter(world, Q3, skip=("L1",))
    with open_writer(world.settings) as con:
        run_rollup(con, Q3, "ministry")
        run_rollup(con, Q3, "agency")
    return world


def export(world: World, level: str, out: Path, period: Period = Q3, **options) -> ExportResult:
    con = open_reader(world.settings)
    try:
        return write_consolidated(con, period, level, out, **options)
    finally:
        con.close()


def form_values(ws: Worksheet) -> dict[str, int]:
    """Find the table by content: the row codes in column A under the heading, values in column C."""
    known = set(codes())
    return {str(row[0].value): row[2].value for row in ws.iter_rows(min_row=1) if str(row[0].value) in known}


def sheet_text(ws: Worksheet) -> str:
    return "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)


def heading_row(ws: Worksheet) -> int:
    """The row of a breakdown sheet that heads the form's row codes (1 ... 11.3)."""
    for row in ws.iter_rows():
        values = [c.value for c in row]
        if "1" in values and "11.3" in values:
            return row[0].row
    raise AssertionError(f"no heading row with the form's codes on {ws.title}")


def wide_rows(ws: Worksheet) -> tuple[list[object], list[list[object]]]:
    """The heading and the data rows of a breakdown sheet."""
    top = heading_row(ws)
    header = [c.value for c in ws[top]]
    rows = [[c.value for c in ws[r]] for r in range(top + 1, ws.max_row + 1)]
    return header, [r for r in rows if any(v is not None for v in r)]
