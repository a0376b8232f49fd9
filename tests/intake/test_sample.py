"""The sample country is a valid tree, its clean reports keep every rule, and its quarter covers every outcome."""
from __future__ import annotations

import os
import random
from collections import Counter
from datetime import date

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from adep.periods import Period
from adep.sample.quarter import expected_bodies, make_quarter, plan_quarter
from adep.sample.registry import KINDS, REGISTRY_COLUMNS, make_registry, write_registry_csv
from adep.sample.values import break_error_rule, break_warning_rule, clean_values
from adep.forms.writer import plan_sheet
from contracts.bin import is_valid_bin
from contracts.form import codes, normalize_code, rules

PERIOD = Period(2026, 3)


def rule_holds(rule, values: dict) -> bool:
    """Evaluate a rule from its terms, independently of the generator's own evaluator."""
    def side(terms):
        return sum(t.factor * values.get(t.code, 0) for t in terms)

    left, right = side(rule.left), side(rule.right)
    return {"<=": left <= right, "==": left == right, ">=": left >= right, "<": left < right}[rule.op]


@pytest.fixture(scope="module")
def registry() -> pd.DataFrame:
    return make_registry(3000, seed=0)


@pytest.mark.parametrize("n", [1000, 3000, 5000, 20000])
def test_registry_has_the_asked_number_of_bodies(n):
    reg = make_registry(n, seed=1)
    assert reg["bin"].nunique() == n
    assert list(reg.columns) == REGISTRY_COLUMNS


def test_registry_is_a_tree_of_valid_bins(registry):
    assert registry["bin"].map(is_valid_bin).all()
    bins = set(registry["bin"])
    parents = registry["parent_bin"].dropna()
    assert set(parents) <= bins
    parent_of: dict[str, set[str]] = {}
    for bin_, parent in zip(registry["bin"], registry["parent_bin"]):
        parent_of.setdefault(bin_, set()).update([] if pd.isna(parent) else [parent])
    depth = {}
    for start in parent_of:
        seen, frontier, steps = {start}, set(parent_of[start]), 1
        while frontier:  # every version's parent, so a move cannot hide a cycle
            assert not frontier & seen, f"cycle through {start}"
            seen |= frontier
            frontier = set().union(*(parent_of[p] for p in frontier))
            steps += 1
        depth[start] = steps
    assert 3 <= max(depth.values()) <= 4


def test_registry_has_every_kind_and_real_regions(registry):
    assert set(registry["kind"]) == set(KINDS)
    kinds = registry.drop_duplicates("bin")["kind"].value_counts()
    assert 18 <= kinds["central_body"] <= 22
    assert kinds["regional_akimat"] == 20
    assert {"Абай облысы", "Ұлытау облысы", "Астана қаласы", "Алматы қаласы", "Шымкент қаласы"} <= set(registry["region"])
    assert registry["name_kk"].str.len().min() > 3 and registry["name_ru"].str.len().min() > 3
    embassies = registry[registry["kind"] == "foreign_institution"]
    mfa = registry.loc[registry["name_ru"] == "Министерство иностранных дел", "bin"].item()
    assert (embassies["parent_bin"] == mfa).all()


def test_registry_versions_do_not_overlap(registry):
    versions = registry[registry["bin"].duplicated(keep=False)].sort_values(["bin", "valid_from"])
    assert versions["bin"].nunique() >= 2
    for _bin, rows in versions.groupby("bin"):
        assert (rows["valid_to"].iloc[:-1].to_numpy() < rows["valid_from"].iloc[1:].to_numpy()).all()
    moved = versions.groupby("bin")["parent_bin"].nunique()
    assert (moved > 1).any()
    assert registry["valid_to"].notna().sum() >= 3  # two closed versions and one abolished body


def test_expected_bodies_follow_the_registry_history(registry):
    q2 = set(expected_bodies(registry, Period(2026, 2))["bin"])
    q3 = expected_bodies(registry, Period(2026, 3))
    abolished = registry.loc[registry["valid_to"] == "2026-05-31", "bin"].item()
    assert abolished in q2 and abolished not in set(q3["bin"])
    assert q3["bin"].is_unique and "excluded" not in set(q3["kind"])


def test_registry_csv_round_trips(registry, tmp_path):
    path = write_registry_csv(registry, tmp_path / "registry.csv")
    back = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert list(back.columns) == REGISTRY_COLUMNS
    assert back["bin"].tolist() == registry["bin"].tolist()
    assert (back["parent_bin"] == "").sum() == registry["parent_bin"].isna().sum()


