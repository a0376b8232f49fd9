"""What the portal reads from the published warehouse: the registry, the open period and its deadline, the ledger's
outcome of each submission, and a parent's branch. Read-only, one short connection per request.

DuckDB keeps one database instance per file path in a process; `open_published` attaches the published copy to a
private in-memory instance instead, so a request never holds the file that the next publication replaces, and
the portal keeps answering while an intake runs.
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime

import duckdb

from adep import calendar
from adep.calendar import WorkingCalendar
from adep.periods import Period
from adep.settings import Settings
from adep.submissions import Receipt, delivery_name
from warehouse.db import open_published


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
    """The quarter reports are being sent for now: the last one that ended (reports are due after it ends)."""
    return Period.last_ended(calendar.local_time(now, settings.timezone).date())


def deadline(settings: Settings, period: Period, tier: str) -> datetime:
    """The end of the body's due day for the period, on the wall clock of the settings' zone."""
    work = WorkingCalendar.from_settings(settings, years=(period.year, period.year + 1))
    return calendar.deadline(period, tier, shift=settings.shift_deadlines, calendar=work, timezone=settings.timezone)


def body(con: duckdb.DuckDBPyConnection, bin_: str, period: Period) -> dict | None:
    """The body's registry entry for the period: bin, names, parent, tier, whether it is excluded from the form."""
    cur = con.execute("select bin, name_kk, name_ru, parent_bin, tier, is_excluded, kind from bodies_in_period(?, ?) "
                      "where bin = ?", [period.year, period.quarter, bin_])
    row = cur.fetchone()
    return dict(zip([d[0] for d in cur.description], row)) if row else None


def any_name(con: duckdb.DuckDBPyConnection, bin_: str) -> dict | None:
    """The body's latest names in the registry, whatever the period (for a BIN found in a file of another quarter)."""
    row = con.execute("select name_kk, name_ru from core_registry where bin = ? order by valid_from desc limit 1",
                      [bin_]).fetchone()
    return {"bin": bin_, "name_kk": row[0], "name_ru": row[1]} if row else None


def filing_bodies(con: duckdb.DuckDBPyConnection, periods: list[Period]) -> list[dict]:
    """Every body that files the form in any of the periods (not excluded), by BIN, with its latest names."""
    seen: dict[str, dict] = {}
    for period in periods:
        for bin_, kk, ru in con.execute("select bin, name_kk, name_ru from bodies_in_period(?, ?) where not is_excluded "
                                        "order by bin", [period.year, period.quarter]).fetchall():
            seen[bin_] = {"bin": bin_, "name_kk": kk, "name_ru": ru}
    return [seen[b] for b in sorted(seen)]


def has_column(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    return bool(con.execute("select count(*) from duckdb_columns() where table_name = ? and column_name = ?",
                            [table, column]).fetchone()[0])


# The findings of a file's latest attempt, in the order its findings file lists them (errors first).
_FINDINGS = """
    select f.severity, f.rule, f.code, f.cell, f.message_kk, f.message_ru, f.message
    from core_findings as f join core_files as c on c.file_id = f.file_id and c.attempt_count = f.attempt
    where f.file_id = ?"""


def ledger_outcomes(con: duckdb.DuckDBPyConnection, receipts: list[Receipt]) -> dict[str, dict]:
    """Receipt number -> the ledger's outcome of the delivered file (status, received_at, channel, findings), for
    the receipts the intake has taken in. Matched by the ledger's receipt_number where the warehouse has it, else by
    the name the file was delivered under (unique: it holds the receipt number)."""
    if not receipts:
        return {}
    by_number = has_column(con, "intake_log", "receipt_number")
    keys = [r.number if by_number else delivery_name(r) for r in receipts]
    column = "receipt_number" if by_number else "file_name"
    extra = ", channel" if has_column(con, "intake_log", "channel") else ", null as channel"
    cur = con.execute(f"select {column} as key, file_id, status, received_at, days_late{extra} from intake_log "
                      f"where {column} in (select unnest(?::varchar[])) order by file_id", [keys])
    found = {row[0]: dict(zip(["key", "file_id", "status", "received_at", "days_late", "channel"], row))
             for row in cur.fetchall()}
    out = {}
    for receipt, key in zip(receipts, keys):
        if key not in found:
            continue
        entry = found[key]
        entry["findings"] = [dict(zip(["severity", "rule", "code", "cell", "message_kk", "message_ru", "message_en"], f))
                             for f in con.execute(_FINDINGS + " order by f.severity <> 'error', f.rowid",
                                                  [entry["file_id"]]).fetchall()]
        out[receipt.number] = entry
    return out


def subtree(con: duckdb.DuckDBPyConnection, bin_: str, period: Period) -> list[dict]:
    """Every body below this one for the period (its whole branch, nothing else), with its state: on_time, late,
    rejected (with the first finding of its latest rejected file) or missing; built on the views that make
    `adep status` (own_reports_in_period, missing_in_period)."""
    cur = con.execute(
        """
        with recursive bodies as (
            select * from bodies_in_period($year, $quarter) where not is_excluded
        ),
        branch as (
            select bin, parent_bin, 1 as depth from bodies where parent_bin = $bin
            union all
            select b.bin, b.parent_bin, branch.depth + 1 from bodies as b join branch on b.parent_bin = branch.bin
            where branch.depth < 64
        ),
        own as (select * from own_reports_in_period($year, $quarter)),
        missing as (select * from missing_in_period($year, $quarter))
        select b.bin, b.name_kk, b.name_ru, branch.parent_bin, branch.depth,
            case when own.bin is not null and own.is_late then 'late'
                 when own.bin is not null then 'on_time'
                 when m.missing_reason = 'rejected' then 'rejected'
                 else 'missing' end as state,
            coalesce(own.received_at, m.rejected_received_at) as received_at,
            m.rejected_file_id, m.rejected_file_name
        from branch
        join bodies as b using (bin)
        left join own using (bin)
        left join missing as m using (bin)
        order by branch.depth, b.name_kk, b.bin
        """, {"year": period.year, "quarter": period.quarter, "bin": bin_})
    names = [d[0] for d in cur.description]
    rows = [dict(zip(names, r)) for r in cur.fetchall()]
    for row in rows:
        file_id = row.pop("rejected_file_id")
        row["first_finding"] = None
        if row["state"] == "rejected" and file_id is not None:
            found = con.execute(_FINDINGS + " order by f.severity <> 'error', f.rowid limit 1", [file_id]).fetchone()
            if found:
                row["first_finding"] = dict(zip(["severity", "rule", "code", "cell", "message_kk", "message_ru", "message_en"],
                                                found))
        elif row["state"] != "rejected":
            row["rejected_file_name"] = None
    return rows
