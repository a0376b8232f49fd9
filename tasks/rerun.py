"""Rerunning rejected files: the same ledger entry, a new attempt, the file moved if it now loads."""
from __future__ import annotations

import os

import duckdb
import pandas as pd
from prefect import task
from prefect.cache_policies import NONE

from adep.arrivals import Arrival, Batch
from adep.settings import Settings
from tasks.check import CheckedBatch
from tasks.load import insert_values_and_findings, stored_path, write_findings_files


class NothingToRerun(ValueError):
    """The ids given are not rejected files of the ledger."""


def select_rejected(con: duckdb.DuckDBPyConnection, file_ids: list[int] | None, period: tuple[int, int] | None) -> pd.DataFrame:
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


def rerun_batch(settings: Settings, chosen: pd.DataFrame) -> tuple[Batch, list[int]]:
    arrivals = []
    for row in chosen.itertuples():
        path = settings.home / row.stored_path
        received = row.received_at.to_pydatetime() if hasattr(row.received_at, "to_pydatetime") else row.received_at
        arrivals.append(Arrival(str(path), row.file_name, path.stat().st_size if path.exists() else 0, received))
    return Batch(arrivals), [int(i) for i in chosen.file_id]


def reload_batch(batch: CheckedBatch, con: duckdb.DuckDBPyConnection, file_ids: list[int], run_id: str | None = None) -> CheckedBatch:
    """Record a new attempt for each file in one transaction; a file that now passes becomes a submission."""
    files = batch.files
    files["file_id"] = file_ids
    attempts = dict(con.execute("select file_id, attempt_count from core_files where file_id in (select unnest(?))", [file_ids]).fetchall())
    files["attempt"] = [attempts[i] + 1 for i in file_ids]
    files["stored_path"] = [stored_path(r.file_id, r.status, r.file_name, r.year, r.quarter) for r in files.itertuples()]
    files["superseded_by"] = pd.array([None] * len(files), dtype="Int64")
    files["run_id"] = run_id
    con.execute("begin transaction")
    try:
        con.register("rerun_files", files)
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
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        try:
            con.unregister("rerun_files")
        except Exception:  # noqa: BLE001 - not registered when the transaction failed early
            pass
    statuses = dict(con.execute("select file_id, status from core_files where file_id in (select unnest(?))", [file_ids]).fetchall())
    files["status"] = [statuses[i] for i in file_ids]
    return batch


def refile(batch: CheckedBatch, con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """Move each rerun file to its new place; the findings of earlier attempts stay beside the file's old place."""
    files = batch.files
    for row in files.itertuples():
        source, target = row.path, settings.home / row.stored_path
        old_findings = source + ".findings.txt"
        if os.path.exists(old_findings):
            os.replace(old_findings, f"{source}.findings-attempt-{row.attempt - 1}.txt")
        if os.path.abspath(source) != os.path.abspath(target) and os.path.lexists(source):
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
    still = files[files.status == "rejected"]
    if len(still):
        write_findings_files(con, settings, [int(i) for i in still.file_id])


@task(cache_policy=NONE)
def select_files_to_rerun(con: duckdb.DuckDBPyConnection, settings: Settings, file_ids: list[int] | None,
                          period: tuple[int, int] | None) -> tuple[Batch, list[int]]:
    """The rejected files to process again, as a batch."""
    return rerun_batch(settings, select_rejected(con, file_ids, period))


@task(cache_policy=NONE)
def record_attempts(batch: CheckedBatch, con: duckdb.DuckDBPyConnection, file_ids: list[int], run_id: str | None = None) -> CheckedBatch:
    """One transaction: the new attempt of every file, and the submissions of those that now pass."""
    return reload_batch(batch, con, file_ids, run_id)


@task(cache_policy=NONE)
def refile_reports(batch: CheckedBatch, con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """Move files that now load to archive/, rewrite the findings of those still rejected."""
    refile(batch, con, settings)
