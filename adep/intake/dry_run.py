"""A dry run of the intake over files anywhere: what each would become, decided by the intake's own read and checks
(adep.intake.checks) and the ledger's own supersede rule (warehouse.ledger), against the published warehouse, with
nothing loaded, moved or written."""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pandas as pd

from adep.intake.arrivals import Arrival, display_name
from adep.intake.checks import check_reports
from adep.intake.choices import Choice
from adep.intake.read_pool import read_one
from adep.intake.receipts import with_receipt
from adep.submissions import receipt_key
from adep.settings import Settings
from warehouse.ledger import try_supersede_rule
from warehouse.queries import sql


@dataclass
class Verdict:
    """What the intake would make of one file."""

    number: int  # its place among the files checked, from 1
    path: str
    outcome: str  # 'loaded', 'loaded with warnings', 'superseded', 'rejected', 'duplicate of file N', 'duplicate of ledger file N ...'
    would_load: bool
    bin: str | None = None
    body: str | None = None  # the body's name in the registry for the period
    period: str | None = None
    sheet: str | None = None
    is_late: bool | None = None
    deadline: str | None = None
    note: str | None = None  # duplicate of which file, which report it would replace
    channel: str = "folder"  # 'portal' when a receipt beside the file holds (adep.intake.receipts)
    receipt_number: str | None = None
    findings: pd.DataFrame = field(default_factory=pd.DataFrame)
    choices: list[Choice] = field(default_factory=list)


def arrival_of(path: Path) -> Arrival:
    """A file as the intake would see it had it arrived now: its modification time is its arrival time."""
    st = os.lstat(path)
    received = min(datetime.fromtimestamp(st.st_mtime, timezone.utc), datetime.now(timezone.utc))
    regular = stat.S_ISREG(st.st_mode)
    return Arrival(str(path), display_name(path.name), st.st_size if regular else 0, received, regular)


def dry_run(paths: list[Path], con: duckdb.DuckDBPyConnection, settings: Settings) -> list[Verdict]:
    """Read and check the files as one batch, in order of arrival as the intake takes them; write nothing.

    A file with a portal receipt beside it is dated and checked by its receipt, as the intake does.
    """
    key = receipt_key(settings)
    arrivals = [with_receipt(arrival_of(p), key) for p in paths]
    order = sorted(range(len(arrivals)), key=lambda i: (arrivals[i].received_at, arrivals[i].name))
    batch_arrivals = [arrivals[i] for i in order]
    results = [read_one(a, settings) for a in batch_arrivals]
    checked = check_reports(batch_arrivals, results, con, settings)
    files = checked.files
    ids, standings = try_supersede_rule(con, files)
    verdicts = []
    for key, row in files.iterrows():
        number = order[key] + 1
        status = row.status
        period = f"{int(row.year)}Q{int(row.quarter)}" if pd.notna(row.year) and pd.notna(row.quarter) else None
        verdict = Verdict(number, row.path, status, status == "loaded", bin=row.bin, period=period,
                          sheet=results[key].header.get("sheet"), choices=results[key].choices,
                          channel=row.channel, receipt_number=row.receipt_number,
                          findings=checked.findings[checked.findings.key == key].drop(columns="key"))
        if status == "loaded" and row.warning_count:
            verdict.outcome = "loaded with warnings"
        if status in ("duplicate", "recover"):
            verdict.outcome = _duplicate_of(con, int(row.duplicate_of), order)
        if status == "loaded":
            verdict.is_late = bool(row.is_late) if pd.notna(row.is_late) else None
            verdict.deadline = (f"{row.deadline_at.tz_convert(settings.timezone):%Y-%m-%d %H:%M} {settings.timezone}"
                                if pd.notna(row.deadline_at) else None)
            verdict.note = _standing(ids[key], ids, order, standings)
            if verdict.note and verdict.note.startswith("superseded"):
                verdict.outcome = "superseded"  # loaded, and at once replaced by a later arrival
        if row.bin and period:
            verdict.body = _body_name(con, row.bin, int(row.year), int(row.quarter))
        verdicts.append(verdict)
    return sorted(verdicts, key=lambda v: v.number)


def _duplicate_of(con, duplicate_of: int, order: list[int]) -> str:
    """'duplicate of file 2' (of this check) or 'duplicate of ledger file 17 (name, status)': the same bytes."""
    if duplicate_of < 0:
        return f"duplicate of file {order[-1 - duplicate_of] + 1}"
    name = con.execute(sql("ledger/file_name_status"), {"file_id": duplicate_of}).fetchall()
    return f"duplicate of ledger file {duplicate_of}" + (f" ({name[0][0]}, {name[0][1]})" if name else "")


def _standing(file_id: int, ids: dict[int, int], order: list[int], standings: pd.DataFrame) -> str | None:
    """What the ledger's supersede rule makes of a good report: superseded at once by a later arrival (of this
    check or of the ledger), or replacing the ledger's report in force, or neither (None)."""
    by_id = {int(i): key for key, i in ids.items()}
    own = standings[standings.file_id == file_id]
    if len(own) and own.status.iloc[0] == "superseded":
        by = int(own.superseded_by.iloc[0])
        if by in by_id:
            return f"superseded at once by file {order[by_id[by]] + 1} of this check, which arrived later"
        name = standings.loc[standings.file_id == by, "file_name"]
        named = f" ({name.iloc[0]})" if len(name) else ""
        return f"superseded by the report in force, ledger file {by}{named}, which arrived later"
    replaced = standings[(standings.superseded_by == file_id) & ~standings.file_id.isin(list(by_id))]
    if len(replaced):
        return f"replaces the report in force, ledger file {int(replaced.file_id.iloc[0])} ({replaced.file_name.iloc[0]})"
    return None


def _body_name(con, bin_: str, year: int, quarter: int) -> str | None:
    rows = con.execute(sql("registry/body_in_period"), {"bin": bin_, "year": year, "quarter": quarter}).fetchall()
    return " / ".join(dict.fromkeys(rows[0][:2])) if rows else None
