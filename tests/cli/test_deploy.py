"""adep as a service: a real Prefect server with basic auth, `adep deploy --pool`, a real process worker.

The server refuses anyone without the credentials; adep and the worker, given them, register the deployments and
run them. The stage schedules go on for years, and a stage due before its quarter's real deadline defers itself.
"""
from __future__ import annotations

import base64
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import httpx
import pytest

from adep.periods import Period
from adep.settings import load_settings
from tests.intake_world import PrefectServer, drop_report, query, write_registry
from tests.server_world import Worker, adep, adep_env, prefect_api, wait_for

pytestmark = pytest.mark.server  # a Prefect server with credentials and a real worker

AUTH = "adep-operator:correct-horse-battery"
ALMATY = ZoneInfo("Asia/Almaty")
POOL = "adep-service"


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("service")
    server = PrefectServer(tmp, PREFECT_SERVER_API_AUTH_STRING=AUTH)
    try:
        server.wait_ready(240)
        settings = load_settings(tmp / "home", environ={}).ensure_dirs()
        env = adep_env(tmp, PREFECT_API_URL=server.url, ADEP_SETTLE_SECONDS="0")
        units = write_registry(tmp / "registry.csv", 2)
        assert adep(settings.home, env, "registry", "load", str(tmp / "registry.csv")).returncode == 0
        yield server, settings, env, units, tmp
    finally:
        server.stop()


@pytest.fixture(scope="module")
def api(service):
    server = service[0]
    token = base64.b64encode(AUTH.encode()).decode()
    with prefect_api(server.url, headers={"Authorization": f"Basic {token}"}) as client:
        yield client


@pytest.fixture(scope="module")
def worker(service, api):
    server, settings, env, _, tmp = service
    deployed = adep(settings.home, dict(env, PREFECT_API_AUTH_STRING=AUTH), "deploy", "--pool", POOL)
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    assert f"prefect worker start --pool {POOL}" in " ".join(deployed.stdout.split())
    assert not (settings.home / ".prefect").exists()  # with PREFECT_API_URL set, adep starts no server of its own
    running = Worker(POOL, dict(env, PREFECT_API_AUTH_STRING=AUTH), tmp / "worker.log")
    yield running
    running.stop()


def _deployment(api: httpx.Client, name: str) -> dict:
    response = api.get(f"/deployments/name/{name}")
    response.raise_for_status()
    return response.json()


def _create_run(api: httpx.Client, deployment_id: str, body: dict) -> dict:
    """A new flow run of the deployment. A busy server answers 503 (its database is locked by the scheduler or the
    worker at that moment) and means 'try again': the request is repeated until it is served."""
    def served():
        response = api.post(f"/deployments/{deployment_id}/create_flow_run", json=body)
        return None if response.status_code == 503 else response
    return wait_for(served, 60, "the server to create the flow run", step=1).json()


def _finished(api: httpx.Client, run_id: str, timeout: float = 240) -> dict:
    def final():
        run = api.get(f"/flow_runs/{run_id}").json()
        return run if run["state"]["type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") else None
    return wait_for(final, timeout, f"flow run {run_id} to finish", step=1)


def test_without_credentials_the_server_refuses_and_adep_says_so_in_one_line(service):
    server, settings, env, _, _ = service
    assert httpx.post(server.url + "/deployments/filter", json={}, timeout=30).status_code == 401
    refused = adep(settings.home, env, "deploy", "--pool", POOL)
    assert refused.returncode == 2
    assert "Traceback" not in refused.stdout + refused.stderr
    assert "refused adep (HTTP 401)" in " ".join(refused.stdout.split())


def test_a_worker_with_the_credentials_runs_the_deployed_intake(service, api, worker):
    _, settings, _, units, _ = service
    intake = _deployment(api, "intake/intake")
    assert intake["work_pool_name"] == POOL and intake["parameters"]["home"] == str(settings.home)
    assert {_deployment(api, name)["work_pool_name"] for name in
            ("close-quarter/ministry-stage", "close-quarter/agency-stage", "rerun/rerun")} == {POOL}

    drop_report(settings, "from-the-worker.xlsx", units[0])
    run = _create_run(api, intake["id"], {})
    finished = _finished(api, run["id"])
    assert finished["state"]["type"] == "COMPLETED", (finished["state"], (settings.home.parent / "worker.log").read_text()[-3000:])
    # Loaded by a run of the deployment: ours, or a scheduled pass the worker picked up first. Read from the
    # published copy, which a scheduled run writing at this moment never holds.
    loaded = query(settings.published_path, "select f.file_name, f.status, a.run_id from core_files f "
                   "join core_attempts a using (file_id)")
    runs = api.post("/flow_runs/filter", json={"deployments": {"id": {"any_": [intake["id"]]}}, "limit": 200}).json()
    assert [(name, status) for name, status, _ in loaded] == [("from-the-worker.xlsx", "loaded")]
    assert loaded[0][2] in {r["id"] for r in runs}


def test_the_stage_schedule_goes_on_for_years(api, worker):
    ministry = _deployment(api, "close-quarter/ministry-stage")
    now = datetime.now(timezone.utc)
    four_years = timedelta(days=4 * 366)
    # The scheduler keeps a few runs ahead; asked for four years, the server generates them from the same schedule.
    api.post(f"/deployments/{ministry['id']}/schedule",
             json={"start_time": now.isoformat(), "end_time": (now + four_years).isoformat(),
                   "min_time": four_years.total_seconds(), "min_runs": 16, "max_runs": 30}).raise_for_status()
    runs = api.post("/flow_runs/filter", json={"deployments": {"id": {"any_": [ministry["id"]]}},
                                               "flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}},
                                               "limit": 100}).json()
    starts = {datetime.fromisoformat(r["expected_start_time"]).astimezone(ALMATY) for r in runs}
    # the quarter three years after the last ended one closes at 06:00 Almaty on the 6th of the month after it
    quarter = Period.last_ended(date.today())
    for _ in range(12):
        quarter = quarter.next()
    due = quarter.next().first_day.replace(day=6)
    assert datetime(due.year, due.month, due.day, 6, 0, tzinfo=ALMATY) in starts


def test_a_stage_due_before_its_moved_deadline_defers_itself(api, worker, service):
    settings = service[1]
    ministry = _deployment(api, "close-quarter/ministry-stage")
    # 2026Q2's lower-tier deadline, Sunday 5 July, moves past Capital Day (Monday 6th) to Tuesday 7 July.
    planned = datetime(2026, 7, 6, 6, 0, tzinfo=ALMATY)
    run = _create_run(api, ministry["id"],
                      {"state": {"type": "SCHEDULED", "state_details": {"scheduled_time": planned.isoformat()}}})
    assert _finished(api, run["id"])["state"]["type"] == "COMPLETED"
    runs = api.post("/flow_runs/filter", json={"deployments": {"id": {"any_": [ministry["id"]]}}, "limit": 200}).json()
    deferred = [r for r in runs if r["parameters"].get("period") == "2026Q2"]
    assert len(deferred) == 1
    assert datetime.fromisoformat(deferred[0]["expected_start_time"]) == datetime(2026, 7, 8, 6, 0, tzinfo=ALMATY)
    assert deferred[0]["parameters"]["home"] == str(settings.home)
