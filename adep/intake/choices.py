"""The reader's choices: every decision it takes about a file, with what else it saw, so that none is silent.

Where the reader must choose (which sheet, which block of rows, which value column, each header field, how a cell
became a number or a blank) it records a Choice. A choice with a plausible alternative must come with the finding
that says so: an error where the figures could differ, a warning where they could not. Alternatives ruled out by a
sign that leaves no doubt (a hidden sheet, a column headed 'previous period') are kept as `set_aside`, with why.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from contracts.findings import Finding


@dataclass(frozen=True)
class Choice:
    """One decision: what was decided, the choice, the sign it rests on, and what else was seen."""

    what: str  # 'sheet', 'table', 'value column', 'period', 'bin', 'body_name', 'cell 3.1', ...
    chosen: str
    basis: str
    alternatives: tuple[str, ...] = ()  # plausible: the finding in the same record says so
    set_aside: tuple[str, ...] = ()  # seen and ruled out by a certain sign, with the reason

    def __str__(self) -> str:
        text = f"{self.what}: {self.chosen} ({self.basis})"
        if self.alternatives:
            text += "; could also be " + ", ".join(self.alternatives)
        if self.set_aside:
            text += "; set aside " + ", ".join(self.set_aside)
        return text


class SilentChoice(ValueError):
    """A choice with plausible alternatives was recorded without a finding: a programming error."""


@dataclass
class Reading:
    """What the reader made of one sheet (or, as ReadResult, of the whole file)."""

    header: dict = field(default_factory=dict)
    values: dict[str, int] = field(default_factory=dict)
    cells: dict[str, str] = field(default_factory=dict)
    blanks: set[str] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)
    choices: list[Choice] = field(default_factory=list)

    def choose(self, what: str, chosen: object, basis: str, *, alternatives=(), set_aside=(),
               found: Finding | list[Finding] | None = None) -> None:
        """Record a decision; one that had a plausible alternative must bring the finding that says so."""
        found_list = [] if found is None else [found] if isinstance(found, Finding) else list(found)
        if alternatives and not found_list:
            raise SilentChoice(f"the choice of {what} had alternatives ({', '.join(map(str, alternatives))}) and no finding")
        self.choices.append(Choice(what, str(chosen), basis, tuple(map(str, alternatives)), tuple(map(str, set_aside))))
        self.findings.extend(found_list)
