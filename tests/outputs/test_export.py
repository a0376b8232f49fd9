"""adep export: the consolidated form 1-әу re-read with openpyxl gives the rolled-up numbers on every sheet; text
stays text; a stale publication is refused unless accepted; nothing published says what is missing."""
from __future__ import annotations

import zipfile

import pytest
from openpyxl import load_workbook

from adep.cli.parser import main
from adep.outputs.export import ExportError, StaleExport, put_text
from contracts.form import codes
from tests.export_world import EVERYONE, M1_TREE, export, form_values, published_world, sheet_text, wide_rows
from tests.rollup_world import Q2, Q3, Q4, file_quarter
from warehouse.db import open_reader, open_writer
from tests.rollup_world import run_rollup


@pytest.fixture
def world(tmp_path):
    return published_world(tmp_path)


def test_agency_export_reads_back_as_the_national_figures(world, tmp_path):
    result = export(world, "agency", tmp_path / "agency.xlsx")
    wb = load_workbook(result.path)
    ws = wb["1-әу"]
    assert form_values(ws) == world.sum_of(EVERYONE, Q3)
    text = sheet_text(ws)
    assert "7 есебін қамтиды" in text and "охвачено 7 из 8" in text
    assert f"Есепті кезең {Q3.year} жылғы 3 тоқсан" in text and f"Отчетный период: 3 квартал {Q3.year} года" in text
    assert "жиынтық" in text and "сводный" in text
    assert "келді" not in text and "поступило" not in text  # nothing arrived after publication
    labels = {str(row[0].value): row[1].value for row in ws.iter_rows() if str(row[0].value) in set(codes())}
    assert labels["2"] == "Азаматтардың жеке қабылдаулары" and labels["1.1"] == "мемлекеттік қызметшілерге"
    header, rows = wide_rows(wb["Органдар бойынша"])
    code_col = header.index("1")
    by_bin = {row[0]: row[code_col] for row in rows}
    assert by_bin == {world.bins[t]: world.sum_of(m, Q3)["1"] for t, m in
                      {"M1": M1_TREE, "M2": ["M2", "T2"], "A1": ["A1"]}.items()}
    assert {"Түрлері бойынша", "Өңірлер бойынша"} <= set(wb.sheetnames)


def breakdown_members(con) -> dict[str, dict[str, str]]:
    """How a sheet shows a breakdown member (first column) -> its key in rollup_breakdowns, per breakdown."""
    kinds = {kk: kind for kind, kk in con.execute("select kind, label_kk from body_kinds").fetchall()}
    regions = {key: key for (key,) in con.execute(
        "select distinct breakdown_key from rollup_breakdowns where breakdown = 'region'").fetchall()}
    regions.update({kk: key for key, kk in con.execute(
        "select distinct breakdown_key, member_name_kk from breakdown_trend where breakdown = 'region'").fetchall()})
    return {"kind": kinds, "region": regions}


def test_every_cell_of_every_breakdown_sheet_is_the_published_breakdown(world, tmp_path):
    # The sub-rows (1.1 ... 11.3) were once empty on these sheets while rollup_breakdowns held them.
    wb = load_workbook(export(world, "agency", tmp_path / "agency.xlsx").path)
    con = open_reader(world.settings)
    try:
        published = con.execute(
            "select breakdown, breakdown_key, code, value, expected_count, covered_count from rollup_breakdowns "
            "where year = ? and quarter = ?", [Q3.year, Q3.quarter]).fetchall()
        members = breakdown_members(con)
    finally:
        con.close()
    expected = {(b, k, c): v for b, k, c, v, _, _ in published}
    counts = {(b, k): (e, cov) for b, k, _, _, e, cov in published}
    assert any(c == "11.3" for _, _, c in expected) and len({c for _, _, c in expected}) == len(codes())
    for sheet, breakdown in (("Органдар бойынша", "body"), ("Түрлері бойынша", "kind"), ("Өңірлер бойынша", "region")):
        header, rows = wide_rows(wb[sheet])
        read: dict[tuple[str, str, str], object] = {}
        for row in rows:
            key = row[0] if breakdown == "body" else members[breakdown][row[0]]
            for code in codes():
                read[(breakdown, key, code)] = row[header.index(code)]
            assert (row[-len(codes()) - 2], row[-len(codes()) - 1]) == counts[(breakdown, key)]
        mine = {k: v for k, v in expected.items() if k[0] == breakdown}
        assert read == mine, sheet
        assert all(v is not None for v in read.values()), f"{sheet}: an indicator column is empty"


