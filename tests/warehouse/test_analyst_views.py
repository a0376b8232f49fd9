"""The analysts' views on four quarters loaded by the real flows: wide, labelled, trends, breakdowns, comments, docs."""
from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from adep.registry import KINDS
from tests.analyst_world import PERIODS, Q3, analyst_world  # noqa: F401 (fixture)
from contracts.form import codes, indicators
from warehouse.connect import ANALYST_VIEWS, connect
from warehouse.comments import apply_comments

DOCS = Path(__file__).resolve().parents[2] / "docs"
Q1, Q2, LAST_YEAR_Q3 = PERIODS[1], PERIODS[2], PERIODS[0]


def rows(world, sql, params=None) -> list[tuple]:
    con = connect(world.settings)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_wide_view_has_one_row_per_report_and_one_column_per_indicator(analyst_world):
    world = analyst_world
    con = connect(world.settings)
    try:
        frame = con.execute("select * from report_values_wide order by year, quarter, bin").df()
    finally:
        con.close()
    indicator_columns = [c for c in frame.columns if c.startswith("row_")]
    assert indicator_columns == ["row_" + c.replace(".", "_") for c in codes()]
    assert len(frame) == len(world.values) == frame.file_id.nunique()
    unit_a = frame[(frame.bin == world.bins["unit_a"]) & (frame.period == str(Q3))].iloc[0]
    assert {c: int(unit_a["row_" + c.replace(".", "_")]) for c in codes()} == world.values[("unit_a", Q3)]
    assert (unit_a.name_ru, unit_a.kind, unit_a.region, unit_a.parent_bin, bool(unit_a.is_late)) == (
        "Департамент А", "territorial_unit", "Абай облысы", world.bins["ministry"], True)


def test_labelled_view_carries_kazakh_and_russian_labels(analyst_world):
    world = analyst_world
    labelled = rows(world, "select code, label_kk, label_ru, kind_label_kk, kind_label_ru, value from report_values_labelled "
                           "where bin = ? and period = ?", [world.bins["akimat"], str(Q2)])
    by_code = {i.code: i for i in indicators()}
    assert len(labelled) == len(by_code)
    for code, label_kk, label_ru, kind_kk, kind_ru, value in labelled:
        assert (label_kk, label_ru) == (by_code[code].label_kk, by_code[code].label_ru)
        assert value == world.values[("akimat", Q2)][code]
        assert "әкімдігі" in kind_kk and "Акимат" in kind_ru


def test_national_trend_compares_with_the_previous_quarter_last_year_and_the_year_to_date(analyst_world):
    world = analyst_world
    trend = {(r[0], r[1], r[2]): r[3:] for r in rows(world, """
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


def test_breakdowns_by_kind_and_region_sum_to_the_national_figure_and_name_their_members(analyst_world):
    world = analyst_world
    sums = rows(world, """
        select breakdown, code, sum(value) from breakdown_trend
        where year = 2026 and quarter = 3 and breakdown in ('kind', 'region', 'body') group by all""")
    national = world.national(Q3)
    for breakdown, code, total in sums:
        assert total == national[code], (breakdown, code)
    members = rows(world, """
        select breakdown, breakdown_key, member_name_kk, member_name_ru from breakdown_trend
        where year = 2026 and quarter = 3 and code = '1' order by all""")
    names = {(b, k): (kk, ru) for b, k, kk, ru in members}
    assert names[("national", None)] == ("Қазақстан Республикасы", "Республика Казахстан")
    assert names[("kind", "territorial_unit")] == ("Аумақтық бөлімше", "Территориальное подразделение")
    assert names[("region", "Ақмола облысы")] == ("Ақмола облысы", "Ақмола облысы")
    assert names[("body", world.bins["ministry"])] == ("Министрлік", "Министерство")


def test_body_kinds_name_every_kind_the_registry_accepts(analyst_world):
    kinds = rows(analyst_world, "select kind from body_kinds")
    assert {k for (k,) in kinds} == set(KINDS)


def test_every_column_of_the_analyst_views_explains_itself(analyst_world):
    world = analyst_world
    undocumented = rows(world, """
        select table_name, column_name from duckdb_columns()
        where table_name in (select unnest(?::varchar[])) and comment is null""", [list(ANALYST_VIEWS)])
    assert undocumented == []
    views = dict(rows(world, "select view_name, comment from duckdb_views() where view_name in (select unnest(?::varchar[]))",
                      [list(ANALYST_VIEWS)]))
    assert all(views.get(v) for v in ANALYST_VIEWS), views
    (comment,) = rows(world, "select comment from duckdb_columns() where table_name = 'report_values_wide' "
                             "and column_name = 'row_3_1'")[0]
    assert "3.1" in comment and "мемлекеттік қызметшілерден" in comment and "от государственных служащих" in comment


def test_every_comment_in_the_file_applies(tmp_path):
    """A comment naming a column a view no longer has is skipped when the warehouse opens; here it fails."""
    from warehouse.db import migrate

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    try:
        migrate(con)
        assert apply_comments(con) == []
        con.execute("create or replace view body_kinds as select 1 as kind")
        failed = apply_comments(con)
        assert failed and all("body_kinds" in f for f in failed)
    finally:
        con.close()


def _documented_queries() -> list[tuple[str, str]]:
    found = []
    for page in sorted(DOCS.glob("*.md")):
        for sql in re.findall(r"```sql\n(.*?)```", page.read_text(encoding="utf-8"), flags=re.S):
            found.append((page.name, sql))
    return found


def test_every_analyst_view_is_documented_with_an_example_that_runs(analyst_world):
    queries = _documented_queries()
    text = "\n".join(sql for _, sql in queries)
    assert [v for v in ANALYST_VIEWS if not re.search(rf"\b{v}\b", text)] == []
    con = connect(analyst_world.settings)
    try:
        for page, sql in queries:
            try:
                result = con.execute(sql).fetchall()
            except duckdb.Error as exc:
                pytest.fail(f"{page}: the example query fails: {exc}\n{sql}")
            assert result, f"{page}: the example query returns nothing on four loaded quarters:\n{sql}"
    finally:
        con.close()
