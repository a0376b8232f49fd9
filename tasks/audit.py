"""Carrying the portal's audit trail into the warehouse (warehouse.portal_audit)."""
from __future__ import annotations

import sqlite3

import duckdb
from prefect import get_run_logger, task
from prefect.cache_policies import NONE

from adep.intake.run import IntakeRun, step_of
from adep.settings import Settings
from warehouse import portal_audit


@task(cache_policy=NONE)
def carry_audit_events(con: duckdb.DuckDBPyConnection, settings: Settings, run: IntakeRun | None = None) -> int:
    """The portal's audit events not carried yet, into the warehouse in one transaction; how many.

    The reports are loaded whatever happens here: a trail that cannot be read now is said in the log, and its
    events wait for the next run (none is lost: they are carried by id).
    """
    try:
        with step_of(run, "audit"):
            return portal_audit.carry_audit_events(con, settings)
    except (sqlite3.Error, OSError) as exc:
        get_run_logger().warning("portal audit events not carried this time (the next run carries them): %s", exc)
        return 0
