"""Comments on the warehouse views, applied after every (re)creation of the views."""
from __future__ import annotations

import duckdb

from warehouse.queries import sql
from warehouse.transaction import transaction
from warehouse.generated import wide_column_comments


def apply_comments(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Comment the views (sql/comments.sql, and the form's labels on report_values_wide.row_*); returns what failed.

    A comment on a column that a view no longer has is skipped rather than stopping the warehouse from opening;
    the tests require that none is skipped.
    """
    statements = [s.query for s in con.extract_statements(sql("comments"))]
    rows = con.execute("select code, label_kk, label_ru from core_indicators order by position").fetchall()
    statements += wide_column_comments(rows)
    # One transaction is much faster than a commit per comment; only when one fails are they applied one by one.
    try:
        with transaction(con):
            for statement in statements:
                con.execute(statement)
        return []
    except (duckdb.CatalogException, duckdb.BinderException):
        pass
    failed = []
    for statement in statements:
        try:
            con.execute(statement)
        except (duckdb.CatalogException, duckdb.BinderException) as exc:
            failed.append(f"{statement[:80]}: {exc}")
    return failed
