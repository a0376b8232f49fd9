"""The home's local Prefect server: started by the first command, reused by the next, shown, stopped, never doubled.

Every command here is a real adep process with no PREFECT_API_URL, as an operator's shell runs it.
"""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import urllib.request

import pytest

from adep.cli import warm
from adep.cli.submission_watch import SUBMISSION_TAG
from adep.cli.engine import is_running, read_record, server_dir
from adep.settings import load_settings
from tests.intake_world import deliver_submission, drop_report, query, write_registry
from warehouse.db import writer_lock
from tests.server_world import (adep, adep_env, adep_started, dump_dom, is_gone, listening_addresses, prefect_api,
                                processes_in, wait_for)

pytestmark = pytest.mark.server  # each test drives a home's own Prefect server

STARTING = "Starting adep's local Prefect server for this home"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A home with a registry and no server yet; whatever server the tests leave running is stopped at the end."""
    tmp = tmp_path_factory.mktemp("local-server")
    settings = load_settings(tmp / "home", environ={}).ensure_dirs()
    env = adep_env(tmp, ADEP_SETTLE_SECONDS="0")
    units = write_registry(tmp / "registry.csv", 3)
    assert adep(settings.home, env, "registry", "load", str(tmp / "registry.csv")).returncode == 0
    yield settings, env, units, tmp
    adep(settings.home, env, "server", "stop")
    for pid in processes_in(server_dir(settings)):  # nothing of ours may outlive the tests
        subprocess.run(["kill", "-9", str(pid)], check=False)


def test_the_first_command_starts_the_server_and_the_next_reuses_it(world):
    settings, env, units, _ = world
    assert read_record(settings) is None
    drop_report(settings, "first.xlsx", units[0])
    first = adep(settings.home, env, "intake")
    assert first.returncode == 0, first.stdout + first.stderr
    assert first.stderr.count(STARTING) == 1 and "first command" in first.stderr
    server = read_record(settings)
    assert server is not None and is_running(server)
    assert query(settings.published_path, "select status from intake_log") == [("loaded",)]

    # the server answers on 127.0.0.1 only, never on every interface
    assert listening_addresses(server.port) == ["0100007F"]

    status = adep(settings.home, env, "server", "status")
    assert status.returncode == 0
    assert str(server.pid) in status.stdout and server.ui_url in status.stdout and "since" in status.stdout

    drop_report(settings, "second.xlsx", units[1])
    # the first command also started the warm process; on a busy machine it may still be importing the flows
    wait_for(lambda: (warm.read_record(settings.home) or {}).get("ready"), 180, "the warm process to be ready")
    # an office proxy in the environment (here one that answers nobody) must not stand between adep and its server
    proxied = dict(env, http_proxy="http://10.255.255.1:3128", HTTP_PROXY="http://10.255.255.1:3128")
    second = adep(settings.home, proxied, "intake")
    assert second.returncode == 0, second.stdout + second.stderr
    assert STARTING not in second.stderr
    assert read_record(settings).pid == server.pid
    # ... and it ran warm: a copy of the home's warm process, which has the flows imported, ran it
    warm_pid = warm.read_record(settings.home)["pid"]
    assert "a command runs in process" in (server_dir(settings) / "warm.log").read_text()
    assert sorted(processes_in(server_dir(settings))) == sorted([server.pid, warm_pid])
    assert str(warm_pid) in adep(settings.home, env, "server", "status").stdout


def test_commands_that_need_no_flow_start_no_server(world, tmp_path):
    settings, env, _, _ = world
    other = tmp_path / "other-home"
    result = adep(other, env, "status", "2026Q3")
    assert result.returncode != 0 and STARTING not in result.stderr
    assert not server_dir(load_settings(other, environ={})).exists()


def test_the_ui_asks_its_own_server_for_the_api(world):
    settings, _, _, _ = world
    server = read_record(settings)
    with urllib.request.urlopen(server.ui_url + "/ui-settings", timeout=10) as resp:
        assert json.loads(resp.read())["api_url"] == server.api_url


@pytest.mark.browser
def test_deploy_registers_the_deployments_and_the_ui_at_the_printed_address_shows_them(world):
    settings, env, _, tmp = world
    result = adep(settings.home, env, "deploy", "--pool", "adep-local")
    assert result.returncode == 0, result.stdout + result.stderr
    server = read_record(settings)
    printed = " ".join(result.stdout.split())
    assert f"on the Prefect server {server.ui_url}" in printed
    assert "prefect worker start --pool adep-local" in printed
    dom = dump_dom(server.ui_url + "/deployments", tmp)
    for name in ("ministry-stage", "agency-stage", "rerun"):
        assert name in dom, dom[-2000:]
    assert "Can't connect to Server API" not in dom


def test_serve_runs_the_deployments_on_the_homes_server_until_stopped(world):
    settings, env, units, _ = world
    server = read_record(settings)
    serving = adep_started(settings.home, env, "serve", "--every", "60")
    try:
        with prefect_api(server.api_url) as api:
            def registered():
                response = api.get("/deployments/name/intake/intake")
                return response.status_code == 200 and response.json()
            intake = wait_for(registered, 180, "adep serve to register its deployments")
            # no worker runs here: only adep serve can run it
            drop_report(settings, "served.xlsx", units[0], seed=3)
            run = api.post(f"/deployments/{intake['id']}/create_flow_run", json={}).json()
            state = wait_for(lambda: (s := api.get(f"/flow_runs/{run['id']}").json()["state"]["type"]) in
                             ("COMPLETED", "FAILED", "CRASHED") and s, 240, "the served intake run")
            assert state == "COMPLETED"
    finally:
        serving.send_signal(signal.SIGINT)
        out, err = serving.communicate(timeout=60)
    assert STARTING not in err and f"Prefect server: {server.ui_url}" in " ".join(out.split())
    assert read_record(settings).pid == server.pid  # serve leaves the home's server running, for the next command


def test_ctrl_c_stops_a_warm_command(world):
    settings, env, _, _ = world
    with writer_lock(settings):  # the intake waits for the warehouse, so it is still running when Ctrl-C comes
        waiting = adep_started(settings.home, env, "intake", "--wait", "120")
        log = server_dir(settings) / "warm.log"
        before = log.read_text().count("a command runs in process")
        wait_for(lambda: log.read_text().count("a command runs in process") > before, 60, "the warm copy to start")
        child = int(log.read_text().strip().splitlines()[-1].split()[-1])
        waiting.send_signal(signal.SIGINT)
        waiting.communicate(timeout=60)
    assert waiting.returncode != 0
    wait_for(lambda: is_gone(child), 30, "the warm copy to stop")


def test_serve_loads_a_submission_at_once(world):
    """A report the portal delivers starts an intake run at once (tagged 'submission'), instead of waiting for the
    interval; on the home's server the earlier tests started."""
    settings, env, units, _ = world
    server = read_record(settings)
    serving = adep_started(settings.home, env, "serve", "--every", "60")  # the next scheduled intake is far off
    try:
        with prefect_api(server.api_url) as api:
            wait_for(lambda: api.get("/deployments/name/intake/intake").status_code == 200, 180,
                     "adep serve to register its deployments")
            # a body with no report yet: the receipt's time (October) is earlier than the other bodies' files
            delivered = deliver_submission(settings, units[2], "2026Q3-000007", name="Бөлім 2")

            def loaded():
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


