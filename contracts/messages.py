"""Findings in the language of the form: Kazakh and Russian lines from the templates in data/messages.csv.

Templates are data so that operators can edit the wording. A template may use these placeholders:

    {code}   row code of the form, e.g. 2.1            {cell}   cell address, e.g. C17
    {field}  header field, named as on the form        {rule}   rule id, e.g. R03
    {left} {right} {op}  an arithmetic rule's sides and operator, e.g. "2.1-жол" "≤" "2-жол"
    {values} the report's numbers in that rule's rows, e.g. "2.1-жол = 8, 2-жол = 3"
    {found}  what the report holds: "8 > 3" for a rule, the bad value or BIN for other checks
    {median} {until}  an outlier's usual level, the last day of a period that has not ended

Text in [square brackets] is left out when a placeholder inside it is unknown, so a template can say
"[ ({cell} ұяшығы)]" and read well with or without a cell. An unknown placeholder outside brackets
prints as "?"; a template never makes the findings file fail.

Arithmetic rules (R01..) are looked up by their own id first, then by operator and severity:
R*<op>:<severity> (e.g. R*<=:error), then R*:<severity>, then R*.
"""
from __future__ import annotations

import csv
import io
import re
import string
from functools import lru_cache
from importlib import resources

from contracts.findings import STRUCTURAL
from contracts.form import Rule, Term, codes, parse_side, rules

_ROW = {"kk": "{code}-жол", "ru": "строка {code}"}
_OP = {"<=": "≤", "==": "=", ">=": "≥", "<": "<"}
_LANGS = ("kk", "ru")

# Details the English messages carry that the templates can show: rule id -> pattern with named groups.
_DETAILS = {
    "V01": r"holds (?P<found>.+?), not a whole number",
    "V02": r"holds (?P<found>.+?), a negative number",
    "V03": r"holds (?P<found>.+?), not a number",
    "H03": r"The BIN (?P<found>.+?) is not valid",
    "G01": r"BIN (?P<found>\S+) is not in the registry",
    "G02": r"Body (?P<found>\S+) \(",
    "G03": r"report for (?P<found>\S+) arrived on \S+, before the quarter ended \((?P<until>[^)]+)\)",
    "O01": r"is (?P<found>-?\d+), far from .*?median (?P<median>[-\d.]+)",
}
_RULE_TEXT = re.compile(r"Rule (?P<rule>\S+) \((?P<left>.+?) (?P<op><=|==|>=|<) (?P<right>.+?)\) does not hold")
_ROW_VALUE = re.compile(r"row (?P<code>\d+(?:\.\d+)*) \((?P<value>-?\d+)\)")


@lru_cache(maxsize=1)
def templates() -> dict[str, dict[str, str]]:
    """Template id -> {'kk': ..., 'ru': ...}, from data/messages.csv."""
    text = resources.files("contracts").joinpath("data", "messages.csv").read_text(encoding="utf-8")
    return {r["rule"].strip(): {lang: (r.get(lang) or "").strip() for lang in _LANGS}
            for r in csv.DictReader(io.StringIO(text)) if (r.get("rule") or "").strip()}


def template_for(rule: str, *, severity: str | None = None, op: str | None = None) -> dict[str, str] | None:
    """The templates of a finding's rule id; arithmetic rules fall back to the generic R* templates."""
    table = templates()
    if rule in table:
        return table[rule]
    if not rule or rule in STRUCTURAL:
        return None
    for key in (f"R*{op}:{severity}", f"R*:{severity}", "R*"):
        if key in table:
            return table[key]
    return None


