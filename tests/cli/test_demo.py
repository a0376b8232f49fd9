"""The demo from an empty home, and the command line around it: every generated file ends as its manifest expects."""
from __future__ import annotations

import openpyxl
import pytest

from adep.cli.parser import main
from adep.periods import Period
from adep.sample.quarter import make_quarter
from adep.sample.registry import make_registry
from tests.conftest import make_bin, query

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.mark.slow
def test_the_demo_runs_a_whole_quarter(tmp_path, capsys):
    home = tmp_path / "demo-home"
    assert main(["--home", str(home), "demo", "--bodies", "400", "--period", "2026Q3", "--seed", "5"]) == 0
    out = capsys.readouterr().out
    assert "loaded" in out and "rejected" in out and "seconds" in out
    assert "(Asia/Almaty)" in out  # when the intake finished, and the publications, in local time and labelled

    # the same seed gives the same country, so the manifest says what each file should have become
    manifest = make_quarter(make_registry(400, seed=5), Period(2026, 3), tmp_path / "again", seed=5).to_frame()
    published = home / "published" / "warehouse.duckdb"
    log = query(published, "select file_name, status, warnings from intake_log", frame=True)
    rollups = query(published, "select level, count(*) from rollup_values group by level order by level")
    log["outcome"] = log.status.where(~((log.status == "loaded") & (log.warnings > 0)), "warned")
    merged = manifest.merge(log, on="file_name", how="outer", indicator=True)
    assert (merged._merge == "both").all()
    assert (merged.expected == merged.outcome).all(), merged[merged.expected != merged.outcome][["file_name", "expected", "outcome"]]
    assert rollups[0][0] == "agency" and rollups[0][1] == 40
    exported = list((home / "exports").glob("*.xlsx"))
    assert exported and openpyxl.load_workbook(exported[0], read_only=True)

    # a second demo in the same home starts again from empty
    assert main(["--home", str(home), "demo", "--bodies", "400", "--period", "2026Q3", "--seed", "5"]) == 0


def test_the_demo_refuses_a_home_it_did_not_make(tmp_path, capsys):
    home = tmp_path / "busy"
    home.mkdir()
    (home / "precious.txt").write_text("keep me")
    assert main(["--home", str(home), "demo", "--bodies", "300"]) == 2
    assert (home / "precious.txt").exists()
    assert "not empty" in " ".join(capsys.readouterr().out.split())


def test_template_for_a_body_of_the_registry(tmp_path, small_registry):
    path, bins = small_registry
    home = tmp_path / "h"
    assert main(["--home", str(home), "registry", "load", str(path)]) == 0
    out = tmp_path / "blank.xlsx"
    assert main(["--home", str(home), "template", bins["unit_a"], "2026Q3", "--out", str(out)]) == 0
    ws = openpyxl.load_workbook(out).worksheets[-1]
    texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    assert bins["unit_a"] in texts and any("Департамент А" in t for t in texts)
    assert ws.data_validations.dataValidation and ws.data_validations.dataValidation[0].type == "whole"
    assert main(["--home", str(home), "template", "123", "2026Q3"]) == 2


def test_no_template_for_a_body_that_cannot_file(tmp_path, small_registry, capsys):
    path, bins = small_registry
    home = tmp_path / "h"
    assert main(["--home", str(home), "registry", "load", str(path)]) == 0
    capsys.readouterr()
    out = tmp_path / "blank.xlsx"
    assert main(["--home", str(home), "template", bins["defence"], "2026Q3", "--out", str(out)]) == 2
    said = " ".join(capsys.readouterr().out.split())
    assert "Қорғаныс министрлігі" in said and "does not file form 1-әу" in said
    assert main(["--home", str(home), "template", make_bin(40), "2026Q3", "--out", str(out)]) == 2
    assert "is not in the registry for 2026Q3" in " ".join(capsys.readouterr().out.split())
    # a body abolished before the quarter is not in the registry for it either
    assert main(["--home", str(home), "template", bins["unit_a"], "2019Q4", "--out", str(out)]) == 2
    assert not out.exists()
