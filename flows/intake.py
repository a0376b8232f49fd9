"""The intake flow: discover files in intake/, read, check, load, file away; one batch at a time."""
from __future__ import annotations

from prefect import flow
from prefect.runtime import flow_run

from adep.settings import Settings, load_settings
from tasks.artifacts import post_intake_artifacts
from tasks.audit import carry_audit_events
from tasks.check import check_reports
from tasks.discover import discover_files
from tasks.load import file_reports_away, finish_interrupted_filing, load_reports
from tasks.read import plan_reading, read_reports, start_readers, stop_readers
from tasks.summary import IntakeSummary, close_summary, count_outcomes
from warehouse.db import open_writer


@flow
def intake(home: str | None = None, wait_seconds: float = 0.0) -> IntakeSummary:
    """One pass over everything now in intake/: every file ends loaded, rejected with findings, or duplicate."""
    settings = load_settings(home)
    return run_intake(settings, wait_seconds=wait_seconds)


def run_intake(settings: Settings, *, wait_seconds: float = 0.0) -> IntakeSummary:
    """The pass as steps, each a task; the reader processes start while the warehouse opens."""
    summary = IntakeSummary()
    run = start_readers(settings)
    try:
        with open_writer(settings, wait_seconds=wait_seconds) as con:
            summary.recovered += finish_interrupted_filing(con, settings, run)
            arrivals, summary.waiting = discover_files(settings, run)
            for index in range(plan_reading(run, arrivals, con)):
                batch = read_reports(run, index)
                checked = check_reports(batch, con, settings, run=run)
                loaded = load_reports(checked, con, str(flow_run.id or ""), run=run)
                file_reports_away(loaded, con, settings, run)
                summary = count_outcomes(summary, loaded, len(arrivals))
            summary.audit_events = carry_audit_events(con, settings, run)
    finally:
        stop_readers(run)
    summary = close_summary(summary, run)
    post_intake_artifacts(settings, summary, str(flow_run.id or ""))
    return summary
