"""Rerunning rejected files: the same ledger entry, a new attempt, the file moved if it now loads."""
from __future__ import annotations

import duckdb
import pandas as pd
from prefect import task
from prefect.cache_policies import NONE

from adep.intake import filing
from adep.intake.arrivals import Batch, rerun_batch
from adep.intake.checks import CheckedBatch
from adep.settings import Settings
from warehouse import ledger


@task(cache_policy=NONE)
def select_files_to_rerun(con: duckdb.DuckDBPyConnection, settings: Settings, file_ids: list[int] | None,
                          period: tuple[int, int] | None, force: bool = False) -> tuple[Batch, list[int], pd.DataFrame]:
    """The rejected files to process again, as a batch with their ledger ids, and those left alone with the reason."""
    chosen, skipped = ledger.select_files_to_rerun(con, settings, file_ids, period, force=force)
    batch, ids = rerun_batch(settings, chosen)
    return batch, ids, skipped


@task(cache_policy=NONE)
def record_attempts(batch: CheckedBatch, con: duckdb.DuckDBPyConnection, file_ids: list[int], run_id: str | None = None) -> CheckedBatch:
    """One transaction: the new attempt of every file, and the submissions of those that now pass."""
    return ledger.record_attempts(batch, con, file_ids, run_id)


@task(cache_policy=NONE)
def refile_reports(batch: CheckedBatch, con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """Move files that now load to archive/, rewrite the findings of those still rejected."""
    filing.refile_reports(batch, con, settings)
