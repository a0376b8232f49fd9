"""What a person sees: one console, plain one-line errors, progress bars and the tables commands print."""
from __future__ import annotations

import sys
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from adep import progress
from adep.periods import Period
from adep.settings import Settings

# Piped into a file or a log, tables keep a readable width instead of folding at 80 columns.
console = Console(width=None if sys.stdout.isatty() else 160)


def reset_console() -> None:
    """Bind the console to this process's output again, as at start (a warm command's copy took over a terminal)."""
    console.__init__(width=None if sys.stdout.isatty() else 160)


class UserError(Exception):
    """Something the user can fix: shown as one plain line, exit status 2."""


def parse_period(text: str) -> Period:
    try:
        return Period.parse(text)
    except ValueError as exc:
        raise UserError(str(exc)) from None


@contextmanager
def progress_bar(label: str):
    """A progress bar fed by adep.progress while the work runs."""
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=console, transient=False, disable=not console.is_terminal) as bar:
        task_id = bar.add_task(label, total=None)

        def update(stage: str, done: int, total: int) -> None:
            bar.update(task_id, completed=done, total=total)

        unsubscribe = progress.subscribe(update)
        try:
            yield
        finally:
            unsubscribe()


def print_intake_summary(summary, title: str = "Intake") -> None:
    table = Table(title=title, show_edge=False)
    table.add_column("outcome")
    table.add_column("files", justify="right")
    for key in ("loaded", "warned", "rejected", "duplicate", "superseded", "recovered"):
        table.add_row(key, str(getattr(summary, key)))
    table.add_row("[bold]total", f"[bold]{summary.files}")
    if summary.waiting:
        table.add_row("still being copied (next pass)", str(len(summary.waiting)))
    console.print(table)
    rate = summary.files / summary.seconds if summary.seconds else 0.0
    console.print(f"{summary.files} file(s) in {summary.seconds:.2f} s ({rate:.0f} files/s).")
    if summary.rejected:
        console.print("Rejected files are in rejected/, each with a .findings.txt beside it; "
                      "see also the 'findings' view.")


@contextmanager
def published_warehouse(settings: Settings, missing: str):
    """The readers' copy of the warehouse, or a plain error when there is no warehouse yet."""
    from warehouse.db import open_reader

    if not settings.warehouse_path.exists():
        raise UserError(f"there is no warehouse in {settings.home} yet: {missing}")
    con = open_reader(settings)
    try:
        yield con
    finally:
        con.close()


def print_rollups(results, period) -> None:
    table = Table(title=f"Rollups, {period}", show_edge=False)
    for name in ("level", "version", "published", "covers", "why"):
        table.add_column(name, overflow="fold")
    for r in results:
        table.add_row(r.level, str(r.version_id), "yes" if r.published else "no (unchanged)",
                      f"{r.covered_count} of {r.expected_count}", r.note)
    console.print(table)
