"""Issue 6 'done when', in a real browser against ``make run``: the demo officer works a
request from the queue to a sent answer letter, including an extension, and the dashboard
shows it."""

from __future__ import annotations

import pyotp
import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_demo_officer_extends_and_answers_in_the_browser(dev_server, page):
    page.goto(dev_server.url + "/lang/en")
    page.goto(dev_server.url + "/auth/login")
    # The admin works the officer's case here: the officers' first logins (enrolment) are
    # the subject of test_make_run, which shares this server.
    page.get_by_label("E-mail address").fill("admin@demo.example")
    page.get_by_label("Password").fill("demo-password-2026")
    page.get_by_role("button", name="Log in").click()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Six-digit code from your authenticator app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("link", name="I have saved them, continue").click()
    page.get_by_label("Assignee").select_option(label="Olga Officier")
    page.get_by_role("button", name="Apply filters").click()
    rows = page.locator("table.queue tbody tr")
    expect(rows).to_have_count(1)
    rows.first.locator("a.ref").click()
    page.get_by_role("heading", name="Deadlines").wait_for()
    assert "Noor Bakker" in page.content()
    page.get_by_label("Facts that make it necessary (sent to the subject)").fill(
        "The data sit in three systems of the controller."
    )
    page.get_by_label("Extend and send the notice to the subject (cannot be undone)").check()
    page.get_by_role("button", name="Extend", exact=True).click()
    expect(page.locator("main")).not_to_contain_text("not extended")
    page.get_by_role("button", name="Prepare the letter").click()
    page.get_by_label(
        "I have checked the letter; send it to the subject now (cannot be undone)"
    ).check()
    page.get_by_role("button", name="Send the answer").click()
    page.get_by_role("heading", name="Answer letters sent").wait_for()
    assert "Noor Bakker" in page.locator("pre.letter").first.inner_text()
    page.screenshot(path=str(dev_server.instance / "case.png"), full_page=True)
    page.get_by_role("link", name="Dashboard").click()
    expect(page.locator("svg.chart")).to_have_count(4)
    page.screenshot(path=str(dev_server.instance / "dashboard.png"), full_page=True)
    page.goto(dev_server.url + "/staff/")
    page.screenshot(path=str(dev_server.instance / "queue-ws.png"), full_page=True)
