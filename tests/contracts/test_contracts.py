"""The contracts agree with the reference files in shared/, and every check fires when it should and only then."""
from __future__ import annotations

import csv

import pandas as pd
import pytest

from contracts import checks
from contracts.bin import complete_bin, is_valid_bin
from contracts.form import codes, indicators, normalize_code, parse_rules, rules
from contracts.schemas import header_findings, rule_findings
from tests.conftest import SHARED, clean_values


def _shared(name: str) -> list[dict[str, str]]:
    with open(SHARED / "form-1-eu" / name, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_indicators_match_the_reference_file():
    reference = _shared("indicators.csv")
    ours = indicators()
    assert [r["code"] for r in reference] == [i.code for i in ours]
    for ref, ind in zip(reference, ours):
        assert (ref["parent"] or None) == ind.parent
        assert ref["label_kk"] == ind.label_kk
        assert ref["gloss_en"] == ind.gloss_en
        assert ind.label_ru and ind.label_ru != ind.label_kk


def test_rules_match_the_reference_file():
    reference = {r["rule"]: r for r in _shared("rules.csv")}
    ours = {r.rule: r for r in rules()}
    assert set(reference) == set(ours)
    for rule_id, ref in reference.items():
        rule = ours[rule_id]
        assert (rule.left_text, rule.op, rule.right_text, rule.severity) == (ref["left"], ref["op"], ref["right"], ref["severity"])
        assert rule.why == ref["why"]
        assert rule.name and "." in rule.name


def test_rule_with_a_factor_is_parsed():
    r27 = {r.rule: r for r in rules()}["R27"]
    assert [(t.code, t.factor) for t in r27.right] == [("9", 1000)]


def test_an_operator_rules_file_with_a_bad_line_names_the_line():
    text = "rule,name,left,op,right,severity,why\nR01,a.b,1.1,<=,1,error,x\nR02,a.c,1.1,<=,99,warning,x\n"
    with pytest.raises(ValueError, match="line 3"):
        parse_rules(text)


def test_bin_check_digit():
    assert is_valid_bin(complete_bin("99010100001"))
    good = complete_bin("99010100001")
    bad = good[:11] + str((int(good[11]) + 1) % 10)
    assert not is_valid_bin(bad)
    assert not is_valid_bin("12345")
    assert not is_valid_bin("12345678901a")


@pytest.mark.parametrize("raw,code", [(1, "1"), (1.1, "1.1"), (10.0, "10"), ("1.", "1"), ("1.1.", "1.1"), (" 11.3 ", "11.3"),
                                      (11.3, "11.3"), ("9,1", "9.1"), ("12", None), (2.5, None), ("abc", None)])
def test_codes_are_read_as_the_form_prints_them(raw, code):
    assert normalize_code(raw) == code


def _broken(rule) -> dict[str, int]:
    """Clean values with the rule's left side pushed past its right side."""
    v = clean_values()
    frame = pd.DataFrame([v]).astype("Int64")
    left = int(checks.side_total(frame, rule.left).iloc[0])
    right = int(checks.side_total(frame, rule.right).iloc[0])
    v[rule.left[0].code] += right - left + 1
    return v


def test_clean_values_break_no_rule():
    wide = pd.DataFrame([clean_values(s) for s in range(5)]).astype("Int64")
    assert rule_findings(wide) == {}


@pytest.mark.parametrize("rule", rules(), ids=lambda r: r.rule)
def test_each_rule_fires_on_values_that_break_it(rule):
    wide = pd.DataFrame([clean_values(), _broken(rule)]).astype("Int64")
    found = rule_findings(wide)
    assert 0 not in found
    fired = {f.rule: f for f in found[1]}
    assert rule.rule in fired
    assert fired[rule.rule].severity == rule.severity
    assert rule.left[0].code in fired[rule.rule].message


def test_rules_skip_reports_whose_values_could_not_be_read():
    v = _broken(rules()[0])
    v["1"] = None
    wide = pd.DataFrame([v]).astype("Int64")
    assert "R01" not in {f.rule for f in rule_findings(wide).get(0, [])}


def test_one_validation_call_covers_a_large_batch():
    rows = [clean_values(i) for i in range(3000)]
    rows[1234] = _broken(rules()[3])
    found = rule_findings(pd.DataFrame(rows).astype("Int64"))
    assert set(found) == {1234}


def test_header_contract():
    good = complete_bin("99010100001")
    headers = pd.DataFrame([
        dict(bin=good, year=2026, quarter=3, body_name="A", commissioner="B", phone="1", signed_on="x"),
        dict(bin=good[:11] + str((int(good[11]) + 1) % 10), year=2026, quarter=3, body_name="A", commissioner="B", phone="1", signed_on="x"),
        dict(bin=None, year=None, quarter=None, body_name=None, commissioner=None, phone=None, signed_on=None),
    ])
    for col in ("year", "quarter"):
        headers[col] = headers[col].astype("Int64")
    found = header_findings(headers)
    assert 0 not in found
    assert [f.rule for f in found[1]] == ["H03"]
    assert {f.rule for f in found[2]} == {"H01", "H02", "H04", "H05", "H06", "H07"}
    assert {f.severity for f in found[2] if f.rule in ("H01", "H02")} == {"error"}


def test_negative_values_break_the_values_contract():
    v = clean_values()
    v["8"] = -2
    found = rule_findings(pd.DataFrame([clean_values(), v]).astype("Int64"))
    assert [(f.rule, f.code) for f in found[1] if f.rule == "V02"] == [("V02", "8")]
    assert 0 not in found
