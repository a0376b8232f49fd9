"""The flows as Prefect deployments: intake on a short interval, the stages on the quarterly calendar, rerun on demand.

`adep serve` runs them in its own process until stopped; `adep deploy --pool NAME` registers the same deployments
on a work pool, where `prefect worker start --pool NAME` runs them on any machine with adep and the home.
"""
from __future__ import annotations

from adep.calendar import INTAKE_INTERVAL_MINUTES, intake_schedule, stage_schedule
from adep.settings import Settings

# What each deployment does and when, as the commands print it.
SCHEDULES = {
    "intake/intake": "every {every} min",
    "close-quarter/ministry-stage": "06:00 Asia/Almaty the day after the lower-tier deadline (the 5th, or later past holidays)",
    "close-quarter/agency-stage": "06:00 Asia/Almaty the day after the top-tier deadline (the 10th, or later past holidays)",
    "rerun/rerun": "on demand, from the UI, with file ids or failed=true",
}
POOL_TYPE = "process"


def build_deployments(settings: Settings, *, intake_minutes: int = INTAKE_INTERVAL_MINUTES):
    """Deployments for the home: intake every few minutes, each stage the day after its tier's deadline, rerun on demand."""
    from prefect.deployments.runner import EntrypointType

    from flows.intake import intake
    from flows.rerun import rerun
    from flows.schedule import close_quarter

    home = str(settings.home)
    # Found by module, so a worker runs the installed adep wherever it is started, not a file path of this machine.
    by_module = {"entrypoint_type": EntrypointType.MODULE_PATH}
    return [
        intake.to_deployment(name="intake", schedules=[intake_schedule(intake_minutes, timezone=settings.timezone)],
                             parameters={"home": home, "wait_seconds": 60.0}, **by_module),
        close_quarter.to_deployment(name="ministry-stage", schedules=[stage_schedule("ministry", timezone=settings.timezone)],
                                    parameters={"stage": "ministry", "home": home}, **by_module),
        close_quarter.to_deployment(name="agency-stage", schedules=[stage_schedule("agency", timezone=settings.timezone)],
                                    parameters={"stage": "agency", "home": home}, **by_module),
        # No schedule: operators start it from the Prefect UI with the file ids (or failed=true) as parameters.
        rerun.to_deployment(name="rerun", parameters={"home": home, "failed": False}, **by_module),
    ]


class PoolError(ValueError):
    """A work pool adep cannot deploy to."""


def ensure_process_pool(name: str) -> bool:
    """The work pool of type process with that name, created when missing; True when it was created."""
    from prefect import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectNotFound
    from prefect.workers.process import ProcessWorker

    with get_client(sync_client=True) as client:
        try:
            pool = client.read_work_pool(name)
        except ObjectNotFound:
            client.create_work_pool(WorkPoolCreate(name=name, type=POOL_TYPE,
                                                   base_job_template=ProcessWorker.get_default_base_job_template()))
            return True
    if pool.type != POOL_TYPE:
        raise PoolError(f"work pool {name!r} is of type {pool.type!r}; adep's flows need a pool of type {POOL_TYPE!r}")
    return False


def deploy_to_pool(settings: Settings, pool: str, *, intake_minutes: int = INTAKE_INTERVAL_MINUTES) -> list[str]:
    """Register the home's deployments on the pool (replacing earlier versions of them); their full names."""
    names = []
    for deployment in build_deployments(settings, intake_minutes=intake_minutes):
        deployment.apply(work_pool_name=pool)
        names.append(f"{deployment.flow_name}/{deployment.name}")
    return names
