"""The ledger: every file, attempt, submission, value and finding, written in one transaction per batch.

One supersede rule for intake and rerun alike: of the good reports for one body, period and scope, the later
arrival (received_at, then ledger id) is in force; the others stay queryable as superseded.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

import duckdb
import pandas as pd

from adep.errors import UserError
from warehouse.db import transaction

if TYPE_CHECKING:
    from adep.intake.checks import CheckedBatch

_UNSAFE = re.compile(r"[\x00-\x1f/\\:*?\"<>|]")

MAX_NAME_BYTES = 150



def safe_name(name: str) -> str:
    """The file's own name made safe to store: no separators or control characters, not too long."""
    name = _UNSAFE.sub("_", name).strip() or "file"
    stem, dot, ext = name.rpartition(".")
    if not dot or len(ext) > 8:
        stem, ext = name, ""
    while len((stem + (("." + ext) if ext else "")).encode("utf-8")) > MAX_NAME_BYTES:
        stem = stem[:-1]
    return stem + (("." + ext) if ext else "")


def stored_path(file_id: int, status: str, name: str, year, quarter) -> str:
    """Where a file lives after intake, relative to the home: archive/PERIOD/ or rejected/."""
    base = f"{file_id:06d}-{safe_name(name)}"
    if status == "rejected":
        return f"rejected/{base}"
    period = f"{int(year)}Q{int(quarter)}" if pd.notna(year) and pd.notna(quarter) else "unknown-period"
    folder = "duplicates" if status == "duplicate" else period
    return f"archive/{folder}/{base}"


def load_reports(batch: CheckedBatch, con: duckdb.DuckDBPyConnection, run_id: str | None = None) -> CheckedBatch:
    """Record every file, submission, value and finding of the batch in one transaction."""
    files = batch.files
    new = files[files.status != "recover"].copy()
    with transaction(con):
        next_id = con.execute("select coalesce(max(file_id), 0) + 1 from core_files").fetchall()[0][0]
        new["file_id"] = range(next_id, next_id + len(new))
        by_key = dict(zip(new.index, new.file_id))
        in_batch = new.duplicate_of.notna() & (new.duplicate_of < 0)
        new.loc[in_batch, "duplicate_of"] = [by_key[-1 - int(k)] for k in new.loc[in_batch, "duplicate_of"]]
        _supersede_within(new)
        new["stored_path"] = [stored_path(r.file_id, r.status, r.file_name, r.year, r.quarter) for r in new.itertuples()]
        new["run_id"] = run_id
        _insert(con, new, batch)
        _supersede_in_warehouse(con, new)
    files["file_id"] = pd.array([None] * len(files), dtype="Int64")
    files["stored_path"] = pd.Series([None] * len(files), index=files.index, dtype=object)
    files.loc[new.index, "file_id"] = new.file_id
    files.loc[new.index, "stored_path"] = new.stored_path
    files.loc[new.index, "status"] = new.status
    recover = files.index[files.status == "recover"]
    if len(recover):
        prior = con.execute("select file_id, stored_path from core_files where file_id in (select unnest(?))",
                            [[int(x) for x in files.loc[recover, "duplicate_of"]]]).df().set_index("file_id")
        files.loc[recover, "file_id"] = files.loc[recover, "duplicate_of"]
        files.loc[recover, "stored_path"] = [prior.at[int(i), "stored_path"] for i in files.loc[recover, "duplicate_of"]]
    return batch


def _supersede_within(new: pd.DataFrame) -> None:
    """Two good reports for one body and period in a batch: the later arrival is in force."""
    loaded = new[new.status == "loaded"].sort_values(["received_at", "file_id"])
    latest = loaded.groupby(["bin", "year", "quarter", "is_consolidated"]).file_id.transform("last")
    older = latest.index[latest != loaded.file_id]
    new.loc[older, "status"] = "superseded"
    new["superseded_by"] = pd.array([None] * len(new), dtype="Int64")
    new.loc[older, "superseded_by"] = latest.loc[older].astype("Int64")


def _insert(con: duckdb.DuckDBPyConnection, new: pd.DataFrame, batch: CheckedBatch) -> None:
    con.register("new_files", new)
    con.execute("""
        insert into core_files
        select file_id, file_name, sha256, size_bytes, received_at, status, stored_path,
               duplicate_of, superseded_by, bin, year, quarter, error_count, warning_count, 1, now()
        from new_files
    """)
    con.execute("insert into core_attempts select file_id, 1, now(), status, error_count, warning_count, run_id from new_files")
    con.execute("""
        insert into core_submissions
        select file_id, bin, year, quarter, body_name, commissioner, phone, try_cast(signed_on as date),
               is_consolidated, received_at, deadline_at, is_late, status = 'loaded'
        from new_files where status in ('loaded', 'superseded')
    """)
    insert_values_and_findings(con, batch, new[["file_id"]].assign(attempt=1))
    con.unregister("new_files")


def insert_values_and_findings(con: duckdb.DuckDBPyConnection, batch: CheckedBatch, ids: pd.DataFrame) -> None:
    """The batch's values and findings under their files' ledger ids; ids: file_id and attempt, indexed by batch key."""
    ids = ids.rename_axis("key").reset_index()
    con.register("batch_values", batch.values.merge(ids, on="key"))
    con.register("batch_findings", batch.findings.merge(ids, on="key"))
    con.execute("insert into core_values select file_id, code, value, was_blank, cell from batch_values")
    con.execute("insert into core_findings select file_id, attempt, severity, rule, name, code, field, cell, message "
                "from batch_findings")
    con.unregister("batch_values")
    con.unregister("batch_findings")


