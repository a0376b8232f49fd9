"""The registry of reporting bodies: a CSV or .xlsx sheet the operators keep, checked whole and loaded in one transaction."""
from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

import duckdb
import pandas as pd

from adep.errors import UserError
from contracts.bin import is_valid_bin
from contracts.reporting import kinds
from warehouse.registry import ROW_COLUMNS, replace_registry, unknown_region_names

COLUMNS = ["bin", "name_kk", "name_ru", "kind", "parent_bin", "region", "valid_from", "valid_to"]
KINDS = set(kinds())
# Windows-1251 lacks these Kazakh letters (it has і, from Ukrainian): Excel's 'CSV' on a Russian Windows writes '?'.
KAZAKH_LETTERS = "ә ғ қ ң ө ұ ү һ"
_LOST_LETTER = ("?", "\ufffd")
_NAMED_COLUMNS = ("name_kk", "name_ru", "region")
SAVE_ADVICE = "save the registry as 'CSV UTF-8' or as an .xlsx workbook and load it again"

_ZIP, _OLE2, _PDF = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"%PDF"
_UTF8_BOM, _UTF16_BOMS = b"\xef\xbb\xbf", (b"\xff\xfe", b"\xfe\xff")


class RegistryError(UserError, ValueError):
    """The registry file has bad rows, or is no registry at all; nothing was loaded. Each problem names its line."""

    def __init__(self, problems: list[str]):
        super().__init__("the registry was not loaded: " + "; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class RegistryLoad:
    registry_load_id: int
    rows: int
    bodies: int
    # Regions the registry writes that name no region of Kazakhstan for certain, one line per spelling.
    unknown_regions: tuple[str, ...] = ()
    read_as: str = ""


def _refuse(path: Path, why: str) -> RegistryError:
    return RegistryError([f"{path.name} {why}; the registry is a CSV file (UTF-8, or Windows-1251 as Excel saves "
                          f"'CSV') or an .xlsx workbook with the columns {','.join(COLUMNS)}"])


def read_registry(path: str | Path) -> pd.DataFrame:
    """The registry's rows as text, each with the line (or sheet row) it stands on, from a CSV or an .xlsx file.

    The kind is told by the content, never by the name: an .xlsx workbook; text in UTF-8 (with or without a BOM);
    otherwise text in Windows-1251. Anything else (empty, a PDF, an old .xls, UTF-16) is refused.
    frame.attrs['read_as'] says how the file was read.
    """
    path = Path(path)
    if not path.is_file():
        raise RegistryError([f"no such file: {path}"])
    raw = path.read_bytes()
    if not raw.strip().removeprefix(_UTF8_BOM).strip():
        raise RegistryError([f"{path.name} is empty: there is no header line and no body in it"])
    if raw.startswith(_ZIP):
        return _read_xlsx(path, raw)
    if raw.startswith(_OLE2):
        raise _refuse(path, "is an old Excel .xls workbook (or another OLE file): save it as .xlsx or 'CSV UTF-8'")
    if raw.startswith(_PDF):
        raise _refuse(path, "is a PDF document")
    if raw.startswith(_UTF16_BOMS):
        raise _refuse(path, "is UTF-16 text (Excel's 'Unicode text'): save it as 'CSV UTF-8'")
    if b"\x00" in raw[:65536]:
        raise _refuse(path, "is not text")
    try:
        text, read_as = raw.decode("utf-8-sig"), "UTF-8 text"
    except UnicodeDecodeError:
        # Not UTF-8: Excel's 'CSV' on a Russian or Kazakh Windows is Windows-1251, the only other kind accepted.
        try:
            text, read_as = raw.decode("cp1251"), "Windows-1251 text"
        except UnicodeDecodeError:
            raise _refuse(path, "is neither UTF-8 nor Windows-1251 text") from None
    if any(ch < " " and ch not in "\t\r\n" for ch in text[:65536]):
        raise _refuse(path, "is not text")
    frame = _rows_frame(_csv_rows(text))
    frame.attrs["read_as"] = read_as
    return frame


def _csv_rows(text: str) -> list[tuple[int, list[str]]]:
    """(line number, cells) of every line that is not blank; comma- or semicolon-separated, as Excel's locale saves."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    for cells in reader:
        if any(c.strip() for c in cells):
            rows.append((reader.line_num, cells))
    return rows


def _read_xlsx(path: Path, raw: bytes) -> pd.DataFrame:
    """The one sheet whose first row names the registry's columns; rows numbered as on the sheet."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception:  # a zip that is no workbook: .docx, .ods, damaged
        raise _refuse(path, "is a zip file but not an .xlsx workbook") from None
    try:
        sheets = {}
        for sheet in book.worksheets:
            rows = sheet.iter_rows(values_only=True)
            header = [_cell_text(v) for v in next(rows, ())]
            names = [h.strip().lower() for h in header]
            if not set(COLUMNS) <= set(names):
                continue
            bin_columns = {i for i, name in enumerate(names) if name in ("bin", "parent_bin")}
            lines = [(1, header)]
            for line, values in enumerate(rows, start=2):
                cells = [_cell_text(v, is_bin=i in bin_columns) for i, v in enumerate(values)]
                if any(c.strip() for c in cells):
                    lines.append((line, cells))
            sheets[sheet.title] = lines
    finally:
        book.close()
    if len(sheets) != 1:
        what = "no sheet" if not sheets else f"{len(sheets)} sheets ({', '.join(sheets)})"
        raise _refuse(path, f"has {what} with the registry's columns in its first row; keep exactly one such sheet")
    (title, rows), = sheets.items()
    frame = _rows_frame(rows)
    frame.attrs["read_as"] = f"sheet '{title}' of an .xlsx workbook"
    return frame


def _cell_text(value, is_bin: bool = False) -> str:
    """A cell as the text a CSV would hold: dates as 2026-01-01, whole numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if is_bin and isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**12:
        # A BIN typed into a number cell loses its leading zeros; a BIN is always 12 digits, so they are certain.
        return f"{value:012d}"
    return str(value)


def _rows_frame(rows: list[tuple[int, list[str]]]) -> pd.DataFrame:
    """Header row first; columns named in lower case; a 'line' column with where each row stands in the file."""
    if not rows:
        return pd.DataFrame(columns=["line"])
    (_, header), data = rows[0], rows[1:]
    names = [h.strip().lstrip("\ufeff").lower() for h in header]
    width = len(names)
    records = [dict(zip(names, (cells + [""] * width)[:width]), line=line) for line, cells in data]
    return pd.DataFrame(records, columns=[*names, "line"]).astype({"line": int})


def validate_registry(frame: pd.DataFrame) -> pd.DataFrame:
    """Check every row (line numbers as in the file, header = line 1); return typed rows or raise RegistryError."""
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise RegistryError([f"line 1: missing column(s) {', '.join(missing)}; expected {','.join(COLUMNS)}"])
    if frame.empty:
        raise RegistryError(["the file has a header line but no bodies"])
    lost = _lost_letters(frame)
    if lost:
        raise RegistryError([lost])
    problems: list[str] = []
    rows = []
    numbers = frame["line"] if "line" in frame.columns else range(2, len(frame) + 2)
    for i, r in zip(numbers, frame[COLUMNS].itertuples(index=False)):
        bin_, name_kk, name_ru, kind, parent, region, vf, vt = (str(x).strip() for x in r)
        line = f"line {i}"
        if not is_valid_bin(bin_):
            problems.append(f"{line}: BIN {bin_!r} is not 12 digits with a valid check digit")
        if parent and not is_valid_bin(parent):
            problems.append(f"{line}: parent BIN {parent!r} is not 12 digits with a valid check digit")
        if parent and parent == bin_:
            problems.append(f"{line}: body {bin_} cannot report to itself")
        if kind not in KINDS:
            problems.append(f"{line}: kind {kind!r} is not one of {', '.join(sorted(KINDS))}")
        if not name_kk and not name_ru:
            problems.append(f"{line}: the body has no name")
        start, end = _date(vf), _date(vt) if vt else None
        if start is None:
            problems.append(f"{line}: valid_from {vf!r} is not a date like 2026-01-01")
        if vt and end is None:
            problems.append(f"{line}: valid_to {vt!r} is not a date like 2026-12-31")
        if start and end and end < start:
            problems.append(f"{line}: valid_to {vt} is before valid_from {vf}")
        rows.append(dict(line=i, bin=bin_, name_kk=name_kk or name_ru, name_ru=name_ru or name_kk, kind=kind,
                         parent_bin=parent or None, region=region or None, valid_from=start, valid_to=end))
    if problems:
        raise RegistryError(problems)
    typed = pd.DataFrame(rows)
    problems += _overlaps(typed) + _unknown_parents(typed) + _cycles(typed)
    if problems:
        raise RegistryError(problems)
    return typed


def _lost_letters(frame: pd.DataFrame) -> str | None:
    """Names with '?' (or U+FFFD) where letters were lost on the way, as Excel's Windows-1251 'CSV' loses Kazakh ones."""
    numbers = frame["line"] if "line" in frame.columns else pd.Series(range(2, len(frame) + 2), index=frame.index)
    hit = pd.Series(False, index=frame.index)
    for column in _NAMED_COLUMNS:
        text = frame[column].astype(str)
        hit |= text.str.contains(_LOST_LETTER[0], regex=False) | text.str.contains(_LOST_LETTER[1], regex=False)
    if not hit.any():
        return None
    lines = [str(n) for n in numbers[hit]]
    shown = ", ".join(lines[:20]) + (f" and {len(lines) - 20} more" if len(lines) > 20 else "")
    return (f"line{'s' if len(lines) > 1 else ''} {shown}: names hold '?' where letters were lost; a 'CSV' saved by "
            f"Excel on a Russian Windows (Windows-1251) has no Kazakh letters ({KAZAKH_LETTERS}), so {SAVE_ADVICE}")


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


_FAR = date(9999, 12, 31)


def _overlaps(t: pd.DataFrame) -> list[str]:
    out = []
    ordered = t.sort_values(["bin", "valid_from"])
    prev = None
    for r in ordered.itertuples():
        if prev is not None and prev.bin == r.bin and (prev.valid_to or _FAR) >= r.valid_from:
            out.append(f"line {r.line}: version of {r.bin} from {r.valid_from} overlaps the version on line {prev.line}")
        prev = r
    return out


def _unknown_parents(t: pd.DataFrame) -> list[str]:
    versions: dict[str, list[tuple[date, date]]] = {}
    for r in t.itertuples():
        versions.setdefault(r.bin, []).append((r.valid_from, r.valid_to or _FAR))
    out = []
    for r in t[t.parent_bin.notna()].itertuples():
        spans = versions.get(r.parent_bin)
        if spans is None:
            out.append(f"line {r.line}: parent BIN {r.parent_bin} is not in the registry")
        elif not any(start <= (r.valid_to or _FAR) and end >= r.valid_from for start, end in spans):
            out.append(f"line {r.line}: parent BIN {r.parent_bin} is not in force while this version is")
    return out


def _cycles(t: pd.DataFrame) -> list[str]:
    """A body may not report to itself through others on any day; check every day a version starts."""
    out: list[str] = []
    seen: set[frozenset] = set()
    for day in sorted(set(t.valid_from)):
        live = t[(t.valid_from <= day) & (t.valid_to.fillna(_FAR) >= day)]
        parent = dict(zip(live.bin, live.parent_bin))
        line = dict(zip(live.bin, live.line))
        for start in parent:
            path, node = [], start
            while node is not None and node not in path:
                path.append(node)
                node = parent.get(node)
            if node is not None and node in path:
                cycle = frozenset(path[path.index(node):])
                if cycle not in seen:
                    seen.add(cycle)
                    lines = ", ".join(str(line[b]) for b in sorted(cycle, key=line.get))
                    out.append(f"line {line[node]}: bodies on lines {lines} report to each other in a cycle (on {day})")
    return out


def load_registry(con: duckdb.DuckDBPyConnection, path: str | Path, frame: pd.DataFrame | None = None) -> RegistryLoad:
    """Replace the registry with the file's rows in one transaction; the file must be wholly valid.

    frame: the file as read_registry gave it, when the caller has read it already.
    """
    frame = read_registry(path) if frame is None else frame
    typed = validate_registry(frame)
    raw = Path(path).read_bytes()
    rows = typed[ROW_COLUMNS]
    load_id = replace_registry(con, rows, Path(path).name, hashlib.sha256(raw).hexdigest())
    unknown = unknown_regions(con, typed)
    return RegistryLoad(load_id, len(rows), rows.bin.nunique(), unknown, frame.attrs.get("read_as", ""))


def unknown_regions(con: duckdb.DuckDBPyConnection, typed: pd.DataFrame) -> tuple[str, ...]:
    """Each region the loaded registry writes that names no oblast or city for certain, with its lines.

    Such a region is kept as written and shown without Kazakh and Russian names; it is never guessed (Алматы alone
    could be the city or the oblast). The spellings adep knows are in contracts/data/regions.csv.
    """
    unknown = unknown_region_names(con)
    out = []
    for region in unknown:
        lines = [str(n) for n in typed.loc[typed.region == region, "line"]]
        shown = ", ".join(lines[:10]) + (f" and {len(lines) - 10} more" if len(lines) > 10 else "")
        out.append(f"line{'s' if len(lines) > 1 else ''} {shown}: region {region!r} is not an oblast or city adep knows "
                   "for certain (spellings in contracts/data/regions.csv, e.g. 'Алматы облысы' or 'Алматы қаласы'); "
                   "kept as written, without Kazakh and Russian names")
    return tuple(out)
