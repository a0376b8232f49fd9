"""The indicators and arithmetic rules of form 1-әу, read from the data files beside this module."""
from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

FORM_INDEX = "1-әу"
SEVERITIES = ("error", "warning")
OPERATORS = ("<=", "==", ">=", "<")


@dataclass(frozen=True)
class Indicator:
    code: str
    parent: str | None
    position: int
    label_kk: str
    label_ru: str
    gloss_en: str

    @property
    def depth(self) -> int:
        return self.code.count(".")


@dataclass(frozen=True)
class Term:
    """One term of a rule side: coefficient times the value of a row code."""

    code: str
    factor: int = 1


@dataclass(frozen=True)
class Rule:
    rule: str
    name: str
    left: tuple[Term, ...]
    op: str
    right: tuple[Term, ...]
    severity: str
    why: str
    left_text: str
    right_text: str

    @property
    def codes(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for term in self.left + self.right:
            seen.setdefault(term.code, None)
        return tuple(seen)

    @property
    def text(self) -> str:
        return f"{self.left_text} {self.op} {self.right_text}"


def _read_csv(name: str) -> list[dict[str, str]]:
    text = resources.files("contracts").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@lru_cache(maxsize=1)
def indicators() -> tuple[Indicator, ...]:
    """The 40 indicators in the order of the printed form."""
    rows = _read_csv("indicators.csv")
    return tuple(
        Indicator(
            code=r["code"],
            parent=r["parent"] or None,
            position=int(r["position"]),
            label_kk=r["label_kk"],
            label_ru=r["label_ru"],
            gloss_en=r["gloss_en"],
        )
        for r in sorted(rows, key=lambda r: int(r["position"]))
    )


@lru_cache(maxsize=1)
def codes() -> tuple[str, ...]:
    return tuple(i.code for i in indicators())


def indicator(code: str) -> Indicator:
    return {i.code: i for i in indicators()}[code]


def parse_side(text: str, known: set[str]) -> tuple[Term, ...]:
    """Parse '3.1 + 3.2' or '9 * 1000' into terms: each term is one row code times whole factors."""
    terms = []
    for part in text.split("+"):
        tokens = [t.strip() for t in part.split("*")]
        code_tokens = [t for t in tokens if t in known]
        factors = [t for t in tokens if t not in known or t is not code_tokens[0]] if code_tokens else []
        if not code_tokens or not all(f.isdigit() for f in factors):
            raise ValueError(f"cannot read rule term {part.strip()!r} (expected a row code, optionally * a whole number)")
        factor = 1
        for f in factors:
            factor *= int(f)
        terms.append(Term(code_tokens[0], factor))
    return tuple(terms)


def parse_rules(text: str) -> tuple[Rule, ...]:
    """Rules from CSV text (columns rule,name,left,op,right,severity,why); raises ValueError naming the line."""
    known = set(codes())
    out = []
    for line_no, r in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        try:
            if r["op"] not in OPERATORS:
                raise ValueError(f"unknown operator {r['op']!r}")
            if r["severity"] not in SEVERITIES:
                raise ValueError(f"severity must be error or warning, not {r['severity']!r}")
            out.append(
                Rule(
                    rule=r["rule"],
                    name=r.get("name") or r["rule"],
                    left=parse_side(r["left"], known),
                    op=r["op"],
                    right=parse_side(r["right"], known),
                    severity=r["severity"],
                    why=r.get("why", ""),
                    left_text=r["left"].strip(),
                    right_text=r["right"].strip(),
                )
            )
        except (KeyError, ValueError) as exc:
            raise ValueError(f"rules file line {line_no}: {exc}") from exc
    return tuple(out)


@lru_cache(maxsize=8)
def _rules_cached(path: str | None, mtime: float | None) -> tuple[Rule, ...]:
    if path is None:
        return parse_rules(resources.files("contracts").joinpath("data", "rules.csv").read_text(encoding="utf-8"))
    return parse_rules(Path(path).read_text(encoding="utf-8"))


def rules(path: Path | None = None) -> tuple[Rule, ...]:
    """The rules in force: an operator's rules file when given and present, else the form's own."""
    if path is not None and Path(path).is_file():
        return _rules_cached(str(path), Path(path).stat().st_mtime)
    return _rules_cached(None, None)


def rules_sha256(path: Path | None = None) -> str:
    """The fingerprint of the rules file rules(path) reads, to tell later whether a file was checked against these rules."""
    if path is not None and Path(path).is_file():
        data = Path(path).read_bytes()
    else:
        data = resources.files("contracts").joinpath("data", "rules.csv").read_bytes()
    return hashlib.sha256(data).hexdigest()


def normalize_code(raw: object) -> str | None:
    """A row code as the form prints it ('1', '1.1', '11.3') from what a spreadsheet holds.

    Excel may hold code 1.1 as the float 1.1 and code 10 as 10.0; people type '1.', '1.1.' or ' 3.2 '.
    Returns None when the cell is not a code of this form.
    """
    if raw is None or isinstance(raw, bool):
        return None
    if type(raw) is float:
        return float_codes_map().get(round(raw, 6))
    if isinstance(raw, int):
        text = str(raw)
    elif isinstance(raw, float):
        if raw != raw or raw <= 0:
            return None
        text = repr(round(raw, 3))
        if text.endswith(".0"):
            text = text[:-2]
    else:
        text = str(raw).strip().rstrip(".").strip()
        text = text.replace(",", ".").replace(" ", "")
    return text if text in code_set() else None


@lru_cache(maxsize=1)
def code_set() -> frozenset[str]:
    return frozenset(codes())


@lru_cache(maxsize=1)
def float_codes_map() -> dict[float, str]:
    """Codes as Excel stores them when typed as numbers: 1.1 -> '1.1', 10.0 -> '10'."""
    return {float(c): c for c in codes()}


def rule_parts(rule_id: str) -> tuple[str, ...]:
    """The row codes a rule of the form sums on its left side (the parts of a total), e.g. R04 -> 3.1 ... 3.5."""
    rule = next((r for r in rules() if r.rule == rule_id), None)
    if rule is None:
        raise KeyError(f"rule {rule_id} is not in the form's rules")
    return tuple(t.code for t in rule.left)