def test_headings_and_names_are_kazakh_and_russian(world, tmp_path):
    wb = load_workbook(export(world, "agency", tmp_path / "agency.xlsx").path)
    con = open_reader(world.settings)
    try:
        kinds = con.execute("select kind, label_kk, label_ru from body_kinds").fetchall()
    finally:
        con.close()
    for ws in wb.worksheets:
        text = sheet_text(ws)
        for kind, _, _ in kinds:
            assert kind not in text, f"{ws.title}: the English kind {kind!r} is shown"
    for sheet in ("Органдар бойынша", "Түрлері бойынша", "Өңірлер бойынша"):
        header, rows = wide_rows(wb[sheet])
        named = [h for h in header if h not in set(codes())]
        assert named and all(" / " in h and not any("a" <= ch.lower() <= "z" for ch in h) for h in named), named
    header, rows = wide_rows(wb["Түрлері бойынша"])
    by_kk = {kk: ru for _, kk, ru in kinds}
    assert rows and all(by_kk[row[0]] == row[1] for row in rows)
    ws = wb["1-әу"]
    heading = next(r for r in ws.iter_rows() if r[0].value and str(r[0].value).startswith("№"))
    assert [c.value for c in heading] == ["№ р/с\n№ п/п", "Көрсеткіштер\nПоказатели",
                                          "Есепті кезеңдегі жалпы саны\nОбщее количество за отчетный период"]


def test_body_export_has_every_subordinate_and_the_missing_one(world, tmp_path):
    result = export(world, world.bins["M2"], tmp_path / "m2.xlsx")
    wb = load_workbook(result.path)
    assert form_values(wb["1-әу"]) == world.sum_of(["M2", "T2"], Q3)
    assert (result.covered_count, result.expected_count) == (2, 3)
    header, rows = wide_rows(wb["Органдар бойынша"])
    by_bin = {row[0]: row for row in rows}
    assert set(by_bin) == {world.bins[n] for n in ("M2", "T2", "L1")}
    state = header.index("Есеп / Отчет")
    assert by_bin[world.bins["L1"]][state] == "жоқ / не представлен"
    assert all(by_bin[world.bins["L1"]][header.index(c)] is None for c in codes())
    for code in codes():  # every indicator column of a body that filed holds its own figure
        assert by_bin[world.bins["T2"]][header.index(code)] == world.own[("T2", Q3)][code]
    assert by_bin[world.bins["M2"]][header.index("Органның түрі / Вид органа")] == \
        "Облыс, республикалық маңызы бар қала, астана әкімдігі"


def test_text_from_submissions_never_becomes_a_formula(world, tmp_path):
    # rollup_world files every report with the body name '=HYPERLINK("http://x","...")'.
    result = export(world, world.bins["M1"], tmp_path / "m1.xlsx")
    header, rows = wide_rows(load_workbook(result.path)["Органдар бойынша"])
    names = [row[header.index("Есептегі атауы / Наименование в отчете")] for row in rows]
    assert any(str(n).startswith("=HYPERLINK") for n in names)
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


def test_export_refuses_an_unknown_level_or_body(world, tmp_path):
    with pytest.raises(ExportError, match="not a top-tier body"):
        export(world, world.bins["T1"], tmp_path / "x.xlsx")
    with pytest.raises(ExportError, match="level must be 'agency' or the BIN"):
        export(world, "ministry", tmp_path / "x.xlsx")


def test_nothing_published_names_what_is_missing(world, tmp_path):
    # Nothing loaded for the quarter: the hint is to load reports, not to publish an empty quarter.
    with open_writer(world.settings) as con:
        con.execute("insert into core_files (file_id, file_name, sha256, size_bytes, received_at, status, stored_path, "
                    "bin, year, quarter, processed_at) values (900, 'bad.xlsx', 'sha900', 1, now(), 'rejected', "
                    "'rejected/900-bad.xlsx', ?, ?, ?, now())", [world.bins["A1"], Q4.year, Q4.quarter])
    with pytest.raises(ExportError) as caught:
        export(world, "agency", tmp_path / "x.xlsx", period=Q4)
    message = str(caught.value)
    assert f"no report for {Q4} has been loaded (1 file(s) for it were rejected" in message
    assert "adep intake" in message and "adep rollup" not in message
    # Reports loaded, no stage published: both stages to run.
    file_quarter(world, Q2)
    with pytest.raises(ExportError, match=r"8 report\(s\) are loaded but no ministry-level rollup is published; "
                                          rf"run 'adep rollup {Q2} --stage all'"):
        export(world, "agency", tmp_path / "x.xlsx", period=Q2)
    with pytest.raises(ExportError, match=rf"run 'adep rollup {Q2} --stage ministry'"):
        export(world, world.bins["M1"], tmp_path / "x.xlsx", period=Q2)
    # The ministry stage published, the agency stage not.
    with open_writer(world.settings) as con:
        ministry = run_rollup(con, Q2, "ministry")
    with pytest.raises(ExportError, match=rf"the ministry-level rollup is published \(version {ministry.version_id}\) "
                                          rf"but no agency-level rollup; run 'adep rollup {Q2} --stage agency'"):
        export(world, "agency", tmp_path / "x.xlsx", period=Q2)
    assert form_values(load_workbook(export(world, world.bins["M1"], tmp_path / "m1.xlsx", period=Q2).path)["1-әу"]) \
        == world.sum_of(M1_TREE + ["T2"], Q2)  # in Q2, T2 was still under D1


