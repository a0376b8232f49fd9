"""The staged rollups: the agency stage consolidates the latest published ministry version, records it, and is stale
wherever that version is; a stage with nothing to roll up refuses in one line unless forced."""
from __future__ import annotations

import pytest

from adep.cli.parser import main
from contracts.form import codes
from tests.conftest import query
from tests.rollup_world import Q2, Q3, Q4, file_quarter, make_world
from warehouse.db import open_writer
from tests.rollup_world import run_rollup
from warehouse.rollups import RollupRefused

pytestmark = pytest.mark.usefixtures("prefect_harness")

EVERYONE_Q3 = ["M1", "D1", "T1", "T3", "M2", "T2", "L1", "A1"]


@pytest.fixture
def world(tmp_path):
    return make_world(tmp_path)


def publish(world, period, *levels):
    with open_writer(world.settings) as con:
        return [run_rollup(con, period, level) for level in levels]


def national(world, period=Q3) -> dict[str, int]:
    return dict(query(world.settings, "select code, value from rollup_values where level = 'agency' "
                                      "and year = ? and quarter = ?", [period.year, period.quarter]))


def stale(world) -> set[tuple]:
    return {(level, world.names[b], change, stage) for level, b, change, stage in query(
        world.settings, "select level, bin, change, stage_to_run from stale_rollups")}


def adep(world, *args) -> int:
    return main(["--home", str(world.settings.home), *args])


