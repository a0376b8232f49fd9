"""Staged rollups: the ministry stage sums the registry tree for a quarter into each top-tier body's figure; the
agency stage consolidates the latest published ministry version into the national figure. Each publication is a
numbered version, kept with its tree and the reports it summed."""
from __future__ import annotations

from dataclasses import dataclass

import duckdb

from adep.periods import Period
from warehouse.queries import sql
from warehouse.transaction import transaction

LEVELS = ("ministry", "agency")
_STAGED = ("staged_tree", "staged_inputs", "staged_values")


class RollupRefused(Exception):
    """A stage that must not run now, with the one-line reason a person can act on."""

# What `--stage` names: one stage, or both in the reporting chain's order.
STAGES = {"ministry": ("ministry",), "agency": ("agency",), "all": ("ministry", "agency")}


@dataclass(frozen=True)
class StagedRollup:
    """A rollup computed into the connection's temp tables, not yet published."""

    level: str
    year: int
    quarter: int
    expected_count: int
    covered_count: int
    top_body_count: int
    based_on_version_id: int | None = None  # agency stage: the ministry version it consolidates

    @property
    def period(self) -> Period:
        return Period(self.year, self.quarter)


@dataclass(frozen=True)
class RollupResult:
    """What one stage run published (or found already published)."""

    level: str
    period: str
    version_id: int | None
    published: bool  # False: the latest version already holds exactly these figures and submissions
    expected_count: int
    covered_count: int
    submission_count: int
    note: str
    based_on_version_id: int | None = None

    def as_line(self) -> str:
        what = f"version {self.version_id} published" if self.published else f"unchanged, version {self.version_id} stands"
        return (f"{self.level} rollup {self.period}: {what}; covers {self.covered_count} of "
                f"{self.expected_count} expected reports ({self.note})")


def _known_level(level: str) -> str:
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    return level


def _params(period: Period) -> dict[str, int]:
    return {"year": period.year, "quarter": period.quarter}


def latest_version(con: duckdb.DuckDBPyConnection, level: str, period: Period) -> tuple[int, int, int] | None:
    """The newest published version of a level for the quarter: (version_id, expected, covered), or None."""
    rows = con.execute(sql("rollup/latest_version"), {"level": level, **_params(period)}).fetchall()
    return tuple(int(x) for x in rows[0]) if rows else None


def latest_version_id(con: duckdb.DuckDBPyConnection, level: str, period: Period) -> int | None:
    latest = latest_version(con, level, period)
    return latest[0] if latest else None


def refusal(con: duckdb.DuckDBPyConnection, period: Period, level: str, *, force: bool = False,
            after_ministry: bool = False) -> str | None:
    """Why the stage must not run for the quarter now, in one line (None: it may run).

    The ministry stage refuses a quarter with no report in force, and the agency stage a quarter whose ministry
    version is missing or covers no report, unless force (figures of zero). after_ministry: the ministry stage runs
    first in the same run, so the agency stage will have a fresh version to consolidate.
    """
    _known_level(level)
    if level == "ministry" or after_ministry:
        expected, in_force = con.execute(sql("rollup/reports_in_force"), _params(period)).fetchall()[0]
        if in_force or force:
            return None
        if not expected:
            return f"no bodies are expected to report for {period}: is the registry loaded?"
        return (f"no report is in force for {period} from any of the {expected} bodies expected, so there is "
                f"nothing to roll up: load the reports first, or publish zeros with --force")
    basis = latest_version(con, "ministry", period)
    if basis is None:
        return (f"no ministry version is published for {period}, and the agency stage consolidates it: run "
                f"'adep rollup {period} --stage ministry' first (or --stage all)")
    if not basis[2] and not force:
        return (f"ministry version {basis[0]} of {period} covers no report, so there is nothing to consolidate: "
                f"publish the ministry stage again once reports are loaded, or publish zeros with --force")
    return None


def refusal_for_stages(con: duckdb.DuckDBPyConnection, period: Period, levels: tuple[str, ...], *,
                       force: bool = False) -> str | None:
    """Why a run of these stages in order must not start (None: it may)."""
    for i, level in enumerate(levels):
        reason = refusal(con, period, level, force=force, after_ministry="ministry" in levels[:i])
        if reason:
            return reason
    return None


