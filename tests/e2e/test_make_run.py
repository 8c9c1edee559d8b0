"""What a newcomer does after ``make run``: open the URL, switch language, log in as the
demo officer and see the demo requests with their due dates."""

from __future__ import annotations

import re
import time
import urllib.request

import pyotp
import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_dev_server_prints_url_and_demo_logins(dev_server):
    out = dev_server.output
    assert f"running at {dev_server.url.replace('127.0.0.1', 'localhost')}/" in out
    assert "officer@demo.example" in out and "demo-password-2026" in out
    assert "authenticator app" in out and "oathtool --totp -b KEY" in out
    assert (dev_server.instance / "portal.db").exists()


def test_worker_started_beside_the_server_delivers_mail(dev_server):

    mail = dev_server.instance / "mail"
    deadline = time.monotonic() + 120  # polls: as long as a loaded machine needs, no longer
    while time.monotonic() < deadline and not list(mail.glob("*.eml")):
        time.sleep(0.5)
    assert list(mail.glob("*.eml")), "the worker wrote no mail"


def test_newcomer_switches_language_logs_in_and_sees_due_dates(dev_server, page):
    page.goto(dev_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "nl"
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("heading", level=1).wait_for()
    assert "Your personal data" in page.get_by_role("heading", level=1).inner_text()
    page.get_by_role("link", name="Staff login").click()
    page.get_by_label("E-mail address").fill("officer@demo.example")
    page.get_by_label("Password").fill("demo-password-2026")
    page.get_by_role("button", name="Log in").click()
    # First login: enrol the authenticator from the key shown on the page.
    secret = _secret(page)
    code = pyotp.TOTP(secret).now()
    page.get_by_label("Six-digit code from your authenticator app").fill(code)
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="I have saved them, continue").click()
    table = page.get_by_role("table")
    table.wait_for()
    rows = table.locator("tbody tr")
    assert rows.count() >= 4
    text = table.inner_text()
    assert re.search(r"AVG-[0-9A-Z]{4}-[0-9A-Z]{4}", text)
    assert "extended" in text
    page.screenshot(path=str(dev_server.instance / "queue.png"), full_page=True)
    # Log out and in again: the enrolment code was spent, the next one works.
    page.get_by_role("button", name="Log out").click()
    page.get_by_label("E-mail address").fill("officer@demo.example")
    page.get_by_label("Password").fill("demo-password-2026")
    page.get_by_role("button", name="Log in").click()
    label = "Code from your authenticator app, or a recovery code"
    page.get_by_label(label).fill(code)
    page.get_by_role("button", name="Log in").click()
    # The same code again is refused, in words, on the code page.
    expect(page.locator("main")).to_contain_text("This code is not correct, or was already used.")
    assert "/auth/code" in page.url
    page.get_by_label(label).fill(pyotp.TOTP(secret).at(time.time() + 30))
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile("/staff/"))
    page.get_by_role("table").wait_for()


def _secret(page) -> str:
    return page.locator("#totp-secret").inner_text().replace(" ", "")


def test_pages_work_without_javascript(dev_server, browser):
    context = browser.new_context(java_script_enabled=False)
    pg = context.new_page()
    pg.goto(dev_server.url + "/auth/login")
    pg.get_by_label("E-mailadres").fill("officer2@demo.example")
    pg.get_by_label("Wachtwoord").fill("demo-password-2026")
    pg.get_by_role("button", name="Inloggen").click()
    # Every read below waits for the page the click leads to (a bare count() or url read
    # raced the navigation in CI: it saw the login page still loading).
    expect(pg).to_have_url(re.compile("/auth/enrol"))
    expect(pg.locator("main svg").first).to_be_attached()  # the QR code: inline SVG
    pg.get_by_label("Zescijferige code uit uw authenticator-app").fill(
        pyotp.TOTP(_secret(pg)).now()
    )
    pg.get_by_role("button", name="Bevestigen").click()
    pg.get_by_role("link", name="Ik heb ze bewaard, ga verder").click()
    expect(pg).to_have_url(re.compile("/staff/"))
    context.close()


def test_static_files_are_cacheable_and_pages_are_not(dev_server):
    with urllib.request.urlopen(dev_server.url + "/static/css/portal.css") as resp:
        assert "no-store" not in (resp.headers.get("Cache-Control") or "")
    with urllib.request.urlopen(dev_server.url + "/") as resp:
        assert resp.headers["Cache-Control"] == "no-store"
