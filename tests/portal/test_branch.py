"""What the portal reads back from the warehouse once the intake has run: a parent's branch (only its own), and each
submission's outcome in the ledger; and the portal answering while an intake runs."""
from __future__ import annotations

import os
import threading

import pytest

from tests.conftest import LATE, ON_TIME, arrived
from tests.portal.portal_world import build_world, report, signed_in, warned_values, wrong_values

pytestmark = pytest.mark.usefixtures("prefect_harness")


def run_intake(settings) -> None:
    from flows.intake import intake

    os.environ["ADEP_SETTLE_SECONDS"] = "0"
    try:
        intake(home=str(settings.home))
    finally:
        os.environ.pop("ADEP_SETTLE_SECONDS", None)


@pytest.fixture(scope="module")
def built(tmp_path_factory, prefect_harness):
    """unit_a on time, unit_b rejected, district_a1 nothing, other_unit (another ministry's) late."""
    world = build_world(tmp_path_factory.mktemp("branch-world"))
    intake_dir = world.settings.intake_dir
    intake_dir.mkdir(parents=True, exist_ok=True)
    arrived(report(intake_dir / "a.xlsx", world.bins["unit_a"]), ON_TIME)
    arrived(report(intake_dir / "b.xlsx", world.bins["unit_b"], values=wrong_values()), ON_TIME)
    arrived(report(intake_dir / "c.xlsx", world.bins["other_unit"]), LATE)
    run_intake(world.settings)
    return world


def test_a_parent_sees_its_whole_branch_and_nothing_else(client, world):
    response = client.get("/api/v1/subtree?period=2026Q3", headers=world.bearer("ministry"))
    assert response.status_code == 200
    rows = {r["bin"]: r for r in response.json()["bodies"]}
    assert set(rows) == {world.bins[n] for n in ("unit_a", "unit_b", "district_a1")}
    assert rows[world.bins["unit_a"]]["state"] == "on_time" and rows[world.bins["unit_a"]]["received_at"]
    assert rows[world.bins["district_a1"]]["state"] == "missing" and rows[world.bins["district_a1"]]["depth"] == 2
    rejected = rows[world.bins["unit_b"]]
    assert rejected["state"] == "rejected" and rejected["first_finding"]["rule"].startswith("R")
    assert "3.1" in rejected["first_finding"]["message_ru"] and rejected["name_ru"] == "Департамент юстиции Акмолинской области"

    other = client.get("/api/v1/subtree?period=2026Q3", headers=world.bearer("other_ministry")).json()["bodies"]
    assert [(r["bin"], r["state"]) for r in other] == [(world.bins["other_unit"], "late")]
    # A unit sees its own district only; a body with none below sees nothing.
    assert [r["bin"] for r in client.get("/api/v1/subtree", headers=world.bearer("unit_a")).json()["bodies"]] == [world.bins["district_a1"]]
    assert client.get("/api/v1/subtree", headers=world.bearer("district_a1")).json()["bodies"] == []
    assert client.get("/api/v1/subtree?period=nonsense", headers=world.bearer("ministry")).status_code == 400


def test_the_parents_page_is_read_only_and_in_both_languages(client, world):
    signed_in(client, world, "ministry")
    assert "/subtree?period=2026Q3" in client.get("/body").text
    ru = client.get("/subtree?period=2026Q3&lang=ru").text
    kk = client.get("/subtree?period=2026Q3&lang=kk").text
    assert "в срок" in ru and "отклонен" in ru and "не поступил" in ru and "Управление юстиции Аягозского района" in ru
    assert "мерзімінде" in kk and "жіберілмеді" in kk
    assert "Министерство здравоохранения" not in ru and "здравоохранения" not in ru
    assert "<form" not in ru.split("</header>")[1]  # nothing to change there


def test_a_submission_shows_the_ledgers_outcome_once_the_intake_ran(client, world, tmp_path):
    path = report(tmp_path / "district.xlsx", world.bins["district_a1"], values=warned_values())
    up = client.post("/api/v1/uploads", headers=world.bearer("district_a1"),
                     files={"file": (path.name, path.read_bytes())}).json()
    assert up["outcome"] == "would_load" and up["is_late"] is True
    receipt = client.post(f"/api/v1/uploads/{up['upload_id']}/submit", headers=world.bearer("district_a1"),
                          json={"confirm": up["to_confirm"]}).json()["receipt"]
    answers: list[int] = []
    worker = threading.Thread(target=run_intake, args=(world.settings,))
    worker.start()
    # The portal keeps answering while the intake holds the warehouse.
    while worker.is_alive():
        answers.append(client.get("/healthz").status_code)
        answers.append(client.get("/api/v1/submissions", headers=world.bearer("district_a1")).status_code)
    worker.join()
    assert answers and set(answers) == {200}
    listed = client.get("/api/v1/submissions", headers=world.bearer("district_a1")).json()["submissions"]
    assert len(listed) == 1 and listed[0]["receipt"]["number"] == receipt["number"]
    assert listed[0]["status"] == "loaded" and listed[0]["ledger"]["file_id"]
    assert [f["rule"] for f in listed[0]["findings"]] == ["R02"]
    page = client.get("/api/v1/subtree", headers=world.bearer("unit_a")).json()["bodies"]
    assert [(r["bin"], r["state"]) for r in page] == [(world.bins["district_a1"], "late")]


def test_an_upload_says_when_it_would_replace_the_report_in_force(client, world, tmp_path):
    signed_in(client, world, "unit_a")
    from tests.portal.portal_world import csrf_of

    path = report(tmp_path / "corrected.xlsx", world.bins["unit_a"], values=warned_values())
    done = client.post("/uploads", data={"csrf_token": csrf_of(client.get("/body").text)},
                       files={"file": (path.name, path.read_bytes())}, follow_redirects=False)
    page = client.get(done.headers["location"].split("?")[0] + "?lang=ru").text
    assert "Этот отчет заменит отчет, ранее принятый за этот период" in page


def test_a_file_the_ledger_already_holds_is_refused_naming_it(client, world):
    (loaded,) = [p for p in world.settings.archive_dir.rglob("*.xlsx") if p.name.endswith("a.xlsx")]
    body = client.post("/api/v1/uploads", headers=world.bearer("unit_a"),
                       files={"file": ("again.xlsx", loaded.read_bytes())}).json()
    assert body["outcome"] == "rejected" and body["findings"][0]["rule"] == "P03"
    assert "(a.xlsx)" in body["findings"][0]["message_ru"] and "(a.xlsx)" in body["findings"][0]["message_kk"]
