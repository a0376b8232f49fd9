"""Connections for analysts: read-only DuckDB, a SQLAlchemy engine and URL for BI tools, Parquet exports of the views.

All of them read the published copy (home/published/warehouse.duckdb), which every write run replaces atomically;
none of them takes the writer's lock, so a query never delays an intake and an intake never breaks a query.
A connection keeps seeing the publication it opened; a new connect() (and every connection of create_engine())
opens the latest one. All of them can be open together in one process.
"""
from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from adep.files import atomic_path
from adep.settings import Settings, load_settings
from warehouse.db import attach_published, open_published
from warehouse.queries import sql

# The views an analyst outside the project gets as Parquet files (the public surface, interface.md and docs/).
ANALYST_VIEWS = (
    "report_values",
    "report_values_wide",
    "report_values_labelled",
    "national_trend",
    "breakdown_trend",
    "rollup_values",
    "rollup_breakdowns",
    "completeness",
    "missing_reports",
    "intake_log",
    "findings",
    "bodies_by_quarter",
    "body_kinds",
    "indicators",
    "regions",
)


class NoPublishedWarehouse(FileNotFoundError):
    """The home has no published copy yet: nothing has been loaded."""


def _settings(home: str | Path | Settings | None) -> Settings:
    return home if isinstance(home, Settings) else load_settings(home)


def published_path(home: str | Path | Settings | None = None) -> Path:
    """The published copy of a home's warehouse (home: a folder, Settings, or None for $ADEP_HOME/./adep-home)."""
    path = _settings(home).published_path
    if not path.is_file():
        raise NoPublishedWarehouse(
            f"there is no published warehouse at {path} yet: load the registry and run 'adep intake' first")
    return path


def connect(home: str | Path | Settings | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only DuckDB connection to the latest publication of the warehouse, times shown in Asia/Almaty.

    Each call opens the publication in force at that moment; a connection already open keeps its own.
    """
    settings = _settings(home)
    return open_published(published_path(settings), timezone=settings.timezone)


def sqlalchemy_url(home: str | Path | Settings | None = None) -> str:
    """A SQLAlchemy URL for duckdb-engine, read-only, e.g. duckdb:////srv/adep/published/warehouse.duckdb?access_mode=read_only.

    Paste it into a BI tool (Superset: 'DuckDB' database), or pass it to sqlalchemy.create_engine or pandas.read_sql.
    DuckDB shares one instance per path in a process, so while a connection of such an engine stays open (a pooled
    one does), new ones see the same publication; in Python, create_engine() below always sees the latest.
    """
    from sqlalchemy.engine import URL

    url = URL.create("duckdb", database=str(published_path(home)), query={"access_mode": "read_only"})
    return url.render_as_string(hide_password=False)


def create_engine(home: str | Path | Settings | None = None):
    """A read-only SQLAlchemy engine on the published warehouse (for pandas.read_sql and the like).

    Every connection it hands out opens the latest publication as connect() does (no pool keeps an old one).
    """
    import sqlalchemy
    from sqlalchemy.pool import NullPool

    settings = _settings(home)
    path = published_path(settings)
    engine = sqlalchemy.create_engine("duckdb:///:memory:", poolclass=NullPool)

    @sqlalchemy.event.listens_for(engine, "connect")
    def _read_published(dbapi_connection, _record) -> None:
        # Each connection is a private in-memory instance, as connect()'s (see warehouse.db.open_published).
        attach_published(dbapi_connection, path, timezone=settings.timezone)

    return engine


def export_parquet(home: str | Path | Settings | None, out_dir: str | Path,
                   views: tuple[str, ...] = ANALYST_VIEWS) -> list[Path]:
    """Write each view to out_dir/<view>.parquet, plus columns.csv describing every column; returns the files.

    The files are written beside their final names and renamed into place, so a reader never sees half a file.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    con = connect(home)
    try:
        for view in views:
            target = out / f"{view}.parquet"
            with atomic_path(target) as tmp:
                con.table(view).write_parquet(str(tmp), compression="zstd")
            written.append(target)
        columns = con.execute(sql("catalogue"), {"views": list(views)}).fetchall()
    finally:
        con.close()
    catalogue = out / "columns.csv"
    with atomic_path(catalogue) as tmp, open(tmp, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["view", "column", "type", "comment"])
        writer.writerows(columns)
    written.append(catalogue)
    return written
