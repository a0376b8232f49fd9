"""The portal's pages as a plain browser gets them (no script): both languages, the period and its deadline in
Almaty time, the blank template, findings naming row, cell and rule, confirmations, the printable receipt, cookies."""
from __future__ import annotations

import hashlib
import io
import json

import openpyxl
from fastapi.testclient import TestClient

from adep.portal.app import SESSION_COOKIE, create_app
from adep.submissions import read_receipt, receipt_key, verify
from tests.portal.portal_world import (csrf_of, report, signed_in, warned_values,
                                       wrong_values)


def test_every_page_has_both_languages_and_a_switch(client, world):
    kk = client.get("/sign-in?lang=kk")
    ru = client.get("/sign-in?lang=ru")
    assert "Кіру" in kk.text and 'lang="kk"' in kk.text
    assert "Вход" in ru.text and 'lang="ru"' in ru.text
    for page in (kk, ru):
        assert "?lang=kk" in page.text and "?lang=ru" in page.text
    signed_in(client, world, "unit_a")
    # The chosen language stays with the browser (a cookie) until switched again.
    assert "Отчетный период" in client.get("/body?lang=ru").text
    assert "Отчетный период" in client.get("/body").text
    assert "Есепті кезең" in client.get("/body?lang=kk").text


def test_the_body_page_shows_the_period_its_deadline_and_the_template(client, world):
    signed_in(client, world, "unit_a")
    page = client.get("/body?lang=ru").text
    assert "Департамент юстиции области Абай" in page and world.bins["unit_a"] in page
    # The lower tier's deadline: 5 October 2026 (a Monday), end of day in Almaty.
    assert "2026Q3" in page and "2026-10-05 23:59 (Asia/Almaty)" in page
    template = client.get("/template")
    assert template.status_code == 200 and "attachment" in template.headers["content-disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(template.content)).worksheets[0]
    texts = {str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None}
    assert world.bins["unit_a"] in texts and "Абай облысының әділет департаменті" in texts


def test_the_top_tier_deadline_is_the_tenth(client, world):
    signed_in(client, world, "ministry")
    page = client.get("/body").text
    assert "2026-10-12 23:59 (Asia/Almaty)" in page  # the 10th was a Saturday: the next working day


def test_cookies_are_http_only_same_site_strict_and_secure_behind_tls(client, world):
    page = client.get("/sign-in")
    response = client.post("/sign-in", data={"bin": world.bins["unit_a"], "code": world.codes["unit_a"],
                                             "csrf_token": csrf_of(page.text)}, follow_redirects=False)
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict") and "Secure" not in cookie
    # Behind a TLS proxy (it says so in X-Forwarded-Proto): the cookies are Secure, so the browser keeps them to TLS.
    tls = TestClient(client.app, base_url="https://portal.example", headers={"X-Forwarded-Proto": "https"})
    page = tls.get("/sign-in")
    assert "Secure" in page.headers["set-cookie"]
    behind_tls = tls.post("/sign-in", follow_redirects=False,
                          data={"bin": world.bins["unit_a"], "code": world.codes["unit_a"], "csrf_token": csrf_of(page.text)})
    cookie = next(h for h in behind_tls.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE))
    assert "Secure" in cookie and "HttpOnly" in cookie


def _upload_page(client, path):
    page = client.get("/body")
    done = client.post("/uploads", data={"csrf_token": csrf_of(page.text)}, files={"file": (path.name, path.read_bytes())},
                       follow_redirects=False)
    assert done.status_code == 303, done.text
    return done.headers["location"].split("?")[0]


def test_findings_name_row_cell_and_rule_in_the_pages_language(client, world, tmp_path):
    signed_in(client, world, "unit_a")
    where = _upload_page(client, report(tmp_path / "wrong.xlsx", world.bins["unit_a"], values=wrong_values()))
    kk = client.get(where + "?lang=kk").text
    ru = client.get(where + "?lang=ru").text
    assert "3.1-жол" in kk and "C" in kk and "Ереже" in kk and 'data-rule="R' in kk
    assert "строк" in ru and "Правило" in ru and "3.1" in ru
    assert "Исправьте файл и загрузите снова" in ru and 'name="confirm"' not in ru and "Отправить отчет" not in ru


