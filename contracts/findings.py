"""Findings: one shape for everything a check can say about a file, and one catalogue of what each says.

The catalogue (`data/findings.csv`) gives every finding id its dotted name, its severity and its wording in
English, Kazakh and Russian as templates. A finding carries structured parameters, never prose: each language
is filled from the same parameters, so rewording one language cannot break another. A template id may have
variants (`F01/empty`) that share the id's name and severity and say more about one cause.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from contracts.catalogue import catalogue
from contracts.messages import render_finding, rule_template_id

FINDING_COLUMNS = ["severity", "rule", "name", "code", "field", "cell", "message", "message_kk", "message_ru", "template", "params"]


@dataclass(frozen=True)
class Finding:
    """One problem in one file: which check, which row code or header field, which cell, and its parameters."""

    severity: str  # "error" rejects the report, "warning" loads it and records the finding
    rule: str  # R01..R27 for the form's arithmetic; F, T, V, H, G, O for the structural checks
    name: str  # dotted name of the check, e.g. appeal_sources.exceed_total
    code: str | None = None  # row code of the form, when the finding is about a row
    field: str | None = None  # header field, when the finding is about the header
    cell: str | None = None  # cell address such as C17, when there is one
    template: str = ""  # catalogue id of the wording (the rule id, a variant such as F01/empty, or R*<=:error)
    params_json: str = "{}"  # the finding's parameters, as JSON, so the finding stays hashable and storable

    @property
    def params(self) -> dict:
        return json.loads(self.params_json)

    def lines(self) -> dict[str, str]:
        """The finding in words: {'en': ..., 'kk': ..., 'ru': ...}, each filled from the same parameters."""
        return render_finding(self.template or self.rule, code=self.code, field=self.field, cell=self.cell,
                              params=self.params, rule=self.rule)

    @property
    def message(self) -> str:
        """The English line (what engineers and the warehouse's `message` column read)."""
        return self.lines()["en"]

    def as_dict(self) -> dict:
        lines = self.lines()
        return {"severity": self.severity, "rule": self.rule, "name": self.name, "code": self.code,
                "field": self.field, "cell": self.cell, "message": lines["en"], "message_kk": lines["kk"],
                "message_ru": lines["ru"], "template": self.template, "params": self.params_json}


def _json(params: dict) -> str:
    return json.dumps(params, ensure_ascii=False, sort_keys=True, default=str)


def finding(rule: str, variant: str | None = None, *, code: str | None = None, field: str | None = None,
            cell: str | None = None, **params) -> Finding:
    """A structural finding from the catalogue: `finding("V01", code="3.1", cell="C12", found="2.5")`."""
    template = f"{rule}/{variant}" if variant else rule
    table = catalogue()
    if rule not in table or template not in table:
        raise KeyError(f"finding {template} is not in contracts/data/findings.csv")
    base = table[rule]
    return Finding(base.severity, rule, base.name, code=code, field=field, cell=cell, template=template,
                   params_json=_json(params))


def rule_finding(rule, values: dict[str, int], cells: dict[str, str | None]) -> Finding:
    """A finding of an arithmetic rule: its sides as checked (the operator's rules file may differ from the form's),
    the values of its rows and the cells of both sides. It cites the total's cell (the first row of the right side:
    the figure the parts are measured against); the parameters list every cell."""
    params = {"left": rule.left_text, "op": rule.op, "right": rule.right_text, "why": rule.why,
              "values": {c: int(values[c]) for c in rule.codes},
              "cells": {c: cells.get(c) for c in rule.codes if cells.get(c)}}
    left = sum(t.factor * int(values[t.code]) for t in rule.left)
    right = sum(t.factor * int(values[t.code]) for t in rule.right)
    total = rule.right[0].code
    return Finding(rule.severity, rule.rule, rule.name, code=total, cell=cells.get(total) or None,
                   template=rule_template_id(rule.rule, rule.severity, rule.op, "over" if left > right else None),
                   params_json=_json(params))
