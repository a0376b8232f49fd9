"""Reading the rows of the form's table: each code's value, and a finding wherever a row or a cell is not certain."""
from __future__ import annotations

from adep.intake.cells import cell_ref, column_letter, is_blank, parse_value, text_of
from adep.intake.choices import Reading
from adep.intake.table import Table
from contracts.findings import finding
from contracts.form import codes

Merged = tuple[tuple[int, int], tuple[int, int]]  # ((first row, first col), (last row, last col)), 0-based


def read_table(grid, table: Table, merged: list[Merged], blank_cells, reading: Reading) -> None:
    """Values by row code from the table located.

    blank_cells() gives the sheet's cells that python-calamine reads as blank although they are not, by address: an
    error value ('#REF!') or a formula with no saved value (None); looked up only when a value cell reads blank.
    """
    _choose_block(table, reading)
    _choose_value_column(table, reading)
    merged_value = _merged_over_value_column(merged, table.value_col)
    dated = {}
    for item in table.dates:
        dated.setdefault(item.code, []).append(item)
        ref = cell_ref(item.row, table.code_col)
        note = finding("T10", code=item.code, cell=ref, found=item.text) if item.code else \
            finding("T10", "unknown", cell=ref, found=item.text)
        reading.choose(f"code in {ref}", item.code or "none", "a date where a row code should be", cell=ref, findings=note)
    in_merge = _rows_in_shared_merges(grid, table, merged_value, reading)
    plain: dict[str, tuple[int, bool, str]] = {}  # cells holding a whole number as typed: set by one choice
    for code in codes():
        rs = table.rows.get(code)
        if not rs:
            if code not in dated:
                reading.findings.append(finding("T02", code=code))
            continue
        if len(rs) > 1:
            where = [cell_ref(r, table.code_col) for r in rs]
            reading.choose(f"row {code}", "none", f"the code stands {len(rs)} times", alternatives=where,
                           findings=finding("T03", code=code, cell=where[0], count=len(rs), cells=", ".join(where)))
            continue
        if rs[0] in in_merge:
            continue  # one value merged over several rows: its finding is made once, for all of them
        _read_cell(grid, code, rs[0], table.value_col, merged_value, blank_cells, reading, plain)
    if plain:
        where = list(plain.values())
        reading.choose("values", f"{len(plain)} rows", "whole numbers as typed", cell=f"{where[0][2]}:{where[-1][2]}", values=plain)
        reading.in_order(codes())
    for item in table.unknown:
        _unknown_row(grid, item, table, reading)


def _choose_block(table: Table, reading: Reading) -> None:
    col = table.code_col
    block = table.block
    chosen = f"{cell_ref(block.first, col)}:{cell_ref(block.last, col)}" if block and block.items else "none"
    set_aside = [f"{cell_ref(r, col)} (the columns' numbers 1, 2, 3)" for r in table.numbering]
    notes = []
    for other in table.separate:
        where = f"{cell_ref(other.first, col)}:{cell_ref(other.last, col)}"
        set_aside.append(f"{where} (another numbered table)")
        notes.append(finding("T07", cell=cell_ref(other.first, col), cells=where, table=chosen,
                             codes=", ".join(i.text for i in other.items)))
    for other in table.date_blocks:
        set_aside.append(f"{cell_ref(other.first, col)}:{cell_ref(other.last, col)} (dates apart from the form, no code typed)")
    for other_col, rows in table.other_code_columns:
        cells = [cell_ref(r, other_col) for r in rows]
        set_aside.append(f"column {column_letter(other_col)} ({len(rows)} of the form's codes, fewer than half)")
        notes.append(finding("T13", cell=cells[0], column=column_letter(other_col), count=len(rows),
                             cells=f"{cells[0]}:{cells[-1]}", chosen=column_letter(col)))
    reading.choose("table", chosen, f"the block of code rows matching the form: {table.score} of its {len(codes())} codes",
                   cell=chosen if chosen != "none" else None, set_aside=set_aside, findings=notes)


def _choose_value_column(table: Table, reading: Reading) -> None:
    chosen = column_letter(table.value_col)
    others = [column_letter(c) for c in table.value_alternatives]
    note = None
    if others:
        note = finding("T11", cell=cell_ref(table.block.first, table.value_col) if table.block and table.block.items else None,
                       column=chosen, others=", ".join(others))
    reading.choose("value column", chosen, table.value_basis, cell=table.value_heading_cell, alternatives=others,
                   set_aside=table.value_set_aside, findings=note)


def _merged_over_value_column(merged: list[Merged], value_col: int) -> dict[tuple[int, int], Merged]:
    """Cells of the value column inside a merged range, by (row, col), with the range (its value is at its top left)."""
    out = {}
    for (r0, c0), (r1, c1) in merged:
        if c0 <= value_col <= c1 and (r1 > r0 or c1 > c0):
            for r in range(r0, r1 + 1):
                out[(r, value_col)] = ((r0, c0), (r1, c1))
    return out


