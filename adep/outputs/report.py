"""The quarter as a picture: one self-contained HTML file with completeness, late and missing bodies, the national
figures against the previous quarter and the same quarter last year, and trends of the main indicators."""
from __future__ import annotations

import html
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from adep.files import write_text_atomic
from adep.calendar import TIMEZONE, shown_time
from adep.outputs import charts as charts
from adep.periods import Period
from adep.outputs.status import completeness_frame, missing_frame
from contracts.form import indicators, rule_parts
from contracts.reporting import AGENCY_SHORT
from warehouse.queries import sql

# The indicators whose course over the quarters the Agency follows, grouped as the form groups them.
# Each group is the left side of one of the form's rules (the parts it sums), so the charts follow an edition.
_APPEAL_SOURCES, _MEASURES, _CONFLICT_MEASURES = (rule_parts(r) for r in ("R04", "R13", "R25"))
TRENDS = (
    (f"Appeals about ethics breaches, by source (rows {_APPEAL_SOURCES[0]}-{_APPEAL_SOURCES[-1]})", _APPEAL_SOURCES),
    (f"Measures taken on recommendations about breaches (rows {_MEASURES[0]}-{_MEASURES[-1]})", _MEASURES),
    (f"Conflicts of interest: notified, and measures taken (rows 10, {_CONFLICT_MEASURES[0]}-{_CONFLICT_MEASURES[-1]})",
     ("10", *_CONFLICT_MEASURES)),
)
PARENTS_CHARTED = 40


@dataclass
class QuarterPicture:
    """Everything the report shows, as frames (so tests and notebooks can use them without the HTML)."""

    period: Period
    completeness: pd.DataFrame
    regions: pd.DataFrame
    late: pd.DataFrame
    missing: pd.DataFrame
    national: pd.DataFrame
    agency_version: dict | None
    stale_count: int
    trend: pd.DataFrame
    trend_periods: list[str]
    timezone: str = TIMEZONE


def _frame(con: duckdb.DuckDBPyConnection, name: str, params: dict) -> pd.DataFrame:
    """The rows of a named statement (warehouse/sql/) as a frame."""
    return con.execute(sql(name), params).df()


def _quarter(period: Period) -> dict[str, int]:
    return {"year": period.year, "quarter": period.quarter}


def region_frame(con: duckdb.DuckDBPyConnection, period: Period) -> pd.DataFrame:
    """One row per region: bodies expected (excluded left out), received, on time, late, missing."""
    return _frame(con, "outputs/regions_received", _quarter(period))


def late_frame(con: duckdb.DuckDBPyConnection, period: Period) -> pd.DataFrame:
    """One row per body whose report in force arrived after its deadline, latest first."""
    return _frame(con, "outputs/late_reports", _quarter(period))


def national_frame(con: duckdb.DuckDBPyConnection, period: Period) -> pd.DataFrame:
    return _frame(con, "outputs/national_figures", _quarter(period))


def agency_version(con: duckdb.DuckDBPyConnection, period: Period) -> dict | None:
    frame = _frame(con, "outputs/latest_version", {"level": "agency", **_quarter(period)})
    return frame.iloc[0].to_dict() if len(frame) else None


def trend_frame(con: duckdb.DuckDBPyConnection) -> tuple[pd.DataFrame, list[str]]:
    """National figures of the charted indicators for every quarter from the first known to the last.

    Only published figures are drawn: a quarter with a published agency rollup shows that figure; a quarter whose
    ministry stage is published but not yet the agency stage shows the sum of the top-tier bodies' published
    figures, marked provisional; a quarter with neither is a gap.
    """
    codes = [c for _, group in TRENDS for c in group]
    labels = {i.code: i.label_kk for i in indicators()}
    known = con.execute(sql("outputs/known_periods")).fetchall()
    if not known:
        return pd.DataFrame(columns=["period", "code", "label", "value", "is_provisional"]), []
    first, last = Period(*known[0]), Period(*known[-1])
    periods = [first]
    while periods[-1] < last:
        periods.append(periods[-1].next())
    published = _frame(con, "outputs/national_trend_of", {"codes": codes})
    published["is_provisional"] = False
    ministry = _frame(con, "outputs/ministry_sums_of", {"codes": codes})
    provisional = ministry[~ministry.period.isin(set(published.period))].assign(is_provisional=True)
    frame = pd.concat([published, provisional], ignore_index=True) if len(provisional) else published
    frame["label"] = frame.code.map(labels)
    order = {c: i for i, c in enumerate(codes)}
    frame = frame.sort_values(["code", "period"], key=lambda s: s.map(order) if s.name == "code" else s)
    return frame.reset_index(drop=True), [str(p) for p in periods]


