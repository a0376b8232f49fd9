"""A published rollup goes stale when the registry changes who is expected or where a body rolls up, and when a rerun
loads a report: stale_rollups lists the change at both levels, rollup_input_changes once the stages run again."""
from __future__ import annotations

import pytest
from rich.console import Console

from adep.cli.parser import main
from adep.outputs.status import status_view
from tests.conftest import query
from tests.rollup_world import NAMES, Q3, bin_for, file_quarter, make_world, registry_rows, write_registry

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture
def world(tmp_path):
    w = make_world(tmp_path)
    w.bins["N1"] = bin_for(len(NAMES) + 1)  # a body the first registry does not know
    w.names[w.bins["N1"]] = "N1"
    return w


def adep(world, *args) -> int:
    return main(["--home", str(world.settings.home), *args])


def new_body(world) -> tuple[str, ...]:
    return (world.bins["N1"], "Жаңа комитет", "Новый комитет", "department", world.bins["A1"], "Астана", "2020-01-01", "")


def load_registry_file(world, tmp_path, rows) -> None:
    assert adep(world, "registry", "load", str(write_registry(tmp_path / "registry-2.csv", rows))) == 0


def status_text(world) -> str:
    console = Console(record=True, width=300)
    con = world.connect()
    try:
        console.print(status_view(con, Q3))
    finally:
        con.close()
    return console.export_text()


def listed(world, view: str, where: str = "true") -> set[tuple]:
    return {(level, world.names[b], change, registry_change) for level, b, change, registry_change in query(
        world.settings, f"select level, bin, change, registry_change from {view} where {where}")}


def test_a_registry_load_makes_the_published_rollups_stale(world, tmp_path):
    file_quarter(world, Q3)
    assert adep(world, "rollup", str(Q3)) == 0
    rows = registry_rows(world.bins)
    t1 = next(i for i, r in enumerate(rows) if r[0] == world.bins["T1"])
    rows[t1] = rows[t1][:4] + (world.bins["M2"],) + rows[t1][5:]  # T1 now reports to the oblast akimat
    d1 = next(i for i, r in enumerate(rows) if r[0] == world.bins["D1"])
    rows[d1] = rows[d1][:5] + ("Алматы",) + rows[d1][6:]  # D1 counted under another region
    load_registry_file(world, tmp_path, rows + [new_body(world)])

    expected = {("moved", "moved"): "T1", ("regrouped", "regrouped"): "D1", ("joined", "joined"): "N1"}
    stale = {(level, name, change, registry_change) for level in ("ministry", "agency")
             for (change, registry_change), name in expected.items()}
    assert listed(world, "stale_rollups") == stale
    assert query(world.settings, "select distinct stage_to_run from stale_rollups") == [("ministry",)]
    tops = dict((world.names[b], (world.names[p] if p else None, world.names[n]))
                for b, p, n in query(world.settings, "select bin, published_top_bin, top_bin from stale_rollups "
                                                     "where level = 'ministry'"))
    assert tops == {"T1": ("M1", "M2"), "D1": ("M1", "M1"), "N1": (None, "A1")}
    text = status_text(world)
    for said in ("1 now expected by the registry", "1 moved in the registry tree", "1 another kind or region",
                 "--stage ministry", "--stage all"):
        assert said in text, said

    assert adep(world, "rollup", str(Q3)) == 0
    assert listed(world, "stale_rollups") == set()
    assert listed(world, "rollup_input_changes") == stale
    m2 = dict(query(world.settings, "select code, value from rollup_values where level = 'ministry' and bin = ?",
                    [world.bins["M2"]]))
    assert m2 == world.sum_of(["M2", "T2", "L1", "T1"], Q3)
    assert query(world.settings, "select level, expected_count, covered_count, registry_change_count "
                                 "from rollup_versions where is_latest order by level") == [
        ("agency", 9, 8, 3), ("ministry", 9, 8, 3)]


def test_a_report_loaded_by_a_rerun_after_a_registry_load_makes_the_rollups_stale(world, tmp_path):
    file_quarter(world, Q3)
    n1 = world.add_report("N1", Q3)
    assert query(world.settings, "select status from core_files where file_id = ?", [n1]) == [("rejected",)]
    assert adep(world, "rollup", str(Q3)) == 0
    national_before = dict(query(world.settings, "select code, value from rollup_values where level = 'agency'"))

    load_registry_file(world, tmp_path, registry_rows(world.bins) + [new_body(world)])
    assert listed(world, "stale_rollups") == {("ministry", "N1", "joined", "joined"), ("agency", "N1", "joined", "joined")}

    assert adep(world, "rerun", "--failed") == 0
    assert query(world.settings, "select status from core_files where file_id = ?", [n1]) == [("loaded",)]
    assert listed(world, "stale_rollups") == {("ministry", "N1", "arrived", "joined"), ("agency", "N1", "arrived", "joined")}
    assert query(world.settings, "select distinct current_file_id from stale_rollups") == [(n1,)]

    assert adep(world, "rollup", str(Q3)) == 0
    assert listed(world, "stale_rollups") == set()
    assert listed(world, "rollup_input_changes") == {("ministry", "N1", "arrived", "joined"),
                                                     ("agency", "N1", "arrived", "joined")}
    world.record("N1", Q3, query(world.settings, "select file_name from core_files where file_id = ?", [n1])[0][0],
                 dict(query(world.settings, "select code, value from core_values where file_id = ?", [n1])))
    national = dict(query(world.settings, "select code, value from rollup_values where level = 'agency'"))
    assert national == world.sum_of(["M1", "D1", "T1", "T3", "M2", "T2", "L1", "A1", "N1"], Q3) != national_before
