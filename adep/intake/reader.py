"""Reading a form 1-әу workbook by content, not by cell address, as SPEC.md describes."""
from __future__ import annotations

import errno
import hashlib
import io
import os
import re
import stat
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from python_calamine import CalamineWorkbook

from adep.intake.guard import Inspected, UnsafeFile, inspect_workbook
from contracts.findings import Finding, finding
from contracts.form import code_set, float_codes_map, codes, normalize_code

DASHES = {"-", "–", "—", "‒", "−"}
_SPACES = re.compile(r"\s+")
_VALUE_HEADINGS = ("жалпы саны", "общее количество")
_QUARTER_WORDS = r"(?:тоқсан|токсан|квартал)"
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}
# '3 тоқсан', '3-тоқсан', '3-ші тоқсан', '3 квартал', '3-й квартал'
_PERIOD_ARABIC = re.compile(r"(?<!\d)([1-4])\s*-?\s*[^\W\d_]{0,3}\.?\s*" + _QUARTER_WORDS, re.I)
_PERIOD_ROMAN = re.compile(r"(?<![A-ZА-ЯӘІ])(IV|III|II|I)\s*-?\s*[^\W\d_]{0,3}\.?\s*" + _QUARTER_WORDS, re.I)
# A code typed in the same cell as its label: '1.1 мемлекеттік қызметшілерге', '3. Мемлекеттік ...'
_CODE_PREFIX = re.compile(r"^\s*(\d{1,2}(?:\.\d{1,2})?)\.?\s+(?=[^\W\d_])")
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
_BIN_LABEL = re.compile(r"(?<![A-Za-zА-Яа-яӘәІіҢңҒғҮүҰұҚқӨөҺһ])(?:ЖСН\s*/\s*)?(БСН|БИН|BIN)(?![A-Za-zА-Яа-яӘәІіҢңҒғҮүҰұҚқӨөҺһ])", re.I)
_DIGITS12 = re.compile(r"(?<!\d)(\d{12})(?!\d)")
_DATE_TEXT = re.compile(r"(?<!\d)(\d{1,2})[./](\d{1,2})[./](\d{4})(?!\d)")
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_PLACEHOLDER = re.compile(r"^[(\s]*(т\.?\s*а\.?\s*ә|ф\.?\s*и\.?\s*о|қолы|подпись|мөрдің орны|м\.?\s*п\.?)", re.I)
_MONTHS = {
    "қаңтар": 1, "ақпан": 2, "наурыз": 3, "сәуір": 4, "мамыр": 5, "маусым": 6, "шілде": 7, "тамыз": 8,
    "қыркүйек": 9, "қазан": 10, "қараша": 11, "желтоқсан": 12,
    "январ": 1, "феврал": 2, "март": 3, "апрел": 4, "мая": 5, "май": 5, "июн": 6, "июл": 7, "август": 8,
    "сентябр": 9, "октябр": 10, "ноябр": 11, "декабр": 12,
}
# '2026 жылғы «3» қазан', '«03» октября 2026 г.', '3 қазан 2026 ж.'
_DATE_WORDS = re.compile(r"(?:(20\d\d)\s*ж\w*\.?\s*)?[«\"']?\s*(\d{1,2})\s*[»\"']?\s*([^\W\d_]{3,})\s*(?:(20\d\d))?", re.I)
_CONSOLIDATED = re.compile(r"жиынтық|сводн", re.I)

# Header labels in Kazakh and Russian; a cell is a label when its text starts with one of them.
_LABELS = {
    "body_name": ("мемлекеттік органның атауы", "мемлекеттiк органның атауы", "наименование государственного органа", "наименование органа"),
    "commissioner": ("әдеп жөніндегі уәкіл", "әдеп жөнiндегi уәкiл", "уполномоченный по этике", "уполномоченный по вопросам этики"),
    "phone": ("телефон", "тел.", "тел:", "байланыс телефоны", "контактный телефон"),
    "signed_on": ("қол қойылған күні", "қол қойылған күн", "дата подписания", "күні", "дата"),
}


@dataclass
class ReadResult:
    """What one file gave: its fingerprint, header fields, values by row code, and findings."""

    path: str
    sha256: str
    size_bytes: int
    header: dict = field(default_factory=dict)
    values: dict[str, int] = field(default_factory=dict)
    cells: dict[str, str] = field(default_factory=dict)
    blanks: set[str] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)
    readable: bool = True


