"""`adep check` and `adep intake` apply one supersede rule: whatever order two versions of one body's report reach
intake/ in, the check's outcome for each file is the status the intake then gives it."""
from __future__ import annotations

import re
import shutil

import pytest

from adep.cli.parser import main
from tests.conftest import ON_TIME, ONE_DAY, arrived, clean_values, query
from tests.field_workbooks import Sheet, form_rows, write_openpyxl

pytestmark = pytest.mark.usefixtures("prefect_harness")

Q3 = "Есепті кезең 2026 жылғы 3 тоқсан"


def _versions(folder, bin_):
    """Two good versions of one body's report for 2026Q3: 'earlier' arrived a day before 'later'."""
    folder.mkdir()
    revised = clean_values(1)
    return {
        "earlier": arrived(write_openpyxl(folder / "report v1.xlsx", [Sheet("1-әу", form_rows(clean_values(), period=Q3, bin_=bin_))]), ON_TIME),
        "later": arrived(write_openpyxl(folder / "report v2.xlsx", [Sheet("1-әу", form_rows(revised, period=Q3, bin_=bin_))]), ON_TIME + ONE_DAY),
    }


def _checked(home, paths, capsys, notes: list[str]) -> list[str]:
    """The outcome `adep check` gives each file, in the order given (and its notes on what it would replace)."""
    capsys.readouterr()
    main(["--home", str(home), "check", *map(str, paths)])
    out = capsys.readouterr().out
    notes += re.findall(r"(Superseded .*|Replaces .*)", out)
    return re.findall(r"Outcome: (\w+)", out)


def _sent(home, paths, capsys) -> list[str]:
    """Drop the files into intake/ (keeping their arrival times), run `adep intake`, and read each one's status."""
    for path in paths:
        shutil.copy2(path, home / "intake" / path.name)
    assert main(["--home", str(home), "intake"]) == 0
    capsys.readouterr()
    statuses = dict(query(home / "warehouse.duckdb", "select file_name, status from core_files"))
    return [statuses[p.name] for p in paths]


@pytest.mark.parametrize("order", [("earlier", "later"), ("later", "earlier"), ("both",)])
def test_check_says_what_the_intake_then_does_in_every_order(tmp_path, small_registry, capsys, order):
    path, bins = small_registry
    home = tmp_path / "home"
    assert main(["--home", str(home), "registry", "load", str(path)]) == 0
    files = _versions(tmp_path / "to send", bins["unit_a"])
    rounds = [[files["earlier"], files["later"]]] if order == ("both",) else [[files[name]] for name in order]
    said, done, notes = [], [], []
    for paths in rounds:
        said += _checked(home, paths, capsys, notes)
        done += _sent(home, paths, capsys)
    assert said == done
    # the rule itself: the later arrival is in force, whichever reached intake/ first
    assert dict(query(home / "warehouse.duckdb", "select file_name, status from core_files")) == {
        "report v1.xlsx": "superseded", "report v2.xlsx": "loaded"}
    assert notes == {
        ("earlier", "later"): ["Replaces the report in force, ledger file 1 (report v1.xlsx)"],
        ("later", "earlier"): ["Superseded by the report in force, ledger file 1 (report v2.xlsx), which arrived later"],
        ("both",): ["Superseded at once by file 2 of this check, which arrived later"],
    }[order]
