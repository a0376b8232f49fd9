"""With `adep serve` running, a portal submission starts an intake run at once instead of waiting for the interval.

The watcher's rules, here; the whole path under a real `adep serve` is in test_local_server.py, on the home's
server that its tests start once."""
from __future__ import annotations

import httpx

from adep.cli.submission_watch import SubmissionWatcher, delivered_reports
from adep.submissions import receipt_path
from tests.intake_world import deliver_submission, drop_report


def test_only_a_new_delivered_report_starts_a_run(home):
    started = []
    watcher = SubmissionWatcher(home, start_run=lambda: started.append("run") or f"run-{len(started)}")
    drop_report(home, "folder.xlsx", "990000001011")  # a file dropped into the folder waits for the interval
    orphan = receipt_path(home.intake_dir / "half.xlsx")  # a receipt whose report is still to come
    orphan.write_text("{}", encoding="utf-8")
    assert watcher.look() is None and started == []

    first = deliver_submission(home, "990000001011", "2026Q3-000001")
    assert delivered_reports(home.intake_dir) == {first.name}
    assert watcher.look() == "run-1"
    assert watcher.look() is None  # the same submission never starts a second run

    second = deliver_submission(home, "990000001011", "2026Q3-000002")
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
    deliver_submission(home, "990000001011", "2026Q3-000001")
    assert watcher.look() is None
    assert watcher.look() == "run-2" and len(attempts) == 2
