"""Analysts' connections: read-only DuckDB, pandas over SQLAlchemy (duckdb-engine), Parquet exports; no write lock."""
from __future__ import annotations

import csv
import fcntl

import duckdb
import pandas as pd
import pytest
import sqlalchemy

from tests.analyst_world import Q3, analyst_world  # noqa: F401 (fixture)
from warehouse.connect import ANALYST_VIEWS, NoPublishedWarehouse, connect, create_engine, export_parquet, sqlalchemy_url


def test_the_url_names_the_published_copy_read_only(analyst_world):
    url = sqlalchemy_url(analyst_world.settings)
    assert url == f"duckdb:///{analyst_world.settings.published_path}?access_mode=read_only"
    assert url.startswith("duckdb:////")  # an absolute path


def test_pandas_reads_a_view_over_sqlalchemy(analyst_world):
    world = analyst_world
    engine = sqlalchemy.create_engine(sqlalchemy_url(world.settings))
    try:
        frame = pd.read_sql(
            sqlalchemy.text("select code, value from national_trend where year = :year and quarter = :quarter"),
            engine, params={"year": Q3.year, "quarter": Q3.quarter})
        with engine.connect() as con, pytest.raises(sqlalchemy.exc.DBAPIError, match="read-only"):
            con.execute(sqlalchemy.text("create table scratch (x integer)"))
    finally:
        engine.dispose()
    assert dict(zip(frame.code, frame.value)) == world.national(Q3)


def test_the_engine_helper_and_the_inspector_see_the_views(analyst_world):
    engine = create_engine(analyst_world.settings)
    try:
        views = set(sqlalchemy.inspect(engine).get_view_names())
    finally:
        engine.dispose()
    assert set(ANALYST_VIEWS) <= views


def test_readers_hold_no_write_lock_and_cannot_write(analyst_world):
    settings = analyst_world.settings
    con = connect(settings)
    try:
        with pytest.raises(duckdb.Error, match="read-only"):
            con.execute("create table scratch (x integer)")
        # the writer's lock is free while an analyst is connected: an intake could start now
        with open(settings.lock_path, "a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.flock(fh, fcntl.LOCK_UN)
        assert con.execute("select count(*) from report_values_wide").fetchall()[0][0] > 0
    finally:
        con.close()


def test_a_home_with_nothing_published_says_so(tmp_path):
    with pytest.raises(NoPublishedWarehouse, match="adep intake"):
        connect(tmp_path / "empty-home")
    assert not (tmp_path / "empty-home" / "published").exists()


def test_views_export_to_parquet_with_a_column_catalogue(analyst_world, tmp_path):
    files = export_parquet(analyst_world.settings, tmp_path / "out")
    assert sorted(f.name for f in files) == sorted([f"{v}.parquet" for v in ANALYST_VIEWS] + ["columns.csv"])
    con = connect(analyst_world.settings)
    try:
        for view in ANALYST_VIEWS:
            exported = duckdb.sql(f"select count(*) from read_parquet('{tmp_path / 'out' / view}.parquet')").fetchall()
            assert exported == con.execute(f"select count(*) from {view}").fetchall(), view
        wide = duckdb.sql(f"select * from read_parquet('{tmp_path / 'out'}/report_values_wide.parquet') limit 1").df()
    finally:
        con.close()
    assert "row_11_3" in wide.columns
    with open(tmp_path / "out" / "columns.csv", encoding="utf-8") as fh:
        catalogue = list(csv.DictReader(fh))
    assert {r["view"] for r in catalogue} == set(ANALYST_VIEWS)
    assert all(r["comment"] for r in catalogue)
    assert not list((tmp_path / "out").glob(".*"))
