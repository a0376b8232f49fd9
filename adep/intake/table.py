"""Where the form's table stands on a sheet: the column of row codes, the block of rows that is the form, its labels
and its value column, with every other candidate the reader saw kept beside the one it took."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

from adep.intake.cells import cell_ref, column_letter, has_letters, is_blank, looks_numeric, text_of
from contracts.form import code_set, codes, float_codes_map, indicator, normalize_code

_VALUE_HEADINGS = ("жалпы саны", "общее количество")
_THIS_PERIOD = ("есепті", "есептi", "отчетн", "отчётн")
_PREVIOUS = ("өткен", "алдыңғы", "предыдущ", "прошл")
# A code typed in the same cell as its label: '1.1 мемлекеттік қызметшілерге', '3. Мемлекеттік ...', '12. Басқа ...'
_CODE_PREFIX = re.compile(r"^\s*([1-9]\d?(?:\.\d{1,2}){0,2})\.?\s+(?=[^\W\d_])")
# What a row code looks like, on the form or not: '12', '12.', '4.4', '3.6.1'.
_CODE_LIKE = re.compile(r"^\s*([1-9]\d?(?:\.\d{1,2}){0,2})\.?\s*$")
_WORD = re.compile(r"[^\W\d_]{4,}")
# More rows than this between two code rows and the second starts a new block: a form's rows follow each other.
BLOCK_GAP = 4
_MISSING = object()
_short_codes: dict[str, str | None] = {}  # short texts of a code column and the code each is (None: not a code)


@dataclass(frozen=True)
class Item:
    """A row of the code column that holds a code: one of the form's, a date Excel made of one, or another number."""

    row: int
    code: str | None  # the form's code (for a date: the code it probably was); None when not on the form
    text: str  # as the cell shows it (a code of the form: as the form prints it)
    kind: str  # 'code', 'date' or 'unknown'


@dataclass
class Block:
    """Code rows that follow each other in the code column, with no more than BLOCK_GAP rows between two."""

    items: list[Item] = field(default_factory=list)

    @property
    def first(self) -> int:
        return self.items[0].row

    @property
    def last(self) -> int:
        return self.items[-1].row

    @property
    def form_codes(self) -> set[str]:
        return {i.code for i in self.items if i.code is not None}


@dataclass
class Table:
    code_col: int
    label_col: int | None
    value_col: int | None
    rows: dict[str, list[int]]  # code -> grid rows holding it, in the form's block and any fragment of the form
    score: int  # distinct codes of the form located (dates Excel made of codes included)
    same_cell: bool = False  # codes typed in the label's cell
    block: Block | None = None  # the form's own block
    dates: list[Item] = field(default_factory=list)  # code cells holding dates, in the form's rows
    unknown: list[Item] = field(default_factory=list)  # code-like rows that are not on the form, in the form's rows
    separate: list[Block] = field(default_factory=list)  # numbered blocks that are not the form
    numbering: list[int] = field(default_factory=list)  # a column-numbering row (1 | 2 | 3) under the headings
    value_basis: str = ""
    value_heading_cell: str | None = None  # the cell of the value column's heading, when it has one
    value_alternatives: list[int] = field(default_factory=list)  # other columns the values could be in
    value_set_aside: list[str] = field(default_factory=list)
    date_blocks: list[Block] = field(default_factory=list)  # dates alone apart from the form: dates, not codes
    other_code_columns: list[tuple[int, list[int]]] = field(default_factory=list)  # (column, its code rows) not read
    heading_rows: range = range(0)  # the rows of the table's column headings, just above its first code row

    @property
    def table_rows(self) -> set[int]:
        rows = {r for rs in self.rows.values() for r in rs}
        return rows | {i.row for i in self.dates} | {i.row for i in self.unknown}


def date_code(v) -> str | None:
    """The code a date probably was: Excel in a Kazakh or Russian locale turns '3.1' typed in a cell into 3 January."""
    code = f"{v.day}.{v.month}"
    return code if code in code_set() else None


