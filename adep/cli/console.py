"""What a person sees: one console, plain one-line errors, progress bars and the tables commands print."""
from __future__ import annotations

import logging
import sys
from contextlib import contextmanager
from datetime import UTC, datetime

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from adep import progress
from adep.calendar import TIMEZONE, shown_time
from adep.errors import UserError, user_error_names
from adep.periods import Period
from adep.settings import Settings

# Piped into a file or a log, tables keep a readable width instead of folding at 80 columns.
console = Console(width=None if sys.stdout.isatty() else 160)


def require_home(settings: Settings) -> None:
    """Refuse a folder that is not an adep home: only 'registry load' and 'demo' make one."""
    if settings.is_home:
        return
    where = "does not exist" if not settings.home.exists() else f"has no {settings.warehouse_path.name}"
    raise UserError(f"{settings.home} is not an adep home (it {where}): check --home or ADEP_HOME, or make a home "
                    f"there with 'adep --home {settings.home} registry load FILE'")


class _HideUserErrors(logging.Filter):
    """Drops the engine's console records of a run that stopped on a user error: the command line says it in one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], UserError):
            return False
        if record.levelno >= logging.ERROR and record.name.startswith("prefect"):
            message = record.getMessage()
            # Prefect writes a failed state as '... encountered an exception WarehouseBusy: ...'.
            return not any(f"exception {name}:" in message for name in user_error_names())
        return True


def hide_user_errors_from_engine_console() -> None:
    """Keep a flow's user error off the terminal as a traceback (the run's log in Prefect still has it).

    Prefect's logging is set up here (it would be at the first flow run) so that the filter can sit on its console
    handler; only there, so the API handler still sends the failure to the run's log.
    """
    from prefect.logging.configuration import ensure_logging_setup
    from prefect.logging.handlers import PrefectConsoleHandler

    ensure_logging_setup()
    # A run that stops early leaves its last event queued at exit, and the events worker says so on the terminal
    # ('Still processing items') while it still delivers it: nothing for the person at the terminal to act on.
    logging.getLogger("EventsWorker").setLevel(logging.ERROR)
    loggers = [logging.getLogger()] + [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)]
    for logger in loggers:
        for handler in getattr(logger, "handlers", []):
            if isinstance(handler, PrefectConsoleHandler) and not any(isinstance(f, _HideUserErrors) for f in handler.filters):
                handler.addFilter(_HideUserErrors())


def reset_console() -> None:
    """Bind the console to this process's output again, as at start (a warm command's copy took over a terminal)."""
    console.__init__(width=None if sys.stdout.isatty() else 160)


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


def print_intake_summary(summary, title: str = "Intake", timezone: str = TIMEZONE) -> None:
    table = Table(title=title, show_edge=False)
    table.add_column("outcome")
    table.add_column("files", justify="right")
    for key in ("loaded", "warned", "rejected", "duplicate", "superseded", "recovered"):
        table.add_row(key, str(getattr(summary, key)))
    table.add_row("[bold]total", f"[bold]{summary.files}")
    if summary.waiting:
        table.add_row("still being copied (next pass)", str(len(summary.waiting)))
    console.print(table)
    if summary.skipped:
        skipped = Table(title="Left alone (adep rerun --all takes them too)", show_edge=False)
        skipped.add_column("why")
        skipped.add_column("files", justify="right")
        for reason, count in summary.skipped.items():
            skipped.add_row(reason, str(count))
        console.print(skipped)
    rate = summary.files / summary.seconds if summary.seconds else 0.0
    console.print(f"{summary.files} file(s) in {summary.seconds:.2f} s ({rate:.0f} files/s), "
                  f"finished {shown_time(datetime.now(UTC), timezone)}.")
    if summary.rejected:
        console.print("Rejected files are in rejected/, each with a .findings.txt beside it; "
                      "see also the 'findings' view.")


@contextmanager
def published_warehouse(settings: Settings):
    """The readers' copy of the warehouse of a home (a folder that is no home is refused)."""
    from warehouse.db import open_reader

    require_home(settings)
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
