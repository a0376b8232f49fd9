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
    notes = _standing_notes(ids, order, standings)
    findings_of = dict(tuple(checked.findings.groupby("key", sort=False)))
    no_findings = checked.findings.iloc[0:0].drop(columns="key")
    verdicts = []
    for key, row in files.iterrows():
        number = order[key] + 1
        status = row.status
        period = f"{int(row.year)}Q{int(row.quarter)}" if pd.notna(row.year) and pd.notna(row.quarter) else None
        verdict = Verdict(number, row.path, status, status == "loaded", bin=row.bin, period=period,
                          sheet=results[key].header.get("sheet"), choices=results[key].choices,
                          channel=row.channel, receipt_number=row.receipt_number,
                          findings=(findings_of[key].drop(columns="key") if key in findings_of else no_findings))
        if status == "loaded" and row.warning_count:
            verdict.outcome = "loaded with warnings"
        if status in ("duplicate", "recover"):
            verdict.outcome = _duplicate_of(con, int(row.duplicate_of), order)
        if status == "loaded":
            verdict.is_late = bool(row.is_late) if pd.notna(row.is_late) else None
            verdict.deadline = (f"{row.deadline_at.tz_convert(settings.timezone):%Y-%m-%d %H:%M} {settings.timezone}"
                                if pd.notna(row.deadline_at) else None)
            verdict.note = notes.get(ids[key])
            if verdict.note and verdict.note.startswith("superseded"):
                verdict.outcome = "superseded"  # loaded, and at once replaced by a later arrival
        verdicts.append(verdict)
    names = _body_names(con, files)
    for key, verdict in zip(files.index, verdicts):
        verdict.body = names.get(key)
    return sorted(verdicts, key=lambda v: v.number)


def _duplicate_of(con, duplicate_of: int, order: list[int]) -> str:
    """'duplicate of file 2' (of this check) or 'duplicate of ledger file 17 (name, status)': the same bytes."""
    if duplicate_of < 0:
        return f"duplicate of file {order[-1 - duplicate_of] + 1}"
    name = con.execute(sql("ledger/file_name_status"), {"file_id": duplicate_of}).fetchall()
    return f"duplicate of ledger file {duplicate_of}" + (f" ({name[0][0]}, {name[0][1]})" if name else "")


def _standing_notes(ids: dict[int, int], order: list[int], standings: pd.DataFrame) -> dict[int, str]:
    """What the ledger's supersede rule makes of each good report of the check, by its ledger id: superseded at
    once by a later arrival (of this check or of the ledger), or replacing the ledger's report in force; a report
    that is neither has no note. Worked out in one pass over the standings, not once per file."""
    by_id = {int(i): key for key, i in ids.items()}
    first = standings.drop_duplicates("file_id")
    names = dict(zip(first.file_id.astype(int), first.file_name))
    replaced: dict[int, tuple[int, str]] = {}  # a report of the check -> the first ledger report it takes out of force
    for row in standings.itertuples(index=False):
        if pd.notna(row.superseded_by) and int(row.file_id) not in by_id:
            replaced.setdefault(int(row.superseded_by), (int(row.file_id), row.file_name))
    own = {int(row.file_id): row for row in first.itertuples(index=False)}
    notes = {}
    for file_id in by_id:
        row = own.get(file_id)
        if row is not None and row.status == "superseded":
            by = int(row.superseded_by)
            if by in by_id:
                notes[file_id] = f"superseded at once by file {order[by_id[by]] + 1} of this check, which arrived later"
            else:
                named = f" ({names[by]})" if by in names else ""
                notes[file_id] = f"superseded by the report in force, ledger file {by}{named}, which arrived later"
        elif file_id in replaced:
            old_id, old_name = replaced[file_id]
            notes[file_id] = f"replaces the report in force, ledger file {old_id} ({old_name})"
    return notes


def _body_names(con, files: pd.DataFrame) -> dict[int, str]:
    """Each file's body as the registry in force for its period names it ('name_kk / name_ru', or one name when
    both are the same), by batch key: one query for each period among the files, not one for each file."""
    known = files[files.bin.notna() & (files.bin != "") & files.year.notna() & files.quarter.notna()]
    names: dict[int, str] = {}
    for (year, quarter), group in known.groupby(["year", "quarter"]):
        rows = con.execute(sql("registry/bodies_named_in_period"),
                           {"year": int(year), "quarter": int(quarter), "bins": sorted(set(group.bin))}).fetchall()
        named = {bin_: " / ".join(dict.fromkeys((kk, ru))) for bin_, kk, ru in rows}
        names.update({key: named[bin_] for key, bin_ in group.bin.items() if bin_ in named})
    return names
