"""Finding the files that have arrived in intake/."""
from __future__ import annotations

from prefect import task
from prefect.cache_policies import NONE

from adep.intake.arrivals import Arrival, discover
from adep.intake.run import IntakeRun, step_of
from adep.settings import Settings


@task(cache_policy=NONE)
def discover_files(settings: Settings, run: IntakeRun | None = None) -> tuple[list[Arrival], list[str]]:
    """Files ready in intake/ and files still being copied (left for the next pass)."""
    with step_of(run, "discover"):
        return discover(settings)
