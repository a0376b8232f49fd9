"""Findings in words: each language's line filled from the catalogue's template and the finding's parameters.

Templates are data (`data/findings.csv`) so that operators can edit the wording. A template may use the
finding's own parameters by name, and:

    {code}   row code of the form, e.g. 2.1            {cell}   cell address, e.g. C17
    {field}  header field, named as on the form        {rule}   rule id, e.g. R03
    {left} {right} {op}  an arithmetic rule's sides and operator, in the line's language ("2.1-жол" "≤" "2-жол")
    {values} the report's numbers in that rule's rows ("2.1-жол = 8, 2-жол = 3")
    {found}  for a rule: "8 > 3"; for other checks, what the report holds (a value, a BIN)
    {cells}  for a rule: its sides as the cells holding them ("C12 + C13 ≤ C11")

Text in [square brackets] is left out when a placeholder inside it is unknown, so a template can say
"[ ({cell} ұяшығы)]" and read well with or without a cell. An unknown placeholder outside brackets prints as
"?"; a template never makes the findings file fail.

Arithmetic rules (R01..) are looked up by their own id first, then by operator and severity:
R*<op>:<severity> (e.g. R*<=:error), then R*:<severity>, then R*.
"""
from __future__ import annotations

import re
import string

from contracts.catalogue import LANGUAGES, catalogue
from contracts.form import Term, codes, parse_side

_ROW = {"en": "row {code}", "kk": "{code}-жол", "ru": "строка {code}"}
_OP = {"<=": "≤", "==": "=", ">=": "≥", "<": "<"}


def rule_template_id(rule: str, severity: str, op: str, case: str | None = None) -> str:
    """The catalogue id whose wording an arithmetic rule's finding uses; case ('over': the left side exceeds the
    right) picks a variant worded for that direction where the catalogue has one."""
    table = catalogue()
    for key in (rule, f"R*{op}:{severity}", f"R*:{severity}", "R*"):
        if case and f"{key}/{case}" in table:
            return f"{key}/{case}"
        if key in table:
            return key
    return "R*"


def render_finding(template_id: str, *, code: str | None = None, field: str | None = None, cell: str | None = None,
                   params: dict | None = None, rule: str | None = None) -> dict[str, str]:
    """{'en': ..., 'kk': ..., 'ru': ...} for one finding; never raises (the worst case is a line with '?')."""
    table = catalogue()
    template = table.get(template_id) or table.get((template_id or "").split("/")[0])
    params = dict(params or {})
    rule = rule or (template_id or "").split("/")[0]
    if rule.startswith("R*"):
        rule = params.get("rule") or rule
    if template is None:
        text = str(params.get("message") or template_id or "?")
        return {lang: text for lang in LANGUAGES}
    out = {}
    for lang in LANGUAGES:
        fill: dict[str, object] = {k: v for k, v in params.items() if not isinstance(v, (dict, list))}
        fill.update(rule=rule, code=code, cell=cell, field=_field_label(field, lang))
        if "left" in params and "right" in params and "op" in params:
            fill.update(_rule_parts(params, lang))
        out[lang] = render(template.text.get(lang) or template.text.get("en") or "", fill)
    return out


def render(template: str, fill: dict[str, object]) -> str:
    """Fill a template: [optional parts] drop out when a placeholder in them is unknown; others print as '?'."""
    try:
        pieces = re.split(r"(\[[^\[\]]*\])", template)
        text = "".join(_fill(p[1:-1], fill, optional=True) if p.startswith("[") and p.endswith("]") else _fill(p, fill)
                       for p in pieces)
    except Exception:  # a malformed template must not stop the findings file
        text = template
    return re.sub(r"\s+", " ", text).strip()


def _fill(text: str, fill: dict[str, object], *, optional: bool = False) -> str:
    out = []
    for literal, name, _spec, _conversion in string.Formatter().parse(text):
        out.append(literal)
        if name is None:
            continue
        value = fill.get(name)
        if value is None or value == "" or value != value:  # None, empty or NaN
            if optional:
                return ""
            value = "?"
        out.append(str(value))
    return "".join(out)


def _field_label(field: str | None, lang: str) -> str | None:
    if not isinstance(field, str) or not field:
        return None
    label = catalogue().get(f"field:{field}")
    return label.text.get(lang) or field if label else field


def _rule_parts(params: dict, lang: str) -> dict[str, str | None]:
    """A rule's sides, operator, values and what the report holds, in one language."""
    row = _ROW[lang]
    try:
        known = set(codes())
        left, right = parse_side(str(params["left"]), known), parse_side(str(params["right"]), known)
    except (ValueError, KeyError):
        return {"left": str(params.get("left")), "right": str(params.get("right")), "op": params.get("op")}

    def side(terms: tuple[Term, ...]) -> str:
        return " + ".join(row.format(code=t.code) if t.factor == 1 else f"{t.factor} × " + row.format(code=t.code)
                          for t in terms)

    op = str(params["op"])
    parts: dict[str, str | None] = {"left": side(left), "right": side(right), "op": _OP.get(op, op), "values": None,
                                    "cells": _cells(left, right, _OP.get(op, op), params.get("cells") or {})}
    values = params.get("values") or {}
    if all(t.code in values for t in left + right):
        v = {c: int(x) for c, x in values.items()}
        order = list(dict.fromkeys(t.code for t in left + right))
        parts["values"] = ", ".join(f"{row.format(code=c)} = {v[c]}" for c in order)
        lsum, rsum = (sum(t.factor * v[t.code] for t in s) for s in (left, right))
        relation = ">" if lsum > rsum else "<" if lsum < rsum else "="
        if op == "==" and relation != "=":
            relation = "≠"
        parts["found"] = f"{_numbers(left, v)} {relation} {_numbers(right, v)}"
    return parts


def _numbers(terms: tuple[Term, ...], v: dict[str, int]) -> str:
    shown = " + ".join(str(v[t.code]) if t.factor == 1 else f"{t.factor} × {v[t.code]}" for t in terms)
    total = sum(t.factor * v[t.code] for t in terms)
    return shown if len(terms) == 1 and terms[0].factor == 1 else f"{shown} = {total}"


def _cells(left: tuple[Term, ...], right: tuple[Term, ...], op: str, cells: dict) -> str | None:
    """The rule's sides as the cells holding them ('C12 + C13 ≤ C11'), when every cell is known."""
    if not all(cells.get(t.code) for t in left + right):
        return None
    return f"{' + '.join(cells[t.code] for t in left)} {op} {' + '.join(cells[t.code] for t in right)}"
