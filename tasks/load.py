"""Loading a checked batch into the warehouse in one transaction, and filing the files away."""
from __future__ import annotations

import os
import re

import duckdb
import pandas as pd
from prefect import task
from prefect.cache_policies import NONE

from adep.findings_file import write_findings_file
from adep.settings import Settings
from tasks.check import CheckedBatch

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


def load_batch(batch: CheckedBatch, con: duckdb.DuckDBPyConnection, run_id: str | None = None) -> CheckedBatch:
    """Record every file, submission, value and finding of the batch in one transaction."""
    files = batch.files
    new = files[files.status != "recover"].copy()
    con.execute("begin transaction")
    try:
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
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
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


def file_away(batch: CheckedBatch, con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """Move each file to where the ledger says it lives; rejected files get a findings file beside them."""
    # By where they go, not by status: a rejected file whose filing a crash interrupted comes back as 'recover',
    # and its findings file may never have been written.
    rejected = batch.files[batch.files.stored_path.str.startswith("rejected/", na=False)]
    if len(rejected):
        write_findings_files(con, settings, [int(i) for i in rejected.file_id])
    for row in batch.files.itertuples():
        target = settings.home / row.stored_path
        target.parent.mkdir(parents=True, exist_ok=True)
        if os.path.lexists(row.path):
            os.replace(row.path, target)


def write_findings_files(con: duckdb.DuckDBPyConnection, settings: Settings, file_ids: list[int]) -> None:
    """Write the readable findings file beside each rejected file, from what the warehouse recorded."""
    files = con.execute("select file_id, file_name, stored_path, bin, year, quarter from core_files where file_id in (select unnest(?))", [file_ids]).df()
    found = con.execute(
        "select * from findings where file_id in (select unnest(?)) order by file_id, severity, code, rule", [file_ids]
    ).df()
    groups = dict(tuple(found.groupby("file_id")))
    for row in files.itertuples():
        write_findings_file(settings.home / (row.stored_path + ".findings.txt"), row, groups.get(row.file_id, found.iloc[0:0]))


@task(cache_policy=NONE)
def load_reports(batch: CheckedBatch, con: duckdb.DuckDBPyConnection, run_id: str | None = None) -> CheckedBatch:
    """Load the batch in one transaction: a crash leaves every file of it wholly in or wholly out."""
    return load_batch(batch, con, run_id)


@task(cache_policy=NONE)
def file_reports_away(batch: CheckedBatch, con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """Move the batch's files to archive/ or rejected/ as recorded."""
    file_away(batch, con, settings)
