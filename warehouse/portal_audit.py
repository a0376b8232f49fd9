"""The portal's audit trail carried into the warehouse, where the operator reads it (view portal_audit).

The portal keeps its trail in its own store (adep.submissions: portal/portal.sqlite3) and never writes the warehouse.
Each intake run carries the events it has not carried yet (ids above the highest carried) in one transaction of
their own: a run that stops half-way leaves them all for the next, and carrying twice adds nothing.
"""
from __future__ import annotations

import duckdb
import pandas as pd

from adep.settings import Settings
from adep.submissions import events_after
from warehouse.queries import sql
from warehouse.transaction import transaction

_COLUMNS = ["id", "at", "event", "bin", "address", "detail"]


def carry_audit_events(con: duckdb.DuckDBPyConnection, settings: Settings) -> int:
    """Copy the portal's new audit events into core_portal_audit; returns how many were carried."""
    last = con.execute(sql("portal/last_carried_event")).fetchall()[0][0]
    events = events_after(settings, int(last))
    if not events:
        return 0
    frame = pd.DataFrame(events, columns=_COLUMNS).astype({"id": "int64"})
    with transaction(con):
        con.register("batch_audit_events", frame)
        try:
            con.execute(sql("portal/insert_audit_events"))
        finally:
            con.unregister("batch_audit_events")
    return len(frame)
