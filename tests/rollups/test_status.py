"""adep status: completeness by parent, missing bodies by name, tier shares, stale publications, reconciliation."""
from __future__ import annotations

import zlib
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from rich.console import Console

from adep.cli.parser import main
from adep.outputs.status import completeness_frame, missing_frame, status_view, tier_shares
from adep.periods import Period
from tests.conftest import arrived, query
from tests.rollup_world import Q3, Q4, file_quarter, make_world, on_time, random_values
from warehouse.db import open_reader, open_writer
from tests.rollup_world import run_rollup

pytestmark = pytest.mark.usefixtures("prefect_harness")  # the world's reports go through the intake flow

@pytest.fixture
def world(tmp_path):
    w = make_world(tmp_path)
    file_quarter(w, Q3, skip=("L1",), late=("T1",))
    return w


def render(world, period: Period = Q3, now: datetime | None = None) -> str:
    console = Console(record=True, width=200)
    con = open_reader(world.settings)
    try:
        console.print(status_view(con, period, settings=world.settings, now=now))
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


def reject(world, name: str, period: Period, spoil, *, hours_late: int = 0) -> int:
    """Send the body a report that the checks reject (spoil changes its values), through the real intake."""
    values = random_values(zlib.crc32(f"{name}{period}{world.sent}".encode()))
    spoil(values)
    path, _ = world.send(name, period, values)
    arrived(path, on_time(period) + timedelta(hours=hours_late))
    world.take_in()
    return world.record(name, period, path.name, values)


def _negative(values):
    values["2"] = -1


def _outreach_and_sources_over_their_totals(values):
    values["2.1"] = values["2"] + 1  # R03
    values["3.1"] = values["3"] + 5  # R04


def _not_whole(values):
    values["1.1"] = 2.5


def test_rejected_bodies_are_told_apart_from_those_that_sent_nothing(tmp_path):
    w = make_world(tmp_path)
    file_quarter(w, Q3, skip=("L1", "A1", "T1"))
    reject(w, "L1", Q3, _negative)
    latest = reject(w, "L1", Q3, _outreach_and_sources_over_their_totals, hours_late=5)
    reject(w, "T1", Q3, _not_whole)
    w.add_report("T1", Q3)  # T1's corrected report is in force: it is received, not rejected

    with w.connect() as con:
        c = completeness_frame(con, Q3).set_index(completeness_frame(con, Q3).parent_bin.fillna("agency"))
        missing = missing_frame(con, Q3).set_index("bin")
        comment = con.execute("select comment from duckdb_columns() where table_name = 'completeness' "
                              "and column_name = 'rejected'").fetchall()[0][0]
    assert c.loc[w.bins["M2"], ["missing", "rejected", "nothing_received"]].tolist() == [1, 1, 0]
    assert c.loc["agency", ["missing", "rejected", "nothing_received"]].tolist() == [1, 0, 1]
    assert c.loc[w.bins["D1"], ["received", "missing", "rejected"]].tolist() == [1, 0, 0]
    assert set(missing.index) == {w.bins["L1"], w.bins["A1"]}
    l1, a1 = missing.loc[w.bins["L1"]], missing.loc[w.bins["A1"]]
    assert (l1.missing_reason, int(l1.rejected_file_id), int(l1.rejected_file_count)) == ("rejected", latest, 2)
    assert l1.first_finding_rule == "R03" and l1.first_finding.startswith("Rule R03 (row 2.1 ≤ row 2) does not hold")
    assert a1.missing_reason == "nothing_received" and a1.rejected_file_id is pd.NA
    assert comment and "rejected" in comment

    text = " ".join(render(w).split())
    assert "rejected: Аудан әкімдігі" in text and "nothing received: Тексеру комиссиясы" in text
    assert "Rejected, no report in force (1)" in text
    latest_name = query(w.settings, "select file_name from core_files where file_id = ?", [latest])[0][0]
    assert f"{latest}: {latest_name} (and 1 earlier)" in text and "R03: Rule R03 (row 2.1 ≤ row 2) does not hold" in text
    assert f"{Q3.next().year}-10-02 14:00 (Asia/Almaty)" in text  # 09:00 UTC, when the latest rejected file arrived


def test_a_quarter_not_ended_or_not_loaded_says_so_before_any_table(world):
    text = render(world, Period(2027, 1), now=datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    flat = " ".join(text.split())
    assert flat.startswith("2027Q1 has not ended yet: it ends on 2027-03-31")
    assert "due by 2027-04-05 to the parent body" in flat and "No body is late or missing yet." in flat
    assert "Nothing has been loaded for 2027Q1" in flat
    assert flat.index("Nothing has been loaded") < flat.index("Share of each tier")
    assert "Completeness and timeliness" not in flat and "Аудан әкімдігі" not in flat  # no list of 'missing' bodies
    assert "there is no report to roll up yet" in flat and "adep rollup" not in flat

    # ended, but the top tier's deadline (Monday 11 January 2027) has not passed; nothing loaded yet
    flat = " ".join(render(world, Period(2026, 4), now=datetime(2027, 1, 8, 6, 0, tzinfo=UTC)).split())
    assert flat.startswith("The deadlines of 2026Q4 have not all passed") and "may still file on time" in flat

    # a quarter that has ended and was loaded: straight to the tables
    flat = " ".join(render(world, Q3, now=datetime(2026, 11, 30, 9, 0, tzinfo=UTC)).split())
    assert flat.startswith(f"Completeness and timeliness, {Q3}")


def test_status_of_a_future_quarter_from_the_command_line(world, capsys):
    future = Period(datetime.now(UTC).year + 2, 1)
    assert main(["--home", str(world.settings.home), "status", str(future)]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert lines[0].startswith(f"{future} has not ended yet")


def test_publication_times_are_shown_in_the_settings_zone_and_labelled(world):
    with open_writer(world.settings) as con:
        run_rollup(con, Q3, "ministry")
        published_at = con.execute("select published_at from rollup_versions where level = 'ministry'").fetchall()[0][0]
    local = published_at.astimezone(UTC) + timedelta(hours=5)
    assert f"{local:%Y-%m-%d %H:%M} (Asia/Almaty)" in render(world)


def test_a_warehouse_made_by_older_code_gets_the_new_columns_on_the_next_write(world):
    """Views bind the columns of what they read when created: older shapes must not survive an upgrade."""
    with open_writer(world.settings) as con:
        con.execute("create or replace macro rejected_in_period(p_year, p_quarter) as table "
                    "select 'x' as bin, 1 as rejected_files")
        con.execute("create or replace macro completeness_in_period(p_year, p_quarter) as table "
                    "select null::varchar as parent_bin, 1 as expected")
        con.execute("create or replace view completeness as select c.* from known_periods as p, "
                    "lateral completeness_in_period(p.year, p.quarter) as c")
        con.execute("update schema_objects set fingerprint = 'made by older code'")
    with open_writer(world.settings) as con:  # what the next intake, rollup or registry load does first
        columns = {t: {r[0] for r in con.execute("select column_name from duckdb_columns() where table_name = ?",
                                                  [t]).fetchall()} for t in ("completeness", "missing_reports")}
        comments = con.execute("select count(*) from duckdb_columns() where table_name in ('completeness', "
                               "'missing_reports') and comment is null").fetchall()[0][0]
    assert {"rejected", "nothing_received"} <= columns["completeness"]
    assert {"missing_reason", "rejected_file_count", "first_finding"} <= columns["missing_reports"]
    assert comments == 0
    assert "Completeness and timeliness" in render(world)
