"""Logs an operator can use: one line per file with its name and outcome, and a summary at the end of every run."""
from __future__ import annotations

import logging
import shutil
import time
from datetime import timedelta

import pytest

from flows.intake import intake
from tests.conftest import ON_TIME, arrived, clean_values
from adep.sample.hostile import good_report, pdf_file
from tests.intake_world import drop_report, registered_home

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture
def run(home, caplog):
    """One intake over a loaded, a warned, a rejected, a duplicate and a not-a-workbook file; its state and log."""
    units = registered_home(home, 3)
    drop_report(home, "good.xlsx", units[0])
    again = shutil.copy2(home.intake_dir / "good.xlsx", home.intake_dir / "good again.xlsx")
    arrived(again, ON_TIME + timedelta(hours=1))  # the same bytes, sent again an hour later
    warned = clean_values()
    warned["1"] += 1  # R02, a warning
    broken = clean_values()
    broken["2.1"] = broken["2"] + 5  # R03, an error
    arrived(good_report(home.intake_dir / "warned.xlsx", units[1], warned), ON_TIME)
    arrived(good_report(home.intake_dir / "broken.xlsx", units[2], broken), ON_TIME)
    pdf_file(home.intake_dir / "scan.xlsx")
    with caplog.at_level(logging.INFO):
        state = intake(home=str(home.home), return_state=True)
    return state, caplog


EXPECTED = {
    "good.xlsx": "loaded (0 error(s), 0 warning(s)) -> archive/2026Q3/",
    "good again.xlsx": "duplicate -> archive/duplicates/",
    "warned.xlsx": "loaded (0 error(s), 1 warning(s)) [R02] -> archive/2026Q3/",
    "broken.xlsx": "rejected (1 error(s), 0 warning(s)) [R03] -> rejected/",
    "scan.xlsx": "rejected (1 error(s), 0 warning(s)) [F02] -> rejected/",
}
SUMMARY = "intake: 5 file(s) in"


def _per_file(lines: list[str]) -> dict[str, str]:
    found = {}
    for name, outcome in EXPECTED.items():
        hits = [x for x in lines if x.startswith(f"{name}: ")]
        assert len(hits) == 1, (name, hits)
        found[name] = hits[0]
        assert outcome in hits[0], (name, hits[0])
    return found


def test_the_run_logs_each_file_and_a_summary(run):
    state, caplog = run
    assert state.is_completed()
    # the run happened while the fixture was set up
    # per-file lines travel in a few records per batch (one record per file costs the engine ~0.4 ms each)
    lines = [line for r in caplog.get_records("setup") if r.name.startswith("prefect.flow_runs")
             for line in r.getMessage().splitlines()]
    _per_file(lines)
    summary = [x for x in lines if x.startswith(SUMMARY)]
    assert len(summary) == 1
    assert "2 loaded" not in summary[0] and "1 loaded" in summary[0] and "1 warned" in summary[0]
    assert "2 rejected" in summary[0] and "1 duplicate" in summary[0]


def test_the_log_lines_reach_the_prefect_api_for_the_flow_run(run):
    """What an operator sees in the Prefect UI or with `prefect flow-run logs`: the same lines, kept by the server."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
    from prefect.logging.handlers import APILogHandler

    state, _ = run
    flow_run_id = state.state_details.flow_run_id
    APILogHandler().flush()  # send what the run logged before asking the server
    messages: list[str] = []
    with get_client(sync_client=True) as client:
        for _ in range(50):
            logs = client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])), limit=200)
            messages = [line for log in logs for line in log.message.splitlines()]
            if any(m.startswith(SUMMARY) for m in messages):
                break
            time.sleep(0.2)
    _per_file(messages)
    assert [m for m in messages if m.startswith(SUMMARY)], messages[-5:]


def test_a_run_with_nothing_to_do_still_says_so(home, caplog):
    registered_home(home, 1)
    with caplog.at_level(logging.INFO):
        intake(home=str(home.home))
    assert any(r.getMessage().startswith("intake: 0 file(s)") and "nothing to do" in r.getMessage() for r in caplog.records)