def local_lines(rule: str, *, code: str | None = None, cell: str | None = None, field: str | None = None,
                message: str | None = None, severity: str | None = None, values: dict[str, int] | None = None,
                found: str | None = None) -> tuple[str, str]:
    """(Kazakh, Russian) lines for one finding.

    For an arithmetic rule, give the values of its rows in `values` when at hand; otherwise they are read back
    from the English message ("... row 2.1 (8) = 8, but row 2 (3) = 3"). Never raises for a bad template or
    a message in an unexpected shape: the worst case is a line with "?" in it.
    """
    rule = rule.strip() if isinstance(rule, str) else ""
    message = message if isinstance(message, str) else ""
    fill: dict[str, object] = {"rule": rule, "code": code, "cell": cell, "found": found}
    definition = _definition(rule, message)
    if rule in STRUCTURAL:
        severity = severity or STRUCTURAL[rule][1]
        pattern = _DETAILS.get(rule)
        match = re.search(pattern, message) if pattern and message else None
        if match:
            for key, value in match.groupdict().items():
                if fill.get(key) is None and value is not None:
                    fill[key] = value.strip().strip("'\"")
    elif definition is not None:
        severity = severity or definition.severity
    template = template_for(rule, severity=severity, op=definition.op if definition else None)
    if template is None:  # an id the messages file does not know yet: the English text is better than nothing
        return (message or rule or "?", message or rule or "?")
    if definition is not None and values is None:
        values = {m["code"]: int(m["value"]) for m in _ROW_VALUE.finditer(message)} or None
    out = []
    for lang in _LANGS:
        local = dict(fill)
        local["field"] = _field_label(field, lang)
        if definition is not None:
            local.update(_rule_parts(definition, values, lang))
        out.append(render(template[lang], local))
    return out[0], out[1]


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
    for literal, name, spec, conversion in string.Formatter().parse(text):
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
    label = templates().get(f"field:{field}")
    return label[lang] if label and label[lang] else field


def _definition(rule: str, message: str) -> Rule | None:
    """The rule as it was checked: from the English message when it states it (an operator's rules file
    may differ from the form's), else from the form's rules."""
    match = _RULE_TEXT.search(message) if message else None
    if match and match["rule"] == rule:
        try:
            known = set(codes())
            left, right = parse_side(match["left"], known), parse_side(match["right"], known)
            base = next((r for r in rules() if r.rule == rule), None)
            return Rule(rule=rule, name=base.name if base else rule, left=left, op=match["op"], right=right,
                        severity=base.severity if base else "error", why=base.why if base else "",
                        left_text=match["left"], right_text=match["right"])
        except ValueError:
            pass
    return next((r for r in rules() if r.rule == rule), None)


def _rule_parts(rule: Rule, values: dict[str, int] | None, lang: str) -> dict[str, str | None]:
    row = _ROW[lang]

    def side(terms: tuple[Term, ...]) -> str:
        return " + ".join(row.format(code=t.code) if t.factor == 1 else f"{t.factor} × " + row.format(code=t.code)
                          for t in terms)

    parts: dict[str, str | None] = {"left": side(rule.left), "right": side(rule.right),
                                    "op": _OP.get(rule.op, rule.op), "values": None}
    if values and all(t.code in values for t in rule.left + rule.right):
        v = {c: int(values[c]) for c in rule.codes}
        parts["values"] = ", ".join(f"{row.format(code=c)} = {v[c]}" for c in rule.codes)
        left, right = _numbers(rule.left, v), _numbers(rule.right, v)
        lsum, rsum = (sum(t.factor * v[t.code] for t in s) for s in (rule.left, rule.right))
        relation = ">" if lsum > rsum else "<" if lsum < rsum else "="
        if rule.op == "==" and relation != "=":
            relation = "≠"
        parts["found"] = f"{left} {relation} {right}"
    return parts


def _numbers(terms: tuple[Term, ...], v: dict[str, int]) -> str:
    shown = " + ".join(str(v[t.code]) if t.factor == 1 else f"{t.factor} × {v[t.code]}" for t in terms)
    total = sum(t.factor * v[t.code] for t in terms)
    return shown if len(terms) == 1 and terms[0].factor == 1 else f"{shown} = {total}"

