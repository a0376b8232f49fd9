"""Reading a batch of files."""
from __future__ import annotations

from concurrent.futures import Executor

from prefect import task
from prefect.cache_policies import NONE

from adep.arrivals import Batch
from adep.parallel import read_batch
from adep.settings import Settings


@task(cache_policy=NONE)
def read_reports(batch: Batch, settings: Settings, pool: Executor | None = None) -> Batch:
    """Read every file of the batch by content; what cannot be read becomes a finding."""
    batch.results = read_batch(batch.arrivals, settings, pool)
    return batch
