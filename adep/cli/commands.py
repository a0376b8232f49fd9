"""What each command of the command line does, with progress on long work and tables at the end."""
from __future__ import annotations

from rich.table import Table

from adep.cli.console import (UserError, console, parse_period, print_intake_summary, print_rollups, progress_bar,
                              published_warehouse)
from adep.cli.engine import ServerError, use_prefect, waited_for_run
from adep.settings import Settings


def _with_prefect(settings: Settings) -> str:
    """The Prefect server this command's flows report to (the home's local one, started if need be)."""
    try:
        return use_prefect(settings)
    except ServerError as exc:
        raise UserError(str(exc)) from None


def cmd_registry(settings: Settings, args) -> int:
    from adep.registry import RegistryError, load_registry
    from warehouse.db import WarehouseBusy, open_writer

    if not args.file.is_file():
        raise UserError(f"no such file: {args.file}")
    try:
        with open_writer(settings, wait_seconds=getattr(args, "wait", 0.0)) as con:
            result = load_registry(con, args.file)
    except RegistryError as exc:
        console.print(f"[bold red]The registry was not loaded[/] ({len(exc.problems)} problem(s)); the warehouse keeps the previous registry.")
        for problem in exc.problems[:200]:
            console.print(f"  {problem}")
        return 1
    except WarehouseBusy as exc:
        raise UserError(str(exc)) from None
    console.print(f"Registry load {result.registry_load_id}: {result.rows} row(s), {result.bodies} bodies.")
    return 0


def cmd_intake(settings: Settings, args) -> int:
    _with_prefect(settings)
    from flows.intake import intake
    from warehouse.db import WarehouseBusy

    settings.ensure_dirs()
    try:
        with progress_bar("intake"), waited_for_run():
            summary = intake(home=str(settings.home), wait_seconds=args.wait)
    except WarehouseBusy as exc:
        raise UserError(str(exc)) from None
    print_intake_summary(summary)
    return 0


def cmd_rerun(settings: Settings, args) -> int:
    if not args.file_ids and not args.failed:
        raise UserError("say which files to rerun: adep rerun FILE_ID ... or adep rerun --failed [--period 2026Q3]")
    if args.period:
        parse_period(args.period)
    _with_prefect(settings)
    from flows.rerun import rerun
    from warehouse.db import WarehouseBusy
    from warehouse.ledger import NothingToRerun

    try:
        with waited_for_run():
            summary = rerun(file_ids=args.file_ids or None, failed=args.failed, period=args.period,
                            home=str(settings.home), wait_seconds=getattr(args, "wait", 0.0))
    except (WarehouseBusy, NothingToRerun) as exc:
        raise UserError(str(exc)) from None
    print_intake_summary(summary, title="Rerun")
    return 0


def _print_deployments(title: str, every: int) -> None:
    from adep.cli.serve import SCHEDULES

    table = Table(title=title, show_edge=False)
    table.add_column("deployment")
    table.add_column("runs")
    for name, when in SCHEDULES.items():
        table.add_row(name, when.format(every=every))
    console.print(table)


def cmd_serve(settings: Settings, args) -> int:
    settings.ensure_dirs()
    url = _with_prefect(settings)
    console.print(f"Prefect server: {url.removesuffix('/api')} (the Prefect UI is there)")
    from prefect import serve

    from adep.cli.serve import build_deployments

    deployments = build_deployments(settings, intake_minutes=args.every)
    _print_deployments("Serving (Ctrl-C to stop)", args.every)
    serve(*deployments, print_starting_message=False)
    return 0


def cmd_deploy(settings: Settings, args) -> int:
    import os

    settings.ensure_dirs()
    url = _with_prefect(settings)
    from adep.cli.serve import PoolError, deploy_to_pool, ensure_process_pool

    try:
        created = ensure_process_pool(args.pool)
    except PoolError as exc:
        raise UserError(str(exc)) from None
    deploy_to_pool(settings, args.pool, intake_minutes=args.every)
    console.print(f"Work pool {args.pool!r} ({'created' if created else 'already there'}, type process) on the "
                  f"Prefect server {url.removesuffix('/api')}")
    _print_deployments(f"Deployed to {args.pool!r}", args.every)
    auth = " PREFECT_API_AUTH_STRING=..." if os.environ.get("PREFECT_API_AUTH_STRING") else ""
    console.print("Start a worker on each machine with adep installed and the home mounted at "
                  f"{settings.home}:\n  PREFECT_API_URL={url}{auth} prefect worker start --pool {args.pool}", soft_wrap=True)
    if url.startswith(("http://127.0.0.1", "http://localhost")):
        console.print("(this server listens on this machine only: workers elsewhere need a server they can reach; "
                      "see docs/operations.md)")
    return 0


def cmd_server(settings: Settings, args) -> int:
    from adep.cli import engine

    configured = engine.configured_api_url()
    if configured:
        console.print(f"adep uses the Prefect server at {configured.removesuffix('/api')} (PREFECT_API_URL) "
                      "and starts none of its own.")
    if args.server_command == "start":
        if configured:
            return 0
        engine.use_prefect(settings)  # the server, and the warm process beside it
        server = engine.running_server(settings)
    elif args.server_command == "stop":
        server = engine.stop_local_server(settings)
        if server is None:
            console.print(f"No local Prefect server runs for {settings.home}.")
            return 0 if configured else 1
        console.print(f"Stopped the local Prefect server of {settings.home} (pid {server.pid}, {server.ui_url}).")
        return 0
    else:
        server = engine.running_server(settings)
    if server is None:
        console.print(f"No local Prefect server runs for {settings.home}; the next command that runs a flow starts one.")
        return 0 if configured else 1
    _print_server(settings, server)
    return 0