def test_a_warning_confirmed_on_the_page_gives_a_printable_signed_receipt(client, world, tmp_path):
    signed_in(client, world, "unit_a")
    path = report(tmp_path / "Абай 3 тоқсан.xlsx", world.bins["unit_a"], values=warned_values())
    where = _upload_page(client, path)
    page = client.get(where + "?lang=ru").text
    assert "Я проверил(а) строку 1: показатель верен" in page
    action = where + "/submit"
    unconfirmed = client.post(action, data={"csrf_token": csrf_of(page)})
    assert unconfirmed.status_code == 409 and "Не все предупреждения отмечены" in unconfirmed.text
    assert not list(world.settings.intake_dir.iterdir())
    done = client.post(action, data={"csrf_token": csrf_of(page), "confirm": "f1"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].startswith("/receipts/2026Q3-")
    receipt_page = client.get(done.headers["location"]).text
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    assert sha in receipt_page and "Абай 3 тоқсан.xlsx" in receipt_page and "(Asia/Almaty)" in receipt_page
    assert "@media print" in client.get("/static/portal.css").text
    # What reached intake/: the report and its signed receipt, the server's time with Almaty's offset.
    reports = [p for p in world.settings.intake_dir.iterdir() if p.suffix == ".xlsx"]
    assert len(reports) == 1 and hashlib.sha256(reports[0].read_bytes()).hexdigest() == sha
    receipt = read_receipt(reports[0])
    assert verify(receipt, receipt_key(world.settings)) and receipt.received_at.endswith("+05:00")
    assert receipt.number in receipt_page and receipt.bin == world.bins["unit_a"] and receipt.period == "2026Q3"
    # The body's page lists it, waiting for the intake.
    body = client.get("/body?lang=kk").text
    assert receipt.number in body and "әлі өңделген жоқ" in body
    listed = client.get("/api/v1/submissions", headers=world.bearer("unit_a")).json()["submissions"]
    assert listed[0]["receipt"]["number"] == receipt.number and listed[0]["status"] == "waiting"
    assert listed[0]["confirmed"] == ["f1"]
    assert json.loads(receipt.to_json())["sha256"] == sha
    # The audit trail: who did what, from where.
    import sqlite3

    from adep.submissions import audit_path

    con = sqlite3.connect(audit_path(world.settings))
    trail = con.execute("select event, bin, address, detail from audit_events where bin = ? and event <> 'access_issued' order by id",
                        (world.bins["unit_a"],)).fetchall()
    con.close()
    assert [e for e, *_ in trail][:5] == ["sign_in", "upload", "refusal", "confirmation", "submission"]
    assert all(address == "testclient" for _, _, address, _ in trail)
    assert json.loads(trail[4][3])["receipt_number"] == receipt.number


def test_pages_cannot_be_framed_nor_cached(client):
    page = client.get("/sign-in")
    assert page.headers["x-frame-options"] == "DENY" and "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"


def test_sign_out_ends_the_session(client, world):
    signed_in(client, world, "unit_a")
    page = client.get("/body")
    out = client.post("/sign-out", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert out.status_code == 303
    client.cookies.clear()
    assert client.get("/body", follow_redirects=False).status_code == 303


def test_healthz_says_whether_the_published_warehouse_can_be_read(client, world):
    assert client.get("/healthz").text == "ok"
    world.settings.published_path.rename(world.settings.published_path.with_suffix(".away"))
    assert client.get("/healthz").status_code == 503


def test_a_store_restored_from_an_older_backup_never_gives_a_receipt_number_twice(world, tmp_path):
    import sqlite3

    from adep.submissions import audit_path

    def submit(client, name, values):
        path = report(tmp_path / name, world.bins["unit_a"], values=values)
        up = client.post("/api/v1/uploads", headers=world.bearer("unit_a"), files={"file": (path.name, path.read_bytes())}).json()
        return client.post(f"/api/v1/uploads/{up['upload_id']}/submit", headers=world.bearer("unit_a"),
                           json={"confirm": up["to_confirm"]}).json()["receipt"]["number"]

    with TestClient(create_app(world.settings)) as client:
        first = submit(client, "first.xlsx", warned_values())
    con = sqlite3.connect(audit_path(world.settings))  # as the backup taken before the first submission
    con.execute("delete from receipts")
    con.execute("delete from receipt_sequence")
    con.commit()
    con.close()
    with TestClient(create_app(world.settings)) as client:
        second = submit(client, "second.xlsx", None)
    assert (first, second) == ("2026Q3-000001", "2026Q3-000002")
