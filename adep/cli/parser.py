"""The adep command line: registry, intake, a dry run (check), rollups, status, exports, templates, reruns, the demo."""
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


class _Parser(argparse.ArgumentParser):
    """argparse, with a mistyped command reported in one line (the usage is one '--help' away)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="adep", description="Quarterly ethics reports (form 1-әу): intake, checks, warehouse, rollups.")
    parser.add_argument("--home", help="the adep home folder (default: $ADEP_HOME, else ./adep-home)")
    sub = parser.add_subparsers(dest="command", required=True)

    reg = sub.add_parser("registry", help="the registry of reporting bodies")
    reg_sub = reg.add_subparsers(dest="registry_command", required=True)
    load = reg_sub.add_parser("load", help="load or update the registry from a CSV file (UTF-8 or Windows-1251) or an .xlsx sheet")
    load.add_argument("file", type=Path)
    load.add_argument("--wait", type=float, default=0.0, help="seconds to wait for another run holding the warehouse")

    intake = sub.add_parser("intake", help="one pass over everything now in intake/")
    intake.add_argument("--wait", type=float, default=0.0, help="seconds to wait for another run holding the warehouse")

    rollup = sub.add_parser("rollup", help="the staged rollups for a period such as 2026Q3")
    rollup.add_argument("period")
    rollup.add_argument("--stage", choices=["ministry", "agency", "all"], default="all")
    rollup.add_argument("--wait", type=float, default=0.0, help="seconds to wait for another run holding the warehouse")
    rollup.add_argument("--force", action="store_true",
                        help="publish even when no report is in force for the quarter (figures of zero)")

    status = sub.add_parser("status", help="who filed, on time or late, who is missing")
    status.add_argument("period")

    export = sub.add_parser("export", help="the consolidated report in the layout of form 1-әу")
    export.add_argument("period")
    export.add_argument("--level", default="agency", help="agency, or the BIN of a top-tier body")
    export.add_argument("--out", type=Path)
    export.add_argument("--allow-stale", action="store_true",
                        help="export the published rollup even if reports arrived or changed after it (the form says so)")

    template = sub.add_parser("template", help="a blank form for one body and period")
    template.add_argument("bin")
    template.add_argument("period")
    template.add_argument("--out", type=Path)

    rerun = sub.add_parser("rerun", help="process rejected files again")
    rerun.add_argument("file_ids", nargs="*", type=int)
    rerun.add_argument("--failed", action="store_true",
                       help="the rejected files (of --period, if given) that a change could help: not those resolved "
                            "by a later report, nor those whose bytes, registry entry and rules are unchanged")
    rerun.add_argument("--all", action="store_true", dest="all_rejected",
                       help="every rejected file (of --period, if given), resolved or unchanged ones too")
    rerun.add_argument("--period")
    rerun.add_argument("--wait", type=float, default=0.0, help="seconds to wait for another run holding the warehouse")

    check = sub.add_parser("check", help="what the intake would make of these files, without loading or moving them")
    check.add_argument("files", nargs="+", type=Path, metavar="FILE")
    check.add_argument("--choices", action="store_true", help="also show how each file was read: sheet, table, columns, cells")

    report = sub.add_parser("report", help="the quarter as a picture (HTML)")
    report.add_argument("period")
    report.add_argument("--out", type=Path)

    serve = sub.add_parser("serve", help="run the flows on the quarterly calendar until stopped")
    serve.add_argument("--every", type=int, default=5, help="minutes between intake passes")
    serve.add_argument("--portal", nargs="?", const="127.0.0.1:8000", metavar="HOST:PORT",
                       help="also serve the submission portal, in this process (default 127.0.0.1:8000)")

    portal = sub.add_parser("portal", help="the submission portal: serve it, or issue and revoke the bodies' access codes")
    portal.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1)")
    portal.add_argument("--port", type=int, default=8000, help="the port (default 8000; 0: any free port)")
    portal_sub = portal.add_subparsers(dest="portal_command")
    access = portal_sub.add_parser("access", help="the bodies' access codes")
    access_sub = access.add_subparsers(dest="access_command", required=True)
    issue = access_sub.add_parser("issue", help="a new secret code for each body (replacing its old one), into a CSV")
    issue.add_argument("bins", nargs="*", metavar="BIN")
    issue.add_argument("--all", action="store_true", dest="all_bodies", help="every body that files the form")
    issue.add_argument("--out", type=Path, required=True, help="the CSV to write: bin,name_kk,name_ru,code,link")
    revoke = access_sub.add_parser("revoke", help="the body's code stops working at once")
    revoke.add_argument("bins", nargs="+", metavar="BIN")

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
    from rich.markup import escape

    from adep.cli.console import console
    from adep.errors import UserError, one_line
    from adep.settings import load_settings

    try:
        settings = load_settings(args.home)
        if not cold:
            code = _run_warm(settings, args, argv)
            if code is not None:
                return code
        from adep.cli import commands

        return getattr(commands, "cmd_" + args.command)(settings, args) or 0
    except UserError as exc:
        # Raised here or inside a flow (Prefect hands the flow's exception back): one line, no traceback.
        console.print(f"[bold red]adep:[/] {escape(one_line(exc))}", soft_wrap=True)
        return 2
    except OSError as exc:
        if exc.filename is None:
            raise
        # A path the operator gave or set up that cannot be read or written (--out, the home's folders).
        console.print(f"[bold red]adep:[/] {escape(one_line(exc.strerror or exc))}: {escape(str(exc.filename))}",
                      soft_wrap=True)
        return 2
    except KeyboardInterrupt:
        # Every load is one transaction: a stopped run leaves nothing half done, and the next run finishes filing.
        console.print("[bold red]adep:[/] stopped (Ctrl-C); nothing is half loaded, the next run carries on", soft_wrap=True)
        return 130
    except Exception as exc:
        problem = _server_problem(exc)
        if problem is None:
            raise
        console.print(f"[bold red]adep:[/] {escape(problem)}", soft_wrap=True)
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
