"""Prefect artifacts: what each intake run did and what each rollup published, readable in the Prefect UI.

They read the published copy of the warehouse after the run has released it, so they never hold the writer's lock.
Artifact keys name the story they continue (intake-outcomes, rollup-agency-2026q3), so the UI shows each one's history.
"""
from __future__ import annotations

import logging
from uuid import UUID

import duckdb
import pandas as pd
from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NONE
from prefect.exceptions import MissingContextError

from adep.periods import Period
from adep.settings import Settings
from contracts.form import indicators
from tasks.summary import OUTCOMES, IntakeSummary
from warehouse.connect import connect
from warehouse.queries import sql
from warehouse.rollups import RollupResult

ROWS_SHOWN = 1000  # a table artifact is for reading; the views hold everything
MAIN_ROWS = tuple(i.code for i in indicators() if i.parent is None)  # the form's numbered rows, without sub-rows


def _plain(value):
    """A value json can write: NULLs as None, numpy scalars as Python ones."""
    if value is None or pd.isna(value):
        return None
    return value.item() if hasattr(value, "item") else value


def _records(con: duckdb.DuckDBPyConnection, name: str, params: dict) -> list[dict]:
    """The rows of a named statement (warehouse/sql/) as plain dicts."""
    rows = con.execute(sql(name), params).df().to_dict("records")
    return [{k: _plain(v) for k, v in row.items()} for row in rows]


def run_outcomes(con: duckdb.DuckDBPyConnection, run_id: str) -> list[dict]:
    """One row per file a run processed: its outcome in that run, body, period, errors, warnings, where it went."""
    return _records(con, "artifacts/run_outcomes", {"run_id": run_id})


def run_findings(con: duckdb.DuckDBPyConnection, run_id: str) -> list[dict]:
    """One row per finding of the files a run processed (that run's attempt), errors first."""
    return _records(con, "artifacts/run_findings", {"run_id": run_id})


def _shown(rows: list[dict], what: str) -> tuple[list[dict], str]:
    if len(rows) <= ROWS_SHOWN:
        return rows, ""
    return rows[:ROWS_SHOWN], f" The first {ROWS_SHOWN} of {len(rows)} {what} are shown; the views hold them all."


@task(cache_policy=NONE)
def post_intake_artifacts(settings: Settings, summary: IntakeSummary, run_id: str) -> list[UUID]:
    """Two table artifacts for the run: each file's outcome, and every finding (with row code, cell and message)."""
    try:
        return _intake_artifacts(settings, summary, run_id)
    except Exception as exc:  # the data is loaded whatever happens here: say so and let the run succeed
        _logger().warning("intake artifacts not posted: %s", exc)
        return []


def _intake_artifacts(settings: Settings, summary: IntakeSummary, run_id: str) -> list[UUID]:
    con = connect(settings)
    try:
        outcomes, findings = run_outcomes(con, run_id), run_findings(con, run_id)
    finally:
        con.close()
    counts = ", ".join(f"{getattr(summary, k)} {k}" for k in OUTCOMES if getattr(summary, k)) or "no files"
    outcomes, more_files = _shown(outcomes, "files")
    findings, more_findings = _shown(findings, "findings")
    waiting = f" {len(summary.waiting)} file(s) still being copied wait for the next pass." if summary.waiting else ""
    return [
        create_table_artifact(
            outcomes or [{"file": None, "outcome": "no files in intake/"}], key="intake-outcomes",
            description=f"Intake: {summary.files} file(s): {counts}.{waiting}{more_files} "
                        "Rejected files are in rejected/, each with a .findings.txt beside it (view: intake_log)."),
        create_table_artifact(
            findings or [{"file": None, "message": "no findings"}], key="intake-findings",
            description=f"Findings of this run: {len(findings)} shown, errors first; an error rejects the report, "
                        f"a warning loads it.{more_findings} (view: findings)"),
    ]


def _markdown_table(headings: list[str], rows: list[list]) -> str:
    def cell(v) -> str:
        return "–" if v is None else str(v).replace("|", "\\|")

    lines = ["| " + " | ".join(headings) + " |", "|" + "|".join("---" for _ in headings) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _change(value) -> str:
    return "–" if value is None else f"{int(value):+d}"


def rollup_markdown(con: duckdb.DuckDBPyConnection, result: RollupResult) -> str:
    """The rollup's story in markdown: what was published, what it covers, and its figures."""
    period = Period.parse(result.period)
    what = (f"version {result.version_id} published" if result.published
            else f"nothing new: version {result.version_id} stands")
    parts = [f"# {result.level.capitalize()} rollup, {period}",
             f"**{what}**; covers **{result.covered_count} of {result.expected_count}** expected reports "
             f"({result.expected_count - result.covered_count} missing). {result.note.capitalize()}."]
    quarter = {"year": period.year, "quarter": period.quarter}
    bodies = _records(con, "artifacts/top_bodies", quarter)
    if result.level == "agency":
        national = _records(con, "artifacts/national_main_rows", {**quarter, "codes": list(MAIN_ROWS)})
        parts.append("## National figures, main rows")
        parts.append(_markdown_table(
            ["row", "indicator", str(period), "previous quarter", "change", "same quarter last year", "change", "year to date"],
            [[r["code"], r["label_kk"][:70], r["value"], r["previous_quarter_value"], _change(r["change_from_previous_quarter"]),
              r["same_quarter_last_year_value"], _change(r["change_from_same_quarter_last_year"]), r["ytd_value"]]
             for r in national]))
    if bodies:
        parts.append("## Top-tier bodies (ministry-level figures)")
        parts.append(_markdown_table(["body", "BIN", "reports summed", "expected"],
                                     [[b["name"], b["bin"], b["covered"], b["expected"]] for b in bodies[:ROWS_SHOWN]]))
    stale = con.execute(sql("outputs/stale_count"), {"level": result.level, **quarter}).fetchall()[0][0]
    if stale:
        parts.append(f"**{stale} report(s) arrived or changed since this version was published**: run the stage again.")
    parts.append(f"Views: `rollup_values`, `national_trend`, `breakdown_trend`; the picture: `adep report {period}`.")
    return "\n\n".join(parts) + "\n"


@task(cache_policy=NONE)
def post_rollup_artifact(settings: Settings, result: RollupResult) -> UUID | None:
    """A markdown artifact telling what the stage published for the quarter, keyed by level and quarter."""
    try:
        con = connect(settings)
        try:
            markdown = rollup_markdown(con, result)
        finally:
            con.close()
        return create_markdown_artifact(markdown, key=f"rollup-{result.level}-{result.period.lower()}",
                                        description=result.as_line())
    except Exception as exc:  # the version is published whatever happens here
        _logger().warning("rollup artifact not posted: %s", exc)
        return None


def _logger():
    try:
        return get_run_logger()
    except MissingContextError:
        return logging.getLogger(__name__)
