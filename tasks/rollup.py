"""Rollup tasks: stage a level's sums for a quarter, then publish them as the next version."""
from __future__ import annotations

import duckdb
from prefect import task
from prefect.cache_policies import NONE

from adep.periods import Period
from warehouse.rollups import RollupResult, StagedRollup, drop_staged, publish_rollup, stage_rollup


@task(cache_policy=NONE)
def sum_registry_tree(con: duckdb.DuckDBPyConnection, period: Period, level: str) -> StagedRollup:
    """Walk the registry tree in force for the quarter and sum the own-scope reports in force (staged, not published)."""
    return stage_rollup(con, period, level)


@task(cache_policy=NONE)
def publish_version(con: duckdb.DuckDBPyConnection, staged: StagedRollup, flow_run_id: str | None = None) -> RollupResult:
    """Publish the staged figures as a new numbered version, atomically replacing the previous one for the period."""
    try:
        return publish_rollup(con, staged, flow_run_id)
    finally:
        drop_staged(con)
