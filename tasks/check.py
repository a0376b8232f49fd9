"""Checking a batch: the contracts, the form's rules, the registry, duplicates, lateness (adep.intake.checks)."""
from __future__ import annotations

import duckdb
from prefect import task
from prefect.cache_policies import NONE

from adep.intake import checks
from adep.intake.arrivals import Batch
from adep.intake.checks import CheckedBatch
from adep.intake.run import IntakeRun, step_of
from adep.settings import Settings


@task(cache_policy=NONE)
def check_reports(batch: Batch, con: duckdb.DuckDBPyConnection, settings: Settings, rerun_ids: list[int] | None = None,
                  run: IntakeRun | None = None) -> CheckedBatch:
    """Apply the form's contracts and rules, the registry and the ledger to a batch of read files."""
    with step_of(run, "check"):
        return checks.check_reports(batch.arrivals, batch.results, con, settings, rerun_ids=rerun_ids)
