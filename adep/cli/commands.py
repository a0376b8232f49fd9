"""What each command of the command line does, with progress on long work and tables at the end."""
from __future__ import annotations

from rich.markup import escape
from rich.table import Table

from adep.cli.console import (UserError, console, hide_user_errors_from_engine_console, parse_period,
                              print_intake_summary, print_rollups, progress_bar, published_warehouse, require_home)
from adep.cli.engine import ServerError, use_prefect, waited_for_run
from adep.settings import Settings


def _with_prefect(settings: Settings) -> str:
    """The Prefect server this command's flows report to (the home's local one, started if need be)."""
    try:
        return use_prefect(settings)
    except ServerError as exc:
        raise UserError(str(exc)) from None


def cmd_registry(settings: Settings, args) -> int:
    from adep.registry import RegistryError, load_registry, read_registry, validate_registry
    from warehouse.db import open_writer

    try:
        # Read and checked before the warehouse is opened, so a bad file never makes a home.
        frame = read_registry(args.file)
        validate_registry(frame)
        with open_writer(settings, wait_seconds=getattr(args, "wait", 0.0)) as con:
            result = load_registry(con, args.file, frame=frame)
    except RegistryError as exc:
        head = "[bold red]adep:[/] the registry was not loaded, nothing changed"
        if len(exc.problems) == 1:
            console.print(f"{head}: {escape(exc.problems[0])}", soft_wrap=True)
        else:
            console.print(f"{head}; {len(exc.problems)} problems:", soft_wrap=True)
            for problem in exc.problems[:200]:
                console.print(f"  {escape(problem)}", soft_wrap=True)
        return 1
    console.print(f"Registry load {result.registry_load_id}: {result.rows} row(s), {result.bodies} bodies "
                  f"(read as {result.read_as}).")
    for problem in result.unknown_regions:
        console.print(f"  [yellow]unknown region[/] {escape(problem)}", soft_wrap=True)
    return 0


def cmd_intake(settings: Settings, args) -> int:
    require_home(settings)
    _with_prefect(settings)
    hide_user_errors_from_engine_console()
    from flows.intake import intake

    settings.ensure_dirs()
    with progress_bar("intake"), waited_for_run():
        summary = intake(home=str(settings.home), wait_seconds=args.wait)
    print_intake_summary(summary, timezone=settings.timezone)
    return 0


def cmd_rerun(settings: Settings, args) -> int:
    from warehouse.ledger import require_rejected

    everything = getattr(args, "all_rejected", False)
    if not args.file_ids and not args.failed and not everything:
        raise UserError("say which files to rerun: adep rerun FILE_ID ..., adep rerun --failed [--period 2026Q3], "
                        "or adep rerun --all")
    if args.file_ids and everything:
        raise UserError("give file ids or --all, not both")
    period = parse_period(args.period) if args.period else None
    require_home(settings)
    if args.file_ids:
        # Refused here, before a flow run starts, so a wrong id is one plain line; the flow checks again.
        with published_warehouse(settings) as con:
            require_rejected(con, args.file_ids)
    _with_prefect(settings)
    hide_user_errors_from_engine_console()
    from flows.rerun import rerun

    with waited_for_run():
        summary = rerun(file_ids=args.file_ids or None, failed=args.failed or everything,
                        period=str(period) if period else None, home=str(settings.home),
                        wait_seconds=getattr(args, "wait", 0.0), force=everything)
    print_intake_summary(summary, title="Rerun", timezone=settings.timezone)
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
    require_home(settings)
    settings.ensure_dirs()
    url = _with_prefect(settings)  # before anything of Prefect's is loaded, so its settings name this server
    hide_user_errors_from_engine_console()
    console.print(f"Prefect server: {url.removesuffix('/api')} (the Prefect UI is there)")
    from prefect import serve

    from adep.cli.serve import build_deployments
    from adep.cli.submission_watch import SubmissionWatcher

    deployments = build_deployments(settings, intake_minutes=args.every)
    if getattr(args, "portal", None):
        from adep.cli.portal import start_beside_flows

        start_beside_flows(settings, args.portal)
    _print_deployments("Serving (Ctrl-C to stop)", args.every)
    console.print("A report submitted through the portal starts an intake run at once.")
    watcher = SubmissionWatcher(settings)
    watcher.start()
    try:
        serve(*deployments, print_starting_message=False)
    finally:
        watcher.stop()
    return 0


def cmd_portal(settings: Settings, args) -> int:
    from adep.cli.portal import run_portal

    return run_portal(settings, args)


