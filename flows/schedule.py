"""Scheduled flows: the quarter that just ended is closed stage by stage on the calendar."""
from __future__ import annotations

from prefect import flow, get_run_logger
from prefect.runtime import deployment, flow_run

from adep.settings import load_settings
from flows.rollup import rollup
from tasks.schedule import defer_stage, stage_due


@flow
def close_quarter(stage: str, period: str | None = None, home: str | None = None, wait_seconds: float = 600.0):
    """Run a rollup stage for a quarter; a scheduled run (no period) closes the quarter that ended before it.

    The schedule fires the day after the due day (the 5th or the 10th); when a weekend or holiday moved the real
    deadline later, the run closes nothing and schedules one run of its deployment for the day after that deadline.
    """
    if period is None:
        settings = load_settings(home)
        planned = flow_run.scheduled_start_time
        quarter, due = stage_due(settings, stage, planned)
        if planned < due:
            later = defer_stage(deployment.id, {"stage": stage, "period": str(quarter), "home": home}, due)
            get_run_logger().info(f"{stage} stage for {quarter}: its deadline moved past a weekend or holiday, so it runs "
                                  f"at {due:%Y-%m-%d %H:%M} {settings.timezone}" + (f" (flow run {later})" if later else ""))
            return None
        period = str(quarter)
    # A scheduled stage waits for an intake that holds the warehouse rather than failing.
    return rollup(period, stage, home, wait_seconds)
