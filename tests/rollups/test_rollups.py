"""Rollups on a hand-drawn tree: sums computed here by hand, versions, staleness, reconciliation, the flows."""
from __future__ import annotations

import pytest

from contracts.form import codes
from tests.conftest import query
from tests.rollup_world import Q2, Q3, Q4, expected_bodies, file_quarter, make_world
from warehouse.db import open_writer
from tests.rollup_world import run_rollup

pytestmark = pytest.mark.usefixtures("prefect_harness")

# Who sums into whom, written out by hand from the tree in rollup_world's docstring.
MINISTRY_Q3 = {"M1": ["M1", "D1", "T1", "T3"], "M2": ["M2", "T2", "L1"], "A1": ["A1"]}
MINISTRY_Q2 = {"M1": ["M1", "D1", "T1", "T2", "T3"], "M2": ["M2", "L1"], "A1": ["A1"]}
MINISTRY_Q4 = {"M1": ["M1", "D1", "T1"], "M2": ["M2", "T2", "L1"], "A1": ["A1"]}
EVERYONE_Q3 = [m for members in MINISTRY_Q3.values() for m in members]


@pytest.fixture
def world(tmp_path):
    return make_world(tmp_path)


def rolled(world, level, period, bin_=None) -> dict[str, int]:
    return dict(query(world.settings,
                      "select code, value from rollup_values where level = ? and year = ? and quarter = ? "
                      "and bin is not distinct from ?", [level, period.year, period.quarter, bin_]))


def publish(world, period, *levels):
    with open_writer(world.settings) as con:
        return [run_rollup(con, period, level) for level in levels]


def test_ministry_and_agency_equal_hand_sums_with_a_missing_report(world):
    file_quarter(world, Q3, skip=("L1",))
    ministry, agency = publish(world, Q3, "ministry", "agency")
    for top, members in MINISTRY_Q3.items():
        assert rolled(world, "ministry", Q3, world.bins[top]) == world.sum_of(members, Q3), top
    assert rolled(world, "agency", Q3) == world.sum_of(EVERYONE_Q3, Q3)
    assert (ministry.expected_count, ministry.covered_count) == (8, 7)
    assert (agency.expected_count, agency.covered_count) == (8, 7)
    coverage = dict((world.names[b], (e, c)) for b, e, c in query(
        world.settings, "select distinct bin, expected_count, covered_count from rollup_values where level = 'ministry'"))
    assert coverage == {"M1": (4, 4), "M2": (3, 2), "A1": (1, 1)}


def test_a_body_moved_mid_year_and_an_abolished_body_follow_the_registry_in_force(world):
    for period in (Q2, Q3, Q4):
        file_quarter(world, period)
    for period, tree in ((Q2, MINISTRY_Q2), (Q3, MINISTRY_Q3), (Q4, MINISTRY_Q4)):
        publish(world, period, "ministry", "agency")
        for top, members in tree.items():
            assert rolled(world, "ministry", period, world.bins[top]) == world.sum_of(members, period), (period, top)
        everyone = [m for members in tree.values() for m in members]
        assert rolled(world, "agency", period) == world.sum_of(everyone, period)
    expected = query(world.settings, "select quarter, expected_count from rollup_versions where level = 'agency' order by quarter")
    assert expected == [(2, 8), (3, 8), (4, 7)]  # T3 abolished on 2025-08-15: not expected in Q4


def test_an_excluded_body_is_rejected_at_intake_neither_expected_nor_summed(world):
    x1 = world.add_report("X1", Q3)
    file_quarter(world, Q3)
    assert query(world.settings, "select status from core_files where file_id = ?", [x1]) == [("rejected",)]
    assert query(world.settings, "select rule from findings where file_id = ?", [x1]) == [("G02",)]
    (_, agency) = publish(world, Q3, "ministry", "agency")
    assert rolled(world, "agency", Q3) == world.sum_of(EVERYONE_Q3, Q3)
    assert agency.expected_count == 8


def test_breakdowns_by_kind_and_region_sum_to_the_national_figure(world):
    file_quarter(world, Q3, skip=("L1",))
    publish(world, Q3, "ministry", "agency")
    kinds = {"central_body": ["M1"], "department": ["D1"], "territorial_unit": ["T1", "T2", "T3"],
             "regional_akimat": ["M2"], "local_akimat": ["L1"], "audit_commission": ["A1"]}
    regions = {"Астана": ["M1", "D1", "A1"], "Алматы": ["T1"], "Алматы облысы": ["T2", "M2", "L1"], "Абай облысы": ["T3"]}
    got: dict[tuple[str, str], dict[str, int]] = {}
    for breakdown, key, code, value in query(world.settings, "select breakdown, breakdown_key, code, value from rollup_breakdowns"):
        got.setdefault((breakdown, key), {})[code] = value
    for key, members in kinds.items():
        assert got[("kind", key)] == world.sum_of(members, Q3), key
    for key, members in regions.items():
        assert got[("region", key)] == world.sum_of(members, Q3), key
    for top, members in MINISTRY_Q3.items():
        assert got[("body", world.bins[top])] == world.sum_of(members, Q3)
    national = rolled(world, "agency", Q3)
    for breakdown in ("kind", "region", "body"):
        for code in codes():
            assert sum(v[code] for (b, _), v in got.items() if b == breakdown) == national[code]


