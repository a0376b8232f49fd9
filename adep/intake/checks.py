"""Checking a batch: the header and values contracts, the form's rules, the registry, duplicates, lateness."""
from __future__ import annotations

from datetime import datetime

import duckdb
import pandas as pd

from adep import calendar
from adep.periods import Period
from adep.intake.choices import choices_frame
from adep.intake.reader import ReadResult
from adep.settings import Settings
from contracts.findings import FINDING_COLUMNS, Finding, finding
from contracts.form import codes, rules, rules_sha256
from contracts.schemas import header_findings, rule_findings
from adep.intake.arrivals import Arrival
from adep.intake.body_names import check_names
from adep.intake.receipts import check_receipts
from adep.submissions import receipt_key
from warehouse.queries import sql

HEADER_FIELDS = ["bin", "year", "quarter", "body_name", "commissioner", "phone", "signed_on"]


class CheckedBatch:
    """A batch after its checks: one row per file with its outcome, the values to load, the findings, and the
    reader's choices (adep.intake.choices) of every file that is loaded or rejected.

    A plain class on purpose: the engine walks dataclasses and lists passed between tasks, and this holds thousands of rows.
    """

    def __init__(self, files: pd.DataFrame, values: pd.DataFrame, findings: pd.DataFrame, choices: pd.DataFrame | None = None):
        self.files = files
        self.values = values
        self.findings = findings
        self.choices = choices if choices is not None else choices_frame([], [])
        self.gave_way: list[int] = []  # once loaded: the ledger ids the supersede rule took out of force

    def __len__(self) -> int:
        return len(self.files)


def check_reports(arrivals: list[Arrival], results: list[ReadResult], con: duckdb.DuckDBPyConnection, settings: Settings,
                *, rerun_ids: list[int] | None = None) -> CheckedBatch:
    """Decide every file's outcome in one pass over the batch (rerun_ids: the ledger ids of files processed again)."""
    findings_of: dict[int, list[Finding]] = {k: list(r.findings) for k, r in enumerate(results)}
    files = _files_frame(arrivals, results)
    check_receipts(files, arrivals, findings_of, receipt_key(settings))
    readable = files.index[files.readable & ~files.is_structurally_broken]

    headers = files.loc[readable, HEADER_FIELDS + ["bin_cell", "period_text", "period_cell"]]
    for key, items in header_findings(headers).items():
        # The reader already said what is wrong with a field (two periods, two BINs): no second finding for it.
        said = {f.field for f in findings_of[key] if f.severity == "error" and f.field}
        findings_of[key].extend(f for f in items if f.field not in said)

    wide = pd.DataFrame([results[k].values for k in readable], index=readable, columns=list(codes())).astype("Int64")
    cells = pd.DataFrame([results[k].cells for k in readable], index=readable, columns=list(codes()))
    for key, items in rule_findings(wide, cells, rules(settings.rules_path)).items():
        findings_of[key].extend(items)

    _check_registry(files, findings_of, con, settings)
    _check_outliers(files, wide, cells, findings_of, con, settings)
    if rerun_ids is None:
        _mark_duplicates(files, con, settings)

    severities = {k: [f.severity for f in v] for k, v in findings_of.items()}
    files["error_count"] = [severities[k].count("error") for k in files.index]
    files["warning_count"] = [severities[k].count("warning") for k in files.index]
    files["status"] = files.status.where(files.status.notna(), files.error_count.map(lambda n: "rejected" if n else "loaded"))
    files["rules_sha256"] = rules_sha256(settings.rules_path)  # what the file was checked against, for reruns

    values = _values_frame(results, files.index[files.status == "loaded"])
    findings = pd.DataFrame(
        [dict(key=k, **f.as_dict()) for k, items in findings_of.items() if files.at[k, "status"] in ("loaded", "rejected") for f in items],
        columns=["key", *FINDING_COLUMNS],
    )
    choices = choices_frame(results, files.index[files.status.isin(["loaded", "rejected"])])
    return CheckedBatch(files, values, findings, choices)


