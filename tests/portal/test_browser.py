"""The commissioner's path in a real browser (Debian's Chromium, headless) against a real `adep portal` process:
sign in, download the blank form, upload a wrong file and read its findings in Kazakh then Russian, upload the fixed
file, confirm its warning, submit, see the receipt; then `adep intake` loads the file with the receipt's time and
number."""
from __future__ import annotations

import hashlib
import subprocess

import openpyxl
import pytest

from adep.submissions import read_receipt, receipt_key, verify
from tests.conftest import query
from tests.portal.portal_world import PortalProcess, build_world, report, warned_values, wrong_values
from tests.server_world import CHROMIUM, adep, adep_env, processes_in

pytestmark = [pytest.mark.browser, pytest.mark.server]


@pytest.fixture
def portal_world(tmp_path):
    world = build_world(tmp_path / "world")
    env = adep_env(tmp_path, ADEP_SETTLE_SECONDS="0")
    process = PortalProcess(world.settings.home)
    yield world, process, env
    process.stop()
    adep(world.settings.home, env, "server", "stop")
    for pid in processes_in(world.settings.home / ".prefect"):  # nothing of ours may outlive the test
        subprocess.run(["kill", "-9", str(pid)], check=False)


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"])
        yield browser
        browser.close()


def test_the_commissioners_path(portal_world, browser, tmp_path):
    world, portal, env = portal_world
    bin_ = world.bins["unit_a"]
    page = browser.new_page(accept_downloads=True)

    # Sign in from the link handed out with the code (the BIN filled in).
    page.goto(f"{portal.url}/sign-in?bin={bin_}")
    assert page.input_value("input[name=bin]") == bin_
    page.fill("input[name=code]", world.codes["unit_a"])
    page.click("form.sign-in button[type=submit]")
    page.wait_for_url("**/body*")
    assert "Абай облысының әділет департаменті" in page.content()

    # The blank form: a workbook for this body and the open period.
    with page.expect_download() as download:
        page.click("#template-link")
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)
    cells = {str(c.value) for row in openpyxl.load_workbook(template).worksheets[0].iter_rows() for c in row if c.value}
    assert bin_ in cells

    # A wrong file: every finding at once, in Kazakh, then in Russian.
    wrong = report(tmp_path / "wrong.xlsx", bin_, values=wrong_values())
    page.set_input_files("input[name=file]", str(wrong))
    page.click("form.upload button[type=submit]")
    page.wait_for_url("**/uploads/**")
    kk = page.inner_text("table.findings")
    assert "3.1-жол" in kk and "Ереже" in page.content()
    assert page.locator("form.submit").count() == 0
    page.click("a[hreflang=ru]")
    page.wait_for_load_state()
    ru = page.inner_text("table.findings")
    assert "строк" in ru and "3.1" in ru and "Правило" in page.content()
    assert "Исправьте файл и загрузите снова" in page.inner_text("#outcome")

    # The fixed file: one warning to confirm, then the receipt.
    page.click("text=Вернуться на страницу органа")
    fixed = report(tmp_path / "fixed.xlsx", bin_, values=warned_values())
    page.set_input_files("input[name=file]", str(fixed))
    page.click("form.upload button[type=submit]")
    page.wait_for_url("**/uploads/**")
    assert "Я проверил(а) строку 1: показатель верен" in page.inner_text("form.submit")
    page.click("form.submit button[type=submit]")
    assert "Не все предупреждения отмечены" in page.inner_text("#submit-error")  # not confirmed yet
    page.check("input[name=confirm]")
    page.click("form.submit button[type=submit]")
    page.wait_for_url("**/receipts/**")
    number = page.inner_text("#receipt-number").strip()
    sha = hashlib.sha256(fixed.read_bytes()).hexdigest()
    assert page.inner_text("#receipt-sha256").strip() == sha and number.startswith("2026Q3-")
    assert "(Asia/Almaty)" in page.inner_text("#receipt-time")

    # In intake/: the file and its signed receipt.
    reports = [p for p in world.settings.intake_dir.iterdir() if p.suffix == ".xlsx"]
    assert len(reports) == 1 and hashlib.sha256(reports[0].read_bytes()).hexdigest() == sha
    receipt = read_receipt(reports[0])
    assert receipt.number == number and verify(receipt, receipt_key(world.settings))

    # The intake loads it.
    done = adep(world.settings.home, env, "intake")
    assert done.returncode == 0, done.stdout + done.stderr
    log = query(world.settings.published_path, "select * from intake_log where sha256 = ?", [sha], frame=True)
    assert list(log.status) == ["loaded"]
    # The body's page shows the ledger's outcome.
    page.goto(f"{portal.url}/body?lang=ru")
    assert "принят" in page.inner_text("table.submissions")
    # With the intake's side: the receipt's time and number, and the channel.
    row = log.iloc[0]
    assert row.receipt_number == number and row.channel == "portal"
    assert row.received_at.to_pydatetime() == receipt.received_at_utc
