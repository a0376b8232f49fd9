"""One writer at a time, analysts never blocked: intakes and rollups queue or stop clearly; readers always read."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

import pytest

from tests.conftest import clean_values
from tests.intake_world import ROOT, drop_report, engine_env, query, registered_home, stored_files
from tests.server_world import wait_for
from warehouse.db import WarehouseBusy, open_writer, writer_lock


@pytest.fixture
def api_url(prefect_harness) -> str:
    """The session's Prefect server, shared by the command-line subprocesses."""
    from prefect.settings import PREFECT_API_URL
    return PREFECT_API_URL.value()


def _adep(home, api_url, *args, wait: bool = True, **popen):
    cmd = [sys.executable, "-m", "adep.cli.parser", "--home", str(home.home), *args]
    env = engine_env(home, PREFECT_API_URL=api_url)
    if not wait:
        return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **popen)
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)


def _has_open(pid: int, path) -> bool:
    """Whether a process has a file open (its descriptors, as /proc lists them)."""
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") == str(path):
                return True
        except OSError:
            continue
    return False


def _ledger(home) -> list[tuple]:
    return query(home.warehouse_path, "select file_name, status, stored_path from core_files order by file_id")


def test_the_lock_waits_then_says_who_holds_it(home, monkeypatch):
    """How long the wait takes is measured by benchmarks/writer_lock_and_readers.py; here, that it waits at all."""
    import warehouse.db

    released = threading.Event()
    slept = []
    real_sleep = time.sleep
    monkeypatch.setattr(warehouse.db.time, "sleep", lambda s: (slept.append(s), real_sleep(s)))

    def hold():
        with writer_lock(home):
            released.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    wait_for(lambda: home.lock_path.exists() and home.lock_path.read_text() == f"adep process {os.getpid()}",
             10, "the holder to take the lock", step=0.01)
    try:
        with pytest.raises(WarehouseBusy, match=rf"being written by adep process {os.getpid()}.*analysts can keep reading"):
            with writer_lock(home, wait_seconds=0.5):
                pass
        assert slept, "refused at once instead of waiting"
        with pytest.raises(WarehouseBusy):
            with writer_lock(home, wait_seconds=0):
                pass
    finally:
        released.set()
        holder.join()
    with writer_lock(home, wait_seconds=0):  # free again once the holder is done
        pass


@pytest.mark.process
def test_an_intake_while_another_writer_holds_the_warehouse_stops_clearly_and_changes_nothing(home, api_url):
    units = registered_home(home, 3)
    for k, b in enumerate(units):
        drop_report(home, f"r{k}.xlsx", b, seed=k)
    before = _ledger(home)
    with open_writer(home, replace_copy=False):  # a rollup, or another intake, at work
        done = _adep(home, api_url, "intake")
    assert done.returncode != 0
    said = " ".join((done.stdout + done.stderr).split())
    assert "being written by adep process" in said and "try again" in said, said
    assert sorted(os.listdir(home.intake_dir)) == ["r0.xlsx", "r1.xlsx", "r2.xlsx"]
    assert _ledger(home) == before


@pytest.mark.process
def test_an_intake_told_to_wait_queues_behind_the_writer(home, api_url):
    units = registered_home(home, 3)
    for k, b in enumerate(units):
        drop_report(home, f"r{k}.xlsx", b, seed=k)
    release = threading.Event()

    def rollup_at_work():
        with open_writer(home):
            release.wait(30)

    holder = threading.Thread(target=rollup_at_work)
    holder.start()
    try:
        queued = _adep(home, api_url, "intake", "--wait", "60", wait=False)
        # the command has started and opened the lock file, which the rollup holds: it is waiting for it
        wait_for(lambda: queued.poll() is not None or _has_open(queued.pid, home.lock_path), 120,
                 "the queued intake to try the lock", step=0.1)
        assert queued.poll() is None, queued.communicate()[0]
    finally:
        release.set()
        holder.join()
    out, _ = queued.communicate(timeout=120)
    assert queued.returncode == 0, out
    assert [s for _, s, _ in _ledger(home)] == ["loaded"] * 3


@pytest.mark.process
def test_two_intakes_at_once_load_each_file_once(home, api_url):
    units = registered_home(home, 60)
    for k, b in enumerate(units):
        drop_report(home, f"r{k:02d}.xlsx", b, seed=k)
    runs = [_adep(home, api_url, "intake", "--wait", "120", wait=False) for _ in range(2)]
    outs = [r.communicate(timeout=180)[0] for r in runs]
    assert [r.returncode for r in runs] == [0, 0], outs
    ledger = _ledger(home)
    assert len(ledger) == 60 and {s for _, s, _ in ledger} == {"loaded"}
    assert os.listdir(home.intake_dir) == []
    assert len(stored_files(home)) == 60
    assert query(home.warehouse_path, "select count(*) from report_values") == [(60 * 40,)]


@pytest.mark.process
def test_an_intake_during_a_rollup_queues_or_stops_clearly(home, api_url):
    units = registered_home(home, 20)
    for k, b in enumerate(units):
        drop_report(home, f"a{k:02d}.xlsx", b, seed=k)
    assert _adep(home, api_url, "intake").returncode == 0
    for k, b in enumerate(units):
        drop_report(home, f"b{k:02d}.xlsx", b, seed=k + 1)
    rollup = _adep(home, api_url, "rollup", "2026Q3", wait=False)
    intake = _adep(home, api_url, "intake", "--wait", "120", wait=False)
    outs = {name: (p.communicate(timeout=180)[0], p.returncode) for name, p in (("rollup", rollup), ("intake", intake))}
    for name, (out, code) in outs.items():
        said = " ".join(out.split())
        assert code == 0 or "being written by adep process" in said, (name, code, out)
    assert outs["intake"][1] == 0, outs["intake"][0]
    ledger = _ledger(home)
    assert len(ledger) == 40 and os.listdir(home.intake_dir) == []
    assert query(home.warehouse_path, "select count(*) from report_values") == [(20 * 40,)]


@pytest.mark.process
def test_analysts_read_the_published_copy_without_a_failure_while_intakes_run(home, api_url, tmp_path):
    units = registered_home(home, 90)
    stop = tmp_path / "stop"
    reader = subprocess.Popen([sys.executable, "-m", "tests.reader_loop", str(home.published_path), str(stop)], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    try:
        for wave in range(3):  # three intakes, one after another, each with new reports
            for k, b in enumerate(units[wave * 30:(wave + 1) * 30]):
                drop_report(home, f"w{wave}-{k:02d}.xlsx", b, seed=k)
            done = _adep(home, api_url, "intake")
            assert done.returncode == 0, done.stdout + done.stderr
    finally:
        stop.touch()
        out, _ = reader.communicate(timeout=30)
    lines = [json.loads(x) for x in out.splitlines()]
    failures = [x for x in lines if not x["ok"]]
    assert failures == [], failures[:5]
    assert len(lines) > 50, "the reader hardly ran"
    files = [x["files"] for x in lines]
    values = [x["values"] for x in lines]
    assert files == sorted(files) and values == sorted(values), "a count went down"
    assert files[0] == 0 and files[-1] == 90 and values[-1] == 90 * 40
    # how long the reads take is measured by benchmarks/writer_lock_and_readers.py
    assert {v for v in values} <= {0, 30 * 40, 60 * 40, 90 * 40}, "the reader saw half a run"
