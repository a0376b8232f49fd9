"""What each command of the command line does, with progress on long work and tables at the end."""
from __future__ import annotations

from rich.table import Table

from adep.cli.console import (UserError, console, parse_period, print_intake_summary, print_rollups, progress_bar,
                              published_warehouse)
from adep.settings import Settings


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
    for problem in result.unknown_regions:
        console.print(f"  [yellow]unknown region[/] {problem}")
    return 0


def cmd_intake(settings: Settings, args) -> int:
    from flows.intake import intake
    from warehouse.db import WarehouseBusy

    settings.ensure_dirs()
    try:
        with progress_bar("intake"):
            summary = intake(home=str(settings.home), wait_seconds=args.wait)
    except WarehouseBusy as exc:
        raise UserError(str(exc)) from None
    print_intake_summary(summary)
    return 0


def cmd_rerun(settings: Settings, args) -> int:
    from flows.rerun import rerun
    from warehouse.ledger import NothingToRerun
    from warehouse.db import WarehouseBusy

    if not args.file_ids and not args.failed:
        raise UserError("say which files to rerun: adep rerun FILE_ID ... or adep rerun --failed [--period 2026Q3]")
    if args.period:
        parse_period(args.period)
    try:
        summary = rerun(file_ids=args.file_ids or None, failed=args.failed, period=args.period, home=str(settings.home),
                        wait_seconds=getattr(args, "wait", 0.0))
    except (WarehouseBusy, NothingToRerun) as exc:
        raise UserError(str(exc)) from None
    print_intake_summary(summary, title="Rerun")
    return 0


def cmd_serve(settings: Settings, args) -> int:
    import os

    from adep.cli.serve import build_deployments, start_local_server

    settings.ensure_dirs()
    server = None
    if not os.environ.get("PREFECT_API_URL"):
        with console.status("No Prefect server is configured (PREFECT_API_URL): starting a local one..."):
            server, url = start_local_server(args.port)
        os.environ["PREFECT_API_URL"] = url
        console.print(f"Local Prefect server: {url.removesuffix('/api')} (the UI is there too)")
    try:
        from prefect import serve

        deployments = build_deployments(settings, intake_minutes=args.every)
        table = Table(title="Serving (Ctrl-C to stop)", show_edge=False)
        table.add_column("deployment")
        table.add_column("runs")
        table.add_row("intake/intake", f"every {args.every} min, Asia/Almaty")
        table.add_row("close-quarter/ministry-stage", "06:00 the day after the lower-tier deadline (5th, moved past holidays)")
        table.add_row("close-quarter/agency-stage", "06:00 the day after the top-tier deadline (10th, moved past holidays)")
        table.add_row("rerun/rerun", "on demand, from the UI, with file ids or failed=true")
        console.print(table)
        serve(*deployments, print_starting_message=False)
    finally:
        if server is not None:
            server.terminate()
    return 0


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
    from adep.cli.demo import run_demo

    return run_demo(settings, bodies=args.bodies, period=parse_period(args.period) if args.period else None, seed=args.seed)


def cmd_rollup(settings: Settings, args) -> int:
    from flows.rollup import rollup
    from warehouse.db import WarehouseBusy

    period = parse_period(args.period)
    if not settings.warehouse_path.exists():
        raise UserError(f"there is no warehouse in {settings.home} yet: load the registry and run 'adep intake' first")
    try:
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
