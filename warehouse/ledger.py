"""The ledger: every file, attempt, submission, value and finding, written in one transaction per batch.

The intake and the rerun write it through the same statements (warehouse/sql/ledger/), with the batch's files
registered as batch_files. One supersede rule for both: of the good reports for one body, period and scope, the
later arrival (received_at, then ledger id) is in force; the others stay queryable as superseded. A rejected file
is resolved once its body files a good report for that period after it.
"""
from __future__ import annotations

import os
import re
import stat
from typing import Protocol

import duckdb
import pandas as pd

from adep.errors import UserError
from adep.files import sha256_of
from adep.settings import Settings
from contracts.form import rules_sha256
from warehouse.queries import sql
from warehouse.transaction import rolled_back, transaction



class CheckedBatch(Protocol):
    """What the ledger needs of a checked batch: the intake's CheckedBatch, which the warehouse does not import."""

    files: pd.DataFrame  # one row per file, indexed by batch key, with the columns of BATCH_COLUMNS
    values: pd.DataFrame  # key, code, value...
    findings: pd.DataFrame  # key and the finding's columns
    choices: pd.DataFrame  # key and the reader's choices
    gave_way: list[int]  # set by the ledger: the ids the supersede rule took out of force

_UNSAFE = re.compile(r"[\x00-\x1f/\\:*?\"<>|]")

MAX_NAME_BYTES = 150

# What both paths give the ledger about each file of a batch (the columns of batch_files).
BATCH_COLUMNS = ["file_id", "attempt", "run_id", "file_name", "sha256", "size_bytes", "received_at", "status",
                 "stored_path", "duplicate_of", "bin", "year", "quarter", "body_name", "commissioner", "phone",
                 "signed_on", "is_consolidated", "deadline_at", "is_late", "error_count", "warning_count",
                 "rules_sha256", "channel", "receipt_number"]

# Why `rerun --failed` leaves a rejected file alone (`--all` does not).
SKIP_RESOLVED = "resolved: its body filed a good report for the period after it"
SKIP_UNCHANGED = "unchanged: same bytes, registry entry and rules as at its last attempt"



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
    """Record every new file of the batch, its submission, values and findings in one transaction."""
    files = batch.files
    new = files[files.status != "recover"].copy()
    with transaction(con):
        next_id = con.execute(sql("ledger/next_file_id")).fetchall()[0][0]
        new["file_id"] = range(next_id, next_id + len(new))
        by_key = dict(zip(new.index, new.file_id))
        in_batch = new.duplicate_of.notna() & (new.duplicate_of < 0)
        new.loc[in_batch, "duplicate_of"] = [by_key[-1 - int(k)] for k in new.loc[in_batch, "duplicate_of"]]
        new["stored_path"] = [stored_path(r.file_id, r.status, r.file_name, r.year, r.quarter) for r in new.itertuples()]
        new["attempt"] = 1
        statuses, batch.gave_way = _record(con, batch, new, run_id, "ledger/insert_files")
    new["status"] = [statuses[int(i)] for i in new.file_id]
    files["file_id"] = pd.array([None] * len(files), dtype="Int64")
    files["stored_path"] = pd.Series([None] * len(files), index=files.index, dtype=object)
    files.loc[new.index, "file_id"] = new.file_id
    files.loc[new.index, "stored_path"] = new.stored_path
    files.loc[new.index, "status"] = new.status
    recover = files.index[files.status == "recover"]
    if len(recover):
        prior = con.execute(sql("ledger/stored_paths"), {"file_ids": [int(x) for x in files.loc[recover, "duplicate_of"]]}).df()
        prior = prior.set_index("file_id").stored_path
        files.loc[recover, "file_id"] = files.loc[recover, "duplicate_of"]
        files.loc[recover, "stored_path"] = [prior[int(i)] for i in files.loc[recover, "duplicate_of"]]
    return batch


