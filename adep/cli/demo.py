"""The demo: a generated country and one quarter, from an empty home through intake, rollups, exports and status."""
from __future__ import annotations

import shutil
import time
from datetime import date

from rich.table import Table

from adep.cli.console import (UserError, console, hide_user_errors_from_engine_console, print_intake_summary,
                              print_rollups, progress_bar, published_warehouse)
from adep.periods import Period
from adep.settings import Settings

MARKER = ".adep-demo"


def prepare_home(settings: Settings) -> None:
    """Start from an empty home; a previous demo's home is cleared, anything else is left alone."""
    home = settings.home
    # The home's Prefect server (its database is in .prefect/) may be running: it stays, with its history.
    contents = [p for p in home.iterdir() if p.name != ".prefect"] if home.exists() else []
    if contents:
        if not (home / MARKER).exists():
            raise UserError(f"{home} is not empty and was not made by the demo; give the demo an empty folder with --home")
        for path in contents:
            shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
    settings.ensure_dirs()
    (home / MARKER).write_text("made by adep demo; the next demo clears this folder\n", encoding="utf-8")


def run_demo(settings: Settings, *, bodies: int, period: Period | None, seed: int) -> int:
    from adep.registry import load_registry
    from adep.sample.quarter import make_quarter
    from adep.sample.registry import make_registry, write_registry_csv
    from warehouse.db import open_writer

    period = period or Period.last_ended(date.today())
    started = time.perf_counter()
    timings: dict[str, float] = {}
    hide_user_errors_from_engine_console()
    from flows.intake import intake

    t = time.perf_counter()
    registry_csv = settings.home / "registry.csv"
    with console.status(f"Generating a country of {bodies:,} bodies and its reports for {period}..."):
        registry = make_registry(bodies, seed=seed)
        write_registry_csv(registry, registry_csv)
        manifest = make_quarter(registry, period, settings.intake_dir, seed=seed)
    timings["generate"] = time.perf_counter() - t
    console.print(f"Generated {len(registry):,} registry rows and {len(manifest.entries):,} report files "
                  f"({len(manifest.missing_bins)} bodies send nothing) in {settings.intake_dir}.")

    t = time.perf_counter()
    with open_writer(settings) as con:
        load = load_registry(con, registry_csv)
    timings["registry"] = time.perf_counter() - t
    console.print(f"Registry loaded: {load.rows:,} rows, {load.bodies:,} bodies.")

    t = time.perf_counter()
    with progress_bar("intake"):
        summary = intake(home=str(settings.home))
    timings["intake"] = time.perf_counter() - t
    print_intake_summary(summary, timezone=settings.timezone)

    timings.update(_after_intake(settings, period))
    timings["total"] = time.perf_counter() - started
    table = Table(title=f"Demo {period}: time per step", show_edge=False)
    table.add_column("step")
    table.add_column("seconds", justify="right")
    for step, seconds in timings.items():
        table.add_row(step, f"{seconds:.2f}")
    console.print(table)
    console.print(f"Home: {settings.home}   Warehouse for analysts: {settings.published_path}")
    return 0


def _after_intake(settings: Settings, period: Period) -> dict[str, float]:
    """Both rollup stages, the Agency's export and the status table for the quarter."""
    from adep.outputs.export import ExportError, default_export_name, write_consolidated
    from adep.outputs.status import print_status
    from flows.rollup import rollup

    timings = {}
    t = time.perf_counter()
    print_rollups(rollup(str(period), stage="all", home=str(settings.home)), period)
    timings["rollup"] = time.perf_counter() - t
    t = time.perf_counter()
    with published_warehouse(settings) as con:
        try:
            result = write_consolidated(con, period, "agency", settings.exports_dir / default_export_name("agency", period))
            console.print(f"Consolidated form 1-әу, agency, {period}: {result.path}")
        except ExportError as exc:
            console.print(f"[yellow]{exc}[/]")
        timings["export"] = time.perf_counter() - t
        t = time.perf_counter()
        print_status(console, con, period, settings=settings)
        timings["status"] = time.perf_counter() - t
    return timings
