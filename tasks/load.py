"""Loading a checked batch into the ledger (warehouse.ledger) and filing its files away (adep.intake.filing)."""
from __future__ import annotations

import duckdb
from prefect import task
from prefect.cache_policies import NONE

from adep.intake import filing
from adep.intake.checks import CheckedBatch
from adep.intake.run import IntakeRun, step_of
from adep.settings import Settings
from warehouse import ledger


@task(cache_policy=NONE)
def load_reports(batch: CheckedBatch, con: duckdb.DuckDBPyConnection, run_id: str | None = None,
                 run: IntakeRun | None = None) -> CheckedBatch:
    """Load the batch in one transaction: a crash leaves every file of it wholly in or wholly out."""
    with step_of(run, "load"):
        return ledger.load_reports(batch, con, run_id)


@task(cache_policy=NONE)
def file_reports_away(batch: CheckedBatch, con: duckdb.DuckDBPyConnection, settings: Settings,
                      run: IntakeRun | None = None) -> None:
    """Move the batch's files to archive/ or rejected/ as recorded."""
    with step_of(run, "file away"):
        filing.file_reports_away(batch, con, settings)


@task(cache_policy=NONE)
def finish_interrupted_filing(con: duckdb.DuckDBPyConnection, settings: Settings, run: IntakeRun | None = None) -> int:
    """Files a crashed run loaded but did not move: moved now, so every file is in exactly one place."""
    with step_of(run, "discover"):
        return filing.finish_interrupted_filing(con, settings)
