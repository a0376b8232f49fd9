"""With `adep serve` running, a submission through the portal starts an intake run at once.

The intake deployment runs every few minutes; a commissioner who has just submitted should not wait for the next
interval to see the ledger's outcome. A light thread in serve's process looks at intake/ every few seconds for
reports delivered with a receipt (adep.submissions: the receipt beside the report) that it has not seen, and when
there are new ones asks the Prefect server for one run of the intake deployment now (the deployment's own
parameters; serve's runner executes it). Files dropped into the folder wait for the interval as before. A run that
cannot be started now (the server busy) is asked for again at the next look; the interval catches anything missed.
"""
from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

from adep.settings import Settings
from adep.submissions import is_receipt, receipt_path

logger = logging.getLogger(__name__)

INTAKE_DEPLOYMENT = "intake/intake"
SUBMISSION_TAG = "submission"  # the tag of intake runs a submission started, as the Prefect UI shows them
POLL_SECONDS = 2.0


def delivered_reports(intake_dir: Path) -> set[str]:
    """Reports in intake/ that stand beside their receipt (a receipt whose report is still to come is not one).

    Only intake/ itself is watched: the portal delivers there, never into a folder below it."""
    try:
        names = set(os.listdir(intake_dir))
    except FileNotFoundError:
        return set()
    return {name for name in names if not is_receipt(name) and receipt_path(name).name in names}


def start_intake_run(deployment: str = INTAKE_DEPLOYMENT) -> str:
    """One run of the intake deployment, now, without waiting for it; its id."""
    from prefect.deployments import run_deployment

    run = run_deployment(deployment, timeout=0, as_subflow=False, tags=[SUBMISSION_TAG])
    return str(run.id)


class SubmissionWatcher(threading.Thread):
    """Starts an intake run (start_run) whenever new delivered reports appear in intake/."""

    def __init__(self, settings: Settings, start_run: Callable[[], str] = start_intake_run,
                 poll_seconds: float = POLL_SECONDS):
        super().__init__(name="adep-submission-watch", daemon=True)
        self.intake_dir = settings.intake_dir
        self.start_run = start_run
        self.poll_seconds = poll_seconds
        self.started_runs: list[str] = []
        self._seen: set[str] = set()
        self._stop = threading.Event()

    def look(self) -> str | None:
        """One look at intake/: the run started for new submissions, or None when there was nothing new."""
        now = delivered_reports(self.intake_dir)
        new = now - self._seen
        if not new:
            self._seen = now  # forget reports the intake has filed away
            return None
        try:
            run_id = self.start_run()
        except Exception as exc:  # the server may be busy or restarting: ask again at the next look
            logger.warning("could not start an intake run for %d new submission(s) (asking again): %s", len(new), exc)
            return None
        self._seen = now
        self.started_runs.append(run_id)
        logger.info("intake run %s started for %d new submission(s)", run_id, len(new))
        return run_id

    def run(self) -> None:
        while not self._stop.is_set():
            self.look()
            self._stop.wait(self.poll_seconds)

    def stop(self) -> None:
        self._stop.set()