def cmd_deploy(settings: Settings, args) -> int:
    import os

    require_home(settings)
    settings.ensure_dirs()
    url = _with_prefect(settings)  # before anything of Prefect's is loaded, so its settings name this server
    hide_user_errors_from_engine_console()
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

    require_home(settings)
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
    from adep.forms.layout import form_file_name
    from adep.forms.writer import write_template
    from contracts.bin import is_valid_bin
    from warehouse.queries import sql

    period = parse_period(args.period)
    if not is_valid_bin(args.bin):
        raise UserError(f"{args.bin!r} is not a valid BIN (12 digits with a check digit)")
    require_home(settings)
    with published_warehouse(settings) as con:
        body = con.execute(sql("registry/body_in_period"),
                           {"year": period.year, "quarter": period.quarter, "bin": args.bin}).fetchall()
    # A form the intake would reject (findings G01, G02) is not handed out.
    if not body:
        raise UserError(f"BIN {args.bin} is not in the registry for {period}, so a report from it would be rejected: "
                        "check the BIN; if it is right, ask the Agency to add the body and load the registry again")
    name_kk, name_ru, excluded = body[0]
    if excluded:
        raise UserError(f"{name_kk} / {name_ru} ({args.bin}) does not file form 1-әу: law-enforcement and special "
                        "bodies and the Ministry of Defence are excluded (kind 'excluded' in the registry)")
    out = args.out or settings.exports_dir / form_file_name(args.bin, period)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_template(out, bin=args.bin, period=period, body_name=name_kk)
    console.print(f"Blank form for {args.bin} ({name_kk}), {period}: {out}")
    return 0


def cmd_demo(settings: Settings, args) -> int:
    from adep.cli.demo import prepare_home, run_demo

    prepare_home(settings)
    url = _with_prefect(settings)
    code = run_demo(settings, bodies=args.bodies, period=parse_period(args.period) if args.period else None, seed=args.seed)
    console.print(f"The runs, their tasks and logs are in the Prefect UI: {url.removesuffix('/api')}")
    return code


def cmd_rollup(settings: Settings, args) -> int:
    from warehouse.rollups import STAGES, refusal_for_stages

    period = parse_period(args.period)
    force = getattr(args, "force", False)
    require_home(settings)
    with published_warehouse(settings) as con:
        # Refused before the flow starts, so the reason is one line; the flow checks again under the writer's lock.
        reason = refusal_for_stages(con, period, STAGES[args.stage], force=force)
    if reason:
        raise UserError(reason)
    _with_prefect(settings)
    hide_user_errors_from_engine_console()
    from flows.rollup import rollup

    with waited_for_run():
        results = rollup(str(period), stage=args.stage, home=str(settings.home), wait_seconds=getattr(args, "wait", 0.0),
                         force=force)
    print_rollups(results, period)
    return 0


def cmd_status(settings: Settings, args) -> int:
    from adep.outputs.status import print_status

    period = parse_period(args.period)
    with published_warehouse(settings) as con:
        print_status(console, con, period, settings=settings)
    return 0


def cmd_export(settings: Settings, args) -> int:
    from adep.outputs.export import default_export_name, write_consolidated

    period = parse_period(args.period)
    out = args.out or settings.exports_dir / default_export_name(args.level, period)
    with published_warehouse(settings) as con:
        result = write_consolidated(con, period, args.level, out, allow_stale=args.allow_stale)
    console.print(f"Consolidated form 1-әу, {args.level}, {period} (version {result.version_id}, covers "
                  f"{result.covered_count} of {result.expected_count} expected reports): {result.path}", soft_wrap=True)
    if result.stale_note:
        console.print(f"[yellow]Exported although stale (--allow-stale): {result.stale_note}; "
                      f"the form's coverage line says so.[/]", soft_wrap=True)
    return 0


def cmd_report(settings: Settings, args) -> int:
    from adep.outputs.report import write_quarter_report

    period = parse_period(args.period)
    out = args.out or settings.exports_dir / f"report_{period}.html"
    with published_warehouse(settings) as con:
        path = write_quarter_report(con, period, out, timezone=settings.timezone)
    console.print(f"The quarter {period} as a picture: {path}")
    return 0


def cmd_check(settings: Settings, args) -> int:
    """A dry run of the intake: what each file would become, with nothing loaded, moved or written."""
    from adep.cli.check import print_verdicts
    from adep.intake.dry_run import dry_run
    from warehouse.connect import NoPublishedWarehouse, connect
    from warehouse.queries import sql

    from adep.submissions import is_receipt

    missing = [str(p) for p in args.files if not p.is_file()]
    if missing:
        raise UserError(f"not a file: {', '.join(missing)}")
    # A portal receipt is never a report: it is checked with the report beside it, as the intake does.
    args.files = [p for p in args.files if not is_receipt(p.name)]
    if not args.files:
        raise UserError("only portal receipts were given: check the reports beside them")
    require_home(settings)
    try:
        con = connect(settings)
    except NoPublishedWarehouse:
        raise UserError(f"there is no published warehouse in {settings.home}: load the registry first "
                        "(adep registry load FILE)") from None
    try:
        if not con.execute(sql("registry/loaded_count")).fetchall()[0][0]:
            raise UserError(f"the registry in {settings.home} is empty: load it first (adep registry load FILE)")
        verdicts = dry_run(args.files, con, settings)
    finally:
        con.close()
    print_verdicts(verdicts, show_choices=args.choices)
    return 0 if all(v.would_load for v in verdicts) else 1
