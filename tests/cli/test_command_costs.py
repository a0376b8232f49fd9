"""What a command pays before its work: commands without flows never import Prefect; a settled file is read at once.

Speed itself is measured by benchmarks/commands_benchmark.py; these tests pin the causes.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time

import duckdb
import pytest

from adep.intake import arrivals
from tests.intake_world import ROOT, write_registry
from tests.server_world import adep, adep_env

PROBE = r"""
import json, sys
from adep.cli.parser import main
home, period, bin_ = sys.argv[1:4]
seen = {}
for args in (["status", period], ["report", period], ["export", period], ["template", bin_, period],
             ["server", "status"]):
    code = main(["--home", home, *args])
    seen[args[0]] = [code, sorted(m for m in sys.modules if m == "prefect" or m.startswith("prefect."))]
print(json.dumps(seen))
"""


@pytest.mark.process
def test_commands_without_flows_never_import_prefect(tmp_path):
    env = adep_env(tmp_path)
    home = tmp_path / "home"
    units = write_registry(tmp_path / "registry.csv", 2)
    loaded = subprocess.run([sys.executable, "-c", "import sys\nfrom adep.cli.parser import main\n"
                             "code = main(sys.argv[1:])\n"
                             "assert 'prefect' not in sys.modules, 'registry load imported prefect'\nsys.exit(code)",
                             "--home", str(home), "registry", "load", str(tmp_path / "registry.csv")],
                            cwd=ROOT, env=env, capture_output=True, text=True)
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    probe = subprocess.run([sys.executable, "-c", PROBE, str(home), "2026Q3", units[0]], cwd=ROOT, env=env,
                           capture_output=True, text=True)
    assert probe.returncode == 0, probe.stderr
    seen = json.loads(probe.stdout.strip().splitlines()[-1])
    assert seen["status"][0] == 0 and seen["template"][0] == 0 and seen["server"][0] == 1
    assert seen["export"][0] == 2  # nothing published yet: a plain error, still without Prefect
    assert {command: modules for command, (_, modules) in seen.items()} == {c: [] for c in seen}


def test_a_settled_file_is_read_without_waiting_and_a_fresh_one_waits(home, monkeypatch):
    settings = home.with_(settle_seconds=0.3)
    (settings.intake_dir / "report.xlsx").write_bytes(b"PK\x03\x04 a report")
    time.sleep(0.4)  # nothing touches it for longer than the settle interval
    slept = []
    monkeypatch.setattr(arrivals.time, "sleep", slept.append)
    ready, waiting = arrivals.discover(settings)
    assert [a.name for a in ready] == ["report.xlsx"] and waiting == [] and slept == []

    (settings.intake_dir / "copying.xlsx").write_bytes(b"PK\x03\x04 half")
    arrivals.discover(settings)
    assert slept == [0.3]


@pytest.mark.process
def test_server_status_in_a_home_without_a_server_says_so(tmp_path):
    refused = adep(tmp_path / "home", adep_env(tmp_path), "server", "status")
    assert refused.returncode == 2 and "is not an adep home" in refused.stdout  # like every command but registry load
    (tmp_path / "home").mkdir()
    duckdb.connect(str(tmp_path / "home" / "warehouse.duckdb")).close()
    result = adep(tmp_path / "home", adep_env(tmp_path), "server", "status")
    assert result.returncode == 1 and "No local Prefect server runs" in " ".join(result.stdout.split())
    configured = adep(tmp_path / "home", adep_env(tmp_path, PREFECT_API_URL="http://prefect.example:4200/api"),
                      "server", "status")
    assert "adep uses the Prefect server at http://prefect.example:4200" in " ".join(configured.stdout.split())
    assert not (tmp_path / "home" / ".prefect").exists()


def test_a_warm_process_of_other_code_or_settings_is_never_used(tmp_path, monkeypatch):
    from adep.cli import warm

    folder = tmp_path / "home" / ".prefect"
    folder.mkdir(parents=True)
    (folder / "warm.json").write_text(json.dumps({"pid": 1, "fingerprint": warm.fingerprint(), "ready": True}))
    # nothing listens on the socket: the command runs cold rather than fail
    assert warm.run(tmp_path / "home", ["intake"]) is None
    (folder / "warm.json").write_text(json.dumps({"pid": 1, "fingerprint": "another adep", "ready": True}))
    assert warm.run(tmp_path / "home", ["intake"]) is None
    # other Prefect settings, another fingerprint
    before = warm.fingerprint()
    monkeypatch.setenv("PREFECT_LOGGING_LEVEL", "DEBUG")
    assert warm.fingerprint() != before