def locate_table(grid: list[list], merged=()) -> Table | None:
    """The form's table on a sheet: the column of row codes with most of the form's codes, its blocks, labels and
    values; merged: the sheet's merged ranges, ((first row, first col), (last row, last col)), 0-based."""
    tables = locate_tables(grid, merged)
    return tables[0] if tables else None


def locate_tables(grid: list[list], merged=()) -> list[Table]:
    """Every table of the form on a sheet, the one with most of its codes first: two copies side by side (a
    Kazakh and a Russian one, say) are two candidates for the report, never one silently dropped."""
    hits: dict[int, dict[str, list[int]]] = {}
    dated: dict[int, dict[str, list[int]]] = {}
    prefixed: dict[int, dict[str, list[int]]] = {}
    float_codes, known_codes = float_codes_map(), code_set()
    for r, row in enumerate(grid):
        for c, v in enumerate(row):
            # Cheap rejections first: most cells are blank, long labels, or numbers that are not codes.
            kind = type(v)
            if kind is str:
                if len(v) > 8:
                    if v[:1].isdigit() or v[:1].isspace():
                        m = _CODE_PREFIX.match(v)
                        code = normalize_code(m.group(1)) if m else None
                        if code is not None:
                            prefixed.setdefault(c, {}).setdefault(code, []).append(r)
                    continue
                # A short text is a code as typed or nothing (blank, a word, a number that is not a code): a code
                # typed before its label needs more room than this.
                code = _short_codes.get(v, _MISSING)
                if code is _MISSING:
                    code = normalize_code(v)
                    if len(_short_codes) < 4096:  # the same few texts ('', '1', '1.1', ...) in every file
                        _short_codes[v] = code
            elif kind is float:
                code = float_codes.get(v)
                if code is None and not v.is_integer():
                    code = float_codes.get(round(v, 6))  # 1.1000000000000001 from a computation
            elif kind is int:
                code = str(v) if str(v) in known_codes else None
            elif kind is date or kind is datetime:
                code = date_code(v)
                if code is not None:
                    dated.setdefault(c, {}).setdefault(code, []).append(r)
                continue
            else:
                continue
            if code is not None:
                hits.setdefault(c, {}).setdefault(code, []).append(r)
    columns, dropped = _code_columns(hits, dated)
    same_cell = not columns
    if same_cell:
        columns, dropped = _code_columns(prefixed, {})
        columns, dropped = columns[:1], dropped + columns[1:]
        if not columns:
            return []
    candidates = prefixed if same_cell else hits
    bounds = sorted(columns)
    tables = []
    for code_col in columns:
        # A table ends where the next one's code column begins: its values are never the other table's.
        limit = next((c for c in bounds if c > code_col), None)
        view = grid if limit is None else [row[:limit] for row in grid]
        coded = {r: code for code, rs in candidates.get(code_col, {}).items() for r in rs}
        tables.append(_table_in_column(view, code_col, same_cell, merged, coded))
    for table in tables:
        # Another column holding dotted codes of the form, too few for a table of its own: said, never dropped.
        table.other_code_columns = [(c, sorted(r for rs in candidates.get(c, {}).values() for r in rs)) for c in dropped
                                    if sum("." in k for k in candidates.get(c, {})) > 0]
    return tables


