"""adep status: completeness by parent, missing bodies by name, tier shares, stale publications, reconciliation."""
from __future__ import annotations

import pytest
from rich.console import Console

from adep.cli.parser import main
from adep.outputs.status import completeness_frame, status_view, tier_shares
from tests.rollup_world import Q3, file_quarter, make_world
from warehouse.db import open_reader, open_writer
from warehouse.rollups import run_rollup

pytestmark = pytest.mark.usefixtures("prefect_harness")  # the world's reports go through the intake flow

@pytest.fixture
def world(tmp_path):
    w = make_world(tmp_path)
    file_quarter(w, Q3, skip=("L1",), late=("T1",))
    return w


def render(world) -> str:
    console = Console(record=True, width=200)
    con = open_reader(world.settings)
    try:
        console.print(status_view(con, Q3))
    finally:
        con.close()
    return console.export_text()


def test_tier_shares(world):
    with world.connect() as con:
        shares = tier_shares(completeness_frame(con, Q3)).set_index("tier")
    assert shares.loc["top", ["expected", "received", "missing"]].tolist() == [3, 3, 0]
    assert shares.loc["lower", ["expected", "received", "late", "missing"]].tolist() == [5, 4, 1, 1]
    assert shares.loc["lower", "share"] == pytest.approx(0.8)


def test_status_lists_missing_bodies_and_says_nothing_is_published(world):
    text = render(world)
    assert "Аудан әкімдігі" in text  # L1, missing, listed by name under its parent
    assert "Nothing is published" in text
    assert "80%" in text


def test_status_says_which_published_figures_are_stale_and_why(world):
    with open_writer(world.settings) as con:
        run_rollup(con, Q3, "ministry")
        run_rollup(con, Q3, "agency")
    assert "current" in render(world)
    world.add_report("L1", Q3, is_late=True)
    text = render(world)
    assert "stale" in text and "1 arrived after publication, 1 late" in text and "Аудан әкімдігі" in text
    assert "--stage ministry" in text and "--stage all" in text  # the agency stage needs a new ministry version
    with open_writer(world.settings) as con:
        run_rollup(con, Q3, "ministry")
    text = render(world)
    assert "--stage agency" in text and "--stage ministry" not in text


def test_status_shows_reconciliation_differences(world):
    declared = world.sum_of(["M1", "D1", "T1", "T3"], Q3)
    declared["10"] += 2  # conflicts of interest notified: a row no rule involves, so the report stays valid
    world.add_report("M1", Q3, declared, consolidated=True)
    assert "not published" in render(world)
    with open_writer(world.settings) as con:
        run_rollup(con, Q3, "ministry")
    text = render(world)
    assert "Declared-consolidated" in text and "row 10: declared" in text and "(+2)" in text


def test_status_command(world, capsys):
    assert main(["--home", str(world.settings.home), "status", str(Q3)]) == 0
    assert main(["--home", str(world.settings.home), "status", "2025Q9"]) == 2


def test_status_marks_a_body_that_filed_only_a_consolidated_report(tmp_path):
    w = make_world(tmp_path)
    file_quarter(w, Q3, skip=("M2",))
    w.add_report("M2", Q3, w.sum_of(["T2", "L1"], Q3), consolidated=True)
    assert "Алматы облысының әкімдігі (consolidated only)" in render(w)