def gather(con: duckdb.DuckDBPyConnection, period: Period, timezone: str = TIMEZONE) -> QuarterPicture:
    """Read everything the report shows for one quarter from the warehouse (a read-only connection will do)."""
    trend, trend_periods = trend_frame(con)
    stale = con.execute(sql("outputs/stale_count"), {"level": "agency", **_quarter(period)}).fetchall()[0][0]
    return QuarterPicture(period, completeness_frame(con, period), region_frame(con, period), late_frame(con, period),
                          missing_frame(con, period), national_frame(con, period), agency_version(con, period),
                          int(stale), trend, trend_periods, timezone)


# --- HTML -------------------------------------------------------------------------------------------------------

def _e(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value is pd.NaT:
        return ""
    return html.escape(str(value))


def _number(value) -> str:
    if value is None or pd.isna(value):
        return '<span class="na">–</span>'
    return f"{int(value):,}".replace(",", "\u202f")


def _change(value) -> str:
    if value is None or pd.isna(value):
        return '<span class="na">–</span>'
    value = int(value)
    # Arrows, not red and green: whether more appeals or fewer is good news is the analyst's call.
    arrow = "▲" if value > 0 else "▼" if value < 0 else ""
    return f'<span class="change">{arrow}{abs(value):,}</span>'.replace(",", "\u202f") if value else '<span class="na">0</span>'


def _share(received, expected) -> str:
    return f"{received / expected:.0%}" if expected else "–"


def _names(kk, ru) -> str:
    ru_part = f'<div class="ru">{_e(ru)}</div>' if ru and ru != kk else ""
    return f"{_e(kk)}{ru_part}"


def _table(headings: list[str], rows: list[list[str]], numeric_from: int, empty: str) -> str:
    if not rows:
        return f'<p class="empty">{html.escape(empty)}</p>'
    head = "".join(f'<th class="{"n" if i >= numeric_from else ""}">{html.escape(h)}</th>' for i, h in enumerate(headings))
    body = "".join(
        "<tr>" + "".join(f'<td class="{"n" if i >= numeric_from else ""}">{cell}</td>' for i, cell in enumerate(row)) + "</tr>"
        for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _tiles(picture: QuarterPicture) -> str:
    c = picture.completeness
    expected, received = int(c.expected.sum()), int(c.received.sum())
    tiles = [("expected", expected, ""), ("received", received, _share(received, expected)),
             ("on time", int(c.on_time.sum()), ""), ("late", int(c.late.sum()), ""),
             ("missing", expected - received, f"{int(c.rejected.sum())} rejected, {int(c.nothing_received.sum())} "
                                              "nothing received")]
    return '<div class="tiles">' + "".join(
        f'<div class="tile {name.replace(" ", "-")}"><div class="big">{_number(v)}</div><div>{name}'
        f'{f" ({extra})" if extra else ""}</div></div>' for name, v, extra in tiles) + "</div>"


def _completeness_section(picture: QuarterPicture) -> str:
    c = picture.completeness.copy()
    c["label"] = c.parent_name_kk.fillna(c.parent_bin)
    c["is_agency"] = c.parent_bin.isna()
    # the Agency (the top tier) first, then the parents with the most missing reports
    c = c.sort_values(["is_agency", "missing", "expected", "label"], ascending=[False, False, False, True])
    charted = c.head(PARENTS_CHARTED)
    note = (f'<p class="note">The chart shows the {PARENTS_CHARTED} parent bodies with the most missing reports; '
            f"the table shows all {len(c)}.</p>") if len(c) > PARENTS_CHARTED else ""
    chart = charts.completeness_bars(charted, "label", "Reports by parent body") if len(c) else ""
    rows = [[_names(r.parent_name_kk, r.parent_name_ru), _e(r.tier), _number(r.expected), _number(r.received),
             _number(r.on_time), _number(r.late), _number(r.missing), _number(r.rejected), _number(r.nothing_received),
             _share(r.received, r.expected)]
            for r in c.itertuples()]
    table = _table(["parent body", "tier", "expected", "received", "on time", "late", "missing", "of which rejected",
                    "nothing received", "received %"], rows, 2,
                   "No bodies are expected to report for this quarter: is the registry loaded?")
    r = picture.regions
    region_chart = charts.completeness_bars(r, "region", "Reports by region") if len(r) else ""
    region_rows = [[_e(x.region), _number(x.expected), _number(x.received), _number(x.on_time), _number(x.late),
                    _number(x.missing), _share(x.received, x.expected)] for x in r.itertuples()]
    region_table = _table(["region", "expected", "received", "on time", "late", "missing", "received %"], region_rows, 1,
                          "No bodies are expected to report for this quarter.")
    return (f'<section id="completeness"><h2>Who filed</h2>{_tiles(picture)}'
            f'<h3>By parent body</h3>{note}<div class="chart">{chart}</div>{table}'
            f'<h3>By region</h3><div class="chart">{region_chart}</div>{region_table}</section>')


def _why_missing(r, timezone: str) -> str:
    """'nothing received', or the rejected file (the latest of them), when it arrived and its first finding."""
    if r.missing_reason != "rejected":
        return "nothing received"
    more = f" (and {int(r.rejected_file_count) - 1} earlier)" if r.rejected_file_count > 1 else ""
    finding = f"{r.first_finding_rule}: {r.first_finding}" if isinstance(r.first_finding, str) else ""
    return (f'<b>rejected</b>: file {int(r.rejected_file_id)} {_e(r.rejected_file_name)}{_e(more)}, arrived '
            f'{_e(shown_time(r.rejected_received_at, timezone))}<div class="ru">{_e(finding)}</div>')


def _late_and_missing_section(picture: QuarterPicture) -> str:
    zone = picture.timezone
    late_rows = [[_names(r.name_kk, r.name_ru), _e(r.bin), _e(r.parent_name_kk or AGENCY_SHORT.kk),
                  _e(shown_time(r.received_at, zone)), _number(r.days_late)]
                 for r in picture.late.itertuples()]
    missing = picture.missing.sort_values("missing_reason", key=lambda s: s != "rejected", kind="stable")
    missing_rows = [[_names(r.name_kk, r.name_ru), _e(r.bin), _e(r.parent_name_kk or AGENCY_SHORT.kk), _e(r.region),
                     _why_missing(r, zone) + ("; only a consolidated report" if r.has_declared_consolidated else "")]
                    for r in missing.itertuples()]
    rejected = int((picture.missing.missing_reason == "rejected").sum())
    return ('<section id="late-missing"><h2>Late and missing bodies</h2>'
            f'<h3>Late ({len(late_rows)})</h3>'
            + _table(["body", "BIN", "reports to", "received", "days late"], late_rows, 4, "Nobody was late.")
            + f'<h3>Missing ({len(missing_rows)}: {rejected} rejected, no report in force; '
              f'{len(missing_rows) - rejected} nothing received)</h3>'
            + _table(["body", "BIN", "reports to", "region", "why"], missing_rows, 5, "Every expected body has filed.")
            + "</section>")


def _national_section(picture: QuarterPicture) -> str:
    period = picture.period
    n = picture.national
    if not len(n):
        return ('<section id="national"><h2>National figures</h2><p class="empty">No national figure is published for '
                f"{period} yet: run <code>adep rollup {period}</code>, then this report again.</p></section>")
    v = picture.agency_version or {}
    stale = (f' <strong class="warn">{picture.stale_count} report(s) arrived or changed since it was published: run '
             f"<code>adep rollup {period}</code> again.</strong>") if picture.stale_count else ""
    caption = (f'<p class="note">Agency rollup version {_e(v.get("version_id"))}, published '
               f'{_e(shown_time(v["published_at"], picture.timezone)) if v else ""}, covers '
               f'{_e(v.get("covered_count"))} of {_e(v.get("expected_count"))} expected reports.{stale} Previous quarter: '
               f"{period.previous()}; same quarter last year: {Period(period.year - 1, period.quarter)}. "
               "A dash: that quarter has no published figure.</p>")
    top = n[n.code.str.fullmatch(r"\d+")]
    chart = charts.comparison_bars(top, "Main rows: this quarter, the previous one and the same quarter last year")
    rows = [[f"<b>{_e(r.code)}</b>", f'<div class="{"part" if "." in r.code else ""}">{_names(r.label_kk, r.label_ru)}</div>', _number(r.value), _number(r.previous_quarter_value),
             _change(r.change_from_previous_quarter), _number(r.same_quarter_last_year_value),
             _change(r.change_from_same_quarter_last_year), _number(r.ytd_value)]
            for r in n.itertuples()]
    ytd_heading = f"year to date ({int(n.ytd_quarter_count.max())} q.)"
    table = _table(["row", "indicator", str(period), "previous", "change", "last year", "change", ytd_heading], rows, 2, "")
    return f'<section id="national"><h2>National figures</h2>{caption}<div class="chart">{chart}</div>{table}</section>'


def _trend_section(picture: QuarterPicture) -> str:
    if picture.trend.empty:
        return '<section id="trends"><h2>Trends</h2><p class="empty">No quarter is loaded yet.</p></section>'
    parts = []
    for title, codes in TRENDS:
        part = picture.trend[picture.trend.code.isin(codes)]
        parts.append(f'<div class="chart">{charts.trend_lines(part, picture.trend_periods, title)}</div>')
    note = ""
    if picture.trend.is_provisional.any():
        quarters = ", ".join(sorted(set(picture.trend.period[picture.trend.is_provisional])))
        note = (f'<p class="note">Hollow points ({_e(quarters)}): no national figure is published yet; they show the '
                "sum of the published ministry figures and may change.</p>")
    return f'<section id="trends"><h2>Trends over the quarters</h2>{note}{"".join(parts)}</section>'


STYLE = """
body { font-family: "DejaVu Sans", "Segoe UI", Arial, sans-serif; margin: 24px auto; max-width: 1150px; color: #222;
       font-size: 14px; line-height: 1.4; padding: 0 16px; }
h1 { font-size: 24px; margin-bottom: 0; } h2 { border-bottom: 2px solid #0072B2; padding-bottom: 4px; margin-top: 36px; }
.sub { color: #666; margin-top: 4px; } .ru { color: #777; font-size: 12px; } .na { color: #aaa; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; } th { background: #f2f5f8; text-align: left; }
th, td { padding: 4px 8px; border-bottom: 1px solid #e5e5e5; vertical-align: top; } .n { text-align: right; white-space: nowrap; }
.change { color: #333; } .warn { color: #b3361e; }
.note, .empty { color: #555; } .chart svg { width: 100%; height: auto; }
.tiles { display: flex; gap: 12px; margin: 12px 0; } .tile { flex: 1; background: #f2f5f8; padding: 10px 14px; border-radius: 6px; }
.tile .big { font-size: 26px; font-weight: bold; } .tile.late .big { color: #b36b00; } .tile.missing .big { color: #b3361e; }
nav a { margin-right: 14px; } .part { padding-left: 18px; }
@media print { section { break-inside: avoid-page; } }
"""


def render(picture: QuarterPicture, generated_at: datetime | None = None) -> str:
    """The report as one HTML document: styles and charts inline, nothing fetched when it is opened."""
    generated_at = generated_at or datetime.now(UTC)
    period = picture.period
    return (
        '<!DOCTYPE html>\n<html lang="kk"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Form 1-әу, {period}: the quarter</title><style>{STYLE}</style></head><body>"
        f"<h1>Form 1-әу, {period}: the quarter</h1>"
        f'<p class="sub">Ethics commissioners\' quarterly reports · generated {_e(shown_time(generated_at, picture.timezone))} '
        "from the published warehouse</p>"
        '<nav><a href="#completeness">Who filed</a><a href="#late-missing">Late and missing</a>'
        '<a href="#national">National figures</a><a href="#trends">Trends</a></nav>'
        + _completeness_section(picture) + _late_and_missing_section(picture) + _national_section(picture)
        + _trend_section(picture) + "</body></html>\n"
    )


def write_quarter_report(con: duckdb.DuckDBPyConnection, period: Period, out: str | Path, *,
                         timezone: str = TIMEZONE) -> Path:
    """Write the quarter's report to out (one HTML file); written beside it and renamed, so it is never half there."""
    return write_text_atomic(out, render(gather(con, period, timezone)))
