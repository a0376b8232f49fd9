"""The warehouse upgrades itself, keeps one writer at a time, and honours an operator's rule severities."""
from __future__ import annotations

import csv

import duckdb
import pytest

from adep.registry import load_registry
from adep.forms.writer import write_report
from contracts.form import rules
from tests.steps import take_in
from tests.conftest import ON_TIME, PERIOD, SIGNED, arrived, clean_values, query
from warehouse.db import WarehouseBusy, migrations, open_reader, open_writer, writer_lock


def test_an_older_warehouse_is_upgraded_and_keeps_its_data(home):
    version, _, first_sql = migrations()[0]
    con = duckdb.connect(str(home.warehouse_path))
    con.execute("create table schema_version (version integer primary key, file_name varchar, applied_at timestamptz)")
    con.execute(first_sql)
    con.execute("insert into schema_version values (?, '001', now())", [version])
    con.execute("insert into core_files (file_id, file_name, sha256, size_bytes, received_at, status, stored_path, processed_at) "
                "values (1, 'old.xlsx', 'abc', 10, now(), 'rejected', 'rejected/000001-old.xlsx', now())")
    con.close()

    with open_writer(home) as con:
        versions = [v for (v,) in con.execute("select version from schema_version order by version").fetchall()]
        kept = con.execute("select file_name from intake_log").fetchall()
    assert versions == [v for v, _, _ in migrations()]
    assert kept == [("old.xlsx",)]


def test_a_second_writer_is_told_plainly_and_readers_are_not_blocked(home):
    with open_writer(home):
        pass
    with writer_lock(home):
        with pytest.raises(WarehouseBusy, match="being written"):
            with open_writer(home):
                pass
        reader = open_reader(home)  # the published copy opens while the writer holds the lock
        assert reader.execute("select count(*) from intake_log").fetchall() == [(0,)]
        reader.close()


def test_an_operator_can_make_a_warning_an_error(home, small_registry):
    path, bins = small_registry
    with open_writer(home) as con:
        load_registry(con, path)
    with open(home.rules_path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["rule", "name", "left", "op", "right", "severity", "why"])
        for r in rules():
            writer.writerow([r.rule, r.name, r.left_text, r.op, r.right_text, "error" if r.rule == "R02" else r.severity, r.why])
    values = clean_values()
    values["1"] += 1  # breaks only R02 (1.1 + 1.2 == 1), a warning in the form's own rules
    arrived(write_report(home.intake_dir / "a.xlsx", bin=bins["unit_a"], period=PERIOD, body_name="A", commissioner="B",
                         phone="1", signed_on=SIGNED, values=values), ON_TIME)
    take_in(home)
    assert query(home, "select status from intake_log") == [("rejected",)]
    assert query(home, "select rule, severity from findings") == [("R02", "error")]
