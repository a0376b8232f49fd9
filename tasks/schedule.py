"""Schedule tasks: a scheduled stage that is early for its quarter's real deadline runs again when it is due."""
from __future__ import annotations

from datetime import datetime

from prefect import task
from prefect.cache_policies import NONE


@task(cache_policy=NONE, retries=2, retry_delay_seconds=10)
def defer_stage(deployment_id: str | None, parameters: dict, due_at: datetime) -> str | None:
    """Schedule one run of this stage's deployment at due_at for the named quarter; its id, or None outside a deployment."""
    if not deployment_id:
        return None
    from prefect.deployments import run_deployment

    run = run_deployment(deployment_id, parameters=parameters, scheduled_time=due_at, timeout=0, as_subflow=False,
                         idempotency_key=f"{parameters['stage']}:{parameters['period']}:{due_at.isoformat()}")
    return str(run.id)
