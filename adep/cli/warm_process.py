"""The home's warm process: imports the flows once, then forks one copy per command handed to it (adep.cli.warm).

Run as `python -m adep.cli.warm_process HOME API_URL`; adep.cli.warm starts it in the background.
"""
from __future__ import annotations

import atexit
import fcntl
import json
import os
import signal
import socket
import sys
import threading
import time
import traceback
from pathlib import Path

from adep.cli.warm import _folder, fingerprint, read_record


def _serve_one(conn: socket.socket, api_url: str) -> None:
    """In the forked copy: take over the caller's terminal, environment and folder, run the command, report."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    code = 1
    try:
        conn.settimeout(10)  # a caller that connects and says nothing is not waited for
        message, fds, _, _ = socket.recv_fds(conn, 1 << 20, 3)
        while not message.endswith(b"\n"):
            more = conn.recv(1 << 20)
            if not more:
                raise ConnectionError("the caller went before saying what to run")
            message += more
        conn.settimeout(None)
        request = json.loads(message)
        for target, fd in zip((0, 1, 2), fds):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"], PREFECT_API_URL=api_url)
        from adep.cli.engine import bypass_proxies_for_this_machine

        bypass_proxies_for_this_machine()
        _reopen_standard_streams()
        conn.sendall(f"pid {os.getpid()}\n".encode())
        # The caller gone (killed, its terminal closed) means stop, as a cold command would have died with it.
        threading.Thread(target=_stop_when_caller_goes, args=(conn,), daemon=True).start()
        from adep.cli.parser import main

        code = main(request["argv"], cold=True)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()
    finally:
        # Nothing may interrupt the end: a copy that fell back into the loop below would serve commands itself.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            # What an exiting interpreter does (Prefect sends the run's last log lines and events), then report.
            atexit._run_exitfuncs()
            sys.stdout.flush()
            sys.stderr.flush()
            conn.sendall(f"exit {code}\n".encode())
        except BaseException:
            pass
        os._exit(code)


def _reopen_standard_streams() -> None:
    """Python's streams and the console as a freshly started command would have them on the caller's terminal."""
    sys.stdout = open(1, "w", encoding="utf-8", errors="replace", closefd=False, buffering=1 if os.isatty(1) else -1)
    sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False, buffering=1)
    from adep.cli import console

    console.reset_console()


def _stop_when_caller_goes(conn: socket.socket) -> None:
    try:
        while conn.recv(1024):
            pass
    except OSError:
        pass
    os.kill(os.getpid(), signal.SIGINT)


def serve(home: Path, api_url: str) -> None:
    """Import the flows once, then fork one copy per command until the home's server goes."""
    folder = _folder(home)
    lock = open(folder / "warm.lock", "a+")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return  # another warm process serves this home
    os.environ["PREFECT_API_URL"] = api_url
    record = {"pid": os.getpid(), "fingerprint": fingerprint(), "ready": False}
    (folder / "warm.json").write_text(json.dumps(record), encoding="utf-8")
    import adep.cli.commands  # noqa: F401  (what the commands import, once)
    import flows.intake  # noqa: F401
    import flows.rerun  # noqa: F401
    import flows.rollup  # noqa: F401
    from adep.cli.engine import LocalServer, is_running, read_record as server_record
    from adep.settings import load_settings

    settings = load_settings(home, environ={})
    path = folder / "warm.sock"
    path.unlink(missing_ok=True)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    os.chdir(folder)
    listener.bind(path.name)  # relative: a socket's address is short, a home's path need not be
    os.chmod(path, 0o600)  # only the home's owner may hand it commands
    listener.listen(16)
    listener.settimeout(5.0)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # copies are reaped by the system
    (folder / "warm.json").write_text(json.dumps(dict(record, ready=True)), encoding="utf-8")
    while True:
        server: LocalServer | None = server_record(settings)
        if server is None or server.api_url != api_url or not is_running(server) or read_record(home) is None:
            break  # the server was stopped or replaced: so is this process
        try:
            conn, _ = listener.accept()
        except socket.timeout:
            continue
        child = os.fork()
        if child == 0:
            try:
                listener.close()
                lock.close()  # a replacement warm process may start while this command still runs
                _serve_one(conn, api_url)
            finally:
                os._exit(1)
        conn.close()
        print(f"{time.strftime('%Y-%m-%d %H:%M:%S')} a command runs in process {child}", flush=True)
    path.unlink(missing_ok=True)
    if (read_record(home) or {}).get("pid") == os.getpid():
        (folder / "warm.json").unlink(missing_ok=True)


if __name__ == "__main__":
    serve(Path(sys.argv[1]), sys.argv[2])
