"""The registry's writes: a load replaces every row of the registry in one transaction and is numbered.

adep.registry reads and checks the file; this module writes what it found good (SQL in sql/registry/).
"""
from __future__ import annotations

import duckdb
import pandas as pd

from warehouse.queries import sql
from warehouse.transaction import transaction

ROW_COLUMNS = ["bin", "name_kk", "name_ru", "kind", "parent_bin", "region", "valid_from", "valid_to"]


def replace_registry(con: duckdb.DuckDBPyConnection, rows: pd.DataFrame, file_name: str, sha256: str) -> int:
    """Record a registry load and make its rows the registry, all in one transaction; returns the load's number."""
    con.register("registry_rows", rows[ROW_COLUMNS])
    try:
        with transaction(con):
            load_id = int(con.execute(sql("registry/next_load_id")).fetchall()[0][0])
            con.execute(sql("registry/insert_load"), {"load_id": load_id, "file_name": file_name, "sha256": sha256,
                                                      "row_count": len(rows)})
            con.execute(sql("registry/delete_rows"))
            con.execute(sql("registry/insert_rows"), {"load_id": load_id})
    finally:
        con.unregister("registry_rows")
    return load_id


def unknown_region_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The regions the registry writes that name no oblast or city for certain."""
    return [region for (region,) in con.execute(sql("registry/unknown_regions")).fetchall()]