def test_late_report_after_publication_makes_it_stale_until_the_stage_runs_again(world):
    file_quarter(world, Q3, skip=("L1",))
    (first,) = publish(world, Q3, "ministry")
    before = rolled(world, "ministry", Q3, world.bins["M2"])
    world.add_report("L1", Q3, is_late=True)
    world.add_report("T1", Q3, seed=999)  # a revised report replaces T1's
    assert rolled(world, "ministry", Q3, world.bins["M2"]) == before  # published figures do not move by themselves
    stale = {(world.names[b], change, late) for b, change, late in query(
        world.settings, "select bin, change, is_late from stale_rollups where level = 'ministry'")}
    assert stale == {("L1", "arrived", True), ("T1", "revised", False)}

    (second,) = publish(world, Q3, "ministry")
    assert second.published and second.version_id == first.version_id + 1
    assert "1 arrived" in second.note and "1 revised" in second.note
    assert rolled(world, "ministry", Q3, world.bins["M2"]) == world.sum_of(MINISTRY_Q3["M2"], Q3)
    assert rolled(world, "ministry", Q3, world.bins["M1"]) == world.sum_of(MINISTRY_Q3["M1"], Q3)
    assert query(world.settings, "select count(*) from stale_rollups") == [(0,)]
    versions = query(world.settings,
                     "select version_id, covered_count, arrived_count, revised_count, is_latest from rollup_versions "
                     "where level = 'ministry' order by version_id")
    history = query(world.settings,
                    "select version_id, value from rollup_value_history where bin = ? and code = '1' order by version_id",
                    [world.bins["M2"]])
    assert versions == [(first.version_id, 7, 0, 0, False), (second.version_id, 8, 1, 1, True)]
    assert history == [(first.version_id, before["1"]), (second.version_id, world.sum_of(MINISTRY_Q3["M2"], Q3)["1"])]


def test_running_a_stage_again_without_changes_publishes_nothing_new(world):
    file_quarter(world, Q3)
    first = publish(world, Q3, "ministry", "agency")
    again = publish(world, Q3, "ministry", "agency")
    assert [(r.published, r.version_id) for r in again] == [(False, r.version_id) for r in first]


def test_declared_consolidated_report_is_kept_apart_and_reconciled(world):
    file_quarter(world, Q3, skip=("L1",))
    declared = world.sum_of(MINISTRY_Q3["M1"], Q3)
    declared["2"] += 3  # personal receptions: only 2.1 <= 2 bounds it, so the report stays valid
    declared["10"] += 1  # conflicts of interest notified: a row no rule involves
    world.add_report("M1", Q3, declared, consolidated=True)
    publish(world, Q3, "ministry", "agency")
    assert rolled(world, "ministry", Q3, world.bins["M1"]) == world.sum_of(MINISTRY_Q3["M1"], Q3)  # not counted twice
    rows = query(world.settings, "select bin, code, declared_value, computed_value, difference from reconciliation "
                                 "where not is_equal order by code")
    equal = query(world.settings, "select count(*) from reconciliation where is_equal")[0][0]
    m1 = world.bins["M1"]
    computed = world.sum_of(MINISTRY_Q3["M1"], Q3)
    assert rows == [(m1, "10", computed["10"] + 1, computed["10"], 1), (m1, "2", computed["2"] + 3, computed["2"], 3)]
    assert equal == len(codes()) - 2


def test_completeness_counts_by_parent(world):
    file_quarter(world, Q3, skip=("L1", "T3"), late=("T1", "M2"))
    rows = query(world.settings, "select parent_bin, expected, received, on_time, late, missing from completeness "
                                 "where year = 2025 and quarter = 3")
    missing = {world.names[b] for (b,) in query(world.settings,
                                                "select bin from missing_reports where year = 2025 and quarter = 3")}
    by_parent = {(world.names[p] if p else "Agency"): rest for p, *rest in rows}
    assert by_parent == {
        "Agency": [3, 3, 2, 1, 0],  # M1, M2 (late), A1; X1 excluded
        "M1": [2, 1, 1, 0, 1],      # D1, T3 (missing)
        "D1": [1, 1, 0, 1, 0],      # T1 (late); T2 moved to M2 on 2025-08-01
        "M2": [2, 1, 1, 0, 1],      # T2, L1 (missing)
    }
    assert missing == {"L1", "T3"}


def test_the_world_is_loaded_by_the_intake_not_written_beside_it(world):
    file_quarter(world, Q3, skip=("L1",), late=("T1",))
    rows = query(world.settings, "select f.file_name, f.status, f.stored_path, s.is_late, s.deadline_at is not null "
                                 "from core_files as f join core_submissions as s using (file_id) order by f.file_id")
    assert len(rows) == len(expected_bodies(Q3)) - 1
    assert all(status == "loaded" and path.startswith("archive/2025Q3/") and has_deadline
               for _, status, path, _, has_deadline in rows)
    assert {name.split()[0] for name, *_, is_late, _ in rows if is_late} == {"T1"}
    assert not list(world.settings.intake_dir.iterdir())  # every file filed away by the flow


def test_rollup_flows_run_under_prefect(world):
    from flows.rollup import rollup, rollup_agency, rollup_ministry

    file_quarter(world, Q3, skip=("L1",))
    results = rollup(str(Q3), "all", str(world.settings.home))
    assert [(r.level, r.published) for r in results] == [("ministry", True), ("agency", True)]
    assert results[1].based_on_version_id == results[0].version_id
    assert not rollup_agency(str(Q3), str(world.settings.home)).published
    world.add_report("L1", Q3, is_late=True)
    again = rollup_ministry(str(Q3), str(world.settings.home))
    assert again.published and again.covered_count == 8
    assert rolled(world, "ministry", Q3, world.bins["M2"]) == world.sum_of(MINISTRY_Q3["M2"], Q3)
    national = rollup_agency(str(Q3), str(world.settings.home))
    assert national.published and national.based_on_version_id == again.version_id
    assert rolled(world, "agency", Q3) == world.sum_of(EVERYONE_Q3, Q3)
    assert query(world.settings, "select count(*) from rollup_versions where flow_run_id <> ''") == [(4,)]
