"""Helpers for tests that run adep's commands as processes against real Prefect servers and workers."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.intake_world import ROOT, engine_env

CHROMIUM = "/usr/bin/chromium"


class _Patient(httpx.HTTPTransport):
    """Asks again when a busy server answers 429, 502 or 503, as Prefect's own client does (its database is
    SQLite, which a worker and the scheduler keep busy on a loaded machine)."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        for wait in (0.5, 1, 2, 4, 8, 8):
            response = super().handle_request(request)
            if response.status_code not in (429, 502, 503):
                return response
            response.close()
            time.sleep(wait)
        return super().handle_request(request)


def prefect_api(url: str, **options) -> httpx.Client:
    """A client of a Prefect server's REST API for tests to drive it directly."""
    return httpx.Client(base_url=url, transport=_Patient(), timeout=30, **options)


def adep_env(tmp: Path, **extra: str) -> dict[str, str]:
    """An adep process's environment with no Prefect server configured and a Prefect folder of its own."""
    env = {k: v for k, v in engine_env().items() if not k.startswith("PREFECT_API")}
    env.update(PREFECT_HOME=str(tmp / "prefect-user"), PREFECT_SERVER_ANALYTICS_ENABLED="false")
    env.update(extra)
    return env


def adep(home: Path, env: dict[str, str], *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "adep.cli", "--home", str(home), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def adep_started(home: Path, env: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "adep.cli", "--home", str(home), *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def is_gone(pid: int) -> bool:
    """Whether a process no longer runs (a zombie waiting for a parent that is not us counts as gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "State:\tZ" in status


def processes_in(folder: Path) -> list[int]:
    """Pids of the processes whose working directory is folder (the local server runs in HOME/.prefect)."""
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if os.readlink(proc / "cwd") == str(folder) and not is_gone(int(proc.name)):
                    pids.append(int(proc.name))
            except OSError:
                continue
    return pids


def listening_addresses(port: int) -> list[str]:
    """The local addresses (hex, as /proc/net/tcp writes them) listening on a TCP port, IPv4 and IPv6."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except FileNotFoundError:
            continue
        for line in lines:
            local, _, state = line.split()[1:4]
            address, port_hex = local.rsplit(":", 1)
            if state == "0A" and int(port_hex, 16) == port:
                found.append(address)
    return found


def dump_dom(url: str, tmp: Path, budget_ms: int = 20000) -> str:
    """The page as headless Chromium renders it after its scripts ran (they fetch from the API)."""
    out = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                          "--disable-component-update", "--no-first-run", "--disable-sync",
                          f"--user-data-dir={tmp / 'chromium-profile'}", f"--virtual-time-budget={budget_ms}",
                          "--dump-dom", url], capture_output=True, text=True, timeout=180)
    return out.stdout


class Worker:
    """A real Prefect process worker on a pool, in its own process group so that stopping it stops its flow runs."""

    def __init__(self, pool: str, env: dict[str, str], log: Path):
        self.log = open(log, "wb")
        self.proc = subprocess.Popen([sys.executable, "-m", "prefect", "worker", "start", "--pool", pool,
                                      "--type", "process"], cwd=ROOT, env=dict(env, PREFECT_WORKER_QUERY_SECONDS="1"),
                                     stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


def wait_for(predicate, timeout: float, what: str, step: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
