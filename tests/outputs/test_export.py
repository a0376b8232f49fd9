"""adep export: the consolidated form 1-әу re-read with openpyxl gives the rolled-up numbers; text stays text."""
from __future__ import annotations

import zipfile

import pytest
from openpyxl import load_workbook

from adep.cli.parser import main
from adep.outputs.export import ExportError, put_text, write_consolidated
from contracts.form import codes
from tests.rollup_world import Q3, file_quarter, make_world
from warehouse.db import open_reader, open_writer
from warehouse.rollups import run_rollup

M1_TREE = ["M1", "D1", "T1", "T3"]
EVERYONE = ["M1", "D1", "T1", "T3", "M2", "T2", "L1", "A1"]


@pytest.fixture
def world(tmp_path):
    w = make_world(tmp_path)
    file_quarter(w, Q3, skip=("L1",))
    with open_writer(w.settings) as con:
        run_rollup(con, Q3, "ministry")
        run_rollup(con, Q3, "agency")
    return w


def export(world, level, tmp_path):
    con = open_reader(world.settings)
    try:
        return write_consolidated(con, Q3, level, tmp_path / f"{level}.xlsx")
    finally:
        con.close()


def form_values(ws) -> dict[str, int]:
    """Find the table by content: the row codes in column A under the heading, values in column C."""
    known = set(codes())
    return {str(row[0].value): row[2].value for row in ws.iter_rows(min_row=1) if str(row[0].value) in known}


def test_agency_export_reads_back_as_the_national_figures(world, tmp_path):
    result = export(world, "agency", tmp_path)
    wb = load_workbook(result.path)
    ws = wb["1-әу"]
    assert form_values(ws) == world.sum_of(EVERYONE, Q3)
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
    assert "7 есебін қамтиды" in text and "охвачено 7 из 8" in text
    assert f"Есепті кезең {Q3.year} жылғы 3 тоқсан" in text and "жиынтық" in text
    labels = {str(row[0].value): row[1].value for row in ws.iter_rows() if str(row[0].value) in set(codes())}
    assert labels["2"] == "Азаматтардың жеке қабылдаулары" and labels["1.1"] == "мемлекеттік қызметшілерге"
    bodies = wb["Органдар бойынша"]
    header = [c.value for c in bodies[1]]
    code_col = header.index("1") + 1
    by_bin = {bodies.cell(r, 1).value: bodies.cell(r, code_col).value for r in range(2, bodies.max_row + 1)}
    assert by_bin == {world.bins[t]: world.sum_of(m, Q3)["1"] for t, m in
                      {"M1": M1_TREE, "M2": ["M2", "T2"], "A1": ["A1"]}.items()}
    assert {"Түрлері бойынша", "Өңірлер бойынша"} <= set(wb.sheetnames)


def test_body_export_has_every_subordinate_and_the_missing_one(world, tmp_path):
    result = export(world, world.bins["M2"], tmp_path)
    wb = load_workbook(result.path)
    assert form_values(wb["1-әу"]) == world.sum_of(["M2", "T2"], Q3)
    assert (result.covered_count, result.expected_count) == (2, 3)
    sheet = wb["Органдар бойынша"]
    rows = {sheet.cell(r, 1).value: [c.value for c in sheet[r]] for r in range(2, sheet.max_row + 1)}
    assert set(rows) == {world.bins[n] for n in ("M2", "T2", "L1")}
    assert rows[world.bins["L1"]][6] == "жоқ" and rows[world.bins["L1"]][8] is None
    assert rows[world.bins["T2"]][8] == world.own[("T2", Q3)]["1"]


def test_text_from_submissions_never_becomes_a_formula(world, tmp_path):
    # rollup_world files every report with the body name '=HYPERLINK("http://x","...")'.
    result = export(world, world.bins["M1"], tmp_path)
    sheet = load_workbook(result.path)["Органдар бойынша"]
    names = [sheet.cell(r, 8).value for r in range(2, sheet.max_row + 1)]
    assert any(str(n).startswith("=HYPERLINK") for n in names)
    assert all(sheet.cell(r, 8).data_type != "f" for r in range(2, sheet.max_row + 1))
    with zipfile.ZipFile(result.path) as zf:
        xml = b"".join(zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/"))
    assert b"<f>" not in xml and b"<f " not in xml


def test_put_text_strips_formula_power_and_control_characters():
    from openpyxl import Workbook

    ws = Workbook().active
    for i, text in enumerate(["=1+1", "+7", "-3", "@SUM(A1)", "plain", "bad\x01char"], start=1):
        put_text(ws.cell(i, 1), text)
    assert [ws.cell(i, 1).data_type for i in range(1, 7)] == ["s"] * 6
    assert ws.cell(6, 1).value == "badchar"
    assert ws.cell(1, 1).quotePrefix


def test_export_refuses_what_is_not_published(world, tmp_path):
    con = open_reader(world.settings)
    try:
        with pytest.raises(ExportError, match="no agency-level rollup"):
            write_consolidated(con, Q3.next(), "agency", tmp_path / "x.xlsx")
        with pytest.raises(ExportError, match="not a top-tier body"):
            write_consolidated(con, Q3, world.bins["T1"], tmp_path / "x.xlsx")
        with pytest.raises(ExportError):
            write_consolidated(con, Q3, "ministry", tmp_path / "x.xlsx")
    finally:
        con.close()


def test_export_command(world, tmp_path):
    out = tmp_path / "out" / "agency.xlsx"
    assert main(["--home", str(world.settings.home), "export", str(Q3), "--level", "agency", "--out", str(out)]) == 0
    assert form_values(load_workbook(out)["1-әу"]) == world.sum_of(EVERYONE, Q3)
    assert main(["--home", str(world.settings.home), "export", "2027Q1", "--level", "agency"]) == 2
