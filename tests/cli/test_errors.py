"""Every user error of every command, in a flow or not: one plain line, a non-zero exit, never a traceback.

Each command runs as `python -m adep.cli ...` in its own process, as an operator would run it, so what Prefect's
console handler prints is part of what is checked.
"""
from __future__ import annotations

import subprocess
import sys

import pytest

from adep.cli.parser import build_parser
from tests.conftest import make_bin
from tests.intake_world import ROOT, engine_env
from tests.rollup_world import Q3, file_quarter, make_world
from warehouse.db import writer_lock

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def api_url(prefect_harness) -> str:
    """The session's Prefect server, shared by the subprocesses that start a flow."""
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w = make_world(tmp_path_factory.mktemp("errors"))
    file_quarter(w, Q3, skip=("L1",))
    return w


def adep(home, *args, api_url: str | None = None, **env) -> tuple[int, list[str], str]:
    """Run the command line in a new process: its exit status, its non-empty lines, everything it printed."""
    extra = {"PREFECT_API_URL": api_url} if api_url else {}
    done = subprocess.run([sys.executable, "-m", "adep.cli", "--home", str(home), *args], cwd=ROOT,
                          env=engine_env(**extra, **env), capture_output=True, text=True, timeout=300)
    said = done.stdout + done.stderr
    return done.returncode, [line for line in said.splitlines() if line.strip()], said


def assert_one_line(result, *phrases: str) -> str:
    code, lines, said = result
    assert code != 0, said
    assert "Traceback" not in said, said
    assert len(lines) == 1, said
    text = " ".join(lines[0].split())
    for phrase in phrases:
        assert phrase in text, text
    return text


def _files(tmp_path) -> dict:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    pdf = tmp_path / "registry.pdf"
    pdf.write_bytes(PDF)
    busy = tmp_path / "busy"
    busy.mkdir(exist_ok=True)
    (busy / "precious.txt").write_text("keep me", encoding="utf-8")
    return dict(empty=empty, pdf=pdf, busy=busy)


# (command, arguments, phrases the one line must hold); {loaded} is a loaded file's id, {x1} the excluded body,
# {stranger} a valid BIN that is not in the registry. Each case runs in the world's home unless it names another.
CASES = [
    ("registry", ["registry", "load", "{tmp}/no-such.csv"], ["no such file"]),
    ("registry", ["registry", "load", "{empty}"], ["not loaded", "empty"]),
    ("registry", ["registry", "load", "{pdf}"], ["not loaded", "PDF"]),
    ("registry", ["registry"], ["required"]),
    ("intake", ["intake", "--wait", "soon"], ["invalid float"]),
    ("rollup", ["rollup", "2026Q9"], ["not like 2026Q3"]),
    ("rollup", ["rollup", "2026Q3", "--stage", "national"], ["invalid choice"]),
    ("status", ["status", "2026Q9"], ["not like 2026Q3"]),
    ("export", ["export", "2027Q1"], ["2027Q1"]),
    ("template", ["template", "123", "2026Q3"], ["not a valid BIN"]),
    ("template", ["template", "{stranger}", "2026Q3"], ["not in the registry for 2026Q3", "rejected"]),
    ("template", ["template", "{x1}", "2026Q3"], ["does not file form 1-әу", "excluded"]),
    ("rerun", ["rerun"], ["say which files"]),
    ("rerun", ["rerun", "99999"], ["only rejected files", "99999 (no such file)"]),
    ("rerun", ["rerun", "{loaded}"], ["only rejected files", "(loaded)"]),
    ("rerun", ["rerun", "seven"], ["invalid int"]),
    ("rerun", ["rerun", "--failed", "--period", "2026Q9"], ["not like 2026Q3"]),
    ("report", ["report", "2026-3"], ["not like 2026Q3"]),
    ("report", ["report", "2026Q3", "--out", "/proc/no-such-folder/report.html"], ["/proc/no-such-folder"]),
    ("serve", ["serve", "--every", "often"], ["invalid int"]),
    ("demo", ["--home", "{busy}", "demo", "--bodies", "300"], ["not empty"]),
    ("check", ["check", "{tmp}/no-such.xlsx"], ["not a file", "no-such.xlsx"]),
    ("check", ["--home", "{tmp}/typo", "check", "{pdf}"], ["is not an adep home"]),
    ("deploy", ["deploy"], ["required", "--pool"]),
    ("server", ["server", "restart"], ["invalid choice"]),
    ("portal", ["portal", "--port", "99999"], ["not a port"]),
    ("portal", ["portal", "access", "issue", "123", "--out", "{tmp}/codes.csv"], ["not a valid BIN"]),
    ("portal", ["portal", "access", "revoke"], ["required"]),
    ("bogus", ["bogus"], ["invalid choice"]),
]