def _files_frame(arrivals: list[Arrival], results: list[ReadResult]) -> pd.DataFrame:
    rows = []
    for a, r in zip(arrivals, results):
        h = r.header
        rows.append(dict(
            path=a.path, file_name=a.name, size_bytes=r.size_bytes, received_at=a.received_at, sha256=r.sha256,
            readable=r.readable,
            is_structurally_broken=not r.report_found,
            bin=h.get("bin"), bin_cell=h.get("bin_cell"), year=h.get("year"), quarter=h.get("quarter"),
            period_text=h.get("period_text"), period_cell=h.get("period_cell"),
            body_name=h.get("body_name"), commissioner=h.get("commissioner"), phone=h.get("phone"),
            signed_on=h.get("signed_on"), is_consolidated=bool(h.get("is_consolidated", False)),
        ))
    files = pd.DataFrame(rows, index=pd.RangeIndex(len(rows), name="key"), columns=["path", "file_name", "size_bytes", "received_at", "sha256", "readable",
                                        "is_structurally_broken", "bin", "bin_cell", "year", "quarter",
                                        "period_text", "period_cell", "body_name",
                                        "commissioner", "phone", "signed_on", "is_consolidated"])
    for col in ("year", "quarter"):
        files[col] = pd.array(files[col].tolist(), dtype="Int64")
    for col in ("bin", "bin_cell", "period_text", "period_cell", "body_name", "commissioner", "phone", "signed_on"):
        files[col] = files[col].astype(object).where(files[col].notna(), None)
    files["status"] = pd.Series([None] * len(files), dtype=object)
    files["duplicate_of"] = pd.array([None] * len(files), dtype="Int64")
    files["tier"] = None
    files["deadline_at"] = pd.Series([pd.NaT] * len(files), dtype="datetime64[us, UTC]")
    files["is_late"] = pd.array([None] * len(files), dtype="boolean")
    return files


def _check_registry(files: pd.DataFrame, findings_of: dict[int, list[Finding]], con, settings: Settings) -> None:
    """BIN in the registry for that period, body not excluded, the form's name not another body's, quarter over before
    the file arrived; and lateness."""
    work_calendar = calendar.WorkingCalendar.from_settings(settings)
    identified = files[files.bin.notna() & files.year.notna() & files.quarter.between(1, 4)]
    for (year, quarter), group in identified.groupby(["year", "quarter"]):
        period = Period(int(year), int(quarter))
        bodies = con.execute(sql("checks/bodies_in_period"), {"year": int(year), "quarter": int(quarter)}).df()
        matched = group[["bin", "bin_cell", "received_at"]].reset_index().merge(bodies, on="bin", how="left").set_index("key")
        deadlines = {tier: calendar.deadline(period, tier, shift=settings.shift_deadlines, calendar=work_calendar, timezone=settings.timezone)
                     for tier in (calendar.TOP, calendar.LOWER)}
        quarter_over = datetime.combine(period.next().first_day, datetime.min.time(), tzinfo=calendar.zone(settings.timezone))
        unknown = matched[matched.tier.isna()]
        registered = _registrations(con, unknown.bin.unique().tolist(), period) if len(unknown) else {}
        for key, row in unknown.iterrows():
            if not any(f.rule == "H03" for f in findings_of[key]):
                findings_of[key].append(_not_registered(row, period, registered.get(row.bin)))
        known = matched[matched.tier.notna()]
        for key, row in known[known.is_excluded.astype(bool)].iterrows():
            findings_of[key].append(finding("G02", field="bin", cell=row.bin_cell, found=row.bin, body=row.name_ru))
        check_names(files, known.index[~known.is_excluded.astype(bool)], period, con, findings_of)
        for key, row in known[known.received_at < quarter_over].iterrows():
            findings_of[key].append(finding("G03", field="period", found=str(period), arrived=f"{row.received_at:%Y-%m-%d}", until=str(period.last_day)))
        deadline_at = known.tier.map(deadlines)
        files.loc[known.index, "tier"] = known.tier
        files.loc[known.index, "deadline_at"] = pd.to_datetime(deadline_at, utc=True).astype("datetime64[us, UTC]")
        files.loc[known.index, "is_late"] = (known.received_at > pd.to_datetime(deadline_at, utc=True)).astype("boolean")


def _registrations(con, bins: list[str], period: Period) -> dict[str, dict]:
    """For BINs not in force in the period: the registry's last version before it, or its first one after."""
    rows = con.execute(sql("checks/registrations"), {"bins": bins, "first_day": period.first_day}).df()
    out = {}
    for r in rows.itertuples():
        entry = {"body": r.name_ru}
        if r.ended:
            entry["until"] = r.valid_to.date().isoformat() if hasattr(r.valid_to, "date") else str(r.valid_to)
            entry["successor"] = _registered_next_day(con, r, period)
        else:
            entry["since"] = r.valid_from.date().isoformat() if hasattr(r.valid_from, "date") else str(r.valid_from)
        out[r.bin] = entry
    return out


