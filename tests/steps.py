"""The flows' steps without the engine, for building test worlds: the same task functions, in the flows' order.

Each Prefect task in tasks/ is a thin wrapper over a domain function; its `.fn` is that wrapper without the engine.
Calling them here runs exactly what the intake and rollup flows run, minus the flow run itself (no run id, no
artifacts, no logs to the API), so a world loads in a fraction of a second and needs no Prefect server. The flows
themselves are tested once each under the session's Prefect harness (tests/intake/test_intake_flow.py,
tests/intake/test_rerun.py, tests/rollups/test_rollups.py, tests/warehouse/test_calendar.py).
"""
from __future__ import annotations

from adep.periods import Period
from adep.settings import Settings
from tasks.audit import carry_audit_events
from tasks.check import check_reports
from tasks.discover import discover_files
from tasks.load import file_reports_away, finish_interrupted_filing, load_reports
from tasks.read import plan_reading, read_reports, read_rerun_batch, start_readers, stop_readers
from tasks.rerun import record_attempts, refile_reports, select_files_to_rerun
from tasks.rollup import publish_rollup, stage_rollup
from tasks.summary import IntakeSummary
from warehouse.db import open_writer
from warehouse.rollups import RollupResult


def take_in(settings: Settings, run_id: str | None = None) -> IntakeSummary:
    """One intake pass over everything now in intake/, with the intake flow's outcome counts."""
    summary = IntakeSummary()
    run = start_readers.fn(settings)
    try:
        with open_writer(settings) as con:
            summary.recovered += finish_interrupted_filing.fn(con, settings, run)
            arrivals, summary.waiting = discover_files.fn(settings, run)
            for index in range(plan_reading.fn(run, arrivals, con)):
                batch = read_reports.fn(run, index)
                checked = check_reports.fn(batch, con, settings, run=run)
                loaded = load_reports.fn(checked, con, run_id, run=run)
                file_reports_away.fn(loaded, con, settings, run)
                summary.add(loaded)
            summary.audit_events = carry_audit_events.fn(con, settings, run)
    finally:
        stop_readers.fn(run)
    return summary


def rerun_files(settings: Settings, file_ids: list[int] | None = None, *, failed: bool = False,
                period: Period | None = None, force: bool = False, run_id: str | None = None) -> IntakeSummary:
    """One pass of the rerun flow's steps: the rejected files chosen (by id, or failed=True for those a change could
    help), checked again, their attempts recorded and the files moved, with the rerun flow's outcome counts."""
    if not file_ids and not failed:
        raise ValueError("say which files to rerun: their ids, or failed=True for all rejected files")
    summary = IntakeSummary()
    with open_writer(settings) as con:
        summary.recovered += finish_interrupted_filing.fn(con, settings)
        batch, ids, skipped = select_files_to_rerun.fn(con, settings, file_ids or None,
                                                       (period.year, period.quarter) if period else None, force)
        summary.add_skipped(skipped.reason)
        if ids:
            batch = read_rerun_batch.fn(batch, settings)
            checked = check_reports.fn(batch, con, settings, rerun_ids=ids)
            checked = record_attempts.fn(checked, con, ids, run_id)
            refile_reports.fn(checked, con, settings)
            summary.add(checked)
    return summary


def roll_up(con, period: Period, level: str, *, force: bool = False) -> RollupResult:
    """One rollup stage for a quarter on an open writer: staged, then published, as the rollup flows do it."""
    return publish_rollup.fn(con, stage_rollup.fn(con, period, level, force))


def roll_up_home(settings: Settings, period: Period, *levels: str, force: bool = False) -> list[RollupResult]:
    """The named stages in order under one hold of the warehouse (one published copy for readers at the end)."""
    with open_writer(settings) as con:
        return [roll_up(con, period, level, force=force) for level in levels]
