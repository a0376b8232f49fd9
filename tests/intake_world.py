"""A small world for intake tests that run the real flow or the real command: a registry, reports, the ledger.

Shared by test_hostile, test_concurrency, test_crash and test_logs.
"""
from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from adep.registry import load_registry
from adep.settings import Settings
from tests.conftest import ON_TIME, arrived, clean_values, make_bin
from adep.sample.hostile import good_report
from warehouse.db import open_writer
from tests.conftest import query  # noqa: F401 (the tests' one query helper, as the intake tests import it)

ROOT = Path(__file__).resolve().parents[1]


def write_registry(path: Path, n_units: int) -> list[str]:
    """A ministry and n territorial units under it, all in force since 2020; returns the units' BINs."""
    ministry = make_bin(1)
    units = [make_bin(100 + k) for k in range(n_units)]
    lines = ["bin,name_kk,name_ru,kind,parent_bin,region,valid_from,valid_to",
             f"{ministry},Министрлік,Министерство,central_body,,Астана,2020-01-01,"]
    lines += [f"{b},Бөлім {k},Отдел {k},territorial_unit,{ministry},Абай облысы,2020-01-01," for k, b in enumerate(units)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return units


def registered_home(home: Settings, n_units: int) -> list[str]:
    units = write_registry(home.home / "registry.csv", n_units)
    with open_writer(home) as con:
        load_registry(con, home.home / "registry.csv")
    return units


def drop_report(home: Settings, name: str | bytes, bin_: str, seed: int = 0) -> Path:
    """A clean report under any name (bytes for a name that is not UTF-8), arrived on time."""
    tmp = home.home / f".building-{os.getpid()}.xlsx"
    good_report(tmp, bin_, clean_values(seed))
    target = os.path.join(os.fsencode(home.intake_dir), name if isinstance(name, bytes) else os.fsencode(name))
    os.replace(tmp, target)
    return arrived(Path(os.fsdecode(target)), ON_TIME)


def deliver_submission(settings: Settings, bin_: str, number: str, name: str = "Бөлім 0") -> Path:
    """A good report for bin_ delivered into intake/ as the portal delivers it: beside its signed receipt."""
    from adep.forms.writer import write_report
    from adep.submissions import Receipt, deliver, receipt_key, sign
    from tests.conftest import PERIOD, SIGNED

    path = write_report(settings.home / f"building-{number}.xlsx", bin=bin_, period=PERIOD, body_name=name,
                        commissioner="Уәкіл", phone="+7 700 000 0000", signed_on=SIGNED, values=clean_values())
    content = path.read_bytes()
    path.unlink()
    receipt = Receipt(number=number, received_at="2026-10-02T14:00:00+05:00", sha256=hashlib.sha256(content).hexdigest(),
                      bin=bin_, period=str(PERIOD), file_name="1-әу.xlsx")
    return deliver(settings, content, sign(receipt, receipt_key(settings, create=True)))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def stored_files(home: Settings) -> list[Path]:
    """Every filed file in archive/ and rejected/ (not the findings files beside the rejected ones)."""
    out = []
    for folder in (home.archive_dir, home.rejected_dir):
        for root, dirs, files in os.walk(folder):  # a rejected link to a folder is listed among the folders
            names = files + [d for d in dirs if os.path.islink(os.path.join(root, d))]
            out += [Path(root) / f for f in names if not f.endswith((".findings.txt", ".tmp"))]
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def engine_env(home: Settings | None = None, **extra: str) -> dict[str, str]:
    """Environment for an adep subprocess: no analytics, files settled at once, the project on the path."""
    env = dict(os.environ)
    env.update(PREFECT_SERVER_ANALYTICS_ENABLED="false", ADEP_SETTLE_SECONDS="0", PYTHONPATH=str(ROOT),
               PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL="WARNING")
    if home is not None:
        env["ADEP_HOME"] = str(home.home)
    env.update(extra)
    return env


class PrefectServer:
    """One real Prefect server for a test module, so each intake subprocess need not start its own."""

    def __init__(self, tmp: Path, **server_env: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/api"
        env = engine_env(PREFECT_HOME=str(tmp / "prefect-home"), **server_env)
        env.pop("PREFECT_API_URL", None)
        self.log = open(tmp / "prefect-server.log", "wb")
        self.proc = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                                      "--port", str(self.port)], env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)

    def wait_ready(self, timeout: float = 90) -> None:
        import urllib.request
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"prefect server exited with {self.proc.returncode}")
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=2) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("prefect server did not start in time")

    def env(self, **extra: str) -> dict[str, str]:
        return engine_env(PREFECT_API_URL=self.url, PREFECT_HOME=str(Path(self.log.name).parent / "prefect-client"), **extra)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
                self.proc.wait()
        self.log.close()
