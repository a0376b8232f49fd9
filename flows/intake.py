"""The intake flow: discover files in intake/, read, check, load, file away; one batch at a time."""
from __future__ import annotations

import time
from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from adep.intake import checks
from adep.intake.read_pool import ReadAhead, files_waiting, make_pool, plan_batches
from adep.progress import StepTimer, advance, cpu_used
from adep.settings import Settings, load_settings
from tasks.artifacts import publish_intake_artifacts
from tasks.audit import carry_audit_events
from tasks.check import check_reports
from tasks.discover import discover_files
from tasks.load import file_reports_away, finish_interrupted_filing, load_reports
from tasks.read import read_reports
from tasks.summary import IntakeSummary, log_outcomes
from warehouse.db import open_writer


@flow
def intake(home: str | None = None, wait_seconds: float = 0.0) -> IntakeSummary:
    """One pass over everything now in intake/: every file ends loaded, rejected with findings, or duplicate."""
    settings = load_settings(home)
    return run_intake(settings, wait_seconds=wait_seconds)


def run_intake(settings: Settings, *, wait_seconds: float = 0.0) -> IntakeSummary:
    logger = get_run_logger()
    timer = StepTimer()
    summary = IntakeSummary()
    started, cpu = time.perf_counter(), cpu_used()
    # the reader processes start while the warehouse opens (a guess from intake/'s size; confirmed below)
    pool = make_pool(settings, files_waiting(settings))
    try:
        with open_writer(settings, wait_seconds=wait_seconds) as con:
            with timer.step("discover"):
                summary.recovered += finish_interrupted_filing(con, settings)
                arrivals, summary.waiting = discover_files(settings)
            if pool is None:
                pool = make_pool(settings, len(arrivals))
            reader = ReadAhead(plan_batches(arrivals, settings.batch_size, pool), settings, pool)
            if pool is not None:  # the checks' first call imports and prepares them: done while the first batch reads
                checks.check_reports([], [], con, settings)
            for index in range(len(reader.batches)):
                with timer.step("read"):
                    batch = read_reports(reader, index)
                with timer.step("check"):
                    checked = check_reports(batch, con, settings)
                with timer.step("load"):
                    loaded = load_reports(checked, con, str(flow_run.id or ""))
                with timer.step("file away"):
                    file_reports_away(loaded, con, settings)
                summary.add(loaded)
                log_outcomes(logger, loaded)
                advance("intake", summary.files, len(arrivals))
            with timer.step("audit"):
                summary.audit_events = carry_audit_events(con, settings)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)  # after a failure, files read ahead are not waited for
    summary.seconds = time.perf_counter() - started
    summary.step_seconds = timer.seconds
    summary.cpu_seconds = {k: v - cpu[k] for k, v in cpu_used().items()}
    logger.info(summary.as_line())
    publish_intake_artifacts(settings, summary, str(flow_run.id or ""))
    return summary