@pytest.mark.parametrize("size", [0.2, 1, 6])
def test_clean_values_keep_every_rule(size):
    rng = random.Random(size)
    for _ in range(300):
        values = clean_values(rng, size)
        assert set(values) == set(codes())
        assert all(isinstance(v, int) and v >= 0 for v in values.values())
        broken = [r.rule for r in rules() if not rule_holds(r, values)]
        assert not broken, (broken, values)


@pytest.mark.parametrize("rule", rules(), ids=lambda r: r.rule)
def test_each_rule_can_be_broken_alone(rule):
    rng = random.Random(rule.rule)
    values = clean_values(rng, 1.0)
    broken_values = (break_error_rule if rule.severity == "error" else break_warning_rule)(values, rule, rng)
    assert not rule_holds(rule, broken_values)
    if rule.severity == "warning":
        assert all(rule_holds(r, broken_values) for r in rules() if r.severity == "error")


def test_quarter_plan_covers_every_error_rule_and_outcome(registry, tmp_path):
    manifest, jobs = plan_quarter(registry, PERIOD, tmp_path)
    frame = manifest.to_frame()
    injected = Counter(i.split("@")[0] for e in manifest.entries for i in e.injected)
    for rule in rules():
        assert injected[f"{rule.severity}:{rule.rule}"] >= 1, rule.rule
    for kind in ("bad_value:fraction", "bad_value:negative", "bad_value:text", "missing_code", "bad_bin",
                 "unknown_bin", "formula_no_value", "excluded_body"):
        assert injected[kind] >= 1, kind
    assert set(frame["expected"]) == {"loaded", "warned", "rejected", "duplicate", "superseded"}
    assert frame["file_name"].str.lower().is_unique
    assert frame["is_late"].any() and not frame["is_late"].all()
    assert manifest.missing_bins and not set(manifest.missing_bins) & set(frame["bin"])
    warned = [e for e in manifest.entries if e.expected == "warned"]
    assert all(rules_by_id[r].severity == "warning" for e in warned for r in e.rules_broken)
    clean = [e for e in manifest.entries if e.expected == "loaded"]
    assert all(not e.rules_broken and all(rule_holds(r, e.values) for r in rules()) for e in clean)
    assert {e.writer for e in manifest.entries} == {"openpyxl", "xlsxwriter"}
    unsaved = [e for e in manifest.entries if e.layout.formulas and e.writer == "openpyxl"]
    assert all(e.expected == "rejected" and "formula_no_value" in e.injected for e in unsaved)


rules_by_id = {r.rule: r for r in rules()}


def test_quarter_files_are_written_as_planned(tmp_path):
    registry = make_registry(150, seed=2)
    manifest = make_quarter(registry, PERIOD, tmp_path, seed=2, error_share=0.1, warning_share=0.1)
    assert sorted(os.listdir(tmp_path)) == sorted(e.file_name for e in manifest.entries)
    by_name = {e.file_name: e for e in manifest.entries}
    for name, entry in by_name.items():
        mtime = os.stat(tmp_path / name).st_mtime
        assert abs(mtime - entry.received_at.timestamp()) < 1
        end_of_deadline = pd.Timestamp(entry.deadline, tz="Asia/Almaty") + pd.Timedelta(days=1)
        assert (mtime >= end_of_deadline.timestamp()) == entry.is_late
        assert mtime > pd.Timestamp(PERIOD.last_day, tz="Asia/Almaty").timestamp()
    duplicate = next(e for e in manifest.entries if e.expected == "duplicate")
    original = duplicate.injected[0].split(":", 1)[1]
    assert (tmp_path / duplicate.file_name).read_bytes() == (tmp_path / original).read_bytes()
    for entry in manifest.entries:
        if entry.expected in ("loaded", "warned") and entry.writer == "xlsxwriter":
            assert read_values(tmp_path / entry.file_name, entry) == entry.values, entry.file_name


def read_values(path, entry) -> dict:
    """Values read back at the cells the layout puts them in: blank and dashes as 0, text trimmed."""
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("1-әу").to_python(skip_empty_area=False)
    plan = plan_sheet(bin=entry.bin, period=PERIOD, body_name="x", commissioner="x", phone="x",
                      signed_on=date(2026, 10, 1), values=entry.values, layout=entry.layout)
    out = {}
    for code, (row, col) in plan.value_cells.items():
        assert normalize_code(sheet[row][plan.code_cells[code][1]]) == code
        raw = sheet[row][col] if col < len(sheet[row]) else ""
        raw = raw.strip() if isinstance(raw, str) else raw
        out[code] = 0 if raw in ("", "-", "–", "—") else int(float(raw))
    return out


def test_the_samples_typical_counts_cover_the_forms_rows():
    from adep.sample.values import TYPICAL

    totals_made_of_parts = {r.right_text for r in rules() if r.op == "=="}
    assert set(TYPICAL) | totals_made_of_parts == set(codes())