def stage_rollup(con: duckdb.DuckDBPyConnection, period: Period, level: str, *, force: bool = False) -> StagedRollup:
    """Compute a stage into temp tables (staged_*); raises RollupRefused when the stage must not run now.

    Ministry: walk the tree in force for the quarter and sum own-scope reports. Agency: take the latest published
    ministry version's figures, tree and inputs.
    """
    reason = refusal(con, period, level, force=force)
    if reason:
        raise RollupRefused(reason)
    basis = None
    if level == "ministry":
        con.execute(sql("rollup/stage_tree"), _params(period))
        con.execute(sql("rollup/stage_inputs"), _params(period))
        con.execute(sql("rollup/stage_ministry_values"))
    else:
        basis = latest_version_id(con, "ministry", period)
        con.execute(sql("rollup/stage_basis_tree"), {"basis": basis})
        con.execute(sql("rollup/stage_basis_inputs"), {"basis": basis})
        con.execute(sql("rollup/stage_agency_values"), {"basis": basis})
    expected, covered, tops = con.execute(sql("rollup/staged_counts")).fetchall()[0]
    return StagedRollup(level, period.year, period.quarter, int(expected), int(covered), int(tops), basis)


def _differences(con: duckdb.DuckDBPyConnection, previous: int, basis: int | None) -> dict[str, int]:
    """How the staged rollup differs from a published version: submissions, tree, figures and basis."""
    row = con.execute(sql("rollup/differences"), {"v": previous, "basis": basis}).fetchall()[0]
    return dict(zip(("arrived", "revised", "withdrawn", "tree", "values", "basis"), (int(x or 0) for x in row)))


def _note(diff: dict[str, int] | None, basis: int | None) -> str:
    based = f"from ministry version {basis}; " if basis is not None else ""
    if diff is None:
        return based + "first publication"
    parts = [f"{diff[k]} {k}" for k in ("arrived", "revised", "withdrawn") if diff[k]]
    if diff["tree"]:
        parts.append(f"registry tree changed for {diff['tree']} row(s)")
    if not parts:
        parts.append("same submissions")
    return based + ", ".join(parts) + " since the previous version"


def publish_rollup(con: duckdb.DuckDBPyConnection, staged: StagedRollup, flow_run_id: str | None = None,
                   *, republish: bool = False) -> RollupResult:
    """Publish the staged rollup as the next version in one transaction, replacing the previous one for the period.

    When the latest version already holds exactly the same submissions, tree, figures and basis, nothing is
    published (unless republish) and that version stands.
    """
    period = staged.period
    basis = staged.based_on_version_id
    previous = latest_version_id(con, staged.level, period)
    diff = _differences(con, previous, basis) if previous is not None else None
    if diff is not None and not republish and not any(diff.values()):
        return RollupResult(staged.level, str(period), previous, False, staged.expected_count,
                            staged.covered_count, staged.covered_count, "no change since it was published", basis)
    note = _note(diff, basis)
    with transaction(con):
        version_id = int(con.execute(sql("rollup/next_version_id")).fetchall()[0][0])
        con.execute(sql("rollup/insert_version"), {
            "version_id": version_id, "level": staged.level, "year": period.year, "quarter": period.quarter,
            "covered_count": staged.covered_count, "expected_count": staged.expected_count,
            "previous_version_id": previous, "note": note, "flow_run_id": flow_run_id, "basis": basis,
        })
        for part in ("values", "inputs", "tree"):
            con.execute(sql(f"rollup/insert_{part}"), {"version_id": version_id})
    return RollupResult(staged.level, str(period), version_id, True, staged.expected_count,
                        staged.covered_count, staged.covered_count, note, basis)


def drop_staged(con: duckdb.DuckDBPyConnection) -> None:
    """Forget a stage's temp tables, so nothing staged can be published twice or by mistake."""
    for name in _STAGED:
        con.execute(sql(f"rollup/drop_{name}"))

