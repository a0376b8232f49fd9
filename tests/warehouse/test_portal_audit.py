"""The portal's audit trail in the warehouse: each intake run carries the events it has not carried yet, once, and the
operator reads them in the view portal_audit, times in the settings' zone."""
from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest

from adep.submissions import audit_path, events_after, record_event
from flows.intake import intake
from tests.conftest import query
from warehouse.connect import connect
from warehouse.db import open_writer
from warehouse.portal_audit import carry_audit_events
from warehouse.queries import sql


def _events(home) -> list[tuple]:
    con = connect(home)
    try:
        return con.execute('select id, event, bin, address, detail, occurred_at from portal_audit order by id').fetchall()
    finally:
        con.close()


@pytest.mark.usefixtures("prefect_harness")
def test_each_intake_run_carries_the_new_events_once(home, registered):
    unit = registered["unit_a"]
    record_event(home, "sign_in_failed", bin=unit, address="10.0.0.7")
    record_event(home, "sign_in", bin=unit, address="10.0.0.7")
    record_event(home, "upload", bin=unit, address="10.0.0.7", upload_id="u1", file_name="1-әу.xlsx")

    first = intake(home=str(home.home))

    assert first.audit_events == 3
    rows = _events(home)
    assert [(r[1], r[2], r[3]) for r in rows] == [("sign_in_failed", unit, "10.0.0.7"), ("sign_in", unit, "10.0.0.7"),
                                                  ("upload", unit, "10.0.0.7")]
    assert json.loads(rows[2][4]) == {"file_name": "1-әу.xlsx", "upload_id": "u1"}
    # shown in the settings' zone (Asia/Almaty, +05:00), the same instant the portal recorded in UTC
    at = rows[0][5]
    assert at.utcoffset() == timedelta(hours=5)
    assert abs(at - datetime.now(timezone.utc)) < timedelta(minutes=5)

    record_event(home, "submission", bin=unit, address="10.0.0.7", receipt_number="2026Q3-000001")
    second = intake(home=str(home.home))
    third = intake(home=str(home.home))

    assert (second.audit_events, third.audit_events) == (1, 0)
    assert [r[0] for r in _events(home)] == [1, 2, 3, 4]
    assert _events(home)[-1][1] == "submission"


def test_carrying_is_idempotent_and_needs_no_portal(home, registered):
    with open_writer(home) as con:
        assert carry_audit_events(con, home) == 0  # no portal in this home: nothing to carry, nothing fails
    assert not audit_path(home).exists()
    record_event(home, "access_issued", bin=None, address=None, bins=2)
    with open_writer(home) as con:
        assert carry_audit_events(con, home) == 1
        assert carry_audit_events(con, home) == 0
        # the same events offered again (as if the highest carried id were lost): none is added twice
        con.register("batch_audit_events", pd.DataFrame(events_after(home, 0)))
        con.execute(sql("portal/insert_audit_events"))
        con.unregister("batch_audit_events")
    assert query(home, "select count(*) from core_portal_audit") == [(1,)]


def test_an_unreadable_trail_does_not_stop_the_intake(home, registered, prefect_harness):
    audit_path(home).parent.mkdir(parents=True, exist_ok=True)
    audit_path(home).write_bytes(b"this is not a database" * 100)

    summary = intake(home=str(home.home))

    assert summary.audit_events == 0
    assert query(home, "select count(*) from core_portal_audit") == [(0,)]
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(audit_path(home)).execute("select 1 from audit_events").fetchall()
