"""Ctrl-C in a warm command reaches the copy that runs it, even when it comes before the copy's pid is known.

The warm process forks its copy, and the copy then tells the caller its pid; a Ctrl-C in between once ended the
caller alone, and the copy ran on with the caller's terminal. Here a stand-in for the warm process (a real socket
and a real process in place of the copy) puts the signal exactly in that window, which a real one leaves open
for a few milliseconds only.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from adep.cli import warm

COPY = ("import signal, sys, time\n"
        "signal.signal(signal.SIGINT, lambda *_: sys.exit(130))\n"
        "print('ready', flush=True)\n"
        "time.sleep(30)\n"
        "sys.exit(3)\n")


def test_ctrl_c_before_the_copys_pid_is_known_still_stops_the_copy(monkeypatch):
    short = Path(tempfile.mkdtemp(prefix="adep-warm-"))  # a socket's address must be short
    try:
        home, folder = short / "home", short / "home" / ".prefect"
        folder.mkdir(parents=True)
        (folder / "warm.json").write_text(json.dumps({"pid": os.getpid(), "ready": True, "fingerprint": warm.fingerprint()}))
        monkeypatch.chdir(short)  # no Prefect settings files in the working folder
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(str(folder / "warm.sock"))
        listener.listen(1)
        copy = subprocess.Popen([sys.executable, "-c", COPY], stdout=subprocess.PIPE, text=True)
        assert copy.stdout.readline().strip() == "ready"
        seen = {}

        def warm_side():
            conn, _ = listener.accept()
            message, fds, _, _ = socket.recv_fds(conn, 1 << 20, 3)
            for fd in fds:
                os.close(fd)
            seen["argv"] = json.loads(message)["argv"]
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C: the copy is forked, its pid not yet sent
            time.sleep(0.3)
            conn.sendall(f"pid {copy.pid}\n".encode())
            try:
                code = copy.wait(timeout=10)
            except subprocess.TimeoutExpired:
                copy.kill()
                code = 99  # the copy never heard the Ctrl-C
            conn.sendall(f"exit {code}\n".encode())
            conn.close()

        caught = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
        before = {signum: signal.getsignal(signum) for signum in caught}
        signal.signal(signal.SIGINT, lambda *_: None)  # were the caller to miss it, it must not end the test run
        side = threading.Thread(target=warm_side)
        side.start()
        try:
            code = warm.run(home, ["intake"])
        finally:
            side.join(30)
            for signum, handler in before.items():
                signal.signal(signum, handler)
            listener.close()
        assert seen["argv"] == ["intake"]
        assert code == 130  # the copy stopped on the Ctrl-C and its exit status is the caller's
    finally:
        shutil.rmtree(short, ignore_errors=True)
