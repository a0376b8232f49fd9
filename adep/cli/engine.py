"""Where adep's flows report: the Prefect server named by PREFECT_API_URL, else one local server per home.

Prefect without a server starts a temporary one inside every command and stops it at the end, which costs each
command 10-20 s. Instead the first command that needs Prefect starts a server for the home in the background
(127.0.0.1 only, a free port, its database under HOME/.prefect/) and records it there; later commands find the
record and use that server. `adep server status` shows it and `adep server stop` stops it.

Nothing here imports Prefect: the address is decided before Prefect is imported, because Prefect reads its
settings once, on import.
"""
from __future__ import annotations

import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from adep.settings import Settings

# Seconds a first start may take: a fresh database is migrated before the server answers.
START_TIMEOUT = 300.0
# What to announce before anything was measured in this home (a fresh database, 2 cores).
FIRST_START_GUESS = 15.0


class ServerError(RuntimeError):
    """The local server could not be started or reached; the message says what to do."""


@dataclass(frozen=True)
class LocalServer:
    """The record of a home's local Prefect server: its process, port and API address, and since when it runs."""

    pid: int
    port: int
    api_url: str
    started_at: str
    start_seconds: float | None = None

    @property
    def ui_url(self) -> str:
        """Where the Prefect UI is: the server's own address (the API is under /api)."""
        return self.api_url.removesuffix("/api")


def server_dir(settings: Settings) -> Path:
    """HOME/.prefect: the local server's database, log, record and start lock."""
    return settings.home / ".prefect"


def _record_path(settings: Settings) -> Path:
    return server_dir(settings) / "server.json"


def configured_api_url() -> str | None:
    """The Prefect server the user named: PREFECT_API_URL in the environment, in Prefect's active profile, or in
    Prefect's settings when this process already imported it (a test harness); None when there is none."""
    if "prefect.settings" in sys.modules:
        from prefect.settings import PREFECT_API_URL

        return PREFECT_API_URL.value() or None
    if os.environ.get("PREFECT_API_URL"):
        return os.environ["PREFECT_API_URL"]
    return _profile_setting("PREFECT_API_URL")


def _profile_setting(name: str) -> str | None:
    """A setting of Prefect's active profile (what `prefect config set` writes), read without importing Prefect."""
    prefect_home = Path(os.environ.get("PREFECT_HOME") or Path.home() / ".prefect").expanduser()
    path = Path(os.environ.get("PREFECT_PROFILES_PATH") or prefect_home / "profiles.toml").expanduser()
    try:
        profiles = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    active = os.environ.get("PREFECT_PROFILE") or profiles.get("active") or "ephemeral"
    value = profiles.get("profiles", {}).get(active, {}).get(name)
    return str(value) if value else None


def use_prefect(settings: Settings) -> str:
    """The API address this command's flows report to; starts the home's local server when none is configured.

    Call before Prefect is imported: the address is handed to Prefect (and to every process it starts) through
    PREFECT_API_URL.
    """
    url = configured_api_url()
    if url:
        return url
    server = ensure_local_server(settings)
    os.environ["PREFECT_API_URL"] = server.api_url
    bypass_proxies_for_this_machine()
    from adep.cli import warm

    # The next flow commands of this home start warm (adep.cli.warm); this one goes on while that process gets ready.
    warm.start_in_background(settings.home, server.api_url)
    return server.api_url