def read_path(path: str | Path, *, max_file_bytes: int, max_inflated_bytes: int, max_sheet_cells: int) -> ReadResult:
    """Read one file from the intake folder; never raises for what the file contains."""
    p = Path(path)
    try:
        fh = _open_regular(p)
    except UnsafeFile as exc:
        result = ReadResult(path=str(p), sha256=hashlib.sha256(f"not-a-file:{p}".encode("utf-8", "surrogateescape")).hexdigest(), size_bytes=0)
        _fail(result, exc.finding)
        return result
    with fh:
        data = fh.read(max_file_bytes + 1)
        result = ReadResult(path=str(p), sha256=hashlib.sha256(data).hexdigest(), size_bytes=len(data))
        if len(data) > max_file_bytes:
            result.sha256, result.size_bytes = _sha256_rest(fh, data)
            _fail(result, finding("F04", "file_size", bytes=f"{result.size_bytes:,}", limit=f"{max_file_bytes:,}"))
            return result
    try:
        inspected = inspect_workbook(data, max_inflated_bytes=max_inflated_bytes, max_sheet_cells=max_sheet_cells)
        read_workbook(inspected, result, max_sheet_cells=max_sheet_cells)
    except UnsafeFile as exc:
        _fail(result, exc.finding)
    except Exception as exc:  # a parser's complaint about a broken file is a finding, never a crash of the run
        _fail(result, finding("F01", "unreadable", detail=f"{type(exc).__name__}: {exc}"))
    return result


