"""Opening the warehouse: migrations in order, views from .sql files, one writer at a time, a copy for readers."""
from __future__ import annotations

import contextlib
import fcntl
import functools
import graphlib
import hashlib
import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

from adep.errors import UserError
from adep.files import atomic_path, stale_temporaries
from adep.settings import Settings
from warehouse.comments import apply_comments
from warehouse.generated import render_view
from warehouse.queries import sql as statement, sql_files
# The transaction helper lives below this module (comments use it too); warehouse.db.transaction is the same one.
from warehouse.transaction import transaction

# Each file under views/ creates one view or table macro.
_VIEW_OBJECT = re.compile(r"create\s+or\s+replace\s+(view|macro)\s+(\w+)", re.IGNORECASE)


class WarehouseBusy(UserError, RuntimeError):
    """Another adep process holds the warehouse for writing."""


def migrations() -> list[tuple[int, str, str]]:
    """Numbered schema changes, applied in order: (version, file name, sql)."""
    return [(int(name.split("_", 1)[0]), name, sql) for name, sql in sql_files("migrations")]


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Bring the schema up to the code's version and (re)create the views; returns the schema version."""
    con.execute("create table if not exists schema_version (version integer primary key, file_name varchar, applied_at timestamptz)")
    applied = {v for (v,) in con.execute("select version from schema_version").fetchall()}
    migrated = False
    # Every migration not yet applied, in order: one numbered below the latest applied (branches that reserved
    # their numbers and landed in another order) is applied too, never skipped.
    for version, name, sql in migrations():
        if version not in applied:
            with transaction(con):
                con.execute(sql)
                con.execute("insert into schema_version values (?, ?, now())", [version, name])
            applied.add(version)
            migrated = True
    current = max(applied, default=0)
    # Views, the indicator table and the comments are rebuilt only when what they are made from changed: every
    # command opens the warehouse, and rebuilding them costs more than many a command's own work.
    fingerprint = _objects_fingerprint()
    con.execute("create table if not exists schema_objects (fingerprint varchar)")
    if migrated or con.execute("select fingerprint from schema_objects").fetchall() != [(fingerprint,)]:
        create_views(con)
        seed_indicators(con)
        apply_comments(con)
        with transaction(con):
            con.execute("delete from schema_objects")
            con.execute("insert into schema_objects values (?)", [fingerprint])
    return current


@functools.lru_cache(maxsize=1)
def _objects_fingerprint() -> str:
    """A hash of the view files as they would be made, the column comments and the form's indicators.

    Worked out once per process: what it hashes is the installed package's own files, which a running process does
    not see change (the warm process runs a command cold when adep's files changed since it started)."""
    from contracts.form import indicators

    digest = hashlib.sha256()
    for name, text in _views_in_dependency_order():
        digest.update(f"{name}\n{text}\n".encode())
    digest.update(statement("comments").encode())
    digest.update(repr(indicators()).encode())
    return digest.hexdigest()


def _forget_objects(con: duckdb.DuckDBPyConnection) -> None:
    """Views made by hand (other indicators, tests): the next open makes the form's own again."""
    con.execute("create table if not exists schema_objects (fingerprint varchar)")
    con.execute("delete from schema_objects")


def create_views(con: duckdb.DuckDBPyConnection, indicators=None) -> None:
    """(Re)create every view and macro, with the parts generated from the form's data (indicators: the form's own)."""
    # A view binds the columns of what it reads when it is created, so all are dropped first (none keeps the shape
    # of an older version) and created after what they read, in one transaction (one commit, not sixty).
    ordered = _views_in_dependency_order(indicators)
    _forget_objects(con)
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


def _views_in_dependency_order(indicators=None) -> list[tuple[str, str]]:
    """(object name, sql) of every file under views/, generated parts filled in, each after what its SQL names."""
    objects = {}
    for _, text in sql_files("views"):
        sql = render_view(text, indicators)
        objects[_VIEW_OBJECT.search(sql).group(2)] = sql
    code = {name: re.sub(r"--[^\n]*", "", sql) for name, sql in objects.items()}
    reads = {name: {other for other in objects if other != name and re.search(rf"\b{other}\b", code[name])}
             for name in objects}
    try:
        order = list(graphlib.TopologicalSorter(reads).static_order())
    except graphlib.CycleError:
        order = sorted(objects)
    return [(name, objects[name]) for name in order]


def seed_indicators(con: duckdb.DuckDBPyConnection, items=None) -> None:
    """Keep the indicator table equal to the form's data (items: the form's own indicators), so SQL can join labels."""
    import pandas as pd

    from contracts.form import indicators

    frame = pd.DataFrame([i.__dict__ for i in (indicators() if items is None else items)])
    if items is not None:
        _forget_objects(con)
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
def open_writer(settings: Settings, *, wait_seconds: float = 0.0, replace_copy: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
    """The warehouse for writing: lock, migrate, yield; then checkpoint and replace the readers' (published) copy."""
    with writer_lock(settings, wait_seconds=wait_seconds):
        settings.ensure_dirs()
        con = duckdb.connect(str(settings.warehouse_path), config={"memory_limit": settings.duckdb_memory_limit})
        try:
            migrate(con)
            yield con
            con.execute("checkpoint")
        finally:
            con.close()
        if replace_copy:
            replace_published_copy(settings)


def replace_published_copy(settings: Settings) -> Path:
    """Copy the warehouse to published/ and swap it in atomically, so readers never see half a write."""
    target = settings.published_path
    target.parent.mkdir(parents=True, exist_ok=True)
    # A copy a killed run left half-written; the caller holds the writer lock, so no one else is writing one.
    for stale in stale_temporaries(target):
        stale.unlink(missing_ok=True)
    with atomic_path(target) as tmp:
        shutil.copyfile(settings.warehouse_path, tmp)
    return target


def attach_published(con, path: str | Path, *, timezone: str) -> None:
    """Make a fresh in-memory connection read the published copy the path names now, read-only, as its default."""
    con.execute("attach ? as warehouse (read_only)", [str(path)])
    con.execute("use warehouse")
    con.execute("set TimeZone = ?", [timezone])


def open_published(path: str | Path, *, timezone: str) -> duckdb.DuckDBPyConnection:
    """A read-only connection to a published copy as the path names it now, in a database instance of its own.

    DuckDB keeps one database instance per file path in a process: connecting to the path again reuses the file
    first opened there (a publication replaces the file, it does not rewrite it) and refuses any other
    configuration for it, such as a SQLAlchemy engine's. Attaching the file to a private in-memory instance
    opens what the path names now and shares nothing, so every way of reading can be open at once.
    Times (timestamptz) are shown in the given zone (Settings.timezone, the form's own).
    """
    con = duckdb.connect(":memory:")
    try:
        attach_published(con, path, timezone=timezone)
    except BaseException:
        con.close()
        raise
    return con


def open_reader(settings: Settings) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the latest published copy: never blocks a load, never blocked by one."""
    path = settings.published_path
    if not path.exists():
        # Only the first reader of a home ever gets here: make the copy (or an empty warehouse) as a writer would.
        with open_writer(settings, wait_seconds=60):
            pass
    return open_published(path, timezone=settings.timezone)
