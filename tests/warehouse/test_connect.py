"""Analysts' connections: read-only DuckDB, pandas over SQLAlchemy (duckdb-engine), Parquet exports; no write lock;
all of them together in one process, each new one on the latest publication."""
from __future__ import annotations

import csv
import fcntl
import subprocess
import sys

import duckdb
import pandas as pd
import pytest
import sqlalchemy

from adep.forms.writer import write_report
from adep.registry import load_registry
from tests.analyst_world import Q3, analyst_world  # noqa: F401 (fixture)
from tests.conftest import ON_TIME, PERIOD, SIGNED, arrived, clean_values, query
from tests.intake_world import ROOT, engine_env
from warehouse.connect import ANALYST_VIEWS, NoPublishedWarehouse, connect, create_engine, export_parquet, sqlalchemy_url
from warehouse.db import open_reader, open_writer

COUNT = "select count(*) from report_values_wide"


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


def _send(home, bins, *names) -> None:
    for name in names:
        path = write_report(home.intake_dir / f"{name}.xlsx", bin=bins[name], period=PERIOD, body_name=name,
                            commissioner="Уәкіл", phone="+7 700 000 0000", signed_on=SIGNED, values=clean_values())
        arrived(path, ON_TIME)


def _parquet_count(folder) -> int:
    return duckdb.sql(f"select count(*) from read_parquet('{folder}/report_values_wide.parquet')").fetchall()[0][0]


# A notebook in another process: connect, wait for the test's word, connect again; prints both counts.
NOTEBOOK = """
import sys
from warehouse.connect import connect
held = connect(sys.argv[1])
print(held.execute("select count(*) from report_values_wide").fetchall()[0][0], flush=True)
sys.stdin.readline()
fresh = connect(sys.argv[1])
print(held.execute("select count(*) from report_values_wide").fetchall()[0][0],
      fresh.execute("select count(*) from report_values_wide").fetchall()[0][0], flush=True)
"""


@pytest.mark.process
@pytest.mark.usefixtures("prefect_harness")
def test_every_way_in_works_together_and_a_new_one_sees_the_next_intake(home, small_registry, tmp_path):
    """One process (and a notebook in another) across two real intakes: connect(), create_engine(), an engine made
    from sqlalchemy_url(), export_parquet() and the command line's reader, all open at once."""
    from flows.intake import intake

    registry, bins = small_registry
    with open_writer(home) as con:
        load_registry(con, registry)
    _send(home, bins, "ministry")
    intake(home=str(home.home))

    held = connect(home)
    engine = create_engine(home)
    url_engine = sqlalchemy.create_engine(sqlalchemy_url(home))
    url_con = url_engine.connect()  # a BI tool's pooled connection, kept open
    reader = open_reader(home)
    notebook = subprocess.Popen([sys.executable, "-c", NOTEBOOK, str(home.home)], cwd=ROOT, env=engine_env(),
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert held.execute(COUNT).fetchall() == [(1,)]
        assert int(pd.read_sql(COUNT, engine).iloc[0, 0]) == 1
        assert url_con.execute(sqlalchemy.text(COUNT)).scalar() == 1
        assert reader.execute(COUNT).fetchall() == [(1,)]
        export_parquet(home, tmp_path / "first")
        assert _parquet_count(tmp_path / "first") == 1
        assert notebook.stdout.readline().split() == ["1"]

        _send(home, bins, "unit_a", "akimat")
        intake(home=str(home.home))

        fresh = connect(home)
        try:
            assert fresh.execute(COUNT).fetchall() == [(3,)]
        finally:
            fresh.close()
        assert held.execute(COUNT).fetchall() == [(1,)]  # a kept connection keeps its publication, unbroken
        assert int(pd.read_sql(COUNT, engine).iloc[0, 0]) == 3  # every query of the engine opens the latest
        export_parquet(home, tmp_path / "second")
        assert _parquet_count(tmp_path / "second") == 3
        assert url_con.execute(sqlalchemy.text(COUNT)).scalar() == 1  # the pooled connection keeps its own
        new_reader = open_reader(home)
        try:
            assert new_reader.execute(COUNT).fetchall() == [(3,)]
        finally:
            new_reader.close()
        out, _ = notebook.communicate("go\n", timeout=60)
        assert out.split() == ["1", "3"]
    finally:
        if notebook.poll() is None:
            notebook.kill()
        for con in (held, reader, url_con):
            con.close()
        engine.dispose()
        url_engine.dispose()
    # Once the BI tool's engine reconnects it sees the latest too; pandas takes the URL itself as well.
    assert int(pd.read_sql(COUNT, sqlalchemy_url(home)).iloc[0, 0]) == 3
    # published/warehouse.duckdb itself is the latest copy, for tools that open the file directly.
    assert query(home.published_path, COUNT) == [(3,)]
    assert sorted(p.name for p in home.published_path.parent.iterdir()) == ["warehouse.duckdb"]