def _code_columns(hits: dict[int, dict[str, list[int]]], dated: dict[int, dict[str, list[int]]]) -> tuple[list[int], list[int]]:
    """The code column (the one with most dotted codes: 1.1 and 11.3 only appear in a code column, plain numbers
    also among values), then any other holding half of the form's codes or more.

    Dates count as the codes they probably were only in a column that also holds codes as typed: a column of
    dates alone is a column of dates. Returns the columns taken and those with codes enough to rank but too few
    to be a table (set aside).
    """
    keys = {}
    for c in set(hits) | set(dated):
        seen = set(hits.get(c, {}))
        if len(seen) >= 3:
            seen |= set(dated.get(c, {}))
        keys[c] = (sum("." in k for k in seen), len(seen), -c)
    ranked = sorted((c for c, k in keys.items() if k[1] >= 5 and k[0] > 0), key=keys.get, reverse=True)
    taken = ranked[:1] + [c for c in ranked[1:] if keys[c][1] >= len(codes()) // 2]
    return taken, [c for c in ranked if c not in taken]


def _table_in_column(grid, code_col: int, same_cell: bool, merged, coded: dict[int, str]) -> Table:
    items, numbering = _code_items(grid, code_col, same_cell, coded)
    blocks = _blocks(items)
    form = max(blocks, key=lambda b: (len(b.form_codes), sum("." in c for c in b.form_codes), -b.first))
    table = Table(code_col, None, None, {}, 0, same_cell=same_cell, block=form, numbering=numbering)
    for block in blocks:
        has_codes = any(i.kind == "code" for i in block.items)
        if block is not form and not has_codes and any(i.kind == "date" for i in block.items):
            table.date_blocks.append(block)  # dates alone, apart from the form: dates, not codes (set aside)
            continue
        if block is form or _form_like(grid, block, code_col, same_cell):
            for item in block.items:
                if item.kind == "code":
                    table.rows.setdefault(item.code, []).append(item.row)
                elif item.kind == "date":
                    table.dates.append(item)
                else:
                    table.unknown.append(item)
        elif not block.form_codes:
            # Rows numbered past the form, apart from it ('12. Басқа да іс-шаралар'): still a figure, when labelled.
            table.unknown.extend(i for i in block.items if _label_text(grid[i.row], code_col, same_cell))
        else:
            table.separate.append(block)
    table.score = len(set(table.rows) | {i.code for i in table.dates})
    table.label_col = code_col if same_cell else _label_column(grid, table.rows, code_col)
    _value_column(grid, table, merged)
    return table


def _code_items(grid, code_col: int, same_cell: bool, coded: dict[int, str]) -> tuple[list[Item], list[int]]:
    """Every row of the code column holding a code-like cell, and the column-numbering rows set aside;
    coded: the rows already known to hold a code of the form in this column."""
    items, numbering = [], []
    for r, row in enumerate(grid):
        v = row[code_col] if code_col < len(row) else ""
        if v == "" or v is None:
            continue
        code = coded.get(r)
        if code is not None:
            if code == "1" and _is_numbering_row(row, code_col):
                numbering.append(r)
            else:
                items.append(Item(r, code, code, "code"))
            continue
        if isinstance(v, (date, datetime)):
            # A date with a row's label beside it: Excel's reading of a code. A date alone (a signing date) is not.
            if any(has_letters(x) for x in row[code_col + 1:]):
                items.append(Item(r, date_code(v), f"{v.day:02d}.{v.month:02d}", "date"))
            continue
        if isinstance(v, str):
            if same_cell:
                m = _CODE_PREFIX.match(v)
            elif len(v) > 12 or not v.strip()[:1].isdigit():
                continue  # a label or a heading, not a number
            else:
                m = _CODE_LIKE.match(v)
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            m = _CODE_LIKE.match(text_of(v) if not isinstance(v, float) or v.is_integer() else repr(round(v, 6)))
        else:
            continue
        if m is None:
            continue
        raw = m.group(1)
        code = normalize_code(raw)
        if code is not None:  # a code of the form the first look missed (typed in a label's cell, say)
            items.append(Item(r, code, text_of(v), "code"))
        elif same_cell or any(not is_blank(x) for x in row[code_col + 1:]):
            items.append(Item(r, None, raw, "unknown"))
    return items, numbering


def _is_numbering_row(row, code_col: int) -> bool:
    """The row under the headings that numbers the columns 1 | 2 | 3: not a row of the form."""
    rest = [x for x in row[code_col + 1:] if not is_blank(x)]
    if len(rest) < 2:
        return False
    try:
        numbers = [float(text_of(x)) for x in rest]
    except ValueError:
        return False
    return numbers == [float(n) for n in range(2, len(rest) + 2)]


def _blocks(items: list[Item]) -> list[Block]:
    """Split the code rows where a gap opens or the numbering starts again at row 1 of the form."""
    first_code = codes()[0]
    blocks: list[Block] = []
    for item in items:
        current = blocks[-1] if blocks else None
        restart = item.code == first_code and item.kind == "code" and current is not None and any(
            i.code not in (None, first_code) for i in current.items)
        if current is None or item.row - current.last > BLOCK_GAP or restart:
            blocks.append(Block([item]))
        else:
            current.items.append(item)
    return blocks or [Block([])]


def _form_like(grid, block: Block, code_col: int, same_cell: bool) -> bool:
    """A block apart from the form's is a piece of the form (its rows count, twice is a duplicate) when it holds
    sub-rows such as 3.1, dates Excel made of them, or labels of the form's own rows; else it is another table."""
    if any(i.kind == "date" or (i.code and "." in i.code) for i in block.items):
        return True
    coded = [i for i in block.items if i.kind == "code"]
    matching = sum(_label_matches(_label_text(grid[i.row], code_col, same_cell), i.code) for i in coded)
    return bool(coded) and matching * 2 >= len(coded)


def _label_text(row, code_col: int, same_cell: bool) -> str:
    if same_cell:
        return text_of(row[code_col])
    return next((text_of(x) for x in row[code_col + 1:] if has_letters(x)), "")


@lru_cache(maxsize=64)
def _label_words(code: str) -> frozenset[str]:
    ind = indicator(code)
    return frozenset(w.lower().replace("ё", "е") for w in _WORD.findall(ind.label_kk + " " + ind.label_ru))


def _label_matches(text: str, code: str) -> bool:
    words = [w.lower().replace("ё", "е") for w in _WORD.findall(text)][:8]
    return bool(words) and 2 * sum(w in _label_words(code) for w in words) >= len(words)


def _label_column(grid, rows, code_col) -> int | None:
    counts: dict[int, int] = {}
    for rs in rows.values():
        for r in rs:
            for c in range(code_col + 1, len(grid[r])):
                if has_letters(grid[r][c]):
                    counts[c] = counts.get(c, 0) + 1
                    break
    return max(counts, key=lambda c: (counts[c], -c)) if counts else None


def _value_column(grid, table: Table, merged) -> None:
    """The column headed 'Есепті кезеңдегі жалпы саны' (or 'Общее количество ...'), else the first right of the
    labels holding numbers; other columns holding numbers are alternatives unless a heading rules them out."""
    rows = sorted({r for rs in table.rows.values() for r in rs})
    if not rows:
        table.value_col, table.value_basis = (table.label_col or table.code_col) + 1, "no rows"
        return
    left = table.label_col if table.label_col is not None else table.code_col
    width = max(len(grid[r]) for r in rows)
    numbers = {c: [grid[r][c] for r in rows if c < len(grid[r]) and looks_numeric(grid[r][c])] for c in range(left + 1, width)}
    numeric = [c for c, figures in numbers.items() if figures]
    table.heading_rows = _heading_rows(grid, rows[0], table.code_col, left)
    headed = _headed_columns(grid, rows[0], left, merged)
    this_period = [c for c, text in headed if any(w in text for w in _THIS_PERIOD)]
    heading_cols = this_period or [c for c, _ in headed]
    if heading_cols:
        # A heading merged over two columns heads both: the one holding numbers is the value column.
        with_numbers = [c for c in heading_cols if numbers.get(c)]
        chosen = with_numbers[0] if with_numbers else heading_cols[0]
        table.value_col, table.value_basis = chosen, "headed '" + dict(headed)[chosen][:40] + "'"
        table.value_heading_cell = _heading_cell(grid, rows[0], chosen, merged)
        table.value_alternatives = [c for c in with_numbers[1:] if _numbers(numbers[c]) != _numbers(numbers[chosen])]
        if not numbers.get(chosen):
            # The headed column holds no number at all while another does (a heading merged over two columns):
            # the values may be in either.
            table.value_alternatives += [c for c in numeric if c != chosen and c not in table.value_alternatives]
        table.value_set_aside = [f"{column_letter(c)} (not the heading of this period's totals)" for c in numeric
                                 if c != chosen and c not in table.value_alternatives]
        return
    # A column headed as another period's figures ('Өткен кезең', 'Предыдущий период') is not this period's.
    previous = {c for c, text in _headed_columns(grid, rows[0], left, merged, _PREVIOUS)}
    table.value_set_aside = [f"{column_letter(c)} (headed as another period)" for c in numeric if c in previous]
    numeric = [c for c in numeric if c not in previous]
    if not numeric:
        table.value_col, table.value_basis = left + 1, "no column holds this period's numbers; the first right of the labels"
        return
    chosen = numeric[0]
    table.value_col, table.value_basis = chosen, "no heading; the first column right of the labels holding numbers"
    enough = max(3, len(rows) // 4)
    table.value_alternatives = [c for c in numeric[1:] if len(numbers[c]) >= enough and
                                _numbers(numbers[c]) != _numbers(numbers[chosen])]
    table.value_set_aside += [f"{column_letter(c)} (numbers in too few rows, or the same numbers)" for c in numeric[1:]
                              if c not in table.value_alternatives]


def _heading_rows(grid, first_row: int, code_col: int, left: int) -> range:
    """The rows of the table's column headings: from the lowest row above the table with text over the code or label
    column ('№', 'Көрсеткіштер') down to the table. A cell there right of the labels heads a column: its words (a
    period, 'жиынтық') describe that column, never the report."""
    for r in range(first_row - 1, max(first_row - 8, -1), -1):
        row = grid[r]
        if any(c < len(row) and has_letters(row[c]) for c in range(code_col, left + 1)):
            return range(r, first_row)
    return range(0)


def _heading_cell(grid, first_row: int, col: int, merged) -> str | None:
    """Where the value column's heading stands (a heading merged over two columns stands in its first)."""
    spans = [(r0, c0) for (r0, c0), (_r1, c1) in merged if c0 <= col <= c1]
    for r in range(first_row - 1, max(first_row - 15, -1), -1):
        for r0, c0 in [(r, col)] + [(r0, c0) for r0, c0 in spans if r0 == r]:
            v = grid[r0][c0] if c0 < len(grid[r0]) else ""
            if isinstance(v, str) and any(h in text_of(v).lower() for h in _VALUE_HEADINGS):
                return cell_ref(r0, c0)
    return None


def _headed_columns(grid, first_row: int, left: int, merged, headings=_VALUE_HEADINGS) -> list[tuple[int, str]]:
    """Columns right of the labels headed with one of headings (by default the form's value column), in the rows
    just above the table (a heading merged across columns heads each of them)."""
    spans = {(r0, c0): c1 for (r0, c0), (_r1, c1) in merged}
    headed: dict[int, str] = {}
    for r in range(first_row - 1, max(first_row - 15, -1), -1):
        for c, v in enumerate(grid[r]):
            if c > left and isinstance(v, str):
                low = text_of(v).lower()
                if any(h in low for h in headings):
                    for cc in range(c, spans.get((r, c), c) + 1):
                        headed.setdefault(cc, low)
    return sorted(headed.items())


def _numbers(figures: list) -> list[float | None]:
    out = []
    for v in figures:
        try:
            out.append(float(str(v).strip().replace(",", ".")))
        except ValueError:
            out.append(None)
    return out