def _open_regular(p: Path):
    """Open a file from intake/ only if it is a regular file there, never following a link.

    discover() already leaves links and special files unread, but a file can be swapped for a link (or a named
    pipe, whose open would wait forever) between that look and this open; O_NOFOLLOW and O_NONBLOCK close the gap.
    """
    try:
        fd = os.open(p, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno != errno.ELOOP:
            raise
        raise UnsafeFile(finding("F02", "not_regular")) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise UnsafeFile(finding("F02", "not_regular"))
    return os.fdopen(fd, "rb")




def _sha256_rest(fh, head: bytes) -> tuple[str, int]:
    h = hashlib.sha256(head)
    size = len(head)
    for chunk in iter(lambda: fh.read(1 << 20), b""):
        h.update(chunk)
        size += len(chunk)
    return h.hexdigest(), size


def _fail(result: ReadResult, found: Finding) -> None:
    result.readable = False
    result.findings.append(found)


def read_workbook(inspected: Inspected, result: ReadResult, *, max_sheet_cells: int) -> None:
    """Find the form's sheet, table and header by content and fill result."""
    wb = CalamineWorkbook.from_filelike(io.BytesIO(inspected.data))
    best = None
    for meta in wb.sheets_metadata:
        try:
            sheet = wb.get_sheet_by_name(meta.name)
        except Exception:  # noqa: BLE001 - a chart sheet or a sheet the reader cannot parse holds no form
            continue
        if sheet.height * max(sheet.width, 1) > max_sheet_cells:
            raise UnsafeFile(finding("F04", "sheet_size", sheet=meta.name, rows=f"{sheet.height:,}", cols=f"{sheet.width:,}"))
        grid = sheet.to_python(skip_empty_area=False)
        table = locate_table(grid)
        if table and (best is None or table.score > best[1].score):
            best = (meta.name, table, grid)
    if best is None:
        _fail(result, finding("T01"))
        return
    sheet_name, table, grid = best
    result.header["sheet"] = sheet_name
    read_values(grid, table, lambda: inspected.formulas_without_value(sheet_name), result)
    result.header.update(read_header(grid, table))


@dataclass
class Table:
    code_col: int
    label_col: int | None
    value_col: int | None
    rows: dict[str, list[int]]  # code -> grid rows holding it
    score: int


def cell_ref(row: int, col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"


def _text(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if v is None:
        return ""
    return _SPACES.sub(" ", str(v)).strip()


def _has_letters(v) -> bool:
    return isinstance(v, str) and any(ch.isalpha() for ch in v)


def locate_table(grid: list[list]) -> Table | None:
    """The column of row codes (the one with most distinct codes of the form), its labels and values."""
    hits: dict[int, dict[str, list[int]]] = {}
    prefixed: dict[int, dict[str, list[int]]] = {}
    float_codes, known_codes = float_codes_map(), code_set()
    for r, row in enumerate(grid):
        for c, v in enumerate(row):
            # Cheap rejections first: most cells are blank, long labels, or numbers that are not codes.
            kind = type(v)
            if kind is float:
                code = float_codes.get(v)
                if code is None and not v.is_integer():
                    code = float_codes.get(round(v, 6))  # 1.1000000000000001 from a computation
            elif kind is str:
                if not v:
                    continue
                if len(v) > 8 or not v.lstrip()[:1].isdigit():
                    if v[:1].isdigit() or v[:1].isspace():
                        m = _CODE_PREFIX.match(v)
                        code = normalize_code(m.group(1)) if m else None
                        if code is not None:
                            prefixed.setdefault(c, {}).setdefault(code, []).append(r)
                    continue
                code = normalize_code(v)
            elif kind is int:
                code = str(v) if str(v) in known_codes else None
            else:
                continue
            if code is not None:
                hits.setdefault(c, {}).setdefault(code, []).append(r)
    found = _best_code_column(hits)
    same_cell = found is None
    if same_cell:
        found = _best_code_column(prefixed)
        if found is None:
            return None
    code_col, rows = found
    rows = {code: _keep_labelled(grid, rs, code_col) for code, rs in rows.items()}
    label_col = code_col if same_cell else _label_column(grid, rows, code_col)
    value_col = _value_column(grid, rows, code_col, label_col)
    return Table(code_col, label_col, value_col, rows, score=len(rows))


def _best_code_column(hits: dict[int, dict[str, list[int]]]) -> tuple[int, dict[str, list[int]]] | None:
    """The column with most dotted codes (1.1, 11.3 only appear in a code column; plain numbers also among values)."""
    if not hits:
        return None
    code_col, rows = max(hits.items(), key=lambda kv: (sum("." in k for k in kv[1]), len(kv[1]), -kv[0]))
    if len(rows) < 5 or not any("." in k for k in rows):
        return None
    return code_col, rows


def _keep_labelled(grid, rs: list[int], code_col: int) -> list[int]:
    """A code seen twice (say a column-numbering row '1 2 3' above the table) counts where it has a label."""
    if len(rs) < 2:
        return rs
    labelled = [r for r in rs if any(_has_letters(v) for v in grid[r][code_col + 1:])]
    return labelled or rs


def _label_column(grid, rows, code_col) -> int | None:
    counts: dict[int, int] = {}
    for rs in rows.values():
        for r in rs:
            for c in range(code_col + 1, len(grid[r])):
                if _has_letters(grid[r][c]):
                    counts[c] = counts.get(c, 0) + 1
                    break
    return max(counts, key=lambda c: (counts[c], -c)) if counts else None


def _value_column(grid, rows, code_col, label_col) -> int | None:
    first_row = min(r for rs in rows.values() for r in rs)
    left = label_col if label_col is not None else code_col
    for r in range(first_row - 1, max(first_row - 15, -1), -1):
        for c, v in enumerate(grid[r]):
            if c > left and isinstance(v, str) and any(h in _text(v).lower() for h in _VALUE_HEADINGS):
                return c
    # No heading: the first column right of the labels that holds numbers in the code rows.
    width = max(len(grid[r]) for rs in rows.values() for r in rs)
    for c in range(left + 1, width):
        numbers = sum(1 for rs in rows.values() for r in rs if c < len(grid[r]) and _looks_numeric(grid[r][c]))
        if numbers:
            return c
    return left + 1


def _looks_numeric(v) -> bool:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return True
    return isinstance(v, str) and bool(re.fullmatch(r"\s*-?\d+(?:[.,]\d+)?\s*", v))


def parse_value(v) -> tuple[int | None, bool, str | None, str | None]:
    """(value, was_blank, error rule, what was found): whole non-negative numbers; blank or a dash is zero."""
    if v is None or (isinstance(v, str) and v.strip().replace("\u00a0", "") == ""):
        return 0, True, None, None
    if isinstance(v, bool) or isinstance(v, (date, datetime)):
        return None, False, "V03", str(v)
    if isinstance(v, str):
        text = v.strip().replace("\u00a0", "").replace(" ", "")
        if text in DASHES:
            return 0, True, None, None
        if re.fullmatch(r"[+-]?\d+(?:[.,]\d+)?", text):
            v = float(text.replace(",", "."))
        else:
            return None, False, "V03", v.strip()
    if isinstance(v, int):
        return (v, False, None, None) if v >= 0 else (None, False, "V02", str(v))
    if isinstance(v, float):
        if v != v or v in (float("inf"), float("-inf")):
            return None, False, "V03", str(v)
        if v < 0:
            return None, False, "V02", _text(v)
        if not v.is_integer():
            # A value computed by a formula may carry binary noise (12.000000000000002): that is still 12.
            if abs(v - round(v)) < 1e-9:
                return int(round(v)), False, None, None
            return None, False, "V01", repr(v)
        return int(v), False, None, None
    return None, False, "V03", str(v)


def read_values(grid, table: Table, formula_cells, result: ReadResult) -> None:
    """The value of every row code; formula_cells() gives the cells holding a formula with no saved value."""
    for code in codes():
        rs = table.rows.get(code)
        if not rs:
            result.findings.append(finding("T02", code=code))
            continue
        if len(rs) > 1:
            where = ", ".join(cell_ref(r, table.code_col) for r in rs)
            result.findings.append(finding("T03", code=code, cell=cell_ref(rs[0], table.code_col), count=len(rs), cells=where))
            continue
        r, c = rs[0], table.value_col
        ref = cell_ref(r, c)
        result.cells[code] = ref
        raw = grid[r][c] if c < len(grid[r]) else ""
        # python-calamine reads a formula with no saved value as blank: look in the sheet's XML before calling it 0.
        if raw == "" and ref in formula_cells():
            result.findings.append(finding("V04", code=code, cell=ref))
            continue
        value, blank, rule, found = parse_value(raw)
        if rule:
            result.findings.append(finding(rule, code=code, cell=ref, found=found))
            continue
        result.values[code] = value
        if blank:
            result.blanks.add(code)


def _label_of(text: str) -> str | None:
    low = text.lower()
    if "ё" in low:
        low = low.replace("ё", "е")
    for key, labels in _LABELS.items():
        for label in labels:
            if low.startswith(label):
                rest = low[len(label):]
                # 'Әдеп жөніндегі уәкілдердің ...' is the title, not the commissioner's label.
                if rest[:1].isalpha() and key != "phone":
                    continue
                return key
    return None


def _filled(v) -> bool:
    """A cell someone filled in: not blank, not underscores, not the form's printed hint such as 'Т.А.Ә. (қолы)'."""
    if isinstance(v, (date, datetime)):
        return True
    t = _text(v).strip("_ ")
    return bool(t) and not _PLACEHOLDER.match(t)


def _value_after_label(grid, r: int, c: int, text: str) -> tuple[object, str] | None:
    """The value that goes with a label: after ':' in the same cell, else the next filled cell right, else below."""
    if ":" in text:
        tail = text.split(":", 1)[1].strip().strip("_ ").strip()
        if tail and not _PLACEHOLDER.match(tail):
            return tail, cell_ref(r, c)
    row = grid[r]
    for cc in range(c + 1, len(row)):
        if _filled(row[cc]):
            if _is_label(row[cc]):
                break  # the next label's field begins; this label's value is below
            return row[cc], cell_ref(r, cc)
    for rr in range(r + 1, min(r + 4, len(grid))):
        v = grid[rr][c] if c < len(grid[rr]) else ""
        if _filled(v) and not _is_label(v):
            return v, cell_ref(rr, c)
    return None


def _is_label(v) -> bool:
    if type(v) is not str:
        return False
    text = _text(v)
    return _label_of(text) is not None or bool(_BIN_LABEL.search(text))


def read_header(grid, table: Table) -> dict:
    """Period, BIN, body name, commissioner, phone and signing date, wherever they stand outside the table."""
    table_rows = {r for rs in table.rows.values() for r in rs}
    header: dict = {}
    bin_candidates: list[tuple[int, str, str]] = []
    for r, row in enumerate(grid):
        if r in table_rows:
            continue
        line = " ".join(t for t in (_text(v) for v in row if v != "") if t)
        if not line:
            continue
        low_line = line.lower()
        if "year" not in header and ("тоқсан" in low_line or "квартал" in low_line or "токсан" in low_line):
            period = parse_period(line)
            if period:
                header["year"], header["quarter"] = period
        if _CONSOLIDATED.search(line):
            header["is_consolidated"] = True
        for c, v in enumerate(row):
            if type(v) is not str:
                # a BIN kept as a number (Excel drops its leading zero)
                if isinstance(v, (int, float)) and not isinstance(v, bool) and 1e10 <= v < 1e12:
                    bin_candidates.append((1, _bin_text(v), cell_ref(r, c)))
                continue
            text = _SPACES.sub(" ", v).strip()
            if not text:
                continue
            low = text.lower()
            if ("бсн" in low or "бин" in low or "bin" in low) and _BIN_LABEL.search(text):
                same = _DIGITS12.search(text.replace(" ", ""))
                if same:
                    bin_candidates.append((0, same.group(1), cell_ref(r, c)))
                else:
                    found = _value_after_label(grid, r, c, text + (":" if ":" not in text else ""))
                    if found:
                        bin_candidates.append((0, _bin_text(found[0]), found[1]))
                continue
            key = _label_of(low)
            if key and key not in header:
                found = _value_after_label(grid, r, c, text)
                if found:
                    header[key] = found[0]
                    header[key + "_cell"] = found[1]
            elif len(text) >= 12 and text[0].isdigit() and _DIGITS12.fullmatch(text.replace(" ", "")):
                bin_candidates.append((1, text.replace(" ", ""), cell_ref(r, c)))
    if bin_candidates:
        _, header["bin"], header["bin_cell"] = min(bin_candidates, key=lambda t: t[0])
    for key in ("body_name", "commissioner", "phone"):
        if key in header:
            header[key] = _text(header[key]).strip("_ ").strip() or None
    if "signed_on" in header:
        header["signed_on"] = parse_date(header["signed_on"])
    if header.get("signed_on") is None:
        # The printed form has no label for the date, only '20__ жылғы "__" ______': take a date written outside the table.
        for r, row in enumerate(grid):
            if r in table_rows:
                continue
            for c, v in enumerate(row):
                if isinstance(v, (date, datetime)) or (type(v) is str and any(ch.isdigit() for ch in v) and "тоқсан" not in v.lower()):
                    day = parse_date(v)
                    if day is not None:
                        header["signed_on"], header["signed_on_cell"] = day, cell_ref(r, c)
                        break
            if header.get("signed_on") is not None:
                break
    header.setdefault("is_consolidated", False)
    return header


def _bin_text(v) -> str:
    """A BIN as 12 digits; Excel drops the leading zero of a BIN kept as a number, so put it back."""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, int):
        return str(v).zfill(12) if len(str(v)) == 11 else str(v)
    text = re.sub(r"[\s\u00a0]", "", str(v))
    m = _DIGITS12.search(text)
    return m.group(1) if m else text


def parse_period(line: str) -> tuple[int, int] | None:
    """Year and quarter from a period line: '2026 жылғы 3 тоқсан', 'III тоқсан', '3 квартал 2026 года'."""
    low = line.replace("І", "I").replace("і", "i")  # the Kazakh letter І typed for a Roman I
    year = _YEAR.search(low)
    if not year:
        return None
    m = _PERIOD_ARABIC.search(low)
    if m:
        return int(year.group(1)), int(m.group(1))
    m = _PERIOD_ROMAN.search(low)
    if m:
        return int(year.group(1)), _ROMAN[m.group(1).upper()]
    return None


def parse_date(v) -> date | None:
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    text = _text(v)
    m = _DATE_TEXT.search(text)
    try:
        if m:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        m = _ISO_DATE.search(text)
        if m:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        for m in _DATE_WORDS.finditer(text):
            year = m.group(1) or m.group(4)
            word = m.group(3).lower()
            month = next((n for stem, n in _MONTHS.items() if word.startswith(stem)), None)
            if year and month:
                return date(int(year), month, int(m.group(2)))
    except ValueError:
        return None
    return None
