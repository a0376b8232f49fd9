"""The one transaction helper: every write of the warehouse that must be whole goes through it."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator

import duckdb


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


@contextlib.contextmanager
def rolled_back(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """A transaction that is always rolled back: to see what statements would do, with nothing kept."""
    con.execute("begin transaction")
    try:
        yield con
    finally:
        con.execute("rollback")
