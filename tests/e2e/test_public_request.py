"""A newcomer files an erasure request in Dutch with JavaScript off, opens the confirmation
link from the mail the development worker wrote, confirms and sees the status page with the
due date."""

from __future__ import annotations

import re
import time
from email import message_from_bytes, policy

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _verify_link(instance, reference: str, timeout: float = 120) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted((instance / "mail").glob("*.eml")):
            msg = message_from_bytes(path.read_bytes(), policy=policy.default)
            body = msg.get_body().get_content()
            if reference in str(msg["Subject"]) and "/verify/" in body:
                match = re.search(r"http://\S+/verify/\S+", body)
                assert match
                return match.group(0)
        time.sleep(0.5)
    raise AssertionError("no confirmation mail for " + reference)


def test_erasure_request_in_dutch_without_javascript(dev_server, browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(dev_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "nl"
    page.get_by_role("link", name="Een verzoek doen").click()
    page.get_by_label("Weet ik niet").check()
    page.get_by_label("Uw gegevens laten wissen").check()
    page.get_by_role("button", name="Volgende").click()
    page.get_by_label("Mijn gegevens worden onrechtmatig gebruikt.").check()
    page.get_by_label("Uw volledige naam").fill("Sanne de Vries")
    page.get_by_label("Uw e-mailadres").fill("sanne@example.nl")
    page.screenshot(path=str(dev_server.instance / "public-form.png"), full_page=True)
    page.get_by_role("button", name="Verzoek versturen").click()
    heading = page.get_by_role("heading", level=1)
    assert "Wij hebben uw verzoek ontvangen" in heading.inner_text()
    reference = page.locator("strong.ref").first.inner_text()
    assert re.fullmatch(r"AVG-[0-9A-Z]{4}-[0-9A-Z]{4}", reference)
    due = page.locator("p", has_text="Wij antwoorden uiterlijk op").locator("strong").inner_text()
    assert due
    page.screenshot(path=str(dev_server.instance / "public-sent.png"), full_page=True)

    link = _verify_link(dev_server.instance, reference)
    page.goto(link)
    page.get_by_role("button", name="Mijn verzoek bevestigen").click()
    expect(page).to_have_url(re.compile("/status/"))
    text = page.locator("main").inner_text()
    assert reference in text
    assert "Ontvangen; wij beginnen er snel aan" in text
    assert due in text
    page.screenshot(path=str(dev_server.instance / "public-status.png"), full_page=True)
    # The same link does not work twice.
    page.goto(link)
    assert "Mijn verzoek bevestigen" not in page.locator("main").inner_text()
    context.close()
