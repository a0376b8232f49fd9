"""Filing files away where the ledger says they live, and finishing what an interrupted run left undone.

A report's receipt (adep.submissions) goes wherever its report goes, beside it under the same name plus
`.receipt.json`, and is moved first: a crash between the two moves leaves the report in its old place with the
ledger pointing elsewhere, which the next run finishes, never a receipt left behind alone.
"""
from __future__ import annotations

import os
from pathlib import Path

import duckdb

from adep.files import sha256_of
from adep.outputs.findings_file import write_findings_file
from adep.settings import Settings
from adep.submissions import RECEIPT_SUFFIX, receipt_path
from adep.intake.checks import CheckedBatch
from warehouse.queries import sql


def file_reports_away(batch: CheckedBatch, con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """Move each file to where the ledger says it lives; rejected files get a findings file beside them."""
    # By where they go, not by status: a rejected file whose filing a crash interrupted comes back as 'recover',
    # and its findings file may never have been written.
    rejected = batch.files[batch.files.stored_path.str.startswith("rejected/", na=False)]
    if len(rejected):
        write_findings_files(con, settings, [int(i) for i in rejected.file_id])
    home, made = str(settings.home), set()
    for path, stored in zip(batch.files.path.tolist(), batch.files.stored_path.tolist()):
        target = os.path.join(home, stored)
        folder = os.path.dirname(target)
        if folder not in made:  # a batch goes to a handful of folders: make each once, not once per file
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        if os.path.lexists(path):
            move_with_receipt(path, target)


def move_with_receipt(source: str | Path, target: str | Path) -> None:
    """Move a file to its place, its receipt (if it has one) first."""
    receipt = receipt_path(source)
    if os.path.lexists(receipt):  # False too for a name too long to have a receipt beside it
        os.replace(receipt, receipt_path(target))
    os.replace(source, target)


def write_findings_files(con: duckdb.DuckDBPyConnection, settings: Settings, file_ids: list[int]) -> None:
    """Write the readable findings file beside each rejected file, from what the warehouse recorded."""
    files = con.execute(sql("ledger/findings_file_headers"), {"file_ids": file_ids}).df()
    findings = con.execute(sql("ledger/latest_findings"), {"file_ids": file_ids}).df()
    groups = dict(tuple(findings.groupby("file_id")))
    for row in files.itertuples():
        write_findings_file(settings.home / (row.stored_path + ".findings.txt"), row, groups.get(row.file_id, findings.iloc[0:0]))


def refile_reports(batch: CheckedBatch, con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """Move each rerun file to its new place; the findings of earlier attempts stay beside the file's old place."""
    files = batch.files
    for row in files.itertuples():
        source, target = row.path, settings.home / row.stored_path
        old_findings = source + ".findings.txt"
        if os.path.exists(old_findings):
            os.replace(old_findings, f"{source}.findings-attempt-{row.attempt - 1}.txt")
        if os.path.abspath(source) != os.path.abspath(target) and os.path.lexists(source):
            target.parent.mkdir(parents=True, exist_ok=True)
            move_with_receipt(source, target)
    still = files[files.status == "rejected"]
    if len(still):
        write_findings_files(con, settings, [int(i) for i in still.file_id])


def finish_interrupted_filing(con: duckdb.DuckDBPyConnection, settings: Settings) -> int:
    """Move every file whose load committed but whose move did not happen (a crash in between); returns how many.

    The ledger is the truth: a file belongs where core_files.stored_path says. It may still be in intake/
    (first pass) or at its previous place in rejected/ (a rerun); either way it is found by its bytes.
    """
    ledger = con.execute(sql("ledger/filed_places")).df()
    home = settings.home
    missing = ledger[[not os.path.lexists(home / p) for p in ledger.stored_path]]
    if missing.empty:
        return 0
    # Where a file may still be: its previous place (named by its ledger id) or intake/ (named as it arrived).
    by_id: dict[int, list[Path]] = {}
    for folder in (settings.rejected_dir, settings.archive_dir):
        for root, _, names in os.walk(folder):
            for name in names:
                head = name.split("-", 1)[0]
                if head.isdigit() and not name.endswith((".txt", RECEIPT_SUFFIX)):
                    by_id.setdefault(int(head), []).append(Path(root) / name)
    moved, rejected = 0, []
    for row in missing.itertuples():
        candidates = by_id.get(int(row.file_id), []) + [settings.intake_dir / row.file_name]
        for source in candidates:
            if sha256_of(source) == row.sha256:
                target = home / row.stored_path
                target.parent.mkdir(parents=True, exist_ok=True)
                old_findings = Path(f"{source}.findings.txt")
                move_with_receipt(source, target)
                if old_findings.exists() and old_findings.parent != target.parent:
                    os.replace(old_findings, f"{source}.findings-earlier.txt")
                if row.stored_path.startswith("rejected/"):
                    rejected.append(int(row.file_id))
                moved += 1
                break
    if rejected:
        write_findings_files(con, settings, rejected)
    return moved