def test_stop_stops_it_and_status_then_says_nothing_runs(world):
    settings, env, _, _ = world
    server = read_record(settings)
    stopped = adep(settings.home, env, "server", "stop")
    assert stopped.returncode == 0 and str(server.pid) in stopped.stdout
    assert is_gone(server.pid) and read_record(settings) is None
    assert processes_in(server_dir(settings)) == []  # the warm process went with it
    status = adep(settings.home, env, "server", "status")
    assert status.returncode == 1 and "No local Prefect server runs" in " ".join(status.stdout.split())


def test_a_stale_record_is_cleared_and_two_commands_at_once_start_one_server(world):
    settings, env, units, _ = world
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = {"pid": int(dead.stdout), "port": 9, "api_url": "http://127.0.0.1:9/api", "started_at": "2026-01-01T00:00:00+00:00"}
    server_dir(settings).joinpath("server.json").write_text(json.dumps(stale))

    drop_report(settings, "third.xlsx", units[2])
    both = [adep_started(settings.home, env, "intake", "--wait", "120") for _ in range(2)]
    outs = [proc.communicate(timeout=400) for proc in both]
    assert [proc.returncode for proc in both] == [0, 0], outs
    messages = "".join(err for _, err in outs)
    assert messages.count(STARTING) == 1 and "the previous one is no longer running" in messages
    server = read_record(settings)
    assert server.pid != stale["pid"] and is_running(server)
    assert server.pid in processes_in(server_dir(settings))
    assert len(processes_in(server_dir(settings))) <= 2  # one server and at most one warm process
    assert query(settings.published_path, "select status from intake_log where file_name = 'third.xlsx'") == [("loaded",)]
