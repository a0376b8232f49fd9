"""With `adep serve` running, a portal submission starts an intake run at once instead of waiting for the interval."""
from __future__ import annotations

import hashlib
import signal
import subprocess

import httpx
import pytest

from adep.cli.engine import is_answering, read_record, server_dir
from adep.cli.submission_watch import SUBMISSION_TAG, SubmissionWatcher, delivered_reports
from adep.forms.writer import write_report
from adep.settings import load_settings
from adep.submissions import Receipt, deliver, receipt_key, receipt_path, sign
from tests.conftest import PERIOD, SIGNED, clean_values
from tests.intake_world import drop_report, query, write_registry
from tests.server_world import adep, adep_env, adep_started, prefect_api, processes_in, wait_for


def _deliver(settings, bin_: str, number: str, name: str = "Бөлім 0") -> object:
    path = write_report(settings.home / f"building-{number}.xlsx", bin=bin_, period=PERIOD, body_name=name,
                        commissioner="Уәкіл", phone="+7 700 000 0000", signed_on=SIGNED, values=clean_values())
    content = path.read_bytes()
    path.unlink()
    receipt = Receipt(number=number, received_at="2026-10-02T14:00:00+05:00", sha256=hashlib.sha256(content).hexdigest(),
                      bin=bin_, period=str(PERIOD), file_name="1-әу.xlsx")
    return deliver(settings, content, sign(receipt, receipt_key(settings, create=True)))


def test_only_a_new_delivered_report_starts_a_run(home):
    started = []
    watcher = SubmissionWatcher(home, start_run=lambda: started.append("run") or f"run-{len(started)}")
    drop_report(home, "folder.xlsx", "990000001011")  # a file dropped into the folder waits for the interval
    orphan = receipt_path(home.intake_dir / "half.xlsx")  # a receipt whose report is still to come
    orphan.write_text("{}", encoding="utf-8")
    assert watcher.look() is None and started == []

    first = _deliver(home, "990000001011", "2026Q3-000001")
    assert delivered_reports(home.intake_dir) == {first.name}
    assert watcher.look() == "run-1"
    assert watcher.look() is None  # the same submission never starts a second run

    second = _deliver(home, "990000001011", "2026Q3-000002")
    assert watcher.look() == "run-2" and len(started) == 2
    first.unlink()
    second.unlink()  # filed away by the intake
    assert watcher.look() is None


def test_a_run_that_could_not_start_is_asked_for_again(home):
    attempts = []

    def busy_then_fine():
        attempts.append(1)
        if len(attempts) == 1:
            raise httpx.ConnectError("the server is restarting")
        return "run-2"

    watcher = SubmissionWatcher(home, start_run=busy_then_fine)
    _deliver(home, "990000001011", "2026Q3-000001")
    assert watcher.look() is None
    assert watcher.look() == "run-2" and len(attempts) == 2


@pytest.mark.server
def test_serve_loads_a_submission_at_once(tmp_path):
    settings = load_settings(tmp_path / "home", environ={}).ensure_dirs()
    env = adep_env(tmp_path, ADEP_SETTLE_SECONDS="0")
    units = write_registry(tmp_path / "registry.csv", 2)
    assert adep(settings.home, env, "registry", "load", str(tmp_path / "registry.csv")).returncode == 0
    serving = adep_started(settings.home, env, "serve", "--every", "60")  # the next scheduled intake is far off
    try:
        server = wait_for(lambda: (r := read_record(settings)) and is_answering(r.api_url) and r, 180,
                          "the home's server")
        with prefect_api(server.api_url) as api:
            wait_for(lambda: api.get("/deployments/name/intake/intake").status_code == 200, 180,
                     "adep serve to register its deployments")
            delivered = _deliver(settings, units[0], "2026Q3-000007")

            def loaded():
                if not settings.published_path.exists():
                    return None
                rows = query(settings.published_path, "select status, channel, receipt_number from intake_log "
                                                      "where file_name = ?", [delivered.name])
                return rows[0] if rows else None

            assert wait_for(loaded, 240, "the submission to be loaded") == ("loaded", "portal", "2026Q3-000007")

            def submission_runs():
                runs = api.post("/flow_runs/filter", json={"flow_runs": {"tags": {"all_": [SUBMISSION_TAG]}}}).json()
                states = [r["state"]["type"] for r in runs]
                return states if all(s in ("COMPLETED", "FAILED", "CRASHED") for s in states) else None

            assert wait_for(submission_runs, 120, "the submission's run to finish") == ["COMPLETED"]
    finally:
        serving.send_signal(signal.SIGINT)
        serving.communicate(timeout=60)
        adep(settings.home, env, "server", "stop")
        for pid in processes_in(server_dir(settings)):  # nothing of ours may outlive the test
            subprocess.run(["kill", "-9", str(pid)], check=False)
