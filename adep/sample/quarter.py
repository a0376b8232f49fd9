"""A sample country and one quarter of its form 1-әу files, with a manifest of what each file should come to."""
from __future__ import annotations

import multiprocessing
import os
import random
import shutil
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from adep.periods import Period
from adep.sample.files import file_name, random_layout, sign_off
from adep.sample.registry import make_registry, write_registry_csv
from adep.sample.values import break_error_rule, break_warning_rule, broken_rules, clean_values
from adep.forms.writer import FormLayout, write_report
from contracts.bin import complete_bin
from contracts.form import codes, rules
from contracts.reporting import TIMEZONE

__all__ = ["make_registry", "write_registry_csv", "make_quarter", "plan_quarter", "QuarterManifest", "ManifestEntry", "expected_bodies"]

KAZAKHSTAN = ZoneInfo(TIMEZONE)
# Kinds of damage beyond the arithmetic rules, each injected once per quarter when there are bodies enough.
DAMAGE = ("bad_value:fraction", "bad_value:negative", "bad_value:text", "missing_code", "bad_bin", "unknown_bin",
          "formula_no_value")
# A late file arrives at least this long after the unshifted deadline, beyond any weekend or holiday shift.
LATE_BY_DAYS = (8, 25)
# Below this many files, writing in one process is quicker than starting workers.
PARALLEL_FROM = 200


@dataclass
class ManifestEntry:
    """One file written for the quarter and what a correct intake must make of it."""

    file_name: str
    bin: str
    expected: str  # loaded, warned, rejected, duplicate, superseded
    injected: list[str] = field(default_factory=list)
    rules_broken: list[str] = field(default_factory=list)
    values: dict[str, int | None] = field(default_factory=dict)
    tier: str = "lower"
    deadline: date | None = None
    received_at: datetime | None = None
    is_late: bool = False
    writer: str = "xlsxwriter"
    layout: FormLayout = field(default_factory=FormLayout)


@dataclass
class QuarterManifest:
    """Every file of a generated quarter with its expected outcome, and the bodies that sent nothing."""

    period: Period
    entries: list[ManifestEntry] = field(default_factory=list)
    missing_bins: list[str] = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        """One row per file; lists joined with ';' and values kept as a dict column."""
        rows = []
        for e in self.entries:
            row = asdict(e)
            row["layout"] = describe(e.layout)
            row["injected"] = ";".join(e.injected)
            row["rules_broken"] = ";".join(e.rules_broken)
            row["period"] = str(self.period)
            rows.append(row)
        return pd.DataFrame(rows)

    def outcomes(self) -> dict[str, int]:
        return pd.Series([e.expected for e in self.entries]).value_counts().to_dict()


