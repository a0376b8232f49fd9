"""The registry of reporting bodies: a CSV the operators keep, checked whole and loaded in one transaction."""
from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from contracts.bin import is_valid_bin
from contracts.reporting import kinds
from warehouse.transaction import transaction

COLUMNS = ["bin", "name_kk", "name_ru", "kind", "parent_bin", "region", "valid_from", "valid_to"]
KINDS = set(kinds())


class RegistryError(ValueError):
    """The registry file has bad rows; nothing was loaded. Each problem names its line."""

    def __init__(self, problems: list[str]):
        super().__init__("the registry was not loaded:\n" + "\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class RegistryLoad:
    registry_load_id: int
    rows: int
    bodies: int
    # Regions the registry writes that name no region of Kazakhstan for certain, one line per spelling.
    unknown_regions: tuple[str, ...] = ()


def read_registry_csv(path: str | Path) -> pd.DataFrame:
    raw = Path(path).read_bytes()
    text = raw.decode("utf-8-sig")
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    frame.columns = [c.strip().lower() for c in frame.columns]
    return frame


def validate_registry(frame: pd.DataFrame) -> pd.DataFrame:
    """Check every row (line numbers as in the file, header = line 1); return typed rows or raise RegistryError."""
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise RegistryError([f"line 1: missing column(s) {', '.join(missing)}; expected {','.join(COLUMNS)}"])
    problems: list[str] = []
    rows = []
    for i, r in enumerate(frame[COLUMNS].itertuples(index=False), start=2):
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


def load_registry(con: duckdb.DuckDBPyConnection, path: str | Path) -> RegistryLoad:
    """Replace the registry with the file's rows in one transaction; the file must be wholly valid."""
    typed = validate_registry(read_registry_csv(path))
    raw = Path(path).read_bytes()
    rows = typed[["bin", "name_kk", "name_ru", "kind", "parent_bin", "region", "valid_from", "valid_to"]]
    with transaction(con):
        load_id = con.execute("select coalesce(max(registry_load_id), 0) + 1 from core_registry_loads").fetchall()[0][0]
        con.execute(
            "insert into core_registry_loads values (?, ?, ?, now(), ?)",
            [load_id, Path(path).name, hashlib.sha256(raw).hexdigest(), len(rows)],
        )
        con.execute("delete from core_registry")
        con.execute(
            "insert into core_registry select bin, name_kk, name_ru, kind, parent_bin, region, "
            "valid_from::date, valid_to::date, ? from rows",
            [load_id],
        )
        unknown = unknown_regions(con, typed)
    return RegistryLoad(load_id, len(rows), rows.bin.nunique(), unknown)


def unknown_regions(con: duckdb.DuckDBPyConnection, typed: pd.DataFrame) -> tuple[str, ...]:
    """Each region the loaded registry writes that names no oblast or city for certain, with its lines.

    Such a region is kept as written and shown without Kazakh and Russian names; it is never guessed (Алматы alone
    could be the city or the oblast). The spellings adep knows are in contracts/data/regions.csv.
    """
    unknown = [r for (r,) in con.execute("select region from registry_regions where region_code is null order by region").fetchall()]
    out = []
    for region in unknown:
        lines = [str(n) for n in typed.loc[typed.region == region, "line"]]
        shown = ", ".join(lines[:10]) + (f" and {len(lines) - 10} more" if len(lines) > 10 else "")
        out.append(f"line{'s' if len(lines) > 1 else ''} {shown}: region {region!r} is not an oblast or city adep knows "
                   "for certain (spellings in contracts/data/regions.csv, e.g. 'Алматы облысы' or 'Алматы қаласы'); "
                   "kept as written, without Kazakh and Russian names")
    return tuple(out)
