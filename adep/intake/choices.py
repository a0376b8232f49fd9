"""The reader's choices: every decision it takes about a file, with what else it saw, so that none is silent.

Where the reader must choose (which sheet, which block of rows, which value column, each header field, how a cell
became a number or a blank) it records a Choice. `Reading.choose()` is the only way a header field or a row's value
is set: it records the choice and sets what it decides, so a field cannot be set without its choice. A choice with a
plausible alternative must come with the finding that says so: an error where the figures could differ, a warning
where they could not. Candidates ruled out by a sign that leaves no doubt (a hidden sheet, a column headed
'previous period', a period in a column's heading) are kept as `set_aside`, with why.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import NamedTuple

from contracts.findings import Finding


class Choice(NamedTuple):
    """One decision: what was decided, the choice, the sign it rests on, the cell it was read from, what else was seen.

    A named tuple: a file's reading makes a few dozen, and thousands of files are read per run.
    """

    what: str  # 'sheet', 'table', 'value column', 'period', 'bin', 'body_name', 'cell 3.1', 'values', ...
    chosen: str
    basis: str
    cell: str | None = None  # the cell (or range) the choice was read from, when there is one
    alternatives: tuple[str, ...] = ()  # plausible: the finding in the same record says so
    set_aside: tuple[str, ...] = ()  # seen and ruled out by a certain sign, with the reason

    def __str__(self) -> str:
        text = f"{self.what}: {self.chosen} ({self.basis})"
        if self.alternatives:
            text += "; could also be " + ", ".join(self.alternatives)
        if self.set_aside:
            text += "; set aside " + ", ".join(self.set_aside)
        return text

    def line(self) -> str:
        """The choice with the cell it was read from, as `adep check --choices` prints it."""
        return str(self) + (f" [cell {self.cell}]" if self.cell else "")

    def as_row(self) -> dict:
        """The choice as the ledger stores it (warehouse core_choices)."""
        return {"what": self.what, "chosen": self.chosen, "cell": self.cell, "basis": self.basis,
                "alternatives": list(self.alternatives), "set_aside": list(self.set_aside)}


class SilentChoice(ValueError):
    """A choice with plausible alternatives was recorded without a finding: a programming error."""


@dataclass
class Reading:
    """What the reader made of one sheet (or, as ReadResult, of the whole file).

    header, values, cells and blanks are read-only views: only choose() writes them.
    """

    _header: dict = field(default_factory=dict, repr=False)
    _values: dict[str, int] = field(default_factory=dict, repr=False)
    _cells: dict[str, str] = field(default_factory=dict, repr=False)
    _blanks: dict[str, None] = field(default_factory=dict, repr=False)  # codes read from a blank or a dash
    findings: list[Finding] = field(default_factory=list)
    choices: list[Choice] = field(default_factory=list)

    @property
    def header(self):
        return MappingProxyType(self._header)

    @property
    def values(self):
        return MappingProxyType(self._values)

    @property
    def cells(self):
        return MappingProxyType(self._cells)

    @property
    def blanks(self):
        return self._blanks.keys()

    def choose(self, what: str, chosen: object, basis: str, *, cell: str | None = None, header: dict | None = None,
               values: dict[str, tuple[int, bool, str]] | None = None, alternatives=(), set_aside=(),
               findings: Finding | list[Finding] | None = None) -> object:
        """Record a decision and set what it decides; returns chosen.

        header: the header fields it sets ({'bin': ..., 'bin_cell': ...}); values: the rows it sets, code ->
        (count, read from a blank, its cell). One that had a plausible alternative must bring the finding that
        says so.
        """
        if findings is None or findings == []:
            if alternatives:
                raise SilentChoice(f"the choice of {what} had alternatives ({', '.join(map(str, alternatives))}) and no finding")
        elif type(findings) is list:
            self.findings.extend(findings)
        else:
            self.findings.append(findings)
        self.choices.append(Choice(what, chosen if type(chosen) is str else str(chosen), basis, cell,
                                   tuple(map(str, alternatives)) if alternatives else (),
                                   tuple(map(str, set_aside)) if set_aside else ()))
        if header:
            self._header.update(header)
        if values:
            for code, (count, blank, where) in values.items():
                self._values[code] = count
                self._cells[code] = where
                if blank:
                    self._blanks[code] = None
        return chosen

    def in_order(self, order) -> None:
        """Keep the rows set so far in the form's order (a group of rows is set by one choice after the others)."""
        self._values = {c: self._values[c] for c in order if c in self._values}
        self._cells = {c: self._cells[c] for c in order if c in self._cells}

    def adopt(self, other: "Reading") -> None:
        """Make another reading's choices (one sheet's) this one's, with every field and value they set."""
        self._header.update(other._header)
        self._values.update(other._values)
        self._cells.update(other._cells)
        self._blanks.update(other._blanks)
        self.findings.extend(other.findings)
        self.choices.extend(other.choices)


CHOICE_COLUMNS = ["key", "seq", "what", "chosen", "cell", "basis", "alternatives", "set_aside"]


def choices_frame(results, keys):
    """The choices of the files keys (batch keys into results), one row each, for the ledger.

    Built column by column, as plain objects: an empty batch gives the same columns, and nothing is inferred.
    """
    import pandas as pd

    columns: dict[str, list] = {name: [] for name in CHOICE_COLUMNS}
    key, seq, what, chosen, cell, basis, alternatives, set_aside = columns.values()
    for k in keys:
        for n, c in enumerate(results[k].choices, start=1):
            key.append(k)
            seq.append(n)
            what.append(c.what)
            chosen.append(c.chosen)
            cell.append(c.cell)
            basis.append(c.basis)
            alternatives.append(list(c.alternatives))
            set_aside.append(list(c.set_aside))
    return pd.DataFrame({name: pd.Series(values, dtype="int64" if name in ("key", "seq") else object)
                         for name, values in columns.items()})
