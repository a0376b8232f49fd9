"""Reading files: the intake's reader processes and batches read ahead (adep.intake.run), a rerun's batch."""
from __future__ import annotations

import duckdb
from prefect import task
from prefect.cache_policies import NONE

from adep.intake.arrivals import Arrival, Batch
from adep.intake.read_pool import read_batch
from adep.intake.run import IntakeRun
from adep.settings import Settings


@task(cache_policy=NONE, persist_result=False)
def start_readers(settings: Settings) -> IntakeRun:
    """Start the reader processes for the files waiting in intake/, and the pass's clocks (a live object: never
    stored as a result)."""
    return IntakeRun(settings)


@task(cache_policy=NONE)
def plan_reading(run: IntakeRun, arrivals: list[Arrival], con: duckdb.DuckDBPyConnection) -> int:
    """Split the files found into batches and start reading ahead; returns how many batches there are."""
    return run.plan(arrivals, con)


@task(cache_policy=NONE)
def read_reports(run: IntakeRun, index: int) -> Batch:
    """Read every file of a batch by content (the next batch starts reading meanwhile); what cannot be read becomes a finding."""
    return run.read(index)


@task(cache_policy=NONE)
def stop_readers(run: IntakeRun) -> None:
    """Stop the reader processes (after a failure, without waiting for files read ahead)."""
    run.stop()


@task(cache_policy=NONE)
def read_rerun_batch(batch: Batch, settings: Settings) -> Batch:
    """Read again the files a rerun processes."""
    batch.results = read_batch(batch.arrivals, settings)
    return batch
