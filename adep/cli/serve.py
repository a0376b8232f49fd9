"""`adep serve`: the flows as Prefect deployments on the quarterly calendar, intake on a short interval."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date

from adep.calendar import INTAKE_INTERVAL_MINUTES, WorkingCalendar, intake_schedule, stage_schedule
from adep.settings import Settings


def build_deployments(settings: Settings, *, years: list[int] | None = None, intake_minutes: int = INTAKE_INTERVAL_MINUTES):
    """Deployments for the home: intake every few minutes, each stage the day after its tier's deadline, rerun on demand."""
    from flows.intake import intake
    from flows.rerun import rerun
    from flows.schedule import close_quarter

    this_year = date.today().year
    years = years or [this_year, this_year + 1]
    work_calendar = WorkingCalendar.from_settings(settings, years)
    home = str(settings.home)
    stage = {
        name: stage_schedule(name, years, shift=settings.shift_deadlines, calendar=work_calendar, timezone=settings.timezone)
        for name in ("ministry", "agency")
    }
    return [
        intake.to_deployment(name="intake", schedules=[intake_schedule(intake_minutes, timezone=settings.timezone)],
                             parameters={"home": home, "wait_seconds": 60.0}),
        close_quarter.to_deployment(name="ministry-stage", schedules=[stage["ministry"]],
                                    parameters={"stage": "ministry", "home": home}),
        close_quarter.to_deployment(name="agency-stage", schedules=[stage["agency"]],
                                    parameters={"stage": "agency", "home": home}),
        # No schedule: operators start it from the Prefect UI with the file ids (or failed=true) as parameters.
        rerun.to_deployment(name="rerun", parameters={"home": home, "failed": False}),
    ]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_local_server(port: int | None = None, timeout: float = 120.0) -> tuple[subprocess.Popen, str]:
    """A Prefect server on this machine for when none is configured; returns the process and its API URL."""
    port = port or _free_port()
    env = dict(os.environ, PREFECT_SERVER_ANALYTICS_ENABLED="false")
    proc = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("the local Prefect server stopped while starting")
        try:
            with urllib.request.urlopen(url + "/health", timeout=2) as resp:
                if resp.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    raise RuntimeError(f"the local Prefect server did not answer within {timeout:.0f} s")