def expected_bodies(registry: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Bodies due to report for the period: a version in force on some day of it, the latest such version, not excluded."""
    reg = registry.copy()
    start, end = period.first_day.isoformat(), period.last_day.isoformat()
    in_force = (reg["valid_from"] <= end) & (reg["valid_to"].isna() | (reg["valid_to"].fillna("") >= start))
    latest = reg[in_force].sort_values("valid_from").groupby("bin", sort=False).tail(1)
    return latest[latest["kind"] != "excluded"].sort_values("bin").reset_index(drop=True)


def deadline_for(period: Period, top_tier: bool) -> date:
    """The day a report is due, before any shift for weekends or holidays: the 10th for the top tier, the 5th otherwise."""
    return period.next().first_day.replace(day=10 if top_tier else 5)


def make_quarter(registry_df: pd.DataFrame, period: Period | str, out_dir: str | Path, seed: int = 0,
                 **shares) -> QuarterManifest:
    """Write one workbook per expected body into out_dir, with a share of broken, late and missing reports
    (shares: plan_quarter's options)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest, jobs = plan_quarter(registry_df, period, out_dir, seed, **shares)
    write_all(jobs)
    return manifest


def plan_quarter(
    registry_df: pd.DataFrame,
    period: Period | str,
    out_dir: str | Path,
    seed: int = 0,
    *,
    error_share: float = 0.03,
    warning_share: float = 0.05,
    missing_share: float = 0.02,
    late_share: float = 0.05,
    layouts: str = "mixed",
) -> tuple[QuarterManifest, list[dict]]:
    """Decide every file of the quarter (the manifest) and the writes that make them, without writing."""
    period = Period.parse(period) if isinstance(period, str) else period
    out_dir = Path(out_dir)
    rng = random.Random(f"{seed}:{period}")
    bodies = expected_bodies(registry_df, period)
    order = list(range(len(bodies)))
    rng.shuffle(order)
    n_missing = round(missing_share * len(bodies))
    missing, senders = order[:n_missing], order[n_missing:]
    plan = assign_outcomes(len(senders), error_share, warning_share, rng)
    manifest = QuarterManifest(period, missing_bins=sorted(bodies.loc[missing, "bin"]))
    jobs, names_taken = [], set()
    known_bins = set(registry_df["bin"])
    records = bodies.to_dict("records")
    for index, damage in zip(senders, plan):
        entry, job = plan_file(records[index], damage, period, rng, out_dir, names_taken, known_bins, layouts, late_share)
        manifest.entries.append(entry)
        jobs.append(job)
    excluded = registry_df[registry_df["kind"] == "excluded"]
    if len(excluded):
        entry, job = plan_file(excluded.iloc[0].to_dict(), "excluded_body", period, rng, out_dir, names_taken,
                               known_bins, layouts, late_share)
        manifest.entries.append(entry)
        jobs.append(job)
    add_duplicate_and_correction(manifest, jobs, rng, out_dir, names_taken)
    return manifest, jobs


def assign_outcomes(n: int, error_share: float, warning_share: float, rng: random.Random) -> list[str]:
    """What happens to each sender's file: 'clean', a damage kind, 'error:Rxx' or 'warning:Rxx'."""
    error_rules = [r.rule for r in rules() if r.severity == "error"]
    warning_rules = [r.rule for r in rules() if r.severity == "warning"]
    n_errors, n_warnings = round(error_share * n), round(warning_share * n)
    # Every damage kind and every error rule comes first, so each shows up at least once when there is room.
    error_kinds = list(DAMAGE) + [f"error:{r}" for r in error_rules]
    errors = [error_kinds[i % len(error_kinds)] for i in range(n_errors)]
    warnings = [f"warning:{warning_rules[i % len(warning_rules)]}" for i in range(n_warnings)]
    plan = errors + warnings
    plan += ["clean"] * (n - len(plan))
    plan = plan[:n]
    rng.shuffle(plan)
    return plan


def plan_file(body: dict, damage: str, period: Period, rng: random.Random, out_dir: Path, names_taken: set,
              known_bins: set, layouts: str, late_share: float) -> tuple[ManifestEntry, dict]:
    """Decide one file: its values, layout, header, name and arrival time."""
    top_tier = pd.isna(body.get("parent_bin"))
    size = {"central_body": 6, "regional_akimat": 6, "department": 3, "audit_commission": 1}.get(body["kind"], 0.6)
    values: dict[str, object] = clean_values(rng, size * rng.uniform(0.5, 1.5))
    layout = random_layout(rng, body, top_tier) if layouts == "mixed" else FormLayout()
    header_bin, injected = body["bin"], []
    if damage.startswith("error:"):
        values = break_error_rule(values, rule_named(damage[6:]), rng)
    elif damage.startswith("warning:"):
        values = break_warning_rule(values, rule_named(damage[8:]), rng) or values
    true_values: dict[str, int | None] = dict(values)
    broken = broken_rules(values)
    if broken:
        injected.append(damage)
    if damage.startswith("bad_value:"):
        code = rng.choice(codes())
        values[code] = {"fraction": rng.choice([0.5, 2.5, 1.25]), "negative": -rng.randint(1, 9), "text": "н/д"}[damage[10:]]
        true_values[code] = None
        layout = replace(layout, values_as_text=False, formulas=False)
        injected.append(f"{damage}@{code}")
    elif damage == "missing_code":
        code = rng.choice(codes())
        del values[code], true_values[code]
        injected.append(f"{damage}@{code}")
    elif damage == "bad_bin":
        header_bin = body["bin"][:11] + str((int(body["bin"][11]) + rng.randint(1, 9)) % 10)
        injected.append(damage)
    elif damage == "unknown_bin":
        header_bin = unknown_bin(rng, known_bins)
        injected.append(damage)
    elif damage == "formula_no_value":
        # openpyxl saves a formula with no value, as a file never opened in a spreadsheet program.
        layout = FormLayout(writer="openpyxl", formulas=True, language=layout.language)
        injected.append(damage)
    elif damage == "excluded_body":
        injected.append(damage)
    expected = expected_outcome(damage, broken)
    deadline = deadline_for(period, top_tier)
    is_late = rng.random() < late_share
    received_at = arrival_time(period, deadline, is_late, rng)
    name = file_name(body, period, rng, names_taken)
    commissioner, phone, signed_on = sign_off(body, period, received_at.date(), rng)
    if layout.bin_as_number and header_bin.startswith("0"):
        # Excel would drop the leading zero; keep the sample's BINs unambiguous.
        layout = replace(layout, bin_as_number=False)
    entry = ManifestEntry(
        file_name=name, bin=body["bin"], expected=expected, injected=injected,
        rules_broken=[r.rule for r in broken], values=true_values, tier="top" if top_tier else "lower",
        deadline=deadline, received_at=received_at, is_late=is_late, writer=layout.writer, layout=layout,
    )
    job = dict(path=str(out_dir / name), mtime=received_at.timestamp(), kwargs=dict(
        bin=header_bin, period=period, body_name=body["name_ru"] if layout.language == "ru" else body["name_kk"],
        commissioner=commissioner, phone=phone, signed_on=signed_on, values=values, layout=layout,
        previous_values=clean_values(rng, size) if layout.extra_value_columns == "previous" else None))
    return entry, job


def rule_named(rule_id: str):
    return next(r for r in rules() if r.rule == rule_id)


def expected_outcome(damage: str, broken: list) -> str:
    """What a correct intake makes of a file: damage and error rules reject it, warning rules only flag it."""
    if damage in DAMAGE or damage.startswith("bad_value:") or damage == "excluded_body":
        return "rejected"
    if any(r.severity == "error" for r in broken):
        return "rejected"
    return "warned" if broken else "loaded"


def unknown_bin(rng: random.Random, known_bins: set) -> str:
    """A valid BIN that no body in the registry has."""
    while True:
        bin_ = complete_bin(f"{rng.randint(16, 23):02d}{rng.randint(1, 12):02d}40{rng.randint(0, 99999):05d}")
        if bin_ and bin_ not in known_bins:
            return bin_


def arrival_time(period: Period, deadline: date, late: bool, rng: random.Random) -> datetime:
    """When the file reached the intake folder, Kazakhstan time: after the quarter, before or well after the deadline."""
    if late:
        day = deadline + timedelta(days=rng.randint(*LATE_BY_DAYS))
    else:
        day = period.last_day + timedelta(days=rng.randint(1, (deadline - period.last_day).days - 1))
    return datetime.combine(day, time(rng.randint(9, 17), rng.randint(0, 59), rng.randint(0, 59)), KAZAKHSTAN)


def describe(layout: FormLayout) -> str:
    """The layout options that differ from the default, for reading a manifest."""
    default = FormLayout()
    return ",".join(f"{k}={v!r}" for k, v in asdict(layout).items() if getattr(default, k) != v)


def write_job(job: dict) -> str:
    """Write one planned file and give it the arrival time as its modification time."""
    path = write_report(job["path"], **job["kwargs"])
    os.utime(path, (job["mtime"], job["mtime"]))
    return job["path"]


def write_all(jobs: list[dict]) -> None:
    """Write the planned files, in worker processes when there are many, then make the planned copies."""
    writes = [j for j in jobs if "copy_from" not in j]
    if len(writes) < PARALLEL_FROM or (os.cpu_count() or 1) == 1:
        for job in writes:
            write_job(job)
    else:
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        with multiprocessing.get_context(method).Pool(processes=min(os.cpu_count() or 1, 8)) as pool:
            for _ in pool.imap_unordered(write_job, writes, chunksize=32):
                pass
    for job in jobs:
        if "copy_from" in job:
            shutil.copyfile(job["copy_from"], job["path"])
            os.utime(job["path"], (job["mtime"], job["mtime"]))


def add_duplicate_and_correction(manifest: QuarterManifest, jobs: list[dict], rng: random.Random, out_dir: Path,
                                 names_taken: set) -> None:
    """A copy of a loaded file under another name, and one body's report sent again corrected."""
    loaded = [i for i, e in enumerate(manifest.entries) if e.expected == "loaded" and not e.is_late]
    if len(loaded) < 2:
        return
    original, corrected = rng.sample(loaded, 2)
    entry = manifest.entries[original]
    copy_name = _renamed_copy(entry.file_name, names_taken)
    copied_at = entry.received_at + timedelta(hours=rng.randint(1, 30))
    jobs.append(dict(copy_from=jobs[original]["path"], path=str(out_dir / copy_name), mtime=copied_at.timestamp()))
    manifest.entries.append(replace(entry, file_name=copy_name, expected="duplicate", injected=["duplicate_of:" + entry.file_name],
                                    received_at=copied_at, is_late=copied_at.date() > entry.deadline))
    first = manifest.entries[corrected]
    fixed_values = clean_values(rng, 1.0)
    fixed_name = _renamed_copy(first.file_name, names_taken, suffix=" (түзетілген)")
    fixed_at = first.received_at + timedelta(hours=rng.randint(2, 48))
    jobs.append(dict(path=str(out_dir / fixed_name), mtime=fixed_at.timestamp(),
                     kwargs={**jobs[corrected]["kwargs"], "values": fixed_values}))
    first.expected = "superseded"
    first.injected.append("superseded_by:" + fixed_name)
    manifest.entries.append(replace(first, file_name=fixed_name, expected="loaded", injected=["corrects:" + first.file_name],
                                    values=dict(fixed_values), received_at=fixed_at, is_late=fixed_at.date() > first.deadline))


def _renamed_copy(name: str, names_taken: set, suffix: str = " (2)") -> str:
    stem, dot, ext = name.rpartition(".")
    candidate = f"{stem}{suffix}.{ext}"
    while candidate.lower() in names_taken:
        candidate = f"{stem}{suffix}{len(names_taken)}.{ext}"
    names_taken.add(candidate.lower())
    return candidate
