"""The contracts hold the form's own facts, and every check fires when it should and only then."""
from __future__ import annotations

import pandas as pd
import pytest

from contracts import predicates
from contracts.bin import complete_bin, is_valid_bin
from contracts.form import codes, indicators, normalize_code, parse_rules, rules
from contracts.schemas import header_findings, rule_findings
from tests.conftest import clean_values

# The printed form 1-әу, as published: its 40 row codes in order, and the rows whose parent is not simply
# the code before the last dot (5.4 is 'of which' 5.3, not 5).
FORM_CODES = ("1 1.1 1.2 2 2.1 3 3.1 3.2 3.3 3.4 3.5 3.6 3.7 4 4.1 4.2 4.3 5 5.1 5.2 5.3 5.4 6 6.1 6.2 6.3 6.4 "
              "7 7.1 7.2 7.3 7.4 8 9 9.1 10 11 11.1 11.2 11.3").split()
PARENT_EXCEPTIONS = {"5.4": "5.3"}
# The form's arithmetic, from its 'оның ішінде' (of which) structure: id -> (left, op, right, severity).
FORM_RULES = {
    "R01": ("1.1 + 1.2", "<=", "1", "error"),
    "R02": ("1.1 + 1.2", "==", "1", "warning"),
    "R03": ("2.1", "<=", "2", "error"),
    "R04": ("3.1 + 3.2 + 3.3 + 3.4 + 3.5", "<=", "3", "error"),
    "R05": ("3.1 + 3.2 + 3.3 + 3.4 + 3.5", "==", "3", "warning"),
    "R06": ("3.6", "<=", "3", "error"),
    "R07": ("3.7", "<=", "3.6", "warning"),
    "R08": ("4.1 + 4.2", "<=", "4", "error"),
    "R09": ("4.3", "<=", "4", "error"),
    "R10": ("5.1", "<=", "5", "error"),
    "R11": ("5.2", "<=", "5", "error"),
    "R12": ("5.3", "<=", "5", "error"),
    "R13": ("5.1 + 5.2 + 5.3", "<=", "5", "warning"),
    "R14": ("5.4", "<=", "5.3", "error"),
    "R15": ("6.1 + 6.2 + 6.3 + 6.4", "<=", "6", "warning"),
    "R16": ("6.1", "<=", "6", "error"),
    "R17": ("6.2", "<=", "6", "error"),
    "R18": ("6.3", "<=", "6", "error"),
    "R19": ("6.4", "<=", "6", "error"),
    "R20": ("7.1 + 7.2 + 7.3 + 7.4", "<=", "7", "warning"),
    "R21": ("7.1", "<=", "7", "error"),
    "R22": ("7.2", "<=", "7", "error"),
    "R23": ("7.3", "<=", "7", "error"),
    "R24": ("7.4", "<=", "7", "error"),
    "R25": ("11.1 + 11.2 + 11.3", "<=", "11", "error"),
    "R26": ("11.1 + 11.2 + 11.3", "==", "11", "warning"),
    "R27": ("9.1", "<=", "9 * 1000", "warning"),
}


def test_indicators_hold_the_forms_rows_in_order():
    ours = indicators()
    assert [i.code for i in ours] == FORM_CODES
    assert [i.position for i in ours] == list(range(1, 41))
    for ind in ours:
        expected = PARENT_EXCEPTIONS.get(ind.code, ind.code.rsplit(".", 1)[0] if "." in ind.code else None)
        assert ind.parent == expected, ind.code
        assert ind.label_kk and ind.label_ru and ind.gloss_en and ind.label_ru != ind.label_kk
    assert ours[0].label_kk.startswith("Мемлекеттік қызмет, сыбайлас жемқорлыққа қарсы")
    assert ours[-1].code == "11.3" and ours[-1].parent == "11"


def test_rules_hold_the_forms_arithmetic():
    ours = {r.rule: r for r in rules()}
    assert set(ours) == set(FORM_RULES)
    for rule_id, (left, op, right, severity) in FORM_RULES.items():
        rule = ours[rule_id]
        assert (rule.left_text, rule.op, rule.right_text, rule.severity) == (left, op, right, severity)
        assert rule.why and rule.name and "." in rule.name


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
    """Clean values with the rule's left side pushed past its right side; for an '==' rule, the right side past
    the left (parts short of their total), which breaks it alone: parts over the total are the '<=' rule's finding."""
    v = clean_values()
    frame = pd.DataFrame([v]).astype("Int64")
    left = int(predicates.side_total(frame, rule.left).iloc[0])
    right = int(predicates.side_total(frame, rule.right).iloc[0])
    if rule.op == "==":
        v[rule.right[0].code] += left - right + 1
    else:
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


def test_the_reporting_chain_is_the_forms():
    from contracts.reporting import DUE_DAY, LOWER, TIMEZONE, TOP, kinds

    assert DUE_DAY == {TOP: 10, LOWER: 5} and TIMEZONE == "Asia/Almaty"
    assert list(kinds()) == ["central_body", "department", "territorial_unit", "foreign_institution",
                             "audit_commission", "regional_akimat", "local_akimat", "excluded"]
    assert [k for k, v in kinds().items() if not v.files_form] == ["excluded"]
    assert all(v.label.kk and v.label.ru and v.label.en for v in kinds().values())


def test_rule_parts_name_the_rows_a_rule_sums():
    from contracts.form import rule_parts

    assert rule_parts("R04") == ("3.1", "3.2", "3.3", "3.4", "3.5")
    with pytest.raises(KeyError):
        rule_parts("R99")
