"""The registry: versions over time, bad rows reported by line with nothing half-loaded."""
from __future__ import annotations

import pytest

from adep.registry import RegistryError, load_registry
from tests.conftest import make_bin
from warehouse.db import open_writer

HEADER = "bin,name_kk,name_ru,kind,parent_bin,region,valid_from,valid_to"


def _csv(tmp_path, lines, name="reg.csv"):
    path = tmp_path / name
    path.write_text("\n".join([HEADER] + lines) + "\n", encoding="utf-8")
    return path


def _rows(con):
    return con.execute("select bin, parent_bin, valid_from::varchar, valid_to::varchar from core_registry order by bin, valid_from").fetchall()


def test_load_then_update_with_a_move_between_parents(home, tmp_path):
    m1, m2, unit = make_bin(1), make_bin(2), make_bin(3)
    first = _csv(tmp_path, [f"{m1},М1,М1,central_body,,Астана,2020-01-01,", f"{m2},М2,М2,central_body,,Астана,2020-01-01,",
                            f"{unit},Б,Б,territorial_unit,{m1},Алматы,2020-01-01,"])
    second = _csv(tmp_path, [f"{m1},М1,М1,central_body,,Астана,2020-01-01,", f"{m2},М2,М2,central_body,,Астана,2020-01-01,",
                             f"{unit},Б,Б,territorial_unit,{m1},Алматы,2020-01-01,2026-08-14",
                             f"{unit},Б,Б,territorial_unit,{m2},Алматы,2026-08-15,"], "reg2.csv")
    with open_writer(home) as con:
        assert load_registry(con, first).rows == 3
        load = load_registry(con, second)
        assert (load.registry_load_id, load.rows, load.bodies) == (2, 4, 3)
        # the version in force on the last day of the quarter gives the parent
        q3 = dict(con.execute("select bin, parent_bin from bodies_in_period(2026, 3)").fetchall())
        q2 = dict(con.execute("select bin, parent_bin from bodies_in_period(2026, 2)").fetchall())
    assert q3[unit] == m2 and q2[unit] == m1


@pytest.mark.parametrize("bad_line,expected", [
    ("{bad_bin},X,X,central_body,,Астана,2020-01-01,", "line 3: BIN"),
    ("{b3},X,X,territorial_unit,{unknown},Астана,2020-01-01,", "line 3: parent BIN"),
    ("{b1},X,X,central_body,,Астана,2021-01-01,", "overlaps the version on line 2"),
    ("{b3},X,X,space_agency,,Астана,2020-01-01,", "line 3: kind"),
    ("{b3},X,X,central_body,,Астана,01.01.2020,", "line 3: valid_from"),
])
def test_a_bad_row_is_reported_by_line_and_nothing_changes(home, tmp_path, bad_line, expected):
    b1, b3, unknown = make_bin(1), make_bin(3), make_bin(9)
    bad_bin = b1[:11] + str((int(b1[11]) + 1) % 10)
    good = _csv(tmp_path, [f"{b1},М1,М1,central_body,,Астана,2020-01-01,"], "good.csv")
    bad = _csv(tmp_path, [f"{b1},М1,М1,central_body,,Астана,2020-01-01,",
                          bad_line.format(bad_bin=bad_bin, b1=b1, b3=b3, unknown=unknown)], "bad.csv")
    with open_writer(home) as con:
        load_registry(con, good)
        before = _rows(con)
        with pytest.raises(RegistryError) as err:
            load_registry(con, bad)
        assert _rows(con) == before
    assert any(expected in p for p in err.value.problems), err.value.problems


def test_a_cycle_is_refused(home, tmp_path):
    a, b = make_bin(1), make_bin(2)
    path = _csv(tmp_path, [f"{a},A,A,department,{b},Астана,2020-01-01,", f"{b},B,B,department,{a},Астана,2020-01-01,"])
    with open_writer(home) as con, pytest.raises(RegistryError, match="cycle"):
        load_registry(con, path)


def test_the_command_line_reports_bad_rows(home, tmp_path, capsys):
    from adep.cli.parser import main

    path = _csv(tmp_path, ["123,X,X,central_body,,Астана,2020-01-01,"])
    assert main(["--home", str(home.home), "registry", "load", str(path)]) == 1
    out = capsys.readouterr().out
    assert "line 2" in out and "not loaded" in out
