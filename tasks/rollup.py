"""Rollup tasks: stage a level's sums for a quarter, then publish them as the next version (warehouse.rollups)."""
from __future__ import annotations

import duckdb
from prefect import task
from prefect.cache_policies import NONE

from adep.periods import Period
from warehouse import rollups
from warehouse.rollups import RollupResult, StagedRollup


@task(cache_policy=NONE)
def stage_rollup(con: duckdb.DuckDBPyConnection, period: Period, level: str, force: bool = False) -> StagedRollup:
    """Compute the level's figures for the quarter into staging tables (not yet published), or refuse plainly."""
    try:
        return rollups.stage_rollup(con, period, level, force=force)
    except BaseException:
        rollups.drop_staged(con)
        raise


@task(cache_policy=NONE)
def publish_rollup(con: duckdb.DuckDBPyConnection, staged: StagedRollup, flow_run_id: str | None = None) -> RollupResult:
    """Publish the staged figures as a new numbered version, atomically replacing the previous one for the period."""
    try:
        return rollups.publish_rollup(con, staged, flow_run_id)
    finally:
        rollups.drop_staged(con)
