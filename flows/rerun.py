"""The rerun flow: rejected files through the checks again, after the registry or a rule was fixed."""
from __future__ import annotations

import time

from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from adep.intake.read_pool import read_batch
from adep.periods import Period
from adep.settings import load_settings
from tasks.artifacts import publish_intake_artifacts
from tasks.check import check_reports
from tasks.load import finish_interrupted_filing
from tasks.rerun import record_attempts, refile_reports, select_files_to_rerun
from tasks.summary import IntakeSummary, log_outcomes, log_skipped
from warehouse.db import open_writer


@flow
def rerun(file_ids: list[int] | None = None, failed: bool = False, period: str | None = None,
          home: str | None = None, wait_seconds: float = 0.0, force: bool = False) -> IntakeSummary:
    """Process rejected files again: the ids given, or with failed=True the rejected files (of a period) that a
    change could help: not those resolved by a later report, nor those whose bytes, registry entry and rules are
    as at their last attempt. force=True takes every rejected file."""
    if not file_ids and not failed:
        raise ValueError("say which files to rerun: their ids, or failed=True for all rejected files")
    settings = load_settings(home)
    logger = get_run_logger()
    summary = IntakeSummary()
    started = time.perf_counter()
    quarter = Period.parse(period) if period else None
    with open_writer(settings, wait_seconds=wait_seconds) as con:
        summary.recovered += finish_interrupted_filing(con, settings)
        batch, ids, skipped = select_files_to_rerun(con, settings, file_ids or None,
                                                    (quarter.year, quarter.quarter) if quarter else None, force)
        summary.add_skipped(skipped.reason)
        log_skipped(logger, skipped)
        if ids:
            batch.results = read_batch(batch.arrivals, settings)
            checked = check_reports(batch, con, settings, rerun_ids=ids)
            checked = record_attempts(checked, con, ids, str(flow_run.id or ""))
            refile_reports(checked, con, settings)
            summary.add(checked)
            log_outcomes(logger, checked)
    summary.seconds = time.perf_counter() - started
    logger.info("rerun: " + summary.as_line().removeprefix("intake: "))
    publish_intake_artifacts(settings, summary, str(flow_run.id or ""))
    return summary
