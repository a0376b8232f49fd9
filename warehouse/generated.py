"""The parts of the views written from the form's data: one column per indicator, the regions and their spellings.

A view file marks a generated part with a line holding only a placeholder such as {{indicator_columns}};
create_views fills it in from contracts/ every time the views are made, so a new indicator (or a region's new
spelling) needs no SQL edit.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from contracts.form import Indicator, indicators
from contracts.regions import Region, regions

_CODE = re.compile(r"\d+(\.\d+)*")


def wide_column(code: str) -> str:
    """The column of report_values_wide that holds a row code: row_3_1 for 3.1."""
    if not _CODE.fullmatch(code):
        raise ValueError(f"row code {code!r} is not digits separated by dots")
    return "row_" + code.replace(".", "_")


def literal(text: str | int | None) -> str:
    """An SQL literal for a value from the form's data files (view definitions take no parameters)."""
    if text is None:
        return "null"
    if isinstance(text, int):
        return str(text)
    return "'" + str(text).replace("'", "''") + "'"


def indicator_columns(items: Iterable[Indicator]) -> str:
    """One pivoted column per indicator, in the order of the printed form."""
    return ",\n".join(f"        max(v.value) filter (where v.code = {literal(i.code)}) as {wide_column(i.code)}"
                      for i in items)


def region_rows(items: Iterable[Region]) -> str:
    """The regions as rows of a values list."""
    return ",\n".join(
        "        (" + ", ".join(literal(x) for x in (r.code, r.position, r.kind, r.name_en, r.name_kk, r.name_ru)) + ")"
        for r in items)


def region_spelling_rows(items: Iterable[Region]) -> str:
    """Every accepted spelling of every region, as (spelling, code) rows of a values list."""
    return ",\n".join(f"        ({literal(s)}, {literal(r.code)})" for r in items for s in r.spellings)


def render_view(sql: str, items: Iterable[Indicator] | None = None) -> str:
    """A view file with its generated parts filled in (items: the indicators, the form's own by default)."""
    parts = {
        "{{indicator_columns}}": lambda: indicator_columns(indicators() if items is None else items),
        "{{region_rows}}": lambda: region_rows(regions()),
        "{{region_spelling_rows}}": lambda: region_spelling_rows(regions()),
    }
    return "\n".join(parts[line.strip()]() if line.strip() in parts else line for line in sql.split("\n"))


def wide_column_comments(rows: Iterable[tuple[str, str, str]]) -> list[str]:
    """Comments on report_values_wide's indicator columns: the row code and the form's labels; rows: (code, kk, ru)."""
    return [
        f"comment on column report_values_wide.{wide_column(code)} is "
        f"{literal(f'Row {code} of form 1-әу: {label_kk} / {label_ru}')}"
        for code, label_kk, label_ru in rows
    ]
