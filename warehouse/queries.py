"""The one way SQL is read from warehouse/: a statement by name, or every file of a folder in name order."""
from __future__ import annotations

from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=None)
def sql(name: str) -> str:
    """The statement in warehouse/sql/<name>.sql; name may start with a folder, as in 'ledger/insert_files'."""
    return resources.files("warehouse").joinpath("sql", *f"{name}.sql".split("/")).read_text(encoding="utf-8")


def sql_files(folder: str) -> list[tuple[str, str]]:
    """Every .sql file of a folder of warehouse/ (migrations, views), in name order: (file name, text)."""
    root = resources.files("warehouse").joinpath(folder)
    return sorted((p.name, p.read_text(encoding="utf-8")) for p in root.iterdir() if p.name.endswith(".sql"))