def bypass_proxies_for_this_machine() -> None:
    """Keep Prefect's client off an office proxy from the environment: it cannot reach a server on 127.0.0.1."""
    if not any(os.environ.get(k) for k in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")):
        return
    for key in ("NO_PROXY", "no_proxy"):
        entries = [e.strip() for e in os.environ.get(key, "").split(",") if e.strip()]
        if "127.0.0.1" not in entries:
            os.environ[key] = ",".join(entries + ["127.0.0.1"])


@contextmanager
def waited_for_run():
    """Prefect settings for a flow that a command runs and waits for.

    No heartbeats: the person who started the command sees it end, and a heartbeat thread that sleeps in one-second
    steps keeps each finished run waiting up to a second more. Served and deployed runs keep theirs.
    """
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield


def read_record(settings: Settings) -> LocalServer | None:
    """The home's server record, or None when there is none (or it cannot be read)."""
    try:
        data = json.loads(_record_path(settings).read_text(encoding="utf-8"))
        return LocalServer(**data)
    except (OSError, ValueError, TypeError):
        return None


def _write_record(settings: Settings, server: LocalServer) -> None:
    path = _record_path(settings)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(server), indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def is_running(server: LocalServer) -> bool:
    """Whether the recorded process still exists and is a Prefect server on the recorded port (pids get reused)."""
    try:
        os.kill(server.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return False  # someone else's process now holds that pid
    cmdline = Path(f"/proc/{server.pid}/cmdline")
    if cmdline.exists():
        try:
            args = cmdline.read_bytes().split(b"\0")
        except OSError:
            return False
        return b"prefect" in b" ".join(args) and str(server.port).encode() in args
    return True


def is_answering(api_url: str, timeout: float = 2.0) -> bool:
    """Whether a Prefect API answers its health check (it needs no credentials)."""
    # Straight to the server: a proxy from the environment (common on office networks) cannot reach 127.0.0.1.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(api_url + "/health", timeout=timeout) as resp:
            return resp.status == 200
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _StartLock:
    """One process at a time looks at and starts the home's server: two first commands must not start two."""

    def __init__(self, settings: Settings, timeout: float):
        self.path = server_dir(settings) / "server.lock"
        self.timeout = timeout

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fh = open(self.path, "a+")
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(self.fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return self
            except BlockingIOError:
                if time.monotonic() > deadline:
                    self.fh.close()
                    raise ServerError(f"another adep command has been starting the Prefect server for "
                                      f"{self.path.parent.parent} for {self.timeout:.0f} s; see its log in {self.path.parent}")
                time.sleep(0.2)

    def __exit__(self, *exc):
        fcntl.flock(self.fh, fcntl.LOCK_UN)
        self.fh.close()


def ensure_local_server(settings: Settings, *, timeout: float = START_TIMEOUT) -> LocalServer:
    """The home's running local server, started (once, whatever other commands do at the same time) if needed."""
    server = read_record(settings)
    if server and is_running(server) and is_answering(server.api_url):
        return server
    with _StartLock(settings, timeout):
        server = read_record(settings)  # another command may have started it while this one waited
        if server and is_running(server):
            if _wait_answering(server, timeout):
                return server
            _terminate(server.pid)
        _record_path(settings).unlink(missing_ok=True)
        if server is not None:
            why = "the previous one is no longer running"
        else:
            why = "first command" if not (server_dir(settings) / "prefect.db").exists() else "none is running"
        return _start(settings, timeout, why)


def _wait_answering(server: LocalServer, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not is_running(server):
            return False
        if is_answering(server.api_url):
            return True
        time.sleep(0.3)
    return False


def _last_start_seconds(settings: Settings) -> float | None:
    try:
        return float((server_dir(settings) / "start-seconds").read_text())
    except (OSError, ValueError):
        return None


def _start(settings: Settings, timeout: float, why: str) -> LocalServer:
    """Start the server in its own session (it outlives this command), record it, and wait until it answers."""
    folder = server_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    estimate = _last_start_seconds(settings) or FIRST_START_GUESS
    print(f"Starting adep's local Prefect server for this home ({why}, ~{estimate:.0f} s)...", file=sys.stderr, flush=True)
    port = _free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(
        PREFECT_HOME=str(folder),  # its database (prefect.db) and its own files stay with the home
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        # The UI asks this address for the API; by default it would ask port 4200, where nothing of ours listens.
        PREFECT_UI_API_URL=api_url,
        PREFECT_UI_URL=api_url.removesuffix("/api"),
    )
    started = time.monotonic()
    with open(folder / "server.log", "ab") as log:
        proc = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                                 "--port", str(port)], env=env, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True, cwd=folder)
    server = LocalServer(proc.pid, port, api_url, datetime.now(timezone.utc).isoformat(timespec="seconds"))
    # Recorded before it answers, so that even a start interrupted here leaves nothing `adep server` cannot show.
    _write_record(settings, server)
    try:
        deadline = time.monotonic() + timeout
        while not is_answering(api_url, timeout=1.0):
            if proc.poll() is not None:
                raise ServerError(f"the local Prefect server stopped while starting (exit {proc.returncode}); "
                                  f"see {folder / 'server.log'}")
            if time.monotonic() > deadline:
                raise ServerError(f"the local Prefect server did not answer within {timeout:.0f} s; see {folder / 'server.log'}")
            time.sleep(0.2)
    except BaseException:
        _terminate(proc.pid)
        _record_path(settings).unlink(missing_ok=True)
        raise
    seconds = round(time.monotonic() - started, 1)
    (folder / "start-seconds").write_text(f"{seconds}\n")
    server = LocalServer(proc.pid, port, api_url, server.started_at, seconds)
    _write_record(settings, server)
    return server


def _terminate(pid: int, grace: float = 20.0) -> None:
    """Stop a server's process group: politely, then for good."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            try:
                # Reap it when it is our own child (a command that started it and stops it in one process).
                if os.waitpid(pid, os.WNOHANG)[0] == pid:
                    return
            except ChildProcessError:
                pass
            try:
                os.killpg(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)


def running_server(settings: Settings) -> LocalServer | None:
    """The home's local server if it runs; a record left by one that died is cleared."""
    server = read_record(settings)
    if server is None or is_running(server):
        return server
    with _StartLock(settings, START_TIMEOUT):
        if read_record(settings) == server:
            _record_path(settings).unlink(missing_ok=True)
    return None


def stop_local_server(settings: Settings) -> LocalServer | None:
    """Stop the home's local server; returns what was stopped, None when nothing ran."""
    if read_record(settings) is None:
        return None
    with _StartLock(settings, START_TIMEOUT):
        from adep.cli import warm

        server = read_record(settings)
        _record_path(settings).unlink(missing_ok=True)
        warm.stop(settings.home)
        if server is None or not is_running(server):
            return None
        _terminate(server.pid)
        return server