def one_line(capsys) -> str:
    captured = capsys.readouterr()
    lines = [line for line in (captured.out + captured.err).splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert "Traceback" not in lines[0]
    return lines[0]


def test_the_agency_stage_refuses_without_a_ministry_version(world):
    from flows.rollup import rollup_agency

    file_quarter(world, Q3)
    with open_writer(world.settings) as con, pytest.raises(RollupRefused, match="no ministry version is published for 2025Q3"):
        run_rollup(con, Q3, "agency")
    with pytest.raises(RollupRefused, match="--stage ministry"):
        rollup_agency(str(Q3), str(world.settings.home))  # refused under the writer's lock too, not only by the command
    assert query(world.settings, "select count(*) from core_rollup_versions") == [(0,)]


def test_the_agency_stage_consolidates_the_latest_ministry_version_and_records_it(world):
    file_quarter(world, Q3, skip=("L1",))
    ministry, agency = publish(world, Q3, "ministry", "agency")
    assert agency.based_on_version_id == ministry.version_id
    assert f"from ministry version {ministry.version_id}" in agency.note
    versions = dict(query(world.settings, "select level, based_on_version_id from rollup_versions"))
    assert versions == {"ministry": None, "agency": ministry.version_id}
    summed = dict(query(world.settings, "select code, sum(value) from rollup_values where level = 'ministry' group by code"))
    assert national(world) == summed == world.sum_of(EVERYONE_Q3, Q3)
    coverage = query(world.settings, "select expected_count, covered_count from rollup_values where level = 'agency' limit 1")
    assert coverage == [(8, 7)]
    # the agency version keeps the tree and the reports of its ministry version, not a walk of its own
    for table in ("core_rollup_tree", "core_rollup_inputs"):
        rows = query(world.settings, f"select version_id, count(*) from {table} group by all order by 1")
        assert rows == [(ministry.version_id, rows[0][1]), (agency.version_id, rows[0][1])]


def test_a_late_report_reaches_the_national_figure_only_through_the_ministry_stage(world):
    file_quarter(world, Q3, skip=("L1",))
    first_ministry, first_agency = publish(world, Q3, "ministry", "agency")
    without_l1 = national(world)
    world.add_report("L1", Q3, is_late=True)
    assert stale(world) == {("ministry", "L1", "arrived", "ministry"), ("agency", "L1", "arrived", "ministry")}
    assert query(world.settings, "select basis_version_id from stale_rollups where level = 'agency'") == [
        (first_ministry.version_id,)]

    (agency_again,) = publish(world, Q3, "agency")  # the ministry version it rests on has not moved
    assert not agency_again.published and national(world) == without_l1

    (ministry,) = publish(world, Q3, "ministry")
    assert stale(world) == {("agency", "L1", "arrived", "agency")}  # only the agency stage is behind now
    assert national(world) == without_l1

    (agency,) = publish(world, Q3, "agency")
    assert agency.published and agency.based_on_version_id == ministry.version_id
    assert national(world) == world.sum_of(EVERYONE_Q3, Q3) != without_l1
    assert stale(world) == set()
    changes = query(world.settings, "select level, bin, change, is_late from rollup_input_changes order by level")
    assert changes == [("agency", world.bins["L1"], "arrived", True), ("ministry", world.bins["L1"], "arrived", True)]
    assert query(world.settings, "select version_id, based_on_version_id, arrived_count from rollup_versions "
                                 "where level = 'agency' and is_latest") == [(agency.version_id, ministry.version_id, 1)]


def test_breakdowns_come_from_the_ministry_version_and_sum_to_the_national_figure(world):
    file_quarter(world, Q3, skip=("L1",))
    publish(world, Q3, "ministry")
    world.add_report("L1", Q3, is_late=True)  # in force now, but not in the ministry version
    publish(world, Q3, "agency")
    total = national(world)
    assert total == world.sum_of([n for n in EVERYONE_Q3 if n != "L1"], Q3)
    rows = query(world.settings, "select breakdown, breakdown_key, code, value, expected_count, covered_count "
                                 "from rollup_breakdowns")
    for breakdown in ("body", "kind", "region"):
        for code in codes():
            assert sum(v for b, _, c, v, _, _ in rows if b == breakdown and c == code) == total[code], (breakdown, code)
        assert sum(e for b, _, c, _, e, _ in rows if b == breakdown and c == "1") == 8
        assert sum(c for b, _, code, _, _, c in rows if b == breakdown and code == "1") == 7
    local = [(v, e, c) for b, k, code, v, e, c in rows if (b, k, code) == ("kind", "local_akimat", "1")]
    assert local == [(0, 1, 0)]  # L1's report waits for the ministry stage
    assert ("agency", "L1", "arrived", "ministry") in stale(world)


def test_rollup_sources_traces_the_national_figure_to_the_files(world):
    file_quarter(world, Q3, skip=("T3",))
    world.add_report("T1", Q3, seed=7)  # revised: the later file is summed, the first is not
    ministry, agency = publish(world, Q3, "ministry", "agency")
    sums = dict(query(world.settings, "select code, sum(source_value) from rollup_sources "
                                      "where level = 'agency' and is_latest group by code"))
    assert sums == national(world) == world.sum_of(EVERYONE_Q3, Q3)
    files = query(world.settings, "select distinct file_id, file_name, file_status_now from rollup_sources "
                                  "where version_id = ? order by file_id", [agency.version_id])
    inputs = query(world.settings, "select file_id from core_rollup_inputs where version_id = ? order by file_id",
                   [ministry.version_id])
    assert [f for f, _, _ in files] == [f for (f,) in inputs]
    assert len(files) == 7 and {status for _, _, status in files} == {"loaded"}
    assert sum(name.startswith("T1 ") for _, name, _ in files) == 1


def test_adep_rollup_refuses_a_quarter_with_no_report_unless_forced(world, capsys):
    file_quarter(world, Q3)
    capsys.readouterr()
    for stage in ("ministry", "all"):
        assert adep(world, "rollup", str(Q2), "--stage", stage) != 0
        assert "no report is in force for 2025Q2" in one_line(capsys)
    assert adep(world, "rollup", str(Q2), "--stage", "agency") != 0
    assert "no ministry version is published for 2025Q2" in one_line(capsys)
    assert query(world.settings, "select count(*) from core_rollup_versions") == [(0,)]

    assert adep(world, "rollup", str(Q3)) == 0
    assert "from ministry version" in capsys.readouterr().out
    previous = query(world.settings, "select distinct previous_quarter_value from national_trend "
                                     "where year = 2025 and quarter = 3")
    assert previous == [(None,)]  # 2025Q2 was never published: NULL, not zero

    assert adep(world, "rollup", str(Q4), "--stage", "agency", "--force") != 0  # force never skips the ministry stage
    assert "--stage ministry" in one_line(capsys)
    assert adep(world, "rollup", str(Q2), "--force") == 0  # zeros, published on purpose
    assert query(world.settings, "select distinct previous_quarter_value from national_trend "
                                 "where year = 2025 and quarter = 3") == [(0,)]
    assert query(world.settings, "select level, covered_count from rollup_versions where quarter = 2 order by level") == [
        ("agency", 0), ("ministry", 0)]
