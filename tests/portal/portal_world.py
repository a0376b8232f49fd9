"""A small country for the portal's tests: two ministries with their branches, an excluded body, a home with the
registry loaded and published, and an access code for every body that files. Built once per test module
(`built_home`) and copied for each test (`portal_home`), since codes cost a scrypt each and a registry load a second."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from adep.periods import Period
from adep.settings import Settings, load_settings
from tests.conftest import clean_values, make_bin
from tests.field_workbooks import Sheet, form_rows, write_openpyxl
from tests.server_world import wait_for

PERIOD = Period(2026, 3)
PERIOD_LINE = "Есепті кезең 2026 жылғы 3 тоқсан"
ROOT = Path(__file__).resolve().parents[2]

# name -> (kk, ru, kind, parent name)
BODIES = {
    "ministry": ("Әділет министрлігі", "Министерство юстиции", "central_body", None),
    "unit_a": ("Абай облысының әділет департаменті", "Департамент юстиции области Абай", "territorial_unit", "ministry"),
    "unit_b": ("Ақмола облысының әділет департаменті", "Департамент юстиции Акмолинской области", "territorial_unit", "ministry"),
    "district_a1": ("Аягөз ауданының әділет басқармасы", "Управление юстиции Аягозского района", "territorial_unit", "unit_a"),
    "other_ministry": ("Денсаулық сақтау министрлігі", "Министерство здравоохранения", "central_body", None),
    "other_unit": ("Абай облысының денсаулық сақтау басқармасы", "Управление здравоохранения области Абай", "territorial_unit", "other_ministry"),
    "defence": ("Қорғаныс министрлігі", "Министерство обороны", "excluded", None),
}


@dataclass
class World:
    settings: Settings
    bins: dict[str, str]
    codes: dict[str, str]

    def bearer(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.bins[name]}:{self.codes[name]}"}


def write_registry(path: Path) -> dict[str, str]:
    bins = {name: make_bin(200 + i) for i, name in enumerate(BODIES)}
    lines = ["bin,name_kk,name_ru,kind,parent_bin,region,valid_from,valid_to"]
    for name, (kk, ru, kind, parent) in BODIES.items():
        lines.append(f"{bins[name]},{kk},{ru},{kind},{bins[parent] if parent else ''},Абай облысы,2020-01-01,")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return bins


def adep(home: Path, *args: str, timeout: float = 300, **env: str) -> subprocess.CompletedProcess:
    """The adep command line as a process, as an operator runs it."""
    import os

    environ = dict(os.environ, PREFECT_SERVER_ANALYTICS_ENABLED="false", ADEP_SETTLE_SECONDS="0", PYTHONPATH=str(ROOT),
                   **env)
    return subprocess.run([sys.executable, "-m", "adep.cli", "--home", str(home), *args], capture_output=True, text=True,
                          timeout=timeout, env=environ, cwd=ROOT)


def build_world(folder: Path) -> World:
    """A home with the registry loaded (through the command line) and a code for every body that files."""
    import csv

    from adep.cli.parser import main

    folder.mkdir(parents=True, exist_ok=True)
    bins = write_registry(folder / "registry.csv")
    home = folder / "home"
    assert main(["--home", str(home), "registry", "load", str(folder / "registry.csv")]) == 0
    assert main(["--home", str(home), "portal", "access", "issue", "--all", "--out", str(folder / "codes.csv")]) == 0
    with open(folder / "codes.csv", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    by_bin = {r["bin"]: r["code"] for r in rows}
    codes = {name: by_bin[b] for name, b in bins.items() if b in by_bin}
    return World(load_settings(home, environ={}, settle_seconds=0.0), bins, codes)


def copy_world(world: World, folder: Path) -> World:
    home = folder / "home"
    shutil.copytree(world.settings.home, home)
    return World(load_settings(home, environ={}, settle_seconds=0.0), world.bins, world.codes)


def _names_by_bin() -> dict[str, tuple[str, str]]:
    return {make_bin(200 + i): (kk, ru) for i, (kk, ru, _kind, _parent) in enumerate(BODIES.values())}


def report(path: Path, bin_: str, *, values: dict | None = None, language: str = "kk", body: str | None = None) -> Path:
    """A report as a commissioner's spreadsheet program writes it (not adep's own writer), under the body's own name
    in the registry (in the form's language) unless another is given."""
    if body is None:
        kk, ru = _names_by_bin().get(bin_, ("Әділет департаменті", "Департамент юстиции"))
        body = kk if language == "kk" else ru
    period = PERIOD_LINE if language == "kk" else "Отчетный период: 3 квартал 2026 года"
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_openpyxl(path, [Sheet("1-әу", form_rows(values or clean_values(), period=period, bin_=bin_,
                                                         language=language, body=body))])


def warned_values() -> dict:
    """Values with one warning (R02 on row 1: the recipient groups do not add up) and no error."""
    values = clean_values()
    values["1"] += 1
    return values


def wrong_values() -> dict:
    """Values breaking an error rule (row 3.1 over its total)."""
    values = clean_values()
    values["3.1"] += 4
    return values


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def signed_in(client, world: World, name: str):
    """A test client signed in as the body (through the sign-in page, as a browser does)."""
    page = client.get("/sign-in")
    response = client.post("/sign-in", data={"bin": world.bins[name], "code": world.codes[name],
                                             "csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return client


class PortalProcess:
    """A real `adep portal` on 127.0.0.1 and a free port, read from the address it prints."""

    def __init__(self, home: Path, **env: str):
        import os

        self.log = home.parent / "portal.log"
        environ = dict(os.environ, PREFECT_SERVER_ANALYTICS_ENABLED="false", PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1",
                       COLUMNS="300", **env)
        self.process = subprocess.Popen([sys.executable, "-m", "adep.cli", "--home", str(home), "portal", "--port", "0"],
                                        stdout=open(self.log, "w"), stderr=subprocess.STDOUT, env=environ, cwd=ROOT)
        found = wait_for(lambda: re.search(r"(http://127\.0\.0\.1:\d+)", self.log.read_text()) or self._died(), 60,
                         "the portal's address", step=0.1)
        self.url = found.group(1)

    def _died(self):
        if self.process.poll() is not None:
            raise AssertionError(f"adep portal stopped: {self.log.read_text()}")
        return None

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
