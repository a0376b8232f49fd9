"""The staged rollups: lower tier into each top-tier body (ministry), then the latest ministry version into the
national figure (agency)."""
from __future__ import annotations

from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from adep.periods import Period
from adep.settings import load_settings
from tasks.artifacts import post_rollup_artifact
from tasks.rollup import publish_rollup, stage_rollup
from warehouse.db import open_writer
from warehouse.rollups import STAGES, RollupResult



def _run_stages(levels: tuple[str, ...], period: str, home: str | None, wait_seconds: float,
                force: bool) -> list[RollupResult]:
    """The stages in order, under one hold of the warehouse (one open, one published copy for readers)."""
    settings = load_settings(home)
    results = []
    with open_writer(settings, wait_seconds=wait_seconds) as con:
        for level in levels:
            staged = stage_rollup(con, Period.parse(period), level, force)
            results.append(publish_rollup(con, staged, str(flow_run.id or "")))
    for result in results:
        get_run_logger().info(result.as_line())
        post_rollup_artifact(settings, result)
    return results


@flow
def rollup_ministry(period: str, home: str | None = None, wait_seconds: float = 0.0, force: bool = False) -> RollupResult:
    """Every top-tier body's consolidated figures: its own report plus all its subordinates', at any depth."""
    return _run_stages(("ministry",), period, home, wait_seconds, force)[0]


@flow
def rollup_agency(period: str, home: str | None = None, wait_seconds: float = 0.0, force: bool = False) -> RollupResult:
    """The national figures: the latest published ministry version consolidated, by body, kind and region."""
    return _run_stages(("agency",), period, home, wait_seconds, force)[0]


@flow
def rollup(period: str, stage: str = "all", home: str | None = None, wait_seconds: float = 0.0,
           force: bool = False) -> list[RollupResult]:
    """Run the named stage for a quarter, or both in order ('all'); force publishes a quarter with no report."""
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {', '.join(STAGES)}, not {stage!r}")
    return _run_stages(STAGES[stage], period, home, wait_seconds, force)
