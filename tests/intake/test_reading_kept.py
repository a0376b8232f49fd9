"""Every reading kept: the reader's choices of each attempt are in the warehouse (reading_choices), the same as
`adep check --choices` shows; and two small defects of the ledger: when a rejected file was resolved, and a link
kept in rejected/ that `rerun --failed` took again every time."""
from __future__ import annotations

import os
import shutil
from datetime import timedelta

import pytest

from adep.cli.parser import main
from adep.forms.writer import write_report
from adep.intake.choices import Choice
from flows.intake import intake
from flows.rerun import rerun
from tests.conftest import ON_TIME, PERIOD, SIGNED, arrived, clean_values, query
from tests.field_workbooks import Sheet, form_rows, write_openpyxl

pytestmark = pytest.mark.usefixtures("prefect_harness")

Q3 = "Есепті кезең 2026 жылғы 3 тоқсан"


def _choices_shown(out: str) -> list[str]:
    """The lines under 'How it was read:' of one file's `adep check --choices`."""
    lines = out.splitlines()
    start = lines.index("   How it was read:") + 1
    return [line.strip() for line in lines[start:] if line.startswith("      ")]


def _choices_kept(home, file_name: str, attempt: int = 1) -> list[str]:
    rows = query(home, """select what, chosen, basis, cell, alternatives, set_aside from reading_choices
                          where file_name = ? and attempt = ? order by seq""", [file_name, attempt])
    return [Choice(what, chosen, basis, cell, tuple(alts), tuple(aside)).line() for what, chosen, basis, cell, alts, aside in rows]


def test_check_choices_and_the_view_show_the_same_reading(home, registered, tmp_path, capsys):
    """A file with choices of every kind: a blank, a dash, text, a previous-quarter column, a second date."""
    values = dict(clean_values(), **{"3.3": None, "3.4": "-", "2.1": " 1 "})
    previous = {c: 0 for c in values}
    rows = form_rows(values, period=Q3, bin_=registered["unit_a"])
    for r in rows:
        if r and r[0] == "№":
            r.append("Алдыңғы тоқсан (2026 жылғы 2 тоқсан)")
        elif r and r[0] in previous:
            r.append(previous[r[0]])
    sent = write_openpyxl(tmp_path / "unit a.xlsx", [Sheet("1-әу", rows)])
    arrived(sent, ON_TIME)
    capsys.readouterr()
    assert main(["--home", str(home.home), "check", "--choices", str(sent)]) == 0
    shown = _choices_shown(capsys.readouterr().out)
    assert any(line.startswith("cell 3.4: 0 (dash) [cell ") for line in shown)
    assert any("Алдыңғы тоқсан (2026 жылғы 2 тоқсан)" in line for line in shown if line.startswith("period:"))

    arrived(shutil.copy(sent, home.intake_dir / "unit a.xlsx"), ON_TIME)
    intake(home=str(home.home))
    assert query(home, "select status from intake_log") == [("loaded",)]
    assert _choices_kept(home, "unit a.xlsx") == shown


def test_a_rejected_files_choices_are_kept_for_each_attempt(home, registered):
    broken = clean_values()
    broken["2.1"] = broken["2"] + 5  # R03, an error: rejected
    arrived(write_report(home.intake_dir / "b.xlsx", bin=registered["unit_b"], period=PERIOD, body_name="X",
                         commissioner="C", phone="1", signed_on=SIGNED, values=broken), ON_TIME)
    intake(home=str(home.home))
    (file_id,) = query(home, "select file_id from intake_log where status = 'rejected'")[0]
    rerun(file_ids=[file_id], home=str(home.home))
    first, second = _choices_kept(home, "b.xlsx", 1), _choices_kept(home, "b.xlsx", 2)
    assert first and first == second
    assert [w for (w,) in query(home, "select what from reading_choices where attempt = 1 order by seq")][:3] == [
        "table", "value column", "values"]


def test_resolved_at_is_when_the_resolving_report_arrived(home, registered):
    broken = clean_values()
    broken["2.1"] = broken["2"] + 5
    later = ON_TIME + timedelta(days=3, hours=5)
    for name, values, when in (("first.xlsx", broken, ON_TIME), ("corrected.xlsx", clean_values(), later)):
        arrived(write_report(home.intake_dir / name, bin=registered["unit_a"], period=PERIOD, body_name="X",
                             commissioner="C", phone="1", signed_on=SIGNED, values=values), when)
    intake(home=str(home.home))
    ((resolved_at, received_at),) = query(home, """
        select f.resolved_at, r.received_at from intake_log as f join intake_log as r on r.file_id = f.resolved_by
        where f.file_name = 'first.xlsx'""")
    assert resolved_at == received_at and resolved_at.astimezone(later.tzinfo) == later


def test_rerun_failed_leaves_a_link_kept_in_rejected_alone(home, registered, tmp_path, capsys):
    target = write_openpyxl(tmp_path / "elsewhere.xlsx", [Sheet("1-әу", form_rows(clean_values(), period=Q3, bin_=registered["unit_a"]))])
    link = home.intake_dir / "link.xlsx"
    link.symlink_to(target)
    os.utime(link, (ON_TIME.timestamp(),) * 2, follow_symlinks=False)
    intake(home=str(home.home))
    ((stored, status),) = query(home, "select stored_path, status from intake_log")
    assert status == "rejected" and (home.home / stored).is_symlink()
    capsys.readouterr()
    for _ in range(2):
        assert main(["--home", str(home.home), "rerun", "--failed"]) == 0
        assert "unchanged" in capsys.readouterr().out
    assert query(home, "select attempt_count from core_files") == [(1,)]
