"""adep report: one self-contained HTML file for the quarter, checked as data, as text and in headless Chromium."""
from __future__ import annotations

import re
import shutil
import subprocess

import duckdb
import pytest

from adep.cli.parser import main
from adep.periods import Period
from adep.outputs.report import gather, trend_frame
from tests.analyst_world import PERIODS, Q3, analyst_world  # noqa: F401 (fixture)
from warehouse.connect import connect

Q2 = PERIODS[2]


def test_the_picture_holds_completeness_late_missing_national_and_trends(analyst_world):
    world = analyst_world
    con = connect(world.settings)
    try:
        picture = gather(con, Q3)
    finally:
        con.close()
    c = picture.completeness
    assert (int(c.expected.sum()), int(c.received.sum()), int(c.late.sum()), int(c.missing.sum())) == (4, 3, 1, 1)
    assert picture.regions.set_index("region").missing.to_dict() == {"Астана": 0, "Абай облысы": 0, "Ақмола облысы": 1}
    assert list(picture.late.bin) == [world.bins["unit_a"]] and int(picture.late.days_late.iloc[0]) > 0
    assert list(picture.missing.bin) == [world.bins["unit_b"]]
    assert dict(zip(picture.national.code, picture.national.value)) == world.national(Q3)
    assert picture.trend_periods == ["2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3"]
    assert not picture.trend.is_provisional.any()
    row10 = picture.trend[picture.trend.code == "10"].set_index("period").value.to_dict()
    assert row10 == {str(p): world.national(p)["10"] for p in PERIODS}  # 2025Q4 is a gap, not a zero


def _trend_without(world, tmp_path, levels: tuple[str, ...]):
    """The trend on a copy of the published warehouse from which Q2's versions of these levels are removed."""
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(world.settings.published_path, copy)
    con = duckdb.connect(str(copy))
    try:
        for level in levels:
            con.execute("delete from core_rollup_values where version_id in (select version_id from "
                        "core_rollup_versions where level = ? and year = 2026 and quarter = 2)", [level])
            con.execute("delete from core_rollup_versions where level = ? and year = 2026 and quarter = 2", [level])
        return trend_frame(con)[0]
    finally:
        con.close()


def test_a_quarter_with_only_the_ministry_stage_published_is_drawn_from_its_figures(analyst_world, tmp_path):
    world = analyst_world
    trend = _trend_without(world, tmp_path, ("agency",))
    q2 = trend[trend.period == str(Q2)]
    assert q2.is_provisional.all() and len(q2) == 12
    assert dict(zip(q2.code, q2.value)) == {c: world.national(Q2)[c] for c in q2.code}


def test_a_quarter_with_no_stage_published_is_a_gap_whatever_the_reports_in_force(analyst_world, tmp_path):
    trend = _trend_without(analyst_world, tmp_path, ("agency", "ministry"))
    assert str(Q2) not in set(trend.period) and not trend.is_provisional.any()


def test_adep_report_writes_one_self_contained_file(analyst_world, tmp_path):
    out = tmp_path / "report.html"
    assert main(["--home", str(analyst_world.settings.home), "report", str(Q3), "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    for heading in ("Who filed", "Late and missing bodies", "National figures", "Trends over the quarters"):
        assert heading in text
    assert "Департамент Б" in text and "Департамент А" in text  # missing, late
    assert text.count("<svg") == 6  # parents, regions, national comparison, three trends
    # nothing to fetch: no scripts, stylesheets, images or fonts from elsewhere
    assert not re.search(r"<script|<link|<img|<iframe|@import|url\((?!#)|\bsrc=", text, flags=re.I)
    assert not re.search(r"href=\"(?!#)", text)


def test_a_quarter_without_a_rollup_says_what_to_run(analyst_world, tmp_path):
    out = tmp_path / "q4.html"
    assert main(["--home", str(analyst_world.settings.home), "report", "2026Q4", "--out", str(out)]) == 0
    assert "adep rollup 2026Q4" in out.read_text(encoding="utf-8")


@pytest.mark.browser
def test_the_report_renders_in_headless_chromium(analyst_world, tmp_path):
    from PIL import Image

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.fail("chromium is not installed: apt-get install -y chromium (.ci/run does it)")
    out = tmp_path / "report.html"
    assert main(["--home", str(analyst_world.settings.home), "report", str(Q3), "--out", str(out)]) == 0
    screenshot = tmp_path / "report.png"
    result = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'chromium-profile'}",
         f"--screenshot={screenshot}", "--window-size=1400,2400", out.as_uri()],
        capture_output=True, text=True, timeout=90)
    assert screenshot.is_file(), f"chromium made no screenshot (exit {result.returncode}):\n{result.stderr[-2000:]}"
    image = Image.open(screenshot).convert("RGB")
    assert image.size == (1400, 2400)
    colours = image.resize((140, 240)).getcolors(maxcolors=100_000)
    assert colours is not None and len(colours) > 50, "the screenshot is (nearly) blank"
    print(f"screenshot: {screenshot}")


def test_the_report_tells_a_rejected_body_from_one_that_sent_nothing(analyst_world, tmp_path):
    world = analyst_world
    con = connect(world.settings)
    try:
        picture = gather(con, Q3)
    finally:
        con.close()
    assert (int(picture.completeness.rejected.sum()), int(picture.completeness.nothing_received.sum())) == (1, 0)
    (row,) = picture.missing.itertuples()
    assert (row.bin, row.missing_reason, row.first_finding_rule) == (world.bins["unit_b"], "rejected", "R03")
    assert row.rejected_file_name == "unit_b 2026Q3.xlsx" and "2.1" in row.first_finding

    out = tmp_path / "report.html"
    assert main(["--home", str(world.settings.home), "report", str(Q3), "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "Missing (1: 1 rejected, no report in force; 0 nothing received)" in text
    assert (f"<b>rejected</b>: file {int(row.rejected_file_id)} unit_b 2026Q3.xlsx, arrived "
            "2026-10-02 14:00 (Asia/Almaty)") in text  # sent 09:00 UTC
    assert "R03: Rule R03" in text


def test_every_time_in_the_report_is_local_and_labelled(analyst_world, tmp_path):
    out = tmp_path / "report.html"
    assert main(["--home", str(analyst_world.settings.home), "report", str(Q3), "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "2026-10-27 14:00 (Asia/Almaty)" in text  # unit_a's late report, sent 09:00 UTC
    stamps = re.findall(r"\d{4}-\d\d-\d\d \d\d:\d\d(?: \([^)]*\)| UTC)?", text)
    assert len(stamps) >= 4 and all(s.endswith("(Asia/Almaty)") for s in stamps), stamps
