"""Prefect artifacts: every intake run leaves a table of outcomes and findings, every rollup stage a markdown summary."""
from __future__ import annotations

import json
from uuid import UUID

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

from tests.analyst_world import Q3, analyst_world, analyst_world_by_flows  # noqa: F401 (fixtures)
from tasks.artifacts import post_intake_artifacts, post_rollup_artifact, rollup_markdown
from tasks.summary import IntakeSummary
from warehouse.connect import connect
from warehouse.rollups import RollupResult


def artifacts_of(flow_run_id: str) -> dict:
    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[UUID(flow_run_id)])))
    return {a.key: a for a in found}


def table(artifact) -> list[dict]:
    return json.loads(artifact.data) if isinstance(artifact.data, str) else artifact.data


def test_an_intake_run_publishes_its_outcomes_and_findings(analyst_world_by_flows):
    world = analyst_world_by_flows
    found = artifacts_of(world.intake_run_ids[1])  # the 2026Q3 run: three good reports, one broken
    assert {"intake-outcomes", "intake-findings"} <= set(found)
    outcomes = {row["file"]: row for row in table(found["intake-outcomes"])}
    assert set(outcomes) == {f"{name} {Q3}.xlsx" for name in ("ministry", "unit_a", "unit_b", "akimat")}
    broken = outcomes[f"unit_b {Q3}.xlsx"]
    assert (broken["outcome"], broken["bin"], broken["period"]) == ("rejected", world.bins["unit_b"], str(Q3))
    assert broken["errors"] >= 1 and broken["filed_as"].startswith("rejected/")
    assert outcomes[f"akimat {Q3}.xlsx"]["outcome"] == "loaded"
    assert "4 file(s)" in found["intake-outcomes"].description and "1 rejected" in found["intake-outcomes"].description
    findings = table(found["intake-findings"])
    r03 = [f for f in findings if f["rule"] == "R03"]
    assert r03 and r03[0]["file"] == f"unit_b {Q3}.xlsx" and r03[0]["row_code"] == "2" and r03[0]["cell"]  # the total's row and cell
    assert found["intake-outcomes"].type == "table"


def test_each_rollup_stage_publishes_a_markdown_summary(analyst_world_by_flows):
    world = analyst_world_by_flows
    con = connect(world.settings)
    try:
        runs = dict(con.execute("select level, flow_run_id from rollup_versions where year = 2026 and quarter = 3 "
                                "and is_latest").fetchall())
    finally:
        con.close()
    agency = artifacts_of(runs["agency"])["rollup-agency-2026q3"]
    assert agency.type == "markdown"
    text = agency.data
    assert text.startswith("# Agency rollup, 2026Q3")
    assert "covers **3 of 4** expected reports" in text
    national = world.national(Q3)
    row3 = next(line for line in text.splitlines() if line.startswith("| 3 |"))
    assert f"| {national['3']} |" in row3
    ministry = artifacts_of(runs["ministry"])["rollup-ministry-2026q3"]
    assert "Министрлік" in ministry.data and "Облыс әкімдігі" in ministry.data


def test_an_unchanged_rollup_says_nothing_new(analyst_world):
    result = RollupResult("agency", str(Q3), 8, False, 4, 3, 3, "no change since it was published")
    con = connect(analyst_world.settings)
    try:
        text = rollup_markdown(con, result)
    finally:
        con.close()
    assert "nothing new: version 8 stands" in text


def test_a_failed_artifact_does_not_fail_the_run(tmp_path):
    from adep.settings import load_settings

    nowhere = load_settings(tmp_path / "no-home", environ={})  # nothing published: reading fails
    assert post_intake_artifacts.fn(nowhere, IntakeSummary(), "run") == []
    assert post_rollup_artifact.fn(nowhere, RollupResult("agency", "2026Q3", 1, True, 1, 1, 1, "first")) is None
