"""The analysts' views on four quarters loaded by the real flows: wide, labelled, trends, breakdowns, lateness,
regions, comments on every view, and every example in docs/ run as written."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pytest

from adep.calendar import deadline
from adep.registry import KINDS
from contracts.form import Indicator, codes, indicators
from tests.analyst_world import PERIODS, Q3, analyst_world  # noqa: F401 (fixture)
from tests.conftest import query
from warehouse.comments import apply_comments
from warehouse.connect import ANALYST_VIEWS, connect
from warehouse.db import create_views, migrate, seed_indicators

DOCS = Path(__file__).resolve().parents[2] / "docs"
Q1, Q2, LAST_YEAR_Q3 = PERIODS[1], PERIODS[2], PERIODS[0]


def published(world, sql, params=None, *, frame=False):
    """A query on the readers' copy of the analysts' world."""
    return query(world.settings.published_path, sql, params, frame=frame)


def test_wide_view_has_one_row_per_report_and_one_column_per_indicator(analyst_world):
    world = analyst_world
    frame = published(world, "select * from report_values_wide order by year, quarter, bin", frame=True)
    indicator_columns = [c for c in frame.columns if c.startswith("row_")]
    assert indicator_columns == ["row_" + c.replace(".", "_") for c in codes()]
    assert len(frame) == len(world.values) == frame.file_id.nunique()
    unit_a = frame[(frame.bin == world.bins["unit_a"]) & (frame.period == str(Q3))].iloc[0]
    assert {c: int(unit_a["row_" + c.replace(".", "_")]) for c in codes()} == world.values[("unit_a", Q3)]
    assert (unit_a.name_ru, unit_a.kind, unit_a.region, unit_a.parent_bin, bool(unit_a.is_late)) == (
        "Департамент А", "territorial_unit", "Абай облысы", world.bins["ministry"], True)
    assert (unit_a.region_code, unit_a.region_kk, unit_a.region_ru) == ("KZ-10", "Абай облысы", "область Абай")


def test_a_new_indicator_row_needs_no_sql_edit(tmp_path):
    """report_values_wide and its comments are generated from the indicators when the views are made."""
    extra = Indicator(code="12", parent=None, position=len(indicators()) + 1, label_kk="Жаңа жол",
                      label_ru="Новая строка", gloss_en="A new row")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    try:
        migrate(con)
        seed_indicators(con, indicators() + (extra,))
        create_views(con, indicators() + (extra,))
        assert apply_comments(con) == []
        columns = con.execute("select column_name, comment from duckdb_columns() where table_name = 'report_values_wide' "
                              "and column_name like 'row_%' order by column_index").fetchall()
    finally:
        con.close()
    assert [c for c, _ in columns] == ["row_" + c.replace(".", "_") for c in codes()] + ["row_12"]
    assert columns[-1][1] == "Row 12 of form 1-әу: Жаңа жол / Новая строка"


def test_lateness_is_the_deadline_and_whole_days_after_it(analyst_world):
    world = analyst_world
    wide = {(b, p): (d, n, late) for b, p, d, n, late in published(
        world, "select bin, period, deadline_at, days_late, is_late from report_values_wide")}
    due = deadline(Q3, "lower")  # end of Monday 5 October 2026, Asia/Almaty
    got_deadline, days, is_late = wide[(world.bins["unit_a"], str(Q3))]
    assert got_deadline == due
    # arrived 27 October 14:00 in Almaty: 22 days after the due day
    assert (days, is_late) == (22, True)
    assert {n for (b, p), (_, n, late) in wide.items() if not late} == {0}  # on time is 0, not NULL
    assert wide[(world.bins["ministry"], str(Q3))][0] == deadline(Q3, "top")

    log = published(world, "select file_name, status, deadline_at, days_late from intake_log")
    by_name = {name: (status, d, n) for name, status, d, n in log}
    assert by_name[f"unit_a {Q3}.xlsx"] == ("loaded", due, 22)
    assert by_name[f"unit_b {Q3}.xlsx"] == ("rejected", None, None)  # never a report: no deadline established
    assert {n for status, _, n in by_name.values() if status == "loaded"} == {0, 22}


def test_the_documented_connection_shows_the_deadline_in_almaty_time(analyst_world):
    world = analyst_world
    con = connect(world.settings)
    try:
        frame = con.execute("select deadline_at, received_at from report_values_wide where bin = ? and period = ?",
                            [world.bins["unit_a"], str(Q3)]).df()
    finally:
        con.close()
    shown = frame.deadline_at.iloc[0]
    assert str(shown.tz) == "Asia/Almaty" and (shown.day, shown.hour, shown.minute) == (5, 23, 59)
    assert frame.received_at.iloc[0].hour == 14  # 09:00 UTC


def test_labelled_view_carries_kazakh_and_russian_labels(analyst_world):
    world = analyst_world
    labelled = published(world, "select code, label_kk, label_ru, kind_label_kk, kind_label_ru, value, region_kk, region_ru "
                                "from report_values_labelled where bin = ? and period = ?", [world.bins["akimat"], str(Q2)])
    by_code = {i.code: i for i in indicators()}
    assert len(labelled) == len(by_code)
    for code, label_kk, label_ru, kind_kk, kind_ru, value, region_kk, region_ru in labelled:
        assert (label_kk, label_ru) == (by_code[code].label_kk, by_code[code].label_ru)
        assert value == world.values[("akimat", Q2)][code]
        assert "әкімдігі" in kind_kk and "Акимат" in kind_ru
        assert (region_kk, region_ru) == ("Ақмола облысы", "Акмолинская область")


def test_national_trend_compares_with_the_previous_quarter_last_year_and_the_year_to_date(analyst_world):
    world = analyst_world
    trend = {(r[0], r[1], r[2]): r[3:] for r in published(world, """
        select year, quarter, code, value, previous_quarter_value, same_quarter_last_year_value, ytd_value,
               ytd_quarter_count, ytd_value_last_year, change_from_previous_quarter, change_from_same_quarter_last_year
        from national_trend""")}
    assert {(y, q) for y, q, _ in trend} == {(p.year, p.quarter) for p in PERIODS}
    for code in codes():
        value, previous, last_year, ytd, ytd_count, ytd_last_year, change, yoy = trend[(2026, 3, code)]
        q1, q2, q3 = (world.national(p)[code] for p in (Q1, Q2, Q3))
        assert (value, previous, last_year) == (q3, q2, world.national(LAST_YEAR_Q3)[code]), code
        assert (ytd, ytd_count) == (q1 + q2 + q3, 3)
        assert ytd_last_year == world.national(LAST_YEAR_Q3)[code]  # 2025Q1 and Q2 were never loaded
        assert (change, yoy) == (q3 - q2, q3 - last_year)
        # 2025Q4 was never loaded: the first quarter of 2026 has nothing to compare with
        assert trend[(2026, 1, code)][1] is None
    assert trend[(2026, 3, "10")][0] == 3 * (3 + 2)  # three reports in force, row 10 = quarter + 2 each


def test_the_year_to_date_is_a_whole_number_like_the_values(analyst_world):
    world = analyst_world
    types = dict(published(world, "select column_name, data_type from duckdb_columns() where table_name = 'national_trend'"))
    assert types["ytd_value"] == types["value"] == types["ytd_value_last_year"] == "BIGINT"
    frame = published(world, "select value, ytd_value from national_trend where period = '2026Q3'", frame=True)
    assert str(frame.ytd_value.dtype) == str(frame.value.dtype) == "int64"


def test_breakdowns_by_kind_and_region_sum_to_the_national_figure_and_name_their_members(analyst_world):
    world = analyst_world
    sums = published(world, """
        select breakdown, code, sum(value) from breakdown_trend
        where year = 2026 and quarter = 3 and breakdown in ('kind', 'region', 'body') group by all""")
    national = world.national(Q3)
    for breakdown, code, total in sums:
        assert total == national[code], (breakdown, code)
    members = published(world, """
        select breakdown, breakdown_key, member_name_kk, member_name_ru from breakdown_trend
        where year = 2026 and quarter = 3 and code = '1' order by all""")
    names = {(b, k): (kk, ru) for b, k, kk, ru in members}
    assert names[("national", None)] == ("Қазақстан Республикасы", "Республика Казахстан")
    assert names[("kind", "territorial_unit")] == ("Аумақтық бөлімше", "Территориальное подразделение")
    assert names[("region", "Ақмола облысы")] == ("Ақмола облысы", "Акмолинская область")
    assert names[("region", "Астана")] == ("Астана қаласы", "город Астана")
    assert names[("body", world.bins["ministry"])] == ("Министрлік", "Министерство")


def test_regions_are_named_wherever_a_body_is(analyst_world):
    world = analyst_world
    assert published(world, "select region, region_code, name_kk, name_ru, body_count from registry_regions order by region") == [
        ("Абай облысы", "KZ-10", "Абай облысы", "область Абай", 1),
        ("Астана", "KZ-71", "Астана қаласы", "город Астана", 2),
        ("Ақмола облысы", "KZ-11", "Ақмола облысы", "Акмолинская область", 2),
    ]
    missing = published(world, "select bin, region, region_code, region_kk, region_ru from missing_reports "
                               "where year = 2026 and quarter = 3")
    assert missing == [(world.bins["unit_b"], "Ақмола облысы", "KZ-11", "Ақмола облысы", "Акмолинская область")]
    unnamed = published(world, "select count(*) from bodies_by_quarter where region_code is null or region_ru is null")
    assert unnamed == [(0,)]
    assert published(world, "select count(*), count(*) filter (where kind = 'oblast') from regions") == [(20, 17)]


def test_body_kinds_name_every_kind_the_registry_accepts(analyst_world):
    kinds = published(analyst_world, "select kind from body_kinds")
    assert {k for (k,) in kinds} == set(KINDS)


def test_every_view_and_every_column_explains_itself(analyst_world):
    world = analyst_world
    views = dict(published(world, "select view_name, comment from duckdb_views() where not internal"))
    assert set(ANALYST_VIEWS) <= set(views) and len(views) > len(ANALYST_VIEWS)
    assert [v for v, comment in views.items() if not comment] == []
    undocumented = published(world, """
        select table_name, column_name from duckdb_columns()
        where table_name in (select view_name from duckdb_views() where not internal) and comment is null
        order by all""")
    assert undocumented == []
    (comment,) = published(world, "select comment from duckdb_columns() where table_name = 'report_values_wide' "
                                  "and column_name = 'row_3_1'")[0]
    assert "3.1" in comment and "мемлекеттік қызметшілерден" in comment and "от государственных служащих" in comment


def test_every_comment_in_the_file_applies(tmp_path):
    """A comment naming a column a view no longer has is skipped when the warehouse opens; here it fails."""
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    try:
        migrate(con)
        assert apply_comments(con) == []
        con.execute("create or replace view body_kinds as select 1 as kind")
        failed = apply_comments(con)
        assert failed and all("body_kinds" in f for f in failed)
    finally:
        con.close()


def _documented(language: str) -> list[tuple[str, str]]:
    found = []
    for page in sorted(DOCS.glob("*.md")):
        for block in re.findall(rf"```{language}\n(.*?)```", page.read_text(encoding="utf-8"), flags=re.S):
            found.append((page.name, block))
    return found


def test_every_view_is_documented_with_an_example_that_runs(analyst_world):
    world = analyst_world
    queries = _documented("sql")
    text = "\n".join(sql for _, sql in queries)
    views = [v for (v,) in published(world, "select view_name from duckdb_views() where not internal order by 1")]
    assert [v for v in views if not re.search(rf"\b{v}\b", text)] == []
    con = connect(world.settings)
    try:
        for page, sql in queries:
            try:
                result = con.execute(sql).fetchall()
            except duckdb.Error as exc:
                pytest.fail(f"{page}: the example query fails: {exc}\n{sql}")
            assert result, f"{page}: the example query returns nothing on four loaded quarters:\n{sql}"
    finally:
        con.close()


def test_the_documented_lateness_query_answers_how_late_each_body_was(analyst_world):
    world = analyst_world
    (sql,) = [sql for page, sql in _documented("sql") if page == "analysts.md" and "days_late > 0" in sql]
    con = connect(world.settings)
    try:
        rows = con.execute(sql).fetchall()
    finally:
        con.close()
    assert [(name, days) for name, _region, _deadline, _received, days in rows] == [("Департамент А", 22)]


def test_every_python_example_in_the_analysts_pages_runs(analyst_world, tmp_path):
    """The Python blocks of analysts.md and connections.md, with the example paths pointed at a real home."""
    world = analyst_world
    blocks = [(page, code) for page, code in _documented("python") if page in ("analysts.md", "connections.md")]
    assert len(blocks) >= 6
    share = tmp_path / "share"
    for page, code in blocks:
        code = code.replace("/srv/adep", str(world.settings.home)).replace("/srv/share", str(share))
        namespace: dict = {}
        try:
            exec(compile(code, f"{page} example", "exec"), namespace)
        except Exception as exc:  # noqa: BLE001 (the page and the error are the message)
            pytest.fail(f"{page}: the example fails: {exc!r}\n{code}")
        for value in namespace.values():
            if hasattr(value, "dispose"):
                value.dispose()
            elif isinstance(value, duckdb.DuckDBPyConnection):
                value.close()
    assert (share / "adep-2026Q3" / "national_trend.parquet").is_file()


def test_days_late_never_depends_on_the_readers_zone(analyst_world):
    """days_late counts on the instants: a reader in another zone gets the same days."""
    world = analyst_world
    con = connect(world.settings)
    try:
        con.execute("set TimeZone = 'America/Los_Angeles'")
        (days,) = con.execute("select days_late from report_values_wide where bin = ? and period = ?",
                              [world.bins["unit_a"], str(Q3)]).fetchall()[0]
        edge = con.execute("select days_late(?::timestamptz, ?::timestamptz), days_late(?::timestamptz, ?::timestamptz)",
                           [datetime(2026, 10, 5, 19, 0, tzinfo=timezone.utc), deadline(Q3, "lower"),
                            datetime(2026, 10, 5, 18, 0, tzinfo=timezone.utc), deadline(Q3, "lower")]).fetchall()
    finally:
        con.close()
    assert days == 22
    assert edge == [(1, 0)]  # midnight in Almaty after the due day is one day late; 23:00 on it is on time
