"""Predicates of the form, vectorised over a batch: one row per report, one column per indicator (the schemas of
contracts.schemas wrap them in pandera Checks).

Kept as small named functions (not lambdas) so each can be tested alone.
"""
from __future__ import annotations

import operator

import pandas as pd

from contracts.bin import is_valid_bin
from contracts.form import Rule, Term

_OPS = {"<=": operator.le, "==": operator.eq, ">=": operator.ge, "<": operator.lt}


def side_total(wide: pd.DataFrame, terms: tuple[Term, ...]) -> pd.Series:
    """Sum of factor * value over the terms; NA where any value is missing."""
    total = None
    for term in terms:
        part = wide[term.code] * term.factor
        total = part if total is None else total + part
    return total


def rule_holds(wide: pd.DataFrame, rule: Rule) -> pd.Series:
    """True where the rule holds or cannot be judged (a value it needs is missing: that has its own finding)."""
    result = _OPS[rule.op](side_total(wide, rule.left), side_total(wide, rule.right))
    return result.fillna(True).astype(bool)


def bin_has_valid_check_digit(bins: pd.Series) -> pd.Series:
    return bins.map(lambda b: b is None or pd.isna(b) or is_valid_bin(b)).astype(bool)


def quarter_in_range(quarters: pd.Series) -> pd.Series:
    return quarters.isna() | quarters.between(1, 4)


def year_plausible(years: pd.Series) -> pd.Series:
    return years.isna() | years.between(2015, 2100)


def all_non_negative(wide: pd.DataFrame) -> pd.Series:
    """Per report: every value that could be read is a count, zero or more."""
    return (wide.fillna(0) >= 0).all(axis=1)