@pytest.mark.parametrize("command,args,phrases", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_a_bad_input_is_one_line_and_a_non_zero_exit(world, tmp_path, command, args, phrases):
    values = dict(tmp=tmp_path, loaded=1, x1=world.bins["X1"], stranger=make_bin(77), **_files(tmp_path))
    args = [a.format(**values) for a in args]
    assert_one_line(adep(world.settings.home, *args), *phrases)


def test_every_command_has_a_bad_input_case():
    parser = build_parser()
    (sub,) = [a for a in parser._actions if a.dest == "command"]
    assert set(sub.choices) <= {c for c, _, _ in CASES}


@pytest.mark.parametrize("args", [["intake"], ["rerun", "--failed"], ["rollup", "2026Q3"], ["status", "2026Q3"],
                                  ["export", "2026Q3"], ["report", "2026Q3"], ["template", make_bin(3), "2026Q3"],
                                  ["serve"]])
def test_a_folder_that_is_no_home_is_refused_and_left_alone(tmp_path, args):
    typo = tmp_path / "typo"
    text = assert_one_line(adep(typo, *args), "is not an adep home", "registry load")
    assert "does not exist" in text
    assert not typo.exists()
    # an existing folder without a warehouse is no home either, and stays as it was
    typo.mkdir()
    assert_one_line(adep(typo, *args), "is not an adep home", "has no warehouse.duckdb")
    assert list(typo.iterdir()) == []


def test_a_bad_registry_file_does_not_make_a_home(tmp_path):
    new_home = tmp_path / "new"
    files = _files(tmp_path)
    assert_one_line(adep(new_home, "registry", "load", str(files["empty"])), "empty")
    assert not new_home.exists()


def test_a_bad_setting_is_one_line(world):
    assert_one_line(adep(world.settings.home, "status", "2026Q3", ADEP_BATCH_SIZE="lots"),
                    "ADEP_BATCH_SIZE='lots' is not a whole number")
    assert_one_line(adep(world.settings.home, "status", "2026Q3", ADEP_TIMEZONE="Mars/Olympus"), "ADEP_TIMEZONE")


@pytest.mark.parametrize("args", [["intake"], ["rerun", "--failed"], ["rollup", "2026Q3", "--force"]])
def test_an_error_raised_inside_a_flow_is_one_line_without_the_engine_traceback(world, api_url, args):
    """The warehouse is busy: the flow starts, stops on WarehouseBusy, and the terminal shows only the reason."""
    with writer_lock(world.settings):
        text = assert_one_line(adep(world.settings.home, *args, api_url=api_url), "being written by adep process",
                               "try again")
    assert "Flow run" not in text and "Task run" not in text


def test_a_user_error_raised_in_a_task_leaves_the_terminal_to_the_command_line(world, api_url):
    """The rerun flow's own check (a task) refuses an id: neither the task's nor the flow's failure is printed."""
    script = ("from adep.cli.console import hide_user_errors_from_engine_console\n"
              "hide_user_errors_from_engine_console()\n"
              "from flows.rerun import rerun\n"
              "try:\n"
              f"    rerun(file_ids=[99999], home={str(world.settings.home)!r})\n"
              "except Exception as exc:\n"
              "    print(type(exc).__name__)\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=engine_env(PREFECT_API_URL=api_url),
                          capture_output=True, text=True, timeout=300)
    assert (done.stdout + done.stderr).split() == ["NothingToRerun"], done.stdout + done.stderr
