"""Opening the warehouse: migrations in order, views from .sql files, one writer at a time, a copy for readers."""
from __future__ import annotations

import contextlib
import fcntl
import graphlib
import os
import re
import shutil
import time
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import duckdb

from adep.errors import UserError
from adep.settings import Settings
from warehouse.comments import apply_comments

VIEW_ORDER_FILE = "order.txt"
# Each file under views/ creates one view or table macro.
_VIEW_OBJECT = re.compile(r"create\s+or\s+replace\s+(view|macro)\s+(\w+)", re.IGNORECASE)


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """One transaction: committed when the block ends, rolled back on any error (or a kill, by DuckDB's log)."""
    con.execute("begin transaction")
    try:
        yield con
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")


class WarehouseBusy(UserError, RuntimeError):
    """Another adep process holds the warehouse for writing."""


def _sql_files(folder: str) -> list[tuple[str, str]]:
    root = resources.files("warehouse").joinpath(folder)
    return sorted((p.name, p.read_text(encoding="utf-8")) for p in root.iterdir() if p.name.endswith(".sql"))


def migrations() -> list[tuple[int, str, str]]:
    """Numbered schema changes, applied in order: (version, file name, sql)."""
    return [(int(name.split("_", 1)[0]), name, sql) for name, sql in _sql_files("migrations")]


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Bring the schema up to the code's version and (re)create the views; returns the schema version."""
    con.execute("create table if not exists schema_version (version integer primary key, file_name varchar, applied_at timestamptz)")
    current = con.execute("select coalesce(max(version), 0) from schema_version").fetchall()[0][0]
    for version, name, sql in migrations():
        if version > current:
            with transaction(con):
                con.execute(sql)
                con.execute("insert into schema_version values (?, ?, now())", [version, name])
            current = version
    create_views(con)
    seed_indicators(con)
    apply_comments(con)
    return current


def create_views(con: duckdb.DuckDBPyConnection) -> None:
    # A view binds the columns of what it reads when it is created, so all are dropped first (none keeps the shape
    # of an older version) and created after what they read, in one transaction (one commit, not sixty).
    ordered = _views_in_dependency_order()
    try:
        with transaction(con):
            _drop_views(con, ordered)
            for _, sql in ordered:
                con.execute(sql)
        return
    except duckdb.CatalogException:
        pass  # an order the names did not reveal: one file at a time, retrying those that fail
    _drop_views(con, ordered)
    pending = ordered
    for _ in range(len(pending) + 1):
        failed = []
        for name, sql in pending:
            try:
                con.execute(sql)
            except duckdb.CatalogException:
                failed.append((name, sql))
        if not failed:
            return
        if len(failed) == len(pending):
            con.execute(failed[0][1])  # raise the real error
        pending = failed


def _drop_views(con: duckdb.DuckDBPyConnection, views: list[tuple[str, str]]) -> None:
    for name, sql in views:
        kind = _VIEW_OBJECT.search(sql).group(1).lower()
        con.execute(f"drop {'view' if kind == 'view' else 'macro table'} if exists {name}")


def _views_in_dependency_order() -> list[tuple[str, str]]:
    """(object name, sql) of every file under views/, each after the views and macros its SQL names."""
    objects = {_VIEW_OBJECT.search(sql).group(2): sql for _, sql in _sql_files("views")}
    code = {name: re.sub(r"--[^\n]*", "", sql) for name, sql in objects.items()}
    reads = {name: {other for other in objects if other != name and re.search(rf"\b{other}\b", code[name])}
             for name in objects}
    try:
        order = list(graphlib.TopologicalSorter(reads).static_order())
    except graphlib.CycleError:
        order = sorted(objects)
    return [(name, objects[name]) for name in order]


def seed_indicators(con: duckdb.DuckDBPyConnection) -> None:
    """Keep the indicator table equal to the form's data, so SQL can join labels."""
    import pandas as pd

    from contracts.form import indicators

    frame = pd.DataFrame([i.__dict__ for i in indicators()])
    with transaction(con):
        con.execute("delete from core_indicators")
        con.execute("insert into core_indicators select code, parent, position, label_kk, label_ru, gloss_en from frame")


@contextlib.contextmanager
def writer_lock(settings: Settings, *, wait_seconds: float = 0.0) -> Iterator[None]:
    """Hold the one-writer lock of a home; wait up to wait_seconds, then raise WarehouseBusy."""
    settings.home.mkdir(parents=True, exist_ok=True)
    fh = open(settings.lock_path, "a+")
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                fh.seek(0)
                holder = fh.read().strip() or "another process"
                fh.close()
                raise WarehouseBusy(
                    f"The warehouse in {settings.home} is being written by {holder}; "
                    "try again when it has finished (analysts can keep reading the published copy)."
                ) from None
            time.sleep(0.2)
    try:
        fh.seek(0)
        fh.truncate()
        fh.write(f"adep process {os.getpid()}")
        fh.flush()
        yield
    finally:
        fcntl.flock(fh, fcntl.LOCK_UN)
        fh.close()


@contextlib.contextmanager
def open_writer(settings: Settings, *, wait_seconds: float = 0.0, publish: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
    """The warehouse for writing: lock, migrate, yield; then checkpoint and publish the readers' copy."""
    with writer_lock(settings, wait_seconds=wait_seconds):
        settings.ensure_dirs()
        con = duckdb.connect(str(settings.warehouse_path), config={"memory_limit": settings.duckdb_memory_limit})
        try:
            migrate(con)
            yield con
            con.execute("checkpoint")
        finally:
            con.close()
        if publish:
            publish_copy(settings)


def publish_copy(settings: Settings) -> Path:
    """Copy the warehouse to published/ and swap it in atomically, so readers never see half a write."""
    target = settings.published_path
    target.parent.mkdir(parents=True, exist_ok=True)
    # A copy a killed run left half-written; the caller holds the writer lock, so no one else is writing one.
    for stale in target.parent.glob(f".{target.name}.*.tmp"):
        stale.unlink(missing_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    shutil.copyfile(settings.warehouse_path, tmp)
    os.replace(tmp, target)
    return target


def open_reader(settings: Settings) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published copy: never blocks a load, never blocked by one."""
    path = settings.published_path
    if not path.exists():
        # Only the first reader of a home ever gets here: make the copy (or an empty warehouse) as a writer would.
        with open_writer(settings, wait_seconds=60):
            pass
    return duckdb.connect(str(path), read_only=True)