def record_attempts(batch: CheckedBatch, con: duckdb.DuckDBPyConnection, file_ids: list[int], run_id: str | None = None) -> CheckedBatch:
    """Record a new attempt at each rerun file in one transaction; a file that now passes becomes a submission."""
    files = batch.files
    files["file_id"] = file_ids
    attempts = {i: n for i, _, n in con.execute(sql("ledger/file_statuses"), {"file_ids": file_ids}).fetchall()}
    files["attempt"] = [attempts[i] + 1 for i in file_ids]
    files["stored_path"] = [stored_path(r.file_id, r.status, r.file_name, r.year, r.quarter) for r in files.itertuples()]
    with transaction(con):
        statuses, batch.gave_way = _record(con, batch, files, run_id, "ledger/update_rerun_files")
    files["status"] = [statuses[i] for i in file_ids]
    return batch


def _record(con: duckdb.DuckDBPyConnection, batch: CheckedBatch, files: pd.DataFrame, run_id: str | None,
            write_files: str) -> tuple[dict[int, str], list[int]]:
    """What intake and rerun write alike, inside the caller's transaction.

    Returns each file's status afterwards, and the ledger ids of the good reports the supersede rule took out of
    force (files of this batch or earlier ones).

    write_files inserts the batch's new files (intake) or updates the rerun ones; then the submissions of the good
    reports, the supersede rule, the attempts with what they were checked against, the resolutions, the values
    and findings.
    """
    con.register("batch_files", files.assign(run_id=run_id)[BATCH_COLUMNS])
    try:
        con.execute(sql(write_files))
        con.execute(sql("ledger/insert_submissions"))
        gave_way = apply_supersede_rule(con)
        con.execute(sql("ledger/insert_attempts"))
        con.execute(sql("ledger/resolve_rejected"))
        insert_values_and_findings(con, batch, files[["file_id", "attempt"]])
    finally:
        con.unregister("batch_files")
    ids = [int(i) for i in files.file_id]
    statuses = {i: status for i, status, _ in con.execute(sql("ledger/file_statuses"), {"file_ids": ids}).fetchall()}
    return statuses, gave_way


def apply_supersede_rule(con: duckdb.DuckDBPyConnection) -> list[int]:
    """The one supersede rule, for the bodies, periods and scopes of batch_files: the later arrival is in force.

    Of the good reports for one body, period and scope, the one received last (then the higher ledger id) is in
    force; every other one is superseded by it and stays queryable. Returns the ledger ids taken out of force.
    """
    con.execute(sql("ledger/supersede_plan"))
    gave_way = [int(i) for i, _ in con.execute(sql("ledger/gave_way")).fetchall()]
    con.execute(sql("ledger/supersede_submissions"))
    con.execute(sql("ledger/supersede_files"))
    con.execute(sql("ledger/drop_supersede_plan"))
    return gave_way


def try_supersede_rule(con: duckdb.DuckDBPyConnection, files: pd.DataFrame) -> tuple[dict[int, int], pd.DataFrame]:
    """What the supersede rule would make of a checked batch's good reports, were they loaded now; nothing is kept.

    The ledger's own statements run, in a transaction that is rolled back, on temporary copies of the good reports
    of the bodies, periods and scopes concerned (so it works on the read-only published copy too). Each file gets the
    ledger id the intake would give it (the next ids, in batch order). Returns the ids by batch key, and the
    standing of each good report of the batch and of each ledger report one of them would take out of force:
    file_id, file_name, status ('loaded' or 'superseded'), superseded_by.
    """
    good = files[files.status == "loaded"].copy()
    next_id = int(con.execute(sql("ledger/next_file_id")).fetchall()[0][0])
    ids = {int(key): next_id + i for i, key in enumerate(files.index)}
    if not len(good):
        return ids, pd.DataFrame(columns=["file_id", "file_name", "status", "superseded_by"])
    good["file_id"] = [ids[int(k)] for k in good.index]
    good["attempt"] = 1
    good["stored_path"] = None
    good["duplicate_of"] = None
    con.register("batch_files", good.assign(run_id=None)[BATCH_COLUMNS])
    try:
        with rolled_back(con):
            con.execute(sql("ledger/copy_concerned_submissions"))
            con.execute(sql("ledger/copy_concerned_files"))
            con.execute(sql("ledger/insert_files"))
            con.execute(sql("ledger/insert_submissions"))
            apply_supersede_rule(con)
            standings = con.execute(sql("ledger/standings"), {"file_ids": [int(i) for i in good.file_id]}).df()
    finally:
        con.execute(sql("ledger/drop_concerned_copies"))  # gone with the rollback already; never left to shadow
        con.unregister("batch_files")
    return ids, standings


