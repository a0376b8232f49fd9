"""The state of a quarter: who filed, on time or late, who is missing, what is published and whether it is stale."""
from __future__ import annotations

import duckdb
import pandas as pd
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from adep.periods import Period
from contracts.reporting import AGENCY_SHORT, TIMEZONE

AGENCY_KK = AGENCY_SHORT.kk
MISSING_NAMES_SHOWN = 8


def completeness_frame(con: duckdb.DuckDBPyConnection, period: Period) -> pd.DataFrame:
    """One row per parent body (the Agency first, then those missing most): expected, received, on time, late, missing."""
    return con.execute(
        "select * from completeness_in_period(?, ?) "
        "order by parent_bin is not null, missing desc, late desc, parent_name_kk",
        [period.year, period.quarter],
    ).df()


def missing_frame(con: duckdb.DuckDBPyConnection, period: Period) -> pd.DataFrame:
    """One row per expected body with no own-scope report in force, with its parent."""
    return con.execute(
        "select * from missing_in_period(?, ?) order by parent_bin nulls first, name_kk", [period.year, period.quarter]
    ).df()


def tier_shares(completeness: pd.DataFrame) -> pd.DataFrame:
    """The share of each tier that has filed: the top tier reports to the Agency, the lower tier to its parents."""
    rows = []
    for tier, part in (("top", completeness[completeness.parent_bin.isna()]),
                       ("lower", completeness[completeness.parent_bin.notna()])):
        expected, received = int(part.expected.sum()), int(part.received.sum())
        rows.append(dict(tier=tier, expected=expected, received=received, on_time=int(part.on_time.sum()),
                         late=int(part.late.sum()), missing=expected - received,
                         share=(received / expected) if expected else None))
    return pd.DataFrame(rows)


def published_frame(con: duckdb.DuckDBPyConnection, period: Period) -> pd.DataFrame:
    """The latest published version of each level for the quarter."""
    return con.execute(
        """
        select v.*
        from rollup_versions as v
        where v.is_latest and v.year = ? and v.quarter = ?
        order by v.level desc
        """,
        [period.year, period.quarter],
    ).df()


def stale_frame(con: duckdb.DuckDBPyConnection, period: Period) -> pd.DataFrame:
    """Reports that arrived or were revised after the latest publication of each level."""
    return con.execute(
        "select * from stale_rollups where year = ? and quarter = ? order by level desc, change, name_kk",
        [period.year, period.quarter],
    ).df()


def reconciliation_frame(con: duckdb.DuckDBPyConnection, period: Period) -> pd.DataFrame:
    """Declared-consolidated figures that differ from the computed rollup (or have none to compare with)."""
    return con.execute(
        """
        select r.*, coalesce(b.name_kk, r.bin) as name_kk, i.position
        from reconciliation as r
        left join bodies_in_period(?, ?) as b using (bin)
        left join core_indicators as i using (code)
        where r.year = ? and r.quarter = ? and not r.is_equal
        order by r.bin, i.position
        """,
        [period.year, period.quarter, period.year, period.quarter],
    ).df()


def declared_consolidated_count(con: duckdb.DuckDBPyConnection, period: Period) -> int:
    return int(con.execute(
        "select count(*) from core_submissions where is_in_force and is_consolidated and year = ? and quarter = ?",
        [period.year, period.quarter],
    ).fetchall()[0][0])


def local_time(moment: pd.Timestamp, zone: str = TIMEZONE) -> pd.Timestamp:
    """A stored moment in Kazakhstan time, as operators read the deadlines."""
    moment = pd.Timestamp(moment)
    return (moment if moment.tzinfo else moment.tz_localize("UTC")).tz_convert(zone)


def _share(received: int, expected: int) -> str:
    return f"{received / expected:.0%}" if expected else "-"


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:MISSING_NAMES_SHOWN])
    more = len(names) - MISSING_NAMES_SHOWN
    return shown + (f" … and {more} more" if more > 0 else "")


def completeness_table(completeness: pd.DataFrame, missing: pd.DataFrame, period: Period) -> Table:
    table = Table(title=f"Completeness and timeliness, {period}", show_edge=False)
    for name, justify in (("reports to", "left"), ("expected", "right"), ("received", "right"), ("on time", "right"),
                          ("late", "right"), ("missing", "right"), ("filed", "right"), ("missing bodies", "left")):
        table.add_column(name, justify=justify, overflow="fold")
    # A body that filed only a declared-consolidated report still owes its own-scope report.
    labels = [f"{n} (consolidated only)" if c else n for n, c in zip(missing.name_kk, missing.has_declared_consolidated)]
    missing = missing.assign(name_kk=labels)
    by_parent = {k: list(g.name_kk) for k, g in missing.groupby(missing.parent_bin.fillna(""))}
    for row in completeness.itertuples():
        parent = AGENCY_KK if pd.isna(row.parent_bin) else f"{row.parent_name_kk} ({row.parent_bin})"
        names = by_parent.get("" if pd.isna(row.parent_bin) else row.parent_bin, [])
        table.add_row(parent, str(row.expected), str(row.received), str(row.on_time),
                      f"[yellow]{row.late}" if row.late else "0", f"[red]{row.missing}" if row.missing else "0",
                      _share(row.received, row.expected), _names(names))
    return table


def tier_table(shares: pd.DataFrame) -> Table:
    table = Table(title="Share of each tier that has filed", show_edge=False)
    for name in ("tier", "expected", "received", "on time", "late", "missing", "filed"):
        table.add_column(name, justify="left" if name == "tier" else "right")
    for row in shares.itertuples():
        label = "top (to the Agency)" if row.tier == "top" else "lower (to their parent body)"
        table.add_row(label, str(row.expected), str(row.received), str(row.on_time), str(row.late), str(row.missing),
                      _share(row.received, row.expected))
    return table


def published_table(published: pd.DataFrame, stale: pd.DataFrame) -> Table | Text:
    if published.empty:
        return Text("Nothing is published for this quarter yet: run 'adep rollup PERIOD'.")
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
        table.add_row(row.level, str(row.version_id), f"{local_time(row.published_at):%Y-%m-%d %H:%M}",
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


def status_view(con: duckdb.DuckDBPyConnection, period: Period) -> Group:
    """Everything 'adep status PERIOD' shows, as rich renderables."""
    completeness = completeness_frame(con, period)
    missing = missing_frame(con, period)
    if completeness.empty:
        return Group(Text(f"No bodies are expected to report for {period}: is the registry loaded?"))
    return Group(
        completeness_table(completeness, missing, period),
        Text(""),
        tier_table(tier_shares(completeness)),
        Text(""),
        published_table(published_frame(con, period), stale_frame(con, period)),
        Text(""),
        reconciliation_table(reconciliation_frame(con, period), declared_consolidated_count(con, period)),
    )


def print_status(console: Console, con: duckdb.DuckDBPyConnection, period: Period) -> None:
    console.print(status_view(con, period))
