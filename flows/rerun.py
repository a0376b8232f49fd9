"""The rerun flow: rejected files through the checks again, after the registry or a rule was fixed."""
from __future__ import annotations

from prefect import flow
from prefect.runtime import flow_run

from adep.periods import Period
from adep.settings import load_settings
from tasks.artifacts import post_intake_artifacts
from tasks.check import check_reports
from tasks.load import finish_interrupted_filing
from tasks.read import read_rerun_batch
from tasks.rerun import record_attempts, refile_reports, select_files_to_rerun
from tasks.summary import IntakeSummary, close_summary, count_outcomes, count_skipped
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
    summary = IntakeSummary()
    quarter = Period.parse(period) if period else None
    with open_writer(settings, wait_seconds=wait_seconds) as con:
        summary.recovered += finish_interrupted_filing(con, settings)
        batch, ids, skipped = select_files_to_rerun(con, settings, file_ids or None,
                                                    (quarter.year, quarter.quarter) if quarter else None, force)
        summary = count_skipped(summary, skipped)
        if ids:
            batch = read_rerun_batch(batch, settings)
            checked = check_reports(batch, con, settings, rerun_ids=ids)
            checked = record_attempts(checked, con, ids, str(flow_run.id or ""))
            refile_reports(checked, con, settings)
            summary = count_outcomes(summary, checked, len(ids))
    summary = close_summary(summary, what="rerun")
    post_intake_artifacts(settings, summary, str(flow_run.id or ""))
    return summary
