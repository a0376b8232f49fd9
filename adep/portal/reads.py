"""What the portal reads from the published warehouse: the registry, the open period and its deadline, the ledger's
outcome of each submission, and a parent's branch. Read-only, one short connection per request.

DuckDB keeps one database instance per file path in a process; `open_published` attaches the published copy to a
private in-memory instance instead, so a request never holds the file that the next publication replaces, and
the portal keeps answering while an intake runs.
"""
from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache
from datetime import datetime

import duckdb

from adep import calendar
from adep.calendar import WorkingCalendar
from adep.periods import Period
from adep.settings import Settings
from adep.submissions import Receipt, delivery_name
from warehouse.db import open_published
from warehouse.queries import sql


class NotPublished(RuntimeError):
    """The home has no published warehouse to read."""


@contextmanager
def published(settings: Settings):
    """A read-only connection to the publication in force now, closed at the end of the block."""
    if not settings.published_path.is_file():
        raise NotPublished(f"there is no published warehouse at {settings.published_path}")
    con = open_published(settings.published_path, timezone=settings.timezone)
    try:
        yield con
    finally:
        con.close()


def open_period(settings: Settings, now: datetime) -> Period:
    """The quarter reports are being sent for now: the one a stage run now would close (the last that ended)."""
    return calendar.quarter_to_close(now, timezone=settings.timezone)


def deadline(settings: Settings, period: Period, tier: str) -> datetime:
    """The end of the body's due day for the period, on the wall clock of the settings' zone."""
    path = settings.transfers_path
    try:
        version = path.stat().st_mtime_ns
    except OSError:
        version = None
    work = _working_calendar(settings, period.year, version)
    return calendar.deadline(period, tier, shift=settings.shift_deadlines, calendar=work, timezone=settings.timezone)


@lru_cache(maxsize=8)
def _working_calendar(settings: Settings, year: int, transfers_version: int | None) -> WorkingCalendar:
    """The working calendar of a period's year and the next, made once for each version of the operator's transfers
    file (its modification time is part of the key, so an edited file is read again), not on every page."""
    return WorkingCalendar.from_settings(settings, years=(year, year + 1))


def body(con: duckdb.DuckDBPyConnection, bin_: str, period: Period) -> dict | None:
    """The body's registry entry for the period: bin, names, parent, tier, whether it is excluded from the form."""
    cur = con.execute(sql("portal/body_in_period"), {"year": period.year, "quarter": period.quarter, "bin": bin_})
    row = cur.fetchone()
    return dict(zip([d[0] for d in cur.description], row)) if row else None


def any_name(con: duckdb.DuckDBPyConnection, bin_: str) -> dict | None:
    """The body's latest names in the registry, whatever the period (for a BIN found in a file of another quarter)."""
    row = con.execute(sql("portal/latest_names"), {"bin": bin_}).fetchone()
    return {"bin": bin_, "name_kk": row[0], "name_ru": row[1]} if row else None


def filing_bodies(con: duckdb.DuckDBPyConnection, periods: list[Period]) -> list[dict]:
    """Every body that files the form in any of the periods (not excluded), by BIN, with its latest names."""
    seen: dict[str, dict] = {}
    for period in periods:
        for bin_, kk, ru in con.execute(sql("portal/filing_bodies"),
                                        {"year": period.year, "quarter": period.quarter}).fetchall():
            seen[bin_] = {"bin": bin_, "name_kk": kk, "name_ru": ru}
    return [seen[b] for b in sorted(seen)]


def any_filing_body(con: duckdb.DuckDBPyConnection, period: Period) -> tuple[str, str] | None:
    """Any one body that files the form in the period: (bin, name_kk)."""
    return con.execute(sql("portal/any_filing_body"), {"year": period.year, "quarter": period.quarter}).fetchone()


def subordinate_count(con: duckdb.DuckDBPyConnection, bin_: str, period: Period) -> int:
    """How many bodies report to this one in the period."""
    return con.execute(sql("portal/subordinate_count"),
                       {"year": period.year, "quarter": period.quarter, "bin": bin_}).fetchone()[0]


def readable(con: duckdb.DuckDBPyConnection) -> None:
    """Read the registry's size, which fails when the published copy cannot be read."""
    con.execute(sql("portal/registry_size")).fetchone()


def has_column(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    return bool(con.execute(sql("portal/has_column"), {"table": table, "column": column}).fetchone()[0])


_FINDING_KEYS = ["severity", "rule", "code", "cell", "message_kk", "message_ru", "message_en"]


def latest_findings(con: duckdb.DuckDBPyConnection, file_ids: list[int]) -> dict[int, list[dict]]:
    """File id -> the findings of its latest attempt, errors first, in the order its findings file lists them;
    one query for all the files of a page ([] for a file with none)."""
    found: dict[int, list[dict]] = {file_id: [] for file_id in file_ids}
    if file_ids:
        for file_id, *finding in con.execute(sql("portal/latest_findings"), {"file_ids": list(file_ids)}).fetchall():
            found[file_id].append(dict(zip(_FINDING_KEYS, finding)))
    return found


def ledger_outcomes(con: duckdb.DuckDBPyConnection, receipts: list[Receipt]) -> dict[str, dict]:
    """Receipt number -> the ledger's outcome of the delivered file (status, received_at, channel, findings), for
    the receipts the intake has taken in. Matched by the ledger's receipt_number where the published copy has it,
    else by the name the file was delivered under (unique: it holds the receipt number)."""
    if not receipts:
        return {}
    by_number = has_column(con, "intake_log", "receipt_number")
    keys = [r.number if by_number else delivery_name(r) for r in receipts]
    query = sql("portal/outcomes_by_receipt" if by_number else "portal/outcomes_by_file_name")
    ledger = {row[0]: dict(zip(["key", "file_id", "status", "received_at", "days_late", "channel"], row))
              for row in con.execute(query, {"keys": keys}).fetchall()}
    findings = latest_findings(con, [entry["file_id"] for entry in ledger.values()])
    out = {}
    for receipt, key in zip(receipts, keys):
        if key not in ledger:
            continue
        entry = ledger[key]
        entry["findings"] = findings[entry["file_id"]]
        out[receipt.number] = entry
    return out


def subtree(con: duckdb.DuckDBPyConnection, bin_: str, period: Period) -> list[dict]:
    """Every body below this one for the period (its whole branch, nothing else), with its state: on_time, late,
    rejected (with the first finding of its latest rejected file) or missing; built on the views that make
    `adep status` (own_reports_in_period, missing_in_period)."""
    cur = con.execute(sql("portal/branch_states"), {"year": period.year, "quarter": period.quarter, "bin": bin_})
    names = [d[0] for d in cur.description]
    rows = [dict(zip(names, r)) for r in cur.fetchall()]
    rejected = [row["rejected_file_id"] for row in rows
                if row["state"] == "rejected" and row["rejected_file_id"] is not None]
    findings = latest_findings(con, rejected)
    for row in rows:
        file_id = row.pop("rejected_file_id")
        row["first_finding"] = None
        if row["state"] == "rejected" and file_id is not None:
            row["first_finding"] = next(iter(findings[file_id]), None)
        elif row["state"] != "rejected":
            row["rejected_file_name"] = None
    return rows