def _print_server(settings: Settings, server) -> None:
    from datetime import datetime, timezone
    from zoneinfo import ZoneInfo

    from adep.cli import engine
    from adep.cli import warm as engine_warm

    folder = engine.server_dir(settings)
    since = datetime.fromisoformat(server.started_at)
    up = int((datetime.now(timezone.utc) - since).total_seconds() // 60)
    table = Table(title=f"Local Prefect server of {settings.home}", show_header=False, show_edge=False)
    table.add_column("", style="bold")
    table.add_column("")
    table.add_row("address", f"{server.ui_url}  (the Prefect UI; the API is {server.api_url})")
    table.add_row("state", "answering" if engine.is_answering(server.api_url) else "starting (not answering yet)")
    table.add_row("pid", str(server.pid))
    table.add_row("since", f"{since.astimezone(ZoneInfo(settings.timezone)):%Y-%m-%d %H:%M} {settings.timezone} "
                           f"(up {up // 60} h {up % 60} min)")
    warm = engine_warm.read_record(settings.home)
    if warm and engine_warm.is_alive(warm["pid"]):
        table.add_row("warm commands", f"pid {warm['pid']}, {'ready' if warm.get('ready') else 'getting ready'}: "
                                       "intake, rerun and rollup start from it")
    table.add_row("database", str(folder / "prefect.db"))
    table.add_row("log", str(folder / "server.log"))
    table.add_row("stop with", f"adep --home {settings.home} server stop")
    console.print(table)


def cmd_template(settings: Settings, args) -> int:
    from adep.forms.writer import write_template
    from contracts.bin import is_valid_bin
    from warehouse.db import open_reader

    period = parse_period(args.period)
    if not is_valid_bin(args.bin):
        raise UserError(f"{args.bin!r} is not a valid BIN (12 digits with a check digit)")
    body = None
    if settings.warehouse_path.exists():
        con = open_reader(settings)
        body = con.execute("select name_kk, name_ru from bodies_in_period(?, ?) where bin = ?",
                           [period.year, period.quarter, args.bin]).fetchall()
        body = body[0] if body else None
        con.close()
    out = args.out or settings.exports_dir / f"1-әу_{args.bin}_{period}.xlsx"
    out.parent.mkdir(parents=True, exist_ok=True)
    write_template(out, bin=args.bin, period=period, body_name=(body[0] if body else ""))
    console.print(f"Blank form for {args.bin} ({body[0] if body else 'not in the registry'}), {period}: {out}")
    return 0


def cmd_demo(settings: Settings, args) -> int:
    from adep.cli.demo import prepare_home, run_demo

    prepare_home(settings)
    url = _with_prefect(settings)
    code = run_demo(settings, bodies=args.bodies, period=parse_period(args.period) if args.period else None, seed=args.seed)
    console.print(f"The runs, their tasks and logs are in the Prefect UI: {url.removesuffix('/api')}")
    return code


def cmd_rollup(settings: Settings, args) -> int:
    period = parse_period(args.period)
    if not settings.warehouse_path.exists():
        raise UserError(f"there is no warehouse in {settings.home} yet: load the registry and run 'adep intake' first")
    _with_prefect(settings)
    from flows.rollup import rollup
    from warehouse.db import WarehouseBusy

    try:
        with waited_for_run():
            results = rollup(str(period), stage=args.stage, home=str(settings.home), wait_seconds=getattr(args, "wait", 0.0))
    except WarehouseBusy as exc:
        raise UserError(str(exc)) from None
    print_rollups(results, period)
    return 0


def cmd_status(settings: Settings, args) -> int:
    from adep.outputs.status import print_status

    period = parse_period(args.period)
    with published_warehouse(settings, "load the registry first") as con:
        print_status(console, con, period)
    return 0


def cmd_export(settings: Settings, args) -> int:
    from adep.outputs.export import ExportError, write_consolidated

    period = parse_period(args.period)
    out = args.out or settings.exports_dir / f"1-әу_{args.level}_{period}.xlsx"
    with published_warehouse(settings, "nothing to export") as con:
        try:
            result = write_consolidated(con, period, args.level, out)
        except ExportError as exc:
            raise UserError(str(exc)) from None
    console.print(f"Consolidated form 1-әу, {args.level}, {period} (version {result.version_id}, covers "
                  f"{result.covered_count} of {result.expected_count} expected reports): {result.path}")
    return 0


def cmd_report(settings: Settings, args) -> int:
    from adep.outputs.report import write_quarter_report

    period = parse_period(args.period)
    out = args.out or settings.exports_dir / f"report_{period}.html"
    with published_warehouse(settings, "load the registry and run 'adep intake' first") as con:
        path = write_quarter_report(con, period, out)
    console.print(f"The quarter {period} as a picture: {path}")
    return 0
