"""Charts of the quarterly report, drawn with matplotlib as inline SVG: no script, no font or file to fetch.

Text is drawn as outlines (svg.fonttype 'path'), so Kazakh letters look the same on any machine, offline.
"""
from __future__ import annotations

import io
import math

import matplotlib
import pandas as pd
from matplotlib.figure import Figure

# Okabe and Ito's palette: tells colours apart for readers with any common colour-vision deficiency.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
ON_TIME, LATE, MISSING = "#009E73", "#E69F00", "#D55E00"
WIDTH_INCHES = 10.5
# Legends go under the plot and figures keep their size, so every chart has the page width and one text size.
LEGEND_COLUMNS = 2

matplotlib.rcParams.update({
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "axes.axisbelow": True,
})


def to_svg(fig: Figure) -> str:
    """The figure as an <svg> element to paste into HTML (the XML prologue removed)."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def shorten(text: str, limit: int = 60) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip(" ,:") + "…"


def completeness_bars(frame: pd.DataFrame, label_column: str, title: str) -> str:
    """Horizontal stacked bars per row of frame: on time, late, missing (columns on_time, late, missing)."""
    frame = frame.iloc[::-1]  # matplotlib draws the first bar at the bottom
    height = max(1.6, 0.32 * len(frame) + 1.0)
    fig = Figure(figsize=(WIDTH_INCHES, height), layout="constrained")
    ax = fig.subplots()
    labels = [shorten(x, 55) for x in frame[label_column]]
    left = [0] * len(frame)
    for column, colour, name in (("on_time", ON_TIME, "on time"), ("late", LATE, "late"), ("missing", MISSING, "missing")):
        values = frame[column].astype(int).tolist()
        ax.barh(labels, values, left=left, color=colour, label=name, height=0.7)
        left = [a + b for a, b in zip(left, values)]
    ax.set_title(title, loc="left", fontsize=11)
    ax.set_xlabel("bodies")
    ax.grid(axis="y", visible=False)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend(loc="lower right", frameon=False, ncols=3, bbox_to_anchor=(1.0, 1.0))
    return to_svg(fig)


def comparison_bars(frame: pd.DataFrame, title: str) -> str:
    """Grouped bars per indicator: this quarter, the previous one, the same quarter last year."""
    fig = Figure(figsize=(WIDTH_INCHES, 3.6), layout="constrained")
    ax = fig.subplots()
    series = (("same_quarter_last_year_value", "same quarter last year", "#bbbbbb"),
              ("previous_quarter_value", "previous quarter", "#56B4E9"),
              ("value", "this quarter", "#0072B2"))
    width = 0.27
    positions = range(len(frame))
    for i, (column, name, colour) in enumerate(series):
        values = [0 if pd.isna(v) else v for v in frame[column]]
        ax.bar([p + (i - 1) * width for p in positions], values, width=width, color=colour, label=name)
    ax.set_xticks(list(positions), frame["code"].tolist())
    ax.set_xlabel("row of form 1-әу")
    ax.set_title(title, loc="left", fontsize=11)
    ax.grid(axis="x", visible=False)
    fig.legend(frameon=False, loc="outside lower left", ncols=LEGEND_COLUMNS, fontsize=8)
    return to_svg(fig)


def trend_lines(frame: pd.DataFrame, periods: list[str], title: str) -> str:
    """One line per indicator over the quarters; gaps where a quarter has no figure, hollow points where provisional.

    frame: columns period, code, label, value, is_provisional.
    """
    fig = Figure(figsize=(WIDTH_INCHES, 3.8), layout="constrained")
    ax = fig.subplots()
    x = {p: i for i, p in enumerate(periods)}
    for i, (code, part) in enumerate(frame.groupby("code", sort=False)):
        colour = PALETTE[i % len(PALETTE)]
        values = dict(zip(part.period, part.value))
        ys = [values.get(p, math.nan) for p in periods]
        label = f"{code}  {shorten(part.label.iloc[0], 64)}"
        ax.plot(range(len(periods)), ys, color=colour, linewidth=1.8, label=label, marker="o", markersize=4)
        provisional = part[part.is_provisional]
        if len(provisional):
            ax.scatter([x[p] for p in provisional.period], provisional.value, s=36, facecolors="white",
                       edgecolors=colour, zorder=3)
    ax.set_xticks(range(len(periods)), periods)
    ax.set_xlim(-0.3, len(periods) - 0.7)
    ax.set_ylim(bottom=0)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_title(title, loc="left", fontsize=11)
    ax.grid(axis="x", visible=False)
    fig.legend(frameon=False, loc="outside lower left", ncols=LEGEND_COLUMNS, fontsize=8)
    return to_svg(fig)
