"""The form's name against its BIN: a file that names another body of the registry is not that BIN's report.

A district that copies its neighbour's file, types its own name over the neighbour's and leaves the neighbour's BIN
sends a report the intake would otherwise file under the neighbour. So the name on the form (the header's
`body_name`) is looked up among the registry's names, in the normal form of contracts/names.py:

- a name of the BIN's own body, in Kazakh or Russian, of any of its versions (renames included), is never a
  mismatch, even when other bodies bear it too (district names repeat across oblasts);
- otherwise, a name that is the registry name of another body in force during the quarter rejects the file (G04),
  naming both bodies and both BINs;
- otherwise, a name that resembles none of the names the BIN's body has had is a warning (G05).

The registry's names are put in normal form once per registry (its fingerprint) and quarter, so each file costs one
or two dictionary look-ups.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from adep.periods import Period
from contracts.findings import Finding, finding
from contracts.names import normal_name, resembles
from warehouse.queries import sql

_SHOWN = 3  # bodies named in one finding at most


@dataclass
class QuarterNames:
    """The registry's names for one quarter: who bears each name then, and every name each body has had."""

    bearers: dict[str, dict[str, str]] = field(default_factory=dict)  # normal name -> {BIN: the name as registered}
    own: dict[str, set[str]] = field(default_factory=dict)  # BIN -> normal names of all its versions
    own_words: dict[str, set[str]] = field(default_factory=dict)  # BIN -> the words of those names
    shown: dict[str, dict[str, str]] = field(default_factory=dict)  # BIN -> {'kk': name, 'ru': name} as of the quarter


_CACHE: dict[tuple[str, str], QuarterNames] = {}


def quarter_names(con, period: Period) -> QuarterNames:
    """The registry's names for the quarter, built once per registry fingerprint and quarter."""
    stamp = con.execute(sql("intake/registry_stamp")).fetchall()[0][0]
    key = (stamp, str(period))
    if key not in _CACHE:
        if len(_CACHE) > 16:
            _CACHE.clear()
        _CACHE[key] = _build(con.execute(sql("intake/registry_names")).fetchall(), period)
    return _CACHE[key]


def _build(rows: list[tuple], period: Period) -> QuarterNames:
    names = QuarterNames()
    first, last = period.first_day, period.last_day
    for bin_, name_kk, name_ru, valid_from, valid_to in rows:  # ordered by BIN and start: the last in force wins
        normal = (normal_name(name_kk), normal_name(name_ru))
        names.own.setdefault(bin_, set()).update(n for n in normal if n)
        words = names.own_words.setdefault(bin_, set())
        for n in normal:
            words.update(n.split())
        if _day(valid_from) <= last and (valid_to is None or _day(valid_to) >= first):
            for n, shown in zip(normal, (name_kk, name_ru)):
                if n:
                    names.bearers.setdefault(n, {})[bin_] = shown
            names.shown[bin_] = {"kk": name_kk, "ru": name_ru}
        elif bin_ not in names.shown:
            names.shown[bin_] = {"kk": name_kk, "ru": name_ru}
    return names


def _day(value) -> date:
    return value.date() if hasattr(value, "date") and not isinstance(value, date) else value


def name_findings(bins: list[str], body_names: list, names: QuarterNames) -> list[Finding | None]:
    """For each file (its BIN in the registry, the name on its form): G04, G05 or None."""
    out: list[Finding | None] = []
    for bin_, written in zip(bins, body_names):
        normal = normal_name(written)
        own = names.own.get(bin_)
        if not normal or own is None or normal in own:
            out.append(None)
            continue
        others = {b: n for b, n in names.bearers.get(normal, {}).items() if b != bin_}
        if others:
            language = "kk" if _is_kazakh(str(written)) else "ru"  # the own body named in the form's language
            out.append(finding(
                "G04", field="body_name", named=" / ".join(dict.fromkeys(list(others.values())[:_SHOWN])),
                named_bin=", ".join(list(others)[:_SHOWN]) + (f" (+{len(others) - _SHOWN})" if len(others) > _SHOWN else ""),
                found=bin_, body=names.shown[bin_][language]))
        elif resembles(normal, names.own_words[bin_]) is False:
            shown = names.shown[bin_]
            out.append(finding("G05", field="body_name", found=str(written).strip(), bin=bin_,
                               names=" / ".join(dict.fromkeys((shown["kk"], shown["ru"])))))
        else:
            out.append(None)
    return out


def _is_kazakh(name: str) -> bool:
    return any(ch in "әғқңөұүһіӘҒҚҢӨҰҮҺІ" for ch in name)


def check_names(files: pd.DataFrame, known: pd.Index, period: Period, con, found: dict[int, list[Finding]]) -> None:
    """Add G04/G05 to the files (keys in `known`: BIN in the registry for the period) whose name says otherwise."""
    if not len(known):
        return
    rows = files.loc[known]
    for key, item in zip(known, name_findings(rows.bin.tolist(), rows.body_name.tolist(), quarter_names(con, period))):
        if item is not None:
            found[key].append(item)
