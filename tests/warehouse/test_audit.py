"""The audit trail: every published figure back to its files, every file's attempts and what replaced it."""
from __future__ import annotations


from adep.registry import load_registry
from adep.forms.writer import write_report
from tests.conftest import query, ON_TIME, ONE_DAY, PERIOD, SIGNED, arrived, clean_values
from tests.steps import roll_up_home, take_in
from warehouse.db import open_writer




def test_figures_trace_back_to_files_and_files_to_their_history(home, small_registry):
    path, bins = small_registry
    with open_writer(home) as con:
        load_registry(con, path)

    def send(name, key, seed, when=ON_TIME):
        arrived(write_report(home.intake_dir / name, bin=bins[key], period=PERIOD, body_name=key, commissioner="C",
                             phone="1", signed_on=SIGNED, values=clean_values(seed)), when)

    send("ministry.xlsx", "ministry", 0)
    send("unit a.xlsx", "unit_a", 1)
    send("unit b first.xlsx", "unit_b", 2)
    take_in(home)
    send("unit b revised.xlsx", "unit_b", 3, ON_TIME + ONE_DAY)
    take_in(home)
    roll_up_home(home, PERIOD, "ministry", "agency")

    figures = query(home, "select level, bin, code, value from rollup_values where level = 'ministry' and bin = ?",
                    [bins["ministry"]], frame=True)
    sources = query(home, "select bin, code, source_bin, source_value, file_name from rollup_sources "
                          "where is_latest and level = 'ministry' and bin = ?", [bins["ministry"]], frame=True)
    summed = sources.groupby("code").source_value.sum()
    assert len(figures) == 40
    for row in figures.itertuples():
        assert summed[row.code] == row.value
    assert set(sources.file_name) == {"ministry.xlsx", "unit a.xlsx", "unit b revised.xlsx"}
    national = query(home, "select code, value from rollup_values where level = 'agency'", frame=True).set_index("code").value
    national_sources = query(home, "select code, sum(source_value) as v from rollup_sources where is_latest and level = 'agency' "
                                   "group by code", frame=True)
    assert national_sources.set_index("code").v.to_dict() == national.to_dict()

    history = query(home, "select file_name, attempt, outcome, status_now, superseded_by_file_name from file_history "
                          "order by file_id", frame=True)
    first = history[history.file_name == "unit b first.xlsx"].iloc[0]
    assert (first.attempt, first.outcome, first.status_now, first.superseded_by_file_name) == (1, "loaded", "superseded", "unit b revised.xlsx")
    # the superseded report's values stay queryable
    old = query(home, "select count(*) as n from core_values join core_files using (file_id) where file_name = 'unit b first.xlsx'",
                frame=True)
    assert old.n[0] == 40
