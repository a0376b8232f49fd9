"""Reading a batch of files."""
from __future__ import annotations

from prefect import task
from prefect.cache_policies import NONE

from adep.intake.arrivals import Batch
from adep.intake.read_pool import ReadAhead


@task(cache_policy=NONE)
def read_reports(reader: ReadAhead, index: int) -> Batch:
    """Read every file of a batch by content (the next batch starts reading meanwhile); what cannot be read becomes a finding."""
    return reader.read(index)
