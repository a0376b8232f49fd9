"""Reading ahead in the reader processes: batches in order of arrival, a small last one, the same results as reading in place."""
from __future__ import annotations

from datetime import timedelta

import pytest

from adep.intake.arrivals import discover
from adep.intake.read_pool import ReadAhead, make_pool, plan_batches, read_batch
from adep.registry import load_registry
from adep.sample.hostile import good_report, pdf_file
from flows.intake import intake
from tests.conftest import ON_TIME, arrived, clean_values, make_bin
from warehouse.db import open_writer


def _sizes(batches) -> list[int]:
    return [len(b) for b in batches]


def test_with_reader_processes_the_last_batch_is_small_and_every_file_is_in_one_batch_in_order():
    arrivals = list(range(4895))  # plan_batches only slices the list
    pool = object()
    planned = plan_batches(arrivals, 2500, pool)
    assert _sizes(planned) == [2500, 1979, 416]
    assert [a for b in planned for a in b.arrivals] == arrivals
    assert _sizes(plan_batches(arrivals, 2500, None)) == [2500, 2395]  # in one process nothing overlaps anyway
    assert _sizes(plan_batches(arrivals[:2000], 2500, pool)) == [2000]
    assert _sizes(plan_batches(arrivals[:2600], 2500, pool)) == [2184, 416]
    assert _sizes(plan_batches(arrivals[:100], 40, pool)) == [40, 40, 20]  # batches smaller than a tail stay as asked


def test_batches_read_ahead_in_the_workers_are_what_reading_in_place_gives(home, tmp_path):
    for k in range(7):
        arrived(good_report(home.intake_dir / f"r{k}.xlsx", make_bin(10 + k), clean_values(k)), ON_TIME + timedelta(minutes=k))
    arrived(pdf_file(home.intake_dir / "scan.xlsx"), ON_TIME + timedelta(minutes=9))
    arrivals, _ = discover(home)
    expected = read_batch(arrivals, home)
    pool = make_pool(home.with_(workers=2), 150)
    assert pool is not None
    try:
        reader = ReadAhead(plan_batches(arrivals, 3, pool), home, pool)
        got = [r for index in range(len(reader.batches)) for r in reader.read(index).results]
        assert reader.batches == [None] * len(reader.batches)  # a batch handed over is not kept
    finally:
        pool.shutdown()
    assert [(r.path, r.sha256, r.values, r.readable, [f.rule for f in r.findings]) for r in got] == \
           [(r.path, r.sha256, r.values, r.readable, [f.rule for f in r.findings]) for r in expected]
    assert not got[-1].readable and got[0].values == clean_values(0)


@pytest.mark.usefixtures("prefect_harness")
@pytest.mark.parametrize("batch_size", ["1", "2500"])
def test_a_report_superseded_by_a_later_batch_of_the_run_is_counted_superseded(home, small_registry, monkeypatch, batch_size):
    path, bins = small_registry
    with open_writer(home) as con:
        load_registry(con, path)
    first = good_report(home.intake_dir / "q3.xlsx", bins["unit_a"], clean_values(1))
    arrived(first, ON_TIME)
    arrived(good_report(home.intake_dir / "q3 corrected.xlsx", bins["unit_a"], clean_values(2)), ON_TIME + timedelta(hours=1))
    monkeypatch.setenv("ADEP_BATCH_SIZE", batch_size)
    monkeypatch.setenv("ADEP_SETTLE_SECONDS", "0")
    summary = intake(home=str(home.home))
    assert (summary.loaded, summary.warned, summary.superseded, summary.files) == (1, 0, 1, 2)
