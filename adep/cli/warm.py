"""Warm commands: the home's flow commands run in a copy of a process that has already imported the flows.

Importing Prefect and the flows costs a command more than a second of CPU before any work, on every run. Beside
the home's local Prefect server, adep keeps one process that has imported them once and waits on a socket in
HOME/.prefect/. `adep intake`, `rerun` and `rollup` hand it their arguments, environment, working directory and
terminal; it forks a copy of itself that runs the command exactly as the command line would (same code, its own
process, the caller's output and exit status) and so starts in milliseconds. The caller forwards Ctrl-C to the
copy and the copy stops when the caller goes. When anything differs (another adep version or interpreter, other
Prefect settings, a server named by PREFECT_API_URL) the command runs cold, as before. `adep server status` shows
the process and `adep server stop` stops it with the server.

This module is the commands' side (is a warm process there, hand it a command, start or stop it); the process
itself is adep.cli.warm_process, run as `python -m adep.cli.warm_process HOME API_URL` in the background by the
first command that starts or finds the home's server.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

# The commands that run a flow and wait for it; the others never import Prefect and gain nothing.
COMMANDS = ("intake", "rerun", "rollup")
# The packages whose code a warm process holds; any change to their files makes it stale.
PACKAGES = ("adep", "flows", "tasks", "contracts", "warehouse")


def _folder(home: Path) -> Path:
    return home / ".prefect"


def fingerprint() -> str:
    """What a warm process must share with a command to run it: interpreter, adep's files, Prefect's settings."""
    digest = hashlib.sha256(sys.executable.encode())
    for name in PACKAGES:
        spec = importlib.util.find_spec(name)  # where the package is, without importing it
        for root in (spec.submodule_search_locations or []) if spec else []:
            for folder, dirs, files in os.walk(root):
                dirs[:] = sorted(d for d in dirs if d != "__pycache__")
                for f in sorted(files):
                    if f.endswith((".py", ".sql", ".csv")):
                        st = os.stat(os.path.join(folder, f))
                        digest.update(f"{folder}/{f}:{st.st_size}:{st.st_mtime_ns}".encode())
    prefect = sorted((k, v) for k, v in os.environ.items() if k.startswith(("PREFECT_", "DO_NOT_TRACK")) and k != "PREFECT_API_URL")
    digest.update(json.dumps(prefect).encode())
    profiles = Path(os.environ.get("PREFECT_PROFILES_PATH")
                    or Path(os.environ.get("PREFECT_HOME") or Path.home() / ".prefect") / "profiles.toml").expanduser()
    try:
        digest.update(f"{profiles}:{profiles.stat().st_mtime_ns}".encode())
    except OSError:
        pass
    return digest.hexdigest()


def _settings_files_here() -> bool:
    """Whether the working folder holds Prefect settings of its own (read from there at import, so not warm)."""
    if os.path.exists(".env") or os.path.exists("prefect.toml"):
        return True
    try:
        return "[tool.prefect" in Path("pyproject.toml").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def read_record(home: Path) -> dict | None:
    try:
        return json.loads((_folder(home) / "warm.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def is_alive(pid: int) -> bool:
    try:
        return "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    except OSError:
        return True


def start_in_background(home: Path, api_url: str) -> None:
    """Start the home's warm process unless one runs; returns at once (it gets ready while this command works)."""
    record = read_record(home)
    if record and is_alive(record["pid"]) and record.get("fingerprint") == fingerprint():
        return
    if record and is_alive(record["pid"]):
        stop(home, commands_too=False)  # another adep version or other settings: replace it, let its commands end
    folder = _folder(home)
    with open(folder / "warm.log", "ab") as log:
        subprocess.Popen([sys.executable, "-m", "adep.cli.warm_process", str(home), api_url], stdin=subprocess.DEVNULL,
                         stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=folder,
                         env=dict(os.environ, PREFECT_API_URL=api_url))


def stop(home: Path, *, commands_too: bool = True) -> int | None:
    """Stop the home's warm process (and the commands it is running, unless told to let them end); its pid."""
    record = read_record(home)
    (_folder(home) / "warm.json").unlink(missing_ok=True)
    if not record or not is_alive(record["pid"]):
        return None
    kill = os.killpg if commands_too else os.kill
    try:
        kill(record["pid"], signal.SIGTERM)
    except ProcessLookupError:
        return None
    deadline = time.monotonic() + 10
    while is_alive(record["pid"]) and time.monotonic() < deadline:
        time.sleep(0.1)
    if is_alive(record["pid"]):
        kill(record["pid"], signal.SIGKILL)
    return record["pid"]


# --- the calling command ---------------------------------------------------------------------------------------

def run(home: Path, argv: list[str]) -> int | None:
    """Run the command in the home's warm process; its exit status, or None to run it here (cold)."""
    record = read_record(home)
    if not record or not record.get("ready") or record.get("fingerprint") != fingerprint():
        return None
    path = _folder(home) / "warm.sock"
    if len(os.fsencode(path)) > 100 or _settings_files_here():  # too long for a socket's address; other settings
        return None
    # Ctrl-C belongs to the command from the moment it is asked for: the warm process forks its copy before the
    # copy's pid reaches us, and a signal in between must reach the copy too (else this process would end and the
    # copy would run on, holding the terminal). Until the pid is known a signal waits; a second one gives up.
    child: int | None = None
    pending: list[int] = []

    def forward(signum, _frame):
        if child is None:
            if pending:
                raise KeyboardInterrupt
            pending.append(signum)
            return
        try:
            os.kill(child, signum)
        except ProcessLookupError:
            pass

    caught = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {signum: signal.signal(signum, forward) for signum in caught}

    def run_cold() -> None:
        client.close()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for signum in pending:  # asked to stop before anything ran: stop here, as a cold command would
            signal.raise_signal(signum)

    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        client.connect(str(path))
        request = {"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ)}
        socket.send_fds(client, [json.dumps(request).encode() + b"\n"], [0, 1, 2])
        reader = client.makefile("r", encoding="utf-8")
        first = reader.readline()
    except OSError:
        run_cold()
        return None
    if not first.startswith("pid "):
        run_cold()
        return None
    child = int(first.split()[1])
    for signum in pending:
        forward(signum, None)
    # From here the command is running: whatever happens, its exit status is the copy's.
    for line in reader:
        if line.startswith("exit "):
            return int(line.split()[1])
    return 1  # the copy died without a word (killed): a failure, as it would be for a cold command
