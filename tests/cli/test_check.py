"""`adep check FILE...`: the intake's decision for each file, in three languages, with nothing loaded, moved or written."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from adep.cli.parser import main
from tests.conftest import ON_TIME, ONE_DAY, arrived, clean_values, query
from tests.field_workbooks import Sheet, form_rows, value_cell, write_openpyxl, write_xlsxwriter

Q3 = "Есепті кезең 2026 жылғы 3 тоқсан"
Q3_RU = "Отчетный период: 3 квартал 2026 года"


def _tree(folder: Path) -> dict[str, str]:
    """Every file under a folder with a hash of its bytes: what 'nothing was written' is checked against."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def registered_home(tmp_path, small_registry):
    path, bins = small_registry
    home = tmp_path / "home"
    assert main(["--home", str(home), "registry", "load", str(path)]) == 0
    return home, bins


def _files(tmp_path, bins) -> dict[str, Path]:
    out = tmp_path / "to send"
    out.mkdir()
    over = clean_values()
    over["3.1"] += 4
    files = {
        "good": write_openpyxl(out / "unit a [Q3].xlsx", [Sheet("1-әу", form_rows(clean_values(), period=Q3, bin_=bins["unit_a"],
                                                                                body="Департамент А"))]),
        "warned": write_xlsxwriter(out / "ministry.xlsx", [Sheet("Форма", form_rows(dict(clean_values(), **{"1": clean_values()["1"] + 1}),
                                                                                   period=Q3_RU, bin_=bins["ministry"], language="ru",
                                                                                   body="Министерство"))]),
        "bad": write_xlsxwriter(out / "unit b.xlsx", [Sheet("1-әу", form_rows(over, period=Q3, bin_=bins["unit_b"], body="Департамент Б"))]),
    }
    files["copy"] = Path(shutil.copy(files["good"], out / "copy of unit a.xlsx"))
    for path in files.values():
        arrived(path, ON_TIME)
    arrived(files["copy"], ON_TIME + ONE_DAY)  # sent again the next day
    return files


def test_check_says_what_each_file_would_become_and_writes_nothing(tmp_path, registered_home, capsys):
    home, bins = registered_home
    files = _files(tmp_path, bins)
    before_home, before_files = _tree(home), _tree(files["good"].parent)
    capsys.readouterr()

    code = main(["--home", str(home), "check", *map(str, files.values())])
    out = capsys.readouterr().out

    assert code == 1  # one file rejected, one a duplicate
    assert _tree(home) == before_home and _tree(files["good"].parent) == before_files
    assert f"1. {files['good']}" in out
    assert f"BIN {bins['unit_a']} (Департамент А), period 2026Q3, sheet '1-әу'" in out
    assert "Outcome: loaded; on time (deadline 2026-10-05 23:59 Asia/Almaty)" in out
    assert "Outcome: loaded with warnings (0 error(s), 1 warning(s))" in out and "R02" in out
    assert "Outcome: rejected (1 error(s), 0 warning(s))" in out
    r04 = f"R04 appeals.sources_exceed_total (row 3, cell {value_cell('3')})"
    assert r04 in out and "R05" not in out
    assert "ҚАЗ: R04 ережесі" in out and "РУС: Нарушено правило R04" in out and "EN: Rule R04" in out
    assert "Outcome: duplicate of file 1" in out
    assert "4 file(s) checked: 2 would load, 2 would not. Nothing was loaded, moved or written." in out


def test_check_exits_0_when_every_file_would_load(tmp_path, registered_home, capsys):
    home, bins = registered_home
    files = _files(tmp_path, bins)
    assert main(["--home", str(home), "check", str(files["good"]), str(files["warned"])]) == 0
    assert "2 would load, 0 would not" in capsys.readouterr().out


def test_check_shows_how_a_file_was_read(tmp_path, registered_home, capsys):
    home, bins = registered_home
    files = _files(tmp_path, bins)
    assert main(["--home", str(home), "check", "--choices", str(files["good"])]) == 0
    out = capsys.readouterr().out
    assert "How it was read:" in out and "table: A8:A47" in out and "value column: C (headed" in out
    assert "period: 2026Q3 ('Есепті кезең 2026 жылғы 3 тоқсан' in A2)" in out


def test_check_without_a_registry_is_one_plain_line(tmp_path, capsys):
    report = write_openpyxl(tmp_path / "r.xlsx", [Sheet("1-әу", form_rows(clean_values(), period=Q3, bin_="990000001013"))])
    home = tmp_path / "nowhere"
    assert main(["--home", str(home), "check", str(report)]) == 2
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "is not an adep home" in out and "registry load" in out
    assert not home.exists()  # not even the home folder was made
    assert main(["--home", str(home), "check", str(tmp_path / "missing.xlsx")]) == 2
    assert "not a file" in capsys.readouterr().out

    from adep.settings import load_settings
    from warehouse.db import open_writer

    with open_writer(load_settings(home, environ={})):
        pass  # a warehouse with no registry loaded yet
    assert main(["--home", str(home), "check", str(report)]) == 2
    assert "the registry in" in capsys.readouterr().out


def test_check_runs_without_the_workflow_engine(tmp_path, registered_home):
    home, bins = registered_home
    files = _files(tmp_path, bins)
    probe = ("import sys\nfrom adep.cli.parser import main\n"
             f"code = main(['--home', {str(home)!r}, 'check', {str(files['good'])!r}])\n"
             "print('ENGINE', any(m == 'prefect' or m.startswith('prefect.') for m in sys.modules))\nsys.exit(code)\n")
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "ENGINE False" in done.stdout and "Outcome: loaded" in done.stdout


@pytest.mark.usefixtures("prefect_harness")
def test_check_decides_as_the_intake_does(tmp_path, registered_home, capsys):
    """The same files through check, then through the intake: the same outcome and the same findings for each."""
    from adep.intake.dry_run import dry_run
    from adep.settings import load_settings
    from flows.intake import intake
    from warehouse.connect import connect

    home, bins = registered_home
    settings = load_settings(home, environ={}, settle_seconds=0.0)
    files = _files(tmp_path, bins)
    con = connect(settings)
    verdicts = dry_run(list(files.values()), con, settings)
    con.close()
    predicted = {Path(v.path).name: (v.outcome.split(" ")[0], sorted(zip(v.findings.rule, v.findings.cell.fillna("")))) for v in verdicts}

    for path in files.values():
        shutil.copy2(path, settings.intake_dir / path.name)
    intake(home=str(home))
    findings = query(settings, "select file_name, rule, coalesce(cell, '') from findings")
    actual = {name: (status, sorted((r, c) for n, r, c in findings if n == name))
              for name, status in query(settings, "select file_name, status from intake_log")}
    assert predicted == actual

    capsys.readouterr()
    assert main(["--home", str(home), "check", str(files["good"])]) == 1  # now it is in the ledger
    assert "Outcome: duplicate of ledger file" in capsys.readouterr().out