def test_a_stale_publication_is_refused_then_exported_when_accepted(world, tmp_path):
    world.add_report("L1", Q3)  # arrives after both stages were published
    with pytest.raises(StaleExport) as caught:
        export(world, "agency", tmp_path / "agency.xlsx")
    message = str(caught.value)
    assert "\n" not in message and "is stale: 1 report(s) arrived after publication" in message
    assert f"Аудан әкімдігі ({world.bins['L1']})" in message and "--allow-stale" in message
    assert not (tmp_path / "agency.xlsx").exists()
    # M1's tree did not change: its export is not stale.
    assert export(world, world.bins["M1"], tmp_path / "m1.xlsx").stale_counts == {}
    with pytest.raises(StaleExport):
        export(world, world.bins["M2"], tmp_path / "m2.xlsx")

    result = export(world, "agency", tmp_path / "agency.xlsx", allow_stale=True)
    assert result.stale_counts == {"arrived": 1}
    assert result.stale_note == "1 report(s) arrived after publication and are not included"
    ws = load_workbook(result.path)["1-әу"]
    coverage = next(line for line in sheet_text(ws).splitlines() if "есебін қамтиды" in line)
    assert "жарияланғаннан кейін 1 есеп келді, олар жиынтыққа енгізілмеген" in coverage
    assert "после публикации поступило отчетов: 1, они не включены" in coverage
    assert form_values(ws) == world.sum_of([n for n in EVERYONE if n != "L1"], Q3)  # the published figures

    world.add_report("T1", Q3, seed=99)  # a revision, too
    assert export(world, "agency", tmp_path / "a2.xlsx", allow_stale=True).stale_counts == {"arrived": 1, "revised": 1}


def test_export_command(world, tmp_path, capsys):
    home = str(world.settings.home)
    out = tmp_path / "out" / "agency.xlsx"
    assert main(["--home", home, "export", str(Q3), "--level", "agency", "--out", str(out)]) == 0
    assert form_values(load_workbook(out)["1-әу"]) == world.sum_of(EVERYONE, Q3)
    assert main(["--home", home, "export", "2027Q1", "--level", "agency"]) == 2
    assert "no report for 2027Q1 has been loaded" in capsys.readouterr().out


def test_export_command_refuses_a_stale_publication_unless_allowed(world, tmp_path, capsys):
    home = str(world.settings.home)
    world.add_report("L1", Q3)
    capsys.readouterr()
    assert main(["--home", home, "export", str(Q3), "--out", str(tmp_path / "a.xlsx")]) == 2
    out = capsys.readouterr().out
    assert out.strip().count("\n") == 0 and "is stale" in out and "Traceback" not in out
    assert not (tmp_path / "a.xlsx").exists()
    assert main(["--home", home, "export", str(Q3), "--out", str(tmp_path / "a.xlsx"), "--allow-stale"]) == 0
    out = capsys.readouterr().out
    assert "Exported although stale" in out and "1 report(s) arrived after publication and are not included" in out
    assert (tmp_path / "a.xlsx").exists()


def test_default_file_names_use_the_forms_own_letter(world, capsys):
    home = str(world.settings.home)
    assert main(["--home", home, "export", str(Q3)]) == 0
    assert main(["--home", home, "template", world.bins["M1"], str(Q3)]) == 0
    names = sorted(p.name for p in world.settings.exports_dir.iterdir())
    assert names == sorted([f"1-әу_agency_{Q3}.xlsx", f"1-әу_{world.bins['M1']}_{Q3}.xlsx"])
    for name in names:
        assert name.startswith("1-\u04d9\u0443_") and "\u044d" not in name.lower()  # ә (U+04D9), never э (U+044D)


def test_sample_file_names_never_spell_the_form_with_e():
    import random

    from adep.sample.files import file_name

    rng, taken = random.Random(3), set()
    body = {"bin": "123456789012", "name_kk": "Бірінші министрлік", "name_ru": "Первое министерство"}
    names = [file_name(body, Q3, rng, taken) for _ in range(300)]
    assert any("1-ӘУ" in n for n in names) and all("1-э" not in n.lower() for n in names)
