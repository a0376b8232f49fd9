"""The state of a quarter: who filed, on time or late, who is missing, what is published and whether it is stale."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import duckdb
import pandas as pd
from rich.console import Console, Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from adep import calendar
from adep.calendar import LOWER, TOP, TIMEZONE, WorkingCalendar, shown_time
from adep.periods import Period
from contracts.reporting import AGENCY_SHORT
from warehouse.queries import sql

if TYPE_CHECKING:
    from adep.settings import Settings

AGENCY_KK = AGENCY_SHORT.kk
MISSING_NAMES_SHOWN = 8
REJECTED_SHOWN = 30


def _quarter(period: Period) -> dict[str, int]:
    return {"year": period.year, "quarter": period.quarter}


def completeness_frame(con: duckdb.DuckDBPyConnection, period: Period) -> pd.DataFrame:
    """One row per parent body (the Agency first, then those missing most): expected, received, on time, late, missing."""
    return con.execute(sql("outputs/completeness"), _quarter(period)).df()


def missing_frame(con: duckdb.DuckDBPyConnection, period: Period) -> pd.DataFrame:
    """One row per expected body with no own-scope report in force, with its parent."""
    return con.execute(sql("outputs/missing"), _quarter(period)).df()


def tier_shares(completeness: pd.DataFrame) -> pd.DataFrame:
    """The share of each tier that has filed: the top tier reports to the Agency, the lower tier to its parents."""
    rows = []
    for tier, part in (("top", completeness[completeness.parent_bin.isna()]),
                       ("lower", completeness[completeness.parent_bin.notna()])):
        expected, received = int(part.expected.sum()), int(part.received.sum())
        rows.append(dict(tier=tier, expected=expected, received=received, on_time=int(part.on_time.sum()),
                         late=int(part.late.sum()), missing=expected - received, rejected=int(part.rejected.sum()),
                         share=(received / expected) if expected else None))
    return pd.DataFrame(rows)


def published_frame(con: duckdb.DuckDBPyConnection, period: Period) -> pd.DataFrame:
    """The latest published version of each level for the quarter."""
    return con.execute(sql("outputs/published_versions"), _quarter(period)).df()


def stale_frame(con: duckdb.DuckDBPyConnection, period: Period) -> pd.DataFrame:
    """Reports that arrived or were revised after the latest publication of each level."""
    return con.execute(sql("outputs/stale_in_period"), _quarter(period)).df()


def reconciliation_frame(con: duckdb.DuckDBPyConnection, period: Period) -> pd.DataFrame:
    """Declared-consolidated figures that differ from the computed rollup (or have none to compare with)."""
    return con.execute(sql("outputs/reconciliation_differences"), _quarter(period)).df()


def declared_consolidated_count(con: duckdb.DuckDBPyConnection, period: Period) -> int:
    return int(con.execute(sql("outputs/declared_consolidated_count"), _quarter(period)).fetchall()[0][0])


def local_time(moment: pd.Timestamp, zone: str = TIMEZONE) -> pd.Timestamp:
    """A stored moment in Kazakhstan time, as operators read the deadlines."""
    return pd.Timestamp(calendar.local_time(pd.Timestamp(moment).to_pydatetime(), zone))


def files_received(con: duckdb.DuckDBPyConnection, period: Period) -> int:
    """Files whose header named the quarter, whatever became of them."""
    return int(con.execute(sql("outputs/files_received"), _quarter(period)).fetchall()[0][0])


def quarter_notices(period: Period, received: int, *, now: datetime, timezone: str = TIMEZONE, shift: bool = True,
                    work_calendar: WorkingCalendar | None = None) -> list[str]:
    """What to know before reading the tables: the quarter has not ended, its deadlines have not passed, nothing came."""
    due = {tier: calendar.deadline(period, tier, shift=shift, calendar=work_calendar, timezone=timezone)
           for tier in (LOWER, TOP)}
    dates = (f"reports are due by {due[LOWER]:%Y-%m-%d} to the parent body (lower tier) and by {due[TOP]:%Y-%m-%d} "
             "to the Agency (top tier)")
    today = calendar.local_time(now, timezone).date()
    notices = []
    if today <= period.last_day:
        notices.append(f"{period} has not ended yet: it ends on {period.last_day}, and {dates}. No body is late or "
                       "missing yet" + ("; the tables show who has filed so far." if received else "."))
    elif now <= due[TOP]:
        notices.append(f"The deadlines of {period} have not all passed: {dates}. A body shown as missing may still file on time.")
    if received == 0:
        notices.append(f"Nothing has been loaded for {period}: no file for this quarter has come through 'adep intake', "
                       "so no body has filed yet and the table of missing bodies by parent is left out.")
    return notices


def _share(received: int, expected: int) -> str:
    return f"{received / expected:.0%}" if expected else "-"


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:MISSING_NAMES_SHOWN])
    more = len(names) - MISSING_NAMES_SHOWN
    return shown + (f" … and {more} more" if more > 0 else "")


def completeness_table(completeness: pd.DataFrame, missing: pd.DataFrame, period: Period) -> Table:
    table = Table(title=f"Completeness and timeliness, {period}", show_edge=False)
    for name, justify in (("reports to", "left"), ("expected", "right"), ("received", "right"), ("on time", "right"),
                          ("late", "right"), ("missing", "right"), ("of which rejected", "right"), ("filed", "right"),
                          ("missing bodies", "left")):
        table.add_column(name, justify=justify, overflow="fold")
    # A body that filed only a declared-consolidated report still owes its own-scope report.
    labels = [f"{n} (consolidated only)" if c else n for n, c in zip(missing.name_kk, missing.has_declared_consolidated)]
    missing = missing.assign(name_kk=labels, parent_key=missing.parent_bin.fillna(""))
    names = {(k, reason): list(g.name_kk) for (k, reason), g in missing.groupby(["parent_key", "missing_reason"])}
    for row in completeness.itertuples():
        key = "" if pd.isna(row.parent_bin) else row.parent_bin
        parent = AGENCY_KK if pd.isna(row.parent_bin) else f"{row.parent_name_kk} ({row.parent_bin})"
        parts = [f"{label}: {_names(names[(key, reason)])}" for reason, label in
                 (("rejected", "rejected"), ("nothing_received", "nothing received")) if (key, reason) in names]
        table.add_row(escape(parent), str(row.expected), str(row.received), str(row.on_time),
                      f"[yellow]{row.late}" if row.late else "0", f"[red]{row.missing}" if row.missing else "0",
                      f"[red]{row.rejected}" if row.rejected else "0", _share(row.received, row.expected),
                      escape("; ".join(parts)))
    return table


def rejected_table(missing: pd.DataFrame, timezone: str = TIMEZONE) -> Table | None:
    """One row per body whose files were all rejected: the latest file and its first finding."""
    rejected = missing[missing.missing_reason == "rejected"].sort_values(["rejected_received_at", "bin"])
    if rejected.empty:
        return None
    table = Table(title=f"Rejected, no report in force ({len(rejected)}): fix the file, then 'adep rerun FILE_ID', "
                        "or ask the body for a corrected file", show_edge=False)
    for name in ("body", "reports to", "file", "arrived", "first finding"):
        table.add_column(name, overflow="fold")
    for row in rejected.head(REJECTED_SHOWN).itertuples():
        more = f" (and {int(row.rejected_file_count) - 1} earlier)" if row.rejected_file_count > 1 else ""
        finding = f"{row.first_finding_rule}: {row.first_finding}" if isinstance(row.first_finding, str) else ""
        table.add_row(escape(f"{row.name_kk} ({row.bin})"), escape(row.parent_name_kk if isinstance(row.parent_name_kk, str) else AGENCY_KK),
                      escape(f"{int(row.rejected_file_id)}: {row.rejected_file_name}{more}"),
                      shown_time(row.rejected_received_at, timezone), escape(finding))
    if len(rejected) > REJECTED_SHOWN:
        table.add_row(f"… and {len(rejected) - REJECTED_SHOWN} more: the 'missing_reports' view lists them all", "", "",
                      "", "")
    return table


def tier_table(shares: pd.DataFrame) -> Table:
    table = Table(title="Share of each tier that has filed", show_edge=False)
    for name in ("tier", "expected", "received", "on time", "late", "missing", "of which rejected", "filed"):
        table.add_column(name, justify="left" if name == "tier" else "right")
    for row in shares.itertuples():
        label = "top (to the Agency)" if row.tier == "top" else "lower (to their parent body)"
        table.add_row(label, str(row.expected), str(row.received), str(row.on_time), str(row.late), str(row.missing),
                      str(row.rejected), _share(row.received, row.expected))
    return table


def published_table(published: pd.DataFrame, stale: pd.DataFrame, period: Period, received: int,
                    timezone: str = TIMEZONE) -> Table | Text:
    if published.empty:
        if not received:
            return Text("Nothing is published for this quarter, and there is no report to roll up yet.")
        return Text(f"Nothing is published for this quarter yet: run 'adep rollup {period}'.")
    table = Table(title="Published rollups", show_edge=False)
    for name in ("level", "version", "published at", "covers", "state"):
        table.add_column(name, overflow="fold")
    for row in published.itertuples():
        mine = stale[stale.level == row.level]
        # Registry changes that move a body, add one or drop one are rows of stale_rollups like late reports.
        if mine.empty:
            state = "[green]current"
        else:
            parts = []
            for change, label in (("arrived", "arrived after publication"), ("revised", "revised after publication"),
                                  ("withdrawn", "no longer in force"), ("joined", "now expected by the registry"),
                                  ("left", "no longer expected by the registry"),
                                  ("moved", "moved in the registry tree"), ("regrouped", "another kind or region")):
                names = list(mine[mine.change == change].name_kk.fillna(mine.bin))
                if names:
                    late = int(mine[(mine.change == change) & mine.is_late.fillna(False).astype(bool)].shape[0])
                    late_note = f", {late} late" if late else ""
                    parts.append(f"{len(names)} {label}{late_note}: {_names(names)}")
            # The agency stage consolidates the ministry version: when that is behind too, both stages run again.
            stage = "all" if (mine.stage_to_run == "ministry").any() and row.level == "agency" else row.level
            state = ("[yellow]stale[/] — " + "; ".join(parts)
                     + f" — run 'adep rollup {row.year}Q{row.quarter} --stage {stage}'")
        table.add_row(row.level, str(row.version_id), shown_time(row.published_at, timezone),
                      f"{row.covered_count} of {row.expected_count}", state)
    return table


RECONCILIATION_BODIES_SHOWN = 15


def reconciliation_table(differences: pd.DataFrame, declared_count: int) -> Table | Text:
    """One line per declared-consolidated report that differs: how many indicators, and the largest gap."""
    if declared_count == 0:
        return Text("No declared-consolidated reports for this quarter.")
    if differences.empty:
        return Text(f"{declared_count} declared-consolidated report(s): every figure equals the computed rollup.")
    table = Table(title="Declared-consolidated reports against the computed rollup (each indicator: the 'reconciliation' view)",
                  show_edge=False)
    for name in ("body", "indicators differing", "largest difference"):
        table.add_column(name, justify="left" if name == "body" else "right", overflow="fold")
    bodies = list(differences.groupby(["bin", "name_kk"], sort=False))
    for (bin_, name), rows in bodies[:RECONCILIATION_BODIES_SHOWN]:
        published = rows.computed_value.notna()
        if not published.any():
            table.add_row(f"{name} ({bin_})", str(len(rows)), "not published: run the ministry stage")
            continue
        worst = rows[published].loc[rows[published].difference.abs().idxmax()]
        table.add_row(f"{name} ({bin_})", str(len(rows)),
                      f"row {worst.code}: declared {int(worst.declared_value)}, computed {int(worst.computed_value)} "
                      f"({int(worst.difference):+d})")
    if len(bodies) > RECONCILIATION_BODIES_SHOWN:
        table.add_row(f"… and {len(bodies) - RECONCILIATION_BODIES_SHOWN} more bodies", "", "")
    return table


def status_view(con: duckdb.DuckDBPyConnection, period: Period, *, settings: Settings | None = None,
                now: datetime | None = None) -> Group:
    """Everything 'adep status PERIOD' shows, as rich renderables: first what to know, then the tables."""
    timezone = settings.timezone if settings else TIMEZONE
    completeness = completeness_frame(con, period)
    missing = missing_frame(con, period)
    if completeness.empty:
        return Group(Text(f"No bodies are expected to report for {period}: is the registry loaded?"))
    received = files_received(con, period)
    notices = quarter_notices(period, received, now=now or datetime.now(UTC), timezone=timezone,
                              shift=settings.shift_deadlines if settings else True,
                              work_calendar=WorkingCalendar.from_settings(settings) if settings else None)
    parts: list = [Text(notice, style="bold yellow") for notice in notices]
    if notices:
        parts.append(Text(""))
    if received:
        parts += [completeness_table(completeness, missing, period), Text("")]
        rejected = rejected_table(missing, timezone)
        if rejected is not None:
            parts += [rejected, Text("")]
    parts += [
        tier_table(tier_shares(completeness)),
        Text(""),
        published_table(published_frame(con, period), stale_frame(con, period), period, received, timezone),
        Text(""),
        reconciliation_table(reconciliation_frame(con, period), declared_consolidated_count(con, period)),
    ]
    return Group(*parts)


def print_status(console: Console, con: duckdb.DuckDBPyConnection, period: Period, *, settings: Settings | None = None,
                 now: datetime | None = None) -> None:
    console.print(status_view(con, period, settings=settings, now=now))
