"""Sample report values: realistic counts that satisfy the form's rules, and ways to break exactly one rule."""
from __future__ import annotations

import csv
import io
import math
import random
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

from contracts.form import Rule, Term, codes, rules

# Typical quarterly count per indicator for a mid-sized body (data/typical_counts.csv); a body's size scales them.
# Totals with no row there (1, 3) are the sums of their parts.
TYPICAL = {r["code"]: float(r["typical_count"]) for r in csv.DictReader(
    io.StringIO(resources.files("adep.sample").joinpath("data", "typical_counts.csv").read_text(encoding="utf-8")))}
# Share of bodies that report nothing at all on an indicator in a quarter.
ZERO_SHARE = 0.35


def side_value(terms: Iterable[Term], values: dict[str, int]) -> int:
    """The value of one side of a rule: sum of factor times the row's value (a missing row counts 0)."""
    total = 0
    for t in terms:
        total += t.factor * (values.get(t.code) or 0)
    return total


def holds(rule: Rule, values: dict[str, int]) -> bool:
    """Whether one arithmetic rule holds for a report's values."""
    left, right = side_value(rule.left, values), side_value(rule.right, values)
    return {"<=": left <= right, "==": left == right, ">=": left >= right, "<": left < right}[rule.op]


def broken_rules(values: dict[str, int], all_rules: tuple[Rule, ...] | None = None) -> list[Rule]:
    """The rules a report's values break, in the order of the rules file."""
    return [r for r in (all_rules or rules()) if not holds(r, values)]


def _as_upper_bounds(all_rules: tuple[Rule, ...]) -> tuple[list[tuple[tuple[Term, ...], tuple[Term, ...], int]], dict]:
    """Rules as 'left <= right - slack' bounds, and the codes that are sums of others ('==' rules)."""
    sums = {r.right[0].code: r for r in all_rules if r.op == "==" and len(r.right) == 1 and r.right[0].factor == 1}
    # A '<=' rule with the same sides as an '==' rule says nothing more.
    implied = {(frozenset(r.left), r.right) for r in sums.values()}
    bounds = []
    for r in all_rules:
        if r.op in ("<=", "<") and (frozenset(r.left), r.right) not in implied:
            bounds.append((r.left, r.right, 1 if r.op == "<" else 0))
        elif r.op == ">=":
            bounds.append((r.right, r.left, 0))
    return bounds, sums


def generation_order(all_rules: tuple[Rule, ...]) -> tuple[str, ...]:
    """Codes ordered so that a bound is known before what it bounds and parts before their sum."""
    bounds, sums = _as_upper_bounds(all_rules)
    before: dict[str, set[str]] = {c: set() for c in codes()}
    for left, right, _slack in bounds:
        for t in left:
            before[t.code].update(u.code for u in right)
    for total, r in sums.items():
        before[total].update(t.code for t in r.left)
    order, done = [], set()
    while len(order) < len(before):
        ready = [c for c in codes() if c not in done and before[c] <= done]
        if not ready:
            raise ValueError(f"rules form a cycle among {sorted(set(before) - done)}")
        order.append(ready[0])
        done.add(ready[0])
    return tuple(order)


@dataclass(frozen=True)
class _Recipe:
    """How to draw a report: codes in order, which are sums, and the bounds each code must keep."""

    order: tuple[str, ...]
    sums: dict
    bounds_by_code: dict


_recipes: dict[int, tuple[tuple[Rule, ...], _Recipe]] = {}


def recipe(all_rules: tuple[Rule, ...]) -> _Recipe:
    """The drawing recipe for a set of rules, worked out once per rules object."""
    hit = _recipes.get(id(all_rules))
    if hit is not None and hit[0] is all_rules:
        return hit[1]
    bounds, sums = _as_upper_bounds(all_rules)
    by_code: dict[str, list] = {}
    for left, right, slack in bounds:
        for term in left:
            others = tuple(t for t in left if t is not term)
            by_code.setdefault(term.code, []).append((term.factor, others, right, slack))
    made = _Recipe(generation_order(all_rules), sums, by_code)
    _recipes[id(all_rules)] = (all_rules, made)
    return made


def draw_count(rng: random.Random, typical: float, size: float) -> int:
    """A small count with many zeros, heavier for bigger bodies."""
    if rng.random() < ZERO_SHARE:
        return 0
    return int(rng.expovariate(1 / max(typical * size, 0.05)) + 0.5)


def clean_values(rng: random.Random, size: float = 1.0, all_rules: tuple[Rule, ...] | None = None) -> dict[str, int]:
    """Counts for one report that satisfy every rule, error and warning alike."""
    all_rules = all_rules or rules()
    steps = recipe(all_rules)
    values: dict[str, int] = {}
    for code in steps.order:
        if code in steps.sums:
            values[code] = side_value(steps.sums[code].left, values)
            continue
        value = draw_count(rng, TYPICAL.get(code, 1), size)
        for factor, others, right, slack in steps.bounds_by_code.get(code, ()):
            budget = side_value(right, values) - slack - side_value(others, values)
            value = min(value, max(budget, 0) // factor)
        values[code] = value
    broken = broken_rules(values, all_rules)
    if broken:
        raise ValueError(f"could not draw values satisfying {[r.rule for r in broken]}")
    return {c: values[c] for c in codes()}


def break_error_rule(values: dict[str, int], rule: Rule, rng: random.Random) -> dict[str, int]:
    """The values with one rule made false by raising one of its rows, as a typing slip would."""
    out = dict(values)
    extra = rng.randint(1, 4)
    if rule.op in ("<=", "<"):
        term = rng.choice(rule.left)
        gap = side_value(rule.right, out) - side_value(rule.left, out)
        out[term.code] += math.ceil((gap + 1) / term.factor) + extra - 1
    else:  # '==' or '>=': a total above its parts
        term = rule.right[0]
        out[term.code] += math.ceil(max(side_value(rule.left, out) - side_value(rule.right, out) + 1, 1) / term.factor) + extra - 1
    assert not holds(rule, out)
    return out


def break_warning_rule(values: dict[str, int], rule: Rule, rng: random.Random) -> dict[str, int] | None:
    """The values with one warning rule false and every error rule still true; None when no small change does it."""
    errors = [r for r in rules() if r.severity == "error"]
    for candidate in _warning_candidates(values, rule, rng):
        if not holds(rule, candidate) and all(holds(r, candidate) for r in errors):
            return candidate
    return None


def _warning_candidates(values: dict[str, int], rule: Rule, rng: random.Random):
    """Small edits that may break a rule: a total typed too high, a bound typed too low, a part typed too high."""
    if rule.op == "==" and len(rule.right) == 1:
        out = dict(values)
        out[rule.right[0].code] += rng.randint(1, 3)
        yield out
    if len(rule.right) == 1:
        base = dict(values)
        for term in rule.left[:2]:  # at least two parts counted, so their sum can exceed each of them
            base[term.code] = max(base[term.code], 1)
        code = rule.right[0].code
        # Each part within the total but together above it: 'one trip may cover an oblast and its districts'.
        yield {**base, code: max(t.factor * base[t.code] for t in rule.left) // rule.right[0].factor}
        for lowered in range(base[code], -1, -1):
            yield {**base, code: lowered}
    for term in rule.left:
        out = dict(values)
        gap = side_value(rule.right, out) - side_value(rule.left, out)
        out[term.code] += math.ceil((gap + 1) / term.factor)
        yield out
