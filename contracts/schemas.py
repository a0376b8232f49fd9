"""pandera contracts of form 1-әу: the header, the rows, and the arithmetic rules over a whole batch."""
from __future__ import annotations

from functools import lru_cache

import pandas as pd
import pandera.pandas as pa

from contracts import predicates
from contracts.findings import Finding, finding, rule_finding
from contracts.form import Rule, codes, rules

# Which structural rule a failed pandera check on a header column means.
_HEADER_RULES = {
    ("bin", "not_nullable"): "H02",
    ("bin", "H03"): "H03",
    ("year", "not_nullable"): "H01",
    ("quarter", "not_nullable"): "H01",
    ("year", "H01"): "H01",
    ("quarter", "H01"): "H01",
    ("body_name", "not_nullable"): "H04",
    ("commissioner", "not_nullable"): "H05",
    ("phone", "not_nullable"): "H06",
    ("signed_on", "not_nullable"): "H07",
}

def header_schema() -> pa.DataFrameSchema:
    """One row per report: BIN with a valid check digit, year, quarter, body, commissioner, phone, signing date."""
    return pa.DataFrameSchema(
        {
            "bin": pa.Column(object, pa.Check(predicates.bin_has_valid_check_digit, name="H03"), nullable=False),
            "year": pa.Column("Int64", pa.Check(predicates.year_plausible, name="H01"), nullable=False),
            "quarter": pa.Column("Int64", pa.Check(predicates.quarter_in_range, name="H01"), nullable=False),
            "body_name": pa.Column(object, nullable=False),
            "commissioner": pa.Column(object, nullable=False),
            "phone": pa.Column(object, nullable=False),
            "signed_on": pa.Column(object, nullable=False),
        },
        strict=False,
        coerce=False,
    )


@lru_cache(maxsize=8)
def values_schema(rule_set: tuple[Rule, ...]) -> pa.DataFrameSchema:
    """One row per report, one column per indicator: whole non-negative counts, then every rule of the form.

    Values that could not be read are NA (their finding comes from the reader); rules that need them are skipped.
    """
    # Whole numbers by dtype; non-negative by one check over the whole frame (one check per column costs
    # pandera ~7 ms each per call, and this runs once per batch of thousands of reports).
    columns = {code: pa.Column("Int64", nullable=True) for code in codes()}
    non_negative = pa.Check(predicates.all_non_negative, name="V02", error="V02")
    rule_checks = [pa.Check(_bind(rule), name=rule.rule, error=rule.rule) for rule in rule_set]
    return pa.DataFrameSchema(columns, checks=[non_negative, *rule_checks], strict=False, coerce=False)


def _bind(rule: Rule):
    def check(wide: pd.DataFrame) -> pd.Series:
        return predicates.rule_holds(wide, rule)

    check.__name__ = f"rule_{rule.rule}"
    return check


def header_findings(headers: pd.DataFrame) -> dict[object, list[Finding]]:
    """Validate a batch of headers in one call; findings by the frame's index."""
    out: dict[object, list[Finding]] = {}
    try:
        header_schema().validate(headers, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        for row in cases.itertuples(index=False):
            rule = _HEADER_RULES.get((row.column, row.check))
            if rule is None or pd.isna(row.index):
                continue
            value = headers.at[row.index, row.column]
            field = "period" if row.column in ("year", "quarter") else row.column
            params = {"found": value} if rule == "H03" else {}
            if rule == "H01" and "period_text" in headers.columns and isinstance(headers.at[row.index, "period_text"], str):
                params = {"found": headers.at[row.index, "period_text"]}  # the text that names no single quarter
            found = finding(rule, field=field, cell=_cell(headers, row.index, row.column), **params)
            bucket = out.setdefault(row.index, [])
            if found not in bucket:
                bucket.append(found)
    return out


def _cell(headers: pd.DataFrame, index, column: str) -> str | None:
    col = "period_cell" if column in ("year", "quarter") else f"{column}_cell"
    if col in headers.columns:
        v = headers.at[index, col]
        return None if pd.isna(v) else v
    return None


def rule_findings(wide: pd.DataFrame, cells: pd.DataFrame | None = None, rule_set: tuple[Rule, ...] | None = None) -> dict[object, list[Finding]]:
    """Check every rule over the whole batch in one pandera call; findings by the frame's index."""
    rule_set = rule_set or rules()
    by_id = {r.rule: r for r in rule_set}
    out: dict[object, list[Finding]] = {}
    try:
        values_schema(rule_set).validate(wide, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases[["check", "index"]].dropna().drop_duplicates()
        for check_name, index in cases.itertuples(index=False):
            if check_name == "V02":
                negative = [c for c in wide.columns if pd.notna(wide.at[index, c]) and wide.at[index, c] < 0]
                row_cells = cells.loc[index] if cells is not None else None
                out.setdefault(index, []).extend(
                    finding("V02", code=c, cell=_value_cell(row_cells, c), found=int(wide.at[index, c])) for c in negative)
                continue
            rule = by_id.get(check_name)
            if rule is None:
                continue
            out.setdefault(index, []).append(_rule_finding(rule, wide.loc[index], cells.loc[index] if cells is not None else None))
    return {index: one_finding_per_fault(items, by_id) for index, items in out.items()}


_SEVERITY_RANK = {"warning": 0, "error": 1}


def _sides(rule: Rule) -> frozenset:
    """A rule's two sides, each as its terms, whichever way round it is written."""
    return frozenset(tuple(sorted((t.code, t.factor) for t in side)) for side in (rule.left, rule.right))


def one_finding_per_fault(found: list[Finding], by_id: dict[str, Rule]) -> list[Finding]:
    """One finding per fault: an '==' rule's finding is dropped when a rule over the same sides with another
    operator fired too and is at least as severe (parts over their total break '<=' and '==' at once: the '<=' says
    what is wrong). Paired by the rules' sides, so an operator's own rules pair the same way."""
    fired = [(f, by_id.get(f.rule)) for f in found]
    kept = []
    for f, rule in fired:
        if rule is not None and rule.op == "==" and any(
                other is not None and other.op != "==" and _sides(other) == _sides(rule)
                and _SEVERITY_RANK.get(g.severity, 0) >= _SEVERITY_RANK.get(f.severity, 0)
                for g, other in fired if g is not f):
            continue
        kept.append(f)
    return kept


def _value_cell(cells: pd.Series | None, code: str) -> str | None:
    if cells is None:
        return None
    v = cells.get(code)
    return None if v is None or pd.isna(v) else v


def _rule_finding(rule: Rule, values: pd.Series, cells: pd.Series | None) -> Finding:
    v = {c: int(values[c]) for c in rule.codes}
    return rule_finding(rule, v, {c: _value_cell(cells, c) for c in rule.codes})
