"""The adep command line: registry, intake, rollups, status, exports, templates, reruns, the demo."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def _quiet_engine() -> None:
    """Defaults for running Prefect from a terminal with no server and no network; the user's own settings win."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # The embedded server migrates its database on first start, which can take longer than Prefect's default wait.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    # The run's log keeps every line (Prefect UI, API); the terminal shows our progress bar and table instead.
    os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_FLOW_RUNS_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_TASK_RUNS_LEVEL", "WARNING")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="adep", description="Quarterly ethics reports (form 1-әу): intake, checks, warehouse, rollups.")
    parser.add_argument("--home", help="the adep home folder (default: $ADEP_HOME, else ./adep-home)")
    sub = parser.add_subparsers(dest="command", required=True)

    reg = sub.add_parser("registry", help="the registry of reporting bodies")
    reg_sub = reg.add_subparsers(dest="registry_command", required=True)
    load = reg_sub.add_parser("load", help="load or update the registry from a CSV file")
    load.add_argument("file", type=Path)
    load.add_argument("--wait", type=float, default=0.0, help="seconds to wait for another run holding the warehouse")

    intake = sub.add_parser("intake", help="one pass over everything now in intake/")
    intake.add_argument("--wait", type=float, default=0.0, help="seconds to wait for another run holding the warehouse")

    rollup = sub.add_parser("rollup", help="the staged rollups for a period such as 2026Q3")
    rollup.add_argument("period")
    rollup.add_argument("--stage", choices=["ministry", "agency", "all"], default="all")
    rollup.add_argument("--wait", type=float, default=0.0, help="seconds to wait for another run holding the warehouse")

    status = sub.add_parser("status", help="who filed, on time or late, who is missing")
    status.add_argument("period")

    export = sub.add_parser("export", help="the consolidated report in the layout of form 1-әу")
    export.add_argument("period")
    export.add_argument("--level", default="agency", help="agency, or the BIN of a top-tier body")
    export.add_argument("--out", type=Path)

    template = sub.add_parser("template", help="a blank form for one body and period")
    template.add_argument("bin")
    template.add_argument("period")
    template.add_argument("--out", type=Path)

    rerun = sub.add_parser("rerun", help="process rejected files again")
    rerun.add_argument("file_ids", nargs="*", type=int)
    rerun.add_argument("--failed", action="store_true", help="all rejected files (of --period, if given)")
    rerun.add_argument("--period")
    rerun.add_argument("--wait", type=float, default=0.0, help="seconds to wait for another run holding the warehouse")

    report = sub.add_parser("report", help="the quarter as a picture (HTML)")
    report.add_argument("period")
    report.add_argument("--out", type=Path)

    serve = sub.add_parser("serve", help="run the flows on the quarterly calendar until stopped")
    serve.add_argument("--every", type=int, default=5, help="minutes between intake passes")

    deploy = sub.add_parser("deploy", help="register the flows on a Prefect work pool, for workers to run")
    deploy.add_argument("--pool", required=True, help="the work pool (of type process; created when missing)")
    deploy.add_argument("--every", type=int, default=5, help="minutes between intake passes")

    server = sub.add_parser("server", help="the home's local Prefect server (started by the first command that needs it)")
    server.add_argument("server_command", choices=["status", "start", "stop"], nargs="?", default="status",
                        help="status (default): what runs for the home and where its UI is; start; stop")

    demo = sub.add_parser("demo", help="a whole quarter on generated data, from an empty home")
    demo.add_argument("--bodies", type=int, default=3000)
    demo.add_argument("--period", default=None, help="the quarter to simulate (default: the last one ended)")
    demo.add_argument("--seed", type=int, default=1)
    return parser


def main(argv: list[str] | None = None, *, cold: bool = False) -> int:
    _quiet_engine()
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser().parse_args(argv)
    from adep.settings import load_settings

    settings = load_settings(args.home)
    if not cold:
        code = _run_warm(settings, args, argv)
        if code is not None:
            return code
    from adep.cli import commands
    from adep.cli.console import UserError, console

    handler = getattr(commands, "cmd_" + args.command)
    try:
        return handler(settings, args) or 0
    except UserError as exc:
        console.print(f"[bold red]adep:[/] {exc}", soft_wrap=True)
        return 2
    except Exception as exc:
        problem = _server_problem(exc)
        if problem is None:
            raise
        console.print(f"[bold red]adep:[/] {problem}", soft_wrap=True)
        return 2


def _run_warm(settings, args, argv: list[str]) -> int | None:
    """A flow command run by the home's warm process (see adep.cli.warm); None when it runs here."""
    from adep.cli import warm

    if args.command not in warm.COMMANDS:
        return None
    from adep.cli.engine import configured_api_url

    if configured_api_url():
        return None
    return warm.run(settings.home, argv)


def _server_problem(exc: Exception) -> str | None:
    """One line for a Prefect server that refused adep or could not be reached; None for anything else."""
    url = os.environ.get("PREFECT_API_URL", "the configured address")
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    if status in (401, 403):
        return (f"the Prefect server at {url} refused adep (HTTP {status}): set PREFECT_API_AUTH_STRING to the "
                "credentials the server was given in PREFECT_SERVER_API_AUTH_STRING")
    if type(exc).__module__.startswith("httpx") and type(exc).__name__.startswith("Connect"):
        return f"cannot reach the Prefect server at {url}: is it running? (PREFECT_API_URL)"
    return None


if __name__ == "__main__":
    sys.exit(main())
