"""Scheduled flows: the quarter that just ended is closed stage by stage on the calendar."""
from __future__ import annotations

from datetime import date

from prefect import flow

from adep.periods import Period
from flows.rollup import rollup


@flow
def close_quarter(stage: str, period: str | None = None, home: str | None = None, wait_seconds: float = 600.0):
    """Run a rollup stage for a quarter; a scheduled run (no period) takes the quarter that ended last."""
    quarter = period or str(Period.last_ended(date.today()))
    # A scheduled stage waits for an intake that holds the warehouse rather than failing.
    return rollup(quarter, stage, home, wait_seconds)
