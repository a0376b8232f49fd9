"""One finding per fault: rules over the same sides pair by their sides, and a rule's finding cites both sides' cells."""
from __future__ import annotations

from dataclasses import replace

import pandas as pd

from contracts.form import codes, rules
from contracts.schemas import rule_findings
from tests.conftest import clean_values


def _appeals_over_total() -> dict[str, int]:
    v = clean_values()
    v["3.1"] += 4  # the sources now exceed the appeals received
    return v


def test_one_finding_per_fault_when_parts_exceed_their_total():
    """R04 (parts <= total, error) and R05 (parts == total, warning) share sides: an excess is R04's alone."""
    cells = pd.DataFrame([{c: f"C{i + 10}" for i, c in enumerate(codes())}], columns=list(codes()))
    found = rule_findings(pd.DataFrame([_appeals_over_total()]).astype("Int64"), cells)[0]
    assert [f.rule for f in found] == ["R04"]
    r04 = found[0]
    assert (r04.code, r04.cell) == ("3", cells.at[0, "3"])  # the total's cell
    assert set(r04.params["cells"]) == {"3", "3.1", "3.2", "3.3", "3.4", "3.5"}
    short = clean_values()
    short["3"] += 2  # the sources fall short of the total: R05 alone, advising to look for what was left out
    assert [f.rule for f in rule_findings(pd.DataFrame([short]).astype("Int64"))[0]] == ["R05"]


def test_pairing_follows_the_rules_sides_and_never_drops_a_more_severe_finding():
    form = {r.rule: r for r in rules()}
    both_warnings = (replace(form["R04"], severity="warning"), form["R05"])
    found = rule_findings(pd.DataFrame([_appeals_over_total()]).astype("Int64"), rule_set=both_warnings)[0]
    assert [f.rule for f in found] == ["R04"]
    stricter_equality = (replace(form["R04"], severity="warning"), replace(form["R05"], severity="error"))
    found = rule_findings(pd.DataFrame([_appeals_over_total()]).astype("Int64"), rule_set=stricter_equality)[0]
    assert sorted(f.rule for f in found) == ["R04", "R05"]
    mirrored = (replace(form["R05"], left=form["R05"].right, right=form["R05"].left), form["R04"])
    found = rule_findings(pd.DataFrame([_appeals_over_total()]).astype("Int64"), rule_set=mirrored)[0]
    assert [f.rule for f in found] == ["R04"]


def test_an_equality_rule_alone_says_the_parts_exceed_the_total():
    r05 = next(r for r in rules() if r.rule == "R05")
    found = rule_findings(pd.DataFrame([_appeals_over_total()]).astype("Int64"), rule_set=(r05,))[0]
    lines = found[0].lines()
    assert "the parts exceed the total" in lines["en"] and "left out" not in lines["en"]
    assert "асып кетті" in lines["kk"] and "больше общего количества" in lines["ru"]
