"""Schedule tasks: a scheduled stage that is early for its quarter's real deadline runs again when it is due."""
from __future__ import annotations

from datetime import datetime

from prefect import task
from prefect.cache_policies import NONE

from adep.calendar import WorkingCalendar, quarter_to_close, stage_due_at
from adep.periods import Period
from adep.settings import Settings


@task(cache_policy=NONE)
def stage_due(settings: Settings, stage: str, planned: datetime) -> tuple[Period, datetime]:
    """The quarter a run planned for that moment closes (the one that ended before it), and when the stage is due
    for it: the day after its deadline, which a weekend or holiday may have moved."""
    quarter = quarter_to_close(planned, timezone=settings.timezone)
    due = stage_due_at(quarter, stage, shift=settings.shift_deadlines, timezone=settings.timezone,
                       calendar=WorkingCalendar.from_settings(settings))
    return quarter, due


@task(cache_policy=NONE, retries=2, retry_delay_seconds=10)
def defer_stage(deployment_id: str | None, parameters: dict, due_at: datetime) -> str | None:
    """Schedule one run of this stage's deployment at due_at for the named quarter; its id, or None outside a deployment."""
    if not deployment_id:
        return None
    from prefect.deployments import run_deployment

    run = run_deployment(deployment_id, parameters=parameters, scheduled_time=due_at, timeout=0, as_subflow=False,
                         idempotency_key=f"{parameters['stage']}:{parameters['period']}:{due_at.isoformat()}")
    return str(run.id)