def insert_values_and_findings(con: duckdb.DuckDBPyConnection, batch: CheckedBatch, ids: pd.DataFrame) -> None:
    """The batch's values, findings and reading choices under their files' ledger ids; ids: file_id and attempt,
    indexed by batch key."""
    ids = ids.rename_axis("key").reset_index()
    con.register("batch_values", batch.values.merge(ids, on="key"))
    con.register("batch_findings", batch.findings.merge(ids, on="key"))
    con.register("batch_choices", batch.choices.merge(ids, on="key"))
    try:
        con.execute(sql("ledger/insert_values"))
        con.execute(sql("ledger/insert_findings"))
        con.execute(sql("ledger/insert_choices"))
    finally:
        con.unregister("batch_values")
        con.unregister("batch_findings")
        con.unregister("batch_choices")


def _not_a_file(path) -> bool:
    """A link (followed or not) or a special file: what the reader refuses without reading (F02)."""
    try:
        return not stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


class NothingToRerun(UserError, ValueError):
    """The ids given are not rejected files of the ledger."""


def require_rejected(con: duckdb.DuckDBPyConnection, file_ids: list[int]) -> None:
    """Raise NothingToRerun naming every id that is not a rejected file (unknown, or loaded, superseded...)."""
    ids = sorted({int(i) for i in file_ids})
    statuses = {i: status for i, status, _ in con.execute(sql("ledger/file_statuses"), {"file_ids": ids}).fetchall()}
    wrong = [i for i in ids if statuses.get(i) != "rejected"]
    if wrong:
        detail = ", ".join(f"{i} ({statuses.get(i, 'no such file')})" for i in wrong)
        raise NothingToRerun(f"only rejected files can be rerun; not: {detail}")


def select_files_to_rerun(con: duckdb.DuckDBPyConnection, settings: Settings, file_ids: list[int] | None,
                          period: tuple[int, int] | None, *, force: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rejected files to process again, and those left alone with the reason: (chosen, skipped).

    The ids given are always chosen. Otherwise every rejected file (of the period) is, except, unless force,
    a file its body has resolved with a later good report and a file whose bytes, registry entry and rules are
    all as they were at its last attempt (it would only be rejected again the same way), unless its portal receipt
    was refused (the home's key may have been restored since).
    """
    if file_ids:
        require_rejected(con, file_ids)
    with transaction(con):  # files recorded before resolutions were kept get theirs now (a no-op otherwise)
        con.execute(sql("ledger/resolve_rejected"))
    params = {"file_ids": [int(i) for i in file_ids] if file_ids else None,
              "year": period[0] if period else None, "quarter": period[1] if period else None}
    rejected = con.execute(sql("ledger/rejected_files"), params).df()
    reason = pd.Series([None] * len(rejected), index=rejected.index, dtype=object)
    if not file_ids and not force and len(rejected):
        bytes_now = pd.Series([sha256_of(settings.home / p) for p in rejected.stored_path], index=rejected.index)
        # A link or a pipe kept in rejected/ has no bytes of its own to compare: while it is still one, nothing changed.
        still_not_a_file = pd.Series([_not_a_file(settings.home / p) for p in rejected.stored_path], index=rejected.index)
        unchanged = (((rejected.checked_sha256 == bytes_now) | still_not_a_file)
                     & (rejected.checked_registry_entry == rejected.registry_entry)
                     & (rejected.checked_rules_sha256 == rules_sha256(settings.rules_path))
                     & ~rejected.receipt_refused.astype(bool)).fillna(False).astype(bool)
        reason[unchanged] = SKIP_UNCHANGED
        reason[rejected.resolved_by.notna()] = SKIP_RESOLVED
    skipped = rejected.loc[reason.notna(), ["file_id", "file_name"]].assign(reason=reason[reason.notna()])
    return rejected[reason.isna()], skipped