def _registered_next_day(con, ended, period: Period) -> str | None:
    """Bodies whose registration began the day after this one's ended, under the same parent, in force in the
    period: what the registry knows of who took over (it records no successor as such)."""
    if ended.parent_bin is None or pd.isna(ended.parent_bin):
        return None
    names = con.execute(sql("checks/registered_next_day"), {
        "year": period.year, "quarter": period.quarter, "ended_on": ended.valid_to, "parent_bin": ended.parent_bin,
        "bin": ended.bin}).fetchall()
    return ", ".join(n for (n,) in names[:3]) or None


def _not_registered(row, period: Period, registration: dict | None):
    """G01: the BIN is not registered for the period; what the registry says of it, when it knows the BIN at all."""
    common = dict(field="bin", cell=row.bin_cell, found=row.bin, period=str(period))
    if registration is None:
        return finding("G01", **common)
    if "until" in registration:
        return finding("G01", "ended", body=registration["body"], until=registration["until"],
                       successor=registration["successor"], **common)
    return finding("G01", "not_yet", body=registration["body"], since=registration["since"], **common)


def _check_outliers(files: pd.DataFrame, wide: pd.DataFrame, cells: pd.DataFrame, findings_of: dict[int, list[Finding]], con, settings: Settings) -> None:
    """A value far from the body's own previous quarters is a warning, never a rejection (robust z-score)."""
    candidates = files.loc[wide.index]
    candidates = candidates[candidates.bin.notna() & candidates.year.notna() & candidates.quarter.between(1, 4)]
    if candidates.empty:
        return
    keys = candidates[["bin", "year", "quarter"]].reset_index()
    keys["period_index"] = keys.year.astype(int) * 4 + keys.quarter.astype(int) - 1
    con.register("keys", keys)
    try:
        history = con.execute(sql("ledger/body_history"), {"min_quarters": settings.outlier_min_history}).df()
    finally:
        con.unregister("keys")
    if history.empty:
        return
    current = wide.loc[candidates.index].rename_axis("key").reset_index().melt(id_vars="key", var_name="code", value_name="value")
    joined = history.merge(current.dropna(), on=["key", "code"])
    # Counts are small whole numbers: a spread below 1 (or a tenth of the usual level) says little.
    scale = pd.concat([1.4826 * joined["mad"], 0.1 * joined["median"], pd.Series(1.0, index=joined.index)], axis=1).max(axis=1)
    joined["z"] = (joined["value"].astype(float) - joined["median"]).abs() / scale
    for row in joined[joined.z > settings.outlier_z].itertuples():
        findings_of[row.key].append(finding(
            "O01", code=row.code, cell=cells.at[row.key, row.code] if pd.notna(cells.at[row.key, row.code]) else None,
            found=int(row.value), median=f"{row.median:g}", quarters=int(row.quarters),
        ))


def _mark_duplicates(files: pd.DataFrame, con, settings: Settings) -> None:
    """Same bytes as a file already seen: a duplicate, unless that file's filing never finished (then recover it)."""
    shas = pd.DataFrame({"sha256": files.sha256.unique()})
    con.register("shas", shas)
    try:
        seen = con.execute(sql("ledger/files_with_same_bytes")).df()
    finally:
        con.unregister("shas")
    matched = files[["sha256", "file_name"]].reset_index().merge(seen, on="sha256", how="inner").set_index("key")
    if len(matched):
        same_name = matched.file_name == matched.prior_name
        unfinished = same_name & ~matched.prior_path.map(lambda p: (settings.home / p).exists())
        files.loc[matched.index, "status"] = unfinished.map({True: "recover", False: "duplicate"})
        files.loc[matched.index, "duplicate_of"] = matched.prior_id.astype("Int64")
    fresh = files[~files.index.isin(matched.index)]
    repeats = fresh[fresh.sha256.duplicated(keep="first")]
    if len(repeats):
        first = fresh.drop_duplicates("sha256").reset_index().set_index("sha256")["key"]
        files.loc[repeats.index, "status"] = "duplicate"
        # resolved to the original's file_id when the batch is loaded
        files.loc[repeats.index, "duplicate_of"] = [-1 - int(first[sha]) for sha in repeats.sha256]


def _values_frame(results: list[ReadResult], keys) -> pd.DataFrame:
    rows = [(k, code, value, code in results[k].blanks, results[k].cells.get(code))
            for k in keys for code, value in results[k].values.items()]
    return pd.DataFrame(rows, columns=["key", "code", "value", "was_blank", "cell"])