def _supersede_in_warehouse(con: duckdb.DuckDBPyConnection, new: pd.DataFrame) -> None:
    """Reports already in force for the same body and period give way to the new one; they stay queryable."""
    in_force = new.loc[new.status == "loaded", ["file_id", "bin", "year", "quarter", "is_consolidated"]]
    if in_force.empty:
        return
    con.register("in_force", in_force)
    con.execute("""
        create or replace temp table superseding as
        select s.file_id as old_id, n.file_id as new_id
        from core_submissions as s
        join in_force as n
          on s.bin = n.bin and s.year = n.year and s.quarter = n.quarter and s.is_consolidated = n.is_consolidated
        where s.is_in_force and s.file_id < n.file_id
    """)
    con.execute("update core_submissions set is_in_force = false where file_id in (select old_id from superseding)")
    con.execute("""
        update core_files set status = 'superseded', superseded_by = superseding.new_id
        from superseding where core_files.file_id = superseding.old_id
    """)
    con.unregister("in_force")


class NothingToRerun(UserError, ValueError):
    """The ids given are not rejected files of the ledger."""


def select_files_to_rerun(con: duckdb.DuckDBPyConnection, file_ids: list[int] | None, period: tuple[int, int] | None) -> pd.DataFrame:
    """Rejected files to process again: the ids given, or all of them (of a period)."""
    sql = "select file_id, file_name, stored_path, received_at, attempt_count from core_files where status = 'rejected'"
    params: list = []
    if file_ids:
        sql += " and file_id in (select unnest(?))"
        params.append([int(i) for i in file_ids])
    if period:
        sql += " and year = ? and quarter = ?"
        params += list(period)
    chosen = con.execute(sql + " order by received_at, file_id", params).df()
    if file_ids:
        unknown = sorted(set(int(i) for i in file_ids) - set(chosen.file_id.astype(int)))
        if unknown:
            statuses = dict(con.execute("select file_id, status from core_files where file_id in (select unnest(?))", [unknown]).fetchall())
            detail = ", ".join(f"{i} ({statuses.get(i, 'no such file')})" for i in unknown)
            raise NothingToRerun(f"only rejected files can be rerun; not: {detail}")
    return chosen


def record_attempts(batch: CheckedBatch, con: duckdb.DuckDBPyConnection, file_ids: list[int], run_id: str | None = None) -> CheckedBatch:
    """Record a new attempt for each file in one transaction; a file that now passes becomes a submission."""
    files = batch.files
    files["file_id"] = file_ids
    attempts = dict(con.execute("select file_id, attempt_count from core_files where file_id in (select unnest(?))", [file_ids]).fetchall())
    files["attempt"] = [attempts[i] + 1 for i in file_ids]
    files["stored_path"] = [stored_path(r.file_id, r.status, r.file_name, r.year, r.quarter) for r in files.itertuples()]
    files["superseded_by"] = pd.array([None] * len(files), dtype="Int64")
    files["run_id"] = run_id
    con.register("rerun_files", files)
    try:
        with transaction(con):
            # A report now good gives way to a report already in force that arrived later, and replaces one that arrived earlier.
            con.execute("""
                create or replace temp table rerun_order as
                select r.file_id, s.file_id as other_id, s.received_at > r.received_at as other_is_newer
                from rerun_files as r
                join core_submissions as s
                  on s.bin = r.bin and s.year = r.year and s.quarter = r.quarter
                 and s.is_consolidated = r.is_consolidated and s.is_in_force
                where r.status = 'loaded'
            """)
            con.execute("""
                update core_files set
                    status = case when r.status = 'loaded' and exists (
                                 select 1 from rerun_order o where o.file_id = r.file_id and o.other_is_newer) then 'superseded'
                             else r.status end,
                    superseded_by = (select min(o.other_id) from rerun_order o where o.file_id = r.file_id and o.other_is_newer),
                    stored_path = r.stored_path, bin = r.bin, year = r.year, quarter = r.quarter,
                    error_count = r.error_count, warning_count = r.warning_count,
                    attempt_count = r.attempt, processed_at = now()
                from rerun_files as r where core_files.file_id = r.file_id
            """)
            con.execute("""
                insert into core_attempts
                select r.file_id, r.attempt, now(), f.status, r.error_count, r.warning_count, r.run_id
                from rerun_files as r join core_files as f using (file_id)
            """)
            con.execute("""
                insert into core_submissions
                select r.file_id, r.bin, r.year, r.quarter, r.body_name, r.commissioner, r.phone, try_cast(r.signed_on as date),
                       r.is_consolidated, r.received_at, r.deadline_at, r.is_late, f.status = 'loaded'
                from rerun_files as r join core_files as f using (file_id)
                where r.status = 'loaded'
            """)
            con.execute("""
                update core_submissions set is_in_force = false
                where file_id in (select other_id from rerun_order where not other_is_newer)
            """)
            con.execute("""
                update core_files set status = 'superseded', superseded_by = o.file_id
                from rerun_order as o where core_files.file_id = o.other_id and not o.other_is_newer
            """)
            insert_values_and_findings(con, batch, files[["file_id", "attempt"]])
    finally:
        con.unregister("rerun_files")
    statuses = dict(con.execute("select file_id, status from core_files where file_id in (select unnest(?))", [file_ids]).fetchall())
    files["status"] = [statuses[i] for i in file_ids]
    return batch