def _rows_in_shared_merges(grid, table: Table, merged_value: dict, reading: Reading) -> set[int]:
    """A value cell merged over the rows of several codes: which code it belongs to is unknown (V06, or V07 when 0)."""
    by_range: dict[Merged, list[tuple[str, int]]] = {}
    for code, rs in table.rows.items():
        if len(rs) == 1 and (rs[0], table.value_col) in merged_value:
            by_range.setdefault(merged_value[(rs[0], table.value_col)], []).append((code, rs[0]))
    rows: set[int] = set()
    for ((r0, c0), (r1, c1)), members in by_range.items():
        if len(members) < 2:
            continue
        members.sort(key=lambda m: m[1])
        rows |= {r for _, r in members}
        where = f"{cell_ref(r0, c0)}:{cell_ref(r1, c1)}"
        shared = ", ".join(code for code, _ in members)
        raw = grid[r0][c0] if r0 < len(grid) and c0 < len(grid[r0]) else ""
        value = parse_value(raw)[0]
        if value == 0:
            reading.choose(f"rows {shared}", f"{where} = 0", "one merged cell, empty or 0: every reading gives 0", cell=where,
                           values={code: (0, True, where) for code, _ in members}, alternatives=[f"rows {shared} each"],
                           findings=finding("V07", code=members[0][0], cell=where, codes=shared))
        else:
            reading.choose(f"rows {shared}", "none", "one merged cell over several rows", cell=where, alternatives=[shared],
                           findings=finding("V06", code=members[0][0], cell=where, codes=shared, found=text_of(raw)))
    return rows


def _read_cell(grid, code: str, r: int, c: int, merged_value: dict, blank_cells, reading: Reading, plain: dict) -> None:
    """One row's value; a whole number as typed joins plain (set by one choice for them all), any other reading
    is a choice of its own, an unreadable cell a finding."""
    ref = cell_ref(r, c)
    raw = grid[r][c] if c < len(grid[r]) else ""
    if type(raw) is float and raw >= 0 and raw.is_integer() and (r, c) not in merged_value:
        plain[code] = (int(raw), False, ref)
        return
    basis_prefix = ""
    span = merged_value.get((r, c))
    if span is not None and span[0] != (r, c):
        (r0, c0), (r1, c1) = span
        top = grid[r0][c0] if r0 < len(grid) and c0 < len(grid[r0]) else ""
        if r0 != r:  # the value cell lies under a range that starts on another row: never silently 0
            _merged_from_another_row(code, ref, f"{cell_ref(r0, c0)}:{cell_ref(r1, c1)}", top, reading)
            return
        # merged across columns on this row only: the value stands in the range's first cell
        ref, raw, basis_prefix = cell_ref(r0, c0), top, "merged cell, "
    if raw == "":
        # python-calamine reads an error value and a formula with no saved value as blank: ask the sheet itself.
        hidden = blank_cells()
        if ref in hidden:
            error = hidden[ref]
            reading.findings.append(finding("V08", code=code, cell=ref, found=error) if error else finding("V04", code=code, cell=ref))
            return
    value, blank, rule, shown, basis = parse_value(raw)
    if rule:
        params = {"found": shown}
        if rule == "V05":
            text = shown.replace(" ", "")
            params.update(small=text.replace(",", ".").rstrip("0").rstrip(".") or "0", large=text.replace(",", "").replace(".", ""))
        reading.findings.append(finding(rule, code=code, cell=ref, **params))
        return
    if basis == "number" and not basis_prefix:
        plain[code] = (value, False, ref)  # a whole number (an .xls gives it as an integer)
        return
    reading.choose(f"cell {code}", value, basis_prefix + basis, cell=ref, values={code: (value, blank, ref)})


def _merged_from_another_row(code: str, ref: str, where: str, top, reading: Reading) -> None:
    """A row's value cell covered by a merged range that begins on another row (a wrapped label's value merged over
    both rows, say): the figure, if any, stands on the other row. V06 with a figure, V07 (read as 0) when empty."""
    value = parse_value(top)[0]
    if value == 0:
        reading.choose(f"cell {code}", 0, f"under the merged range {where}, empty or 0: every reading gives 0", cell=ref,
                       values={code: (0, True, ref)}, alternatives=[where],
                       findings=finding("V07", "other_row", code=code, cell=ref, range=where))
        return
    reading.choose(f"cell {code}", "none", f"under the merged range {where}, which begins on another row", cell=ref,
                   alternatives=[where], findings=finding("V06", "other_row", code=code, cell=ref, range=where, found=text_of(top)))


def _unknown_row(grid, item, table: Table, reading: Reading) -> None:
    """A row numbered like the form's but not one of its 40: a figure in it would be lost, so it is never skipped."""
    code_cell = cell_ref(item.row, table.code_col)
    row = grid[item.row]
    raw = row[table.value_col] if table.value_col < len(row) else ""
    value = parse_value(raw)[0]
    if is_blank(raw) or value == 0:
        reading.choose(f"row '{item.text}'", "not read", "not a row of the form; no figure in it", cell=code_cell,
                       alternatives=[code_cell], findings=finding("T09", cell=code_cell, found=item.text))
        return
    reading.choose(f"row '{item.text}'", "not read", "not a row of the form", cell=code_cell, alternatives=[code_cell],
                   findings=finding("T08", cell=code_cell, found=item.text, value=text_of(raw),
                                    value_cell=cell_ref(item.row, table.value_col)))

