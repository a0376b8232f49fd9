"""Staged rollups: sum the registry tree for a quarter and publish the result as a numbered version."""
from __future__ import annotations

from dataclasses import dataclass

import duckdb

from adep.periods import Period
from warehouse.queries import sql
from warehouse.transaction import transaction

LEVELS = ("ministry", "agency")
_STAGED = ("staged_tree", "staged_inputs", "staged_values")


@dataclass(frozen=True)
class StagedRollup:
    """A rollup computed into the connection's temp tables, not yet published."""

    level: str
    year: int
    quarter: int
    expected_count: int
    covered_count: int
    top_body_count: int

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

    def as_line(self) -> str:
        what = f"version {self.version_id} published" if self.published else f"unchanged, version {self.version_id} stands"
        return (f"{self.level} rollup {self.period}: {what}; covers {self.covered_count} of "
                f"{self.expected_count} expected reports ({self.note})")


def _check_level(level: str) -> str:
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    return level


def stage_rollup(con: duckdb.DuckDBPyConnection, period: Period, level: str) -> StagedRollup:
    """Walk the tree in force for the quarter and sum own-scope reports into temp tables (staged_*)."""
    _check_level(level)
    params = {"year": period.year, "quarter": period.quarter}
    con.execute(sql("staged_tree"), params)
    con.execute(sql("staged_inputs"), params)
    con.execute(sql(f"staged_{level}_values"))
    expected, covered, tops = con.execute(
        "select (select count(*) from staged_tree), (select count(*) from staged_inputs), "
        "(select count(*) from staged_tree where depth = 0)"
    ).fetchall()[0]
    return StagedRollup(level, period.year, period.quarter, int(expected), int(covered), int(tops))


def latest_version_id(con: duckdb.DuckDBPyConnection, level: str, period: Period) -> int | None:
    rows = con.execute(
        "select max(version_id) from core_rollup_versions where level = ? and year = ? and quarter = ?",
        [level, period.year, period.quarter],
    ).fetchall()
    return rows[0][0]


def _differences(con: duckdb.DuckDBPyConnection, previous: int) -> dict[str, int]:
    """How the staged rollup differs from a published version: submissions, tree and figures."""
    row = con.execute(
        """
        with prev_inputs as (select bin, file_id from core_rollup_inputs where version_id = $v),
        prev_tree as (select bin, parent_bin, top_bin, depth from core_rollup_tree where version_id = $v),
        prev_values as (
            select breakdown, breakdown_key, code, value, expected_count, covered_count
            from core_rollup_values where version_id = $v
        )
        select
            (select count(*) from staged_inputs as s where s.bin not in (select bin from prev_inputs)),
            (select count(*) from staged_inputs as s join prev_inputs as p using (bin) where p.file_id <> s.file_id),
            (select count(*) from prev_inputs as p where p.bin not in (select bin from staged_inputs)),
            (select count(*) from (
                (select bin, parent_bin, top_bin, depth from staged_tree except select * from prev_tree)
                union all
                (select * from prev_tree except select bin, parent_bin, top_bin, depth from staged_tree))),
            (select count(*) from (
                (select * from staged_values except select * from prev_values)
                union all
                (select * from prev_values except select * from staged_values)))
        """,
        {"v": previous},
    ).fetchall()[0]
    return dict(zip(("arrived", "revised", "withdrawn", "tree", "values"), (int(x) for x in row)))


def _note(diff: dict[str, int] | None) -> str:
    if diff is None:
        return "first publication"
    parts = [f"{diff[k]} {k}" for k in ("arrived", "revised", "withdrawn") if diff[k]]
    if diff["tree"]:
        parts.append(f"registry tree changed for {diff['tree']} row(s)")
    if not parts:
        parts.append("same submissions")
    return ", ".join(parts) + " since the previous version"


def publish_rollup(con: duckdb.DuckDBPyConnection, staged: StagedRollup, flow_run_id: str | None = None,
                   *, force: bool = False) -> RollupResult:
    """Publish the staged rollup as the next version in one transaction, replacing the previous one for the period.

    When the latest version already holds exactly the same submissions, tree and figures, nothing is
    published (unless force) and that version stands.
    """
    period = staged.period
    previous = latest_version_id(con, staged.level, period)
    diff = _differences(con, previous) if previous is not None else None
    if diff is not None and not force and not any(diff.values()):
        return RollupResult(staged.level, str(period), previous, False, staged.expected_count,
                            staged.covered_count, staged.covered_count, "no change since it was published")
    note = _note(diff)
    with transaction(con):
        version_id = con.execute("select coalesce(max(version_id), 0) + 1 from core_rollup_versions").fetchall()[0][0]
        con.execute(
            "insert into core_rollup_versions values (?, ?, ?, ?, now(), ?, ?, ?, ?, ?, ?)",
            [version_id, staged.level, period.year, period.quarter, staged.covered_count, staged.expected_count,
             staged.covered_count, previous, note, flow_run_id],
        )
        con.execute("insert into core_rollup_values select ?, * from staged_values", [version_id])
        con.execute("insert into core_rollup_inputs select ?, file_id, bin from staged_inputs", [version_id])
        con.execute(
            "insert into core_rollup_tree select ?, bin, parent_bin, top_bin, depth, name_kk, name_ru, kind, region "
            "from staged_tree",
            [version_id],
        )
    return RollupResult(staged.level, str(period), int(version_id), True, staged.expected_count,
                        staged.covered_count, staged.covered_count, note)


def drop_staged(con: duckdb.DuckDBPyConnection) -> None:
    for name in _STAGED:
        con.execute(f"drop table if exists {name}")


def run_rollup(con: duckdb.DuckDBPyConnection, period: Period, level: str, flow_run_id: str | None = None,
               *, force: bool = False) -> RollupResult:
    """Stage and publish one level for one quarter (the whole stage without the engine)."""
    try:
        return publish_rollup(con, stage_rollup(con, period, level), flow_run_id, force=force)
    finally:
        drop_staged(con)
