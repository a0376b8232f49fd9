"""Start `adep intake` many times quickly, to be killed: imports once, then forks one real run per line on stdin.

Run as `python -m tests.crash_driver HOME LOG`. For each line read, it forks a child in a new session (so the
child and its reader processes can be killed as one group) which runs the command line's `intake` exactly as
`adep --home HOME intake` would, and prints `<pid>` then, when the child ends on its own, `<pid> exit <code>`.
Importing Prefect and the flow costs about 3 s; forking costs milliseconds, so twenty kills fit in a test.
"""
from __future__ import annotations

import os
import sys
import threading


def main() -> None:
    home, log = sys.argv[1], sys.argv[2]
    from adep import cli  # noqa: F401  (the whole engine is imported here, once)
    import adep.cli.commands  # noqa: F401
    import flows.intake  # noqa: F401

    def reap(pid: int) -> None:
        _, status = os.waitpid(pid, 0)
        print(f"{pid} exit {os.waitstatus_to_exitcode(status)}", flush=True)

    reapers = []
    for line in sys.stdin:
        args = line.split() or ["intake"]
        pid = os.fork()
        if pid == 0:
            os.setsid()
            out = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            os.dup2(out, 1)  # the run's table and messages go to the log, not into this driver's replies
            os.dup2(out, 2)
            code = 1
            try:
                code = cli.main(["--home", home, *args])
            finally:
                os._exit(code if isinstance(code, int) else 1)
        print(pid, flush=True)
        reapers.append(threading.Thread(target=reap, args=(pid,), daemon=True))
        reapers[-1].start()
    for reaper in reapers:  # stdin closed: wait for the runs still going
        reaper.join()


if __name__ == "__main__":
    main()
